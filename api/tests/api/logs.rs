//! A real `serve` with `--log-format json`: every log line is one JSON object; a request's id (the
//! client's well-formed `X-Request-Id`, else one made by the server) is echoed in the answer, is the
//! `request_id` of its problem body and of its log lines. Also `--metrics-bind`: `/metrics` without
//! credentials on that address only.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::TestDatabase;
use crate::process::Process;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The log's lines that carry request `id`, waiting a little for them to be written.
async fn lines_of(server: &Process, id: &str) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let log = server.log();
        let lines: Vec<Value> = log
            .lines()
            .filter(|line| line.starts_with('{'))
            .map(|line| serde_json::from_str(line).expect("each JSON line parses"))
            .filter(|line: &Value| line["span"]["request_id"] == id)
            .collect();
        if !lines.is_empty() || started.elapsed() > Duration::from_secs(5) {
            return lines;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn json_log_lines_and_problems_carry_the_request_id() {
    let database = TestDatabase::new();
    let metrics_port = free_port();
    let metrics_bind = format!("127.0.0.1:{metrics_port}");
    let server = Process::start(
        &database,
        &["--log-format", "json", "--metrics-bind", &metrics_bind],
        &[("RUST_LOG", "info,access=debug")],
    )
    .await;
    let client = reqwest::Client::new();

    let refused = client
        .get(format!("{}/api/v1/sessions/7", server.base))
        .header("X-Request-Id", "ops-test.42_A")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["x-request-id"], "ops-test.42_A");
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["request_id"], "ops-test.42_A");
    let lines = lines_of(&server, "ops-test.42_A").await;
    let answered = lines
        .iter()
        .find(|line| line["fields"]["message"] == "answered")
        .unwrap_or_else(|| panic!("no access line for the request; the log:\n{}", server.log()));
    assert_eq!(answered["fields"]["status"], 401);
    assert_eq!(answered["span"]["path"], "/api/v1/sessions/7");
    assert!(answered["timestamp"].is_string() && answered["level"] == "DEBUG");

    // An id that is not 1 to 64 of A-Z a-z 0-9 . _ - is replaced.
    for unusable in ["has space", &"x".repeat(65), "semi;colon"] {
        let answer = client
            .get(format!("{}/healthz", server.base))
            .header("X-Request-Id", unusable)
            .send()
            .await
            .unwrap();
        let id = answer.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_ne!(id, unusable);
        assert!(
            (1..=64).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
            "{id}"
        );
        assert_eq!(lines_of(&server, &id).await.len(), 1, "{id}");
    }
    for line in server.log().lines().filter(|line| !line.trim().is_empty()) {
        let parsed: Value = serde_json::from_str(line)
            .unwrap_or_else(|_| panic!("a log line that is not JSON: {line}"));
        assert!(parsed.is_object());
    }

    // /metrics: without credentials on the metrics address, with them only on the server's.
    let open = client
        .get(format!("http://{metrics_bind}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(open.status(), 200);
    assert!(
        open.text()
            .await
            .unwrap()
            .contains("sessions_http_requests_total")
    );
    let main = client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(main.status(), 401);
    let elsewhere = client
        .get(format!("http://{metrics_bind}/api/v1/sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        elsewhere.status(),
        404,
        "the metrics address serves nothing else"
    );
}
