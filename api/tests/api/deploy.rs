//! The files in `deploy/`: the systemd unit passes `systemd-analyze verify` and rates as well hardened
//! by `systemd-analyze security`, sets only what `sessions-api serve` reads, and the nginx example
//! forwards what the console trusts from the proxy the unit names.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::process::BINARY;

const ANALYZE: &str = "systemd-analyze";
/// `systemd-analyze security` rates exposure from 0 (locked down) to 10; below 2 it says "OK".
const MOST_EXPOSURE: f64 = 2.0;

fn deploy_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy")
        .join(name)
}

fn unit_text() -> String {
    std::fs::read_to_string(deploy_file("sessions-console.service")).unwrap()
}

/// The unit's `Key=value` lines (comments and sections left out), in order.
fn unit_settings(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with(['#', ';', '[']))
        .map(|line| {
            let (key, value) = line.split_once('=').expect("a Key=value line");
            (key.to_owned(), value.to_owned())
        })
        .collect()
}

fn setting<'a>(settings: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    settings
        .iter()
        .filter(|(name, _)| name == key)
        .map(|(_, value)| value.as_str())
        .collect()
}

/// The unit's `Environment=` variables, as name and value.
fn environment(settings: &[(String, String)]) -> Vec<(&str, &str)> {
    setting(settings, "Environment")
        .into_iter()
        .map(|line| line.split_once('=').expect("NAME=value"))
        .collect()
}

/// Runs `systemd-analyze` on a copy of the unit whose `ExecStart` is the binary under test, since
/// `verify` also checks that the program exists.
fn analyze(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let unit = dir.path().join("sessions-console.service");
    std::fs::write(
        &unit,
        unit_text().replace("/usr/local/bin/sessions-api", BINARY),
    )
    .unwrap();
    Command::new(ANALYZE)
        .args(args)
        .arg(&unit)
        .output()
        .unwrap_or_else(|e| panic!("{ANALYZE} (Debian's systemd; `cargo xtask setup`): {e}"))
}

#[test]
fn the_unit_passes_systemd_analyze_verify_without_a_warning() {
    let output = analyze(&["verify"]);
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{errors}");
    // Unknown keys and unsafe settings are only warnings: none may name the unit.
    assert!(
        !errors.contains("sessions-console.service"),
        "warnings: {errors}"
    );
}

#[test]
fn the_unit_is_rated_ok_by_systemd_analyze_security() {
    let output = analyze(&["security", "--offline=yes"]);
    let report = String::from_utf8_lossy(&output.stdout);
    let overall = report
        .lines()
        .find_map(|line| line.split_once("Overall exposure level for sessions-console.service: "))
        .unwrap_or_else(|| panic!("no overall level in {report}{output:?}"))
        .1;
    let level: f64 = overall.split_whitespace().next().unwrap().parse().unwrap();
    assert!(level < MOST_EXPOSURE, "exposure {overall}:\n{report}");
}

#[test]
fn the_unit_runs_serve_as_its_own_user_in_a_read_only_system() {
    let settings = unit_settings(&unit_text());
    let one = |key| match setting(&settings, key).as_slice() {
        [value] => value.to_string(),
        other => panic!("{key}: {other:?}"),
    };
    assert_eq!(one("ExecStart"), "/usr/local/bin/sessions-api serve");
    assert_eq!(one("User"), "sessions-console");
    assert_eq!(one("ProtectSystem"), "strict");
    assert_eq!(one("NoNewPrivileges"), "yes");
    assert_eq!(one("StateDirectory"), "sessions-console");
    assert!(one("EnvironmentFile").ends_with("/etc/sessions-console.env"));
    let env = environment(&settings);
    let database = env
        .iter()
        .find(|(name, _)| *name == "DATABASE_URL")
        .unwrap()
        .1;
    assert!(
        database.starts_with("/var/lib/sessions-console/"),
        "the database lives in the state directory, the one place the service may write: {database}"
    );

    let sysusers = std::fs::read_to_string(deploy_file("sessions-console.sysusers")).unwrap();
    assert!(
        sysusers
            .lines()
            .any(|line| line.starts_with("u sessions-console "))
    );
}

#[test]
fn the_unit_sets_only_variables_that_serve_reads() {
    let help = Command::new(BINARY)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let settings = unit_settings(&unit_text());
    let env = environment(&settings);
    assert!(env.len() >= 4, "{env:?}");
    for (name, _) in env {
        assert!(
            help.contains(&format!("[env: {name}=")),
            "`sessions-api serve` reads no {name}"
        );
    }
}

#[test]
fn the_nginx_example_forwards_what_the_console_trusts_to_the_unit_address() {
    let nginx = std::fs::read_to_string(deploy_file("nginx.conf")).unwrap();
    let settings = unit_settings(&unit_text());
    let env = environment(&settings);
    let value = |key| env.iter().find(|(name, _)| *name == key).unwrap().1;

    let bind = value("SESSIONS_BIND");
    assert!(
        nginx.contains(&format!("server {bind};")),
        "upstream is not {bind}"
    );
    let proxy = bind.split(':').next().unwrap();
    assert!(
        value("SESSIONS_TRUSTED_PROXIES")
            .split(',')
            .any(|net| net == format!("{proxy}/32")),
        "the unit does not trust the proxy at {proxy}"
    );
    for header in [
        "proxy_set_header X-Forwarded-For   $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header X-Forwarded-Host  $host;",
    ] {
        assert!(nginx.contains(header), "missing: {header}");
    }
    let events = nginx
        .split("location = /api/v1/events {")
        .nth(1)
        .expect("a location for the live events")
        .split('}')
        .next()
        .unwrap();
    assert!(
        events.contains("proxy_buffering off;"),
        "Server-Sent Events must not be buffered"
    );
}
