//! The similarity index in the database: LSH band buckets of each issue's MinHash signature.
//!
//! A new hash probes the buckets of its own signature (one indexed query, a bounded number of
//! rows per bucket), scores only the issues found there, and so never scans the project's
//! issues, however many of them look alike.
use entity::{issue, issue_similarity, similarity_band};
use sea_orm::sea_query::{Alias, Asterisk, Order, Query, SelectStatement, UnionType};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use super::WriteJob;
use crate::db::write::WriteTxn;
use crate::grouping::record::read_explanation;
use crate::grouping::similarity::{Signature, band_keys, distance, shape_keys, signature};
use crate::grouping::{Shape, SimilarityJoin};

/// Candidates taken from each of the signature's band buckets (16 bands: at most 208 scored).
const CANDIDATES_PER_BUCKET: u64 = 13;
/// Nearest issues remembered for the "similar issues" list.
const SIMILAR_KEPT: usize = 5;
/// Farther than this is not worth showing as similar.
const SIMILAR_MAX_DISTANCE: f64 = 0.7;

pub fn signature_of(job: &WriteJob) -> Option<Signature> {
    let signature = signature(&job.grouping.similarity);
    (!signature.0.is_empty()).then_some(signature)
}

/// Existing issues of the project sharing a bucket with `signature`, nearest first.
pub async fn nearest(
    txn: &WriteTxn<'_>,
    project_id: i64,
    signature: &Signature,
) -> Result<Vec<(i64, f64)>, DbErr> {
    let candidate_ids = issues_in_buckets(txn, project_id, band_keys(signature)).await?;
    if candidate_ids.is_empty() {
        return Ok(Vec::new());
    }
    let select = issue::Entity::find()
        .select_only()
        .column(issue::Column::Id)
        .column(issue::Column::Signature)
        .filter(issue::Column::Id.is_in(candidate_ids))
        .filter(issue::Column::Status.ne(entity::states::IssueStatus::Merged));
    let candidates: Vec<(i64, String)> = txn.rows(txn.query(&select)).await?;
    let mut scored: Vec<(i64, f64)> = candidates
        .into_iter()
        .filter_map(|(id, text)| {
            let values: Vec<u32> = serde_json::from_str(&text).ok()?;
            Some((id, distance(signature, &Signature(values))))
        })
        .collect();
    scored.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    Ok(scored)
}

