//! Issue search as Sentry users type it —
//! `is:unresolved !level:info environment:[prod,staging] release:shop@1.* firstSeen:-24h "timeout"`
//! — with `OR` and parentheses besides. `grammar` reads the text into a tree, `keys` says what
//! each key searches, `condition` turns the tree into SQL over the issue table and its tag
//! counts. A mistake is an error naming the term at fault and where it starts; a key that is
//! neither built in nor a tag of the project is named with the closest known keys, never
//! answered with an empty result. The grammar with examples: docs/search.md.
mod condition;
mod filter;
mod grammar;
mod keys;

use std::collections::BTreeSet;

use entity::issue_tag;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

pub use condition::Scope;
pub use filter::IssueFilter;
pub use keys::ValueKind;

/// A search that cannot be run, with the term at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} (at character {position}: {token:?})")]
pub struct SearchError {
    /// Character offset of the term in the search.
    pub position: usize,
    pub token: String,
    pub message: String,
}

impl SearchError {
    fn at(position: usize, token: &str, message: impl Into<String>) -> Self {
        SearchError {
            position,
            token: token.to_string(),
            message: message.into(),
        }
    }
}

/// Why a search gave no condition: the user's search, or the database.
#[derive(Debug, thiserror::Error)]
pub enum IssueSearchError {
    #[error("invalid search: {0}")]
    Invalid(#[from] SearchError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// The WHERE clause of a search over a project's issues. Keys that are not built in are looked
/// up among the project's tag keys (one indexed query, only when the search has such keys).
pub async fn issue_condition<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    search: &str,
) -> Result<Condition, IssueSearchError> {
    let expr = grammar::parse(search)?;
    let mut custom = BTreeSet::new();
    custom_keys(&expr, &mut custom);
    let known = known_tag_keys(db, scope.project_id, &custom).await?;
    let mut suggestions_from: Option<Vec<String>> = None;
    if custom.iter().any(|key| !known.contains(key)) {
        suggestions_from = Some(project_tag_keys(db, scope.project_id).await?);
    }
    let resolve = |term: &grammar::Term, key: &str| {
        if let Some(field) = keys::built_in(key) {
            return Ok(field);
        }
        if known.contains(key) {
            return Ok(keys::Field::Tag(key.to_string().into()));
        }
        let tag_keys = suggestions_from.as_deref().unwrap_or_default();
        let closest = keys::closest(key, tag_keys.iter().map(String::as_str));
        let hint = if closest.is_empty() {
            String::new()
        } else {
            format!("; did you mean {}?", closest.join(", "))
        };
        Err(SearchError::at(
            term.position,
            &term.text,
            format!("unknown search key {key:?}: neither built in nor a tag of this project{hint}"),
        ))
    };
    Ok(condition::condition(&expr, scope, &resolve)?)
}

/// The WHERE clause of a search with every key that is not built in taken for a tag, asking no
/// database: for checking a search where there is none (the fuzz target `search`).
pub fn offline_condition(scope: &Scope, search: &str) -> Result<Condition, SearchError> {
    let expr = grammar::parse(search)?;
    let resolve = |_: &grammar::Term, key: &str| {
        Ok(keys::built_in(key).unwrap_or_else(|| keys::Field::Tag(key.to_string().into())))
    };
    condition::condition(&expr, scope, &resolve)
}

/// The keys of a search that are not built in (tag keys), including those after `has:`.
fn custom_keys(expr: &grammar::Expr, out: &mut BTreeSet<String>) {
    match expr {
        grammar::Expr::All(parts) | grammar::Expr::Any(parts) => {
            parts.iter().for_each(|part| custom_keys(part, out))
        }
        grammar::Expr::Not(inner) => custom_keys(inner, out),
        grammar::Expr::Term(grammar::Term {
            kind: grammar::TermKind::Filter { key, values, .. },
            ..
        }) => {
            let named: Vec<&String> = if key == "has" {
                values.iter().collect()
            } else {
                vec![key]
            };
            out.extend(
                named
                    .into_iter()
                    .filter(|k| keys::built_in(k).is_none())
                    .cloned(),
            );
        }
        grammar::Expr::Term(_) => {}
    }
}

/// Which of `keys` are tag keys of the project (one index seek each, in one query).
async fn known_tag_keys<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
    keys: &BTreeSet<String>,
) -> Result<BTreeSet<String>, DbErr> {
    if keys.is_empty() {
        return Ok(BTreeSet::new());
    }
    let found: Vec<String> = issue_tag::Entity::find()
        .select_only()
        .column(issue_tag::Column::Key)
        .distinct()
        .filter(issue_tag::Column::ProjectId.eq(project_id))
        .filter(issue_tag::Column::Key.is_in(keys.iter().cloned()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
}

/// The project's tag keys, to suggest from when a key is unknown (bounded: an error path).
async fn project_tag_keys<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
) -> Result<Vec<String>, DbErr> {
    issue_tag::Entity::find()
        .select_only()
        .column(issue_tag::Column::Key)
        .distinct()
        .filter(issue_tag::Column::ProjectId.eq(project_id))
        .limit(1000)
        .into_tuple()
        .all(db)
        .await
}

/// A key a search of the project can use, with sample values, for autocompletion.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownKey {
    pub key: String,
    pub kind: ValueKind,
    /// Built in, or a tag seen in the project.
    pub built_in: bool,
    /// The fixed values of a choice, or up to `SAMPLE_VALUES` values the project's issues have.
    pub values: Vec<String>,
}

