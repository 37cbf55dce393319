//! Checks of what the administrator typed, made before anything is sent, without the browser so `cargo
//! test -p web` runs them on the host.

use crate::format::parse_day;
use chrono::{DateTime, Days, NaiveDate, SecondsFormat, Utc};
use shared::rules::{
    self, InvalidPassword, InvalidToken, InvalidUsername, MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS,
    MIN_PASSWORD_CHARS,
};
use shared::{
    CreateAccountRequest, CreateTokenRequest, MAX_TOKEN_DAYS, MAX_TOKEN_NAME_CHARS, Role, Scope,
};

/// An instant as the API reads it: `2026-11-01T15:00:00Z`.
fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Two optional `<input type="date">` values (`YYYY-MM-DD` or "") as the instants that bound those
/// whole days: the start of `from`, and the start of the day after `to` (the API's `to` is exclusive).
/// `start_of_day` gives the instant a day begins in the viewer's zone (DST moves it).
pub fn day_bounds(
    from: &str,
    to: &str,
    start_of_day: impl Fn(NaiveDate) -> Option<DateTime<Utc>>,
) -> Result<(Option<String>, Option<String>), String> {
    let parse = |value: &str, name: &str| -> Result<Option<NaiveDate>, String> {
        if value.is_empty() {
            return Ok(None);
        }
        parse_day(value)
            .map(Some)
            .map_err(|_| format!("The {name} date is not a valid date."))
    };
    let (from, to) = (parse(from, "From")?, parse(to, "To")?);
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        return Err("To must not be before From.".to_owned());
    }
    let start = |day: NaiveDate| {
        start_of_day(day)
            .map(rfc3339)
            .ok_or_else(|| format!("{day} is outside the dates the browser can handle."))
    };
    let from = from.map(start).transpose()?;
    let to = to
        .map(|day| {
            day.checked_add_days(Days::new(1))
                .ok_or_else(|| format!("{day} is too far in the future."))
                .and_then(start)
        })
        .transpose()?;
    Ok((from, to))
}

/// Why a token is refused, as the form says it.
fn token_refusal(why: InvalidToken) -> String {
    match why {
        InvalidToken::NoName => "Give the token a name, such as what uses it.".to_owned(),
        InvalidToken::NameTooLong => {
            format!("The name is too long: at most {MAX_TOKEN_NAME_CHARS} characters.")
        }
        InvalidToken::ControlCharacter => {
            "The name must not contain control characters, such as tabs.".to_owned()
        }
        InvalidToken::NoScope => "Choose at least one scope.".to_owned(),
        InvalidToken::DaysOutOfRange(_) => expiry_refusal(),
    }
}

fn expiry_refusal() -> String {
    format!("Expiry must be a whole number of days from 1 to {MAX_TOKEN_DAYS}, or empty for never.")
}

/// The new-token form as a request: a name, at least one scope, and an expiry in whole days or none.
pub fn token_request(
    name: &str,
    scopes: &[Scope],
    expires_in_days: &str,
) -> Result<CreateTokenRequest, String> {
    let name = rules::token_name(name).map_err(token_refusal)?;
    let scopes = rules::token_scopes(scopes).map_err(token_refusal)?;
    let days = expires_in_days.trim();
    let expires_in_days = if days.is_empty() {
        None
    } else {
        let days = days.parse().map_err(|_| expiry_refusal())?;
        Some(rules::token_days(days).map_err(token_refusal)?)
    };
    Ok(CreateTokenRequest {
        name: name.to_owned(),
        scopes,
        expires_in_days,
    })
}

/// A new password, if it is long enough and not too long.
pub fn new_password(password: &str) -> Result<(), String> {
    rules::check_password(password).map_err(|why| match why {
        InvalidPassword::TooShort { chars } => {
            format!("The password needs at least {MIN_PASSWORD_CHARS} characters; it has {chars}.")
        }
        InvalidPassword::TooLong { .. } => {
            format!("The password may have at most {MAX_PASSWORD_CHARS} characters.")
        }
    })
}

