use leptos::prelude::*;
use shared::AuditAction;

use crate::api::AuditQuery;
use crate::browser;
use crate::checks::day_bounds;
use crate::components::field::Field;

/// Narrows the audit log: who (exact name), what, and which days in the viewer's zone.
#[component]
pub fn AuditFilters(
    /// Runs with the first page of the chosen filter.
    on_apply: Callback<AuditQuery>,
) -> impl IntoView {
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let check = Memo::new(move |_| day_bounds(&from.get(), &to.get(), browser::start_of_day));
    let invalid = move || check.with(Result::is_err);
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok((from, to)) = check.get_untracked() else {
            return;
        };
        let actor = actor.get_untracked().trim().to_owned();
        on_apply.run(AuditQuery {
            actor: (!actor.is_empty()).then_some(actor),
            action: action.get_untracked().parse::<AuditAction>().ok(),
            from,
            to,
            cursor: None,
        });
    };
    let reset = move |_| {
        actor.set(String::new());
        action.set(String::new());
        from.set(String::new());
        to.set(String::new());
        on_apply.run(AuditQuery::default());
    };
    view! {
        <form
            id="audit-filters"
            class="panel audit-filters"
            role="search"
            aria-label="Filter the audit log"
            on:submit=apply
            novalidate
        >
            <Field label="Actor" class="stacked">
                <input
                    type="text"
                    id="audit-actor"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="Exact username or token name"
                    bind:value=actor
                />
            </Field>
            <Field label="Action" class="stacked">
                <select id="audit-action" bind:value=action>
                    <option value="">"Any action"</option>
                    {AuditAction::ALL
                        .into_iter()
                        .map(|a| view! { <option value=a.as_str()>{a.as_str()}</option> })
                        .collect_view()}
                </select>
            </Field>
            <Field label="From" class="stacked">
                <input
                    type="date"
                    id="audit-from"
                    aria-describedby="audit-error"
                    aria-invalid=move || invalid().to_string()
                    bind:value=from
                />
            </Field>
            <Field label="To" class="stacked">
                <input
                    type="date"
                    id="audit-to"
                    min=move || from.get()
                    aria-describedby="audit-error"
                    aria-invalid=move || invalid().to_string()
                    bind:value=to
                />
            </Field>
            <div class="filter-buttons">
                <button type="submit" id="audit-apply" class="button primary" disabled=invalid>
                    "Apply"
                </button>
                <button type="button" id="audit-reset" class="button" on:click=reset>
                    "Reset"
                </button>
            </div>
            <p id="audit-error" class="field-error audit-error-text" aria-live="polite">
                {move || check.get().err()}
            </p>
        </form>
    }
}
