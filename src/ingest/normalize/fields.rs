//! Normalisation of the individual event fields SDKs send in more than one shape (protocol spec
//! §6): level, platform, release and environment, tags, fingerprint, the `values` wrappers, and
//! `message`/`logentry`.
use entity::states::Level;
use serde_json::{Map, Value};

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

/// `warn`, `WARNING`, `critical`, Python's numeric levels… → one of the five levels.
pub fn level(value: Option<&Value>) -> Option<Level> {
    let level = match value? {
        Value::String(text) => match text.trim().to_ascii_lowercase().as_str() {
            "debug" | "trace" => Level::Debug,
            "info" | "log" => Level::Info,
            "warning" | "warn" => Level::Warning,
            "error" => Level::Error,
            "fatal" | "critical" => Level::Fatal,
            _ => return None,
        },
        Value::Number(n) => match n.as_i64()? {
            0..=10 => Level::Debug,
            11..=20 => Level::Info,
            21..=30 => Level::Warning,
            31..=40 => Level::Error,
            41..=50 => Level::Fatal,
            _ => return None,
        },
        _ => return None,
    };
    Some(level)
}

pub fn platform(value: Option<&Value>) -> &'static str {
    let given = value.and_then(Value::as_str).unwrap_or("other");
    PLATFORMS
        .iter()
        .find(|p| **p == given)
        .copied()
        .unwrap_or("other")
}

/// A valid release name, trimmed (non-empty, ≤ 200 chars, no path separators or line breaks).
pub fn release(value: Option<&Value>) -> Option<String> {
    let release = stringify(value?)?.trim().to_string();
    let valid = !release.is_empty()
        && release.chars().count() <= 200
        && !release.contains(['\n', '\r', '\t', '/', '\\'])
        && !matches!(release.as_str(), "." | ".." | "latest");
    valid.then_some(release)
}

/// A valid environment name, trimmed (≤ 64 chars, no `/` or line breaks).
pub fn environment(value: Option<&Value>) -> Option<String> {
    let environment = value?.as_str()?.trim().to_string();
    let valid = !environment.is_empty()
        && environment.chars().count() <= 64
        && !environment.contains(['\n', '\r', '/']);
    valid.then_some(environment)
}

/// Strings stay, numbers and booleans become text (`true` → `True`, as Sentry shows them).
pub fn stringify(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("True".into()),
        Value::Bool(false) => Some("False".into()),
        _ => None,
    }
}

