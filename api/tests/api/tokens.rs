//! API tokens for scripts: made, shown once, used, expired and revoked through the API.

use reqwest::Response;
use serde_json::{Value, json};
use shared::SessionStatus::Connected;

use crate::helpers::JsonAnswer;
use crate::helpers::{
    ADMIN_PASSWORD, TestApp, assert_problem, details, now, spawn_app, started_an_hour_ago,
};

const TOKENS: &str = "/api/v1/tokens";

async fn create(app: &TestApp, body: &Value) -> Response {
    app.client
        .post(app.url(TOKENS))
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Creates a token that must be created; returns the answer's body.
async fn created(app: &TestApp, body: Value) -> Value {
    let response = create(app, &body).await;
    assert_eq!(response.status(), 201, "{body}");
    response.json().await.unwrap()
}

async fn listed(app: &TestApp) -> (String, Vec<Value>) {
    let response = app.get(TOKENS).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let list: Value = serde_json::from_str(&text).unwrap();
    (text, list["items"].as_array().unwrap().clone())
}

fn time(value: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .timestamp()
}

async fn status_with(app: &TestApp, secret: &str, path: &str) -> u16 {
    app.client_with_token(secret)
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[actix_web::test]
async fn a_new_tokens_secret_is_shown_once_and_stored_only_as_a_hash() {
    let app = spawn_app().await;
    let made = created(
        &app,
        json!({ "name": "nightly-report", "scopes": ["sessions:read"] }),
    )
    .await;
    let token = &made["token"];
    let id = token["id"].as_str().unwrap();
    let secret = made["secret"].as_str().unwrap();
    assert!(secret.starts_with(&format!("sct_{id}_")), "{secret}");
    assert_eq!(token["name"], "nightly-report");
    assert_eq!(token["scopes"], json!(["sessions:read"]));
    assert_eq!(token["expires_at"], Value::Null);
    assert_eq!(token["last_used_at"], Value::Null);
    assert!((time(&token["created_at"]) - now()).abs() <= 5);

    let digest = api::auth::secrets::digest(secret);
    let stored: Vec<api::db::tokens::TokenRow> =
        api::db::tokens::list_tokens(&mut app.pool().get().unwrap()).unwrap();
    let row = stored.iter().find(|row| row.id == id).unwrap();
    assert_eq!(
        row.secret_hash, digest,
        "the database holds the SHA-256 only"
    );

    let (text, items) = listed(&app).await;
    let item = items.iter().find(|item| item["id"] == id).unwrap();
    assert_eq!(item["name"], "nightly-report");
    assert!(item.get("secret").is_none());
    let random_part = secret.rsplit_once('_').unwrap().1;
    for hidden in [secret, random_part, &digest] {
        assert!(!text.contains(hidden), "GET /tokens shows {hidden}");
    }
}

#[actix_web::test]
async fn a_signed_in_admin_creates_tokens_with_the_csrf_token() {
    let app = spawn_app().await;
    let signed_in = app.sign_in("admin", ADMIN_PASSWORD).await;
    let body = json!({ "name": "from-the-console", "scopes": ["sessions:export"] });
    let without = signed_in
        .client
        .post(app.url(TOKENS))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(without, 403, "X-CSRF-Token").await;
    assert!(
        listed(&app)
            .await
            .1
            .iter()
            .all(|t| t["name"] != "from-the-console")
    );

    let with = signed_in
        .client
        .post(app.url(TOKENS))
        .header("X-CSRF-Token", &signed_in.csrf_token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), 201);
    let made: Value = with.json().await.unwrap();
    assert_eq!(made["token"]["created_by"], "admin");
    assert!(made["secret"].as_str().unwrap().starts_with("sct_"));
}

#[actix_web::test]
async fn a_new_token_works_at_once_with_exactly_its_scopes() {
    let app = spawn_app().await;
    let ids = app.insert(&[started_an_hour_ago(Connected)]);
    let made = created(
        &app,
        json!({ "name": "reporter", "scopes": ["sessions:export", "sessions:read", "sessions:read"] }),
    )
    .await;
    assert_eq!(
        made["token"]["scopes"],
        json!(["sessions:read", "sessions:export"])
    );
    let secret = made["secret"].as_str().unwrap();
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(status_with(&app, secret, "/api/v1/sessions").await, 200);
    assert_eq!(
        status_with(
            &app,
            secret,
            &format!("/api/v1/sessions/export?from={today}&to={today}")
        )
        .await,
        200
    );
    assert_eq!(status_with(&app, secret, TOKENS).await, 403);
    assert_eq!(status_with(&app, secret, "/api/v1/audit").await, 403);
    let kill = app
        .client_with_token(secret)
        .post(app.url(&format!("/api/v1/sessions/{}/kill", ids[0])))
        .send()
        .await
        .unwrap();
    assert_problem(kill, 403, "sessions:kill").await;

    let me: Value = app
        .client_with_token(secret)
        .get(app.url("/api/v1/auth/me"))
        .json_answer()
        .await;
    assert_eq!(me["name"], "reporter");
    assert_eq!(me["scopes"], json!(["sessions:read", "sessions:export"]));
}

#[actix_web::test]
async fn using_a_token_records_when_it_was_last_used() {
    let app = spawn_app().await;
    let made = created(&app, json!({ "name": "cron", "scopes": ["sessions:read"] })).await;
    let id = made["token"]["id"].clone();
    let secret = made["secret"].as_str().unwrap();
    let before = listed(&app).await.1;
    let item = before.iter().find(|t| t["id"] == id).unwrap();
    assert_eq!(item["last_used_at"], Value::Null);

    assert_eq!(status_with(&app, secret, "/api/v1/sessions").await, 200);
    let after = listed(&app).await.1;
    let item = after.iter().find(|t| t["id"] == id).unwrap();
    assert!((time(&item["last_used_at"]) - now()).abs() <= 5, "{item}");
}

#[actix_web::test]
async fn a_token_expires_after_the_days_it_was_given() {
    let app = spawn_app().await;
    let made = created(
        &app,
        json!({ "name": "month", "scopes": ["sessions:read"], "expires_in_days": 30 }),
    )
    .await;
    let expires = time(&made["token"]["expires_at"]);
    assert!((expires - (now() + 30 * 86_400)).abs() <= 5, "{expires}");
    let secret = made["secret"].as_str().unwrap();
    let id = made["token"]["id"].as_str().unwrap();
    assert_eq!(status_with(&app, secret, "/api/v1/sessions").await, 200);

    app.execute(&format!(
        "UPDATE api_tokens SET expires_at = {} WHERE id = '{id}'",
        crate::helpers::now() - 1
    ));
    let refused = app
        .client_with_token(secret)
        .get(app.url("/api/v1/sessions"))
        .send()
        .await
        .unwrap();
    assert_problem(refused, 401, "expired").await;
    assert!(
        listed(&app).await.1.iter().any(|t| t["id"] == id),
        "an expired token is still listed, so an admin sees why a script stopped"
    );

    let longest = created(
        &app,
        json!({ "name": "decade", "scopes": ["sessions:read"], "expires_in_days": 3650 }),
    )
    .await;
    let expires = time(&longest["token"]["expires_at"]);
    assert!((expires - (now() + 3650 * 86_400)).abs() <= 5);
}

#[actix_web::test]
async fn a_revoked_token_is_refused_on_the_very_next_request() {
    let app = spawn_app().await;
    let made = created(
        &app,
        json!({ "name": "leaked", "scopes": ["sessions:read"] }),
    )
    .await;
    let secret = made["secret"].as_str().unwrap();
    let id = made["token"]["id"].as_str().unwrap();
    let script = app.client_with_token(secret);
    let sessions = app.url("/api/v1/sessions");
    assert_eq!(script.get(&sessions).send().await.unwrap().status(), 200);

    let path = format!("{TOKENS}/{id}");
    let revoked = app.client.delete(app.url(&path)).send().await.unwrap();
    assert_eq!(revoked.status(), 204);
    assert_problem(script.get(&sessions).send().await.unwrap(), 401, "revoked").await;
    assert!(listed(&app).await.1.iter().all(|t| t["id"] != id));

    let again = app.client.delete(app.url(&path)).send().await.unwrap();
    assert_problem(again, 404, id).await;
    let unknown = app
        .client
        .delete(app.url(&format!("{TOKENS}/nosuchtoken")))
        .send()
        .await
        .unwrap();
    assert_problem(unknown, 404, "nosuchtoken").await;

    let revocations = app.audit_of("token.revoke");
    assert_eq!(revocations.len(), 1, "only the real revocation is recorded");
    assert_eq!(
        details(&revocations[0]),
        json!({ "token_id": id, "name": "leaked" })
    );
}

#[actix_web::test]
async fn a_token_can_revoke_itself() {
    let app = spawn_app().await;
    let made = created(&app, json!({ "name": "self", "scopes": ["admin"] })).await;
    let secret = made["secret"].as_str().unwrap();
    let id = made["token"]["id"].as_str().unwrap();
    let script = app.client_with_token(secret);
    let response = script
        .delete(app.url(&format!("{TOKENS}/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(status_with(&app, secret, TOKENS).await, 401);
}

#[actix_web::test]
async fn a_token_request_without_a_name_or_scope_or_with_a_bad_expiry_is_unprocessable() {
    let app = spawn_app().await;
    let before = listed(&app).await.1.len();
    let cases = [
        (json!({ "name": "", "scopes": ["sessions:read"] }), "name"),
        (
            json!({ "name": "   ", "scopes": ["sessions:read"] }),
            "name",
        ),
        (
            json!({ "name": "x".repeat(101), "scopes": ["sessions:read"] }),
            "name",
        ),
        (
            json!({ "name": "bell\u{7}", "scopes": ["sessions:read"] }),
            "control",
        ),
        (json!({ "name": "no scope", "scopes": [] }), "scopes"),
        (
            json!({ "name": "never", "scopes": ["sessions:read"], "expires_in_days": 0 }),
            "expires_in_days",
        ),
        (
            json!({ "name": "too long", "scopes": ["sessions:read"], "expires_in_days": 3651 }),
            "3651 given",
        ),
    ];
    for (body, mentions) in cases {
        assert_problem(create(&app, &body).await, 422, mentions).await;
    }
    assert_eq!(listed(&app).await.1.len(), before, "nothing was created");
}

#[actix_web::test]
async fn a_token_request_that_is_not_the_documented_json_is_a_400() {
    let app = spawn_app().await;
    let before = listed(&app).await.1.len();
    let cases = [
        (
            json!({ "name": "typo", "scopes": ["sessions:write"] }),
            "unknown variant",
        ),
        (
            json!({ "name": "upper", "scopes": ["ADMIN"] }),
            "unknown variant",
        ),
        (json!({ "scopes": ["sessions:read"] }), "name"),
        (json!({ "name": "no scopes" }), "scopes"),
        (
            json!({ "name": "negative", "scopes": ["admin"], "expires_in_days": -1 }),
            "-1",
        ),
        (
            json!({ "name": "extra", "scopes": ["admin"], "owner": "me" }),
            "owner",
        ),
    ];
    for (body, mentions) in cases {
        assert_problem(create(&app, &body).await, 400, mentions).await;
    }
    assert_eq!(listed(&app).await.1.len(), before, "nothing was created");
}

#[actix_web::test]
async fn token_ids_are_random_not_counters() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let made = created(
            &app,
            json!({ "name": format!("t{n}"), "scopes": ["admin"] }),
        )
        .await;
        ids.push(made["token"]["id"].as_str().unwrap().to_owned());
    }
    for id in &ids {
        assert!(id.parse::<i64>().is_err(), "{id} is a number");
        assert_eq!(id.len(), 16, "{id}");
        assert!(
            id.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3);
    // Guessing an id gets nothing: not a token, not a hint that a neighbour exists.
    let guess = app
        .client
        .delete(app.url(&format!("{TOKENS}/1")))
        .send()
        .await
        .unwrap();
    assert_problem(guess, 404, "'1'").await;
}

/// `killed_by` marks tokens (`token:NAME`) so that a token and an account of the same name are not
/// confused; `created_by` must not confuse them either, and `ApiToken` documents `cli` for the command
/// line (where the code stores the operating-system user's bare name).
#[actix_web::test]
async fn created_by_tells_accounts_from_tokens_and_the_command_line() {
    let app = spawn_app().await;
    let signed_in = app.sign_in("admin", ADMIN_PASSWORD).await;
    let by_account: Value = signed_in
        .client
        .post(app.url(TOKENS))
        .header("X-CSRF-Token", &signed_in.csrf_token)
        .json(&json!({ "name": "by-account", "scopes": ["admin"] }))
        .json_answer()
        .await;
    assert_eq!(by_account["token"]["created_by"], "admin");

    let by_token = created(&app, json!({ "name": "by-token", "scopes": ["admin"] })).await;
    let (_, items) = listed(&app).await;
    let by_cli = items.iter().find(|t| t["name"] == "test-suite").unwrap();
    let by_cli = by_cli["created_by"].as_str().unwrap();
    let by_token = by_token["token"]["created_by"].as_str().unwrap();
    assert!(
        by_token == "token:test-suite" && by_cli.starts_with("cli"),
        "made by the token 'test-suite': {by_token:?}; made on the command line: {by_cli:?}"
    );
}

/// A token made by a signed-in admin, through the console, and the account's own client.
async fn token_of(app: &TestApp, username: &str, password: &str, scopes: Value) -> String {
    let signed_in = app.sign_in(username, password).await;
    let made: Value = signed_in
        .client
        .post(app.url(TOKENS))
        .header("X-CSRF-Token", &signed_in.csrf_token)
        .json(&json!({ "name": format!("{username}-script"), "scopes": scopes }))
        .json_answer()
        .await;
    assert_eq!(made["token"]["owner"], username);
    made["secret"].as_str().unwrap().to_owned()
}

async fn change_account(app: &TestApp, username: &str, change: Value) {
    let changed = app
        .client
        .patch(app.url(&format!("/api/v1/accounts/{username}")))
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
}

#[actix_web::test]
async fn a_token_never_grants_more_than_its_owners_current_role() {
    let app = spawn_app().await;
    app.add_account("root2", shared::Role::Admin, ADMIN_PASSWORD);
    let secret = token_of(
        &app,
        "root2",
        ADMIN_PASSWORD,
        json!(["admin", "sessions:read"]),
    )
    .await;
    assert_eq!(status_with(&app, &secret, TOKENS).await, 200);

    change_account(&app, "root2", json!({ "role": "viewer" })).await;
    assert_eq!(
        status_with(&app, &secret, TOKENS).await,
        403,
        "a viewer's token cannot manage tokens"
    );
    assert_eq!(status_with(&app, &secret, "/api/v1/sessions").await, 200);
    let minted = app
        .client_with_token(&secret)
        .post(app.url(TOKENS))
        .json(&json!({ "name": "escalation", "scopes": ["admin"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(minted.status(), 403, "nor mint one");

    change_account(&app, "root2", json!({ "role": "admin" })).await;
    assert_eq!(
        status_with(&app, &secret, TOKENS).await,
        200,
        "back as it was"
    );
}

#[actix_web::test]
async fn disabling_the_owner_stops_its_tokens_and_enabling_brings_them_back() {
    let app = spawn_app().await;
    app.add_account("root2", shared::Role::Admin, ADMIN_PASSWORD);
    let secret = token_of(&app, "root2", ADMIN_PASSWORD, json!(["sessions:read"])).await;
    change_account(&app, "root2", json!({ "disabled": true })).await;
    assert_eq!(status_with(&app, &secret, "/api/v1/sessions").await, 401);
    change_account(&app, "root2", json!({ "disabled": false })).await;
    assert_eq!(status_with(&app, &secret, "/api/v1/sessions").await, 200);
}

#[actix_web::test]
async fn the_token_list_shows_owners_and_a_token_made_by_a_token_belongs_to_its_owner() {
    let app = spawn_app().await;
    let by_token = created(
        &app,
        json!({ "name": "by-token", "scopes": ["sessions:read"] }),
    )
    .await;
    assert_eq!(by_token["token"]["owner"], "admin");
    let (_, items) = listed(&app).await;
    assert!(
        items.iter().all(|token| token["owner"] == "admin"),
        "{items:?}"
    );
}

#[test]
fn the_command_line_names_a_tokens_owner_and_refuses_an_unknown_one() {
    let database = crate::helpers::TestDatabase::new();
    let run = |args: &[&str]| {
        std::process::Command::new(crate::process::BINARY)
            .args(args)
            .args(["--database-url", &database.url])
            .output()
            .unwrap()
    };
    let pool = api::db::connect(&database.url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let hash = api::auth::password::hash_password("olga's long password").unwrap();
    api::db::accounts::create_account(
        &mut conn,
        "olga",
        &hash,
        shared::Role::Operator,
        &api::db::audit::Actor::cli(),
        now(),
    )
    .unwrap();
    let made = run(&[
        "token",
        "create",
        "olga-script",
        "--scopes",
        "admin,sessions:kill",
        "--owner",
        "olga",
    ]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let secret = String::from_utf8(made.stdout).unwrap().trim().to_owned();
    let token = api::db::tokens::authenticate_token(&mut conn, &secret, now())
        .unwrap()
        .expect("the token works");
    assert_eq!(
        token.scopes,
        [shared::Scope::SessionsKill],
        "an operator's token may kill, not administer"
    );
    let unknown = run(&[
        "token",
        "create",
        "x",
        "--scopes",
        "sessions:read",
        "--owner",
        "nobody",
    ]);
    assert!(!unknown.status.success());
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("--owner: no account is named 'nobody'"),
        "{stderr}"
    );
}
