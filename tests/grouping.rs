//! Grouping measured: the labelled corpus of real SDK events ingested through the envelope
//! endpoint, scored with B-cubed precision/recall/F1; merge, unmerge, rules and similarity end
//! to end.
mod common;

use std::collections::{HashMap, HashSet};
use std::io::Write;

use base64::Engine;
use common::TestServer;
use sea_orm::{EntityTrait, QuerySelect};
use serde_json::{Value, json};

/// B-cubed precision and recall: for every event, the share of its issue that has its label,
/// and the share of its label that is in its issue.
fn bcubed(truth: &HashMap<String, String>, predicted: &HashMap<String, String>) -> (f64, f64, f64) {
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

#[test]
fn bcubed_matches_hand_computed_values() {
    let truth: HashMap<String, String> = [("a", "x"), ("b", "x"), ("c", "y")]
        .iter()
        .map(|(e, l)| (e.to_string(), l.to_string()))
        .collect();
    let perfect = truth.clone();
    assert_eq!(bcubed(&truth, &perfect), (1.0, 1.0, 1.0));
    let merged: HashMap<String, String> = truth.keys().map(|e| (e.clone(), "one".into())).collect();
    let (p, r, _) = bcubed(&truth, &merged);
    assert!((p - 5.0 / 9.0).abs() < 1e-9 && r == 1.0);
}

async fn post_envelope(server: &TestServer, body: &[u8]) -> u16 {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(body).unwrap();
    server
        .sdk_post("envelope")
        .header("content-encoding", "gzip")
        .body(gzip.finish().unwrap())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn labelled_corpus_scores_above_the_bar(server: TestServer) {
    let labels = common::fixtures::read_text("grouping-dev/labels.csv");
    let truth: HashMap<String, String> = labels
        .lines()
        .filter_map(|l| {
            let mut cols = l.split(',');
            Some((cols.next()?.replace('-', ""), cols.next()?.to_string()))
        })
        .collect();
    let corpus = common::fixtures::read_text("grouping-dev/python.jsonl");
    let requests: Vec<Vec<u8>> = corpus
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            base64::engine::general_purpose::STANDARD
                .decode(record["body_b64"].as_str().unwrap())
                .unwrap()
        })
        .collect();
    for body in &requests {
        assert_eq!(post_envelope(&server, body).await, 200);
    }
    let rows: Vec<(String, i64)> = entity::event::Entity::find()
        .select_only()
        .column(entity::event::Column::EventId)
        .column(entity::event::Column::IssueId)
        .into_tuple()
        .all(&server.db)
        .await
        .unwrap();
    let predicted: HashMap<String, String> =
        rows.into_iter().map(|(e, i)| (e, i.to_string())).collect();
    assert_eq!(
        predicted.len(),
        truth.len(),
        "every labelled event is stored"
    );
    let (precision, recall, f1) = bcubed(&truth, &predicted);
    let groups: HashSet<&String> = predicted.values().collect();
    println!(
        "grouping-dev: events {} precision {precision:.4} recall {recall:.4} f1 {f1:.4} issues {} (labels 10)",
        truth.len(),
        groups.len()
    );
    assert!(precision >= 0.98, "precision {precision:.4}");
    assert!(f1 >= 0.97, "F1 {f1:.4}");
}

