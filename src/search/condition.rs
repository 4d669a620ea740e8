//! A read search (`grammar::Expr`) turned into the WHERE clause of an issue query, served by the
//! issue table's columns and the tag counts' `(project_id, key, value)` index. Values are always
//! bound, never spliced into SQL; a user's `%`, `_` and `\` match themselves and `*` is the
//! wildcard. Wildcard matches ignore ASCII case on both databases; exact values match exactly.
//! Every comparison of a nullable column says `IS NOT NULL` first, so that a negated term is
//! true where the column is empty (SQL's `NOT (NULL = 'x')` is NULL, which no row passes).
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use entity::states::{ActivityKind, IssueStatus, Level};
use entity::{external_issue, issue, issue_activity, issue_tag, member, release};
use sea_orm::sea_query::{Expr as Sql, ExprTrait, Func, LikeExpr, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition};

use super::SearchError;
use super::grammar::{Expr, Op, Term, TermKind};
use super::keys::{Field, IS_VALUES, LEVELS};

/// How long an issue counts as new (`is:new`) or regressed (`is:regressed`), as Sentry's
/// substatuses do.
const RECENT: Duration = Duration::days(7);

/// What a search is resolved against.
pub struct Scope {
    pub project_id: i64,
    pub organization_id: i64,
    pub now: DateTime<Utc>,
}

/// A key resolved by the caller (`super::resolve_keys`): built in, or a tag seen in the project.
pub type Resolve<'a> = &'a dyn Fn(&Term, &str) -> Result<Field, SearchError>;

/// The WHERE clause of a search.
pub fn condition(expr: &Expr, scope: &Scope, resolve: Resolve) -> Result<Condition, SearchError> {
    Ok(match expr {
        Expr::All(parts) => parts.iter().try_fold(Condition::all(), |all, part| {
            Ok::<_, SearchError>(all.add(condition(part, scope, resolve)?))
        })?,
        Expr::Any(parts) => parts.iter().try_fold(Condition::any(), |any, part| {
            Ok::<_, SearchError>(any.add(condition(part, scope, resolve)?))
        })?,
        Expr::Not(inner) => condition(inner, scope, resolve)?.not(),
        Expr::Term(term) => {
            let matched = term_condition(term, scope, resolve)?;
            if term.negated { matched.not() } else { matched }
        }
    })
}

