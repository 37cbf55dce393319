//! Repeated failed sign-ins are one audit entry per username tried, address and minute, with a count,
//! however many nodes and connections write them at once.

use std::collections::BTreeMap;

use api::db::audit::{Actor, REPEAT_SECONDS, record_repeated};
use serde_json::{Value, json};
use shared::{ActorKind, AuditAction, AuditOutcome};

use crate::helpers::{ADMIN_PASSWORD, JsonAnswer, TestApp, details, now, spawn_app};
use crate::nodes::second_node;
use crate::proxy::behind_a_trusted_proxy;

const WRONG_PASSWORD: &str = "not the password at all";

/// Waits, when the current minute is nearly over, for the next one: what a test sends then falls in
/// one minute, so in one entry.
pub async fn at_the_start_of_a_minute() {
    let into_minute = now().rem_euclid(REPEAT_SECONDS);
    if into_minute > REPEAT_SECONDS - 15 {
        let wait = (REPEAT_SECONDS - into_minute) as u64;
        actix_web::rt::time::sleep(std::time::Duration::from_millis(wait * 1000 + 100)).await;
    }
}

async fn wrong_password(app: &TestApp, forwarded_for: Option<&str>) -> u16 {
    let mut request = app
        .anonymous()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "username": "admin", "password": WRONG_PASSWORD }));
    if let Some(address) = forwarded_for {
        request = request.header("X-Forwarded-For", address);
    }
    request.send().await.unwrap().status().as_u16()
}

/// The failed sign-ins in the log, oldest first: (actor, address, count).
fn failures(app: &TestApp) -> Vec<(String, Option<String>, i32)> {
    app.audit_of("auth.login")
        .into_iter()
        .filter(|row| row.outcome == "failure")
        .map(|row| (row.actor, row.address, row.count))
        .collect()
}

