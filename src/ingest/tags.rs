//! The tags an event is indexed by: its own tags plus the ones Sentry derives (level,
//! environment, release, user and its fields, browser, os, runtime, device, url, handled,
//! mechanism, transaction, platform, logger, SDK, the exception chain's types and the raised
//! exception's value). These feed `Issue.tags`, tag filters and search (`search::keys`).
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
    let browser = payload.context("browser");
    let os = payload.context("os");
    let runtime = payload.context("runtime");
    let name = |context: &Option<crate::event::Context>| context.as_ref()?.name.clone();
    let name_and_version =
        |context: &Option<crate::event::Context>| context.as_ref()?.name_and_version();
    push("level", Some(event.level.as_str().to_string()));
    push("environment", event.environment.clone());
    push("release", event.release.clone());
    push("user", event.user_key.clone());
    push("transaction", payload.transaction.clone());
    push("url", payload.request.as_ref().and_then(|r| r.url.clone()));
    push("browser", name_and_version(&browser));
    push("browser.name", name(&browser));
    push("os", name_and_version(&os));
    push("os.name", name(&os));
    push("runtime", name_and_version(&runtime));
    push("runtime.name", name(&runtime));
    push(
        "device.family",
        payload.context("device").and_then(|d| d.family),
    );
    push("platform", payload.platform.clone());
    push("logger", payload.logger.clone());
    push(
        "sdk.name",
        payload.sdk.as_ref().and_then(|s| s.name.clone()),
    );
    if let Some(user) = &payload.user {
        push("user.id", user.id.clone());
        push("user.email", user.email.clone());
        push("user.username", user.username.clone());
        push("user.ip", user.ip_address.clone());
    }
    let main_exception = payload.main_exception();
    push("error.value", main_exception.and_then(|e| e.value.clone()));
    if let Some(mechanism) = main_exception.and_then(|e| e.mechanism.as_ref()) {
        push(
            "handled",
            mechanism
                .handled
                .map(|h| if h { "yes" } else { "no" }.to_string()),
        );
        push("mechanism", mechanism.kind.clone());
    }
    for (key, value) in &event.tags {
        push(key, Some(value.clone()));
    }
    // Every type of the exception chain, so that `error.type:KeyError` finds an error raised
    // while handling a KeyError too.
    for kind in payload
        .exceptions()
        .iter()
        .filter_map(|e| e.kind.as_deref())
    {
        if !kind.is_empty() && !tags.iter().any(|(k, v)| k == "error.type" && *v == kind) {
            tags.push(("error.type".into(), kind.chars().take(MAX_VALUE).collect()));
        }
    }
    tags
}
