//! The structured issue filter (status, level, environment, release, text: what a list's
//! controls set), turned into SQL beside the search string it narrows further, so that both
//! decide what "matches" in one place.
use entity::issue;
use entity::states::{IssueStatus, Level};
use sea_orm::{ColumnTrait, Condition};

use super::condition::{TagValue, has_tag, text_matches};

/// Which issues a list shows. Every field narrows; empty fields do not filter.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct IssueFilter {
    /// Empty: every status but merged (merged issues are tombstones, listed only when asked).
    pub statuses: Vec<IssueStatus>,
    pub levels: Vec<Level>,
    /// An environment the issue's events had.
    pub environment: Option<String>,
    /// A release the issue's events had.
    pub release: Option<String>,
    /// Text in the title or culprit, ignoring ASCII case.
    pub text: Option<String>,
}

impl IssueFilter {
    /// The WHERE clause of the filter over a project's issues.
    pub fn condition(&self, project_id: i64) -> Condition {
        let mut condition = Condition::all();
        condition = if self.statuses.is_empty() {
            condition.add(issue::Column::Status.ne(IssueStatus::Merged))
        } else {
            condition.add(issue::Column::Status.is_in(self.statuses.iter().copied()))
        };
        if !self.levels.is_empty() {
            condition = condition.add(issue::Column::Level.is_in(self.levels.iter().copied()));
        }
        for (key, value) in [
            ("environment", &self.environment),
            ("release", &self.release),
        ] {
            if let Some(value) = value {
                condition = condition.add(has_tag(project_id, key, TagValue::Exactly(value)));
            }
        }
        if let Some(text) = &self.text {
            condition = condition.add(text_matches(text));
        }
        condition
    }
}
