use serde_json::json;
use shared::SessionStatus::{Connected, Disconnected, Killed, Unknown};

use super::axe::assert_accessible;
use super::driver::{Browser, eventually};
use super::{
    now, open, open_signed_out, session, wait_for_location_prefix, wait_for_property,
    wait_for_table,
};
use crate::helpers::spawn_app;

/// Waits until the page shows `tables` tables, none of them still loading.
async fn wait_until_loaded(browser: &Browser, tables: u64) {
    eventually(&format!("{tables} loaded tables"), || async {
        let state = browser
            .execute(
                "return [document.querySelectorAll('main table').length,
                         document.querySelectorAll('.loading-row').length];",
                json!([]),
            )
            .await;
        if state == json!([tables, 0]) {
            Ok(())
        } else {
            Err(format!("[tables, loading rows] = {state}"))
        }
    })
    .await
}

#[actix_web::test]
async fn every_page_and_dialog_passes_the_wcag_2_1_a_and_aa_rules_of_axe() {
    let app = spawn_app().await;
    let now = now();
    let ended = |start: i64| Some(start + 600);
    // One row of each status, so each badge's colours are checked.
    #[rustfmt::skip]
    let ids = app.insert(&[
        session("Joe Bloggs", "joe@example.com", "GIMP", now - 3600, None, Connected),
        session("Mary-Jo Adams", "mj@example.com", "Krita", now - 3000, None, Unknown),
        session("john Smith", "jsmith@example.com", "GIMP", now - 2900, ended(now - 2900), Disconnected),
        session("Bob Stone", "bob@example.com", "Firefox", now - 2800, ended(now - 2800), Killed),
    ]);

    let browser = open_signed_out(&app, "/").await;
    wait_for_location_prefix(&browser, "/login?next=").await;
    browser
        .wait_for_text("button#login-submit", "Sign in")
        .await;
    assert_accessible(&browser, "the sign-in page").await;
    browser.close().await;

    let browser = open(&app, "/").await;
    wait_for_table(&browser, "four rows", |t| t.rows.len() == 4).await;
    browser.wait_for_text(".usage-chart svg", "").await;
    assert_accessible(&browser, "the sessions page with the usage chart").await;

    browser.click("#usage-by-app").await;
    browser.wait_for_text("#usage .usage-swatch", "").await;
    assert_accessible(&browser, "the sessions page with usage split by app").await;

    browser.click("#filter-toggle").await;
    browser
        .click("input[name=filter-status][value=Connected]")
        .await;
    assert_accessible(&browser, "the sessions page with the filter open").await;

    browser.click("#bulk-toggle").await;
    browser
        .click(&format!(
            "tr[data-session-id='{}'] input.select-session",
            ids[0]
        ))
        .await;
    assert_accessible(&browser, "the sessions page with the bulk options open").await;

    browser
        .click(&format!("tr[data-session-id='{}'] button.kill", ids[1]))
        .await;
    wait_for_property(&browser, "#confirm-dialog", "open", json!(true)).await;
    assert_accessible(&browser, "the sessions page with the kill dialog open").await;
    browser.click("#confirm-no").await;
    wait_for_property(&browser, "#confirm-dialog", "open", json!(false)).await;

    browser.click("#export-open").await;
    wait_for_property(&browser, "#export-dialog", "open", json!(true)).await;
    assert_accessible(&browser, "the sessions page with the export dialog open").await;
    browser.click("#export-cancel").await;
    wait_for_property(&browser, "#export-dialog", "open", json!(false)).await;

    browser.goto("/audit").await;
    wait_until_loaded(&browser, 1).await;
    browser
        .wait_for_text(
            "table.audit-table tr.audit-row[data-action='auth.login']",
            "",
        )
        .await;
    assert_accessible(&browser, "the audit page").await;

    browser.goto("/settings").await;
    wait_until_loaded(&browser, 2).await;
    assert_accessible(&browser, "the settings page").await;
    browser.close().await;
}
