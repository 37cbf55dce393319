use leptos::error::Error;
use leptos::prelude::*;
use shared::{AuditPage, ParseQueryError};

use crate::address::{AuditView, CursorStack};
use crate::api;
use crate::browser;
use crate::components::audit_filters::AuditFilters;
use crate::components::audit_table::{AUDIT_COLUMNS, AuditRows};
use crate::components::list_table::ListTable;
use crate::route::Route;
use crate::router::Router;

async fn load(
    view: Result<AuditView, ParseQueryError>,
    cursor: Option<String>,
) -> Result<AuditPage, Error> {
    let mut query = view?.query(browser::start_of_day)?;
    query.cursor = cursor
        .map(|text| text.parse())
        .transpose()
        .map_err(|message| ParseQueryError {
            parameter: "cursor".to_owned(),
            message,
        })?;
    Ok(api::list_audit(&query).await?)
}

/// The audit log, newest first: filters (kept in the address), the entries, and Previous / Next through
/// older pages.
#[component]
pub fn AuditPage() -> impl IntoView {
    let router = expect_context::<Router>();
    let search = router.search();
    let requested = Memo::new(move |_| search.with(|s| AuditView::from_search(s)));
    let view = Memo::new(move |_| requested.get().unwrap_or_default());
    let cursors = RwSignal::new(CursorStack::default());
    // Other filters (Back, Forward) start from their first page.
    Effect::watch(
        move || view.get(),
        move |_, _, _| {
            if cursors.with_untracked(|c| c.page() > 1) {
                cursors.set(CursorStack::default());
            }
        },
        false,
    );
    let entries =
        LocalResource::new(move || load(requested.get(), cursors.with(CursorStack::current)));
    let pending = RwSignal::new(false);
    let next_cursor = Memo::new(move |_| {
        entries
            .get()
            .and_then(Result::ok)
            .and_then(|page| page.next_cursor)
    });
    let time_zone = browser::time_zone();

    let on_apply = Callback::new(move |next: AuditView| {
        cursors.set(CursorStack::default());
        router.go(&format!("{}{}", Route::Audit.path(), next.to_search()));
    });
    let rows = move || {
        Suspend::new(async move {
            let filtered = view.with_untracked(|v| *v != AuditView::default());
            entries
                .await
                .map(|page| view! { <AuditRows entries=page.items filtered /> })
        })
    };

    view! {
        <main class="page">
            <div class="page-head">
                <h1>"Audit log"</h1>
                <p class="time-zone">{format!("Times and days in {time_zone}")}</p>
            </div>
            <AuditFilters view on_apply />
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
            <ListTable
                class="audit-table"
                columns=AUDIT_COLUMNS
                loading="Loading the audit log…"
                on_retry=Callback::new(move |()| entries.refetch())
                pending
            >
                {rows}
            </ListTable>
        </main>
    }
}
