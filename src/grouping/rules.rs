//! Project fingerprint rules, in Sentry's syntax (protocol spec §8.5):
//!
//! ```text
//! # comment
//! error.type:DatabaseError message:"connection * refused" -> database-down
//! stack.module:payments.* !app:no -> payments, {{ error.type }} title="Payments: {{ error.value }}"
//! ```
//!
//! All matchers of a line must match (frame matchers all on the same frame); the first matching
//! line wins and its fingerprint replaces the event's.
use crate::event::{self, Event};
use regex::Regex;

use super::frames::Frame;

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("line {line}: {message}")]
pub struct RuleError {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct FingerprintRules {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    /// The line as written, for explanations.
    pub text: String,
    matchers: Vec<Matcher>,
    pub fingerprint: Vec<String>,
    pub title: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Matcher {
    field: Field,
    negated: bool,
    pattern: Regex,
}

#[derive(Debug, Clone, PartialEq)]
enum Field {
    ErrorType,
    ErrorValue,
    Message,
    Logger,
    Level,
    Tag(String),
    Path,
    Module,
    Function,
    Package,
    Family,
    App,
}

impl Field {
    fn parse(name: &str) -> Option<Field> {
        Some(match name {
            "error.type" | "type" => Field::ErrorType,
            "error.value" | "value" => Field::ErrorValue,
            "message" => Field::Message,
            "logger" => Field::Logger,
            "level" => Field::Level,
            "stack.abs_path" | "path" => Field::Path,
            "stack.module" | "module" => Field::Module,
            "stack.function" | "function" => Field::Function,
            "stack.package" | "package" => Field::Package,
            "family" => Field::Family,
            "app" => Field::App,
            other => Field::Tag(other.strip_prefix("tags.")?.to_string()),
        })
    }

    fn is_frame(&self) -> bool {
        matches!(
            self,
            Field::Path | Field::Module | Field::Function | Field::Package | Field::App
        )
    }

    fn case_insensitive(&self) -> bool {
        matches!(
            self,
            Field::ErrorValue | Field::Message | Field::Level | Field::Path | Field::Package
        )
    }
}

/// What rules match against: the event and its normalised frames (of every exception).
pub struct Subject<'a> {
    pub event: &'a Event,
    pub frames: &'a [(&'a Frame, &'a event::Frame)],
}

impl FingerprintRules {
    pub fn empty() -> Self {
        FingerprintRules { rules: Vec::new() }
    }

    pub fn parse(text: &str) -> Result<Self, RuleError> {
        let mut rules = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            rules.push(parse_rule(line).map_err(|message| RuleError {
                line: index + 1,
                message,
            })?);
        }
        Ok(FingerprintRules { rules })
    }

    /// The first rule matching the event.
    pub fn first_match(&self, subject: &Subject<'_>) -> Option<&Rule> {
        self.rules.iter().find(|rule| rule.matches(subject))
    }
}

impl Rule {
    fn matches(&self, subject: &Subject<'_>) -> bool {
        let (frame_matchers, event_matchers): (Vec<&Matcher>, Vec<&Matcher>) =
            self.matchers.iter().partition(|m| m.field.is_frame());
        let event_ok = event_matchers
            .iter()
            .all(|m| m.matches_event(subject.event));
        let frames_ok = frame_matchers.is_empty()
            || subject
                .frames
                .iter()
                .any(|(frame, raw)| frame_matchers.iter().all(|m| m.matches_frame(frame, raw)));
        event_ok && frames_ok
    }
}

impl Matcher {
    /// Whether the matcher tests a frame (else the event).
    pub(super) fn is_frame(&self) -> bool {
        self.field.is_frame()
    }

    fn test(&self, value: Option<&str>) -> bool {
        value.is_some_and(|v| self.pattern.is_match(v)) != self.negated
    }

