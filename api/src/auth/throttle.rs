//! Slows password guessing: after a few failed sign-ins for one username, or from one address, further
//! attempts are refused for a while that doubles with each failure. Kept in memory: a restart forgets,
//! which costs an attacker a restart they cannot cause.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures for one username before attempts are refused.
const FREE_FAILURES_PER_ACCOUNT: u32 = 5;
/// Failures from one address (any usernames) before attempts are refused.
const FREE_FAILURES_PER_ADDRESS: u32 = 20;
const FIRST_DELAY: Duration = Duration::from_secs(30);
const LONGEST_DELAY: Duration = Duration::from_secs(15 * 60);
/// Failures older than this are forgotten.
const MEMORY: Duration = Duration::from_secs(30 * 60);
/// Entries kept at most, so a flood of made-up usernames cannot exhaust memory.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Failures>>,
}

fn keys(username: &str, address: Option<&str>) -> [(String, u32); 2] {
    [
        (format!("account:{username}"), FREE_FAILURES_PER_ACCOUNT),
        (
            format!("address:{}", address.unwrap_or("unknown")),
            FREE_FAILURES_PER_ADDRESS,
        ),
    ]
}

fn delay(count: u32, free: u32) -> Duration {
    let doublings = count.saturating_sub(free).min(16);
    (FIRST_DELAY * 2u32.pow(doublings)).min(LONGEST_DELAY)
}

impl LoginThrottle {
    /// How long this username or address must wait before trying again, if at all.
    pub fn wait(&self, username: &str, address: Option<&str>, now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        keys(username, address)
            .iter()
            .filter_map(|(key, free)| {
                let entry = failures.get(key)?;
                if entry.count < *free {
                    return None;
                }
                let until = entry.last + delay(entry.count, *free);
                until.checked_duration_since(now)
            })
            .max()
    }

    pub fn failed(&self, username: &str, address: Option<&str>, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() >= MAX_ENTRIES {
            failures.retain(|_, entry| now.duration_since(entry.last) < MEMORY);
        }
        for (key, _) in keys(username, address) {
            let entry = failures.entry(key).or_insert(Failures {
                count: 0,
                last: now,
            });
            if now.duration_since(entry.last) >= MEMORY {
                entry.count = 0;
            }
            entry.count += 1;
            entry.last = now;
        }
    }

    /// A correct password clears the username's failures (not the address's: one good account must
    /// not launder guesses at others).
    pub fn succeeded(&self, username: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&format!("account:{username}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_username_for_30_seconds() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..4 {
            throttle.failed("alice", Some("192.0.2.1"), start);
        }
        assert_eq!(throttle.wait("alice", Some("192.0.2.1"), start), None);
        throttle.failed("alice", Some("192.0.2.1"), start);
        assert_eq!(
            throttle.wait("alice", Some("198.51.100.7"), start),
            Some(FIRST_DELAY)
        );
        assert_eq!(
            throttle.wait("alice", None, start + FIRST_DELAY + Duration::from_secs(1)),
            None
        );
    }

    #[test]
    fn each_further_failure_doubles_the_wait_up_to_15_minutes() {
        assert_eq!(delay(5, 5), Duration::from_secs(30));
        assert_eq!(delay(6, 5), Duration::from_secs(60));
        assert_eq!(delay(40, 5), LONGEST_DELAY);
    }

    #[test]
    fn one_address_guessing_many_usernames_is_slowed_too() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for n in 0..20 {
            throttle.failed(&format!("user{n}"), Some("192.0.2.9"), now);
        }
        assert!(
            throttle
                .wait("someone-else", Some("192.0.2.9"), now)
                .is_some()
        );
        assert!(
            throttle
                .wait("someone-else", Some("192.0.2.10"), now)
                .is_none()
        );
    }

    #[test]
    fn success_clears_the_username() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..5 {
            throttle.failed("bob", Some("192.0.2.1"), now);
        }
        throttle.succeeded("bob");
        assert_eq!(throttle.wait("bob", Some("192.0.2.2"), now), None);
    }
}
