use leptos::prelude::*;
use shared::rules::{MAX_USERNAME_CHARS, MIN_PASSWORD_CHARS};
use shared::{Account, Role};

use crate::api;
use crate::checks::account_request;
use crate::components::field::Field;
use crate::components::form_footer::FormFooter;
use crate::submission::Submission;

/// The new-account form: a username, a role and a first password; Create sends it.
#[component]
pub fn AccountForm(
    /// Runs with the account just created.
    on_created: Callback<Account>,
) -> impl IntoView {
    let username = RwSignal::new(String::new());
    // The least the new account may do, unless chosen otherwise.
    let role = RwSignal::new(Role::Viewer);
    let password = RwSignal::new(String::new());
    let submission = Submission::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let checked = account_request(
            &username.get_untracked(),
            role.get_untracked(),
            &password.get_untracked(),
        );
        submission.send(
            checked,
            |request| async move { api::create_account(&request).await },
            "The account was not created.",
            move |account| {
                username.set(String::new());
                password.set(String::new());
                on_created.run(account);
            },
        );
    };
    view! {
        <form
            id="account-form"
            class="card account-form"
            aria-labelledby="account-form-title"
            on:submit=submit
            novalidate
        >
            <h2 id="account-form-title">"New console account"</h2>
            <p class="hint">
                "For a person who signs in to this console. Its role decides what it may do."
            </p>
            <div class="account-fields">
                <Field label="Username" class="stacked">
                    <input
                        type="text"
                        id="account-username"
                        autocomplete="off"
                        autocapitalize="none"
                        spellcheck="false"
                        maxlength=MAX_USERNAME_CHARS
                        placeholder="alice"
                        required
                        bind:value=username
                    />
                </Field>
                <Field label="Role" class="stacked">
                    <select
                        id="account-role"
                        on:change=move |ev| {
                            if let Ok(chosen) = event_target_value(&ev).parse() {
                                role.set(chosen);
                            }
                        }
                    >
                        {Role::ALL
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <option value=r.as_str() prop:selected=move || role.get() == r>
                                        {r.as_str()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </Field>
                <Field label="Password" class="stacked">
                    <input
                        type="password"
                        id="account-password"
                        autocomplete="new-password"
                        minlength=MIN_PASSWORD_CHARS
                        placeholder=format!("At least {MIN_PASSWORD_CHARS} characters")
                        required
                        bind:value=password
                    />
                </Field>
            </div>
            <FormFooter
                submission=submission
                error_id="account-form-error"
                submit_id="account-create"
                submit_label="Create account"
                busy_label="Creating…"
            />
        </form>
    }
}