/// Tags as `[key, value]` pairs from an object (sorted by key) or a pair list (order kept);
/// invalid pairs dropped, duplicates resolved first-wins, reserved keys removed.
pub fn tags(value: Option<&Value>) -> Vec<(String, String)> {
    let pairs: Vec<(String, Option<String>)> = match value {
        Some(Value::Object(map)) => {
            let mut pairs: Vec<_> = map.iter().map(|(k, v)| (k.clone(), stringify(v))).collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            pairs
        }
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|pair| {
                let pair = pair.as_array()?;
                Some((stringify(pair.first()?)?, pair.get(1).and_then(stringify)))
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut tags: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        let key = key.trim().replace(' ', "-");
        let Some(value) = value.map(|v| v.trim().to_string()) else {
            continue;
        };
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

/// A fingerprint: a list of strings (numbers and booleans stringified); anything else is dropped.
pub fn fingerprint(value: Option<&Value>) -> Option<Vec<String>> {
    let entries = value?.as_array()?;
    let fingerprint: Option<Vec<String>> = entries
        .iter()
        .map(|v| match v {
            Value::Bool(b) => Some(b.to_string()),
            other => stringify(other),
        })
        .collect();
    fingerprint.filter(|f| !f.is_empty())
}

/// `{values: [...]}`, a bare list, or (for exceptions) a single object → `{values: [...]}`;
/// `None` when empty.
pub fn values_wrapper(value: Option<Value>, single_object_allowed: bool) -> Option<Value> {
    let list = match value? {
        Value::Array(list) => list,
        Value::Object(mut map) => match map.remove("values") {
            Some(Value::Array(list)) => list,
            Some(_) => return None,
            None if single_object_allowed && !map.is_empty() => vec![Value::Object(map)],
            None => return None,
        },
        _ => return None,
    };
    let list: Vec<Value> = list.into_iter().filter(Value::is_object).collect();
    // Moved into the wrapper: `json!` would serialise (deep-copy) the list, stack traces and all.
    (!list.is_empty())
        .then(|| Value::Object(Map::from_iter([("values".to_string(), Value::Array(list))])))
}

/// Merges a top-level `message` (string or object) into `logentry {message?, formatted, params?}`.
/// `message` keeps the template only when it differs from the formatted text.
pub fn logentry(message: Option<Value>, logentry: Option<Value>) -> Option<Value> {
    let mut entry: Map<String, Value> = match logentry {
        Some(Value::Object(map)) => map,
        Some(Value::String(text)) => {
            Map::from_iter([("formatted".to_string(), Value::String(text))])
        }
        _ => Map::new(),
    };
    match message {
        Some(Value::String(text))
            if !entry.contains_key("formatted") && !entry.contains_key("message") =>
        {
            entry.insert("formatted".into(), Value::String(text));
        }
        Some(Value::Object(object)) => {
            for (key, value) in object {
                entry.entry(key).or_insert(value);
            }
        }
        _ => {}
    }
    let template = entry.get("message").and_then(stringify);
    let formatted = match entry.get("formatted").and_then(stringify) {
        Some(formatted) => Some(formatted),
        None => template
            .as_ref()
            .map(|t| format_params(t, entry.get("params"))),
    };
    let formatted = formatted?;
    let mut out = Map::new();
    if let Some(template) = template.filter(|t| *t != formatted) {
        out.insert("message".into(), Value::String(template));
        if let Some(params) = entry.remove("params") {
            out.insert("params".into(), params);
        }
    }
    out.insert("formatted".into(), Value::String(formatted));
    Some(Value::Object(out))
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
    fn levels() {
        for (given, expected) in [
            (json!("WARN"), Some(Level::Warning)),
            (json!("critical"), Some(Level::Fatal)),
            (json!("log"), Some(Level::Info)),
            (json!(40), Some(Level::Error)),
            (json!(10), Some(Level::Debug)),
            (json!("loud"), None),
            (json!(true), None),
        ] {
            assert_eq!(level(Some(&given)), expected, "{given}");
        }
        assert_eq!(level(None), None);
    }

    #[test]
    fn platforms_releases_environments() {
        assert_eq!(platform(Some(&json!("python"))), "python");
        assert_eq!(platform(Some(&json!("rust"))), "other");
        assert_eq!(
            release(Some(&json!(" shop@1.2.3 "))),
            Some("shop@1.2.3".into())
        );
        for bad in [json!("a/b"), json!("latest"), json!(""), json!("x\ny")] {
            assert_eq!(release(Some(&bad)), None, "{bad}");
        }
        assert_eq!(environment(Some(&json!("prod"))), Some("prod".into()));
        assert_eq!(environment(Some(&json!("a/b"))), None);
    }

    #[test]
    fn tags_in_both_forms() {
        let object = tags(Some(
            &json!({ "b": 2, "a": true, "release": "x", "bad key!": "v", "n": null }),
        ));
        assert_eq!(
            object,
            [("a".into(), "True".into()), ("b".into(), "2".into())]
        );
        let pairs = tags(Some(&json!([
            ["z", "1"],
            ["a b", "2"],
            ["z", "dup"],
            ["only"]
        ])));
        assert_eq!(
            pairs,
            [("z".into(), "1".into()), ("a-b".into(), "2".into())]
        );
    }

    #[test]
    fn wrappers() {
        let single = values_wrapper(Some(json!({ "type": "E" })), true).unwrap();
        assert_eq!(single, json!({ "values": [{ "type": "E" }] }));
        let bare = values_wrapper(Some(json!([{ "a": 1 }, 5])), false).unwrap();
        assert_eq!(bare, json!({ "values": [{ "a": 1 }] }));
        assert_eq!(values_wrapper(Some(json!({})), true), None);
        assert_eq!(values_wrapper(Some(json!({ "values": [] })), true), None);
    }

    #[test]
    fn message_and_logentry() {
        assert_eq!(
            logentry(Some(json!("hello")), None),
            Some(json!({ "formatted": "hello" }))
        );
        let python = logentry(
            None,
            Some(json!({ "message": "cart %s has %d items", "params": ["c-9", 3] })),
        );
        assert_eq!(
            python,
            Some(
                json!({ "message": "cart %s has %d items", "params": ["c-9", 3], "formatted": "cart c-9 has 3 items" })
            )
        );
        let same = logentry(None, Some(json!({ "message": "m", "formatted": "m" })));
        assert_eq!(same, Some(json!({ "formatted": "m" })));
        assert_eq!(logentry(None, None), None);
        assert_eq!(
            format_params("%(user)s did {0} %%", Some(&json!({ "user": "ann" }))),
            "ann did {0} %"
        );
        assert_eq!(
            format_params("{} and {}", Some(&json!(["a", 1]))),
            "a and 1"
        );
    }

    #[test]
    fn fingerprints() {
        assert_eq!(
            fingerprint(Some(&json!(["{{ default }}", 42, true]))),
            Some(vec!["{{ default }}".into(), "42".into(), "true".into()])
        );
        assert_eq!(fingerprint(Some(&json!("nope"))), None);
        assert_eq!(fingerprint(Some(&json!([{}]))), None);
    }
}
