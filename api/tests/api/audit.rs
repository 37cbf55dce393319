//! The audit log: what each action writes, that an action and its entry commit together, that entries
//! cannot be changed, and reading it through `GET /audit`.

use api::db::audit::{Actor, AuditRow, record};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{Value, json};
use shared::SessionStatus::{Connected, Disconnected, Killed, Unknown};
use shared::{ActorKind, AuditAction, AuditOutcome, Role, Scope};

use crate::helpers::JsonAnswer;
use crate::helpers::{
    ADMIN_PASSWORD, Fixture, TestApp, assert_problem, at, details, now, spawn_app,
    started_an_hour_ago,
};

const AUDIT: &str = "/api/v1/audit";
/// A trigger that makes every audit write fail, as a full disk or a broken log would.
const AUDIT_DOWN_SQLITE: &str = "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit down'); END;";
const AUDIT_DOWN_POSTGRES: &str = "CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS \
     $$ BEGIN RAISE EXCEPTION 'audit down'; END $$; \
     CREATE TRIGGER audit_down BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_down();";
const AUDIT_UP_POSTGRES: &str = "DROP TRIGGER audit_down ON audit_log;";

fn audit_down() -> &'static str {
    if crate::helpers::on_postgres() {
        AUDIT_DOWN_POSTGRES
    } else {
        AUDIT_DOWN_SQLITE
    }
}

fn assert_entry(row: &AuditRow, action: &str, outcome: &str, actor: &str, actor_kind: &str) {
    assert_eq!(
        (
            row.action.as_str(),
            row.outcome.as_str(),
            row.actor.as_str(),
            row.actor_kind.as_str()
        ),
        (action, outcome, actor, actor_kind),
        "{row:?}"
    );
}

/// The entries written after the first `skip`, oldest first.
fn entries_since(app: &TestApp, skip: usize) -> Vec<AuditRow> {
    app.audit_log().into_iter().skip(skip).collect()
}

