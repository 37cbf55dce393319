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
            (SortKey::Duration, Some(CursorKey::Int(_))) => cursor.as_of.is_some(),
            (
                SortKey::Name | SortKey::Email | SortKey::AppName | SortKey::Status,
                Some(CursorKey::Text(_)),
            ) => true,
            _ => false,
        };
        if key_fits {
            Ok(cursor)
        } else {
            Err(CursorError::Malformed)
        }
    }
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
