//! Text shown in the console, computed without the browser so `cargo test -p web` checks it on the host.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike, Utc};
use serde_json::Value;
use shared::{
    DeliveryState, FilterField, KillDelivery, KillManyResult, SessionQuery, SessionStatus,
};

use crate::api::ApiError;
use crate::status_filter::status_words;

/// A duration as an operator reads it at a glance: `45s`, `12m 05s`, `2h 05m`, `3d 04h`.
pub fn format_duration(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (days, hours, minutes, secs) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
        seconds % 60,
    );
    if days > 0 {
        format!("{days}d {hours:02}h")
    } else if hours > 0 {
        format!("{hours}h {minutes:02}m")
    } else if minutes > 0 {
        format!("{minutes}m {secs:02}s")
    } else {
        format!("{secs}s")
    }
}

/// A start time in the viewer's zone, given that zone's offset from UTC at that instant.
pub fn format_local_time(time: DateTime<Utc>, offset_seconds_east: i32) -> String {
    // An offset the browser should never report falls back to UTC rather than hiding the time.
    let offset = FixedOffset::east_opt(offset_seconds_east)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero is a valid offset"));
    let local = time.with_timezone(&offset);
    // Written by hand rather than through `format("%Y-%m-%d %H:%M:%S")`, whose format-string
    // interpreter weighs more in the WASM than this function; the year is written as chrono's `%Y`
    // writes it (four digits, or a sign and at least four digits outside 0..=9999).
    let year = local.year();
    let mut text = if (0..10_000).contains(&year) {
        format!("{year:04}")
    } else {
        format!("{year:+05}")
    };
    for (separator, value) in [
        ('-', local.month()),
        ('-', local.day()),
        (' ', local.hour()),
        (':', local.minute()),
        (':', local.second()),
    ] {
        text.push(separator);
        text.push(char::from(b'0' + (value / 10) as u8));
        text.push(char::from(b'0' + (value % 10) as u8));
    }
    text
}

/// A day typed as `YYYY-MM-DD`, read exactly as chrono's `NaiveDate::parse_from_str(value,
/// "%Y-%m-%d")` reads it, without building that format string's items at run time.
pub fn parse_day(value: &str) -> Result<NaiveDate, chrono::ParseError> {
    use chrono::format::{Item, Numeric, Pad, Parsed};
    const DAY: [Item<'static>; 5] = [
        Item::Numeric(Numeric::Year, Pad::Zero),
        Item::Literal("-"),
        Item::Numeric(Numeric::Month, Pad::Zero),
        Item::Literal("-"),
        Item::Numeric(Numeric::Day, Pad::Zero),
    ];
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, value, DAY.iter())?;
    parsed.to_naive_date()
}

/// A count with thousands separators: `1,000,000`.
pub fn format_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Who killed a session and when, for the hover text of "by admin": `Killed by admin at 2026-11-01
/// 09:30:00`; the time is already in the viewer's zone, and left out when the session has no end.
pub fn killed_by_title(by: &str, local_end: Option<&str>) -> String {
    match local_end {
        Some(end) => format!("Killed by {by} at {end}"),
        None => format!("Killed by {by}"),
    }
}

/// How the delivery of a kill to the broker stands, in a few words: `delivering…`, `delivered`,
/// `delivery failed after 5 attempts`.
pub fn delivery_label(delivery: &KillDelivery) -> String {
    match delivery.state {
        DeliveryState::Pending => "delivering…".to_owned(),
        DeliveryState::Delivered => "delivered".to_owned(),
        DeliveryState::Failed => format!(
            "delivery failed after {}",
            plural(delivery.attempts as usize, "attempt", "attempts")
        ),
    }
}

