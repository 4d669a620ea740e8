//! Channel configurations: JSON shape, validation, and that secrets never show.

use larder_integrations::{
    ChannelConfig, ConfigError, EmailConfig, GithubConfig, JiraConfig, JiraFlavour, OutboundPolicy,
    Secret, SlackConfig, SmsConfig, SmtpSecurity, WebhookConfig, notifier_for,
};
use serde_json::{Value, json};

const SMTP_PASSWORD: &str = "smtp-pass-S3CRET";
const SLACK_TOKEN: &str = "xoxb-slack-S3CRET";
const SLACK_HOOK: &str = "https://hooks.slack.com/services/T000/B000/slackHookS3CRET";
const GITHUB_TOKEN: &str = "ghp_githubS3CRET";
const JIRA_TOKEN: &str = "jira-token-S3CRET";
const TWILIO_TOKEN: &str = "twilio-token-S3CRET";
const WEBHOOK_URL: &str = "https://receiver.test/hook?token=urlS3CRET";
const WEBHOOK_SECRET: &str = "webhook-secret-S3CRET";
const ALL_SECRETS: &[&str] = &[
    SMTP_PASSWORD,
    SLACK_TOKEN,
    SLACK_HOOK,
    GITHUB_TOKEN,
    JIRA_TOKEN,
    TWILIO_TOKEN,
    WEBHOOK_URL,
    WEBHOOK_SECRET,
    // Distinctive parts, in case a value were partly echoed.
    "S3CRET",
];

fn email() -> ChannelConfig {
    ChannelConfig::Email(EmailConfig {
        host: "smtp.acme.test".to_string(),
        port: Some(587),
        security: SmtpSecurity::Starttls,
        username: Some("alerts@acme.test".to_string()),
        password: Some(Secret::new(SMTP_PASSWORD)),
        from: "Larder <alerts@acme.test>".to_string(),
        to: vec!["oncall@acme.test".to_string()],
        timeout_ms: None,
    })
}

fn slack_bot() -> ChannelConfig {
    ChannelConfig::Slack(SlackConfig {
        bot_token: Some(Secret::new(SLACK_TOKEN)),
        channel: Some("#alerts".to_string()),
        ..SlackConfig::default()
    })
}

fn slack_hook() -> ChannelConfig {
    ChannelConfig::Slack(SlackConfig {
        webhook_url: Some(Secret::new(SLACK_HOOK)),
        ..SlackConfig::default()
    })
}

fn github() -> ChannelConfig {
    ChannelConfig::Github(GithubConfig {
        token: Secret::new(GITHUB_TOKEN),
        owner: "acme".to_string(),
        repo: "web".to_string(),
        labels: vec!["bug".to_string()],
        api_base_url: None,
        timeout_ms: Some(2_000),
    })
}

fn jira() -> ChannelConfig {
    ChannelConfig::Jira(JiraConfig {
        base_url: "https://acme.atlassian.net".to_string(),
        flavour: JiraFlavour::Cloud,
        email: Some("ops@acme.test".to_string()),
        api_token: Secret::new(JIRA_TOKEN),
        project_key: "OPS".to_string(),
        issue_type: "Bug".to_string(),
        labels: vec![],
        timeout_ms: None,
    })
}

fn sms() -> ChannelConfig {
    ChannelConfig::Sms(SmsConfig {
        account_sid: "AC0123".to_string(),
        auth_token: Secret::new(TWILIO_TOKEN),
        from: "+15005550006".to_string(),
        to: vec!["+15551230001".to_string()],
        base_url: None,
        timeout_ms: None,
    })
}

fn webhook() -> ChannelConfig {
    ChannelConfig::Webhook(WebhookConfig {
        url: Secret::new(WEBHOOK_URL),
        secret: Secret::new(WEBHOOK_SECRET),
        timeout_ms: None,
    })
}

fn all() -> Vec<ChannelConfig> {
    vec![
        email(),
        slack_bot(),
        slack_hook(),
        github(),
        jira(),
        sms(),
        webhook(),
    ]
}

fn assert_clean(what: &str, text: &str) {
    for s in ALL_SECRETS {
        assert!(!text.contains(s), "{what} shows secret {s:?}: {text}");
    }
}

#[test]
fn redacted_never_contains_a_secret() {
    for c in all() {
        let redacted = c.redacted();
        assert_clean(c.kind(), &redacted.to_string());
    }
}

#[test]
fn redacted_keeps_the_shape_and_marks_secrets_set() {
    let expect = |c: ChannelConfig, set: &[(&str, bool)], shown: &[(&str, Value)]| {
        let r = c.redacted();
        let stored = serde_json::to_value(&c).unwrap();
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            keys(&r),
            keys(&stored),
            "{}: same fields as stored",
            c.kind()
        );
        assert_eq!(r["type"], c.kind());
        for (field, is_set) in set {
            assert_eq!(r[*field], json!({ "set": is_set }), "{}.{field}", c.kind());
        }
        for (field, value) in shown {
            assert_eq!(&r[*field], value, "{}.{field}", c.kind());
        }
    };
    expect(
        email(),
        &[("password", true)],
        &[
            ("host", json!("smtp.acme.test")),
            ("username", json!("alerts@acme.test")),
            ("to", json!(["oncall@acme.test"])),
        ],
    );
    expect(
        slack_bot(),
        &[("bot_token", true), ("webhook_url", false)],
        &[("channel", json!("#alerts"))],
    );
    expect(
        slack_hook(),
        &[("bot_token", false), ("webhook_url", true)],
        &[],
    );
    expect(
        github(),
        &[("token", true)],
        &[("owner", json!("acme")), ("repo", json!("web"))],
    );
    expect(
        jira(),
        &[("api_token", true)],
        &[
            ("email", json!("ops@acme.test")),
            ("flavour", json!("cloud")),
        ],
    );
    expect(
        sms(),
        &[("auth_token", true)],
        &[("account_sid", json!("AC0123"))],
    );
    expect(webhook(), &[("url", true), ("secret", true)], &[]);

    let mut no_password = email();
    if let ChannelConfig::Email(e) = &mut no_password {
        e.username = None;
        e.password = None;
    }
    expect(no_password, &[("password", false)], &[]);
}

