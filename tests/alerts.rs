//! Alerts end to end: rules evaluated at ingest write deliveries that the dispatcher sends over
//! real HTTP and SMTP, with retries, dead-lettering, action intervals and tickets.
mod common;

use std::time::{Duration, Instant};

use common::TestServer;
use common::receivers::{Answer, HttpReceiver, SmtpSink};
use serde_json::{Value, json};

const SECRET: &str = "webhook-shared-secret";

async fn webhook(server: &TestServer, receiver: &HttpReceiver) -> String {
    let data = server
        .graphql(
            "mutation($c: JSON!) { createIntegration(name: \"hook\", config: $c) { id kind config { __typename ... on WebhookSettings { url { set } secret { set } timeoutMs } } } }",
            json!({ "c": { "type": "webhook", "url": format!("{}/hooks/larder", receiver.url), "secret": SECRET, "timeout_ms": 500 } }),
        )
        .await;
    let integration = &data["createIntegration"];
    assert_eq!(
        integration["config"],
        json!({ "__typename": "WebhookSettings", "url": { "set": true }, "secret": { "set": true }, "timeoutMs": 500 })
    );
    // Secrets are write-only.
    assert!(!integration.to_string().contains(SECRET), "{integration}");
    assert!(
        !integration.to_string().contains(&receiver.url),
        "{integration}"
    );
    integration["id"].as_str().unwrap().to_string()
}

async fn rule(server: &TestServer, integration: &str, triggers: Value, interval: i64) {
    server
        .graphql(
            "mutation($p: ID!, $i: AlertRuleInput!) { createAlertRule(projectId: $p, input: $i) { id } }",
            json!({ "p": server.project_id.to_string(), "i": {
                "name": "notify", "triggers": triggers, "actions": [integration], "actionIntervalMinutes": interval,
            } }),
        )
        .await;
}

async fn deliveries(server: &TestServer) -> Vec<Value> {
    let data = server
        .graphql(
            "query($p: ID!) { project(id: $p) { deliveries { kind status attempts lastError externalId } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    data["project"]["deliveries"].as_array().unwrap().clone()
}

async fn new_issue_is_delivered_signed_to_a_webhook(server: TestServer) {
    let receiver = HttpReceiver::start().await;
    let integration = webhook(&server, &receiver).await;
    rule(&server, &integration, json!([{ "kind": "NEW_ISSUE" }]), 30).await;
    let (_, issue) = server.ingest(common::python_exception_event()).await;
    let received = server
        .eventually("the webhook", || async {
            receiver.received().first().cloned()
        })
        .await;
    assert_eq!(received.path, "/hooks/larder");
    let timestamp = received.headers["x-larder-timestamp"].to_str().unwrap();
    let signature = received.headers["x-larder-signature"].to_str().unwrap();
    assert!(larder_integrations::verify_webhook_signature(
        SECRET,
        timestamp,
        &received.body,
        signature
    ));
    let body: Value = serde_json::from_slice(&received.body).unwrap();
    assert_eq!(body["kind"], "new_issue");
    assert_eq!(body["issue"]["title"], "ValueError: user 5 not found");
    assert_eq!(body["issue"]["id"].to_string(), issue);
    let data = server
        .eventually("the delivery to be marked", || async {
            let data = server
                .graphql(
                    "query($id: ID!) { issue(id: $id) { notifications { status kind } } }",
                    json!({ "id": issue }),
                )
                .await;
            (data["issue"]["notifications"][0]["status"] == "DELIVERED").then_some(data)
        })
        .await;
    assert_eq!(data["issue"]["notifications"].as_array().unwrap().len(), 1);
    // The same issue again is not new: no second notification.
    server.ingest(common::python_exception_event()).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.received().len(), 1);
}

