//! End to end: the built console (`web/dist`) in a headless Chromium against the real server. Each test
//! owns its server, database, chromedriver and browser, and waits for what the page shows, never a
//! fixed time.

mod accessibility;
mod accounts;
mod auth;
pub mod axe;
mod driver;
mod errors;
mod export;
mod filter;
mod first_paint;
mod keyboard;
mod kill;
mod live;
mod sorting;
mod status_filter;
mod usage;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use shared::SessionStatus;

use crate::helpers::{ADMIN_PASSWORD, Fixture, TestApp, workspace_root};
use driver::{Browser, eventually};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A session to insert, in one line.
fn session<'a>(
    name: &'a str,
    email: &'a str,
    app: &'a str,
    start: i64,
    end: Option<i64>,
    status: SessionStatus,
) -> Fixture<'a> {
    Fixture {
        name,
        email,
        app,
        start,
        end,
        status,
    }
}

/// A row of the sessions table as the page shows it.
#[derive(Debug, Deserialize)]
struct Row {
    id: i64,
    name: String,
    status: String,
    has_kill_button: bool,
    checkbox_enabled: bool,
    checked: bool,
}

/// The sessions table, read in one go so that a re-render cannot tear it.
#[derive(Debug, Deserialize)]
struct Table {
    /// The first page has arrived and no newer one is loading.
    settled: bool,
    rows: Vec<Row>,
    /// `aria-sort` of each column header, by sort key.
    sorts: BTreeMap<String, String>,
}

impl Table {
    fn names(&self) -> Vec<&str> {
        self.rows.iter().map(|r| r.name.as_str()).collect()
    }

    /// The status of row `id`, if it is on the page.
    fn status(&self, id: i64) -> Option<&str> {
        self.rows
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.status.as_str())
    }

    fn row(&self, id: i64) -> &Row {
        self.rows
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("no row {id} in {self:?}"))
    }
}

const READ_TABLE: &str = r#"
    const wrap = document.querySelector('.table-wrap');
    const rows = Array.from(document.querySelectorAll('#sessions tbody tr[data-session-id]')).map(row => {
        const checkbox = row.querySelector('input.select-session');
        return {
            id: Number(row.dataset.sessionId),
            name: row.querySelector('.col-name').textContent,
            status: row.dataset.status,
            has_kill_button: row.querySelector('button.kill') !== null,
            checkbox_enabled: !checkbox.disabled,
            checked: checkbox.checked,
        };
    });
    const sorts = Object.fromEntries(Array.from(document.querySelectorAll('#sessions th[data-sort-key]'))
        .map(th => [th.dataset.sortKey, th.getAttribute('aria-sort')]));
    const settled = wrap !== null && wrap.getAttribute('aria-busy') === 'false'
        && document.querySelector('#sessions .loading-row') === null;
    return { settled, rows, sorts };
"#;

async fn read_table(browser: &Browser) -> Table {
    serde_json::from_value(browser.execute(READ_TABLE, json!([])).await).expect("the table as read")
}

/// Waits until the table has settled in a state `accept` takes, and returns it.
async fn wait_for_table(browser: &Browser, what: &str, accept: impl Fn(&Table) -> bool) -> Table {
    eventually(what, || async {
        let table = read_table(browser).await;
        if table.settled && accept(&table) {
            Ok(table)
        } else {
            Err(format!("the table is {table:?}"))
        }
    })
    .await
}

async fn wait_for_names(browser: &Browser, names: &[&str]) -> Table {
    wait_for_table(browser, &format!("the rows {names:?}"), |t| {
        t.names() == names
    })
    .await
}

/// Waits for the rows in this order under a header that announces the sort, and no other header.
async fn wait_for_sorted(browser: &Browser, key: &str, direction: &str, names: &[&str]) {
    wait_for_table(browser, &format!("{key} {direction}: {names:?}"), |t| {
        t.names() == names
            && t.sorts.len() == 7
            && t.sorts
                .iter()
                .all(|(k, aria)| aria == if k == key { direction } else { "none" })
    })
    .await;
}

async fn wait_for_location(browser: &Browser, wanted: &str) {
    eventually(&format!("the address {wanted}"), || async {
        let location = browser.location().await;
        if location == wanted {
            Ok(())
        } else {
            Err(format!("it is {location}"))
        }
    })
    .await
}

/// A JavaScript property of the first element matching `css`, such as `open`, `value` or `disabled`.
async fn property(browser: &Browser, css: &str, name: &str) -> Value {
    browser
        .execute(
            "return document.querySelector(arguments[0])[arguments[1]];",
            json!([css, name]),
        )
        .await
}

async fn wait_for_property(browser: &Browser, css: &str, name: &str, wanted: Value) {
    eventually(&format!("{css}.{name} to be {wanted}"), || async {
        let value = property(browser, css, name).await;
        if value == wanted {
            Ok(())
        } else {
            Err(format!("it is {value}"))
        }
    })
    .await
}

/// A browser on `path` of the app, signed in as the first admin.
async fn open(app: &TestApp, path: &str) -> Browser {
    open_as(app, path, "admin", ADMIN_PASSWORD).await
}

/// A browser signed in as `username` on `path`: like a person following a link, it is sent to the sign-in
/// page first and, once signed in, back to `path`.
async fn open_as(app: &TestApp, path: &str, username: &str, password: &str) -> Browser {
    let browser = open_signed_out(app, path).await;
    wait_for_location_prefix(&browser, "/login?next=").await;
    sign_in(&browser, username, password).await;
    wait_for_location(&browser, path).await;
    browser
}

/// A browser on `path` of the app, not signed in.
async fn open_signed_out(app: &TestApp, path: &str) -> Browser {
    let index = workspace_root().join("web/dist/index.html");
    assert!(
        index.exists(),
        "{} is missing: build the console first (`trunk build --release`)",
        index.display()
    );
    let browser = Browser::start(&app.address).await;
    browser.goto(path).await;
    browser
}

/// Fills in and sends the sign-in form.
async fn sign_in(browser: &Browser, username: &str, password: &str) {
    browser.type_into("#login-username", username).await;
    browser.type_into("#login-password", password).await;
    browser.click("button#login-submit").await;
}

async fn wait_for_location_prefix(browser: &Browser, prefix: &str) -> String {
    eventually(&format!("an address starting {prefix}"), || async {
        let location = browser.location().await;
        if location.starts_with(prefix) {
            Ok(location)
        } else {
            Err(format!("it is {location}"))
        }
    })
    .await
}

fn sort_button(key: &str) -> String {
    format!("#sessions th[data-sort-key='{key}'] button")
}
