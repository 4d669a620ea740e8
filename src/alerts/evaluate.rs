//! Alert evaluation inside the ingest transaction. For each issue a batch touched, every enabled
//! rule of its project is checked (trigger, filters, action interval); a firing rule writes one
//! delivery row per action in the same transaction as the events, so an alert exists exactly
//! when its event does.
use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, Utc};
use entity::states::DeliveryStatus;
use entity::{
    alert_rule, alert_rule_fire, delivery, event, integration, issue, organization, project,
};
use larder_integrations::NotificationKind;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, Set};

use super::notification::{self, Subject};
use super::rules::{EventFacts, Filters, Trigger};
use crate::db::write::WriteTxn;
use crate::ingest::normalize::NormalizedEvent;

/// One event the ingest writer stored in this transaction, as alerts need it. The writer hands
/// these over (an SDK retry of a stored event is not one), so alerts depend on the normalised
/// event, not on the writer.
pub struct WrittenEvent<'a> {
    pub project_id: i64,
    pub issue_id: i64,
    /// The event as stored (its payload compressed).
    pub event: &'a NormalizedEvent<Vec<u8>>,
    /// Derived and client tags.
    pub tags: &'a [(String, String)],
    /// The event created its issue.
    pub new_issue: bool,
    /// The event reopened a resolved issue.
    pub regressed: bool,
}

/// What the batch did to one issue: its first event and whether it was created or reopened.
struct Touched<'a> {
    first: &'a WrittenEvent<'a>,
    new_issue: bool,
    regressed: bool,
}

