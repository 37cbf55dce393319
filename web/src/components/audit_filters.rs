use leptos::prelude::*;
use shared::AuditAction;

use crate::address::AuditView;
use crate::browser;
use crate::checks::day_bounds;
use crate::components::field::Field;

/// Narrows the audit log: who (exact name), what, and which days in the viewer's zone.
#[component]
pub fn AuditFilters(
    /// The filters in force, which the form shows and follows (Back, Forward).
    #[prop(into)]
    view: Signal<AuditView>,
    /// Runs with the chosen filters.
    on_apply: Callback<AuditView>,
) -> impl IntoView {
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    Effect::watch(
        move || view.get(),
        move |view, _, _| {
            actor.set(view.actor.clone());
            action.set(
                view.action
                    .map(|a| a.as_str().to_owned())
                    .unwrap_or_default(),
            );
            from.set(view.from.clone());
            to.set(view.to.clone());
        },
        true,
    );
    let check = Memo::new(move |_| day_bounds(&from.get(), &to.get(), browser::start_of_day));
    let invalid = move || check.with(Result::is_err);
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if check.with_untracked(Result::is_err) {
            return;
        }
        on_apply.run(AuditView {
            actor: actor.get_untracked().trim().to_owned(),
            action: action.get_untracked().parse::<AuditAction>().ok(),
            from: from.get_untracked(),
            to: to.get_untracked(),
        });
    };
    let reset = move |_| {
        actor.set(String::new());
        action.set(String::new());
        from.set(String::new());
        to.set(String::new());
        on_apply.run(AuditView::default());
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
