use leptos::html;
use leptos::prelude::*;
use shared::ApiToken;

/// Asks whether to revoke `target`, naming it; closing it means "no". Its ids are the kill dialog's: a
/// page has one confirmation at most, and tests find it the same way everywhere.
#[component]
pub fn RevokeDialog(
    /// The token asked about; `None` closes the dialog.
    target: RwSignal<Option<ApiToken>>,
    /// True while the revoke request runs: the buttons wait for it.
    #[prop(into)]
    busy: Signal<bool>,
    on_confirm: Callback<ApiToken>,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    Effect::new(move |_| {
        let wanted = target.with(Option::is_some);
        if let Some(dialog) = dialog.get() {
            if wanted && !dialog.open() {
                let _ = dialog.show_modal();
            } else if !wanted && dialog.open() {
                dialog.close();
            }
        }
    });
    let close = move || {
        if target.with_untracked(Option::is_some) {
            target.set(None);
        }
    };
    let question = move || {
        target.get().map(|token| {
            view! {
                <h2 id="confirm-title">{format!("Revoke token “{}”?", token.name)}</h2>
                <p id="confirm-text">
                    "Scripts using token " <code>{token.id}</code>
                    " are refused from now on. This cannot be undone."
                </p>
            }
        })
    };
    view! {
        <dialog
            id="confirm-dialog"
            class="dialog"
            node_ref=dialog
            aria-labelledby="confirm-title"
            aria-describedby="confirm-text"
            on:close=move |_| close()
            on:cancel=move |ev: leptos::ev::Event| {
                if busy.get_untracked() {
                    ev.prevent_default();
                }
            }
        >
            {question}
            <div class="dialog-actions">
                <button
                    type="button"
                    id="confirm-no"
                    class="button"
                    autofocus
                    disabled=busy
                    on:click=move |_| close()
                >
                    "Cancel"
                </button>
                <button
                    type="button"
                    id="confirm-yes"
                    class="button danger"
                    disabled=busy
                    on:click=move |_| {
                        if let Some(token) = target.get_untracked() {
                            on_confirm.run(token);
                        }
                    }
                >
                    {move || if busy.get() { "Revoking…" } else { "Revoke token" }}
                </button>
            </div>
        </dialog>
    }
}
