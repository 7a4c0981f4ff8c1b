//! Text for people: tables, and values made safe to show on a terminal.

use std::borrow::Cow;

/// Whether a character would act on a terminal instead of showing: C0 and C1 controls,
/// DEL, and the bidirectional overrides that reorder what is shown.
fn acts_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// A value from the files as it can be shown on a terminal: control characters written as
/// escapes (`\n`, `\t`, `\u{1b}`), as `dump` writes them in JSON, so that a crafted value can
/// neither clear the screen nor hide a line.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if acts_on_terminal(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Writes rows as a table with columns padded to their widest cell; every cell is made safe.
pub fn table(rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<Cow<'_, str>>> = rows
        .iter()
        .map(|r| r.iter().map(|c| safe(c)).collect())
        .collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 != row.len() {
                line.push_str(&" ".repeat(widths[c] - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Column widths, measured over rows before any is written.
pub struct Widths(Vec<usize>);

impl Widths {
    /// Widths for `columns` columns.
    pub fn new(columns: usize) -> Widths {
        Widths(vec![0; columns])
    }

    /// Widens the columns to fit a row.
    pub fn measure(&mut self, row: &[&str]) {
        for (width, cell) in self.0.iter_mut().zip(row) {
            *width = (*width).max(safe(cell).chars().count());
        }
    }

    /// One row, padded, with its newline.
    pub fn line(&self, row: &[&str]) -> String {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let cell = safe(cell);
            line.push_str(&cell);
            if c + 1 != row.len() {
                let pad = self.0[c] - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        let mut line = line.trim_end().to_owned();
        line.push('\n');
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(safe("eu-west-1"), "eu-west-1");
        assert_eq!(safe("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(safe("x\ry"), "x\\ry");
        assert_eq!(safe("\u{202e}evil"), "\\u{202e}evil");
        assert!(!table(&[vec!["\u{1b}]0;t\u{7}".into()]]).contains('\u{1b}'));
    }
}
