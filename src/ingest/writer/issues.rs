//! Placing events in issues inside the batch transaction, and keeping issue counters.
//!
//! Placement order: a hash already routed to an issue wins (read with the batch's other lookups,
//! `known.rs`); otherwise the similarity index may join the nearest issue; otherwise a new issue is
//! created with `INSERT … ON CONFLICT (project_id, primary_hash)`, so two servers racing on the
//! same new error end with one issue.
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, SubsecRound, Utc};
use entity::states::{ActivityKind, IssueStatus};
use entity::{grouping_hash, issue, issue_activity, issue_tag, release};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, Func, OnConflict, Query};
use sea_orm::{
    ColumnTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    Set,
};
use serde_json::json;

use super::WriteJob;
use super::batch::in_chunks;
use super::combined::{CombinedWrites, RowShape};
use super::known::ByKey;
use super::similarity;
use crate::db::write::WriteTxn;
use crate::grouping::SimilarityJoin;
use crate::issues::conditions::{self, Facts, Reopen, StatusDetails};
use crate::issues::{self, tag_counts};

pub struct Placement {
    pub issue_id: i64,
    pub new_issue: bool,
    /// The hash the event is filed under (its primary hash).
    pub hash: String,
}

/// Hash → issue routing for one batch, starting from the routes already stored
/// (`Known::owners`) and learning those the batch creates.
pub struct Resolver {
    owners: ByKey,
    /// Routes the batch created, stored with the batch's other writes ([`Resolver::store_routes`]):
    /// within the batch `owners` answers for them, and nothing else reads them back. By key:
    /// inserted in key order, as every multi-row write of the writer (see `rollups::tally`).
    new_routes: BTreeMap<(i64, String), grouping_hash::ActiveModel>,
}

impl Resolver {
    pub fn new(owners: ByKey) -> Self {
        Resolver {
            owners,
            new_routes: BTreeMap::new(),
        }
    }

    /// Adds the batch's new routes to its combined writes: one multi-row insert, where each
    /// new issue cost a round trip of its own. `ON CONFLICT DO NOTHING`: another server may
    /// have routed the same hash first (its issue then is the one `create_issue` found).
    pub fn store_routes(self, writes: &mut CombinedWrites) {
        for rows in in_chunks(self.new_routes.into_values().collect()) {
            writes.push(
                &grouping_hash::Entity::insert_many(rows).on_conflict_do_nothing_on([
                    grouping_hash::Column::ProjectId,
                    grouping_hash::Column::Hash,
                ]),
            );
        }
    }

    pub async fn place(&mut self, txn: &WriteTxn<'_>, job: &WriteJob) -> Result<Placement, DbErr> {
        let project_id = job.project_id;
        let primary = job.grouping.hashes.first().cloned().unwrap_or_default();
        let owner = job
            .grouping
            .hashes
            .iter()
            .find_map(|h| self.owners.get(&(project_id, h.clone())).copied());
        if let Some(issue_id) = owner {
            self.attach(job, issue_id, None);
            return Ok(Placement {
                issue_id,
                new_issue: false,
                hash: primary,
            });
        }
        let signature = similarity::signature_of(job);
        let nearest = match &signature {
            Some(signature) => similarity::nearest(txn, project_id, signature).await?,
            None => Vec::new(),
        };
        let join = match nearest.first() {
            Some(&(issue_id, distance)) if distance <= job.similarity.threshold => {
                Some(SimilarityJoin {
                    issue_id,
                    distance,
                    reason: format!(
                        "signatures within the project's similarity threshold ({})",
                        job.similarity.threshold
                    ),
                })
            }
            // A stack-less event: an issue whose message has the same shape (one message
            // formatted from different values).
            _ => match &job.grouping.shape {
                Some(shape) => {
                    similarity::same_shape(txn, project_id, shape, signature.as_ref()).await?
                }
                None => None,
            },
        };
        if let Some(join) = join.filter(|_| job.similarity.join_enabled) {
            let issue_id = join.issue_id;
            self.attach(job, issue_id, Some(join));
            return Ok(Placement {
                issue_id,
                new_issue: false,
                hash: primary,
            });
        }
        let (issue_id, new_issue) = create_issue(txn, job, &primary, signature.as_ref()).await?;
        if new_issue && let Some(signature) = &signature {
            similarity::index_issue(txn, project_id, issue_id, signature, &nearest).await?;
        }
        if new_issue && let Some(shape) = &job.grouping.shape {
            similarity::index_shape(txn, project_id, issue_id, shape).await?;
        }
        self.attach(job, issue_id, None);
        Ok(Placement {
            issue_id,
            new_issue,
            hash: primary,
        })
    }

