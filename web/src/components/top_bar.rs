use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{PrincipalKind, Scope};

use crate::api;
use crate::auth::Auth;
use crate::components::nav_link::NavLink;
use crate::route::{LOGIN, Route};
use crate::router::Router;

/// The bar over every page: the brand, the pages this identity may open, who is signed in, Sign out.
#[component]
pub fn TopBar() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let router = expect_context::<Router>();
    let identity = untrack(|| auth.identity());
    let admin = untrack(|| auth.may(Scope::Admin));
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let sign_out = move |_| {
        busy.set(true);
        failure.set(None);
        spawn_local(async move {
            match api::logout().await {
                // 401: the sign-in was already gone, which is what was asked.
                Err(error) if error.status() != Some(401) => {
                    busy.set(false);
                    failure.set(Some(format!("Not signed out. {error}")));
                }
                _ => {
                    router.go(LOGIN);
                    auth.signed_out();
                }
            }
        });
    };
    let who = identity.map(|identity| {
        let what = match (identity.kind, identity.role) {
            (PrincipalKind::Token, _) => "API token".to_owned(),
            (PrincipalKind::Account, Some(role)) => role.to_string(),
            (PrincipalKind::Account, None) => "no role".to_owned(),
        };
        view! {
            <span id="signed-in-as" class="signed-in-as">
                "Signed in as " <strong>{identity.name}</strong> " (" {what} ")"
            </span>
        }
    });
    view! {
        <header class="topbar">
            <span class="brand">"Sessions Console"</span>
            <nav class="nav" aria-label="Pages">
                <NavLink route=Route::Sessions id="nav-sessions" label="Sessions" />
                <Show when=move || admin>
                    <NavLink route=Route::Audit id="nav-audit" label="Audit" />
                    <NavLink route=Route::Settings id="nav-settings" label="Settings" />
                </Show>
            </nav>
            <div class="account">
                <span class="sign-out-error" role="alert">
                    {move || failure.get()}
                </span>
                {who}
                <button
                    type="button"
                    id="sign-out"
                    class="button topbar-button"
                    disabled=move || busy.get()
                    on:click=sign_out
                >
                    {move || if busy.get() { "Signing out…" } else { "Sign out" }}
                </button>
            </div>
        </header>
    }
}
