//! Opening a GitHub or Jira ticket for an issue on request. The ticket goes through the outbox
//! like any alert, so a failure is retried; the request claims the row and sends it at once.
use chrono::Utc;
use entity::states::DeliveryStatus;
use entity::{delivery, event, integration, issue, organization, project};
use larder_integrations::NotificationKind;
use sea_orm::{ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use super::dispatcher::{self, Channels, DispatchSettings};
use super::{evaluate, notification};

/// Why no ticket was opened.
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error("tickets are opened through a GitHub or Jira integration")]
    NotATracker,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// What opening a ticket needs besides the issue and the integration.
pub struct TicketSending<'a> {
    pub settings: &'a DispatchSettings,
    pub channels: &'a Channels,
    pub public_url: &'a str,
}

/// Opens a ticket for `issue` through `integration` (GitHub or Jira) now; returns the delivery
/// with its outcome.
pub async fn open(
    db: &sea_orm::DatabaseConnection,
    sending: &TicketSending<'_>,
    issue: &issue::Model,
    integration: &integration::Model,
) -> Result<delivery::Model, TicketError> {
    if !matches!(integration.kind.as_str(), "github" | "jira") {
        return Err(TicketError::NotATracker);
    }
    let project = project::Entity::find_by_id(issue.project_id)
        .one(db)
        .await?
        .ok_or(TicketError::NotFound("project"))?;
    let organization = organization::Entity::find_by_id(project.organization_id)
        .one(db)
        .await?
        .ok_or(TicketError::NotFound("organization"))?;
    // The latest event is the issue's highest row id (ids grow with arrival).
    let latest = event::Entity::find()
        .filter(event::Column::IssueId.eq(issue.id))
        .order_by_desc(event::Column::Id)
        .one(db)
        .await?
        .map(|e| crate::db::payload::read::<crate::event::Event>(&e));
    let subject = notification::Subject {
        organization: &organization,
        project: &project,
        issue,
        user_count: crate::issues::user_count(db, issue.id).await?,
        event: latest.as_ref(),
    };
    let key = uuid::Uuid::new_v4().simple().to_string();
    let payload = notification::build(
        NotificationKind::ExternalIssue,
        &subject,
        sending.public_url,
        key.clone(),
        None,
    );
    let mut row = evaluate::new_delivery(issue, &project, integration.id, None, key, &payload);
    // Claimed by this request (no worker takes it) until its lease ends.
    row.status = Set(DeliveryStatus::Delivering);
    row.attempts = Set(1);
    row.next_attempt_at =
        Set(Utc::now() + chrono::Duration::from_std(sending.settings.lease).unwrap_or_default());
    let row = row.insert(db).await?;
    Ok(dispatcher::deliver_now(db, sending.settings, sending.channels, row).await?)
}