#[test]
fn debug_never_contains_a_secret() {
    for c in all() {
        assert_clean(c.kind(), &format!("{c:?}"));
        assert_clean(c.kind(), &format!("{c:#?}"));
    }
}

#[test]
fn stored_json_round_trips_with_the_type_tag() {
    for c in all() {
        let stored = serde_json::to_value(&c).unwrap();
        assert_eq!(stored["type"], c.kind());
        let back: ChannelConfig = serde_json::from_value(stored).unwrap();
        assert_eq!(back, c);
    }
    // What the settings UI would post, defaults omitted.
    let c: ChannelConfig = serde_json::from_value(json!({
        "type": "jira", "base_url": "https://jira.acme.test", "flavour": "server",
        "api_token": "pat", "project_key": "OPS"
    }))
    .unwrap();
    let ChannelConfig::Jira(j) = &c else {
        panic!("{c:?}")
    };
    assert_eq!(j.issue_type, "Bug");
    assert_eq!(j.flavour, JiraFlavour::Server);
    assert!(c.validate().is_ok(), "{:?}", c.validate());
    assert_eq!(c.timeout(), std::time::Duration::from_secs(10));
    assert_eq!(github().timeout(), std::time::Duration::from_secs(2));
}

#[test]
fn valid_configs_build_notifiers() {
    for c in all() {
        assert!(c.validate().is_ok(), "{}: {:?}", c.kind(), c.validate());
        assert!(
            notifier_for(&c, &OutboundPolicy::public_only()).is_ok(),
            "{}",
            c.kind()
        );
    }
}

fn invalid(c: ChannelConfig, field: &str) {
    let err = c.validate().expect_err("should be invalid");
    match &err {
        ConfigError::Invalid { field: f, .. } => assert_eq!(*f, field, "{err}"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(notifier_for(&c, &OutboundPolicy::public_only()).is_err());
    assert_clean("validation error", &err.to_string());
}

#[test]
fn invalid_configs_are_rejected_with_the_field() {
    let mut c = email();
    if let ChannelConfig::Email(e) = &mut c {
        e.password = None;
    }
    invalid(c, "password");
    let mut c = email();
    if let ChannelConfig::Email(e) = &mut c {
        e.to = vec!["not an address".to_string()];
    }
    invalid(c, "to");

    let mut c = slack_bot();
    if let ChannelConfig::Slack(s) = &mut c {
        s.webhook_url = Some(Secret::new(SLACK_HOOK));
    }
    invalid(c, "webhook_url");
    let mut c = slack_bot();
    if let ChannelConfig::Slack(s) = &mut c {
        s.channel = None;
    }
    invalid(c, "channel");
    invalid(ChannelConfig::Slack(SlackConfig::default()), "bot_token");
    invalid(
        ChannelConfig::Slack(SlackConfig {
            webhook_url: Some(Secret::new("ftp://x/slackHookS3CRET")),
            ..SlackConfig::default()
        }),
        "webhook_url",
    );

    let mut c = github();
    if let ChannelConfig::Github(g) = &mut c {
        g.token = Secret::new("ghp_x\nS3CRET");
    }
    invalid(c, "token");
    let mut c = github();
    if let ChannelConfig::Github(g) = &mut c {
        g.repo = "web/../x".to_string();
    }
    invalid(c, "repo");

    let mut c = jira();
    if let ChannelConfig::Jira(j) = &mut c {
        j.email = None;
    }
    invalid(c, "email");
    let mut c = jira();
    if let ChannelConfig::Jira(j) = &mut c {
        j.base_url = "acme.atlassian.net".to_string();
    }
    invalid(c, "base_url");

    let mut c = sms();
    if let ChannelConfig::Sms(s) = &mut c {
        s.to.clear();
    }
    invalid(c, "to");

    let mut c = webhook();
    if let ChannelConfig::Webhook(w) = &mut c {
        w.url = Secret::new("not a url S3CRET");
    }
    invalid(c, "url");
    let mut c = webhook();
    if let ChannelConfig::Webhook(w) = &mut c {
        w.timeout_ms = Some(0);
    }
    invalid(c, "timeout_ms");
    let mut c = webhook();
    if let ChannelConfig::Webhook(w) = &mut c {
        w.timeout_ms = Some(10 * 60 * 1000);
    }
    invalid(c, "timeout_ms");
}

#[test]
fn notification_kinds_use_snake_case_names() {
    use larder_integrations::NotificationKind::*;
    for (kind, name) in [
        (NewIssue, "new_issue"),
        (Regression, "regression"),
        (Frequency, "frequency"),
        (UserFrequency, "user_frequency"),
        (ExternalIssue, "external_issue"),
        (Test, "test"),
    ] {
        assert_eq!(serde_json::to_value(kind).unwrap(), json!(name));
        assert_eq!(
            serde_json::from_value::<larder_integrations::NotificationKind>(json!(name)).unwrap(),
            kind
        );
    }
}
