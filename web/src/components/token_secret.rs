use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::CreatedToken;

use crate::browser;

/// The secret of the token just created, shown this once, with Copy and a warning to keep it now.
#[component]
pub fn NewTokenSecret(created: RwSignal<Option<CreatedToken>>) -> impl IntoView {
    let copied = RwSignal::new(None::<&'static str>);
    // "Copied." was about the previous secret.
    Effect::watch(
        move || created.with(|c| c.as_ref().map(|c| c.token.id.clone())),
        move |_, _, _| copied.set(None),
        false,
    );
    let copy = move |_| {
        let Some(secret) = created.with_untracked(|c| c.as_ref().map(|c| c.secret.clone())) else {
            return;
        };
        spawn_local(async move {
            let note = if browser::copy_text(&secret).await {
                "Copied."
            } else {
                // Without clipboard access (a plain-http address, say), select it for Ctrl+C.
                browser::select_contents("token-secret");
                "Selected: press Ctrl+C (⌘C) to copy."
            };
            copied.set(Some(note));
        });
    };
    move || {
        created.get().map(|token| {
            view! {
                <section class="secret-box" aria-labelledby="secret-title" role="status">
                    <h2 id="secret-title">
                        {format!("Token “{}” created", token.token.name)}
                    </h2>
                    <p class="secret-warning">
                        <strong>"Copy the secret now: you will not see it again."</strong>
                        " Only its hash is stored. If it is lost, revoke the token and create another."
                    </p>
                    <div class="secret-line">
                        <code id="token-secret" class="secret">
                            {token.secret}
                        </code>
                        <button type="button" id="token-copy" class="button primary" on:click=copy>
                            "Copy"
                        </button>
                    </div>
                    <p class="hint" aria-live="polite">
                        {move || copied.get()}
                    </p>
                    <button
                        type="button"
                        id="token-secret-done"
                        class="link-button"
                        on:click=move |_| created.set(None)
                    >
                        "I have stored it, hide the secret"
                    </button>
                </section>
            }
        })
    }
}
