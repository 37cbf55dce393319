use leptos::prelude::*;
use shared::{Account, Role};

use crate::components::account_badge::AccountBadge;
use crate::components::account_change::AccountChange;
use crate::components::list_table::Column;
use crate::components::local_time::LocalTime;

/// The columns of the accounts table.
pub const ACCOUNT_COLUMNS: &[Column] = &[
    Column::new("col-username", "USERNAME"),
    Column::new("col-role", "ROLE"),
    Column::new("col-account-status", "STATUS"),
    Column::new("col-time", "CREATED"),
    Column::new("col-time", "PASSWORD CHANGED"),
    Column::OPERATIONS,
];

/// Every account, by username.
#[component]
pub fn AccountRows(
    accounts: Vec<Account>,
    /// The signed-in administrator's username, whose row says so.
    #[prop(into)]
    yours: Option<String>,
    /// Runs with a change asked for on a row.
    on_change: Callback<(Account, AccountChange)>,
    /// Runs when a row's Set password is chosen.
    on_password: Callback<Account>,
) -> impl IntoView {
    view! {
        <tbody>
            {accounts
                .into_iter()
                .map(|account| {
                    let yours = yours.as_deref() == Some(account.username.as_str());
                    view! { <AccountRow account yours on_change on_password /> }
                })
                .collect_view()}
        </tbody>
    }
}

/// One account: its name, a role to choose, whether it may sign in, its dates, and what can be done.
#[component]
fn AccountRow(
    account: Account,
    yours: bool,
    on_change: Callback<(Account, AccountChange)>,
    on_password: Callback<Account>,
) -> impl IntoView {
    let username = account.username.clone();
    let role = account.role;
    let choose_role = {
        let account = account.clone();
        move |ev| {
            if let Ok(chosen) = event_target_value(&ev).parse::<Role>()
                && chosen != role
            {
                on_change.run((account.clone(), AccountChange::Role(chosen)));
            }
        }
    };
    let (class, label, change) = if account.disabled {
        ("button account-enable", "Enable", AccountChange::Enable)
    } else {
        ("kill account-disable", "Disable", AccountChange::Disable)
    };
    let toggle = {
        let account = account.clone();
        move |_| on_change.run((account.clone(), change))
    };
    let password = {
        let account = account.clone();
        move |_| on_password.run(account.clone())
    };
    view! {
        <tr class="account-row" class:inactive=account.disabled data-username=username.clone()>
            <td class="col-username" title=username.clone()>
                {username.clone()}
                {yours.then(|| view! { <span class="muted">" (you)"</span> })}
            </td>
            <td class="col-role">
                <select
                    class="account-role"
                    aria-label=format!("Role of {username}")
                    on:change=choose_role
                >
                    {Role::ALL
                        .into_iter()
                        .map(|r| {
                            view! {
                                <option value=r.as_str() selected=r == role>
                                    {r.as_str()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </td>
            <td class="col-account-status">
                <AccountBadge disabled=account.disabled />
            </td>
            <td class="col-time">
                <LocalTime at=account.created_at />
            </td>
            <td class="col-time">
                <LocalTime at=account.password_changed_at />
            </td>
            <td class="col-ops">
                <button
                    type="button"
                    class=class
                    aria-label=format!("{label} account {username}")
                    on:click=toggle
                >
                    {label}
                </button>
                <button
                    type="button"
                    class="button account-password"
                    aria-label=format!("Set password for {username}")
                    on:click=password
                >
                    "Set password"
                </button>
            </td>
        </tr>
    }
}
