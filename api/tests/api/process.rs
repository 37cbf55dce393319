//! `sessions-api` as its own process, for what only real processes show: crashes, and several nodes
//! starting at once.

use std::ffi::OsStr;
use std::fs::File;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BINARY: &str = env!("CARGO_BIN_EXE_sessions-api");
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

use crate::helpers::TestDatabase;

/// A token made with `sessions-api token create` (which also creates and migrates the database).
pub fn token(database: &TestDatabase, scopes: &str) -> String {
    let output = Command::new(BINARY)
        .args([
            "token",
            "create",
            scopes,
            "--scopes",
            scopes,
            "--database-url",
        ])
        .arg(&database.url)
        .current_dir(database.dir.path())
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// A client that sends this API token with every request.
pub fn client_with_token(secret: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {secret}").parse().unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

/// `sessions-api serve` on a free port.
pub struct Process {
    child: Child,
    pub base: String,
    /// Where its log goes: in the database's folder.
    log: PathBuf,
}

impl Process {
    /// Starts `serve` with these flags and environment, without waiting for it to answer.
    /// It runs in the database's folder, where it writes what it keeps beside a PostgreSQL database.
    pub fn spawn(
        database: &TestDatabase,
        args: &[impl AsRef<OsStr>],
        env: &[(&str, &str)],
    ) -> Process {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = database.dir.path().join(format!("serve-{port}.log"));
        let child = Command::new(BINARY)
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--workers",
                "1",
            ])
            .args(args)
            .arg("--database-url")
            .arg(&database.url)
            .current_dir(database.dir.path())
            .env("SESSIONS_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .envs(env.iter().copied())
            .stdout(File::create(&log).unwrap())
            .stderr(File::options().append(true).open(&log).unwrap())
            .spawn()
            .unwrap();
        Process {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// Starts `serve` and waits until it answers.
    pub async fn start(
        database: &TestDatabase,
        args: &[impl AsRef<OsStr>],
        env: &[(&str, &str)],
    ) -> Process {
        let process = Process::spawn(database, args, env);
        process.answers().await;
        process
    }

    /// Waits until `/healthz` answers 200; gives up with the server's log after 20 s.
    pub async fn answers(&self) {
        let health = format!("{}/healthz", self.base);
        let started = Instant::now();
        while !reqwest::get(&health).await.is_ok_and(|r| r.status() == 200) {
            if started.elapsed() > Duration::from_secs(20) {
                panic!("{} did not start; its log:\n{}", self.base, self.log());
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What it has written to standard output and error so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends it SIGTERM, as a service manager stopping it does.
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// Waits up to `patience` for it to exit by itself; its exit status.
    pub async fn exited(&mut self, patience: Duration) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if started.elapsed() > patience {
                panic!("{} did not exit; its log:\n{}", self.base, self.log());
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.base.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// Stops it the hard way, as a crash or `kill -9` would.
    pub fn crash(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