#[actix_web::test]
async fn ten_wrong_passwords_from_one_address_are_one_entry_counting_those_that_were_tried() {
    let app = spawn_app().await;
    at_the_start_of_a_minute().await;
    let mut answers = Vec::new();
    for _ in 0..10 {
        answers.push(wrong_password(&app, None).await);
    }
    // The throttle lets 5 be tried; the other 5 are refused before their password is checked, and
    // are not attempts the log counts.
    assert_eq!(answers, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    assert_eq!(
        failures(&app),
        [("admin".to_owned(), Some("127.0.0.1".to_owned()), 5)]
    );
    let entry = app.audit_of("auth.login").remove(0);
    assert_eq!(
        details(&entry),
        json!({ "reason": "wrong username or password" })
    );
    assert_eq!(entry.actor_kind, "anonymous");

    let page: Value = app
        .client
        .get(app.url("/api/v1/audit?action=auth.login"))
        .json_answer()
        .await;
    assert_eq!(page["items"][0]["count"], 5, "{page}");
    let other: Value = app
        .client
        .get(app.url("/api/v1/audit?action=account.create"))
        .json_answer()
        .await;
    assert_eq!(other["items"][0]["count"], 1, "{other}");
}

#[actix_web::test]
async fn failures_from_two_addresses_are_two_entries() {
    let app = behind_a_trusted_proxy().await;
    at_the_start_of_a_minute().await;
    for address in [
        "198.51.100.1",
        "198.51.100.2",
        "198.51.100.1",
        "198.51.100.1",
    ] {
        assert_eq!(wrong_password(&app, Some(address)).await, 401);
    }
    assert_eq!(
        failures(&app),
        [
            ("admin".to_owned(), Some("198.51.100.1".to_owned()), 3),
            ("admin".to_owned(), Some("198.51.100.2".to_owned()), 1),
        ]
    );
}

#[actix_web::test]
async fn failures_for_two_usernames_are_two_entries_and_successes_one_each() {
    let app = spawn_app().await;
    at_the_start_of_a_minute().await;
    for username in ["admin", "nobody", "nobody", "admin"] {
        let response = app
            .post_login(&app.anonymous(), username, WRONG_PASSWORD)
            .await;
        assert_eq!(response.status(), 401);
    }
    app.sign_in("admin", ADMIN_PASSWORD).await;
    app.sign_in("admin", ADMIN_PASSWORD).await;
    let entries: Vec<(String, String, i32)> = app
        .audit_of("auth.login")
        .into_iter()
        .map(|row| (row.actor, row.outcome.as_str().to_owned(), row.count))
        .collect();
    let entry = |actor: &str, outcome: &str, count| (actor.to_owned(), outcome.to_owned(), count);
    assert_eq!(
        entries,
        [
            entry("admin", "failure", 2),
            entry("nobody", "failure", 2),
            entry("admin", "success", 1),
            entry("admin", "success", 1),
        ]
    );
}

#[actix_web::test]
async fn parallel_failures_through_two_nodes_are_one_entry_with_the_exact_count() {
    let a = spawn_app().await;
    let b = second_node(&a).await;
    at_the_start_of_a_minute().await;
    let guesses = (0..16).map(|n| wrong_password(if n % 2 == 0 { &a } else { &b }, None));
    let mut answers: BTreeMap<u16, i32> = BTreeMap::new();
    for status in futures_util::future::join_all(guesses).await {
        *answers.entry(status).or_default() += 1;
    }
    let tried = answers[&401];
    assert_eq!(
        failures(&a),
        [("admin".to_owned(), Some("127.0.0.1".to_owned()), tried)],
        "{answers:?}"
    );
}

/// Beyond what the throttle lets through HTTP (5 tries an account and address): many connections, as
/// many nodes would have, count into the same entries at the same moment. Each round is a minute of its
/// own, so each starts with all writers racing to create its entry.
#[actix_web::test]
async fn attempts_counted_from_many_connections_at_once_are_each_counted_once() {
    const WRITERS: usize = 8;
    const MINUTES: i64 = 20;
    let app = spawn_app().await;
    let pool = api::db::connect(&app.database, WRITERS as u32).unwrap();
    let first_minute = now() - now().rem_euclid(REPEAT_SECONDS) - MINUTES * REPEAT_SECONDS;
    let guesser = Actor {
        kind: ActorKind::Anonymous,
        name: "admin".to_owned(),
        address: Some("192.0.2.7".to_owned()),
    };
    let together = std::sync::Arc::new(std::sync::Barrier::new(WRITERS));
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let (pool, guesser, together) = (pool.clone(), guesser.clone(), together.clone());
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                // Errors are kept, not raised: a writer that stopped would leave the others waiting.
                let mut errors = Vec::new();
                for minute in 0..MINUTES {
                    together.wait();
                    let counted = record_repeated(
                        &mut conn,
                        &guesser,
                        AuditAction::Login,
                        AuditOutcome::Failure,
                        json!({ "reason": "wrong username or password" }),
                        first_minute + minute * REPEAT_SECONDS,
                    );
                    errors.extend(counted.err().map(|error| error.to_string()));
                }
                errors
            })
        })
        .collect();
    let errors: Vec<String> = writers
        .into_iter()
        .flat_map(|writer| writer.join().unwrap())
        .collect();
    assert_eq!(errors, Vec::<String>::new());
    let counts: Vec<(i64, i32)> = app
        .audit_of("auth.login")
        .into_iter()
        .map(|row| (row.at, row.count))
        .collect();
    let expected: Vec<(i64, i32)> = (0..MINUTES)
        .map(|minute| (first_minute + minute * REPEAT_SECONDS, WRITERS as i32))
        .collect();
    assert_eq!(counts, expected);
}

#[actix_web::test]
async fn a_new_minute_starts_a_new_entry_and_an_entry_keeps_its_latest_time() {
    let app = spawn_app().await;
    let mut conn = app.pool().get().unwrap();
    let guesser = Actor {
        kind: ActorKind::Anonymous,
        name: "admin".to_owned(),
        address: Some("192.0.2.8".to_owned()),
    };
    let minute = now() - now().rem_euclid(REPEAT_SECONDS);
    // The third comes from a node whose clock is behind: the entry's time does not go back.
    for at in [
        minute + 10,
        minute + 40,
        minute + 20,
        minute + REPEAT_SECONDS,
    ] {
        record_repeated(
            &mut conn,
            &guesser,
            AuditAction::Login,
            AuditOutcome::Failure,
            json!({ "reason": "wrong username or password" }),
            at,
        )
        .unwrap();
    }
    drop(conn);
    let entries: Vec<(i64, i32)> = app
        .audit_of("auth.login")
        .into_iter()
        .map(|row| (row.at, row.count))
        .collect();
    assert_eq!(entries, [(minute + 40, 3), (minute + REPEAT_SECONDS, 1)]);
}
