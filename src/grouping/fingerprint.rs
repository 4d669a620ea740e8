//! Custom fingerprints: entries that are `{{ variable }}` resolve to facts of the event
//! (protocol spec §8.2); `{{ default }}` stands for the default algorithm's components.
use serde_json::Value;

use super::frames::Frame;

/// The variable name of an entry that is exactly `{{ name }}`, spaces optional.
pub fn variable(entry: &str) -> Option<&str> {
    let inner = entry.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    (!inner.is_empty() && !inner.contains(['{', '}'])).then_some(inner)
}

/// `["{{ default }}"]` (or nothing) is the same as no fingerprint.
pub fn is_default_only(entries: &[String]) -> bool {
    entries.iter().all(|e| variable(e) == Some("default"))
}

pub struct Variables<'a> {
    pub event: &'a Value,
    pub crash: Option<&'a Frame>,
    pub default_values: &'a [String],
}

impl Variables<'_> {
    /// The hash input of a fingerprint: literal entries as they are, variables resolved,
    /// `{{ default }}` replaced by the default components.
    pub fn expand(&self, entries: &[String]) -> Vec<String> {
        let mut values = Vec::with_capacity(entries.len());
        for entry in entries {
            match variable(entry) {
                Some("default") => values.extend(self.default_values.iter().cloned()),
                Some(name) => values.push(self.resolve(name).unwrap_or_else(|| entry.clone())),
                None => values.push(entry.clone()),
            }
        }
        values
    }

    /// A title template: every `{{ variable }}` inside the text replaced.
    pub fn expand_text(&self, template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("{{") {
            let Some(end) = rest[start..].find("}}") else {
                break;
            };
            out.push_str(&rest[..start]);
            let whole = &rest[start..start + end + 2];
            match variable(whole).and_then(|name| self.resolve(name)) {
                Some(value) => out.push_str(&value),
                None => out.push_str(whole),
            }
            rest = &rest[start + end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn text(&self, pointer: &str) -> Option<String> {
        self.event
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    fn main_exception(&self) -> Option<&Value> {
        self.event
            .pointer("/exception/values")
            .and_then(Value::as_array)?
            .last()
    }

    /// A variable's value, `<no-…>` when the event lacks it; `None` for unknown variables
    /// (kept literally).
    fn resolve(&self, name: &str) -> Option<String> {
        let crash_field = |key: &str| {
            self.crash
                .and_then(|f| match key {
                    "function" => Some(f.display_function.clone()),
                    _ => None,
                })
                .filter(|v| !v.is_empty())
        };
        let exception_field = |key: &str| {
            self.main_exception()
                .and_then(|e| e.get(key))
                .and_then(Value::as_str)
                .map(str::to_string)
        };

        match name {
            "transaction" => self
                .text("/transaction")
                .or(Some("<no-transaction>".into())),
            "error.type" | "type" => exception_field("type").or(Some("<no-type>".into())),
            "error.value" | "value" => exception_field("value").or(Some("<no-value>".into())),
            "message" => self
                .text("/logentry/formatted")
                .or_else(|| self.text("/logentry/message"))
                .or_else(|| exception_field("value"))
                .or(Some("<no-message>".into())),
            "stack.function" | "function" => {
                crash_field("function").or(Some("<no-function>".into()))
            }
            "stack.abs_path" | "path" => self
                .crash_raw("abs_path")
                .or_else(|| self.crash_raw("filename"))
                .or(Some("<no-abs-path>".into())),
            "stack.filename" => self
                .crash_raw("filename")
                .or_else(|| self.crash_raw("abs_path"))
                .or(Some("<no-filename>".into())),
            "stack.module" | "module" => self.crash_raw("module").or(Some("<no-module>".into())),
            "stack.package" | "package" => self
                .crash_raw("package")
                .map(|p| p.rsplit(['/', '\\']).next().unwrap_or(&p).to_string())
                .or(Some("<no-package>".into())),
            "level" => self.text("/level").or(Some("<no-level>".into())),
            "logger" => self
                .text("/logger")
                .filter(|l| !l.is_empty())
                .or(Some("<no-logger>".into())),
            other => {
                let tag = other.strip_prefix("tags.")?;
                let value = self
                    .event
                    .get("tags")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .find(|pair| pair.get(0).and_then(Value::as_str) == Some(tag))
                    .and_then(|pair| pair.get(1))
                    .and_then(Value::as_str)
                    .map(str::to_string);
                value.or(Some(format!("<no-value-for-tag-{tag}>")))
            }
        }
    }

    /// A raw field of the crash frame, found again through its position.
    fn crash_raw(&self, key: &str) -> Option<String> {
        let frame = self.crash?;
        let frames = self
            .main_exception()
            .and_then(|e| e.pointer("/stacktrace/frames"))
            .or_else(|| self.event.pointer("/stacktrace/frames"))?;
        frames
            .get(frame.raw_index)?
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_whole_entries() {
        assert_eq!(variable("{{ default }}"), Some("default"));
        assert_eq!(variable("{{default}}"), Some("default"));
        assert_eq!(variable("x {{ default }}"), None);
        assert!(is_default_only(&["{{ default }}".into()]));
        assert!(!is_default_only(&["{{ default }}".into(), "x".into()]));
    }
}
