//! Event payloads stored compressed (`payload_zstd`, see the server's `db::payload`): a 4 KB
//! JSON payload spilled every event row into an overflow page of its own. Existing rows keep
//! their JSON text in `payload`; adding a nullable column rewrites nothing, so the migration
//! is instant on a database of any size (cold start stays under a second).
use sea_orm_migration::prelude::*;

use crate::helpers::c;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(c("event"))
                    .add_column(ColumnDef::new(c("payload_zstd")).binary().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(c("event"))
                    .drop_column(c("payload_zstd"))
                    .to_owned(),
            )
            .await
    }
}
