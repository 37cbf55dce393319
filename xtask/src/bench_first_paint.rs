//! First paint for `cargo xtask bench`: cold loads of the release console in headless Chromium (a fresh
//! profile each, nothing cached), timed with the Performance API from navigation start to the frame
//! that paints the first row of the sessions table, by the same page script as the browser test.
//! chromedriver is driven over plain W3C WebDriver HTTP on loopback.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::server::Server;
use crate::setup::{Tools, setup};
use crate::{Result, root, trunk_build};

/// Marks `first-session-row` in the frame that paints the first row; shared with the browser test.
const FIRST_ROW_JS: &str = include_str!("../../api/tests/api/browser/first_row.js");
const READ_MARK: &str = "
    const mark = performance.getEntriesByName('first-session-row', 'mark')[0];
    return mark ? mark.startTime : null;
";
const COLD_LOADS: usize = 3;
const PATIENCE: Duration = Duration::from_secs(60);
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// The median and each of [`COLD_LOADS`] cold loads, signed in as `username`, against `target_ms`.
pub fn first_row(
    server: &Server,
    username: &str,
    password: &str,
    target_ms: f64,
) -> Result<String> {
    prepare()?;
    let cookie = sign_in(server, username, password)?;
    let driver = Chromedriver::start()?;
    let mut times = (0..COLD_LOADS)
        .map(|_| driver.cold_load(server, &cookie))
        .collect::<Result<Vec<f64>>>()?;
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let verdict = if median > target_ms { " MISSED" } else { "" };
    let each: Vec<String> = times.iter().map(|ms| format!("{ms:.0}")).collect();
    Ok(format!("{median:.0} ms ({}){verdict}", each.join("/")))
}

/// The release console in `web/dist` and Chromium with its driver, as `cargo xtask test` has them;
/// once per run.
fn prepare() -> Result {
    static PREPARED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    PREPARED
        .get_or_init(|| {
            setup(Tools::All)
                .and_then(|()| trunk_build())
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(Into::into)
}

/// The sign-in cookie's `name=value`, from the API's answer to a sign-in.
fn sign_in(server: &Server, username: &str, password: &str) -> Result<(String, String)> {
    let body = json!({ "username": username, "password": password }).to_string();
    let response = ureq::post(server.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .send(body.as_str())?;
    let line = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|line| line.starts_with("sessions_console="))
        .ok_or("the sign-in set no cookie")?;
    let pair = line.split(';').next().unwrap_or_default();
    let (name, value) = pair.split_once('=').ok_or("a malformed cookie")?;
    Ok((name.to_owned(), value.to_owned()))
}

struct Chromedriver {
    child: Child,
    base: String,
}

impl Chromedriver {
    fn start() -> Result<Chromedriver> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {CHROMEDRIVER}: {e}"))?;
        let driver = Chromedriver {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while ureq::get(format!("{}/status", driver.base)).call().is_err() {
            if started.elapsed() > PATIENCE {
                return Err("chromedriver did not answer".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(driver)
    }

    fn post(&self, path: &str, body: Value) -> Result<Value> {
        let mut response = ureq::post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .config()
            .http_status_as_error(false)
            .build()
            .send(body.to_string().as_str())?;
        let status = response.status();
        let answer: Value = serde_json::from_slice(&response.body_mut().read_to_vec()?)?;
        if !status.is_success() {
            return Err(format!("chromedriver {path}: {status} {answer}").into());
        }
        Ok(answer["value"].clone())
    }

    /// One load of the console in a new browser with a fresh profile; milliseconds to the first row.
    fn cold_load(&self, server: &Server, (name, value): &(String, String)) -> Result<f64> {
        let profile = tempfile::Builder::new()
            .prefix("sessions-xtask-chromium-")
            .tempdir()?;
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
        ]
        .map(String::from)
        .into_iter()
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        }}});
        let created = self.post("/session", capabilities)?;
        let session = created["sessionId"]
            .as_str()
            .ok_or("no session id")?
            .to_owned();
        let measured = self.measure(&session, server, name, value);
        let _ = ureq::delete(format!("{}/session/{session}", self.base)).call();
        measured
    }

    fn measure(&self, session: &str, server: &Server, name: &str, value: &str) -> Result<f64> {
        let at = |path: &str| format!("/session/{session}{path}");
        // Signed in by cookie on a page that is not the console, so nothing of it is cached.
        self.post(&at("/url"), json!({ "url": server.url("/healthz") }))?;
        self.post(
            &at("/cookie"),
            json!({ "cookie": { "name": name, "value": value, "path": "/", "httpOnly": true } }),
        )?;
        self.post(
            &at("/goog/cdp/execute"),
            json!({ "cmd": "Page.addScriptToEvaluateOnNewDocument",
                    "params": { "source": FIRST_ROW_JS } }),
        )?;
        self.post(&at("/url"), json!({ "url": server.url("/") }))?;
        let started = Instant::now();
        loop {
            let mark = self.post(
                &at("/execute/sync"),
                json!({ "script": READ_MARK, "args": [] }),
            )?;
            if let Some(ms) = mark.as_f64() {
                return Ok(ms);
            }
            if started.elapsed() > PATIENCE {
                let page = self.post(
                    &at("/execute/sync"),
                    json!({ "script": "return location.href + ' ' + document.body.innerText.slice(0, 300);",
                            "args": [] }),
                )?;
                return Err(
                    format!("the first row was not painted within a minute: {page}").into(),
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
