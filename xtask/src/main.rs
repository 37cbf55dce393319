//! Project tasks, run as `cargo xtask <task>` (the alias is in `.cargo/config.toml`).

mod bench;
mod bench_first_paint;
mod bench_throughput;
mod bench_wasm;
mod modules;
mod postgres;
mod server;
mod setup;
mod spectral;
mod test;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  setup    install the pinned tools (wasm target, trunk, wasm-bindgen, wasm-opt, Chromium, PostgreSQL,
           schemathesis, Spectral, axe-core)
  run      build the web console and serve it with demo data on http://127.0.0.1:8080
  test     formatting, clippy, every test suite, then schemathesis against a running server
  openapi  write openapi/openapi.json from the code
  spectral lint openapi/openapi.json with Spectral's OWASP API Security ruleset (.spectral.yaml)
  bench    seed 1,000,000 sessions on SQLite and PostgreSQL and measure them side by side
           (--sessions N, --backend sqlite|postgres|both, --database-url URL, --growth N,N,…;
           --throughput: requests/s with 16 clients only, over 200,000 sessions, --seconds S a case)
  modules  the import graph of the api's modules (or of the api/src folder given); fails on a cycle";

pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let outcome = match task.as_str() {
        "setup" => setup::setup(setup::Tools::All),
        "run" => run_product(),
        "test" => test::test(),
        "openapi" => openapi(),
        "spectral" => setup::spectral().and_then(|()| spectral::lint()),
        "bench" => bench::bench(),
        "modules" => modules::check(std::env::args().nth(2).as_deref().map(Path::new)),
        "" | "help" | "-h" | "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        other => Err(format!("unknown task '{other}'\n\n{USAGE}").into()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask {task}: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the web console and serves it with the API and demo data, until stopped.
fn run_product() -> Result {
    setup::setup(setup::Tools::Build)?;
    trunk_build()?;
    run(cargo().args(["run", "--release", "-p", "api", "--", "serve", "--demo"]))
}

/// The web console, release build, into `web/dist` (Trunk.toml).
pub fn trunk_build() -> Result {
    run(cmd("trunk").args(["build", "--release", "--offline"]))
}

fn openapi() -> Result {
    let output = cargo()
        .args(["run", "--quiet", "-p", "api", "--", "openapi"])
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "`sessions-api openapi` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let path = root().join("openapi/openapi.json");
    std::fs::write(&path, &output.stdout)?;
    println!("wrote {}", path.display());
    Ok(())
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_owned()
}

/// Where cargo puts build output.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root().join("target"), |dir| root().join(dir))
}

/// PATH with npm's wasm-opt and cargo's bin folder in front, so trunk and the tests find the pinned tools.
fn path_env() -> OsString {
    let mut dirs = vec![root().join(setup::BINARYEN_BIN)];
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
    dirs.extend(cargo_home.map(|home| home.join("bin")));
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).expect("PATH entries without separators")
}

/// A command run from the workspace root with the tools' PATH.
pub fn cmd(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new(program);
    command.current_dir(root()).env("PATH", path_env());
    command
}

pub fn cargo() -> Command {
    cmd("cargo")
}

pub fn show(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs a command in the foreground; an error unless it exits with success.
pub fn run(command: &mut Command) -> Result {
    eprintln!("\n$ {}", show(command));
    let status = command
        .status()
        .map_err(|e| format!("`{}` did not start: {e}", show(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", show(command)).into())
    }
}

/// Standard output of a command that ran successfully; `None` if it is missing or failed.
pub fn output(command: &mut Command) -> Option<String> {
    let output = command.output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}
