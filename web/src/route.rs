//! The pages of the console and the addresses that lead to them, without the browser, so `cargo test -p
//! web` checks them on the host.

/// A page of the console, chosen by the address's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Login,
    Sessions,
    Audit,
    Settings,
    NotFound,
}

/// Where the sign-in page sends the administrator when the address names nowhere (or nowhere safe).
pub const HOME: &str = "/";
/// The sign-in page's path.
pub const LOGIN: &str = "/login";

/// Longest `next` accepted: a real view's address is far shorter.
const MAX_NEXT_CHARS: usize = 2048;

impl Route {
    /// The page at `path` (`location.pathname`); one trailing slash does not matter.
    pub fn from_path(path: &str) -> Route {
        let path = match path.strip_suffix('/') {
            Some(trimmed) if !trimmed.is_empty() => trimmed,
            _ => path,
        };
        match path {
            "" | "/" => Route::Sessions,
            LOGIN => Route::Login,
            "/audit" => Route::Audit,
            "/settings" => Route::Settings,
            _ => Route::NotFound,
        }
    }

    /// The path of the page; `/` for an unknown one.
    pub fn path(self) -> &'static str {
        match self {
            Route::Login => LOGIN,
            Route::Sessions | Route::NotFound => HOME,
            Route::Audit => "/audit",
            Route::Settings => "/settings",
        }
    }
}

/// `next` when it is an address on this site (a path starting with a single `/`), so the sign-in page
/// cannot be used to send someone elsewhere: `//evil.example`, `/\evil.example` and `https://…` are
/// refused, and so are control characters, which browsers drop from URLs (`/\t/evil.example`).
pub fn safe_next(next: &str) -> Option<&str> {
    let mut chars = next.chars();
    let same_site = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && next.len() <= MAX_NEXT_CHARS
        && !next.chars().any(|c| c.is_control() || c == '\\');
    // Back to the sign-in page would be a loop.
    let login = Route::from_path(next.split(['?', '#']).next().unwrap_or_default()) == Route::Login;
    (same_site && !login).then_some(next)
}

/// Where to go after signing in, from the sign-in page's `location.search`: its safe `next`, or `/`.
pub fn next_from_search(search: &str) -> String {
    form_urlencoded::parse(search.trim_start_matches('?').as_bytes())
        .find(|(name, _)| name == "next")
        .and_then(|(_, next)| safe_next(&next).map(str::to_owned))
        .unwrap_or_else(|| HOME.to_owned())
}

/// The sign-in page's address, coming back to `next` (a path with its search) afterwards.
pub fn login_url(next: &str) -> String {
    match safe_next(next) {
        Some(next) => {
            let mut url =
                form_urlencoded::Serializer::for_suffix(format!("{LOGIN}?"), LOGIN.len() + 1);
            url.append_pair("next", next);
            url.finish()
        }
        None => LOGIN.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_pages() {
        assert_eq!(Route::from_path("/"), Route::Sessions);
        assert_eq!(Route::from_path(""), Route::Sessions);
        assert_eq!(Route::from_path("/login"), Route::Login);
        assert_eq!(Route::from_path("/audit/"), Route::Audit);
        assert_eq!(Route::from_path("/settings"), Route::Settings);
        assert_eq!(Route::from_path("/settings/x"), Route::NotFound);
        assert_eq!(Route::from_path("/Audit"), Route::NotFound);
    }

    #[test]
    fn every_page_is_found_at_its_own_path() {
        for route in [Route::Login, Route::Sessions, Route::Audit, Route::Settings] {
            assert_eq!(Route::from_path(route.path()), route);
        }
    }

    #[test]
    fn next_accepts_paths_of_this_site() {
        assert_eq!(safe_next("/"), Some("/"));
        assert_eq!(
            safe_next("/?sort=name&contains=a%2Fb"),
            Some("/?sort=name&contains=a%2Fb")
        );
        assert_eq!(safe_next("/audit"), Some("/audit"));
    }

    #[test]
    fn next_refuses_other_sites_and_odd_paths() {
        for bad in [
            "",
            "audit",
            "//evil.example",
            "//evil.example/x",
            "/\\evil.example",
            "/a\\b",
            "https://evil.example",
            "javascript:alert(1)",
            " /audit",
            "/\t/evil.example",
            "/\n/evil.example",
            "/login",
            "/login?next=/audit",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?} must be refused");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(MAX_NEXT_CHARS))), None);
    }

    #[test]
    fn the_login_address_carries_where_to_come_back() {
        assert_eq!(login_url("/"), "/login?next=%2F");
        assert_eq!(login_url("/audit"), "/login?next=%2Faudit");
        assert_eq!(
            login_url("/?sort=name&order=desc"),
            "/login?next=%2F%3Fsort%3Dname%26order%3Ddesc"
        );
        assert_eq!(login_url("//evil.example"), "/login");
    }

    #[test]
    fn next_round_trips_through_the_login_address() {
        let view = "/?sort=name&contains=jo+%26+100%25";
        let login = login_url(view);
        let search = login.strip_prefix("/login").unwrap();
        assert_eq!(next_from_search(search), view);
    }

    #[test]
    fn a_missing_or_unsafe_next_goes_home() {
        assert_eq!(next_from_search(""), "/");
        assert_eq!(next_from_search("?next=%2F%2Fevil.example"), "/");
        assert_eq!(next_from_search("?next=https%3A%2F%2Fevil.example"), "/");
        assert_eq!(next_from_search("?next=%2Fsettings"), "/settings");
    }
}
