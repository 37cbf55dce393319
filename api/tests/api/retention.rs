//! Retention: `serve --retain-days/--audit-retain-days` and `sessions-api prune` remove exactly the old
//! ended sessions (with their events and deliveries) and old audit entries, keep the totals exact, write
//! one audit entry per run, and the audit log stays append-only otherwise.

use std::process::Command;
use std::time::{Duration, Instant};

use api::db::DbPool;
use api::db::seed::{SessionSpec, add_session};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::Value;
use shared::SessionStatus;

use crate::helpers::{TestDatabase, spawn_app};
use crate::process::{BINARY, Process, client_with_token, token};

const DAY: i64 = 86_400;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A session that started `started` days ago and ended `ended` days ago (or runs on).
fn session(pool: &DbPool, started: i64, ended: Option<i64>, status: SessionStatus) -> i64 {
    let now = now();
    add_session(
        &mut pool.get().unwrap(),
        &SessionSpec {
            name: "Ada Lovelace",
            email: "ada@example.org",
            app_name: "Paint",
            start_time: now - started * DAY,
            end_time: ended.map(|days| now - days * DAY),
            status,
        },
    )
    .unwrap()
}

fn execute(pool: &DbPool, sql: &str) -> QueryResult<()> {
    pool.get().unwrap().batch_execute(sql)
}

/// An event and a kill delivery of the session, as the triggers and a kill make them.
fn event_of(pool: &DbPool, id: i64) {
    execute(
        pool,
        &format!(
            "INSERT INTO session_events (at, session_id, kind) VALUES ({}, {id}, 'changed')",
            now()
        ),
    )
    .unwrap();
}

fn delivery_of(pool: &DbPool, id: i64, state: &str) {
    execute(
        pool,
        &format!(
            "INSERT INTO kill_deliveries (session_id, idempotency_key, state, attempts, next_attempt_at, \
             created_at) VALUES ({id}, 'key-{id}', '{state}', 1, {}, {})",
            now() + 3600,
            now() - 40 * DAY
        ),
    )
    .unwrap();
}

/// An audit entry written `days` ago (inserting is what the log allows).
fn audit_entry(pool: &DbPool, days: i64) {
    execute(
        pool,
        &format!(
            "INSERT INTO audit_log (at, actor_kind, actor, action, outcome) \
             VALUES ({}, 'cli', 'old', 'token.create', 'success')",
            now() - days * DAY
        ),
    )
    .unwrap();
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(pool: &DbPool, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(&mut **pool.get().unwrap())
        .unwrap()
        .n
}

fn ids(pool: &DbPool, table: &str, column: &str) -> Vec<i64> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    diesel::sql_query(format!(
        "SELECT {column} AS id FROM {table} ORDER BY {column}"
    ))
    .load::<Id>(&mut **pool.get().unwrap())
    .unwrap()
    .into_iter()
    .map(|row| row.id)
    .collect()
}

/// The `retention.prune` entries' details.
fn prune_entries(pool: &DbPool) -> Vec<Value> {
    #[derive(QueryableByName)]
    struct Details {
        #[diesel(sql_type = diesel::sql_types::Text)]
        details: String,
    }
    diesel::sql_query("SELECT details FROM audit_log WHERE action = 'retention.prune' ORDER BY id")
        .load::<Details>(&mut **pool.get().unwrap())
        .unwrap()
        .iter()
        .map(|row| serde_json::from_str(&row.details).unwrap())
        .collect()
}

