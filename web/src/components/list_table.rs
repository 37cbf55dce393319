use leptos::prelude::*;

use crate::components::error_row::ErrorRow;
use crate::components::table_note::TableNote;

/// A list as a table: its head, a line until the first rows arrive, then the rows or why they could not
/// be loaded (with Try again); dimmed and `aria-busy` while newer rows load.
#[component]
pub fn ListTable(
    /// The table's class, naming the list: `audit-table`.
    class: &'static str,
    /// The `<thead>`.
    #[prop(into)]
    head: ViewFn,
    columns: usize,
    /// The line until the first rows arrive: `Loading accounts…`.
    loading: &'static str,
    on_retry: Callback<()>,
    /// True while newer rows load, for whoever else needs to know.
    #[prop(optional)]
    pending: Option<RwSignal<bool>>,
    /// The rows, read from a resource inside a `Suspend`.
    children: ChildrenFn,
) -> impl IntoView {
    let pending = pending.unwrap_or_else(|| RwSignal::new(false));
    let failure = move |errors| view! { <ErrorRow columns errors on_retry /> };
    view! {
        <div class="table-wrap" class:loading=move || pending.get() aria-busy=move || pending.get().to_string()>
            <table class=format!("{class} data-table")>
                {head.run()}
                <Transition
                    fallback=move || view! { <TableNote columns text=loading class="loading-row" /> }
                    set_pending=pending.write_only()
                >
                    <ErrorBoundary fallback=failure>{children()}</ErrorBoundary>
                </Transition>
            </table>
        </div>
    }
}
