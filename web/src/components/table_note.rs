use leptos::prelude::*;

/// A line across a whole table in place of its rows: while they load, or when there are none.
#[component]
pub fn TableNote(
    /// How many columns the line spans.
    columns: usize,
    text: &'static str,
    /// The row's class: `loading-row`, or `empty-row` and one naming the table.
    class: &'static str,
) -> impl IntoView {
    view! {
        <tbody>
            <tr class=class>
                <td colspan=columns>{text}</td>
            </tr>
        </tbody>
    }
}
