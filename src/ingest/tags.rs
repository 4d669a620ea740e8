//! The tags an event is indexed by: its own tags plus the ones Sentry derives (level,
//! environment, release, user and its fields, browser, os, runtime, device, url, handled,
//! mechanism, transaction, platform, logger, SDK, the exception chain's types and the raised
//! exception's value). These feed `Issue.tags`, tag filters and search (`search::keys`).
use serde_json::Value;

use super::normalize::NormalizedEvent;

/// Longest tag value kept (the normaliser applies the same bound to client tags).
const MAX_VALUE: usize = 200;

pub fn derive(event: &NormalizedEvent) -> Vec<(String, String)> {
    let payload = &event.payload;
    let mut tags: Vec<(String, String)> = Vec::with_capacity(event.tags.len() + 8);
    let mut push = |key: &str, value: Option<String>| {
        if let Some(value) = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            && !tags.iter().any(|(k, _)| k == key)
        {
            let value: String = value.chars().take(MAX_VALUE).collect();
            tags.push((key.to_string(), value));
        }
    };
    push("level", Some(event.level.as_str().to_string()));
    push("environment", event.environment.clone());
    push("release", event.release.clone());
    push("user", event.user_key.clone());
    push("transaction", text(payload, &["transaction"]));
    push("url", text(payload, &["request", "url"]));
    push("browser", name_and_version(payload, "browser"));
    push(
        "browser.name",
        text(payload, &["contexts", "browser", "name"]),
    );
    push("os", name_and_version(payload, "os"));
    push("os.name", text(payload, &["contexts", "os", "name"]));
    push("runtime", name_and_version(payload, "runtime"));
    push(
        "runtime.name",
        text(payload, &["contexts", "runtime", "name"]),
    );
    push(
        "device.family",
        text(payload, &["contexts", "device", "family"]),
    );
    push("platform", text(payload, &["platform"]));
    push("logger", text(payload, &["logger"]));
    push("sdk.name", text(payload, &["sdk", "name"]));
    for (field, key) in [
        ("id", "user.id"),
        ("email", "user.email"),
        ("username", "user.username"),
        ("ip_address", "user.ip"),
    ] {
        push(
            key,
            payload
                .get("user")
                .and_then(|user| scalar(user.get(field)?)),
        );
    }
    push(
        "error.value",
        main_exception(payload).and_then(|e| text(e, &["value"])),
    );
    if let Some(mechanism) = main_exception(payload).and_then(|e| e.get("mechanism")) {
        push(
            "handled",
            mechanism
                .get("handled")
                .and_then(Value::as_bool)
                .map(|h| if h { "yes" } else { "no" }.to_string()),
        );
        push("mechanism", text(mechanism, &["type"]));
    }
    for (key, value) in &event.tags {
        push(key, Some(value.clone()));
    }
    // Every type of the exception chain, so that `error.type:KeyError` finds an error raised
    // while handling a KeyError too.
    for exception in exceptions(payload) {
        if let Some(kind) = text(exception, &["type"]).filter(|t| !t.is_empty())
            && !tags.iter().any(|(k, v)| k == "error.type" && *v == kind)
        {
            tags.push(("error.type".into(), kind.chars().take(MAX_VALUE).collect()));
        }
    }
    tags
}

/// A user field as text: ids come as strings or numbers.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn text(value: &Value, path: &[&str]) -> Option<String> {
    let mut current = value;
    for key in path {
        current = current.get(key)?;
    }
    current.as_str().map(str::to_string)
}

/// `Chrome 120.0` from a `contexts.<name>` object (`name` alone when there is no version).
fn name_and_version(payload: &Value, context: &str) -> Option<String> {
    let ctx = payload.get("contexts")?.get(context)?;
    let name = ctx.get("name")?.as_str()?;
    Some(match ctx.get("version").and_then(Value::as_str) {
        Some(version) => format!("{name} {version}"),
        None => name.to_string(),
    })
}

/// The exceptions of the chain, the cause first and the raised one last.
fn exceptions(payload: &Value) -> impl Iterator<Item = &Value> {
    payload
        .pointer("/exception/values")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// The raised exception: the last of the chain.
fn main_exception(payload: &Value) -> Option<&Value> {
    exceptions(payload).last()
}
