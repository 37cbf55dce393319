//! `sessions-api completions SHELL`: the real binary prints a completion script for each shell that
//! names our subcommands. Bash's is also run, as bash runs it when Tab is pressed.

use std::process::Command;

use crate::process::BINARY;

const SUBCOMMANDS: [&str; 7] = [
    "serve",
    "user",
    "token",
    "seed",
    "demo-broker",
    "openapi",
    "completions",
];

fn completions(shell: &str) -> String {
    let output = Command::new(BINARY)
        .args(["completions", shell])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// The function the script registers for `sessions-api`.
fn bash_function(script: &str) -> &str {
    script
        .lines()
        .find_map(|line| line.trim().strip_prefix("complete -F "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no `complete -F` in {script}"))
}

/// What bash offers after `sessions-api` and these words, the last one being completed.
fn bash_offers(script: &str, words: &[&str]) -> Vec<String> {
    let probe = format!(
        "{script}\nCOMP_WORDS=(sessions-api {words}); COMP_CWORD={cword}; \
         COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}; \
         {function} sessions-api \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words = words.join(" "),
        cword = words.len(),
        function = bash_function(script),
    );
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &probe])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completion_offers_the_subcommands_and_their_flags() {
    let script = completions("bash");
    assert!(script.contains("sessions-api"), "{script}");

    let offered = bash_offers(&script, &[""]);
    for subcommand in SUBCOMMANDS {
        assert!(
            offered.iter().any(|word| word == subcommand),
            "{subcommand} not in {offered:?}"
        );
    }
    assert_eq!(bash_offers(&script, &["to"]), ["token"]);
    assert!(bash_offers(&script, &["serve", "--trusted"]).contains(&"--trusted-proxy".to_owned()));
    assert_eq!(
        bash_offers(&script, &["completions", "fi"]),
        ["fish"],
        "the shells are completed too"
    );
}

#[test]
fn zsh_completion_is_a_compdef_naming_every_subcommand() {
    let script = completions("zsh");
    assert!(script.starts_with("#compdef sessions-api"), "{script}");
    for subcommand in SUBCOMMANDS {
        assert!(
            script.contains(&format!("'{subcommand}:")),
            "{subcommand} missing from the zsh script"
        );
    }
    assert!(script.contains("--trusted-proxy"));
}

#[test]
fn fish_completion_completes_every_subcommand() {
    let script = completions("fish");
    for subcommand in SUBCOMMANDS {
        assert!(
            script
                .lines()
                .any(|line| line.starts_with("complete -c sessions-api")
                    && line.contains(&format!("-a \"{subcommand}\""))),
            "{subcommand} missing from the fish script"
        );
    }
    assert!(script.contains("-l trusted-proxy"));
}

#[test]
fn an_unknown_shell_is_refused_with_the_known_ones_named() {
    let output = Command::new(BINARY)
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8(output.stderr).unwrap();
    assert!(error.contains("bash") && error.contains("fish"), "{error}");
}