fn prune(database: &TestDatabase, args: &[&str]) -> (bool, String) {
    let output = Command::new(BINARY)
        .arg("prune")
        .args(args)
        .arg("--database-url")
        .arg(&database.url)
        .current_dir(database.dir.path())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

async fn total(client: &reqwest::Client, base: &str, status: &str) -> u64 {
    let page: Value = client
        .get(format!("{base}/api/v1/sessions?limit=1{status}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["total"].as_u64().unwrap()
}

/// The database as the tests below fill it: what must go and what must stay.
struct Fixtures {
    pool: DbPool,
    removed: Vec<i64>,
    kept: Vec<i64>,
    token: String,
}

/// Ended 40 days ago: 3 Disconnected (one with an event), a Killed one with a delivered kill and
/// an event, a Killed one whose kill is still pending (kept, or its delivery would be lost). Kept
/// also: one started 40 days ago and still running, one Unknown, one that ended 2 days ago, one killed
/// yesterday. Audit entries from 40 and 35 days ago go with `--audit-retain-days 30`; one from 20 days
/// ago stays.
fn fill(database: &TestDatabase) -> Fixtures {
    let token = token(database, "sessions:read");
    let pool = api::db::connect(&database.url, 2).unwrap();
    let old: Vec<i64> = (0..3)
        .map(|_| session(&pool, 41, Some(40), SessionStatus::Disconnected))
        .collect();
    event_of(&pool, old[0]);
    let killed_old = session(&pool, 41, Some(40), SessionStatus::Killed);
    delivery_of(&pool, killed_old, "delivered");
    event_of(&pool, killed_old);
    let killed_pending = session(&pool, 41, Some(40), SessionStatus::Killed);
    delivery_of(&pool, killed_pending, "pending");
    let running = session(&pool, 40, None, SessionStatus::Connected);
    event_of(&pool, running);
    let unknown = session(&pool, 40, None, SessionStatus::Unknown);
    let recent = session(&pool, 40, Some(2), SessionStatus::Disconnected);
    event_of(&pool, recent);
    let killed_recent = session(&pool, 40, Some(1), SessionStatus::Killed);
    delivery_of(&pool, killed_recent, "failed");
    for days in [40, 35, 20] {
        audit_entry(&pool, days);
    }
    let mut removed = old;
    removed.push(killed_old);
    Fixtures {
        pool,
        removed,
        kept: vec![killed_pending, running, unknown, recent, killed_recent],
        token,
    }
}

const RETAIN: [&str; 4] = ["--retain-days", "10", "--audit-retain-days", "30"];

#[actix_web::test]
async fn two_nodes_prune_exactly_the_old_ended_sessions_once_and_totals_stay_exact() {
    let database = TestDatabase::new();
    let fixtures = fill(&database);
    let pool = &fixtures.pool;
    let audit_before = count(pool, "SELECT count(*) AS n FROM audit_log");

    // The dry run says what would go and changes nothing.
    let (ok, said) = prune(&database, &[&RETAIN[..], &["--dry-run"]].concat());
    assert!(ok, "{said}");
    assert!(
        said.contains("would remove 4 sessions, 2 events, 1 kill deliveries, 2 audit entries"),
        "{said}"
    );
    assert_eq!(count(pool, "SELECT count(*) AS n FROM sessions"), 9);
    assert_eq!(
        count(pool, "SELECT count(*) AS n FROM audit_log"),
        audit_before
    );
    assert!(prune_entries(pool).is_empty());

    // Two nodes start with retention on; each tries a run at once, and the lease lets one do it.
    let a = Process::start(&database, &RETAIN, &[]).await;
    let b = Process::start(&database, &RETAIN, &[]).await;
    let client = client_with_token(&fixtures.token);
    let started = Instant::now();
    while count(pool, "SELECT count(*) AS n FROM sessions") > 5 {
        assert!(started.elapsed() < Duration::from_secs(20), "{}", a.log());
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    // Both had their first run by now (they start it right away).
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;

    assert_eq!(ids(pool, "sessions", "id"), fixtures.kept);
    assert!(fixtures.removed.iter().all(|id| count(
        pool,
        &format!("SELECT count(*) AS n FROM session_events WHERE session_id = {id}")
    ) == 0));
    assert_eq!(count(pool, "SELECT count(*) AS n FROM session_events"), 2);
    assert_eq!(
        ids(pool, "kill_deliveries", "session_id"),
        vec![fixtures.kept[0], fixtures.kept[4]]
    );
    // 40 and 35 days old went; 20 days old stayed.
    assert_eq!(
        count(
            pool,
            "SELECT count(*) AS n FROM audit_log WHERE actor = 'old'"
        ),
        1
    );

    // The totals each node lists are the rows there are, in all and per status.
    for base in [&a.base, &b.base] {
        assert_eq!(total(&client, base, "").await, 5);
        for (status, rows) in [
            ("Connected", 1),
            ("Unknown", 1),
            ("Disconnected", 1),
            ("Killed", 2),
        ] {
            assert_eq!(
                total(&client, base, &format!("&status={status}")).await,
                rows,
                "{status}"
            );
        }
        assert_eq!(total(&client, base, "&field=name&contains=ada").await, 5);
    }

    // One run, one entry, saying what it removed.
    let entries = prune_entries(pool);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["sessions"], 4);
    assert_eq!(entries[0]["events"], 2);
    assert_eq!(entries[0]["deliveries"], 1);
    assert_eq!(entries[0]["audit_entries"], 2);

    // Nothing more to remove: a further run says so and writes no entry.
    let (ok, said) = prune(&database, &RETAIN);
    assert!(ok, "{said}");
    assert!(
        said.contains("removed 0 sessions, 0 events, 0 kill deliveries, 0 audit entries"),
        "{said}"
    );
    assert_eq!(prune_entries(pool).len(), 1);
}

#[actix_web::test]
async fn a_one_off_prune_removes_what_its_dry_run_announced_and_records_it() {
    let database = TestDatabase::new();
    let fixtures = fill(&database);
    let pool = &fixtures.pool;
    let (ok, said) = prune(&database, &["--retain-days", "10", "--dry-run"]);
    assert!(
        ok && said
            .contains("would remove 4 sessions, 2 events, 1 kill deliveries, 0 audit entries"),
        "{said}"
    );
    let (ok, said) = prune(&database, &["--retain-days", "10"]);
    assert!(
        ok && said.contains("removed 4 sessions, 2 events, 1 kill deliveries, 0 audit entries"),
        "{said}"
    );
    assert_eq!(ids(pool, "sessions", "id"), fixtures.kept);
    // Without --audit-retain-days the old entries stay.
    assert_eq!(
        count(
            pool,
            "SELECT count(*) AS n FROM audit_log WHERE actor = 'old'"
        ),
        3
    );
    let entries = prune_entries(pool);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["sessions"], 4);
    assert_eq!(entries[0]["audit_before"], Value::Null);

    // And the server's list agrees with the table.
    let server = Process::start(&database, &[] as &[&str], &[]).await;
    let client = client_with_token(&fixtures.token);
    assert_eq!(total(&client, &server.base, "").await, 5);
    assert_eq!(total(&client, &server.base, "&status=Killed").await, 2);
}

#[actix_web::test]
async fn prune_refuses_an_audit_retention_under_the_floor_and_a_run_with_nothing_to_do() {
    let database = TestDatabase::new();
    token(&database, "sessions:read");
    let (ok, said) = prune(&database, &["--audit-retain-days", "29"]);
    assert!(!ok && said.contains("30"), "{said}");
    let (ok, said) = prune(&database, &[]);
    assert!(!ok && said.contains("--retain-days"), "{said}");
}

/// A statement on the audit log that the database must refuse.
fn refused(pool: &DbPool, sql: &str) {
    let error = execute(pool, sql).expect_err(sql).to_string();
    assert!(error.contains("append-only"), "{sql}: {error}");
}

#[actix_web::test]
async fn the_audit_log_stays_append_only_but_for_a_declared_prune_of_entries_past_the_floor() {
    let app = spawn_app().await;
    let pool = app.pool();
    for days in [40, 33, 20] {
        audit_entry(pool, days);
    }
    let old = |days: i64| {
        format!(
            "DELETE FROM audit_log WHERE actor = 'old' AND at < {}",
            now() - days * DAY + 60
        )
    };
    // Without a run holding the lease, nothing goes, however old.
    refused(pool, &old(40));
    refused(pool, "DELETE FROM audit_log");
    refused(
        pool,
        &format!(
            "UPDATE audit_log SET actor = 'someone else' WHERE at < {}",
            now() - 39 * DAY
        ),
    );
    // A run that declares a cutoff of 35 days may delete what is older than that, and nothing else:
    // not the entry of 33 days (younger than its cutoff), and never one of 20 days (under the floor),
    // even when the declared cutoff is now.
    let lease = |before: i64| {
        execute(
            pool,
            &format!(
                "UPDATE prune_lease SET holder = 'test', expires_at = {}, audit_before = {before}",
                now() + 60
            ),
        )
        .unwrap()
    };
    lease(now() - 35 * DAY);
    refused(pool, &old(33));
    execute(pool, &old(40)).unwrap();
    lease(now());
    refused(pool, &old(20));
    // A lease that ran out allows nothing.
    execute(
        pool,
        &format!(
            "UPDATE prune_lease SET expires_at = {}, audit_before = {}",
            now() - 1,
            now()
        ),
    )
    .unwrap();
    refused(pool, &old(33));
    assert_eq!(
        count(
            pool,
            "SELECT count(*) AS n FROM audit_log WHERE actor = 'old'"
        ),
        2
    );
    if crate::helpers::on_postgres() {
        refused(pool, "TRUNCATE audit_log");
    }
    // Through the API too, the log reads as before.
    let page: Value = app
        .get("/api/v1/audit?actor=old")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2, "{page}");
}

#[actix_web::test]
async fn a_run_waits_for_the_lease_and_counts_in_what_a_run_that_died_removed() {
    let database = TestDatabase::new();
    let fixtures = fill(&database);
    let pool = &fixtures.pool;
    // Another node's run holds the lease: this one does nothing.
    execute(
        pool,
        &format!(
            "UPDATE prune_lease SET holder = 'other node', expires_at = {}, sessions = 7, events = 1",
            now() + 60
        ),
    )
    .unwrap();
    let (ok, said) = prune(&database, &["--retain-days", "10"]);
    assert!(!ok && said.contains("another pruning run"), "{said}");
    assert_eq!(count(pool, "SELECT count(*) AS n FROM sessions"), 9);
    assert!(prune_entries(pool).is_empty());

    // That run died half-way: once its lease runs out, the next run takes over, and its one entry
    // counts what the dead run had removed too.
    execute(
        pool,
        &format!("UPDATE prune_lease SET expires_at = {}", now() - 1),
    )
    .unwrap();
    let (ok, said) = prune(&database, &["--retain-days", "10"]);
    assert!(ok, "{said}");
    assert!(
        said.contains("removed 11 sessions, 3 events, 1 kill deliveries"),
        "{said}"
    );
    let entries = prune_entries(pool);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["sessions"], 11);
    assert_eq!(ids(pool, "sessions", "id"), fixtures.kept);
    // And the lease is free again, its counts back to nothing.
    assert_eq!(
        count(
            pool,
            "SELECT count(*) AS n FROM prune_lease WHERE holder IS NULL AND sessions = 0 AND events = 0"
        ),
        1
    );
}

