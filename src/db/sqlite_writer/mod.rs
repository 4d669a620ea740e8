//! SQLite only: the ingest writer's connection, SQLite called directly on the writer's thread.
//!
//! Through sqlx every statement is a command to a worker thread of sqlx's and a reply back, and
//! every row of a result one more message: thread wake-ups that, on two busy cores, cost more
//! than most of the statements (docs/benchmarks-history.md, seventh round: at ~7,000 events/s 36 % of a core
//! on the writer's thread and 59 % on sqlx's worker threads, the largest part of it kernel time
//! switching threads). Here the writer owns a rusqlite connection and each statement is a
//! function call on its own thread.
//!
//! The statements are the ones the writer builds with sea-query for PostgreSQL as well
//! (`db::write::WriteTxn` runs them on either database), bound as sqlx binds them ([`params`])
//! and prepared once ([`STATEMENT_CACHE`]); rows are read as tuples or as sea-orm models
//! ([`rows`]).
mod params;
mod rows;

use std::path::Path;

use rusqlite::OpenFlags;
use sea_orm::{DbErr, EntityTrait, RuntimeErr, Statement, TryIntoModel};

pub use rows::FromRow;

/// Prepared statements kept. A batch's multi-row statements differ by their row count (1 to 32
/// events, a few hundred tag rows), so a few hundred texts are in use.
const STATEMENT_CACHE: usize = 1024;

pub struct SqliteWriter {
    connection: rusqlite::Connection,
}

impl SqliteWriter {
    /// Opens the SQLite file at `path` with the settings of every SQLite connection of Larder
    /// (`db::SQLITE_PRAGMAS`) and a page cache of `cache_kib`.
    pub fn open(path: &Path, cache_kib: u32) -> anyhow::Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = rusqlite::Connection::open_with_flags(path, flags)?;
        connection.busy_timeout(super::SQLITE_BUSY_TIMEOUT)?;
        for (name, value) in super::SQLITE_PRAGMAS {
            connection.execute_batch(&format!("PRAGMA {name} = {value}"))?;
        }
        connection.execute_batch(&format!("PRAGMA cache_size = -{cache_kib}"))?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(SqliteWriter { connection })
    }

    /// `BEGIN IMMEDIATE`: the write lock up front (see `db::begin_write`).
    pub fn begin(&self) -> Result<SqliteTxn<'_>, DbErr> {
        self.connection
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(exec_error)?;
        Ok(SqliteTxn {
            writer: self,
            open: true,
        })
    }

    /// Runs `statement` to its end; returns the rows it changed.
    pub fn execute(&self, statement: &Statement) -> Result<u64, DbErr> {
        let mut prepared = self.prepare(statement)?;
        // To the end: a statement may return rows (`RETURNING`) that nobody reads.
        let mut rows = prepared.raw_query();
        while rows.next().map_err(exec_error)?.is_some() {}
        Ok(self.connection.changes())
    }

    /// Runs `sql`, which may hold several statements and no parameters (pragmas).
    pub fn execute_unprepared(&self, sql: &str) -> Result<(), DbErr> {
        self.connection.execute_batch(sql).map_err(exec_error)
    }

    /// The rows of `statement` as tuples.
    pub fn rows<T: FromRow>(&self, statement: &Statement) -> Result<Vec<T>, DbErr> {
        self.read(statement, T::from_sqlite)
    }

    /// The rows of `statement` (a `SELECT` of all columns of `E`) as models.
    pub fn models<E: EntityTrait>(&self, statement: &Statement) -> Result<Vec<E::Model>, DbErr>
    where
        E::ActiveModel: TryIntoModel<E::Model>,
    {
        self.read(statement, rows::model::<E>)
    }

    fn read<T>(
        &self,
        statement: &Statement,
        each: impl Fn(&rusqlite::Row) -> Result<T, DbErr>,
    ) -> Result<Vec<T>, DbErr> {
        let mut prepared = self.prepare(statement)?;
        let mut rows = prepared.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(query_error)? {
            out.push(each(row)?);
        }
        Ok(out)
    }

    /// The statement prepared (or taken from the cache) with its values bound.
    fn prepare(&self, statement: &Statement) -> Result<rusqlite::CachedStatement<'_>, DbErr> {
        let mut prepared = self
            .connection
            .prepare_cached(&statement.sql)
            .map_err(query_error)?;
        let values = statement.values.as_ref().map_or(&[][..], |v| &v.0[..]);
        if values.len() != prepared.parameter_count() {
            return Err(DbErr::Query(RuntimeErr::Internal(format!(
                "{} values for {} parameters",
                values.len(),
                prepared.parameter_count()
            ))));
        }
        for (index, value) in values.iter().enumerate() {
            prepared
                .raw_bind_parameter(index + 1, params::Param(value))
                .map_err(query_error)?;
        }
        Ok(prepared)
    }
}

