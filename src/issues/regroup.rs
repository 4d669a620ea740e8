//! Grouping the stored events again under the project's current grouping (config, fingerprint
//! and stack-trace rules): each event is grouped as ingest would now group it and routed as the
//! writer would route its hash (to the issue that owns it, else to a new issue).
//!
//! `preview` reports what that changes — issues that would merge, issues that would split — and
//! changes nothing. `apply` does it in one transaction: events move (their `hash` updated too, so
//! unmerging keeps working), new hashes are routed, new issues are created for hashes no issue
//! claims, every affected issue's count, first/last seen, users, hourly counts and tag counts
//! are rebuilt from its events (`rollups`), an issue left without events becomes a `merged`
//! tombstone of the issue that took most of them (its hashes follow), and the activity of each
//! issue says what moved. It does not go through the ingest writer, so no alert fires.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::Utc;
use entity::states::{ActivityKind, IssueStatus};
use entity::{event, grouping_hash, issue, project, similarity_band};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;

use super::{activity, rollups};
use crate::grouping::{GroupingConfig, group_event, record::issue_grouping_text, similarity};
use crate::ingest::writer::band_rows;

/// Events read per query.
const PAGE: u64 = 500;
/// Events a preview looks at, newest first, at most.
pub const MAX_PREVIEW_EVENTS: u64 = 100_000;
/// Event ids per `UPDATE`.
const UPDATE_BATCH: usize = 500;

/// Where a stored event would go.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Target {
    /// The issue that owns its hash.
    Issue(i64),
    /// A new issue for a hash no issue owns.
    New(String),
}

/// One stored event grouped again.
struct Regrouped {
    event_id: i64,
    issue_id: i64,
    old_hash: String,
    hash: String,
    target: Target,
}

/// What a new hash's issue is made from: the first event grouped into it.
struct NewIssue {
    title: String,
    culprit: Option<String>,
    grouping: String,
    explanation: String,
    level: entity::states::Level,
    /// The similarity index keys (signature bands and, stack-less, shape keys) the writer would
    /// file the issue under, so later events can join it as they would any other issue.
    signature: String,
    index_keys: Vec<(u16, i64)>,
}

/// Groups the project's stored events again (the newest `limit`); the second value says whether
/// older events were left out.
async fn regroup_events<C: ConnectionTrait>(
    db: &C,
    project: &project::Model,
    config: &GroupingConfig,
    limit: u64,
) -> Result<(Vec<Regrouped>, HashMap<String, NewIssue>, bool), DbErr> {
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
    let mut regrouped = Vec::new();
    let mut new_issues: HashMap<String, NewIssue> = HashMap::new();
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
        for row in rows {
            let payload: crate::event::Event = crate::db::payload::read(&row);
            let mut outcome = group_event(&payload, config);
            let hash = outcome.hashes.swap_remove(0);
            let target = match routes.get(&hash) {
                Some(&issue_id) => Target::Issue(issue_id),
                None => {
                    new_issues.entry(hash.clone()).or_insert_with(|| {
                        let signature = similarity::signature(&outcome.similarity);
                        let mut index_keys = similarity::band_keys(&signature);
                        if let Some(shape) = &outcome.shape {
                            index_keys.extend(similarity::shape_keys(
                                shape.kind.as_deref(),
                                &shape.template,
                            ));
                        }
                        NewIssue {
                            grouping: issue_grouping_text(&hash, &outcome.explanation),
                            explanation: serde_json::to_string(&outcome.explanation)
                                .unwrap_or_default(),
                            title: outcome.title.clone(),
                            culprit: outcome.culprit.clone(),
                            level: row.level,
                            signature: serde_json::to_string(&signature.0).unwrap_or_default(),
                            index_keys,
                        }
                    });
                    Target::New(hash.clone())
                }
            };
            regrouped.push(Regrouped {
                event_id: row.id,
                issue_id: row.issue_id,
                old_hash: row.hash,
                hash,
                target,
            });
            if regrouped.len() as u64 >= limit {
                return Ok((regrouped, new_issues, true));
            }
        }
    }
    Ok((regrouped, new_issues, false))
}

/// Where each issue's events go (with counts), and each target's source issues.
struct Moves {
    by_issue: BTreeMap<i64, BTreeMap<Target, u64>>,
    sources: BTreeMap<Target, Vec<(i64, u64)>>,
}

