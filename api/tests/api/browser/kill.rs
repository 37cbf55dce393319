use serde_json::json;
use shared::SessionStatus::{Connected, Disconnected, Killed, Unknown};

use super::{now, open, read_table, session, wait_for_property, wait_for_table};
use crate::helpers::{TestApp, spawn_app};

/// Two active sessions, one of unknown state, one ended and one killed; the ids in that order.
#[rustfmt::skip]
fn mixed_statuses(app: &TestApp) -> [i64; 5] {
    let now = now();
    let ended = |start: i64| Some(start + 600);
    let fixtures = [
        session("Joe Bloggs", "joe@example.com", "GIMP", now - 3600, None, Connected),
        session("Mary-Jo Adams", "mj@example.com", "Krita", now - 7200, None, Unknown),
        session("john Smith", "jsmith@example.com", "GIMP", now - 9000, ended(now - 9000), Disconnected),
        session("Bob Stone", "bob@example.com", "Firefox", now - 8000, ended(now - 8000), Killed),
        session("alice Martin", "alice@example.com", "Blender", now - 60, None, Connected),
    ];
    app.insert(&fixtures).try_into().expect("five ids")
}

#[actix_web::test]
async fn killing_a_session_asks_first_naming_it_then_shows_it_killed() {
    let app = spawn_app().await;
    let [joe, mary, john, bob, alice] = mixed_statuses(&app);
    let browser = open(&app, "/").await;
    let table = wait_for_table(&browser, "five rows", |t| t.rows.len() == 5).await;
    for id in [joe, mary, alice] {
        assert!(
            table.row(id).has_kill_button,
            "an active session has a Kill button: {table:?}"
        );
    }
    for id in [john, bob] {
        assert!(
            !table.row(id).has_kill_button,
            "an ended session has no Kill button: {table:?}"
        );
    }

    // Cancel leaves the session alone.
    let kill_joe = format!("tr[data-session-id='{joe}'] button.kill");
    browser.click(&kill_joe).await;
    wait_for_property(&browser, "#confirm-dialog", "open", json!(true)).await;
    browser
        .wait_for_text("#confirm-title", &format!("Kill session #{joe}?"))
        .await;
    let question = browser.wait_for_text("#confirm-text", "Joe Bloggs").await;
    assert!(
        question.contains("joe@example.com") && question.contains("GIMP"),
        "{question}"
    );
    browser.click("#confirm-no").await;
    wait_for_property(&browser, "#confirm-dialog", "open", json!(false)).await;
    assert_eq!(read_table(&browser).await.row(joe).status, "Connected");
    assert_eq!(browser.text("#message").await.as_deref(), Some(""));

    browser.click(&kill_joe).await;
    wait_for_property(&browser, "#confirm-dialog", "open", json!(true)).await;
    browser.click("#confirm-yes").await;
    wait_for_property(&browser, "#confirm-dialog", "open", json!(false)).await;
    browser
        .wait_for_text("#message", &format!("Killed session #{joe} of Joe Bloggs."))
        .await;
    let table = wait_for_table(&browser, "Joe's session killed", |t| {
        t.status(joe) == Some("Killed")
    })
    .await;
    assert!(
        !table.row(joe).has_kill_button && !table.row(joe).checkbox_enabled,
        "{table:?}"
    );
    assert_eq!(
        table.row(alice).status,
        "Connected",
        "only the confirmed session is killed"
    );
    browser.close().await;
}

#[actix_web::test]
async fn bulk_kill_takes_only_killable_rows_and_says_how_many_were_killed() {
    let app = spawn_app().await;
    let [joe, mary, john, bob, alice] = mixed_statuses(&app);
    let browser = open(&app, "/").await;
    let table = wait_for_table(&browser, "five rows", |t| t.rows.len() == 5).await;
    for (id, enabled) in [
        (joe, true),
        (mary, true),
        (john, false),
        (bob, false),
        (alice, true),
    ] {
        assert_eq!(
            table.row(id).checkbox_enabled,
            enabled,
            "checkbox of {id}: {table:?}"
        );
    }

    browser.click("#bulk-toggle").await;
    wait_for_property(&browser, "#bulk-apply", "disabled", json!(true)).await;
    browser
        .wait_for_text("#bulk-panel .hint", "Check the sessions to act on")
        .await;

    // Select all takes the killable rows only, and clears them again.
    browser.click("#select-all").await;
    wait_for_table(&browser, "every killable row checked", |t| {
        t.rows.iter().all(|r| r.checked == r.checkbox_enabled)
    })
    .await;
    browser
        .wait_for_text("#bulk-panel .hint", "3 sessions selected.")
        .await;
    browser.click("#select-all").await;
    wait_for_table(&browser, "no row checked", |t| {
        t.rows.iter().all(|r| !r.checked)
    })
    .await;

    for id in [joe, mary] {
        browser
            .click(&format!("tr[data-session-id='{id}'] input.select-session"))
            .await;
    }
    browser
        .wait_for_text("#bulk-panel .hint", "2 sessions selected.")
        .await;
    browser.click("#bulk-action option[value='kill']").await;
    wait_for_property(&browser, "#bulk-action", "value", json!("kill")).await;
    browser.click("#bulk-apply").await;
    browser
        .wait_for_text("#message", "Killed 2 sessions.")
        .await;
    let table = wait_for_table(&browser, "Joe and Mary killed", |t| {
        t.status(joe) == Some("Killed") && t.status(mary) == Some("Killed")
    })
    .await;
    for id in [joe, mary] {
        assert!(
            !table.row(id).checkbox_enabled && !table.row(id).has_kill_button,
            "{table:?}"
        );
    }
    assert_eq!(
        table.row(alice).status,
        "Connected",
        "unselected sessions stay: {table:?}"
    );
    wait_for_property(&browser, "#bulk-apply", "disabled", json!(true)).await;
    browser.close().await;
}

/// Closes the open confirmation as Escape does and, in the same task, asks again as Enter on the Kill
/// button `arguments[0]` does: quicker than the browser's `close` event, which comes later. Answers
/// whether the dialog is open once that event and what it set off have run.
const CLOSE_AND_ASK_AGAIN_AT_ONCE: &str = "
    const [kill, done] = arguments;
    const dialog = document.getElementById('confirm-dialog');
    dialog.addEventListener('close', () => setTimeout(() => done(dialog.open), 100), { once: true });
    dialog.close();
    document.querySelector(kill).click();
";

#[actix_web::test]
async fn a_kill_asked_again_right_after_a_cancel_keeps_its_dialog_open() {
    let app = spawn_app().await;
    let [joe, ..] = mixed_statuses(&app);
    let browser = open(&app, "/").await;
    wait_for_table(&browser, "five rows", |t| t.rows.len() == 5).await;
    let kill_joe = format!("tr[data-session-id='{joe}'] button.kill");
    browser.click(&kill_joe).await;
    wait_for_property(&browser, "#confirm-dialog", "open", json!(true)).await;

    let open_after_the_close_event = browser
        .execute_async(CLOSE_AND_ASK_AGAIN_AT_ONCE, json!([kill_joe]))
        .await;
    assert_eq!(
        open_after_the_close_event,
        json!(true),
        "the late close event of the first question must not close the second"
    );
    browser
        .wait_for_text("#confirm-title", &format!("Kill session #{joe}?"))
        .await;
    browser.click("#confirm-no").await;
    wait_for_property(&browser, "#confirm-dialog", "open", json!(false)).await;
    assert_eq!(app.status_in_db(joe), Connected, "Cancel kills nothing");
    browser.close().await;
}
