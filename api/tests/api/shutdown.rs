//! SIGTERM to a real `serve`: it refuses new connections at once, yet the export under way completes
//! whole (and its end is in the audit log), the live stream ends with a `reconnect` event, and the
//! process exits 0.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{TestDatabase, details};
use crate::process::{BINARY, Process, client_with_token, token};

const SESSIONS: u64 = 20_000;

#[actix_web::test]
async fn sigterm_lets_the_running_export_finish_whole_then_exits_0() {
    let database = TestDatabase::new();
    let client = client_with_token(&token(&database, "admin"));
    let seeded = Command::new(BINARY)
        .args([
            "seed",
            "--sessions",
            &SESSIONS.to_string(),
            "--database-url",
        ])
        .arg(&database.url)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(seeded.success());
    let mut server = Process::start(&database, &["--shutdown-timeout", "20"], &[]).await;

    let mut stream = client
        .get(format!("{}/api/v1/events", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let mut export = client
        .get(format!(
            "{}/api/v1/sessions/export?from=2000-01-01&to=2100-01-01",
            server.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let mut csv = export
        .chunk()
        .await
        .unwrap()
        .expect("a first chunk")
        .to_vec();

    server.terminate();
    // Reading nothing meanwhile keeps the export under way while the server stops accepting.
    let refused_at = Instant::now();
    loop {
        match std::net::TcpStream::connect(("127.0.0.1", server.port())) {
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => break,
            _ => {
                assert!(
                    refused_at.elapsed() < Duration::from_secs(5),
                    "still accepting connections 5 s after SIGTERM"
                );
                actix_web::rt::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    while let Some(chunk) = export.chunk().await.expect("the export is not cut") {
        csv.extend_from_slice(&chunk);
    }
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.ends_with('\n'));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.len() as u64,
        SESSIONS + 1,
        "the header and every session"
    );
    let ids: std::collections::BTreeSet<&str> = lines[1..]
        .iter()
        .map(|line| line.split(',').next().unwrap())
        .collect();
    assert_eq!(ids.len() as u64, SESSIONS);

    let mut events = Vec::new();
    while let Some(chunk) = stream.chunk().await.expect("the stream ends cleanly") {
        events.extend_from_slice(&chunk);
    }
    let events = String::from_utf8(events).unwrap();
    assert!(
        events.ends_with("event: reconnect\ndata: the server is stopping; reconnect\n\n"),
        "{events}"
    );

    let status = server.exited(Duration::from_secs(20)).await;
    assert_eq!(status.code(), Some(0), "its log:\n{}", server.log());
    let log = server.log();
    assert!(log.contains("SIGTERM") && log.contains("stopped"), "{log}");
    assert!(!log.contains("unfinished"), "{log}");

    // The export's end was recorded before the process exited.
    let mut conn = api::db::connect(&database.url, 1).unwrap().get().unwrap();
    let ends: Vec<serde_json::Value> = api::db::audit::list_entries(
        &mut conn,
        &api::db::audit::AuditFilter::default(),
        None,
        100,
    )
    .unwrap()
    .iter()
    .map(details)
    .filter(|details| details.get("ending").is_some())
    .collect();
    assert_eq!(ends.len(), 1, "{ends:?}");
    assert_eq!(ends[0]["ending"], "complete");
    assert_eq!(ends[0]["rows"], SESSIONS);
}

#[actix_web::test]
async fn sigterm_lets_the_dispatcher_finish_and_record_the_attempt_under_way() {
    use crate::delivery::restart::{open_one_and_kill_held, webhook};
    use crate::delivery::test_broker::{SECRET, TestBroker};

    let database = TestDatabase::new();
    let admin = client_with_token(&token(&database, "admin"));
    let broker_client = client_with_token(&token(&database, "broker"));
    // It never answers: the attempt under way ends at the send's 10 s time-out.
    let broker = TestBroker::start_holding().await;
    let mut server = Process::start(
        &database,
        &webhook(&broker),
        &[("SESSIONS_BROKER_SECRET", SECRET)],
    )
    .await;
    let id = open_one_and_kill_held(&server.base, &broker_client, &admin, &broker).await;

    server.terminate();
    let status = server.exited(Duration::from_secs(25)).await;
    assert_eq!(status.code(), Some(0), "its log:\n{}", server.log());
    assert!(server.log().contains("kill dispatcher stopped"));
    let mut conn = api::db::connect(&database.url, 1).unwrap().get().unwrap();
    let delivery = api::db::deliveries::deliveries_of(&mut conn, &[id]).unwrap();
    let delivery = &delivery[&id];
    assert_eq!(delivery.attempts, 1, "the attempt under way is recorded");
    assert_eq!(delivery.state, shared::DeliveryState::Pending);
    assert!(
        delivery
            .last_error
            .as_deref()
            .is_some_and(|error| error.contains("no answer")),
        "{delivery:?}"
    );
}
