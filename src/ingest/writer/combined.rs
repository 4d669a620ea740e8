//! Writes of a batch whose results the batch never reads (event rows, tag counts, rollups,
//! attachments), built while the batch is placed and run together at the end, in the order
//! they were added, inside the batch's transaction.
use sea_orm::{DbBackend, DbErr, QueryTrait, Statement};

use crate::db::write::WriteTxn;

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
    pub async fn send(self, txn: &WriteTxn<'_>) -> Result<(), DbErr> {
        for statement in self.statements {
            txn.execute(statement).await?;
        }
        Ok(())
    }
}
