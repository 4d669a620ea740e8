//! The event model against real SDK payloads: nothing sent is lost on the way through the
//! model, wrong shapes are dropped and noted, and every accepted shape reads the same.
use serde_json::{Value, json};

use super::*;
use crate::test_fixtures::vector_event;

/// Every SDK payload the repository holds.
fn captured_payloads() -> Vec<(String, Value)> {
    let folder = crate::test_fixtures::path("vectors");
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".envelope"))
        .collect();
    names.sort();
    names
        .into_iter()
        .filter(|name| name.starts_with("py-") || name.starts_with("rust-"))
        .map(|name| (name.clone(), vector_event(&name)))
        .filter(|(_, payload)| payload.get("event_id").is_some())
        .collect()
}

#[test]
fn every_captured_payload_round_trips_through_the_model() {
    let payloads = captured_payloads();
    assert!(payloads.len() >= 10, "only {} payloads", payloads.len());
    for (name, payload) in payloads {
        let Value::Object(object) = payload.clone() else {
            panic!("{name}: not an object");
        };
        let event = Event::from_sdk(object);
        assert_eq!(event.errors, [], "{name}: {:?}", event.errors);
        let mut expected = payload;
        for internal in INTERNAL {
            expected.as_object_mut().unwrap().remove(*internal);
        }
        assert_eq!(
            without_nulls(event.to_value()),
            without_nulls(canonical(expected)),
            "{name}"
        );
    }
}

/// The one shape the model writes for fields SDKs send in several: `message` folded into
/// `logentry`, wrappers as `{values}` (an empty list is no value), tags as pairs, timestamps as
/// RFC 3339 microseconds.
fn canonical(mut payload: Value) -> Value {
    let object = payload.as_object_mut().unwrap();
    if let Some(message) = object.remove("message") {
        let entry = object.entry("logentry").or_insert_with(|| json!({}));
        match message {
            Value::String(text) => {
                entry
                    .as_object_mut()
                    .unwrap()
                    .entry("formatted")
                    .or_insert(Value::String(text));
            }
            Value::Object(fields) => {
                for (key, value) in fields {
                    entry.as_object_mut().unwrap().entry(key).or_insert(value);
                }
            }
            _ => {}
        }
    }
    for field in ["exception", "threads", "breadcrumbs"] {
        if let Some(Value::Array(list)) = object.get(field).cloned() {
            object.insert(field.into(), json!({ "values": list }));
        }
        if object.get(field).and_then(|w| w.get("values")) == Some(&json!([])) {
            object.remove(field);
        }
    }
    if let Some(Value::Object(tags)) = object.get("tags").cloned() {
        object.insert(
            "tags".into(),
            Value::Array(tags.into_iter().map(|(k, v)| json!([k, v])).collect()),
        );
    }
    object.entry("tags").or_insert(json!([]));
    for field in ["timestamp", "start_timestamp"] {
        if let Some(t) = object.get(field).and_then(time::parse) {
            object.insert(field.into(), time::format(t).into());
        }
    }
    if let Some(crumbs) = object
        .get_mut("breadcrumbs")
        .and_then(|b| b.get_mut("values"))
        .and_then(Value::as_array_mut)
    {
        for crumb in crumbs {
            if let Some(t) = crumb.get("timestamp").and_then(time::parse) {
                crumb["timestamp"] = time::format(t).into();
            }
        }
    }
    payload
}

/// Nulls carry nothing, and the model does not keep them.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

#[test]
fn unknown_fields_are_kept_at_every_level() {
    let event = Event::from_sdk(
        json!({
            "my_field": { "a": 1 },
            "exception": { "values": [{ "type": "E", "x_exception": true,
                "mechanism": { "type": "generic", "x_mechanism": 2 },
                "stacktrace": { "x_stack": 3, "frames": [{ "function": "f", "x_frame": [4] }] } }] },
            "user": { "id": 7, "x_user": "u" },
            "contexts": { "gpu": { "name": "Radeon", "x": 1 } },
        })
        .as_object()
        .unwrap()
        .clone(),
    );
    let value = event.to_value();
    assert_eq!(value["my_field"], json!({ "a": 1 }));
    let exception = &value["exception"]["values"][0];
    assert_eq!(exception["x_exception"], true);
    assert_eq!(exception["mechanism"]["x_mechanism"], 2);
    assert_eq!(exception["stacktrace"]["x_stack"], 3);
    assert_eq!(exception["stacktrace"]["frames"][0]["x_frame"], json!([4]));
    assert_eq!(value["user"], json!({ "id": "7", "x_user": "u" }));
    assert_eq!(value["contexts"]["gpu"]["x"], 1);
}

#[test]
fn wrong_types_are_dropped_and_noted_and_nested_ones_dropped() {
    let event = Event::from_sdk(
        json!({
            "level": "loud",
            "timestamp": "yesterday",
            "release": { "v": 1 },
            "user": "not an object",
            "fingerprint": [{}],
            "exception": [{ "type": "E", "stacktrace": { "frames": [
                { "function": "f", "lineno": "twelve", "in_app": "yes" }, 7
            ] } }],
        })
        .as_object()
        .unwrap()
        .clone(),
    );
    let noted: Vec<&str> = event
        .errors
        .iter()
        .filter_map(|e| e.name.as_deref())
        .collect();
    assert_eq!(
        noted,
        [
            "exception",
            "fingerprint",
            "level",
            "release",
            "timestamp",
            "user"
        ]
        .into_iter()
        .filter(|n| *n != "exception")
        .collect::<Vec<_>>()
    );
    assert_eq!(
        (event.level, event.timestamp, &event.user),
        (None, None, &None)
    );
    let frames = &event.exceptions()[0].stacktrace.as_ref().unwrap().frames;
    assert_eq!(frames.len(), 1, "the number is not a frame");
    assert_eq!((frames[0].lineno, frames[0].in_app), (None, None));
    assert_eq!(frames[0].function.as_deref(), Some("f"));
}

#[test]
fn the_shapes_sdks_send_read_alike() {
    let read = |value: Value| Event::from_sdk(value.as_object().unwrap().clone());
    let single = read(json!({ "exception": { "type": "E", "value": 5 } }));
    let wrapped = read(json!({ "exception": { "values": [{ "type": "E", "value": "5" }] } }));
    let bare = read(json!({ "exception": [{ "type": "E", "value": "5" }] }));
    assert_eq!(single, wrapped);
    assert_eq!(bare, wrapped);
    assert_eq!(
        read(json!({ "tags": { "b": 2, "a": true } })).tags,
        [("a".into(), "True".into()), ("b".into(), "2".into())]
    );
    assert_eq!(read(json!({ "level": 40 })).level, Some(Level::Error));
    let message = read(json!({ "message": "hello" })).logentry.unwrap();
    assert_eq!(message.formatted.as_deref(), Some("hello"));
    let legacy = read(json!({ "sentry.interfaces.User": { "id": "u1" } }));
    assert_eq!(legacy.user.unwrap().id.as_deref(), Some("u1"));
    let internal = read(json!({ "_meta": {}, "project": 4, "hashes": ["a"] }));
    assert!(internal.other.is_empty());
}

#[test]
fn a_stored_event_reads_back_equal() {
    let payload = vector_event("py-01-exception-chained.envelope");
    let event = Event::from_sdk(payload.as_object().unwrap().clone());
    let stored = serde_json::to_string(&event).unwrap();
    let read: Event = serde_json::from_str(&stored).unwrap();
    assert_eq!(read, event);
}
