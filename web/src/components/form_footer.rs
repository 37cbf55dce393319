use leptos::either::Either;
use leptos::prelude::*;

use crate::submission::Submission;

/// The end of a form: why its last submission failed, then its buttons, which are off while one is on
/// the way.
#[component]
pub fn FormFooter(
    /// Whether a request is on the way, and why the last one failed.
    submission: Submission,
    /// The id of the line that says why it failed.
    error_id: &'static str,
    /// The submit button's id.
    submit_id: &'static str,
    /// The submit button's words.
    submit_label: &'static str,
    /// Its words while a request is on the way.
    busy_label: &'static str,
    /// The buttons' row: `form-actions` on a page, `dialog-actions` in a dialog.
    #[prop(default = "form-actions")]
    actions_class: &'static str,
    /// A Cancel button before the submit button, with this id, doing this.
    #[prop(optional)]
    cancel: Option<(&'static str, Callback<()>)>,
) -> impl IntoView {
    let Submission { busy, error } = submission;
    let submit = move || {
        view! {
            <button
                type="submit"
                id=submit_id
                class="button primary"
                disabled=move || busy.get()
            >
                {move || if busy.get() { busy_label } else { submit_label }}
            </button>
        }
    };
    // Two whole rows rather than an optional button, which would leave a placeholder in the markup.
    let actions = match cancel {
        None => Either::Left(view! { <div class=actions_class>{submit()}</div> }),
        Some((id, on_cancel)) => Either::Right(view! {
            <div class=actions_class>
                <button
                    type="button"
                    id=id
                    class="button"
                    disabled=move || busy.get()
                    on:click=move |_| on_cancel.run(())
                >
                    "Cancel"
                </button>
                {submit()}
            </div>
        }),
    };
    view! {
        <p
            id=error_id
            class="field-error"
            class:error-message=move || error.with(Option::is_some)
            aria-live="polite"
        >
            {move || error.get()}
        </p>
        {actions}
    }
}
