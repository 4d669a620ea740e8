//! Per-project stack-trace rules (Sentry's grouping enhancements syntax: `stack.function:log_*
//! -app`), beside the fingerprint rules; empty for every existing project.
use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::c;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(c("project"))
                    .add_column(text(c("stacktrace_rules")).default("").to_owned())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(c("project"))
                    .drop_column(c("stacktrace_rules"))
                    .to_owned(),
            )
            .await
    }
}
