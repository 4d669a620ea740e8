//! The Sentry ingest endpoints: `POST /api/{project_id}/envelope/` and the legacy
//! `POST /api/{project_id}/store/`, with and without the trailing slash, behind the CORS layer
//! browser SDKs need. Each request walks the steps of `crate::ingest` in order and is answered
//! `200 {"id"}` only once its event is committed.
use std::net::SocketAddr;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::AppState;
use crate::ingest::auth::{self, Credentials};
use crate::ingest::decode::{decode_body, is_identity};
use crate::ingest::envelope::Envelope;
use crate::ingest::items::{self, Outcome};
use crate::ingest::pipeline::RequestMeta;
use crate::ingest::{IngestError, legacy};

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/api/{project_id}/envelope/", post(envelope))
        .route("/api/{project_id}/envelope", post(envelope))
        .route("/api/{project_id}/store/", post(store))
        .route("/api/{project_id}/store", post(store))
        .layer(cors())
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("cross-origin"),
        ))
        .with_state(state)
}

/// Relay's CORS policy: any origin may post; the SDK's headers are allowed, the rate-limit
/// headers exposed so the browser SDK can read them.
fn cors() -> CorsLayer {
    let headers = [
        "x-sentry-auth",
        "x-requested-with",
        "x-forwarded-for",
        "origin",
        "referer",
        "accept",
        "content-type",
        "authentication",
        "authorization",
        "content-encoding",
        "transfer-encoding",
    ];
    let exposed = ["x-sentry-error", "x-sentry-rate-limits", "retry-after"];
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::POST])
        .allow_headers(headers.map(HeaderName::from_static))
        .expose_headers(exposed.map(HeaderName::from_static))
        .max_age(std::time::Duration::from_secs(3600))
}

/// What a request carries besides its body.
struct Request {
    project_id: Result<i64, IngestError>,
    credentials: Result<Option<Credentials>, IngestError>,
    meta: RequestMeta,
    content_encoding: Option<String>,
    content_type: Option<String>,
}

impl Request {
    fn new(
        project_id: &str,
        query: Option<&str>,
        peer: SocketAddr,
        headers: &HeaderMap,
    ) -> Request {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let credentials =
            auth::from_request(header("x-sentry-auth"), header("authorization"), query);
        Request {
            project_id: project_id
                .parse::<i64>()
                .map_err(|_| IngestError::bad_request("bad project path parameter")),
            meta: RequestMeta {
                client_ip: Some(peer.ip()),
                sentry_client: credentials
                    .as_ref()
                    .ok()
                    .and_then(|c| c.as_ref())
                    .and_then(|c| c.client.clone())
                    .or_else(|| header("user-agent").map(str::to_string)),
                ..Default::default()
            },
            credentials,
            content_encoding: header("content-encoding").map(str::to_string),
            content_type: header("content-type").map(str::to_string),
        }
    }
}

async fn envelope(
    State(state): State<AppState>,
    Path(project_id): Path<String>,
    RawQuery(query): RawQuery,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request = Request::new(&project_id, query.as_deref(), peer, &headers);
    respond(handle_envelope(&state, request, body).await)
}

async fn store(
    State(state): State<AppState>,
    Path(project_id): Path<String>,
    RawQuery(query): RawQuery,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request = Request::new(&project_id, query.as_deref(), peer, &headers);
    let is_envelope = request
        .content_type
        .as_deref()
        .is_some_and(|t| t.starts_with("application/x-sentry-envelope"));
    if is_envelope {
        return respond(handle_envelope(&state, request, body).await);
    }
    respond(handle_store(&state, request, body).await)
}

async fn handle_envelope(
    state: &AppState,
    mut request: Request,
    body: Body,
) -> Result<Value, IngestError> {
    let project_id = request.project_id?;
    let credentials = request.credentials?;
    let body = read_body(state, request.content_encoding.clone(), body).await?;
    let envelope = Envelope::parse(body)?;
    let public_key = match (credentials, envelope.dsn()) {
        (Some(credentials), None) => credentials.public_key,
        (Some(credentials), Some(dsn)) => {
            // Both present: they must agree (Relay's rule).
            let dsn = auth::parse_dsn(dsn)?;
            if dsn.project_id != project_id {
                return Err(mismatch(
                    "project id header mismatch between envelope and request",
                ));
            }
            if dsn.public_key != credentials.public_key {
                return Err(mismatch(
                    "public key header mismatch between envelope and request",
                ));
            }
            credentials.public_key
        }
        (None, Some(dsn)) => {
            let dsn = auth::parse_dsn(dsn)?;
            if dsn.project_id != project_id {
                return Err(IngestError::rejected_key());
            }
            dsn.public_key
        }
        (None, None) => {
            return Err(IngestError::new(
                StatusCode::UNAUTHORIZED,
                "missing authorization information",
            ));
        }
    };
    let project = items::authorize(&state.pipeline, project_id, &public_key).await?;
    envelope.check_limits(&state.pipeline.limits)?;
    request.meta.sent_at = envelope.sent_at();
    let outcome = items::process(&state.pipeline, &project, envelope, request.meta).await?;
    Ok(response_body(outcome))
}

