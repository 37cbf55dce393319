//! Slows password guessing: after a few failed sign-ins for one username from one address, after many for
//! one username from anywhere, or after a few more from one address for any usernames, further attempts
//! are refused for a while that doubles with each failure. A guesser at one address thus locks out only
//! itself, not the account's owner elsewhere, while guessing spread over many addresses still meets the
//! account's own, higher ceiling. The counts live in the database
//! (`db::login_failures`), so every node of the console throttles alike and a restart forgets nothing;
//! this module is the policy.

/// Failures for one username from one address before attempts from there are refused.
const FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS: u32 = 5;
/// Failures for one username from all addresses together before every attempt is refused.
const FREE_FAILURES_PER_ACCOUNT: u32 = 50;
/// Failures from one address (any usernames) before attempts are refused.
const FREE_FAILURES_PER_ADDRESS: u32 = 20;
const FIRST_DELAY_SECONDS: i64 = 30;
const LONGEST_DELAY_SECONDS: i64 = 15 * 60;
/// Failures older than this are forgotten.
pub const MEMORY_SECONDS: i64 = 30 * 60;

/// One count of failed sign-ins: its key and how many failures it lets pass before attempts wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    pub key: String,
    free: u32,
    /// Whether a correct password clears it: a username's count, not an address's (one good account
    /// must not launder guesses at others).
    pub cleared_by_success: bool,
}

/// The counters a sign-in as `username` from `address` is counted against.
pub fn counters(username: &str, address: Option<&str>) -> [Counter; 3] {
    let address = address.unwrap_or("unknown");
    [
        Counter {
            key: format!("account-at:{username}@{address}"),
            free: FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS,
            cleared_by_success: true,
        },
        Counter {
            key: format!("account:{username}"),
            free: FREE_FAILURES_PER_ACCOUNT,
            cleared_by_success: true,
        },
        Counter {
            key: format!("address:{address}"),
            free: FREE_FAILURES_PER_ADDRESS,
            cleared_by_success: false,
        },
    ]
}

impl Counter {
    /// Seconds left to wait at `now` after `failures`, the last at `last_at`; `None` when an attempt may
    /// go ahead.
    pub fn wait(&self, failures: u32, last_at: i64, now: i64) -> Option<u64> {
        if failures < self.free || now - last_at >= MEMORY_SECONDS {
            return None;
        }
        let left = last_at + delay(failures, self.free) - now;
        u64::try_from(left).ok().filter(|left| *left > 0)
    }
}

/// The wait after `count` failures where `free` pass: 30 s, doubling with each further one, 15 min at most.
fn delay(count: u32, free: u32) -> i64 {
    let doublings = count.saturating_sub(free).min(16);
    (FIRST_DELAY_SECONDS << doublings).min(LONGEST_DELAY_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_username_at_that_address_and_fifty_everywhere() {
        let [here, anywhere, _] = counters("alice", Some("192.0.2.1"));
        assert_eq!(here.wait(4, 1_000, 1_000), None);
        assert_eq!(here.wait(5, 1_000, 1_000), Some(30));
        assert_eq!(here.wait(5, 1_000, 1_031), None);
        assert_eq!(anywhere.wait(49, 1_000, 1_000), None);
        assert_eq!(anywhere.wait(50, 1_000, 1_000), Some(30));
    }

    #[test]
    fn each_further_failure_doubles_the_wait_up_to_15_minutes() {
        assert_eq!(delay(5, 5), 30);
        assert_eq!(delay(6, 5), 60);
        assert_eq!(delay(40, 5), LONGEST_DELAY_SECONDS);
    }

    #[test]
    fn one_address_guessing_many_usernames_is_slowed_too() {
        let [_, _, address] = counters("someone", Some("192.0.2.9"));
        assert_eq!(address.wait(19, 1_000, 1_000), None);
        assert_eq!(address.wait(20, 1_000, 1_000), Some(30));
    }

    #[test]
    fn failures_older_than_the_memory_are_forgotten() {
        let [account, _, _] = counters("bob", None);
        assert_eq!(account.wait(9, 0, MEMORY_SECONDS), None);
    }
}
