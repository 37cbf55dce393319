use serde_json::{Value, json};
use shared::{Role, Scope};

use crate::helpers::JsonAnswer;
use crate::helpers::{ADMIN_PASSWORD, TestApp, assert_problem, spawn_app};

const PASSWORD: &str = "a long enough password";

async fn create(app: &TestApp, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/accounts"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn update(app: &TestApp, username: &str, body: Value) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/api/v1/accounts/{username}")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn set_password(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/v1/accounts/{username}/password")))
        .json(&json!({ "password": password }))
        .send()
        .await
        .unwrap()
}

async fn accounts(app: &TestApp) -> Vec<Value> {
    let list: Value = app
        .client
        .get(app.url("/api/v1/accounts"))
        .json_answer()
        .await;
    list["items"].as_array().unwrap().clone()
}

async fn login_status(app: &TestApp, username: &str, password: &str) -> u16 {
    app.post_login(&app.anonymous(), username, password)
        .await
        .status()
        .as_u16()
}

#[actix_web::test]
async fn an_admin_creates_an_account_that_can_sign_in_and_is_listed_without_secrets() {
    let app = spawn_app().await;
    let response = create(
        &app,
        json!({ "username": "Alice", "role": "operator", "password": PASSWORD }),
    )
    .await;
    assert_eq!(response.status(), 201);
    let account: Value = response.json().await.unwrap();
    assert_eq!(account["username"], "alice");
    assert_eq!(account["role"], "operator");
    assert_eq!(account["disabled"], false);
    assert!(account.get("password").is_none() && account.get("password_hash").is_none());

    assert_eq!(login_status(&app, "alice", PASSWORD).await, 200);
    let listed = accounts(&app).await;
    let names: Vec<&str> = listed
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin", "alice"]);
    assert!(!serde_json::to_string(&listed).unwrap().contains("argon2"));

    let entry = app
        .audit_log()
        .into_iter()
        .rev()
        .find(|e| e.action == "account.create")
        .unwrap();
    assert_eq!(
        (entry.actor_kind.as_str(), entry.actor.as_str()),
        ("token", "test-suite")
    );
    assert!(!entry.details.contains(PASSWORD));
}

#[actix_web::test]
async fn bad_new_accounts_are_refused_and_nothing_is_created() {
    let app = spawn_app().await;
    app.add_account("alice", Role::Viewer, PASSWORD);
    let cases = [
        (
            json!({ "username": "ALICE", "role": "viewer", "password": PASSWORD }),
            409,
            "exists already",
        ),
        (
            json!({ "username": "bob", "role": "viewer", "password": "short" }),
            422,
            "at least 12",
        ),
        (
            json!({ "username": "bo b", "role": "viewer", "password": PASSWORD }),
            422,
            "not a valid username",
        ),
        (
            json!({ "username": "bob", "role": "root", "password": PASSWORD }),
            400,
            "unknown variant `root`",
        ),
        (
            json!({ "username": "bob", "role": "viewer" }),
            400,
            "password",
        ),
    ];
    for (body, status, mentions) in cases {
        assert_problem(create(&app, body).await, status, mentions).await;
    }
    assert_eq!(accounts(&app).await.len(), 2);
}

#[actix_web::test]
async fn a_role_change_takes_effect_and_ends_the_accounts_sign_ins() {
    let app = spawn_app().await;
    app.add_account("olga", Role::Operator, PASSWORD);
    let before = app.sign_in("olga", PASSWORD).await;

    let response = update(&app, "olga", json!({ "role": "viewer" })).await;
    assert_eq!(response.status(), 200);
    let account: Value = response.json().await.unwrap();
    assert_eq!(account["role"], "viewer");

    let me = before
        .client
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401, "the old sign-in ended");
    let after = app.sign_in("olga", PASSWORD).await;
    let identity: Value = after
        .client
        .get(app.url("/api/v1/auth/me"))
        .json_answer()
        .await;
    assert_eq!(identity["role"], "viewer");
    assert_eq!(
        identity["scopes"],
        json!(["sessions:read", "sessions:export"])
    );
}

