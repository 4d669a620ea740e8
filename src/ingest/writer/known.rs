//! What the database already holds for a batch, read in one query per project: which event ids
//! are stored (SDK retries, answered as duplicates) and which issue each grouping hash routes
//! to. One `UNION ALL` instead of two queries saves a round trip per batch (see `combined`).
//! On SQLite its rows come back folded into one JSON array: sqlx's SQLite worker thread sends
//! every row as a message of its own (a thread wake-up each, a dozen per batch), a single row
//! is one message. PostgreSQL streams rows on its socket, so there they come as they are.
use std::collections::{HashMap, HashSet};

use entity::{event, grouping_hash};
use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement, UnionType};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait};

use super::WriteJob;

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
    pub async fn load(txn: &DatabaseTransaction, jobs: &[WriteJob]) -> Result<Self, DbErr> {
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
            for (kind, key, issue_id) in rows(txn, query).await? {
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

/// The `(kind, key, issue id)` rows of the lookup `query`: on SQLite read as one row, the JSON
/// array `json_group_array` folds them into.
async fn rows(
    txn: &DatabaseTransaction,
    query: SelectStatement,
) -> Result<Vec<(i32, String, i64)>, DbErr> {
    if txn.get_database_backend() != DbBackend::Sqlite {
        let mut rows = Vec::new();
        for row in txn.query_all(&query).await? {
            rows.push((
                row.try_get_by_index(0)?,
                row.try_get_by_index(1)?,
                row.try_get_by_index(2)?,
            ));
        }
        return Ok(rows);
    }
    let folded = Query::select()
        .expr(Expr::cust(
            "json_group_array(json_array(kind, key, issue_id))",
        ))
        .from_subquery(query, Alias::new("known"))
        .to_owned();
    let Some(row) = txn.query_one(&folded).await? else {
        return Ok(Vec::new());
    };
    let array: String = row.try_get_by_index(0)?;
    serde_json::from_str(&array).map_err(|e| DbErr::Custom(format!("lookup rows: {e}")))
}

/// `SELECT kind, key, issue_id FROM <table> WHERE project_id = ? AND key IN (…)`.
fn lookup<E: EntityTrait>(
    kind: i32,
    [project, key, issue]: [E::Column; 3],
    project_id: i64,
    keys: HashSet<&str>,
) -> SelectStatement {
    Query::select()
        .expr_as(Expr::cust(kind.to_string()), Alias::new("kind"))
        .expr_as(Expr::col(key), Alias::new("key"))
        .expr_as(Expr::col(issue), Alias::new("issue_id"))
        .from(E::default())
        .and_where(project.eq(project_id))
        .and_where(key.is_in(keys))
        .to_owned()
}
