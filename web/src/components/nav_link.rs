use leptos::prelude::*;

use crate::route::Route;
use crate::router::Router;

/// A link to a page of the console, opened in place, and marked while that page is open.
#[component]
pub fn NavLink(route: Route, id: &'static str, label: &'static str) -> impl IntoView {
    let router = expect_context::<Router>();
    let current = move || router.route().get() == route;
    view! {
        <a
            id=id
            class="nav-link"
            href=route.path()
            aria-current=move || current().then_some("page")
            on:click=move |ev| router.follow(ev, route.path())
        >
            {label}
        </a>
    }
}
