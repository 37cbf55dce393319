use api::db::models::sort_key;
use serde_json::Value;
use shared::SessionStatus::{self, Connected, Disconnected, Killed, Unknown};

use crate::helpers::{Fixture, TestApp, at, ids, spawn_app};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Twelve sessions whose names, emails, apps, times and statuses differ in case, accents and scripts.
fn people(now: i64) -> Vec<Fixture<'static>> {
    let hour = 3600;
    let ended = |start: i64, minutes: i64, status: SessionStatus| {
        (start, Some(start + minutes * 60), status)
    };
    type Times = (i64, Option<i64>, SessionStatus);
    let rows: [(&str, &str, &str, Times); 12] = [
        (
            "Joe Bloggs",
            "joe@example.com",
            "GIMP",
            ended(at("2025-01-05T10:00:00Z"), 30, Disconnected),
        ),
        (
            "john Smith",
            "jsmith@example.com",
            "blender",
            ended(at("2025-02-01T09:00:00Z"), 90, Killed),
        ),
        (
            "Élodie Dubois",
            "elodie@exemple.fr",
            "Firefox",
            ended(at("2025-03-01T08:00:00Z"), 5, Disconnected),
        ),
        (
            "Zoë O'Brien",
            "zoe@example.com",
            "LibreOffice Calc",
            (now - 5 * hour, None, Connected),
        ),
        (
            "王芳",
            "wang.fang@example.cn",
            "QGIS",
            ended(at("2024-12-24T23:30:00Z"), 240, Disconnected),
        ),
        (
            "Mary-Jo Adams",
            "MJ.Adams@Example.com",
            "GIMP",
            (now - 2 * hour, None, Unknown),
        ),
        (
            "alice Jones",
            "alice@example.com",
            "Audacity",
            ended(at("2025-04-01T12:00:00Z"), 61, Killed),
        ),
        (
            "Bob Stone",
            "bob.JOHNSON@example.com",
            "Firefox",
            ended(at("2025-04-02T12:00:00Z"), 600, Disconnected),
        ),
        (
            "50% Off_Deals",
            "deals@example.com",
            "Firefox",
            ended(at("2025-04-03T12:00:00Z"), 1, Disconnected),
        ),
        (
            "Ömer Çelik",
            "omer@example.com.tr",
            "Krita",
            (now - 45 * 60, None, Connected),
        ),
        (
            "Anna Иванова",
            "anna@example.ru",
            "Blender",
            ended(at("2025-05-01T00:00:00Z"), 90, Disconnected),
        ),
        (
            "Joe Bloggs",
            "joe@example.com",
            "GIMP",
            (now - 9 * hour, None, Connected),
        ),
    ];
    rows.into_iter()
        .map(|(name, email, app, (start, end, status))| Fixture {
            name,
            email,
            app,
            start,
            end,
            status,
        })
        .collect()
}

async fn app_with_people() -> (TestApp, Vec<i64>) {
    let app = spawn_app().await;
    let ids = app.insert(&people(now()));
    (app, ids)
}

/// Reads every page of a query with a small page size.
async fn all_pages(app: &TestApp, query: &[(&str, &str)], limit: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut q: Vec<(&str, &str)> = query.to_vec();
        q.push(("limit", limit));
        if let Some(c) = &cursor {
            q.push(("cursor", c));
        }
        let page = app.sessions_page(&q).await;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
    panic!("more than 100 pages for {query:?}");
}

#[actix_web::test]
async fn the_default_page_is_newest_first_with_every_field() {
    let (app, inserted) = app_with_people().await;
    let page = app.sessions_page(&[]).await;
    let mut expected = inserted.clone();
    expected.reverse();
    assert_eq!(ids(&page), expected);
    assert_eq!(page["total"], 12);
    assert_eq!(page["next_cursor"], Value::Null);

    let first = &page["items"][0];
    assert_eq!(first["name"], "Joe Bloggs");
    assert_eq!(first["email"], "joe@example.com");
    assert_eq!(first["app_name"], "GIMP");
    assert_eq!(first["status"], "Connected");
    assert_eq!(first["killable"], true);
    assert_eq!(first["end_time"], Value::Null);
    let duration = first["duration_seconds"].as_i64().unwrap();
    assert!(
        (9 * 3600..9 * 3600 + 60).contains(&duration),
        "active duration runs until now: {duration}"
    );

    let elodie = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Élodie Dubois")
        .unwrap();
    assert_eq!(elodie["start_time"], "2025-03-01T08:00:00Z");
    assert_eq!(elodie["end_time"], "2025-03-01T08:05:00Z");
    assert_eq!(elodie["duration_seconds"], 300);
    assert_eq!(elodie["killable"], false);
}