async fn handle_store(
    state: &AppState,
    request: Request,
    body: Body,
) -> Result<Value, IngestError> {
    let project_id = request.project_id?;
    let credentials = request.credentials?.ok_or_else(|| {
        IngestError::new(
            StatusCode::UNAUTHORIZED,
            "missing authorization information",
        )
    })?;
    let project = items::authorize(&state.pipeline, project_id, &credentials.public_key).await?;
    let body = read_body(state, request.content_encoding.clone(), body).await?;
    if body.len() > state.pipeline.limits.max_event_size {
        return Err(IngestError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "event exceeds the size limit",
        ));
    }
    let event = legacy::decode_store_body(&body)?;
    let outcome =
        items::process_event(&state.pipeline, &project, event, request.meta, Vec::new()).await?;
    Ok(response_body(outcome))
}

/// `{"id": …}` for an envelope that named an event, `{}` otherwise.
fn response_body(outcome: Outcome) -> Value {
    match outcome.event_id {
        Some(id) => json!({ "id": id }),
        None => json!({}),
    }
}

fn mismatch(cause: &str) -> IngestError {
    IngestError::invalid_envelope(cause)
}

/// Reads the body up to the compressed-size cap, then decodes it (off the async threads when
/// it is compressed: inflating is CPU work).
async fn read_body(
    state: &AppState,
    encoding: Option<String>,
    body: Body,
) -> Result<Bytes, IngestError> {
    let limits = &state.pipeline.limits;
    let raw = collect_limited(body, limits.max_compressed_body).await?;
    let limit = limits.max_decompressed_body;
    if is_identity(encoding.as_deref()) {
        if raw.len() > limit {
            return Err(IngestError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body exceeds {limit} bytes"),
            ));
        }
        return Ok(raw);
    }
    if raw.len() <= INLINE_DECODE_INPUT {
        match decode_body(encoding.as_deref(), &raw, limit.min(INLINE_DECODE_OUTPUT)) {
            // It inflates past what is worth doing here: decode it again on the blocking pool.
            Err(error)
                if error.status == StatusCode::PAYLOAD_TOO_LARGE
                    && limit > INLINE_DECODE_OUTPUT => {}
            result => return result.map(Bytes::from),
        }
    }
    tokio::task::spawn_blocking(move || decode_body(encoding.as_deref(), &raw, limit))
        .await
        .map_err(|_| IngestError::new(StatusCode::INTERNAL_SERVER_ERROR, "decoding failed"))?
        .map(Bytes::from)
}

/// The body's bytes, up to `limit`. A longer body is refused with 413 only after the rest of it
/// has been read and dropped (up to another `limit` bytes, for at most `DRAIN_TIME`): answering
/// while the client is still sending and then closing a socket with unread data makes the
/// kernel reset the connection, and the client may lose the 413 with it.
async fn collect_limited(mut body: Body, limit: usize) -> Result<Bytes, IngestError> {
    use http_body_util::BodyExt;
    let unreadable = |e: axum::Error| {
        if super::serve::is_body_timeout(&e) {
            IngestError::new(
                StatusCode::REQUEST_TIMEOUT,
                "the request body stopped arriving: no data within the body timeout",
            )
        } else {
            IngestError::bad_request(format!("could not read the request body: {e}"))
        }
    };
    let mut frames: Vec<Bytes> = Vec::new();
    let mut size = 0;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(unreadable)?.into_data() else {
            continue; // trailers
        };
        size += data.len();
        if size > limit {
            let drain = async {
                let mut drained = 0;
                while drained <= limit
                    && let Some(Ok(frame)) = body.frame().await
                {
                    drained += frame.data_ref().map_or(0, Bytes::len);
                }
            };
            let _ = tokio::time::timeout(DRAIN_TIME, drain).await;
            return Err(IngestError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body exceeds {limit} bytes"),
            ));
        }
        frames.push(data);
    }
    Ok(match frames.len() {
        // One frame (nearly every SDK request): its bytes, not a copy.
        1 => frames.remove(0),
        _ => Bytes::from(frames.concat()),
    })
}

/// How long an over-long body is read and dropped before its 413 is sent anyway.
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// Compressed bodies up to this size (nearly every SDK event) are decoded on the request's own
/// thread, with the output capped at `INLINE_DECODE_OUTPUT` (about a millisecond of inflating):
/// cheaper than a hand-off to the blocking pool. Larger ones, and bombs, go to the pool.
const INLINE_DECODE_INPUT: usize = 64 * 1024;
const INLINE_DECODE_OUTPUT: usize = 1024 * 1024;

/// The HTTP answer: 200 with the body, or the error's status and JSON, with `Retry-After` on
/// 429 and 503 so SDKs back off.
fn respond(result: Result<Value, IngestError>) -> Response {
    match result {
        Ok(body) => (StatusCode::OK, axum::Json(body)).into_response(),
        Err(error) => {
            let status = error.status;
            let mut response = (status, axum::Json(error.to_json())).into_response();
            if let Some(seconds) = error.retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            if let Some(limits) = error
                .rate_limits
                .as_deref()
                .and_then(|l| HeaderValue::from_str(l).ok())
            {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static("x-sentry-rate-limits"), limits);
            }
            response
        }
    }
}
