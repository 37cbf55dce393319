use leptos::html;
use leptos::prelude::*;
use shared::Session;

/// Asks whether to kill `target`, naming the session and its user; closing it means "no".
#[component]
pub fn KillDialog(
    /// The session asked about; `None` closes the dialog.
    target: RwSignal<Option<Session>>,
    /// True while the kill request runs: the buttons wait for it.
    #[prop(into)]
    busy: Signal<bool>,
    on_confirm: Callback<Session>,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    // A native modal dialog traps focus, dims the page and closes on Escape.
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
        target.get().map(|session| {
            view! {
                <h2 id="confirm-title">{format!("Kill session #{}?", session.id)}</h2>
                <p id="confirm-text">
                    "This ends the session of " <strong>{session.name}</strong> " ("
                    {session.email} ") in " <strong>{session.app_name}</strong>
                    ". The user is disconnected at once and cannot resume it."
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
                        if let Some(session) = target.get_untracked() {
                            on_confirm.run(session);
                        }
                    }
                >
                    {move || if busy.get() { "Killing…" } else { "Kill session" }}
                </button>
            </div>
        </dialog>
    }
}
