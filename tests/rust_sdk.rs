//! The real Rust `sentry` SDK pointed at a live server: capture_error, capture_message and a
//! panic through the panic integration arrive as events with stack traces, grouped into issues.
mod common;

use common::TestServer;
use serde_json::{Value, json};

#[derive(Debug)]
struct ParseFailure;

impl std::fmt::Display for ParseFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid order number")
    }
}

impl std::error::Error for ParseFailure {}

/// The SDK's client is process-wide: tests take turns using it, or one test's events would
/// reach the other's server.
static SDK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `report` with the SDK initialised for the server (on a thread of its own, where the
/// SDK's client and blocking transport live, taking the SDK's turn), then flushes.
fn with_sdk(
    server: &TestServer,
    options: sentry::ClientOptions,
    report: impl FnOnce() + Send + 'static,
) {
    let dsn = server.dsn.clone();
    let _turn = SDK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    std::thread::spawn(move || {
        let _guard = sentry::init((dsn, options));
        // Threads spawned while reporting start from the process's main hub, which another
        // test's thread may own: give it this client too.
        sentry::Hub::main().bind_client(sentry::Hub::current().client());
        report();
        if let Some(client) = sentry::Hub::current().client() {
            client.flush(Some(std::time::Duration::from_secs(10)));
        }
    })
    .join()
    .unwrap();
}

/// The project's issues once they hold at least `events` events.
async fn issues_holding(server: &TestServer, events: i64) -> Vec<Value> {
    server
        .eventually("the SDK's events", || async {
            let found = issues(server).await;
            let count: i64 = found.iter().map(|i| i["count"].as_i64().unwrap()).sum();
            (count >= events).then_some(found)
        })
        .await
}

async fn issues(server: &TestServer) -> Vec<Value> {
    let data = server
        .graphql(
            "query($p: ID!) { project(id: $p) { issues(first: 20) { edges { node { title count level latestEvent { platform level exceptions { type stacktrace { frames { function inApp } } } } } } } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    data["project"]["issues"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_sdk_events_arrive_grouped() {
    let server = TestServer::start(common::Backend::Sqlite).await;
    let mut options = sentry::ClientOptions::default();
    options.attach_stacktrace = true;
    with_sdk(&server, options, || {
        for _ in 0..2 {
            sentry::capture_error(&ParseFailure);
        }
        sentry::capture_message("Payment for order 1234 failed", sentry::Level::Warning);
        let panicked = std::thread::spawn(|| panic!("user 5 not found")).join();
        assert!(panicked.is_err());
    });
    let found = issues_holding(&server, 4).await;
    let by_title = |prefix: &str| {
        found
            .iter()
            .find(|i| i["title"].as_str().unwrap().starts_with(prefix))
            .cloned()
    };
    let error = by_title("ParseFailure").unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(error["count"], 2, "the same error twice is one issue");
    assert_eq!(error["latestEvent"]["platform"], "native");
    let message = by_title("Payment for order").unwrap();
    assert_eq!(message["level"], "WARNING");
    let panic = by_title("panic: user 5 not found").unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(panic["level"], "FATAL");
    let frames = panic["latestEvent"]["exceptions"][0]["stacktrace"]["frames"]
        .as_array()
        .unwrap();
    assert!(
        frames.iter().any(|f| f["function"]
            .as_str()
            .unwrap_or("")
            .contains("rust_sdk_events_arrive_grouped")),
        "{frames:?}"
    );
}

/// A function of the application that panics on bad input.
type Step = fn(&str) -> u32;

#[inline(never)]
fn parse_quantity(text: &str) -> u32 {
    text.parse().unwrap()
}

#[inline(never)]
fn price_of(sku: &str) -> u32 {
    let prices = [("tea", 450), ("cake", 300)];
    prices
        .iter()
        .find(|(s, _)| *s == sku)
        .map(|(_, p)| *p)
        .expect("unknown sku")
}

#[inline(never)]
fn checkout(text: &str) -> u32 {
    parse_quantity(text) * 2
}

#[inline(never)]
fn import_line(text: &str) -> u32 {
    parse_quantity(text) + 1
}

#[inline(never)]
fn cart_total(sku: &str) -> u32 {
    price_of(sku) * 3
}

#[inline(never)]
fn price_report(sku: &str) -> u32 {
    price_of(sku) + 7
}

/// Panics through the real SDK: its panic handler's frames (`sentry_panic::…`, flagged in-app
/// by the SDK) and the panic machinery are never the crash site, so two different panics are two
/// issues, and one panic reached from two call paths is one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_panics_group_by_their_own_site() {
    let server = TestServer::start(common::Backend::Sqlite).await;
    with_sdk(&server, sentry::ClientOptions::default(), || {
        let steps: [(Step, &str); 4] = [
            (checkout, "three"),
            (import_line, "4x"),
            (cart_total, "coffee"),
            (price_report, "milk"),
        ];
        for (step, input) in steps {
            assert!(std::panic::catch_unwind(|| step(input)).is_err());
        }
    });
    let found = issues_holding(&server, 4).await;
    assert_eq!(found.len(), 2, "two panic sites, two issues: {found:?}");
    for issue in &found {
        assert_eq!(issue["count"], 2, "{issue}");
    }
    let culprits = server
        .graphql(
            "query($p: ID!) { project(id: $p) { issues(first: 5) { edges { node { culprit } } } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    let culprits: Vec<&str> = culprits["project"]["issues"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["culprit"].as_str().unwrap())
        .collect();
    assert!(
        culprits.iter().any(|c| c.contains("parse_quantity"))
            && culprits.iter().any(|c| c.contains("price_of")),
        "{culprits:?}"
    );
}
