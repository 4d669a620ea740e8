//! Clients that open connections and then stall — mid-headers, or after one byte of a body —
//! are closed once they stop making progress, while ingest and `/health` keep answering.
mod common;

use std::time::{Duration, Instant};

use common::{Backend, TestServer};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const STALLED_BODIES: usize = 900;
const STALLED_HEADERS: usize = 100;
const TIMEOUT: Duration = Duration::from_secs(2);

/// Reads until the server closes the connection; what it said before closing.
async fn until_closed(mut stream: TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buffer = [0u8; 1024];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&answer).into_owned(),
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_clients_are_closed_and_the_server_stays_responsive() {
    let server = TestServer::start_with(Backend::Sqlite, |config| {
        config.connections.header_timeout = TIMEOUT;
        config.connections.body_idle_timeout = TIMEOUT;
    })
    .await;
    let addr = server.url.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let mut held = Vec::new();
    for n in 0..STALLED_BODIES + STALLED_HEADERS {
        let mut stream = TcpStream::connect(&addr).await.expect("connects");
        let request = if n < STALLED_BODIES {
            // A 100 KB envelope announced, one byte sent.
            format!(
                "POST /api/{}/envelope/ HTTP/1.1\r\nHost: {addr}\r\nX-Sentry-Auth: Sentry sentry_key={}, sentry_version=7\r\nContent-Length: 100000\r\n\r\n{{",
                server.project_id, server.public_key
            )
        } else {
            "POST /api/1/envelope/ HTTP/1.1\r\nHost: x\r\nX-Sentry-Au".to_string()
        };
        stream.write_all(request.as_bytes()).await.unwrap();
        held.push((n < STALLED_BODIES, tokio::spawn(until_closed(stream))));
    }

    // While they are all held: health answers and an event is ingested.
    let health = server
        .http
        .get(format!("{}/health", server.url))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("health answers while slow clients are held");
    assert!(health.status().is_success());
    let (event_id, _) = server.ingest(json!({ "message": "still ingesting" })).await;
    assert_eq!(event_id.len(), 32);
    let response = server
        .sdk_post("store")
        .json(&json!({ "message": "over HTTP too" }))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("ingest answers while slow clients are held");
    assert!(response.status().is_success());

    // Every stalled connection is closed within a few timeouts; stalled bodies are told 408.
    let deadline = started + TIMEOUT * 5;
    let mut timed_out_bodies = 0;
    for (stalled_body, task) in held {
        let left = deadline.saturating_duration_since(Instant::now());
        let answer = tokio::time::timeout(left.max(Duration::from_millis(10)), task)
            .await
            .expect("the server closed the stalled connection in time")
            .unwrap();
        if stalled_body {
            assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
            timed_out_bodies += 1;
        } else {
            assert!(answer.is_empty(), "{answer:?}");
        }
    }
    assert_eq!(timed_out_bodies, STALLED_BODIES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_cap_wait_for_a_slot() {
    let server = TestServer::start_with(Backend::Sqlite, |config| {
        config.connections.max_connections = 2;
        config.connections.header_timeout = TIMEOUT;
    })
    .await;
    let addr = server.url.trim_start_matches("http://").to_string();
    // Two idle connections take both slots.
    let first = TcpStream::connect(&addr).await.unwrap();
    let second = TcpStream::connect(&addr).await.unwrap();
    let started = Instant::now();
    let health = server
        .http
        .get(format!("{}/health", server.url))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("served once a slot frees");
    assert!(health.status().is_success());
    // It waited for the idle ones to be closed by the header timeout.
    assert!(started.elapsed() >= TIMEOUT / 2, "{:?}", started.elapsed());
    drop((first, second));
}