#[actix_web::test]
async fn a_disabled_account_is_signed_out_at_once_and_can_be_enabled_again() {
    let app = spawn_app().await;
    app.add_account("vera", Role::Viewer, PASSWORD);
    let signed_in = app.sign_in("vera", PASSWORD).await;

    let response = update(&app, "vera", json!({ "disabled": true })).await;
    assert_eq!(response.status(), 200);
    let sessions = signed_in
        .client
        .get(app.url("/api/v1/sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(sessions.status(), 401);
    assert_eq!(login_status(&app, "vera", PASSWORD).await, 401);

    assert_eq!(
        update(&app, "vera", json!({ "disabled": false }))
            .await
            .status(),
        200
    );
    assert_eq!(login_status(&app, "vera", PASSWORD).await, 200);
    let entry = app
        .audit_log()
        .into_iter()
        .rev()
        .find(|e| e.action == "account.update")
        .unwrap();
    let details: Value = serde_json::from_str(&entry.details).unwrap();
    assert_eq!(
        details,
        json!({ "account": "vera", "role": null, "disabled": false })
    );
}

#[actix_web::test]
async fn the_last_enabled_admin_cannot_be_disabled_or_demoted() {
    let app = spawn_app().await;
    let demote = update(&app, "admin", json!({ "role": "operator" })).await;
    assert_problem(demote, 409, "no enabled admin").await;
    let disable = update(&app, "admin", json!({ "disabled": true })).await;
    assert_problem(disable, 409, "no enabled admin").await;
    assert_eq!(login_status(&app, "admin", ADMIN_PASSWORD).await, 200);
    assert!(
        app.audit_log().iter().all(|e| e.action != "account.update"),
        "a refused change is not recorded as done"
    );

    app.add_account("root2", Role::Admin, PASSWORD);
    assert_eq!(
        update(&app, "admin", json!({ "disabled": true }))
            .await
            .status(),
        200
    );
}

#[actix_web::test]
async fn a_new_password_replaces_the_old_one_and_ends_sign_ins() {
    let app = spawn_app().await;
    app.add_account("olga", Role::Operator, PASSWORD);
    let before = app.sign_in("olga", PASSWORD).await;

    assert_problem(
        set_password(&app, "olga", "too short").await,
        422,
        "at least 12",
    )
    .await;
    assert_eq!(login_status(&app, "olga", PASSWORD).await, 200, "unchanged");

    let response = set_password(&app, "olga", "an entirely new password").await;
    assert_eq!(response.status(), 204);
    assert_eq!(login_status(&app, "olga", PASSWORD).await, 401);
    assert_eq!(
        login_status(&app, "olga", "an entirely new password").await,
        200
    );
    let me = before
        .client
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
    assert_problem(set_password(&app, "nobody", PASSWORD).await, 404, "nobody").await;
}

#[actix_web::test]
async fn updates_need_something_to_change_and_an_existing_account() {
    let app = spawn_app().await;
    assert_problem(
        update(&app, "admin", json!({})).await,
        422,
        "nothing to change",
    )
    .await;
    assert_problem(
        update(&app, "ghost", json!({ "role": "viewer" })).await,
        404,
        "ghost",
    )
    .await;
    assert_problem(
        update(&app, "admin", json!({ "name": "x" })).await,
        400,
        "name",
    )
    .await;
}

#[actix_web::test]
async fn only_admins_manage_accounts() {
    let app = spawn_app().await;
    let operator = app.client_with_token(&app.token(
        "ops",
        &[
            Scope::SessionsRead,
            Scope::SessionsKill,
            Scope::SessionsExport,
        ],
    ));
    let requests = [
        operator.get(app.url("/api/v1/accounts")),
        operator
            .post(app.url("/api/v1/accounts"))
            .json(&json!({ "username": "eve", "role": "admin", "password": PASSWORD })),
        operator
            .patch(app.url("/api/v1/accounts/admin"))
            .json(&json!({ "disabled": true })),
        operator
            .put(app.url("/api/v1/accounts/admin/password"))
            .json(&json!({ "password": PASSWORD })),
    ];
    for request in requests {
        assert_problem(request.send().await.unwrap(), 403, "admin").await;
    }
    assert_eq!(accounts(&app).await.len(), 1);
    assert_eq!(login_status(&app, "admin", ADMIN_PASSWORD).await, 200);
}
