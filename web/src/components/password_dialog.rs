use leptos::html;
use leptos::prelude::*;
use shared::rules::MIN_PASSWORD_CHARS;
use shared::{Account, SetPasswordRequest};

use crate::api;
use crate::checks::new_password;
use crate::components::field::Field;
use crate::components::form_footer::FormFooter;
use crate::components::modal::{modal_while, when_shut};
use crate::submission::Submission;

/// Sets a new password for `target`, whose sign-ins then end; closing it changes nothing.
#[component]
pub fn PasswordDialog(
    /// The account whose password is set; `None` closes the dialog.
    target: RwSignal<Option<Account>>,
    /// The signed-in administrator's username, warned that setting their own password signs them out.
    yours: Option<String>,
    /// Runs once the password is set, with words for the status line.
    on_done: Callback<String>,
) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let submission = Submission::new();
    let Submission { busy, error } = submission;
    let dialog = NodeRef::<html::Dialog>::new();
    modal_while(dialog, move || target.with(Option::is_some));
    let close = move || {
        password.set(String::new());
        error.set(None);
        if target.with_untracked(Option::is_some) {
            target.set(None);
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(account) = target.get_untracked() else {
            return;
        };
        let chosen = password.get_untracked();
        let username = account.username.clone();
        submission.send(
            new_password(&chosen).map(|()| SetPasswordRequest { password: chosen }),
            move |request| async move { api::set_password(&username, &request).await },
            "The password was not set.",
            move |()| {
                close();
                on_done.run(format!(
                    "Set a new password for “{}”; its sign-ins have ended.",
                    account.username
                ));
            },
        );
    };
    let username = move || target.with(|t| t.as_ref().map(|t| t.username.clone()));
    let warning = move || {
        (username().is_some() && username() == yours).then(|| {
            view! {
                <p class="dialog-note account-warning">
                    "This is your account: you will be signed out at once and sign in with the new password."
                </p>
            }
        })
    };
    view! {
        <dialog
            id="account-password-dialog"
            class="dialog"
            node_ref=dialog
            aria-labelledby="account-password-title"
            on:close=when_shut(dialog, close)
            on:cancel=move |ev: leptos::ev::Event| {
                if busy.get_untracked() {
                    ev.prevent_default();
                }
            }
        >
            <form on:submit=save novalidate>
                <h2 id="account-password-title">
                    {move || format!("New password for “{}”", username().unwrap_or_default())}
                </h2>
                <p class="dialog-note">
                    {format!("At least {MIN_PASSWORD_CHARS} characters. Its sign-ins end at once.")}
                </p>
                {warning}
                <Field label="New password" class="stacked">
                    <input
                        type="password"
                        id="account-new-password"
                        autocomplete="new-password"
                        minlength=MIN_PASSWORD_CHARS
                        required
                        aria-describedby="account-password-error"
                        bind:value=password
                    />
                </Field>
                <FormFooter
                    submission=submission
                    error_id="account-password-error"
                    submit_id="account-password-save"
                    submit_label="Set password"
                    busy_label="Saving…"
                    actions_class="dialog-actions"
                    cancel=("account-password-cancel", Callback::new(move |()| close()))
                />
            </form>
        </dialog>
    }
}
