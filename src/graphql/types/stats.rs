//! Time series for charts, read from the hourly rollups the ingest writer keeps.
use std::collections::BTreeMap;

use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};

use crate::graphql::bad_input;

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum StatsInterval {
    #[default]
    Hour,
    Day,
}

impl StatsInterval {
    fn step(self) -> TimeDelta {
        match self {
            StatsInterval::Hour => TimeDelta::hours(1),
            StatsInterval::Day => TimeDelta::days(1),
        }
    }
}

#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct StatsPoint {
    /// Start of the bucket (UTC).
    pub bucket: DateTime<Utc>,
    pub count: i64,
}

/// The requested range, checked: default the last 24 hours, at most 400 buckets.
pub struct Range {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub interval: StatsInterval,
}

impl Range {
    pub fn new(
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        interval: Option<StatsInterval>,
    ) -> async_graphql::Result<Range> {
        let interval = interval.unwrap_or_default();
        let to = to.unwrap_or_else(Utc::now);
        let from = from.unwrap_or(to - TimeDelta::hours(24));
        if from >= to {
            return Err(bad_input("`from` must be before `to`"));
        }
        if (to - from).num_seconds() / interval.step().num_seconds() > 400 {
            return Err(bad_input(
                "at most 400 buckets per series: widen the interval",
            ));
        }
        Ok(Range {
            from: truncate(from, interval),
            to,
            interval,
        })
    }

    /// Zero-filled series from hourly `(bucket, count)` rows.
    pub fn series(
        &self,
        hourly: impl IntoIterator<Item = (DateTime<Utc>, i64)>,
    ) -> Vec<StatsPoint> {
        let mut buckets: BTreeMap<DateTime<Utc>, i64> = BTreeMap::new();
        let mut t = self.from;
        while t < self.to {
            buckets.insert(t, 0);
            t += self.interval.step();
        }
        for (hour, count) in hourly {
            if let Some(total) = buckets.get_mut(&truncate(hour, self.interval)) {
                *total += count;
            }
        }
        buckets
            .into_iter()
            .map(|(bucket, count)| StatsPoint { bucket, count })
            .collect()
    }
}

fn truncate(t: DateTime<Utc>, interval: StatsInterval) -> DateTime<Utc> {
    t.duration_trunc(interval.step()).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn hourly_rows_fill_day_buckets_and_zeroes_elsewhere() {
        let range = Range::new(
            Some(at("2026-11-23T05:00:00Z")),
            Some(at("2026-11-25T12:00:00Z")),
            Some(StatsInterval::Day),
        )
        .unwrap();
        let series = range.series([
            (at("2026-11-24T01:00:00Z"), 2),
            (at("2026-11-24T23:00:00Z"), 3),
            (at("2026-11-20T00:00:00Z"), 9),
        ]);
        let counts: Vec<i64> = series.iter().map(|p| p.count).collect();
        assert_eq!(counts, [0, 5, 0]);
        assert_eq!(series[0].bucket, at("2026-11-23T00:00:00Z"));
    }

    #[test]
    fn ranges_are_checked() {
        assert!(
            Range::new(
                Some(at("2026-11-25T00:00:00Z")),
                Some(at("2026-11-24T00:00:00Z")),
                None
            )
            .is_err()
        );
        assert!(
            Range::new(
                Some(at("2025-01-01T00:00:00Z")),
                Some(at("2026-01-01T00:00:00Z")),
                Some(StatsInterval::Hour)
            )
            .is_err()
        );
        assert_eq!(Range::new(None, None, None).unwrap().series([]).len(), 25);
    }
}