/// Evaluates the project rules for every issue the batch wrote to; returns deliveries queued.
pub async fn evaluate(
    txn: &WriteTxn<'_>,
    written: &[WrittenEvent<'_>],
    public_url: &str,
) -> Result<usize, DbErr> {
    // By issue id, so concurrent batches claim `alert_rule_fire` rows in the same order.
    let mut touched: BTreeMap<i64, Touched<'_>> = BTreeMap::new();
    for w in written {
        let entry = touched.entry(w.issue_id).or_insert(Touched {
            first: w,
            new_issue: false,
            regressed: false,
        });
        entry.new_issue |= w.new_issue;
        entry.regressed |= w.regressed;
    }
    if touched.is_empty() {
        return Ok(0);
    }
    let project_ids: Vec<i64> = {
        let mut ids: Vec<i64> = touched.values().map(|t| t.first.project_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let rules = txn
        .models(
            alert_rule::Entity::find()
                .filter(alert_rule::Column::ProjectId.is_in(project_ids.clone()))
                .filter(alert_rule::Column::Enabled.eq(true)),
        )
        .await?;
    if rules.is_empty() {
        return Ok(0);
    }
    let context = Context::load(txn, &project_ids).await?;
    let mut queued = 0;
    for (&issue_id, t) in &touched {
        for rule in rules.iter().filter(|r| r.project_id == t.first.project_id) {
            if let Some(kind) = fires(txn, rule, issue_id, t).await?
                && claim_interval(txn, rule, issue_id).await?
            {
                queued += queue_deliveries(
                    txn,
                    &context,
                    rule,
                    issue_id,
                    t.first.event,
                    kind,
                    public_url,
                )
                .await?;
            }
        }
    }
    Ok(queued)
}

/// The trigger that fires `rule` for this issue, if any (filters checked first: they are free).
async fn fires(
    txn: &WriteTxn<'_>,
    rule: &alert_rule::Model,
    issue_id: i64,
    touched: &Touched<'_>,
) -> Result<Option<NotificationKind>, DbErr> {
    let filters: Filters = serde_json::from_str(&rule.filters).unwrap_or_default();
    let event = touched.first.event;
    let facts = EventFacts {
        level: event.level,
        environment: event.environment.as_deref(),
        release: event.release.as_deref(),
        tags: touched.first.tags,
    };
    if !filters.matches(&facts) {
        return Ok(None);
    }
    let triggers: Vec<Trigger> = serde_json::from_str(&rule.triggers).unwrap_or_default();
    for trigger in triggers {
        let fired = match trigger {
            Trigger::NewIssue => touched.new_issue.then_some(NotificationKind::NewIssue),
            Trigger::Regression => touched.regressed.then_some(NotificationKind::Regression),
            Trigger::EventFrequency {
                count,
                interval_minutes,
            } => {
                let since = Utc::now() - Duration::minutes(interval_minutes);
                let count_since = Query::select()
                    .expr(Expr::col(event::Column::Id).count())
                    .from(event::Entity)
                    .and_where(event::Column::IssueId.eq(issue_id))
                    .and_where(event::Column::Timestamp.gte(since))
                    .to_owned();
                let seen = txn.count(&count_since).await?;
                (seen > count).then_some(NotificationKind::Frequency)
            }
            Trigger::UserFrequency {
                count,
                interval_minutes,
            } => {
                let since = Utc::now() - Duration::minutes(interval_minutes);
                let users = distinct_users(txn, issue_id, Some(since)).await?;
                (users > count).then_some(NotificationKind::UserFrequency)
            }
        };
        if fired.is_some() {
            return Ok(fired);
        }
    }
    Ok(None)
}

/// Distinct users of an issue, optionally since a time.
async fn distinct_users(
    txn: &WriteTxn<'_>,
    issue_id: i64,
    since: Option<chrono::DateTime<Utc>>,
) -> Result<i64, DbErr> {
    let mut query = Query::select()
        .expr(Expr::col(event::Column::UserKey).count_distinct())
        .from(event::Entity)
        .and_where(event::Column::IssueId.eq(issue_id))
        .and_where(event::Column::UserKey.is_not_null())
        .to_owned();
    if let Some(since) = since {
        query.and_where(event::Column::Timestamp.gte(since));
    }
    txn.count(&query).await
}

/// Records that the rule fires now, unless it already fired for the issue within its action
/// interval. One conditional upsert, so two writers (two servers) cannot both fire.
async fn claim_interval(
    txn: &WriteTxn<'_>,
    rule: &alert_rule::Model,
    issue_id: i64,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let quiet_since =
        now - Duration::minutes(i64::from(std::cmp::max(rule.action_interval_minutes, 0)));
    let statement = Query::insert()
        .into_table(alert_rule_fire::Entity)
        .columns([
            alert_rule_fire::Column::RuleId,
            alert_rule_fire::Column::IssueId,
            alert_rule_fire::Column::LastFiredAt,
        ])
        .values_panic([rule.id.into(), issue_id.into(), now.into()])
        .on_conflict(
            OnConflict::columns([
                alert_rule_fire::Column::RuleId,
                alert_rule_fire::Column::IssueId,
            ])
            .update_column(alert_rule_fire::Column::LastFiredAt)
            .action_and_where(
                Expr::col((
                    alert_rule_fire::Entity,
                    alert_rule_fire::Column::LastFiredAt,
                ))
                .lte(quiet_since),
            )
            .to_owned(),
        )
        .returning_col(alert_rule_fire::Column::Id)
        .to_owned();
    let claimed: Vec<(i64,)> = txn.rows(txn.statement(&statement)).await?;
    Ok(!claimed.is_empty())
}

/// Projects, organizations and integrations the batch's alerts need, loaded once.
struct Context {
    projects: HashMap<i64, project::Model>,
    organizations: HashMap<i64, organization::Model>,
    integrations: HashMap<i64, integration::Model>,
}

impl Context {
    async fn load(txn: &WriteTxn<'_>, project_ids: &[i64]) -> Result<Self, DbErr> {
        let projects: HashMap<i64, project::Model> = txn
            .models(
                project::Entity::find()
                    .filter(project::Column::Id.is_in(project_ids.iter().copied())),
            )
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let org_ids: Vec<i64> = projects.values().map(|p| p.organization_id).collect();
        let organizations = txn
            .models(
                organization::Entity::find()
                    .filter(organization::Column::Id.is_in(org_ids.clone())),
            )
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let integrations = txn
            .models(
                integration::Entity::find()
                    .filter(integration::Column::OrganizationId.is_in(org_ids))
                    .filter(integration::Column::Enabled.eq(true)),
            )
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        Ok(Context {
            projects,
            organizations,
            integrations,
        })
    }
}

/// One delivery row per action of the rule (integrations of the project's organization only).
async fn queue_deliveries(
    txn: &WriteTxn<'_>,
    context: &Context,
    rule: &alert_rule::Model,
    issue_id: i64,
    event: &NormalizedEvent<Vec<u8>>,
    kind: NotificationKind,
    public_url: &str,
) -> Result<usize, DbErr> {
    let project = &context.projects[&rule.project_id];
    let organization = &context.organizations[&project.organization_id];
    let issue = txn
        .models(issue::Entity::find_by_id(issue_id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| DbErr::RecordNotFound(format!("issue {issue_id}")))?;
    let user_count = distinct_users(txn, issue_id, None).await?;
    // The writer carries payloads compressed; a firing rule is rare enough to parse it again.
    let event = crate::db::payload::parse::<crate::event::Event>(&event.payload).ok();
    let subject = Subject {
        organization,
        project,
        issue: &issue,
        user_count,
        event: event.as_ref(),
    };
    let actions: Vec<i64> = serde_json::from_str(&rule.actions).unwrap_or_default();
    let mut rows = Vec::new();
    for integration_id in actions {
        let Some(integration) = context.integrations.get(&integration_id) else {
            continue;
        };
        if integration.organization_id != organization.id {
            continue;
        }
        let key = uuid::Uuid::new_v4().simple().to_string();
        let payload = notification::build(
            kind,
            &subject,
            public_url,
            key.clone(),
            Some(rule.name.clone()),
        );
        rows.push(new_delivery(
            &issue,
            project,
            integration.id,
            Some(rule.id),
            key,
            &payload,
        ));
    }
    let queued = rows.len();
    if !rows.is_empty() {
        txn.execute(txn.query(&delivery::Entity::insert_many(rows)))
            .await?;
    }
    Ok(queued)
}

/// A pending delivery row, due now.
pub fn new_delivery(
    issue: &issue::Model,
    project: &project::Model,
    integration_id: i64,
    rule_id: Option<i64>,
    idempotency_key: String,
    payload: &larder_integrations::Notification,
) -> delivery::ActiveModel {
    let now = Utc::now();
    delivery::ActiveModel {
        organization_id: Set(project.organization_id),
        project_id: Set(project.id),
        issue_id: Set(issue.id),
        integration_id: Set(integration_id),
        rule_id: Set(rule_id),
        kind: Set(serde_json::to_value(payload.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()),
        idempotency_key: Set(idempotency_key),
        payload: Set(serde_json::to_string(payload).unwrap_or_default()),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        external_id: Set(None),
        external_url: Set(None),
        created_at: Set(now),
        delivered_at: Set(None),
        ..Default::default()
    }
}
