//! `cargo xtask bench`: release servers over 1,000,000 sessions on each backend, measured by the same
//! client in the same run and printed side by side. Figures are printed next to their targets; nothing
//! fails on a miss.
//!
//! Flags: `--sessions N` (default 1,000,000); `--backend sqlite|postgres|both` (default both; PostgreSQL
//! is a throwaway cluster this task starts, or the database of `--database-url postgres://…`);
//! `--growth N,N,…` measures the cases that should stay flat as the table grows, at each size;
//! `--throughput` runs only the throughput section (`bench_throughput`), over 200,000 sessions unless
//! `--sessions` says otherwise, `--seconds S` per case.

use std::collections::BTreeMap;
use std::io::Read;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::bench_throughput;
#[path = "bench_usage.rs"]
mod usage;

use crate::postgres::Cluster;
use crate::server::{Server, api_binary, create_token};
use crate::{Result, cargo, run};

const SESSIONS: u64 = 1_000_000;
/// What the issue on throughput measured.
const THROUGHPUT_SESSIONS: u64 = 200_000;
const SORTS: [&str; 6] = [
    "name",
    "email",
    "app_name",
    "start_time",
    "status",
    "duration",
];

struct Options {
    sessions: u64,
    backends: Vec<&'static str>,
    postgres_url: Option<String>,
    growth: Vec<u64>,
    throughput_only: bool,
    seconds: u32,
}

fn options() -> Result<Options> {
    let mut options = Options {
        sessions: SESSIONS,
        backends: vec!["SQLite", "PostgreSQL"],
        postgres_url: None,
        growth: Vec::new(),
        throughput_only: false,
        seconds: bench_throughput::DEFAULT_SECONDS,
    };
    let mut sessions = None;
    let mut args = std::env::args().skip(2);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--sessions" => sessions = Some(value()?.parse()?),
            "--throughput" => options.throughput_only = true,
            "--seconds" => options.seconds = value()?.parse()?,
            "--backend" => {
                options.backends = match value()?.as_str() {
                    "sqlite" => vec!["SQLite"],
                    "postgres" => vec!["PostgreSQL"],
                    "both" => vec!["SQLite", "PostgreSQL"],
                    other => {
                        return Err(format!("--backend {other}: sqlite, postgres or both").into());
                    }
                }
            }
            "--database-url" => options.postgres_url = Some(value()?),
            "--growth" => {
                options.growth = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<std::result::Result<_, _>>()?
            }
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    options.sessions = sessions.unwrap_or(if options.throughput_only {
        THROUGHPUT_SESSIONS
    } else {
        SESSIONS
    });
    Ok(options)
}

pub fn bench() -> Result {
    let options = options()?;
    if std::env::var_os(crate::server::BENCH_API_VARIABLE).is_none_or(|other| other.is_empty()) {
        run(cargo().args(["build", "--release", "-p", "api"]))?;
    }
    let cluster = match (
        &options.postgres_url,
        options.backends.contains(&"PostgreSQL"),
    ) {
        (None, true) => Some(Cluster::start()?),
        _ => None,
    };
    let mut databases = Databases {
        cluster: cluster.as_ref(),
        given: options.postgres_url.clone(),
        made: 0,
    };
    let sizes = if options.growth.is_empty() {
        vec![options.sessions]
    } else {
        options.growth.clone()
    };
    let mut table = Table::default();
    for &sessions in &sizes {
        for &backend in &options.backends {
            let dir = tempfile::Builder::new()
                .prefix("sessions-xtask-bench-")
                .tempdir()?;
            let database = databases.new_database(backend, &dir)?;
            let column = if sizes.len() > 1 {
                format!("{backend} {}k", sessions / 1000)
            } else {
                backend.to_owned()
            };
            eprintln!("\n=== {column}: {sessions} sessions");
            let full = options.growth.is_empty();
            measure(
                &mut table, &column, &database, &dir, sessions, full, &options,
            )?;
        }
    }
    table.print();
    crate::bench_wasm::report()?;
    Ok(())
}

