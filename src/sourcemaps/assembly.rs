//! Assembling an upload: the chunks `sentry-cli` sent, concatenated in the order it names, make
//! the archive; the archive must have the checksum it named, be a valid bundle (`bundle::read`)
//! and is then stored for each project at once (`store::save_bundle`), or not at all.
//!
//! The CLI polls the assemble endpoint until the state is final. An assembly runs as a task of
//! its own; the first request waits for it a few seconds (most bundles are done by then) and
//! otherwise answers `created`, later polls `assembling`, then `ok` or the refusal. Only
//! refusals and failures are remembered in memory (for `FAILURE_MEMORY`); success is the stored
//! bundle itself, so a restart mid-assembly only means the next poll assembles again.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, DbErr};
use sha1::{Digest, Sha1};
use tokio::sync::watch;

use super::{SourceMaps, bundle, store};

/// Largest archive (the sum of its chunks), announced to the CLI as `maxFileSize`.
pub const MAX_ARCHIVE_SIZE: u64 = 128 * 1024 * 1024;
/// How long the request that starts an assembly waits for it before answering `created`.
const FIRST_WAIT: Duration = Duration::from_secs(5);
/// How long a refused assembly answers its refusal to polls.
const FAILURE_MEMORY: Duration = Duration::from_secs(600);

/// What the CLI asked to assemble.
#[derive(Debug, Clone)]
pub struct Request {
    pub organization_id: i64,
    pub project_ids: Vec<i64>,
    /// Hex SHA-1 of the whole archive.
    pub checksum: String,
    /// Hex SHA-1 of each chunk, in order.
    pub chunks: Vec<String>,
    /// The CLI's `--release` and `--dist`, which win over the manifest's.
    pub release: Option<String>,
    pub dist: Option<String>,
}

/// Where an assembly stands.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// These chunks must be uploaded first.
    NotFound {
        missing: Vec<String>,
    },
    Created,
    Assembling,
    Ok,
    /// The upload is not a valid bundle (the CLI's mistake: a 4xx).
    Refused(Refusal),
    /// The server could not store it (try again later).
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub too_large: bool,
    pub detail: String,
}

#[derive(Clone)]
enum Running {
    InProgress,
    Finished(State, Instant),
}

/// Assemblies in progress or recently refused, by organization and checksum.
#[derive(Default)]
pub struct Assemblies {
    running: Mutex<HashMap<(i64, String), Running>>,
}

impl Assemblies {
    /// Answers a request of the assemble endpoint, starting the assembly when it can.
    pub async fn assemble(
        self: &Arc<Self>,
        db: &DatabaseConnection,
        sourcemaps: &Arc<SourceMaps>,
        request: Request,
    ) -> Result<State, DbErr> {
        if store::bundle_exists(db, &request.project_ids, &request.checksum).await? {
            return Ok(State::Ok);
        }
        let key = (request.organization_id, request.checksum.clone());
        let known = self.running.lock().expect("assemblies").get(&key).cloned();
        match known {
            Some(Running::InProgress) => return Ok(State::Assembling),
            Some(Running::Finished(state, at)) if at.elapsed() < FAILURE_MEMORY => {
                return Ok(state);
            }
            _ => {}
        }
        let missing = store::missing_chunks(db, request.organization_id, &request.chunks).await?;
        if !missing.is_empty() {
            return Ok(State::NotFound { missing });
        }
        let (done, mut outcome) = watch::channel(None);
        {
            let mut running = self.running.lock().expect("assemblies");
            if matches!(running.get(&key), Some(Running::InProgress)) {
                return Ok(State::Assembling);
            }
            running.insert(key.clone(), Running::InProgress);
        }
        let assemblies = self.clone();
        let db = db.clone();
        let sourcemaps = sourcemaps.clone();
        tokio::spawn(async move {
            let state = assemble(&db, &request).await;
            if state == State::Ok {
                sourcemaps.invalidate();
            }
            let mut running = assemblies.running.lock().expect("assemblies");
            match &state {
                State::Ok => running.remove(&key),
                other => running.insert(key, Running::Finished(other.clone(), Instant::now())),
            };
            running.retain(|_, entry| match entry {
                Running::Finished(_, at) => at.elapsed() < FAILURE_MEMORY,
                Running::InProgress => true,
            });
            let _ = done.send(Some(state));
        });
        let finished = tokio::time::timeout(FIRST_WAIT, outcome.wait_for(Option::is_some)).await;
        Ok(match finished {
            Ok(Ok(state)) => state.clone().unwrap_or(State::Created),
            _ => State::Created,
        })
    }
}

/// Builds, checks and stores the bundle.
async fn assemble(db: &DatabaseConnection, request: &Request) -> State {
    match try_assemble(db, request).await {
        Ok(state) => state,
        Err(error) => {
            tracing::error!(%error, "assembling an artifact bundle failed");
            State::Failed("the bundle could not be stored; try the upload again".to_string())
        }
    }
}

async fn try_assemble(db: &DatabaseConnection, request: &Request) -> Result<State, DbErr> {
    let refuse = |too_large: bool, detail: String| State::Refused(Refusal { too_large, detail });
    let Some(archive) =
        store::concatenate_chunks(db, request.organization_id, &request.chunks).await?
    else {
        let missing = store::missing_chunks(db, request.organization_id, &request.chunks).await?;
        return Ok(State::NotFound { missing });
    };
    if archive.len() as u64 > MAX_ARCHIVE_SIZE {
        return Ok(refuse(
            true,
            format!("the bundle is larger than {MAX_ARCHIVE_SIZE} bytes"),
        ));
    }
    let actual = hex::encode(Sha1::digest(&archive));
    if actual != request.checksum {
        return Ok(refuse(
            false,
            format!(
                "the chunks make an archive with checksum {actual}, not {}",
                request.checksum
            ),
        ));
    }
    let archive_size = archive.len();
    // Unzipping, checking maps and compressing are CPU work: off the async runtime.
    let read = tokio::task::spawn_blocking(move || {
        let bundle = bundle::read(&archive)?;
        let blobs = store::compress(&bundle).map_err(|e| bundle::BundleError::Unreadable {
            path: "the bundle".to_string(),
            reason: e.to_string(),
        })?;
        Ok::<_, bundle::BundleError>((bundle, blobs))
    })
    .await
    .map_err(|e| DbErr::Custom(format!("reading the bundle: {e}")))?;
    let (mut bundle, blobs) = match read {
        Ok(read) => read,
        Err(error) => return Ok(refuse(error.is_too_large(), error.to_string())),
    };
    if request.release.is_some() {
        bundle.release = request.release.clone();
    }
    if request.dist.is_some() {
        bundle.dist = request.dist.clone();
    }
    store::save_bundle(
        db,
        request.organization_id,
        &request.project_ids,
        &request.checksum,
        archive_size,
        &request.chunks,
        &bundle,
        blobs,
    )
    .await?;
    Ok(State::Ok)
}
