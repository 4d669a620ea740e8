//! Relay-style cursors: opaque base64 of the sort key and row id, so pages stay stable while new
//! rows arrive (keyset pagination, no OFFSET scans).
use async_graphql::SimpleObject;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::bad_input;

#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

/// Where a page ends: the sort column's value (as a string) and the row id as tie-breaker.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Cursor {
    pub value: String,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("a cursor always serialises"))
    }

    pub fn decode(text: &str) -> async_graphql::Result<Cursor> {
        URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| bad_input(format!("invalid cursor {text:?}")))
    }
}

/// Page size: default 25, at most 100.
pub fn page_size(first: Option<i32>) -> async_graphql::Result<u64> {
    match first {
        None => Ok(25),
        Some(n) if (1..=100).contains(&n) => Ok(n as u64),
        Some(n) => Err(bad_input(format!(
            "first must be between 1 and 100, got {n}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let cursor = Cursor {
            value: "2026-11-25T03:00:00Z".into(),
            id: 7,
        };
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        assert!(Cursor::decode("not a cursor").is_err());
    }

    #[test]
    fn page_size_is_bounded() {
        assert_eq!(page_size(None).unwrap(), 25);
        assert_eq!(page_size(Some(100)).unwrap(), 100);
        assert!(page_size(Some(0)).is_err());
        assert!(page_size(Some(101)).is_err());
    }
}
