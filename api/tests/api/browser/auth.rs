use serde_json::{Value, json};
use shared::Role;
use shared::SessionStatus::{Connected, Disconnected};

use super::driver::{Browser, eventually};
use super::{
    now, open, open_as, open_signed_out, session, sign_in, sort_button, wait_for_location,
    wait_for_location_prefix, wait_for_names,
};
use crate::helpers::JsonAnswer;
use crate::helpers::{ADMIN_PASSWORD, TestApp, spawn_app};

fn two_sessions(app: &TestApp) -> [i64; 2] {
    let now = now();
    let fixtures = [
        session(
            "Joe Bloggs",
            "joe@example.com",
            "GIMP",
            now - 3600,
            None,
            Connected,
        ),
        session(
            "Ann Lee",
            "ann@example.com",
            "Krita",
            now - 7200,
            Some(now - 7000),
            Disconnected,
        ),
    ];
    app.insert(&fixtures).try_into().expect("two ids")
}

/// Where the sign-in page will send the browser back to: its `next` parameter, decoded.
fn next_of(login_location: &str) -> String {
    let query = login_location.split_once('?').map_or("", |(_, q)| q);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "next")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| panic!("no next in {login_location}"))
}

async fn count(browser: &Browser, css: &str) -> u64 {
    browser
        .execute(
            "return document.querySelectorAll(arguments[0]).length;",
            json!([css]),
        )
        .await
        .as_u64()
        .unwrap()
}

#[actix_web::test]
async fn signing_in_returns_to_the_page_asked_for_and_signing_out_ends_the_sign_in() {
    let app = spawn_app().await;
    two_sessions(&app);
    let browser = open_signed_out(&app, "/?sort=name").await;
    let login = wait_for_location_prefix(&browser, "/login?next=").await;
    assert_eq!(next_of(&login), "/?sort=name");

    sign_in(&browser, "admin", "not the password").await;
    browser
        .wait_for_text(".login-error", "Invalid username or password")
        .await;
    assert!(browser.location().await.starts_with("/login"));

    browser
        .execute(
            "document.querySelector('#login-password').value = '';",
            json!([]),
        )
        .await;
    browser.type_into("#login-password", ADMIN_PASSWORD).await;
    browser.click("button#login-submit").await;
    wait_for_location(&browser, "/?sort=name").await;
    wait_for_names(&browser, &["Ann Lee", "Joe Bloggs"]).await;
    browser.wait_for_text("#signed-in-as", "admin").await;

    browser.click("button#sign-out").await;
    wait_for_location_prefix(&browser, "/login").await;
    // The sign-in is gone on the server too: the app cannot be reached without signing in again.
    browser.goto("/").await;
    wait_for_location_prefix(&browser, "/login?next=").await;
    browser.close().await;
}

#[actix_web::test]
async fn an_ended_sign_in_goes_to_the_sign_in_page_and_back_to_the_same_view() {
    let app = spawn_app().await;
    two_sessions(&app);
    let browser = open(&app, "/?sort=name").await;
    wait_for_names(&browser, &["Ann Lee", "Joe Bloggs"]).await;

    // The sign-in ends on the server (expired, or ended elsewhere); the next request finds out.
    app.execute("DELETE FROM console_sessions;");
    browser.click(&sort_button("email")).await;
    let login = wait_for_location_prefix(&browser, "/login?next=").await;
    let back_to = next_of(&login);
    assert!(back_to.starts_with("/?sort=email"), "{back_to}");

    sign_in(&browser, "admin", ADMIN_PASSWORD).await;
    wait_for_location(&browser, &back_to).await;
    wait_for_names(&browser, &["Ann Lee", "Joe Bloggs"]).await;
    browser.close().await;
}

#[actix_web::test]
async fn a_viewer_sees_sessions_but_no_kill_controls_and_no_admin_pages() {
    let app = spawn_app().await;
    two_sessions(&app);
    app.add_account("vera", Role::Viewer, "viewer password 1");
    let browser = open_as(&app, "/", "vera", "viewer password 1").await;
    eventually("two session rows", || async {
        match count(&browser, "#sessions tbody tr[data-session-id]").await {
            2 => Ok(()),
            n => Err(format!("{n} rows")),
        }
    })
    .await;
    browser.wait_for_text("#signed-in-as", "vera").await;
    for hidden in [
        "button.kill",
        "input.select-session",
        "#nav-audit",
        "#nav-settings",
    ] {
        assert_eq!(count(&browser, hidden).await, 0, "{hidden} is shown");
    }
    assert_eq!(
        count(&browser, "#export-open").await,
        1,
        "viewers may export"
    );
    browser.close().await;
}

#[actix_web::test]
async fn the_audit_page_shows_who_killed_a_session_and_the_table_says_so_too() {
    let app = spawn_app().await;
    let [joe, _] = two_sessions(&app);
    let response = app.post_kill(joe).await;
    assert_eq!(response.status(), 200);
    // Three wrong guesses within one minute are one entry that says how many.
    crate::sign_in_failures::at_the_start_of_a_minute().await;
    for _ in 0..3 {
        let guess = app
            .post_login(&app.anonymous(), "mallory", "a wrong guess of a password")
            .await;
        assert_eq!(guess.status(), 401);
    }

    let browser = open(&app, "/").await;
    browser
        .wait_for_text(&format!("tr[data-session-id='{joe}']"), "token:test-suite")
        .await;
    browser.click("a#nav-audit").await;
    wait_for_location(&browser, "/audit").await;
    let row = browser
        .wait_for_text(
            "table.audit-table tr.audit-row[data-action='sessions.kill']",
            "test-suite",
        )
        .await;
    assert!(row.contains("test-suite"), "{row}");
    assert!(row.contains(&joe.to_string()), "{row}");
    browser
        .wait_for_text(
            "table.audit-table tr.audit-row[data-action='auth.login'][data-outcome='failure'] \
             .audit-count",
            "×3",
        )
        .await;
    browser.close().await;
}

#[actix_web::test]
async fn a_token_made_on_the_settings_page_works_once_shown_and_stops_when_revoked() {
    let app = spawn_app().await;
    let [joe, _] = two_sessions(&app);
    let browser = open(&app, "/settings").await;
    browser.type_into("#token-name", "nightly-report").await;
    browser
        .click("input[name=scope][value='sessions:read']")
        .await;
    browser.click("button#token-create").await;
    let secret = browser.wait_for_text("#token-secret", "sct_").await;
    let secret = secret.trim().to_owned();

    let script = app.client_with_token(&secret);
    let listed = script
        .get(app.url("/api/v1/sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
    let kill = script
        .post(app.url(&format!("/api/v1/sessions/{joe}/kill")))
        .send()
        .await
        .unwrap();
    assert_eq!(kill.status(), 403);

    browser
        .wait_for_text("tr.token-row", "nightly-report")
        .await;
    browser.click("tr.token-row button.revoke-token").await;
    browser.click(REVOKE_CONFIRM).await;
    eventually("the token to be refused", || async {
        let status = script
            .get(app.url("/api/v1/sessions"))
            .send()
            .await
            .unwrap()
            .status();
        if status == 401 {
            Ok(())
        } else {
            Err(format!("it answers {status}"))
        }
    })
    .await;
    let listed: Value = app
        .client
        .get(app.url("/api/v1/tokens"))
        .json_answer()
        .await;
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|token| token["name"] != "nightly-report"),
        "{listed}"
    );
    browser.close().await;
}

const REVOKE_CONFIRM: &str = "#confirm-yes";
