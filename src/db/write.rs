//! The ingest writer's connection and transactions, on either database: sea-orm's on
//! PostgreSQL, rusqlite on the writer's own thread on SQLite (`sqlite_writer`, why there). The
//! writer builds each statement once with sea-query and runs it through [`WriteTxn`].
use sea_orm::sea_query::SelectStatement;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, EntityTrait,
    QueryTrait, Select, Statement, StatementBuilder, TransactionTrait, TryIntoModel,
};

use super::sqlite_writer::{FromRow, SqliteTxn, SqliteWriter};

pub enum WriterConnection {
    Postgres(DatabaseConnection),
    Sqlite(SqliteWriter),
}

impl WriterConnection {
    /// A transaction that will write (on SQLite `BEGIN IMMEDIATE`, see `db::begin_write`).
    pub async fn begin(&self) -> Result<WriteTxn<'_>, DbErr> {
        Ok(match self {
            WriterConnection::Postgres(db) => WriteTxn::Postgres(db.begin().await?),
            WriterConnection::Sqlite(writer) => WriteTxn::Sqlite(writer.begin()?),
        })
    }

    /// The SQLite writer, for what only SQLite has (its page cache, WAL checkpoints).
    pub fn sqlite(&self) -> Option<&SqliteWriter> {
        match self {
            WriterConnection::Sqlite(writer) => Some(writer),
            WriterConnection::Postgres(_) => None,
        }
    }
}

/// A batch's transaction. Every method runs one statement; dropped uncommitted it rolls back.
pub enum WriteTxn<'c> {
    Postgres(DatabaseTransaction),
    Sqlite(SqliteTxn<'c>),
}

impl WriteTxn<'_> {
    pub fn backend(&self) -> DbBackend {
        match self {
            WriteTxn::Postgres(_) => DbBackend::Postgres,
            WriteTxn::Sqlite(_) => DbBackend::Sqlite,
        }
    }

    /// A sea-query statement in this database's dialect.
    pub fn statement(&self, statement: &impl StatementBuilder) -> Statement {
        self.backend().build(statement)
    }

    /// A sea-orm query (insert, update, select) in this database's dialect.
    pub fn query(&self, query: &impl QueryTrait) -> Statement {
        query.build(self.backend())
    }

    /// Runs a statement; returns the rows it changed.
    pub async fn execute(&self, statement: Statement) -> Result<u64, DbErr> {
        match self {
            WriteTxn::Postgres(txn) => Ok(txn.execute_raw(statement).await?.rows_affected()),
            WriteTxn::Sqlite(txn) => txn.execute(&statement),
        }
    }

    /// The rows of a statement as tuples.
    pub async fn rows<T: FromRow>(&self, statement: Statement) -> Result<Vec<T>, DbErr> {
        match self {
            WriteTxn::Postgres(txn) => txn
                .query_all_raw(statement)
                .await?
                .iter()
                .map(T::from_sea)
                .collect(),
            WriteTxn::Sqlite(txn) => txn.rows(&statement),
        }
    }

    /// The one number a `SELECT count(…)` answers (0 without a row).
    pub async fn count(&self, query: &SelectStatement) -> Result<i64, DbErr> {
        let rows: Vec<(i64,)> = self.rows(self.statement(query)).await?;
        Ok(rows.first().map_or(0, |r| r.0))
    }

    /// The models a select finds.
    pub async fn models<E: EntityTrait>(&self, select: Select<E>) -> Result<Vec<E::Model>, DbErr>
    where
        E::ActiveModel: TryIntoModel<E::Model>,
    {
        match self {
            WriteTxn::Postgres(txn) => select.all(txn).await,
            WriteTxn::Sqlite(txn) => txn.models::<E>(&self.query(&select)),
        }
    }

    /// Commits; returns once the transaction is durable, or with COMMIT's error.
    pub async fn commit(self) -> Result<(), DbErr> {
        match self {
            WriteTxn::Postgres(txn) => txn.commit().await,
            WriteTxn::Sqlite(txn) => txn.commit(),
        }
    }
}
