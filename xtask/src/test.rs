//! `cargo xtask test`: every check and test suite, Spectral over the OpenAPI document, then schemathesis
//! against a running server.
//! Checks keep going after a failure so one run shows every problem; the exit code is non-zero if any
//! failed.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::postgres::Cluster;
use crate::server::{Server, create_token};
use crate::setup::{self, Tools, VENV};
use crate::{Result, cargo, cmd, root, run, show, trunk_build};

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    problems: Vec<String>,
}

impl Tally {
    /// A check without test counts (formatting, lints): one pass or one failure.
    fn check(&mut self, what: &str, outcome: Result) {
        self.record(
            what,
            outcome.map(|()| Counts {
                passed: 1,
                failed: 0,
            }),
        );
    }

    fn record(&mut self, what: &str, outcome: Result<Counts>) {
        match outcome {
            Ok(counts) => {
                self.passed += counts.passed;
                self.failed += counts.failed;
                eprintln!(
                    "==> {what}: {} passed, {} failed",
                    counts.passed, counts.failed
                );
                if counts.failed > 0 {
                    self.problems
                        .push(format!("{what}: {} failed", counts.failed));
                }
            }
            Err(error) => {
                self.failed += 1;
                eprintln!("==> {what}: FAILED: {error}");
                self.problems.push(format!("{what}: {error}"));
            }
        }
    }
}

#[derive(Default)]
struct Counts {
    passed: u64,
    failed: u64,
}

pub fn test() -> Result {
    setup::setup(Tools::All)?;
    let mut tally = Tally::default();
    tally.check("rustfmt", run(cargo().args(["fmt", "--all", "--check"])));
    tally.check(
        "clippy (host)",
        run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--exclude",
            "web",
            "--",
            "-D",
            "warnings",
        ])),
    );
    tally.check(
        "clippy (web, wasm32)",
        run(cargo().args([
            "clippy",
            "-p",
            "web",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])),
    );
    tally.check("api modules: no import cycle", crate::modules::check(None));
    tally.check(
        "spectral (OWASP API Security) over openapi/openapi.json: 0 errors",
        crate::spectral::lint(),
    );
    // The browser tests in api/tests load the release build from web/dist.
    trunk_build()?;
    tally.check(
        "console WASM within its gzipped ceiling",
        crate::bench_wasm::check(),
    );
    tally.record(
        "cargo test (api, shared, xtask; browser tests included)",
        cargo_test(cargo().args(["test", "--workspace", "--exclude", "web"])),
    );
    tally.record(
        "cargo test -p api --test api on PostgreSQL (browser tests: SQLite only)",
        on_postgres(),
    );
    tally.record(
        "cargo test -p web (host unit tests)",
        cargo_test(cargo().args(["test", "-p", "web"])),
    );
    if web_has_wasm_tests() {
        tally.record(
            "cargo test -p web (wasm32, headless Chromium)",
            cargo_test(cargo().args(["test", "-p", "web", "--target", "wasm32-unknown-unknown"])),
        );
    }
    tally.record("schemathesis", schemathesis());

    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.problems.is_empty() {
        Ok(())
    } else {
        Err(format!("failures:\n  {}", tally.problems.join("\n  ")).into())
    }
}

/// Runs `cargo test`, echoing its output, and adds up its `test result:` lines.
fn cargo_test(command: &mut Command) -> Result<Counts> {
    command
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("CHROME", "/usr/bin/chromium")
        .stdout(Stdio::piped());
    eprintln!("\n$ {}", show(command));
    let mut child = command.spawn()?;
    let mut counts = Counts::default();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let line = line?;
        println!("{line}");
        if let Some(summary) = line.trim().strip_prefix("test result: ") {
            counts.passed += count_before(summary, " passed");
            counts.failed += count_before(summary, " failed");
        }
    }
    let status = child.wait()?;
    if !status.success() && counts.failed == 0 {
        return Err(format!("`{}` failed ({status})", show(command)).into());
    }
    Ok(counts)
}

/// The API integration suite again, each test on a new database of a throwaway PostgreSQL cluster.
fn on_postgres() -> Result<Counts> {
    let cluster = Cluster::start()?;
    let counts = cargo_test(
        cargo()
            .args([
                "test",
                "-p",
                "api",
                "--test",
                "api",
                "--",
                "--skip",
                "browser::",
            ])
            .env("SESSIONS_TEST_POSTGRES", cluster.url("postgres")),
    );
    if !counts.as_ref().is_ok_and(|counts| counts.failed == 0) {
        println!("{}", cluster.diagnosis(40));
    }
    counts
}

