//! Step 7 of the ingest path: the group-commit writer.
//!
//! Every accepted event becomes a [`WriteJob`] on a bounded queue. One writer, on a thread of
//! its own ([`WriterHandle::start`]), takes whatever has queued up (up to `max_batch`), writes it
//! in **one transaction** — events, issue upserts, counters, tag counts, attachments — and
//! answers each job once that transaction has committed. Under load, batches grow by themselves
//! (jobs queue while the previous commit runs), so the cost of a commit is shared by many
//! requests. Once events queue up, the writer also lets a batch fill while events keep
//! arriving, for at most `IngestLimits::writer_linger` ([`gather`]); when idle, a lone event is
//! written at once.
//!
//! Invariants: a job is answered `Ok` only after its batch committed (the HTTP 200 follows);
//! a failed batch is rolled back whole and its jobs retried one by one, so one bad event cannot
//! fail its neighbours; a full queue is refused immediately (503 + Retry-After) instead of
//! growing without bound.
mod batch;
mod combined;
mod gather;
mod issues;
mod known;
pub mod rollups;
mod similarity;
mod stages;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use self::gather::Batching;
use crate::config::IngestLimits;
use crate::db::checkpoint::WalCatchUp;
use crate::db::write::WriterConnection;
use crate::grouping::GroupingOutcome;
use crate::ingest::metrics::Metrics;
use crate::ingest::normalize::NormalizedEvent;
use crate::live::{ChangeKind, IssueChange, LiveIssues};
pub use similarity::band_rows;

/// One event on its way to the database.
pub struct WriteJob {
    pub project_id: i64,
    /// Serialised and compressed in the request task, so the writer does not.
    pub event: NormalizedEvent<Vec<u8>>,
    pub grouping: GroupingOutcome,
    /// Derived and client tags, as stored in the issue tag counts.
    pub tags: Vec<(String, String)>,
    pub similarity: SimilaritySettings,
    pub attachments: Vec<NewAttachment>,
}

#[derive(Clone, Copy, Debug)]
pub struct SimilaritySettings {
    /// Whether a new hash may join an existing issue when close enough.
    pub join_enabled: bool,
    /// Largest distance at which it joins.
    pub threshold: f64,
}

/// An attachment that travels with its event.
pub struct NewAttachment {
    pub filename: String,
    pub content_type: Option<String>,
    pub attachment_type: String,
    pub data: Vec<u8>,
}

/// What the writer did with a job.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    pub event_id: String,
    pub issue_id: i64,
    /// The event created its issue.
    pub new_issue: bool,
    /// The event reopened a resolved issue.
    pub regressed: bool,
    /// The same event id was already stored (an SDK retry): nothing was written again.
    pub duplicate: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the ingest queue is full")]
    QueueFull,
    #[error("the writer has stopped")]
    Stopped,
    #[error("database error: {0}")]
    Database(String),
}

type Reply = oneshot::Sender<Result<Written, WriteError>>;

/// Cloneable handle the ingest endpoints submit jobs through.
#[derive(Clone)]
pub struct WriterHandle {
    queue: mpsc::Sender<(WriteJob, Reply)>,
}

impl WriterHandle {
    /// Starts the writer on a thread of its own, with a runtime and a database connection of its
    /// own (`db::connect_writer(database_url)`); it reports its batches and stage times to
    /// `metrics`. Returns once the writer is connected, or with the reason it could not connect.
    ///
    /// Why a thread: on SQLite the writer calls SQLite itself (`db::sqlite_writer`), CPU work
    /// that must not hold up request tasks; on PostgreSQL a batch is a dozen statements, each
    /// a hand-off to the socket and back, and after each commit sqlx returns the connection to
    /// its pool from a spawned task that pings it. On the shared runtime every one of those
    /// wake-ups waited behind request tasks busy decoding and grouping events; here nothing
    /// else runs, so the writer's time is the database's.
    pub async fn start(
        database_url: &str,
        wal_catch_up: WalCatchUp,
        limits: &IngestLimits,
        live: LiveIssues,
        public_url: String,
        metrics: Arc<Metrics>,
    ) -> anyhow::Result<Self> {
        let (queue, receiver) = mpsc::channel(limits.writer_queue);
        let (max_batch, linger) = (limits.max_batch, limits.writer_linger);
        let (connected, connection) = oneshot::channel::<anyhow::Result<()>>();
        let url = database_url.to_string();
        std::thread::Builder::new()
            .name("larder-writer".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = connected.send(Err(error.into()));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match crate::db::connect_writer(&url).await {
                        Ok(db) => {
                            let batching = Batching {
                                max_batch,
                                linger: gather::linger_for(&db, linger),
                                linger_step: gather::LINGER_STEP,
                            };
                            let _ = connected.send(Ok(()));
                            let writer = Writer {
                                db,
                                wal_catch_up,
                                batching,
                                live,
                                public_url,
                                metrics,
                            };
                            writer.run(receiver).await;
                        }
                        Err(error) => {
                            let _ = connected.send(Err(error));
                        }
                    }
                });
            })?;
        connection
            .await
            .map_err(|_| anyhow::anyhow!("the writer thread ended before connecting"))??;
        Ok(WriterHandle { queue })
    }

    /// Queues a job and waits until it is durable.
    pub async fn write(&self, job: WriteJob) -> Result<Written, WriteError> {
        let (reply, answer) = oneshot::channel();
        self.queue.try_send((job, reply)).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => WriteError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => WriteError::Stopped,
        })?;
        answer.await.map_err(|_| WriteError::Stopped)?
    }
}

