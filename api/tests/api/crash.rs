//! Crash drills: the real server as its own process, killed with SIGKILL at the worst moment of a bulk
//! kill, an export and a webhook delivery, then started again on the same database.

mod bulk_kill;
mod export;
mod observer;
mod webhook;

/// `serve` with no more flags than [`crate::process::Process`] gives it.
const NO_FLAGS: [&str; 0] = [];
