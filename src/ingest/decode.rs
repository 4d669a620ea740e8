//! Step 2: the request body as the parser needs it. `Content-Encoding` (gzip, deflate, br,
//! zstd, identity) is undone with a hard cap on the output, so a few kilobytes of gzip cannot
//! expand into gigabytes: decoding stops as soon as the cap is passed.
use axum::http::StatusCode;
use std::io::Read;

use super::IngestError;

/// Decodes `raw` per its `Content-Encoding`; more than `limit` decoded bytes is a 413.
pub fn decode_body(
    content_encoding: Option<&str>,
    raw: &[u8],
    limit: usize,
) -> Result<Vec<u8>, IngestError> {
    // A list (`gzip, br`) names the encodings in the order they were applied: undo the last first.
    let encodings: Vec<String> = content_encoding
        .unwrap_or("")
        .split(',')
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !identity_token(e))
        .collect();
    let mut layers = encodings.iter().rev();
    let Some(outermost) = layers.next() else {
        return within_limit(raw.to_vec(), limit);
    };
    let mut body = decode_one(outermost, raw, limit)?;
    for encoding in layers {
        body = decode_one(encoding, &body, limit)?;
    }
    Ok(body)
}

/// Whether a `Content-Encoding` value means the body is not encoded.
pub fn is_identity(content_encoding: Option<&str>) -> bool {
    content_encoding
        .unwrap_or("")
        .split(',')
        .all(|e| identity_token(&e.trim().to_ascii_lowercase()))
}

/// Values Relay treats as "no encoding" (sentry-ruby sends "", old Android SDKs "UTF-8").
fn identity_token(encoding: &str) -> bool {
    matches!(encoding, "" | "identity" | "utf-8")
}

fn decode_one(encoding: &str, body: &[u8], limit: usize) -> Result<Vec<u8>, IngestError> {
    match encoding {
        // The `bufread` decoders read the body in place (the `read` ones copy it into a buffer).
        "gzip" | "x-gzip" => read_capped(
            flate2::bufread::MultiGzDecoder::new(body),
            limit,
            encoding,
            gzip_size_hint(body),
        ),
        // HTTP's `deflate` is zlib-wrapped (RFC 1950); some clients send raw deflate anyway.
        "deflate" => match read_capped(flate2::bufread::ZlibDecoder::new(body), limit, encoding, 0)
        {
            Err(error) if error.status == StatusCode::BAD_REQUEST => read_capped(
                flate2::bufread::DeflateDecoder::new(body),
                limit,
                encoding,
                0,
            ),
            result => result,
        },
        "br" => read_capped(brotli::Decompressor::new(body, 8192), limit, encoding, 0),
        "zstd" => {
            let decoder = zstd::stream::read::Decoder::new(body)
                .map_err(|e| IngestError::bad_request(format!("invalid zstd body: {e}")))?;
            read_capped(decoder, limit, encoding, 0)
        }
        other => Err(IngestError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("unsupported content encoding {other:?}"),
        )),
    }
}

/// Reads at most `limit + 1` bytes: one more than allowed proves the body is too large
/// without ever holding more than that in memory. `size_hint` (0 if unknown) sizes the output
/// buffer up front, so that it is not grown and copied on the way.
fn read_capped(
    reader: impl Read,
    limit: usize,
    encoding: &str,
    size_hint: usize,
) -> Result<Vec<u8>, IngestError> {
    let mut out = Vec::with_capacity(size_hint.min(limit + 1));
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| IngestError::bad_request(format!("invalid {encoding} body: {e}")))?;
    within_limit(out, limit)
}

/// The decoded size a gzip body announces in its last 4 bytes (ISIZE, RFC 1952: the size of
/// the last member modulo 2³²), bounded by `MAX_HINTED_RATIO` times the body's own size: it is
/// only a hint, and a small body claiming gigabytes must not make the server reserve them.
fn gzip_size_hint(body: &[u8]) -> usize {
    let Some(trailer) = body.last_chunk::<4>() else {
        return 0;
    };
    let announced = u32::from_le_bytes(*trailer) as usize;
    announced.min(body.len().saturating_mul(MAX_HINTED_RATIO))
}

