use std::time::Duration;

use leptos::error::Error;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{
    ParseQueryError, Scope, Session, SessionEvent, SessionEventKind, SessionPage, SortKey,
    SortOrder,
};

use crate::address::{Address, View};
use crate::api;
use crate::auth::Auth;
use crate::browser;
use crate::components::bulk_actions::{BulkPanel, BulkToggle};
use crate::components::error_row::ErrorRow;
use crate::components::export_dialog::ExportDialog;
use crate::components::filter_bar::{FilterChoice, FilterPanel, FilterToggle};
use crate::components::kill_dialog::KillDialog;
use crate::components::live_status::LiveStatus;
use crate::components::message::{Message, MessageRegion};
use crate::components::pager::{PageInfo, Pager};
use crate::components::sessions_table::{
    Heard, LoadingRow, SessionRows, SessionsHeader, column_count,
};
use crate::components::usage_panel::UsagePanel;
use crate::format::{kill_many_message, new_sessions_label, unselected_message};
use crate::live::follow_sessions;
use crate::sorted_set::{SortedMap, SortedSet};

/// A page of sessions as it arrived.
#[derive(Debug, Clone, PartialEq)]
struct LoadedPage {
    view: View,
    page: SessionPage,
    /// Milliseconds since the epoch: what is heard of a session from then on is newer than the page.
    requested_at_ms: f64,
    /// Milliseconds since the epoch: active durations count on from here.
    fetched_at_ms: f64,
}

impl LoadedPage {
    /// Whether this page shows the session `id`.
    fn shows(&self, id: i64) -> bool {
        self.page.items.iter().any(|s| s.id == id)
    }
}

/// What was heard of session `id` since `since_ms`, which is newer than a page asked for then.
fn heard_since(heard: &SortedMap<i64, Heard>, id: i64, since_ms: f64) -> Option<&Heard> {
    heard.get(&id).filter(|h| h.at_ms >= since_ms)
}

async fn load(view: Result<View, ParseQueryError>) -> Result<LoadedPage, Error> {
    let view = view?;
    let requested_at_ms = browser::now_ms();
    let page = api::list_sessions(&view.query).await?;
    Ok(LoadedPage {
        view,
        page,
        requested_at_ms,
        fetched_at_ms: browser::now_ms(),
    })
}

/// Moves focus to the outcome of a kill: the Kill button that had it is gone with the kill (or the
/// Update button is disabled), and focus must not fall back to the start of the page. After the next
/// frame, once the closing dialog has put focus back where it came from.
fn focus_outcome() {
    request_animation_frame(|| browser::focus("message"));
}