/// Where each measurement's fresh database comes from.
struct Databases<'a> {
    cluster: Option<&'a Cluster>,
    given: Option<String>,
    made: u32,
}

impl Databases<'_> {
    fn new_database(&mut self, backend: &str, dir: &tempfile::TempDir) -> Result<String> {
        if backend == "SQLite" {
            return Ok(dir
                .path()
                .join("bench.db")
                .to_str()
                .ok_or("path")?
                .to_owned());
        }
        if let Some(given) = &self.given {
            if self.made > 0 {
                return Err(
                    "--database-url measures one size only: the database is not emptied".into(),
                );
            }
            self.made += 1;
            return Ok(given.clone());
        }
        let cluster = self.cluster.ok_or("no PostgreSQL cluster")?;
        self.made += 1;
        let name = format!("bench_{}", self.made);
        cluster.create_database(&name)?;
        Ok(cluster.url(&name))
    }
}

/// One printed line per case, one value per column.
#[derive(Default)]
struct Table {
    cases: Vec<String>,
    targets: BTreeMap<String, String>,
    columns: Vec<String>,
    values: BTreeMap<(String, String), String>,
}

impl Table {
    fn add(&mut self, column: &str, case: &str, value: String, target: &str) {
        if !self.cases.iter().any(|known| known == case) {
            self.cases.push(case.to_owned());
        }
        if !self.columns.iter().any(|known| known == column) {
            self.columns.push(column.to_owned());
        }
        self.targets.insert(case.to_owned(), target.to_owned());
        eprintln!("{column}: {case}: {value}");
        self.values
            .insert((case.to_owned(), column.to_owned()), value);
    }

    fn latency(
        &mut self,
        column: &str,
        case: &str,
        mut times: Vec<Duration>,
        target_ms: Option<f64>,
    ) {
        times.sort();
        let ms = |at: f64| {
            times[((times.len() as f64 * at).ceil() as usize).clamp(1, times.len()) - 1]
                .as_secs_f64()
                * 1e3
        };
        let (median, p95) = (ms(0.5), ms(0.95));
        let target = match target_ms {
            Some(limit) => format!("median ≤ {limit} ms"),
            None => String::new(),
        };
        let verdict = match target_ms {
            Some(limit) if median > limit => " MISSED",
            _ => "",
        };
        self.add(
            column,
            case,
            format!("{median:.2} / {p95:.2} ms{verdict}"),
            &target,
        );
    }

    fn print(&self) {
        let width = 46;
        print!("\n{:<width$}", "case (median / p95 where timed)");
        for column in &self.columns {
            print!(" {column:>26}");
        }
        println!("   target");
        for case in &self.cases {
            print!("{case:<width$}");
            for column in &self.columns {
                let value = self
                    .values
                    .get(&(case.clone(), column.clone()))
                    .map_or("", String::as_str);
                print!(" {value:>26}");
            }
            println!("   {}", self.targets.get(case).map_or("", String::as_str));
        }
    }
}

