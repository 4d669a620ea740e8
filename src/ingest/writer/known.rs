//! What the database already holds for a batch, read in one query per project: which event ids
//! are stored (SDK retries, answered as duplicates) and which issue each grouping hash routes
//! to. One `UNION ALL` instead of two queries saves a round trip per batch on PostgreSQL
//! (docs/ARCHITECTURE.md, "The group-commit writer").
use std::collections::{HashMap, HashSet};

use entity::{event, grouping_hash};
use sea_orm::sea_query::{Expr, Query, SelectStatement, UnionType};
use sea_orm::{ColumnTrait, DbErr, EntityTrait};

use super::WriteJob;
use crate::db::write::WriteTxn;

/// `(project id, event id or hash)` → issue id.
pub type ByKey = HashMap<(i64, String), i64>;

#[derive(Default)]
pub struct Known {
    /// Event ids already stored, with their issue.
    pub stored: ByKey,
    /// Grouping hashes already routed, with their issue.
    pub owners: ByKey,
}

/// Tells the two halves of the union apart in its rows.
const STORED_EVENT: i32 = 1;
const ROUTED_HASH: i32 = 2;

impl Known {
    pub async fn load(txn: &WriteTxn<'_>, jobs: &[WriteJob]) -> Result<Self, DbErr> {
        let mut by_project: HashMap<i64, (HashSet<&str>, HashSet<&str>)> = HashMap::new();
        for job in jobs {
            let (event_ids, hashes) = by_project.entry(job.project_id).or_default();
            event_ids.insert(job.event.event_id.as_str());
            hashes.extend(job.grouping.hashes.iter().map(String::as_str));
        }
        let mut known = Known::default();
        for (project_id, (event_ids, hashes)) in by_project {
            use {event::Column as E, grouping_hash::Column as H};
            let mut query = lookup::<event::Entity>(
                STORED_EVENT,
                [E::ProjectId, E::EventId, E::IssueId],
                project_id,
                event_ids,
            );
            if !hashes.is_empty() {
                let routes = lookup::<grouping_hash::Entity>(
                    ROUTED_HASH,
                    [H::ProjectId, H::Hash, H::IssueId],
                    project_id,
                    hashes,
                );
                query.union(UnionType::All, routes);
            }
            let rows: Vec<(i32, String, i64)> = txn.rows(txn.statement(&query)).await?;
            for (kind, key, issue_id) in rows {
                let map = match kind {
                    STORED_EVENT => &mut known.stored,
                    _ => &mut known.owners,
                };
                map.insert((project_id, key), issue_id);
            }
        }
        Ok(known)
    }
}

/// `SELECT kind, key, issue_id FROM <table> WHERE project_id = ? AND key IN (…)`.
fn lookup<E: EntityTrait>(
    kind: i32,
    [project, key, issue]: [E::Column; 3],
    project_id: i64,
    keys: HashSet<&str>,
) -> SelectStatement {
    // Built in place, not `to_owned()`: that would clone the statement and its key list.
    let mut select = Query::select();
    select
        .expr(Expr::cust(kind.to_string()))
        .column(key)
        .column(issue)
        .from(E::default())
        .and_where(project.eq(project_id))
        .and_where(key.is_in(keys));
    select
}
