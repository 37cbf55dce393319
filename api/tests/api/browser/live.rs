use serde_json::{Value, json};
use shared::Scope;
use shared::SessionStatus::Connected;

use super::driver::{Browser, eventually};
use super::{
    now, open, property, read_table, session, wait_for_location, wait_for_location_prefix,
    wait_for_names, wait_for_table,
};
use crate::helpers::{TestApp, spawn_app};

/// Waits until the page follows session events, so that what happens from now on reaches it.
pub(super) async fn wait_until_live(browser: &Browser) {
    eventually("the live updates to be open", || async {
        let state = browser
            .execute(
                "return document.querySelector('#live-status')?.dataset.state;",
                json!([]),
            )
            .await;
        if state == json!("open") {
            Ok(())
        } else {
            Err(format!("#live-status is {state}"))
        }
    })
    .await
}

/// Marks the row of `id`, so that `still_marked` can tell whether the rows were drawn anew.
async fn mark_row(browser: &Browser, id: i64) {
    browser
        .execute(
            "document.querySelector(`tr[data-session-id='${arguments[0]}']`).liveMark = true;",
            json!([id]),
        )
        .await;
}

async fn still_marked(browser: &Browser, id: i64) -> bool {
    browser
        .execute(
            "return document.querySelector(`tr[data-session-id='${arguments[0]}']`)?.liveMark === true;",
            json!([id]),
        )
        .await
        == json!(true)
}

/// Reports a new session as the platform's broker does, and returns its console id.
pub(super) async fn broker_opens(app: &TestApp, broker_token: &str, name: &str) -> i64 {
    let opened: Value = app
        .client_with_token(broker_token)
        .post(app.url("/api/v1/broker/sessions"))
        .json(&json!({ "sessions": [{
            "broker_session_id": format!("brk-{name}"),
            "name": name,
            // One email per person: the console knows people by their email.
            "email": format!("{}@example.com", name.to_ascii_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "")),
            "app_name": "GIMP",
            "host": "host-1",
            "start_time": chrono::Utc::now().to_rfc3339(),
        }]}))
        .send()
        .await
        .expect("the request is answered")
        .json()
        .await
        .expect("the opened sessions");
    opened["sessions"][0]["id"].as_i64().expect("the new id")
}

#[actix_web::test]
async fn a_kill_elsewhere_shows_in_place_keeping_the_page_sort_and_selection() {
    let app = spawn_app().await;
    let now = now();
    let names = ["Ann", "Ben", "Cat", "Dan", "Eve", "Fay"];
    let emails = names.map(|name| format!("{name}@example.com"));
    let fixtures: Vec<_> = names
        .iter()
        .zip(&emails)
        .map(|(name, email)| session(name, email, "GIMP", now - 600, None, Connected))
        .collect();
    let ids = app.insert(&fixtures);
    let (dan, eve) = (ids[3], ids[4]);

    let browser = open(&app, "/?sort=name&limit=3").await;
    wait_for_names(&browser, &["Ann", "Ben", "Cat"]).await;
    browser.click("#next-page").await;
    wait_for_names(&browser, &["Dan", "Eve", "Fay"]).await;
    let page_two = wait_for_location_prefix(&browser, "/?sort=name&limit=3&cursor=").await;
    assert!(page_two.ends_with("&page=2"), "{page_two}");
    wait_until_live(&browser).await;
    browser
        .click(&format!("tr[data-session-id='{dan}'] input.select-session"))
        .await;
    wait_for_table(&browser, "Dan selected", |t| t.row(dan).checked).await;
    mark_row(&browser, dan).await;

    // Someone else kills Eve: her row says so, and nothing else moves.
    assert_eq!(app.post_kill(eve).await.status(), 200);
    let table = wait_for_table(&browser, "Eve killed", |t| t.status(eve) == Some("Killed")).await;
    assert_eq!(table.names(), ["Dan", "Eve", "Fay"]);
    assert!(
        !table.row(eve).checkbox_enabled && !table.row(eve).has_kill_button,
        "{table:?}"
    );
    assert!(table.row(dan).checked, "Dan stays selected: {table:?}");
    assert_eq!(table.sorts["name"], "ascending");
    browser
        .wait_for_text(
            &format!("tr[data-session-id='{eve}'] .killed-by"),
            "by token:test-suite",
        )
        .await;
    assert!(
        still_marked(&browser, dan).await,
        "the rows were not drawn anew"
    );
    wait_for_location(&browser, &page_two).await;

    // Someone else kills Dan, who was selected: he is unselected, and the page says why.
    assert_eq!(app.post_kill(dan).await.status(), 200);
    let table = wait_for_table(&browser, "Dan killed and unselected", |t| {
        t.status(dan) == Some("Killed") && !t.row(dan).checked
    })
    .await;
    assert!(!table.row(dan).checkbox_enabled, "{table:?}");
    assert_eq!(table.names(), ["Dan", "Eve", "Fay"]);
    browser
        .wait_for_text(
            "#message",
            &format!("Session #{dan} ended (Killed); it was unselected."),
        )
        .await;
    assert!(
        still_marked(&browser, dan).await,
        "the rows were not drawn anew"
    );
    wait_for_location(&browser, &page_two).await;
    browser.close().await;
}

