//! Behind a reverse proxy: `X-Forwarded-For`, `-Proto` and `-Host` count only from `--trusted-proxy`
//! peers (the test server's clients all connect from 127.0.0.1).

use api::client::{TrustedProxies, parse_network};
use reqwest::Response;
use serde_json::json;

use crate::helpers::{
    ADMIN_PASSWORD, TestApp, assert_problem, sign_in_set_cookie, spawn_app, spawn_app_with,
};

async fn login(app: &TestApp, username: &str, headers: &[(&str, &str)]) -> Response {
    login_as(app, username, ADMIN_PASSWORD, headers).await
}

async fn login_as(
    app: &TestApp,
    username: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> Response {
    let mut request = app
        .anonymous()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "username": username, "password": password }));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

/// A server that trusts the forwarded headers of its test clients' address.
pub async fn behind_a_trusted_proxy() -> TestApp {
    spawn_app_with(|settings| {
        settings.trusted_proxies = TrustedProxies(vec![parse_network("127.0.0.0/8").unwrap()]);
    })
    .await
}

/// The address the newest sign-in entry of the audit log recorded.
fn audited_address(app: &TestApp) -> Option<String> {
    app.audit_of("auth.login").last().unwrap().address.clone()
}

const FORWARDED: [(&str, &str); 3] = [
    ("X-Forwarded-For", "198.51.100.1, 203.0.113.9"),
    ("X-Forwarded-Proto", "https"),
    ("X-Forwarded-Host", "console.example"),
];

#[actix_web::test]
async fn forwarded_headers_from_a_peer_that_is_no_trusted_proxy_are_ignored() {
    let app = spawn_app().await;
    let response = login(&app, "admin", &FORWARDED).await;
    assert_eq!(response.status(), 200);
    let cookie = sign_in_set_cookie(&response).unwrap();
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert_eq!(audited_address(&app).as_deref(), Some("127.0.0.1"));

    let mut headers = FORWARDED.to_vec();
    headers.push(("Origin", "https://console.example"));
    let response = login(&app, "admin", &headers).await;
    assert_problem(response, 403, "is not this console").await;
}

#[actix_web::test]
async fn a_trusted_proxy_says_who_the_client_is_how_it_came_and_what_it_asked_for() {
    let app = behind_a_trusted_proxy().await;
    let mut headers = FORWARDED.to_vec();
    headers.push(("Origin", "https://console.example"));
    let response = login(&app, "admin", &headers).await;
    assert_eq!(response.status(), 200);
    let cookie = sign_in_set_cookie(&response).unwrap();
    assert!(cookie.starts_with("__Host-"), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
    // The rightmost address the proxy did not add itself: what the client wrote left of it is not
    // vouched for.
    assert_eq!(audited_address(&app).as_deref(), Some("203.0.113.9"));

    let direct = login(&app, "admin", &[]).await;
    assert_eq!(direct.status(), 200);
    assert!(!sign_in_set_cookie(&direct).unwrap().contains("Secure"));
    assert_eq!(audited_address(&app).as_deref(), Some("127.0.0.1"));
}

/// 20 failed sign-ins from one address, each for another username so that no username's own limit is
/// reached, throttle the address (README: "20 from one address").
async fn fail_twenty_times(app: &TestApp, headers: &[(&str, &str)]) {
    for attempt in 0..20 {
        let response = login(app, &format!("nobody{attempt}"), headers).await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
}

#[actix_web::test]
async fn throttling_counts_the_address_a_trusted_proxy_reports() {
    let app = behind_a_trusted_proxy().await;
    let from = |address: &'static str| [("X-Forwarded-For", address)];
    fail_twenty_times(&app, &from("203.0.113.9")).await;
    let again = login(&app, "nobody-else", &from("203.0.113.9")).await;
    assert_eq!(again.status(), 429);
    let elsewhere = login(&app, "nobody-else", &from("198.51.100.7")).await;
    assert_eq!(elsewhere.status(), 401, "another client is not throttled");
}

#[actix_web::test]
async fn a_client_cannot_dodge_throttling_by_writing_its_own_forwarded_for() {
    let app = spawn_app().await;
    fail_twenty_times(&app, &[("X-Forwarded-For", "203.0.113.9")]).await;
    let response = login(&app, "nobody-else", &[("X-Forwarded-For", "198.51.100.7")]).await;
    assert_eq!(response.status(), 429);
}

/// A guesser at one address locks out only itself: the account's owner elsewhere still signs in.
#[actix_web::test]
async fn a_guesser_at_one_address_does_not_lock_the_owner_out_at_another() {
    let app = behind_a_trusted_proxy().await;
    let from = |address: &'static str| [("X-Forwarded-For", address)];
    for attempt in 0..5 {
        let response = login_as(&app, "admin", "wrong password!", &from("203.0.113.9")).await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }
    let guesser = login_as(
        &app,
        "admin",
        crate::helpers::ADMIN_PASSWORD,
        &from("203.0.113.9"),
    )
    .await;
    assert_eq!(guesser.status(), 429);
    let owner = login_as(
        &app,
        "admin",
        crate::helpers::ADMIN_PASSWORD,
        &from("198.51.100.7"),
    )
    .await;
    assert_eq!(owner.status(), 200);
}

/// Guessing spread over many addresses meets the account's own ceiling of 50 failures.
#[actix_web::test]
async fn guessing_spread_over_many_addresses_locks_the_account_after_fifty_failures() {
    let app = behind_a_trusted_proxy().await;
    for attempt in 0..50 {
        let address = format!("203.0.113.{}", attempt / 4 + 1);
        let response = login_as(
            &app,
            "admin",
            "wrong password!",
            &[("X-Forwarded-For", address.as_str())],
        )
        .await;
        assert_eq!(response.status(), 401, "attempt {attempt} from {address}");
    }
    let fresh = login_as(
        &app,
        "admin",
        crate::helpers::ADMIN_PASSWORD,
        &[("X-Forwarded-For", "198.51.100.7")],
    )
    .await;
    assert_eq!(fresh.status(), 429);
}