/// The hover text of a delivery; `local` writes an instant in the viewer's zone.
pub fn delivery_title(delivery: &KillDelivery, local: impl Fn(DateTime<Utc>) -> String) -> String {
    match delivery.state {
        DeliveryState::Pending => {
            let mut title = format!(
                "Not acknowledged by the broker yet: {} so far",
                plural(delivery.attempts as usize, "attempt", "attempts")
            );
            if let Some(next) = delivery.next_attempt_at {
                title.push_str(&format!(", the next at {}", local(next)));
            }
            title
        }
        DeliveryState::Delivered => match delivery.delivered_at {
            Some(at) => format!("Delivered to the broker at {}", local(at)),
            None => "Delivered to the broker".to_owned(),
        },
        DeliveryState::Failed => match &delivery.last_error {
            Some(error) => format!("Last error: {error}"),
            None => "The broker never acknowledged it".to_owned(),
        },
    }
}

/// The note for a selected session that can no longer be killed: `Session #12 ended (Killed); it was
/// unselected.`
pub fn unselected_message(id: i64, status: SessionStatus) -> String {
    format!("Session #{id} ended ({status}); it was unselected.")
}

/// The button offering the sessions opened since the list was loaded: `3 new sessions — show`.
pub fn new_sessions_label(count: usize) -> String {
    format!("{} — show", plural(count, "new session", "new sessions"))
}

/// Which rows of all matches a page shows: `51–100 of 1,000,000`.
pub fn range_label(page: u32, limit: u32, shown: usize, total: u64) -> String {
    if shown == 0 {
        return format!("0 of {}", format_count(total));
    }
    let first = u64::from(page.max(1) - 1) * u64::from(limit) + 1;
    let last = first + shown as u64 - 1;
    format!(
        "{}–{} of {}",
        format_count(first),
        format_count(last),
        format_count(total)
    )
}

/// What the active text filter searches, as a person would say it: `Username contains “jo”`.
fn text_summary(query: &SessionQuery) -> Option<String> {
    let contains = query.contains.as_deref()?;
    let field = match query.field {
        Some(FilterField::Name) => "Username",
        Some(FilterField::Email) => "Email",
        None => "Username or email",
    };
    Some(format!("{field} contains “{contains}”"))
}

/// The active filter in a few words, for its chip: `Username contains “jo”; status Connected or
/// Unknown`; `None` when nothing is filtered.
pub fn filter_summary(query: &SessionQuery) -> Option<String> {
    match (text_summary(query), status_words(&query.statuses)) {
        (Some(text), Some(statuses)) => Some(format!("{text}; status {statuses}")),
        (Some(text), None) => Some(text),
        (None, Some(statuses)) => Some(format!("Status {statuses}")),
        (None, None) => None,
    }
}

/// What an export of `query`'s list will include, said in full in its dialog.
pub fn export_scope(query: &SessionQuery) -> String {
    match (text_summary(query), status_words(&query.statuses)) {
        (None, None) => "All sessions, of every status.".to_owned(),
        (Some(text), None) => format!("Only sessions where {text}, of every status."),
        (None, Some(statuses)) => format!("Only sessions whose status is {statuses}."),
        (Some(text), Some(statuses)) => {
            format!("Only sessions where {text} and whose status is {statuses}.")
        }
    }
}