/// A write transaction on the writer's connection; rolled back unless committed.
pub struct SqliteTxn<'w> {
    writer: &'w SqliteWriter,
    open: bool,
}

impl SqliteTxn<'_> {
    pub fn commit(mut self) -> Result<(), DbErr> {
        self.open = false;
        if let Err(error) = self.writer.connection.execute_batch("COMMIT") {
            self.writer.roll_back();
            return Err(exec_error(error));
        }
        Ok(())
    }
}

impl std::ops::Deref for SqliteTxn<'_> {
    type Target = SqliteWriter;
    fn deref(&self) -> &SqliteWriter {
        self.writer
    }
}

impl Drop for SqliteTxn<'_> {
    fn drop(&mut self) {
        if self.open {
            self.writer.roll_back();
        }
    }
}

impl SqliteWriter {
    fn roll_back(&self) {
        if !self.connection.is_autocommit()
            && let Err(error) = self.connection.execute_batch("ROLLBACK")
        {
            tracing::warn!(%error, "rollback failed");
        }
    }
}

fn query_error(error: rusqlite::Error) -> DbErr {
    DbErr::Query(RuntimeErr::Internal(error.to_string()))
}

fn exec_error(error: rusqlite::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::Internal(error.to_string()))
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use entity::{alert_rule, project};
    use sea_orm::{ActiveModelTrait, DbBackend, EntityTrait, QueryTrait, Set};

    use super::*;

    /// A migrated SQLite file, its sqlx pool (as GraphQL reads it) and the writer's connection.
    async fn database() -> (tempfile::TempDir, sea_orm::DatabaseConnection, SqliteWriter) {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("larder.db");
        let url = format!("sqlite://{}", path.display());
        let pool = crate::db::connect_and_migrate(&url).await.unwrap();
        let writer = SqliteWriter::open(&path, 2048).unwrap();
        (folder, pool, writer)
    }

    /// A time with microseconds, as both databases store it.
    fn at(seconds: i64) -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 5, 36, 0).unwrap()
            + Duration::seconds(seconds)
            + Duration::microseconds(123_456)
    }

    fn project_row(slug: &str) -> project::ActiveModel {
        project::ActiveModel {
            organization_id: Set(7),
            name: Set("Shop API".into()),
            slug: Set(slug.into()),
            retention_days: Set(None),
            sample_rate: Set(0.25),
            rate_limit_per_minute: Set(Some(600)),
            grouping_config: Set("{}".into()),
            fingerprint_rules: Set("[]".into()),
            stacktrace_rules: Set(String::new()),
            similarity_enabled: Set(true),
            similarity_threshold: Set(0.3),
            settings: Set("{\"scrub_data\":false}".into()),
            created_at: Set(at(1)),
            ..Default::default()
        }
    }

    /// The writer's connection has the settings the durability guarantee and the checkpoints
    /// rest on (BENCHMARKS.md, "Durability guarantee"), as sqlx's connections do.
    #[tokio::test]
    async fn the_writer_has_the_settings_of_every_sqlite_connection() {
        let (_folder, _pool, writer) = database().await;
        let pragma = |name: &str| -> String {
            let value: rusqlite::types::Value = writer
                .connection
                .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
                .unwrap();
            match value {
                rusqlite::types::Value::Integer(i) => i.to_string(),
                rusqlite::types::Value::Text(t) => t,
                other => format!("{other:?}"),
            }
        };
        assert_eq!(pragma("journal_mode"), "wal");
        assert_eq!(pragma("synchronous"), "1", "NORMAL");
        assert_eq!(pragma("foreign_keys"), "0");
        assert_eq!(pragma("temp_store"), "2", "memory");
        assert_eq!(pragma("wal_autocheckpoint"), "16384");
        assert_eq!(pragma("journal_size_limit"), "67108864");
        assert_eq!(pragma("busy_timeout"), "10000");
        assert_eq!(pragma("cache_size"), "-2048");
    }

    /// What the writer stores, sqlx reads back as it was (every column type of the entities:
    /// i64, i32 and NULL, f64, bool, text, a timestamp with microseconds), and the writer reads
    /// the same model back.
    #[tokio::test]
    async fn rows_the_writer_stores_read_back_the_same_through_sqlx() {
        let (_folder, pool, writer) = database().await;
        let txn = writer.begin().unwrap();
        let insert = project::Entity::insert(project_row("shop")).build(DbBackend::Sqlite);
        assert_eq!(txn.execute(&insert).unwrap(), 1);
        txn.commit().unwrap();

        let through_sqlx = project::Entity::find().one(&pool).await.unwrap().unwrap();
        let mut expected = project_row("shop");
        expected.id = Set(through_sqlx.id);
        assert_eq!(through_sqlx, expected.try_into_model().unwrap());
        let select = project::Entity::find().build(DbBackend::Sqlite);
        assert_eq!(
            writer.models::<project::Entity>(&select).unwrap(),
            vec![through_sqlx.clone()]
        );
        type Columns = (Option<i32>, Option<i32>, f64, bool, chrono::DateTime<Utc>);
        let tuples: Vec<Columns> = writer
            .rows(&Statement::from_string(
                DbBackend::Sqlite,
                "SELECT retention_days, rate_limit_per_minute, sample_rate, similarity_enabled, \
                 created_at FROM project",
            ))
            .unwrap();
        assert_eq!(tuples, vec![(None, Some(600), 0.25, true, at(1))]);
    }

    /// The other way round: a row sqlx stored (GraphQL's mutations) as the writer's model.
    #[tokio::test]
    async fn rows_sqlx_stores_read_back_the_same_through_the_writer() {
        let (_folder, pool, writer) = database().await;
        let rule = alert_rule::ActiveModel {
            project_id: Set(3),
            name: Set("new issues".into()),
            triggers: Set("[{\"type\":\"new_issue\"}]".into()),
            filters: Set("{}".into()),
            actions: Set("[1]".into()),
            action_interval_minutes: Set(30),
            enabled: Set(false),
            created_at: Set(at(2)),
            ..Default::default()
        }
        .insert(&pool)
        .await
        .unwrap();
        let select = alert_rule::Entity::find().build(DbBackend::Sqlite);
        assert_eq!(
            writer.models::<alert_rule::Entity>(&select).unwrap(),
            vec![rule]
        );
    }

    /// A transaction dropped without a commit leaves nothing; a failed statement fails alone
    /// and the transaction stays usable until it is dropped.
    #[tokio::test]
    async fn an_uncommitted_transaction_is_rolled_back() {
        let (_folder, pool, writer) = database().await;
        let insert = |slug| project::Entity::insert(project_row(slug)).build(DbBackend::Sqlite);
        {
            let txn = writer.begin().unwrap();
            txn.execute(&insert("dropped")).unwrap();
            let bad = Statement::from_string(DbBackend::Sqlite, "INSERT INTO nowhere VALUES (1)");
            assert!(txn.execute(&bad).is_err());
        }
        let txn = writer.begin().unwrap();
        txn.execute(&insert("kept")).unwrap();
        txn.commit().unwrap();
        let slugs: Vec<String> = project::Entity::find()
            .all(&pool)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.slug)
            .collect();
        assert_eq!(slugs, vec!["kept".to_string()]);
    }
}
