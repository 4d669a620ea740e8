//! Building the plain, serialisable notification a channel receives.
use entity::{issue, organization, project};
use larder_integrations::{FrameSummary, IssueSummary, Notification, NotificationKind, ProjectRef};

use crate::event::Event;

/// Frames shown in a notification, crash site first.
const TOP_FRAMES: usize = 5;

pub struct Subject<'a> {
    pub organization: &'a organization::Model,
    pub project: &'a project::Model,
    pub issue: &'a issue::Model,
    /// Distinct users seen on the issue.
    pub user_count: i64,
    /// The event that fired the alert (normalised payload), if any.
    pub event: Option<&'a Event>,
}

pub fn build(
    kind: NotificationKind,
    subject: &Subject<'_>,
    public_url: &str,
    idempotency_key: String,
    rule_name: Option<String>,
) -> Notification {
    let issue = subject.issue;
    let event = subject.event;
    Notification {
        kind,
        idempotency_key,
        organization: subject.organization.slug.clone(),
        project: ProjectRef {
            id: subject.project.id,
            name: subject.project.name.clone(),
            slug: subject.project.slug.clone(),
        },
        issue: IssueSummary {
            id: issue.id,
            title: issue.title.clone(),
            culprit: issue.culprit.clone().unwrap_or_default(),
            level: issue.level.as_str().to_string(),
            status: issue.status.as_str().to_string(),
            count: issue.times_seen,
            user_count: subject.user_count,
            first_seen: issue.first_seen,
            last_seen: issue.last_seen,
            url: issue_url(public_url, issue.id),
        },
        top_frames: subject.event.map(top_in_app_frames).unwrap_or_default(),
        event_id: event.and_then(|e| e.event_id.clone()),
        environment: event.and_then(|e| e.environment.clone()),
        release: event.and_then(|e| e.release.clone()),
        rule_name,
    }
}

/// The notification `testIntegration` sends: clearly a test, with sample issue data.
pub fn sample(public_url: &str, integration: &entity::integration::Model) -> Notification {
    let now = chrono::Utc::now();
    Notification {
        kind: NotificationKind::Test,
        idempotency_key: format!("test-{}", uuid::Uuid::new_v4().simple()),
        organization: String::new(),
        project: ProjectRef {
            id: 0,
            name: "Larder".into(),
            slug: "larder".into(),
        },
        issue: IssueSummary {
            id: 0,
            title: format!("Test notification from Larder ({})", integration.name),
            culprit: "larder in test_integration".into(),
            level: entity::states::Level::Info.as_str().into(),
            status: entity::states::IssueStatus::Unresolved.as_str().into(),
            count: 1,
            user_count: 0,
            first_seen: now,
            last_seen: now,
            url: public_url.to_string(),
        },
        top_frames: Vec::new(),
        event_id: None,
        environment: None,
        release: None,
        rule_name: None,
    }
}

/// Where a person looks at the issue.
pub fn issue_url(public_url: &str, issue_id: i64) -> String {
    format!("{}/issues/{issue_id}", public_url.trim_end_matches('/'))
}

/// The in-app frames of the raised exception nearest the crash (all frames if none is in-app).
fn top_in_app_frames(event: &Event) -> Vec<FrameSummary> {
    let Some(stacktrace) = event.main_exception().and_then(|e| e.stacktrace.as_ref()) else {
        return Vec::new();
    };
    let frames = &stacktrace.frames;
    let in_app: Vec<_> = frames.iter().filter(|f| f.in_app == Some(true)).collect();
    let chosen = if in_app.is_empty() {
        frames.iter().collect()
    } else {
        in_app
    };
    chosen
        .into_iter()
        .rev()
        .take(TOP_FRAMES)
        .map(|f| FrameSummary {
            module: f.module.clone(),
            filename: f.filename.clone(),
            function: f.function.clone(),
            lineno: f.lineno.and_then(|n| i64::try_from(n).ok()),
            context_line: f.context_line.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn top_frames_are_in_app_crash_site_first() {
        let event =
            serde_json::from_value(json!({"exception": {"values": [{"stacktrace": {"frames": [
                {"function": "main", "in_app": true},
                {"function": "lib_call", "in_app": false},
                {"function": "handler", "in_app": true, "lineno": 7},
            ]}}]}}))
            .unwrap();
        let frames = top_in_app_frames(&event);
        let names: Vec<_> = frames.iter().map(|f| f.function.clone().unwrap()).collect();
        assert_eq!(names, ["handler", "main"]);
        assert_eq!(frames[0].lineno, Some(7));
    }

    #[test]
    fn issue_url_joins_cleanly() {
        assert_eq!(issue_url("http://h:8000/", 5), "http://h:8000/issues/5");
    }
}