fn term_condition(term: &Term, scope: &Scope, resolve: Resolve) -> Result<Condition, SearchError> {
    let error = |message: String| SearchError::at(term.position, &term.text, message);
    let (key, op, values) = match &term.kind {
        TermKind::Text(text) => return Ok(text_matches(text)),
        TermKind::Filter { key, op, values } => (key.as_str(), *op, values),
    };
    let field = resolve(term, key)?;
    let equality_only = |field_name: &str| {
        if op == Op::Eq {
            Ok(())
        } else {
            Err(error(format!(
                "{field_name}: compares with `:value` only, not `>`/`<`"
            )))
        }
    };
    let any_of = |each: &dyn Fn(&str) -> Result<Condition, SearchError>| {
        values.iter().try_fold(Condition::any(), |any, value| {
            Ok::<_, SearchError>(any.add(each(value)?))
        })
    };
    match field {
        Field::Is => {
            equality_only(key)?;
            any_of(&|value| is(value, scope).map_err(&error))
        }
        Field::Assigned => {
            equality_only(key)?;
            any_of(&|value| assigned(value, scope).map_err(&error))
        }
        Field::Has => {
            equality_only(key)?;
            any_of(&|value| match resolve(term, value)? {
                Field::Is | Field::Has => Err(error(format!("has:{value} is not a field"))),
                field => Ok(has(&field, scope)),
            })
        }
        Field::FirstSeen | Field::LastSeen => {
            let column = if field == Field::FirstSeen {
                issue::Column::FirstSeen
            } else {
                issue::Column::LastSeen
            };
            any_of(&|value| {
                date_condition(column, op, value, scope.now)
                    .map_err(|m| error(format!("{key}: {m}")))
            })
        }
        Field::TimesSeen => any_of(&|value| {
            let n: i64 = value
                .parse()
                .map_err(|_| error(format!("{key} needs a whole number, got {value:?}")))?;
            Ok(compare(issue::Column::TimesSeen, op, n))
        }),
        Field::Level => {
            equality_only(key)?;
            any_of(&|value| {
                let level = Level::parse(&value.to_lowercase()).ok_or_else(|| {
                    error(format!(
                        "unknown level {value:?} (expected {})",
                        LEVELS.join(", ")
                    ))
                })?;
                Ok(Condition::all().add(issue::Column::Level.eq(level)))
            })
        }
        Field::FirstRelease => {
            equality_only(key)?;
            any_of(&|value| {
                Ok(if value == "latest" {
                    Condition::all()
                        .add(issue::Column::FirstRelease.is_not_null())
                        .add(
                            issue::Column::FirstRelease
                                .in_subquery(latest_release(scope.project_id)),
                        )
                } else {
                    matches(issue::Column::FirstRelease, value)
                })
            })
        }
        Field::Culprit => {
            equality_only(key)?;
            any_of(&|value| Ok(matches(issue::Column::Culprit, value)))
        }
        Field::Message => {
            equality_only(key)?;
            any_of(&|value| Ok(text_matches(value)))
        }
        Field::Handled { unhandled } => {
            equality_only(key)?;
            any_of(&|value| {
                let flag = match value.to_lowercase().as_str() {
                    "true" | "1" | "yes" => true,
                    "false" | "0" | "no" => false,
                    _ => return Err(error(format!("{key} is true or false, not {value:?}"))),
                };
                let handled = if flag != unhandled { "yes" } else { "no" };
                Ok(has_tag(
                    scope.project_id,
                    "handled",
                    TagValue::Exactly(handled),
                ))
            })
        }
        Field::Tag(tag) => {
            equality_only(key)?;
            any_of(&|value| {
                Ok(if tag == "release" && value == "latest" {
                    has_tag(scope.project_id, &tag, TagValue::Latest)
                } else {
                    has_tag(scope.project_id, &tag, TagValue::Matching(value))
                })
            })
        }
    }
}

/// `is:` values.
fn is(value: &str, scope: &Scope) -> Result<Condition, String> {
    let status = |s: IssueStatus| Condition::all().add(issue::Column::Status.eq(s));
    let recent = scope.now - RECENT;
    Ok(match value {
        "unresolved" => status(IssueStatus::Unresolved),
        "resolved" => status(IssueStatus::Resolved),
        "ignored" | "archived" => status(IssueStatus::Ignored),
        "assigned" => Condition::all().add(issue::Column::AssigneeId.is_not_null()),
        "unassigned" => Condition::all().add(issue::Column::AssigneeId.is_null()),
        "new" => status(IssueStatus::Unresolved).add(issue::Column::FirstSeen.gte(recent)),
        "regressed" => status(IssueStatus::Unresolved).add(
            issue::Column::Id.in_subquery(
                Query::select()
                    .column(issue_activity::Column::IssueId)
                    .from(issue_activity::Entity)
                    .and_where(issue_activity::Column::Kind.eq(ActivityKind::SetRegression))
                    .and_where(issue_activity::Column::CreatedAt.gte(recent))
                    .to_owned(),
            ),
        ),
        "linked" => Condition::all().add(issue::Column::Id.in_subquery(linked())),
        "unlinked" => Condition::all().add(issue::Column::Id.not_in_subquery(linked())),
        other => {
            return Err(format!(
                "unknown is:{other} (expected one of {})",
                IS_VALUES.join(", ")
            ));
        }
    })
}

fn linked() -> SelectStatement {
    Query::select()
        .column(external_issue::Column::IssueId)
        .from(external_issue::Entity)
        .to_owned()
}

/// `assigned:` values: `none`, or a member of the organisation by e-mail or name.
fn assigned(value: &str, scope: &Scope) -> Result<Condition, String> {
    match value {
        "none" => Ok(Condition::all().add(issue::Column::AssigneeId.is_null())),
        "me" => Err("assigned:me needs a signed-in person; API tokens have no one to be".into()),
        member_name => Ok(Condition::all()
            .add(issue::Column::AssigneeId.is_not_null())
            .add(
                issue::Column::AssigneeId.in_subquery(
                    Query::select()
                        .column(member::Column::Id)
                        .from(member::Entity)
                        .and_where(member::Column::OrganizationId.eq(scope.organization_id))
                        .cond_where(
                            Condition::any()
                                .add(member::Column::Email.eq(member_name.to_lowercase()))
                                .add(member::Column::Name.eq(member_name)),
                        )
                        .to_owned(),
                ),
            )),
    }
}

