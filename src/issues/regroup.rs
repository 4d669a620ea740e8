//! What the project's current grouping (config, fingerprint and stack-trace rules) would do to
//! the events already stored: each stored event is grouped again and routed as the writer would
//! route its hash (to the issue that owns it, else to a new issue), and the differences are
//! reported as issues that would merge and issues that would split. Read-only: rules change
//! what happens to new events; this shows the change they would make to the past.
use std::collections::{BTreeMap, HashMap};

use entity::{event, grouping_hash, issue, project, states::IssueStatus};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::grouping::{GroupingConfig, group_event};

/// Events read per query.
const PAGE: u64 = 500;
/// Events looked at, newest first, at most.
pub const MAX_EVENTS: u64 = 100_000;

/// Where a stored event would go.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Target {
    /// The issue that owns its hash.
    Issue(i64),
    /// A new issue for a hash no issue owns.
    New(String),
}

#[derive(Debug, Default, PartialEq)]
pub struct RegroupPreview {
    pub events_scanned: u64,
    /// More events than `MAX_EVENTS`: the oldest were not looked at.
    pub truncated: bool,
    /// Events that would change issue.
    pub events_moving: u64,
    pub merges: Vec<Merge>,
    pub splits: Vec<Split>,
}

/// Issues whose events would end up in one issue.
#[derive(Debug, PartialEq)]
pub struct Merge {
    /// Ascending.
    pub issue_ids: Vec<i64>,
    pub events: u64,
}

/// An issue whose events would be spread over several issues.
#[derive(Debug, PartialEq)]
pub struct Split {
    pub issue_id: i64,
    /// Events per part, largest first.
    pub parts: Vec<u64>,
}

pub async fn preview<C: ConnectionTrait>(
    db: &C,
    project: &project::Model,
    config: &GroupingConfig,
) -> Result<RegroupPreview, DbErr> {
    let routes: HashMap<String, i64> = grouping_hash::Entity::find()
        .select_only()
        .column(grouping_hash::Column::Hash)
        .column(grouping_hash::Column::IssueId)
        .filter(grouping_hash::Column::ProjectId.eq(project.id))
        .into_tuple::<(String, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    // Issue → where its events would go, with how many.
    let mut moves: BTreeMap<i64, BTreeMap<Target, u64>> = BTreeMap::new();
    let mut preview = RegroupPreview::default();
    let mut before: Option<i64> = None;
    loop {
        let mut query = event::Entity::find()
            .inner_join(issue::Entity)
            .filter(event::Column::ProjectId.eq(project.id))
            .filter(issue::Column::Status.ne(IssueStatus::Merged))
            .order_by_desc(event::Column::Id)
            .limit(PAGE);
        if let Some(id) = before {
            query = query.filter(event::Column::Id.lt(id));
        }
        let rows = query.all(db).await?;
        let Some(last) = rows.last() else { break };
        before = Some(last.id);
        for row in &rows {
            let payload: crate::event::Event = crate::db::payload::read(row);
            let hash = group_event(&payload, config).hashes.swap_remove(0);
            let target = match routes.get(&hash) {
                Some(&issue_id) => Target::Issue(issue_id),
                None => Target::New(hash),
            };
            *moves
                .entry(row.issue_id)
                .or_default()
                .entry(target)
                .or_default() += 1;
            preview.events_scanned += 1;
        }
        if preview.events_scanned >= MAX_EVENTS {
            preview.truncated = true;
            break;
        }
    }
    // Target → the issues sending events there.
    let mut sources: BTreeMap<&Target, Vec<(i64, u64)>> = BTreeMap::new();
    for (&issue_id, targets) in &moves {
        for (target, &count) in targets {
            sources.entry(target).or_default().push((issue_id, count));
        }
    }
    // An issue's home: its own hash's issue, else its largest part when that is a new hash of
    // which it is the oldest source (it would become that issue; issues joining it move).
    // Events elsewhere move.
    let home = |issue_id: i64, targets: &BTreeMap<Target, u64>| -> Option<Target> {
        let own = Target::Issue(issue_id);
        if targets.contains_key(&own) {
            return Some(own);
        }
        let (largest, _) = targets.iter().max_by_key(|(_, count)| **count)?;
        let oldest = sources[largest].iter().map(|(id, _)| *id).min();
        (matches!(largest, Target::New(_)) && oldest == Some(issue_id)).then(|| largest.clone())
    };
    for (&issue_id, targets) in &moves {
        let home = home(issue_id, targets);
        preview.events_moving += targets
            .iter()
            .filter(|(target, _)| Some(*target) != home.as_ref())
            .map(|(_, count)| count)
            .sum::<u64>();
    }
    for (target, from) in &sources {
        let mut issue_ids: Vec<i64> = from.iter().map(|(id, _)| *id).collect();
        if let Target::Issue(owner) = target
            && !issue_ids.contains(owner)
        {
            issue_ids.push(*owner);
        }
        if issue_ids.len() > 1 {
            issue_ids.sort_unstable();
            preview.merges.push(Merge {
                issue_ids,
                events: from.iter().map(|(_, count)| count).sum(),
            });
        }
    }
    // A hash routed to its own issue that only changed its hash is not a split: a new target
    // taking every event of one issue is the same issue under a new hash.
    for (&issue_id, targets) in &moves {
        if targets.len() > 1 {
            let mut parts: Vec<u64> = targets.values().copied().collect();
            parts.sort_unstable_by(|a, b| b.cmp(a));
            preview.splits.push(Split { issue_id, parts });
        }
    }
    Ok(preview)
}
