//! Properties of the query-string readers: whatever a client sends is read or refused with a sentence
//! (never a panic), what the web app writes reads back as itself, and the rules on repeats, unknown
//! names and number bounds hold for every value, not just the examples in the unit tests.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use shared::params::whole_number;
use shared::{
    AuditAction, AuditCursor, AuditQuery, FilterField, MAX_AUDIT_PAGE_SIZE, MAX_CONTAINS_CHARS,
    MAX_PAGE_SIZE, ParseQueryError, SessionQuery, SessionStatus, SortKey, SortOrder, parse_query,
};

const SESSION_PARAMETERS: [&str; 7] = [
    "sort", "order", "limit", "cursor", "field", "contains", "status",
];
const AUDIT_PARAMETERS: [&str; 6] = ["actor", "action", "from", "to", "cursor", "limit"];

fn encode(pairs: &[(&str, String)]) -> String {
    serde_html_form::to_string(pairs).expect("pairs of strings always encode")
}

/// Text of `range` characters, any of them: controls, `&`, `=`, `%`, `+`, emoji...
fn any_text(range: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), range).prop_map(String::from_iter)
}

/// Query strings made of the pieces that matter to the readers (real names, separators, escapes,
/// numbers at the bounds), so that cases reach deep into the parsers rather than failing at the start.
fn query_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        select(SESSION_PARAMETERS.to_vec()).prop_map(str::to_owned),
        select(AUDIT_PARAMETERS.to_vec()).prop_map(str::to_owned),
        select(vec![
            "&",
            "=",
            "%",
            "%00",
            "%FF",
            "%ZZ",
            "%2C",
            "+",
            ",",
            " ",
            "0",
            "1",
            "50",
            "500",
            "501",
            "-1",
            "4294967296",
            "9223372036854775808",
            "name",
            "desc",
            "Killed",
            "connected",
            "sessions.kill",
            "2026-11-01T00:00:00Z",
            "2026-13-01",
        ])
        .prop_map(str::to_owned),
        any_text(0..=3),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

fn session_query() -> impl Strategy<Value = SessionQuery> {
    let filter = prop::option::of((
        prop::option::of(select(FilterField::ALL.to_vec())),
        any_text(1..=MAX_CONTAINS_CHARS)
            .prop_filter("stored text holds no NUL", |t| !t.contains('\0')),
    ));
    (
        select(SortKey::ALL.to_vec()),
        select(SortOrder::ALL.to_vec()),
        filter,
        subsequence(SessionStatus::ALL.to_vec(), 0..=SessionStatus::COUNT).prop_shuffle(),
        1..=MAX_PAGE_SIZE,
        prop::option::of(any::<String>()),
    )
        .prop_map(|(sort, order, filter, statuses, limit, cursor)| {
            let (field, contains) = filter.map_or((None, None), |(f, c)| (f, Some(c)));
            SessionQuery {
                sort,
                order,
                field,
                contains,
                statuses,
                limit,
                cursor,
            }
        })
}

/// Instants RFC 3339 can write: whole seconds of the years 0000 to 9999.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (-62_167_219_200i64..=253_402_300_799)
        .prop_map(|seconds| DateTime::from_timestamp(seconds, 0).expect("in chrono's range"))
}

fn audit_query() -> impl Strategy<Value = AuditQuery> {
    let actor = any::<String>()
        .prop_map(|actor| actor.trim().to_owned())
        .prop_filter("an actor is not blank and holds no NUL", |actor| {
            !actor.is_empty() && !actor.contains('\0')
        });
    (
        prop::option::of(actor),
        prop::option::of(select(AuditAction::ALL.to_vec())),
        prop::option::of(instant()),
        prop::option::of(instant()),
        prop::option::of((1..=i64::MAX).prop_map(AuditCursor)),
        1..=MAX_AUDIT_PAGE_SIZE,
    )
        .prop_map(|(actor, action, from, to, cursor, limit)| AuditQuery {
            actor,
            action,
            from,
            to,
            cursor,
            limit,
        })
}

/// A refusal a client can act on: it says something, and names a parameter the query has (or none).
fn assert_clean(error: &ParseQueryError, known: &[&str]) {
    assert!(!error.message.is_empty(), "{error:?}");
    assert!(
        error.parameter.is_empty() || known.contains(&error.parameter.as_str()),
        "{error:?}"
    );
}

