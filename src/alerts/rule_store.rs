//! Alert rules as people keep them: a checked draft written to the rule's JSON columns (triggers,
//! filters, actions), and the rules of a project listed, found and removed.
use chrono::Utc;
use entity::alert_rule;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use serde::Serialize;

use super::rules::{Filters, Trigger};

/// A rule as written by a person, already checked: valid triggers, and actions that are
/// integrations of the rule's organization.
pub struct RuleDraft {
    pub name: String,
    pub triggers: Vec<Trigger>,
    pub filters: Filters,
    /// Integration ids to notify.
    pub actions: Vec<i64>,
    pub action_interval_minutes: i32,
    pub enabled: bool,
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
) -> Result<Vec<alert_rule::Model>, DbErr> {
    alert_rule::Entity::find()
        .filter(alert_rule::Column::ProjectId.eq(project_id))
        .order_by_asc(alert_rule::Column::Id)
        .all(db)
        .await
}

/// A rule by id, of any project: the caller checks the project is the viewer's.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    rule_id: i64,
) -> Result<Option<alert_rule::Model>, DbErr> {
    alert_rule::Entity::find_by_id(rule_id).one(db).await
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
    draft: &RuleDraft,
) -> Result<alert_rule::Model, DbErr> {
    let mut row = alert_rule::ActiveModel {
        project_id: Set(project_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    write(&mut row, draft)?;
    row.insert(db).await
}

/// Replaces everything a person writes in the rule.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    rule: alert_rule::Model,
    draft: &RuleDraft,
) -> Result<alert_rule::Model, DbErr> {
    let mut row: alert_rule::ActiveModel = rule.into();
    write(&mut row, draft)?;
    row.update(db).await
}

pub async fn delete<C: ConnectionTrait>(db: &C, rule_id: i64) -> Result<(), DbErr> {
    alert_rule::Entity::delete_by_id(rule_id).exec(db).await?;
    Ok(())
}

fn write(row: &mut alert_rule::ActiveModel, draft: &RuleDraft) -> Result<(), DbErr> {
    row.name = Set(draft.name.trim().to_string());
    row.triggers = Set(json_column(&draft.triggers)?);
    row.filters = Set(json_column(&draft.filters)?);
    row.actions = Set(json_column(&draft.actions)?);
    row.action_interval_minutes = Set(draft.action_interval_minutes);
    row.enabled = Set(draft.enabled);
    Ok(())
}

fn json_column(value: &impl Serialize) -> Result<String, DbErr> {
    serde_json::to_string(value).map_err(|e| DbErr::Json(e.to_string()))
}
