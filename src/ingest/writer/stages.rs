//! Where the writer's time goes: the wall time of each stage of a batch, summed into `/metrics`
//! counters (`larder_writer_stage_microseconds_total{kind="commit"}`, …) beside the number of
//! batches and jobs, so the mean of a stage per batch is the ratio of two counter increases.
use std::time::{Duration, Instant};

use crate::ingest::metrics::Metrics;

/// Records the time since the previous mark under each stage's name.
pub struct StageClock {
    last: Instant,
    spent: Vec<(&'static str, Duration)>,
}

impl StageClock {
    pub fn start() -> Self {
        StageClock {
            last: Instant::now(),
            spent: Vec::with_capacity(12),
        }
    }

    /// Ends `stage`: the time since the previous mark (or the start) is its own.
    pub fn mark(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.spent.push((stage, now - self.last));
        self.last = now;
    }

    /// Adds the batch of `jobs` jobs and its stage times to the counters.
    pub fn report(self, metrics: &Metrics, jobs: usize) {
        metrics.add("writer_total", "batches", 1);
        metrics.add("writer_total", "jobs", jobs as u64);
        self.report_stages(metrics);
    }

    /// Adds the stage times alone: work between batches, not part of one.
    pub fn report_stages(self, metrics: &Metrics) {
        for (stage, spent) in self.spent {
            metrics.add(
                "writer_stage_microseconds_total",
                stage,
                spent.as_micros() as u64,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_timed_and_summed() {
        let metrics = Metrics::default();
        for _ in 0..2 {
            let mut clock = StageClock::start();
            std::thread::sleep(Duration::from_millis(2));
            clock.mark("commit");
            clock.mark("alert_rules");
            clock.report(&metrics, 3);
        }
        assert_eq!(metrics.get("writer_total", "batches"), 2);
        assert_eq!(metrics.get("writer_total", "jobs"), 6);
        assert!(metrics.get("writer_stage_microseconds_total", "commit") >= 4_000);
        assert!(metrics.get("writer_stage_microseconds_total", "alert_rules") < 4_000);
    }
}