#[actix_web::test]
async fn a_session_the_broker_opens_is_counted_and_shown_on_request() {
    let app = spawn_app().await;
    let now = now();
    app.insert(&[
        session("Ann", "ann@example.com", "GIMP", now - 600, None, Connected),
        session("Ben", "ben@example.com", "GIMP", now - 300, None, Connected),
    ]);
    let broker = app.token("broker", &[Scope::Broker]);
    let browser = open(&app, "/").await;
    wait_for_names(&browser, &["Ben", "Ann"]).await;
    wait_until_live(&browser).await;
    assert_eq!(
        browser.text("#new-sessions").await,
        None,
        "no new sessions yet"
    );

    let zoe = broker_opens(&app, &broker, "Zoë").await;
    browser
        .wait_for_text("#new-sessions", "1 new session")
        .await;
    assert_eq!(read_table(&browser).await.names(), ["Ben", "Ann"]);

    browser.click("#new-sessions").await;
    let table = wait_for_names(&browser, &["Zoë", "Ben", "Ann"]).await;
    assert_eq!(table.row(zoe).status, "Connected");
    eventually("the new-sessions button to go", || async {
        match browser.text("#new-sessions").await {
            None => Ok(()),
            Some(text) => Err(format!("it says {text:?}")),
        }
    })
    .await;
    wait_for_location(&browser, "/").await;
    browser.close().await;
}

#[actix_web::test]
async fn only_new_sessions_the_filter_admits_are_counted() {
    let app = spawn_app().await;
    let now = now();
    let ids = app.insert(&[
        session("Ann", "ann@example.com", "GIMP", now - 600, None, Connected),
        session("Ben", "ben@example.com", "GIMP", now - 300, None, Connected),
    ]);
    let ann = ids[0];
    let broker = app.token("broker", &[Scope::Broker]);
    let browser = open(&app, "/?contains=ann").await;
    wait_for_names(&browser, &["Ann"]).await;
    wait_until_live(&browser).await;

    // Events arrive in order: once Ann's kill shows, Zoë's opening has been heard too.
    broker_opens(&app, &broker, "Zoë").await;
    assert_eq!(app.post_kill(ann).await.status(), 200);
    wait_for_table(&browser, "Ann killed", |t| t.status(ann) == Some("Killed")).await;
    assert_eq!(
        browser.text("#new-sessions").await,
        None,
        "Zoë is not a match for 'ann'"
    );

    let annabel = broker_opens(&app, &broker, "Annabel").await;
    let label = browser
        .wait_for_text("#new-sessions", "1 new session")
        .await;
    assert_eq!(label, "1 new session — show");
    browser.click("#new-sessions").await;
    let table = wait_for_names(&browser, &["Annabel", "Ann"]).await;
    assert_eq!(table.row(annabel).status, "Connected");
    browser.close().await;
}

#[actix_web::test]
async fn a_kill_shows_its_delivery_and_a_failed_one_can_be_retried() {
    let app = spawn_app().await;
    let broker = app.token("broker", &[Scope::Broker]);
    let zoe = broker_opens(&app, &broker, "Zoë").await;
    let browser = open(&app, "/").await;
    wait_for_names(&browser, &["Zoë"]).await;
    wait_until_live(&browser).await;

    // No broker listens: the kill waits to be delivered.
    assert_eq!(app.post_kill(zoe).await.status(), 200);
    let delivery = format!("tr[data-session-id='{zoe}'] span.delivery");
    browser.wait_for_text(&delivery, "delivering…").await;
    let state = browser
        .execute(
            "return document.querySelector(arguments[0]).dataset.deliveryState;",
            json!([delivery]),
        )
        .await;
    assert_eq!(state, "pending");

    app.execute(&format!(
        "UPDATE kill_deliveries SET state = 'failed', attempts = 5, last_error = 'HTTP 502' \
         WHERE session_id = {zoe}"
    ));
    browser.refresh().await;
    browser
        .wait_for_text(&delivery, "delivery failed after 5 attempts")
        .await;
    assert_eq!(
        property(&browser, &delivery, "title").await,
        "Last error: HTTP 502"
    );

    browser
        .click(&format!("{delivery} button.retry-delivery"))
        .await;
    browser.wait_for_text(&delivery, "delivering…").await;
    browser
        .wait_for_text(
            "#message",
            &format!("The kill of session #{zoe} is being delivered again."),
        )
        .await;
    browser.close().await;
}
