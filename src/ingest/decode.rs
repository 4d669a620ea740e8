//! Step 2: the request body as the parser needs it. `Content-Encoding` (gzip, deflate, br,
//! zstd, identity) is undone with a hard cap on the output, so a few kilobytes of gzip cannot
//! expand into gigabytes: decoding stops as soon as the cap is passed.
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
    if encodings.is_empty() {
        return within_limit(raw.to_vec(), limit);
    }
    let mut body = raw.to_vec();
    for encoding in encodings.iter().rev() {
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
        "gzip" | "x-gzip" => read_capped(flate2::read::MultiGzDecoder::new(body), limit, encoding),
        // HTTP's `deflate` is zlib-wrapped (RFC 1950); some clients send raw deflate anyway.
        "deflate" => match read_capped(flate2::read::ZlibDecoder::new(body), limit, encoding) {
            Err(error) if error.status == 400 => {
                read_capped(flate2::read::DeflateDecoder::new(body), limit, encoding)
            }
            result => result,
        },
        "br" => read_capped(brotli::Decompressor::new(body, 8192), limit, encoding),
        "zstd" => {
            let decoder = zstd::stream::read::Decoder::new(body)
                .map_err(|e| IngestError::bad_request(format!("invalid zstd body: {e}")))?;
            read_capped(decoder, limit, encoding)
        }
        other => Err(IngestError::new(
            415,
            format!("unsupported content encoding {other:?}"),
        )),
    }
}

/// Reads at most `limit + 1` bytes: one more than allowed proves the body is too large
/// without ever holding more than that in memory.
fn read_capped(reader: impl Read, limit: usize, encoding: &str) -> Result<Vec<u8>, IngestError> {
    let mut out = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| IngestError::bad_request(format!("invalid {encoding} body: {e}")))?;
    within_limit(out, limit)
}

fn within_limit(body: Vec<u8>, limit: usize) -> Result<Vec<u8>, IngestError> {
    if body.len() > limit {
        Err(IngestError::new(
            413,
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
