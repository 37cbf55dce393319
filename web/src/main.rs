//! Sessions Console in the browser: a client-side rendered Leptos app talking to `/api/v1`.

mod address;
mod api;
mod auth;
mod browser;
mod checks;
mod components;
mod format;
mod live;
mod pages;
mod route;
mod router;
mod sorted_set;
mod status_filter;
mod submission;
mod usage_range;

use leptos::prelude::*;
use shared::Scope;

use crate::api::ApiError;
use crate::auth::{Auth, SignIn};
use crate::components::notice::{Forbidden, NotFound, SignInUnknown, Starting};
use crate::components::top_bar::TopBar;
use crate::pages::audit::AuditPage;
use crate::pages::login::LoginPage;
use crate::pages::sessions::SessionsPage;
use crate::pages::settings::SettingsPage;
use crate::route::{Route, login_url};
use crate::router::Router;

fn main() {
    // Panic messages in the browser console help while developing; the release build leaves out the
    // hook and the formatting it pulls in.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// What fills the window.
#[derive(Debug, Clone, PartialEq)]
enum Screen {
    /// Waiting for the server to say who is signed in, or for the way to the sign-in page.
    Starting,
    SignInUnknown(ApiError),
    Login,
    /// The top bar over the page the address names.
    Console,
}

/// The console: the sign-in page, or the top bar over the page the address names.
#[component]
fn App() -> impl IntoView {
    let router = Router::new();
    let auth = Auth::new();
    provide_context(router);
    provide_context(auth);
    api::on_signed_out(move || auth.signed_out());
    auth.check(router);

    // Whoever is signed out goes to the sign-in page, and comes back here afterwards.
    Effect::new(move |_| {
        let signed_out = auth.state().with(|s| *s == SignIn::SignedOut);
        if signed_out && router.route().get() != Route::Login {
            router.replace(&login_url(&router.current()));
        }
    });

    let screen = Memo::new(move |_| match (auth.state().get(), router.route().get()) {
        (SignIn::Checking, _) => Screen::Starting,
        (SignIn::Unknown(error), _) => Screen::SignInUnknown(error),
        (_, Route::Login) => Screen::Login,
        (SignIn::SignedOut, _) => Screen::Starting,
        (SignIn::SignedIn(_), _) => Screen::Console,
    });
    // Read once: the identity only changes through the sign-in page, which leaves the console.
    let admin = move || untrack(|| auth.may(Scope::Admin));
    let page = move || match router.route().get() {
        Route::Sessions => view! { <SessionsPage /> }.into_any(),
        Route::Audit if admin() => view! { <AuditPage /> }.into_any(),
        Route::Settings if admin() => view! { <SettingsPage /> }.into_any(),
        Route::Audit | Route::Settings => view! { <Forbidden /> }.into_any(),
        Route::NotFound => view! { <NotFound /> }.into_any(),
        // Only for the moment the console is on its way out to the sign-in page.
        Route::Login => ().into_any(),
    };
    move || match screen.get() {
        Screen::Starting => view! { <Starting /> }.into_any(),
        Screen::SignInUnknown(error) => {
            view! { <SignInUnknown error on_retry=Callback::new(move |()| auth.check(router)) /> }
                .into_any()
        }
        Screen::Login => view! { <LoginPage /> }.into_any(),
        Screen::Console => view! {
            <div class="app">
                <TopBar />
                {page}
            </div>
        }
        .into_any(),
    }
}
