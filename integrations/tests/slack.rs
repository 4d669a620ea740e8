//! Slack: chat.postMessage with a bot token, and incoming webhooks, against a local server.

mod common;

use common::{MockServer, Reply, notification};
use larder_integrations::{ChannelConfig, Secret, SlackConfig, notifier_for};
use serde_json::{Value, json};

const TOKEN: &str = "xoxb-1111-2222-slackS3CRET";
const HOOK_PATH: &str = "/services/T0001/B0002/hookS3CRET";

fn bot_config(server: &MockServer) -> ChannelConfig {
    ChannelConfig::Slack(SlackConfig {
        bot_token: Some(Secret::new(TOKEN)),
        channel: Some("C024BE91L".to_string()),
        api_base_url: Some(format!("{}/api", server.url)),
        timeout_ms: Some(5_000),
        ..SlackConfig::default()
    })
}

fn webhook_config(server: &MockServer) -> ChannelConfig {
    ChannelConfig::Slack(SlackConfig {
        webhook_url: Some(Secret::new(format!("{}{HOOK_PATH}", server.url))),
        timeout_ms: Some(5_000),
        ..SlackConfig::default()
    })
}

fn post_message_ok() -> Reply {
    Reply::json(
        200,
        json!({
            "ok": true,
            "channel": "C024BE91L",
            "ts": "1714646400.000200",
            "message": {
                "type": "message",
                "subtype": "bot_message",
                "text": "[web] New issue: ZeroDivisionError: division by zero",
                "ts": "1714646400.000200",
                "username": "Larder",
                "bot_id": "B0123456"
            }
        }),
    )
}

/// The Block Kit content both modes must carry.
fn assert_blocks(body: &Value) {
    let text = body["text"].as_str().expect("text fallback");
    assert!(
        text.contains("[web] New issue: ZeroDivisionError: division by zero"),
        "{text}"
    );
    assert!(
        text.contains("https://larder.example/acme/web/issues/42/"),
        "{text}"
    );

    let blocks = body["blocks"].as_array().expect("blocks");
    let of_type = |t: &str| {
        blocks
            .iter()
            .filter(move |b| b["type"] == t)
            .collect::<Vec<_>>()
    };

    let header = of_type("header");
    assert_eq!(header.len(), 1);
    assert_eq!(header[0]["text"]["type"], "plain_text");
    assert_eq!(
        header[0]["text"]["text"],
        "New issue: ZeroDivisionError: division by zero"
    );

    let sections = of_type("section");
    let summary = &sections[0];
    assert_eq!(summary["text"]["type"], "mrkdwn");
    assert_eq!(
        summary["text"]["text"],
        "*<https://larder.example/acme/web/issues/42/|ZeroDivisionError: division by zero>*\n`app.views in checkout`"
    );
    let fields: Vec<&str> = summary["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["text"].as_str().unwrap())
        .collect();
    for expected in [
        "*Level*\nerror",
        "*Events*\n17",
        "*Users*\n5",
        "*First seen*\n2024-05-01 10:00:00 UTC",
        "*Last seen*\n2024-05-02 11:30:00 UTC",
        "*Environment*\nproduction",
        "*Release*\nweb@1.4.2",
    ] {
        assert!(
            fields.contains(&expected),
            "missing field {expected:?} in {fields:?}"
        );
    }
    assert!(fields.len() <= 10, "Slack allows 10 fields per section");

    let stack = sections[1]["text"]["text"].as_str().unwrap();
    assert!(
        stack.starts_with("```") && stack.ends_with("```"),
        "{stack}"
    );
    assert!(stack.contains("at checkout (app/views.py:42)"), "{stack}");
    assert!(stack.contains("&gt; total = amount / count"), "{stack}");

    let actions = of_type("actions");
    assert_eq!(actions.len(), 1);
    let button = &actions[0]["elements"][0];
    assert_eq!(button["type"], "button");
    assert_eq!(button["text"]["text"], "View issue");
    assert_eq!(button["url"], "https://larder.example/acme/web/issues/42/");
}

#[tokio::test]
async fn bot_token_posts_chat_post_message() {
    let server = MockServer::always(post_message_ok()).await;
    let notifier = notifier_for(&bot_config(&server), &common::loopback()).unwrap();
    let delivery = notifier.send(&notification()).await.expect("delivered");

    assert_eq!(delivery.external_id.as_deref(), Some("1714646400.000200"));
    assert!(delivery.detail.contains("C024BE91L"), "{}", delivery.detail);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/api/chat.postMessage");
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json"),
        "{:?}",
        r.header("content-type")
    );
    let body = r.json();
    assert_eq!(body["channel"], "C024BE91L");
    assert_eq!(body["unfurl_links"], false);
    assert_blocks(&body);
}

#[tokio::test]
async fn incoming_webhook_posts_json_to_the_url() {
    let server = MockServer::always(Reply::text(200, "ok")).await;
    let notifier = notifier_for(&webhook_config(&server), &common::loopback()).unwrap();
    let delivery = notifier.send(&notification()).await.expect("delivered");
    assert_eq!(delivery.external_id, None);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, HOOK_PATH);
    assert_eq!(r.header("authorization"), None, "the URL is the credential");
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let body = r.json();
    assert!(body.get("channel").is_none());
    assert_blocks(&body);
}

#[tokio::test]
async fn api_error_invalid_auth_is_not_retryable() {
    let server = MockServer::always(Reply::json(
        200,
        json!({"ok": false, "error": "invalid_auth"}),
    ))
    .await;
    let err = notifier_for(&bot_config(&server), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .unwrap_err();
    assert!(!err.retryable, "{err:?}");
    assert!(err.message.contains("invalid_auth"), "{err:?}");
    assert!(!err.message.contains(TOKEN));
}

#[tokio::test]
async fn api_error_channel_not_found_is_not_retryable() {
    let server = MockServer::always(Reply::json(
        200,
        json!({"ok": false, "error": "channel_not_found"}),
    ))
    .await;
    let err = notifier_for(&bot_config(&server), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .unwrap_err();
    assert!(!err.retryable, "{err:?}");
}

#[tokio::test]
async fn rate_limited_is_retryable() {
    let server = MockServer::always(
        Reply::json(429, json!({"ok": false, "error": "ratelimited"}))
            .with_header("retry-after", "30"),
    )
    .await;
    let err = notifier_for(&bot_config(&server), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .unwrap_err();
    assert!(err.retryable, "{err:?}");
}

#[tokio::test]
async fn webhook_no_service_is_not_retryable_and_hides_the_url() {
    let server = MockServer::always(Reply::text(404, "no_service")).await;
    let err = notifier_for(&webhook_config(&server), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .unwrap_err();
    assert!(!err.retryable, "{err:?}");
    assert!(!err.message.contains("hookS3CRET"), "{err:?}");
}
