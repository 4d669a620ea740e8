//! Load generator: replays a real Python SDK error event (vector py-01) against a Larder server
//! with fresh event ids, spread over `--issues` distinct issues, gzip-compressed like the Python
//! SDK sends it, over keep-alive connections; flat out or at a fixed rate, bounded in time.
//! Loopback only. Reports accepted/s, status counts, latency percentiles and the p99 of each
//! second (stalls show as seconds that stand out). Bodies are built before the clock starts
//! (`--pool N`, by default enough for the run), so the measurement charges the generator only
//! for sending requests.
//!
//! `cargo run --profile dist --example loadgen -- --dsn http://KEY@127.0.0.1:8000/1 --concurrency 32 --duration 60 --issues 1000`
//!
//! With `--graphql issues|issue --token TOKEN` it measures the API instead: `issues` asks for
//! the project's first page of 50 unresolved issues by last seen with counts and a 24 h stats
//! series each (not `totalCount`, an exact count a list asks for separately), narrowed by
//! `--search QUERY` if given; `issue` asks for one of those issues with its latest event and
//! stack trace.
//! A 200 whose body carries GraphQL `errors` is counted as `200-errors`.
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use serde_json::Value;

/// Replays a captured Python SDK error event against a Larder server on loopback, flat out or
/// at a fixed rate, and reports accepted/s, status counts and latency percentiles.
#[derive(clap::Parser)]
// A later option wins over an earlier one, so wrappers can pass defaults before the caller's.
#[command(name = "loadgen", args_override_self = true)]
struct Options {
    /// The project's DSN, as `larder project create` prints it; loopback hosts only.
    #[arg(long, value_parser = loopback_dsn)]
    dsn: url::Url,
    /// Connections (one worker each).
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    concurrency: u32,
    /// How long the run lasts, in seconds.
    #[arg(long = "duration", value_name = "SECONDS", default_value_t = 30)]
    duration_seconds: u64,
    /// How many distinct issues the events are spread over.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    issues: u64,
    /// Requests per second across all workers; 0 sends flat out.
    #[arg(long, value_name = "PER_SECOND", default_value_t = 0)]
    rate: u64,
    /// How event bodies are sent.
    #[arg(long, value_enum, default_value_t = Encoding::Gzip)]
    encoding: Encoding,
    /// Which captured event is replayed.
    #[arg(long, value_enum, default_value_t = EventKind::Python)]
    event: EventKind,
    /// Bodies prepared before the run (default: enough for the rate, or 15,000 a second flat
    /// out); a run that uses them all ends early and says so.
    #[arg(long, value_name = "BODIES")]
    pool: Option<usize>,
    /// Measure GraphQL queries instead of ingest: the first issues page, or one issue at a time.
    #[arg(long, value_enum, requires = "token")]
    graphql: Option<Query>,
    /// API token for `--graphql` (`larder token create`).
    #[arg(long)]
    token: Option<String>,
    /// With `--graphql issues`: an issue search for the page, e.g. `error.type:KeyError`.
    #[arg(long, requires = "graphql")]
    search: Option<String>,
}

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
enum EventKind {
    /// The Python SDK's chained exception (vector py-01).
    Python,
    /// `@sentry/node`'s error from a minified bundle with a debug ID
    /// (tests/fixtures/sourcemaps/): source-mapped when its bundle was uploaded.
    NodeMinified,
}

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
enum Encoding {
    Gzip,
    Identity,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Query {
    /// The project's first page of 50 unresolved issues.
    Issues,
    /// One issue of that page with its latest event and stack trace.
    Issue,
}

impl Options {
    fn duration(&self) -> Duration {
        Duration::from_secs(self.duration_seconds)
    }

    fn gzip(&self) -> bool {
        self.encoding == Encoding::Gzip
    }

    fn pool(&self) -> usize {
        self.pool.unwrap_or_else(|| {
            // Enough for the fixed rate, or for 15,000 events/s flat out.
            let per_second = if self.rate > 0 {
                self.rate + self.rate / 10
            } else {
                15_000
            };
            (per_second * self.duration_seconds).max(1000) as usize
        })
    }
}

/// A DSN whose host is on this machine: the generator sends load to loopback only.
fn loopback_dsn(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text).map_err(|e| format!("not a URL: {e}"))?;
    if url.username().is_empty() {
        return Err("the DSN has no public key (http://KEY@HOST:PORT/PROJECT)".into());
    }
    match url.host() {
        Some(url::Host::Domain("localhost")) => Ok(url),
        Some(url::Host::Ipv4(ip)) if ip.is_loopback() => Ok(url),
        Some(url::Host::Ipv6(ip)) if ip.is_loopback() => Ok(url),
        _ => Err("load goes to loopback only (localhost, 127.0.0.0/8, [::1])".into()),
    }
}

