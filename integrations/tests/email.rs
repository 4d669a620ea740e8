//! E-mail against a real SMTP conversation with an in-process sink.

mod common;

use std::time::{Duration, Instant};

use common::{KEY, Mime, SilentServer, SmtpBehaviour, SmtpSink, notification, refused_addr};
use larder_integrations::{ChannelConfig, EmailConfig, Secret, SmtpSecurity, notifier_for};

const PASSWORD: &str = "smtp-pass-S3CRET";

fn config(port: u16, with_auth: bool) -> EmailConfig {
    EmailConfig {
        host: "127.0.0.1".to_string(),
        port: Some(port),
        security: SmtpSecurity::None,
        username: with_auth.then(|| "alerts@acme.test".to_string()),
        password: with_auth.then(|| Secret::new(PASSWORD)),
        from: "Larder <alerts@acme.test>".to_string(),
        to: vec![
            "oncall@acme.test".to_string(),
            "Dev Team <dev@acme.test>".to_string(),
        ],
        timeout_ms: Some(5_000),
    }
}

#[tokio::test]
async fn sends_multipart_mail_with_auth_plain() {
    let sink = SmtpSink::start(SmtpBehaviour::default()).await;
    let notifier = notifier_for(
        &ChannelConfig::Email(config(sink.port, true)),
        &common::loopback(),
    )
    .unwrap();
    let delivery = notifier.send(&notification()).await.expect("delivered");

    let sessions = sink.sessions(1).await;
    assert_eq!(sessions.len(), 1, "one SMTP session");
    let s = &sessions[0];

    // AUTH: lettre prefers PLAIN when offered; the credentials arrive intact.
    let (mechanism, user, pass) = s.auth.clone().expect("AUTH was sent");
    assert_eq!(mechanism, "PLAIN");
    assert_eq!(user, "alerts@acme.test");
    assert_eq!(pass, PASSWORD);

    // Envelope.
    assert_eq!(
        s.mail_from.as_deref().unwrap().split_whitespace().next(),
        Some("<alerts@acme.test>")
    );
    assert_eq!(s.rcpt_to, vec!["<oncall@acme.test>", "<dev@acme.test>"]);

    // Headers.
    let mime = Mime::parse(s.data.as_deref().expect("DATA was sent"));
    assert_eq!(mime.header("from"), Some("Larder <alerts@acme.test>"));
    let to = mime.header("to").unwrap();
    assert!(
        to.contains("oncall@acme.test") && to.contains("dev@acme.test"),
        "To: {to}"
    );
    assert_eq!(
        mime.header("subject"),
        Some("[web] New issue: ZeroDivisionError: division by zero")
    );
    let message_id = mime.header("message-id").unwrap();
    assert_eq!(message_id, format!("<larder.{KEY}@acme.test>"));
    assert_eq!(delivery.external_id.as_deref(), Some(message_id));
    assert!(delivery.detail.contains("250"), "{}", delivery.detail);
    assert!(
        mime.header("content-type")
            .unwrap()
            .starts_with("multipart/alternative")
    );

    // Body: text and HTML alternatives with the same facts.
    let parts = mime.parts();
    assert_eq!(parts.len(), 2, "text + html");
    let text = parts
        .iter()
        .find(|p| p.header("content-type").unwrap().starts_with("text/plain"))
        .expect("text part")
        .decoded_body();
    let html = parts
        .iter()
        .find(|p| p.header("content-type").unwrap().starts_with("text/html"))
        .expect("html part")
        .decoded_body();
    for needle in [
        "ZeroDivisionError: division by zero",
        "app.views in checkout",
        "Level: error",
        "Events: 17",
        "Users: 5",
        "First seen: 2024-05-01 10:00:00 UTC",
        "Last seen: 2024-05-02 11:30:00 UTC",
        "at checkout (app/views.py:42)",
        "> total = amount / count",
        "at compute (app/cart.py:7)",
        "https://larder.example/acme/web/issues/42/",
    ] {
        assert!(text.contains(needle), "text part lacks {needle:?}:\n{text}");
    }
    for needle in [
        "<a href=\"https://larder.example/acme/web/issues/42/\">ZeroDivisionError: division by zero</a>",
        "<code>app.views in checkout</code>",
        "<th align=\"left\" style=\"padding:2px 12px 2px 0;color:#555\">Events</th><td>17</td>",
        "<th align=\"left\" style=\"padding:2px 12px 2px 0;color:#555\">Users</th><td>5</td>",
        "2024-05-01 10:00:00 UTC",
        "at checkout (app/views.py:42)",
        "&gt; total = amount / count",
        "View issue</a>",
    ] {
        assert!(html.contains(needle), "html part lacks {needle:?}:\n{html}");
    }
}

