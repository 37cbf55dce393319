use leptos::prelude::*;

use crate::live::LiveState;

/// A dot and a word saying whether the list follows changes as they happen.
#[component]
pub fn LiveStatus(state: ReadSignal<LiveState>) -> impl IntoView {
    let words = move || match state.get() {
        LiveState::Open => ("Live", "Changes to sessions appear as they happen"),
        LiveState::Connecting => ("Connecting…", "Connecting to live updates"),
        LiveState::Closed => (
            "Offline",
            "Live updates stopped; trying again shortly. Reload to see the latest.",
        ),
    };
    view! {
        <span
            id="live-status"
            class="live-status"
            data-state=move || state.get().as_str()
            title=move || words().1
        >
            <span class="live-dot" aria-hidden="true"></span>
            {move || words().0}
        </span>
    }
}
