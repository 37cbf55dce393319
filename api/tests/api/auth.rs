//! Signing in with a password: the cookie, who is signed in, signing out, CSRF defence, throttling of
//! password guessing, and the ways a sign-in ends.

use reqwest::Response;
use serde_json::{Value, json};
use shared::Role;
use shared::SessionStatus::Connected;

use crate::helpers::{
    ADMIN_PASSWORD, TestApp, assert_problem, details, now, sign_in_set_cookie, spawn_app,
    started_an_hour_ago,
};

const LOGIN: &str = "/api/v1/auth/login";
const ME: &str = "/api/v1/auth/me";
const LOGOUT: &str = "/api/v1/auth/logout";
const WRONG_PASSWORD: &str = "Tr0ub4dor&3-not-it";

async fn me(client: &reqwest::Client, app: &TestApp) -> Response {
    client.get(app.url(ME)).send().await.unwrap()
}

/// How a refusal looks from outside: everything a client could tell two refusals apart by.
async fn outward(response: Response) -> (u16, Option<String>, Option<String>, Value) {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (content_type, challenge) = (header("content-type"), header("www-authenticate"));
    let status = response.status().as_u16();
    let mut body: Value = response.json().await.unwrap();
    // Each answer's own id, the same for every kind of answer.
    assert!(body["request_id"].is_string());
    body["request_id"] = Value::Null;
    (status, content_type, challenge, body)
}

