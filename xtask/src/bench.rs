//! `cargo xtask bench`: a release server over 1,000,000 sessions, measured from one sequential client.
//! Figures are printed next to their targets; nothing fails on a miss.

use std::io::Read;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::server::{Server, api_binary, create_token};
use crate::{Result, cargo, run};

const SESSIONS: u64 = 1_000_000;
const SORTS: [&str; 6] = [
    "name",
    "email",
    "app_name",
    "start_time",
    "status",
    "duration",
];

pub fn bench() -> Result {
    run(cargo().args(["build", "--release", "-p", "api"]))?;
    let dir = tempfile::Builder::new()
        .prefix("sessions-xtask-bench-")
        .tempdir()?;
    let database = dir.path().join("bench.db");
    let started = Instant::now();
    run(Command::new(api_binary("release"))
        .args([
            "seed",
            "--sessions",
            &SESSIONS.to_string(),
            // Enough active sessions that the bulk kill kills 10,000 rather than skipping most.
            "--active",
            "12000",
            "--database-url",
        ])
        .arg(&database))?;
    println!(
        "seed {SESSIONS} sessions: {:.1} s",
        started.elapsed().as_secs_f64()
    );

    add_bench_account(&database)?;
    let token = create_token(
        "release",
        &database,
        "bench",
        "sessions:read,sessions:kill,sessions:export",
    )?;
    let server = Server::start(
        "release",
        &database,
        &["--workers", "2"],
        &dir.path().join("server.log"),
    )?;
    let client = Client {
        server: &server,
        authorization: format!("Bearer {token}"),
    };
    println!(
        "\n{:<44} {:>10} {:>10}   target",
        "case (sequential requests)", "median", "p95"
    );

    report("sign-in (Argon2id) ×10", sign_ins(&server, 10)?, None);
    report(
        "default page ×200",
        client.sample(200, "/api/v1/sessions", &[])?,
        Some(15.0),
    );
    for sort in SORTS {
        for order in ["asc", "desc"] {
            let query = [("sort", sort), ("order", order)];
            report(
                &format!("sort={sort}&order={order} ×50"),
                client.sample(50, "/api/v1/sessions", &query)?,
                None,
            );
        }
    }
    let contains = [("contains", "jo"), ("field", "name")];
    report(
        "contains=jo&field=name ×50",
        client.sample(50, "/api/v1/sessions", &contains)?,
        Some(60.0),
    );

    let walk = Instant::now();
    let mut cursor = String::new();
    for _ in 0..999 {
        let page = client.json("/api/v1/sessions", &[("limit", "50"), ("cursor", &cursor)])?;
        cursor = page["next_cursor"]
            .as_str()
            .ok_or("the walk ended before page 1,000")?
            .to_owned();
    }
    println!(
        "{:<44} {:>8.2} s",
        "walk to page 1,000 (999 requests)",
        walk.elapsed().as_secs_f64()
    );
    let deep = [("limit", "50"), ("cursor", cursor.as_str())];
    report(
        "page 1,000 by cursor ×50",
        client.sample(50, "/api/v1/sessions", &deep)?,
        Some(15.0),
    );

    let before_export = peak_rss_kb(&server)?;
    export(&client)?;
    let after_export = peak_rss_kb(&server)?;
    bulk_kill(&client)?;

    // Sign-ins hold ARGON2_AREAS_KB for good (see api/src/auth/password.rs), export or not.
    let total = peak_rss_kb(&server)?;
    println!(
        "\nserver peak RSS {total} kB, of which {ARGON2_AREAS_KB} kB are Argon2's working areas   \
         target ≤ 64 MiB (65536 kB) besides them: {}",
        verdict(total.saturating_sub(ARGON2_AREAS_KB) <= 65_536)
    );
    println!(
        "peak RSS added by the export                 {} kB   target ≤ 16 MiB (16384 kB): {}",
        after_export.saturating_sub(before_export),
        verdict(after_export.saturating_sub(before_export) <= 16_384)
    );
    Ok(())
}

/// Two Argon2id working areas of 19 MiB each.
const ARGON2_AREAS_KB: u64 = 2 * 19 * 1024;

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

/// The server's peak resident memory so far (VmHWM), in kB.
fn peak_rss_kb(server: &Server) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid()))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmHWM in /proc/PID/status".into())
}

struct Client<'a> {
    server: &'a Server,
    authorization: String,
}

impl Client<'_> {
    fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<ureq::http::Response<ureq::Body>> {
        let query = query.iter().filter(|(_, value)| !value.is_empty()).copied();
        Ok(ureq::get(self.server.url(path))
            .header("authorization", &self.authorization)
            .query_pairs(query)
            .call()?)
    }

    fn json(&self, path: &str, query: &[(&str, &str)]) -> Result<Value> {
        let text = self.get(path, query)?.body_mut().read_to_string()?;
        Ok(serde_json::from_str(&text)?)
    }

    /// Times `count` requests, each until its whole body is read.
    fn sample(&self, count: usize, path: &str, query: &[(&str, &str)]) -> Result<Vec<Duration>> {
        (0..count)
            .map(|_| {
                let started = Instant::now();
                self.get(path, query)?.body_mut().read_to_vec()?;
                Ok(started.elapsed())
            })
            .collect()
    }
}

