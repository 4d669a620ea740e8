//! Default data scrubbing (protocol spec §7.6): values under sensitive keys and sensitive-looking
//! strings (card numbers, PEM keys, passwords in URLs, US social security numbers) become
//! `[Filtered]` in the free-form parts of an event: extra, contexts, request data, headers,
//! cookies, environment and query string, frame locals, breadcrumb data and user data.
use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};
use serde_json::{Map, Value};

use crate::event::{Event, Request};

pub const FILTERED: &str = "[Filtered]";

/// Keys whose values are secrets (substring match, case-insensitive).
const SENSITIVE_KEYS: &[&str] = &[
    "password",
    "secret",
    "passwd",
    "api_key",
    "apikey",
    "auth",
    "credentials",
    "mysql_pwd",
    "privatekey",
    "private_key",
    "token",
    "cookie",
    "session",
    "csrf",
    "xsrf",
];

#[derive(Clone, Debug, Default)]
pub struct ScrubSettings {
    pub enabled: bool,
    /// Further key substrings to treat as sensitive (project setting).
    pub extra_sensitive_keys: Vec<String>,
    /// Keys never scrubbed (project setting), matched exactly, case-insensitive.
    pub safe_keys: Vec<String>,
    /// Also remove IP addresses (user, request environment).
    pub scrub_ip_addresses: bool,
}

/// `SENSITIVE_KEYS` as one ASCII case-insensitive automaton: every key of every databag is
/// checked, so one pass without lowercasing a copy of the key first.
static SENSITIVE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    let alternatives: Vec<String> = SENSITIVE_KEYS.iter().map(|k| regex::escape(k)).collect();
    RegexBuilder::new(&alternatives.join("|"))
        .case_insensitive(true)
        .unicode(false)
        .build()
        .expect("valid sensitive-key regex")
});

static SENSITIVE_VALUES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        // Card numbers: 13–16 digits, optionally grouped by spaces or dashes.
        r"\b(?:\d[ -]?){12,15}\d\b",
        // PEM key bodies.
        r"|-----BEGIN[A-Z ]*PRIVATE KEY-----[\s\S]*?-----END[A-Z ]*PRIVATE KEY-----",
        // US social security numbers.
        r"|\b\d{3}-\d{2}-\d{4}\b",
    ))
    .expect("valid scrubbing regex")
});

/// `scheme://user:password@host` → the password filtered.
static URL_AUTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]+:)([^@/\s]+)(@)").expect("valid URL regex")
});

impl ScrubSettings {
    fn sensitive(&self, key: &str) -> bool {
        if self
            .safe_keys
            .iter()
            .any(|safe| safe.eq_ignore_ascii_case(key))
        {
            return false;
        }
        SENSITIVE_KEY.is_match(key) || self.extra_sensitive(key)
    }

    /// Whether `key` contains one of the project's own sensitive substrings.
    fn extra_sensitive(&self, key: &str) -> bool {
        if self.extra_sensitive_keys.is_empty() {
            return false;
        }
        let key = key.to_ascii_lowercase();
        self.extra_sensitive_keys
            .iter()
            .any(|s| !s.is_empty() && key.contains(&s.to_ascii_lowercase()))
    }

    /// Scrubs the free-form parts of an event (never exception values, messages or file paths).
    pub fn event(&self, event: &mut Event) {
        for bag in [&mut event.extra, &mut event.contexts]
            .into_iter()
            .flatten()
        {
            self.scrub_map(bag);
        }
        if let Some(request) = &mut event.request {
            self.request(request);
        }
        if let Some(data) = event.user.as_mut().and_then(|u| u.data.as_mut()) {
            self.scrub(data);
        }
        for frame in event.stacktraces_mut().flat_map(|s| &mut s.frames) {
            if let Some(vars) = &mut frame.vars {
                self.scrub(vars);
            }
        }
        for crumb in event.breadcrumbs.iter_mut().flat_map(|b| &mut b.values) {
            if let Some(data) = &mut crumb.data {
                self.scrub(data);
            }
        }
    }

    fn request(&self, request: &mut Request) {
        for part in [&mut request.data, &mut request.headers]
            .into_iter()
            .flatten()
        {
            self.scrub(part);
        }
        match &mut request.cookies {
            Some(Value::String(text)) => *text = self.scrub_pairs_string(text, ';'),
            Some(other) => self.scrub(other),
            None => {}
        }
        if let Some(env) = &mut request.env {
            self.scrub_map(env);
        }
        match &mut request.query_string {
            Some(Value::String(text)) => *text = self.scrub_pairs_string(text, '&'),
            Some(other) => self.scrub(other),
            None => {}
        }
        if let Some(url) = &mut request.url
            && let Some(scrubbed) = scrub_text(url)
        {
            *url = scrubbed;
        }
    }