/// What the column shows, without case or accents, then the id: the order the API promises.
fn expected_order(items: &[Value], sort: &str, descending: bool) -> Vec<i64> {
    let mut keyed: Vec<(String, i64, i64)> = items
        .iter()
        .map(|s| {
            let id = s["id"].as_i64().unwrap();
            match sort {
                "start_time" => (
                    String::new(),
                    chrono::DateTime::parse_from_rfc3339(s["start_time"].as_str().unwrap())
                        .unwrap()
                        .timestamp(),
                    id,
                ),
                "duration" => (String::new(), s["duration_seconds"].as_i64().unwrap(), id),
                "id" => (String::new(), id, id),
                text => (sort_key(s[text].as_str().unwrap()), 0, id),
            }
        })
        .collect();
    keyed.sort();
    if descending {
        keyed.reverse();
    }
    keyed.into_iter().map(|(_, _, id)| id).collect()
}

#[actix_web::test]
async fn every_sort_pages_through_every_row_once_in_both_directions() {
    let (app, _) = app_with_people().await;
    let everything = app.sessions_page(&[("limit", "500")]).await;
    let items = everything["items"].as_array().unwrap();
    for sort in [
        "id",
        "name",
        "email",
        "app_name",
        "start_time",
        "status",
        "duration",
    ] {
        for order in ["asc", "desc"] {
            let paged = all_pages(&app, &[("sort", sort), ("order", order)], "5").await;
            let got: Vec<i64> = paged.iter().map(|s| s["id"].as_i64().unwrap()).collect();
            assert_eq!(
                got,
                expected_order(items, sort, order == "desc"),
                "sort={sort} order={order}"
            );
        }
    }
}

#[actix_web::test]
async fn sorts_other_than_id_default_to_ascending() {
    let (app, _) = app_with_people().await;
    let page = app.sessions_page(&[("sort", "name")]).await;
    let names: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        &names[..3],
        ["50% Off_Deals", "alice Jones", "Anna Иванова"]
    );
}

#[actix_web::test]
async fn accented_names_sort_with_their_letter() {
    let (app, _) = app_with_people().await;
    let page = app
        .sessions_page(&[("sort", "name"), ("limit", "500")])
        .await;
    let names: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let position = |name: &str| names.iter().position(|n| *n == name).unwrap();
    assert!(position("Bob Stone") < position("Élodie Dubois"));
    assert!(position("Élodie Dubois") < position("Joe Bloggs"));
    assert!(position("Ömer Çelik") < position("Zoë O'Brien"));
}

#[actix_web::test]
async fn the_status_sort_is_alphabetical_by_status_name() {
    let (app, _) = app_with_people().await;
    let page = app
        .sessions_page(&[("sort", "status"), ("limit", "500")])
        .await;
    let statuses: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(statuses, sorted);
    assert_eq!(statuses.first(), Some(&"Connected"));
    assert_eq!(statuses.last(), Some(&"Unknown"));
}

