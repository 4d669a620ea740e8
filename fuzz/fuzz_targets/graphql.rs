//! Arbitrary bytes through the GraphQL request path of a running server, over real HTTP: the
//! body cap, credential check, JSON decoding, parsing, validation, the document limits and
//! execution against a SQLite database with a project, an issue and an event. Half the inputs go
//! in as the raw request body, half as the `query` of a well-formed request, to reach deeper.
//! Nothing may panic (libFuzzer aborts on a panic in any thread), hang, or answer 500.
//! Run from `fuzz/`: `RUSTC_BOOTSTRAP=1 cargo fuzz run graphql corpus/graphql -- -max_total_time=600`.
#![no_main]

use std::net::SocketAddr;
use std::sync::LazyLock;

use larder::accounts::{organizations, projects, tokens};
use larder::app::Server;
use larder::config::Config;
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Harness {
    runtime: tokio::runtime::Runtime,
    addr: SocketAddr,
    token: String,
    _dir: tempfile::TempDir,
}

static HARNESS: LazyLock<Harness> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/larder.db", dir.path().display());
    let (addr, token) = runtime.block_on(async {
        let mut config = Config::new(url, "127.0.0.1:0".parse().unwrap(), Some("http://127.0.0.1:0".into()));
        config.secret_key = Some(hex::encode(larder::secrets::random_key()));
        let server = Server::bind(config).await.unwrap();
        let addr = server.addr;
        let db = server.state.db.clone();
        tokio::spawn(server.run());
        let organization = organizations::find_or_create(&db, Some("fuzz")).await.unwrap();
        projects::create_project(&db, organization.id, "Fuzz").await.unwrap();
        let token = tokens::create_token(&db, organization.id, "fuzz").await.unwrap();
        let harness = (addr, token);
        let seed = r#"{"query":"mutation { ingestEvent(projectId: \"1\", event: {message: \"seed\", level: \"error\"}) { eventId } }"}"#;
        assert!(post(harness.0, &harness.1, seed.as_bytes()).await.starts_with("HTTP/1.1 200"));
        harness
    });
    Harness { runtime, addr, token, _dir: dir }
});

/// POSTs `body` to `/graphql` with the token; the status line of the answer.
async fn post(addr: SocketAddr, token: &str, body: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let _ = stream.write_all(body).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let end = answer.iter().position(|b| *b == b'\r').unwrap_or(answer.len());
    String::from_utf8_lossy(&answer[..end]).into_owned()
}

fuzz_target!(|data: &[u8]| {
    let harness = &*HARNESS;
    let body = match data.split_first() {
        Some((mode, rest)) if mode % 2 == 0 => {
            let query = String::from_utf8_lossy(rest);
            serde_json::to_vec(&serde_json::json!({ "query": query })).unwrap()
        }
        _ => data.to_vec(),
    };
    let status = harness.runtime.block_on(post(harness.addr, &harness.token, &body));
    assert!(status.starts_with("HTTP/1.1 "), "no HTTP answer: {status:?}");
    assert!(!status.starts_with("HTTP/1.1 500"), "the server failed: {status}");
});
