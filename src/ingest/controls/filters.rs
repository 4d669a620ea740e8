//! Inbound filters (per-project settings): events from localhost, browser extensions, legacy
//! browsers and web crawlers, and errors or releases matching globs, are dropped before storage.
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::event::Event;

#[derive(Serialize, Deserialize, Default, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct InboundFilters {
    pub localhost: bool,
    pub browser_extensions: bool,
    pub legacy_browsers: bool,
    pub web_crawlers: bool,
    /// Globs (`*` any text) matched against `Type: value` and the message.
    pub error_messages: Vec<String>,
    /// Globs matched against the release.
    pub releases: Vec<String>,
}

static EXTENSION_FRAMES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(chrome|moz|safari|safari-web|ms-browser)-extension://|^resource://|^webkit-masked-url://").expect("regex")
});
static EXTENSION_MESSAGES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)top\.GLOBALS|originalCreateNotification|canvas\.contentDocument|MyApp_RemoveAllHighlights|atomicFindClose|conduitPage|ComboSearch is not defined|http://loading\.retry\.widdit\.com/|can't redefine non-configurable property .solana.|Non-Error promise rejection captured with value: Object Not Found Matching")
        .expect("regex")
});
static LEGACY_BROWSERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"MSIE [0-9]+\.|Trident/[0-7]\.|Opera/9\.80|Android [1-3]\.").expect("regex")
});
static CRAWLERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)googlebot|bingbot|slurp|duckduckbot|baiduspider|yandex(bot|images)|facebookexternalhit|ahrefsbot|semrushbot|applebot|petalbot|crawler|spider|headlesschrome|lighthouse|pingdom|uptimerobot|\bbot\b").expect("regex")
});

impl InboundFilters {
    /// The filter an event falls under, if any.
    pub fn check(&self, event: &Event) -> Option<&'static str> {
        if self.localhost && from_localhost(event) {
            return Some("localhost");
        }
        if self.browser_extensions && from_extension(event) {
            return Some("browser-extensions");
        }
        let agent = user_agent(event);
        if self.legacy_browsers
            && agent
                .as_deref()
                .is_some_and(|ua| LEGACY_BROWSERS.is_match(ua))
        {
            return Some("legacy-browsers");
        }
        if self.web_crawlers && agent.as_deref().is_some_and(|ua| CRAWLERS.is_match(ua)) {
            return Some("web-crawlers");
        }
        if !self.error_messages.is_empty()
            && messages(event)
                .iter()
                .any(|m| any_glob(&self.error_messages, m))
        {
            return Some("error-message");
        }
        let release = event.release.as_deref();
        if release.is_some_and(|r| any_glob(&self.releases, r)) {
            return Some("release-version");
        }
        None
    }
}

fn from_localhost(event: &Event) -> bool {
    let ip = event.user.as_ref().and_then(|u| u.ip_address.as_deref());
    let url_host = event
        .request
        .as_ref()
        .and_then(|r| r.url.as_deref())
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string));
    matches!(ip, Some("127.0.0.1" | "::1"))
        || matches!(
            url_host.as_deref(),
            Some("localhost" | "127.0.0.1" | "[::1]")
        )
}

fn from_extension(event: &Event) -> bool {
    let mut frames = event
        .exceptions()
        .iter()
        .filter_map(|e| e.stacktrace.as_ref())
        .flat_map(|s| &s.frames);
    frames.any(|f| {
        f.abs_path
            .as_deref()
            .is_some_and(|p| EXTENSION_FRAMES.is_match(p))
    }) || messages(event)
        .iter()
        .any(|m| EXTENSION_MESSAGES.is_match(m))
}

/// `User-Agent` from the request headers (an object or a list of pairs).
fn user_agent(event: &Event) -> Option<String> {
    let headers = event.request.as_ref()?.headers.as_ref()?;
    let pairs: Vec<(String, String)> = match headers {
        Value::Object(map) => map
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect(),
        Value::Array(list) => list
            .iter()
            .filter_map(|p| {
                Some((
                    p.get(0)?.as_str()?.to_string(),
                    p.get(1)?.as_str()?.to_string(),
                ))
            })
            .collect(),
        _ => Vec::new(),
    };
    pairs
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("user-agent"))
        .map(|(_, v)| v)
}

/// `Type: value` of each exception, and the message.
fn messages(event: &Event) -> Vec<String> {
    let mut out: Vec<String> = event
        .exceptions()
        .iter()
        .map(|e| {
            let kind = e.kind.as_deref().unwrap_or("");
            let value = e.value.as_deref().unwrap_or("");
            if kind.is_empty() {
                value.to_string()
            } else {
                format!("{kind}: {value}")
            }
        })
        .collect();
    if let Some(message) = event.logentry.as_ref().and_then(|l| l.formatted.clone()) {
        out.push(message);
    }
    out
}

fn any_glob(globs: &[String], text: &str) -> bool {
    globs.iter().any(|glob| {
        let pattern = format!(
            "(?is)^{}$",
            regex::escape(glob).replace(r"\*", ".*").replace(r"\?", ".")
        );
        Regex::new(&pattern).is_ok_and(|re| re.is_match(text))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(payload: &Value) -> Event {
        serde_json::from_value(payload.clone()).unwrap()
    }

    fn all() -> InboundFilters {
        InboundFilters {
            localhost: true,
            browser_extensions: true,
            legacy_browsers: true,
            web_crawlers: true,
            error_messages: vec!["*ResizeObserver loop*".into()],
            releases: vec!["*-dev".into()],
        }
    }

    #[test]
    fn each_filter() {
        let filters = all();
        for (event, reason) in [
            (
                json!({ "user": { "ip_address": "127.0.0.1" } }),
                Some("localhost"),
            ),
            (
                json!({ "request": { "url": "http://localhost:3000/x" } }),
                Some("localhost"),
            ),
            (
                json!({ "exception": { "values": [{ "type": "E", "stacktrace": { "frames": [{ "abs_path": "chrome-extension://abc/x.js" }] } }] } }),
                Some("browser-extensions"),
            ),
            (
                json!({ "request": { "headers": { "User-Agent": "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)" } } }),
                Some("legacy-browsers"),
            ),
            (
                json!({ "request": { "headers": [["user-agent", "Mozilla/5.0 (compatible; Googlebot/2.1)"]] } }),
                Some("web-crawlers"),
            ),
            (
                json!({ "exception": { "values": [{ "type": "Error", "value": "ResizeObserver loop limit exceeded" }] } }),
                Some("error-message"),
            ),
            (json!({ "release": "web@2.0-dev" }), Some("release-version")),
            (
                json!({ "release": "web@2.0", "user": { "ip_address": "203.0.113.1" },
                     "request": { "headers": { "User-Agent": "Mozilla/5.0 Chrome/120" } } }),
                None,
            ),
        ] {
            assert_eq!(filters.check(&read(&event)), reason, "{event}");
        }
        assert_eq!(
            InboundFilters::default()
                .check(&read(&json!({ "user": { "ip_address": "127.0.0.1" } }))),
            None
        );
    }
}
