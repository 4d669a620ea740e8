//! What envelope items become: attachments stored with their event, user feedback stored against
//! it, every other item type accepted and counted.
mod common;

use common::TestServer;
use serde_json::json;

async fn post(server: &TestServer, body: Vec<u8>) -> (u16, serde_json::Value) {
    let response = server.sdk_post("envelope").body(body).send().await.unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or_default(),
    )
}

async fn attachments_feedback_and_other_items(server: TestServer) {
    let vector = common::fixtures::read("vectors/py-05-event-with-attachment.envelope");
    let (status, body) = post(&server, vector).await;
    assert_eq!(status, 200);
    assert_eq!(body["id"], "a21c8fba430b46ff92046f73d265cc33");

    let report = json!({ "event_id": "a21c8fba430b46ff92046f73d265cc33", "name": "Ann", "email": "ann@example.com", "comments": "it broke" });
    let envelope = format!(
        "{{}}\n{{\"type\":\"user_report\"}}\n{report}\n{{\"type\":\"session\"}}\n{{\"sid\":\"x\"}}\n{{\"type\":\"brand_new_2031\",\"length\":3}}\nabc\n"
    );
    let (status, body) = post(&server, envelope.into_bytes()).await;
    assert_eq!((status, body), (200, json!({})));

    let data = server
        .graphql(
            "query($id: ID!) { event(id: $id) { level attachments { filename contentType size } userReports { name email comments } } }",
            json!({ "id": "a21c8fba430b46ff92046f73d265cc33" }),
        )
        .await;
    let event = &data["event"];
    assert_eq!(
        event["attachments"],
        json!([{ "filename": "app.log", "contentType": "text/plain", "size": 12 }])
    );
    assert_eq!(
        event["userReports"],
        json!([{ "name": "Ann", "email": "ann@example.com", "comments": "it broke" }])
    );
    let metrics = server
        .http
        .get(format!("{}/metrics", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("larder_items_skipped_total{kind=\"session\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("larder_items_skipped_total{kind=\"brand_new_2031\"} 1"),
        "{metrics}"
    );
    // The writer reports its batches and where their time went.
    let counter = |name: &str| -> u64 {
        let prefix = format!("{name} ");
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(&prefix)?.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {metrics}"))
    };
    assert!(counter("larder_writer_total{kind=\"batches\"}") >= 1);
    assert!(counter("larder_writer_total{kind=\"jobs\"}") >= 1);
    for stage in ["begin", "writes", "issue_counters", "commit"] {
        let name = format!("larder_writer_stage_microseconds_total{{kind=\"{stage}\"}}");
        assert!(counter(&name) > 0, "{stage} took no time: {metrics}");
    }
}

on_both_databases!(attachments_feedback_and_other_items);
