use std::collections::BTreeSet;

use leptos::prelude::*;
use shared::{Session, SessionQuery, SortKey, SortOrder};

use crate::components::local_time::LocalTime;
use crate::components::status_badge::StatusBadge;
use crate::format::{empty_message, format_duration};

/// Columns the table shows besides the checkbox and OPERATIONS, in order.
const COLUMNS: [(SortKey, &str, &str); 7] = [
    (SortKey::Id, "SESSION ID", "col-id"),
    (SortKey::Name, "NAME", "col-name"),
    (SortKey::Email, "EMAIL", "col-email"),
    (SortKey::AppName, "APP NAME", "col-app"),
    (SortKey::StartTime, "START TIME", "col-start"),
    (SortKey::Duration, "DURATION", "col-duration"),
    (SortKey::Status, "STATUS", "col-status"),
];

/// What an empty or error row spans: the data columns, and the checkbox and OPERATIONS columns for
/// whoever may kill.
pub fn column_count(may_kill: bool) -> usize {
    COLUMNS.len() + if may_kill { 2 } else { 0 }
}

/// The table head: a select-all box for the page (for whoever may kill) and a sort button per column.
#[component]
pub fn SessionsHeader(
    /// Shows the checkbox and OPERATIONS columns.
    may_kill: bool,
    #[prop(into)] query: Signal<SessionQuery>,
    on_sort: Callback<SortKey>,
    /// Ids on this page that can be selected, i.e. killed.
    #[prop(into)]
    selectable: Signal<Vec<i64>>,
    selection: RwSignal<BTreeSet<i64>>,
) -> impl IntoView {
    let selected_here = move || {
        selectable.with(|ids| selection.with(|s| ids.iter().filter(|id| s.contains(id)).count()))
    };
    let all_selected = move || {
        let total = selectable.with(Vec::len);
        total > 0 && selected_here() == total
    };
    let some_selected = move || selected_here() != 0 && !all_selected();
    let toggle_all = move |ev| {
        let checked = event_target_checked(&ev);
        let ids = selectable.get();
        selection.update(|s| {
            for id in ids {
                if checked {
                    s.insert(id);
                } else {
                    s.remove(&id);
                }
            }
        });
    };
    view! {
        <thead>
            <tr>
                {may_kill
                    .then(|| {
                        view! {
                            <th scope="col" class="col-select">
                                <input
                                    type="checkbox"
                                    id="select-all"
                                    aria-label="Select all killable sessions on this page"
                                    prop:checked=all_selected
                                    prop:indeterminate=some_selected
                                    disabled=move || selectable.with(Vec::is_empty)
                                    on:change=toggle_all
                                />
                            </th>
                        }
                    })}
                {COLUMNS
                    .into_iter()
                    .map(|(key, label, class)| {
                        view! { <SortHeader key label class query on_sort /> }
                    })
                    .collect_view()}
                {may_kill.then(|| view! { <th scope="col" class="col-ops">"OPERATIONS"</th> })}
            </tr>
        </thead>
    }
}

/// A column header whose button sorts by the column, and shows and announces the direction.
#[component]
fn SortHeader(
    key: SortKey,
    label: &'static str,
    class: &'static str,
    query: Signal<SessionQuery>,
    on_sort: Callback<SortKey>,
) -> impl IntoView {
    let direction = move || query.with(|q| (q.sort == key).then_some(q.order));
    let aria_sort = move || match direction() {
        Some(SortOrder::Asc) => "ascending",
        Some(SortOrder::Desc) => "descending",
        None => "none",
    };
    let arrow = move || match direction() {
        Some(SortOrder::Asc) => "▲",
        Some(SortOrder::Desc) => "▼",
        None => "↕",
    };
    view! {
        <th scope="col" class=class data-sort-key=key.as_str() aria-sort=aria_sort>
            <button
                type="button"
                class="sort"
                class:sorted=move || direction().is_some()
                on:click=move |_| on_sort.run(key)
            >
                {label}
                <span class="sort-arrow" aria-hidden="true">
                    {arrow}
                </span>
            </button>
        </th>
    }
}

