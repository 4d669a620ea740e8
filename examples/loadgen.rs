//! Load generator: replays a real Python SDK error event (vector py-01) against a Larder server
//! with fresh event ids, spread over `--issues` distinct issues, gzip-compressed like the Python
//! SDK sends it, over keep-alive connections; flat out or at a fixed rate, bounded in time.
//! Loopback only. Reports accepted/s, status counts and latency percentiles.
//!
//! `cargo run --release --example loadgen -- --dsn http://KEY@127.0.0.1:8000/1 --concurrency 32 --duration 60 --issues 1000`
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

struct Options {
    dsn: String,
    concurrency: usize,
    duration: Duration,
    issues: usize,
    /// Requests per second across all workers; 0 = flat out.
    rate: u64,
    gzip: bool,
}

fn options() -> Options {
    let mut options = Options {
        dsn: String::new(),
        concurrency: 32,
        duration: Duration::from_secs(30),
        issues: 1000,
        rate: 0,
        gzip: true,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).cloned().unwrap_or_default();
        match pair[0].as_str() {
            "--dsn" => options.dsn = value,
            "--concurrency" => options.concurrency = value.parse().expect("--concurrency N"),
            "--duration" => {
                options.duration = Duration::from_secs(value.parse().expect("--duration SECONDS"))
            }
            "--issues" => options.issues = value.parse().expect("--issues N"),
            "--rate" => options.rate = value.parse().expect("--rate PER_SECOND"),
            "--encoding" => options.gzip = value == "gzip",
            other => panic!("unknown option {other}"),
        }
    }
    assert!(
        !options.dsn.is_empty(),
        "--dsn http://KEY@HOST:PORT/PROJECT is required"
    );
    options
}

/// The captured Python event, as a JSON template.
fn template() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/spec/vectors/py-01-exception-chained.envelope"
    );
    let body = std::fs::read(path).expect("the shared vectors beside the checkout");
    let payload = body.split(|b| *b == b'\n').nth(2).expect("an event item");
    serde_json::from_slice(payload).expect("event JSON")
}

/// One request body: a fresh event id, and a crash-site function naming issue `n`.
fn body(template: &Value, n: usize, gzip: bool) -> Vec<u8> {
    let mut event = template.clone();
    let event_id = uuid::Uuid::new_v4().simple().to_string();
    event["event_id"] = Value::String(event_id.clone());
    if let Some(last) = event
        .pointer_mut("/exception/values/1/stacktrace/frames")
        .and_then(Value::as_array_mut)
        .and_then(|frames| frames.last_mut())
    {
        last["function"] = Value::String(format!("handler_{n}"));
    }
    let event = serde_json::to_vec(&event).expect("serialises");
    let mut envelope = format!(
        "{{\"event_id\":\"{event_id}\"}}\n{{\"type\":\"event\",\"length\":{}}}\n",
        event.len()
    )
    .into_bytes();
    envelope.extend_from_slice(&event);
    envelope.push(b'\n');
    if !gzip {
        return envelope;
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&envelope).expect("gzip");
    encoder.finish().expect("gzip")
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<String, u64>,
}

#[tokio::main]
async fn main() {
    let options = options();
    let url = url::Url::parse(&options.dsn).expect("a DSN URL");
    let key = url.username().to_string();
    let project = url
        .path()
        .trim_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let host = url.host_str().expect("host");
    assert!(
        host == "localhost" || host.starts_with("127.") || host == "[::1]",
        "load goes to loopback only"
    );
    let endpoint = format!(
        "{}://{}:{}/api/{project}/envelope/",
        url.scheme(),
        host,
        url.port().unwrap_or(80)
    );
    let auth =
        format!("Sentry sentry_key={key}, sentry_version=7, sentry_client=larder-loadgen/1.0");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency)
        .build()
        .unwrap();
    let template = Arc::new(template());
    let deadline = Instant::now() + options.duration;
    let per_worker_interval = (options.rate > 0)
        .then(|| Duration::from_secs_f64(options.concurrency as f64 / options.rate as f64));
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..options.concurrency {
        let (client, endpoint, auth, template) = (
            client.clone(),
            endpoint.clone(),
            auth.clone(),
            template.clone(),
        );
        let (issues, gzip) = (options.issues, options.gzip);
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut n = worker;
            let mut next = Instant::now();
            while Instant::now() < deadline {
                if let Some(interval) = per_worker_interval {
                    tokio::time::sleep_until(next.into()).await;
                    next += interval;
                }
                let body = body(&template, n % issues, gzip);
                n += 31;
                let mut request = client
                    .post(&endpoint)
                    .header("x-sentry-auth", &auth)
                    .body(body);
                if gzip {
                    request = request.header("content-encoding", "gzip");
                }
                let sent = Instant::now();
                let status = match request.send().await {
                    Ok(response) => response.status().as_u16().to_string(),
                    Err(error) => format!("error: {}", error.without_url()),
                };
                tally.latencies_us.push(sent.elapsed().as_micros() as u64);
                *tally.statuses.entry(status).or_default() += 1;
            }
            tally
        }));
    }
    let mut all = Tally::default();
    for worker in workers {
        let tally = worker.await.unwrap();
        all.latencies_us.extend(tally.latencies_us);
        for (status, n) in tally.statuses {
            *all.statuses.entry(status).or_default() += n;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.latencies_us.sort_unstable();
    let percentile = |p: f64| {
        let index = ((all.latencies_us.len() as f64 * p).ceil() as usize).saturating_sub(1);
        all.latencies_us.get(index).copied().unwrap_or(0) as f64 / 1000.0
    };
    let accepted = all.statuses.get("200").copied().unwrap_or(0);
    println!(
        "{}",
        serde_json::json!({
            "seconds": (elapsed * 10.0).round() / 10.0,
            "requests": all.latencies_us.len(),
            "accepted_per_second": (accepted as f64 / elapsed).round(),
            "statuses": all.statuses,
            "latency_ms": { "p50": percentile(0.50), "p90": percentile(0.90), "p99": percentile(0.99), "max": percentile(1.0) },
        })
    );
}
