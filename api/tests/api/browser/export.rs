use serde_json::json;
use shared::SessionStatus::{Connected, Disconnected};

use super::driver::{Browser, TIME_ZONE, eventually};
use super::{now, open, property, session, wait_for_property, wait_for_table};
use crate::helpers::{at, spawn_app};

/// Sets an `<input type="date">` as its picker would: typed dates depend on the browser's locale.
pub(super) async fn set_date(browser: &Browser, css: &str, date: &str) {
    browser
        .execute(
            "const input = document.querySelector(arguments[0]);
             input.value = arguments[1];
             input.dispatchEvent(new Event('input', { bubbles: true }));
             input.dispatchEvent(new Event('change', { bubbles: true }));",
            json!([css, date]),
        )
        .await;
}

#[actix_web::test]
async fn export_downloads_the_sessions_that_started_on_the_chosen_days_in_the_viewers_zone() {
    let app = spawn_app().await;
    // The browser runs in Asia/Tokyo (UTC+9): its 1 and 2 March 2025 are 28 Feb 15:00 to 2 Mar 15:00 UTC.
    let ten_minutes = |start: i64| Some(start + 600);
    let ended = [
        ("Ann Before", "ann@example.com", at("2025-02-28T14:59:59Z")),
        ("Ben First", "ben@example.com", at("2025-02-28T15:00:00Z")),
        ("Cy Last", "cy@example.com", at("2025-03-02T14:59:59Z")),
        ("Di After", "di@example.com", at("2025-03-02T15:00:00Z")),
    ];
    let mut fixtures: Vec<_> = ended
        .iter()
        .map(|&(name, email, start)| {
            session(name, email, "GIMP", start, ten_minutes(start), Disconnected)
        })
        .collect();
    fixtures.push(session(
        "Eve Now",
        "eve@example.com",
        "GIMP",
        now() - 60,
        None,
        Connected,
    ));
    let ids = app.insert(&fixtures);
    let browser = open(&app, "/").await;
    wait_for_table(&browser, "five rows", |t| t.rows.len() == 5).await;
    browser
        .wait_for_text(".time-zone", &format!("Times in {TIME_ZONE}"))
        .await;
    let ben_start = format!("tr[data-session-id='{}'] .col-start time", ids[1]);
    assert_eq!(
        browser.text(&ben_start).await.as_deref(),
        Some("2025-03-01 00:00:00"),
        "start in local time"
    );

    browser.click("#export-open").await;
    wait_for_property(&browser, "#export-dialog", "open", json!(true)).await;
    set_date(&browser, "#export-from", "2025-03-02").await;
    set_date(&browser, "#export-to", "2025-03-01").await;
    browser
        .wait_for_text("#export-error", "To must not be before From.")
        .await;
    wait_for_property(&browser, "#export-apply", "disabled", json!(true)).await;
    set_date(&browser, "#export-from", "2025-03-01").await;
    set_date(&browser, "#export-to", "2025-03-02").await;
    wait_for_property(&browser, "#export-apply", "disabled", json!(false)).await;
    assert_eq!(browser.text("#export-error").await.as_deref(), Some(""));
    browser.click("#export-apply").await;

    wait_for_property(&browser, "#export-dialog", "open", json!(false)).await;
    browser
        .wait_for_text(
            "#message",
            "Export started: sessions from 2025-03-01 to 2025-03-02 (Asia/Tokyo).",
        )
        .await;
    let href = property(&browser, "#export-link", "href").await;
    assert_eq!(
        href,
        json!(app.url("/api/v1/sessions/export?from=2025-03-01&to=2025-03-02&tz=Asia%2FTokyo"))
    );

    let file = eventually("the CSV in the downloads folder", || async {
        match browser.downloads().as_slice() {
            [file]
                if file
                    .file_name()
                    .is_some_and(|n| n == "sessions_2025-03-01_2025-03-02.csv") =>
            {
                Ok(file.clone())
            }
            other => Err(format!("the folder holds {other:?}")),
        }
    })
    .await;
    let mut csv = csv::Reader::from_path(&file).expect("a readable CSV");
    let header = csv
        .headers()
        .expect("a header row")
        .iter()
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(
        header,
        "id,name,email,app_name,start_time,end_time,duration_seconds,status,killed_by,delivery_state,delivery_attempts,delivery_error"
    );
    let records: Vec<Vec<String>> = csv
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect();
    let (ben, cy) = (ids[1].to_string(), ids[2].to_string());
    #[rustfmt::skip]
    let expected = [
        vec![&*ben, "Ben First", "ben@example.com", "GIMP", "2025-03-01T00:00:00+09:00", "2025-03-01T00:10:00+09:00", "600", "Disconnected", "", "", "", ""],
        vec![&*cy, "Cy Last", "cy@example.com", "GIMP", "2025-03-02T23:59:59+09:00", "2025-03-03T00:09:59+09:00", "600", "Disconnected", "", "", "", ""],
    ];
    assert_eq!(
        records, expected,
        "only the sessions that started on those days, oldest first"
    );
    browser.close().await;
}
