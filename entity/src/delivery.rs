//! The notification outbox: one row per notification to send through one integration. Written
//! in the ingest transaction; dispatcher workers deliver it with retries.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub project_id: i64,
    pub issue_id: i64,
    pub integration_id: i64,
    pub rule_id: Option<i64>,
    /// `new_issue`, `regression`, `frequency`, `user_frequency`, `external_issue`, `test`.
    pub kind: String,
    /// Unique: what receivers and the look-up-before-create channels deduplicate on.
    #[sea_orm(unique)]
    pub idempotency_key: String,
    /// The notification as JSON text (`larder_integrations::Notification`).
    pub payload: String,
    pub status: crate::states::DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub last_error: Option<String>,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
