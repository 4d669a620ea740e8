//! A project's issue list: the structured filter and a typed search narrow it, a sort orders it,
//! and it is read one keyset page at a time (after a cursor's sort value and id).
use chrono::{DateTime, Utc};
use entity::{issue, project};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

use crate::search::{self, IssueFilter, IssueSearchError, issue_condition};

/// How a list is ordered: by this column descending, then by id descending.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum IssueSort {
    LastSeen,
    FirstSeen,
    Count,
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

    /// Up to `limit` issues in `sort` order, after the issue with sort value `after.0` (as
    /// `sort_value` wrote it) and id `after.1` when given.
    pub async fn page<C: ConnectionTrait>(
        &self,
        db: &C,
        sort: IssueSort,
        after: Option<(&str, i64)>,
        limit: u64,
    ) -> Result<Vec<issue::Model>, PageError> {
        let mut page = self.0.clone();
        if let Some((value, id)) = after {
            page = page.filter(after_condition(sort, value, id)?);
        }
        Ok(page
            .order_by_desc(sort.column())
            .order_by_desc(issue::Column::Id)
            .limit(limit)
            .all(db)
            .await?)
    }

    /// How many issues match (all pages).
    pub async fn count<C: ConnectionTrait>(&self, db: &C) -> Result<i64, DbErr> {
        Ok(self.0.clone().count(db).await? as i64)
    }
}

impl IssueSort {
    fn column(self) -> issue::Column {
        match self {
            IssueSort::LastSeen => issue::Column::LastSeen,
            IssueSort::FirstSeen => issue::Column::FirstSeen,
            IssueSort::Count => issue::Column::TimesSeen,
        }
    }

    /// The issue's value of the sort column, as a cursor carries it.
    pub fn sort_value(self, row: &issue::Model) -> String {
        match self {
            IssueSort::LastSeen => row.last_seen.to_rfc3339(),
            IssueSort::FirstSeen => row.first_seen.to_rfc3339(),
            IssueSort::Count => row.times_seen.to_string(),
        }
    }
}

/// Rows strictly after (`value`, `id`) in (sort column DESC, id DESC) order.
fn after_condition(sort: IssueSort, value: &str, id: i64) -> Result<Condition, PageError> {
    let column = sort.column();
    let value: sea_orm::Value = match sort {
        IssueSort::Count => value
            .parse::<i64>()
            .map_err(|_| PageError::CursorMismatch)?
            .into(),
        _ => DateTime::parse_from_rfc3339(value)
            .map_err(|_| PageError::CursorMismatch)?
            .with_timezone(&Utc)
            .into(),
    };
    Ok(Condition::any().add(column.lt(value.clone())).add(
        Condition::all()
            .add(column.eq(value))
            .add(issue::Column::Id.lt(id)),
    ))
}