async fn regression_reopens_and_alerts(server: TestServer) {
    let receiver = HttpReceiver::start().await;
    let integration = webhook(&server, &receiver).await;
    rule(&server, &integration, json!([{ "kind": "REGRESSION" }]), 0).await;
    let (_, issue) = server.ingest(json!({ "message": "flaky job" })).await;
    server
        .graphql(
            "mutation($id: ID!) { resolveIssue(id: $id) { status } }",
            json!({ "id": issue }),
        )
        .await;
    server.ingest(json!({ "message": "flaky job" })).await;
    let received = server
        .eventually("the regression alert", || async {
            receiver.received().first().cloned()
        })
        .await;
    let body: Value = serde_json::from_slice(&received.body).unwrap();
    assert_eq!(body["kind"], "regression");
    let data = server
        .graphql(
            "query($id: ID!) { issue(id: $id) { status } }",
            json!({ "id": issue }),
        )
        .await;
    assert_eq!(data["issue"]["status"], "UNRESOLVED");
}

async fn action_interval_holds_under_a_burst(server: TestServer) {
    let receiver = HttpReceiver::start().await;
    let integration = webhook(&server, &receiver).await;
    rule(
        &server,
        &integration,
        json!([{ "kind": "EVENT_FREQUENCY", "count": 5, "intervalMinutes": 60 }]),
        60,
    )
    .await;
    let burst: Vec<_> = (0..1000)
        .map(|_| {
            let server = &server;
            async move {
                server
                    .ingest(json!({ "message": "burst", "level": "error" }))
                    .await
            }
        })
        .collect();
    futures::stream::iter(burst)
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;
    server
        .eventually("one alert", || async {
            (receiver.received().len() == 1).then_some(())
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.received().len(),
        1,
        "one alert per interval, however many events"
    );
    assert_eq!(deliveries(&server).await.len(), 1);
}

async fn failing_channels_retry_then_deliver_or_dead_letter(server: TestServer) {
    let receiver = HttpReceiver::start().await;
    let integration = webhook(&server, &receiver).await;
    rule(&server, &integration, json!([{ "kind": "NEW_ISSUE" }]), 0).await;

    // 500s, then recovery: retried and delivered exactly once.
    receiver.answer(Answer::Fail);
    server.ingest(json!({ "message": "first outage" })).await;
    server
        .eventually("retries", || async {
            (receiver.attempts() >= 2).then_some(())
        })
        .await;
    receiver.answer(Answer::Ok);
    server
        .eventually("delivery after recovery", || async {
            (receiver.received().len() == 1).then_some(())
        })
        .await;
    // The worker records the outcome after the receiver has answered: wait for the row.
    let first = server
        .eventually("the delivery recorded as delivered", || async {
            let rows = deliveries(&server).await;
            (rows[0]["status"] == "DELIVERED").then_some(rows)
        })
        .await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(first[0]["attempts"].as_i64().unwrap() >= 2);

    // A receiver that never answers: ingest does not wait for it; the delivery dies after its
    // attempts, never lost and never sent twice.
    receiver.answer(Answer::Hang);
    let started = Instant::now();
    server
        .ingest(json!({ "message": "hanging receiver" }))
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "ingest waited on a notifier"
    );
    let dead = server
        .eventually("dead-lettering", || async {
            let all = deliveries(&server).await;
            all.into_iter().find(|d| d["status"] == "DEAD")
        })
        .await;
    assert_eq!(dead["attempts"], 4);
    assert!(
        dead["lastError"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("time"),
        "{dead}"
    );
    assert_eq!(receiver.received().len(), 1);
}

async fn refused_connections_are_retried(server: TestServer) {
    let data = server
        .graphql(
            "mutation($c: JSON!) { createIntegration(name: \"gone\", config: $c) { id } }",
            json!({ "c": { "type": "webhook", "url": "http://127.0.0.1:9/nobody", "secret": "s" } }),
        )
        .await;
    let integration = data["createIntegration"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    rule(&server, &integration, json!([{ "kind": "NEW_ISSUE" }]), 0).await;
    server.ingest(json!({ "message": "nobody listens" })).await;
    let dead = server
        .eventually("dead-lettering", || async {
            deliveries(&server)
                .await
                .into_iter()
                .find(|d| d["status"] == "DEAD")
        })
        .await;
    assert_eq!(dead["attempts"], 4, "retried before giving up");
}

async fn default_rule_emails_members_over_smtp(server: TestServer) {
    let smtp = SmtpSink::start().await;
    server
        .graphql(
            "mutation { createMember(email: \"oncall@example.com\") { id } }",
            json!({}),
        )
        .await;
    server
        .graphql(
            "mutation($c: JSON!) { createIntegration(name: \"mail\", config: $c) { id } }",
            json!({ "c": { "type": "email", "host": "127.0.0.1", "port": smtp.addr.port(), "security": "none",
                           "from": "larder@example.com", "to": [] } }),
        )
        .await;
    let rules = server
        .graphql(
            "query($p: ID!) { project(id: $p) { alertRules { name triggers { kind } } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert_eq!(
        rules["project"]["alertRules"][0]["triggers"],
        json!([{ "kind": "NEW_ISSUE" }, { "kind": "REGRESSION" }])
    );
    server.ingest(common::python_exception_event()).await;
    let mail = server
        .eventually("an email", || async { smtp.mails().first().cloned() })
        .await;
    assert_eq!(mail.from, "larder@example.com");
    assert_eq!(mail.to, ["oncall@example.com"]);
    assert!(mail.data.contains("Subject:"), "{}", mail.data);
    assert!(mail.data.contains("ValueError"), "{}", mail.data);
    assert!(
        mail.data.to_lowercase().contains("multipart/alternative"),
        "{}",
        mail.data
    );
}

async fn tickets_are_opened_by_hand_and_kept_on_the_issue(server: TestServer) {
    let github = HttpReceiver::with_routes(vec![
        (
            "/search/issues",
            200,
            r#"{"total_count": 0, "incomplete_results": false, "items": []}"#,
        ),
        (
            "/repos/acme/shop/issues",
            201,
            r#"{"number": 7, "html_url": "https://github.example/acme/shop/issues/7", "body": ""}"#,
        ),
    ])
    .await;
    let data = server
        .graphql(
            "mutation($c: JSON!) { createIntegration(name: \"gh\", config: $c) { id config { ... on GithubSettings { token { set } owner repo labels apiBaseUrl } } } }",
            json!({ "c": { "type": "github", "token": "ghp_secret", "owner": "acme", "repo": "shop", "api_base_url": github.url } }),
        )
        .await;
    assert_eq!(
        data["createIntegration"]["config"],
        json!({ "token": { "set": true }, "owner": "acme", "repo": "shop", "labels": [], "apiBaseUrl": github.url })
    );
    let integration = data["createIntegration"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, issue) = server.ingest(common::python_exception_event()).await;
    let delivery = server
        .graphql(
            "mutation($i: ID!, $g: ID!) { createExternalIssue(issueId: $i, integrationId: $g) { status kind externalId externalUrl lastError } }",
            json!({ "i": issue, "g": integration }),
        )
        .await;
    let delivery = &delivery["createExternalIssue"];
    assert_eq!(delivery["status"], "DELIVERED", "{delivery}");
    assert_eq!(delivery["kind"], "external_issue");
    assert_eq!(
        delivery["externalUrl"],
        "https://github.example/acme/shop/issues/7"
    );
    let create = github
        .received()
        .into_iter()
        .find(|r| r.path == "/repos/acme/shop/issues")
        .unwrap();
    assert_eq!(
        create.headers["authorization"].to_str().unwrap(),
        "Bearer ghp_secret"
    );
    let body: Value = serde_json::from_slice(&create.body).unwrap();
    assert_eq!(body["title"], "ValueError: user 5 not found");
    let data = server
        .graphql(
            "query($id: ID!) { issue(id: $id) { externalIssues { externalId url } } }",
            json!({ "id": issue }),
        )
        .await;
    assert_eq!(
        data["issue"]["externalIssues"][0]["url"],
        "https://github.example/acme/shop/issues/7"
    );
    let error = server
        .graphql_error(
            "mutation($i: ID!, $g: ID!) { createExternalIssue(issueId: $i, integrationId: $g) { status } }",
            json!({ "i": issue, "g": "999999" }),
        )
        .await;
    assert_eq!(error["extensions"]["code"], "NOT_FOUND");
}

async fn test_integration_reports_the_outcome(server: TestServer) {
    let receiver = HttpReceiver::start().await;
    let integration = webhook(&server, &receiver).await;
    let query = "mutation($id: ID!) { testIntegration(id: $id) { ok error retryable } }";
    let data = server.graphql(query, json!({ "id": integration })).await;
    assert_eq!(data["testIntegration"]["ok"], true);
    let body: Value = serde_json::from_slice(&receiver.received()[0].body).unwrap();
    assert_eq!(body["kind"], "test");
    receiver.answer(Answer::Fail);
    let data = server.graphql(query, json!({ "id": integration })).await;
    assert_eq!(data["testIntegration"]["ok"], false);
    assert_eq!(data["testIntegration"]["retryable"], true);
    let error = server
        .graphql_error(
            "mutation($c: JSON!) { createIntegration(name: \"bad\", config: $c) { id } }",
            json!({ "c": { "type": "webhook", "url": "not a url", "secret": "s" } }),
        )
        .await;
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
}

use futures::StreamExt;

on_both_databases!(
    new_issue_is_delivered_signed_to_a_webhook,
    regression_reopens_and_alerts,
    action_interval_holds_under_a_burst,
    failing_channels_retry_then_deliver_or_dead_letter,
    refused_connections_are_retried,
    default_rule_emails_members_over_smtp,
    tickets_are_opened_by_hand_and_kept_on_the_issue,
    test_integration_reports_the_outcome,
);

/// The integration's stored config, as the database holds it.
async fn stored_config(server: &TestServer, id: &str) -> String {
    use sea_orm::EntityTrait;
    entity::integration::Entity::find_by_id(id.parse::<i64>().unwrap())
        .one(&server.db)
        .await
        .unwrap()
        .unwrap()
        .config
}

async fn integration_secrets_are_sealed_at_rest(server: TestServer) {
    let receiver = HttpReceiver::start().await;
    let integration = webhook(&server, &receiver).await;
    let stored = stored_config(&server, &integration).await;
    assert!(stored.starts_with("v1:"), "{stored}");
    for clear in [SECRET, &receiver.url, "webhook"] {
        assert!(
            !stored.contains(clear),
            "{clear} in clear at rest: {stored}"
        );
    }
    // Still usable: the API reports the secret set, and a test notification goes out signed.
    let data = server
        .graphql(
            "query { integrations { config { ... on WebhookSettings { secret { set } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["integrations"][0]["config"]["secret"]["set"], true);
    let sent = server
        .graphql(
            "mutation($id: ID!) { testIntegration(id: $id) { ok error } }",
            json!({ "id": integration }),
        )
        .await;
    assert_eq!(sent["testIntegration"]["ok"], true, "{sent}");
    assert_eq!(receiver.received().len(), 1);

    // Changing other settings without the secrets keeps them (write-only fields a form cannot
    // show); an empty secret counts as left out; a new one replaces it.
    let update = "mutation($id: ID!, $c: JSON!) { updateIntegration(id: $id, config: $c) { config { ... on WebhookSettings { url { set } secret { set } timeoutMs } } } }";
    let data = server
        .graphql(
            update,
            json!({ "id": integration, "c": { "type": "webhook", "secret": "", "timeout_ms": 900 } }),
        )
        .await;
    assert_eq!(
        data["updateIntegration"]["config"],
        json!({ "url": { "set": true }, "secret": { "set": true }, "timeoutMs": 900 })
    );
    let opened = server
        .secrets
        .open(&stored_config(&server, &integration).await)
        .unwrap();
    assert!(
        opened.contains(SECRET) && opened.contains(&receiver.url),
        "{opened}"
    );
    server
        .graphql(
            update,
            json!({ "id": integration, "c": { "type": "webhook", "secret": "rotated-secret" } }),
        )
        .await;
    let opened = server
        .secrets
        .open(&stored_config(&server, &integration).await)
        .unwrap();
    assert!(
        opened.contains("rotated-secret") && !opened.contains(SECRET),
        "{opened}"
    );
    assert!(opened.contains(&receiver.url), "{opened}");

    // A row written before sealing existed is sealed by the start-up pass, and reads the same.
    use sea_orm::{ActiveModelTrait, Set};
    let legacy = entity::integration::ActiveModel {
        organization_id: Set(server.organization_id),
        name: Set("legacy".into()),
        kind: Set("webhook".into()),
        config: Set(
            r#"{"type":"webhook","url":"http://127.0.0.1:9/old","secret":"legacy-secret"}"#.into(),
        ),
        enabled: Set(true),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&server.db)
    .await
    .unwrap();
    let changed = larder::secrets::reseal_integrations(&server.db, &server.secrets)
        .await
        .unwrap();
    assert_eq!(changed, 1, "only the legacy row");
    let stored = stored_config(&server, &legacy.id.to_string()).await;
    assert!(
        stored.starts_with("v1:") && !stored.contains("legacy-secret"),
        "{stored}"
    );
    assert!(
        server
            .secrets
            .open(&stored)
            .unwrap()
            .contains("legacy-secret")
    );
    // A row sealed under a key the server does not hold is reported, never overwritten.
    let foreign = larder::secrets::SecretKeys::random();
    assert!(
        larder::secrets::reseal_integrations(&server.db, &foreign)
            .await
            .is_err()
    );
    assert_eq!(stored_config(&server, &legacy.id.to_string()).await, stored);
}

on_both_databases!(integration_secrets_are_sealed_at_rest);

mod outbound_addresses_are_guarded {
    use super::*;

    async fn run(backend: common::Backend) {
        let receiver = HttpReceiver::start().await;
        let server = TestServer::start_with(backend, |config| {
            config.outbound = larder_integrations::OutboundPolicy::public_only();
        })
        .await;
        // A literal loopback or metadata address is refused when the integration is made.
        for url in [
            format!("{}/hook", receiver.url),
            "http://169.254.169.254/latest/meta-data".to_string(),
        ] {
            let error = server
                .graphql_error(
                    "mutation($c: JSON!) { createIntegration(name: \"hook\", config: $c) { id } }",
                    json!({ "c": { "type": "webhook", "url": url, "secret": SECRET } }),
                )
                .await;
            assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{error}");
            assert!(
                error["message"].as_str().unwrap().contains("non-public"),
                "{error}"
            );
        }
        // A name that resolves to loopback is refused when it is sent to.
        let port = receiver.url.rsplit(':').next().unwrap();
        let data = server
            .graphql(
                "mutation($c: JSON!) { createIntegration(name: \"hook\", config: $c) { id } }",
                json!({ "c": { "type": "webhook", "url": format!("http://localhost:{port}/hook"), "secret": SECRET } }),
            )
            .await;
        let sent = server
            .graphql(
                "mutation($id: ID!) { testIntegration(id: $id) { ok error retryable } }",
                json!({ "id": data["createIntegration"]["id"] }),
            )
            .await;
        assert_eq!(sent["testIntegration"]["ok"], false, "{sent}");
        assert!(
            sent["testIntegration"]["error"]
                .as_str()
                .unwrap()
                .contains("non-public"),
            "{sent}"
        );
        assert!(receiver.received().is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run(common::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(backend) = common::Backend::postgres() {
            run(backend).await;
        }
    }
}