/// The text of an empty table, so "no sessions at all" and "nothing matches" read differently.
pub fn empty_message(query: &SessionQuery) -> String {
    match &query.contains {
        Some(contains) => format!("No sessions match '{contains}'."),
        None if !query.statuses.is_empty() => "No sessions have the chosen status.".to_owned(),
        None => "There are no sessions yet.".to_owned(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// At most this many ids are listed by name in a bulk-kill message; the rest are counted.
const LISTED_IDS: usize = 10;

/// Reports a bulk kill: `Killed 3 sessions. 1 could not be killed: #123 (Disconnected).`
pub fn kill_many_message(result: &KillManyResult) -> String {
    let mut message = if result.killed.is_empty() {
        "No sessions were killed.".to_owned()
    } else {
        format!(
            "Killed {}.",
            plural(result.killed.len(), "session", "sessions")
        )
    };
    let reasons: Vec<String> = result
        .skipped
        .iter()
        .map(|s| format!("#{} ({})", s.id, s.status))
        .chain(
            result
                .not_found
                .iter()
                .map(|id| format!("#{id} (not found)")),
        )
        .collect();
    if !reasons.is_empty() {
        let listed = reasons[..reasons.len().min(LISTED_IDS)].join(", ");
        let rest = reasons.len().saturating_sub(LISTED_IDS);
        message.push_str(&format!(" {} could not be killed: {listed}", reasons.len()));
        if rest > 0 {
            message.push_str(&format!(" and {rest} more"));
        }
        message.push('.');
    }
    message
}

/// Checks the export range as typed in two `<input type="date">` (which give `YYYY-MM-DD` or "").
pub fn validate_export_range(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let parse = |value: &str, name: &str| {
        if value.is_empty() {
            return Err(format!("Choose a {name} date."));
        }
        parse_day(value).map_err(|_| format!("The {name} date is not a valid date."))
    };
    let (from, to) = (parse(from, "From")?, parse(to, "To")?);
    if to < from {
        return Err("To must not be before From.".to_owned());
    }
    Ok((from, to))
}

/// What the sign-in page says when signing in did not work.
pub fn login_error_message(error: &ApiError) -> String {
    match error {
        ApiError::TooManyRequests {
            retry_after_seconds: Some(seconds),
            ..
        } => format!(
            "Too many failed sign-ins. Try again in {}.",
            plural(*seconds as usize, "second", "seconds")
        ),
        ApiError::TooManyRequests { problem, .. } if !problem.detail.is_empty() => {
            problem.detail.clone()
        }
        ApiError::TooManyRequests { .. } => "Too many failed sign-ins. Try again later.".to_owned(),
        ApiError::Problem(problem) if problem.status == 401 && !problem.detail.is_empty() => {
            problem.detail.clone()
        }
        ApiError::Problem(problem) if problem.status == 401 => {
            "Invalid username or password.".to_owned()
        }
        other => other.to_string(),
    }
}

/// At most this many ids of one list are shown in an audit entry's details.
const LISTED_DETAIL_IDS: usize = 5;

/// How many attempts one audit entry stands for, when more than one (repeated failed sign-ins of one
/// minute are kept as one entry with a count).
pub fn repeated_label(count: u32) -> Option<(String, String)> {
    (count > 1).then(|| {
        let n = format_count(u64::from(count));
        (format!("×{n}"), format!("{n} attempts within this minute"))
    })
}

/// An audit entry's details on one line: `session id #1042`, `killed #1, #2 · not found #9`,
/// `from 2026-11-01 · to 2026-11-02 · rows 120`. Empty lists and nulls are left out.
pub fn audit_details(details: &Value) -> String {
    match details {
        Value::Object(fields) => fields
            .iter()
            .filter(|(_, value)| !is_empty_detail(value))
            .map(|(key, value)| format!("{} {}", key.replace('_', " "), detail_value(key, value)))
            .collect::<Vec<_>>()
            .join(" · "),
        other if is_empty_detail(other) => String::new(),
        other => detail_value("", other),
    }
}

fn is_empty_detail(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.values().all(is_empty_detail),
        Value::String(text) => text.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

fn detail_value(key: &str, value: &Value) -> String {
    match value {
        // Integers in lists, and under keys such as `session_id`, are ids.
        // As i64s rather than through `Value`'s `Display`, which would bring the JSON writer into the
        // WASM for this alone; the digits are the same.
        Value::Number(n) if n.is_i64() && (key == "id" || key.ends_with("_id")) => {
            format!("#{}", n.as_i64().unwrap_or_default())
        }
        Value::Array(items) if items.iter().all(Value::is_i64) => {
            let mut text = items
                .iter()
                .take(LISTED_DETAIL_IDS)
                .map(|id| format!("#{}", id.as_i64().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(", ");
            if items.len() > LISTED_DETAIL_IDS {
                text.push_str(&format!(" and {} more", items.len() - LISTED_DETAIL_IDS));
            }
            text
        }
        Value::Array(items) => items
            .iter()
            .map(|item| detail_value("", item))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(_) => format!("({})", audit_details(value)),
        Value::String(text) => text.clone(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use shared::{Problem, SkippedSession};

    #[test]
    fn a_delivery_reads_in_a_few_words_with_the_rest_on_hover() {
        let at = DateTime::parse_from_rfc3339("2026-11-28T09:00:00Z")
            .unwrap()
            .to_utc();
        let delivery = |state, attempts, last_error: Option<&str>| KillDelivery {
            state,
            attempts,
            last_error: last_error.map(str::to_owned),
            delivered_at: (state == DeliveryState::Delivered).then_some(at),
            next_attempt_at: (state == DeliveryState::Pending).then_some(at),
        };
        let cases = [
            (
                delivery(DeliveryState::Pending, 2, None),
                "delivering…",
                "Not acknowledged by the broker yet: 2 attempts so far, the next at 2026-11-28 18:00:00",
            ),
            (
                delivery(DeliveryState::Delivered, 1, None),
                "delivered",
                "Delivered to the broker at 2026-11-28 18:00:00",
            ),
            (
                delivery(DeliveryState::Failed, 1, None),
                "delivery failed after 1 attempt",
                "The broker never acknowledged it",
            ),
            (
                delivery(DeliveryState::Failed, 5, Some("HTTP 502")),
                "delivery failed after 5 attempts",
                "Last error: HTTP 502",
            ),
        ];
        for (delivery, label, title) in cases {
            assert_eq!(delivery_label(&delivery), label);
            let local = |t: DateTime<Utc>| format_local_time(t, 9 * 3600);
            assert_eq!(delivery_title(&delivery, local), title);
        }
    }

    #[test]
    fn new_sessions_are_counted_in_words() {
        assert_eq!(new_sessions_label(1), "1 new session — show");
        assert_eq!(new_sessions_label(3), "3 new sessions — show");
        assert_eq!(
            unselected_message(12, SessionStatus::Killed),
            "Session #12 ended (Killed); it was unselected."
        );
    }

    #[test]
    fn the_killer_is_named_with_the_time_of_the_kill_when_known() {
        assert_eq!(
            killed_by_title("admin", Some("2026-11-01 09:30:00")),
            "Killed by admin at 2026-11-01 09:30:00"
        );
        assert_eq!(
            killed_by_title("token:nightly", None),
            "Killed by token:nightly"
        );
    }

    fn problem(status: u16, detail: &str) -> Problem {
        Problem {
            problem_type: "urn:x".into(),
            title: "Refused".into(),
            status,
            detail: detail.into(),
            request_id: None,
        }
    }

    #[test]
    fn a_wrong_password_shows_what_the_server_said() {
        let error = ApiError::Problem(problem(401, "Invalid username or password."));
        assert_eq!(login_error_message(&error), "Invalid username or password.");
        assert_eq!(
            login_error_message(&ApiError::Problem(problem(401, ""))),
            "Invalid username or password."
        );
    }

    #[test]
    fn too_many_sign_ins_say_how_long_to_wait() {
        let error = ApiError::TooManyRequests {
            problem: problem(429, "Too many attempts."),
            retry_after_seconds: Some(42),
        };
        assert_eq!(
            login_error_message(&error),
            "Too many failed sign-ins. Try again in 42 seconds."
        );
        let unknown_wait = ApiError::TooManyRequests {
            problem: problem(429, "Too many attempts."),
            retry_after_seconds: None,
        };
        assert_eq!(login_error_message(&unknown_wait), "Too many attempts.");
    }

    #[test]
    fn audit_details_read_on_one_line() {
        assert_eq!(
            audit_details(&json!({"session_id": 1042})),
            "session id #1042"
        );
        assert_eq!(
            audit_details(&json!({"killed": [1, 2], "skipped": [], "not_found": [9]})),
            "killed #1, #2 · not found #9"
        );
        let export = audit_details(
            &json!({"from": "2026-11-01", "to": "2026-11-02", "rows": 120,
            "filter": {"contains": "jo", "statuses": []}}),
        );
        // serde_json may keep the server's order or sort the keys: check the parts.
        let mut parts: Vec<&str> = export.split(" · ").collect();
        parts.sort_unstable();
        assert_eq!(
            parts,
            [
                "filter (contains jo)",
                "from 2026-11-01",
                "rows 120",
                "to 2026-11-02"
            ]
        );
        assert_eq!(audit_details(&json!({})), "");
        assert_eq!(audit_details(&json!({"reason": null})), "");
    }

    #[test]
    fn long_id_lists_are_counted() {
        let ids: Vec<i64> = (1..=8).collect();
        assert_eq!(
            audit_details(&json!({ "killed": ids })),
            "killed #1, #2, #3, #4, #5 and 3 more"
        );
    }

    #[test]
    fn durations_show_the_two_largest_units() {
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(45), "45s");
        assert_eq!(format_duration(12 * 60 + 5), "12m 05s");
        assert_eq!(format_duration(2 * 3600 + 5 * 60 + 59), "2h 05m");
        assert_eq!(format_duration(3 * 86_400 + 4 * 3600), "3d 04h");
    }

    #[test]
    fn a_negative_duration_from_clock_skew_shows_as_zero() {
        assert_eq!(format_duration(-3), "0s");
    }

    #[test]
    fn local_times_apply_the_offset_of_the_zone() {
        let time = "2026-11-28T23:30:00Z".parse().unwrap();
        assert_eq!(format_local_time(time, 3600), "2026-11-29 00:30:00");
        assert_eq!(format_local_time(time, -5 * 3600), "2026-11-28 18:30:00");
    }

    #[test]
    fn local_times_read_as_chrono_formats_them_for_any_year() {
        for text in [
            "2026-01-02T03:04:05Z",
            "0999-12-31T23:59:59Z",
            "0000-01-01T00:00:00Z",
            "-0001-06-15T12:00:00Z",
            "+10000-01-01T00:00:00Z",
        ] {
            let time: DateTime<Utc> = text.parse().unwrap();
            for offset in [0, 9 * 3600, -(5 * 3600 + 30 * 60)] {
                let zone = FixedOffset::east_opt(offset).unwrap();
                let chrono = time.with_timezone(&zone).format("%Y-%m-%d %H:%M:%S");
                assert_eq!(
                    format_local_time(time, offset),
                    chrono.to_string(),
                    "{text} {offset}"
                );
            }
        }
    }

    #[test]
    fn days_are_read_as_chrono_reads_the_same_format() {
        for text in [
            "2026-11-02",
            "2026-1-2",
            " 2026-11-02",
            "2026- 11-02",
            "2026-11-02 ",
            "+2026-11-02",
            "-0044-03-15",
            "12026-11-02",
            "2026-02-30",
            "2026-13-01",
            "2026/11/02",
            "20261102",
            "2026-11",
            "",
            "２０２６-11-02",
            "99999999999-01-01",
        ] {
            assert_eq!(
                parse_day(text).ok(),
                NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn an_entry_standing_for_several_attempts_says_how_many() {
        assert_eq!(repeated_label(1), None);
        assert_eq!(
            repeated_label(1200),
            Some((
                "×1,200".to_owned(),
                "1,200 attempts within this minute".to_owned()
            ))
        );
    }

    #[test]
    fn counts_group_thousands() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(1_000_000), "1,000,000");
    }

    #[test]
    fn range_label_counts_rows_before_the_page() {
        assert_eq!(range_label(1, 50, 50, 1_000_000), "1–50 of 1,000,000");
        assert_eq!(range_label(3, 25, 7, 57), "51–57 of 57");
        assert_eq!(range_label(1, 50, 0, 0), "0 of 0");
    }

    #[test]
    fn the_filter_summary_names_the_text_and_the_statuses() {
        use shared::SessionStatus::{Connected, Killed, Unknown};
        let query = |contains: Option<&str>, statuses: Vec<SessionStatus>| SessionQuery {
            field: contains.map(|_| FilterField::Name),
            contains: contains.map(str::to_owned),
            statuses,
            ..SessionQuery::default()
        };
        assert_eq!(filter_summary(&query(None, vec![])), None);
        assert_eq!(
            filter_summary(&query(Some("jo"), vec![])).as_deref(),
            Some("Username contains “jo”")
        );
        assert_eq!(
            filter_summary(&query(None, vec![Killed])).as_deref(),
            Some("Status Killed")
        );
        assert_eq!(
            filter_summary(&query(Some("jo"), vec![Unknown, Connected])).as_deref(),
            Some("Username contains “jo”; status Connected or Unknown")
        );
    }

    #[test]
    fn the_export_says_which_sessions_it_includes() {
        use shared::SessionStatus::{Connected, Unknown};
        let mut query = SessionQuery::default();
        assert_eq!(export_scope(&query), "All sessions, of every status.");
        query.statuses = vec![Connected, Unknown];
        assert_eq!(
            export_scope(&query),
            "Only sessions whose status is Connected or Unknown."
        );
        query.contains = Some("jo".into());
        assert_eq!(
            export_scope(&query),
            "Only sessions where Username or email contains “jo” and whose status is Connected or Unknown."
        );
        query.statuses.clear();
        assert_eq!(
            export_scope(&query),
            "Only sessions where Username or email contains “jo”, of every status."
        );
    }

    #[test]
    fn empty_message_quotes_the_search_term() {
        let query = SessionQuery {
            contains: Some("xyz".into()),
            ..SessionQuery::default()
        };
        assert_eq!(empty_message(&query), "No sessions match 'xyz'.");
        assert_eq!(
            empty_message(&SessionQuery::default()),
            "There are no sessions yet."
        );
    }

    #[test]
    fn kill_many_message_lists_what_was_left_alone() {
        let result = KillManyResult {
            killed: vec![1, 2, 3],
            skipped: vec![SkippedSession {
                id: 123,
                status: SessionStatus::Disconnected,
            }],
            not_found: vec![],
        };
        assert_eq!(
            kill_many_message(&result),
            "Killed 3 sessions. 1 could not be killed: #123 (Disconnected)."
        );
    }

    #[test]
    fn kill_many_message_when_nothing_was_killed() {
        let result = KillManyResult {
            killed: vec![],
            skipped: vec![],
            not_found: vec![9],
        };
        assert_eq!(
            kill_many_message(&result),
            "No sessions were killed. 1 could not be killed: #9 (not found)."
        );
        let one = KillManyResult {
            killed: vec![4],
            ..KillManyResult::default()
        };
        assert_eq!(kill_many_message(&one), "Killed 1 session.");
    }

    #[test]
    fn kill_many_message_counts_long_lists() {
        let result = KillManyResult {
            killed: vec![],
            skipped: vec![],
            not_found: (1..=12).collect(),
        };
        assert!(kill_many_message(&result).ends_with("#10 (not found) and 2 more."));
    }

    #[test]
    fn export_range_needs_both_dates_in_order() {
        assert_eq!(
            validate_export_range("", "2026-11-02").unwrap_err(),
            "Choose a From date."
        );
        assert_eq!(
            validate_export_range("2026-11-02", "").unwrap_err(),
            "Choose a To date."
        );
        assert_eq!(
            validate_export_range("2026-11-02", "2026-11-01").unwrap_err(),
            "To must not be before From."
        );
        assert!(validate_export_range("2026-11-02", "2026-11-02").is_ok());
    }
}