fn names(page: &Value) -> Vec<String> {
    let mut names: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[actix_web::test]
async fn a_name_filter_matches_anywhere_ignoring_case() {
    let (app, _) = app_with_people().await;
    let page = app
        .sessions_page(&[("field", "name"), ("contains", "jo")])
        .await;
    assert_eq!(
        names(&page),
        ["Joe Bloggs", "Mary-Jo Adams", "alice Jones", "john Smith"]
    );
    assert_eq!(page["total"], 5, "Joe Bloggs has two sessions");

    let upper = app
        .sessions_page(&[("field", "name"), ("contains", "JO")])
        .await;
    assert_eq!(ids(&upper), ids(&page));
}

#[actix_web::test]
async fn an_email_filter_searches_only_emails() {
    let (app, _) = app_with_people().await;
    let page = app
        .sessions_page(&[("field", "email"), ("contains", "jo")])
        .await;
    assert_eq!(names(&page), ["Bob Stone", "Joe Bloggs"]);
    let adams = app
        .sessions_page(&[("field", "email"), ("contains", "mj.adams@example")])
        .await;
    assert_eq!(names(&adams), ["Mary-Jo Adams"]);
}

#[actix_web::test]
async fn a_filter_without_field_searches_name_and_email() {
    let (app, _) = app_with_people().await;
    let page = app.sessions_page(&[("contains", "jo")]).await;
    assert_eq!(
        names(&page),
        [
            "Bob Stone",
            "Joe Bloggs",
            "Mary-Jo Adams",
            "alice Jones",
            "john Smith"
        ]
    );
    assert_eq!(page["total"], 6);
}

#[actix_web::test]
async fn filters_fold_case_beyond_ascii() {
    let (app, _) = app_with_people().await;
    for (term, who) in [
        ("ÉLO", "Élodie Dubois"),
        ("ömer", "Ömer Çelik"),
        ("ИВАН", "Anna Иванова"),
        ("王", "王芳"),
    ] {
        let page = app
            .sessions_page(&[("field", "name"), ("contains", term)])
            .await;
        assert_eq!(names(&page), [who], "for {term}");
    }
}

#[actix_web::test]
async fn like_wildcards_in_a_filter_are_taken_literally() {
    let (app, _) = app_with_people().await;
    let percent = app.sessions_page(&[("contains", "50%")]).await;
    assert_eq!(names(&percent), ["50% Off_Deals"]);
    let underscore = app
        .sessions_page(&[("field", "name"), ("contains", "f_d")])
        .await;
    assert_eq!(names(&underscore), ["50% Off_Deals"]);
    let nothing = app
        .sessions_page(&[("field", "name"), ("contains", "o_b")])
        .await;
    assert_eq!(nothing["total"], 0, "'_' must not match any one character");
    assert_eq!(nothing["items"], serde_json::json!([]));
}

#[actix_web::test]
async fn a_status_filter_takes_repeated_and_comma_separated_names() {
    let (app, _) = app_with_people().await;
    let active = app.sessions_page(&[("status", "Connected,Unknown")]).await;
    assert_eq!(active["total"], 4);
    assert!(
        active["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["killable"] == true)
    );
    let repeated = app
        .sessions_page(&[("status", "Connected"), ("status", "unknown")])
        .await;
    assert_eq!(ids(&repeated), ids(&active));
    let killed = app
        .sessions_page(&[("status", "Killed"), ("contains", "alice")])
        .await;
    assert_eq!(killed["total"], 1);
}

#[actix_web::test]
async fn pages_follow_each_other_without_repeats_in_seeded_data() {
    let app = spawn_app().await;
    app.seed(2_000);
    let first = app.sessions_page(&[("limit", "500")]).await;
    assert_eq!(first["total"], 2_000);
    let all = all_pages(&app, &[("sort", "name")], "500").await;
    let mut seen: Vec<i64> = all.iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(seen.len(), 2_000);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 2_000);
}

#[actix_web::test]
async fn the_demo_data_has_every_status_and_active_sessions() {
    let app = spawn_app().await;
    app.seed(5_000);
    for (status, at_least) in [
        ("Connected", 100),
        ("Unknown", 10),
        ("Disconnected", 3_000),
        ("Killed", 300),
    ] {
        let page = app
            .sessions_page(&[("status", status), ("limit", "1")])
            .await;
        assert!(
            page["total"].as_u64().unwrap() >= at_least,
            "{status}: {}",
            page["total"]
        );
    }
    let accented = app
        .sessions_page(&[("field", "name"), ("contains", "é")])
        .await;
    assert!(accented["total"].as_u64().unwrap() > 0);
}

#[actix_web::test]
async fn one_session_is_found_by_id() {
    let (app, inserted) = app_with_people().await;
    let response = app.get(&format!("/api/v1/sessions/{}", inserted[2])).await;
    assert_eq!(response.status(), 200);
    let session: Value = response.json().await.unwrap();
    assert_eq!(session["name"], "Élodie Dubois");
}
