//! The accounts and roles the portal of IAM Identity Center lists for a signed-in user.

use serde::Serialize;

/// An AWS account assigned to the user, with the roles (permission sets) they may use in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The 12-digit account id.
    pub id: String,
    /// The account's name.
    pub name: String,
    /// The account's root email address (empty when the portal gives none).
    pub email: String,
    /// The role names, sorted.
    pub roles: Vec<String>,
}

/// Every account of one sign-in, in a fixed order: by name, then id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Accounts {
    /// The `sso-session` (or legacy profile) the list was made with.
    pub session: String,
    /// The accounts.
    pub accounts: Vec<Account>,
}

impl Accounts {
    /// The list, sorted as it is shown: accounts by name then id, each account's roles by name.
    pub fn new(session: impl Into<String>, mut accounts: Vec<Account>) -> Accounts {
        for account in &mut accounts {
            account.roles.sort();
            account.roles.dedup();
        }
        accounts.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        Accounts {
            session: session.into(),
            accounts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, name: &str, roles: &[&str]) -> Account {
        Account {
            id: id.into(),
            name: name.into(),
            email: String::new(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    #[test]
    fn accounts_sort_by_name_then_id_and_roles_by_name() {
        let list = Accounts::new(
            "corp",
            vec![
                account("3", "prod", &["b", "a"]),
                account("2", "dev", &["x"]),
                account("1", "prod", &["c", "c"]),
            ],
        );
        let order: Vec<_> = list.accounts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(order, ["2", "1", "3"]);
        assert_eq!(list.accounts[2].roles, ["a", "b"]);
        assert_eq!(list.accounts[1].roles, ["c"]);
    }
}
