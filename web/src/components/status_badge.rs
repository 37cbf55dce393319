use leptos::prelude::*;
use shared::SessionStatus;

/// A session status as a coloured label; the word is always there, so colour is never the only cue.
#[component]
pub fn StatusBadge(status: SessionStatus) -> impl IntoView {
    let class = match status {
        SessionStatus::Connected => "badge badge-connected",
        SessionStatus::Disconnected => "badge badge-disconnected",
        SessionStatus::Unknown => "badge badge-unknown",
        SessionStatus::Killed => "badge badge-killed",
    };
    view! {
        <span class=class>
            <span class="badge-dot" aria-hidden="true"></span>
            {status.as_str()}
        </span>
    }
}
