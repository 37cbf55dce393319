//! `/readyz`: 200 while the database answers and is migrated, a 503 `not-ready` problem otherwise, and
//! 200 again once it is back; `/healthz` (liveness) stays 200 throughout.

use std::time::{Duration, Instant};

use crate::helpers::{TestApp, assert_problem, on_postgres, spawn_app, spawn_app_with};
use crate::outage::postgres;

async fn readiness(app: &TestApp) -> reqwest::Response {
    app.anonymous()
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
}

async fn assert_not_ready(app: &TestApp, mentions: &str) {
    let body = assert_problem(readiness(app).await, 503, mentions).await;
    assert_eq!(body["type"], "urn:sessions-console:problem:not-ready");
    let health = app
        .anonymous()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        health.status(),
        200,
        "liveness does not depend on the database"
    );
}

#[actix_web::test]
async fn a_server_with_its_database_is_ready() {
    let app = spawn_app().await;
    let response = readiness(&app).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}

#[actix_web::test]
async fn a_database_missing_a_migration_is_not_ready() {
    let app = spawn_app().await;
    app.execute(
        "DELETE FROM __diesel_schema_migrations WHERE version = \
         (SELECT MAX(version) FROM __diesel_schema_migrations)",
    );
    assert_not_ready(&app, "migrations").await;
}

#[actix_web::test]
async fn an_unreadable_sqlite_file_is_not_ready_until_it_is_back() {
    if on_postgres() {
        return;
    }
    let app = spawn_app().await;
    // The tests run as root, whom file modes do not stop: what stands in the database's place is
    // unreadable as a database instead. Its write-ahead log goes aside too, or a new connection would
    // read the database's first pages from it. The server's open connections keep their files.
    let files: Vec<(String, String)> = ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            (
                format!("{}{suffix}", app.database),
                format!("{}{suffix}.aside", app.database),
            )
        })
        .filter(|(file, _)| std::path::Path::new(file).exists())
        .collect();
    for (file, aside) in &files {
        std::fs::rename(file, aside).unwrap();
    }
    std::fs::write(&app.database, vec![0x5a; 8192]).unwrap();
    assert_not_ready(&app, "does not answer").await;
    for (file, aside) in &files {
        std::fs::rename(aside, file).unwrap();
    }
    assert_eq!(readiness(&app).await.status(), 200);
}

#[actix_web::test]
async fn a_stopped_postgres_is_not_ready_until_it_is_back() {
    if !on_postgres() {
        return;
    }
    let cluster = postgres::Cluster::start().expect("a private PostgreSQL cluster");
    cluster.create_database("readiness").unwrap();
    let url = cluster.url("readiness");
    let app = spawn_app_with(move |settings| settings.database_url = url).await;
    assert_eq!(readiness(&app).await.status(), 200);
    cluster.stop().unwrap();
    let asked = Instant::now();
    assert_not_ready(&app, "does not answer").await;
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "{:?}",
        asked.elapsed()
    );
    cluster.resume().unwrap();
    let back = Instant::now();
    while readiness(&app).await.status() != 200 {
        assert!(back.elapsed() < Duration::from_secs(30), "not ready again");
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
}
