use leptos::prelude::*;
use shared::ApiToken;

use crate::components::confirm_dialog::ConfirmDialog;

/// Asks whether to revoke `target`, naming it; closing it means "no". In the page only while it asks, as
/// the accounts' confirmation on the same page has the same ids.
#[component]
pub fn RevokeDialog(
    /// The token asked about; `None` closes the dialog.
    target: RwSignal<Option<ApiToken>>,
    /// True while the revoke request runs: the buttons wait for it.
    #[prop(into)]
    busy: Signal<bool>,
    on_confirm: Callback<ApiToken>,
) -> impl IntoView {
    let detail = |token: ApiToken| {
        view! {
            "Scripts using token " <code>{token.id}</code>
            " are refused from now on. This cannot be undone."
        }
    };
    let asked = Memo::new(move |_| target.with(Option::is_some));
    move || {
        asked.get().then(|| {
            view! {
                <ConfirmDialog
                    target
                    busy
                    question=|token: &ApiToken| format!("Revoke token “{}”?", token.name)
                    detail
                    yes="Revoke token"
                    yes_busy="Revoking…"
                    on_confirm
                />
            }
        })
    }
}
