use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::LoginRequest;

use crate::api;
use crate::auth::Auth;
use crate::browser;
use crate::components::field::Field;
use crate::format::login_error_message;
use crate::route::next_from_search;
use crate::router::Router;

/// The sign-in card: username and password; afterwards, back to where the administrator was going.
#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let router = expect_context::<Router>();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // `autofocus` works once per document load; coming back after Sign out needs a hand.
    request_animation_frame(|| browser::focus("login-username"));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let credentials = LoginRequest {
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        sending.set(true);
        error.set(None);
        spawn_local(async move {
            let outcome = api::login(&credentials).await;
            sending.set(false);
            match outcome {
                Ok(identity) => {
                    let next = next_from_search(&router.search().get_untracked());
                    auth.signed_in(identity);
                    router.replace(&next);
                }
                Err(failure) => {
                    error.set(Some(login_error_message(&failure)));
                    password.set(String::new());
                    browser::focus("login-password");
                }
            }
        });
    };
    view! {
        <main class="login-screen">
            <div class="card login-card">
                <div class="login-brand">
                    <span class="login-mark" aria-hidden="true">"SC"</span>
                    <div>
                        <h1>"Sessions Console"</h1>
                        <p class="login-sub">"Sign in to administer the streaming sessions."</p>
                    </div>
                </div>
                <form class="login-form" on:submit=submit aria-describedby="login-error">
                    <Field label="Username" class="login-field">
                        <input
                            type="text"
                            id="login-username"
                            name="username"
                            autocomplete="username"
                            autocapitalize="none"
                            spellcheck="false"
                            required
                            autofocus
                            bind:value=username
                        />
                    </Field>
                    <Field label="Password" class="login-field">
                        <input
                            type="password"
                            id="login-password"
                            name="password"
                            autocomplete="current-password"
                            required
                            bind:value=password
                        />
                    </Field>
                    <div id="login-error" aria-live="assertive">
                        {move || {
                            error
                                .get()
                                .map(|text| {
                                    view! {
                                        <p class="login-error" role="alert">
                                            {text}
                                        </p>
                                    }
                                })
                        }}
                    </div>
                    <button
                        type="submit"
                        id="login-submit"
                        class="button primary login-submit"
                        disabled=move || sending.get()
                    >
                        {move || if sending.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </form>
            </div>
        </main>
    }
}
