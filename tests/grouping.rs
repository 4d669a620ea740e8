//! Grouping measured: the labelled corpus of real SDK events ingested through the envelope
//! endpoint, scored with B-cubed precision/recall/F1; merge, unmerge, rules and similarity end
//! to end.
mod common;

use std::collections::HashMap;

use common::TestServer;
use common::corpus::{Corpus, bcubed};
use serde_json::{Value, json};

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

async fn labelled_corpus_scores_above_the_bar(server: TestServer) {
    let corpus = Corpus::load("grouping-dev/python.jsonl", "grouping-dev/labels.csv");
    corpus.replay(&server).await;
    let score = corpus.score(&server).await;
    println!("grouping-dev: {score}");
    assert!(score.precision >= 0.98, "{score}");
    assert!(score.f1 >= 0.97, "{score}");
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
            "mutation($id: ID!, $h: String!) { unmergeHash(issueId: $id, hash: $h) { id count status userCount stats { count } } }",
            json!({ "id": a, "h": other }),
        )
        .await;
    // Its users and hourly counts went with it (rebuilt from the events on both sides).
    assert_eq!(split["unmergeHash"]["userCount"], 1);
    let charted: i64 = split["unmergeHash"]["stats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|point| point["count"].as_i64().unwrap())
        .sum();
    assert_eq!(charted, 2);
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
        "FINGERPRINT_RULE"
    );

    let (_, c) = server.ingest(common::python_exception_event()).await;
    let data = server
        .graphql(
            "query($id: ID!) { issue(id: $id) { grouping { hash explanation { config source rule fingerprint components { kind value contributes hint } } } } }",
            json!({ "id": c }),
        )
        .await;
    let explanation = &data["issue"]["grouping"]["explanation"];
    assert_eq!(explanation["source"], "EXCEPTION");
    assert_eq!(explanation["config"], larder::grouping::CURRENT_CONFIG);
    let contributing: Vec<&Value> = explanation["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["contributes"] == true)
        .collect();
    assert!(
        contributing
            .iter()
            .any(|c| c["kind"] == "FRAME" && c["hint"].as_str().unwrap().contains("crash site"))
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
            "query($id: ID!) { issue(id: $id) { hashes { similarityDistance explanation { similarityJoin { reason } } } } }",
            json!({ "id": third }),
        )
        .await;
    let joined = data["issue"]["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["similarityDistance"].is_number())
        .expect("a hash joined by similarity");
    assert!(
        joined["explanation"]["similarityJoin"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("signatures within the project's similarity threshold"),
        "{joined}"
    );
}

/// Stack-less events: one message formatted from different values is one issue, joined with
/// the evidence in the explanation; a different message, or the same words under another
/// exception type, is not; a specific error type without a stack joins whatever its message.
async fn stackless_events_join_by_shape(server: TestServer) {
    let message = |text: &str| json!({ "message": text, "level": "error" });
    let (_, stripe) = server
        .ingest(message("Payment 1001 declined by stripe"))
        .await;
    let (_, adyen) = server
        .ingest(message("Payment 1002 declined by adyen"))
        .await;
    let (_, payout) = server.ingest(message("Payout 1003 delayed by adyen")).await;
    assert_eq!(stripe, adyen);
    assert_ne!(stripe, payout);
    let data = server
        .graphql(
            "query($id: ID!) { issue(id: $id) { hashes { explanation { source similarityJoin { issueId reason } } } } }",
            json!({ "id": stripe }),
        )
        .await;
    let joins: Vec<&Value> = data["issue"]["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["explanation"]["similarityJoin"].as_object().map(|_| h))
        .collect();
    assert_eq!(joins.len(), 1, "{data}");
    assert_eq!(joins[0]["explanation"]["source"], "MESSAGE");
    assert_eq!(
        joins[0]["explanation"]["similarityJoin"],
        json!({ "issueId": stripe, "reason": "message differs in 1 word" })
    );

    let error = |kind: &str, value: &str| json!({ "exception": { "values": [{ "type": kind, "value": value }] } });
    let (_, value_error) = server
        .ingest(error("ConfigError", r#"unknown setting "cache_ttl""#))
        .await;
    let (_, same) = server
        .ingest(error("ConfigError", r#"unknown setting "log_level""#))
        .await;
    let (_, other_type) = server
        .ingest(error("Error", r#"unknown setting "log_level""#))
        .await;
    assert_eq!(value_error, same);
    assert_ne!(
        value_error, other_type,
        "never joined across exception types"
    );
    let (_, empty) = server
        .ingest(error(
            "ParseIntError",
            "cannot parse integer from empty string",
        ))
        .await;
    let (_, digit) = server
        .ingest(error("ParseIntError", "invalid digit found in string"))
        .await;
    assert_eq!(
        empty, digit,
        "a specific error type without a stack is one error"
    );
    let (_, generic_a) = server.ingest(error("Error", "disk full")).await;
    let (_, generic_b) = server.ingest(error("Error", "quota exceeded")).await;
    assert_ne!(
        generic_a, generic_b,
        "a generic type says nothing by itself"
    );
}

/// A Python exception raised in the helper `log_failure`, called by `caller` (both the
/// application's): without rules the helper is the crash site, whoever called it.
fn payment_failure(caller: &str) -> Value {
    json!({ "platform": "python", "level": "error", "exception": { "values": [{ "type": "PaymentError", "value": "declined",
        "stacktrace": { "frames": [
            { "function": caller, "module": "shop.views", "filename": "shop/views.py", "lineno": 10, "in_app": true },
            { "function": "log_failure", "module": "shop.logging", "filename": "shop/logging.py", "lineno": 3, "in_app": true },
        ] } }] } })
}

/// Stack-trace rules through the API: validated with the line named, stored, applied to the
/// next events (a helper marked `-app` is no longer the crash site, so its callers split), and
/// named in the explanation.
async fn stacktrace_rules_change_the_crash_site(server: TestServer) {
    let error = server
        .graphql_error(
            "mutation($p: ID!) { updateGroupingSettings(projectId: $p, settings: { stacktraceRules: \"stack.function:a -app\\nstack.function:b\" }) { id } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert!(
        error["message"].as_str().unwrap().contains("line 2"),
        "{error}"
    );
    let event = payment_failure;
    let (_, before_a) = server.ingest(event("charge")).await;
    let (_, before_b) = server.ingest(event("refund")).await;
    assert_eq!(before_a, before_b, "the helper is the crash site");
    let saved = server
        .graphql(
            "mutation($p: ID!) { updateGroupingSettings(projectId: $p, settings: { stacktraceRules: \"stack.function:log_* -app\" }) { groupingSettings { stacktraceRules } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert_eq!(
        saved["updateGroupingSettings"]["groupingSettings"]["stacktraceRules"],
        "stack.function:log_* -app"
    );
    let (_, charge) = server.ingest(event("charge")).await;
    let (_, refund) = server.ingest(event("refund")).await;
    assert_ne!(charge, refund);
    let data = server
        .graphql(
            "query($id: ID!) { issue(id: $id) { culprit grouping { explanation { components { kind value contributes hint } } } } }",
            json!({ "id": charge }),
        )
        .await;
    assert_eq!(data["issue"]["culprit"], "shop.views in charge");
    let components = data["issue"]["grouping"]["explanation"]["components"]
        .as_array()
        .unwrap();
    assert!(
        components.iter().any(|c| c["hint"]
            .as_str()
            .is_some_and(|h| h.contains("stack-trace rule line 1: stack.function:log_* -app"))),
        "{components:?}"
    );
}

/// `previewRegroup`: rules tried on the stored events report the issues that would split and
/// merge, and change nothing.
async fn regroup_preview_reports_splits_and_merges(server: TestServer) {
    let event = payment_failure;
    let mut payment = String::new();
    for caller in ["charge", "refund", "charge"] {
        payment = server.ingest(event(caller)).await.1;
    }
    let (_, disk) = server
        .ingest(json!({ "message": "disk full on volume one" }))
        .await;
    let (_, quota) = server
        .ingest(json!({ "message": "quota exceeded for tenant" }))
        .await;
    let preview = |rules: Value| {
        let mut variables = json!({ "p": server.project_id.to_string() });
        variables
            .as_object_mut()
            .unwrap()
            .extend(rules.as_object().unwrap().clone());
        server.graphql(
            "query($p: ID!, $f: String, $s: String) { previewRegroup(projectId: $p, fingerprintRules: $f, stacktraceRules: $s) {
               eventsScanned truncated eventsMoving merges { issues { id } events } splits { issue { id } parts } } }",
            variables,
        )
    };
    let unchanged = preview(json!({})).await;
    assert_eq!(
        unchanged["previewRegroup"],
        json!({ "eventsScanned": 5, "truncated": false, "eventsMoving": 0, "merges": [], "splits": [] })
    );
    let split = preview(json!({ "s": "stack.function:log_* -app" })).await;
    assert_eq!(
        split["previewRegroup"]["splits"],
        json!([{ "issue": { "id": payment }, "parts": [2, 1] }])
    );
    assert_eq!(split["previewRegroup"]["eventsMoving"], 1);
    assert_eq!(split["previewRegroup"]["merges"], json!([]));
    let merge =
        preview(json!({ "f": "message:\"disk*\" -> storage\nmessage:\"quota*\" -> storage" }))
            .await;
    let mut ids = [disk.clone(), quota.clone()];
    ids.sort_by_key(|id| id.parse::<i64>().unwrap());
    assert_eq!(
        merge["previewRegroup"]["merges"],
        json!([{ "issues": [{ "id": ids[0] }, { "id": ids[1] }], "events": 2 }])
    );
    assert_eq!(merge["previewRegroup"]["eventsMoving"], 1);
    // Nothing was saved or moved.
    let settings = server
        .graphql(
            "query($p: ID!) { project(id: $p) { groupingSettings { fingerprintRules stacktraceRules } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert_eq!(
        settings["project"]["groupingSettings"],
        json!({ "fingerprintRules": "", "stacktraceRules": "" })
    );
    let error = server
        .graphql_error(
            "query($p: ID!) { previewRegroup(projectId: $p, stacktraceRules: \"stack.function:x\") { eventsScanned } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
    assert!(
        error["message"].as_str().unwrap().contains("line 1"),
        "{error}"
    );
}

/// `regroupProject`: new rules applied to the stored events in the background — an issue splits
/// by caller, two merge, counts and tag counts are rebuilt from the events, activity records
/// it, new events follow the new routes, and no alert fires.
async fn regroup_project_moves_events_and_rebuilds_counts(server: TestServer) {
    let event = payment_failure;
    let (_, payment) = server.ingest(event("charge")).await;
    server.ingest(event("refund")).await;
    server.ingest(event("charge")).await;
    let (_, disk) = server
        .ingest(json!({ "message": "disk full on volume one" }))
        .await;
    let (_, quota) = server
        .ingest(json!({ "message": "quota exceeded for tenant" }))
        .await;
    let (first, second) = if disk.parse::<i64>().unwrap() < quota.parse::<i64>().unwrap() {
        (disk.clone(), quota.clone())
    } else {
        (quota.clone(), disk.clone())
    };
    let fires_before = server.count_rows("alert_rule_fire").await;
    let project = server.project_id.to_string();
    server
        .graphql(
            "mutation($p: ID!, $s: String!, $f: String!) { updateGroupingSettings(projectId: $p, settings: { stacktraceRules: $s, fingerprintRules: $f }) { id } }",
            json!({ "p": project, "s": "stack.function:log_* -app",
                    "f": "message:\"disk*\" -> storage\nmessage:\"quota*\" -> storage" }),
        )
        .await;
    let started = server
        .graphql(
            "mutation($p: ID!) { regroupProject(projectId: $p) { state startedAt } }",
            json!({ "p": project }),
        )
        .await;
    assert!(started["regroupProject"]["startedAt"].is_string());
    let job = server
        .eventually("the regrouping finishes", || async {
            let data = server
                .graphql(
                    "query($p: ID!) { project(id: $p) { regroupJob { state eventsScanned eventsMoved issuesCreated issuesMerged error } } }",
                    json!({ "p": project }),
                )
                .await;
            let job = data["project"]["regroupJob"].clone();
            (job["state"] != "RUNNING").then_some(job)
        })
        .await;
    assert_eq!(
        job,
        json!({ "state": "DONE", "eventsScanned": 5, "eventsMoved": 2, "issuesCreated": 1,
                "issuesMerged": 1, "error": null })
    );
    let issue = |id: String| {
        let server = &server;
        async move {
            server
                .graphql(
                    "query($id: ID!) { issue(id: $id) { status count tags { key totalCount } activity { kind data } } }",
                    json!({ "id": id }),
                )
                .await["issue"]
                .clone()
        }
    };
    let payment_issue = issue(payment.clone()).await;
    assert_eq!(payment_issue["count"], 2, "{payment_issue}");
    let level = payment_issue["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "level")
        .unwrap()
        .clone();
    assert_eq!(level["totalCount"], 2, "tag counts rebuilt from the events");
    assert!(
        payment_issue["activity"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "UNMERGE" && a["data"]["regroup"] == true),
        "{payment_issue}"
    );
    let merged_into = issue(first.clone()).await;
    assert_eq!(merged_into["count"], 2);
    assert_eq!(issue(second.clone()).await["status"], "MERGED");
    // New events follow the new routes.
    let (_, refund) = server.ingest(event("refund")).await;
    assert_ne!(refund, payment);
    assert_eq!(
        issue(refund.clone()).await["count"],
        2,
        "the split-off issue has both refunds"
    );
    {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let indexed = entity::similarity_band::Entity::find()
            .filter(entity::similarity_band::Column::IssueId.eq(refund.parse::<i64>().unwrap()))
            .count(&server.db)
            .await
            .unwrap();
        assert!(
            indexed > 0,
            "an issue a regrouping made is in the similarity index"
        );
    }
    let (_, later) = server
        .ingest(json!({ "message": "quota exceeded for tenant" }))
        .await;
    assert_eq!(later, first);
    assert_eq!(
        server.count_rows("alert_rule_fire").await,
        fires_before,
        "no alert for the issues a regrouping made"
    );
}

/// A project on the first grouping config keeps its behaviour: no joins by shape.
async fn the_first_config_does_not_join_by_shape(server: TestServer) {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let project = entity::project::Entity::find_by_id(server.project_id)
        .one(&server.db)
        .await
        .unwrap()
        .unwrap();
    let mut project: entity::project::ActiveModel = project.into();
    project.grouping_config = Set(larder::grouping::FIRST_CONFIG.to_string());
    project.update(&server.db).await.unwrap();
    let (_, stripe) = server
        .ingest(json!({ "message": "Payment 1001 declined by stripe" }))
        .await;
    let (_, adyen) = server
        .ingest(json!({ "message": "Payment 1002 declined by adyen" }))
        .await;
    assert_ne!(stripe, adyen);
}

on_both_databases!(
    labelled_corpus_scores_above_the_bar,
    merge_and_unmerge_route_new_events,
    fingerprint_rules_and_explanations,
    similar_issues_are_listed_and_can_join,
    stackless_events_join_by_shape,
    the_first_config_does_not_join_by_shape,
    stacktrace_rules_change_the_crash_site,
    regroup_preview_reports_splits_and_merges,
    regroup_project_moves_events_and_rebuilds_counts,
);
