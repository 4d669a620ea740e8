//! Step 3: envelope framing, exactly as Relay parses it (protocol spec §3.2): a header line, then
//! items of a header line and a payload that runs for `length` bytes or to the next newline.
use axum::http::StatusCode;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::IngestError;
use crate::config::IngestLimits;

/// Largest `client_report` item (Relay's limit).
const MAX_CLIENT_REPORT: usize = 4 * 1024;
/// Largest `check_in` item.
const MAX_CHECK_IN: usize = 100 * 1024;
/// Most session items in one envelope.
const MAX_SESSIONS: usize = 100;

#[derive(Debug)]
pub struct Envelope {
    pub headers: Map<String, Value>,
    pub items: Vec<Item>,
}

#[derive(Debug)]
pub struct Item {
    pub headers: Map<String, Value>,
    pub item_type: ItemType,
    /// The payload bytes (a slice of the body, not a copy).
    pub payload: Bytes,
}

/// An item's `type` header: the kinds Larder stores or limits by name, and any other kept as
/// sent (it is counted as skipped under its name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemType {
    Event,
    Transaction,
    Security,
    Attachment,
    UserReport,
    Feedback,
    ReplayEvent,
    ClientReport,
    CheckIn,
    Session,
    Sessions,
    Other(String),
}

impl ItemType {
    const NAMED: [(&'static str, ItemType); 11] = [
        ("event", ItemType::Event),
        ("transaction", ItemType::Transaction),
        ("security", ItemType::Security),
        ("attachment", ItemType::Attachment),
        ("user_report", ItemType::UserReport),
        ("feedback", ItemType::Feedback),
        ("replay_event", ItemType::ReplayEvent),
        ("client_report", ItemType::ClientReport),
        ("check_in", ItemType::CheckIn),
        ("session", ItemType::Session),
        ("sessions", ItemType::Sessions),
    ];

    pub fn parse(name: &str) -> ItemType {
        Self::NAMED
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, kind)| kind.clone())
            .unwrap_or_else(|| ItemType::Other(name.to_string()))
    }

    /// The name SDKs write in the item header.
    pub fn as_str(&self) -> &str {
        match self {
            ItemType::Other(name) => name,
            known => Self::NAMED
                .iter()
                .find(|(_, kind)| kind == known)
                .map(|(name, _)| *name)
                .expect("every named item type is in NAMED"),
        }
    }
}

fn invalid(reason: &str) -> IngestError {
    IngestError::invalid_envelope(reason)
}

impl Envelope {
    pub fn parse(body: Bytes) -> Result<Envelope, IngestError> {
        if body.is_empty() {
            return Err(IngestError::bad_request("empty request body"));
        }
        let (headers, mut offset) = header_line(&body, 0, "invalid envelope header")?;
        let mut items = Vec::new();
        while offset < body.len() {
            let (headers, payload_start) = header_line(&body, offset, "invalid item header")?;
            let item_type = headers
                .get("type")
                .and_then(Value::as_str)
                .map(ItemType::parse)
                .ok_or_else(|| invalid("item header has no type"))?;
            let payload_end = match headers.get("length") {
                None | Some(Value::Null) => memchr(&body, payload_start).unwrap_or(body.len()),
                Some(length) => {
                    let length = length
                        .as_u64()
                        .and_then(|n| usize::try_from(n).ok())
                        .ok_or_else(|| invalid("item length is not an unsigned integer"))?;
                    let end = payload_start
                        .checked_add(length)
                        .filter(|end| *end <= body.len())
                        .ok_or_else(|| invalid("unexpected end of file"))?;
                    if end < body.len() && body[end] != b'\n' {
                        return Err(invalid("missing newline after header or payload"));
                    }
                    end
                }
            };
            items.push(Item {
                headers,
                item_type,
                payload: body.slice(payload_start..payload_end),
            });
            offset = payload_end + 1;
        }
        Ok(Envelope { headers, items })
    }

