//! Jira Cloud (REST v3) and Server/DC (REST v2) against a local server.

mod common;

use common::{KEY, MockServer, Recorded, Reply, notification};
use larder_integrations::jira::dedup_label;
use larder_integrations::{ChannelConfig, JiraConfig, JiraFlavour, Secret, notifier_for};
use serde_json::{Value, json};

const TOKEN: &str = "jira-token-S3CRET-ATATT3x";

fn config(server: &MockServer, flavour: JiraFlavour) -> ChannelConfig {
    ChannelConfig::Jira(JiraConfig {
        base_url: format!("{}/", server.url),
        flavour,
        email: (flavour == JiraFlavour::Cloud).then(|| "ops@acme.test".to_string()),
        api_token: Secret::new(TOKEN),
        project_key: "OPS".to_string(),
        issue_type: "Bug".to_string(),
        labels: vec!["larder".to_string(), "needs triage".to_string()],
        timeout_ms: Some(5_000),
    })
}

/// A Jira that knows `existing` (a key) for the dedup label, or nothing.
fn jira(
    api: &'static str,
    existing: Option<&'static str>,
) -> impl Fn(&Recorded) -> Reply + Send + Sync + 'static {
    move |r: &Recorded| {
        let search = if api == "3" {
            "/rest/api/3/search/jql"
        } else {
            "/rest/api/2/search"
        };
        match (r.method.as_str(), r.path.as_str()) {
            ("GET", p) if p == search => {
                let issues: Vec<Value> = existing
                    .map(|key| json!({"id": "10007", "key": key, "self": format!("https://jira.test/rest/api/{api}/issue/10007"), "fields": {"summary": "ZeroDivisionError"}}))
                    .into_iter()
                    .collect();
                if api == "3" {
                    Reply::json(200, json!({"issues": issues, "isLast": true}))
                } else {
                    Reply::json(
                        200,
                        json!({"startAt": 0, "maxResults": 1, "total": issues.len(), "issues": issues}),
                    )
                }
            }
            ("POST", p) if p == format!("/rest/api/{api}/issue") => Reply::json(
                201,
                json!({"id": "10024", "key": "OPS-24", "self": format!("https://jira.test/rest/api/{api}/issue/10024")}),
            ),
            _ => Reply::json(404, json!({"errorMessages": ["not found"], "errors": {}})),
        }
    }
}

fn assert_search(r: &Recorded, path: &str) {
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, path);
    assert_eq!(r.header("accept"), Some("application/json"));
    let q = r.query_pairs();
    assert_eq!(
        q["jql"],
        format!("project = \"OPS\" AND labels = \"larder-{KEY}\" ORDER BY created ASC")
    );
    assert_eq!(q["maxResults"], "1");
}

fn assert_fields(body: &Value) -> &Value {
    let fields = &body["fields"];
    assert_eq!(fields["project"], json!({"key": "OPS"}));
    assert_eq!(fields["issuetype"], json!({"name": "Bug"}));
    assert_eq!(fields["summary"], "ZeroDivisionError: division by zero");
    assert_eq!(
        fields["labels"],
        json!(["larder", "needs_triage", format!("larder-{KEY}")])
    );
    &fields["description"]
}

fn adf_texts(node: &Value, out: &mut Vec<String>) {
    if let Some(t) = node["text"].as_str() {
        out.push(t.to_string());
    }
    if let Some(children) = node["content"].as_array() {
        for c in children {
            adf_texts(c, out);
        }
    }
}

