//! The legacy `/store/` body: one event JSON, or — from very old SDKs — the JSON base64-encoded
//! and possibly zlib-compressed (protocol spec §4.2).
use std::io::Read;

use base64::Engine;
use serde_json::Value;

use super::IngestError;
use super::items::parse_event_json;

/// Largest legacy payload after inflating (the event limit applies to the JSON anyway).
const MAX_INFLATED: u64 = 10 * 1024 * 1024;

pub fn decode_store_body(body: &[u8]) -> Result<Value, IngestError> {
    let trimmed = body.trim_ascii_start();
    if trimmed.starts_with(b"{") {
        return parse_event_json(trimmed);
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(trimmed.trim_ascii_end())
        .map_err(|_| {
            IngestError::bad_request("invalid store body: not JSON, nor base64-encoded JSON")
        })?;
    if decoded.trim_ascii_start().starts_with(b"{") {
        return parse_event_json(&decoded);
    }
    let mut inflated = Vec::new();
    flate2::read::ZlibDecoder::new(decoded.as_slice())
        .take(MAX_INFLATED)
        .read_to_end(&mut inflated)
        .map_err(|e| IngestError::bad_request(format!("invalid store body: {e}")))?;
    parse_event_json(&inflated)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn plain_base64_and_zlib_bodies_decode() {
        let json = br#"{"message":"legacy"}"#;
        let b64 = base64::engine::general_purpose::STANDARD.encode(json);
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(json).unwrap();
        let zlib_b64 = base64::engine::general_purpose::STANDARD.encode(zlib.finish().unwrap());
        for body in [json.to_vec(), b64.into_bytes(), zlib_b64.into_bytes()] {
            assert_eq!(decode_store_body(&body).unwrap()["message"], "legacy");
        }
        assert_eq!(decode_store_body(b"%%%").unwrap_err().status, 400);
        assert_eq!(decode_store_body(b"{broken").unwrap_err().status, 400);
    }
}
