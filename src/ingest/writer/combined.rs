//! Writes of a batch whose results the batch never reads (event rows, tag counts, rollups,
//! attachments), built while the batch is placed and run together at the end, in the order
//! they were added, inside the batch's transaction.
//!
//! Most are sea-orm inserts of models ([`CombinedWrites::push`]). The two that carry most of a
//! batch's values — its event rows and its tag counts — are built straight from the batch
//! instead ([`CombinedWrites::push_rows`]): a model copies every value once more, and rendering
//! a multi-row insert writes every column name and placeholder again for every batch, although
//! the text only depends on the number of rows (docs/benchmarks-history.md, twelfth round).
use std::cell::RefCell;
use std::collections::HashMap;

use sea_orm::sea_query::{Expr, InsertStatement, Value, Values};
use sea_orm::{DbBackend, DbErr, QueryTrait, Statement};

use super::batch::INSERT_CHUNK;
use crate::db::write::WriteTxn;

/// A multi-row insert built from values: its table, columns and conflict clause.
pub struct RowShape {
    /// Names the shape's texts in the cache: one name per shape.
    pub name: &'static str,
    /// Values per row: the statement's column count.
    pub columns: usize,
    /// The insert without rows (table, columns, `ON CONFLICT`).
    pub statement: fn() -> InsertStatement,
}

thread_local! {
    /// Rendered texts by (shape, PostgreSQL or not, row count). Per thread: the writer runs on
    /// a thread of its own. Bounded by shapes × 2 × `INSERT_CHUNK`.
    static TEXTS: RefCell<HashMap<(&'static str, bool, usize), String>> =
        RefCell::new(HashMap::new());
}

pub struct CombinedWrites {
    backend: DbBackend,
    statements: Vec<Statement>,
}

impl CombinedWrites {
    pub fn new(backend: DbBackend) -> Self {
        CombinedWrites {
            backend,
            statements: Vec::new(),
        }
    }

    /// Adds a statement; it runs at `send`, after every statement added before it.
    pub fn push(&mut self, query: &impl QueryTrait) {
        self.statements.push(query.build(self.backend));
    }

    /// Adds the rows of `values` (row after row, each in the order of `shape`'s columns) as
    /// inserts of at most `INSERT_CHUNK` rows each.
    pub fn push_rows(&mut self, shape: &RowShape, mut values: Vec<Value>) {
        debug_assert_eq!(
            values.len() % shape.columns,
            0,
            "whole rows of {}",
            shape.name
        );
        while !values.is_empty() {
            let rest = values.split_off(values.len().min(INSERT_CHUNK * shape.columns));
            let rows = values.len() / shape.columns;
            self.statements.push(Statement {
                sql: self.text(shape, rows),
                values: Some(Values(std::mem::replace(&mut values, rest))),
                db_backend: self.backend,
            });
        }
    }

    /// The text of `shape` with `rows` rows in this database's dialect, rendered on first use.
    fn text(&self, shape: &RowShape, rows: usize) -> String {
        let key = (shape.name, self.backend == DbBackend::Postgres, rows);
        TEXTS.with_borrow_mut(|texts| {
            texts
                .entry(key)
                .or_insert_with(|| {
                    let mut statement = (shape.statement)();
                    for _ in 0..rows {
                        // Any value: only its placeholder is rendered.
                        statement.values_panic(std::iter::repeat_n(Expr::val(0), shape.columns));
                    }
                    self.backend.build(&statement).sql
                })
                .clone()
        })
    }

    /// Runs the statements added so far. An error fails the caller's transaction as a whole,
    /// as any statement of it would.
    pub async fn send(self, txn: &WriteTxn<'_>) -> Result<(), DbErr> {
        for statement in self.statements {
            txn.execute(statement).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use entity::issue_tag;
    use sea_orm::sea_query::Query;

    use super::*;

    static TAGS: RowShape = RowShape {
        name: "test_tags",
        columns: 3,
        statement: || {
            use issue_tag::Column as C;
            Query::insert()
                .into_table(issue_tag::Entity)
                .columns([C::IssueId, C::Key, C::TimesSeen])
                .on_conflict(crate::issues::tag_counts::accumulate())
                .to_owned()
        },
    };

    fn row(i: usize) -> [Value; 3] {
        [(i as i64).into(), format!("key {i}").into(), 1i64.into()]
    }

    /// What sea-query renders for the same rows with their values.
    fn rendered(backend: DbBackend, rows: std::ops::Range<usize>) -> Statement {
        let mut statement = (TAGS.statement)();
        for i in rows {
            statement.values_panic(row(i).map(Expr::val));
        }
        backend.build(&statement)
    }

    /// A cached text with the batch's values is the statement sea-query renders for them, on
    /// both databases, for every chunk, also when the text comes from the cache.
    #[test]
    fn rows_are_the_statements_sea_query_renders() {
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            for rows in [1, 3, INSERT_CHUNK + 5, 3] {
                let mut writes = CombinedWrites::new(backend);
                writes.push_rows(&TAGS, (0..rows).flat_map(row).collect());
                let expected: Vec<Statement> = if rows > INSERT_CHUNK {
                    vec![
                        rendered(backend, 0..INSERT_CHUNK),
                        rendered(backend, INSERT_CHUNK..rows),
                    ]
                } else {
                    vec![rendered(backend, 0..rows)]
                };
                assert_eq!(writes.statements, expected, "{backend:?}, {rows} rows");
            }
        }
    }
}