    /// Routes every hash of the job that has no issue yet to `issue_id`, noting the similarity
    /// join that chose it, if one did.
    fn attach(&mut self, job: &WriteJob, issue_id: i64, join: Option<SimilarityJoin>) {
        let unrouted: Vec<&String> = job
            .grouping
            .hashes
            .iter()
            .filter(|h| !self.owners.contains_key(&(job.project_id, (*h).clone())))
            .collect();
        if unrouted.is_empty() {
            // The usual case under load: every hash already has its issue.
            return;
        }
        let distance = join.as_ref().map(|j| j.distance);
        let explanation = match join {
            Some(join) => {
                let mut explanation = job.grouping.explanation.clone();
                explanation.similarity = Some(join);
                serde_json::to_string(&explanation)
            }
            None => serde_json::to_string(&job.grouping.explanation),
        }
        .unwrap_or_default();
        for hash in unrouted {
            let row = grouping_hash::ActiveModel {
                project_id: Set(job.project_id),
                hash: Set(hash.clone()),
                issue_id: Set(issue_id),
                similarity_distance: Set(distance),
                explanation: Set(explanation.clone()),
                created_at: Set(Utc::now()),
                ..Default::default()
            };
            self.new_routes.insert((job.project_id, hash.clone()), row);
        }
        for hash in &job.grouping.hashes {
            self.owners.insert((job.project_id, hash.clone()), issue_id);
        }
    }
}

/// Inserts the issue, or finds the one another writer created for the same primary hash.
async fn create_issue(
    txn: &WriteTxn<'_>,
    job: &WriteJob,
    primary: &str,
    signature: Option<&crate::grouping::similarity::Signature>,
) -> Result<(i64, bool), DbErr> {
    // Microseconds: what both databases store, so the row read back compares equal.
    let now = Utc::now().trunc_subsecs(6);
    let event = &job.event;
    let grouping = crate::grouping::record::issue_grouping_text(primary, &job.grouping.explanation);
    let row = issue::ActiveModel {
        project_id: Set(job.project_id),
        primary_hash: Set(primary.to_string()),
        title: Set(job.grouping.title.clone()),
        culprit: Set(job.grouping.culprit.clone()),
        level: Set(event.level),
        status: Set(IssueStatus::Unresolved),
        status_details: Set("{}".to_string()),
        first_seen: Set(event.timestamp),
        last_seen: Set(event.timestamp),
        times_seen: Set(0),
        first_release: Set(event.release.clone()),
        last_release: Set(event.release.clone()),
        grouping: Set(grouping),
        signature: Set(signature
            .map(|s| serde_json::to_string(&s.0).unwrap_or_default())
            .unwrap_or_default()),
        merged_into_id: Set(None),
        resolved_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    };
    let mut insert = issue::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([issue::Column::ProjectId, issue::Column::PrimaryHash])
                // A no-op update, so RETURNING yields the existing row on conflict.
                .value(
                    issue::Column::PrimaryHash,
                    Expr::col((issue::Entity, issue::Column::PrimaryHash)),
                )
                .to_owned(),
        )
        .into_query();
    insert.returning(Query::returning().columns([
        issue::Column::Id,
        issue::Column::TimesSeen,
        issue::Column::CreatedAt,
    ]));
    let stored: Vec<(i64, i64, DateTime<Utc>)> = txn.rows(txn.statement(&insert)).await?;
    let (id, times_seen, created_at) = stored
        .into_iter()
        .next()
        .ok_or_else(|| DbErr::RecordNotInserted)?;
    Ok((id, times_seen == 0 && created_at == now))
}

