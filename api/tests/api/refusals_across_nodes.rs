//! Credentials withdrawn through one node are refused by another on their very next request: a revoked
//! or expired token, a disabled or demoted owner, a disabled account's sign-in, a sign-in ended by a
//! new password. Each credential is used on the other node first, so whatever that node remembers of it
//! is warm when the change comes.

use reqwest::Client;
use serde_json::{Value, json};
use shared::{Role, Scope};

use crate::helpers::{ADMIN_PASSWORD, TestApp, now, spawn_app};
use crate::nodes::second_node;

const PASSWORD: &str = "a long passphrase for tests";

async fn status(client: &Client, node: &TestApp, path: &str) -> u16 {
    client
        .get(node.url(path))
        .send()
        .await
        .expect("the request is answered")
        .status()
        .as_u16()
}

/// Asks `path` a few times, each answered `expected`.
async fn assert_served(client: &Client, node: &TestApp, path: &str, expected: u16) {
    for attempt in 0..3 {
        assert_eq!(
            status(client, node, path).await,
            expected,
            "{path}, attempt {attempt}"
        );
    }
}

async fn change_account(node: &TestApp, username: &str, change: Value) {
    let changed = node
        .client
        .patch(node.url(&format!("/api/v1/accounts/{username}")))
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200, "{change}");
}

#[actix_web::test]
async fn a_token_revoked_through_one_node_is_refused_by_the_other_on_its_next_request() {
    let a = spawn_app().await;
    let b = second_node(&a).await;
    let made: Value = a
        .client
        .post(a.url("/api/v1/tokens"))
        .json(&json!({ "name": "leaked", "scopes": ["sessions:read"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let script = b.client_with_token(made["secret"].as_str().unwrap());
    assert_served(&script, &b, "/api/v1/sessions", 200).await;

    let id = made["token"]["id"].as_str().unwrap();
    let revoked = a
        .client
        .delete(a.url(&format!("/api/v1/tokens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    assert_eq!(status(&script, &b, "/api/v1/sessions").await, 401);
    assert_eq!(status(&script, &b, "/api/v1/auth/me").await, 401);
    assert_eq!(status(&script, &a, "/api/v1/sessions").await, 401);
}

#[actix_web::test]
async fn a_token_that_expires_is_refused_by_every_node_on_its_next_request() {
    let a = spawn_app().await;
    let b = second_node(&a).await;
    let secret = a.token("nightly", &[Scope::SessionsRead]);
    let script = a.client_with_token(&secret);
    assert_served(&script, &a, "/api/v1/auth/me", 200).await;
    assert_served(&script, &b, "/api/v1/auth/me", 200).await;

    // Time passing is the one change no request makes: the expiry moves to just gone.
    a.execute(&format!(
        "UPDATE api_tokens SET expires_at = {} WHERE name = 'nightly'",
        now() - 1
    ));
    assert_eq!(status(&script, &b, "/api/v1/auth/me").await, 401);
    assert_eq!(status(&script, &a, "/api/v1/sessions").await, 401);
}

#[actix_web::test]
async fn disabling_a_tokens_owner_through_one_node_stops_the_token_on_the_other_at_once() {
    let a = spawn_app().await;
    let b = second_node(&a).await;
    a.add_account("ops", Role::Admin, PASSWORD);
    let script =
        b.client_with_token(&a.token_owned_by("ops-script", &[Scope::SessionsRead], "ops"));
    assert_served(&script, &b, "/api/v1/sessions", 200).await;

    change_account(&a, "ops", json!({ "disabled": true })).await;
    assert_eq!(status(&script, &b, "/api/v1/sessions").await, 401);

    change_account(&a, "ops", json!({ "disabled": false })).await;
    assert_eq!(status(&script, &b, "/api/v1/sessions").await, 200);
}

#[actix_web::test]
async fn demoting_a_tokens_owner_through_one_node_narrows_the_token_on_the_other_at_once() {
    let a = spawn_app().await;
    let b = second_node(&a).await;
    a.add_account("ops", Role::Admin, PASSWORD);
    let script = b.client_with_token(&a.token_owned_by(
        "ops-script",
        &[Scope::SessionsRead, Scope::Admin],
        "ops",
    ));
    assert_served(&script, &b, "/api/v1/tokens", 200).await;

    change_account(&a, "ops", json!({ "role": "viewer" })).await;
    assert_eq!(status(&script, &b, "/api/v1/tokens").await, 403);
    assert_eq!(status(&script, &b, "/api/v1/sessions").await, 200);
}

#[actix_web::test]
async fn a_sign_in_is_refused_by_the_other_node_as_soon_as_its_account_is_disabled() {
    let a = spawn_app().await;
    let b = second_node(&a).await;
    a.add_account("vera", Role::Viewer, PASSWORD);
    let browser = a.sign_in("vera", PASSWORD).await.client;
    assert_served(&browser, &b, "/api/v1/sessions", 200).await;

    change_account(&a, "vera", json!({ "disabled": true })).await;
    assert_eq!(status(&browser, &b, "/api/v1/sessions").await, 401);
    assert_eq!(status(&browser, &b, "/api/v1/auth/me").await, 401);
}

#[actix_web::test]
async fn a_sign_in_ended_by_a_new_password_through_one_node_is_refused_by_the_other() {
    let a = spawn_app().await;
    let b = second_node(&a).await;
    let browser = a.sign_in("admin", ADMIN_PASSWORD).await.client;
    assert_served(&browser, &b, "/api/v1/auth/me", 200).await;

    let changed = a
        .client
        .put(a.url("/api/v1/accounts/admin/password"))
        .json(&json!({ "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 204);
    assert_eq!(status(&browser, &b, "/api/v1/auth/me").await, 401);
    assert_eq!(status(&browser, &a, "/api/v1/sessions").await, 401);
}
