use leptos::error::Error;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{ApiToken, CreatedToken, TokenList};

use crate::api;
use crate::browser;
use crate::components::accounts_section::AccountsSection;
use crate::components::list_table::ListTable;
use crate::components::message::{Message, MessageRegion};
use crate::components::revoke_dialog::RevokeDialog;
use crate::components::token_form::TokenForm;
use crate::components::token_secret::NewTokenSecret;
use crate::components::token_table::{TOKEN_COLUMNS, TokenRows};

async fn load() -> Result<(TokenList, f64), Error> {
    let list = api::list_tokens().await?;
    Ok((list, browser::now_ms()))
}

/// API tokens for scripts (the ones that work, Revoke, and a form that creates one), and console
/// accounts.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let tokens = LocalResource::new(load);
    let message = RwSignal::new(None::<Message>);
    let created = RwSignal::new(None::<CreatedToken>);
    let revoke_target = RwSignal::new(None::<ApiToken>);
    let revoke_busy = RwSignal::new(false);

    let on_created = Callback::new(move |token: CreatedToken| {
        message.set(None);
        created.set(Some(token));
        tokens.refetch();
    });
    let confirm_revoke = Callback::new(move |token: ApiToken| {
        revoke_busy.set(true);
        spawn_local(async move {
            let outcome = api::revoke_token(&token.id).await;
            revoke_busy.set(false);
            revoke_target.set(None);
            message.set(Some(match outcome {
                Ok(()) => Message::Success(format!("Revoked token “{}”.", token.name)),
                Err(error) => {
                    Message::Error(format!("Token “{}” was not revoked. {error}", token.name))
                }
            }));
            if created.with_untracked(|c| c.as_ref().is_some_and(|c| c.token.id == token.id)) {
                created.set(None);
            }
            tokens.refetch();
        });
    });

    let rows = move || {
        Suspend::new(async move {
            tokens.await.map(|(list, now_ms)| {
                view! {
                    <TokenRows
                        tokens=list.items
                        now_ms
                        on_revoke=Callback::new(move |token| revoke_target.set(Some(token)))
                    />
                }
            })
        })
    };

    view! {
        <main class="page settings-page">
            <div class="page-head">
                <h1>"Settings"</h1>
                <p class="time-zone">{format!("Times in {}", browser::time_zone())}</p>
            </div>
            <section class="settings-section" aria-labelledby="tokens-title">
                <h2 id="tokens-title">"API tokens"</h2>
                <MessageRegion message />
                <NewTokenSecret created />
                <ListTable
                    class="tokens-table"
                    columns=TOKEN_COLUMNS
                    loading="Loading tokens…"
                    on_retry=Callback::new(move |()| tokens.refetch())
                >
                    {rows}
                </ListTable>
                <TokenForm on_created />
                <RevokeDialog target=revoke_target busy=revoke_busy on_confirm=confirm_revoke />
            </section>
            <AccountsSection />
        </main>
    }
}