impl Moves {
    fn of(events: &[Regrouped]) -> Moves {
        let mut by_issue: BTreeMap<i64, BTreeMap<Target, u64>> = BTreeMap::new();
        for event in events {
            *by_issue
                .entry(event.issue_id)
                .or_default()
                .entry(event.target.clone())
                .or_default() += 1;
        }
        let mut sources: BTreeMap<Target, Vec<(i64, u64)>> = BTreeMap::new();
        for (&issue_id, targets) in &by_issue {
            for (target, &count) in targets {
                sources
                    .entry(target.clone())
                    .or_default()
                    .push((issue_id, count));
            }
        }
        Moves { by_issue, sources }
    }

    /// Where an issue stays: its own hash's issue, else its largest part when that is a new
    /// hash of which it is the oldest source (it becomes that hash's issue).
    fn home(&self, issue_id: i64) -> Option<Target> {
        let targets = self.by_issue.get(&issue_id)?;
        let own = Target::Issue(issue_id);
        if targets.contains_key(&own) {
            return Some(own);
        }
        let (largest, _) = targets.iter().max_by_key(|(_, count)| **count)?;
        let oldest = self.sources[largest].iter().map(|(id, _)| *id).min();
        (matches!(largest, Target::New(_)) && oldest == Some(issue_id)).then(|| largest.clone())
    }
}

#[derive(Debug, Default, PartialEq)]
pub struct RegroupPreview {
    pub events_scanned: u64,
    /// More events than `MAX_PREVIEW_EVENTS`: the oldest were not looked at.
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
    let (events, _, truncated) = regroup_events(db, project, config, MAX_PREVIEW_EVENTS).await?;
    let moves = Moves::of(&events);
    let mut preview = RegroupPreview {
        events_scanned: events.len() as u64,
        truncated,
        ..Default::default()
    };
    for (&issue_id, targets) in &moves.by_issue {
        let home = moves.home(issue_id);
        preview.events_moving += targets
            .iter()
            .filter(|(target, _)| Some(*target) != home.as_ref())
            .map(|(_, count)| count)
            .sum::<u64>();
        if targets.len() > 1 {
            let mut parts: Vec<u64> = targets.values().copied().collect();
            parts.sort_unstable_by(|a, b| b.cmp(a));
            preview.splits.push(Split { issue_id, parts });
        }
    }
    for (target, from) in &moves.sources {
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
    Ok(preview)
}

/// What `apply` changed.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RegroupReport {
    pub events_scanned: u64,
    pub events_moved: u64,
    pub issues_created: u64,
    /// Issues left without events, now tombstones of the issue that took them.
    pub issues_merged: u64,
}

