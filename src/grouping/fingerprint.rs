//! Custom fingerprints: entries that are `{{ variable }}` resolve to facts of the event
//! (protocol spec §8.2); `{{ default }}` stands for the default algorithm's components.
use super::frames::Frame;
use crate::event::{self, Event, Exception};

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
    pub event: &'a Event,
    /// The crash site, as grouping sees it and as the SDK sent it.
    pub crash: Option<(&'a Frame, &'a event::Frame)>,
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

    /// A variable's value, `<no-…>` when the event lacks it; `None` for unknown variables
    /// (kept literally).
    fn resolve(&self, name: &str) -> Option<String> {
        let event = self.event;
        let exception_field = |field: fn(&Exception) -> &Option<String>| {
            event.main_exception().and_then(|e| field(e).clone())
        };
        let crash_raw = |field: fn(&event::Frame) -> &Option<String>| {
            self.crash.and_then(|(_, raw)| field(raw).clone())
        };
        let logentry = event.logentry.as_ref();

        match name {
            "transaction" => event
                .transaction
                .clone()
                .or(Some("<no-transaction>".into())),
            "error.type" | "type" => exception_field(|e| &e.kind).or(Some("<no-type>".into())),
            "error.value" | "value" => exception_field(|e| &e.value).or(Some("<no-value>".into())),
            "message" => logentry
                .and_then(|l| l.formatted.clone().or_else(|| l.message.clone()))
                .or_else(|| exception_field(|e| &e.value))
                .or(Some("<no-message>".into())),
            "stack.function" | "function" => self
                .crash
                .map(|(frame, _)| frame.display_function.clone())
                .filter(|f| !f.is_empty())
                .or(Some("<no-function>".into())),
            "stack.abs_path" | "path" => crash_raw(|f| &f.abs_path)
                .or_else(|| crash_raw(|f| &f.filename))
                .or(Some("<no-abs-path>".into())),
            "stack.filename" => crash_raw(|f| &f.filename)
                .or_else(|| crash_raw(|f| &f.abs_path))
                .or(Some("<no-filename>".into())),
            "stack.module" | "module" => crash_raw(|f| &f.module).or(Some("<no-module>".into())),
            "stack.package" | "package" => crash_raw(|f| &f.package)
                .map(|p| p.rsplit(['/', '\\']).next().unwrap_or(&p).to_string())
                .or(Some("<no-package>".into())),
            "level" => event
                .level
                .map(|l| l.as_str().to_string())
                .or(Some("<no-level>".into())),
            "logger" => event
                .logger
                .clone()
                .filter(|l| !l.is_empty())
                .or(Some("<no-logger>".into())),
            other => {
                let tag = other.strip_prefix("tags.")?;
                let value = event.tag(tag).map(str::to_string);
                value.or(Some(format!("<no-value-for-tag-{tag}>")))
            }
        }
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
