//! The similarity index in the database: LSH band buckets of each issue's MinHash signature.
//!
//! A new hash probes the buckets of its own signature (one indexed query, a bounded number of
//! rows per bucket), scores only the issues found there, and so never scans the project's
//! issues, however many of them look alike.
use entity::{issue, issue_similarity, similarity_band};
use sea_orm::sea_query::{Alias, Asterisk, Order, Query, SelectStatement, UnionType};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Set};

use super::WriteJob;
use crate::db::write::WriteTxn;
use crate::grouping::similarity::{Signature, band_keys, distance, signature};

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
    // Newest issues first in each bucket, at most CANDIDATES_PER_BUCKET of them: a crowded
    // bucket (thousands of issues sharing a band) costs the same as a sparse one.
    let mut probe: Option<SelectStatement> = None;
    for (band, bucket) in band_keys(signature) {
        let in_bucket = Query::select()
            .column(similarity_band::Column::IssueId)
            .from(similarity_band::Entity)
            .and_where(similarity_band::Column::ProjectId.eq(project_id))
            .and_where(similarity_band::Column::Band.eq(band as i32))
            .and_where(similarity_band::Column::Bucket.eq(bucket))
            .order_by(similarity_band::Column::Id, Order::Desc)
            .limit(CANDIDATES_PER_BUCKET)
            .to_owned();
        let in_bucket = Query::select()
            .column(Asterisk)
            .from_subquery(in_bucket, Alias::new(format!("band_{band}")))
            .to_owned();
        probe = Some(match probe {
            None => in_bucket,
            Some(mut union) => union.union(UnionType::All, in_bucket).to_owned(),
        });
    }
    let Some(probe) = probe else {
        return Ok(Vec::new());
    };
    let rows: Vec<(i64,)> = txn.rows(txn.statement(&probe)).await?;
    let mut candidate_ids: Vec<i64> = rows.into_iter().map(|(id,)| id).collect();
    candidate_ids.sort_unstable();
    candidate_ids.dedup();
    if candidate_ids.is_empty() {
        return Ok(Vec::new());
    }
    let select = issue::Entity::find()
        .select_only()
        .column(issue::Column::Id)
        .column(issue::Column::Signature)
        .filter(issue::Column::Id.is_in(candidate_ids))
        .filter(issue::Column::Status.ne("merged"));
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

/// Files a new issue's signature in its buckets and remembers its nearest issues.
pub async fn index_issue(
    txn: &WriteTxn<'_>,
    project_id: i64,
    issue_id: i64,
    signature: &Signature,
    nearest: &[(i64, f64)],
) -> Result<(), DbErr> {
    let bands: Vec<similarity_band::ActiveModel> = band_keys(signature)
        .into_iter()
        .map(|(band, bucket)| similarity_band::ActiveModel {
            project_id: Set(project_id),
            band: Set(band as i32),
            bucket: Set(bucket),
            issue_id: Set(issue_id),
            ..Default::default()
        })
        .collect();
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
