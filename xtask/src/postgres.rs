//! A throwaway PostgreSQL cluster for the tests and the benchmark: made in a temporary folder, listening on
//! a free port of 127.0.0.1 (and a socket in that folder), stopped and removed when dropped.
//!
//! Self-contained (std and tempfile only): the API's test suite includes this same file for the test
//! that stops and restarts PostgreSQL under a running server.

use std::path::PathBuf;
use std::process::Command;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

/// The folder of Debian's PostgreSQL programs (not on PATH), newest version first.
pub fn bin_dir() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn run(command: &mut Command) -> Result {
    let out = command.output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{:?} failed ({}): {}",
            command,
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into())
    }
}

impl Cluster {
    /// initdb refuses to run as root: as root, the cluster belongs to the `postgres` user. fsync is
    /// off, which is fine for tests and benchmarks and never for users.
    pub fn start() -> Result<Cluster> {
        let bin = bin_dir().ok_or("PostgreSQL is not installed (run `cargo xtask setup`)")?;
        let dir = tempfile::Builder::new()
            .prefix("sessions-postgres-")
            .tempdir()?;
        if is_root() {
            run(Command::new("chown").arg("postgres").arg(dir.path()))?;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let cluster = Cluster { dir, bin, port };
        run(cluster
            .as_owner("initdb")
            .arg("-D")
            .arg(cluster.data())
            .args(["-U", "postgres", "--auth=trust", "--encoding=UTF8"])
            .args(["--locale=C.UTF-8", "--no-sync", "--no-instructions"]))?;
        cluster.resume()?;
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn as_owner(&self, program: &str) -> Command {
        if is_root() {
            let mut command = Command::new("runuser");
            command
                .args(["-u", "postgres", "--"])
                .arg(self.bin.join(program));
            command
        } else {
            Command::new(self.bin.join(program))
        }
    }

    /// Starts the server (again) and waits until it accepts connections.
    pub fn resume(&self) -> Result {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=500",
            self.port,
            self.dir.path().display()
        );
        run(self
            .as_owner("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-w", "-l"])
            .arg(self.dir.path().join("server.log"))
            .args(["-o", &options, "start"]))
    }

    /// Stops the server as an outage would: every connection is cut. A clean shutdown, which keeps the
    /// commits that synchronous_commit=off has not flushed yet.
    #[allow(
        dead_code,
        reason = "used by the API suite's outage test, which includes this file"
    )]
    pub fn stop(&self) -> Result {
        self.stop_with("fast")
    }

    fn stop_with(&self, mode: &str) -> Result {
        run(self
            .as_owner("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", mode, "-w", "stop"]))
    }

    /// The URL of database `name` in this cluster, as its superuser.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates the database `name` (UTF-8, the cluster's C.UTF-8 locale).
    pub fn create_database(&self, name: &str) -> Result {
        run(Command::new(self.bin.join("psql"))
            .args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &self.url("postgres"),
            ])
            .args(["-c", &format!("CREATE DATABASE \"{name}\"")]))
    }

    /// The last `lines` lines of the server's log, and the free space where the cluster keeps its
    /// files: what a failed run needs to tell a test's fault from the cluster's (a full disk, a crash).
    #[allow(dead_code, reason = "used by `cargo xtask test`, not by the API suite")]
    pub fn diagnosis(&self, lines: usize) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        let all: Vec<&str> = log.lines().collect();
        let tail = all[all.len().saturating_sub(lines)..].join("\n");
        let space = Command::new("df")
            .args(["-h", "--output=avail,target"])
            .arg(self.dir.path())
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .unwrap_or_default();
        format!("free space:\n{space}\nthe last {lines} lines of PostgreSQL's log:\n{tail}")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.stop_with("immediate");
    }
}