/// The captured event (built into the binary, so the generator runs from anywhere), as a JSON
/// template.
fn template(kind: EventKind) -> Value {
    match kind {
        EventKind::Python => {
            let body: &[u8] =
                include_bytes!("../tests/fixtures/vectors/py-01-exception-chained.envelope");
            let payload = body.split(|b| *b == b'\n').nth(2).expect("an event item");
            serde_json::from_slice(payload).expect("event JSON")
        }
        EventKind::NodeMinified => serde_json::from_slice(include_bytes!(
            "../tests/fixtures/sourcemaps/node-event.json"
        ))
        .expect("event JSON"),
    }
}

/// The template serialised once, with placeholders for the event id and what names the issue:
/// the crash-site function of the Python event, the exception type of the minified one (whose
/// functions source mapping replaces).
fn body_pattern(template: &Value, kind: EventKind) -> String {
    let mut event = template.clone();
    event["event_id"] = Value::String(EVENT_ID.into());
    if kind == EventKind::NodeMinified {
        event["exception"]["values"][0]["type"] = Value::String(FUNCTION.into());
    } else if let Some(last) = event
        .pointer_mut("/exception/values/1/stacktrace/frames")
        .and_then(Value::as_array_mut)
        .and_then(|frames| frames.last_mut())
    {
        last["function"] = Value::String(FUNCTION.into());
    }
    serde_json::to_string(&event).expect("serialises")
}

const EVENT_ID: &str = "@@EVENT_ID@@";
const FUNCTION: &str = "@@FUNCTION@@";

/// One request body: a fresh event id, and a crash-site function naming issue `n`.
fn body(pattern: &str, n: usize, gzip: bool) -> Vec<u8> {
    let event_id = uuid::Uuid::new_v4().simple().to_string();
    let event =
        pattern
            .replacen(EVENT_ID, &event_id, 1)
            .replacen(FUNCTION, &format!("handler_{n}"), 1);
    let mut envelope = format!(
        "{{\"event_id\":\"{event_id}\"}}\n{{\"type\":\"event\",\"length\":{}}}\n",
        event.len()
    )
    .into_bytes();
    envelope.extend_from_slice(event.as_bytes());
    envelope.push(b'\n');
    if !gzip {
        return envelope;
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&envelope).expect("gzip");
    encoder.finish().expect("gzip")
}

/// Every body of the run, built before the clock starts so that the generator's own work
/// (serialising, compressing) does not compete with the server for the machine's cores.
/// Body `i` belongs to issue `(i * 31) % issues`, so consecutive requests hit different issues.
fn bodies(pattern: &str, count: usize, issues: usize, gzip: bool) -> Vec<bytes::Bytes> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per_thread = count.div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let range = (t * per_thread)..std::cmp::min(count, (t + 1) * per_thread);
                    range
                        .map(|i| bytes::Bytes::from(body(pattern, (i * 31) % issues, gzip)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|part| part.join().expect("body thread"))
            .collect()
    })
}

/// Where the requests go and what they carry.
struct Target {
    /// The request path on the server, e.g. `/api/1/envelope/`.
    path: String,
    headers: reqwest::header::HeaderMap,
    bodies: Vec<bytes::Bytes>,
}

/// Envelopes with the Python event to the project's envelope endpoint.
fn events(options: &Options, key: &str, project: &str) -> Target {
    let mut headers = reqwest::header::HeaderMap::new();
    let auth =
        format!("Sentry sentry_key={key}, sentry_version=7, sentry_client=larder-loadgen/1.0");
    headers.insert("x-sentry-auth", auth.parse().expect("header value"));
    if options.gzip() {
        headers.insert("content-encoding", "gzip".parse().expect("header value"));
    }
    let pattern = body_pattern(&template(options.event), options.event);
    Target {
        path: format!("/api/{project}/envelope/"),
        headers,
        bodies: bodies(
            &pattern,
            options.pool(),
            options.issues as usize,
            options.gzip(),
        ),
    }
}