proptest! {
    #[test]
    fn any_query_string_reads_as_a_valid_session_query_or_is_refused_with_a_reason(
        query in prop_oneof![any::<String>(), query_like()]
    ) {
        match SessionQuery::parse(&query) {
            Ok(read) => {
                prop_assert!((1..=MAX_PAGE_SIZE).contains(&read.limit));
                // PostgreSQL text holds no NUL: a query comparing with one would fail, not find nothing.
                if let Some(contains) = &read.contains {
                    prop_assert!(!contains.is_empty() && !contains.contains('\0'));
                    prop_assert!(contains.chars().count() <= MAX_CONTAINS_CHARS);
                }
                for (i, status) in read.statuses.iter().enumerate() {
                    prop_assert!(!read.statuses[..i].contains(status), "{:?}", read.statuses);
                }
            }
            Err(error) => assert_clean(&error, &SESSION_PARAMETERS),
        }
    }

    #[test]
    fn any_query_string_reads_as_a_valid_audit_query_or_is_refused_with_a_reason(
        query in prop_oneof![any::<String>(), query_like()]
    ) {
        match parse_query::<AuditQuery>(&query) {
            Ok(read) => {
                prop_assert!((1..=MAX_AUDIT_PAGE_SIZE).contains(&read.limit));
                if let Some(actor) = &read.actor {
                    prop_assert!(!actor.is_empty() && !actor.contains('\0'));
                    prop_assert_eq!(actor.trim(), actor);
                }
                if let Some(cursor) = read.cursor {
                    prop_assert!(cursor.0 > 0);
                }
            }
            Err(error) => assert_clean(&error, &AUDIT_PARAMETERS),
        }
    }

    #[test]
    fn a_session_query_written_as_pairs_reads_back_as_itself(query in session_query()) {
        prop_assert_eq!(SessionQuery::parse(&encode(&query.to_pairs())), Ok(query));
    }

    #[test]
    fn an_audit_query_written_as_pairs_reads_back_as_itself(query in audit_query()) {
        prop_assert_eq!(parse_query::<AuditQuery>(&encode(&query.to_pairs())), Ok(query));
    }

    #[test]
    fn a_session_parameter_other_than_status_given_twice_is_refused(
        query in session_query(),
        pick in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
    ) {
        let mut pairs = query.to_pairs();
        let single: Vec<_> = pairs.iter().filter(|(name, _)| *name != "status").cloned().collect();
        prop_assume!(!single.is_empty());
        let repeated = pick.get(&single).clone();
        pairs.insert(at.index(pairs.len() + 1), repeated.clone());
        let error = SessionQuery::parse(&encode(&pairs)).unwrap_err();
        prop_assert_eq!(error.parameter, repeated.0);
        prop_assert_eq!(error.message, "given more than once");
    }

    #[test]
    fn an_audit_parameter_given_twice_is_refused(
        query in audit_query(),
        pick in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
    ) {
        let mut pairs = query.to_pairs();
        prop_assume!(!pairs.is_empty());
        let repeated = pick.get(&pairs).clone();
        pairs.insert(at.index(pairs.len() + 1), repeated.clone());
        let error = parse_query::<AuditQuery>(&encode(&pairs)).unwrap_err();
        prop_assert_eq!(error.parameter, repeated.0);
        prop_assert_eq!(error.message, "given more than once");
    }

    #[test]
    fn an_audit_parameter_of_unknown_name_is_refused_by_name(
        query in audit_query(),
        name in "[a-zA-Z0-9_.-]{1,12}",
        value in any::<String>(),
        at in any::<prop::sample::Index>(),
    ) {
        prop_assume!(!AUDIT_PARAMETERS.contains(&name.as_str()));
        let mut pairs: Vec<(&str, String)> = query.to_pairs();
        let at = at.index(pairs.len() + 1);
        pairs.insert(at, (name.as_str(), value));
        let error = parse_query::<AuditQuery>(&encode(&pairs)).unwrap_err();
        prop_assert_eq!(error.parameter, "");
        let start = format!("unknown parameter '{name}'");
        prop_assert!(error.message.starts_with(&start), "{}", error.message);
    }

    /// `GET /sessions` reads its page and its filter with two readers, so neither may refuse the
    /// other's names; names neither knows are left alone (the web app's `page`, for one).
    #[test]
    fn a_session_parameter_of_unknown_name_leaves_the_query_as_it_was(
        query in session_query(),
        name in "[a-zA-Z0-9_.-]{1,12}",
        value in any::<String>(),
        at in any::<prop::sample::Index>(),
    ) {
        prop_assume!(!SESSION_PARAMETERS.contains(&name.as_str()));
        let mut pairs: Vec<(&str, String)> = query.to_pairs();
        let at = at.index(pairs.len() + 1);
        pairs.insert(at, (name.as_str(), value));
        prop_assert_eq!(SessionQuery::parse(&encode(&pairs)), Ok(query));
    }

    /// PostgreSQL text holds no NUL: a filter with one would fail the query there, not find nothing.
    #[test]
    fn a_text_filter_holding_a_nul_anywhere_is_refused_naming_it(
        text in any_text(0..=50),
        at in any::<prop::sample::Index>(),
        audit in any::<bool>(),
    ) {
        let mut chars: Vec<char> = text.chars().collect();
        chars.insert(at.index(chars.len() + 1), '\0');
        let value: String = chars.into_iter().collect();
        let (name, error) = if audit {
            ("actor", parse_query::<AuditQuery>(&encode(&[("actor", value)])).unwrap_err())
        } else {
            ("contains", SessionQuery::parse(&encode(&[("contains", value)])).unwrap_err())
        };
        prop_assert_eq!(error.parameter, name);
        prop_assert!(error.message.starts_with("holds a NUL character"), "{}", error.message);
    }

    #[test]
    fn a_limit_is_read_exactly_when_it_is_a_whole_number_in_bounds(
        limit in prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            (-5i64..=505).prop_map(|n| n.to_string()),
            any::<String>(),
        ]
    ) {
        let number = limit.parse::<i64>().ok();
        let in_bounds = |max: u32| number.is_some_and(|n| (1..=i64::from(max)).contains(&n));
        let pairs = [("limit", limit.clone())];
        let query = encode(&pairs);
        match SessionQuery::parse(&query) {
            Ok(read) => {
                prop_assert!(in_bounds(MAX_PAGE_SIZE));
                prop_assert_eq!(Some(i64::from(read.limit)), number);
            }
            Err(error) => {
                prop_assert!(!in_bounds(MAX_PAGE_SIZE));
                prop_assert_eq!(error.parameter, "limit");
                prop_assert_eq!(
                    error.message,
                    format!("'{limit}' is not a whole number from 1 to {MAX_PAGE_SIZE}")
                );
            }
        }
        match parse_query::<AuditQuery>(&query) {
            Ok(read) => {
                prop_assert!(in_bounds(MAX_AUDIT_PAGE_SIZE));
                prop_assert_eq!(Some(i64::from(read.limit)), number);
            }
            Err(error) => {
                prop_assert!(!in_bounds(MAX_AUDIT_PAGE_SIZE));
                prop_assert_eq!(error.parameter, "limit");
            }
        }
    }

    #[test]
    fn a_whole_number_is_accepted_exactly_within_its_bounds(
        number in any::<i64>(),
        a in any::<i64>(),
        b in any::<i64>(),
    ) {
        let (min, max) = (a.min(b), a.max(b));
        let read = whole_number(&number.to_string(), min, max);
        if (min..=max).contains(&number) {
            prop_assert_eq!(read, Ok(number));
        } else {
            prop_assert_eq!(
                read,
                Err(format!("'{number}' is not a whole number from {min} to {max}"))
            );
        }
    }

    #[test]
    fn statuses_however_grouped_and_cased_read_once_each_in_the_order_first_given_up_to_four_names(
        given in prop::collection::vec((select(SessionStatus::ALL.to_vec()), any::<bool>()), 1..12),
        cuts in prop::collection::vec(any::<bool>(), 12),
    ) {
        // Random case, since names are read ignoring it; a cut starts a new `status` parameter.
        let mut groups: Vec<Vec<String>> = vec![Vec::new()];
        for (i, (status, upper)) in given.iter().enumerate() {
            if i > 0 && cuts[i] {
                groups.push(Vec::new());
            }
            let name = status.as_str();
            let name = if *upper { name.to_uppercase() } else { name.to_lowercase() };
            groups.last_mut().expect("one group at least").push(name);
        }
        let pairs: Vec<_> = groups.iter().map(|group| ("status", group.join(","))).collect();
        let read = SessionQuery::parse(&encode(&pairs)).map(|q| q.statuses);
        // At most as many names as there are statuses, repeats counted, so a query cannot make the
        // server read thousands.
        if given.len() > SessionStatus::ALL.len() {
            let refused = read.expect_err("more names than statuses");
            prop_assert_eq!(refused.parameter, "status");
            prop_assert_eq!(
                refused.message,
                format!("at most {} values; {} given", SessionStatus::ALL.len(), given.len())
            );
        } else {
            let mut expected = Vec::new();
            for (status, _) in &given {
                if !expected.contains(status) {
                    expected.push(*status);
                }
            }
            prop_assert_eq!(read, Ok(expected));
        }
    }
}
