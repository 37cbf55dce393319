//! The opaque `cursor` of keyset pagination: where the previous page ended, in the order it was sorted.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use shared::{SortKey, SortOrder};

/// The sort value of the last row of a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CursorKey {
    Int(i64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "s")]
    pub sort: SortKey,
    #[serde(rename = "o")]
    pub order: SortOrder,
    /// Absent for the id sort, whose key is the id itself.
    #[serde(rename = "k", default, skip_serializing_if = "Option::is_none")]
    pub key: Option<CursorKey>,
    #[serde(rename = "i")]
    pub id: i64,
    /// The duration sort measures active sessions up to this instant on every page, so that the clock
    /// moving between two requests cannot reorder rows and make a page repeat or skip one.
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<i64>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CursorError {
    #[error("not a cursor this server issued")]
    Malformed,
    #[error(
        "the cursor continues a list sorted by {cursor_sort} {cursor_order}, not by {sort} {order}; \
         start again without a cursor"
    )]
    OtherSort {
        cursor_sort: &'static str,
        cursor_order: &'static str,
        sort: &'static str,
        order: &'static str,
    },
}

impl Cursor {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("a cursor always serialises");
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Reads a cursor and checks it continues the sort it is used with.
    pub fn decode(text: &str, sort: SortKey, order: SortOrder) -> Result<Cursor, CursorError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| CursorError::Malformed)?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| CursorError::Malformed)?;
        if cursor.sort != sort || cursor.order != order {
            return Err(CursorError::OtherSort {
                cursor_sort: cursor.sort.as_str(),
                cursor_order: cursor.order.as_str(),
                sort: sort.as_str(),
                order: order.as_str(),
            });
        }
        let key_fits = match (sort, &cursor.key) {
            (SortKey::Id, None) => true,
            (SortKey::StartTime, Some(CursorKey::Int(_))) => true,
            (SortKey::Duration, Some(CursorKey::Int(duration))) => cursor
                .as_of
                .is_some_and(|as_of| fits_duration_sort(*duration, as_of)),
            // PostgreSQL text cannot hold a NUL, so no stored key has one; comparing with one fails.
            (
                SortKey::Name | SortKey::Email | SortKey::AppName | SortKey::Status,
                Some(CursorKey::Text(text)),
            ) => !text.contains('\0'),
            _ => false,
        };
        if key_fits {
            Ok(cursor)
        } else {
            Err(CursorError::Malformed)
        }
    }
}

