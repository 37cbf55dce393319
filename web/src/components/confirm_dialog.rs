use leptos::html;
use leptos::prelude::*;

use crate::components::modal::{modal_while, when_shut};

/// Asks whether to go ahead with `target`, in a native modal dialog; closing it means "no". Its ids
/// are the same for every question: a page has one confirmation at most, and tests find it so.
#[component]
pub fn ConfirmDialog<T, Q, D, V>(
    /// What is asked about; `None` closes the dialog.
    target: RwSignal<Option<T>>,
    /// True while the confirmed request runs: the buttons wait for it.
    #[prop(into)]
    busy: Signal<bool>,
    /// The question, the dialog's title.
    question: Q,
    /// What saying yes does, below the question.
    detail: D,
    /// The Yes button's words, and its words while `busy`.
    yes: &'static str,
    yes_busy: &'static str,
    on_confirm: Callback<T>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    Q: Fn(&T) -> String + Send + Sync + 'static,
    D: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let dialog = NodeRef::<html::Dialog>::new();
    modal_while(dialog, move || target.with(Option::is_some));
    let close = move || {
        if target.with_untracked(Option::is_some) {
            target.set(None);
        }
    };
    let asked = move || {
        target.get().map(|target| {
            view! {
                <h2 id="confirm-title">{question(&target)}</h2>
                <p id="confirm-text">{detail(target)}</p>
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
            on:close=when_shut(dialog, close)
            on:cancel=move |ev: leptos::ev::Event| {
                if busy.get_untracked() {
                    ev.prevent_default();
                }
            }
        >
            {asked}
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
                        if let Some(target) = target.get_untracked() {
                            on_confirm.run(target);
                        }
                    }
                >
                    {move || if busy.get() { yes_busy } else { yes }}
                </button>
            </div>
        </dialog>
    }
}