/// The line shown until the first page has arrived; later loads keep the old rows instead.
#[component]
pub fn LoadingRow(columns: usize) -> impl IntoView {
    view! {
        <tbody>
            <tr class="loading-row">
                <td colspan=columns>"Loading sessions…"</td>
            </tr>
        </tbody>
    }
}

/// The rows of one page, or a line saying that nothing matches.
#[component]
pub fn SessionRows(
    /// Shows the checkbox and Kill button of each row.
    may_kill: bool,
    sessions: Vec<Session>,
    /// When the page arrived (ms since the epoch): active durations count on from there.
    fetched_at_ms: f64,
    query: SessionQuery,
    #[prop(into)] now_ms: Signal<f64>,
    selection: RwSignal<BTreeSet<i64>>,
    on_kill: Callback<Session>,
    on_show_all: Callback<()>,
) -> impl IntoView {
    if sessions.is_empty() {
        let filtered = query.contains.is_some() || !query.statuses.is_empty();
        return view! {
            <tbody>
                <tr class="empty-row">
                    <td colspan=column_count(may_kill)>
                        <p class="empty-message">{empty_message(&query)}</p>
                        <Show when=move || filtered>
                            <button
                                type="button"
                                class="link-button"
                                on:click=move |_| on_show_all.run(())
                            >
                                "Show all sessions"
                            </button>
                        </Show>
                    </td>
                </tr>
            </tbody>
        }
        .into_any();
    }
    view! {
        <tbody>
            {sessions
                .into_iter()
                .map(|session| {
                    view! { <SessionRow may_kill session fetched_at_ms now_ms selection on_kill /> }
                })
                .collect_view()}
        </tbody>
    }
    .into_any()
}

/// One session; active ones count their duration up every second without asking the server.
#[component]
fn SessionRow(
    may_kill: bool,
    session: Session,
    fetched_at_ms: f64,
    now_ms: Signal<f64>,
    selection: RwSignal<BTreeSet<i64>>,
    on_kill: Callback<Session>,
) -> impl IntoView {
    let id = session.id;
    let killable = session.killable;
    let selected = move || selection.with(|s| s.contains(&id));
    let toggle = move |ev| {
        let checked = event_target_checked(&ev);
        selection.update(|s| {
            if checked {
                s.insert(id);
            } else {
                s.remove(&id);
            }
        });
    };
    let base_seconds = session.duration_seconds;
    let duration = move || {
        let running = if killable {
            ((now_ms.get() - fetched_at_ms) / 1000.0).max(0.0) as i64
        } else {
            0
        };
        format_duration(base_seconds + running)
    };
    let checkbox_title = (!killable).then_some("Only Connected or Unknown sessions can be killed");
    let killed_by = session.killed_by.clone().map(|by| {
        view! {
            <span class="killed-by" title=format!("Killed by {by}")>
                {format!("by {by}")}
            </span>
        }
    });
    let kill_button = killable.then(|| {
        let session = session.clone();
        view! {
            <button
                type="button"
                class="kill"
                aria-label=format!("Kill session {id}")
                on:click=move |_| on_kill.run(session.clone())
            >
                "Kill"
            </button>
        }
    });
    view! {
        <tr
            data-session-id=id
            data-status=session.status.as_str()
            class:selected=selected
            class:inactive=!killable
        >
            {may_kill
                .then(|| {
                    view! {
                        <td class="col-select">
                            <input
                                type="checkbox"
                                class="select-session"
                                aria-label=format!("Select session {id}")
                                title=checkbox_title
                                disabled=!killable
                                prop:checked=selected
                                on:change=toggle
                            />
                        </td>
                    }
                })}
            <td class="col-id">{id}</td>
            <td class="col-name" title=session.name.clone()>
                {session.name.clone()}
            </td>
            <td class="col-email" title=session.email.clone()>
                {session.email.clone()}
            </td>
            <td class="col-app">{session.app_name.clone()}</td>
            <td class="col-start">
                <LocalTime at=session.start_time />
            </td>
            <td class="col-duration">{duration}</td>
            <td class="col-status">
                <StatusBadge status=session.status />
                {killed_by}
            </td>
            {may_kill.then(|| view! { <td class="col-ops">{kill_button}</td> })}
        </tr>
    }
}
