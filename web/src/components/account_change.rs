//! What can be done to an account from its row, and how the confirmation words it.

use leptos::prelude::*;
use shared::{Account, Role, UpdateAccountRequest};

use crate::components::confirm_dialog::ConfirmDialog;

/// A change to an account that `PATCH /accounts/{username}` makes; each ends the account's sign-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChange {
    Role(Role),
    Disable,
    Enable,
}

impl AccountChange {
    pub fn request(self) -> UpdateAccountRequest {
        match self {
            AccountChange::Role(role) => UpdateAccountRequest {
                role: Some(role),
                disabled: None,
            },
            AccountChange::Disable | AccountChange::Enable => UpdateAccountRequest {
                role: None,
                disabled: Some(self == AccountChange::Disable),
            },
        }
    }

    /// Whether to ask first: disabling always, and any change to the signed-in account, which signs
    /// its owner out.
    pub fn asks_first(self, yours: bool) -> bool {
        yours || self == AccountChange::Disable
    }

    /// What was done, for the status line.
    pub fn done(self, username: &str) -> String {
        match self {
            AccountChange::Role(role) => format!("“{username}” is now {}.", a_role(role)),
            AccountChange::Disable => format!("Disabled account “{username}”."),
            AccountChange::Enable => format!("Enabled account “{username}”."),
        }
    }
}

/// A change asked about: the account as listed, and whether it is the signed-in one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeAsked {
    pub account: Account,
    pub change: AccountChange,
    pub yours: bool,
}

/// `an operator`, `a viewer`, `an admin`.
fn a_role(role: Role) -> String {
    match role {
        Role::Admin | Role::Operator => format!("an {role}"),
        Role::Viewer => format!("a {role}"),
    }
}

/// The confirmation's title.
pub fn question(asked: &ChangeAsked) -> String {
    let username = &asked.account.username;
    match (asked.change, asked.yours) {
        (AccountChange::Role(role), true) => {
            format!("Make yourself ({username}) {}?", a_role(role))
        }
        (AccountChange::Role(role), false) => format!("Make “{username}” {}?", a_role(role)),
        (AccountChange::Disable, true) => format!("Disable your own account “{username}”?"),
        (AccountChange::Disable, false) => format!("Disable account “{username}”?"),
        (AccountChange::Enable, _) => format!("Enable account “{username}”?"),
    }
}

/// What saying yes does, with a warning when it signs the administrator out.
pub fn consequence(asked: &ChangeAsked) -> String {
    let what = match asked.change {
        AccountChange::Disable => {
            "The account can no longer sign in, and its sign-ins end now. It can be enabled again."
        }
        AccountChange::Role(_) | AccountChange::Enable => {
            "Its sign-ins end now; it signs in again with the new rights."
        }
    };
    if asked.yours {
        format!("{what} This is your account: you will be signed out at once.")
    } else {
        what.to_owned()
    }
}

/// Asks whether to make the change of `target`, warning when it is the administrator's own account. In
/// the page only while it asks, as the tokens' confirmation on the same page has the same ids.
#[component]
pub fn AccountConfirm(
    /// The change asked about; `None` closes the dialog.
    target: RwSignal<Option<ChangeAsked>>,
    /// True while the change is sent: the buttons wait for it.
    #[prop(into)]
    busy: Signal<bool>,
    on_confirm: Callback<ChangeAsked>,
) -> impl IntoView {
    let asked = Memo::new(move |_| target.with(|t| t.as_ref().map(|t| t.change)));
    move || {
        asked.get().map(|change| {
            let yes = match change {
                AccountChange::Disable => "Disable account",
                AccountChange::Role(_) | AccountChange::Enable => "Change account",
            };
            view! {
                <ConfirmDialog
                    target
                    busy
                    question
                    detail=|asked: ChangeAsked| consequence(&asked)
                    yes
                    yes_busy="Saving…"
                    on_confirm
                />
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn asked(change: AccountChange, yours: bool) -> ChangeAsked {
        ChangeAsked {
            account: Account {
                username: "bob".into(),
                role: Role::Operator,
                disabled: false,
                created_at: DateTime::UNIX_EPOCH,
                password_changed_at: DateTime::UNIX_EPOCH,
            },
            change,
            yours,
        }
    }

    #[test]
    fn changes_become_the_request_that_makes_them() {
        assert_eq!(
            AccountChange::Role(Role::Viewer).request(),
            UpdateAccountRequest {
                role: Some(Role::Viewer),
                disabled: None
            }
        );
        assert_eq!(AccountChange::Disable.request().disabled, Some(true));
        assert_eq!(AccountChange::Enable.request().disabled, Some(false));
    }

    #[test]
    fn disabling_and_changing_your_own_account_ask_first() {
        assert!(AccountChange::Disable.asks_first(false));
        assert!(AccountChange::Role(Role::Viewer).asks_first(true));
        assert!(!AccountChange::Role(Role::Viewer).asks_first(false));
        assert!(!AccountChange::Enable.asks_first(false));
    }

    #[test]
    fn the_question_warns_when_it_signs_you_out() {
        let yours = asked(AccountChange::Role(Role::Viewer), true);
        assert_eq!(question(&yours), "Make yourself (bob) a viewer?");
        assert!(consequence(&yours).contains("you will be signed out"));
        let theirs = asked(AccountChange::Disable, false);
        assert_eq!(question(&theirs), "Disable account “bob”?");
        assert!(!consequence(&theirs).contains("you will be signed out"));
        assert_eq!(
            AccountChange::Role(Role::Operator).done("bob"),
            "“bob” is now an operator."
        );
    }
}
