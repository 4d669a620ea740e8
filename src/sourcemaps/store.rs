//! Where uploads live: chunks until they are assembled, bundles with their files indexed by
//! debug ID and by release + dist + URL, and file contents stored once per organization and
//! checksum (zstd-compressed). Every query is scoped to an organization or a project.
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::{artifact_blob, artifact_bundle, artifact_file, file_chunk};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::bundle::{Bundle, FileKind};

/// zstd level for stored file contents: source maps shrink ~5× at level 3, fast to inflate.
const COMPRESSION_LEVEL: i32 = 3;

// ---- chunks ------------------------------------------------------------------------------

/// The checksums among `wanted` the organization has no chunk for.
pub async fn missing_chunks<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    wanted: &[String],
) -> Result<Vec<String>, DbErr> {
    let present: HashSet<String> = file_chunk::Entity::find()
        .select_only()
        .column(file_chunk::Column::Checksum)
        .filter(file_chunk::Column::OrganizationId.eq(organization_id))
        .filter(file_chunk::Column::Checksum.is_in(wanted.iter().cloned()))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut missing: Vec<String> = wanted
        .iter()
        .filter(|checksum| !present.contains(*checksum))
        .cloned()
        .collect();
    missing.dedup();
    Ok(missing)
}

/// Stores chunks (already checked against their checksums); a chunk stored before is kept.
pub async fn save_chunks<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    chunks: Vec<(String, Vec<u8>)>,
) -> Result<(), DbErr> {
    let now = Utc::now();
    for (checksum, data) in chunks {
        let insert = Query::insert()
            .into_table(file_chunk::Entity)
            .columns([
                file_chunk::Column::OrganizationId,
                file_chunk::Column::Checksum,
                file_chunk::Column::Data,
                file_chunk::Column::CreatedAt,
            ])
            .values_panic([
                organization_id.into(),
                checksum.into(),
                data.into(),
                now.into(),
            ])
            .on_conflict(
                OnConflict::columns([
                    file_chunk::Column::OrganizationId,
                    file_chunk::Column::Checksum,
                ])
                .do_nothing()
                .to_owned(),
            )
            .to_owned();
        db.execute(&insert).await?;
    }
    Ok(())
}

/// The chunks' bytes concatenated in the order given; `None` when one is missing.
pub async fn concatenate_chunks<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    checksums: &[String],
) -> Result<Option<Vec<u8>>, DbErr> {
    let rows = file_chunk::Entity::find()
        .filter(file_chunk::Column::OrganizationId.eq(organization_id))
        .filter(file_chunk::Column::Checksum.is_in(checksums.iter().cloned()))
        .all(db)
        .await?;
    let mut archive = Vec::new();
    for checksum in checksums {
        let Some(chunk) = rows.iter().find(|row| &row.checksum == checksum) else {
            return Ok(None);
        };
        archive.extend_from_slice(&chunk.data);
    }
    Ok(Some(archive))
}