/// What a batch adds to each issue it touched.
#[derive(Default)]
pub struct IssueDeltas {
    /// By issue id: issue rows are locked in ascending id order by every batch.
    deltas: BTreeMap<i64, Delta>,
}

struct Delta {
    count: i64,
    first_seen: DateTime<Utc>,
    last_seen: DateTime<Utc>,
    /// Release of the newest event in the batch that has one.
    last_release: Option<(DateTime<Utc>, String)>,
    releases: Vec<Option<String>>,
}

impl IssueDeltas {
    pub fn add(&mut self, issue_id: i64, job: &WriteJob) {
        let e = &job.event;
        let delta = self.deltas.entry(issue_id).or_insert_with(|| Delta {
            count: 0,
            first_seen: e.timestamp,
            last_seen: e.timestamp,
            last_release: None,
            releases: Vec::new(),
        });
        delta.count += 1;
        delta.first_seen = std::cmp::min(delta.first_seen, e.timestamp);
        delta.last_seen = std::cmp::max(delta.last_seen, e.timestamp);
        delta.releases.push(e.release.clone());
        if let Some(release) = &e.release
            && delta
                .last_release
                .as_ref()
                .is_none_or(|(t, _)| *t <= e.timestamp)
        {
            delta.last_release = Some((e.timestamp, release.clone()));
        }
    }

    /// Updates counters and reopens issues whose state the new events end (a resolved issue
    /// regresses, an ignored one meets its condition); returns the ids of regressed issues.
    ///
    /// Open issues — nearly all of them — take their counters in one `UPDATE` per
    /// `ISSUES_PER_UPDATE` issues, restricted to issues neither resolved nor ignored. When it
    /// changed as many rows as it names issues, all of them were open and counted; only
    /// otherwise are the batch's resolved and ignored issues read and decided one by one (the
    /// count needs no row read back, where `RETURNING id` returned one per issue).
    pub async fn apply(self, txn: &WriteTxn<'_>) -> Result<HashSet<i64>, DbErr> {
        if self.deltas.is_empty() {
            return Ok(HashSet::new());
        }
        if txn.backend() != DbBackend::Sqlite {
            self.lock_in_id_order(txn).await?;
        }
        let entries: Vec<(i64, &Delta)> = self.deltas.iter().map(|(id, d)| (*id, d)).collect();
        let mut all_counted = true;
        for chunk in entries.chunks(ISSUES_PER_UPDATE) {
            let update = counters_update(chunk).filter(issue::Column::Status.is_not_in(CLOSED));
            let counted = txn.execute(txn.query(&update)).await?;
            all_counted &= counted == chunk.len() as u64;
        }
        if all_counted {
            return Ok(HashSet::new());
        }
        let closed = issue::Entity::find()
            .select_only()
            .column(issue::Column::Id)
            .column(issue::Column::ProjectId)
            .column(issue::Column::Status)
            .column(issue::Column::StatusDetails)
            .column(issue::Column::TimesSeen)
            .filter(issue::Column::Id.is_in(self.deltas.keys().copied()))
            .filter(issue::Column::Status.is_in(CLOSED))
            .order_by_asc(issue::Column::Id);
        let issues: Vec<(i64, i64, String, String, i64)> = txn.rows(txn.query(&closed)).await?;
        let now = Utc::now();
        let mut regressed = HashSet::new();
        for (issue_id, project_id, status, details, times_seen) in issues {
            let delta = &self.deltas[&issue_id];
            let details = StatusDetails::parse(&details);
            let reopen = conditions::reopens(&Facts {
                status: sea_orm::ActiveEnum::try_from_value(&status)?,
                details: &details,
                releases: &delta.releases,
                release_first_seen: &release_first_seen(txn, project_id, &delta.releases, &details)
                    .await?,
                times_seen_after: times_seen + delta.count,
                users_after: txn.count(&issues::user_count_query(issue_id)).await?,
                now,
            });
            let Some(reopen) = reopen else {
                txn.execute(txn.query(&counters_update(&[(issue_id, delta)])))
                    .await?;
                continue;
            };
            let reopened = counters_update(&[(issue_id, delta)])
                .col_expr(issue::Column::Status, Expr::val(IssueStatus::Unresolved))
                .col_expr(issue::Column::StatusDetails, Expr::val("{}"))
                .col_expr(
                    issue::Column::ResolvedAt,
                    Expr::val(Option::<DateTime<Utc>>::None),
                );
            txn.execute(txn.query(&reopened)).await?;
            match reopen {
                Reopen::Regression => {
                    regressed.insert(issue_id);
                    let release = json!({ "release": delta.last_release.as_ref().map(|(_, r)| r) });
                    record_activity(txn, issue_id, ActivityKind::SetRegression, release).await?;
                }
                Reopen::Unignored => {
                    let data = json!({ "reason": "ignore condition met", "previous": details });
                    record_activity(txn, issue_id, ActivityKind::SetUnresolved, data).await?;
                }
            }
        }
        Ok(regressed)
    }

