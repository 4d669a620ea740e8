//! Counts of what became of events that never reached the writer (filtered, sampled, rate
//! limited), kept in memory and added to the hourly `project_stat` rollup every second. These are
//! statistics: a crash may lose the last second of counts, never an event.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::project_stat;
use entity::states::Outcome;
use sea_orm::{DatabaseConnection, EntityTrait, Set};

use crate::ingest::writer::rollups::{hour, project_stat_conflict};

type Counts = HashMap<(i64, DateTime<Utc>, Outcome), i64>;

#[derive(Default, Clone)]
pub struct Outcomes {
    pending: Arc<Mutex<Counts>>,
}

impl Outcomes {
    pub fn add(&self, project_id: i64, outcome: Outcome) {
        let key = (project_id, hour(Utc::now()), outcome);
        *self
            .pending
            .lock()
            .expect("outcomes lock")
            .entry(key)
            .or_default() += 1;
    }

    /// Flushes the counts every second in the background.
    pub fn spawn_flusher(&self, db: DatabaseConnection) {
        let outcomes = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if let Err(error) = outcomes.flush(&db).await {
                    tracing::warn!(%error, "could not record dropped-event counts");
                }
            }
        });
    }

    async fn flush(&self, db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
        let counts: Counts = std::mem::take(&mut *self.pending.lock().expect("outcomes lock"));
        if counts.is_empty() {
            return Ok(());
        }
        let rows: Vec<project_stat::ActiveModel> = counts
            .iter()
            .map(
                |((project_id, bucket, outcome), n)| project_stat::ActiveModel {
                    project_id: Set(*project_id),
                    bucket: Set(*bucket),
                    outcome: Set(*outcome),
                    times_seen: Set(*n),
                    ..Default::default()
                },
            )
            .collect();
        let result = project_stat::Entity::insert_many(rows)
            .on_conflict(project_stat_conflict())
            .exec(db)
            .await;
        if result.is_err() {
            // Put the counts back: they are retried on the next flush.
            let mut pending = self.pending.lock().expect("outcomes lock");
            for (key, n) in counts {
                *pending.entry(key).or_default() += n;
            }
        }
        result.map(|_| ())
    }
}
