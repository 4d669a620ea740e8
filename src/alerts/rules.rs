//! What an alert rule says, as stored in its JSON columns.
use entity::states::Level;
use serde::{Deserialize, Serialize};

/// When a rule fires. Any trigger of a rule may fire it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Trigger {
    /// The event created its issue.
    NewIssue,
    /// The event reopened a resolved issue.
    Regression,
    /// The issue saw more than `count` events in the last `interval_minutes`.
    EventFrequency { count: i64, interval_minutes: i64 },
    /// More than `count` distinct users hit the issue in the last `interval_minutes`.
    UserFrequency { count: i64, interval_minutes: i64 },
}

impl Trigger {
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Trigger::EventFrequency {
                count,
                interval_minutes,
            }
            | Trigger::UserFrequency {
                count,
                interval_minutes,
            } => {
                if *count < 1 {
                    return Err("a frequency trigger needs a count of at least 1".into());
                }
                if !(1..=43_200).contains(interval_minutes) {
                    return Err("a frequency interval must be 1 minute to 30 days".into());
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Conditions on the event; every non-empty list must contain the event's value.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(default)]
pub struct Filters {
    pub levels: Vec<Level>,
    pub environments: Vec<String>,
    pub releases: Vec<String>,
    /// `key` must have exactly `value` among the event's tags.
    pub tags: Vec<TagCondition>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TagCondition {
    pub key: String,
    pub value: String,
}

/// The facts of one event that filters look at.
pub struct EventFacts<'a> {
    pub level: Level,
    pub environment: Option<&'a str>,
    pub release: Option<&'a str>,
    pub tags: &'a [(String, String)],
}

impl Filters {
    pub fn matches(&self, event: &EventFacts<'_>) -> bool {
        let listed = |list: &[String], value: Option<&str>| {
            list.is_empty() || value.is_some_and(|v| list.iter().any(|l| l == v))
        };
        (self.levels.is_empty() || self.levels.contains(&event.level))
            && listed(&self.environments, event.environment)
            && listed(&self.releases, event.release)
            && self
                .tags
                .iter()
                .all(|c| event.tags.iter().any(|(k, v)| *k == c.key && *v == c.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(tags: &'a [(String, String)]) -> EventFacts<'a> {
        EventFacts {
            level: Level::Error,
            environment: Some("prod"),
            release: None,
            tags,
        }
    }

    #[test]
    fn empty_filters_match_everything() {
        assert!(Filters::default().matches(&facts(&[])));
    }

    #[test]
    fn each_filter_narrows() {
        let tags = vec![("browser".to_string(), "Chrome".to_string())];
        let mut filters = Filters {
            levels: vec![Level::Error],
            ..Default::default()
        };
        assert!(filters.matches(&facts(&tags)));
        filters.environments = vec!["staging".into()];
        assert!(!filters.matches(&facts(&tags)));
        filters.environments = vec!["prod".into()];
        filters.releases = vec!["1.0".into()];
        assert!(
            !filters.matches(&facts(&tags)),
            "an event without release fails a release filter"
        );
        filters.releases.clear();
        filters.tags = vec![TagCondition {
            key: "browser".into(),
            value: "Chrome".into(),
        }];
        assert!(filters.matches(&facts(&tags)));
        filters.tags[0].value = "Firefox".into();
        assert!(!filters.matches(&facts(&tags)));
    }

    #[test]
    fn triggers_round_trip_and_validate() {
        let trigger = Trigger::EventFrequency {
            count: 100,
            interval_minutes: 60,
        };
        let text = serde_json::to_string(&trigger).unwrap();
        assert_eq!(
            text,
            r#"{"type":"event_frequency","count":100,"interval_minutes":60}"#
        );
        assert_eq!(serde_json::from_str::<Trigger>(&text).unwrap(), trigger);
        assert!(
            Trigger::UserFrequency {
                count: 0,
                interval_minutes: 5
            }
            .validate()
            .is_err()
        );
        assert!(
            Trigger::EventFrequency {
                count: 5,
                interval_minutes: 0
            }
            .validate()
            .is_err()
        );
    }
}