async fn merge_and_unmerge_route_new_events(server: TestServer) {
    let (_, a) = server
        .ingest(json!({ "logentry": { "formatted": "disk full on volume one" }, "user": { "id": "ann" } }))
        .await;
    let (_, b) = server
        .ingest(json!({ "logentry": { "formatted": "quota exceeded for tenant" }, "user": { "id": "bob" } }))
        .await;
    assert_ne!(a, b);
    let merged = server
        .graphql(
            "mutation($into: ID!, $from: [ID!]!) { mergeIssues(into: $into, from: $from) { id count userCount stats { count } hashes { hash } } }",
            json!({ "into": a, "from": [b] }),
        )
        .await;
    assert_eq!(merged["mergeIssues"]["count"], 2);
    // The users and the chart follow the events.
    assert_eq!(merged["mergeIssues"]["userCount"], 2);
    let charted: i64 = merged["mergeIssues"]["stats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|point| point["count"].as_i64().unwrap())
        .sum();
    assert_eq!(charted, 2);
    let hashes = merged["mergeIssues"]["hashes"].as_array().unwrap().clone();
    assert_eq!(hashes.len(), 2);
    // A new event of the merged-away hash lands in the surviving issue.
    let (_, again) = server
        .ingest(json!({ "logentry": { "formatted": "quota exceeded for tenant" } }))
        .await;
    assert_eq!(again, a);
    let data = server
        .graphql(
            "query($id: ID!) { issue(id: $id) { status mergedIntoId } }",
            json!({ "id": b }),
        )
        .await;
    assert_eq!(data["issue"]["status"], "MERGED");
    assert_eq!(data["issue"]["mergedIntoId"], a.as_str());

    // Unmerge the second hash: it and its events go back to an issue of their own.
    let primary = server
        .graphql(
            "query($id: ID!) { issue(id: $id) { grouping { hash explanation { config source rule fingerprint components { kind value contributes hint } } } } }",
            json!({ "id": a }),
        )
        .await;
    let primary_hash = primary["issue"]["grouping"]["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let other = hashes
        .iter()
        .map(|h| h["hash"].as_str().unwrap())
        .find(|h| *h != primary_hash)
        .unwrap();
    let split = server
        .graphql(
            "mutation($id: ID!, $h: String!) { unmergeHash(issueId: $id, hash: $h) { id count status } }",
            json!({ "id": a, "h": other }),
        )
        .await;
    assert_eq!(
        split["unmergeHash"]["id"],
        b.as_str(),
        "the original issue is revived"
    );
    assert_eq!(split["unmergeHash"]["count"], 2);
    assert_eq!(split["unmergeHash"]["status"], "UNRESOLVED");
    let (_, later) = server
        .ingest(json!({ "logentry": { "formatted": "quota exceeded for tenant" } }))
        .await;
    assert_eq!(later, b);
    let error = server
        .graphql_error(
            "mutation($id: ID!, $h: String!) { unmergeHash(issueId: $id, hash: $h) { id } }",
            json!({ "id": a, "h": primary_hash }),
        )
        .await;
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
}

async fn fingerprint_rules_and_explanations(server: TestServer) {
    let error = server
        .graphql_error(
            "mutation($p: ID!) { updateGroupingSettings(projectId: $p, settings: { fingerprintRules: \"type:X -> a\\nnonsense\" }) { id } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert!(
        error["message"].as_str().unwrap().contains("line 2"),
        "{error}"
    );
    // Settings outside 0..=1 are refused with the setting's name, in both settings mutations.
    for (mutation, setting) in [
        ("updateGroupingSettings", "similarityThreshold"),
        ("updateProjectSettings", "sampleRate"),
    ] {
        let error = server
            .graphql_error(
                &format!(
                    "mutation($p: ID!) {{ {mutation}(projectId: $p, settings: {{ {setting}: 1.5 }}) {{ id }} }}"
                ),
                json!({ "p": server.project_id.to_string() }),
            )
            .await;
        assert_eq!(
            error["message"],
            format!("{setting} must be between 0 and 1"),
            "{error}"
        );
    }
    server
        .graphql(
            "mutation($p: ID!) { updateGroupingSettings(projectId: $p, settings: { fingerprintRules: \"message:*timeout* -> upstream-timeouts title=\\\"Upstream timeouts\\\"\" }) { groupingSettings { fingerprintRules } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    let (_, a) = server
        .ingest(json!({ "logentry": { "formatted": "payments timeout after 30s" } }))
        .await;
    let (_, b) = server
        .ingest(json!({ "logentry": { "formatted": "search backend timeout" } }))
        .await;
    assert_eq!(a, b);
    let data = server
        .graphql(
            "query($id: ID!) { issue(id: $id) { title grouping { hash explanation { config source rule fingerprint components { kind value contributes hint } } } } }",
            json!({ "id": a }),
        )
        .await;
    assert_eq!(data["issue"]["title"], "Upstream timeouts");
    assert_eq!(
        data["issue"]["grouping"]["explanation"]["source"],
        "fingerprint_rule"
    );

    let (_, c) = server.ingest(common::python_exception_event()).await;
    let data = server
        .graphql(
            "query($id: ID!) { issue(id: $id) { grouping { hash explanation { config source rule fingerprint components { kind value contributes hint } } } } }",
            json!({ "id": c }),
        )
        .await;
    let explanation = &data["issue"]["grouping"]["explanation"];
    assert_eq!(explanation["source"], "exception");
    assert_eq!(explanation["config"], "larder:2026-11");
    let contributing: Vec<&Value> = explanation["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["contributes"] == true)
        .collect();
    assert!(
        contributing
            .iter()
            .any(|c| c["kind"] == "frame" && c["hint"].as_str().unwrap().contains("crash site"))
    );
}

async fn similar_issues_are_listed_and_can_join(server: TestServer) {
    let frames = |fns: &[&str]| -> Value {
        Value::Array(fns.iter().map(|f| json!({ "module": "app.jobs", "function": f, "in_app": true, "context_line": format!("{f}()") })).collect())
    };
    let event = |kind: &str, fns: &[&str]| json!({ "platform": "python", "exception": { "values": [{ "type": kind, "value": "boom", "stacktrace": { "frames": frames(fns) } }] } });
    let (_, first) = server
        .ingest(event("JobError", &["main", "run", "step", "load", "parse"]))
        .await;
    // Same stack, crash one frame further: a different crash site, but a near neighbour.
    let (_, second) = server
        .ingest(event(
            "JobError",
            &["main", "run", "step", "load", "parse", "decode"],
        ))
        .await;
    assert_ne!(first, second, "the default threshold is conservative");
    let data = server
        .graphql(
            "query($id: ID!) { issue(id: $id) { similarIssues { issue { id } distance } } }",
            json!({ "id": second }),
        )
        .await;
    let similar = data["issue"]["similarIssues"].as_array().unwrap();
    assert_eq!(similar[0]["issue"]["id"], first.as_str());
    let distance = similar[0]["distance"].as_f64().unwrap();
    assert!(distance > 0.0 && distance < 0.7, "{distance}");

    // With a generous threshold the next near neighbour joins instead of opening an issue.
    server
        .graphql(
            "mutation($p: ID!) { updateGroupingSettings(projectId: $p, settings: { similarityThreshold: 0.6 }) { id } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    let (_, third) = server
        .ingest(event(
            "JobError",
            &["main", "run", "step", "load", "parse", "decode", "read"],
        ))
        .await;
    assert!(
        third == first || third == second,
        "joined its nearest issue"
    );
    let data = server
        .graphql(
            "query($id: ID!) { issue(id: $id) { hashes { similarityDistance } } }",
            json!({ "id": third }),
        )
        .await;
    assert!(
        data["issue"]["hashes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["similarityDistance"].is_number())
    );
}

on_both_databases!(
    labelled_corpus_scores_above_the_bar,
    merge_and_unmerge_route_new_events,
    fingerprint_rules_and_explanations,
    similar_issues_are_listed_and_can_join,
);
