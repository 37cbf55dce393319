use leptos::prelude::*;
use shared::{CreatedToken, MAX_TOKEN_DAYS, MAX_TOKEN_NAME_CHARS, Scope};

use crate::api;
use crate::checks::token_request;
use crate::components::field::Field;
use crate::components::form_footer::FormFooter;
use crate::sorted_set::SortedSet;
use crate::submission::Submission;

/// What a scope lets a token do, for its checkbox label.
fn scope_hint(scope: Scope) -> &'static str {
    match scope {
        Scope::SessionsRead => "List and read sessions",
        Scope::SessionsKill => "Kill sessions",
        Scope::SessionsExport => "Export sessions as CSV",
        Scope::Broker => "Report sessions: for the platform's session broker",
        Scope::Metrics => "Read /metrics: for a Prometheus server",
        Scope::Admin => "Everything, including tokens and the audit log",
    }
}

/// The new-token form: a name, its scopes and an optional expiry; Create sends it.
#[component]
pub fn TokenForm(
    /// Runs with the token just created, whose secret is shown this once.
    on_created: Callback<CreatedToken>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(SortedSet::new());
    let days = RwSignal::new(String::new());
    let submission = Submission::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen: Vec<Scope> = scopes.get_untracked().into_iter().collect();
        let checked = token_request(&name.get_untracked(), &chosen, &days.get_untracked());
        submission.send(
            checked,
            |request| async move { api::create_token(&request).await },
            "The token was not created.",
            move |created| {
                name.set(String::new());
                days.set(String::new());
                scopes.set(SortedSet::new());
                on_created.run(created);
            },
        );
    };

    let checkbox = move |scope: Scope| {
        view! {
            <label class="scope-option">
                <input
                    type="checkbox"
                    name="scope"
                    value=scope.as_str()
                    prop:checked=move || scopes.with(|s| s.contains(&scope))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        scopes
                            .update(|s| {
                                if on {
                                    s.insert(scope);
                                } else {
                                    s.remove(&scope);
                                }
                            });
                    }
                />
                <code>{scope.as_str()}</code>
                <span class="hint">{scope_hint(scope)}</span>
            </label>
        }
    };
    view! {
        <form
            id="token-form"
            class="card token-form"
            aria-labelledby="token-form-title"
            on:submit=submit
            novalidate
        >
            <h2 id="token-form-title">"New API token"</h2>
            <p class="hint">
                "Scripts send it as " <code>"Authorization: Bearer …"</code>
                ". Give it only the scopes it needs."
            </p>
            <div class="token-fields">
                <Field label="Name" class="stacked">
                    <input
                        type="text"
                        id="token-name"
                        autocomplete="off"
                        spellcheck="false"
                        maxlength=MAX_TOKEN_NAME_CHARS
                        placeholder="nightly-report"
                        required
                        bind:value=name
                    />
                </Field>
                <Field label="Expires in (days)" class="stacked">
                    <input
                        type="number"
                        id="token-expires-days"
                        min="1"
                        max=MAX_TOKEN_DAYS
                        step="1"
                        inputmode="numeric"
                        placeholder="Never"
                        bind:value=days
                    />
                </Field>
            </div>
            <fieldset class="scope-group">
                <legend class="field-label">"Scopes"</legend>
                {Scope::ALL.into_iter().map(checkbox).collect_view()}
            </fieldset>
            <FormFooter
                submission=submission
                error_id="token-form-error"
                submit_id="token-create"
                submit_label="Create token"
                busy_label="Creating…"
            />
        </form>
    }
}
