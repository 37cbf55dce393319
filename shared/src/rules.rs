//! The rules both the browser (before it sends) and the server (before it stores) check, written once.
//!
//! Each check returns what it accepts, normalised the way it is stored, or a typed reason; each side words
//! that reason its own way: the console in sentences for the person at the form, the API in a 422's
//! detail that names the field.

use crate::auth::Scope;
use crate::token::{MAX_TOKEN_DAYS, MAX_TOKEN_NAME_CHARS};

/// Fewest characters in a password.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Most characters in a password, so a sign-in cannot make the server hash megabytes.
pub const MAX_PASSWORD_CHARS: usize = 1024;
/// Longest username, in characters.
pub const MAX_USERNAME_CHARS: usize = 64;

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidPassword {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters; it has `chars`.
    TooShort { chars: usize },
    /// More than [`MAX_PASSWORD_CHARS`] characters; it has `chars`.
    TooLong { chars: usize },
}

/// Whether `password` may be a new password: [`MIN_PASSWORD_CHARS`] to [`MAX_PASSWORD_CHARS`]
/// characters (not bytes).
pub fn check_password(password: &str) -> Result<(), InvalidPassword> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(InvalidPassword::TooShort { chars })
    } else if chars > MAX_PASSWORD_CHARS {
        Err(InvalidPassword::TooLong { chars })
    } else {
        Ok(())
    }
}

/// Why a username is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidUsername {
    /// Nothing but spaces.
    Empty,
    /// Longer than [`MAX_USERNAME_CHARS`], a character outside `a-z 0-9 . _ -`, or a first character
    /// that is not a letter or digit.
    NotAllowed,
}

/// A username as stored: trimmed and lower case (usernames ignore case), 1 to [`MAX_USERNAME_CHARS`] of
/// `a-z 0-9 . _ -`, starting with a letter or digit (no `:`, which marks tokens in `killed_by`).
pub fn username(name: &str) -> Result<String, InvalidUsername> {
    let name = crate::lower_case(name.trim());
    if name.is_empty() {
        return Err(InvalidUsername::Empty);
    }
    let allowed = name.chars().count() <= MAX_USERNAME_CHARS
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if allowed {
        Ok(name)
    } else {
        Err(InvalidUsername::NotAllowed)
    }
}

/// Why a new token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidToken {
    /// The name is empty once trimmed.
    NoName,
    /// The name has more than [`MAX_TOKEN_NAME_CHARS`] characters once trimmed.
    NameTooLong,
    /// The name has a control character.
    ControlCharacter,
    /// No scope is given.
    NoScope,
    /// An expiry outside 1 to [`MAX_TOKEN_DAYS`] days; this many were given.
    DaysOutOfRange(u32),
}

/// A token's name as stored: trimmed, 1 to [`MAX_TOKEN_NAME_CHARS`] characters, no control characters.
pub fn token_name(name: &str) -> Result<&str, InvalidToken> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 {
        Err(InvalidToken::NoName)
    } else if chars > MAX_TOKEN_NAME_CHARS {
        Err(InvalidToken::NameTooLong)
    } else if name.chars().any(char::is_control) {
        Err(InvalidToken::ControlCharacter)
    } else {
        Ok(name)
    }
}

/// A token's scopes as stored: at least one, each once, in [`Scope`]'s order.
pub fn token_scopes(scopes: &[Scope]) -> Result<Vec<Scope>, InvalidToken> {
    if scopes.is_empty() {
        return Err(InvalidToken::NoScope);
    }
    // Picked out of `Scope::ALL`, which is in `Scope`'s order: sorted and deduplicated without a sort,
    // whose code would weigh more in the console's WASM than this function.
    Ok(Scope::ALL
        .into_iter()
        .filter(|scope| scopes.contains(scope))
        .collect())
}

/// A token's lifetime in days, if it is one: 1 to [`MAX_TOKEN_DAYS`].
pub fn token_days(days: u32) -> Result<u32, InvalidToken> {
    if (1..=MAX_TOKEN_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(InvalidToken::DaysOutOfRange(days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_counted_in_characters_within_bounds() {
        assert_eq!(
            check_password("short"),
            Err(InvalidPassword::TooShort { chars: 5 })
        );
        assert_eq!(check_password("twelve chars"), Ok(()));
        assert_eq!(check_password(&"é".repeat(MIN_PASSWORD_CHARS)), Ok(()));
        assert_eq!(
            check_password(&"x".repeat(MAX_PASSWORD_CHARS + 1)),
            Err(InvalidPassword::TooLong {
                chars: MAX_PASSWORD_CHARS + 1
            })
        );
    }

    #[test]
    fn usernames_are_stored_trimmed_and_lower_case() {
        assert_eq!(username(" Alice.B-2 "), Ok("alice.b-2".to_owned()));
        assert_eq!(username("   "), Err(InvalidUsername::Empty));
        for refused in ["bo b", "_bob", "token:x", "é", &"a".repeat(65)] {
            assert_eq!(
                username(refused),
                Err(InvalidUsername::NotAllowed),
                "{refused}"
            );
        }
        assert!(username(&"a".repeat(MAX_USERNAME_CHARS)).is_ok());
    }

    #[test]
    fn a_token_name_is_trimmed_and_bounded_and_has_no_control_characters() {
        assert_eq!(token_name(" nightly "), Ok("nightly"));
        assert_eq!(token_name("   "), Err(InvalidToken::NoName));
        assert_eq!(
            token_name(&"x".repeat(MAX_TOKEN_NAME_CHARS + 1)),
            Err(InvalidToken::NameTooLong)
        );
        assert_eq!(token_name("bell\u{7}"), Err(InvalidToken::ControlCharacter));
    }

    #[test]
    fn token_scopes_are_at_least_one_each_once_in_order() {
        assert_eq!(token_scopes(&[]), Err(InvalidToken::NoScope));
        assert_eq!(
            token_scopes(&[Scope::Admin, Scope::SessionsRead, Scope::Admin]),
            Ok(vec![Scope::SessionsRead, Scope::Admin])
        );
        // What picking them out of `Scope::ALL` relies on: it lists every scope once, in `Ord` order.
        assert!(Scope::ALL.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn token_days_run_from_one_to_the_maximum() {
        assert_eq!(token_days(1), Ok(1));
        assert_eq!(token_days(MAX_TOKEN_DAYS), Ok(MAX_TOKEN_DAYS));
        assert_eq!(token_days(0), Err(InvalidToken::DaysOutOfRange(0)));
        assert_eq!(
            token_days(MAX_TOKEN_DAYS + 1),
            Err(InvalidToken::DaysOutOfRange(MAX_TOKEN_DAYS + 1))
        );
    }
}
