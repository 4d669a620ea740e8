//! `GET /api/0/organizations/{org}/chunk-upload/`: how the CLI should upload (chunk size,
//! request size, hash, compression, what kinds of upload Larder accepts), and `POST` of the
//! chunks themselves (multipart, one part per chunk named by its SHA-1, gzip-compressed when the
//! part is called `file_gzip`).
use std::io::Read;

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use flate2::read::GzDecoder;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::auth::OrgCaller;
use super::{ApiError, MAX_CHUNK_REQUEST};
use crate::accounts::scopes::Scope;
use crate::app::AppState;
use crate::sourcemaps::{assembly, store};

/// Bytes per chunk the CLI cuts uploads into.
const CHUNK_SIZE: usize = 8 * 1024 * 1024;
/// Chunks per upload request.
const CHUNKS_PER_REQUEST: usize = 64;

pub async fn options(caller: OrgCaller, Path(org): Path<String>) -> Result<Json<Value>, ApiError> {
    caller.require(Scope::ProjectReleases)?;
    Ok(Json(json!({
        // Relative to the API root, so the CLI posts to whichever address it reached us at.
        "url": format!("/organizations/{org}/chunk-upload/"),
        "chunkSize": CHUNK_SIZE,
        "chunksPerRequest": CHUNKS_PER_REQUEST,
        "maxFileSize": assembly::MAX_ARCHIVE_SIZE,
        "maxRequestSize": MAX_CHUNK_REQUEST,
        "concurrency": 4,
        "hashAlgorithm": "sha1",
        "compression": ["gzip"],
        "accept": ["artifact_bundles", "artifact_bundles_v2"],
        "maxWait": 60,
    })))
}

pub async fn upload(
    State(state): State<AppState>,
    caller: OrgCaller,
    mut form: Multipart,
) -> Result<StatusCode, ApiError> {
    caller.require(Scope::ProjectReleases)?;
    let mut chunks = Vec::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(format!("invalid multipart body: {e}")))?
    {
        let compressed = match field.name() {
            Some("file") => false,
            Some("file_gzip") => true,
            other => {
                return Err(ApiError::bad_request(format!(
                    "unexpected form field {other:?}: chunks are sent as `file` or `file_gzip`"
                )));
            }
        };
        let checksum = field
            .file_name()
            .map(str::to_ascii_lowercase)
            .filter(|name| name.len() == 40 && name.chars().all(|c| c.is_ascii_hexdigit()))
            .ok_or_else(|| {
                ApiError::bad_request("each chunk's file name must be its hex SHA-1 checksum")
            })?;
        let bytes = field
            .bytes()
            .await
            .map_err(|e| ApiError::bad_request(format!("invalid multipart body: {e}")))?;
        let data = if compressed {
            inflate(&bytes)
                .map_err(|detail| ApiError::bad_request(format!("chunk {checksum}: {detail}")))?
        } else {
            bytes.to_vec()
        };
        let actual = hex::encode(Sha1::digest(&data));
        if actual != checksum {
            return Err(ApiError::bad_request(format!(
                "chunk {checksum} has checksum {actual}: it was damaged on the way"
            )));
        }
        chunks.push((checksum, data));
    }
    if chunks.is_empty() {
        return Err(ApiError::bad_request("no chunks in the request"));
    }
    store::save_chunks(&state.db, caller.viewer.organization_id, chunks).await?;
    Ok(StatusCode::OK)
}

/// A gzip chunk inflated, refused past one chunk's size (a chunk never inflates beyond it).
fn inflate(compressed: &[u8]) -> Result<Vec<u8>, String> {
    let mut data = Vec::new();
    GzDecoder::new(compressed)
        .take(CHUNK_SIZE as u64 + 1)
        .read_to_end(&mut data)
        .map_err(|e| format!("not valid gzip: {e}"))?;
    if data.len() > CHUNK_SIZE {
        return Err(format!(
            "inflates beyond the chunk size of {CHUNK_SIZE} bytes"
        ));
    }
    Ok(data)
}
