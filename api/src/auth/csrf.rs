//! Cross-site request forgery defence for cookie sign-ins, two layers deep: the browser's own word on
//! where a request comes from (`Sec-Fetch-Site`, `Origin`) must say this site, and every unsafe request
//! must repeat the sign-in's CSRF token in a header, which another site cannot read nor set. SameSite=Strict
//! on the cookie is a third. Requests with a bearer token carry no ambient credential and need none of it.

use actix_web::http::header::{HeaderMap, ORIGIN};
use shared::CSRF_HEADER;

use super::secrets::same_secret;
use crate::error::ApiError;

/// Refuses a request a browser says comes from another site. `host` is the request's own `Host`.
pub fn check_same_origin(headers: &HeaderMap, host: &str) -> Result<(), ApiError> {
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.as_bytes(), b"same-origin" | b"none")
    {
        return Err(ApiError::Forbidden(
            "cross-site request refused (Sec-Fetch-Site); use the console's own address".to_owned(),
        ));
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let authority = origin
            .to_str()
            .ok()
            .and_then(|origin| origin.split_once("://"))
            .map(|(_, authority)| authority);
        if authority.is_none_or(|authority| !authority.eq_ignore_ascii_case(host)) {
            return Err(ApiError::Forbidden(format!(
                "cross-origin request refused: Origin {} is not this console ({host})",
                origin.to_str().unwrap_or("(unreadable)")
            )));
        }
    }
    Ok(())
}

/// Refuses an unsafe request that does not repeat the sign-in's CSRF token.
pub fn check_token(headers: &HeaderMap, expected: &str) -> Result<(), ApiError> {
    let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    match sent {
        Some(sent) if same_secret(sent, expected) => Ok(()),
        Some(_) => Err(ApiError::Forbidden(format!(
            "{CSRF_HEADER}: the token does not belong to this sign-in; take csrf_token from GET /api/v1/auth/me"
        ))),
        None => Err(ApiError::Forbidden(format!(
            "{CSRF_HEADER}: required on POST, PUT, PATCH and DELETE with a sign-in cookie; \
             take csrf_token from GET /api/v1/auth/me"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    #[test]
    fn same_origin_requests_pass() {
        let sent = headers(&[
            ("origin", "http://console.example:8080"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(check_same_origin(&sent, "console.example:8080").is_ok());
        assert!(check_same_origin(&HeaderMap::new(), "console.example:8080").is_ok());
    }

    #[test]
    fn other_origins_are_refused() {
        for sent in [
            headers(&[("origin", "https://evil.example")]),
            headers(&[("origin", "null")]),
            headers(&[("sec-fetch-site", "cross-site")]),
            headers(&[("sec-fetch-site", "same-site")]),
        ] {
            assert!(check_same_origin(&sent, "console.example:8080").is_err());
        }
    }

    #[test]
    fn the_token_must_match() {
        assert!(check_token(&headers(&[("x-csrf-token", "abc")]), "abc").is_ok());
        assert!(check_token(&headers(&[("x-csrf-token", "abd")]), "abc").is_err());
        assert!(check_token(&HeaderMap::new(), "abc").is_err());
    }
}
