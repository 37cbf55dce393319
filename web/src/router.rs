//! The address bar as signals: the path picks the page, the search holds the page's view.
//!
//! A few lines over the History API instead of leptos_router: the console has four fixed pages, and the
//! sessions page reads its search with `form_urlencoded` (see `address.rs`), so a router would add size
//! without adding anything else.

use leptos::ev::MouseEvent;
use leptos::prelude::*;

use crate::route::Route;

/// The current address; `go` adds a history entry, Back and Forward update the signals.
#[derive(Clone, Copy)]
pub struct Router {
    path: RwSignal<String>,
    search: RwSignal<String>,
    route: Memo<Route>,
}

impl Router {
    /// Follows the address bar for as long as the calling component lives.
    pub fn new() -> Router {
        let path = RwSignal::new(current_path());
        let search = RwSignal::new(current_search());
        let route = Memo::new(move |_| path.with(|p| Route::from_path(p)));
        let router = Router {
            path,
            search,
            route,
        };
        let listener = window_event_listener(leptos::ev::popstate, move |_| router.sync());
        on_cleanup(move || listener.remove());
        router
    }

    /// The page the address names.
    pub fn route(&self) -> Memo<Route> {
        self.route
    }

    /// `location.search`, with its `?` (empty when there is none).
    pub fn search(&self) -> Signal<String> {
        self.search.into()
    }

    /// Path and search as they are now, to come back to: `/?sort=name`.
    pub fn current(&self) -> String {
        format!("{}{}", current_path(), current_search())
    }

    /// Opens `url` (a path with its search) as a new history entry, unless it is the current one.
    pub fn go(&self, url: &str) {
        self.change(url, false);
    }

    /// Opens `url` in place of the current history entry, so Back skips what is left.
    pub fn replace(&self, url: &str) {
        self.change(url, true);
    }

    fn change(&self, url: &str, replace: bool) {
        if url != self.current()
            && let Ok(history) = window().history()
        {
            let state = wasm_bindgen::JsValue::NULL;
            // Cannot fail for a same-origin URL; if it did, the page still changes, only unrecorded.
            let _ = if replace {
                history.replace_state_with_url(&state, "", Some(url))
            } else {
                history.push_state_with_url(&state, "", Some(url))
            };
        }
        self.sync();
    }

    /// Copies the address bar into the signals, notifying only what changed.
    fn sync(&self) {
        let (path, search) = (current_path(), current_search());
        if self.path.with_untracked(|p| *p != path) {
            self.path.set(path);
        }
        if self.search.with_untracked(|s| *s != search) {
            self.search.set(search);
        }
    }

    /// For an `<a href>`'s click: opens `href` in the app, unless the click asks for a new tab or window.
    pub fn follow(&self, ev: MouseEvent, href: &str) {
        if ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key()) {
            ev.prevent_default();
            self.go(href);
        }
    }
}

fn current_path() -> String {
    window()
        .location()
        .pathname()
        .unwrap_or_else(|_| "/".into())
}

fn current_search() -> String {
    window().location().search().unwrap_or_default()
}