/// The new-account form as a request: a username, a role and a password.
pub fn account_request(
    username: &str,
    role: Role,
    password: &str,
) -> Result<CreateAccountRequest, String> {
    let username = rules::username(username).map_err(|why| match why {
        InvalidUsername::Empty => "Give the account a username.".to_owned(),
        InvalidUsername::NotAllowed => format!(
            "A username is 1 to {MAX_USERNAME_CHARS} of a-z, 0-9, “.”, “_” and “-”, starting with \
             a letter or digit."
        ),
    })?;
    new_password(password)?;
    Ok(CreateAccountRequest {
        username,
        role,
        password: password.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, NaiveTime, TimeZone};

    /// Days in a zone nine hours ahead of UTC, like Asia/Tokyo.
    fn tokyo(day: NaiveDate) -> Option<DateTime<Utc>> {
        let zone = FixedOffset::east_opt(9 * 3600)?;
        let local = zone
            .from_local_datetime(&day.and_time(NaiveTime::MIN))
            .single()?;
        Some(local.with_timezone(&Utc))
    }

    #[test]
    fn whole_days_become_instants_with_an_exclusive_end() {
        assert_eq!(
            day_bounds("2026-11-01", "2026-11-02", tokyo),
            Ok((
                Some("2026-10-31T15:00:00Z".to_owned()),
                Some("2026-11-02T15:00:00Z".to_owned())
            ))
        );
    }

    #[test]
    fn either_day_may_be_left_open() {
        assert_eq!(day_bounds("", "", tokyo), Ok((None, None)));
        assert_eq!(
            day_bounds("", "2026-12-31", tokyo),
            Ok((None, Some("2026-12-31T15:00:00Z".to_owned())))
        );
    }

    #[test]
    fn days_out_of_order_or_garbled_are_refused() {
        assert_eq!(
            day_bounds("2026-11-02", "2026-11-01", tokyo).unwrap_err(),
            "To must not be before From."
        );
        assert_eq!(
            day_bounds("2026-13-01", "", tokyo).unwrap_err(),
            "The From date is not a valid date."
        );
    }

    #[test]
    fn a_token_needs_a_name_and_a_scope() {
        assert!(token_request("  ", &[Scope::SessionsRead], "").is_err());
        assert!(token_request("nightly", &[], "").is_err());
        assert!(token_request(&"x".repeat(MAX_TOKEN_NAME_CHARS + 1), &[Scope::Admin], "").is_err());
        assert_eq!(
            token_request(
                " nightly ",
                &[Scope::SessionsExport, Scope::SessionsRead],
                ""
            ),
            Ok(CreateTokenRequest {
                name: "nightly".into(),
                scopes: vec![Scope::SessionsRead, Scope::SessionsExport],
                expires_in_days: None,
            })
        );
    }

    #[test]
    fn token_expiry_is_whole_days_within_bounds() {
        let days = |text: &str| token_request("t", &[Scope::SessionsRead], text);
        assert_eq!(days("90").unwrap().expires_in_days, Some(90));
        assert!(days("0").is_err());
        assert!(days("1.5").is_err());
        assert!(days("-3").is_err());
        assert!(days(&(MAX_TOKEN_DAYS + 1).to_string()).is_err());
    }

    #[test]
    fn an_account_needs_a_username_and_a_long_enough_password() {
        assert_eq!(
            account_request("  ", Role::Viewer, "long enough password"),
            Err("Give the account a username.".to_owned())
        );
        assert_eq!(
            account_request("bob", Role::Viewer, "short"),
            Err("The password needs at least 12 characters; it has 5.".to_owned())
        );
        assert_eq!(
            account_request(" bob ", Role::Operator, "twelve chars"),
            Ok(CreateAccountRequest {
                username: "bob".into(),
                role: Role::Operator,
                password: "twelve chars".into(),
            })
        );
    }

    #[test]
    fn a_username_follows_the_apis_rule_and_is_sent_as_stored() {
        let request = account_request(" Bob.Smith ", Role::Viewer, "long enough password");
        assert_eq!(request.unwrap().username, "bob.smith");
        assert_eq!(
            account_request("bo b", Role::Viewer, "long enough password"),
            Err(format!(
                "A username is 1 to {MAX_USERNAME_CHARS} of a-z, 0-9, “.”, “_” and “-”, starting \
                 with a letter or digit."
            ))
        );
    }

    #[test]
    fn a_token_name_without_control_characters_and_a_password_not_too_long() {
        assert_eq!(
            token_request("bell\u{7}", &[Scope::SessionsRead], "").unwrap_err(),
            "The name must not contain control characters, such as tabs."
        );
        assert_eq!(
            new_password(&"x".repeat(MAX_PASSWORD_CHARS + 1)).unwrap_err(),
            format!("The password may have at most {MAX_PASSWORD_CHARS} characters.")
        );
    }

    #[test]
    fn password_length_counts_characters_not_bytes() {
        assert!(new_password("ééééééééééé").is_err());
        assert!(new_password("éééééééééééé").is_ok());
    }
}
