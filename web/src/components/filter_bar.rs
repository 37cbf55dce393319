use leptos::html;
use leptos::prelude::*;
use shared::{FilterField, MAX_CONTAINS_CHARS, SessionQuery, SessionStatus};

use crate::browser;
use crate::format::filter_summary;
use crate::status_filter::{STATUS_CHOICES, active, toggled};

/// The "Filter" button that shows the options, and the active filter as a chip that clears it.
#[component]
pub fn FilterToggle(
    open: RwSignal<bool>,
    #[prop(into)] query: Signal<SessionQuery>,
    on_clear: Callback<()>,
) -> impl IntoView {
    let toggle = move |_| {
        open.update(|open| *open = !*open);
        if open.get_untracked() {
            // The panel is in the page only after this handler: focus it on the next frame.
            request_animation_frame(|| browser::focus("filter-contains"));
        }
    };
    let chip = move || {
        query.with(filter_summary).map(|summary| {
            let title = summary.clone();
            view! {
                // The whole summary on hover: a long one is cut short in the chip.
                <span class="chip" id="active-filter" title=title>
                    {summary}
                    <button
                        type="button"
                        class="chip-clear"
                        aria-label="Clear the filter"
                        on:click=move |_| on_clear.run(())
                    >
                        "×"
                    </button>
                </span>
            }
        })
    };
    view! {
        <button
            type="button"
            id="filter-toggle"
            class="button toggle"
            aria-controls="filter-panel"
            aria-expanded=move || open.get().to_string()
            on:click=toggle
        >
            "Filter"
        </button>
        {chip}
    }
}

/// What the filter form asks for: the field to search, the typed text (empty means no text filter) and
/// the checked statuses (none means every status).
pub type FilterChoice = (FilterField, String, Vec<SessionStatus>);

/// The filter options: which field to search, the text it must contain, which statuses (with an
/// "Active" shortcut), Filter and Reset.
#[component]
pub fn FilterPanel(
    #[prop(into)] query: Signal<SessionQuery>,
    on_filter: Callback<FilterChoice>,
    on_reset: Callback<()>,
) -> impl IntoView {
    let (initial_field, initial_text, initial_statuses) = query.with_untracked(|q| {
        (
            q.field,
            q.contains.clone().unwrap_or_default(),
            q.statuses.clone(),
        )
    });
    let field = RwSignal::new(initial_field.unwrap_or(FilterField::Name));
    let text = RwSignal::new(initial_text);
    let statuses = RwSignal::new(initial_statuses);
    // Back, Forward and "Show all sessions" change the filter without this form: follow them.
    Effect::watch(
        move || query.with(|q| (q.field, q.contains.clone(), q.statuses.clone())),
        move |(new_field, new_text, new_statuses), _, _| {
            field.set(new_field.unwrap_or(FilterField::Name));
            text.set(new_text.clone().unwrap_or_default());
            statuses.set(new_statuses.clone());
        },
        false,
    );
    let apply = move || {
        on_filter.run((
            field.get_untracked(),
            text.get_untracked(),
            statuses.get_untracked(),
        ))
    };
    let checkbox = move |status: SessionStatus| {
        view! {
            <label class="radio">
                <input
                    type="checkbox"
                    name="filter-status"
                    value=status.as_str()
                    prop:checked=move || statuses.with(|s| s.contains(&status))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        statuses.update(|s| *s = toggled(s, status, on));
                    }
                />
                {status.as_str()}
            </label>
        }
    };
    let input = NodeRef::<html::Input>::new();
    let radio = move |value: FilterField, label: &'static str| {
        view! {
            <label class="radio">
                <input
                    type="radio"
                    name="filter-field"
                    value=value.as_str()
                    prop:checked=move || field.get() == value
                    on:change=move |_| field.set(value)
                />
                {label}
            </label>
        }
    };
    view! {
        <form
            id="filter-panel"
            class="panel filter-panel"
            role="search"
            aria-label="Filter sessions"
            on:submit=move |ev| {
                ev.prevent_default();
                apply();
            }
        >
            <fieldset class="radio-group">
                <legend>"Search in"</legend>
                {radio(FilterField::Name, "Username")}
                {radio(FilterField::Email, "Email")}
            </fieldset>
            <label class="field-label" for="filter-contains">
                "Contains"
            </label>
            <input
                type="text"
                id="filter-contains"
                node_ref=input
                autocomplete="off"
                spellcheck="false"
                maxlength=MAX_CONTAINS_CHARS
                placeholder="Part of a name or email"
                bind:value=text
            />
            <fieldset class="radio-group" id="filter-statuses">
                <legend>"Status"</legend>
                {STATUS_CHOICES.map(checkbox)}
                <button
                    type="button"
                    id="filter-active"
                    class="button"
                    title="Connected or Unknown: the sessions that may still be running"
                    on:click=move |_| {
                        statuses.set(active());
                        apply();
                    }
                >
                    "Active"
                </button>
            </fieldset>
            <button type="submit" id="filter-apply" class="button primary">
                "Filter"
            </button>
            <button
                type="button"
                id="filter-reset"
                class="button"
                on:click=move |_| {
                    text.set(String::new());
                    statuses.set(Vec::new());
                    on_reset.run(());
                    if let Some(input) = input.get_untracked() {
                        let _ = input.focus();
                    }
                }
            >
                "Reset"
            </button>
        </form>
    }
}
