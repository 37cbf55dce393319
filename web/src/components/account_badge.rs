use leptos::prelude::*;

/// Whether an account may sign in, as a coloured label that also says it in words.
#[component]
pub fn AccountBadge(disabled: bool) -> impl IntoView {
    let (class, text) = if disabled {
        ("badge badge-disabled", "Disabled")
    } else {
        ("badge badge-active", "Active")
    };
    view! {
        <span class=class>
            <span class="badge-dot" aria-hidden="true"></span>
            {text}
        </span>
    }
}