/// The sessions list with its sorting, filter, paging, kills and export (for whoever may); the view
/// lives in the address, and the rows follow changes as they happen.
#[component]
pub fn SessionsPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let (may_kill, may_export) = untrack(|| {
        (
            auth.may(Scope::SessionsKill),
            auth.may(Scope::SessionsExport),
        )
    });
    let columns = column_count(may_kill);
    let address = Address::new();
    let requested = address.view();
    let view = Memo::new(move |_| requested.get().unwrap_or_default());
    let query = Memo::new(move |_| view.with(|v| v.query.clone()));
    let sessions = LocalResource::new(move || load(requested.get()));
    let loaded = Memo::new(move |_| sessions.get().and_then(Result::ok));
    let pending = RwSignal::new(false);

    let selection = RwSignal::new(SortedSet::<i64>::new());
    let message = RwSignal::new(None::<Message>);
    let filter_open =
        RwSignal::new(query.with_untracked(|q| q.contains.is_some() || !q.statuses.is_empty()));
    let bulk_open = RwSignal::new(false);
    let export_open = RwSignal::new(false);
    let kill_target = RwSignal::new(None::<Session>);
    let kill_busy = RwSignal::new(false);
    let bulk_busy = RwSignal::new(false);
    let time_zone = browser::time_zone();

    // One clock for every active row, so durations tick without asking the server again.
    let now_ms = RwSignal::new(browser::now_ms());
    if let Ok(handle) = set_interval_with_handle(
        move || now_ms.set(browser::now_ms()),
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }

    let go = move |next: View| address.push(&next);

    // What is heard of sessions while the page is shown: rows change in place, and new sessions are only
    // counted, so that nothing moves under the administrator's pointer.
    let heard = RwSignal::new(SortedMap::<i64, Heard>::new());
    let opened_at = RwSignal::new(Vec::<f64>::new());
    let since_loaded = move || loaded.with(|l| l.as_ref().map_or(0.0, |l| l.requested_at_ms));
    // Every event may change the usage figures; the panel asks again once per burst.
    let usage_heard = RwSignal::new(0u32);
    let live = follow_sessions(move |event: SessionEvent| {
        usage_heard.update(|n| *n = n.wrapping_add(1));
        let at_ms = browser::now_ms();
        let session = event.session;
        let shown = loaded.with_untracked(|l| l.as_ref().is_some_and(|l| l.shows(session.id)));
        match event.kind {
            // Only sessions this list (its filter and statuses) would show count as new for it.
            SessionEventKind::Opened if !shown && query.with_untracked(|q| q.admits(&session)) => {
                opened_at.update(|o| o.push(at_ms))
            }
            SessionEventKind::Changed if shown => {
                let id = session.id;
                if !session.killable && selection.with_untracked(|s| s.contains(&id)) {
                    selection.update(|s| {
                        s.remove(&id);
                    });
                    let note = unselected_message(id, session.status);
                    message.set(Some(Message::Warning(note)));
                }
                heard.update(|h| {
                    h.insert(id, Heard { session, at_ms });
                });
            }
            SessionEventKind::Opened | SessionEventKind::Changed => {}
        }
    });
    // A newer page already holds what was heard before it was asked for.
    Effect::watch(
        since_loaded,
        move |since, _, _| {
            let since = *since;
            heard.update(|h| h.retain(|_, heard| heard.at_ms >= since));
            opened_at.update(|o| o.retain(|at| *at >= since));
        },
        false,
    );
    let new_sessions = Signal::derive(move || {
        let since = since_loaded();
        opened_at.with(|o| o.iter().filter(|at| **at >= since).count())
    });
    let show_new = move |_| {
        let first = View::first_page(query.get_untracked());
        opened_at.set(Vec::new());
        if view.get_untracked() == first {
            sessions.refetch();
        } else {
            go(first);
        }
    };

    // A selection only means something for the rows it was made on.
    Effect::watch(
        move || view.get(),
        move |_, _, _| selection.set(SortedSet::new()),
        false,
    );

    let on_navigate = Callback::new(go);
    let on_sort = Callback::new(move |key: SortKey| {
        let mut query = query.get_untracked();
        query.order = if query.sort == key {
            query.order.reversed()
        } else {
            SortOrder::Asc
        };
        query.sort = key;
        go(View::first_page(query));
    });
    let on_filter = Callback::new(move |(field, text, statuses): FilterChoice| {
        let mut query = query.get_untracked();
        let text = text.trim();
        query.field = (!text.is_empty()).then_some(field);
        query.contains = (!text.is_empty()).then(|| text.to_owned());
        query.statuses = statuses;
        go(View::first_page(query));
    });
    let show_all = Callback::new(move |()| {
        let mut query = query.get_untracked();
        query.field = None;
        query.contains = None;
        query.statuses.clear();
        go(View::first_page(query));
    });

    let confirm_kill = Callback::new(move |session: Session| {
        kill_busy.set(true);
        spawn_local(async move {
            let outcome = api::kill_session(session.id).await;
            kill_busy.set(false);
            kill_target.set(None);
            message.set(Some(match outcome {
                Ok(killed) => {
                    Message::Success(format!("Killed session #{} of {}.", killed.id, killed.name))
                }
                Err(error) => {
                    Message::Error(format!("Session #{} was not killed. {error}", session.id))
                }
            }));
            selection.update(|s| {
                s.remove(&session.id);
            });
            sessions.refetch();
            focus_outcome();
        });
    });
    let kill_selected = Callback::new(move |()| {
        let ids: Vec<i64> = selection.get_untracked().into_iter().collect();
        if ids.is_empty() {
            return;
        }
        bulk_busy.set(true);
        spawn_local(async move {
            match api::kill_sessions(ids).await {
                Ok(result) => {
                    let text = kill_many_message(&result);
                    message.set(Some(if result.killed.is_empty() {
                        Message::Error(text)
                    } else if result.skipped.is_empty() && result.not_found.is_empty() {
                        Message::Success(text)
                    } else {
                        Message::Warning(text)
                    }));
                    selection.set(SortedSet::new());
                }
                Err(error) => {
                    message.set(Some(Message::Error(format!(
                        "The selected sessions were not killed. {error}"
                    ))));
                }
            }
            bulk_busy.set(false);
            sessions.refetch();
            focus_outcome();
        });
    });

    let retry_delivery = Callback::new(move |mut session: Session| {
        spawn_local(async move {
            let id = session.id;
            match api::retry_delivery(id).await {
                Ok(delivery) => {
                    session.delivery = Some(delivery);
                    let at_ms = browser::now_ms();
                    heard.update(|h| {
                        h.insert(id, Heard { session, at_ms });
                    });
                    message.set(Some(Message::Success(format!(
                        "The kill of session #{id} is being delivered again."
                    ))));
                }
                Err(error) => message.set(Some(Message::Error(format!(
                    "The kill of session #{id} was not delivered again. {error}"
                )))),
            }
        });
    });

    let selectable = Signal::derive(move || {
        loaded.with(|l| {
            l.as_ref().map_or_else(Vec::new, |l| {
                heard.with(|heard| {
                    l.page
                        .items
                        .iter()
                        .filter(|s| {
                            heard_since(heard, s.id, l.requested_at_ms)
                                .map_or(s.killable, |h| h.session.killable)
                        })
                        .map(|s| s.id)
                        .collect()
                })
            })
        })
    });
    let page_info = Signal::derive(move || {
        loaded.with(|l| {
            l.as_ref().map(|l| PageInfo {
                view: l.view.clone(),
                shown: l.page.items.len(),
                total: l.page.total,
                next_cursor: l.page.next_cursor.clone(),
            })
        })
    });
    let selected_count = Signal::derive(move || selection.with(SortedSet::len));

    let rows = move || {
        Suspend::new(async move {
            sessions.await.map(|loaded| {
                let (since, at_ms) = (loaded.requested_at_ms, loaded.fetched_at_ms);
                let rows = loaded
                    .page
                    .items
                    .into_iter()
                    .map(|session| {
                        let id = session.id;
                        let as_loaded = Heard { session, at_ms };
                        Memo::new(move |_| {
                            heard
                                .with(|h| heard_since(h, id, since).cloned())
                                .unwrap_or_else(|| as_loaded.clone())
                        })
                        .into()
                    })
                    .collect();
                view! {
                    <SessionRows
                        may_kill
                        rows
                        query=loaded.view.query
                        now_ms=now_ms
                        selection
                        on_kill=Callback::new(move |session| kill_target.set(Some(session)))
                        on_retry_delivery=retry_delivery
                        on_show_all=show_all
                    />
                }
            })
        })
    };
    let failure = move |errors| {
        view! {
            <ErrorRow
                columns
                errors
                on_retry=Callback::new(move |()| sessions.refetch())
                on_show_all=Callback::new(move |()| go(View::default()))
            />
        }
    };

    view! {
        <main class="page">
            <div class="page-head">
                <h1>"Sessions"</h1>
                <p class="time-zone">
                    <LiveStatus state=live />
                    {format!("Times in {time_zone}")}
                </p>
            </div>
            <UsagePanel heard=usage_heard.into() time_zone=time_zone.clone() />
            <div class="toolbar">
                <div class="actions">
                    <FilterToggle open=filter_open query on_clear=show_all />
                    {may_kill.then(|| view! { <BulkToggle open=bulk_open /> })}
                    {may_export
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    id="export-open"
                                    class="button"
                                    on:click=move |_| export_open.set(true)
                                >
                                    "Export"
                                </button>
                            }
                        })}
                </div>
                <Pager view info=page_info on_navigate />
            </div>
            <Show when=move || filter_open.get()>
                <FilterPanel query on_filter on_reset=show_all />
            </Show>
            <Show when=move || may_kill && bulk_open.get()>
                <BulkPanel selected=selected_count busy=bulk_busy on_kill_selected=kill_selected />
            </Show>
            <MessageRegion message />
            <Show when=move || new_sessions.get() != 0>
                <button type="button" id="new-sessions" class="button new-sessions" on:click=show_new>
                    {move || new_sessions_label(new_sessions.get())}
                </button>
            </Show>
            <div class="table-wrap" class:loading=move || pending.get() aria-busy=move || pending.get().to_string()>
                <table id="sessions">
                    <SessionsHeader may_kill query on_sort selectable selection />
                    <Transition
                        fallback=move || view! { <LoadingRow columns /> }
                        set_pending=pending.write_only()
                    >
                        <ErrorBoundary fallback=failure>{rows}</ErrorBoundary>
                    </Transition>
                </table>
            </div>
            <KillDialog target=kill_target busy=kill_busy on_confirm=confirm_kill />
            <ExportDialog
                open=export_open
                query
                time_zone=time_zone.clone()
                on_started=Callback::new(move |text| message.set(Some(Message::Success(text))))
            />
        </main>
    }
}