async fn session_json(app: &TestApp, id: i64) -> Value {
    app.get(&format!("/api/v1/sessions/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

/// The export of the days around now, as CSV records (header excluded).
async fn export_around_now(app: &TestApp, extra: &[(&str, &str)]) -> Vec<csv::StringRecord> {
    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Days::new(1)).to_string();
    let to = (today + chrono::Days::new(1)).to_string();
    let mut query = vec![("from", from.as_str()), ("to", to.as_str())];
    query.extend_from_slice(extra);
    let response = app.get_export(&query).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect()
}

#[actix_web::test]
async fn a_kill_by_token_is_recorded_with_who_from_where_and_which_session() {
    let app = spawn_app().await;
    let ids = app.insert(&[started_an_hour_ago(Connected), started_an_hour_ago(Unknown)]);
    let script = app.client_with_token(&app.token("ops-script", &[Scope::SessionsKill]));
    let before = app.audit_log().len();
    let response = script
        .post(app.url(&format!("/api/v1/sessions/{}/kill", ids[1])))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let written = entries_since(&app, before);
    assert_eq!(written.len(), 1, "{written:?}");
    assert_entry(
        &written[0],
        "sessions.kill",
        "success",
        "ops-script",
        "token",
    );
    assert_eq!(written[0].address.as_deref(), Some("127.0.0.1"));
    assert_eq!(
        details(&written[0]),
        json!({ "session_id": ids[1], "was": "Unknown" })
    );
    assert!((written[0].at - now()).abs() <= 5);

    assert_eq!(
        session_json(&app, ids[1]).await["killed_by"],
        "token:ops-script"
    );
    assert_eq!(session_json(&app, ids[0]).await["killed_by"], Value::Null);
    let rows = export_around_now(&app, &[]).await;
    let killed_by: Vec<(&str, &str)> = rows.iter().map(|r| (&r[7], &r[8])).collect();
    assert_eq!(
        killed_by,
        [("Connected", ""), ("Killed", "token:ops-script")]
    );
}

#[actix_web::test]
async fn a_kill_by_a_signed_in_account_names_the_account() {
    let app = spawn_app().await;
    app.add_account("olga", Role::Operator, "olga's password!");
    let ids = app.insert(&[started_an_hour_ago(Connected)]);
    let olga = app.sign_in("olga", "olga's password!").await;
    let before = app.audit_log().len();
    let response = olga
        .client
        .post(app.url(&format!("/api/v1/sessions/{}/kill", ids[0])))
        .header("X-CSRF-Token", &olga.csrf_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let written = entries_since(&app, before);
    assert_eq!(written.len(), 1, "{written:?}");
    assert_entry(&written[0], "sessions.kill", "success", "olga", "account");
    assert_eq!(written[0].address.as_deref(), Some("127.0.0.1"));
    assert_eq!(details(&written[0])["session_id"], ids[0]);

    assert_eq!(session_json(&app, ids[0]).await["killed_by"], "olga");
    let rows = export_around_now(&app, &[]).await;
    assert_eq!(&rows[0][8], "olga", "the CSV's last column");
}

#[actix_web::test]
async fn a_refused_kill_is_recorded_as_a_failure_and_changes_nothing() {
    let app = spawn_app().await;
    let ids = app.insert(&[started_an_hour_ago(Disconnected)]);
    let before = app.audit_log().len();
    assert_problem(app.post_kill(ids[0]).await, 409, "Disconnected").await;
    assert_problem(app.post_kill(424_242).await, 404, "424242").await;

    let written = entries_since(&app, before);
    assert_eq!(written.len(), 2, "{written:?}");
    for (row, id, reason) in [
        (&written[0], ids[0], "is Disconnected"),
        (&written[1], 424_242, "no session has the id 424242"),
    ] {
        assert_entry(row, "sessions.kill", "failure", "test-suite", "token");
        let details = details(row);
        assert_eq!(details["session_id"], id);
        assert!(
            details["reason"].as_str().unwrap().contains(reason),
            "{details}"
        );
    }
    assert_eq!(app.status_in_db(ids[0]), "Disconnected");
}

#[actix_web::test]
async fn a_bulk_kill_writes_one_entry_listing_every_id() {
    let app = spawn_app().await;
    let ids = app.insert(&[
        started_an_hour_ago(Connected),
        started_an_hour_ago(Killed),
        started_an_hour_ago(Unknown),
    ]);
    let before = app.audit_log().len();
    let response = app
        .post_kill_many(&json!({ "ids": [ids[2], ids[1], 999_999, ids[0]] }))
        .await;
    assert_eq!(response.status(), 200);
    let written = entries_since(&app, before);
    assert_eq!(
        written.len(),
        1,
        "one entry, not one per session: {written:?}"
    );
    assert_entry(
        &written[0],
        "sessions.kill_many",
        "success",
        "test-suite",
        "token",
    );
    assert_eq!(
        details(&written[0]),
        json!({ "killed": [ids[0], ids[2]], "skipped": [ids[1]], "not_found": [999_999] })
    );
    for id in [ids[0], ids[2]] {
        assert_eq!(
            session_json(&app, id).await["killed_by"],
            "token:test-suite"
        );
    }

    let before = app.audit_log().len();
    app.post_kill_many(&json!({ "ids": [ids[1], 999_999] }))
        .await;
    let written = entries_since(&app, before);
    assert_eq!(written.len(), 1);
    assert_entry(
        &written[0],
        "sessions.kill_many",
        "failure",
        "test-suite",
        "token",
    );
}

/// Waits for the entry an export writes when its stream ends.
async fn export_end(app: &TestApp, started: i64) -> AuditRow {
    for _ in 0..100 {
        let end = app
            .audit_of("sessions.export")
            .into_iter()
            .find(|row| details(row)["started_entry"] == started);
        if let Some(end) = end {
            return end;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the end of export {started} was never recorded");
}

#[actix_web::test]
async fn an_export_is_recorded_when_it_starts_and_when_it_ends_with_its_rows() {
    let app = spawn_app().await;
    let ended = |name: &'static str, email: &'static str, start: &str| Fixture {
        name,
        email,
        app: "GIMP",
        start: at(start),
        end: Some(at(start) + 60),
        status: Disconnected,
    };
    app.insert(&[
        ended("Anna", "anna@example.com", "2026-03-02T10:00:00Z"),
        ended("Hannah", "hannah@example.com", "2026-03-03T10:00:00Z"),
        ended("Bob", "bob@example.com", "2026-03-04T10:00:00Z"),
        ended("Joanna", "joanna@example.com", "2026-04-04T10:00:00Z"),
    ]);
    let before = app.audit_log().len();
    let query = [
        ("from", "2026-03-01"),
        ("to", "2026-03-31"),
        ("tz", "Europe/Paris"),
        ("field", "name"),
        ("contains", "ANN"),
        ("status", "Disconnected"),
    ];
    let response = app.get_export(&query).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let data_rows = text.lines().count() - 1;
    assert_eq!(data_rows, 2, "{text}");

    let start = &app.audit_log()[before];
    assert_entry(start, "sessions.export", "success", "test-suite", "token");
    assert_eq!(start.address.as_deref(), Some("127.0.0.1"));
    assert_eq!(
        details(start),
        json!({
            "from": "2026-03-01",
            "to": "2026-03-31",
            "tz": "Europe/Paris",
            "field": "name",
            "contains": "ANN",
            "status": ["Disconnected"],
        })
    );
    let end = export_end(&app, start.id).await;
    assert_entry(&end, "sessions.export", "success", "test-suite", "token");
    assert_eq!(
        details(&end),
        json!({ "started_entry": start.id, "rows": data_rows, "ending": "complete" })
    );
    assert_eq!(
        app.audit_of("sessions.export").len(),
        2,
        "two entries, no more"
    );
}

#[actix_web::test]
async fn an_empty_export_is_recorded_with_zero_rows() {
    let app = spawn_app().await;
    let response = app
        .get_export(&[("from", "2020-01-01"), ("to", "2020-01-01")])
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap().lines().count(), 1);
    let start = app.audit_of("sessions.export").remove(0);
    let end = export_end(&app, start.id).await;
    assert_eq!(details(&end)["rows"], 0);
}

#[actix_web::test]
async fn sign_ins_sign_outs_tokens_and_accounts_are_recorded() {
    let app = spawn_app().await;
    let start = app.audit_log();
    assert_entry(&start[0], "account.create", "success", "first-start", "cli");
    assert_eq!(
        details(&start[0]),
        json!({ "account": "admin", "role": "admin" })
    );
    assert_eq!(start[0].address, None);
    assert_entry(&start[1], "token.create", "success", &start[1].actor, "cli");
    assert_eq!(details(&start[1])["name"], "test-suite");

    let before = start.len();
    app.post_login(&app.anonymous(), "Admin", "not the password at all")
        .await;
    let admin = app.sign_in("admin", ADMIN_PASSWORD).await;
    let made: Value = admin
        .client
        .post(app.url("/api/v1/tokens"))
        .header("X-CSRF-Token", &admin.csrf_token)
        .json(&json!({ "name": "nightly", "scopes": ["sessions:export"], "expires_in_days": 7 }))
        .json_answer()
        .await;
    let token_id = made["token"]["id"].as_str().unwrap();
    let expires_at =
        chrono::DateTime::parse_from_rfc3339(made["token"]["expires_at"].as_str().unwrap())
            .unwrap()
            .timestamp();
    let revoked = admin
        .client
        .delete(app.url(&format!("/api/v1/tokens/{token_id}")))
        .header("X-CSRF-Token", &admin.csrf_token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    let logout = admin
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header("X-CSRF-Token", &admin.csrf_token)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    app.add_account("vera", Role::Viewer, "vera's password!");

    let written = entries_since(&app, before);
    let summary: Vec<(&str, &str, &str, &str)> = written
        .iter()
        .map(|r| {
            (
                r.action.as_str(),
                r.outcome.as_str(),
                r.actor.as_str(),
                r.actor_kind.as_str(),
            )
        })
        .collect();
    let cli = Actor::cli().name;
    assert_eq!(
        summary,
        [
            ("auth.login", "failure", "admin", "anonymous"),
            ("auth.login", "success", "admin", "account"),
            ("token.create", "success", "admin", "account"),
            ("token.revoke", "success", "admin", "account"),
            ("auth.logout", "success", "admin", "account"),
            ("account.create", "success", cli.as_str(), "cli"),
        ]
    );
    let details: Vec<Value> = written.iter().map(details).collect();
    assert_eq!(
        details[0],
        json!({ "reason": "wrong username or password" })
    );
    assert_eq!(details[1], json!({ "role": "admin" }));
    assert_eq!(
        details[2],
        json!({ "token_id": token_id, "name": "nightly", "scopes": ["sessions:export"], "expires_at": expires_at, "owner_id": 1 })
    );
    assert_eq!(
        details[3],
        json!({ "token_id": token_id, "name": "nightly" })
    );
    assert_eq!(details[5], json!({ "account": "vera", "role": "viewer" }));
    for row in &written[..5] {
        assert_eq!(row.address.as_deref(), Some("127.0.0.1"), "{row:?}");
    }
}

#[actix_web::test]
async fn a_kill_is_not_committed_without_its_audit_entry() {
    let app = spawn_app().await;
    let ids = app.insert(&[started_an_hour_ago(Connected)]);
    app.execute(audit_down());
    let response = app.post_kill(ids[0]).await;
    let body = assert_problem(response, 500, "").await;
    assert_eq!(body["type"], "urn:sessions-console:problem:internal");
    assert_eq!(
        app.status_in_db(ids[0]),
        "Connected",
        "the kill was rolled back"
    );
    let mut conn = app.pool().get().unwrap();
    let row = api::db::sessions::find_session(&mut conn, ids[0])
        .unwrap()
        .row;
    assert_eq!((row.end_time, row.killed_by), (None, None));
    drop(conn);

    let bulk = app.post_kill_many(&json!({ "ids": [ids[0]] })).await;
    assert_problem(bulk, 500, "").await;
    assert_eq!(app.status_in_db(ids[0]), "Connected", "the bulk kill too");

    app.execute(if crate::helpers::on_postgres() {
        AUDIT_UP_POSTGRES
    } else {
        "DROP TRIGGER audit_down;"
    });
    assert_eq!(
        app.post_kill(ids[0]).await.status(),
        200,
        "only the audit failed"
    );
}

#[actix_web::test]
async fn tokens_and_sign_ins_are_not_made_without_their_audit_entry() {
    let app = spawn_app().await;
    let leaked = app.token("to-revoke", &[Scope::SessionsRead]);
    let leaked_id = leaked
        .strip_prefix("sct_")
        .unwrap()
        .split('_')
        .next()
        .unwrap()
        .to_owned();
    app.execute(audit_down());

    let response = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&json!({ "name": "unaudited", "scopes": ["admin"] }))
        .send()
        .await
        .unwrap();
    assert_problem(response, 500, "").await;
    let mut conn = app.pool().get().unwrap();
    let names: Vec<String> = api::db::tokens::list_tokens(&mut conn)
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert!(!names.contains(&"unaudited".to_owned()), "{names:?}");
    drop(conn);

    let revoke = app
        .client
        .delete(app.url(&format!("/api/v1/tokens/{leaked_id}")))
        .send()
        .await
        .unwrap();
    assert_problem(revoke, 500, "").await;
    let still = app
        .client_with_token(&leaked)
        .get(app.url("/api/v1/sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), 200, "the revocation was rolled back");

    let login = app
        .post_login(&app.anonymous(), "admin", ADMIN_PASSWORD)
        .await;
    assert!(crate::helpers::sign_in_set_cookie(&login).is_none());
    assert_problem(login, 500, "").await;
    let mut conn = app.pool().get().unwrap();
    let sign_ins: i64 = api::db::schema::console_sessions::table
        .count()
        .get_result(&mut **conn)
        .unwrap();
    assert_eq!(sign_ins, 0, "no sign-in without its entry");
}

#[test]
fn audit_down_names_no_busy_database() {
    // A message with "busy" in it would be answered 503 instead of 500.
    assert!(!AUDIT_DOWN_SQLITE.contains("busy"));
    assert!(!AUDIT_DOWN_POSTGRES.contains("busy"));
}

#[actix_web::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    let app = spawn_app().await;
    let before = app.audit_log();
    let mut conn = app.pool().get().unwrap();
    for sql in [
        "UPDATE audit_log SET actor = 'someone-else'",
        "UPDATE audit_log SET details = '{}' WHERE id = 1",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = 1",
    ] {
        let error = conn.batch_execute(sql).expect_err(sql);
        assert!(
            error.to_string().contains("the audit log is append-only"),
            "{sql}: {error}"
        );
    }
    drop(conn);
    let after = app.audit_log();
    assert_eq!(
        after
            .iter()
            .map(|r| (r.id, &r.actor, &r.details))
            .collect::<Vec<_>>(),
        before
            .iter()
            .map(|r| (r.id, &r.actor, &r.details))
            .collect::<Vec<_>>()
    );
}

/// SQLite's `INSERT OR REPLACE` deletes the row it conflicts with and fires no DELETE trigger for that
/// unless recursive triggers are on, so the triggers alone do not stop it; PostgreSQL's upsert is an
/// UPDATE of the row it conflicts with.
#[actix_web::test]
async fn an_entry_cannot_be_overwritten_by_replacing_it() {
    let app = spawn_app().await;
    let first = app.audit_log().remove(0);
    let mut conn = app.pool().get().unwrap();
    let replaced = conn.batch_execute(if crate::helpers::on_postgres() {
        "INSERT INTO audit_log (id, at, actor_kind, actor, action, outcome, details) \
         OVERRIDING SYSTEM VALUE VALUES (1, 0, 'cli', 'nobody', 'account.create', 'success', '{}') \
         ON CONFLICT (id) DO UPDATE SET actor = excluded.actor, details = excluded.details"
    } else {
        "INSERT OR REPLACE INTO audit_log (id, at, actor_kind, actor, action, outcome, details) \
         VALUES (1, 0, 'cli', 'nobody', 'account.create', 'success', '{}')"
    });
    drop(conn);
    let now_first = app.audit_log().remove(0);
    assert!(replaced.is_err(), "the replacement was accepted");
    assert_eq!(
        (now_first.id, now_first.actor, now_first.details),
        (first.id, first.actor, first.details)
    );
}

/// An entry that counts repeated failures may count one more and move its time on; nothing else about it
/// changes, and no other entry becomes one.
#[actix_web::test]
async fn a_counted_entry_can_only_count_up() {
    let app = spawn_app().await;
    let mut conn = app.pool().get().unwrap();
    let guesser = Actor {
        kind: ActorKind::Anonymous,
        name: "admin".to_owned(),
        address: Some("192.0.2.1".to_owned()),
    };
    for _ in 0..2 {
        api::db::audit::record_repeated(
            &mut conn,
            &guesser,
            AuditAction::Login,
            AuditOutcome::Failure,
            json!({ "reason": "wrong username or password" }),
            now(),
        )
        .unwrap();
    }
    drop(conn);
    let before = app.audit_of("auth.login").remove(0);
    assert_eq!(before.count, 2);
    let grouped = "WHERE group_key IS NOT NULL";
    let replace = if crate::helpers::on_postgres() {
        "INSERT INTO audit_log (at, actor_kind, actor, action, outcome, details, group_key) \
         SELECT 0, 'cli', 'nobody', 'account.create', 'success', '{}', group_key FROM audit_log \
         WHERE group_key IS NOT NULL \
         ON CONFLICT (group_key) WHERE group_key IS NOT NULL DO UPDATE SET actor = excluded.actor"
            .to_owned()
    } else {
        "INSERT OR REPLACE INTO audit_log (at, actor_kind, actor, action, outcome, details, group_key) \
         SELECT 0, 'cli', 'nobody', 'account.create', 'success', '{}', group_key FROM audit_log \
         WHERE group_key IS NOT NULL"
            .to_owned()
    };
    let mut conn = app.pool().get().unwrap();
    for sql in [
        format!("UPDATE audit_log SET details = '{{}}', count = count + 1 {grouped}"),
        format!("UPDATE audit_log SET actor = 'someone-else', count = count + 1 {grouped}"),
        format!("UPDATE audit_log SET count = count + 2 {grouped}"),
        format!("UPDATE audit_log SET count = 1 {grouped}"),
        format!("UPDATE audit_log SET at = at - 60, count = count + 1 {grouped}"),
        format!("UPDATE audit_log SET group_key = 'another', count = count + 1 {grouped}"),
        format!("DELETE FROM audit_log {grouped}"),
        "UPDATE audit_log SET group_key = 'x', count = count + 1 WHERE id = 1".to_owned(),
        replace,
    ] {
        let error = conn.batch_execute(&sql).expect_err(&sql);
        assert!(
            error.to_string().contains("the audit log is append-only"),
            "{sql}: {error}"
        );
    }
    drop(conn);
    let after = app.audit_of("auth.login");
    assert_eq!(after.len(), 1);
    assert_eq!(
        (
            &after[0].actor,
            &after[0].details,
            after[0].count,
            after[0].at
        ),
        (&before.actor, &before.details, 2, before.at)
    );
    assert_eq!(
        app.audit_log()[0].count,
        1,
        "entry 1 did not become a counted one"
    );
}

/// Writes entries straight into the log at chosen times.
fn write_entries(app: &TestApp, entries: &[(&str, AuditAction, &str)]) {
    let mut conn = app.pool().get().unwrap();
    for (actor, action, time) in entries {
        let actor = Actor {
            kind: ActorKind::Account,
            name: (*actor).to_owned(),
            address: Some("192.0.2.10".to_owned()),
        };
        record(
            &mut conn,
            &actor,
            *action,
            AuditOutcome::Success,
            json!({}),
            at(time),
        )
        .unwrap();
    }
}

async fn audit_page(app: &TestApp, query: &[(&str, &str)]) -> Value {
    let response = app
        .client
        .get(app.url(AUDIT))
        .query(query)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{query:?}");
    response.json().await.unwrap()
}

fn entry_ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

#[actix_web::test]
async fn the_audit_page_lists_newest_first_as_the_log_holds_it() {
    let app = spawn_app().await;
    app.post_kill(424_242).await;
    let page = audit_page(&app, &[]).await;
    let log = app.audit_log();
    let mut expected: Vec<i64> = log.iter().map(|r| r.id).collect();
    expected.reverse();
    assert_eq!(entry_ids(&page), expected);
    assert_eq!(page["next_cursor"], Value::Null);
    let newest = &page["items"][0];
    assert_eq!(newest["action"], "sessions.kill");
    assert_eq!(newest["outcome"], "failure");
    assert_eq!(newest["actor"], "test-suite");
    assert_eq!(newest["actor_kind"], "token");
    assert_eq!(newest["address"], "127.0.0.1");
    assert_eq!(newest["details"]["session_id"], 424_242);
    let last = log.last().unwrap();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(newest["at"].as_str().unwrap())
            .unwrap()
            .timestamp(),
        last.at
    );
}

#[actix_web::test]
async fn the_audit_page_filters_by_actor_action_and_time() {
    let app = spawn_app().await;
    write_entries(
        &app,
        &[
            ("alice", AuditAction::KillSession, "2020-03-01T00:00:00Z"),
            ("bob", AuditAction::KillSession, "2020-03-01T01:00:00Z"),
            ("alice", AuditAction::Export, "2020-03-01T02:00:00Z"),
            ("alice", AuditAction::KillSession, "2020-03-02T00:00:00Z"),
        ],
    );
    let log = app.audit_log();
    let id_of = |n: usize| log[log.len() - 4 + n].id;
    type Query<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Query, Vec<i64>); 5] = [
        (&[("actor", "alice")], vec![id_of(3), id_of(2), id_of(0)]),
        (&[("actor", " bob ")], vec![id_of(1)]),
        (
            &[("action", "sessions.kill"), ("actor", "alice")],
            vec![id_of(3), id_of(0)],
        ),
        (
            &[
                ("from", "2020-03-01T01:00:00Z"),
                ("to", "2020-03-02T00:00:00Z"),
            ],
            vec![id_of(2), id_of(1)],
        ),
        (
            &[
                ("from", "2020-03-01T02:00:00+01:00"),
                ("action", "sessions.kill"),
            ],
            vec![id_of(3), id_of(1)],
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(
            entry_ids(&audit_page(&app, query).await),
            expected,
            "{query:?}"
        );
    }
    let exports = audit_page(&app, &[("action", "sessions.export")]).await;
    assert_eq!(entry_ids(&exports), [id_of(2)]);
}

#[actix_web::test]
async fn paging_through_the_audit_log_visits_every_entry_exactly_once() {
    let app = spawn_app().await;
    let entries: Vec<(String, AuditAction)> = (0..23)
        .map(|n| {
            let action = if n % 3 == 0 {
                AuditAction::Export
            } else {
                AuditAction::KillSession
            };
            (format!("user{}", n % 4), action)
        })
        .collect();
    let borrowed: Vec<(&str, AuditAction, &str)> = entries
        .iter()
        .map(|(actor, action)| (actor.as_str(), *action, "2026-01-01T00:00:00Z"))
        .collect();
    write_entries(&app, &borrowed);
    let log = app.audit_log();

    for (filter, matches) in [
        (None, log.clone()),
        (
            Some(("action", "sessions.kill")),
            log.iter()
                .filter(|r| r.action == "sessions.kill")
                .cloned()
                .collect::<Vec<_>>(),
        ),
    ] {
        let mut expected: Vec<i64> = matches.iter().map(|r| r.id).collect();
        expected.reverse();
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut query = vec![("limit", "4".to_owned())];
            if let Some((name, value)) = filter {
                query.push((name, value.to_owned()));
            }
            if let Some(cursor) = &cursor {
                query.push(("cursor", cursor.clone()));
            }
            let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let page = audit_page(&app, &query).await;
            let ids = entry_ids(&page);
            assert!(ids.len() <= 4);
            seen.extend(ids);
            pages += 1;
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
            assert!(pages < 100, "paging does not end");
        }
        assert_eq!(seen, expected, "{filter:?}");
        assert_eq!(
            pages,
            expected.len().div_ceil(4),
            "{filter:?}: no empty last page"
        );
    }
}

#[actix_web::test]
async fn the_audit_page_holds_fifty_entries_unless_asked_otherwise() {
    let app = spawn_app().await;
    let many = vec![("bulk", AuditAction::Export, "2026-01-01T00:00:00Z"); 510];
    write_entries(&app, &many);
    let page = audit_page(&app, &[]).await;
    assert_eq!(entry_ids(&page).len(), 50);
    assert!(page["next_cursor"].is_string());
    let page = audit_page(&app, &[("limit", "500")]).await;
    assert_eq!(entry_ids(&page).len(), 500);
}

async fn get_audit(app: &TestApp, name: &str, value: &str) -> reqwest::Response {
    app.client
        .get(app.url(AUDIT))
        .query(&[(name, value)])
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn bad_audit_parameters_are_a_400() {
    let app = spawn_app().await;
    let cases: [(&str, &str, &str); 11] = [
        (
            "limit",
            "0",
            "limit: '0' is not a whole number from 1 to 500",
        ),
        (
            "limit",
            "501",
            "limit: '501' is not a whole number from 1 to 500",
        ),
        ("limit", "ten", ""),
        ("limit", "-1", ""),
        ("cursor", "abc", "cursor: not one this server issued"),
        ("cursor", "0", "cursor: not one this server issued"),
        ("cursor", "-5", "cursor: not one this server issued"),
        (
            "action",
            "sessions.delete",
            "action: unknown action 'sessions.delete'",
        ),
        ("from", "yesterday", ""),
        ("to", "2026-13-01T00:00:00Z", ""),
        ("user", "admin", "unknown parameter 'user'"),
    ];
    for (name, value, mentions) in cases {
        let body = assert_problem(get_audit(&app, name, value).await, 400, mentions).await;
        assert_eq!(
            body["type"],
            "urn:sessions-console:problem:invalid-parameter"
        );
    }
}

/// As every list parameter is (see `errors.rs`), so the client knows which one to change.
#[actix_web::test]
async fn a_malformed_audit_parameter_is_named_in_the_problem() {
    let app = spawn_app().await;
    let mut unnamed = Vec::new();
    for (name, value) in [
        ("limit", "ten"),
        ("limit", "-1"),
        ("from", "yesterday"),
        ("to", "2026-13-01T00:00:00Z"),
    ] {
        let body = assert_problem(get_audit(&app, name, value).await, 400, "").await;
        let detail = body["detail"].as_str().unwrap();
        if !detail.contains(name) {
            unnamed.push(format!("{name}={value}: {detail:?}"));
        }
    }
    assert!(
        unnamed.is_empty(),
        "problems that do not name the parameter: {unnamed:#?}"
    );
}
