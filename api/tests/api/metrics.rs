//! `GET /metrics`: the Prometheus text format, readable with the `metrics` scope only; its counters move
//! with kills, exports and sign-ins; route labels are templates, so a scan of random paths adds no
//! series; the kill deliveries come from the database.

use std::collections::BTreeSet;

use shared::{Scope, SessionStatus};

use crate::helpers::{TestApp, assert_problem, spawn_app, started_an_hour_ago};

/// The document, as a script with a `metrics` token reads it.
async fn scrape(app: &TestApp) -> String {
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    response.text().await.unwrap()
}

/// The value of the series `series` (name and labels exactly as written), or 0 when absent.
fn value(document: &str, series: &str) -> f64 {
    document
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

/// Every series of the document: the lines that are not comments, without their values.
fn series(document: &str) -> BTreeSet<String> {
    document
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| line.rsplit_once(' ').unwrap().0.to_owned())
        .collect()
}

#[actix_web::test]
async fn metrics_need_the_metrics_scope() {
    let app = spawn_app().await;
    let anonymous = app
        .anonymous()
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401, "").await;
    let reader = app.client_with_token(&app.token("reader", &[Scope::SessionsRead]));
    let refused = reader.get(app.url("/metrics")).send().await.unwrap();
    assert_problem(refused, 403, "metrics").await;
    let prometheus = app.client_with_token(&app.token("prometheus", &[Scope::Metrics]));
    let scraped = prometheus.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(scraped.status(), 200);
    let document = scraped.text().await.unwrap();
    assert!(document.contains("# TYPE sessions_http_requests_total counter"));
    assert!(document.contains("# TYPE sessions_http_request_duration_seconds histogram"));
}

#[actix_web::test]
async fn kills_exports_and_sign_ins_move_their_counters() {
    let app = spawn_app().await;
    let ids = app.insert(&[
        started_an_hour_ago(SessionStatus::Connected),
        started_an_hour_ago(SessionStatus::Unknown),
        started_an_hour_ago(SessionStatus::Disconnected),
    ]);
    let before = scrape(&app).await;
    assert_eq!(app.post_kill(ids[0]).await.status(), 200);
    assert_eq!(app.post_kill(ids[2]).await.status(), 409);
    assert_eq!(app.post_kill(999_999).await.status(), 404);
    let many = serde_json::json!({ "ids": [ids[1], ids[0], 888_888] });
    assert_eq!(app.post_kill_many(&many).await.status(), 200);
    let export = app
        .get_export(&[("from", "2000-01-01"), ("to", "2100-01-01")])
        .await;
    assert_eq!(export.status(), 200);
    let csv = export.text().await.unwrap();
    assert_eq!(csv.lines().count(), 4, "a header and three sessions");
    let _ = app
        .post_login(&app.anonymous(), "admin", "not the password")
        .await;
    let after = scrape(&app).await;

    let moved = |series: &str| value(&after, series) - value(&before, series);
    assert_eq!(moved(r#"sessions_kills_total{outcome="killed"}"#), 2.0);
    assert_eq!(moved(r#"sessions_kills_total{outcome="not_active"}"#), 2.0);
    assert_eq!(moved(r#"sessions_kills_total{outcome="not_found"}"#), 2.0);
    assert_eq!(moved("sessions_export_rows_total"), 3.0);
    assert_eq!(moved(r#"sessions_sign_ins_total{outcome="failure"}"#), 1.0);
    assert_eq!(
        moved(
            r#"sessions_http_requests_total{method="POST",route="/api/v1/sessions/{id}/kill",status="409"}"#
        ),
        1.0
    );
    assert_eq!(
        moved(
            r#"sessions_http_request_duration_seconds_count{method="GET",route="/api/v1/sessions/export"}"#
        ),
        1.0
    );
    // Sessions no broker reported have no delivery.
    assert_eq!(
        value(&after, r#"sessions_kill_deliveries{state="pending"}"#),
        0.0
    );
    assert_eq!(value(&after, "sessions_exports_running"), 0.0);
    assert!(
        value(
            &after,
            r#"sessions_db_pool_connections{pool="requests",state="max"}"#
        ) >= 1.0
    );
}

#[actix_web::test]
async fn kill_deliveries_are_read_from_the_database() {
    let app = spawn_app().await;
    let ids = app.insert(&[started_an_hour_ago(SessionStatus::Connected)]);
    // A session the broker reported is the one a kill is delivered for; make it one by hand.
    app.execute(&format!(
        "UPDATE sessions SET broker_session_id = 'b-1' WHERE id = {}",
        ids[0]
    ));
    assert_eq!(app.post_kill(ids[0]).await.status(), 200);
    let document = scrape(&app).await;
    assert_eq!(
        value(&document, r#"sessions_kill_deliveries{state="pending"}"#),
        1.0
    );
    app.execute("UPDATE kill_deliveries SET state = 'failed'");
    let document = scrape(&app).await;
    assert_eq!(
        value(&document, r#"sessions_kill_deliveries{state="pending"}"#),
        0.0
    );
    assert_eq!(
        value(&document, r#"sessions_kill_deliveries{state="failed"}"#),
        1.0
    );
}

#[actix_web::test]
async fn a_scan_of_random_paths_adds_no_series() {
    let app = spawn_app().await;
    let anonymous = app.anonymous();
    let scan = |round: &'static str| {
        let (app, anonymous) = (&app, &anonymous);
        async move {
            for i in 0..40 {
                for path in [
                    format!("/api/v1/{round}-{i}"),
                    format!("/api/v1/sessions/{i}/{round}/x"),
                    format!("/api/v2/{round}/{i}.php"),
                    format!("/{round}/wp-admin/{i}"),
                    format!("/api/v1/sessions/{i}"),
                ] {
                    let _ = app.client.get(app.url(&path)).send().await.unwrap();
                    let _ = anonymous.get(app.url(&path)).send().await.unwrap();
                }
            }
        }
    };
    // The first of each kind of answer makes its series; the scan after it makes none.
    scan("first").await;
    // The first scrape makes the series of its own route.
    scrape(&app).await;
    let before = series(&scrape(&app).await);
    scan("second").await;
    let after = series(&scrape(&app).await);
    assert_eq!(
        after.difference(&before).collect::<Vec<_>>(),
        Vec::<&String>::new()
    );
    assert!(
        before
            .iter()
            .all(|series| !series.contains("first") && !series.contains("wp-admin")),
        "a raw path became a label"
    );
    assert!(
        before
            .iter()
            .any(|series| series.contains(r#"route="/api/v1/sessions/{id}""#))
    );
}
