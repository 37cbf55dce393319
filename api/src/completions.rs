//! `sessions-api completions SHELL`: the completion script of the whole command line, from clap_complete.

use std::io::Write;

use clap_complete::Shell;

/// Writes `shell`'s completion script for `command`, installed under the name `bin`.
pub fn write(
    shell: Shell,
    command: &mut clap::Command,
    bin: &str,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, command, bin, &mut script);
    if shell == Shell::Bash && bin.contains('-') {
        // clap_complete (up to 4.6.12 at least, clap-rs/clap#6421) spells the state of a subcommand
        // of a hyphenated binary two ways: the loop over the words arrives at `sessions__api__subcmd__serve`,
        // the case arms wait for `sessions__subcmd__api__subcmd__serve`, so nothing after the first word
        // would complete. Spell the arms the loop's way; once clap_complete agrees this changes nothing.
        let script = String::from_utf8(script).expect("clap_complete writes UTF-8");
        let fixed = script.replace(&bin.replace('-', "__subcmd__"), &bin.replace('-', "__"));
        return out.write_all(fixed.as_bytes());
    }
    out.write_all(&script)
}
