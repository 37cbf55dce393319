//! Installs the pinned tools, each only when it is missing or at another version (TOOLCHAIN.md says why
//! each pin). Everything but Chromium goes under cargo's bin folder or `.tools/` (gitignored).

use std::path::Path;

use crate::{Result, cargo, cmd, output, root, run};

const TRUNK: &str = "0.21.14";
/// Must equal the wasm-bindgen version in Cargo.lock and Trunk.toml.
const WASM_BINDGEN: &str = "0.2.130";
/// Debian's binaryen 108 breaks release builds; npm's 132 works.
const BINARYEN: &str = "132";
const SCHEMATHESIS: &str = "4.32.5";
const SPECTRAL_CLI: &str = "6.16.3";
const SPECTRAL_OWASP: &str = "2.0.1";
const AXE_CORE: &str = "4.14.1";
pub const BINARYEN_BIN: &str = ".tools/binaryen/node_modules/.bin";
/// Where npm puts Spectral and the OWASP ruleset `.spectral.yaml` extends.
pub const SPECTRAL: &str = ".tools/spectral";
pub const VENV: &str = ".tools/venv";
/// Where npm puts axe-core, which the browser tests inject into Chromium (`axe.min.js`).
pub const AXE: &str = ".tools/axe-core";

pub enum Tools {
    /// What building and serving the web console needs.
    Build,
    /// Also what the tests and the bench need: Chromium, PostgreSQL, systemd-analyze, schemathesis,
    /// Spectral, axe-core and wrk.
    All,
}

pub fn setup(tools: Tools) -> Result {
    libpq()?;
    wasm_target()?;
    trunk()?;
    wasm_bindgen()?;
    wasm_opt()?;
    if let Tools::All = tools {
        chromium()?;
        postgresql()?;
        systemd_analyze()?;
        schemathesis()?;
        spectral()?;
        axe_core()?;
        wrk()?;
    }
    Ok(())
}

fn present(what: &str) {
    eprintln!("setup: {what} is installed");
}

fn version_is(program: impl AsRef<std::ffi::OsStr>, expected: &str) -> bool {
    output(cmd(program).arg("--version")).is_some_and(|text| text.trim() == expected)
}

fn wasm_target() -> Result {
    let installed =
        output(cmd("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|line| line.trim() == "wasm32-unknown-unknown")
    {
        present("target wasm32-unknown-unknown");
        return Ok(());
    }
    run(cmd("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn trunk() -> Result {
    if version_is("trunk", &format!("trunk {TRUNK}")) {
        present(&format!("trunk {TRUNK}"));
        return Ok(());
    }
    // trunk 0.22 needs a newer rustc than ours.
    run(cargo().args(["install", "--locked", "trunk", "--version", TRUNK]))
}

fn wasm_bindgen() -> Result {
    if version_is("wasm-bindgen", &format!("wasm-bindgen {WASM_BINDGEN}")) {
        present(&format!("wasm-bindgen {WASM_BINDGEN}"));
        return Ok(());
    }
    // Not --locked: its lockfile names a crate version the registry lacks.
    run(cargo().args(["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN]))
}

fn wasm_opt() -> Result {
    let wasm_opt = root().join(BINARYEN_BIN).join("wasm-opt");
    let version = output(cmd(&wasm_opt).arg("--version")).unwrap_or_default();
    if version.contains(&format!("version {BINARYEN}")) {
        present(&format!("wasm-opt {BINARYEN} (npm binaryen)"));
        return Ok(());
    }
    run(cmd("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            ".tools/binaryen",
        ])
        .arg(format!("binaryen@{BINARYEN}")))
}

fn chromium() -> Result {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        present("chromium and chromedriver");
        return Ok(());
    }
    apt_install(&["chromium", "chromium-driver"])
}

/// The load generator of `cargo xtask bench`'s throughput section.
pub fn wrk() -> Result {
    if Path::new("/usr/bin/wrk").exists() {
        present("wrk");
        return Ok(());
    }
    apt_install(&["wrk"])
}

/// The server links libpq (PostgreSQL's client library) to talk to PostgreSQL.
fn libpq() -> Result {
    if Path::new("/usr/include/postgresql/libpq-fe.h").exists() {
        present("libpq-dev");
        return Ok(());
    }
    apt_install(&["libpq-dev", "pkg-config"])
}

/// The API suite runs on PostgreSQL too, in a cluster the run makes itself.
fn postgresql() -> Result {
    if crate::postgres::bin_dir().is_some() {
        present("postgresql");
        return Ok(());
    }
    apt_install(&["postgresql", "postgresql-contrib"])
}

/// The deploy tests check deploy/sessions-console.service with `systemd-analyze`; it runs without
/// systemd being the machine's init, so in a container too.
fn systemd_analyze() -> Result {
    if Path::new("/usr/bin/systemd-analyze").exists() {
        present("systemd-analyze");
        return Ok(());
    }
    apt_install(&["systemd"])
}

fn apt_install(packages: &[&str]) -> Result {
    run(cmd("apt-get").arg("update"))?;
    run(cmd("apt-get")
        .args(["install", "-y"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

fn schemathesis() -> Result {
    let venv = root().join(VENV);
    if version_is(
        venv.join("bin/schemathesis"),
        &format!("schemathesis, version {SCHEMATHESIS}"),
    ) {
        present(&format!("schemathesis {SCHEMATHESIS}"));
        return Ok(());
    }
    if !venv.join("bin/pip").exists() {
        let created = run(cmd("python3").args(["-m", "venv"]).arg(&venv));
        if created.is_err() {
            // Debian's python3 ships venv separately.
            let _ = std::fs::remove_dir_all(&venv);
            apt_install(&["python3-venv"])?;
            run(cmd("python3").args(["-m", "venv"]).arg(&venv))?;
        }
    }
    run(cmd(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("schemathesis=={SCHEMATHESIS}")))
}

/// The version of the npm `package` installed under `prefix`, if any.
fn npm_version(prefix: &str, package: &str) -> Option<String> {
    let manifest = root()
        .join(prefix)
        .join("node_modules")
        .join(package)
        .join("package.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(manifest).ok()?).ok()?;
    json["version"].as_str().map(str::to_owned)
}

/// axe-core, the accessibility rules engine the browser tests run in the page (WCAG 2.1 A and AA).
fn axe_core() -> Result {
    if npm_version(AXE, "axe-core").as_deref() == Some(AXE_CORE) {
        present(&format!("axe-core {AXE_CORE} (npm)"));
        return Ok(());
    }
    run(cmd("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix", AXE])
        .arg(format!("axe-core@{AXE_CORE}")))
}

/// Spectral and its OWASP ruleset, from npm, each at its pinned version.
pub fn spectral() -> Result {
    let cli = npm_version(SPECTRAL, "@stoplight/spectral-cli");
    let owasp = npm_version(SPECTRAL, "@stoplight/spectral-owasp-ruleset");
    if cli.as_deref() == Some(SPECTRAL_CLI) && owasp.as_deref() == Some(SPECTRAL_OWASP) {
        present(&format!(
            "spectral {SPECTRAL_CLI} with the OWASP ruleset {SPECTRAL_OWASP} (npm)"
        ));
        return Ok(());
    }
    run(cmd("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix", SPECTRAL])
        .arg(format!("@stoplight/spectral-cli@{SPECTRAL_CLI}"))
        .arg(format!(
            "@stoplight/spectral-owasp-ruleset@{SPECTRAL_OWASP}"
        )))
}