#[actix_web::test]
async fn signing_in_answers_the_identity_and_sets_a_strict_http_only_cookie() {
    let app = spawn_app().await;
    let response = app
        .post_login(&app.anonymous(), "admin", ADMIN_PASSWORD)
        .await;
    assert_eq!(response.status(), 200);
    let cookie = sign_in_set_cookie(&response).expect("the sign-in cookie is set");
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(
        attributes[0].len() > "sessions_console=".len() + 40,
        "{cookie}"
    );
    for wanted in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(attributes.contains(&wanted), "{wanted} in {cookie}");
    }
    assert!(
        !attributes.contains(&"Secure"),
        "no Secure over http: {cookie}"
    );

    let identity: Value = response.json().await.unwrap();
    assert_eq!(identity["kind"], "account");
    assert_eq!(identity["name"], "admin");
    assert_eq!(identity["role"], "admin");
    assert_eq!(
        identity["scopes"],
        json!(["sessions:read", "sessions:kill", "sessions:export", "admin"])
    );
    assert_eq!(identity["csrf_token"].as_str().unwrap().len(), 43);
    let expires = chrono::DateTime::parse_from_rfc3339(identity["expires_at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    assert!((expires - (now() + 12 * 3600)).abs() <= 5, "{expires}");
}

#[actix_web::test]
async fn behind_an_https_proxy_the_cookie_is_secure() {
    // Only a trusted proxy's X-Forwarded-Proto counts (see proxy.rs).
    let app = crate::proxy::behind_a_trusted_proxy().await;
    let response = app
        .anonymous()
        .post(app.url(LOGIN))
        .header("X-Forwarded-Proto", "https")
        .json(&json!({ "username": "admin", "password": ADMIN_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let cookie = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|line| line.starts_with("__Host-sessions_console="))
        .expect("the __Host- cookie");
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"Secure"), "{cookie}");
    assert!(attributes.contains(&"Path=/"), "{cookie}");
    assert!(!cookie.contains("Domain"), "{cookie}");

    // Over HTTPS only the prefixed cookie is read: one planted without the prefix counts for nothing.
    let value = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    let me = |name: &str| {
        app.anonymous()
            .get(app.url("/api/v1/auth/me"))
            .header("X-Forwarded-Proto", "https")
            .header("Cookie", format!("{name}={value}"))
            .send()
    };
    assert_eq!(me("__Host-sessions_console").await.unwrap().status(), 200);
    assert_eq!(me("sessions_console").await.unwrap().status(), 401);
}

#[actix_web::test]
async fn over_plain_http_there_is_no_hsts_and_the_cookie_has_no_prefix() {
    let app = spawn_app().await;
    let response = app
        .post_login(&app.anonymous(), "admin", ADMIN_PASSWORD)
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none()
    );
    let cookie = sign_in_set_cookie(&response).expect("the plain cookie");
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[actix_web::test]
async fn usernames_are_case_insensitive() {
    let app = spawn_app().await;
    app.add_account("Maria.Lopez", Role::Viewer, "maria's password!");
    for (typed, password, canonical) in [
        ("ADMIN", ADMIN_PASSWORD, "admin"),
        (" Admin ", ADMIN_PASSWORD, "admin"),
        ("maria.lopez", "maria's password!", "maria.lopez"),
        ("MARIA.LOPEZ", "maria's password!", "maria.lopez"),
    ] {
        let response = app.post_login(&app.anonymous(), typed, password).await;
        assert_eq!(response.status(), 200, "{typed:?}");
        let identity: Value = response.json().await.unwrap();
        assert_eq!(identity["name"], canonical);
    }
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_username_get_the_same_answer() {
    let app = spawn_app().await;
    let wrong_password = outward(
        app.post_login(&app.anonymous(), "admin", WRONG_PASSWORD)
            .await,
    )
    .await;
    let unknown_user = outward(
        app.post_login(&app.anonymous(), "nobody", "another secret guess")
            .await,
    )
    .await;
    assert_eq!(wrong_password, unknown_user);
    let (status, content_type, challenge, body) = wrong_password;
    assert_eq!(status, 401);
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    assert_eq!(
        challenge.as_deref(),
        Some("Bearer realm=\"sessions-console\"")
    );
    assert_eq!(body["detail"], "Invalid username or password.");

    let failures = app.audit_of("auth.login");
    assert_eq!(failures.len(), 2);
    for (row, tried) in failures.iter().zip(["admin", "nobody"]) {
        assert_eq!(row.outcome, "failure");
        assert_eq!(row.actor_kind, "anonymous");
        assert_eq!(row.actor, tried);
        assert_eq!(row.address.as_deref(), Some("127.0.0.1"));
    }
    for row in app.audit_log() {
        for password in [WRONG_PASSWORD, "another secret guess", ADMIN_PASSWORD] {
            assert!(
                !row.details.contains(password) && !row.actor.contains(password),
                "a password in the audit log: {row:?}"
            );
        }
    }
}

#[actix_web::test]
async fn a_disabled_account_cannot_sign_in_and_its_sign_ins_end() {
    let app = spawn_app().await;
    app.add_account("dora", Role::Operator, "dora's password!");
    let signed_in = app.sign_in("dora", "dora's password!").await;
    assert_eq!(me(&signed_in.client, &app).await.status(), 200);

    let mut conn = app.pool().get().unwrap();
    api::db::accounts::disable_account(&mut conn, "dora", &api::db::audit::Actor::cli(), now())
        .unwrap();
    drop(conn);

    assert_problem(me(&signed_in.client, &app).await, 401, "sign in again").await;
    let refused = outward(
        app.post_login(&app.anonymous(), "dora", "dora's password!")
            .await,
    )
    .await;
    let wrong = outward(
        app.post_login(&app.anonymous(), "dora", WRONG_PASSWORD)
            .await,
    )
    .await;
    assert_eq!(
        refused, wrong,
        "a disabled account looks like a wrong password"
    );
    assert_eq!(refused.0, 401);
    let attempts = app.audit_of("auth.login");
    let last_two: Vec<Value> = attempts[attempts.len() - 2..].iter().map(details).collect();
    assert_eq!(
        last_two,
        [
            json!({ "reason": "the account is disabled" }),
            json!({ "reason": "wrong username or password" })
        ]
    );
}

#[actix_web::test]
async fn me_tells_who_is_signed_in_by_cookie_and_by_token() {
    let app = spawn_app().await;
    app.add_account("vera", Role::Viewer, "vera's password!");
    let signed_in = app.sign_in("vera", "vera's password!").await;
    let response = me(&signed_in.client, &app).await;
    assert_eq!(response.status(), 200);
    let identity: Value = response.json().await.unwrap();
    assert_eq!(identity["kind"], "account");
    assert_eq!(identity["name"], "vera");
    assert_eq!(identity["role"], "viewer");
    assert_eq!(
        identity["scopes"],
        json!(["sessions:read", "sessions:export"])
    );
    assert_eq!(identity["csrf_token"], signed_in.csrf_token.as_str());

    let response = me(&app.client, &app).await;
    assert_eq!(response.status(), 200);
    let identity: Value = response.json().await.unwrap();
    assert_eq!(identity["kind"], "token");
    assert_eq!(identity["name"], "test-suite");
    assert_eq!(identity["role"], Value::Null);
    assert_eq!(identity["csrf_token"], Value::Null);
    assert_eq!(identity["expires_at"], Value::Null);
    assert_eq!(
        identity["scopes"],
        json!([
            "sessions:read",
            "sessions:kill",
            "sessions:export",
            "broker",
            "metrics",
            "admin"
        ])
    );
}

#[actix_web::test]
async fn signing_out_ends_the_sign_in_at_once_and_clears_the_cookie() {
    let app = spawn_app().await;
    let (cookie, csrf) = app.sign_in_by_hand("admin", ADMIN_PASSWORD).await;
    let browser = app.client_with_cookie(&cookie);
    assert_eq!(me(&browser, &app).await.status(), 200);

    let response = browser
        .post(app.url(LOGOUT))
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let cleared = sign_in_set_cookie(&response).expect("the cookie is cleared");
    assert!(cleared.starts_with("sessions_console=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    // A browser that ignored the removal (or a thief with a copy) gets nothing with the old cookie.
    assert_problem(me(&browser, &app).await, 401, "sign in again").await;
    let killed = app
        .client_with_cookie(&cookie)
        .post(app.url(LOGOUT))
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(killed.status(), 401);

    let logouts = app.audit_of("auth.logout");
    assert_eq!(logouts.len(), 1, "one sign-out recorded");
    assert_eq!(logouts[0].actor, "admin");
    assert_eq!(logouts[0].actor_kind, "account");
    assert_eq!(logouts[0].outcome, "success");
    assert_eq!(logouts[0].address.as_deref(), Some("127.0.0.1"));
}

#[actix_web::test]
async fn signing_out_needs_the_csrf_token() {
    let app = spawn_app().await;
    let (cookie, _) = app.sign_in_by_hand("admin", ADMIN_PASSWORD).await;
    let browser = app.client_with_cookie(&cookie);
    let response = browser.post(app.url(LOGOUT)).send().await.unwrap();
    assert_problem(response, 403, "X-CSRF-Token").await;
    assert_eq!(me(&browser, &app).await.status(), 200, "still signed in");
}

/// A signed-in admin's browser and one active session to kill.
async fn admin_browser_and_a_session(app: &TestApp) -> (reqwest::Client, String, i64) {
    let ids = app.insert(&[started_an_hour_ago(Connected)]);
    let (cookie, csrf) = app.sign_in_by_hand("admin", ADMIN_PASSWORD).await;
    (app.client_with_cookie(&cookie), csrf, ids[0])
}

fn kill_url(app: &TestApp, id: i64) -> String {
    app.url(&format!("/api/v1/sessions/{id}/kill"))
}

#[actix_web::test]
async fn a_cookie_kill_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let (browser, _, id) = admin_browser_and_a_session(&app).await;
    let response = browser.post(kill_url(&app, id)).send().await.unwrap();
    assert_problem(response, 403, "X-CSRF-Token: required").await;
    assert_eq!(app.status_in_db(id), "Connected");
    assert!(app.audit_of("sessions.kill").is_empty());
}

#[actix_web::test]
async fn a_cookie_kill_with_a_wrong_csrf_token_is_refused() {
    let app = spawn_app().await;
    let (browser, csrf, id) = admin_browser_and_a_session(&app).await;
    // Another sign-in's token is as wrong as a made-up one.
    let (_, other_csrf) = app.sign_in_by_hand("admin", ADMIN_PASSWORD).await;
    for wrong in [other_csrf.as_str(), "", &csrf[..42], "not-the-token"] {
        let response = browser
            .post(kill_url(&app, id))
            .header("X-CSRF-Token", wrong)
            .send()
            .await
            .unwrap();
        assert_problem(response, 403, "X-CSRF-Token").await;
    }
    assert_eq!(app.status_in_db(id), "Connected");
}

#[actix_web::test]
async fn a_cookie_kill_from_another_site_is_refused_even_with_the_right_token() {
    let app = spawn_app().await;
    let (browser, csrf, id) = admin_browser_and_a_session(&app).await;
    let cases: [(&str, &str, &str); 5] = [
        (
            "origin",
            "https://evil.example",
            "Origin https://evil.example",
        ),
        ("origin", "null", "Origin null"),
        ("sec-fetch-site", "cross-site", "Sec-Fetch-Site"),
        ("sec-fetch-site", "same-site", "Sec-Fetch-Site"),
        (
            "origin",
            "http://127.0.0.1.evil.example",
            "127.0.0.1.evil.example",
        ),
    ];
    for (header, value, mentions) in cases {
        let response = browser
            .post(kill_url(&app, id))
            .header("X-CSRF-Token", &csrf)
            .header(header, value)
            .send()
            .await
            .unwrap();
        assert_problem(response, 403, mentions).await;
    }
    assert_eq!(app.status_in_db(id), "Connected");
}

#[actix_web::test]
async fn a_cookie_kill_from_the_console_itself_with_the_token_succeeds() {
    let app = spawn_app().await;
    let (browser, csrf, id) = admin_browser_and_a_session(&app).await;
    let response = browser
        .post(kill_url(&app, id))
        .header("X-CSRF-Token", &csrf)
        .header("Origin", &app.address)
        .header("Sec-Fetch-Site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let killed: Value = response.json().await.unwrap();
    assert_eq!(killed["status"], "Killed");
    assert_eq!(killed["killed_by"], "admin");
    assert_eq!(app.status_in_db(id), "Killed");
}

#[actix_web::test]
async fn reading_with_the_cookie_needs_no_csrf_token() {
    let app = spawn_app().await;
    let (browser, _, id) = admin_browser_and_a_session(&app).await;
    let today = chrono::Utc::now().date_naive().to_string();
    for path in [
        "/api/v1/sessions".to_owned(),
        format!("/api/v1/sessions/{id}"),
        format!("/api/v1/sessions/export?from={today}&to={today}"),
        "/api/v1/tokens".to_owned(),
        "/api/v1/audit".to_owned(),
        ME.to_owned(),
    ] {
        let response = browser.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
}

#[actix_web::test]
async fn a_token_needs_no_csrf_token_whatever_the_origin() {
    let app = spawn_app().await;
    let ids = app.insert(&[started_an_hour_ago(Connected)]);
    let response = app
        .client
        .post(kill_url(&app, ids[0]))
        .header("Origin", "https://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[actix_web::test]
async fn a_sign_in_from_another_site_is_refused() {
    let app = spawn_app().await;
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let response = app
            .anonymous()
            .post(app.url(LOGIN))
            .header(header, value)
            .json(&json!({ "username": "admin", "password": ADMIN_PASSWORD }))
            .send()
            .await
            .unwrap();
        assert!(sign_in_set_cookie(&response).is_none(), "no cookie is set");
        assert_problem(response, 403, "refused").await;
    }
    assert!(app.audit_of("auth.login").is_empty(), "no sign-in happened");
    let same_site = app
        .anonymous()
        .post(app.url(LOGIN))
        .header("Origin", &app.address)
        .json(&json!({ "username": "admin", "password": ADMIN_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), 200);
}

async fn assert_throttled(response: Response) {
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "Retry-After: {wait}");
    let body = assert_problem(response, 429, "Too many failed sign-ins").await;
    assert_eq!(
        body["type"],
        "urn:sessions-console:problem:too-many-requests"
    );
}

#[actix_web::test]
async fn five_wrong_passwords_lock_the_username_even_against_the_right_one() {
    let app = spawn_app().await;
    // However the username is typed, it is one account.
    for typed in ["admin", "Admin", "ADMIN", " admin", "admin"] {
        let response = app
            .post_login(&app.anonymous(), typed, WRONG_PASSWORD)
            .await;
        assert_problem(response, 401, "Invalid username or password").await;
    }
    assert_throttled(
        app.post_login(&app.anonymous(), "admin", ADMIN_PASSWORD)
            .await,
    )
    .await;
    assert_throttled(
        app.post_login(&app.anonymous(), "aDmIn", ADMIN_PASSWORD)
            .await,
    )
    .await;
    // One entry counting the five (two, should a minute end in between).
    let tried: i32 = app.audit_of("auth.login").iter().map(|row| row.count).sum();
    assert_eq!(tried, 5, "refused attempts are not even tried");
}

#[actix_web::test]
async fn other_usernames_from_the_same_address_are_refused_only_after_twenty_failures() {
    let app = spawn_app().await;
    app.add_account("olga", Role::Operator, "olga's password!");
    for _ in 0..5 {
        app.post_login(&app.anonymous(), "admin", WRONG_PASSWORD)
            .await;
    }
    assert_throttled(
        app.post_login(&app.anonymous(), "admin", ADMIN_PASSWORD)
            .await,
    )
    .await;
    // 5 failures so far from this address; 15 more with other usernames are still answered.
    for n in 0..15 {
        let response = app
            .post_login(&app.anonymous(), &format!("user{n}"), WRONG_PASSWORD)
            .await;
        assert_problem(response, 401, "Invalid username or password").await;
    }
    assert_throttled(
        app.post_login(&app.anonymous(), "olga", "olga's password!")
            .await,
    )
    .await;
}

#[actix_web::test]
async fn a_successful_sign_in_forgives_the_usernames_earlier_failures() {
    let app = spawn_app().await;
    for _ in 0..4 {
        app.post_login(&app.anonymous(), "admin", WRONG_PASSWORD)
            .await;
    }
    assert_eq!(
        app.post_login(&app.anonymous(), "admin", ADMIN_PASSWORD)
            .await
            .status(),
        200
    );
    for _ in 0..4 {
        let response = app
            .post_login(&app.anonymous(), "admin", WRONG_PASSWORD)
            .await;
        assert_eq!(response.status(), 401);
    }
    assert_eq!(
        app.post_login(&app.anonymous(), "admin", ADMIN_PASSWORD)
            .await
            .status(),
        200
    );
}

/// Asserts a 401 that tells the browser to forget its cookie.
async fn assert_ended(response: Response) {
    let cleared = sign_in_set_cookie(&response).expect("the cookie is cleared");
    assert!(cleared.starts_with("sessions_console=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_problem(response, 401, "your sign-in has expired or ended").await;
}

#[actix_web::test]
async fn a_sign_in_ends_after_thirty_idle_minutes_and_the_cookie_is_cleared() {
    let app = spawn_app().await;
    let (cookie, _) = app.sign_in_by_hand("admin", ADMIN_PASSWORD).await;
    let browser = app.client_with_cookie(&cookie);
    app.execute("UPDATE console_sessions SET last_seen_at = last_seen_at - 29 * 60");
    assert_eq!(me(&browser, &app).await.status(), 200, "29 idle minutes");
    // That request counted as activity: the sign-in is fresh again.
    app.execute("UPDATE console_sessions SET last_seen_at = last_seen_at - 29 * 60");
    assert_eq!(me(&browser, &app).await.status(), 200, "29 more");
    app.execute("UPDATE console_sessions SET last_seen_at = last_seen_at - 31 * 60");
    assert_ended(me(&browser, &app).await).await;
}

#[actix_web::test]
async fn a_sign_in_ends_twelve_hours_after_it_started_however_active() {
    let app = spawn_app().await;
    let (cookie, _) = app.sign_in_by_hand("admin", ADMIN_PASSWORD).await;
    let browser = app.client_with_cookie(&cookie);
    app.execute(&format!(
        "UPDATE console_sessions SET expires_at = {}",
        crate::helpers::now() - 1
    ));
    assert_ended(me(&browser, &app).await).await;
}

#[actix_web::test]
async fn changing_the_password_ends_every_sign_in_of_the_account() {
    let app = spawn_app().await;
    app.add_account("olga", Role::Operator, "olga's password!");
    let first = app.sign_in("admin", ADMIN_PASSWORD).await;
    let second = app.sign_in("admin", ADMIN_PASSWORD).await;
    let other = app.sign_in("olga", "olga's password!").await;

    let mut conn = app.pool().get().unwrap();
    let hash = api::auth::password::hash_password("a brand new password").unwrap();
    api::db::accounts::change_password(
        &mut conn,
        "admin",
        &hash,
        &api::db::audit::Actor::cli(),
        now(),
    )
    .unwrap();
    drop(conn);

    assert_problem(me(&first.client, &app).await, 401, "sign in again").await;
    assert_problem(me(&second.client, &app).await, 401, "sign in again").await;
    assert_eq!(me(&other.client, &app).await.status(), 200, "olga stays");
    assert_eq!(
        app.post_login(&app.anonymous(), "admin", ADMIN_PASSWORD)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.post_login(&app.anonymous(), "admin", "a brand new password")
            .await
            .status(),
        200
    );
    let changes = app.audit_of("account.password");
    assert_eq!(changes.len(), 1);
    assert_eq!(details(&changes[0]), json!({ "account": "admin" }));
}

/// A flood of sign-ins is not queued behind Argon2: beyond the sign-ins being checked at once, the rest
/// are refused at once (429), and are not even tried. Each attempt comes from its own address for its own
/// username (through a trusted proxy), so no throttle counter refuses any of them.
#[actix_web::test]
async fn a_flood_of_sign_ins_beyond_those_being_checked_is_refused_at_once() {
    let app = crate::proxy::behind_a_trusted_proxy().await;
    let browser = app.anonymous();
    let attempts = (0..64).map(|n| {
        browser
            .post(app.url("/api/v1/auth/login"))
            .header("X-Forwarded-For", format!("203.0.113.{}", n + 1))
            .json(&json!({ "username": format!("guess{n}"), "password": WRONG_PASSWORD }))
            .send()
    });
    let (mut refused, mut tried) = (0, 0);
    for response in futures_util::future::join_all(attempts).await {
        let response = response.unwrap();
        match response.status().as_u16() {
            401 => tried += 1,
            429 => {
                assert_eq!(response.headers()["retry-after"], "1");
                assert_problem(response, 429, "being checked right now").await;
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(refused > 0, "64 sign-ins at once all waited their turn");
    assert_eq!(
        app.audit_of("auth.login").len(),
        tried,
        "a refused attempt is not tried"
    );
}
