/*!
A section's properties by lower-cased key: the map behind [`Section::properties`].

It reads like the `BTreeMap<String, Property>` it replaces (`get`, `insert`, `remove`, `iter`,
`keys`, `values`, `values_mut`, `extend`, `collect`, `for (key, property) in
&section.properties`, in key order), but is laid out for files of hundreds of thousands of
sections with a handful of properties each:

* the properties sit in one slice sorted by key and sized to fit, where a B-tree allocates a
  node with room for eleven keys and values for every section, however few it has;
* the keys are not stored at all while each one is its property's own [`Property::key`] (keys
  written in lower case, that is most of them); a section with a key written otherwise keeps
  one lower-cased key per property beside the slice. Only shared references reach a property
  whose key doubles as the map's: before handing one out to be changed
  ([`Properties::get_mut`], [`Properties::values_mut`]) the map copies its keys, so editing
  `key` never moves a property within the map.

Adding properties one at a time ([`Properties::insert`]) rebuilds the slice: the map is built
once per section, from all of its lines, and rarely changed after.

[`Section::properties`]: crate::Section::properties
*/

use crate::property::Property;

/// A section's properties by lower-cased key, in key order (see the [module](self) docs).
#[derive(Clone, Default)]
pub struct Properties {
    /// Sorted by key, one per key.
    properties: Box<[Property]>,
    /// The key of each property in the map; empty when every one is its [`Property::key`].
    keys: Box<[String]>,
}

/// A property to add and its key in the map; `None` when that is its [`Property::key`].
type Entry = (Option<String>, Property);

fn key_of((key, property): &Entry) -> &str {
    key.as_deref().unwrap_or(&property.key)
}

impl Properties {
    /// An empty map.
    pub fn new() -> Properties {
        Properties::default()
    }

    /// The number of properties.
    pub fn len(&self) -> usize {
        self.properties.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.properties.is_empty()
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        if self.keys.is_empty() {
            self.properties
                .binary_search_by(|p| p.key.as_str().cmp(key))
        } else {
            self.keys.binary_search_by(|k| k.as_str().cmp(key))
        }
    }

    /// The property stored under `key` (exactly; [`Section::property`](crate::Section::property)
    /// looks up case-insensitively).
    pub fn get(&self, key: &str) -> Option<&Property> {
        self.find(key).ok().map(|at| &self.properties[at])
    }