const ISSUES_PAGE: &str = "query($project: ID!, $search: String) { project(id: $project) { issues(first: 50, filter: {status: [UNRESOLVED]}, sort: LAST_SEEN, query: $search) { edges { node { id title culprit level status count userCount firstSeen lastSeen stats { bucket count } } } } } }";
const ISSUE: &str = "query($id: ID!) { issue(id: $id) { id title culprit level status count userCount firstSeen lastSeen latestEvent { eventId timestamp message tags { key value } exceptions { type value module stacktrace { frames { filename absPath function module lineno colno inApp contextLine preContext postContext } } } } } }";

/// GraphQL queries: the first issues page, or one issue of that page at a time.
async fn graphql(
    options: &Options,
    base: &str,
    project: &str,
    query: Query,
) -> anyhow::Result<Target> {
    let url = format!("{base}/graphql");
    let mut headers = reqwest::header::HeaderMap::new();
    let token = options.token.as_deref().unwrap_or_default();
    headers.insert(
        "authorization",
        format!("Bearer {token}")
            .parse()
            .context("--token: not a valid header value")?,
    );
    headers.insert(
        "content-type",
        "application/json".parse().expect("header value"),
    );
    let page = serde_json::json!({
        "query": ISSUES_PAGE,
        "variables": { "project": project, "search": options.search },
    });
    let bodies = match query {
        Query::Issues => vec![bytes::Bytes::from(page.to_string()); options.pool()],
        Query::Issue => {
            let answer: Value = reqwest::Client::new()
                .post(&url)
                .headers(headers.clone())
                .body(page.to_string())
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .context("asking for the issues page")?
                .json()
                .await
                .context("the issues page is not JSON")?;
            let ids: Vec<Value> = answer
                .pointer("/data/project/issues/edges")
                .and_then(Value::as_array)
                .with_context(|| {
                    format!("no issues in the answer (is the token right?): {answer}")
                })?
                .iter()
                .map(|edge| edge["node"]["id"].clone())
                .collect();
            anyhow::ensure!(!ids.is_empty(), "the project has no unresolved issues");
            (0..options.pool())
                .map(|i| {
                    let body = serde_json::json!({ "query": ISSUE, "variables": { "id": ids[i % ids.len()] } });
                    bytes::Bytes::from(body.to_string())
                })
                .collect()
        }
    };
    Ok(Target {
        path: "/graphql".into(),
        headers,
        bodies,
    })
}

/// One keep-alive HTTP/1.1 connection of a worker, opened again after an error. A plain hyper
/// connection rather than reqwest's pooled client: the generator shares the machine's two
/// cores with the server, and reqwest's pool cost 24 µs of CPU per request where this costs
/// 15 (docs/benchmarks-history.md, seventh round).
struct Connection {
    address: String,
    sender: Option<hyper::client::conn::http1::SendRequest<http_body_util::Full<bytes::Bytes>>>,
}

impl Connection {
    /// Sends one request and reads the whole answer; the status, or `200-errors` for a GraphQL
    /// answer that carries errors.
    async fn send(&mut self, target: &Target, body: bytes::Bytes) -> Result<String, String> {
        use http_body_util::BodyExt;
        let sender = match &mut self.sender {
            Some(sender) if !sender.is_closed() => sender,
            _ => self.sender.insert(connect(&self.address).await?),
        };
        let mut request = hyper::Request::post(&target.path)
            .header("host", &self.address)
            .body(http_body_util::Full::new(body))
            .map_err(|e| e.to_string())?;
        request.headers_mut().extend(target.headers.clone());
        let answer = async {
            let response = sender.send_request(request).await?;
            let status = response.status().as_u16().to_string();
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, hyper::Error>((status, body))
        };
        let (status, body) = answer.await.map_err(|e| {
            self.sender = None;
            e.to_string()
        })?;
        if body.windows(9).any(|w| w == b"\"errors\":") {
            return Ok(format!("{status}-errors"));
        }
        Ok(status)
    }
}

async fn connect(
    address: &str,
) -> Result<hyper::client::conn::http1::SendRequest<http_body_util::Full<bytes::Bytes>>, String> {
    let stream = tokio::net::TcpStream::connect(address)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    Ok(sender)
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    /// The second of the run each request was sent in, beside its latency: stalls show as
    /// seconds whose p99 stands out (`p99_ms_by_second`).
    sent_in_second: Vec<u32>,
    statuses: BTreeMap<String, u64>,
    pool_exhausted: bool,
}

