//! A project's issue list: the structured filter and a typed search narrow it, a sort orders it,
//! and it is read one keyset page at a time (after a cursor's sort value and id).
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{issue, issue_user, project};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr, SubQueryStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};

use crate::search::{self, IssueFilter, IssueSearchError, issue_condition};

/// How a list is ordered: by this value descending, then by id descending.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum IssueSort {
    LastSeen,
    FirstSeen,
    Count,
    /// Distinct users affected, counted when the list is read (a column would cost every event
    /// a count in the writer; a page sorted by users is rare).
    Users,
}

/// The issues of one project that match a filter and a search, in any order.
pub struct IssueList(Select<issue::Entity>);

/// Why a page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("cursor does not match the sort order")]
    CursorMismatch,
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl IssueList {
    /// The project's issues matching `filter` and, when given, the search text; a search that
    /// names an unknown key or does not parse is refused.
    pub async fn new<C: ConnectionTrait>(
        db: &C,
        project: &project::Model,
        filter: &IssueFilter,
        search: Option<&str>,
    ) -> Result<IssueList, IssueSearchError> {
        let mut matching = issue::Entity::find()
            .filter(issue::Column::ProjectId.eq(project.id))
            .filter(filter.condition(project.id));
        if let Some(search) = search {
            let scope = search::Scope {
                project_id: project.id,
                organization_id: project.organization_id,
                now: Utc::now(),
            };
            matching = matching.filter(issue_condition(db, &scope, search).await?);
        }
        Ok(IssueList(matching))
    }

    /// Up to `limit` issues in `sort` order, after the issue with sort value `after.0` (as a
    /// previous page gave it) and id `after.1` when given; each with its sort value, for the
    /// next cursor.
    pub async fn page<C: ConnectionTrait>(
        &self,
        db: &C,
        sort: IssueSort,
        after: Option<(&str, i64)>,
        limit: u64,
    ) -> Result<Vec<(issue::Model, String)>, PageError> {
        let mut page = self.0.clone();
        if let Some((value, id)) = after {
            page = page.filter(after_condition(sort, value, id)?);
        }
        let rows = page
            .order_by(sort.expression(), Order::Desc)
            .order_by_desc(issue::Column::Id)
            .limit(limit)
            .all(db)
            .await?;
        let users = match sort {
            IssueSort::Users => user_counts(db, rows.iter().map(|row| row.id)).await?,
            _ => HashMap::new(),
        };
        Ok(rows
            .into_iter()
            .map(|row| {
                let value = match sort {
                    IssueSort::LastSeen => row.last_seen.to_rfc3339(),
                    IssueSort::FirstSeen => row.first_seen.to_rfc3339(),
                    IssueSort::Count => row.times_seen.to_string(),
                    IssueSort::Users => users.get(&row.id).copied().unwrap_or(0).to_string(),
                };
                (row, value)
            })
            .collect())
    }

    /// How many issues match (all pages).
    pub async fn count<C: ConnectionTrait>(&self, db: &C) -> Result<i64, DbErr> {
        Ok(self.0.clone().count(db).await? as i64)
    }
}

impl IssueSort {
    /// The value sorted by, for an issue row of the query.
    fn expression(self) -> SimpleExpr {
        let column = |column: issue::Column| Expr::col((issue::Entity, column));
        match self {
            IssueSort::LastSeen => column(issue::Column::LastSeen),
            IssueSort::FirstSeen => column(issue::Column::FirstSeen),
            IssueSort::Count => column(issue::Column::TimesSeen),
            IssueSort::Users => SimpleExpr::SubQuery(
                None,
                Box::new(SubQueryStatement::SelectStatement(
                    Query::select()
                        .expr(Expr::col(issue_user::Column::Id).count())
                        .from(issue_user::Entity)
                        .and_where(
                            Expr::col((issue_user::Entity, issue_user::Column::IssueId))
                                .equals((issue::Entity, issue::Column::Id)),
                        )
                        .to_owned(),
                )),
            ),
        }
    }
}

/// Distinct users of each of the issues (issues without users are absent).
async fn user_counts<C: ConnectionTrait>(
    db: &C,
    issues: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, i64>, DbErr> {
    let rows: Vec<(i64, i64)> = issue_user::Entity::find()
        .select_only()
        .column(issue_user::Column::IssueId)
        .column_as(issue_user::Column::Id.count(), "users")
        .filter(issue_user::Column::IssueId.is_in(issues))
        .group_by(issue_user::Column::IssueId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Rows strictly after (`value`, `id`) in (sort value DESC, id DESC) order.
fn after_condition(sort: IssueSort, value: &str, id: i64) -> Result<Condition, PageError> {
    let value: sea_orm::Value = match sort {
        IssueSort::Count | IssueSort::Users => value
            .parse::<i64>()
            .map_err(|_| PageError::CursorMismatch)?
            .into(),
        IssueSort::LastSeen | IssueSort::FirstSeen => DateTime::parse_from_rfc3339(value)
            .map_err(|_| PageError::CursorMismatch)?
            .with_timezone(&Utc)
            .into(),
    };
    let sorted = sort.expression();
    Ok(Condition::any().add(sorted.clone().lt(value.clone())).add(
        Condition::all()
            .add(sorted.eq(value))
            .add(issue::Column::Id.lt(id)),
    ))
}
