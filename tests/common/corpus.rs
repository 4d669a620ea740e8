//! Labelled grouping corpora (`tests/fixtures/grouping-dev/`, `tests/fixtures/grouping-sdks/`):
//! captured SDK requests replayed against a server as they were sent, and the issues they land
//! in scored against the labels with B-cubed precision and recall.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};

use base64::Engine;
use sea_orm::{EntityTrait, QuerySelect};
use serde_json::Value;

use super::{TestServer, fixtures};

/// One captured request: its body as sent and its `Content-Encoding`.
pub struct Request {
    pub body: Vec<u8>,
    pub encoding: Option<String>,
}

pub struct Corpus {
    pub requests: Vec<Request>,
    /// Event id (32 hex) → label (the bug).
    pub labels: HashMap<String, String>,
}

impl Corpus {
    /// Reads `requests` (JSON lines: `path`, `headers`, `body_b64`) and `labels` (CSV:
    /// `event_id,label,…`), both paths under `tests/fixtures/`.
    pub fn load(requests: &str, labels: &str) -> Corpus {
        let requests = fixtures::read_text(requests)
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                let record: Value = serde_json::from_str(line).unwrap();
                let encoding = record["headers"].as_object().and_then(|headers| {
                    headers
                        .iter()
                        .find(|(name, _)| name.eq_ignore_ascii_case("content-encoding"))
                        .and_then(|(_, value)| value.as_str().map(str::to_string))
                });
                let body = base64::engine::general_purpose::STANDARD
                    .decode(record["body_b64"].as_str().unwrap())
                    .unwrap();
                Request {
                    // A body stored decompressed (grouping-dev) is sent as it is.
                    encoding: encoding.filter(|_| !body.starts_with(b"{")),
                    body,
                }
            })
            .collect();
        let labels = fixtures::read_text(labels)
            .lines()
            .filter_map(|line| {
                let mut columns = line.split(',');
                Some((
                    columns.next()?.trim().replace('-', ""),
                    columns.next()?.trim().to_string(),
                ))
            })
            .collect();
        Corpus { requests, labels }
    }

    /// Sends every request to the server's envelope endpoint; panics on a refusal.
    pub async fn replay(&self, server: &TestServer) {
        for request in &self.requests {
            let mut post = server
                .sdk_post("envelope")
                .header("content-type", "application/x-sentry-envelope");
            if let Some(encoding) = &request.encoding {
                post = post.header("content-encoding", encoding);
            }
            let status = post
                .body(request.body.clone())
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 200, "a corpus request was refused");
        }
    }

    /// Scores the issues the server filed the labelled events in.
    pub async fn score(&self, server: &TestServer) -> Score {
        let rows: Vec<(String, i64)> = entity::event::Entity::find()
            .select_only()
            .column(entity::event::Column::EventId)
            .column(entity::event::Column::IssueId)
            .into_tuple()
            .all(&server.db)
            .await
            .unwrap();
        let predicted: HashMap<String, String> = rows
            .into_iter()
            .filter(|(event, _)| self.labels.contains_key(event))
            .map(|(event, issue)| (event, issue.to_string()))
            .collect();
        assert_eq!(
            predicted.len(),
            self.labels.len(),
            "every labelled event is stored"
        );
        let (precision, recall, f1) = bcubed(&self.labels, &predicted);
        let mut issues_of: HashMap<&str, HashSet<&str>> = HashMap::new();
        let mut labels_of: HashMap<&str, HashSet<&str>> = HashMap::new();
        for (event, issue) in &predicted {
            let label = self.labels[event].as_str();
            issues_of.entry(label).or_default().insert(issue);
            labels_of.entry(issue).or_default().insert(label);
        }
        let mut split: Vec<String> = issues_of
            .iter()
            .filter(|(_, issues)| issues.len() > 1)
            .map(|(label, issues)| format!("{label} in {} issues", issues.len()))
            .collect();
        let mut merged: Vec<String> = labels_of
            .values()
            .filter(|labels| labels.len() > 1)
            .map(|labels| {
                let mut labels: Vec<&str> = labels.iter().copied().collect();
                labels.sort();
                format!("one issue holds {}", labels.join(" + "))
            })
            .collect();
        split.sort();
        merged.sort();
        Score {
            split,
            merged,
            events: self.labels.len(),
            labels: self.labels.values().collect::<HashSet<_>>().len(),
            issues: predicted.values().collect::<HashSet<_>>().len(),
            precision,
            recall,
            f1,
        }
    }
}

#[derive(Debug)]
pub struct Score {
    /// Labels spread over several issues, and issues holding several labels.
    pub split: Vec<String>,
    pub merged: Vec<String>,
    pub events: usize,
    pub labels: usize,
    pub issues: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "events {} precision {:.4} recall {:.4} f1 {:.4} issues {} (labels {})",
            self.events, self.precision, self.recall, self.f1, self.issues, self.labels
        )?;
        for line in self.split.iter().chain(&self.merged) {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

/// B-cubed precision and recall: for every event, the share of its issue that has its label,
/// and the share of its label that is in its issue.
pub fn bcubed(
    truth: &HashMap<String, String>,
    predicted: &HashMap<String, String>,
) -> (f64, f64, f64) {
    let mut by_label: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut by_issue: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (event, label) in truth {
        by_label.entry(label).or_default().insert(event);
        let issue = predicted.get(event).map(String::as_str).unwrap_or(event);
        by_issue.entry(issue).or_default().insert(event);
    }
    let (mut precision, mut recall) = (0.0, 0.0);
    for (event, label) in truth {
        let issue = predicted.get(event).map(String::as_str).unwrap_or(event);
        let (same_issue, same_label) = (&by_issue[issue], &by_label[label.as_str()]);
        let both = same_issue.intersection(same_label).count() as f64;
        precision += both / same_issue.len() as f64;
        recall += both / same_label.len() as f64;
    }
    let n = truth.len() as f64;
    let (precision, recall) = (precision / n, recall / n);
    (
        precision,
        recall,
        2.0 * precision * recall / (precision + recall),
    )
}
