use serde_json::json;
use shared::SessionStatus::{Connected, Disconnected, Killed, Unknown};

use super::driver::{Browser, TIME_ZONE, eventually};
use super::export::set_date;
use super::{now, open, session, wait_for_location, wait_for_names, wait_for_property};
use crate::helpers::spawn_app;

fn status_box(status: &str) -> String {
    format!("input[name=filter-status][value={status}]")
}

/// Which status boxes are checked, in the order the form shows them.
async fn checked_statuses(browser: &Browser) -> Vec<String> {
    let checked = browser
        .execute(
            "return Array.from(document.querySelectorAll('input[name=filter-status]:checked'))
                 .map(box => box.value);",
            json!([]),
        )
        .await;
    serde_json::from_value(checked).expect("a list of names")
}

/// Today in the browser's zone (Asia/Tokyo keeps UTC+9 all year).
fn tokyo_day(days_ago: i64) -> String {
    assert_eq!(TIME_ZONE, "Asia/Tokyo");
    (chrono::Utc::now() + chrono::Duration::hours(9) - chrono::Duration::days(days_ago))
        .format("%Y-%m-%d")
        .to_string()
}

#[actix_web::test]
async fn the_status_filter_combines_with_the_text_lives_in_the_address_and_narrows_the_export() {
    let app = spawn_app().await;
    let now = now();
    let ended = |start: i64| Some(start + 600);
    #[rustfmt::skip]
    let ids = app.insert(&[
        session("Joe Bloggs", "joe@example.com", "GIMP", now - 3600, None, Connected),
        session("Mary-Jo Adams", "mj@example.com", "Krita", now - 3000, None, Unknown),
        session("john Smith", "jsmith@example.com", "GIMP", now - 2900, ended(now - 2900), Disconnected),
        session("Bob Stone", "bob@example.com", "Firefox", now - 2800, ended(now - 2800), Killed),
        session("alice Martin", "alice@example.com", "Blender", now - 60, None, Connected),
    ]);
    let browser = open(&app, "/").await;
    let everyone = [
        "alice Martin",
        "Bob Stone",
        "john Smith",
        "Mary-Jo Adams",
        "Joe Bloggs",
    ];
    wait_for_names(&browser, &everyone).await;

    browser.click("#filter-toggle").await;
    browser.click(&status_box("Killed")).await;
    browser.click(&status_box("Disconnected")).await;
    browser.click("#filter-apply").await;
    wait_for_names(&browser, &["Bob Stone", "john Smith"]).await;
    // In the order the form offers them, however they were clicked.
    wait_for_location(&browser, "/?status=Disconnected%2CKilled").await;
    browser
        .wait_for_text("#active-filter", "Status Disconnected or Killed")
        .await;

    // "Active" is one click for Connected and Unknown, and drops the others.
    browser.click("#filter-active").await;
    wait_for_names(&browser, &["alice Martin", "Mary-Jo Adams", "Joe Bloggs"]).await;
    wait_for_location(&browser, "/?status=Connected%2CUnknown").await;
    assert_eq!(checked_statuses(&browser).await, ["Connected", "Unknown"]);

    // With a text, both apply; a reload shows the same list and form.
    browser.type_into("#filter-contains", "jo").await;
    browser.click("#filter-apply").await;
    wait_for_names(&browser, &["Mary-Jo Adams", "Joe Bloggs"]).await;
    wait_for_location(
        &browser,
        "/?field=name&contains=jo&status=Connected%2CUnknown",
    )
    .await;
    browser
        .wait_for_text(
            "#active-filter",
            "Username contains “jo”; status Connected or Unknown",
        )
        .await;
    browser.refresh().await;
    wait_for_names(&browser, &["Mary-Jo Adams", "Joe Bloggs"]).await;
    wait_for_property(&browser, "#filter-contains", "value", json!("jo")).await;
    assert_eq!(checked_statuses(&browser).await, ["Connected", "Unknown"]);

    // The export says what it includes, and includes only that.
    browser.click("#export-open").await;
    wait_for_property(&browser, "#export-dialog", "open", json!(true)).await;
    browser
        .wait_for_text(
            "#export-scope",
            "Only sessions where Username contains “jo” and whose status is Connected or Unknown.",
        )
        .await;
    let (from, to) = (tokyo_day(1), tokyo_day(0));
    set_date(&browser, "#export-from", &from).await;
    set_date(&browser, "#export-to", &to).await;
    browser.click("#export-apply").await;
    let file = eventually("the CSV in the downloads folder", || async {
        match browser.downloads().as_slice() {
            [file] if file.extension().is_some_and(|e| e == "csv") => Ok(file.clone()),
            other => Err(format!("the folder holds {other:?}")),
        }
    })
    .await;
    let exported: Vec<i64> = csv::Reader::from_path(&file)
        .expect("a readable CSV")
        .records()
        .map(|r| r.expect("a CSV record")[0].parse().expect("an id"))
        .collect();
    assert_eq!(exported, [ids[0], ids[1]], "Joe and Mary-Jo, oldest first");

    // Reset clears the statuses with the text.
    browser.click("#filter-reset").await;
    wait_for_names(&browser, &everyone).await;
    wait_for_location(&browser, "/").await;
    assert_eq!(checked_statuses(&browser).await, Vec::<String>::new());
    assert_eq!(browser.text("#active-filter").await, None);
    browser.click("#export-open").await;
    browser
        .wait_for_text("#export-scope", "All sessions, of every status.")
        .await;
    browser.close().await;
}
