//! Step 6: grouping. Turns a normalised event into the hashes that route it to an issue, plus
//! the issue's title and culprit and an explanation of every component that made the hash.
//!
//! Fingerprint sources, in order:
//! 1. a project fingerprint rule (`rules`) — replaces any fingerprint the SDK sent;
//! 2. the event's own `fingerprint` (variables expanded, `{{ default }}` = the default hash input);
//! 3. the default algorithm:
//!    - exceptions: for each exception of the chain, its type and its **crash site** — the
//!      innermost application frame (module or file, function, source line; never line numbers).
//!      One faulty code site is one bug whatever path led to it, so callers do not split an
//!      issue; recursion depth, library frames and the handled/unhandled mechanism do not either.
//!      With no application frame the whole (recursion-collapsed) stack counts; with no stack,
//!      the type and the parameterised value;
//!    - a thread or top-level stack trace the same way;
//!    - the message template (`logentry.message`, else the message with variable parts replaced);
//!    - else the fallback bucket.
//!
//! The algorithm is versioned ([`CURRENT_CONFIG`], stored per project): a change of behaviour is a
//! new config id, never a silent change that would split every existing issue.
mod fingerprint;
mod frames;
mod message;
pub mod record;
mod rules;
pub mod similarity;
mod stack_rules;

use serde::Serialize;
use sha2::{Digest, Sha256};

pub use rules::{FingerprintRules, RuleError};
pub use similarity::SimilarityFeatures;
pub use stack_rules::StackRules;

use crate::event::{self, Event};
use frames::Frame;

/// The grouping algorithm new projects use.
pub const CURRENT_CONFIG: &str = "larder:2026-12";
/// The first algorithm: as `larder:2026-12`, without joining stack-less events by the shape of
/// their message (`Shape`).
pub const FIRST_CONFIG: &str = "larder:2026-11";

/// Longest title kept (Sentry cuts the exception value similarly).
const MAX_TITLE: usize = 200;

pub struct GroupingConfig {
    pub id: String,
    pub rules: FingerprintRules,
    /// The project's stack-trace rules, applied to frames before the crash site is chosen.
    pub stack_rules: StackRules,
}

/// Why an event got its hash.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Explanation {
    pub config: String,
    /// `fingerprint_rule`, `custom_fingerprint`, `exception`, `stacktrace`, `exception_value`,
    /// `message` or `fallback`.
    pub source: &'static str,
    /// The project rule that matched, as written.
    pub rule: Option<String>,
    /// The fingerprint that decided, when one did.
    pub fingerprint: Option<Vec<String>>,
    /// Every component considered, with whether it contributed and why (not).
    pub components: Vec<Component>,
    /// Set when the event's new hash joined an existing issue by similarity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<SimilarityJoin>,
}

/// How a new hash joined an existing issue instead of opening one.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SimilarityJoin {
    pub issue_id: i64,
    /// Signature distance to the issue (0 identical, 1 nothing shared).
    pub distance: f64,
    /// The evidence, in words: `same type, value differs in 1 word`.
    pub reason: String,
}

/// Exception types too general to say which code failed: a stack-less event of one of these
/// joins another only by the shape of its message.
const GENERIC_TYPES: &[&str] = &[
    "Error",
    "Exception",
    "error",
    "Err",
    "panic",
    "Panic",
    "UnhandledRejection",
    "TypeError",
    "RangeError",
    "ReferenceError",
    "SyntaxError",
    "ValueError",
    "RuntimeError",
    "Object",
    "String",
    "&str",
    "*errors.errorString",
    "*fmt.wrapError",
];

/// The exception type, when it is specific enough to identify an error by itself.
pub(crate) fn specific_type(kind: Option<&str>) -> Option<&str> {
    kind.filter(|k| !k.is_empty() && !GENERIC_TYPES.contains(k))
}

/// A stack-less event's message as its issue is matched by (`message::same_shape`): the
/// exception type, if any, and the template of its value or message.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    pub kind: Option<String>,
    pub template: String,
}

