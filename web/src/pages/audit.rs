use leptos::error::Error;
use leptos::prelude::*;
use shared::AuditPage;

use crate::address::CursorStack;
use crate::api::{self, AuditQuery};
use crate::browser;
use crate::components::audit_filters::AuditFilters;
use crate::components::audit_table::{AUDIT_COLUMNS, AuditHeader, AuditNote, AuditRows};
use crate::components::error_row::ErrorRow;

async fn load(query: AuditQuery) -> Result<AuditPage, Error> {
    Ok(api::list_audit(&query).await?)
}

/// The audit log, newest first: filters, the entries, and Previous / Next through older pages.
#[component]
pub fn AuditPage() -> impl IntoView {
    let filter = RwSignal::new(AuditQuery::default());
    let cursors = RwSignal::new(CursorStack::default());
    let entries = LocalResource::new(move || {
        let mut query = filter.get();
        query.cursor = cursors.with(CursorStack::current);
        load(query)
    });
    let pending = RwSignal::new(false);
    let next_cursor = Memo::new(move |_| {
        entries
            .get()
            .and_then(Result::ok)
            .and_then(|page| page.next_cursor)
    });
    let time_zone = browser::time_zone();

    let on_apply = Callback::new(move |query: AuditQuery| {
        cursors.set(CursorStack::default());
        filter.set(query);
    });
    let rows = move || {
        Suspend::new(async move {
            let filtered = filter.with_untracked(|f| *f != AuditQuery::default());
            entries
                .await
                .map(|page| view! { <AuditRows entries=page.items filtered /> })
        })
    };
    let failure = move |errors| {
        view! {
            <ErrorRow
                columns=AUDIT_COLUMNS
                errors
                on_retry=Callback::new(move |()| entries.refetch())
            />
        }
    };

    view! {
        <main class="page">
            <div class="page-head">
                <h1>"Audit log"</h1>
                <p class="time-zone">{format!("Times and days in {time_zone}")}</p>
            </div>
            <AuditFilters on_apply />
            <div class="toolbar">
                <span class="hint">"Newest first. Every sign-in, kill, export and token change is here."</span>
                <nav class="pager" aria-label="Audit pages">
                    <span id="audit-page" class="total" aria-live="polite">
                        {move || format!("Page {}", cursors.with(CursorStack::page))}
                    </span>
                    <button
                        type="button"
                        id="audit-prev"
                        class="button"
                        disabled=move || cursors.with(|c| c.page() <= 1)
                        on:click=move |_| cursors.update(CursorStack::previous)
                    >
                        "‹ Previous"
                    </button>
                    <button
                        type="button"
                        id="audit-next"
                        class="button"
                        disabled=move || pending.get() || next_cursor.with(Option::is_none)
                        on:click=move |_| {
                            if let Some(cursor) = next_cursor.get_untracked() {
                                cursors.update(|c| c.next(cursor));
                            }
                        }
                    >
                        "Next ›"
                    </button>
                </nav>
            </div>
            <div class="table-wrap" class:loading=move || pending.get() aria-busy=move || pending.get().to_string()>
                <table class="audit-table data-table">
                    <AuditHeader />
                    <Transition
                        fallback=|| view! { <AuditNote text="Loading the audit log…" class="loading-row" /> }
                        set_pending=pending.write_only()
                    >
                        <ErrorBoundary fallback=failure>{rows}</ErrorBoundary>
                    </Transition>
                </table>
            </div>
        </main>
    }
}
