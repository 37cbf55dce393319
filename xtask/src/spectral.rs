//! `cargo xtask spectral`: Spectral with the OWASP API Security ruleset over the committed OpenAPI
//! document. `.spectral.yaml` names the rules, and the places, it switches off and why.

use crate::setup::SPECTRAL;
use crate::{Result, cmd, root, run};

/// Lints `openapi/openapi.json`; an error when Spectral reports any error (warnings are shown only).
pub fn lint() -> Result {
    let modules = root().join(SPECTRAL).join("node_modules");
    run(cmd(modules.join(".bin/spectral"))
        .args([
            "lint",
            "openapi/openapi.json",
            "--ruleset",
            ".spectral.yaml",
        ])
        .args(["--fail-severity", "error"])
        // The ruleset `extends` the OWASP package by name: node finds it here.
        .env("NODE_PATH", &modules))
}
