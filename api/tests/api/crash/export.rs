//! Drill: SIGKILL while an export streams. The client sees a broken transfer (a chunked body without its
//! last chunk), never a short file that looks complete.

use std::process::{Command, Stdio};

use super::NO_FLAGS;
use crate::helpers::TestDatabase;
use crate::process::{BINARY, Process, client_with_token, token};

/// Sessions enough that their CSV (about 2.6 MB) takes the server far longer to write than the drill
/// takes to crash it once the first chunk arrives.
const SESSIONS: &str = "20000";

/// Adds demo sessions with `sessions-api seed`.
fn seed(database: &TestDatabase) {
    let seeded = Command::new(BINARY)
        .args(["seed", "--sessions", SESSIONS, "--database-url"])
        .arg(&database.url)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(seeded.success());
}

#[actix_web::test]
async fn an_export_cut_short_by_a_crash_reaches_the_client_as_a_broken_transfer() {
    let database = TestDatabase::new();
    let exporter = client_with_token(&token(&database, "admin"));
    seed(&database);
    let server = Process::start(&database, &NO_FLAGS, &[]).await;
    let mut export = exporter
        .get(format!(
            "{}/api/v1/sessions/export?from=2000-01-01&to=2100-01-01",
            server.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let first = export.chunk().await.unwrap().expect("a first chunk");
    assert!(first.starts_with(b"id,name,email,"));

    server.crash();
    let mut received = first.len();
    let ended = loop {
        match export.chunk().await {
            Ok(Some(chunk)) => received += chunk.len(),
            Ok(None) => break None,
            Err(error) => break Some(error),
        }
    };
    let error = ended.unwrap_or_else(|| {
        panic!("the export ended as if complete after {received} bytes, though the server crashed")
    });
    assert!(error.is_body() || error.is_decode(), "{error:?}");
    println!("the crash cut the export after {received} bytes: {error}");
}
