//! PostgreSQL going away under a running server: answers are 503 `unavailable` problems (never a 500,
//! never a wait longer than the pool's time-out), and the server recovers by itself when PostgreSQL is
//! back. The test runs its own cluster, since it stops it.

use std::time::{Duration, Instant};

use crate::helpers::{assert_problem, on_postgres, spawn_app, spawn_app_with};

#[path = "../../../xtask/src/postgres.rs"]
#[allow(dead_code)]
pub(crate) mod postgres;

#[actix_web::test]
async fn postgres_stopped_and_started_again_gives_503s_then_200s() {
    if !on_postgres() {
        // SQLite is a file in the server's own process: there is no database server to lose.
        return;
    }
    let cluster = postgres::Cluster::start().expect("a private PostgreSQL cluster");
    cluster.create_database("outage").unwrap();
    let url = cluster.url("outage");
    let app = spawn_app_with(move |settings| settings.database_url = url).await;
    assert_eq!(app.get("/api/v1/sessions").await.status(), 200);

    cluster.stop().unwrap();
    for _ in 0..3 {
        let asked = Instant::now();
        let response = app.get("/api/v1/sessions").await;
        let body = assert_problem(response, 503, "").await;
        assert_eq!(body["type"], "urn:sessions-console:problem:unavailable");
        assert!(
            asked.elapsed() < Duration::from_secs(12),
            "answered after {:?}, longer than the pool's time-out",
            asked.elapsed()
        );
    }

    cluster.resume().unwrap();
    let back = Instant::now();
    loop {
        let status = app.get("/api/v1/sessions").await.status();
        if status == 200 {
            break;
        }
        assert_eq!(status, 503, "only 503 while it reconnects");
        assert!(
            back.elapsed() < Duration::from_secs(30),
            "the server did not recover"
        );
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Connections PostgreSQL closed under the pool (a failover, an administrator's
/// `pg_terminate_backend`) fail one request, not one each: the pool does not ask every connection on
/// every checkout, but once a request has found the server gone, it asks each connection that answered
/// before that at its next checkout, and replaces the closed ones.
#[actix_web::test]
async fn connections_closed_under_the_pool_fail_one_request_not_one_each() {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;
    if !on_postgres() {
        return;
    }
    let app = spawn_app().await;
    // Past the second in which the pool's new connections vouch for themselves, then requests at once,
    // so that every connection of the pool (4) has just answered its check.
    actix_web::rt::time::sleep(Duration::from_millis(1_100)).await;
    let warm = futures_util::future::join_all((0..4).map(|_| app.get("/api/v1/auth/me"))).await;
    assert!(warm.iter().all(|response| response.status() == 200));

    diesel::PgConnection::establish(&app.database)
        .unwrap()
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .unwrap();
    let mut unavailable = 0;
    for _ in 0..8 {
        match app.get("/api/v1/auth/me").await.status().as_u16() {
            200 => {}
            503 => unavailable += 1,
            other => panic!("{other}"),
        }
    }
    assert!(
        unavailable <= 1,
        "{unavailable} requests failed on connections the server had closed"
    );
}