#[tokio::test]
async fn cloud_creates_with_v3_basic_auth_and_adf() {
    let server = MockServer::start(jira("3", None)).await;
    let delivery = notifier_for(&config(&server, JiraFlavour::Cloud), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .expect("delivered");
    assert_eq!(delivery.external_id.as_deref(), Some("OPS-24"));
    assert_eq!(
        delivery.external_url,
        Some(format!("{}/browse/OPS-24", server.url))
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_search(&requests[0], "/rest/api/3/search/jql");
    for r in &requests {
        assert_eq!(
            r.basic_auth(),
            Some(("ops@acme.test".to_string(), TOKEN.to_string()))
        );
    }

    let create = &requests[1];
    assert_eq!(create.method, "POST");
    assert_eq!(create.path, "/rest/api/3/issue");
    assert!(
        create
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let body = create.json();
    let description = assert_fields(&body);
    assert_eq!(description["type"], "doc");
    assert_eq!(description["version"], 1);
    let content = description["content"].as_array().unwrap();
    let code = content
        .iter()
        .find(|n| n["type"] == "codeBlock")
        .expect("codeBlock");
    assert_eq!(
        code["content"][0]["text"],
        "at checkout (app/views.py:42)\n    > total = amount / count\nat compute (app/cart.py:7)\n    > return checkout(cart)"
    );
    let link = content
        .iter()
        .flat_map(|n| n["content"].as_array().cloned().unwrap_or_default())
        .find(|t| t["marks"][0]["type"] == "link")
        .expect("link");
    assert_eq!(
        link["marks"][0]["attrs"]["href"],
        "https://larder.example/acme/web/issues/42/"
    );
    let mut texts = Vec::new();
    adf_texts(description, &mut texts);
    for needle in [
        "app.views in checkout",
        "Events: ",
        "17",
        "Users: ",
        "5",
        "2024-05-01 10:00:00 UTC",
    ] {
        assert!(
            texts.iter().any(|t| t == needle),
            "ADF lacks {needle:?}: {texts:?}"
        );
    }
    assert!(
        texts.iter().all(|t| !t.is_empty()),
        "ADF rejects empty text nodes"
    );
}

#[tokio::test]
async fn server_creates_with_v2_bearer_and_wiki_text() {
    let server = MockServer::start(jira("2", None)).await;
    let delivery = notifier_for(&config(&server, JiraFlavour::Server), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .expect("delivered");
    assert_eq!(delivery.external_id.as_deref(), Some("OPS-24"));
    assert_eq!(
        delivery.external_url,
        Some(format!("{}/browse/OPS-24", server.url))
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_search(&requests[0], "/rest/api/2/search");
    for r in &requests {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
    let create = &requests[1];
    assert_eq!(create.method, "POST");
    assert_eq!(create.path, "/rest/api/2/issue");
    let body = create.json();
    let description = assert_fields(&body)
        .as_str()
        .expect("v2 description is a string");
    for needle in [
        "*New issue* in Web Frontend (acme)",
        "* *Events:* 17",
        "* *Users:* 5",
        "{noformat}\nat checkout (app/views.py:42)\n    > total = amount / count\nat compute (app/cart.py:7)\n    > return checkout(cart)\n{noformat}",
        "[View the issue in Larder|https://larder.example/acme/web/issues/42/]",
    ] {
        assert!(
            description.contains(needle),
            "description lacks {needle:?}:\n{description}"
        );
    }
}

#[tokio::test]
async fn cloud_existing_ticket_is_returned_without_creating() {
    let server = MockServer::start(jira("3", Some("OPS-7"))).await;
    let delivery = notifier_for(&config(&server, JiraFlavour::Cloud), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .expect("delivered");
    assert_eq!(delivery.external_id.as_deref(), Some("OPS-7"));
    assert_eq!(
        delivery.external_url,
        Some(format!("{}/browse/OPS-7", server.url))
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "no create call: {requests:?}");
}

#[tokio::test]
async fn server_existing_ticket_is_returned_without_creating() {
    let server = MockServer::start(jira("2", Some("OPS-8"))).await;
    let delivery = notifier_for(&config(&server, JiraFlavour::Server), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .expect("delivered");
    assert_eq!(delivery.external_id.as_deref(), Some("OPS-8"));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn field_validation_error_is_not_retryable() {
    let server = MockServer::start(|r: &Recorded| match r.method.as_str() {
        "GET" => Reply::json(200, json!({"issues": [], "isLast": true})),
        _ => Reply::json(
            400,
            json!({"errorMessages": [], "errors": {"issuetype": "Specify a valid issue type"}}),
        ),
    })
    .await;
    let err = notifier_for(&config(&server, JiraFlavour::Cloud), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .unwrap_err();
    assert!(!err.retryable, "{err:?}");
    assert!(
        err.message.contains("Specify a valid issue type"),
        "{err:?}"
    );
}

#[test]
fn dedup_label_is_a_valid_jira_label() {
    assert_eq!(dedup_label("abc-123"), "larder-abc-123");
    let label = dedup_label("rule 5 / issue 9");
    assert!(!label.contains(' '), "{label}");
    assert!(dedup_label(&"k".repeat(400)).chars().count() <= 255);
}

#[tokio::test]
async fn an_oversized_answer_is_not_buffered() {
    // A search answer of 2 MiB: read no further than the 1 MiB cap.
    let huge = serde_json::json!({ "issues": [], "padding": "x".repeat(2 * 1024 * 1024) });
    let server = MockServer::always(Reply::json(200, huge)).await;
    let error = notifier_for(&config(&server, JiraFlavour::Cloud), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .expect_err("refused");
    assert!(error.message.contains("larger than"), "{}", error.message);
}
