//! The usage panel above the sessions table: its figures are the API's, its chart is drawn and reads
//! out the bucket under the pointer or the keyboard, and "active now" follows the broker live.

use serde_json::{Value, json};
use shared::Scope;
use shared::SessionStatus::{Connected, Disconnected};

use super::driver::{Browser, eventually};
use super::live::{broker_opens, wait_until_live};
use super::{now, open, session};
use crate::helpers::{TestApp, spawn_app};

/// What the console asks for "Last 24 hours": 15-minute buckets up to the next quarter hour.
async fn last_day_usage(app: &TestApp) -> Value {
    let to = (now() / 900 + 1) * 900;
    let time = |t: i64| chrono::DateTime::from_timestamp(t, 0).unwrap().to_rfc3339();
    app.client
        .get(app.url("/api/v1/sessions/usage"))
        .query(&[
            ("from", time(to - 86_400)),
            ("to", time(to)),
            ("step", "15m".to_owned()),
            ("tz", "UTC".to_owned()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The panel's three figures, once they are shown.
async fn figures(browser: &Browser) -> Value {
    browser
        .execute(
            "const f = id => document.getElementById(id)?.textContent;
             return { active: f('usage-active-now'), today: f('usage-peak-today'),
                      range: f('usage-peak-range'),
                      targets: document.querySelectorAll('#usage-plot rect.usage-target').length,
                      line: document.querySelector('#usage-plot path.usage-line')?.getAttribute('d') ?? '',
                      rows: document.querySelectorAll('#usage-table tbody tr').length };",
            json!([]),
        )
        .await
}

async fn wait_for_active(browser: &Browser, wanted: i64) {
    eventually(&format!("active now to read {wanted}"), || async {
        let shown = browser.text("#usage-active-now").await;
        if shown.as_deref() == Some(wanted.to_string().as_str()) {
            Ok(())
        } else {
            Err(format!("it reads {shown:?}"))
        }
    })
    .await
}

#[actix_web::test]
async fn the_usage_panel_shows_the_api_figures_a_chart_that_reads_out_and_live_counts() {
    let app = spawn_app().await;
    let now = now();
    app.insert(&[
        session(
            "Ann",
            "ann@example.com",
            "GIMP",
            now - 7_200,
            None,
            Connected,
        ),
        session(
            "Ben",
            "ben@example.com",
            "GIMP",
            now - 7_000,
            None,
            Connected,
        ),
        session(
            "Cat",
            "cat@example.com",
            "Krita",
            now - 6_800,
            None,
            Connected,
        ),
        session(
            "Dan",
            "dan@example.com",
            "Krita",
            now - 20_000,
            Some(now - 19_000),
            Disconnected,
        ),
    ]);
    let browser = open(&app, "/").await;
    wait_for_active(&browser, 3).await;
    let api = last_day_usage(&app).await;
    let buckets = api["buckets"].as_array().unwrap().len() as u64;
    let shown = eventually("the chart drawn", || async {
        let shown = figures(&browser).await;
        if shown["targets"] == buckets && shown["line"] != "" {
            Ok(shown)
        } else {
            Err(format!("{shown}"))
        }
    })
    .await;
    assert_eq!(shown["active"], api["active_now"].to_string());
    assert_eq!(shown["today"], api["peak_today"]["sessions"].to_string());
    assert_eq!(shown["range"], api["peak_in_range"]["sessions"].to_string());
    assert_eq!(shown["range"], "3");
    assert_eq!(
        shown["rows"], buckets,
        "the screen readers' table has every bucket"
    );

    // The pointer on the last bucket reads out its peak; the keyboard then steps back in time.
    browser
        .hover("#usage-plot rect.usage-target:last-of-type")
        .await;
    browser
        .wait_for_text("#usage-readout", "at most 3 at once")
        .await;
    let dan_bucket = api["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .position(|b| b["peak"] == 1)
        .expect("Dan's bucket");
    browser.click("#usage-plot").await;
    browser.type_into("#usage-plot", "\u{E011}").await; // Home
    for _ in 0..dan_bucket {
        browser.type_into("#usage-plot", "\u{E014}").await; // ArrowRight
    }
    browser
        .wait_for_text("#usage-readout", "at most 1 at once")
        .await;

    // The broker opens one and an administrator kills it: the count follows, without a reload.
    wait_until_live(&browser).await;
    let broker = app.token("broker", &[Scope::Broker]);
    let zoe = broker_opens(&app, &broker, "Zoë").await;
    wait_for_active(&browser, 4).await;
    assert_eq!(app.post_kill(zoe).await.status(), 200);
    wait_for_active(&browser, 3).await;
    browser.close().await;
}