/// Largest decoded-to-encoded ratio a size hint is believed for (JSON events compress 3-10×).
const MAX_HINTED_RATIO: usize = 32;

fn within_limit(body: Vec<u8>, limit: usize) -> Result<Vec<u8>, IngestError> {
    if body.len() > limit {
        Err(IngestError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body exceeds {limit} bytes after decompression"),
        ))
    } else {
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const TEXT: &[u8] = b"{\"message\":\"hello\"}\n";

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn every_encoding_round_trips() {
        let zlib = {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(TEXT).unwrap();
            e.finish().unwrap()
        };
        let raw_deflate = {
            let mut e =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(TEXT).unwrap();
            e.finish().unwrap()
        };
        let brotli = {
            let mut out = Vec::new();
            brotli::CompressorWriter::new(&mut out, 4096, 4, 22)
                .write_all(TEXT)
                .unwrap();
            out
        };
        let zstd = zstd::encode_all(TEXT, 3).unwrap();
        for (encoding, body) in [
            (Some("gzip"), gzip(TEXT)),
            (Some("GZIP"), gzip(TEXT)),
            (Some("deflate"), zlib),
            (Some("deflate"), raw_deflate),
            (Some("br"), brotli),
            (Some("zstd"), zstd),
            (None, TEXT.to_vec()),
            (Some(""), TEXT.to_vec()),
            (Some("UTF-8"), TEXT.to_vec()),
            (Some("identity"), TEXT.to_vec()),
        ] {
            assert_eq!(
                decode_body(encoding, &body, 1024).unwrap(),
                TEXT,
                "{encoding:?}"
            );
        }
    }

    #[test]
    fn gzip_is_decoded_into_a_buffer_of_the_announced_size() {
        // Compressible like an event (a few times), not like a repeated line (hundreds).
        let text: Vec<u8> = (0..500u64)
            .flat_map(|i| format!("{{\"n\":{i},\"v\":{}}}\n", i * 7919 % 10007).into_bytes())
            .collect();
        let body = gzip(&text);
        assert!(text.len() < body.len() * MAX_HINTED_RATIO);
        let decoded = decode_body(Some("gzip"), &body, 1 << 20).unwrap();
        assert_eq!(decoded, text);
        assert_eq!(decoded.capacity(), text.len(), "sized once, never grown");
    }

    #[test]
    fn a_lying_gzip_size_reserves_no_more_than_the_bound() {
        let mut body = gzip(TEXT);
        let end = body.len();
        body[end - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(gzip_size_hint(&body), body.len() * MAX_HINTED_RATIO);
        assert_eq!(gzip_size_hint(b"ab"), 0);
        // The decoder checks the trailer: the lie is refused as a bad body.
        assert_eq!(
            decode_body(Some("gzip"), &body, 1024).unwrap_err().status,
            400
        );
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_cap() {
        let bomb = gzip(&vec![0u8; 50 * 1024 * 1024]);
        assert!(bomb.len() < 100 * 1024, "the bomb is small on the wire");
        let error = decode_body(Some("gzip"), &bomb, 1024 * 1024).unwrap_err();
        assert_eq!(error.status, 413);
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        assert_eq!(
            decode_body(Some("gzip"), b"not gzip at all", 1024)
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            decode_body(Some("compress"), TEXT, 1024)
                .unwrap_err()
                .status,
            415
        );
        assert_eq!(decode_body(None, TEXT, 4).unwrap_err().status, 413);
        let truncated = &gzip(TEXT)[..10];
        assert_eq!(
            decode_body(Some("gzip"), truncated, 1024)
                .unwrap_err()
                .status,
            400
        );
    }
}