/// The duration sort subtracts: `as_of - duration` (the start of an active session that long) and
/// `as_of - start_time` for stored times. An `as_of` this server issued is a clock reading, a time
/// chrono holds like every stored time, so those fit in an i64 once the first does; cursors are not
/// signed, and a forged one must be refused here rather than overflow there.
fn fits_duration_sort(duration: i64, as_of: i64) -> bool {
    chrono::DateTime::from_timestamp(as_of, 0).is_some() && as_of.checked_sub(duration).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_written() {
        let cursor = Cursor {
            sort: SortKey::Name,
            order: SortOrder::Asc,
            key: Some(CursorKey::Text("zoë".into())),
            id: 42,
            as_of: None,
        };
        let text = cursor.encode();
        assert_eq!(
            Cursor::decode(&text, SortKey::Name, SortOrder::Asc),
            Ok(cursor)
        );
    }

    #[test]
    fn a_cursor_of_another_sort_is_refused() {
        let cursor = Cursor {
            sort: SortKey::Id,
            order: SortOrder::Desc,
            key: None,
            id: 7,
            as_of: None,
        };
        let err = Cursor::decode(&cursor.encode(), SortKey::Name, SortOrder::Asc).unwrap_err();
        assert!(matches!(err, CursorError::OtherSort { .. }));
    }

    #[test]
    fn a_duration_cursor_whose_numbers_would_overflow_is_malformed() {
        let forged = |key: i64, as_of: i64| Cursor {
            sort: SortKey::Duration,
            order: SortOrder::Asc,
            key: Some(CursorKey::Int(key)),
            id: 1,
            as_of: Some(as_of),
        };
        for cursor in [
            forged(i64::MAX, i64::MIN),
            forged(i64::MIN, 0),
            forged(0, i64::MAX),
        ] {
            assert_eq!(
                Cursor::decode(&cursor.encode(), SortKey::Duration, SortOrder::Asc),
                Err(CursorError::Malformed),
                "{cursor:?}"
            );
        }
    }

    #[test]
    fn a_text_cursor_holding_a_nul_is_malformed() {
        let forged = Cursor {
            sort: SortKey::Email,
            order: SortOrder::Desc,
            key: Some(CursorKey::Text("a\0b".into())),
            id: 1,
            as_of: None,
        };
        assert_eq!(
            Cursor::decode(&forged.encode(), SortKey::Email, SortOrder::Desc),
            Err(CursorError::Malformed)
        );
    }

    #[test]
    fn garbage_is_malformed() {
        for text in ["", "!!", "e30", "eyJzIjoiaWQifQ"] {
            assert_eq!(
                Cursor::decode(text, SortKey::Id, SortOrder::Desc),
                Err(CursorError::Malformed),
                "{text}"
            );
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use chrono::DateTime;
    use proptest::prelude::*;
    use proptest::sample::select;

    /// Unix seconds of the first and last instants chrono holds: the bounds of every stored time.
    fn time_bounds() -> (i64, i64) {
        (
            DateTime::<chrono::Utc>::MIN_UTC.timestamp(),
            DateTime::<chrono::Utc>::MAX_UTC.timestamp(),
        )
    }

    fn sort() -> impl Strategy<Value = SortKey> {
        select(SortKey::ALL.to_vec())
    }

    fn order() -> impl Strategy<Value = SortOrder> {
        select(SortOrder::ALL.to_vec())
    }

    /// Numbers with the edges, where arithmetic breaks, well represented.
    fn number() -> impl Strategy<Value = i64> {
        let (first, last) = time_bounds();
        prop_oneof![
            any::<i64>(),
            first..=last,
            select(vec![
                i64::MIN,
                i64::MIN + 1,
                -1,
                0,
                1,
                i64::MAX - 1,
                i64::MAX,
                first,
                last
            ]),
        ]
    }

    fn time() -> impl Strategy<Value = i64> {
        let (first, last) = time_bounds();
        prop_oneof![first..=last, select(vec![first, last, 0])]
    }

    /// A cursor as this server issues them: a key of the sort's kind (none for ids), and for the
    /// duration sort the clock reading its durations are measured at.
    fn issued() -> impl Strategy<Value = Cursor> {
        (
            sort(),
            order(),
            any::<i64>(),
            any::<String>(),
            number(),
            time(),
        )
            .prop_filter_map(
                "a key this server could have issued",
                |(sort, order, id, text, number, time)| {
                    let (key, as_of) = match sort {
                        SortKey::Id => (None, None),
                        SortKey::StartTime => (Some(CursorKey::Int(number)), None),
                        SortKey::Duration => {
                            time.checked_sub(number)?;
                            (Some(CursorKey::Int(number)), Some(time))
                        }
                        _ if text.contains('\0') => return None,
                        _ => (Some(CursorKey::Text(text)), None),
                    };
                    Some(Cursor {
                        sort,
                        order,
                        key,
                        id,
                        as_of,
                    })
                },
            )
    }

    /// Any combination of the fields, fitting the sort or not.
    fn any_fields() -> impl Strategy<Value = Cursor> {
        let key = prop::option::of(prop_oneof![
            number().prop_map(CursorKey::Int),
            any::<String>().prop_map(CursorKey::Text),
        ]);
        (sort(), order(), key, number(), prop::option::of(number())).prop_map(
            |(sort, order, key, id, as_of)| Cursor {
                sort,
                order,
                key,
                id,
                as_of,
            },
        )
    }

    /// JSON near a cursor's shape: right and wrong names, types and values, extra fields.
    fn json_like() -> impl Strategy<Value = Vec<u8>> {
        let value = prop_oneof![
            sort().prop_map(|s| serde_json::json!(s.as_str())),
            order().prop_map(|o| serde_json::json!(o.as_str())),
            number().prop_map(|n| serde_json::json!(n)),
            any::<u64>().prop_map(|n| serde_json::json!(n)),
            any::<f64>().prop_map(|n| serde_json::json!(n)),
            any::<String>().prop_map(|t| serde_json::json!(t)),
            Just(serde_json::Value::Null),
            Just(serde_json::json!([1])),
            Just(serde_json::json!({"s": "id"})),
        ];
        let name = select(vec!["s", "o", "k", "i", "t", "x", ""]);
        prop::collection::vec((name, value), 0..7).prop_map(|fields| {
            let object: serde_json::Map<String, serde_json::Value> = fields
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect();
            serde_json::to_vec(&object).expect("a JSON object always serialises")
        })
    }

    /// What the list queries do with a cursor works: the duration sort computes the start an active
    /// session of the cursor's duration has and the duration of any stored session at the cursor's
    /// clock reading (which, issued by this server, is a time like them), and text keys are compared
    /// with PostgreSQL text, which holds no NUL.
    fn fits_the_queries(cursor: &Cursor) -> bool {
        let (first, last) = time_bounds();
        match (cursor.sort, &cursor.key, cursor.as_of) {
            (SortKey::Duration, Some(CursorKey::Int(key)), Some(as_of)) => {
                (first..=last).contains(&as_of)
                    && as_of.checked_sub(*key).is_some()
                    && as_of.checked_sub(first).is_some()
                    && as_of.checked_sub(last).is_some()
            }
            (_, Some(CursorKey::Text(text)), _) => !text.contains('\0'),
            _ => true,
        }
    }

    /// Whatever `decode` lets through can be used by the list queries and written out again.
    fn assert_usable(cursor: &Cursor, sort: SortKey, order: SortOrder) {
        assert_eq!((cursor.sort, cursor.order), (sort, order));
        assert!(fits_the_queries(cursor), "{cursor:?}");
        assert_eq!(
            Cursor::decode(&cursor.encode(), sort, order).as_ref(),
            Ok(cursor)
        );
    }

    proptest! {
        #[test]
        fn every_issued_cursor_reads_back_as_written(cursor in issued()) {
            prop_assert_eq!(
                Cursor::decode(&cursor.encode(), cursor.sort, cursor.order),
                Ok(cursor.clone())
            );
        }

        #[test]
        fn an_issued_cursor_used_with_another_sort_or_order_is_refused_naming_both(
            cursor in issued(),
            sort in sort(),
            order in order(),
        ) {
            prop_assume!((sort, order) != (cursor.sort, cursor.order));
            let refused = Cursor::decode(&cursor.encode(), sort, order);
            prop_assert_eq!(
                refused,
                Err(CursorError::OtherSort {
                    cursor_sort: cursor.sort.as_str(),
                    cursor_order: cursor.order.as_str(),
                    sort: sort.as_str(),
                    order: order.as_str(),
                })
            );
        }

        #[test]
        fn any_text_is_read_as_a_usable_cursor_or_refused(
            text in prop_oneof![
                any::<String>(),
                "[A-Za-z0-9_-]{0,80}",
                json_like().prop_map(|json| URL_SAFE_NO_PAD.encode(json)),
                any_fields().prop_map(|cursor| cursor.encode()),
            ],
            sort in sort(),
            order in order(),
        ) {
            if let Ok(cursor) = Cursor::decode(&text, sort, order) {
                assert_usable(&cursor, sort, order);
            }
        }

        #[test]
        fn any_cursor_fields_are_accepted_exactly_when_they_fit_the_sort(cursor in any_fields()) {
            let fits_sort = match (cursor.sort, &cursor.key) {
                (SortKey::Id, None) | (SortKey::StartTime, Some(CursorKey::Int(_))) => true,
                (SortKey::Duration, Some(CursorKey::Int(_))) => cursor.as_of.is_some(),
                (SortKey::Id | SortKey::StartTime | SortKey::Duration, _) => false,
                (_, key) => matches!(key, Some(CursorKey::Text(_))),
            };
            let read = Cursor::decode(&cursor.encode(), cursor.sort, cursor.order);
            if fits_sort && fits_the_queries(&cursor) {
                prop_assert_eq!(read, Ok(cursor));
            } else {
                prop_assert_eq!(read, Err(CursorError::Malformed));
            }
        }
    }
}
