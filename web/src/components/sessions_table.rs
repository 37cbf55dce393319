use leptos::prelude::*;
use shared::{DeliveryState, KillDelivery, Session, SessionQuery, SortKey, SortOrder};

use crate::browser::utc_offset_seconds;
use crate::components::local_time::LocalTime;
use crate::components::status_badge::StatusBadge;
use crate::format::{
    delivery_label, delivery_title, empty_message, format_duration, format_local_time,
    killed_by_title,
};
use crate::sorted_set::SortedSet;

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
    selection: RwSignal<SortedSet<i64>>,
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

/// A session as last heard of (from its page, or from an event since), and when: milliseconds since
/// the epoch, from which an active duration counts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    pub session: Session,
    pub at_ms: f64,
}

/// The rows of one page, or a line saying that nothing matches.
#[component]
pub fn SessionRows(
    /// Shows the checkbox and Kill button of each row.
    may_kill: bool,
    /// Each row's session, updated in place when it changes.
    rows: Vec<Signal<Heard>>,
    query: SessionQuery,
    #[prop(into)] now_ms: Signal<f64>,
    selection: RwSignal<SortedSet<i64>>,
    on_kill: Callback<Session>,
    /// Retries the failed delivery of a session's kill.
    on_retry_delivery: Callback<Session>,
    on_show_all: Callback<()>,
) -> impl IntoView {
    if rows.is_empty() {
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
            {rows
                .into_iter()
                .map(|row| {
                    view! { <SessionRow may_kill row now_ms selection on_kill on_retry_delivery /> }
                })
                .collect_view()}
        </tbody>
    }
    .into_any()
}

/// One session; active ones count their duration up every second without asking the server, and its
/// status, end and kill follow what is heard of it.
#[component]
fn SessionRow(
    may_kill: bool,
    row: Signal<Heard>,
    now_ms: Signal<f64>,
    selection: RwSignal<SortedSet<i64>>,
    on_kill: Callback<Session>,
    on_retry_delivery: Callback<Session>,
) -> impl IntoView {
    // Who the session is never changes; where it stands may.
    let session = row.get_untracked().session;
    let id = session.id;
    let killable = Memo::new(move |_| row.with(|r| r.session.killable));
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
    let duration = move || {
        row.with(|Heard { session, at_ms }| {
            let running = if session.killable {
                ((now_ms.get() - at_ms) / 1000.0).max(0.0) as i64
            } else {
                0
            };
            format_duration(session.duration_seconds + running)
        })
    };
    let checkbox_title =
        move || (!killable.get()).then_some("Only Connected or Unknown sessions can be killed");
    let status = move || {
        let session = row.with(|r| r.session.clone());
        let local_end = session
            .end_time
            .map(|end| format_local_time(end, utc_offset_seconds(end)));
        let killed_by = session.killed_by.clone().map(|by| {
            view! {
                <span class="killed-by" title=killed_by_title(&by, local_end.as_deref())>
                    {format!("by {by}")}
                </span>
            }
        });
        let badge = view! { <StatusBadge status=session.status /> };
        let delivery = session.delivery.clone().map(|delivery| {
            let on_retry = (may_kill && delivery.state == DeliveryState::Failed)
                .then(|| Callback::new(move |()| on_retry_delivery.run(session.clone())));
            view! { <DeliveryNote id delivery on_retry /> }
        });
        view! {
            {badge}
            {killed_by}
            {delivery}
        }
    };
    let kill_button = move || {
        killable.get().then(|| {
            view! {
                <button
                    type="button"
                    class="kill"
                    aria-label=format!("Kill session {id}")
                    on:click=move |_| on_kill.run(row.with_untracked(|r| r.session.clone()))
                >
                    "Kill"
                </button>
            }
        })
    };
    view! {
        <tr
            data-session-id=id
            data-status=move || row.with(|r| r.session.status.as_str())
            class:selected=selected
            class:inactive=move || !killable.get()
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
                                disabled=move || !killable.get()
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
            <td class="col-status">{status}</td>
            {may_kill.then(|| view! { <td class="col-ops">{kill_button}</td> })}
        </tr>
    }
}

/// How the kill's delivery to the broker stands, with a Retry button once it failed (for whoever may).
#[component]
fn DeliveryNote(
    /// The session's id.
    id: i64,
    delivery: KillDelivery,
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let title = delivery_title(&delivery, |at| {
        format_local_time(at, utc_offset_seconds(at))
    });
    view! {
        <span class="delivery" data-delivery-state=delivery.state.as_str() title=title>
            {delivery_label(&delivery)}
            {on_retry
                .map(|on_retry| {
                    view! {
                        <button
                            type="button"
                            class="retry-delivery link-button"
                            aria-label=format!("Retry delivering the kill of session {id}")
                            on:click=move |_| on_retry.run(())
                        >
                            "Retry"
                        </button>
                    }
                })}
        </span>
    }
}