/// `has:` — the field has a value on the issue.
fn has(field: &Field, scope: &Scope) -> Condition {
    match field {
        Field::Assigned => Condition::all().add(issue::Column::AssigneeId.is_not_null()),
        Field::FirstRelease => Condition::all().add(issue::Column::FirstRelease.is_not_null()),
        Field::Culprit => Condition::all()
            .add(issue::Column::Culprit.is_not_null())
            .add(issue::Column::Culprit.ne("")),
        Field::Handled { .. } => has_tag(scope.project_id, "handled", TagValue::Any),
        Field::Tag(tag) => has_tag(scope.project_id, tag, TagValue::Any),
        // Every issue has a level, a title, dates and a count.
        Field::FirstSeen
        | Field::LastSeen
        | Field::TimesSeen
        | Field::Level
        | Field::Message
        | Field::Is
        | Field::Has => Condition::all(),
    }
}

/// Which values of a tag an issue must have seen.
pub(super) enum TagValue<'a> {
    Any,
    /// As typed: exact, or with `*` wildcards.
    Matching(&'a str),
    /// Exactly this value, wildcards or not.
    Exactly(&'a str),
    /// The project's newest release.
    Latest,
}

/// Issues that saw a value of the tag `key` at least once (served by the tag counts' index).
pub(super) fn has_tag(project_id: i64, key: &str, value: TagValue) -> Condition {
    let mut select = Query::select()
        .column(issue_tag::Column::IssueId)
        .from(issue_tag::Entity)
        .and_where(issue_tag::Column::ProjectId.eq(project_id))
        .and_where(issue_tag::Column::Key.eq(key))
        .to_owned();
    match value {
        TagValue::Any => {}
        TagValue::Matching(value) => {
            select.cond_where(matches(issue_tag::Column::Value, value));
        }
        TagValue::Exactly(value) => {
            select.and_where(issue_tag::Column::Value.eq(value));
        }
        TagValue::Latest => {
            select.and_where(issue_tag::Column::Value.in_subquery(latest_release(project_id)));
        }
    }
    Condition::all().add(issue::Column::Id.in_subquery(select))
}

/// The version of the project's newest release: the one created last, as Sentry's `latest` (not
/// the highest version, nor the one whose events carry the newest timestamps).
fn latest_release(project_id: i64) -> SelectStatement {
    Query::select()
        .column(release::Column::Version)
        .from(release::Entity)
        .and_where(release::Column::ProjectId.eq(project_id))
        .order_by(release::Column::Id, sea_orm::Order::Desc)
        .limit(1)
        .to_owned()
}

/// A column equal to the value, or LIKE it (ignoring ASCII case) when it holds `*`; never for
/// an empty (NULL) column.
fn matches<C: ColumnTrait>(column: C, value: &str) -> Condition {
    if value.contains('*') {
        like_ignoring_case(column, escape_like(&value.to_lowercase()).replace('*', "%"))
    } else {
        Condition::all()
            .add(column.is_not_null())
            .add(column.eq(value))
    }
}

/// A non-empty column LIKE the (lowercase, escaped) pattern, ignoring ASCII case on both
/// databases.
fn like_ignoring_case<C: ColumnTrait>(column: C, pattern: String) -> Condition {
    Condition::all()
        .add(column.is_not_null())
        .add(Sql::expr(Func::lower(Sql::col(column))).like(LikeExpr::new(pattern).escape('\\')))
}

/// Title or culprit contains the text, ignoring ASCII case; `*` stands for anything.
pub(super) fn text_matches(text: &str) -> Condition {
    let text = text.trim().to_lowercase();
    if text.is_empty() {
        return Condition::all();
    }
    let pattern = format!("%{}%", escape_like(&text).replace('*', "%"));
    Condition::any()
        .add(like_ignoring_case(issue::Column::Title, pattern.clone()))
        .add(like_ignoring_case(issue::Column::Culprit, pattern))
}

/// `%`, `_` and `\` typed by a user match themselves.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

fn compare<C: ColumnTrait, V: Into<sea_orm::Value>>(column: C, op: Op, value: V) -> Condition {
    Condition::all().add(match op {
        Op::Eq => column.eq(value),
        Op::Gt => column.gt(value),
        Op::Gte => column.gte(value),
        Op::Lt => column.lt(value),
        Op::Lte => column.lte(value),
    })
}

/// A date condition: `-24h` (within the last), `+7d` (longer ago than), or an ISO date or date
/// and time compared with the operator; a date without an operator means that whole day (UTC).
fn date_condition(
    column: issue::Column,
    op: Op,
    value: &str,
    now: DateTime<Utc>,
) -> Result<Condition, String> {
    if let Some((sign, span)) = relative(value)? {
        if op != Op::Eq {
            return Err(format!("{value}: a relative time takes no `>`/`<`"));
        }
        let since = now
            .checked_sub_signed(span)
            .ok_or_else(|| format!("{value:?} is before the earliest time"))?;
        return Ok(Condition::all().add(if sign == '-' {
            column.gte(since)
        } else {
            column.lt(since)
        }));
    }
    if let Ok(day) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        let midnight = day.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
        return Ok(match op {
            Op::Eq => Condition::all()
                .add(column.gte(midnight))
                .add(column.lt(after(midnight, Duration::days(1), value)?)),
            // As in Sentry, a date compared is its midnight.
            op => compare(column, op, midnight),
        });
    }
    let instant = DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S").map(|t| t.and_utc()))
        .map_err(|_| {
            format!(
                "{value:?} is not a time: use -24h (within), +7d (older than), 2026-01-31 or 2026-01-31T12:00:00Z"
            )
        })?;
    Ok(if op == Op::Eq {
        Condition::all()
            .add(column.gte(instant))
            .add(column.lt(after(instant, Duration::seconds(1), value)?))
    } else {
        compare(column, op, instant)
    })
}

