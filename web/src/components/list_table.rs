use leptos::prelude::*;

use crate::components::error_row::ErrorRow;
use crate::components::table_note::TableNote;

/// A column of a list's table: its class and its heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub class: &'static str,
    pub heading: &'static str,
}

impl Column {
    pub const fn new(class: &'static str, heading: &'static str) -> Column {
        Column { class, heading }
    }

    /// The column of the row's buttons, whose heading only screen readers read.
    pub const OPERATIONS: Column = Column::new("col-ops", "");
}

/// The `<thead>` of `columns`.
#[component]
pub fn TableHead(columns: &'static [Column]) -> impl IntoView {
    let cell = |column: &Column| {
        let heading = if column.heading.is_empty() {
            view! { <span class="visually-hidden">"Operations"</span> }.into_any()
        } else {
            column.heading.into_any()
        };
        view! { <th scope="col" class=column.class>{heading}</th> }
    };
    view! {
        <thead>
            <tr>{columns.iter().map(cell).collect_view()}</tr>
        </thead>
    }
}

/// A list as a table: its head, a line until the first rows arrive, then the rows or why they could not
/// be loaded (with Try again); dimmed and `aria-busy` while newer rows load.
#[component]
pub fn ListTable(
    /// The table's class, naming the list: `audit-table`.
    class: &'static str,
    columns: &'static [Column],
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
    let head = columns;
    let columns = columns.len();
    let failure = move |errors| view! { <ErrorRow columns errors on_retry /> };
    view! {
        <div class="table-wrap" class:loading=move || pending.get() aria-busy=move || pending.get().to_string()>
            <table class=format!("{class} data-table")>
                <TableHead columns=head />
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