const BENCH_PASSWORD: &str = "bench password 2026";

/// A viewer account for timing sign-ins, made with the CLI as an operator would.
fn add_bench_account(database: &std::path::Path) -> Result {
    use std::io::Write;
    let mut child = Command::new(api_binary("release"))
        .args([
            "user",
            "add",
            "bench",
            "--role",
            "viewer",
            "--password-stdin",
        ])
        .arg("--database-url")
        .arg(database)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()?;
    writeln!(child.stdin.take().ok_or("no stdin")?, "{BENCH_PASSWORD}")?;
    if !child.wait()?.success() {
        return Err("`sessions-api user add` failed".into());
    }
    Ok(())
}

/// Times `count` sign-ins: the cost of hashing a password, which is the point of Argon2id.
fn sign_ins(server: &Server, count: usize) -> Result<Vec<Duration>> {
    let body = serde_json::json!({ "username": "bench", "password": BENCH_PASSWORD }).to_string();
    (0..count)
        .map(|_| {
            let started = Instant::now();
            ureq::post(server.url("/api/v1/auth/login"))
                .header("content-type", "application/json")
                .send(body.as_str())?
                .body_mut()
                .read_to_vec()?;
            Ok(started.elapsed())
        })
        .collect()
}

fn report(case: &str, mut times: Vec<Duration>, target_ms: Option<f64>) {
    times.sort();
    let ms = |at: f64| {
        times[((times.len() as f64 * at).ceil() as usize).clamp(1, times.len()) - 1].as_secs_f64()
            * 1e3
    };
    let (median, p95) = (ms(0.5), ms(0.95));
    let target = match target_ms {
        Some(limit) => format!("median ≤ {limit} ms: {}", verdict(median <= limit)),
        None => String::new(),
    };
    println!("{case:<44} {median:>7.2} ms {p95:>7.2} ms   {target}");
}

fn export(client: &Client) -> Result {
    let started = Instant::now();
    let mut response = client.get(
        "/api/v1/sessions/export",
        &[("from", "2000-01-01"), ("to", "2100-01-01")],
    )?;
    let mut reader = response.body_mut().as_reader();
    let (mut bytes, mut lines, mut buffer) = (0u64, 0u64, vec![0u8; 1 << 16]);
    loop {
        let read = reader.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        bytes += read as u64;
        lines += buffer[..read].iter().filter(|&&byte| byte == b'\n').count() as u64;
    }
    let seconds = started.elapsed().as_secs_f64();
    let rows = lines.saturating_sub(1);
    let rate = rows as f64 / seconds;
    println!(
        "{:<44} {rows} rows, {:.1} MB in {seconds:.2} s = {rate:.0} rows/s   target ≥ 700000 rows/s: {}",
        "export of the whole table",
        bytes as f64 / 1e6,
        verdict(rate >= 700_000.0)
    );
    Ok(())
}

/// Kills 10,000 sessions in one request: active ones when there are enough, else any.
fn bulk_kill(client: &Client) -> Result {
    let mut ids = collect_ids(client, "Connected,Unknown")?;
    if ids.len() < 10_000 {
        ids = collect_ids(client, "")?;
    }
    let body = serde_json::json!({ "ids": ids }).to_string();
    let started = Instant::now();
    let text = ureq::post(client.server.url("/api/v1/sessions/kill"))
        .header("authorization", &client.authorization)
        .header("content-type", "application/json")
        .send(body.as_str())?
        .body_mut()
        .read_to_string()?;
    let seconds = started.elapsed().as_secs_f64();
    let result: Value = serde_json::from_str(&text)?;
    let killed = result["killed"].as_array().map_or(0, Vec::len);
    println!(
        "{:<44} {seconds:.3} s ({killed} killed of {})   target ≤ 0.5 s: {}",
        "bulk kill of 10,000 ids",
        ids.len(),
        verdict(seconds <= 0.5)
    );
    Ok(())
}

fn collect_ids(client: &Client, status: &str) -> Result<Vec<i64>> {
    let (mut ids, mut cursor) = (Vec::with_capacity(10_000), String::new());
    while ids.len() < 10_000 {
        let page = client.json(
            "/api/v1/sessions",
            &[("status", status), ("limit", "500"), ("cursor", &cursor)],
        )?;
        ids.extend(
            page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|item| item["id"].as_i64()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    ids.truncate(10_000);
    Ok(ids)
}