/// One thread: the generator's work is small, and a second thread would only add wake-ups
/// between the two on cores the server needs.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    let url = &options.dsn;
    let key = url.username().to_string();
    let project = url
        .path()
        .trim_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let host = url.host_str().unwrap_or_default();
    let address = format!("{host}:{}", url.port_or_known_default().unwrap_or(80));
    let base = format!("{}://{address}", url.scheme());
    let prepared = Instant::now();
    let target = match options.graphql {
        None => events(&options, &key, &project),
        Some(query) => graphql(&options, &base, &project, query).await?,
    };
    eprintln!(
        "prepared {} bodies in {:.1} s",
        target.bodies.len(),
        prepared.elapsed().as_secs_f64()
    );
    let target = Arc::new(target);
    let next_body = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + options.duration();
    let per_worker_interval = (options.rate > 0)
        .then(|| Duration::from_secs_f64(options.concurrency as f64 / options.rate as f64));
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..options.concurrency {
        let (target, next_body) = (target.clone(), next_body.clone());
        let mut connection = Connection {
            address: address.clone(),
            sender: None,
        };
        // At a fixed rate the workers' schedules are staggered across one interval, so requests
        // arrive evenly spaced instead of in bursts of `concurrency` at every tick.
        let offset = per_worker_interval.unwrap_or_default() * worker / options.concurrency;
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut next = started + offset;
            while Instant::now() < deadline {
                if let Some(interval) = per_worker_interval {
                    tokio::time::sleep_until(next.into()).await;
                    next += interval;
                }
                let Some(body) = target.bodies.get(next_body.fetch_add(1, Ordering::Relaxed))
                else {
                    tally.pool_exhausted = true;
                    break;
                };
                let sent = Instant::now();
                let status = match connection.send(&target, body.clone()).await {
                    Ok(status) => status,
                    Err(error) => format!("error: {error}"),
                };
                tally.latencies_us.push(sent.elapsed().as_micros() as u64);
                tally
                    .sent_in_second
                    .push(sent.duration_since(started).as_secs() as u32);
                *tally.statuses.entry(status).or_default() += 1;
            }
            tally
        }));
    }
    let mut all = Tally::default();
    for worker in workers {
        let tally = worker.await.unwrap();
        all.latencies_us.extend(tally.latencies_us);
        all.sent_in_second.extend(tally.sent_in_second);
        all.pool_exhausted |= tally.pool_exhausted;
        for (status, n) in tally.statuses {
            *all.statuses.entry(status).or_default() += n;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let p99_by_second = p99_ms_by_second(&all.sent_in_second, &all.latencies_us);
    all.latencies_us.sort_unstable();
    let percentile = |p: f64| percentile_ms(&all.latencies_us, p);
    let accepted = all.statuses.get("200").copied().unwrap_or(0);
    println!(
        "{}",
        serde_json::json!({
            "seconds": (elapsed * 10.0).round() / 10.0,
            "requests": all.latencies_us.len(),
            "accepted_per_second": (accepted as f64 / elapsed).round(),
            "statuses": all.statuses,
            "pool_exhausted": all.pool_exhausted,
            "latency_ms": { "p50": percentile(0.50), "p90": percentile(0.90), "p99": percentile(0.99), "max": percentile(1.0) },
            "p99_ms_by_second": p99_by_second,
        })
    );
    Ok(())
}

/// The `p` quantile of sorted microsecond latencies, in milliseconds.
fn percentile_ms(sorted_us: &[u64], p: f64) -> f64 {
    let index = ((sorted_us.len() as f64 * p).ceil() as usize).saturating_sub(1);
    sorted_us.get(index).copied().unwrap_or(0) as f64 / 1000.0
}

/// The p99 latency of the requests sent in each second of the run.
fn p99_ms_by_second(sent_in_second: &[u32], latencies_us: &[u64]) -> Vec<f64> {
    let seconds = sent_in_second
        .iter()
        .max()
        .map_or(0, |last| *last as usize + 1);
    let mut by_second = vec![Vec::new(); seconds];
    for (second, latency) in sent_in_second.iter().zip(latencies_us) {
        by_second[*second as usize].push(*latency);
    }
    by_second
        .into_iter()
        .map(|mut latencies| {
            latencies.sort_unstable();
            percentile_ms(&latencies, 0.99)
        })
        .collect()
}
