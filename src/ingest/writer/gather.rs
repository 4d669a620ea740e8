//! How the writer gathers its next batch from the queue: whatever has queued up, and — once
//! events are queuing — whatever arrives within a short linger.
use std::time::Duration;

use tokio::sync::mpsc;

/// A batch at least this large starts at once: its commit is already shared well.
const LINGER_BELOW: usize = 64;

pub struct Batching {
    /// Most jobs in one batch.
    pub max_batch: usize,
    /// How long a batch may wait to fill once jobs are queuing (`IngestLimits::writer_linger`).
    pub linger: Duration,
}

impl Batching {
    /// Waits for the next batch into `pending` (empty on entry); returns its size, 0 once the
    /// queue has closed and drained.
    ///
    /// A batch's commit and lookups cost nearly the same for 4 events as for 20, and on two
    /// cores that fixed cost is taken from the request tasks. So when two or more jobs are
    /// already waiting — events arrive faster than batches are written — the writer sleeps for
    /// `linger` and takes what has arrived by then too (measured: batches of 4–5 grew to 14–17,
    /// about 20 % less server CPU per event, BENCHMARKS.md). A lone job (an idle server) is
    /// written at once.
    ///
    /// A thread sleep, not tokio's: tokio's timers count whole milliseconds. Nothing else runs
    /// on the writer's thread, and no statement of it is in flight between batches.
    pub async fn gather<T>(&self, receiver: &mut mpsc::Receiver<T>, pending: &mut Vec<T>) -> usize {
        let waiting = receiver.recv_many(pending, self.max_batch).await;
        if waiting >= 2 && waiting < LINGER_BELOW.min(self.max_batch) && !self.linger.is_zero() {
            std::thread::sleep(self.linger);
            if !receiver.is_empty() {
                receiver.recv_many(pending, self.max_batch - waiting).await;
            }
        }
        pending.len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    const LINGER: Duration = Duration::from_millis(150);

    fn batching(max_batch: usize, linger: Duration) -> Batching {
        Batching { max_batch, linger }
    }

    /// Sends `later` more jobs 30 ms from now, while a gather may be lingering.
    fn send_later(queue: &mpsc::Sender<u32>, later: u32) {
        let queue = queue.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            for job in 0..later {
                queue.blocking_send(100 + job).unwrap();
            }
        });
    }

    #[tokio::test]
    async fn jobs_queuing_up_wait_for_those_arriving_within_the_linger() {
        let (queue, mut receiver) = mpsc::channel(100);
        queue.send(1).await.unwrap();
        queue.send(2).await.unwrap();
        send_later(&queue, 3);
        let mut pending = Vec::new();
        let started = Instant::now();
        let size = batching(1000, LINGER)
            .gather(&mut receiver, &mut pending)
            .await;
        assert_eq!(size, 5, "{pending:?}");
        assert!(started.elapsed() >= LINGER);
    }

    #[tokio::test]
    async fn a_lone_job_is_written_at_once() {
        let (queue, mut receiver) = mpsc::channel(100);
        queue.send(1).await.unwrap();
        send_later(&queue, 3);
        let mut pending = Vec::new();
        let started = Instant::now();
        let size = batching(1000, LINGER)
            .gather(&mut receiver, &mut pending)
            .await;
        assert_eq!(size, 1);
        assert!(started.elapsed() < LINGER);
    }

    #[tokio::test]
    async fn without_a_linger_or_with_a_large_batch_nothing_waits() {
        for (max_batch, linger, queued) in [
            (1000, Duration::ZERO, 2),
            (1000, LINGER, 64),
            (3, LINGER, 3),
        ] {
            let (queue, mut receiver) = mpsc::channel(100);
            for job in 0..queued {
                queue.send(job).await.unwrap();
            }
            send_later(&queue, 3);
            let mut pending = Vec::new();
            let started = Instant::now();
            let size = batching(max_batch, linger)
                .gather(&mut receiver, &mut pending)
                .await;
            assert_eq!(size, queued as usize);
            assert!(started.elapsed() < LINGER);
        }
    }

    #[tokio::test]
    async fn a_lingering_batch_stays_within_max_batch() {
        let (queue, mut receiver) = mpsc::channel(100);
        queue.send(1).await.unwrap();
        queue.send(2).await.unwrap();
        send_later(&queue, 5);
        let mut pending = Vec::new();
        let size = batching(4, LINGER)
            .gather(&mut receiver, &mut pending)
            .await;
        assert_eq!(size, 4);
        assert_eq!(receiver.len(), 3);
    }

    #[tokio::test]
    async fn a_closed_queue_ends_the_writer() {
        let (queue, mut receiver) = mpsc::channel::<u32>(1);
        drop(queue);
        let mut pending = Vec::new();
        assert_eq!(
            batching(1000, LINGER)
                .gather(&mut receiver, &mut pending)
                .await,
            0
        );
    }
}
