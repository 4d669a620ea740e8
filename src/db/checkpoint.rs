//! SQLite only: keeping the write-ahead log short without stalling the ingest writer.
//!
//! Every commit appends pages to the WAL; a checkpoint copies them back into the database file.
//! The log starts again from its beginning (and so stops growing) only after a checkpoint has
//! copied *all* of it, and under continuous ingest no background checkpoint ever does: commits
//! land while it runs. The log then grows until a commit crosses `wal_autocheckpoint` and runs
//! the whole checkpoint itself — at 5,000 events/s a 50–120 ms commit every half second, every
//! request of the batches behind it waiting (docs/benchmarks-history.md, sixth round).
//!
//! So the work is split in two:
//! - a background task ([`spawn`]) runs a `PASSIVE` checkpoint every [`INTERVAL`]: it neither
//!   waits for nor blocks the writer, and the database file's `fsync` is paid on its thread;
//! - once the log is long ([`CATCH_UP_MIN_FRAMES`]) and a pass has copied all of it that it
//!   found, it tells the writer ([`WalCatchUp`]), which checkpoints the remainder (what it
//!   appended meanwhile) on its own connection between two batches
//!   ([`WalCatchUp::run_if_due`]). Being the only writer, its checkpoint copies the log to its
//!   end, and its next transaction restarts the log.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

use super::write::WriterConnection;

/// How often the background task copies the log into the database file. 100 ms gave the same
/// throughput and p99 with two and a half times the passes (docs/benchmarks-history.md, sixth round); the
/// pass also syncs the WAL, so this bounds what a power loss can take.
pub const INTERVAL: Duration = Duration::from_millis(250);

/// The log length (WAL frames of 4 KiB pages) from which the writer is asked to finish a
/// background pass and so restart the log: 32 MiB, a quarter of a second at 5,000 events/s.
/// Each catch-up costs the writer two `fsync`s; a shorter log is not worth them.
pub const CATCH_UP_MIN_FRAMES: i64 = 8192;

/// Set by the background task when the log is almost all copied; taken by the writer.
#[derive(Clone, Default)]
pub struct WalCatchUp(Arc<AtomicBool>);

impl WalCatchUp {
    /// The writer, between batches: checkpoints the rest of the log when a background pass has
    /// left only a little of it. Returns whether it ran.
    pub async fn run_if_due(&self, writer: &WriterConnection) -> Result<bool, DbErr> {
        let Some(writer) = writer.sqlite() else {
            return Ok(false);
        };
        if !self.0.swap(false, Ordering::AcqRel) {
            return Ok(false);
        }
        writer.rows::<(i64, i64, i64)>(&passive())?;
        Ok(true)
    }

    fn request(&self) {
        self.0.store(true, Ordering::Release);
    }
}

/// What a `PRAGMA wal_checkpoint` reports.
#[derive(Debug, PartialEq)]
pub struct Progress {
    /// Frames in the log.
    pub log: i64,
    /// Frames of it now in the database file.
    pub copied: i64,
}

impl Progress {
    /// Whether the writer should finish the job: the pass copied the whole log as it found it
    /// (what the writer appended meanwhile is all that is left) and the log is long enough.
    fn calls_for_catch_up(&self) -> bool {
        self.log >= CATCH_UP_MIN_FRAMES && self.copied == self.log
    }
}

/// Runs a `PASSIVE` checkpoint on `db`: copies what it can without waiting for anyone.
pub async fn checkpoint(db: &DatabaseConnection) -> Result<Progress, DbErr> {
    let row = db
        .query_one_raw(passive())
        .await?
        .ok_or_else(|| DbErr::Custom("wal_checkpoint returned no row".into()))?;
    Ok(Progress {
        log: row.try_get("", "log")?,
        copied: row.try_get("", "checkpointed")?,
    })
}

/// Its row: whether it was blocked, the frames in the log, the frames now copied.
fn passive() -> Statement {
    Statement::from_string(DbBackend::Sqlite, "PRAGMA wal_checkpoint(PASSIVE)")
}

/// Starts the background checkpoints on `db` (a pool connection, not the writer's) and returns
/// the signal the writer takes its catch-up turns from. On PostgreSQL it starts nothing and the
/// signal is never raised.
pub fn spawn(db: DatabaseConnection) -> WalCatchUp {
    let catch_up = WalCatchUp::default();
    if super::backend(&db) != DbBackend::Sqlite {
        return catch_up;
    }
    let signal = catch_up.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match leave_little_to_copy(&db).await {
                Ok(true) => signal.request(),
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "WAL checkpoint failed"),
            }
        }
    });
    catch_up
}

/// A pass the writer appended little during: see [`leave_little_to_copy`].
const QUICK_PASS: Duration = Duration::from_millis(4);
/// Passes after the first, at most, to get there.
const MAX_EXTRA_PASSES: usize = 4;