#[tokio::test]
async fn uses_auth_login_when_that_is_all_the_server_offers() {
    let sink = SmtpSink::start(SmtpBehaviour {
        auth_mechanisms: "LOGIN",
        ..SmtpBehaviour::default()
    })
    .await;
    let notifier = notifier_for(
        &ChannelConfig::Email(config(sink.port, true)),
        &common::loopback(),
    )
    .unwrap();
    notifier.send(&notification()).await.expect("delivered");
    let (mechanism, user, pass) = sink.sessions(1).await[0]
        .auth
        .clone()
        .expect("AUTH was sent");
    assert_eq!(
        (mechanism.as_str(), user.as_str(), pass.as_str()),
        ("LOGIN", "alerts@acme.test", PASSWORD)
    );
}

#[tokio::test]
async fn no_auth_without_credentials() {
    let sink = SmtpSink::start(SmtpBehaviour::default()).await;
    let notifier = notifier_for(
        &ChannelConfig::Email(config(sink.port, false)),
        &common::loopback(),
    )
    .unwrap();
    notifier.send(&notification()).await.expect("delivered");
    let s = &sink.sessions(1).await[0];
    assert!(
        s.auth.is_none(),
        "AUTH sent without credentials: {:?}",
        s.auth
    );
    assert_eq!(s.rcpt_to.len(), 2);
}

#[tokio::test]
async fn rejected_credentials_are_not_retryable_and_do_not_leak() {
    let sink = SmtpSink::start(SmtpBehaviour {
        auth_reply: "535 5.7.8 Authentication credentials invalid",
        ..SmtpBehaviour::default()
    })
    .await;
    let notifier = notifier_for(
        &ChannelConfig::Email(config(sink.port, true)),
        &common::loopback(),
    )
    .unwrap();
    let err = notifier.send(&notification()).await.unwrap_err();
    assert!(!err.retryable, "{err:?}");
    assert!(
        err.message.contains("535") || err.message.to_lowercase().contains("authentication"),
        "{err:?}"
    );
    assert!(!err.message.contains(PASSWORD));
    assert!(
        sink.sessions(1).await[0].data.is_none(),
        "no message after failed AUTH"
    );
}

#[tokio::test]
async fn temporary_smtp_failure_is_retryable() {
    let sink = SmtpSink::start(SmtpBehaviour {
        mail_reply: "451 4.3.0 Try again later",
        ..SmtpBehaviour::default()
    })
    .await;
    let notifier = notifier_for(
        &ChannelConfig::Email(config(sink.port, false)),
        &common::loopback(),
    )
    .unwrap();
    let err = notifier.send(&notification()).await.unwrap_err();
    assert!(err.retryable, "{err:?}");
}

#[tokio::test]
async fn rejected_recipient_is_not_retryable() {
    let sink = SmtpSink::start(SmtpBehaviour {
        rcpt_reply: "550 5.1.1 No such user",
        ..SmtpBehaviour::default()
    })
    .await;
    let notifier = notifier_for(
        &ChannelConfig::Email(config(sink.port, false)),
        &common::loopback(),
    )
    .unwrap();
    let err = notifier.send(&notification()).await.unwrap_err();
    assert!(!err.retryable, "{err:?}");
}

#[tokio::test]
async fn refused_connection_is_retryable() {
    let addr = refused_addr();
    let notifier = notifier_for(
        &ChannelConfig::Email(config(addr.port(), false)),
        &common::loopback(),
    )
    .unwrap();
    let err = notifier.send(&notification()).await.unwrap_err();
    assert!(err.retryable, "{err:?}");
}

#[tokio::test]
async fn silent_server_times_out() {
    let silent = SilentServer::start().await;
    let mut c = config(silent.addr.port(), false);
    c.timeout_ms = Some(300);
    let notifier = notifier_for(&ChannelConfig::Email(c), &common::loopback()).unwrap();
    let started = Instant::now();
    let err = notifier.send(&notification()).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert!(err.retryable, "{err:?}");
    assert!(err.message.to_lowercase().contains("time"), "{err:?}");
}

#[test]
fn default_ports_follow_security() {
    let mut c = config(25, false);
    c.port = None;
    for (security, port) in [
        (SmtpSecurity::None, 25),
        (SmtpSecurity::Starttls, 587),
        (SmtpSecurity::Tls, 465),
    ] {
        c.security = security;
        assert_eq!(c.effective_port(), port);
        assert!(ChannelConfig::Email(c.clone()).validate().is_ok());
    }
    c.port = Some(2525);
    assert_eq!(c.effective_port(), 2525);
    let json = serde_json::to_value(ChannelConfig::Email(c)).unwrap();
    assert_eq!(json["type"], "email");
    assert_eq!(json["security"], "tls");
}
