//! `regroupProject` runs as a background task: one per project at a time, its state kept in
//! memory (a restart forgets a finished job's report; a job cut short by a restart rolled back,
//! as it is one transaction, and can be started again).
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use entity::project;
use sea_orm::DatabaseConnection;

use super::regroup::{self, RegroupReport};
use crate::grouping::GroupingConfig;

#[derive(Debug, Clone, PartialEq)]
pub struct RegroupJob {
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Set when it finished: what it changed, or why it failed.
    pub outcome: Option<Result<RegroupReport, String>>,
}

/// The latest regrouping of each project.
#[derive(Default)]
pub struct RegroupJobs {
    jobs: Mutex<HashMap<i64, RegroupJob>>,
}

impl RegroupJobs {
    /// Starts regrouping the project unless a regrouping of it is running; returns the job.
    pub fn start(
        self: &Arc<Self>,
        db: DatabaseConnection,
        project: project::Model,
        config: GroupingConfig,
        actor: String,
    ) -> RegroupJob {
        let mut jobs = self.jobs.lock().expect("regroup jobs");
        if let Some(job) = jobs.get(&project.id)
            && job.finished_at.is_none()
        {
            return job.clone();
        }
        let job = RegroupJob {
            started_at: Utc::now(),
            finished_at: None,
            outcome: None,
        };
        jobs.insert(project.id, job.clone());
        let registry = self.clone();
        tokio::spawn(async move {
            let outcome = regroup::apply(&db, &project, &config, &actor)
                .await
                .map_err(|error| {
                    tracing::error!(project = project.id, %error, "regrouping failed");
                    "the regrouping failed and changed nothing; try again".to_string()
                });
            if let Some(job) = registry
                .jobs
                .lock()
                .expect("regroup jobs")
                .get_mut(&project.id)
            {
                job.finished_at = Some(Utc::now());
                job.outcome = Some(outcome);
            }
        });
        job
    }

    /// The project's latest regrouping, if any since the server started.
    pub fn latest(&self, project_id: i64) -> Option<RegroupJob> {
        self.jobs
            .lock()
            .expect("regroup jobs")
            .get(&project_id)
            .cloned()
    }
}