/// The writer's side of the thread: its connection and what it reports to.
struct Writer {
    db: WriterConnection,
    wal_catch_up: WalCatchUp,
    batching: Batching,
    live: LiveIssues,
    public_url: String,
    metrics: Arc<Metrics>,
}

impl Writer {
    async fn run(self, mut receiver: mpsc::Receiver<(WriteJob, Reply)>) {
        let mut pending = Vec::with_capacity(self.batching.max_batch);
        let mut batches: u64 = 0;
        while self.batching.gather(&mut receiver, &mut pending).await > 0 {
            if batches.is_multiple_of(CACHE_CHECK_BATCHES)
                && let Err(error) = crate::db::size_writer_cache(&self.db)
            {
                tracing::warn!(%error, "could not size the writer's page cache");
            }
            batches += 1;
            let (jobs, replies): (Vec<WriteJob>, Vec<Reply>) =
                std::mem::take(&mut pending).into_iter().unzip();
            let projects: Vec<i64> = jobs.iter().map(|j| j.project_id).collect();
            let mut clock = stages::StageClock::start();
            let results = write_with_retry(&self.db, jobs, &self.public_url, &mut clock).await;
            clock.report(&self.metrics, results.len());
            self.publish(&projects, &results);
            for (reply, result) in replies.into_iter().zip(results) {
                // A requester that gave up (client disconnected) still had its event stored.
                let _ = reply.send(result);
            }
            // After the replies: the next batch waits for it, this one does not.
            self.finish_wal_checkpoint().await;
        }
    }

    /// Tells live subscribers which issues the batch created, reopened or added events to.
    fn publish(&self, projects: &[i64], results: &[Result<Written, WriteError>]) {
        for (project_id, result) in projects.iter().zip(results) {
            if let Ok(written) = result.as_ref()
                && !written.duplicate
            {
                self.live.publish(IssueChange {
                    project_id: *project_id,
                    issue_id: written.issue_id,
                    kind: if written.new_issue {
                        ChangeKind::Created
                    } else if written.regressed {
                        ChangeKind::Regressed
                    } else {
                        ChangeKind::NewEvents
                    },
                });
            }
        }
    }

    /// Copies the rest of the WAL when a background checkpoint left only a little of it
    /// (`db::checkpoint`), timed as the writer's `wal_catch_up` stage.
    async fn finish_wal_checkpoint(&self) {
        let mut clock = stages::StageClock::start();
        match self.wal_catch_up.run_if_due(&self.db).await {
            Ok(true) => {
                clock.mark("wal_catch_up");
                clock.report_stages(&self.metrics);
                self.metrics.add("writer_total", "wal_catch_ups", 1);
            }
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "WAL checkpoint failed"),
        }
    }
}

/// Batches between two checks of the database's size for the writer's page cache
/// (`db::size_writer_cache`): a few seconds under load, one cheap query each time.
const CACHE_CHECK_BATCHES: u64 = 1_000;

/// Writes a batch; if the batch transaction fails, every job gets its own transaction so that
/// the failure is reported only to the job that caused it.
async fn write_with_retry(
    db: &WriterConnection,
    jobs: Vec<WriteJob>,
    public_url: &str,
    clock: &mut stages::StageClock,
) -> Vec<Result<Written, WriteError>> {
    match batch::write(db, &jobs, public_url, clock).await {
        Ok(written) => written.into_iter().map(Ok).collect(),
        Err(error) if jobs.len() == 1 => {
            tracing::warn!(%error, "event write failed");
            vec![Err(WriteError::Database(error.to_string()))]
        }
        Err(error) => {
            tracing::warn!(%error, jobs = jobs.len(), "batch write failed; retrying one by one");
            let mut results = Vec::with_capacity(jobs.len());
            for job in jobs {
                let single = std::slice::from_ref(&job);
                results.push(match batch::write(db, single, public_url, clock).await {
                    Ok(mut written) => Ok(written.remove(0)),
                    Err(error) => Err(WriteError::Database(error.to_string())),
                });
                // Give a struggling database a moment between retries.
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            results
        }
    }
}
