//! Signed webhook against a local receiver.

mod common;

use common::{KEY, MockServer, Reply, notification};
use larder_integrations::{
    ChannelConfig, Notification, Secret, WebhookConfig, notifier_for, sign_webhook_payload,
    verify_webhook_signature,
};

const SECRET: &str = "webhook-secret-S3CRET";

fn config(server: &MockServer) -> ChannelConfig {
    ChannelConfig::Webhook(WebhookConfig {
        url: Secret::new(format!("{}/hooks/larder?token=urlS3CRET", server.url)),
        secret: Secret::new(SECRET),
        timeout_ms: Some(5_000),
    })
}

#[tokio::test]
async fn posts_signed_json_with_idempotency_key() {
    let server = MockServer::always(Reply::text(204, "")).await;
    let before = chrono::Utc::now().timestamp();
    let delivery = notifier_for(&config(&server), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .expect("delivered");
    assert!(delivery.detail.contains("204"), "{}", delivery.detail);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/hooks/larder");
    assert_eq!(r.query.as_deref(), Some("token=urlS3CRET"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("x-larder-idempotency-key"), Some(KEY));

    // Timestamp: unix seconds, now.
    let timestamp = r.header("x-larder-timestamp").expect("timestamp header");
    let ts: i64 = timestamp.parse().expect("unix seconds");
    assert!(
        (before..=chrono::Utc::now().timestamp()).contains(&ts),
        "{ts}"
    );

    // Signature verifies over "{timestamp}.{body}".
    let signature = r.header("x-larder-signature").expect("signature header");
    assert!(signature.starts_with("sha256="), "{signature}");
    assert_eq!(signature.len(), "sha256=".len() + 64);
    assert!(verify_webhook_signature(
        SECRET, timestamp, &r.body, signature
    ));
    assert_eq!(signature, sign_webhook_payload(SECRET, timestamp, &r.body));

    // Tampering with anything breaks it.
    let mut tampered = r.body.clone();
    let pos = tampered.iter().position(|b| *b == b'7').unwrap();
    tampered[pos] = b'8';
    assert!(!verify_webhook_signature(
        SECRET, timestamp, &tampered, signature
    ));
    assert!(!verify_webhook_signature(
        SECRET,
        &(ts + 1).to_string(),
        &r.body,
        signature
    ));
    assert!(!verify_webhook_signature(
        "other-secret",
        timestamp,
        &r.body,
        signature
    ));
    assert!(!verify_webhook_signature(
        SECRET,
        timestamp,
        &r.body,
        &signature.replace("sha256=", "sha1=")
    ));
    assert!(!verify_webhook_signature(
        SECRET,
        timestamp,
        &r.body,
        "sha256=zz"
    ));
    assert!(!verify_webhook_signature(
        SECRET,
        timestamp,
        &r.body,
        &signature[..signature.len() - 2]
    ));

    // Body: the notification plus `version`.
    let body = r.json();
    assert_eq!(body["version"], 1);
    assert_eq!(body["kind"], "new_issue");
    assert_eq!(body["idempotency_key"], KEY);
    assert_eq!(
        body["issue"]["title"],
        "ZeroDivisionError: division by zero"
    );
    assert_eq!(body["issue"]["first_seen"], "2024-05-01T10:00:00Z");
    assert_eq!(body["top_frames"][0]["lineno"], 42);
    let back: Notification =
        serde_json::from_value(body).expect("payload reads back as a Notification");
    assert_eq!(back, notification());
}

#[test]
fn signature_known_answer() {
    // HMAC-SHA256(key = "key", message = "1700000000.{}"), computed independently with
    // `printf '1700000000.{}' | openssl dgst -sha256 -hmac key`.
    let expected = "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae";
    assert_eq!(sign_webhook_payload("key", "1700000000", b"{}"), expected);
    assert!(verify_webhook_signature(
        "key",
        "1700000000",
        b"{}",
        expected
    ));
    assert!(verify_webhook_signature(
        "key",
        "1700000000",
        b"{}",
        &expected.to_uppercase().replace("SHA256=", "sha256=")
    ));
    assert!(!verify_webhook_signature(
        "key",
        "1700000000",
        b"{} ",
        expected
    ));
}

#[tokio::test]
async fn non_public_targets_are_refused_unless_allowed() {
    use larder_integrations::OutboundPolicy;
    let server = MockServer::always(Reply::text(204, "")).await;
    // A literal loopback address: refused when the notifier is built.
    let error = notifier_for(&config(&server), &OutboundPolicy::public_only())
        .err()
        .expect("refused");
    assert!(error.to_string().contains("non-public"), "{error}");
    assert!(!error.to_string().contains("urlS3CRET"), "{error}");
    // A name that resolves to loopback: refused when it resolves, nothing is sent.
    let by_name = ChannelConfig::Webhook(WebhookConfig {
        url: Secret::new(format!(
            "http://localhost:{}/hooks/larder",
            server.addr.port()
        )),
        secret: Secret::new(SECRET),
        timeout_ms: Some(5_000),
    });
    let error = notifier_for(&by_name, &OutboundPolicy::public_only())
        .unwrap()
        .send(&notification())
        .await
        .expect_err("refused at connect");
    assert!(error.message.contains("non-public"), "{}", error.message);
    assert!(server.requests().is_empty());
    // Allowed by name, it goes out.
    let allowed = OutboundPolicy::parse("localhost").unwrap();
    notifier_for(&by_name, &allowed)
        .unwrap()
        .send(&notification())
        .await
        .expect("delivered");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = MockServer::start(|r| {
        if r.path == "/elsewhere" {
            Reply::text(204, "")
        } else {
            Reply::text(307, "").with_header("location", "/elsewhere")
        }
    })
    .await;
    let error = notifier_for(&config(&server), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .expect_err("a redirect is a failure");
    assert!(error.message.contains("307"), "{}", error.message);
    assert_eq!(server.requests().len(), 1, "the redirect was not followed");
}
