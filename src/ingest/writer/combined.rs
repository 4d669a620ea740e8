//! Writes of a batch whose results the batch never reads (event rows, tag counts, rollups,
//! attachments), sent to the database together.
//!
//! Every statement handed to SQLite is a round trip to sqlx's worker thread: the command goes
//! over a channel, the worker wakes, runs it, sends the result back and the writer wakes — two
//! thread switches at least, which on two cores cost more than many of the statements
//! themselves (`BENCHMARKS.md`, fifth round). On SQLite the statements are therefore joined into
//! one SQL text: sqlx prepares and runs its statements one after the other on the worker thread
//! and binds the `?` parameters in order across them, so the whole group is one round trip.
//! PostgreSQL's extended protocol takes one statement per message, so there they run in turn.
//! Either way the statements run in the order they were added, inside the caller's transaction.
use sea_orm::sea_query::Values;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, QueryTrait, Statement};

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

    /// Runs the statements added so far. An error fails the caller's transaction as a whole,
    /// as any statement of it would.
    pub async fn send(self, txn: &DatabaseTransaction) -> Result<(), DbErr> {
        match self.backend {
            DbBackend::Sqlite => match joined(self.statements) {
                Some(statement) => txn.execute_raw(statement).await.map(drop),
                None => Ok(()),
            },
            _ => {
                for statement in self.statements {
                    txn.execute_raw(statement).await?;
                }
                Ok(())
            }
        }
    }
}

/// The statements as one SQLite text, their parameter values concatenated in the same order.
fn joined(statements: Vec<Statement>) -> Option<Statement> {
    let backend = statements.first()?.db_backend;
    let mut sql = String::with_capacity(statements.iter().map(|s| s.sql.len() + 2).sum());
    let mut values = Vec::new();
    for statement in statements {
        if !sql.is_empty() {
            sql.push_str(";\n");
        }
        sql.push_str(&statement.sql);
        values.extend(statement.values.map(|v| v.0).unwrap_or_default());
    }
    Some(Statement::from_sql_and_values(backend, sql, Values(values)))
}

#[cfg(test)]
mod tests {
    use entity::environment;
    use sea_orm::sea_query::Value;
    use sea_orm::{EntityTrait, Set};

    use super::*;

    fn insert(name: &str) -> impl QueryTrait {
        environment::Entity::insert(environment::ActiveModel {
            project_id: Set(7),
            name: Set(name.to_string()),
            ..Default::default()
        })
    }

    #[test]
    fn sqlite_statements_become_one_text_with_their_values_in_order() {
        let mut writes = CombinedWrites::new(DbBackend::Sqlite);
        writes.push(&insert("production"));
        writes.push(&insert("staging"));
        let statement = joined(writes.statements).unwrap();
        assert_eq!(statement.sql.matches("INSERT INTO").count(), 2);
        assert_eq!(statement.sql.matches(";\n").count(), 1);
        let values = statement.values.unwrap().0;
        assert_eq!(
            values,
            vec![
                Value::from(7i64),
                Value::from("production"),
                Value::from(7i64),
                Value::from("staging"),
            ]
        );
    }

    #[test]
    fn nothing_added_is_nothing_sent() {
        assert!(joined(Vec::new()).is_none());
    }
}