/// One background turn: a checkpoint, and whether the writer should now finish the log. What
/// the writer would copy is what it appended while the last pass ran, so a slow pass (its own
/// `fsync`s behind other I/O: 10–20 ms) is followed by another, each over what the previous
/// one left, until one is quick.
async fn leave_little_to_copy(db: &DatabaseConnection) -> Result<bool, DbErr> {
    let (progress, mut took) = timed_checkpoint(db).await?;
    if !progress.calls_for_catch_up() {
        return Ok(false);
    }
    for _ in 0..MAX_EXTRA_PASSES {
        if took < QUICK_PASS {
            break;
        }
        let (progress, again) = timed_checkpoint(db).await?;
        if progress.copied != progress.log {
            // A reader holds back part of the log; the writer could not finish it either.
            return Ok(false);
        }
        took = again;
    }
    Ok(true)
}

async fn timed_checkpoint(db: &DatabaseConnection) -> Result<(Progress, Duration), DbErr> {
    let started = Instant::now();
    let progress = checkpoint(db).await?;
    Ok((progress, started.elapsed()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_catches_up_after_a_complete_pass_over_a_long_log() {
        let progress = |log, copied| Progress { log, copied };
        let long = CATCH_UP_MIN_FRAMES;
        assert!(progress(long, long).calls_for_catch_up());
        assert!(progress(long + 1, long + 1).calls_for_catch_up());
        assert!(
            !progress(long, long - 1).calls_for_catch_up(),
            "a reader held the pass back"
        );
        assert!(
            !progress(long - 1, long - 1).calls_for_catch_up(),
            "short log"
        );
        assert!(!progress(-1, -1).calls_for_catch_up(), "not in WAL mode");
    }

    /// A SQLite file with a writer connection, a pool, and a table of one-page rows.
    async fn database() -> (tempfile::TempDir, WriterConnection, DatabaseConnection) {
        let folder = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/larder.db", folder.path().display());
        let writer = crate::db::connect_writer(&url).await.unwrap();
        let pool = crate::db::connect(&url).await.unwrap();
        let sqlite = writer.sqlite().unwrap();
        sqlite
            .execute_unprepared("CREATE TABLE page (body BLOB NOT NULL)")
            .unwrap();
        (folder, writer, pool)
    }

    /// Appends about `pages` frames to the log: one transaction of rows a page each.
    async fn write(writer: &WriterConnection, pages: i64) {
        writer
            .sqlite()
            .unwrap()
            .execute_unprepared(&format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {pages}) \
                 INSERT INTO page (body) SELECT randomblob(4000) FROM n"
            ))
            .unwrap();
    }

    /// Under load the writer appends while a background pass runs, so the pass leaves frames
    /// behind and the log can never restart by itself. A reader's snapshot holds a pass back in
    /// the same way, deterministically; once it ends, only the writer's catch-up lets the log
    /// restart.
    #[tokio::test]
    async fn the_writers_catch_up_restarts_a_log_a_pass_left_frames_of() {
        let (_folder, writer, pool) = database().await;
        write(&writer, CATCH_UP_MIN_FRAMES).await;
        let reader = sea_orm::TransactionTrait::begin(&pool).await.unwrap();
        reader
            .execute_unprepared("SELECT count(*) FROM page")
            .await
            .unwrap();
        write(&writer, 5).await;
        let pass = checkpoint(&pool).await.unwrap();
        assert!(pass.copied < pass.log, "the pass left frames: {pass:?}");
        reader.commit().await.unwrap();
        write(&writer, 1).await;

        let catch_up = WalCatchUp::default();
        catch_up.request();
        assert!(catch_up.run_if_due(&writer).await.unwrap());
        assert!(
            !catch_up.run_if_due(&writer).await.unwrap(),
            "one request, one turn"
        );

        write(&writer, 1).await;
        let progress = checkpoint(&pool).await.unwrap();
        assert!(progress.log < 100, "the log restarted: {progress:?}");
    }

    #[tokio::test]
    async fn the_background_task_asks_for_a_catch_up_once_the_log_is_long() {
        let (_folder, writer, pool) = database().await;
        let catch_up = spawn(pool);
        write(&writer, CATCH_UP_MIN_FRAMES / 2).await;
        tokio::time::sleep(INTERVAL * 3).await;
        assert!(!catch_up.0.load(Ordering::Acquire), "short log");

        write(&writer, CATCH_UP_MIN_FRAMES).await;
        let asked = async {
            while !catch_up.0.load(Ordering::Acquire) {
                tokio::time::sleep(INTERVAL / 4).await;
            }
        };
        tokio::time::timeout(INTERVAL * 20, asked)
            .await
            .expect("a catch-up was asked for");
    }
}
