//! Exports cannot starve the console: they run on their own connections, so many at once in all and per
//! caller (429 beyond), and a client that reads nothing is dropped, its export ending as a broken
//! transfer and audited as such.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::helpers::{ADMIN_PASSWORD, TestApp, assert_problem, spawn_app_with};

/// Sessions enough that their CSV (about 7 MB) outgrows every buffer between the server and a client
/// that reads nothing, so its export stalls rather than finishing into the buffers.
const SESSIONS: u64 = 60_000;

/// An export whose client reads its headers and then nothing, with a tiny receive window.
struct StalledExport {
    socket: TcpStream,
    status: u16,
}

impl StalledExport {
    async fn open(app: &TestApp, token: &str) -> StalledExport {
        let address = app.address.trim_start_matches("http://").parse().unwrap();
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut socket = socket.connect(address).await.unwrap();
        let request = format!(
            "GET /api/v1/sessions/export?from=2000-01-01&to=2100-01-01 HTTP/1.1\r\n\
             Host: {address}\r\nAuthorization: Bearer {token}\r\n\r\n"
        );
        socket.write_all(request.as_bytes()).await.unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8];
            socket.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let status = head[9..12].parse().unwrap();
        StalledExport { socket, status }
    }

    /// Reads what is left until the server closes; whether it ended with the final chunk of a chunked
    /// body, as a complete response does.
    async fn ends_complete(mut self) -> bool {
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(30), self.socket.read_to_end(&mut rest))
            .await
            .expect("the server ends the response");
        rest.ends_with(b"\r\n0\r\n\r\n")
    }
}

async fn app_with_export_caps(stall_seconds: u64) -> TestApp {
    let app = spawn_app_with(move |settings| {
        // Fewer pooled connections than exports: exports that took them would leave none.
        settings.pool_size = 2;
        settings.export_limits.in_all = 3;
        settings.export_limits.per_caller = 2;
        settings.export_limits.stall = Duration::from_secs(stall_seconds);
    })
    .await;
    app.seed(SESSIONS);
    app
}

#[actix_web::test]
async fn exports_are_capped_per_caller_and_in_all_and_do_not_take_other_requests_connections() {
    let app = app_with_export_caps(600).await;
    let (alice, bob) = (
        app.token("alice-script", &[shared::Scope::SessionsExport]),
        app.token("bob-script", &[shared::Scope::SessionsExport]),
    );
    let mut open = Vec::new();
    for token in [&alice, &alice, &bob] {
        let export = StalledExport::open(&app, token).await;
        assert_eq!(export.status, 200);
        open.push(export);
    }
    let refused = app
        .client_with_token(&alice)
        .get(app.url("/api/v1/sessions/export?from=2000-01-01&to=2100-01-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.headers()["retry-after"], "10");
    assert_problem(refused, 429, "alice-script runs 2 exports already").await;
    let refused = app
        .client_with_token(&bob)
        .get(app.url("/api/v1/sessions/export?from=2000-01-01&to=2100-01-01"))
        .send()
        .await
        .unwrap();
    assert_problem(refused, 429, "this server runs 3 exports already").await;

    // The rest of the console answers as usual meanwhile.
    assert_eq!(app.get("/api/v1/sessions").await.status(), 200);
    let login = app
        .post_login(&app.anonymous(), "admin", ADMIN_PASSWORD)
        .await;
    assert_eq!(login.status(), 200);
    let id = crate::helpers::ids(&app.sessions_page(&[("status", "Connected")]).await)[0];
    assert_eq!(app.post_kill(id).await.status(), 200);
    drop(open);
}

#[actix_web::test]
async fn a_client_that_reads_nothing_is_dropped_with_a_broken_transfer_and_audited() {
    let app = app_with_export_caps(2).await;
    let token = app.token("slow-reader", &[shared::Scope::SessionsExport]);
    let stalled = StalledExport::open(&app, &token).await;
    assert_eq!(stalled.status, 200);
    // Reads nothing for longer than the server waits.
    actix_web::rt::time::sleep(Duration::from_secs(4)).await;
    assert!(
        !stalled.ends_complete().await,
        "a dropped export must not look complete"
    );
    let ends: Vec<serde_json::Value> = app
        .audit_of("sessions.export")
        .iter()
        .map(crate::helpers::details)
        .filter(|details| details.get("ending").is_some())
        .collect();
    assert_eq!(ends.len(), 1, "{ends:?}");
    assert_eq!(
        ends[0]["ending"],
        "the client read nothing for 2 s and was dropped"
    );
    // Its slot is free again.
    let again = StalledExport::open(&app, &token).await;
    assert_eq!(again.status, 200);
}
