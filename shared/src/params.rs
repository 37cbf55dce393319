//! Reading query strings: [`parse_query`] turns one into a typed struct, and the `deserialize_with`
//! helpers below read each field with the sentence a client needs when it is wrong. The API's query
//! extractor and the web app's address bar both read through here, so they agree on every rule.
//!
//! Every value arrives as text. A parameter that is not a list may be given once: the helpers read
//! each one as a list of values (what `serde_html_form` hands over for a repeated name) and refuse more
//! than one.

use std::fmt::{self, Display};
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error};

/// A query parameter that could not be understood; `parameter` is empty when none can be named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseQueryError {
    pub parameter: String,
    pub message: String,
}

impl Display for ParseQueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.parameter.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.parameter, self.message)
        }
    }
}

impl std::error::Error for ParseQueryError {}

/// Reads a query string (without its `?`) into `T`, naming the parameter at fault in any refusal.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ParseQueryError> {
    let deserializer = serde_html_form::Deserializer::from_bytes(query.as_bytes());
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let parameter = error.path().to_string();
        let message = error.into_inner().to_string();
        // serde words these two for struct fields; a query has parameters.
        if let Some(rest) = message.strip_prefix("unknown field ") {
            return ParseQueryError {
                parameter: String::new(),
                message: format!("unknown parameter {}", rest.replace('`', "'")),
            };
        }
        if let Some(name) = message.strip_prefix("missing field ") {
            return ParseQueryError {
                parameter: name.trim_matches('`').to_owned(),
                message: "required".to_owned(),
            };
        }
        ParseQueryError {
            parameter: if parameter == "." {
                String::new()
            } else {
                parameter
            },
            message,
        }
    })
}

/// The values given for one parameter: one unless the client repeated it.
fn values<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Vec::<String>::deserialize(deserializer)
}

fn single<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let mut values = values(deserializer)?;
    match values.len() {
        1 => Ok(values.remove(0)),
        _ => Err(D::Error::custom("given more than once")),
    }
}

/// A value its type's `FromStr` reads; its error is the message.
pub fn one<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr<Err: Display>,
{
    single(deserializer)?.parse().map_err(D::Error::custom)
}

/// [`one`] for an optional parameter.
pub fn one_some<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr<Err: Display>,
{
    one(deserializer).map(Some)
}

/// [`single`] for text that is compared with stored text: PostgreSQL text cannot hold a NUL, so no
/// stored name has one, and the database would fail the query rather than find nothing.
fn single_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = single(deserializer)?;
    if text.contains('\0') {
        return Err(D::Error::custom(
            "holds a NUL character (%00), which no stored text can hold",
        ));
    }
    Ok(text)
}

/// Text with its surrounding spaces removed.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(single_text(deserializer)?.trim().to_owned())
}

/// [`text`], absent when nothing is left.
pub fn text_some<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let text = text(deserializer)?;
    Ok((!text.is_empty()).then_some(text))
}

/// Names of `T`, given as repeated parameters or separated by commas, each kept once in the order
/// first given; at most `MAX` names in all (repeats count), so a query cannot make the server read
/// thousands.
pub fn listed<'de, const MAX: usize, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr<Err: Display> + PartialEq,
{
    let values = values(deserializer)?;
    let given = values
        .iter()
        .map(|value| value.split(',').count())
        .sum::<usize>();
    if given > MAX {
        return Err(D::Error::custom(format!(
            "at most {MAX} values; {given} given"
        )));
    }
    let mut list = Vec::new();
    for value in values {
        for part in value.split(',') {
            let item: T = part.parse().map_err(D::Error::custom)?;
            if !list.contains(&item) {
                list.push(item);
            }
        }
    }
    Ok(list)
}

/// A whole number from `min` to `max`, with the sentence that says so otherwise.
pub fn whole_number(text: &str, min: i64, max: i64) -> Result<i64, String> {
    text.parse::<i64>()
        .ok()
        .filter(|number| (min..=max).contains(number))
        .ok_or_else(|| format!("'{text}' is not a whole number from {min} to {max}"))
}

/// A whole number from `MIN` to `MAX`.
pub fn whole<'de, const MIN: i64, const MAX: i64, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    let text = single(deserializer)?;
    let number = whole_number(&text, MIN, MAX).map_err(D::Error::custom)?;
    T::try_from(number).map_err(|_| D::Error::custom(format!("'{text}' is out of range")))
}

/// [`whole`] for an optional parameter.
pub fn whole_some<'de, const MIN: i64, const MAX: i64, D, T>(
    deserializer: D,
) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    whole::<MIN, MAX, D, T>(deserializer).map(Some)
}

/// Characters of a day as `YYYY-MM-DD`.
pub const DAY_CHARS: usize = 10;

/// Most characters of an RFC 3339 time: `2026-11-01T00:00:00.123456789+05:30` has 35; more are
/// refused rather than parsed.
pub const MAX_INSTANT_CHARS: usize = 40;

/// A day as `YYYY-MM-DD`.
pub fn day<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    let text = single(deserializer)?;
    if text.chars().count() > DAY_CHARS {
        return Err(D::Error::custom(format!(
            "longer than {DAY_CHARS} characters: not a date as YYYY-MM-DD"
        )));
    }
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| D::Error::custom(format!("'{text}' is not a date as YYYY-MM-DD")))
}

