use leptos::html;
use leptos::prelude::*;
use shared::SessionQuery;

use crate::api::export_url;
use crate::browser::today;
use crate::components::field::Field;
use crate::components::modal::modal_while;
use crate::format::{filter_summary, validate_export_range};

/// "Select Range": two dates, checked as they are typed; Apply downloads the CSV of those days.
#[component]
pub fn ExportDialog(
    open: RwSignal<bool>,
    /// The list's query: its filter narrows the export too.
    #[prop(into)]
    query: Signal<SessionQuery>,
    time_zone: String,
    /// Runs once the download has been handed to the browser, with words for the status region.
    on_started: Callback<String>,
) -> impl IntoView {
    let from = RwSignal::new(today());
    let to = RwSignal::new(today());
    let check = Memo::new(move |_| validate_export_range(&from.get(), &to.get()));
    let invalid = move || check.with(Result::is_err);
    // Point at the field to fix: an empty or garbled one, or To when the order is wrong.
    let from_invalid = move || from.with(|from| validate_export_range(from, from).is_err());
    let to_invalid = move || invalid() && !from_invalid();
    let dialog = NodeRef::<html::Dialog>::new();
    let link = NodeRef::<html::A>::new();
    modal_while(dialog, move || open.get());
    let close = move || {
        if open.get_untracked() {
            open.set(false);
        }
    };
    let filter_note = move || {
        query.with(filter_summary).map(|summary| {
            view! { <p class="dialog-note">"Only sessions where " {summary} "."</p> }
        })
    };
    let zone = time_zone.clone();
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (from, to) = (from.get_untracked(), to.get_untracked());
        if validate_export_range(&from, &to).is_err() {
            return;
        }
        let url = export_url(&query.get_untracked(), &from, &to, &zone);
        // A real link with `download`: the browser streams the file to disk and shows its progress,
        // which a fetch into memory could not do for a large export.
        if let Some(link) = link.get_untracked() {
            link.set_href(&url);
            link.click();
        }
        close();
        on_started.run(format!(
            "Export started: sessions from {from} to {to} ({zone}). Your browser saves the CSV file."
        ));
    };
    view! {
        <dialog
            id="export-dialog"
            class="dialog"
            node_ref=dialog
            aria-labelledby="export-title"
            on:close=move |_| close()
        >
            <form on:submit=apply novalidate>
                <h2 id="export-title">"Select Range"</h2>
                <p class="dialog-note">
                    "Sessions that started on these days, both included, in " {time_zone} "."
                </p>
                {filter_note}
                <div class="date-fields">
                    <Field label="From">
                        <input
                            type="date"
                            id="export-from"
                            required
                            aria-invalid=move || from_invalid().to_string()
                            aria-describedby="export-error"
                            bind:value=from
                        />
                    </Field>
                    <Field label="To">
                        <input
                            type="date"
                            id="export-to"
                            required
                            min=move || from.get()
                            aria-invalid=move || to_invalid().to_string()
                            aria-describedby="export-error"
                            bind:value=to
                        />
                    </Field>
                </div>
                <p id="export-error" class="field-error" class:error-message=invalid aria-live="polite">
                    {move || check.get().err()}
                </p>
                <div class="dialog-actions">
                    <button type="button" id="export-cancel" class="button" on:click=move |_| close()>
                        "Cancel"
                    </button>
                    <button type="submit" id="export-apply" class="button primary" disabled=invalid>
                        "Apply"
                    </button>
                </div>
            </form>
        </dialog>
        <a node_ref=link id="export-link" class="visually-hidden" download="" tabindex="-1" aria-hidden="true">
            "Download the export"
        </a>
    }
}
