//! How every HTTP channel classifies failures: 500 → retryable, 401 → not, refused connection →
//! retryable, a server that never answers → timeout (retryable, and quick).

mod common;

use std::time::{Duration, Instant};

use common::{MockServer, Reply, SilentServer, notification, refused_addr};
use larder_integrations::{
    ChannelConfig, GithubConfig, JiraConfig, JiraFlavour, Secret, SlackConfig, SmsConfig,
    WebhookConfig, notifier_for,
};
use serde_json::json;

const SECRETS: &[&str] = &[
    "slackS3CRET",
    "hookS3CRET",
    "ghS3CRET",
    "jiraS3CRET",
    "twilioS3CRET",
    "whS3CRET",
    "urlS3CRET",
];

/// Every HTTP channel, pointed at `base` (`http://host:port`), with `timeout_ms`.
fn channels(base: &str, timeout_ms: u64) -> Vec<ChannelConfig> {
    let t = Some(timeout_ms);
    vec![
        ChannelConfig::Slack(SlackConfig {
            bot_token: Some(Secret::new("xoxb-slackS3CRET")),
            channel: Some("C1".to_string()),
            api_base_url: Some(format!("{base}/api")),
            timeout_ms: t,
            ..SlackConfig::default()
        }),
        ChannelConfig::Slack(SlackConfig {
            webhook_url: Some(Secret::new(format!("{base}/services/T1/B1/hookS3CRET"))),
            timeout_ms: t,
            ..SlackConfig::default()
        }),
        ChannelConfig::Github(GithubConfig {
            token: Secret::new("ghp_ghS3CRET"),
            owner: "acme".to_string(),
            repo: "web".to_string(),
            labels: vec![],
            api_base_url: Some(base.to_string()),
            timeout_ms: t,
        }),
        ChannelConfig::Jira(JiraConfig {
            base_url: base.to_string(),
            flavour: JiraFlavour::Cloud,
            email: Some("ops@acme.test".to_string()),
            api_token: Secret::new("jiraS3CRET"),
            project_key: "OPS".to_string(),
            issue_type: "Bug".to_string(),
            labels: vec![],
            timeout_ms: t,
        }),
        ChannelConfig::Jira(JiraConfig {
            base_url: base.to_string(),
            flavour: JiraFlavour::Server,
            email: None,
            api_token: Secret::new("jiraS3CRET"),
            project_key: "OPS".to_string(),
            issue_type: "Bug".to_string(),
            labels: vec![],
            timeout_ms: t,
        }),
        ChannelConfig::Sms(SmsConfig {
            account_sid: "AC1".to_string(),
            auth_token: Secret::new("twilioS3CRET"),
            from: "+15005550006".to_string(),
            to: vec!["+15551230001".to_string()],
            base_url: Some(base.to_string()),
            timeout_ms: t,
        }),
        ChannelConfig::Webhook(WebhookConfig {
            url: Secret::new(format!("{base}/hook?token=urlS3CRET")),
            secret: Secret::new("whS3CRET"),
            timeout_ms: t,
        }),
    ]
}

fn label(c: &ChannelConfig) -> String {
    format!(
        "{} {}",
        c.kind(),
        serde_json::to_string(&c.redacted()).unwrap()
    )
}

fn assert_no_secret(c: &ChannelConfig, message: &str) {
    for s in SECRETS {
        assert!(
            !message.contains(s),
            "{}: secret {s} in error {message:?}",
            label(c)
        );
    }
}

#[tokio::test]
async fn server_error_is_retryable() {
    let server = MockServer::always(Reply::json(500, json!({"message": "internal error"}))).await;
    for c in channels(&server.url, 5_000) {
        let err = notifier_for(&c, &common::loopback())
            .unwrap()
            .send(&notification())
            .await
            .unwrap_err();
        assert!(err.retryable, "{}: {err:?}", label(&c));
        assert!(err.message.contains("500"), "{}: {err:?}", label(&c));
        assert_no_secret(&c, &err.message);
    }
}

#[tokio::test]
async fn bad_gateway_and_unavailable_are_retryable() {
    for status in [502, 503] {
        let server = MockServer::always(Reply::text(status, "upstream down")).await;
        for c in channels(&server.url, 5_000) {
            let err = notifier_for(&c, &common::loopback())
                .unwrap()
                .send(&notification())
                .await
                .unwrap_err();
            assert!(err.retryable, "{status} {}: {err:?}", label(&c));
        }
    }
}

#[tokio::test]
async fn unauthorized_is_not_retryable() {
    let server = MockServer::always(Reply::json(401, json!({"message": "Bad credentials"}))).await;
    for c in channels(&server.url, 5_000) {
        let err = notifier_for(&c, &common::loopback())
            .unwrap()
            .send(&notification())
            .await
            .unwrap_err();
        assert!(!err.retryable, "{}: {err:?}", label(&c));
        assert!(err.message.contains("401"), "{}: {err:?}", label(&c));
        assert_no_secret(&c, &err.message);
    }
}

#[tokio::test]
async fn refused_connection_is_retryable() {
    let base = format!("http://{}", refused_addr());
    for c in channels(&base, 5_000) {
        let started = Instant::now();
        let err = notifier_for(&c, &common::loopback())
            .unwrap()
            .send(&notification())
            .await
            .unwrap_err();
        assert!(err.retryable, "{}: {err:?}", label(&c));
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{}: took {:?}",
            label(&c),
            started.elapsed()
        );
        assert_no_secret(&c, &err.message);
    }
}

#[tokio::test]
async fn silent_server_times_out() {
    let silent = SilentServer::start().await;
    for c in channels(&silent.url(), 300) {
        let started = Instant::now();
        let err = notifier_for(&c, &common::loopback())
            .unwrap()
            .send(&notification())
            .await
            .unwrap_err();
        let took = started.elapsed();
        assert!(err.retryable, "{}: {err:?}", label(&c));
        assert!(
            err.message.to_lowercase().contains("time"),
            "{}: {err:?}",
            label(&c)
        );
        assert!(
            took >= Duration::from_millis(250),
            "{}: gave up after {took:?}",
            label(&c)
        );
        assert!(
            took < Duration::from_secs(3),
            "{}: took {took:?}",
            label(&c)
        );
        assert_no_secret(&c, &err.message);
    }
}
