//! SMS through a Twilio-compatible Messages API on a local server.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::{MockServer, Recorded, Reply, notification};
use larder_integrations::{ChannelConfig, Secret, SmsConfig, notifier_for};
use serde_json::json;

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "twilio-token-S3CRET";

fn config(server: &MockServer, to: &[&str]) -> ChannelConfig {
    ChannelConfig::Sms(SmsConfig {
        account_sid: SID.to_string(),
        auth_token: Secret::new(TOKEN),
        from: "+15005550006".to_string(),
        to: to.iter().map(|s| s.to_string()).collect(),
        base_url: Some(server.url.clone()),
        timeout_ms: Some(5_000),
    })
}

/// Twilio's 201 answer for a queued message.
fn message(n: usize, r: &Recorded) -> Reply {
    let form = r.form();
    Reply::json(
        201,
        json!({
            "account_sid": SID, "api_version": "2010-04-01", "body": form["Body"],
            "date_created": "Thu, 02 May 2024 11:30:05 +0000", "date_sent": null, "date_updated": "Thu, 02 May 2024 11:30:05 +0000",
            "direction": "outbound-api", "error_code": null, "error_message": null,
            "from": form["From"], "to": form["To"], "messaging_service_sid": null,
            "num_media": "0", "num_segments": "1", "price": null, "price_unit": "USD",
            "sid": format!("SM{n:032}"), "status": "queued",
            "uri": format!("/2010-04-01/Accounts/{SID}/Messages/SM{n:032}.json")
        }),
    )
}

#[tokio::test]
async fn posts_one_form_per_recipient_with_basic_auth() {
    let counter = AtomicUsize::new(0);
    let server =
        MockServer::start(move |r| message(counter.fetch_add(1, Ordering::SeqCst) + 1, r)).await;
    let delivery = notifier_for(
        &config(&server, &["+15551230001", "+15551230002"]),
        &common::loopback(),
    )
    .unwrap()
    .send(&notification())
    .await
    .expect("delivered");

    assert_eq!(delivery.external_id, Some(format!("SM{:032}", 1)));
    assert!(
        delivery.detail.contains(&format!("SM{:032}", 2)),
        "{}",
        delivery.detail
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for (r, to) in requests.iter().zip(["+15551230001", "+15551230002"]) {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, format!("/2010-04-01/Accounts/{SID}/Messages.json"));
        assert_eq!(r.basic_auth(), Some((SID.to_string(), TOKEN.to_string())));
        assert_eq!(
            r.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        let form = r.form();
        assert_eq!(form["To"], to);
        assert_eq!(form["From"], "+15005550006");
        assert_eq!(
            form["Body"],
            "ERROR web: ZeroDivisionError: division by zero https://larder.example/acme/web/issues/42/"
        );
        assert_eq!(form.len(), 3, "{form:?}");
    }
}

#[tokio::test]
async fn long_titles_are_cut_to_one_segment() {
    let server = MockServer::start(|r| message(1, r)).await;
    let mut n = notification();
    n.issue.title = format!("KeyError: {}", "very_long_key_name ".repeat(30));
    notifier_for(&config(&server, &["+15551230001"]), &common::loopback())
        .unwrap()
        .send(&n)
        .await
        .expect("delivered");
    let body = server.requests()[0].form()["Body"].clone();
    assert!(
        body.chars().count() <= 160,
        "{} chars: {body}",
        body.chars().count()
    );
    assert!(
        body.starts_with("ERROR web: KeyError: very_long_key_name"),
        "{body}"
    );
    assert!(body.contains('…'), "{body}");
    assert!(
        body.ends_with(" https://larder.example/acme/web/issues/42/"),
        "{body}"
    );
}

#[tokio::test]
async fn invalid_number_error_is_not_retryable() {
    let server = MockServer::always(Reply::json(
        400,
        json!({"code": 21211, "message": "The 'To' number +1555 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}),
    ))
    .await;
    let err = notifier_for(&config(&server, &["+15551230001"]), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .unwrap_err();
    assert!(!err.retryable, "{err:?}");
    assert!(err.message.contains("21211"), "{err:?}");
    assert!(!err.message.contains(TOKEN));
}