/// Deletes chunks older than `cutoff` (uploads never assembled).
pub async fn delete_stale_chunks(
    db: &DatabaseConnection,
    cutoff: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(file_chunk::Entity::delete_many()
        .filter(file_chunk::Column::CreatedAt.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected)
}

// ---- bundles -----------------------------------------------------------------------------

/// Whether every project of `project_ids` has the bundle with this archive checksum.
pub async fn bundle_exists<C: ConnectionTrait>(
    db: &C,
    project_ids: &[i64],
    checksum: &str,
) -> Result<bool, DbErr> {
    let found = artifact_bundle::Entity::find()
        .filter(artifact_bundle::Column::ProjectId.is_in(project_ids.iter().copied()))
        .filter(artifact_bundle::Column::Checksum.eq(checksum))
        .count(db)
        .await?;
    Ok(found as usize >= project_ids.len())
}

/// A file's contents as stored: compressed, with the checksum and size of the original.
pub struct Blob {
    checksum: String,
    size: i64,
    data_zstd: Vec<u8>,
}

/// The bundle's distinct contents, compressed (CPU work: run it off the async runtime).
pub fn compress(bundle: &Bundle) -> std::io::Result<Vec<Blob>> {
    let mut seen = HashSet::new();
    bundle
        .files
        .iter()
        .filter(|file| seen.insert(file.checksum.clone()))
        .map(|file| {
            Ok(Blob {
                checksum: file.checksum.clone(),
                size: file.contents.len() as i64,
                data_zstd: zstd::bulk::compress(&file.contents, COMPRESSION_LEVEL)?,
            })
        })
        .collect()
}

/// Stores a checked bundle (its contents compressed by `compress`) for each project in one
/// transaction, then drops its chunks. A project that has the same archive already keeps its
/// bundle (uploading twice is harmless).
#[allow(clippy::too_many_arguments)]
pub async fn save_bundle(
    db: &DatabaseConnection,
    organization_id: i64,
    project_ids: &[i64],
    checksum: &str,
    archive_size: usize,
    chunks: &[String],
    bundle: &Bundle,
    blobs: Vec<Blob>,
) -> Result<(), DbErr> {
    let txn = crate::db::begin_write(db).await?;
    for blob in blobs {
        let insert = Query::insert()
            .into_table(artifact_blob::Entity)
            .columns([
                artifact_blob::Column::OrganizationId,
                artifact_blob::Column::Checksum,
                artifact_blob::Column::Size,
                artifact_blob::Column::DataZstd,
            ])
            .values_panic([
                organization_id.into(),
                blob.checksum.into(),
                blob.size.into(),
                blob.data_zstd.into(),
            ])
            .on_conflict(
                OnConflict::columns([
                    artifact_blob::Column::OrganizationId,
                    artifact_blob::Column::Checksum,
                ])
                .do_nothing()
                .to_owned(),
            )
            .to_owned();
        txn.execute(&insert).await?;
    }
    let now = Utc::now();
    for &project_id in project_ids {
        let existing = artifact_bundle::Entity::find()
            .filter(artifact_bundle::Column::ProjectId.eq(project_id))
            .filter(artifact_bundle::Column::Checksum.eq(checksum))
            .one(&txn)
            .await?;
        if existing.is_some() {
            continue;
        }
        let row = artifact_bundle::ActiveModel {
            organization_id: Set(organization_id),
            project_id: Set(project_id),
            bundle_id: Set(bundle.bundle_id.clone()),
            checksum: Set(checksum.to_string()),
            release: Set(bundle.release.clone()),
            dist: Set(bundle.dist.clone()),
            file_count: Set(bundle.files.len() as i32),
            size: Set(archive_size as i64),
            created_at: Set(now),
            last_used_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let files = bundle.files.iter().map(|file| artifact_file::ActiveModel {
            bundle_id: Set(row.id),
            project_id: Set(project_id),
            kind: Set(file.kind.as_str().to_string()),
            url: Set(file.url.clone()),
            debug_id: Set(file.debug_id.clone()),
            sourcemap_ref: Set(file.sourcemap_ref.clone()),
            checksum: Set(file.checksum.clone()),
            size: Set(file.contents.len() as i64),
            ..Default::default()
        });
        for batch in files.collect::<Vec<_>>().chunks(200) {
            artifact_file::Entity::insert_many(batch.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
    }
    file_chunk::Entity::delete_many()
        .filter(file_chunk::Column::OrganizationId.eq(organization_id))
        .filter(file_chunk::Column::Checksum.is_in(chunks.iter().cloned()))
        .exec(&txn)
        .await?;
    txn.commit().await
}

/// A project's newest `limit` bundles with their files, newest first.
pub async fn bundles<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
    limit: u64,
) -> Result<Vec<(artifact_bundle::Model, Vec<artifact_file::Model>)>, DbErr> {
    let bundles = artifact_bundle::Entity::find()
        .filter(artifact_bundle::Column::ProjectId.eq(project_id))
        .order_by_desc(artifact_bundle::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let ids: Vec<i64> = bundles.iter().map(|b| b.id).collect();
    let mut files = files_of(db, &ids).await?;
    Ok(bundles
        .into_iter()
        .map(|bundle| {
            let (own, rest) = files.drain(..).partition(|f| f.bundle_id == bundle.id);
            files = rest;
            (bundle, own)
        })
        .collect())
}

/// The files of bundles, by URL.
async fn files_of<C: ConnectionTrait>(
    db: &C,
    bundle_ids: &[i64],
) -> Result<Vec<artifact_file::Model>, DbErr> {
    artifact_file::Entity::find()
        .filter(artifact_file::Column::BundleId.is_in(bundle_ids.iter().copied()))
        .order_by_asc(artifact_file::Column::Url)
        .all(db)
        .await
}

/// The files of a project's bundles for one release (any dist), newest bundle first.
pub async fn release_files<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
    release: &str,
) -> Result<Vec<artifact_file::Model>, DbErr> {
    let bundle_ids: Vec<i64> = artifact_bundle::Entity::find()
        .select_only()
        .column(artifact_bundle::Column::Id)
        .filter(artifact_bundle::Column::ProjectId.eq(project_id))
        .filter(artifact_bundle::Column::Release.eq(release))
        .into_tuple()
        .all(db)
        .await?;
    files_of(db, &bundle_ids).await
}

/// Deletes a bundle of the project with its files, and contents no other file uses. `false`
/// when the project has no such bundle.
pub async fn delete_bundle(
    db: &DatabaseConnection,
    project_id: i64,
    bundle_row_id: i64,
) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let Some(bundle) = artifact_bundle::Entity::find_by_id(bundle_row_id)
        .filter(artifact_bundle::Column::ProjectId.eq(project_id))
        .one(&txn)
        .await?
    else {
        return Ok(false);
    };
    delete_bundles(&txn, bundle.organization_id, &[bundle.id]).await?;
    txn.commit().await?;
    Ok(true)
}

/// Deletes bundles, their files, and the organization's contents no remaining file uses.
async fn delete_bundles<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    bundle_ids: &[i64],
) -> Result<(), DbErr> {
    artifact_file::Entity::delete_many()
        .filter(artifact_file::Column::BundleId.is_in(bundle_ids.iter().copied()))
        .exec(db)
        .await?;
    artifact_bundle::Entity::delete_many()
        .filter(artifact_bundle::Column::Id.is_in(bundle_ids.iter().copied()))
        .exec(db)
        .await?;
    let still_used = Query::select()
        .column((artifact_file::Entity, artifact_file::Column::Checksum))
        .from(artifact_file::Entity)
        .inner_join(
            artifact_bundle::Entity,
            Expr::col((artifact_bundle::Entity, artifact_bundle::Column::Id))
                .equals((artifact_file::Entity, artifact_file::Column::BundleId)),
        )
        .and_where(
            Expr::col((
                artifact_bundle::Entity,
                artifact_bundle::Column::OrganizationId,
            ))
            .eq(organization_id),
        )
        .to_owned();
    let orphans = Query::delete()
        .from_table(artifact_blob::Entity)
        .and_where(artifact_blob::Column::OrganizationId.eq(organization_id))
        .and_where(artifact_blob::Column::Checksum.not_in_subquery(still_used))
        .to_owned();
    db.execute(&orphans).await?;
    Ok(())
}

/// Retention: deletes a project's bundles no event has used since `cutoff`.
pub async fn delete_unused_bundles(
    db: &DatabaseConnection,
    project_id: i64,
    cutoff: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let stale: Vec<(i64, i64)> = artifact_bundle::Entity::find()
        .select_only()
        .column(artifact_bundle::Column::Id)
        .column(artifact_bundle::Column::OrganizationId)
        .filter(artifact_bundle::Column::ProjectId.eq(project_id))
        .filter(artifact_bundle::Column::LastUsedAt.lt(cutoff))
        .into_tuple()
        .all(db)
        .await?;
    let Some(&(_, organization_id)) = stale.first() else {
        return Ok(0);
    };
    let ids: Vec<i64> = stale.iter().map(|(id, _)| *id).collect();
    let txn = db.begin().await?;
    delete_bundles(&txn, organization_id, &ids).await?;
    txn.commit().await?;
    Ok(ids.len() as u64)
}

// ---- look-ups for stack frames -------------------------------------------------------------

/// A file found for a frame, with the bundle it came from.
#[derive(Debug, Clone)]
pub struct FoundFile {
    pub file: artifact_file::Model,
    pub organization_id: i64,
    pub bundle_last_used: DateTime<Utc>,
}

/// The newest file of `kind` with this debug ID in the project's bundles.
pub async fn file_by_debug_id<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
    debug_id: &str,
    kind: FileKind,
) -> Result<Option<FoundFile>, DbErr> {
    let Some(file) = artifact_file::Entity::find()
        .filter(artifact_file::Column::ProjectId.eq(project_id))
        .filter(artifact_file::Column::DebugId.eq(debug_id))
        .filter(artifact_file::Column::Kind.eq(kind.as_str()))
        .order_by_desc(artifact_file::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    found(db, file).await
}

/// The file with its bundle's organization (gone when the bundle was deleted meanwhile).
async fn found<C: ConnectionTrait>(
    db: &C,
    file: artifact_file::Model,
) -> Result<Option<FoundFile>, DbErr> {
    let bundle: Option<(i64, DateTime<Utc>)> = artifact_bundle::Entity::find_by_id(file.bundle_id)
        .select_only()
        .column(artifact_bundle::Column::OrganizationId)
        .column(artifact_bundle::Column::LastUsedAt)
        .into_tuple()
        .one(db)
        .await?;
    Ok(bundle.map(|(organization_id, bundle_last_used)| FoundFile {
        file,
        organization_id,
        bundle_last_used,
    }))
}

/// A file of the same bundle at `url` (a minified source's map named by its `sourcemap` header).
pub async fn sibling_by_url<C: ConnectionTrait>(
    db: &C,
    bundle_id: i64,
    url: &str,
) -> Result<Option<FoundFile>, DbErr> {
    let Some(file) = artifact_file::Entity::find()
        .filter(artifact_file::Column::BundleId.eq(bundle_id))
        .filter(artifact_file::Column::Url.eq(url))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    found(db, file).await
}

/// The newest file with one of `urls` (tried in order) in the project's bundles of `release`
/// and `dist`.
pub async fn file_by_url<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
    release: &str,
    dist: Option<&str>,
    urls: &[String],
) -> Result<Option<FoundFile>, DbErr> {
    let bundles = Query::select()
        .column(artifact_bundle::Column::Id)
        .from(artifact_bundle::Entity)
        .and_where(artifact_bundle::Column::ProjectId.eq(project_id))
        .and_where(artifact_bundle::Column::Release.eq(release))
        .and_where(match dist {
            Some(dist) => artifact_bundle::Column::Dist.eq(dist),
            None => artifact_bundle::Column::Dist.is_null(),
        })
        .to_owned();
    let candidates = artifact_file::Entity::find()
        .filter(artifact_file::Column::ProjectId.eq(project_id))
        .filter(artifact_file::Column::Url.is_in(urls.iter().cloned()))
        .filter(Expr::col(artifact_file::Column::BundleId).in_subquery(bundles))
        .order_by_desc(artifact_file::Column::Id)
        .all(db)
        .await?;
    let best = urls
        .iter()
        .find_map(|url| candidates.iter().find(|file| &file.url == url));
    match best {
        Some(file) => found(db, file.clone()).await,
        None => Ok(None),
    }
}

/// A file's contents, inflated.
pub async fn contents<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    checksum: &str,
) -> Result<Option<Vec<u8>>, DbErr> {
    let Some(blob) = artifact_blob::Entity::find()
        .filter(artifact_blob::Column::OrganizationId.eq(organization_id))
        .filter(artifact_blob::Column::Checksum.eq(checksum))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    zstd::bulk::decompress(&blob.data_zstd, blob.size as usize)
        .map(Some)
        .map_err(|e| DbErr::Custom(format!("stored artifact {checksum} is corrupt: {e}")))
}

/// Marks the bundle as used now (at most once an hour per bundle, by the caller's cache).
pub async fn touch_bundle<C: ConnectionTrait>(db: &C, bundle_id: i64) -> Result<(), DbErr> {
    artifact_bundle::Entity::update_many()
        .col_expr(artifact_bundle::Column::LastUsedAt, Expr::val(Utc::now()))
        .filter(artifact_bundle::Column::Id.eq(bundle_id))
        .exec(db)
        .await?;
    Ok(())
}
