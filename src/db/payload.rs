//! How an event's payload is stored: the normalised JSON compressed with zstd.
//!
//! A payload is about 4 KB of JSON, which does not fit in a 4 KiB SQLite page beside the row's
//! other columns: every event spilled into an overflow page of its own, one more page written
//! to the WAL and copied by checkpoints per event. Compressed (about a third of the size) it
//! stays in the row. Rows written before migration 000005 keep their JSON text in `payload`;
//! rows written since have an empty `payload` and the compressed text in `payload_zstd`.
use entity::event;
use serde::{Serialize, de::DeserializeOwned};

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

/// Capacity a thread's serialisation buffer keeps between events: a typical payload's text
/// fits, and a rare 1 MB one does not stay allocated in every thread that saw one.
const TEXT_BUFFER_KEPT: usize = 64 * 1024;

thread_local! {
    /// The buffer a payload's JSON text is written into before compression, reused so that
    /// serialising an event neither allocates nor grows a fresh string piece by piece.
    static TEXT_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The stored form of a payload, for `event.payload_zstd`: its JSON text, compressed.
pub fn store(payload: &impl Serialize) -> Vec<u8> {
    TEXT_BUFFER.with_borrow_mut(|text| {
        text.clear();
        serde_json::to_writer(&mut *text, payload).expect("an event serialises into memory");
        let compressed = compress(text);
        text.shrink_to(TEXT_BUFFER_KEPT);
        compressed
    })
}

/// The compressed form of a payload's JSON text, for `event.payload_zstd`.
pub fn compress(json: &[u8]) -> Vec<u8> {
    COMPRESSOR.with_borrow_mut(|compressor| {
        compressor
            .compress(json)
            .expect("zstd compresses any input in memory")
    })
}

/// The JSON text of a stored payload.
pub fn text(compressed: &[u8]) -> std::io::Result<Vec<u8>> {
    zstd::stream::decode_all(compressed)
}

/// A stored payload read back (as the typed event, or as its JSON tree).
pub fn parse<T: DeserializeOwned>(compressed: &[u8]) -> Result<T, String> {
    let text = text(compressed).map_err(|e| e.to_string())?;
    serde_json::from_slice(&text).map_err(|e| e.to_string())
}

/// The payload of a stored event, whichever way it was stored; empty (`Default`) if it cannot be
/// read (a damaged row is shown without its payload rather than failing the whole query).
pub fn read<T: DeserializeOwned + Default>(row: &event::Model) -> T {
    let parsed = match &row.payload_zstd {
        Some(compressed) => parse(compressed),
        None => serde_json::from_str(&row.payload).map_err(|e| e.to_string()),
    };
    parsed.unwrap_or_else(|error| {
        tracing::warn!(event = row.id, %error, "unreadable event payload");
        T::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn row(payload: &str, payload_zstd: Option<Vec<u8>>) -> event::Model {
        let now = chrono::Utc::now();
        event::Model {
            id: 1,
            project_id: 1,
            issue_id: 1,
            event_id: "0".repeat(32),
            timestamp: now,
            received_at: now,
            level: entity::states::Level::Error,
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
        let event = crate::test_fixtures::vector_event("py-01-exception-chained.envelope");
        let json_text = event.to_string();
        let compressed = store(&event);
        assert!(
            compressed.len() * 2 < json_text.len(),
            "{} of {}",
            compressed.len(),
            json_text.len()
        );
        assert_eq!(read::<Value>(&row("", Some(compressed))), event);
    }

    #[test]
    fn payloads_stored_one_after_another_each_read_back_alone() {
        let large = serde_json::json!({ "message": "x".repeat(3 * TEXT_BUFFER_KEPT) });
        let small = serde_json::json!({ "a": [1, 2] });
        for payload in [&large, &small, &large] {
            assert_eq!(&read::<Value>(&row("", Some(store(payload)))), payload);
        }
    }

    #[test]
    fn rows_from_before_compression_read_their_text() {
        assert_eq!(
            read::<Value>(&row(r#"{"a":1}"#, None)),
            serde_json::json!({"a": 1})
        );
    }

    #[test]
    fn a_damaged_payload_reads_as_null() {
        assert_eq!(
            read::<Value>(&row("", Some(b"not zstd".to_vec()))),
            Value::Null
        );
        assert_eq!(read::<Value>(&row("{", None)), Value::Null);
    }
}