    /// The property stored under `key`, to change.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Property> {
        let at = self.find(key).ok()?;
        self.own_keys();
        Some(&mut self.properties[at])
    }

    /// Whether a property is stored under `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Stores `property` under `key`; returns the property it replaces, if any.
    pub fn insert(&mut self, key: String, property: Property) -> Option<Property> {
        let replaced = self.remove(&key);
        self.push_all([(Some(key), property)]);
        replaced
    }

    /// Removes the property stored under `key` and returns it.
    pub fn remove(&mut self, key: &str) -> Option<Property> {
        let at = self.find(key).ok()?;
        let mut entries = std::mem::take(self).into_entries();
        let (_, removed) = entries.remove(at);
        *self = Properties::from_sorted(entries);
        Some(removed)
    }

    /// The keys and properties, in key order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            properties: self.properties.iter(),
            keys: self.keys.iter(),
        }
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.iter().map(|(key, _)| key)
    }

    /// The properties, in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Property> + ExactSizeIterator {
        self.properties.iter()
    }

    /// The properties, in key order, to change.
    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Property> + ExactSizeIterator {
        self.own_keys();
        self.properties.iter_mut()
    }

    /// Adds `properties` under their keys in lower case; a later one wins over an earlier
    /// one with the same key. (The key is copied only when it is not lower case already.)
    pub(crate) fn extend_by_lower_cased_key(
        &mut self,
        properties: impl IntoIterator<Item = Property>,
    ) {
        self.push_all(properties.into_iter().map(|property| {
            let key = (property.key.bytes().any(|b| b.is_ascii_uppercase()))
                .then(|| property.key.to_ascii_lowercase());
            (key, property)
        }));
    }

    /// Moves every property of `other` into this map; those of `other` win.
    pub(crate) fn append(&mut self, other: Properties) {
        self.push_all(other.into_entries());
    }

    /// Before a caller may change a property: the map's keys no longer live in them.
    fn own_keys(&mut self) {
        if self.keys.is_empty() {
            self.keys = self.properties.iter().map(|p| p.key.clone()).collect();
        }
    }

    fn into_entries(self) -> Vec<Entry> {
        let mut keys = self.keys.into_vec().into_iter();
        self.properties
            .into_vec()
            .into_iter()
            .map(|property| (keys.next(), property))
            .collect()
    }

    /// Adds entries in any order, the later winning over the earlier for the same key: one
    /// sort for a whole section rather than one shift per key.
    fn push_all(&mut self, added: impl IntoIterator<Item = Entry>) {
        let mut entries = std::mem::take(self).into_entries();
        entries.extend(added);
        // Stable: of the entries with one key, the last one added is last.
        entries.sort_by(|a, b| key_of(a).cmp(key_of(b)));
        // `dedup_by` keeps the first of a run: move each later entry into the kept place.
        entries.dedup_by(|later, kept| {
            let same = key_of(later) == key_of(kept);
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
        *self = Properties::from_sorted(entries);
    }

    /// The map of entries sorted by key, one per key, with room for exactly those.
    fn from_sorted(mut entries: Vec<Entry>) -> Properties {
        let differs = |(key, property): &Entry| key.as_ref().is_some_and(|k| *k != property.key);
        let keys = if entries.iter().any(differs) {
            (entries.iter_mut())
                .map(|(key, property)| key.take().unwrap_or_else(|| property.key.clone()))
                .collect()
        } else {
            Box::default()
        };
        let properties = entries.into_iter().map(|(_, property)| property).collect();
        Properties { properties, keys }
    }
}

impl std::fmt::Debug for Properties {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl PartialEq for Properties {
    fn eq(&self, other: &Properties) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Properties {}

impl std::ops::Index<&str> for Properties {
    type Output = Property;

    /// The property stored under `key`; panics when there is none, like a `BTreeMap`.
    fn index(&self, key: &str) -> &Property {
        self.get(key).expect("no property stored under that key")
    }
}

impl Extend<(String, Property)> for Properties {
    fn extend<I: IntoIterator<Item = (String, Property)>>(&mut self, pairs: I) {
        self.push_all(
            pairs
                .into_iter()
                .map(|(key, property)| (Some(key), property)),
        );
    }
}

impl FromIterator<(String, Property)> for Properties {
    fn from_iter<I: IntoIterator<Item = (String, Property)>>(pairs: I) -> Properties {
        let mut properties = Properties::new();
        properties.extend(pairs);
        properties
    }
}

impl<'a> IntoIterator for &'a Properties {
    type Item = (&'a String, &'a Property);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl IntoIterator for Properties {
    type Item = (String, Property);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        IntoIter {
            properties: self.properties.into_vec().into_iter(),
            keys: self.keys.into_vec().into_iter(),
        }
    }
}

/// The keys and properties of a [`Properties`], in key order.
#[derive(Clone)]
pub struct Iter<'a> {
    properties: std::slice::Iter<'a, Property>,
    /// Empty when each key is the property's own.
    keys: std::slice::Iter<'a, String>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a Property);

    fn next(&mut self) -> Option<Self::Item> {
        let property = self.properties.next()?;
        Some((self.keys.next().unwrap_or(&property.key), property))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.properties.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let property = self.properties.next_back()?;
        Some((self.keys.next_back().unwrap_or(&property.key), property))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl std::iter::FusedIterator for Iter<'_> {}

/// The keys and properties taken out of a [`Properties`], in key order.
pub struct IntoIter {
    properties: std::vec::IntoIter<Property>,
    /// Empty when each key is the property's own.
    keys: std::vec::IntoIter<String>,
}

impl Iterator for IntoIter {
    type Item = (String, Property);

    fn next(&mut self) -> Option<(String, Property)> {
        let property = self.properties.next()?;
        let key = self.keys.next().unwrap_or_else(|| property.key.clone());
        Some((key, property))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.properties.size_hint()
    }
}

impl DoubleEndedIterator for IntoIter {
    fn next_back(&mut self) -> Option<(String, Property)> {
        let property = self.properties.next_back()?;
        let key = self
            .keys
            .next_back()
            .unwrap_or_else(|| property.key.clone());
        Some((key, property))
    }
}

impl ExactSizeIterator for IntoIter {}

impl std::iter::FusedIterator for IntoIter {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Kind, Origin};

    fn property(key: &str, value: &str) -> Property {
        Property {
            key: key.to_owned(),
            value: value.to_owned(),
            origin: Origin {
                kind: Kind::Config,
                line: 1,
            },
            sub_properties: Vec::new(),
        }
    }

    /// The map must answer like the `BTreeMap` callers used before, whatever the order of
    /// inserts, duplicates and case of the keys as written.
    #[test]
    fn reads_like_a_btree_map() {
        let pairs = [
            ("region", "Region", "a"),
            ("output", "output", "b"),
            ("region", "region", "c"),
            ("s3", "S3", "d"),
            ("aws_access_key_id", "aws_access_key_id", "e"),
            ("output", "OUTPUT", "f"),
        ];
        let make = || {
            pairs
                .iter()
                .map(|&(k, w, v)| (k.to_owned(), property(w, v)))
        };
        let expected: std::collections::BTreeMap<String, Property> = make().collect();
        let mut map: Properties = make().collect();
        let mut inserted = Properties::new();
        let mut reference = std::collections::BTreeMap::new();
        for (key, p) in make() {
            assert_eq!(
                inserted.insert(key.clone(), p.clone()),
                reference.insert(key, p)
            );
        }
        let pairs_of = |m: &Properties| -> Vec<(String, Property)> {
            m.iter().map(|(k, p)| (k.clone(), p.clone())).collect()
        };
        let expected_pairs: Vec<_> = expected.clone().into_iter().collect();
        assert_eq!(pairs_of(&map), expected_pairs);
        assert_eq!(pairs_of(&inserted), expected_pairs);
        assert_eq!(map.clone().into_iter().collect::<Vec<_>>(), expected_pairs);
        assert_eq!(map, inserted);
        assert_eq!(map.len(), expected.len());
        assert_eq!(
            map.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>()
        );
        assert_eq!(map["region"].value, "c");
        assert_eq!(map.get("output").map(|p| p.key.as_str()), Some("OUTPUT"));
        assert_eq!(format!("{map:?}"), format!("{expected:?}"));

        // Changing a property's key as written does not move it in the map.
        for p in map.values_mut() {
            p.key = p.key.to_ascii_uppercase();
        }
        assert_eq!(
            map.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>()
        );
        assert_eq!(
            map.get("aws_access_key_id").unwrap().key,
            "AWS_ACCESS_KEY_ID"
        );
        assert_eq!(map.remove("output").unwrap().value, "f");
        assert!(map.remove("output").is_none());
        assert!(!map.contains_key("output"));

        let mut later = Properties::new();
        later.insert("region".to_owned(), property("region", "z"));
        map.append(later);
        assert_eq!(map["region"].value, "z");
        assert_eq!(map.len(), 3);
    }
}
