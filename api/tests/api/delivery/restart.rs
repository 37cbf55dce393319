//! The outbox survives the process: kills committed before a crash are delivered after the restart.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use super::eventually;
use super::test_broker::{SECRET, TestBroker};
use crate::helpers::JsonAnswer;

const BINARY: &str = env!("CARGO_BIN_EXE_sessions-api");

fn token(database: &Path, scopes: &str) -> String {
    let output = Command::new(BINARY)
        .args([
            "token",
            "create",
            scopes,
            "--scopes",
            scopes,
            "--database-url",
        ])
        .arg(database)
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// `sessions-api serve` on a free port, delivering kills to `webhook`.
struct Process {
    child: Child,
    base: String,
}

impl Process {
    async fn start(database: &Path, webhook: &str) -> Process {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(BINARY)
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--workers",
                "1",
            ])
            .args(["--broker-webhook", webhook, "--delivery-attempts", "100"])
            .arg("--database-url")
            .arg(database)
            .env("SESSIONS_BROKER_SECRET", SECRET)
            .env("SESSIONS_ADMIN_PASSWORD", "correct horse battery staple")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let process = Process {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let health = format!("{}/healthz", process.base);
        eventually("the server to start", || async {
            reqwest::get(&health).await.is_ok_and(|r| r.status() == 200)
        })
        .await;
        process
    }

    /// Stops it the hard way, as a crash or `kill -9` would.
    fn crash(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client(secret: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {secret}").parse().unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

#[actix_web::test]
async fn kills_made_before_a_crash_are_delivered_once_each_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("sessions.db");
    let (admin, broker_token) = (token(&database, "admin"), token(&database, "broker"));
    let broker = TestBroker::start(u32::MAX).await;

    let first = Process::start(&database, &broker.url()).await;
    let sessions: Vec<Value> = (0..3)
        .map(|n| {
            json!({ "broker_session_id": format!("brk-{n}"), "name": format!("User {n}"),
                    "email": format!("user{n}@example.com"), "app_name": "GIMP", "host": "h1",
                    "start_time": "2026-11-28T09:00:00Z" })
        })
        .collect();
    let opened: Value = client(&broker_token)
        .post(format!("{}/api/v1/broker/sessions", first.base))
        .json(&json!({ "sessions": sessions }))
        .json_answer()
        .await;
    let ids: Vec<i64> = opened["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    let killed = client(&admin)
        .post(format!("{}/api/v1/sessions/kill", first.base))
        .json(&json!({ "ids": ids }))
        .send()
        .await
        .unwrap();
    assert_eq!(killed.status(), 200);
    eventually("a refused delivery attempt", || async {
        broker.requests() >= 1
    })
    .await;
    first.crash();
    assert!(broker.applied().is_empty());

    broker.accept_from_now();
    let second = Process::start(&database, &broker.url()).await;
    eventually("every kill carried out", || async {
        broker.applied().len() == 3
    })
    .await;
    let mut carried_out: Vec<i64> = broker
        .applied()
        .iter()
        .map(|o| o["session_id"].as_i64().unwrap())
        .collect();
    carried_out.sort();
    assert_eq!(
        carried_out, ids,
        "each session's kill carried out under exactly one key"
    );
    for id in &ids {
        let url = format!("{}/api/v1/sessions/{id}", second.base);
        eventually("the delivery recorded", || async {
            let session: Value = client(&admin).get(&url).json_answer().await;
            session["delivery"]["state"] == "delivered"
        })
        .await;
    }
    // Nothing is sent again once delivered.
    let requests = broker.requests();
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(broker.requests(), requests);
}
