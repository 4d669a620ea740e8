//! Normalisation of the individual event fields whose values need checking (protocol spec §6):
//! platform, release and environment names, tags, and the log message formatted from its
//! template and parameters. Reading the shapes SDKs send them in is the event model's.
use serde_json::Value;

use crate::event::LogEntry;

/// Platforms Sentry knows; anything else is `other`.
const PLATFORMS: &[&str] = &[
    "as3",
    "c",
    "cfml",
    "cocoa",
    "csharp",
    "elixir",
    "go",
    "groovy",
    "haskell",
    "java",
    "javascript",
    "native",
    "node",
    "objc",
    "other",
    "perl",
    "php",
    "python",
    "ruby",
];
/// Tag keys clients may not set: the server derives them.
const RESERVED_TAGS: &[&str] = &["release", "dist", "user", "filename", "function"];
const MAX_TAG_KEY: usize = 200;
const MAX_TAG_VALUE: usize = 200;

pub fn platform(given: Option<&str>) -> &'static str {
    let given = given.unwrap_or("other");
    PLATFORMS
        .iter()
        .find(|p| **p == given)
        .copied()
        .unwrap_or("other")
}

/// A valid release name, trimmed (non-empty, ≤ 200 chars, no path separators or line breaks).
pub fn release(given: &str) -> Option<String> {
    let release = given.trim().to_string();
    let valid = !release.is_empty()
        && release.chars().count() <= 200
        && !release.contains(['\n', '\r', '\t', '/', '\\'])
        && !matches!(release.as_str(), "." | ".." | "latest");
    valid.then_some(release)
}

/// A valid environment name, trimmed (≤ 64 chars, no `/` or line breaks).
pub fn environment(given: &str) -> Option<String> {
    let environment = given.trim().to_string();
    let valid = !environment.is_empty()
        && environment.chars().count() <= 64
        && !environment.contains(['\n', '\r', '/']);
    valid.then_some(environment)
}

/// Valid tags: keys trimmed with spaces as dashes, invalid pairs dropped, duplicates resolved
/// first-wins, reserved keys removed.
pub fn tags(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        let key = key.trim().replace(' ', "-");
        let value = value.trim().to_string();
        let valid_key = !key.is_empty()
            && key.len() <= MAX_TAG_KEY
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c));
        let valid_value =
            !value.is_empty() && value.chars().count() <= MAX_TAG_VALUE && !value.contains('\n');
        if !valid_key
            || !valid_value
            || RESERVED_TAGS.contains(&key.as_str())
            || key.starts_with("sentry:")
        {
            continue;
        }
        if !tags.iter().any(|(k, _)| *k == key) {
            tags.push((key, value));
        }
    }
    tags
}

/// The log entry with `formatted` set (from the template and its parameters when the SDK did
/// not format it); the template kept only when it differs from the formatted text. `None` when
/// there is no text at all.
pub fn logentry(mut entry: LogEntry) -> Option<LogEntry> {
    let formatted = match entry.formatted.take() {
        Some(formatted) => formatted,
        None => format_params(entry.message.as_deref()?, entry.params.as_ref()),
    };
    if entry
        .message
        .as_deref()
        .is_none_or(|template| template == formatted)
    {
        entry.message = None;
        entry.params = None;
    }
    entry.formatted = Some(formatted);
    Some(entry)
}

/// Python `%` formatting (`%s`, `%d`, `%(name)s`) and `{}`/`{0}`/`{name}` placeholders, the
/// way logging integrations send templates with `params`.
pub fn format_params(template: &str, params: Option<&Value>) -> String {
    let Some(params) = params else {
        return template.to_string();
    };
    let text = |v: &Value| {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    };
    let mut out = String::with_capacity(template.len());
    let mut positional = params.as_array().map(|p| p.iter()).into_iter().flatten();
    let chars: Vec<char> = template.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '%' && i + 1 < chars.len() {
            if chars[i + 1] == '%' {
                out.push('%');
                i += 2;
                continue;
            }
            if chars[i + 1] == '('
                && let Some(close) = chars[i + 2..].iter().position(|c| *c == ')')
            {
                let name: String = chars[i + 2..i + 2 + close].iter().collect();
                let spec_end = i + 3 + close;
                if let (Some(value), true) = (params.get(&name), spec_end < chars.len()) {
                    out.push_str(&text(value));
                    i = spec_end + 1;
                    continue;
                }
            }
            // `%s`, `%d`, `%5.2f`…: flags and width, then the conversion letter.
            let mut j = i + 1;
            while j < chars.len() && "0123456789.-+ #".contains(chars[j]) {
                j += 1;
            }
            if j < chars.len()
                && chars[j].is_ascii_alphabetic()
                && let Some(value) = positional.next()
            {
                out.push_str(&text(value));
                i = j + 1;
                continue;
            }
        }
        if c == '{'
            && let Some(close) = chars[i + 1..].iter().position(|c| *c == '}')
        {
            let name: String = chars[i + 1..i + 1 + close].iter().collect();
            let value = if name.is_empty() {
                positional.next()
            } else if let Ok(index) = name.parse::<usize>() {
                params.get(index)
            } else {
                params.get(&name)
            };
            if let Some(value) = value {
                out.push_str(&text(value));
                i += close + 2;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn platforms_releases_environments() {
        assert_eq!(platform(Some("python")), "python");
        assert_eq!(platform(Some("rust")), "other");
        assert_eq!(release(" shop@1.2.3 "), Some("shop@1.2.3".into()));
        for bad in ["a/b", "latest", "", "x\ny"] {
            assert_eq!(release(bad), None, "{bad}");
        }
        assert_eq!(environment("prod"), Some("prod".into()));
        assert_eq!(environment("a/b"), None);
    }

    #[test]
    fn tags_are_checked() {
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        let checked = tags(vec![
            pair("z", "1"),
            pair("a b", "2"),
            pair("z", "dup"),
            pair("release", "x"),
            pair("bad key!", "v"),
            pair("empty", " "),
        ]);
        assert_eq!(checked, [pair("z", "1"), pair("a-b", "2")]);
    }

    #[test]
    fn message_and_logentry() {
        let entry = |value: Value| serde_json::from_value::<LogEntry>(value).unwrap();
        let python = logentry(entry(
            json!({ "message": "cart %s has %d items", "params": ["c-9", 3] }),
        ))
        .unwrap();
        assert_eq!(python.formatted.as_deref(), Some("cart c-9 has 3 items"));
        assert_eq!(python.message.as_deref(), Some("cart %s has %d items"));
        let same = logentry(entry(json!({ "message": "m", "formatted": "m" }))).unwrap();
        assert_eq!((same.message, same.formatted.as_deref()), (None, Some("m")));
        assert_eq!(logentry(entry(json!({ "params": [1] }))), None);
        assert_eq!(
            format_params("%(user)s did {0} %%", Some(&json!({ "user": "ann" }))),
            "ann did {0} %"
        );
        assert_eq!(
            format_params("{} and {}", Some(&json!(["a", 1]))),
            "a and 1"
        );
    }
}
