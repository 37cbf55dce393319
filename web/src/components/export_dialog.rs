use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::SessionQuery;

use crate::api::{self, export_url};
use crate::browser::today;
use crate::components::field::Field;
use crate::components::modal::{modal_while, when_shut};
use crate::format::{export_scope, validate_export_range};

/// "Select Range": two dates, checked as they are typed; Apply downloads the CSV of those days.
#[component]
pub fn ExportDialog(
    open: RwSignal<bool>,
    /// The list's query: its filter (text and statuses) narrows the export too.
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
    // Checking the sign-in before the download, and why the download did not start.
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let close = move || {
        failure.set(None);
        if open.get_untracked() {
            open.set(false);
        }
    };
    let scope = move || query.with(export_scope);
    let zone = time_zone.clone();
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (from, to) = (from.get_untracked(), to.get_untracked());
        if busy.get_untracked() || validate_export_range(&from, &to).is_err() {
            return;
        }
        let url = export_url(&query.get_untracked(), &from, &to, &zone);
        let zone = zone.clone();
        busy.set(true);
        failure.set(None);
        spawn_local(async move {
            // A download cannot be read by the page: with an ended sign-in the browser would save the
            // problem document. Asking who is signed in first sends an ended sign-in to the sign-in page.
            let signed_in = api::me().await;
            busy.set(false);
            match signed_in {
                Ok(_) => {}
                Err(error) if error.status() == Some(401) => return close(),
                Err(error) => {
                    failure.set(Some(format!("The export did not start. {error}")));
                    return;
                }
            }
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
        });
    };
    let error_text = move || failure.get().or_else(|| check.get().err());
    view! {
        <dialog
            id="export-dialog"
            class="dialog"
            node_ref=dialog
            aria-labelledby="export-title"
            on:close=when_shut(dialog, close)
        >
            <form on:submit=apply novalidate>
                <h2 id="export-title">"Select Range"</h2>
                <p class="dialog-note">
                    "Sessions that started on these days, both included, in " {time_zone} "."
                </p>
                <p class="dialog-note" id="export-scope">
                    {scope}
                </p>
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
                <p
                    id="export-error"
                    class="field-error"
                    class:error-message=move || invalid() || failure.with(Option::is_some)
                    aria-live="polite"
                >
                    {error_text}
                </p>
                <div class="dialog-actions">
                    <button type="button" id="export-cancel" class="button" on:click=move |_| close()>
                        "Cancel"
                    </button>
                    <button
                        type="submit"
                        id="export-apply"
                        class="button primary"
                        disabled=move || invalid() || busy.get()
                    >
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