/// How many values `search_keys` lists per key.
const SAMPLE_VALUES: u64 = 10;

/// Every key a search of the project can use: the built-in keys, then the project's own tag
/// keys, each with its kind and sample values (one indexed query per tag-backed key).
pub async fn search_keys<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
) -> Result<Vec<KnownKey>, DbErr> {
    let mut known = Vec::new();
    for (key, field) in keys::BUILT_IN {
        let values = match field {
            keys::Field::Tag(tag) => tag_values(db, project_id, tag).await?,
            _ => field.fixed_values().iter().map(|v| v.to_string()).collect(),
        };
        known.push(KnownKey {
            key: key.to_string(),
            kind: field.value_kind(),
            built_in: true,
            values,
        });
    }
    let stored_by_built_ins: BTreeSet<&str> = keys::BUILT_IN
        .iter()
        .filter_map(|(_, field)| match field {
            keys::Field::Tag(tag) => Some(tag.as_ref()),
            keys::Field::Handled { .. } => Some("handled"),
            _ => None,
        })
        .collect();
    for tag in project_tag_keys(db, project_id).await? {
        if stored_by_built_ins.contains(tag.as_str()) || keys::built_in(&tag).is_some() {
            continue;
        }
        let values = tag_values(db, project_id, &tag).await?;
        known.push(KnownKey {
            key: tag,
            kind: ValueKind::Text,
            built_in: false,
            values,
        });
    }
    Ok(known)
}

/// Some values of a tag in the project, in index order (an index range scan that stops early).
async fn tag_values<C: ConnectionTrait>(
    db: &C,
    project_id: i64,
    key: &str,
) -> Result<Vec<String>, DbErr> {
    issue_tag::Entity::find()
        .select_only()
        .column(issue_tag::Column::Value)
        .distinct()
        .filter(issue_tag::Column::ProjectId.eq(project_id))
        .filter(issue_tag::Column::Key.eq(key))
        .order_by_asc(issue_tag::Column::Value)
        .limit(SAMPLE_VALUES)
        .into_tuple()
        .all(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values at the edges of what dates and numbers hold are conditions or errors, never a
    /// panic (the fuzz target `search` found an overflow in relative times).
    #[test]
    fn extreme_values_never_panic() {
        let scope = Scope {
            project_id: 1,
            organization_id: 1,
            now: chrono::Utc::now(),
        };
        for search in [
            "firstSeen:262143-12-31",
            "firstSeen:>262143-12-31",
            "lastSeen:+262143-12-31T23:59:59Z",
            "lastSeen:9999-12-31T23:59:59+00:00",
            "age:-99999999999999999999d",
            "age:+36525d",
            "timesSeen:>99999999999999999999",
            "timesSeen:-9223372036854775808",
        ] {
            let _ = offline_condition(&scope, search);
        }
        assert!(offline_condition(&scope, "age:+36525d").is_ok());
        assert!(offline_condition(&scope, "age:-99999999999999999999d").is_err());
    }
}
