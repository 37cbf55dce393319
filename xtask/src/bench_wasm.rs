//! The size of the console's release WASM as CI builds it (`trunk build --release`: the `wasm-release`
//! profile, `wasm-opt -Oz`), raw and compressed with `gzip -9`, the way a browser downloads it.
//! `cargo xtask bench` prints it next to the target; `cargo xtask test` fails when it grows
//! past the ceiling, which keeps the cuts made so far. Sizes are deterministic, so the check is not
//! flaky.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{Result, root, trunk_build};

/// The target of issue #13: at most 250 KB gzipped.
const TARGET_GZIPPED: u64 = 250_000;
/// What `cargo xtask test` allows: today's size and a little room. Lower it as the WASM shrinks.
const CEILING_GZIPPED: u64 = 344_000;

pub struct WasmSize {
    pub raw: u64,
    pub gzipped: u64,
}

/// Builds the console and prints its size next to the target.
pub fn report() -> Result {
    trunk_build()?;
    let size = measure()?;
    let verdict = if size.gzipped > TARGET_GZIPPED {
        " MISSED"
    } else {
        ""
    };
    println!(
        "\nconsole WASM (release): {} gzipped{verdict} ({} raw)   target ≤ {} gzipped",
        kilobytes(size.gzipped),
        kilobytes(size.raw),
        kilobytes(TARGET_GZIPPED)
    );
    Ok(())
}

/// Fails when the WASM in web/dist (built by the caller) is over the ceiling.
pub fn check() -> Result {
    let size = measure()?;
    eprintln!(
        "console WASM: {} gzipped ({} raw), ceiling {}, target {}",
        kilobytes(size.gzipped),
        kilobytes(size.raw),
        kilobytes(CEILING_GZIPPED),
        kilobytes(TARGET_GZIPPED)
    );
    if size.gzipped > CEILING_GZIPPED {
        return Err(format!(
            "the console WASM grew to {} gzipped, over its ceiling of {}",
            kilobytes(size.gzipped),
            kilobytes(CEILING_GZIPPED)
        )
        .into());
    }
    Ok(())
}

/// The size of the one `*_bg.wasm` trunk left in web/dist.
pub fn measure() -> Result<WasmSize> {
    measure_in(&root().join("web/dist"))
}

fn measure_in(dist: &Path) -> Result<WasmSize> {
    let wasm = built_wasm(dist)?;
    let raw = std::fs::metadata(&wasm)?.len();
    let output = Command::new("gzip")
        .args(["-9", "--stdout"])
        .arg(&wasm)
        .stderr(Stdio::inherit())
        .output()?;
    if !output.status.success() {
        return Err(format!("gzip -9 {}: {}", wasm.display(), output.status).into());
    }
    Ok(WasmSize {
        raw,
        gzipped: output.stdout.len() as u64,
    })
}

fn built_wasm(dist: &Path) -> Result<PathBuf> {
    let mut found = std::fs::read_dir(dist)?
        .map(|entry| entry.map(|entry| entry.path()))
        .filter(|path| {
            path.as_ref().map_or(true, |path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.ends_with("_bg.wasm"))
            })
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    match found.len() {
        1 => Ok(found.remove(0)),
        n => Err(format!("{}: {n} *_bg.wasm files, expected one", dist.display()).into()),
    }
}

/// Kilobytes of 1,000 bytes, as the issue counts them.
fn kilobytes(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_wasm_in_dist_is_measured_raw_and_as_gzip_9_compresses_it() {
        let dist = tempfile::tempdir().unwrap();
        std::fs::write(dist.path().join("web-1234_bg.wasm"), vec![0u8; 100_000]).unwrap();
        std::fs::write(dist.path().join("web-1234.js"), "js").unwrap();
        let size = measure_in(dist.path()).unwrap();
        assert_eq!(size.raw, 100_000);
        // 100,000 zero bytes deflate to about 100 bytes, plus gzip's header and trailer.
        assert!((50..1_000).contains(&size.gzipped), "{}", size.gzipped);
    }

    #[test]
    fn a_dist_without_exactly_one_wasm_is_an_error() {
        let dist = tempfile::tempdir().unwrap();
        assert!(measure_in(dist.path()).is_err());
        std::fs::write(dist.path().join("a_bg.wasm"), "a").unwrap();
        std::fs::write(dist.path().join("b_bg.wasm"), "b").unwrap();
        assert!(measure_in(dist.path()).is_err());
    }
}
