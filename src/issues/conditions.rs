//! When new events reopen an issue: a resolved issue regresses (unless its release resolution
//! covers the events), an ignored issue comes back when its ignore condition is met. Pure
//! decisions; the ingest writer supplies the facts and applies the outcome.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::states::IssueStatus;
use serde::{Deserialize, Serialize};

/// The `status_details` JSON of an issue.
#[derive(Serialize, Deserialize, Default, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct StatusDetails {
    /// Resolved in this release: only events of a newer release regress.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_release: Option<String>,
    /// Resolved in the next release: events of the release current at resolution (or older)
    /// do not regress. `in_release` then holds that current release, if any.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_next_release: bool,
    /// Ignored until this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// Ignored until the issue's count reaches this total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until_count: Option<i64>,
    /// Ignored until this many distinct users are affected in total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until_users: Option<i64>,
}

impl StatusDetails {
    pub fn parse(text: &str) -> StatusDetails {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reopen {
    /// A resolved issue saw a new event it was not resolved for.
    Regression,
    /// An ignored issue met its ignore condition.
    Unignored,
}

/// What the batch knows about an issue it touched.
pub struct Facts<'a> {
    pub status: IssueStatus,
    pub details: &'a StatusDetails,
    /// Releases of the batch's events for the issue (`None` = no release).
    pub releases: &'a [Option<String>],
    /// First-seen time of known releases (releases new to the project are absent).
    pub release_first_seen: &'a HashMap<String, DateTime<Utc>>,
    pub times_seen_after: i64,
    pub users_after: i64,
    pub now: DateTime<Utc>,
}

pub fn reopens(facts: &Facts<'_>) -> Option<Reopen> {
    match facts.status {
        IssueStatus::Resolved => regresses(facts).then_some(Reopen::Regression),
        IssueStatus::Ignored => condition_met(facts).then_some(Reopen::Unignored),
        IssueStatus::Unresolved | IssueStatus::Merged => None,
    }
}

fn regresses(facts: &Facts<'_>) -> bool {
    let details = facts.details;
    let covered_release = details.in_release.as_deref();
    if covered_release.is_none() && !details.in_next_release {
        return true;
    }
    // A release resolution: only events of a release newer than the covered one regress.
    facts.releases.iter().flatten().any(|release| {
        if Some(release.as_str()) == covered_release {
            return false;
        }
        let Some(covered) = covered_release else {
            // Resolved in the next release while no release was known: any release is newer.
            return true;
        };
        match (
            facts.release_first_seen.get(release),
            facts.release_first_seen.get(covered),
        ) {
            (Some(release_seen), Some(covered_seen)) => release_seen > covered_seen,
            // A release the project has never seen before is newer.
            (None, _) => true,
            (Some(_), None) => true,
        }
    })
}

fn condition_met(facts: &Facts<'_>) -> bool {
    let d = facts.details;
    d.until.is_some_and(|until| facts.now >= until)
        || d.until_count.is_some_and(|n| facts.times_seen_after >= n)
        || d.until_users.is_some_and(|n| facts.users_after >= n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn check(
        status: IssueStatus,
        details: StatusDetails,
        releases: &[Option<&str>],
        known: &[(&str, &str)],
    ) -> Option<Reopen> {
        let releases: Vec<Option<String>> =
            releases.iter().map(|r| r.map(str::to_string)).collect();
        let known: HashMap<String, DateTime<Utc>> =
            known.iter().map(|(r, t)| (r.to_string(), at(t))).collect();
        reopens(&Facts {
            status,
            details: &details,
            releases: &releases,
            release_first_seen: &known,
            times_seen_after: 10,
            users_after: 3,
            now: at("2026-11-25T12:00:00Z"),
        })
    }

    #[test]
    fn plain_resolution_regresses_on_any_event() {
        assert_eq!(
            check(
                IssueStatus::Resolved,
                StatusDetails::default(),
                &[None],
                &[]
            ),
            Some(Reopen::Regression)
        );
        assert_eq!(
            check(
                IssueStatus::Unresolved,
                StatusDetails::default(),
                &[None],
                &[]
            ),
            None
        );
    }

    #[test]
    fn release_resolution_regresses_only_on_newer_releases() {
        let details = StatusDetails {
            in_release: Some("1.0".into()),
            in_next_release: true,
            ..Default::default()
        };
        let known = [
            ("0.9", "2026-11-01T00:00:00Z"),
            ("1.0", "2026-11-10T00:00:00Z"),
            ("1.1", "2026-11-20T00:00:00Z"),
        ];
        assert_eq!(
            check(
                IssueStatus::Resolved,
                details.clone(),
                &[Some("1.0")],
                &known
            ),
            None
        );
        assert_eq!(
            check(
                IssueStatus::Resolved,
                details.clone(),
                &[Some("0.9")],
                &known
            ),
            None
        );
        assert_eq!(
            check(IssueStatus::Resolved, details.clone(), &[None], &known),
            None
        );
        assert_eq!(
            check(
                IssueStatus::Resolved,
                details.clone(),
                &[Some("1.1")],
                &known
            ),
            Some(Reopen::Regression)
        );
        assert_eq!(
            check(IssueStatus::Resolved, details, &[Some("2.0")], &known),
            Some(Reopen::Regression)
        );
    }

    #[test]
    fn ignore_conditions() {
        let forever = StatusDetails::default();
        assert_eq!(check(IssueStatus::Ignored, forever, &[None], &[]), None);
        let until_past = StatusDetails {
            until: Some(at("2026-11-25T11:00:00Z")),
            ..Default::default()
        };
        assert_eq!(
            check(IssueStatus::Ignored, until_past, &[None], &[]),
            Some(Reopen::Unignored)
        );
        let until_future = StatusDetails {
            until: Some(at("2026-11-26T00:00:00Z")),
            ..Default::default()
        };
        assert_eq!(
            check(IssueStatus::Ignored, until_future, &[None], &[]),
            None
        );
        let count = StatusDetails {
            until_count: Some(10),
            ..Default::default()
        };
        assert_eq!(
            check(IssueStatus::Ignored, count, &[None], &[]),
            Some(Reopen::Unignored)
        );
        let count = StatusDetails {
            until_count: Some(11),
            ..Default::default()
        };
        assert_eq!(check(IssueStatus::Ignored, count, &[None], &[]), None);
        let users = StatusDetails {
            until_users: Some(3),
            ..Default::default()
        };
        assert_eq!(
            check(IssueStatus::Ignored, users, &[None], &[]),
            Some(Reopen::Unignored)
        );
    }
}
