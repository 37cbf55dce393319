//! A headless Chromium for one test, driven through its own chromedriver with fantoccini (W3C WebDriver
//! over plain HTTP on loopback).

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::cookies::Cookie;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tempfile::TempDir;

/// How long a wait polls before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);
/// The zone the browser runs in: not UTC, so times and export days are visibly the viewer's.
pub const TIME_ZONE: &str = "Asia/Tokyo";

fn program(variable: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.exists(),
        "{} is missing: the browser tests need Chromium and its driver \
         (`apt-get install -y chromium chromium-driver`, see TOOLCHAIN.md), or set {variable}",
        path.display()
    );
    path
}

/// A chromedriver child process, in its own process group so nothing it starts outlives the test.
struct Chromedriver {
    child: Child,
    port: u16,
}

impl Chromedriver {
    fn start(program: &Path) -> Chromedriver {
        let mut child = Command::new(program)
            // Port 0: chromedriver binds a free port and says which, so parallel tests cannot collide.
            .arg("--port=0")
            .env("TZ", TIME_ZONE)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let stdout = child.stdout.take().expect("stdout is piped");
        let (port_tx, port_rx) = mpsc::channel();
        // Reads the port, then keeps draining the pipe so chromedriver never blocks on a full one.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line.split("started successfully on port ").nth(1) {
                    let _ = port_tx.send(port.trim_end_matches('.').parse::<u16>());
                }
            }
        });
        let mut driver = Chromedriver { child, port: 0 };
        driver.port = match port_rx.recv_timeout(PATIENCE) {
            Ok(Ok(port)) => port,
            outcome => panic!("{} did not report its port: {outcome:?}", program.display()),
        };
        driver
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The whole group (chromedriver and any browser it left behind), before reaping, so the id
        // cannot have been reused.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver's `POST /session/{id}/goog/cdp/execute`: a Chrome DevTools command, which fantoccini
/// has no method for.
#[derive(Debug)]
struct Cdp(Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (reqwest::Method, Option<String>) {
        (reqwest::Method::POST, Some(self.0.to_string()))
    }
}

