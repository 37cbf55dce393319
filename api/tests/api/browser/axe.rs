//! axe-core, the accessibility rules engine, run inside the real Chromium on what the page shows now.
//! `cargo xtask setup` installs it from npm (pinned) into `.tools/axe-core`.

use std::sync::OnceLock;

use serde_json::{Value, json};

use super::driver::Browser;
use crate::helpers::workspace_root;

/// The rule tags of WCAG 2.1 levels A and AA (2.0's rules included, as WCAG 2.1 includes them).
pub const WCAG_21_AA: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = workspace_root().join(".tools/axe-core/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{} is missing ({e}): `cargo xtask setup` installs axe-core",
                path.display()
            )
        })
    })
}

/// Runs axe in the page and returns each violation as `rule (impact): help`, with the elements at fault.
const RUN_AXE: &str = r#"
    const [tags, done] = arguments;
    axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
        .then(results => done(results.violations.map(v =>
            `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.map(n =>
                `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}`).join('\n'))))
        .catch(error => done([`axe failed: ${error}`]));
"#;

/// Fails the test, listing every violation, unless axe finds none of the WCAG 2.1 A and AA rules
/// broken in what the page shows now; `what` names the view in the failure.
pub async fn assert_accessible(browser: &Browser, what: &str) {
    let loaded = browser
        .execute("return typeof window.axe === 'object';", json!([]))
        .await;
    if loaded != json!(true) {
        // The page's Content-Security-Policy does not apply to WebDriver's scripts.
        let script = format!("{}\nreturn typeof window.axe;", axe_source());
        assert_eq!(
            browser.execute(&script, json!([])).await,
            json!("object"),
            "axe-core defines window.axe"
        );
    }
    let violations = browser.execute_async(RUN_AXE, json!([WCAG_21_AA])).await;
    let violations: Vec<String> = match violations {
        Value::Array(items) => items
            .into_iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect(),
        other => panic!("axe answered {other}"),
    };
    assert!(
        violations.is_empty(),
        "{what}: {} WCAG 2.1 A/AA violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}
