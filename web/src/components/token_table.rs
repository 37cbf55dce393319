use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::ApiToken;

use crate::components::list_table::Column;
use crate::components::local_time::LocalTime;

/// The columns of the tokens table.
pub const TOKEN_COLUMNS: &[Column] = &[
    Column::new("col-token-name", "NAME"),
    Column::new("col-token-id", "ID"),
    Column::new("col-scopes", "SCOPES"),
    Column::new("col-created-by", "CREATED BY"),
    Column::new("col-owner", "OWNER"),
    Column::new("col-time", "CREATED"),
    Column::new("col-time", "EXPIRES"),
    Column::new("col-time", "LAST USED"),
    Column::OPERATIONS,
];

/// The tokens that still work, or a line saying there are none.
#[component]
pub fn TokenRows(
    tokens: Vec<ApiToken>,
    /// Milliseconds since the epoch when the list arrived, to mark expired tokens.
    now_ms: f64,
    on_revoke: Callback<ApiToken>,
) -> impl IntoView {
    if tokens.is_empty() {
        return view! {
            <tbody>
                <tr class="empty-row tokens-empty">
                    <td colspan=TOKEN_COLUMNS.len()>
                        <p class="empty-message">"No API tokens yet. Create one below for a script."</p>
                    </td>
                </tr>
            </tbody>
        }
        .into_any();
    }
    let now = DateTime::from_timestamp_millis(now_ms as i64).unwrap_or_default();
    view! {
        <tbody>
            {tokens
                .into_iter()
                .map(|token| view! { <TokenRow token now on_revoke /> })
                .collect_view()}
        </tbody>
    }
    .into_any()
}

/// A time in the viewer's zone, with UTC on hover; `empty` when there is none.
fn time_cell(time: Option<DateTime<Utc>>, empty: &'static str) -> AnyView {
    match time {
        Some(time) => view! { <LocalTime at=time /> }.into_any(),
        None => view! { <span class="muted">{empty}</span> }.into_any(),
    }
}

/// One token: what it is, what it may do, its dates, and Revoke.
#[component]
fn TokenRow(token: ApiToken, now: DateTime<Utc>, on_revoke: Callback<ApiToken>) -> impl IntoView {
    let expired = token.expires_at.is_some_and(|at| at <= now);
    let scopes = token
        .scopes
        .iter()
        .map(|scope| view! { <code class="scope">{scope.as_str()}</code> })
        .collect_view();
    let name = token.name.clone();
    let revoke = {
        let token = token.clone();
        move |_| on_revoke.run(token.clone())
    };
    view! {
        <tr class="token-row" class:inactive=expired data-token-id=token.id.clone()>
            <td class="col-token-name" title=token.name.clone()>
                {token.name.clone()}
            </td>
            <td class="col-token-id">
                <code>{token.id.clone()}</code>
            </td>
            <td class="col-scopes">{scopes}</td>
            <td class="col-created-by">{token.created_by.clone()}</td>
            <td
                class="col-owner"
                title="It never grants more than this account's role, and stops while the account is disabled"
            >
                {token.owner.clone().unwrap_or_else(|| "none".to_owned())}
            </td>
            <td class="col-time">{time_cell(Some(token.created_at), "")}</td>
            <td class="col-time">
                {time_cell(token.expires_at, "Never")}
                {expired.then(|| view! { <span class="expired">" expired"</span> })}
            </td>
            <td class="col-time">{time_cell(token.last_used_at, "Never")}</td>
            <td class="col-ops">
                <button
                    type="button"
                    class="kill revoke-token"
                    aria-label=format!("Revoke token {name}")
                    on:click=revoke
                >
                    "Revoke"
                </button>
            </td>
        </tr>
    }
}
