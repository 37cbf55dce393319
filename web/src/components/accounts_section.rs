use leptos::error::Error;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{Account, AccountList, PrincipalKind};

use crate::api;
use crate::auth::Auth;
use crate::components::account_change::{AccountChange, AccountConfirm, ChangeAsked};
use crate::components::account_form::AccountForm;
use crate::components::account_table::{ACCOUNT_COLUMNS, AccountRows};
use crate::components::list_table::ListTable;
use crate::components::message::{Message, MessageRegion};
use crate::components::password_dialog::PasswordDialog;

async fn load() -> Result<AccountList, Error> {
    Ok(api::list_accounts().await?)
}

/// Sends `asked` and says in `message` how it went.
async fn make_change(asked: ChangeAsked, message: RwSignal<Option<Message>>) {
    let ChangeAsked {
        account, change, ..
    } = asked;
    let outcome = api::update_account(&account.username, &change.request()).await;
    message.set(Some(match outcome {
        Ok(changed) => Message::Success(change.done(&changed.username)),
        Err(error) => Message::Error(format!(
            "Account “{}” was not changed. {error}",
            account.username
        )),
    }));
}

/// Console accounts: who may sign in and as what, each with its role, Disable or Enable and Set password,
/// and a form that adds one.
#[component]
pub fn AccountsSection() -> impl IntoView {
    let auth = expect_context::<Auth>();
    // Read once: the identity only changes through the sign-in page, which leaves the console.
    let yours = untrack(|| {
        auth.identity()
            .filter(|identity| identity.kind == PrincipalKind::Account)
            .map(|identity| identity.name)
    });
    let accounts = LocalResource::new(load);
    let message = RwSignal::new(None::<Message>);
    let asked = RwSignal::new(None::<ChangeAsked>);
    let asked_busy = RwSignal::new(false);
    let password_for = RwSignal::new(None::<Account>);

    // The list is read again whenever a confirmation closes: a cancelled role change puts its select
    // back, and a confirmed change shows.
    Effect::watch(
        move || asked.with(Option::is_some),
        move |open, _, _| {
            if !*open {
                accounts.refetch();
            }
        },
        false,
    );
    let on_change = {
        let yours = yours.clone();
        Callback::new(move |(account, change): (Account, AccountChange)| {
            let yours = yours.as_deref() == Some(account.username.as_str());
            let wanted = ChangeAsked {
                account,
                change,
                yours,
            };
            if change.asks_first(yours) {
                asked.set(Some(wanted));
            } else {
                spawn_local(async move {
                    make_change(wanted, message).await;
                    accounts.refetch();
                });
            }
        })
    };
    let on_confirm = Callback::new(move |wanted: ChangeAsked| {
        asked_busy.set(true);
        spawn_local(async move {
            make_change(wanted, message).await;
            asked_busy.set(false);
            asked.set(None);
        });
    });
    let on_created = Callback::new(move |account: Account| {
        message.set(Some(Message::Success(format!(
            "Created account “{}” ({}).",
            account.username, account.role
        ))));
        accounts.refetch();
    });
    let on_password_set = Callback::new(move |text: String| {
        message.set(Some(Message::Success(text)));
        accounts.refetch();
    });

    let rows = {
        let yours = yours.clone();
        move || {
            let yours = yours.clone();
            Suspend::new(async move {
                accounts.await.map(|list| {
                    view! {
                        <AccountRows
                            accounts=list.items
                            yours
                            on_change
                            on_password=Callback::new(move |account| {
                                password_for.set(Some(account))
                            })
                        />
                    }
                })
            })
        }
    };

    view! {
        <section class="settings-section" aria-labelledby="accounts-title">
            <h2 id="accounts-title">"Console accounts"</h2>
            <p class="hint">
                "Who may sign in to this console, and as what. A new role, disabling and a new password end the account's sign-ins."
            </p>
            <MessageRegion message id="account-message" />
            <ListTable
                class="accounts-table"
                columns=ACCOUNT_COLUMNS
                loading="Loading accounts…"
                on_retry=Callback::new(move |()| accounts.refetch())
            >
                {rows.clone()}
            </ListTable>
            <AccountForm on_created />
            <AccountConfirm target=asked busy=asked_busy on_confirm />
            <PasswordDialog target=password_for yours on_done=on_password_set />
        </section>
    }
}