/// The distinct issue ids filed in the buckets of `keys` (see `bucket_probe`), ascending.
async fn issues_in_buckets(
    txn: &WriteTxn<'_>,
    project_id: i64,
    keys: Vec<(u16, i64)>,
) -> Result<Vec<i64>, DbErr> {
    let Some(probe) = bucket_probe(project_id, keys) else {
        return Ok(Vec::new());
    };
    let rows: Vec<(i64,)> = txn.rows(txn.statement(&probe)).await?;
    let mut ids: Vec<i64> = rows.into_iter().map(|(id,)| id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The issue ids in the buckets of `keys`: newest first in each bucket, at most
/// `CANDIDATES_PER_BUCKET` of them, so a crowded bucket (thousands of issues sharing a band)
/// costs the same as a sparse one — read in the order of the index on `(project_id, band,
/// bucket, id)`, which stops at the limit (on SQLite the row id ends every index; on PostgreSQL
/// since migration m20261203_000006). `None` without keys.
fn bucket_probe(project_id: i64, keys: Vec<(u16, i64)>) -> Option<SelectStatement> {
    // Each select built in place and moved into the union, never cloned: `to_owned()` on a
    // builder clones the statement, and on the growing union it cloned every earlier bucket's
    // select again.
    let mut buckets = keys.into_iter().map(|(band, bucket)| {
        let mut in_bucket = Query::select();
        in_bucket
            .column(similarity_band::Column::IssueId)
            .from(similarity_band::Entity)
            .and_where(similarity_band::Column::ProjectId.eq(project_id))
            .and_where(similarity_band::Column::Band.eq(band as i32))
            .and_where(similarity_band::Column::Bucket.eq(bucket))
            .order_by(similarity_band::Column::Id, Order::Desc)
            .limit(CANDIDATES_PER_BUCKET);
        let mut from_bucket = Query::select();
        from_bucket
            .column(Asterisk)
            .from_subquery(in_bucket, Alias::new(format!("band_{band}")));
        from_bucket
    });
    let mut probe = buckets.next()?;
    for from_bucket in buckets {
        probe.union(UnionType::All, from_bucket);
    }
    Some(probe)
}

/// The existing issue a stack-less event's shape joins (`Shape::joins`): found through the
/// shape's buckets, checked against each candidate's recorded shape, oldest issue first.
pub async fn same_shape(
    txn: &WriteTxn<'_>,
    project_id: i64,
    shape: &Shape,
    signature: Option<&Signature>,
) -> Result<Option<SimilarityJoin>, DbErr> {
    let keys = shape_keys(shape.kind.as_deref(), &shape.template);
    let candidate_ids = issues_in_buckets(txn, project_id, keys).await?;
    if candidate_ids.is_empty() {
        return Ok(None);
    }
    let select = issue::Entity::find()
        .select_only()
        .column(issue::Column::Id)
        .column(issue::Column::Grouping)
        .column(issue::Column::Signature)
        .filter(issue::Column::Id.is_in(candidate_ids))
        .filter(issue::Column::Status.ne(entity::states::IssueStatus::Merged))
        .order_by_asc(issue::Column::Id);
    let candidates: Vec<(i64, String, String)> = txn.rows(txn.query(&select)).await?;
    for (issue_id, grouping, stored_signature) in candidates {
        let Some(other) = read_explanation(&grouping).and_then(|r| Shape::of_explanation(&r))
        else {
            continue;
        };
        if let Some(reason) = shape.joins(&other) {
            let other_signature: Vec<u32> =
                serde_json::from_str(&stored_signature).unwrap_or_default();
            return Ok(Some(SimilarityJoin {
                issue_id,
                distance: signature.map_or(1.0, |s| distance(s, &Signature(other_signature))),
                reason,
            }));
        }
    }
    Ok(None)
}

/// The index rows filing an issue under `keys` (signature bands, shape keys).
pub fn band_rows(
    project_id: i64,
    issue_id: i64,
    keys: Vec<(u16, i64)>,
) -> Vec<similarity_band::ActiveModel> {
    keys.into_iter()
        .map(|(band, bucket)| similarity_band::ActiveModel {
            project_id: Set(project_id),
            band: Set(i32::from(band)),
            bucket: Set(bucket),
            issue_id: Set(issue_id),
            ..Default::default()
        })
        .collect()
}

/// Files a new stack-less issue under its shape's keys, for `same_shape` to find.
pub async fn index_shape(
    txn: &WriteTxn<'_>,
    project_id: i64,
    issue_id: i64,
    shape: &Shape,
) -> Result<(), DbErr> {
    let rows = band_rows(
        project_id,
        issue_id,
        shape_keys(shape.kind.as_deref(), &shape.template),
    );
    txn.execute(txn.query(&similarity_band::Entity::insert_many(rows)))
        .await?;
    Ok(())
}

/// Files a new issue's signature in its buckets and remembers its nearest issues.
pub async fn index_issue(
    txn: &WriteTxn<'_>,
    project_id: i64,
    issue_id: i64,
    signature: &Signature,
    nearest: &[(i64, f64)],
) -> Result<(), DbErr> {
    let bands = band_rows(project_id, issue_id, band_keys(signature));
    if !bands.is_empty() {
        txn.execute(txn.query(&similarity_band::Entity::insert_many(bands)))
            .await?;
    }
    let similar: Vec<issue_similarity::ActiveModel> = nearest
        .iter()
        .filter(|(_, d)| *d <= SIMILAR_MAX_DISTANCE)
        .take(SIMILAR_KEPT)
        .map(
            |&(similar_issue_id, distance)| issue_similarity::ActiveModel {
                issue_id: Set(issue_id),
                similar_issue_id: Set(similar_issue_id),
                distance: Set(distance),
                ..Default::default()
            },
        )
        .collect();
    if !similar.is_empty() {
        txn.execute(txn.query(&issue_similarity::Entity::insert_many(similar)))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement};

    use super::super::batch::in_chunks;
    use super::*;
    use crate::grouping::similarity::SimilarityFeatures;
    use crate::test_databases::{Backend, TestDatabase};

    /// Each bucket is read from the index in id order and the read stops at the limit: no sort
    /// of the bucket's rows (SQLite's `USE TEMP B-TREE`, PostgreSQL's `Sort`), which reads all
    /// of them. On SQLite the bucket index always ended in the row id; on PostgreSQL it did not
    /// until migration m20261203_000006 (without it, this test fails there). PostgreSQL when
    /// `LARDER_TEST_POSTGRES_URL` is set (required with `LARDER_TEST_REQUIRE_POSTGRES=1`, as in
    /// CI).
    #[tokio::test]
    async fn each_bucket_is_read_newest_first_from_the_index_without_a_sort() {
        for backend in std::iter::once(Backend::Sqlite).chain(Backend::postgres()) {
            let database = TestDatabase::create(backend).await;
            assert_probe_plan(&database.url).await;
        }
    }

    /// Migrates the database at `url`, crowds every bucket of a signature and checks the plan
    /// of that signature's probe.
    async fn assert_probe_plan(url: &str) {
        drop(crate::db::connect_and_migrate(url).await.unwrap());
        // A connection opened after the migration: SQLite's EXPLAIN runs nothing, so a
        // connection that read the schema before it would explain against its cached schema.
        let db = crate::db::connect(url).await.unwrap();
        let mut features = SimilarityFeatures::default();
        features.add("type", "ValueError");
        let signature = signature(&features);
        crowd_buckets(&db, &signature).await;
        let backend = db.get_database_backend();
        let probe =
            backend.build(&bucket_probe(1, band_keys(&signature)).expect("a signature has bands"));
        let (explain, column) = match backend {
            DbBackend::Sqlite => ("EXPLAIN QUERY PLAN", "detail"),
            _ => ("EXPLAIN", "QUERY PLAN"),
        };
        let explain = Statement::from_sql_and_values(
            backend,
            format!("{explain} {}", probe.sql),
            probe.values.expect("the probe binds its values").0,
        );
        let plan: Vec<String> = db
            .query_all_raw(explain)
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get("", column).unwrap())
            .collect();
        let by_index = plan
            .iter()
            .filter(|line| line.contains("ix_similarity_band_lookup"))
            .count();
        assert_eq!(
            by_index,
            band_keys(&signature).len(),
            "{backend:?}: {plan:#?}"
        );
        assert!(
            !plan
                .iter()
                .any(|l| l.contains("TEMP B-TREE") || l.contains("Sort")),
            "{backend:?}: {plan:#?}"
        );
    }

    /// 200 issues in each bucket of `signature`, statistics updated: a planner choosing by
    /// cost sees buckets worth an index.
    async fn crowd_buckets(db: &DatabaseConnection, signature: &Signature) {
        let rows = band_keys(signature).into_iter().flat_map(|(band, bucket)| {
            (0..200).map(move |issue_id| similarity_band::ActiveModel {
                project_id: Set(1),
                band: Set(band as i32),
                bucket: Set(bucket),
                issue_id: Set(issue_id),
                ..Default::default()
            })
        });
        for chunk in in_chunks(rows.collect()) {
            similarity_band::Entity::insert_many(chunk)
                .exec(db)
                .await
                .unwrap();
        }
        db.execute_unprepared("ANALYZE").await.unwrap();
    }
}
