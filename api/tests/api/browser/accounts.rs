use serde_json::Value;

use super::driver::{Browser, eventually};
use super::open;
use crate::helpers::{TestApp, spawn_app};

const PASSWORD: &str = "olga's long password";

/// The row of `username` in the accounts table.
fn row(username: &str) -> String {
    format!("table.accounts-table tr.account-row[data-username='{username}']")
}

async fn login_status(app: &TestApp, username: &str, password: &str) -> u16 {
    app.post_login(&app.anonymous(), username, password)
        .await
        .status()
        .as_u16()
}

/// The role of `username` as the API lists it.
async fn role_of(app: &TestApp, username: &str) -> String {
    let list: Value = app.get("/api/v1/accounts").await.json().await.unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|account| account["username"] == username)
        .unwrap_or_else(|| panic!("no account {username} in {list}"))["role"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn create_account(browser: &Browser, username: &str, role: &str, password: &str) {
    browser.type_into("#account-username", username).await;
    browser
        .click(&format!("#account-role option[value='{role}']"))
        .await;
    browser.type_into("#account-password", password).await;
    browser.click("button#account-create").await;
}

#[actix_web::test]
async fn an_account_made_on_the_settings_page_signs_in_until_disabled_and_its_role_can_be_changed()
{
    let app = spawn_app().await;
    let browser = open(&app, "/settings").await;
    create_account(&browser, "olga", "operator", PASSWORD).await;
    browser
        .wait_for_text("#account-message", "Created account “olga” (operator).")
        .await;
    browser.wait_for_text(&row("olga"), "Active").await;
    assert_eq!(login_status(&app, "olga", PASSWORD).await, 200);

    browser
        .click(&format!("{} button.account-disable", row("olga")))
        .await;
    browser
        .wait_for_text("#confirm-title", "Disable account “olga”?")
        .await;
    let warning = browser.text("#confirm-text").await.unwrap_or_default();
    assert!(!warning.contains("you will be signed out"), "{warning}");
    browser.click("#confirm-yes").await;
    browser.wait_for_text(&row("olga"), "Disabled").await;
    assert_eq!(login_status(&app, "olga", PASSWORD).await, 401);

    browser
        .click(&format!(
            "{} select.account-role option[value='viewer']",
            row("olga")
        ))
        .await;
    browser
        .wait_for_text("#account-message", "“olga” is now a viewer.")
        .await;
    assert_eq!(role_of(&app, "olga").await, "viewer");
    browser.close().await;
}

#[actix_web::test]
async fn refusals_are_shown_where_they_happen_and_disabling_yourself_warns_first() {
    let app = spawn_app().await;
    let browser = open(&app, "/settings").await;
    browser.wait_for_text(&row("admin"), "Active").await;

    create_account(&browser, "admin", "viewer", PASSWORD).await;
    let refused = browser
        .wait_for_text("#account-form-error", "The account was not created.")
        .await;
    assert!(refused.to_lowercase().contains("admin"), "{refused}");

    browser
        .click(&format!("{} button.account-disable", row("admin")))
        .await;
    browser
        .wait_for_text("#confirm-title", "Disable your own account “admin”?")
        .await;
    browser
        .wait_for_text("#confirm-text", "you will be signed out at once")
        .await;
    // The only enabled admin: the server refuses (409), and says why next to the table.
    browser.click("#confirm-yes").await;
    browser
        .wait_for_text("#account-message", "Account “admin” was not changed.")
        .await;
    eventually("the confirmation to close", || async {
        match browser.text("#confirm-dialog").await {
            None => Ok(()),
            Some(text) => Err(format!("it still asks: {text}")),
        }
    })
    .await;
    browser.wait_for_text(&row("admin"), "Active").await;
    assert_eq!(role_of(&app, "admin").await, "admin");
    browser.close().await;
}
