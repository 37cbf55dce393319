use leptos::prelude::*;
use shared::Session;

use crate::components::confirm_dialog::ConfirmDialog;

/// Asks whether to kill `target`, naming the session and its user; closing it means "no".
#[component]
pub fn KillDialog(
    /// The session asked about; `None` closes the dialog.
    target: RwSignal<Option<Session>>,
    /// True while the kill request runs: the buttons wait for it.
    #[prop(into)]
    busy: Signal<bool>,
    on_confirm: Callback<Session>,
) -> impl IntoView {
    let detail = |session: Session| {
        view! {
            "This ends the session of " <strong>{session.name}</strong> " (" {session.email} ") in "
            <strong>{session.app_name}</strong>
            ". The user is disconnected at once and cannot resume it."
        }
    };
    view! {
        <ConfirmDialog
            target
            busy
            question=|session: &Session| format!("Kill session #{}?", session.id)
            detail
            yes="Kill session"
            yes_busy="Killing…"
            on_confirm
        />
    }
}