    /// Scrubs a databag in place.
    pub fn scrub(&self, value: &mut Value) {
        match value {
            Value::Object(map) => self.scrub_map(map),
            Value::Array(items) => {
                // `[name, value]` pairs (headers, cookies, query strings as lists).
                if items.len() == 2 && items[0].as_str().is_some_and(|k| self.sensitive(k)) {
                    items[1] = Value::String(FILTERED.into());
                    return;
                }
                items.iter_mut().for_each(|item| self.scrub(item));
            }
            Value::String(text) => {
                if let Some(scrubbed) = scrub_text(text) {
                    *text = scrubbed;
                }
            }
            _ => {}
        }
    }

    /// Scrubs an object: values under sensitive keys filtered whatever they are.
    fn scrub_map(&self, map: &mut Map<String, Value>) {
        for (key, inner) in map.iter_mut() {
            if self.sensitive(key) && !inner.is_null() {
                *inner = Value::String(FILTERED.into());
            } else {
                self.scrub(inner);
            }
        }
    }

    /// Scrubs a `k=v&k2=v2` or `k=v; k2=v2` string (query strings, cookie headers).
    pub fn scrub_pairs_string(&self, text: &str, separator: char) -> String {
        text.split(separator)
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if self.sensitive(key.trim()) => format!("{key}={FILTERED}"),
                _ => pair.to_string(),
            })
            .collect::<Vec<_>>()
            .join(&separator.to_string())
    }
}

/// The text with sensitive-looking parts replaced, or `None` when nothing matched (most strings:
/// they are only read, never copied).
fn scrub_text(text: &str) -> Option<String> {
    let mut out = Cow::Borrowed(text);
    if SENSITIVE_VALUES.is_match(&out) {
        out = Cow::Owned(SENSITIVE_VALUES.replace_all(&out, FILTERED).into_owned());
    }
    if URL_AUTH.is_match(&out) {
        out = Cow::Owned(
            URL_AUTH
                .replace_all(&out, format!("${{1}}{FILTERED}${{3}}"))
                .into_owned(),
        );
    }
    match out {
        Cow::Owned(scrubbed) => Some(scrubbed),
        Cow::Borrowed(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings() -> ScrubSettings {
        ScrubSettings {
            enabled: true,
            ..Default::default()
        }
    }

    #[test]
    fn sensitive_keys_are_filtered_whatever_their_value() {
        let mut bag = json!({
            "password": "hunter2", "API_KEY": 42, "nested": { "auth_token": { "a": 1 }, "ok": "fine" },
            "Authorization": "Bearer abc", "session_id": "s", "user": "alice",
        });
        settings().scrub(&mut bag);
        assert_eq!(bag["password"], FILTERED);
        assert_eq!(bag["API_KEY"], FILTERED);
        assert_eq!(bag["nested"]["auth_token"], FILTERED);
        assert_eq!(bag["nested"]["ok"], "fine");
        assert_eq!(bag["Authorization"], FILTERED);
        assert_eq!(bag["session_id"], FILTERED);
        assert_eq!(bag["user"], "alice");
    }

    #[test]
    fn sensitive_values_are_filtered_in_place() {
        let mut bag = json!({
            "card": "paid with 4111 1111 1111 1111 today",
            "ssn": "123-45-6789",
            "dsn": "postgres://app:s3cr3t@db:5432/shop",
            "pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
            "count": "12 items",
        });
        settings().scrub(&mut bag);
        assert_eq!(bag["card"], "paid with [Filtered] today");
        assert_eq!(bag["ssn"], FILTERED);
        assert_eq!(bag["dsn"], "postgres://app:[Filtered]@db:5432/shop");
        assert_eq!(bag["pem"], FILTERED);
        assert_eq!(bag["count"], "12 items");
    }

    #[test]
    fn pairs_safe_keys_and_extra_keys() {
        let mut headers = json!([["Cookie", "sessionid=abc"], ["Accept", "text/html"]]);
        settings().scrub(&mut headers);
        assert_eq!(headers[0][1], FILTERED);
        assert_eq!(headers[1][1], "text/html");
        let custom = ScrubSettings {
            enabled: true,
            extra_sensitive_keys: vec!["iban".into()],
            safe_keys: vec!["auth_mode".into()],
            ..Default::default()
        };
        let mut bag = json!({ "customer_iban": "DE89", "auth_mode": "sso" });
        custom.scrub(&mut bag);
        assert_eq!(bag["customer_iban"], FILTERED);
        assert_eq!(bag["auth_mode"], "sso");
        assert_eq!(
            settings().scrub_pairs_string("a=1&token=x", '&'),
            "a=1&token=[Filtered]"
        );
    }
}