impl Shape {
    /// Whether `other` (an existing issue's shape) is the same error formatted from different
    /// values; the reason in words. Never across exception types.
    pub fn joins(&self, other: &Shape) -> Option<String> {
        if self.kind != other.kind {
            return None;
        }
        let Some(differing) = message::same_shape(&self.template, &other.template) else {
            // A specific error type reported without a stack is one failure of one piece of
            // code whatever its message says (Rust's `ParseIntError` has a message per input).
            return specific_type(self.kind.as_deref()).map(|kind| {
                format!("same error type {kind} without a stack trace; messages differ")
            });
        };
        let what = if self.kind.is_some() {
            "same type, value"
        } else {
            "message"
        };
        let words = if differing == 1 { "word" } else { "words" };
        Some(format!("{what} differs in {differing} {words}"))
    }

    /// The shape an issue's stored explanation records, when it was grouped without a stack.
    pub fn of_explanation(record: &record::ExplanationRecord) -> Option<Shape> {
        let parts = record
            .components
            .iter()
            .map(|c| (c.kind.as_str(), c.value.as_str(), c.contributes));
        Shape::of_parts(&record.source, parts)
    }

    /// From a grouping's source and its components (kind, value, contributes): the last
    /// contributing type and its value, or the message.
    fn of_parts<'a>(
        source: &str,
        components: impl DoubleEndedIterator<Item = (&'a str, &'a str, bool)> + Clone,
    ) -> Option<Shape> {
        if !matches!(source, "message" | "exception_value") {
            return None;
        }
        let contributing = |kind: &str| {
            components
                .clone()
                .rev()
                .find(|(k, _, contributes)| *contributes && *k == kind)
                .map(|(_, value, _)| value.to_string())
        };
        Some(Shape {
            kind: contributing("type"),
            template: contributing("message").or_else(|| contributing("value"))?,
        })
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Component {
    pub kind: &'static str,
    pub value: String,
    pub contributes: bool,
    pub hint: Option<String>,
}

#[derive(Clone)]
pub struct GroupingOutcome {
    /// 32 lowercase hex; the primary first.
    pub hashes: Vec<String>,
    pub explanation: Explanation,
    pub title: String,
    pub culprit: Option<String>,
    pub similarity: SimilarityFeatures,
    /// For an event grouped without a stack trace by its message or value: what may join it
    /// to an issue of the same shape (not under `FIRST_CONFIG`).
    pub shape: Option<Shape>,
}

/// One exception of the chain with its normalised frames (and the raw frames for rules).
struct Exception<'a> {
    kind: Option<&'a str>,
    value: Option<&'a str>,
    /// `value` with its variable parts replaced (`message::template`), computed once: the
    /// hash components and the similarity features both read it.
    template: Option<String>,
    synthetic: bool,
    stack: Stack<'a>,
}

/// Normalised frames and the event's frames they index into (rules match the sent fields).
#[derive(Default)]
struct Stack<'a> {
    frames: Vec<Frame>,
    raw: &'a [event::Frame],
}

impl<'a> Stack<'a> {
    fn new(
        stacktrace: Option<&'a event::Stacktrace>,
        platform: &str,
        event: &Event,
        rules: &StackRules,
    ) -> Self {
        let raw = stacktrace.map(|s| s.frames.as_slice()).unwrap_or(&[]);
        let mut frames = frames::normalize(raw, platform);
        rules.apply(event, &mut frames, raw);
        Stack { frames, raw }
    }

    fn pairs(&self) -> impl DoubleEndedIterator<Item = (&Frame, &event::Frame)> {
        self.frames.iter().map(|f| (f, &self.raw[f.raw_index]))
    }
}

/// What the default algorithm decided.
pub(crate) struct DefaultGrouping {
    source: &'static str,
    components: Vec<Component>,
    /// The contributing values, in order: the hash input.
    values: Vec<String>,
}