    fn test_any<'a>(&self, values: impl Iterator<Item = &'a str>) -> bool {
        let mut values = values.peekable();
        let any = values.any(|v| self.pattern.is_match(v));
        any != self.negated
    }

    pub(super) fn matches_event(&self, event: &Event) -> bool {
        let exceptions = event.exceptions().iter();
        let values = exceptions.clone().filter_map(|e| e.value.as_deref());
        match &self.field {
            Field::ErrorType => self.test_any(exceptions.filter_map(|e| e.kind.as_deref())),
            Field::ErrorValue => self.test_any(values),
            Field::Message => {
                let entry = event.logentry.as_ref();
                let formatted = entry.and_then(|l| l.formatted.as_deref());
                let template = entry.and_then(|l| l.message.as_deref());
                self.test_any([formatted, template].into_iter().flatten().chain(values))
            }
            Field::Logger => self.test(event.logger.as_deref()),
            Field::Level => self.test(event.level.map(|l| l.as_str())),
            Field::Family => self.test(Some(family(event.platform.as_deref().unwrap_or("other")))),
            Field::Tag(name) => self.test(event.tag(name)),
            _ => true,
        }
    }

    pub(super) fn matches_frame(&self, frame: &Frame, raw: &event::Frame) -> bool {
        match &self.field {
            Field::Path => {
                let path = raw
                    .abs_path
                    .as_deref()
                    .or(raw.filename.as_deref())
                    .map(|p| p.replace('\\', "/"));
                self.test(path.as_deref())
            }
            Field::Module => self.test(raw.module.as_deref()),
            Field::Function => self.test(raw.function.as_deref()),
            Field::Package => self.test(raw.package.as_deref()),
            Field::App => self.test(Some(if frame.in_app { "yes" } else { "no" })),
            _ => true,
        }
    }
}

fn family(platform: &str) -> &'static str {
    match platform {
        "javascript" | "node" => "javascript",
        "native" | "c" | "cocoa" | "objc" => "native",
        _ => "other",
    }
}

fn parse_rule(line: &str) -> Result<Rule, String> {
    let (left, right) = split_arrow(line).ok_or("expected `matchers -> fingerprint`")?;
    let matchers = parse_matchers(tokens(left)?)?;
    let (entries, title) = split_title(right.trim())?;
    let fingerprint: Vec<String> = entries
        .split(',')
        .map(|e| unquote(e.trim()))
        .filter(|e| !e.is_empty())
        .collect();
    if fingerprint.is_empty() {
        return Err("a rule needs a fingerprint after `->`".into());
    }
    Ok(Rule {
        text: line.to_string(),
        matchers,
        fingerprint,
        title,
    })
}

/// `[!]name:value` tokens as matchers (at least one).
pub(super) fn parse_matchers(tokens: Vec<String>) -> Result<Vec<Matcher>, String> {
    let mut matchers = Vec::new();
    for token in tokens {
        let (negated, token) = match token.strip_prefix('!') {
            Some(rest) => (true, rest.to_string()),
            None => (false, token),
        };
        let (name, value) = token
            .split_once(':')
            .ok_or_else(|| format!("expected `matcher:value`, got {token:?}"))?;
        let field = Field::parse(name).ok_or_else(|| format!("unknown matcher {name:?}"))?;
        let value = unquote(value);
        if value.is_empty() {
            return Err(format!("matcher {name:?} has no value"));
        }
        if field == Field::App
            && !matches!(value.as_str(), "yes" | "no" | "true" | "false" | "1" | "0")
        {
            return Err(format!("app: takes yes or no, got {value:?}"));
        }
        let value = match value.as_str() {
            "true" | "1" if field == Field::App => "yes".to_string(),
            "false" | "0" if field == Field::App => "no".to_string(),
            _ => value,
        };
        let pattern = glob(
            &value,
            matches!(field, Field::Path | Field::Package),
            field.case_insensitive(),
        )?;
        matchers.push(Matcher {
            field,
            negated,
            pattern,
        });
    }
    if matchers.is_empty() {
        return Err("a rule needs at least one matcher".into());
    }
    Ok(matchers)
}

fn split_arrow(line: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    let bytes = line.as_bytes();
    for i in 0..bytes.len().saturating_sub(1) {
        match bytes[i] {
            b'"' => quoted = !quoted,
            b'-' if !quoted && bytes[i + 1] == b'>' => return Some((&line[..i], &line[i + 2..])),
            _ => {}
        }
    }
    None
}

/// Whitespace-separated tokens; double quotes group (and may appear after `name:`).
pub(super) fn tokens(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            current.push('\\');
            current.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if quoted {
        return Err("unterminated quote".into());
    }
    if !current.is_empty() {
        out.push(current);
    }
    Ok(out)
}

fn unquote(text: &str) -> String {
    let text = text.trim();
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
        .to_string()
}