/// One browser session on the app at `base`, with a downloads folder of its own.
///
/// Dropping it (a test that failed half-way) kills chromedriver's process group, Chromium with it.
pub struct Browser {
    /// First, so it is killed before the folders Chromium writes to are removed.
    _driver: Chromedriver,
    client: Client,
    base: String,
    downloads: TempDir,
    _profile: TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium whose relative URLs resolve against `base`.
    pub async fn start(base: &str) -> Browser {
        let driver_program = program("CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = program("CHROME", "/usr/bin/chromium");
        let driver = Chromedriver::start(&driver_program);
        let profile = tempfile::tempdir().expect("a profile folder");
        let downloads = tempfile::tempdir().expect("a downloads folder");
        let folder = downloads.path().to_str().expect("a UTF-8 temp path");
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
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                "prefs": {
                    "download.default_directory": folder,
                    "download.prompt_for_download": false,
                },
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("an object")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start {}: {e}", chromium.display()));
        // Headless Chromium may ignore the download preference; this makes downloads land for sure.
        client
            .issue_cmd(Cdp(json!({
                "cmd": "Browser.setDownloadBehavior",
                "params": { "behavior": "allow", "downloadPath": folder },
            })))
            .await
            .expect("downloads are allowed");
        Browser {
            _driver: driver,
            client,
            base: base.to_owned(),
            downloads,
            _profile: profile,
        }
    }

    /// Opens `path` of the app and waits for the page to load (not for its data).
    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    pub async fn back(&self) {
        self.client.back().await.expect("the browser goes back");
    }

    pub async fn refresh(&self) {
        self.client.refresh().await.expect("the page reloads");
    }

    /// The address bar, from the path on: `/?sort=name`.
    pub async fn location(&self) -> String {
        let url = self.client.current_url().await.expect("the current URL");
        let url = url.as_str();
        url.strip_prefix(&self.base).unwrap_or(url).to_owned()
    }

    /// Runs `script` (a function body; `arguments` holds the array `args`) in the page and returns
    /// its value.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        let Value::Array(args) = args else {
            panic!("script arguments must be an array, not {args}")
        };
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Runs `script` like [`Browser::execute`], but waits for it to call its last argument (a callback)
    /// and returns what it was called with.
    pub async fn execute_async(&self, script: &str, args: Value) -> Value {
        let Value::Array(args) = args else {
            panic!("script arguments must be an array, not {args}")
        };
        self.client
            .execute_async(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Runs `source` in every document the browser opens from now on, before the page's own scripts.
    pub async fn run_on_every_page(&self, source: &str) {
        self.client
            .issue_cmd(Cdp(json!({
                "cmd": "Page.addScriptToEvaluateOnNewDocument",
                "params": { "source": source },
            })))
            .await
            .expect("the script is installed");
    }

    /// Sets the sign-in cookie `name=value` for the app's site, as the server would (the browser must
    /// be on a page of the site).
    pub async fn set_http_only_cookie(&self, name: &str, value: &str) {
        // chromedriver refuses a cookie without a domain: the host of the app's address is its own.
        let host = url::Url::parse(&self.base)
            .ok()
            .and_then(|url| url.host_str().map(str::to_owned))
            .expect("the app's address has a host");
        // As the server sets it; Chromium refuses SameSite=None without Secure.
        let cookie = Cookie::parse(format!(
            "{name}={value}; Domain={host}; Path=/; HttpOnly; SameSite=Strict"
        ))
        .expect("a well-formed cookie")
        .into_owned();
        self.client
            .add_cookie(cookie)
            .await
            .expect("the cookie is set");
    }

    /// Presses and releases each key in turn on the keyboard (text, or `fantoccini::key::Key` values
    /// as chars), to whatever has focus: no pointer is involved.
    pub async fn press(&self, keys: impl IntoIterator<Item = char>) {
        let actions = keys
            .into_iter()
            .fold(KeyActions::new("keyboard".into()), |actions, key| {
                actions
                    .then(KeyAction::Down { value: key })
                    .then(KeyAction::Up { value: key })
            });
        self.client
            .perform_actions(actions)
            .await
            .expect("the keys are pressed");
    }

    /// Clicks the element `css` as a user would, once it exists and can be clicked.
    pub async fn click(&self, css: &str) {
        eventually(&format!("clicking {css}"), || async {
            self.client.find(Locator::Css(css)).await?.click().await
        })
        .await
    }

    /// Moves the mouse pointer onto the middle of the element `css`, as a user would.
    pub async fn hover(&self, css: &str) {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction};
        eventually(&format!("pointing at {css}"), || async {
            let element = self.client.find(Locator::Css(css)).await?;
            let moves = MouseActions::new("mouse".to_owned()).then(PointerAction::MoveToElement {
                element,
                duration: None,
                x: 0.0,
                y: 0.0,
            });
            self.client.perform_actions(moves).await
        })
        .await
    }

    /// Types `text` into the element `css`, as key presses.
    pub async fn type_into(&self, css: &str, text: &str) {
        eventually(&format!("typing into {css}"), || async {
            self.client
                .find(Locator::Css(css))
                .await?
                .send_keys(text)
                .await
        })
        .await
    }

    /// The text content of the first element matching `css`, or `None` when there is none.
    pub async fn text(&self, css: &str) -> Option<String> {
        self.execute(
            "const e = document.querySelector(arguments[0]); return e && e.textContent;",
            json!([css]),
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    /// Waits until the element `css` exists and its text contains `wanted`; returns the whole text.
    pub async fn wait_for_text(&self, css: &str, wanted: &str) -> String {
        eventually(&format!("{css} to contain {wanted:?}"), || async {
            match self.text(css).await {
                Some(text) if text.contains(wanted) => Ok(text),
                other => Err(format!("its text is {other:?}")),
            }
        })
        .await
    }

    /// The files downloaded so far, by name.
    pub fn downloads(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.downloads.path())
            .expect("the downloads folder")
            .map(|entry| entry.expect("a folder entry").path())
            .collect();
        files.sort();
        files
    }

    /// Ends the browser session, then chromedriver.
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// Polls `probe` until it succeeds, for up to [`PATIENCE`]; fails the test with the last reason.
pub async fn eventually<T, E: std::fmt::Display>(
    what: &str,
    mut probe: impl AsyncFnMut() -> Result<T, E>,
) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(reason) if Instant::now() >= deadline => {
                panic!("gave up after {PATIENCE:?} waiting for {what}: {reason}")
            }
            Err(_) => actix_web::rt::time::sleep(POLL).await,
        }
    }
}