pub fn group_event(event: &Event, config: &GroupingConfig) -> GroupingOutcome {
    let platform = event.platform.as_deref().unwrap_or("other");
    let chain = exceptions(event, platform, &config.stack_rules);
    let stack = standalone_stack(event, platform, &config.stack_rules);
    let default = default_grouping(event, &chain, &stack);
    let all_frames: Vec<(&Frame, &event::Frame)> = chain
        .iter()
        .flat_map(|e| e.stack.pairs())
        .chain(stack.pairs())
        .collect();
    let crash = crash_frame(&chain, &stack);

    let rule = config.rules.first_match(&rules::Subject {
        event,
        frames: &all_frames,
    });
    let custom = match rule {
        Some(rule) => Some(("fingerprint_rule", rule.fingerprint.clone())),
        None => event
            .fingerprint
            .clone()
            .filter(|f| !f.is_empty() && !fingerprint::is_default_only(f))
            .map(|f| ("custom_fingerprint", f)),
    };
    let variables = fingerprint::Variables {
        event,
        crash,
        default_values: &default.values,
    };
    let title = match rule.and_then(|r| r.title.as_deref()) {
        Some(template) => variables.expand_text(template),
        None => title(event, &chain),
    };
    let (source, values, fingerprint, components) = match custom {
        Some((source, entries)) => {
            let values = variables.expand(&entries);
            let mut components = default.components;
            let hybrid = entries
                .iter()
                .any(|e| fingerprint::variable(e) == Some("default"));
            for component in &mut components {
                if !hybrid {
                    component.contributes = false;
                    component.hint = Some("a fingerprint decides instead".into());
                }
            }
            (source, values, Some(entries), components)
        }
        None => (default.source, default.values, None, default.components),
    };
    let shape = (config.id != FIRST_CONFIG && fingerprint.is_none())
        .then(|| {
            let parts = components
                .iter()
                .map(|c| (c.kind, c.value.as_str(), c.contributes));
            Shape::of_parts(source, parts)
        })
        .flatten();
    GroupingOutcome {
        hashes: vec![hash(&values)],
        explanation: Explanation {
            config: config.id.clone(),
            source,
            rule: rule.map(|r| r.text.clone()),
            fingerprint,
            components,
            similarity: None,
        },
        title: cut(&title, MAX_TITLE),
        culprit: culprit(
            event,
            culprit_frame(&chain, &stack).or(crash.map(|(f, _)| f)),
        ),
        similarity: features(event, &chain, &stack),
        shape,
    }
}

/// 128 bits of SHA-256 over the components, separated so `["ab"]` and `["a", "b"]` differ.
fn hash(values: &[String]) -> String {
    let mut digest = Sha256::new();
    for value in values {
        digest.update(value.as_bytes());
        digest.update([0u8]);
    }
    hex::encode(&digest.finalize()[..16])
}

fn exceptions<'a>(event: &'a Event, platform: &str, rules: &StackRules) -> Vec<Exception<'a>> {
    event
        .exceptions()
        .iter()
        .map(|e| {
            let value = e.value.as_deref().filter(|v| !v.is_empty());
            Exception {
                kind: e.kind.as_deref().filter(|t| !t.is_empty()),
                value,
                template: value.map(message::template),
                synthetic: e.mechanism.as_ref().and_then(|m| m.synthetic) == Some(true),
                stack: Stack::new(e.stacktrace.as_ref(), platform, event, rules),
            }
        })
        .collect()
}