/// The longest relative time a search takes.
const MAX_RELATIVE: Duration = Duration::days(36_525);

/// `time + span`, or an error naming the value when that is past the latest time there is.
fn after(time: DateTime<Utc>, span: Duration, value: &str) -> Result<DateTime<Utc>, String> {
    time.checked_add_signed(span)
        .ok_or_else(|| format!("{value:?} is past the latest time"))
}

/// `-24h` / `+7d`: the sign and the span; `None` for anything else.
fn relative(value: &str) -> Result<Option<(char, Duration)>, String> {
    let Some(sign) = value.chars().next().filter(|c| *c == '-' || *c == '+') else {
        return Ok(None);
    };
    let rest = &value[1..];
    let Some(unit) = rest.chars().last().filter(char::is_ascii_alphabetic) else {
        return Ok(None);
    };
    let digits = &rest[..rest.len() - 1];
    let amount: i64 = digits
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| digits.parse().ok())
        .flatten()
        .ok_or_else(|| format!("{value:?}: expected a number before the unit, as in -24h"))?;
    let span = match unit {
        'm' => Duration::try_minutes(amount),
        'h' => Duration::try_hours(amount),
        'd' => Duration::try_days(amount),
        'w' => Duration::try_weeks(amount),
        other => return Err(format!("{value:?}: unknown unit {other:?} (m, h, d or w)")),
    }
    .filter(|span| *span <= MAX_RELATIVE)
    .ok_or_else(|| format!("{value:?}: more than 100 years"))?;
    Ok(Some((sign, span)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_typed_by_users_are_literal() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }

    #[test]
    fn relative_times_read_their_sign_and_unit() {
        assert_eq!(relative("-24h").unwrap(), Some(('-', Duration::hours(24))));
        assert_eq!(relative("+2w").unwrap(), Some(('+', Duration::weeks(2))));
        assert_eq!(relative("2026-01-01").unwrap(), None);
        assert!(relative("-24y").is_err());
        assert!(relative("-xh").is_err());
        // Found by the fuzz target: a signed or huge amount is an error, not an overflow.
        assert!(relative("--000000001000001905108213h").is_err());
        assert!(relative("-9223372036854775807w").is_err());
        assert!(relative("-36526d").is_err());
    }
}
