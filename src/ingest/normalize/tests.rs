//! Normalisation of real SDK payloads and of each rule; never a panic on arbitrary JSON.
use std::net::IpAddr;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::test_fixtures::vector_event;
use entity::states::Level;

fn ctx() -> NormalizeContext {
    NormalizeContext {
        received: "2026-11-25T03:15:20Z".parse().unwrap(),
        sent_at: None,
        envelope_event_id: None,
        client_ip: Some("203.0.113.9".parse::<IpAddr>().unwrap()),
        sentry_client: Some("sentry.python/2.75.0".into()),
        scrub: ScrubSettings {
            enabled: true,
            ..Default::default()
        },
    }
}

#[test]
fn python_chained_exception() {
    let event = normalize_event(vector_event("py-01-exception-chained.envelope"), &ctx()).unwrap();
    assert_eq!(event.event_id, "7257a65ab4c34a7c88e8aa537b6a8f41");
    assert_eq!(event.level, Level::Error);
    assert_eq!(event.platform, "python");
    assert_eq!(event.release.as_deref(), Some("shop@1.2.3"));
    assert_eq!(event.environment.as_deref(), Some("prod"));
    assert!(event.tags.contains(&("tenant".into(), "acme".into())));
    assert!(event.tags.contains(&("server_name".into(), "web-1".into())));
    assert_eq!(event.user_key.as_deref().map(|k| &k[..3]), Some("id:"));
    let payload = event.payload.to_value();
    let values = payload["exception"]["values"].as_array().unwrap();
    assert_eq!(
        values
            .iter()
            .map(|v| v["type"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["KeyError", "ValueError"]
    );
    assert_eq!(event.payload.to_value()["type"], "error");
    assert!(
        event.payload.to_value()["timestamp"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
}

#[test]
fn rust_event_with_dashed_id_and_no_level() {
    let mut context = ctx();
    context.envelope_event_id = normalize_event_id("58787164-da29-4362-9e33-68b49995a5d8");
    let event = normalize_event(vector_event("rust-01-capture-error.envelope"), &context).unwrap();
    assert_eq!(event.event_id, "58787164da2943629e3368b49995a5d8");
    assert_eq!(event.level, Level::Error);
    assert_eq!(event.platform, "native");
}

#[test]
fn logging_template_and_message() {
    let event = normalize_event(vector_event("py-03-logging-logentry.envelope"), &ctx()).unwrap();
    assert_eq!(
        event.payload.to_value()["logentry"]["message"],
        "cart %s has %d items"
    );
    assert_eq!(event.message.as_deref(), Some("cart c-9 has 3 items"));
    let event = normalize_event(vector_event("py-02-capture-message.envelope"), &ctx()).unwrap();
    assert_eq!(
        event.message.as_deref(),
        Some("Payment for order 1234 failed")
    );
    assert_eq!(event.level, Level::Warning);
    assert!(event.payload.to_value().get("message").is_none());
    assert_eq!(event.payload.to_value()["type"], "default");
}

#[test]
fn envelope_id_wins_and_garbage_ids_are_replaced() {
    let mut context = ctx();
    context.envelope_event_id = Some("a".repeat(32));
    let event = normalize_event(json!({ "event_id": "b".repeat(32) }), &context).unwrap();
    assert_eq!(event.event_id, "a".repeat(32));
    let event = normalize_event(json!({ "event_id": "not-an-id" }), &ctx()).unwrap();
    assert_eq!(event.event_id.len(), 32);
}

#[test]
fn clock_drift_moves_every_timestamp() {
    let mut context = ctx();
    context.sent_at = Some("2026-11-25T01:15:20Z".parse().unwrap());
    let event = normalize_event(
        json!({ "timestamp": "2026-11-25T01:15:00Z", "breadcrumbs": [{ "timestamp": 1795569300.0, "message": "x" }] }),
        &context,
    )
    .unwrap();
    assert_eq!(
        event.payload.to_value()["timestamp"],
        "2026-11-25T03:15:00.000000Z"
    );
    assert_eq!(
        event.payload.to_value()["breadcrumbs"]["values"][0]["timestamp"],
        "2026-11-25T03:15:00.000000Z"
    );
    assert_eq!(event.payload.to_value()["errors"][0]["type"], "clock_drift");
}

#[test]
fn nan_and_wrong_types_never_reject() {
    for raw in [
        json!({ "timestamp": "NaN", "level": 12.5, "tags": "x", "exception": "boom", "fingerprint": {} }),
        json!({ "user": [1], "request": 5, "breadcrumbs": { "values": "x" }, "message": 7 }),
    ] {
        let event = normalize_event(raw, &ctx()).unwrap();
        assert_eq!(event.level, Level::Error);
        assert_eq!(event.timestamp, ctx().received);
    }
    assert_eq!(normalize_event(json!([1]), &ctx()).unwrap_err().status, 400);
}

#[test]
fn auto_ip_and_scrubbing() {
    let event = normalize_event(
        json!({
            "platform": "javascript",
            "extra": { "password": "x", "card": "4111-1111-1111-1111" },
            "request": { "headers": { "Authorization": "Bearer t" }, "query_string": "q=1&token=s",
                         "cookies": "sessionid=abc; theme=dark", "env": { "REMOTE_ADDR": "{{auto}}" } },
            "exception": { "values": [{ "type": "E", "value": "password=hunter2",
                "stacktrace": { "frames": [{ "function": "f", "vars": { "secret": "s", "n": 1 } }] } }] },
        }),
        &ctx(),
    )
    .unwrap();
    let p = &event.payload.to_value();
    assert_eq!(p["user"]["ip_address"], "203.0.113.9");
    assert_eq!(p["request"]["env"]["REMOTE_ADDR"], "203.0.113.9");
    assert_eq!(p["extra"]["password"], "[Filtered]");
    assert_eq!(p["extra"]["card"], "[Filtered]");
    assert_eq!(p["request"]["headers"]["Authorization"], "[Filtered]");
    assert_eq!(p["request"]["query_string"], "q=1&token=[Filtered]");
    assert_eq!(p["request"]["cookies"], "sessionid=[Filtered]; theme=dark");
    assert_eq!(
        p["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"]["secret"],
        "[Filtered]"
    );
    assert_eq!(
        p["exception"]["values"][0]["stacktrace"]["frames"][0]["vars"]["n"],
        1
    );
    // Exception values are never scrubbed (they are what the issue is about).
    assert_eq!(p["exception"]["values"][0]["value"], "password=hunter2");
    assert_eq!(event.user_key.as_deref(), Some("ip:203.0.113.9"));
}

#[test]
fn lone_exception_takes_the_top_level_stacktrace() {
    let event = normalize_event(
        json!({ "exception": [{ "type": "E" }], "stacktrace": { "frames": [{ "function": "f" }] } }),
        &ctx(),
    )
    .unwrap();
    assert_eq!(
        event.payload.to_value()["exception"]["values"][0]["stacktrace"]["frames"][0]["function"],
        "f"
    );
    assert!(event.payload.to_value().get("stacktrace").is_none());
}

#[test]
fn unknown_fields_are_kept() {
    let event = normalize_event(json!({ "my_field": { "a": 1 } }), &ctx()).unwrap();
    assert_eq!(event.payload.to_value()["my_field"]["a"], 1);
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        ".{0,20}".prop_map(Value::String),
        prop::sample::select(vec![
            "error",
            "{{auto}}",
            "2026-11-25T03:15:16Z",
            "values",
            "frames"
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "exception",
                    "values",
                    "stacktrace",
                    "frames",
                    "message",
                    "logentry",
                    "tags",
                    "level",
                    "timestamp",
                    "user",
                    "request",
                    "breadcrumbs",
                    "extra",
                    "fingerprint",
                    "event_id",
                    "params",
                    "formatted",
                    "env",
                    "REMOTE_ADDR",
                    "ip_address",
                    "type",
                    "value",
                    "vars",
                    "data",
                ])
                .prop_map(str::to_string),
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn never_panics_and_is_idempotent(raw in arbitrary_json()) {
        if let Ok(once) = normalize_event(raw, &ctx()) {
            let mut again_ctx = ctx();
            again_ctx.envelope_event_id = Some(once.event_id.clone());
            let twice = normalize_event(once.payload.to_value(), &again_ctx).unwrap();
            prop_assert_eq!(&twice.payload, &once.payload);
            prop_assert_eq!(twice.level, once.level);
        }
    }
}