/// The crashed (else current, else only) thread's stack, else the top-level `stacktrace`.
fn standalone_stack<'a>(event: &'a Event, platform: &str, rules: &StackRules) -> Stack<'a> {
    let threads: Vec<&event::Thread> = event
        .threads
        .iter()
        .flat_map(|t| &t.values)
        .filter(|t| t.stacktrace.is_some())
        .collect();
    let pick = |flag: fn(&event::Thread) -> Option<bool>| {
        let flagged: Vec<&&event::Thread> =
            threads.iter().filter(|t| flag(t) == Some(true)).collect();
        (flagged.len() == 1).then(|| *flagged[0])
    };
    let thread = pick(|t| t.crashed)
        .or_else(|| pick(|t| t.current))
        .or_else(|| (threads.len() == 1).then(|| threads[0]));
    let stacktrace = thread
        .and_then(|t| t.stacktrace.as_ref())
        .or(event.stacktrace.as_ref());
    Stack::new(stacktrace, platform, event, rules)
}

/// The crash site: the innermost application frame of the raised exception (else of the
/// standalone stack), else its innermost frame.
fn crash_frame<'a>(
    chain: &'a [Exception<'a>],
    stack: &'a Stack<'a>,
) -> Option<(&'a Frame, &'a event::Frame)> {
    let main = main_stack(chain, stack);
    main.pairs()
        .rev()
        .find(|(f, _)| f.in_app && !f.excluded)
        .or_else(|| main.pairs().rev().find(|(f, _)| !f.excluded))
}

