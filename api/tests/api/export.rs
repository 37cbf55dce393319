use shared::SessionStatus::{Connected, Disconnected};

use crate::helpers::{Fixture, TestApp, assert_problem, at, spawn_app};

fn ended_at(name: &'static str, start: &str) -> Fixture<'static> {
    let start = at(start);
    // Each name its own user: sessions of one email share the user's name.
    let email: &'static str = Box::leak(format!("{name}@example.com").into_boxed_str());
    Fixture {
        name,
        email,
        app: "GIMP",
        start,
        end: Some(start + 60),
        status: Disconnected,
    }
}

/// Sessions on both sides of the edges of March 2026 in UTC.
async fn app_with_edges() -> TestApp {
    let app = spawn_app().await;
    app.insert(&[
        ended_at("before", "2026-02-28T23:59:59Z"),
        ended_at("first", "2026-03-01T00:00:00Z"),
        ended_at("middle", "2026-03-15T12:00:00Z"),
        ended_at("last", "2026-03-31T23:59:59Z"),
        ended_at("after", "2026-04-01T00:00:00Z"),
    ]);
    app
}

async fn csv_names(app: &TestApp, query: &[(&str, &str)]) -> Vec<String> {
    let response = app.get_export(query).await;
    assert_eq!(response.status(), 200, "{query:?}");
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader.records().map(|r| r.unwrap()[1].to_owned()).collect()
}

#[actix_web::test]
async fn an_export_is_a_csv_download_with_one_header_row() {
    let app = app_with_edges().await;
    let response = app
        .get_export(&[("from", "2026-03-01"), ("to", "2026-03-31")])
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"sessions_2026-03-01_2026-03-31.csv\""
    );
    let text = response.text().await.unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,name,email,app_name,start_time,end_time,duration_seconds,status,killed_by,\
             delivery_state,delivery_attempts,delivery_error"
        )
    );
    assert_eq!(
        lines.next().unwrap().split_once(',').unwrap().1,
        "first,first@example.com,GIMP,2026-03-01T00:00:00+00:00,2026-03-01T00:01:00+00:00,60,Disconnected,,,,"
    );
}

#[actix_web::test]
async fn both_days_are_included_whole_and_nothing_outside() {
    let app = app_with_edges().await;
    assert_eq!(
        csv_names(&app, &[("from", "2026-03-01"), ("to", "2026-03-31")]).await,
        ["first", "middle", "last"]
    );
    assert_eq!(
        csv_names(&app, &[("from", "2026-03-31"), ("to", "2026-03-31")]).await,
        ["last"]
    );
    assert_eq!(
        csv_names(&app, &[("from", "2026-02-28"), ("to", "2026-02-28")]).await,
        ["before"]
    );
}

#[actix_web::test]
async fn days_are_taken_in_the_given_time_zone() {
    let app = app_with_edges().await;
    // In Paris (UTC+1 in March until the 29th, +2 after) March 1st starts at 2026-02-28T23:00Z and
    // March 31st ends at 2026-03-31T22:00Z.
    assert_eq!(
        csv_names(
            &app,
            &[
                ("from", "2026-03-01"),
                ("to", "2026-03-31"),
                ("tz", "Europe/Paris")
            ]
        )
        .await,
        ["before", "first", "middle"]
    );
    // In New York (UTC-5/-4) the same days start and end later.
    assert_eq!(
        csv_names(
            &app,
            &[
                ("from", "2026-03-01"),
                ("to", "2026-03-31"),
                ("tz", "America/New_York")
            ]
        )
        .await,
        ["middle", "last", "after"]
    );
}

#[actix_web::test]
async fn times_are_written_with_the_offset_of_the_zone() {
    let app = app_with_edges().await;
    let response = app
        .get_export(&[
            ("from", "2026-03-15"),
            ("to", "2026-03-15"),
            ("tz", "Asia/Kolkata"),
        ])
        .await;
    let text = response.text().await.unwrap();
    assert!(
        text.contains(",2026-03-15T17:30:00+05:30,2026-03-15T17:31:00+05:30,60,"),
        "{text}"
    );
}