#[actix_web::test]
async fn a_run_walks_many_batches_and_skips_what_it_keeps_between_them() {
    let database = TestDatabase::new();
    let secret = token(&database, "sessions:read");
    let pool = api::db::connect(&database.url, 2).unwrap();
    let first = session(&pool, 41, None, SessionStatus::Connected);
    // 3,000 more sessions, three to a start time (so batches end inside a tie): every fifth still
    // running, the others ended 40 days ago.
    let started = now() - 41 * DAY;
    let ended = now() - 40 * DAY;
    execute(
        &pool,
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
             INSERT INTO sessions (user_id, app_id, name_key, email_key, app_key, start_time, end_time,
                                   ended_duration, status)
             SELECT s.user_id, s.app_id, s.name_key, s.email_key, s.app_key, {started} + i / 3,
                    CASE WHEN i % 5 = 0 THEN NULL ELSE {ended} END,
                    CASE WHEN i % 5 = 0 THEN NULL ELSE {ended} - ({started} + i / 3) END,
                    CASE WHEN i % 5 = 0 THEN 'Connected' ELSE 'Disconnected' END
             FROM n, sessions AS s WHERE s.id = {first}"
        ),
    )
    .unwrap();
    let (ok, said) = prune(&database, &["--retain-days", "10"]);
    assert!(ok && said.contains("removed 2400 sessions"), "{said}");
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) AS n FROM sessions WHERE status = 'Connected'"
        ),
        601
    );
    assert_eq!(count(&pool, "SELECT count(*) AS n FROM sessions"), 601);
    let server = Process::start(&database, &[] as &[&str], &[]).await;
    let client = client_with_token(&secret);
    assert_eq!(total(&client, &server.base, "").await, 601);
    assert_eq!(
        total(&client, &server.base, "&status=Disconnected").await,
        0
    );
    assert_eq!(
        total(&client, &server.base, "&field=name&contains=ada").await,
        601
    );
    assert_eq!(prune_entries(&pool)[0]["sessions"], 2400);
}
