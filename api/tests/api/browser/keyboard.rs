//! The console with the keyboard alone: WebDriver key actions, no pointer; a listener counts any
//! pointer or mouse button event the page receives, and there must be none.

use fantoccini::key::Key;
use serde_json::{Value, json};
use shared::SessionStatus::{Connected, Disconnected, Killed, Unknown};

use super::driver::{Browser, eventually};
use super::{
    now, session, wait_for_location, wait_for_location_prefix, wait_for_names, wait_for_property,
    wait_for_table,
};
use crate::helpers::{ADMIN_PASSWORD, spawn_app};

/// More Tab presses than any page here has stops: the target must be reachable.
const MAX_TABS: usize = 80;

/// Whether the focused element matches `css`.
async fn focus_is(browser: &Browser, css: &str) -> bool {
    browser
        .execute(
            "return document.activeElement !== null && document.activeElement.matches(arguments[0]);",
            json!([css]),
        )
        .await
        == json!(true)
}

/// What has focus, for a failure message.
async fn focused(browser: &Browser) -> Value {
    browser
        .execute(
            "const e = document.activeElement;
             return e ? e.outerHTML.slice(0, 160) : null;",
            json!([]),
        )
        .await
}

/// Presses Tab until the element `css` has focus.
async fn tab_to(browser: &Browser, css: &str) {
    for _ in 0..MAX_TABS {
        if focus_is(browser, css).await {
            return;
        }
        browser.press([char::from(Key::Tab)]).await;
    }
    panic!(
        "{css} not reached with {MAX_TABS} Tabs; focus is on {}",
        focused(browser).await
    );
}

async fn wait_for_focus(browser: &Browser, css: &str) {
    eventually(&format!("focus on {css}"), || async {
        if focus_is(browser, css).await {
            Ok(())
        } else {
            Err(format!("focus is on {}", focused(browser).await))
        }
    })
    .await
}

async fn press_enter(browser: &Browser) {
    browser.press([char::from(Key::Enter)]).await;
}

/// Counts, from now on, every pointer or mouse button event the page gets.
const COUNT_POINTER_EVENTS: &str = "
    window.pointerEvents = 0;
    for (const type of ['pointerdown', 'pointerup', 'mousedown', 'mouseup']) {
        window.addEventListener(type, () => { window.pointerEvents += 1; }, true);
    }
";

#[actix_web::test]
async fn an_administrator_signs_in_filters_kills_and_exports_with_the_keyboard_alone() {
    let app = spawn_app().await;
    let now = now();
    #[rustfmt::skip]
    let ids = app.insert(&[
        session("Joe Bloggs", "joe@example.com", "GIMP", now - 3600, None, Connected),
        session("Mary-Jo Adams", "mj@example.com", "Krita", now - 3000, None, Unknown),
        session("Jo Stone", "jo.stone@example.com", "Firefox", now - 2800, None, Connected),
        session("Jojo Smith", "jojo@example.com", "GIMP", now - 2700, Some(now - 100), Disconnected),
        session("alice Martin", "alice@example.com", "Blender", now - 60, None, Connected),
    ]);
    let [joe, mary, jo, _, _] = ids[..] else {
        unreachable!("five ids")
    };

    let browser = Browser::start(&app.address).await;
    browser.run_on_every_page(COUNT_POINTER_EVENTS).await;
    browser.goto("/").await;
    wait_for_location_prefix(&browser, "/login?next=").await;
    tab_to(&browser, "#login-username").await;
    browser.press("admin".chars()).await;
    tab_to(&browser, "#login-password").await;
    browser.press(ADMIN_PASSWORD.chars()).await;
    press_enter(&browser).await;
    wait_for_location(&browser, "/").await;
    wait_for_table(&browser, "five rows", |t| t.rows.len() == 5).await;

    // Filter: "jo" among active sessions.
    tab_to(&browser, "#filter-toggle").await;
    press_enter(&browser).await;
    wait_for_focus(&browser, "#filter-contains").await;
    browser.press("jo".chars()).await;
    tab_to(&browser, "#filter-active").await;
    press_enter(&browser).await;
    wait_for_names(&browser, &["Jo Stone", "Mary-Jo Adams", "Joe Bloggs"]).await;

    // Kill one: Escape first, and focus is back on the row's Kill button; then confirm.
    let kill_joe = format!("tr[data-session-id='{joe}'] button.kill");
    tab_to(&browser, &kill_joe).await;
    press_enter(&browser).await;
    wait_for_property(&browser, "#confirm-dialog", "open", json!(true)).await;
    wait_for_focus(&browser, "#confirm-no").await;
    browser.press([char::from(Key::Escape)]).await;
    wait_for_property(&browser, "#confirm-dialog", "open", json!(false)).await;
    wait_for_focus(&browser, &kill_joe).await;
    press_enter(&browser).await;
    wait_for_property(&browser, "#confirm-dialog", "open", json!(true)).await;
    tab_to(&browser, "#confirm-yes").await;
    press_enter(&browser).await;
    browser
        .wait_for_text("#message", &format!("Killed session #{joe}"))
        .await;
    // Killed, Joe is no longer active and leaves the filtered list.
    wait_for_names(&browser, &["Jo Stone", "Mary-Jo Adams"]).await;
    // Its Kill button is gone with the kill: focus goes to what was done, not to the page's start.
    wait_for_focus(&browser, "#message").await;

    // Bulk-kill the two others.
    tab_to(&browser, "#bulk-toggle").await;
    press_enter(&browser).await;
    for id in [mary, jo] {
        tab_to(
            &browser,
            &format!("tr[data-session-id='{id}'] input.select-session"),
        )
        .await;
        browser.press([char::from(Key::Space)]).await;
    }
    browser
        .wait_for_text("#bulk-panel .hint", "2 sessions selected.")
        .await;
    tab_to(&browser, "#bulk-apply").await;
    press_enter(&browser).await;
    browser
        .wait_for_text("#message", "Killed 2 sessions.")
        .await;
    wait_for_focus(&browser, "#message").await;
    wait_for_names(&browser, &[]).await;
    for id in [joe, mary, jo] {
        assert_eq!(app.status_in_db(id), Killed, "session {id}");
    }

    // Export: Escape returns focus to Export; Apply downloads and returns it there too.
    tab_to(&browser, "#export-open").await;
    press_enter(&browser).await;
    wait_for_property(&browser, "#export-dialog", "open", json!(true)).await;
    browser.press([char::from(Key::Escape)]).await;
    wait_for_property(&browser, "#export-dialog", "open", json!(false)).await;
    wait_for_focus(&browser, "#export-open").await;
    press_enter(&browser).await;
    wait_for_property(&browser, "#export-dialog", "open", json!(true)).await;
    tab_to(&browser, "#export-apply").await;
    press_enter(&browser).await;
    wait_for_property(&browser, "#export-dialog", "open", json!(false)).await;
    wait_for_focus(&browser, "#export-open").await;
    eventually("the CSV in the downloads folder", || async {
        match browser.downloads().as_slice() {
            [file] if file.extension().is_some_and(|e| e == "csv") => Ok(()),
            other => Err(format!("the folder holds {other:?}")),
        }
    })
    .await;

    assert_eq!(
        browser
            .execute("return window.pointerEvents;", json!([]))
            .await,
        json!(0),
        "no pointer or mouse button event reached the page"
    );
    browser.close().await;
}