#[actix_web::test]
async fn an_export_applies_the_list_filters_and_active_sessions_have_no_end() {
    let app = app_with_edges().await;
    let now = chrono::Utc::now().timestamp();
    app.insert(&[Fixture {
        name: "Jo Active",
        email: "jo@example.com",
        app: "=cmd|' /C calc'!A0",
        start: now - 60,
        end: None,
        status: Connected,
    }]);
    let today = chrono::Utc::now().date_naive().to_string();
    let query = [
        ("from", "2026-01-01"),
        ("to", today.as_str()),
        ("field", "name"),
        ("contains", "jo"),
    ];
    let text = app.get_export(&query).await.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][1], "Jo Active");
    assert_eq!(
        &rows[0][3], "'=cmd|' /C calc'!A0",
        "formula-like cells are defused"
    );
    assert_eq!(&rows[0][5], "");
    assert_eq!(&rows[0][7], "Connected");
    let statuses = [
        ("from", "2026-01-01"),
        ("to", today.as_str()),
        ("status", "Disconnected"),
    ];
    let disconnected = app.get_export(&statuses).await.text().await.unwrap();
    assert_eq!(disconnected.lines().count(), 1 + 5);
}

#[actix_web::test]
async fn a_large_export_streams_every_row() {
    let app = spawn_app().await;
    app.seed(30_000);
    let today = chrono::Utc::now().date_naive();
    let from = (today - chrono::Days::new(800)).to_string();
    let response = app
        .get_export(&[("from", from.as_str()), ("to", &today.to_string())])
        .await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let ids: Vec<i64> = reader
        .records()
        .map(|r| r.unwrap()[0].parse().unwrap())
        .collect();
    assert_eq!(ids.len(), 30_000);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 30_000);
}

#[actix_web::test]
async fn bad_export_ranges_are_refused_with_the_reason() {
    let app = spawn_app().await;
    let cases: [(&[(&str, &str)], &str); 7] = [
        (&[("to", "2026-03-01")], "from: required"),
        (&[("from", "2026-03-01")], "to: required"),
        (&[("from", "2026-03-02"), ("to", "2026-03-01")], "before"),
        (
            &[("from", "2026-02-30"), ("to", "2026-03-01")],
            "'2026-02-30' is not a date",
        ),
        (
            &[("from", "01/03/2026"), ("to", "2026-03-01")],
            "not a date",
        ),
        (
            &[
                ("from", "2026-03-01"),
                ("to", "2026-03-01"),
                ("tz", "Mars/Olympus"),
            ],
            "tz",
        ),
        (
            &[
                ("from", "2026-03-01"),
                ("to", "2026-03-01"),
                ("status", "Gone"),
            ],
            "status",
        ),
    ];
    for (query, mentions) in cases {
        assert_problem(app.get_export(query).await, 400, mentions).await;
    }
}

/// A broker may report any time chrono reads, up to the year 262142; in a zone ahead of UTC the last
/// day of that calendar has no local time, and writing it used to panic and break the export.
#[actix_web::test]
async fn an_end_time_at_the_end_of_the_calendar_is_exported_in_utc() {
    let app = spawn_app().await;
    let broker = app.client_with_token(&app.token("broker", &[shared::Scope::Broker]));
    let post = |path: &'static str, body: serde_json::Value| {
        let request = broker.post(app.url(path)).json(&body);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
        }
    };
    post(
        "/api/v1/broker/sessions",
        serde_json::json!({ "sessions": [{
            "broker_session_id": "b-1", "name": "Joe Bloggs", "email": "joe@example.com",
            "app_name": "GIMP", "host": "host-1", "start_time": "2026-03-15T12:00:00Z",
        }]}),
    )
    .await;
    post(
        "/api/v1/broker/sessions/end",
        serde_json::json!({ "sessions": [
            { "broker_session_id": "b-1", "end_time": "+262142-12-31T23:59:59Z" },
        ]}),
    )
    .await;
    let response = app
        .get_export(&[
            ("from", "2026-03-15"),
            ("to", "2026-03-15"),
            ("tz", "Asia/Tokyo"),
        ])
        .await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("the export completes");
    assert!(
        text.contains(",2026-03-15T21:00:00+09:00,+262142-12-31T23:59:59+00:00,"),
        "{text}"
    );
}