/// Regroups every stored event of the project (see the module's documentation).
pub async fn apply(
    db: &DatabaseConnection,
    project: &project::Model,
    config: &GroupingConfig,
    actor: &str,
) -> Result<RegroupReport, DbErr> {
    let (events, new_issues, _) = regroup_events(db, project, config, u64::MAX).await?;
    let moves = Moves::of(&events);
    let mut report = RegroupReport {
        events_scanned: events.len() as u64,
        ..Default::default()
    };
    // The issue each target resolves to: an owner, the issue that claims a new hash as its home,
    // or an issue made for it.
    let mut claimed: HashMap<Target, i64> = HashMap::new();
    for &issue_id in moves.by_issue.keys() {
        if let Some(home @ Target::New(_)) = moves.home(issue_id) {
            claimed.insert(home, issue_id);
        }
    }
    let txn = crate::db::begin_write(db).await?;
    let now = Utc::now();
    let mut resolved: HashMap<Target, i64> = HashMap::new();
    for target in moves.sources.keys() {
        let issue_id = match target {
            Target::Issue(owner) => *owner,
            Target::New(hash) => {
                let made = &new_issues[hash];
                let issue_id = match claimed.get(target) {
                    Some(&issue_id) => issue_id,
                    None => {
                        report.issues_created += 1;
                        create_issue(&txn, project.id, hash, made).await?
                    }
                };
                route(&txn, project.id, hash, issue_id, &made.explanation, now).await?;
                issue_id
            }
        };
        resolved.insert(target.clone(), issue_id);
    }
    // Events grouped by where they go and under which hash.
    let mut updates: BTreeMap<(i64, String), Vec<i64>> = BTreeMap::new();
    let mut moved_between: BTreeMap<(i64, i64), u64> = BTreeMap::new();
    for event in &events {
        let to = resolved[&event.target];
        if to != event.issue_id {
            report.events_moved += 1;
            *moved_between.entry((event.issue_id, to)).or_default() += 1;
        }
        if to != event.issue_id || event.hash != event.old_hash {
            updates
                .entry((to, event.hash.clone()))
                .or_default()
                .push(event.event_id);
        }
    }
    for ((issue_id, hash), ids) in &updates {
        for batch in ids.chunks(UPDATE_BATCH) {
            event::Entity::update_many()
                .col_expr(event::Column::IssueId, Expr::val(*issue_id))
                .col_expr(event::Column::Hash, Expr::val(hash.clone()))
                .filter(event::Column::Id.is_in(batch.iter().copied()))
                .exec(&txn)
                .await?;
        }
    }
    let affected: BTreeSet<i64> = moved_between.keys().flat_map(|(a, b)| [*a, *b]).collect();
    for &issue_id in &affected {
        let rebuilt = rollups::rebuild(&txn, issue_id).await?;
        let gained: Vec<i64> = moved_between
            .iter()
            .filter(|((_, to), _)| *to == issue_id)
            .map(|((from, _), _)| *from)
            .collect();
        let lost: Vec<i64> = moved_between
            .iter()
            .filter(|((from, _), _)| *from == issue_id)
            .map(|((_, to), _)| *to)
            .collect();
        if !gained.is_empty() {
            let data = json!({ "regroup": true, "from": gained });
            activity::record(&txn, issue_id, ActivityKind::Merge, data, actor).await?;
        }
        if !lost.is_empty() {
            let data = json!({ "regroup": true, "into": lost });
            activity::record(&txn, issue_id, ActivityKind::Unmerge, data, actor).await?;
        }
        if rebuilt.times_seen == 0 {
            // Every event left: the issue becomes a tombstone of the issue that took the most,
            // and its hashes route there.
            let into = moved_between
                .iter()
                .filter(|((from, _), _)| *from == issue_id)
                .max_by_key(|(_, count)| **count)
                .map(|((_, to), _)| *to)
                .expect("an emptied issue lost its events somewhere");
            grouping_hash::Entity::update_many()
                .col_expr(grouping_hash::Column::IssueId, Expr::val(into))
                .filter(grouping_hash::Column::IssueId.eq(issue_id))
                .exec(&txn)
                .await?;
            let mut tombstone: issue::ActiveModel = rebuilt.into();
            tombstone.status = Set(IssueStatus::Merged);
            tombstone.merged_into_id = Set(Some(into));
            tombstone.update(&txn).await?;
            let data = json!({ "regroup": true, "into": into });
            activity::record(&txn, issue_id, ActivityKind::MergedInto, data, actor).await?;
            report.issues_merged += 1;
        }
    }
    txn.commit().await?;
    Ok(report)
}

async fn create_issue<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
    hash: &str,
    made: &NewIssue,
) -> Result<i64, DbErr> {
    let now = Utc::now();
    let row = issue::ActiveModel {
        project_id: Set(project_id),
        primary_hash: Set(hash.to_string()),
        title: Set(made.title.clone()),
        culprit: Set(made.culprit.clone()),
        level: Set(made.level),
        status: Set(IssueStatus::Unresolved),
        status_details: Set("{}".to_string()),
        first_seen: Set(now),
        last_seen: Set(now),
        times_seen: Set(0),
        first_release: Set(None),
        last_release: Set(None),
        grouping: Set(made.grouping.clone()),
        signature: Set(made.signature.clone()),
        merged_into_id: Set(None),
        resolved_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let bands = band_rows(project_id, row.id, made.index_keys.clone());
    if !bands.is_empty() {
        similarity_band::Entity::insert_many(bands)
            .exec_without_returning(db)
            .await?;
    }
    Ok(row.id)
}

async fn route<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
    hash: &str,
    issue_id: i64,
    explanation: &str,
    now: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    grouping_hash::Entity::insert(grouping_hash::ActiveModel {
        project_id: Set(project_id),
        hash: Set(hash.to_string()),
        issue_id: Set(issue_id),
        similarity_distance: Set(None),
        explanation: Set(explanation.to_string()),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            grouping_hash::Column::ProjectId,
            grouping_hash::Column::Hash,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}