/// `a, b title="T"` → (`a, b`, Some(T)).
fn split_title(text: &str) -> Result<(&str, Option<String>), String> {
    match text.find("title=") {
        Some(at) => {
            let title = text[at + 6..].trim();
            if !(title.starts_with('"') && title.ends_with('"') && title.len() >= 2) {
                return Err("title must be quoted: title=\"…\"".into());
            }
            Ok((text[..at].trim(), Some(unquote(title))))
        }
        None => Ok((text, None)),
    }
}

/// A Sentry glob as an anchored regex. In paths `*` stays within a segment and `**` crosses them.
fn glob(pattern: &str, path: bool, case_insensitive: bool) -> Result<Regex, String> {
    let mut regex = String::from(if case_insensitive { "(?is)^" } else { "(?s)^" });
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                regex.push_str(&regex::escape(&chars[i + 1].to_string()));
                i += 1;
            }
            '*' if chars.get(i + 1) == Some(&'*') => {
                regex.push_str(".*");
                i += 1;
            }
            '*' => regex.push_str(if path { "[^/]*" } else { ".*" }),
            '?' => regex.push('.'),
            '[' => {
                let close = chars[i..]
                    .iter()
                    .position(|c| *c == ']')
                    .ok_or("unclosed `[` in a pattern")?;
                let class: String = chars[i + 1..i + close].iter().collect();
                let class = class.replacen('!', "^", 1);
                regex.push('[');
                regex.push_str(&class.replace('\\', "\\\\"));
                regex.push(']');
                i += close;
            }
            c => regex.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    regex.push('$');
    Regex::new(&regex).map_err(|e| format!("invalid pattern {pattern:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn subject_event() -> Event {
        crate::ingest::normalize::normalized_for_test(json!({
            "platform": "python", "level": "error", "logger": "shop.db",
            "exception": { "values": [{ "type": "OperationalError", "value": "Connection to DB refused",
                "stacktrace": { "frames": [
                    { "module": "shop.db.pool", "function": "connect", "abs_path": "/srv/shop/db/pool.py", "in_app": true }
                ] } }] },
            "tags": [["region", "eu-1"]],
        }))
    }

    fn first(rules: &str) -> Option<String> {
        let rules = FingerprintRules::parse(rules).unwrap();
        let event = subject_event();
        let raw = &event.exceptions()[0].stacktrace.as_ref().unwrap().frames[0];
        let frame = super::super::frames::normalize(std::slice::from_ref(raw), "python").remove(0);
        let frames = [(&frame, raw)];
        rules
            .first_match(&Subject {
                event: &event,
                frames: &frames,
            })
            .map(|r| r.fingerprint.join(","))
    }

    #[test]
    fn matchers_and_first_wins() {
        assert_eq!(
            first("error.type:OperationalError -> db"),
            Some("db".into())
        );
        assert_eq!(
            first("type:Operational* message:\"connection * refused\" -> db, down"),
            Some("db,down".into())
        );
        assert_eq!(
            first("error.type:operationalerror -> db"),
            None,
            "type is case-sensitive"
        );
        assert_eq!(
            first("value:*REFUSED -> v"),
            Some("v".into()),
            "value is not"
        );
        assert_eq!(
            first("!level:error -> x\nlogger:shop.* -> y"),
            Some("y".into())
        );
        assert_eq!(first("tags.region:eu-* -> eu"), Some("eu".into()));
        assert_eq!(
            first("stack.module:shop.db.* stack.function:connect -> pool"),
            Some("pool".into())
        );
        assert_eq!(
            first("path:/srv/*/pool.py -> p"),
            None,
            "* stays within a path segment"
        );
        assert_eq!(first("path:/srv/**/pool.py app:yes -> p"), Some("p".into()));
        assert_eq!(first("family:native -> n"), None);
    }

    #[test]
    fn titles_and_errors_name_the_line() {
        let rules =
            FingerprintRules::parse("# c\n\ntype:X -> a title=\"Custom {{ error.value }}\"")
                .unwrap();
        assert_eq!(
            rules.rules[0].title.as_deref(),
            Some("Custom {{ error.value }}")
        );
        for (text, line) in [
            ("type:X -> a\nnonsense", 2),
            ("# ok\nbogus:1 -> a", 2),
            ("type:X ->", 1),
            ("-> a", 1),
            ("message:\"unterminated -> a", 1),
            ("app:maybe -> a", 1),
        ] {
            assert_eq!(
                FingerprintRules::parse(text).unwrap_err().line,
                line,
                "{text}"
            );
        }
    }
}