/// The frame the culprit names: the innermost application frame with a function name (an
/// anonymous callback says less than the function it was written in).
fn culprit_frame<'a>(chain: &'a [Exception<'a>], stack: &'a Stack<'a>) -> Option<&'a Frame> {
    main_stack(chain, stack).frames.iter().rev().find(|f| {
        f.in_app && !f.excluded && !f.display_function.is_empty() && !f.function.is_empty()
    })
}

/// The frames of the raised exception, else of the standalone stack.
fn main_stack<'a>(chain: &'a [Exception<'a>], stack: &'a Stack<'a>) -> &'a Stack<'a> {
    chain
        .last()
        .map(|e| &e.stack)
        .filter(|s| !s.frames.is_empty())
        .unwrap_or(stack)
}

/// Components of one stack: the crash site when there is an application frame (its callers
/// listed as not contributing), else every frame.
fn stack_components(
    frames: &[Frame],
    components: &mut Vec<Component>,
    values: &mut Vec<String>,
) -> bool {
    if frames.is_empty() {
        return false;
    }
    let crash = frames.iter().rposition(|f| f.in_app && !f.excluded);
    for (index, frame) in frames.iter().enumerate() {
        let contributes = match crash {
            Some(crash) => index == crash,
            None => !frame.excluded,
        };
        let mut hints: Vec<String> = frame.hints.iter().map(|h| h.to_string()).collect();
        if let Some(rule) = &frame.rule {
            hints.push(rule.clone());
        }
        if frame.excluded {
            hints.push("left out of grouping by a stack-trace rule".into());
        } else if !contributes {
            hints.push(if frame.in_app {
                "caller of the crash site: the path to a bug does not change which bug it is".into()
            } else {
                "not application code".into()
            });
        } else if crash.is_none() {
            hints.push("no application frame: the whole stack identifies the error".into());
        } else {
            hints.push("crash site: innermost application frame".into());
        }
        let identity = frame.identity();
        if contributes {
            values.push(identity.clone());
        }
        components.push(Component {
            kind: "frame",
            value: identity,
            contributes,
            hint: Some(hints.join("; ")),
        });
    }
    true
}

fn default_grouping(event: &Event, chain: &[Exception<'_>], stack: &Stack<'_>) -> DefaultGrouping {
    let mut components = Vec::new();
    let mut values = Vec::new();
    if !chain.is_empty() {
        let mut any_stack = false;
        for exception in chain {
            let has_stack = stack_components(&exception.stack.frames, &mut components, &mut values);
            any_stack |= has_stack;
            if let Some(kind) = exception.kind {
                let contributes = !exception.synthetic;
                components.push(Component {
                    kind: "type",
                    value: kind.to_string(),
                    contributes,
                    hint: (!contributes)
                        .then(|| "synthetic exception: its type is made up by the SDK".into()),
                });
                if contributes {
                    values.push(kind.to_string());
                }
            }
            if let Some(template) = &exception.template {
                components.push(Component {
                    kind: "value",
                    value: template.clone(),
                    contributes: !has_stack,
                    hint: Some(if has_stack {
                        "the stack trace identifies the error; values vary".into()
                    } else {
                        "no stack trace: the value, with variable parts replaced".into()
                    }),
                });
                if !has_stack {
                    values.push(template.clone());
                }
            }
        }
        if !values.is_empty() {
            let source = if any_stack {
                "exception"
            } else {
                "exception_value"
            };
            return DefaultGrouping {
                source,
                components,
                values,
            };
        }
    }
    if stack_components(&stack.frames, &mut components, &mut values) {
        return DefaultGrouping {
            source: "stacktrace",
            components,
            values,
        };
    }
    let template = log_message(event).map(message::template);
    if let Some(template) = template.filter(|t| !t.is_empty()) {
        components.push(Component {
            kind: "message",
            value: template.clone(),
            contributes: true,
            hint: Some("message template: variable parts replaced".into()),
        });
        return DefaultGrouping {
            source: "message",
            components,
            values: vec![template],
        };
    }
    DefaultGrouping {
        source: "fallback",
        components,
        values: Vec::new(),
    }
}

/// The message template, else the formatted message.
fn log_message(event: &Event) -> Option<&str> {
    let entry = event.logentry.as_ref()?;
    entry.message.as_deref().or(entry.formatted.as_deref())
}

fn title(event: &Event, chain: &[Exception<'_>]) -> String {
    if let Some(main) = chain.last() {
        let first_line = main.value.and_then(|v| v.lines().next()).map(str::trim);
        match (main.kind.filter(|_| !main.synthetic), first_line) {
            (Some(kind), Some(value)) => return format!("{kind}: {value}"),
            (Some(kind), None) => return kind.to_string(),
            (None, Some(value)) => return value.to_string(),
            (None, None) => {}
        }
    }
    event
        .logentry
        .as_ref()
        .and_then(|l| l.formatted.as_deref())
        .and_then(|m| m.lines().map(str::trim).find(|l| !l.is_empty()))
        .map(str::to_string)
        .unwrap_or_else(|| "<unlabeled event>".to_string())
}

fn culprit(event: &Event, crash: Option<&Frame>) -> Option<String> {
    if let Some(frame) = crash
        && (!frame.display_location.is_empty() || !frame.display_function.is_empty())
    {
        return Some(cut(
            &format!("{} in {}", frame.display_location, frame.display_function),
            200,
        ));
    }
    [&event.transaction, &event.logger]
        .into_iter()
        .find_map(|field| field.as_deref().filter(|s| !s.is_empty()))
        .map(|s| cut(s, 200))
}

fn features(event: &Event, chain: &[Exception<'_>], stack: &Stack<'_>) -> SimilarityFeatures {
    let mut features = SimilarityFeatures::default();
    let frames = &main_stack(chain, stack).frames;
    let app: Vec<&Frame> = frames.iter().filter(|f| f.in_app).collect();
    let chosen: Vec<&Frame> = if app.is_empty() {
        frames.iter().collect()
    } else {
        app
    };
    for frame in &chosen {
        features.add("frame", &format!("{} {}", frame.location, frame.function));
    }
    for pair in chosen.windows(2) {
        features.add(
            "pair",
            &format!(
                "{} {} > {} {}",
                pair[0].location, pair[0].function, pair[1].location, pair[1].function
            ),
        );
    }
    if let Some(main) = chain.last() {
        if let Some(kind) = main.kind {
            features.add("type", kind);
        }
        if let Some(template) = &main.template {
            features.add_shingles("value", template);
        }
    } else if let Some(message) = log_message(event) {
        features.add_shingles("message", &message::template(message));
    }
    features
}

fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        text.to_string()
    } else {
        format!("{}...", text.chars().take(limit - 3).collect::<String>())
    }
}

#[cfg(test)]
mod tests;
