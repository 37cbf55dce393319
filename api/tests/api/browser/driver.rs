//! A headless Chromium for one test, driven through its own chromedriver with the W3C WebDriver
//! protocol over reqwest (plain HTTP on loopback).
//!
//! fantoccini without a TLS feature only connects through a hyper-util connector the test crate would
//! have to depend on; the handful of WebDriver commands these tests use are simpler spoken directly.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use tempfile::TempDir;

/// How long a wait polls before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);
/// The zone the browser runs in: not UTC, so times and export days are visibly the viewer's.
pub const TIME_ZONE: &str = "Asia/Tokyo";
/// The key a WebDriver element reference is sent under.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

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

/// A WebDriver error answer, or a transport failure.
#[derive(Debug)]
pub struct WebDriverError(pub String);

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One browser session on the app at `base`, with a downloads folder of its own.
pub struct Browser {
    /// First, so it is killed before the folders Chromium writes to are removed.
    driver: Chromedriver,
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`, until the session is closed.
    session: Option<String>,
    base: String,
    downloads: TempDir,
    _profile: TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium whose relative URLs resolve against `base`.
    pub async fn start(base: &str) -> Browser {
        let driver_program = program("CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = program("CHROMIUM", "/usr/bin/chromium");
        let driver = Chromedriver::start(&driver_program);
        let profile = tempfile::tempdir().expect("a profile folder");
        let downloads = tempfile::tempdir().expect("a downloads folder");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client");
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
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                "prefs": {
                    "download.default_directory": downloads.path(),
                    "download.prompt_for_download": false,
                },
            },
        }}});
        let url = format!("http://127.0.0.1:{}/session", driver.port);
        let answer = send(&http, Method::POST, &url, Some(capabilities))
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start {}: {e}", chromium.display()));
        let id = answer["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        let browser = Browser {
            http,
            session: Some(format!("{url}/{id}")),
            base: base.to_owned(),
            downloads,
            _profile: profile,
            driver,
        };
        // Headless Chromium may ignore the download preference; this makes downloads land for sure.
        let folder = browser
            .downloads
            .path()
            .to_str()
            .expect("a UTF-8 temp path")
            .to_owned();
        browser
            .command(
                Method::POST,
                "/goog/cdp/execute",
                json!({
                    "cmd": "Browser.setDownloadBehavior",
                    "params": { "behavior": "allow", "downloadPath": folder },
                }),
            )
            .await
            .expect("downloads are allowed");
        browser
    }

    async fn command(
        &self,
        method: Method,
        path: &str,
        body: Value,
    ) -> Result<Value, WebDriverError> {
        let session = self.session.as_deref().expect("the session is open");
        let body = (method == Method::POST).then_some(body);
        send(&self.http, method, &format!("{session}{path}"), body).await
    }

    /// Opens `path` of the app and waits for the page to load (not for its data).
    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.command(Method::POST, "/url", json!({ "url": url }))
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    pub async fn back(&self) {
        self.command(Method::POST, "/back", json!({}))
            .await
            .expect("the browser goes back");
    }

    pub async fn refresh(&self) {
        self.command(Method::POST, "/refresh", json!({}))
            .await
            .expect("the page reloads");
    }

    /// The address bar, from the path on: `/?sort=name`.
    pub async fn location(&self) -> String {
        let url = self
            .command(Method::GET, "/url", json!({}))
            .await
            .expect("the current URL");
        let url = url.as_str().expect("a URL string");
        url.strip_prefix(&self.base).unwrap_or(url).to_owned()
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page and returns its value.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        self.command(
            Method::POST,
            "/execute/sync",
            json!({ "script": script, "args": args }),
        )
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    async fn find(&self, css: &str) -> Result<String, WebDriverError> {
        let found = self
            .command(
                Method::POST,
                "/element",
                json!({ "using": "css selector", "value": css }),
            )
            .await?;
        Ok(found[ELEMENT]
            .as_str()
            .expect("an element reference")
            .to_owned())
    }

    /// Clicks the element `css` as a user would, once it exists and can be clicked.
    pub async fn click(&self, css: &str) {
        eventually(&format!("clicking {css}"), || async {
            let element = self.find(css).await?;
            self.command(
                Method::POST,
                &format!("/element/{element}/click"),
                json!({}),
            )
            .await
            .map(drop)
        })
        .await
    }

    /// Types `text` into the element `css`, as key presses.
    pub async fn type_into(&self, css: &str, text: &str) {
        eventually(&format!("typing into {css}"), || async {
            let element = self.find(css).await?;
            self.command(
                Method::POST,
                &format!("/element/{element}/value"),
                json!({ "text": text }),
            )
            .await
            .map(drop)
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

    /// Ends the browser session; dropping the browser does the same, less politely.
    pub async fn close(mut self) {
        if let Some(session) = self.session.take() {
            let _ = send(&self.http, Method::DELETE, &session, None).await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A test that failed half-way: ask chromedriver to close Chromium, blocking (this is `drop`).
        if let Some(session) = self.session.take() {
            let path = session
                .split_once("/session/")
                .map_or(String::new(), |(_, id)| id.to_owned());
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.driver.port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let _ = write!(
                    stream,
                    "DELETE /session/{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = stream.read_to_end(&mut Vec::new());
            }
        }
    }
}

async fn send(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, WebDriverError> {
    let mut request = http.request(method.clone(), url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .map_err(|e| WebDriverError(format!("{method} {url}: {e}")))?;
    let status = response.status();
    let answer: Value = response.json().await.map_err(|e| {
        WebDriverError(format!(
            "{method} {url}: {status} with an unreadable body: {e}"
        ))
    })?;
    let value = answer.get("value").cloned().unwrap_or(Value::Null);
    if status.is_success() {
        Ok(value)
    } else {
        Err(WebDriverError(format!(
            "{} ({status}): {}",
            value["error"], value["message"]
        )))
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
