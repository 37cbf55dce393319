//! Sessions Console in the browser: a client-side rendered Leptos app talking to `/api/v1`.

mod address;
mod api;
mod browser;
mod components;
mod format;
mod pages;

use leptos::prelude::*;

use crate::pages::sessions::SessionsPage;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The console: a top bar over the sessions page.
#[component]
fn App() -> impl IntoView {
    view! {
        <div class="app">
            <header class="topbar">
                <span class="brand">"Sessions Console"</span>
                <span class="brand-sub">"Streaming apps · administration"</span>
            </header>
            <SessionsPage />
        </div>
    }
}
