//! Drill: SIGKILL while a bulk kill of 10,000 sessions runs. The sessions, the kill's audit entry and its
//! 10,000 outbox rows change in one transaction: after the restart all of them are there, or none is.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shared::MAX_BULK_KILL;

use super::NO_FLAGS;
use super::observer::Observer;
use crate::helpers::{JsonAnswer, TestDatabase};
use crate::process::{Process, client_with_token, token};

/// Where in the kill a crash landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Landed {
    BeforeTheTransaction,
    InsideTheTransaction,
    AfterTheCommit,
}

/// When the crashes come, as parts of how long an uncrashed kill takes: spread over all of it, and one
/// past its end (a kill that committed, its answer lost).
const CRASH_AT: [f64; 4] = [0.1, 0.4, 0.7, 1.1];
/// Rounds more, at most, while no crash has landed inside the transaction.
const EXTRA_ROUNDS: usize = 3;

/// What the database holds of the bulk kills, as the restarted server answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Committed {
    killed: u64,
    /// The bulk kills' audit entries, newest first: how many sessions each lists as killed.
    audited: Vec<usize>,
    outbox_rows: i64,
}

impl Committed {
    /// With one more bulk kill of 10,000.
    fn and_one_more_kill(&self) -> Committed {
        let mut audited = self.audited.clone();
        audited.insert(0, MAX_BULK_KILL);
        Committed {
            killed: self.killed + MAX_BULK_KILL as u64,
            audited,
            outbox_rows: self.outbox_rows + MAX_BULK_KILL as i64,
        }
    }
}

struct Drill {
    admin: reqwest::Client,
    observer: Observer,
    /// A session the broker reported through its API.
    template: i64,
    sets_opened: usize,
}

impl Drill {
    /// 10,000 new sessions the broker reported: copies of the one it reported through its API.
    fn open_sessions(&mut self) -> Vec<i64> {
        self.sets_opened += 1;
        let prefix = format!("set-{}-", self.sets_opened);
        let ids = self
            .observer
            .copy_session(self.template, &prefix, MAX_BULK_KILL);
        assert_eq!(ids.len(), MAX_BULK_KILL);
        ids
    }

    fn kill(&self, server: &Process, ids: &[i64]) -> reqwest::RequestBuilder {
        self.admin
            .post(format!("{}/api/v1/sessions/kill", server.base))
            .json(&json!({ "ids": ids }))
    }

    async fn committed(&mut self, server: &Process) -> Committed {
        let killed: Value = self
            .admin
            .get(format!(
                "{}/api/v1/sessions?status=Killed&limit=1",
                server.base
            ))
            .json_answer()
            .await;
        let entries: Value = self
            .admin
            .get(format!(
                "{}/api/v1/audit?action=sessions.kill_many&limit=100",
                server.base
            ))
            .json_answer()
            .await;
        Committed {
            killed: killed["total"].as_u64().unwrap(),
            audited: entries["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|entry| entry["details"]["killed"].as_array().unwrap().len())
                .collect(),
            outbox_rows: self.observer.outbox_rows(),
        }
    }
}

#[actix_web::test]
async fn a_bulk_kill_of_10000_crashed_at_any_moment_is_there_whole_after_the_restart_or_not_at_all()
{
    let database = TestDatabase::new();
    let broker = client_with_token(&token(&database, "broker"));
    let mut server = Process::start(&database, &NO_FLAGS, &[]).await;
    let opened: Value = broker
        .post(format!("{}/api/v1/broker/sessions", server.base))
        .json(&json!({ "sessions": [{
            "broker_session_id": "template", "name": "Joe Bloggs", "email": "joe@example.com",
            "app_name": "GIMP", "host": "h1", "start_time": "2026-11-28T09:00:00Z" }] }))
        .json_answer()
        .await;
    let mut drill = Drill {
        admin: client_with_token(&token(&database, "admin")),
        observer: Observer::connect(&database),
        template: opened["sessions"][0]["id"].as_i64().unwrap(),
        sets_opened: 0,
    };

    // One kill left to finish says how long a kill takes on this machine.
    let ids = drill.open_sessions();
    let started = Instant::now();
    let answer: Value = drill.kill(&server, &ids).json_answer().await;
    let takes = started.elapsed();
    assert_eq!(answer["killed"].as_array().unwrap().len(), MAX_BULK_KILL);
    let mut expected = Committed {
        killed: 0,
        audited: Vec::new(),
        outbox_rows: 0,
    }
    .and_one_more_kill();
    assert_eq!(drill.committed(&server).await, expected);

    let mut ids = drill.open_sessions();
    let mut rounds: Vec<(Duration, Landed)> = Vec::new();
    let mut delays: Vec<Duration> = CRASH_AT
        .iter()
        .rev()
        .map(|&part| takes.mul_f64(part))
        .collect();
    while let Some(delay) = delays.pop() {
        while drill.observer.writer_open() {
            // A transaction of the crashed server's PostgreSQL connection, not yet rolled back.
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        drill.observer.release();
        let request = actix_web::rt::spawn(drill.kill(&server, &ids).send());
        actix_web::rt::time::sleep(delay).await;
        let inside = drill.observer.writer_open();
        server.crash();
        drill.observer.release();
        let _ = request.await;

        server = Process::start(&database, &NO_FLAGS, &[]).await;
        let now = drill.committed(&server).await;
        let landed = if now == expected {
            if inside {
                Landed::InsideTheTransaction
            } else {
                Landed::BeforeTheTransaction
            }
        } else {
            expected = expected.and_one_more_kill();
            assert_eq!(
                now, expected,
                "a crash {delay:?} into a bulk kill left part of it"
            );
            ids = drill.open_sessions();
            Landed::AfterTheCommit
        };
        rounds.push((delay, landed));
        let inside = rounds
            .iter()
            .any(|&(_, landed)| landed == Landed::InsideTheTransaction);
        if delays.is_empty() && !inside && rounds.len() < CRASH_AT.len() + EXTRA_ROUNDS {
            // Kills ran faster or slower than the calibrated one: look for the transaction nearer.
            delays.push(match landed {
                Landed::AfterTheCommit => delay / 2,
                _ => delay.mul_f64(1.5),
            });
        }
    }
    println!("an uncrashed bulk kill of {MAX_BULK_KILL} took {takes:?}; crashes: {rounds:?}");
    let count = |which| rounds.iter().filter(|(_, landed)| *landed == which).count();
    println!(
        "{} crashed before the transaction, {} inside it, {} after its commit",
        count(Landed::BeforeTheTransaction),
        count(Landed::InsideTheTransaction),
        count(Landed::AfterTheCommit)
    );
    assert!(
        count(Landed::InsideTheTransaction) > 0,
        "no crash landed inside the transaction: {rounds:?}"
    );
}
