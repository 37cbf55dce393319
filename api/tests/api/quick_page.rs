//! The unfiltered list is read on SQLite by its own path (`api::db::quick_page`), every filtered one by
//! the general path. Filtered by every status, a list holds the same sessions as unfiltered, so the two
//! paths must answer the same bytes, page after page, in every sort and order. (On PostgreSQL both
//! requests take the general path, and the comparison still holds.)

use shared::SessionStatus::{Connected, Disconnected, Unknown};

use shared::Scope;

use crate::delivery::open_sessions;
use crate::helpers::{Fixture, TestApp, now, spawn_app};

const EVERY_STATUS: &str = "Connected,Disconnected,Unknown,Killed";

/// Sessions whose texts need escaping in JSON, killed sessions with deliveries, and many namesakes.
async fn varied_sessions(app: &TestApp) {
    app.seed(400);
    let now = now();
    let fixtures = [
        (
            "quote \" and \\ backslash",
            "q@example.com",
            "tab\tapp",
            Connected,
        ),
        (
            "control \u{1} \u{1f}",
            "c@example.com",
            "日本語 😀",
            Unknown,
        ),
        ("</script>", "s@example.com", "Zoë's app", Connected),
        ("Élodie Dubois", "elodie@exemple.fr", "Firefox", Unknown),
        ("", "empty@example.com", "", Disconnected),
    ];
    let rows: Vec<Fixture> = fixtures
        .iter()
        .enumerate()
        .map(|(at, &(name, email, app, status))| Fixture {
            name,
            email,
            app,
            start: now - 600 - at as i64,
            end: (status == Disconnected).then_some(now - 60),
            status,
        })
        .collect();
    let ids = app.insert(&rows);
    assert_eq!(app.post_kill(ids[0]).await.status(), 200);
    // Killing a session the broker opened makes a delivery (pending: no broker takes it here).
    let broker = app.token("platform-broker", &[Scope::Broker]);
    for id in &open_sessions(app, &broker, 4).await[..3] {
        assert_eq!(app.post_kill(id).await.status(), 200);
    }
}

/// The page `query` asks for, which the general path (asked for every status) answers alike. An active
/// session's duration grows with the clock, so the two answers may differ when a second passes between
/// them: then both are asked again, a few times at most.
async fn same_bytes_both_ways(app: &TestApp, mut query: Vec<(&str, &str)>) -> String {
    let unfiltered = query.len();
    let mut tries = 0;
    loop {
        query.truncate(unfiltered);
        let quick = body(app, &query).await;
        query.push(("status", EVERY_STATUS));
        let general = body(app, &query).await;
        tries += 1;
        if quick == general || tries == 3 {
            assert_eq!(quick, general, "for {query:?}");
            return quick;
        }
    }
}

async fn body(app: &TestApp, query: &[(&str, &str)]) -> String {
    let response = app.get_sessions(query).await;
    assert_eq!(response.status(), 200, "for {query:?}");
    response.text().await.unwrap()
}

#[actix_web::test]
async fn every_unfiltered_page_is_the_same_bytes_as_the_general_path_answers() {
    let app = spawn_app().await;
    varied_sessions(&app).await;
    let killed = app
        .sessions_page(&[("status", "Killed"), ("limit", "500")])
        .await;
    assert!(
        killed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|session| !session["delivery"].is_null()),
        "some killed session shows its delivery"
    );

    for sort in ["id", "name", "email", "app_name", "start_time", "status"] {
        for order in ["asc", "desc"] {
            for limit in ["1", "50", "500"] {
                let mut cursor: Option<String> = None;
                let mut pages = 0;
                let mut sessions = 0;
                loop {
                    let mut query = vec![("sort", sort), ("order", order), ("limit", limit)];
                    if let Some(cursor) = &cursor {
                        query.push(("cursor", cursor));
                    }
                    let quick = same_bytes_both_ways(&app, query).await;
                    let page: serde_json::Value = serde_json::from_str(&quick).unwrap();
                    sessions += page["items"].as_array().unwrap().len();
                    pages += 1;
                    cursor = page["next_cursor"].as_str().map(str::to_owned);
                    // One-row pages: the first few show the cursor carries on; the rest adds nothing.
                    if cursor.is_none() || (limit == "1" && pages == 4) {
                        break;
                    }
                }
                if limit != "1" {
                    assert_eq!(sessions, 409, "sort={sort} order={order} limit={limit}");
                }
            }
        }
    }
}

#[actix_web::test]
async fn a_page_read_again_on_the_same_connection_shows_what_changed_since() {
    let app = spawn_app().await;
    app.seed(20);
    let broker = app.token("platform-broker", &[Scope::Broker]);
    let newest = open_sessions(&app, &broker, 1).await[0];
    let first = app.sessions_page(&[("limit", "5")]).await;
    assert_eq!(first["total"], 21);
    assert_eq!(first["items"][0]["id"], newest);
    assert_eq!(first["items"][0]["status"], "Connected");
    assert_eq!(app.post_kill(newest).await.status(), 200);
    // Several reads, so that each of the server's threads reads again on the connection it kept.
    for _ in 0..8 {
        let again = app.sessions_page(&[("limit", "5")]).await;
        assert_eq!(again["items"][0]["status"], "Killed");
        assert!(!again["items"][0]["delivery"].is_null());
        assert_eq!(again["total"], 21);
    }
}

#[actix_web::test]
async fn a_user_or_app_changed_in_the_database_shows_on_the_next_page() {
    let app = spawn_app().await;
    app.seed(20);
    app.insert(&[Fixture {
        name: "Before",
        email: "renamed@example.com",
        app: "Old App",
        start: now() - 10,
        end: None,
        status: Connected,
    }]);
    // Read on every server thread, so that each remembers the user and the app.
    for _ in 0..8 {
        let page = app.sessions_page(&[("limit", "5")]).await;
        assert_eq!(page["items"][0]["name"], "Before");
        assert_eq!(page["items"][0]["app_name"], "Old App");
    }
    // Nothing in the console renames people or apps; a database administrator might.
    app.execute(
        "UPDATE users SET name = 'After' WHERE email = 'renamed@example.com';
         UPDATE apps SET name = 'New App' WHERE name = 'Old App';",
    );
    for _ in 0..8 {
        let page = app.sessions_page(&[("limit", "5")]).await;
        assert_eq!(page["items"][0]["name"], "After");
        assert_eq!(page["items"][0]["app_name"], "New App");
    }
}