/// An instant in RFC 3339, such as `2026-11-01T00:00:00Z`.
pub fn instant_some<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    let text = single(deserializer)?;
    if text.chars().count() > MAX_INSTANT_CHARS {
        return Err(D::Error::custom(format!(
            "longer than {MAX_INSTANT_CHARS} characters: not an RFC 3339 time"
        )));
    }
    DateTime::parse_from_rfc3339(&text)
        .map(|time| Some(time.with_timezone(&Utc)))
        .map_err(|_| {
            D::Error::custom(format!(
                "'{text}' is not an RFC 3339 time such as 2026-11-01T00:00:00Z"
            ))
        })
}

/// Text of at most `MAX` characters; an empty value means none.
pub fn text_up_to<'de, const MAX: usize, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let text = single_text(deserializer)?;
    if text.chars().count() > MAX {
        return Err(D::Error::custom(format!("longer than {MAX} characters")));
    }
    Ok((!text.is_empty()).then_some(text))
}

/// [`one_some`] text of at most `MAX` characters, taken as given.
pub fn one_up_to<'de, const MAX: usize, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let text = single(deserializer)?;
    at_most::<MAX, D>(&text)?;
    Ok(Some(text))
}

/// [`text_some`] of at most `MAX` characters once trimmed.
pub fn text_some_up_to<'de, const MAX: usize, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let text = text_some(deserializer)?;
    if let Some(text) = &text {
        at_most::<MAX, D>(text)?;
    }
    Ok(text)
}

fn at_most<'de, const MAX: usize, D: Deserializer<'de>>(text: &str) -> Result<(), D::Error> {
    if text.chars().count() > MAX {
        return Err(D::Error::custom(format!("longer than {MAX} characters")));
    }
    Ok(())
}

/// An RFC 3339 time in a JSON body, read as serde reads `DateTime<Utc>`, but of at most
/// [`MAX_INSTANT_CHARS`] characters.
pub fn bounded_instant<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(deserializer)?;
    if text.chars().count() > MAX_INSTANT_CHARS {
        return Err(D::Error::custom(format!(
            "longer than {MAX_INSTANT_CHARS} characters: not an RFC 3339 time"
        )));
    }
    text.parse().map_err(D::Error::custom)
}

/// The schema of a JSON list of 1 to `max_items` strings of at most `max_chars` characters each.
#[cfg(feature = "openapi")]
pub fn strings_up_to(max_items: usize, max_chars: usize) -> utoipa::openapi::Array {
    use utoipa::openapi::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(max_chars)),
        )
        .min_items(Some(1))
        .max_items(Some(max_items))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        #[serde(default, deserialize_with = "whole_some::<1, 10, _, _>")]
        limit: Option<u32>,
        #[serde(default, deserialize_with = "listed::<4, _, _>")]
        status: Vec<crate::SessionStatus>,
        #[serde(deserialize_with = "day")]
        from: NaiveDate,
    }

    fn refusal(query: &str) -> String {
        parse_query::<Probe>(query).unwrap_err().to_string()
    }

    #[test]
    fn reads_repeated_and_comma_separated_lists() {
        let probe: Probe =
            parse_query("from=2026-01-02&status=connected,Unknown&status=Killed&status=Unknown")
                .unwrap();
        use crate::SessionStatus::*;
        assert_eq!(probe.status, [Connected, Unknown, Killed]);
        assert_eq!(probe.limit, None);
    }

    #[test]
    fn every_refusal_names_the_parameter() {
        assert_eq!(
            refusal("from=2026-01-02&limit=11"),
            "limit: '11' is not a whole number from 1 to 10"
        );
        assert_eq!(
            refusal("from=2026-01-02&limit=1&limit=2"),
            "limit: given more than once"
        );
        assert_eq!(refusal("limit=1"), "from: required");
        assert_eq!(
            refusal("from=2026-13-01"),
            "from: '2026-13-01' is not a date as YYYY-MM-DD"
        );
        assert!(
            refusal("from=2026-01-02&status=Gone").starts_with("status: unknown status 'Gone'")
        );
        assert!(refusal("from=2026-01-02&since=1").starts_with("unknown parameter 'since'"));
        assert_eq!(
            refusal("from=2026-01-02&status=Killed,Killed,Killed&status=Killed,Killed"),
            "status: at most 4 values; 5 given"
        );
        assert!(refusal("from=2026-01-022").starts_with("from: longer than 10 characters"));
    }

    #[test]
    fn text_holding_a_nul_is_refused() {
        #[derive(Debug, Deserialize)]
        struct Texts {
            #[serde(default, deserialize_with = "text_some")]
            _actor: Option<String>,
            #[serde(default, deserialize_with = "text_up_to::<10, _>")]
            _contains: Option<String>,
        }
        for query in ["_actor=a%00b", "_contains=%00"] {
            let error = parse_query::<Texts>(query).unwrap_err();
            assert!(
                error.message.starts_with("holds a NUL character"),
                "{error}"
            );
        }
    }
}
