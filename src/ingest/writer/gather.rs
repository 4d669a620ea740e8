//! How the writer gathers its next batch from the queue: whatever has queued up, and — once
//! events are queuing — whatever keeps arriving within a short linger.
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::db::write::WriterConnection;

/// A batch at least this large starts at once: its commit is already shared well.
const LINGER_BELOW: usize = 64;

/// How often a lingering writer looks at the queue (the default of `Batching::linger_step`).
pub const LINGER_STEP: Duration = Duration::from_micros(150);

/// The linger the writer uses on its database: `linger` on SQLite, none on PostgreSQL. There
/// the writer waits on round trips, not on the CPU, batches reach 16 events without lingering,
/// and the wait only added latency: 1,336–1,741 vs 1,813–1,896 events/s (eighth round).
pub fn linger_for(db: &WriterConnection, linger: Duration) -> Duration {
    match db {
        WriterConnection::Sqlite(_) => linger,
        WriterConnection::Postgres(_) => Duration::ZERO,
    }
}

pub struct Batching {
    /// Most jobs in one batch.
    pub max_batch: usize,
    /// Longest a batch waits to fill once jobs are queuing (`IngestLimits::writer_linger`).
    pub linger: Duration,
    /// A lingering batch starts as soon as one step of this length brought no job.
    pub linger_step: Duration,
}

impl Batching {
    /// Waits for the next batch into `pending` (empty on entry); returns its size, 0 once the
    /// queue has closed and drained.
    ///
    /// A batch's commit and lookups cost nearly the same for 4 events as for 15, and on two
    /// cores that fixed cost is taken from the request tasks. So when two or more jobs are
    /// already waiting — events arrive faster than batches are written — the writer waits in
    /// steps of `linger_step` while jobs keep arriving, up to `linger` in all, and takes them
    /// too: batches of 4–5 grew to 11–14 events and server CPU per event fell 9 %
    /// (docs/benchmarks-history.md, eighth round). A step that brings nothing ends the wait — every request
    /// is then waiting on the writer, and lingering on would only leave the CPU idle. A lone
    /// job (an idle server) is written at once.
    ///
    /// A thread sleep, not tokio's: tokio's timers count whole milliseconds. Nothing else runs
    /// on the writer's thread, and no statement of it is in flight between batches.
    pub async fn gather<T>(&self, receiver: &mut mpsc::Receiver<T>, pending: &mut Vec<T>) -> usize {
        let enough = LINGER_BELOW.min(self.max_batch);
        let waiting = receiver.recv_many(pending, self.max_batch).await;
        if waiting < 2 || self.linger.is_zero() {
            return waiting;
        }
        let deadline = Instant::now() + self.linger;
        while pending.len() < enough {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            std::thread::sleep(left.min(self.linger_step));
            if receiver.is_empty() {
                break;
            }
            let room = self.max_batch - pending.len();
            // Jobs are queued: completes at once.
            receiver.recv_many(pending, room).await;
        }
        pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINGER: Duration = Duration::from_millis(600);
    const STEP: Duration = Duration::from_millis(100);

    fn batching(max_batch: usize, linger: Duration) -> Batching {
        Batching {
            max_batch,
            linger,
            linger_step: STEP,
        }
    }

    /// Sends `count` more jobs, one every `every`, from another thread.
    fn send_later(queue: &mpsc::Sender<u32>, count: u32, every: Duration) {
        let queue = queue.clone();
        std::thread::spawn(move || {
            for job in 0..count {
                std::thread::sleep(every);
                if queue.blocking_send(100 + job).is_err() {
                    return;
                }
            }
        });
    }

    async fn queue_with(jobs: u32) -> (mpsc::Sender<u32>, mpsc::Receiver<u32>) {
        let (queue, receiver) = mpsc::channel(200);
        for job in 0..jobs {
            queue.send(job).await.unwrap();
        }
        (queue, receiver)
    }

    /// Gathers one batch; returns its jobs and how long the gather took.
    async fn gather_timed(
        batching: Batching,
        receiver: &mut mpsc::Receiver<u32>,
    ) -> (Vec<u32>, Duration) {
        let mut pending = Vec::new();
        let started = Instant::now();
        let size = batching.gather(receiver, &mut pending).await;
        assert_eq!(size, pending.len());
        (pending, started.elapsed())
    }

    #[tokio::test]
    async fn queued_jobs_wait_for_those_that_keep_arriving() {
        let (queue, mut receiver) = queue_with(2).await;
        send_later(&queue, 3, Duration::from_millis(10));
        let (batch, _) = gather_timed(batching(1000, LINGER), &mut receiver).await;
        assert_eq!(batch.len(), 5, "{batch:?}");
    }

    #[tokio::test]
    async fn the_linger_ends_when_a_step_brings_nothing() {
        let (queue, mut receiver) = queue_with(2).await;
        send_later(&queue, 1, Duration::from_millis(10));
        let (batch, waited) = gather_timed(batching(1000, LINGER), &mut receiver).await;
        assert_eq!(batch.len(), 3);
        // One step that brought the third job, one that brought nothing.
        assert!(waited >= 2 * STEP && waited < LINGER, "{waited:?}");
    }

    #[tokio::test]
    async fn the_linger_is_bounded_while_jobs_keep_arriving() {
        let (queue, mut receiver) = queue_with(2).await;
        send_later(&queue, 100, Duration::from_millis(10));
        let (batch, waited) = gather_timed(batching(1000, LINGER), &mut receiver).await;
        assert!(waited >= LINGER && waited < 2 * LINGER, "{waited:?}");
        assert!(batch.len() > 10 && batch.len() < 102, "{}", batch.len());
    }

    /// A lone job (an idle server), no linger, a batch already large enough, a full batch.
    #[tokio::test]
    async fn a_lone_job_or_a_batch_that_need_not_linger_is_written_at_once() {
        for (max_batch, linger, queued) in [
            (1000, LINGER, 1),
            (1000, Duration::ZERO, 2),
            (1000, LINGER, 64),
            (3, LINGER, 3),
        ] {
            let (queue, mut receiver) = queue_with(queued).await;
            send_later(&queue, 3, Duration::from_millis(5));
            let (batch, waited) = gather_timed(batching(max_batch, linger), &mut receiver).await;
            assert_eq!(batch.len(), queued as usize);
            assert!(waited < STEP, "{waited:?}");
        }
    }

    #[tokio::test]
    async fn a_lingering_batch_stays_within_max_batch() {
        let (queue, mut receiver) = queue_with(2).await;
        send_later(&queue, 5, Duration::from_millis(1));
        std::thread::sleep(Duration::from_millis(30));
        let (batch, _) = gather_timed(batching(4, LINGER), &mut receiver).await;
        assert_eq!(batch.len(), 4);
        assert_eq!(receiver.len(), 3);
    }

    #[tokio::test]
    async fn a_closed_queue_ends_the_writer() {
        let (queue, mut receiver) = queue_with(0).await;
        drop(queue);
        let (batch, _) = gather_timed(batching(1000, LINGER), &mut receiver).await;
        assert!(batch.is_empty());
    }
}
