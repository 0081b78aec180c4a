//! Who may do what: every authorization decision of the portal, in one
//! place. Use cases call [`authorize`] before touching data.
//!
//! Rules: a customer user (group or member) only ever reaches its own
//! account, which comes from its token; another account's resources answer
//! 404 as if they did not exist; a role that may not act answers 403.
//! Managers (STVA staff) reach every account, explicitly, here.

use crate::domain::Role;
use crate::error::{AppError, AppResult};

/// The authenticated caller, as its verified token and user record say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub role: Role,
    /// The customer account; `None` for managers.
    pub account_id: Option<String>,
}

impl Actor {
    pub fn is_manager(&self) -> bool {
        self.role == Role::Manager
    }

    fn owns(&self, account_id: &str) -> bool {
        self.account_id.as_deref() == Some(account_id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    ListAccounts,
    CreateAccount,
    InviteManager,
    ReadAccount {
        account_id: &'a str,
    },
    ListUsers {
        account_id: &'a str,
    },
    InviteUser {
        account_id: &'a str,
        role: Role,
    },
    DisableUser {
        account_id: &'a str,
    },
    /// The account's working data: address book, stock, orders.
    UseAccountData {
        account_id: &'a str,
    },
}

fn hidden() -> AppError {
    AppError::not_found("Cette ressource est introuvable.")
}

pub fn authorize(actor: &Actor, action: Action<'_>) -> AppResult<()> {
    use Action::*;
    match (actor.role, action) {
        (
            Role::Manager,
            InviteUser {
                role: Role::Manager,
                ..
            },
        ) => Err(AppError::invalid(
            "role",
            "Un gestionnaire s'invite par « Inviter un gestionnaire », pas dans un compte client.",
        )),
        (Role::Manager, _) => Ok(()),
        (_, ListAccounts | CreateAccount | InviteManager) => Err(AppError::Forbidden),
        (_, ReadAccount { account_id } | UseAccountData { account_id }) => {
            if actor.owns(account_id) {
                Ok(())
            } else {
                Err(hidden())
            }
        }
        (
            role,
            ListUsers { account_id } | DisableUser { account_id } | InviteUser { account_id, .. },
        ) => {
            if !actor.owns(account_id) {
                return Err(hidden());
            }
            match (role, action) {
                (
                    Role::Group,
                    InviteUser {
                        role: Role::Member, ..
                    },
                ) => Ok(()),
                (Role::Group, InviteUser { .. }) => Err(AppError::Forbidden),
                (Role::Group, _) => Ok(()),
                _ => Err(AppError::Forbidden),
            }
        }
    }
}

/// The account a request about account data works on: a customer's own
/// (naming another one answers 404), or the one a manager names.
pub fn data_account(actor: &Actor, requested: Option<&str>) -> AppResult<String> {
    let account_id = match (&actor.account_id, requested) {
        (Some(own), None) => own.clone(),
        (_, Some(requested)) => requested.to_owned(),
        (None, None) => {
            return Err(AppError::invalid(
                "account_id",
                "Précisez le compte client concerné (paramètre account_id).",
            ));
        }
    };
    authorize(
        actor,
        Action::UseAccountData {
            account_id: &account_id,
        },
    )?;
    Ok(account_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, account: Option<&str>) -> Actor {
        Actor {
            user_id: "u".into(),
            role,
            account_id: account.map(str::to_owned),
        }
    }

    #[test]
    fn customers_never_reach_another_account() {
        for role in [Role::Group, Role::Member] {
            let a = actor(role, Some("A"));
            for action in [
                Action::ReadAccount { account_id: "B" },
                Action::ListUsers { account_id: "B" },
                Action::DisableUser { account_id: "B" },
                Action::InviteUser {
                    account_id: "B",
                    role: Role::Member,
                },
                Action::UseAccountData { account_id: "B" },
            ] {
                assert!(
                    matches!(authorize(&a, action), Err(AppError::NotFound { .. })),
                    "{role:?} {action:?}"
                );
            }
            assert!(matches!(
                data_account(&a, Some("B")),
                Err(AppError::NotFound { .. })
            ));
            assert_eq!(data_account(&a, None).ok().as_deref(), Some("A"));
            assert_eq!(data_account(&a, Some("A")).ok().as_deref(), Some("A"));
        }
    }

    #[test]
    fn group_users_invite_members_only_and_members_nobody() {
        let group = actor(Role::Group, Some("A"));
        assert!(
            authorize(
                &group,
                Action::InviteUser {
                    account_id: "A",
                    role: Role::Member
                }
            )
            .is_ok()
        );
        assert!(matches!(
            authorize(
                &group,
                Action::InviteUser {
                    account_id: "A",
                    role: Role::Group
                }
            ),
            Err(AppError::Forbidden)
        ));
        let member = actor(Role::Member, Some("A"));
        assert!(matches!(
            authorize(
                &member,
                Action::InviteUser {
                    account_id: "A",
                    role: Role::Member
                }
            ),
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            authorize(&member, Action::ListUsers { account_id: "A" }),
            Err(AppError::Forbidden)
        ));
        assert!(authorize(&member, Action::UseAccountData { account_id: "A" }).is_ok());
    }

    #[test]
    fn managers_reach_every_account_explicitly() {
        let manager = actor(Role::Manager, None);
        assert!(authorize(&manager, Action::ListAccounts).is_ok());
        assert!(
            authorize(
                &manager,
                Action::InviteUser {
                    account_id: "A",
                    role: Role::Group
                }
            )
            .is_ok()
        );
        assert!(data_account(&manager, None).is_err());
        assert_eq!(data_account(&manager, Some("A")).ok().as_deref(), Some("A"));
        for role in [Role::Group, Role::Member] {
            let customer = actor(role, Some("A"));
            assert!(matches!(
                authorize(&customer, Action::ListAccounts),
                Err(AppError::Forbidden)
            ));
            assert!(matches!(
                authorize(&customer, Action::InviteManager),
                Err(AppError::Forbidden)
            ));
        }
    }
}
