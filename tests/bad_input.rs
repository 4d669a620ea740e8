//! A catalogue of bad requests to the ingest endpoints: each gets its status and a JSON
//! `detail`, never a 500, and nothing is written. Then every captured SDK payload is accepted
//! through both endpoints in every encoding.
mod common;

use std::io::Write;

use base64::Engine;
use common::TestServer;
use serde_json::{Value, json};

#[derive(Clone, Copy)]
enum Auth {
    Header,
    None,
    Both,
    Garbage,
    UnknownKey,
    Version8,
}

struct Case {
    name: &'static str,
    path: &'static str,
    auth: Auth,
    encoding: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn envelope(item_header: &str, payload: &[u8]) -> Vec<u8> {
    let mut body = format!("{{}}\n{item_header}\n").into_bytes();
    body.extend_from_slice(payload);
    body
}

fn cases() -> Vec<Case> {
    let event = br#"{"message":"x"}"#.to_vec();
    let ok_envelope = envelope(r#"{"type":"event","length":15}"#, &event);
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes();
    let bomb = gzip(&vec![0u8; 110 * 1024 * 1024]);
    let big_event = format!(r#"{{"message":"{}"}}"#, "x".repeat(1_100_000)).into_bytes();
    let case = |name, path, auth, encoding, body: Vec<u8>, status| Case {
        name,
        path,
        auth,
        encoding,
        body,
        status,
    };
    vec![
        case("empty body", "envelope", Auth::Header, None, Vec::new(), 400),
        case("header only, not JSON", "envelope", Auth::Header, None, b"nope\n".to_vec(), 400),
        case("header is an array", "envelope", Auth::Header, None, b"[1]\n".to_vec(), 400),
        case("item header not JSON", "envelope", Auth::Header, None, b"{}\n{type\n".to_vec(), 400),
        case("item without type", "envelope", Auth::Header, None, b"{}\n{\"length\":1}\nx\n".to_vec(), 400),
        case("length past end", "envelope", Auth::Header, None, envelope(r#"{"type":"event","length":99}"#, &event), 400),
        case("bad terminator", "envelope", Auth::Header, None, [envelope(r#"{"type":"event","length":15}"#, &event), b"X".to_vec()].concat(), 400),
        case("extra blank line", "envelope", Auth::Header, None, [ok_envelope.clone(), b"\n\n".to_vec()].concat(), 400),
        case("negative length", "envelope", Auth::Header, None, envelope(r#"{"type":"event","length":-1}"#, &event), 400),
        case("truncated envelope", "envelope", Auth::Header, None, ok_envelope[..ok_envelope.len() - 5].to_vec(), 400),
        case("event not JSON", "envelope", Auth::Header, None, envelope(r#"{"type":"event"}"#, b"{broken"), 400),
        case("event not an object", "envelope", Auth::Header, None, envelope(r#"{"type":"event"}"#, b"[1,2]"), 400),
        case("invalid UTF-8 event", "envelope", Auth::Header, None, envelope(r#"{"type":"event"}"#, b"{\"message\":\"\xff\xfe\"}"), 400),
        case("JSON nested 10,000 deep", "envelope", Auth::Header, None, envelope(r#"{"type":"event"}"#, &deep), 400),
        case("event over 1 MiB", "envelope", Auth::Header, None, envelope(r#"{"type":"event"}"#, &big_event), 413),
        case("corrupt gzip", "envelope", Auth::Header, Some("gzip"), b"not gzip".to_vec(), 400),
        case("truncated gzip", "envelope", Auth::Header, Some("gzip"), gzip(&ok_envelope)[..12].to_vec(), 400),
        case("gzip bomb past the decompressed cap", "envelope", Auth::Header, Some("gzip"), bomb, 413),
        case("unsupported encoding", "envelope", Auth::Header, Some("compress"), ok_envelope.clone(), 415),
        case("body over the compressed cap", "envelope", Auth::Header, None, vec![b'{'; 21 * 1024 * 1024], 413),
        case("missing auth", "envelope", Auth::None, None, ok_envelope.clone(), 401),
        case("two auth sources", "envelope", Auth::Both, None, ok_envelope.clone(), 401),
        case("unparsable auth header", "envelope", Auth::Garbage, None, ok_envelope.clone(), 401),
        case("unknown key", "envelope", Auth::UnknownKey, None, ok_envelope.clone(), 403),
        case("protocol version 8", "envelope", Auth::Version8, None, ok_envelope.clone(), 400),
        case("non-numeric project", "abc", Auth::Header, None, ok_envelope.clone(), 400),
        case("another project", "other", Auth::Header, None, ok_envelope.clone(), 403),
        case("store: invalid JSON", "store", Auth::Header, None, b"{\"message\":".to_vec(), 400),
        case("store: not an object", "store", Auth::Header, None, b"\"just a string\"".to_vec(), 400),
        case("store: missing auth", "store", Auth::None, None, event.clone(), 401),
        case("store: over the event limit", "store", Auth::Header, None, big_event.clone(), 413),
        case("envelope dsn of another project", "envelope", Auth::None, None,
            b"{\"dsn\":\"http://0123456789abcdef0123456789abcdef@127.0.0.1/999\"}\n{\"type\":\"event\"}\n{}\n".to_vec(), 403),
        case("envelope dsn unparsable", "envelope", Auth::None, None, b"{\"dsn\":\"not a dsn\"}\n".to_vec(), 401),
    ]
}

async fn send(server: &TestServer, case: &Case) -> (u16, Value) {
    let url = match case.path {
        "envelope" => format!("{}/api/{}/envelope/", server.url, server.project_id),
        "store" => format!("{}/api/{}/store/", server.url, server.project_id),
        "abc" => format!("{}/api/abc/envelope/", server.url),
        _ => format!("{}/api/{}/envelope/", server.url, server.project_id + 1000),
    };
    let key = &server.public_key;
    let mut request = server.http.post(url).body(case.body.clone());
    request = match case.auth {
        Auth::Header => request.header(
            "x-sentry-auth",
            format!("Sentry sentry_key={key}, sentry_version=7"),
        ),
        Auth::None => request,
        Auth::Both => request
            .header("x-sentry-auth", format!("Sentry sentry_key={key}"))
            .header("authorization", format!("Sentry sentry_key={key}")),
        Auth::Garbage => request.header("x-sentry-auth", "Bearer nonsense"),
        Auth::UnknownKey => request.header(
            "x-sentry-auth",
            "Sentry sentry_key=ffffffffffffffffffffffffffffffff",
        ),
        Auth::Version8 => request.header(
            "x-sentry-auth",
            format!("Sentry sentry_key={key}, sentry_version=8"),
        ),
    };
    if let Some(encoding) = case.encoding {
        request = request.header("content-encoding", encoding);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn every_bad_request_is_refused_cleanly(server: TestServer) {
    let cases = cases();
    assert!(cases.len() >= 30);
    for case in &cases {
        let (status, body) = send(&server, case).await;
        assert_eq!(status, case.status, "{}: {body}", case.name);
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{}: no JSON detail: {body}",
            case.name
        );
    }
    for table in ["event", "issue", "attachment", "grouping_hash", "issue_tag"] {
        assert_eq!(
            server.count_rows(table).await,
            0,
            "{table} rows were written"
        );
    }
    let health = server
        .http
        .get(format!("{}/health", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

/// Every captured SDK request, through the envelope endpoint in every encoding and (its event)
/// through the store endpoint.
async fn every_fixture_is_accepted_in_every_encoding(server: TestServer) {
    let mut bodies = Vec::new();
    for file in [
        "sdk/python-sentry-sdk-2.75.0.jsonl",
        "sdk/node-sentry-11.12.0.jsonl",
    ] {
        for line in common::fixtures::read_text(file).lines() {
            let record: Value = serde_json::from_str(line).unwrap();
            bodies.push(
                base64::engine::general_purpose::STANDARD
                    .decode(record["body_b64"].as_str().unwrap())
                    .unwrap(),
            );
        }
    }
    let encode = |encoding: &str, body: &[u8]| -> Vec<u8> {
        match encoding {
            "gzip" => gzip(body),
            "deflate" => {
                let mut e =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                e.write_all(body).unwrap();
                e.finish().unwrap()
            }
            "br" => {
                let mut out = Vec::new();
                brotli::CompressorWriter::new(&mut out, 4096, 4, 22)
                    .write_all(body)
                    .unwrap();
                out
            }
            "zstd" => zstd::encode_all(body, 3).unwrap(),
            _ => body.to_vec(),
        }
    };
    let ids = regex::Regex::new(r#""event_id":"[0-9a-f]"#).unwrap();
    let mut events = 0;
    for body in &bodies {
        for (index, encoding) in ["identity", "gzip", "deflate", "br", "zstd"]
            .iter()
            .enumerate()
        {
            // Each copy gets its own event ids (first hex digit changed: same length, so item
            // `length` headers stay right) and is stored rather than deduplicated.
            let fresh = ids
                .replace_all(
                    &String::from_utf8_lossy(body),
                    format!("\"event_id\":\"{index}").as_str(),
                )
                .into_owned();
            let response = server
                .sdk_post("envelope")
                .header("content-encoding", *encoding)
                .body(encode(encoding, fresh.as_bytes()))
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                200,
                "{encoding}: {}",
                response.text().await.unwrap()
            );
        }
        // The event item alone through the legacy store endpoint.
        let text = String::from_utf8_lossy(body).to_string();
        let is_event = |line: &&str| {
            serde_json::from_str::<Value>(line).is_ok_and(|v| {
                v.get("type").is_none()
                    && ["exception", "message", "logentry"]
                        .iter()
                        .any(|k| v.get(k).is_some())
            })
        };
        if let Some(event) = text.lines().find(is_event) {
            let response = server
                .sdk_post("store")
                .body(event.replace("\"event_id\":", "\"ignored_id\":"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            events += 1;
        }
    }
    assert!(events >= 5, "store endpoint exercised ({events})");
    assert!(server.count_rows("event").await >= events as i64);
    let data = server
        .graphql(
            "query($p: ID!) { project(id: $p) { issues { totalCount } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert!(data["project"]["issues"]["totalCount"].as_i64().unwrap() >= 5);
}

/// A GraphQL body over the cap is refused (413) from its declared length, before any of it is
/// read, with or without a token: the body is read before the token is checked. The request
/// is written by hand and its body never sent, so the answer cannot race the upload.
async fn oversized_graphql_bodies_are_refused(server: TestServer) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = server.url.trim_start_matches("http://").to_string();
    for token in [None, Some(server.token.as_str())] {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let authorization = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{authorization}\r\n",
            3 << 20
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let mut chunk = [0u8; 1024];
        while !answer.windows(2).any(|w| w == b"\r\n") {
            let read =
                tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut chunk))
                    .await
                    .expect("an answer before the body is sent")
                    .unwrap();
            assert!(read > 0, "closed without an answer");
            answer.extend_from_slice(&chunk[..read]);
        }
        let status_line = String::from_utf8_lossy(&answer);
        assert!(
            status_line.starts_with("HTTP/1.1 413"),
            "token {token:?}: {status_line}"
        );
    }
    // A body under the cap is served as before.
    let data = server.graphql("{ projects { id } }", json!({})).await;
    assert!(data["projects"].is_array());
}

on_both_databases!(
    every_bad_request_is_refused_cleanly,
    every_fixture_is_accepted_in_every_encoding,
    oversized_graphql_bodies_are_refused
);
