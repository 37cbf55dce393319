use leptos::prelude::*;

/// The "Kill Sessions" link that shows the bulk options.
#[component]
pub fn BulkToggle(open: RwSignal<bool>) -> impl IntoView {
    view! {
        <button
            type="button"
            id="bulk-toggle"
            class="button toggle"
            aria-controls="bulk-panel"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|open| *open = !*open)
        >
            "Kill Sessions"
        </button>
    }
}

/// The bulk options: an action for the checked sessions and the Update button that runs it.
#[component]
pub fn BulkPanel(
    /// How many sessions are checked.
    #[prop(into)]
    selected: Signal<usize>,
    #[prop(into)] busy: Signal<bool>,
    on_kill_selected: Callback<()>,
) -> impl IntoView {
    let action = RwSignal::new(String::from("kill"));
    let hint = move || match selected.get() {
        0 => "Check the sessions to act on in the table.".to_owned(),
        1 => "1 session selected.".to_owned(),
        n => format!("{n} sessions selected."),
    };
    view! {
        <form
            id="bulk-panel"
            class="panel bulk-panel"
            aria-label="Act on the selected sessions"
            on:submit=move |ev| {
                ev.prevent_default();
                if action.get_untracked() == "kill" {
                    on_kill_selected.run(());
                }
            }
        >
            <label class="field-label" for="bulk-action">
                "Action"
            </label>
            <select id="bulk-action" bind:value=action>
                <option value="kill">"Kill the selected session(s)"</option>
            </select>
            <button
                type="submit"
                id="bulk-apply"
                class="button primary"
                disabled=move || selected.get() == 0 || busy.get()
            >
                {move || if busy.get() { "Updating…" } else { "Update" }}
            </button>
            <span class="hint" aria-live="polite">
                {hint}
            </span>
        </form>
    }
}