    /// Locks the batch's issue rows in ascending id order (`SELECT … FOR UPDATE`). A concurrent
    /// batch of another server touching the same issues waits here until this one commits and
    /// then sees the status it left, so a regression is recorded once; taking the locks in one
    /// order means two batches wait for each other instead of deadlocking. SQLite has a single
    /// writer and no row locks, and skips this.
    async fn lock_in_id_order(&self, txn: &WriteTxn<'_>) -> Result<(), DbErr> {
        let lock = issue::Entity::find()
            .select_only()
            .column(issue::Column::Id)
            .filter(issue::Column::Id.is_in(self.deltas.keys().copied()))
            .order_by_asc(issue::Column::Id)
            .lock_exclusive();
        txn.execute(txn.query(&lock)).await?;
        Ok(())
    }
}

/// Statuses the new events may end (see `conditions::reopens`); every other status only counts.
const CLOSED: [IssueStatus; 2] = [IssueStatus::Resolved, IssueStatus::Ignored];

/// Issues per counters UPDATE: each row evaluates its `CASE` over the whole list, so a
/// statement costs rows × list; bounded lists keep a 1,000-event batch linear.
const ISSUES_PER_UPDATE: usize = 50;

/// One UPDATE adding each issue's delta: `times_seen` grows, `first_seen`/`last_seen` widen,
/// `last_release` follows the newest event with a release. Per-issue values are
/// `CASE WHEN id = … THEN … END` expressions, so a batch costs one statement, not one per issue.
fn counters_update(entries: &[(i64, &Delta)]) -> sea_orm::UpdateMany<issue::Entity> {
    use issue::Column as C;
    let each = |value: fn(&Delta) -> Expr| entries.iter().map(move |(id, d)| (*id, value(d)));
    let count = by_issue(each(|d| Expr::val(d.count)), Expr::val(0i64));
    let first = by_issue(each(|d| Expr::val(d.first_seen)), Expr::col(C::FirstSeen));
    let last = by_issue(each(|d| Expr::val(d.last_seen)), Expr::col(C::LastSeen));
    let mut update = issue::Entity::update_many()
        .col_expr(C::TimesSeen, Expr::col(C::TimesSeen).add(count))
        .col_expr(
            C::FirstSeen,
            Func::least([Expr::col(C::FirstSeen), first]).into(),
        )
        .col_expr(
            C::LastSeen,
            Func::greatest([Expr::col(C::LastSeen), last]).into(),
        )
        .filter(C::Id.is_in(entries.iter().map(|(id, _)| *id)));
    let releases: Vec<(i64, Expr)> = entries
        .iter()
        .filter_map(|(id, d)| Some((*id, Expr::val(d.last_release.as_ref()?.1.clone()))))
        .collect();
    if !releases.is_empty() {
        update = update.col_expr(
            C::LastRelease,
            by_issue(releases, Expr::col(C::LastRelease)),
        );
    }
    update
}

