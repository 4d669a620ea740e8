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
    use sea_orm::{EntityTrait, QuerySelect, Set};

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

    /// Two columns of every row of `E`, sorted.
    async fn pairs<E: EntityTrait>(
        db: &sea_orm::DatabaseConnection,
        first: E::Column,
        second: E::Column,
    ) -> Vec<(i64, String)> {
        let mut rows: Vec<(i64, String)> = E::find()
            .select_only()
            .column(first)
            .column(second)
            .into_tuple()
            .all(db)
            .await
            .unwrap();
        rows.sort();
        rows
    }

    /// On a real SQLite database: statements of different tables and widths in one text, each
    /// row with its own values (a parameter bound to the wrong statement shifts every value
    /// after it), and a failing statement failing the whole transaction.
    #[tokio::test]
    async fn sqlite_runs_every_statement_of_the_text_with_its_own_values() {
        use entity::issue_user;
        use sea_orm::TransactionTrait;
        let folder = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/larder.db", folder.path().display());
        let db = crate::db::connect_and_migrate(&url).await.unwrap();
        let now = chrono::Utc::now();
        let environments = |project_id: i64, names: std::ops::Range<i32>| {
            environment::Entity::insert_many(names.map(move |i| environment::ActiveModel {
                project_id: Set(project_id),
                name: Set(format!("p{project_id}-{i}")),
                first_seen: Set(now),
                last_seen: Set(now),
                times_seen: Set(1),
                ..Default::default()
            }))
        };
        let users = issue_user::Entity::insert_many((0..7).map(|i| issue_user::ActiveModel {
            issue_id: Set(i),
            user_key: Set(format!("id:{i}")),
            first_seen: Set(now),
            ..Default::default()
        }));
        let stored = || {
            use environment::Column as C;
            pairs::<environment::Entity>(&db, C::ProjectId, C::Name)
        };

        let mut writes = CombinedWrites::new(DbBackend::Sqlite);
        writes.push(&environments(1, 0..200));
        writes.push(&users);
        writes.push(&environments(3, 0..150));
        let txn = db.begin().await.unwrap();
        writes.send(&txn).await.unwrap();
        txn.commit().await.unwrap();
        let mut expected: Vec<(i64, String)> = (0..200)
            .map(|i| (1, format!("p1-{i}")))
            .chain((0..150).map(|i| (3, format!("p3-{i}"))))
            .collect();
        expected.sort();
        assert_eq!(stored().await, expected);
        let stored_users = {
            use issue_user::Column as C;
            pairs::<issue_user::Entity>(&db, C::IssueId, C::UserKey).await
        };
        let expected_users: Vec<(i64, String)> = (0..7).map(|i| (i, format!("id:{i}"))).collect();
        assert_eq!(stored_users, expected_users);

        // The second statement repeats a stored (project, name): the text fails as a whole.
        let mut writes = CombinedWrites::new(DbBackend::Sqlite);
        writes.push(&environments(4, 0..10));
        writes.push(&environments(3, 6..8));
        let txn = db.begin().await.unwrap();
        assert!(writes.send(&txn).await.is_err());
        txn.rollback().await.unwrap();
        assert_eq!(stored().await, expected);
    }
}
