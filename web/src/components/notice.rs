//! Whole-page notices: instead of a page, a short word on why there is none.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::route::HOME;
use crate::router::Router;

/// The quiet screen shown while the console finds out who is signed in.
#[component]
pub fn Starting() -> impl IntoView {
    view! {
        <div class="starting" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span class="visually-hidden">"Loading the console…"</span>
        </div>
    }
}

/// Start-up could not learn who is signed in: why, and a way to ask again.
#[component]
pub fn SignInUnknown(error: ApiError, on_retry: Callback<()>) -> impl IntoView {
    view! {
        <div class="centered">
            <div class="card notice-card" role="alert">
                <h1>{error.title()}</h1>
                <p>{error.detail()}</p>
                <button type="button" class="button primary" on:click=move |_| on_retry.run(())>
                    "Try again"
                </button>
            </div>
        </div>
    }
}

/// In place of a page the signed-in identity may not open.
#[component]
pub fn Forbidden() -> impl IntoView {
    view! {
        <main class="page">
            <div class="card notice-card" id="forbidden" role="alert">
                <h1>"Not allowed"</h1>
                <p>"Only administrators can open this page. Ask one if you need it."</p>
                <HomeLink />
            </div>
        </main>
    }
}

/// In place of a page the address names but that does not exist.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main class="page">
            <div class="card notice-card" id="not-found" role="alert">
                <h1>"No such page"</h1>
                <p>"The address does not name a page of the console."</p>
                <HomeLink />
            </div>
        </main>
    }
}

/// A link back to the sessions list.
#[component]
fn HomeLink() -> impl IntoView {
    let router = expect_context::<Router>();
    view! {
        <a class="button primary" href=HOME on:click=move |ev| router.follow(ev, HOME)>
            "Go to the sessions"
        </a>
    }
}