/// Seeds `sessions` into `database`, starts a release server on it and measures. `full` adds the cases
/// that do not change with the table's size (each sort, sign-ins, memory, concurrency).
fn measure(
    table: &mut Table,
    column: &str,
    database: &str,
    dir: &tempfile::TempDir,
    sessions: u64,
    full: bool,
    options: &Options,
) -> Result {
    let started = Instant::now();
    run(Command::new(api_binary("release"))
        .args(["seed", "--sessions", &sessions.to_string()])
        // Enough active sessions that the bulk kill kills 10,000 rather than skipping most.
        .args(["--active", "12000", "--database-url", database]))?;
    table.add(
        column,
        "seed",
        format!("{:.1} s", started.elapsed().as_secs_f64()),
        "",
    );
    add_bench_account(database)?;
    let token = create_token(
        "release",
        database,
        "bench",
        "sessions:read,sessions:kill,sessions:export",
    )?;
    let server = Server::start(
        "release",
        database,
        &["--workers", "2"],
        &dir.path().join("server.log"),
    )?;
    let client = Client {
        server: &server,
        authorization: format!("Bearer {token}"),
    };
    for rate in bench_throughput::measure(&server, &client.authorization, options.seconds)? {
        table.add(column, &rate.case, rate.value, &rate.target);
    }
    if options.throughput_only {
        return Ok(());
    }

    if full {
        table.latency(
            column,
            "sign-in (Argon2id) ×10",
            sign_ins(&server, 10)?,
            None,
        );
    }
    table.latency(
        column,
        "default page with total ×200",
        client.sample(200, "/api/v1/sessions", &[])?,
        Some(15.0),
    );
    table.add(
        column,
        "first row painted, cold load (median of 3)",
        crate::bench_first_paint::first_row(&server, "bench", BENCH_PASSWORD, 1000.0)?,
        "≤ 1000 ms",
    );
    if full {
        for sort in SORTS {
            for order in ["asc", "desc"] {
                let query = [("sort", sort), ("order", order)];
                table.latency(
                    column,
                    &format!("sort={sort}&order={order} ×50"),
                    client.sample(50, "/api/v1/sessions", &query)?,
                    None,
                );
            }
        }
    }
    for term in ["jo", "garci"] {
        table.latency(
            column,
            &format!("contains={term} ×50"),
            client.sample(50, "/api/v1/sessions", &[("contains", term)])?,
            Some(60.0),
        );
    }
    usage::usage(table, column, &client)?;

    let walk = Instant::now();
    let mut cursor = String::new();
    for _ in 0..999 {
        let page = client.json("/api/v1/sessions", &[("limit", "50"), ("cursor", &cursor)])?;
        cursor = page["next_cursor"]
            .as_str()
            .ok_or("the walk ended before page 1,000")?
            .to_owned();
    }
    table.add(
        column,
        "walk to page 1,000 (999 requests)",
        format!("{:.2} s", walk.elapsed().as_secs_f64()),
        "",
    );
    let deep = [("limit", "50"), ("cursor", cursor.as_str())];
    table.latency(
        column,
        "page 1,000 by cursor ×50",
        client.sample(50, "/api/v1/sessions", &deep)?,
        Some(15.0),
    );

    if full {
        let second = Server::start(
            "release",
            database,
            &["--workers", "2"],
            &dir.path().join("server-2.log"),
        )?;
        let one = concurrent(&[&server, &server], &client.authorization, 16, 50)?;
        table.latency(column, "16 clients, one node ×800", one, None);
        let two = concurrent(&[&server, &second], &client.authorization, 16, 50)?;
        table.latency(column, "16 clients over two nodes ×800", two, None);
    }

    if full {
        // The server's default cap: 4 exports in all, 2 per caller.
        let second_token = create_token("release", database, "bench-2", "sessions:export")?;
        let stalled: Vec<std::net::TcpStream> = [&token, &token, &second_token, &second_token]
            .iter()
            .map(|token| stalled_export(&server, token))
            .collect::<Result<_>>()?;
        table.latency(
            column,
            "default page, 4 stalled exports open ×200",
            client.sample(200, "/api/v1/sessions", &[])?,
            Some(15.0),
        );
        drop(stalled);
        // The server notices the closed sockets on its next write; give it that moment before the
        // export below asks for a slot.
        std::thread::sleep(Duration::from_secs(3));
    }

    let before_export = peak_rss_kb(&server)?;
    export(table, column, &client)?;
    let after_export = peak_rss_kb(&server)?;
    bulk_kill(table, column, &client)?;

    if full {
        // Sign-ins hold ARGON2_AREAS_KB for good (see api/src/auth/password.rs), export or not.
        let total = peak_rss_kb(&server)?;
        table.add(
            column,
            "server peak RSS besides Argon2's 38 MiB",
            format!("{} kB", total.saturating_sub(ARGON2_AREAS_KB)),
            "≤ 65536 kB",
        );
        table.add(
            column,
            "peak RSS added by the export",
            format!("{} kB", after_export.saturating_sub(before_export)),
            "≤ 16384 kB",
        );
    }
    Ok(())
}

