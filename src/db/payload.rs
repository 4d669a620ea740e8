//! How an event's payload is stored: the normalised JSON compressed with zstd.
//!
//! A payload is about 4 KB of JSON, which does not fit in a 4 KiB SQLite page beside the row's
//! other columns: every event spilled into an overflow page of its own, one more page written
//! to the WAL and copied by checkpoints per event. Compressed (about a third of the size) it
//! stays in the row. Rows written before migration 000005 keep their JSON text in `payload`;
//! rows written since have an empty `payload` and the compressed text in `payload_zstd`.
use entity::event;
use serde_json::Value;

/// zstd's fastest regular level: the compression runs in the request task for every event.
const LEVEL: i32 = 1;

thread_local! {
    /// One compression context per thread: creating one allocates and clears its tables, which
    /// costs more than compressing a 4 KB payload.
    static COMPRESSOR: std::cell::RefCell<zstd::bulk::Compressor<'static>> =
        std::cell::RefCell::new(
            zstd::bulk::Compressor::new(LEVEL).expect("a zstd context at a valid level"),
        );
}

/// The compressed form of a payload's JSON text, for `event.payload_zstd`.
pub fn compress(json: &str) -> Vec<u8> {
    COMPRESSOR.with_borrow_mut(|compressor| {
        compressor
            .compress(json.as_bytes())
            .expect("zstd compresses any input in memory")
    })
}

/// The payload of a stored event as JSON, whichever way it was stored; `Null` if it cannot be
/// read (a damaged row is shown without its payload rather than failing the whole query).
pub fn json(row: &event::Model) -> Value {
    let parsed = match &row.payload_zstd {
        Some(compressed) => zstd::stream::decode_all(compressed.as_slice())
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_slice(&text).map_err(|e| e.to_string())),
        None => serde_json::from_str(&row.payload).map_err(|e| e.to_string()),
    };
    parsed.unwrap_or_else(|error| {
        tracing::warn!(event = row.id, %error, "unreadable event payload");
        Value::Null
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(payload: &str, payload_zstd: Option<Vec<u8>>) -> event::Model {
        let now = chrono::Utc::now();
        event::Model {
            id: 1,
            project_id: 1,
            issue_id: 1,
            event_id: "0".repeat(32),
            timestamp: now,
            received_at: now,
            level: "error".into(),
            platform: "python".into(),
            release: None,
            environment: None,
            message: None,
            title: "ValueError".into(),
            hash: "h".into(),
            user_key: None,
            payload: payload.into(),
            payload_zstd,
        }
    }

    #[test]
    fn a_compressed_payload_reads_back_and_is_smaller() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/spec/vectors/py-01-exception-chained.envelope"
        ))
        .unwrap();
        let event: Value = serde_json::from_str(text.lines().nth(2).unwrap()).unwrap();
        let json_text = event.to_string();
        let compressed = compress(&json_text);
        assert!(
            compressed.len() * 2 < json_text.len(),
            "{} of {}",
            compressed.len(),
            json_text.len()
        );
        assert_eq!(json(&row("", Some(compressed))), event);
    }

    #[test]
    fn rows_from_before_compression_read_their_text() {
        assert_eq!(json(&row(r#"{"a":1}"#, None)), serde_json::json!({"a": 1}));
    }

    #[test]
    fn a_damaged_payload_reads_as_null() {
        assert_eq!(json(&row("", Some(b"not zstd".to_vec()))), Value::Null);
        assert_eq!(json(&row("{", None)), Value::Null);
    }
}