/// In "ok. 12 passed; 0 failed; ...", the number before `word`.
fn count_before(summary: &str, word: &str) -> u64 {
    summary
        .split([';', '.'])
        .find_map(|part| part.trim().strip_suffix(word.trim_start()))
        .and_then(|number| number.trim().parse().ok())
        .unwrap_or(0)
}

fn web_has_wasm_tests() -> bool {
    ["web/src", "web/tests"]
        .iter()
        .any(|dir| contains_text(&root().join(dir), "wasm_bindgen_test"))
}

fn contains_text(dir: &std::path::Path, needle: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let path = entry.path();
        if path.is_dir() {
            contains_text(&path, needle)
        } else {
            std::fs::read_to_string(&path).is_ok_and(|text| text.contains(needle))
        }
    })
}

/// Property-based tests of the running API against its own OpenAPI document.
fn schemathesis() -> Result<Counts> {
    // The debug binary: the test build above made it already, and a release build would add minutes.
    run(cargo().args(["build", "-p", "api"]))?;
    let dir = tempfile::Builder::new()
        .prefix("sessions-xtask-schemathesis-")
        .tempdir()?;
    let database = dir.path().join("sessions.db");
    // Authenticated as an admin script that is also the broker, so every operation is reachable and
    // the stateful phase can follow every link (broker ones included).
    let token = create_token("debug", &database, "schemathesis", "admin,broker")?;
    // Without the demo broker: a quiet server, whose sessions do not change under the checks.
    let server = Server::start(
        "debug",
        &database,
        &["--demo", "--demo-sessions", "2000", "--no-demo-broker"],
        &dir.path().join("server.log"),
    )?;
    // Given per security scheme (not as a plain header), so schemathesis knows which credentials are
    // real and can check that each operation refuses requests without them.
    std::fs::write(
        dir.path().join("schemathesis.toml"),
        format!(
            "[auth.openapi.bearer_token]\nbearer = \"{token}\"\n\n\
             # The event stream never ends by itself: cut each response short, and keep schemathesis'\n\
             # made-up extra headers away from it (no HTTP API refuses unknown headers).\n\
             [[operations]]\ninclude-path = \"/api/v1/events\"\nrequest-timeout = 2\n\
             generation.allow-extra-parameters = false\n"
        ),
    )?;
    let junit = dir.path().join("junit.xml");
    let mut command = cmd(root().join(VENV).join("bin/schemathesis"));
    command
        // It keeps its example databases in the working folder: keep them out of the repository.
        .current_dir(dir.path())
        .args(["run", &server.url("/openapi.json"), "--checks", "all"])
        // positive_data_acceptance: schema-valid requests refused by design, which OpenAPI cannot
        // express: cursors this server did not issue, `to` before `from`, ids written as `654.0`.
        .args(["--exclude-checks", "positive_data_acceptance"])
        .args([
            "--max-examples",
            "50",
            "--seed",
            "1",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
        ])
        .arg(&junit);
    let outcome = run(&mut command);
    let counts = junit_counts(&std::fs::read_to_string(&junit).unwrap_or_default());
    if let Err(error) = outcome {
        eprintln!("server log (end):\n{}", server.log_tail());
        return Err(error);
    }
    Ok(counts)
}

/// Test cases (one per API operation) and failures in schemathesis' JUnit report.
fn junit_counts(xml: &str) -> Counts {
    let attribute = |name: &str| -> u64 {
        let key = format!("{name}=\"");
        xml.find("<testsuite ")
            .and_then(|at| xml[at..].find(&key).map(|offset| at + offset + key.len()))
            .and_then(|start| xml[start..].split('"').next()?.parse().ok())
            .unwrap_or(0)
    };
    let failed = attribute("failures") + attribute("errors");
    Counts {
        passed: attribute("tests").saturating_sub(failed + attribute("skipped")),
        failed,
    }
}

#[cfg(test)]
mod tests {
    use crate::postgres::Cluster;

    #[test]
    fn a_failed_postgres_run_shows_the_clusters_log_and_free_space() {
        let cluster = Cluster::start().unwrap();
        let diagnosis = cluster.diagnosis(5);
        assert!(diagnosis.contains("Avail"), "{diagnosis}");
        assert!(
            diagnosis.contains("database system is ready to accept connections"),
            "{diagnosis}"
        );
        assert!(diagnosis.lines().count() <= 5 + 5, "{diagnosis}");
    }
}