    /// The envelope's event id as 32 lowercase hex (Rust SDKs send it dashed).
    pub fn event_id(&self) -> Result<Option<String>, IngestError> {
        match self.headers.get("event_id") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(id)) => normalize_event_id(id)
                .map(Some)
                .ok_or_else(|| invalid("event_id in the envelope header is not a UUID")),
            Some(_) => Err(invalid("event_id in the envelope header is not a string")),
        }
    }

    /// When the SDK sent the envelope (for clock-drift correction).
    pub fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.headers
            .get("sent_at")
            .and_then(Value::as_str)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    }

    /// The `dsn` header: self-authentication of tunnelled envelopes.
    pub fn dsn(&self) -> Option<&str> {
        self.headers.get("dsn").and_then(Value::as_str)
    }

    /// Refuses the whole envelope (413) when an item is larger than its type allows.
    pub fn check_limits(&self, limits: &IngestLimits) -> Result<(), IngestError> {
        let too_large = |kind: &str| {
            IngestError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("envelope exceeded size limits for type '{kind}'"),
            )
        };
        let mut attachments = 0usize;
        let mut sessions = 0usize;
        for item in &self.items {
            let size = item.payload.len();
            let kind = item.item_type.as_str();
            let limit = match item.item_type {
                ItemType::Event
                | ItemType::Transaction
                | ItemType::Feedback
                | ItemType::UserReport
                | ItemType::Security
                | ItemType::ReplayEvent => limits.max_event_size,
                ItemType::Attachment => {
                    attachments += size;
                    if attachments > limits.max_attachment_size {
                        return Err(too_large("attachment"));
                    }
                    limits.max_attachment_size
                }
                ItemType::ClientReport => MAX_CLIENT_REPORT,
                ItemType::CheckIn => MAX_CHECK_IN,
                ItemType::Session | ItemType::Sessions => {
                    sessions += 1;
                    if sessions > MAX_SESSIONS {
                        return Err(too_large(kind));
                    }
                    limits.max_event_size
                }
                ItemType::Other(_) => usize::MAX,
            };
            if size > limit {
                return Err(too_large(kind));
            }
        }
        Ok(())
    }
}

/// 32 lowercase hex from a UUID in simple or hyphenated form, any case.
pub fn normalize_event_id(id: &str) -> Option<String> {
    uuid::Uuid::try_parse(id.trim())
        .ok()
        .map(|u| u.simple().to_string())
}

/// One JSON object followed by `\n` or the end of the body; returns it and the next offset.
fn header_line(
    body: &Bytes,
    offset: usize,
    what: &str,
) -> Result<(Map<String, Value>, usize), IngestError> {
    let end = memchr(body, offset).unwrap_or(body.len());
    let line = &body[offset..end];
    let headers: Map<String, Value> = serde_json::from_slice(line).map_err(|e| {
        if line.iter().all(u8::is_ascii_whitespace) {
            invalid("unexpected end of file")
        } else {
            invalid(&format!("{what}: {e}"))
        }
    })?;
    Ok((headers, (end + 1).min(body.len())))
}

fn memchr(body: &[u8], from: usize) -> Option<usize> {
    body.get(from..)?
        .iter()
        .position(|b| *b == b'\n')
        .map(|i| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every captured and hand-written vector parses (or is refused) exactly as the reference
    /// parser's summary in `expected.txt` says: item types, payload lengths, declared or implicit.
    #[test]
    fn vectors_match_the_reference_parser() {
        let dir = crate::test_fixtures::path("vectors");
        let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
        let mut checked = 0;
        for line in expected.lines() {
            let (file, summary) = line.split_once(": ").unwrap();
            let body = std::fs::read(dir.join(file)).unwrap();
            match Envelope::parse(body.into()) {
                Err(error) => {
                    assert!(
                        summary.starts_with("REJECT"),
                        "{file}: refused ({error}) but expected {summary}"
                    );
                    assert_eq!(error.status, 400);
                }
                Ok(envelope) => {
                    assert!(
                        !summary.starts_with("REJECT"),
                        "{file}: accepted but expected {summary}"
                    );
                    for item in &envelope.items {
                        let framing = if item.headers.contains_key("length") {
                            "declared"
                        } else {
                            "implicit"
                        };
                        let described = format!(
                            "{}(len={},{framing}",
                            item.item_type.as_str(),
                            item.payload.len()
                        );
                        assert!(
                            summary.contains(&described),
                            "{file}: {described} not in {summary}"
                        );
                    }
                    assert_eq!(
                        envelope.items.len(),
                        summary.matches("(len=").count(),
                        "{file}"
                    );
                    if let Some(id) = summary
                        .split("event_id=")
                        .nth(1)
                        .map(|s| s.split(';').next().unwrap().trim())
                    {
                        assert_eq!(
                            envelope.event_id().unwrap(),
                            normalize_event_id(id),
                            "{file}"
                        );
                    }
                }
            }
            checked += 1;
        }
        assert_eq!(checked, 19);
    }

    #[test]
    fn garbage_never_panics() {
        for body in [
            &b"\n"[..],
            b"{}\n{\"type\":\"event\",\"length\":18446744073709551615}\n",
            b"{}\n\n",
            b"{}{}",
            b"{\"event_id\":5}\n",
        ] {
            let _ = Envelope::parse(bytes::Bytes::copy_from_slice(body)).map(|e| e.event_id());
        }
    }
}
