//! The status filter's choices and words, without the browser, so `cargo test -p web` checks them on
//! the host.

use shared::SessionStatus::{self, Connected, Disconnected, Killed, Unknown};

/// The statuses in the order the filter offers them, and the address lists them: running ones first.
pub const STATUS_CHOICES: [SessionStatus; 4] = [Connected, Unknown, Disconnected, Killed];

/// `statuses` with `status` checked or not, in the order of [`STATUS_CHOICES`], so one choice has one
/// address however it was clicked together.
pub fn toggled(statuses: &[SessionStatus], status: SessionStatus, on: bool) -> Vec<SessionStatus> {
    STATUS_CHOICES
        .into_iter()
        .filter(|s| {
            if *s == status {
                on
            } else {
                statuses.contains(s)
            }
        })
        .collect()
}

/// The "Active" quick choice: the statuses of sessions that may still be running.
pub fn active() -> Vec<SessionStatus> {
    toggled(&SessionStatus::ACTIVE, Connected, true)
}

/// The chosen statuses as words: `Connected or Unknown`; `None` when none is chosen (every status).
pub fn status_words(statuses: &[SessionStatus]) -> Option<String> {
    let chosen: Vec<&str> = STATUS_CHOICES
        .iter()
        .filter(|s| statuses.contains(s))
        .map(|s| s.as_str())
        .collect();
    match chosen.as_slice() {
        [] => None,
        [only] => Some((*only).to_owned()),
        [first @ .., last] => Some(format!("{} or {last}", first.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggling_keeps_the_offered_order() {
        let chosen = toggled(&[], Killed, true);
        let chosen = toggled(&chosen, Connected, true);
        assert_eq!(chosen, [Connected, Killed]);
        assert_eq!(toggled(&chosen, Killed, false), [Connected]);
        assert_eq!(
            toggled(&[Killed, Unknown], Unknown, true),
            [Unknown, Killed]
        );
    }

    #[test]
    fn active_is_connected_and_unknown() {
        assert_eq!(active(), [Connected, Unknown]);
    }

    #[test]
    fn chosen_statuses_read_as_a_list() {
        assert_eq!(status_words(&[]), None);
        assert_eq!(status_words(&[Killed]).as_deref(), Some("Killed"));
        assert_eq!(
            status_words(&[Unknown, Connected]).as_deref(),
            Some("Connected or Unknown")
        );
        assert_eq!(
            status_words(&[Killed, Disconnected, Connected]).as_deref(),
            Some("Connected, Disconnected or Killed")
        );
    }
}