/// An export whose client reads the response's headers and then nothing.
fn stalled_export(server: &Server, token: &str) -> Result<std::net::TcpStream> {
    use std::io::Write;
    let address = server.url("").trim_start_matches("http://").to_owned();
    let mut socket = std::net::TcpStream::connect(&address)?;
    write!(
        socket,
        "GET /api/v1/sessions/export?from=2000-01-01&to=2100-01-01 HTTP/1.1\r\n\
         Host: {address}\r\nAuthorization: Bearer {token}\r\n\r\n"
    )?;
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        socket.read_exact(&mut byte)?;
        head.push(byte[0]);
    }
    if !head.starts_with(b"HTTP/1.1 200") {
        return Err(format!("the export was refused: {}", String::from_utf8_lossy(&head)).into());
    }
    Ok(socket)
}

/// Two Argon2id working areas of 19 MiB each.
const ARGON2_AREAS_KB: u64 = 2 * 19 * 1024;

/// The server's peak resident memory so far (VmHWM), in kB.
fn peak_rss_kb(server: &Server) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid()))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmHWM in /proc/PID/status".into())
}

/// `clients` threads, each asking `each` default pages of the nodes in turn; every request's latency.
fn concurrent(
    nodes: &[&Server],
    authorization: &str,
    clients: usize,
    each: usize,
) -> Result<Vec<Duration>> {
    let urls: Vec<String> = nodes
        .iter()
        .map(|node| node.url("/api/v1/sessions"))
        .collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..clients)
            .map(|client| {
                let url = &urls[client % urls.len()];
                scope.spawn(move || -> std::result::Result<Vec<Duration>, String> {
                    (0..each)
                        .map(|_| {
                            let started = Instant::now();
                            ureq::get(url)
                                .header("authorization", authorization)
                                .call()
                                .map_err(|e| e.to_string())?
                                .body_mut()
                                .read_to_vec()
                                .map_err(|e| e.to_string())?;
                            Ok(started.elapsed())
                        })
                        .collect()
                })
            })
            .collect();
        let mut times = Vec::with_capacity(clients * each);
        for worker in workers {
            times.extend(worker.join().map_err(|_| "a client thread panicked")??);
        }
        Ok(times)
    })
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
fn add_bench_account(database: &str) -> Result {
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
        .args(["--database-url", database])
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

fn export(table: &mut Table, column: &str, client: &Client) -> Result {
    let started = Instant::now();
    let mut response = client.get(
        "/api/v1/sessions/export",
        &[("from", "2000-01-01"), ("to", "2100-01-01")],
    )?;
    let mut reader = response.body_mut().as_reader();
    let (mut lines, mut buffer) = (0u64, vec![0u8; 1 << 16]);
    loop {
        let read = reader.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        lines += buffer[..read].iter().filter(|&&byte| byte == b'\n').count() as u64;
    }
    let seconds = started.elapsed().as_secs_f64();
    let rate = lines.saturating_sub(1) as f64 / seconds;
    let verdict = if rate >= 700_000.0 { "" } else { " MISSED" };
    table.add(
        column,
        "export of the whole table",
        format!("{rate:.0} rows/s{verdict}"),
        "≥ 700000 rows/s",
    );
    Ok(())
}

/// Kills 10,000 sessions in one request: active ones when there are enough, else any.
fn bulk_kill(table: &mut Table, column: &str, client: &Client) -> Result {
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
    let verdict = if seconds <= 0.5 { "" } else { " MISSED" };
    table.add(
        column,
        "bulk kill of 10,000 ids",
        format!("{seconds:.3} s ({killed} killed){verdict}"),
        "≤ 0.5 s",
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
