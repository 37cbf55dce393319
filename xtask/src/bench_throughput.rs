//! The throughput section of `cargo xtask bench`: requests per second that 16 concurrent clients get
//! from one release server (two workers), measured with `wrk` (Debian's, installed by `cargo xtask
//! setup`), for `/healthz` (the floor: no authentication, no database), `/api/v1/auth/me`
//! (authentication alone) and the session list at three page sizes. Every case is printed next to its
//! target; a miss is marked, never fatal. `cargo xtask bench --throughput` runs this section alone.

use std::process::Command;

use crate::Result;
use crate::server::Server;

/// Concurrent connections, over two client threads, as the issue measured (`wrk -t2 -c16`).
const CLIENTS: u32 = 16;
const CLIENT_THREADS: u32 = 2;
/// How long each case is driven when `--seconds` does not say.
pub const DEFAULT_SECONDS: u32 = 5;

/// One case: what is asked, and the rate it should reach on a 2-core machine.
struct Case {
    name: &'static str,
    path: &'static str,
    authorized: bool,
    target: Option<f64>,
}

const CASES: [Case; 5] = [
    Case {
        name: "/healthz (the floor)",
        path: "/healthz",
        authorized: false,
        target: None,
    },
    Case {
        name: "auth/me (authentication only)",
        path: "/api/v1/auth/me",
        authorized: true,
        target: Some(50_000.0),
    },
    Case {
        name: "sessions?limit=1",
        path: "/api/v1/sessions?limit=1",
        authorized: true,
        target: None,
    },
    Case {
        name: "sessions?limit=50 (default page)",
        path: "/api/v1/sessions?limit=50",
        authorized: true,
        target: Some(15_000.0),
    },
    Case {
        name: "sessions?limit=500",
        path: "/api/v1/sessions?limit=500",
        authorized: true,
        target: Some(4_000.0),
    },
];

/// A measured rate, with the target it is printed next to.
pub struct Rate {
    pub case: String,
    pub value: String,
    pub target: String,
}

/// Drives every case against `server` for `seconds` each, with `authorization` (a header value) on the
/// API's requests, and returns the rates in order.
pub fn measure(server: &Server, authorization: &str, seconds: u32) -> Result<Vec<Rate>> {
    crate::setup::wrk()?;
    // A short warm-up, so that the first case does not pay for cold caches and pool connections.
    wrk(&server.url("/api/v1/sessions?limit=50"), authorization, 1)?;
    CASES
        .iter()
        .map(|case| {
            let header = if case.authorized { authorization } else { "" };
            let rate = wrk(&server.url(case.path), header, seconds)?;
            let verdict = match case.target {
                Some(target) if rate < target => " MISSED",
                _ => "",
            };
            Ok(Rate {
                case: format!("{} req/s, {CLIENTS} clients", case.name),
                value: format!("{rate:.0}{verdict}"),
                target: case
                    .target
                    .map_or(String::new(), |target| format!("≥ {target:.0} req/s")),
            })
        })
        .collect()
}

/// Requests per second `wrk` reached on `url`; an error when any answer was not a success, so that a
/// fast stream of 401s or 500s is never reported as throughput.
fn wrk(url: &str, authorization: &str, seconds: u32) -> Result<f64> {
    let mut command = Command::new("wrk");
    command.args([
        format!("-t{CLIENT_THREADS}"),
        format!("-c{CLIENTS}"),
        format!("-d{seconds}s"),
    ]);
    if !authorization.is_empty() {
        command.args(["-H", &format!("Authorization: {authorization}")]);
    }
    let output = command
        .arg(url)
        .output()
        .map_err(|e| format!("`wrk` did not start ({e}); `cargo xtask setup` installs it"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("`wrk {url}` failed: {text}").into());
    }
    if let Some(line) = text.lines().find(|line| line.contains("Non-2xx")) {
        return Err(format!("{url}: {}", line.trim()).into());
    }
    text.lines()
        .find_map(|line| line.trim().strip_prefix("Requests/sec:"))
        .and_then(|rate| rate.trim().parse().ok())
        .ok_or_else(|| format!("no Requests/sec in wrk's output:\n{text}").into())
}
