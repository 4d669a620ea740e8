//! The default alert rule: email the organization's members on new issues and regressions, as
//! soon as the organization has an email integration.
use chrono::Utc;
use entity::{alert_rule, integration, project};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

use super::rules::Trigger;

pub const DEFAULT_RULE_NAME: &str = "Email members on new issues and regressions";
/// Quiet time per issue after the default rule fired.
const DEFAULT_INTERVAL_MINUTES: i32 = 30;

/// Gives the projects of the organization that have no rule yet (all of them, or only
/// `only_project`) the default rule, if the organization has an enabled email integration.
/// Returns how many rules were created.
pub async fn ensure_default_rules<C: ConnectionTrait>(
    db: &C,
    organization_id: i64,
    only_project: Option<i64>,
) -> Result<usize, DbErr> {
    let Some(email) = integration::Entity::find()
        .filter(integration::Column::OrganizationId.eq(organization_id))
        .filter(integration::Column::Kind.eq("email"))
        .filter(integration::Column::Enabled.eq(true))
        .order_by_asc(integration::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(0);
    };
    let mut projects =
        project::Entity::find().filter(project::Column::OrganizationId.eq(organization_id));
    if let Some(id) = only_project {
        projects = projects.filter(project::Column::Id.eq(id));
    }
    let projects = projects.all(db).await?;
    let mut created = 0;
    for project in projects {
        let has_rules = alert_rule::Entity::find()
            .filter(alert_rule::Column::ProjectId.eq(project.id))
            .count(db)
            .await?
            > 0;
        if has_rules {
            continue;
        }
        alert_rule::ActiveModel {
            project_id: Set(project.id),
            name: Set(DEFAULT_RULE_NAME.into()),
            triggers: Set(
                serde_json::to_string(&[Trigger::NewIssue, Trigger::Regression])
                    .unwrap_or_default(),
            ),
            filters: Set("{}".into()),
            actions: Set(serde_json::to_string(&[email.id]).unwrap_or_default()),
            action_interval_minutes: Set(DEFAULT_INTERVAL_MINUTES),
            enabled: Set(true),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        created += 1;
    }
    Ok(created)
}