/// `CASE WHEN id = … THEN … END` over `(issue id, value)` pairs, `otherwise` for other rows.
fn by_issue(values: impl IntoIterator<Item = (i64, Expr)>, otherwise: Expr) -> Expr {
    values
        .into_iter()
        .fold(CaseStatement::new(), |case, (id, value)| {
            case.case(issue::Column::Id.eq(id), value)
        })
        .finally(otherwise)
        .into()
}

/// First-seen times of the releases a reopen decision compares.
async fn release_first_seen(
    txn: &WriteTxn<'_>,
    project_id: i64,
    releases: &[Option<String>],
    details: &StatusDetails,
) -> Result<HashMap<String, DateTime<Utc>>, DbErr> {
    let names: HashSet<&str> = releases
        .iter()
        .flatten()
        .map(String::as_str)
        .chain(details.in_release.as_deref())
        .collect();
    if names.is_empty() {
        return Ok(HashMap::new());
    }
    let select = release::Entity::find()
        .select_only()
        .column(release::Column::Version)
        .column(release::Column::FirstSeen)
        .filter(release::Column::ProjectId.eq(project_id))
        .filter(release::Column::Version.is_in(names));
    let rows: Vec<(String, DateTime<Utc>)> = txn.rows(txn.query(&select)).await?;
    Ok(rows.into_iter().collect())
}

/// Records a change the writer made to an issue in its activity log, in the batch's
/// transaction (`issues::record_activity` is the same row outside it).
async fn record_activity(
    txn: &WriteTxn<'_>,
    issue_id: i64,
    kind: ActivityKind,
    data: serde_json::Value,
) -> Result<(), DbErr> {
    let row = issues::activity_row(issue_id, kind, data, "system");
    txn.execute(txn.query(&issue_activity::Entity::insert(row)))
        .await?;
    Ok(())
}

/// (project, issue, key, value) of a tag count row.
type TagKey<'a> = (i64, i64, &'a str, &'a str);
/// Occurrences, first seen, last seen.
type TagCount = (i64, DateTime<Utc>, DateTime<Utc>);

/// Adds the batch's tag occurrences to `issue_tag`, one upsert per distinct (issue, key, value).
pub fn count_tags(writes: &mut CombinedWrites, accepted: &[(&WriteJob, i64)]) {
    // Ordered, as every multi-row upsert of the writer (see `rollups::tally`).
    let mut counts: BTreeMap<TagKey, TagCount> = BTreeMap::new();
    for (job, issue_id) in accepted {
        let project_id = &job.project_id;
        let t = job.event.timestamp;
        for (key, value) in &job.tags {
            let entry = counts
                .entry((*project_id, *issue_id, key.as_str(), value.as_str()))
                .or_insert((0, t, t));
            entry.0 += 1;
            entry.1 = std::cmp::min(entry.1, t);
            entry.2 = std::cmp::max(entry.2, t);
        }
    }
    let mut values = Vec::with_capacity(counts.len() * TAG_ROWS.columns);
    for ((project_id, issue_id, key, value), (n, first, last)) in counts {
        values.extend([
            project_id.into(),
            issue_id.into(),
            key.into(),
            value.into(),
            n.into(),
            first.into(),
            last.into(),
        ]);
    }
    writes.push_rows(&TAG_ROWS, values);
}

/// The `issue_tag` columns in the order `count_tags` fills them.
const TAG_COLUMNS: [issue_tag::Column; 7] = {
    use issue_tag::Column as C;
    [
        C::ProjectId,
        C::IssueId,
        C::Key,
        C::Value,
        C::TimesSeen,
        C::FirstSeen,
        C::LastSeen,
    ]
};

/// Tag count rows, added to the stored counts.
static TAG_ROWS: RowShape = RowShape {
    name: "issue_tag",
    columns: TAG_COLUMNS.len(),
    statement: || {
        Query::insert()
            .into_table(issue_tag::Entity)
            .columns(TAG_COLUMNS)
            .on_conflict(tag_counts::accumulate())
            .to_owned()
    },
};
