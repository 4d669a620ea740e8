//! Stack frames as grouping sees them: each frame's identity — module or file name, function,
//! source line — with line numbers and generated names removed, and direct recursion collapsed.
//! Whether a frame is the application's was decided by normalisation (`in_app`).
use std::sync::LazyLock;

use regex::Regex;

use crate::event;

/// Lines longer than this are minified code, not a meaningful source line.
const MAX_CONTEXT_LINE: usize = 120;

/// Platforms whose frames carry meaningful source lines (Sentry's list).
const CONTEXT_LINE_PLATFORMS: &[&str] = &["python", "node", "javascript", "php", "ruby"];

/// One frame reduced to what identifies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Module, else lowercased file basename.
    pub location: String,
    /// Normalised function name (empty when anonymous).
    pub function: String,
    /// Whitespace-collapsed source line, when the platform has meaningful ones.
    pub context_line: Option<String>,
    pub in_app: bool,
    /// The frame's file and function as sent, for explanations and culprits.
    pub display_location: String,
    pub display_function: String,
    /// Hints recorded while normalising (what was changed and why).
    pub hints: Vec<&'static str>,
    /// Left out of grouping by a stack-trace rule (`-group`).
    pub excluded: bool,
    /// The stack-trace rule that last changed the frame, as written.
    pub rule: Option<String>,
    /// Position of the raw frame in the stack trace it came from.
    pub raw_index: usize,
}

impl Frame {
    /// The frame's identity in a hash: never line numbers.
    pub fn identity(&self) -> String {
        match &self.context_line {
            Some(line) => format!("{} {} {}", self.location, self.function, line),
            None => format!("{} {}", self.location, self.function),
        }
    }

    /// Whether the two frames have the same [`Frame::identity`], without building it.
    pub fn same_identity(&self, other: &Frame) -> bool {
        self.location == other.location
            && self.function == other.function
            && self.context_line == other.context_line
    }
}

static ADDRESS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"0x[0-9a-fA-F]+").expect("regex"));
static RUST_HASH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"::h[0-9a-f]{16}$").expect("regex"));
static GENERICS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^<>]*>").expect("regex"));
static HEX_RUN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[0-9a-f]{8,}\b").expect("regex"));
static LAMBDA_SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\$\$Lambda\$|lambda\$|\$fn__)[\w$/]*").expect("regex"));

fn text(field: &Option<String>) -> Option<&str> {
    field.as_deref().filter(|s| !s.is_empty())
}

/// Normalises the frames of one stack trace (oldest first), collapsing direct recursion.
pub fn normalize(frames: &[event::Frame], platform: &str) -> Vec<Frame> {
    let mut out: Vec<Frame> = Vec::with_capacity(frames.len());
    let mut previous_raw: Option<&event::Frame> = None;
    for (raw_index, raw) in frames.iter().enumerate() {
        let frame = normalize_one(raw, platform, raw_index);
        // Direct recursion: the same frame calling itself adds nothing (and its depth varies).
        if let (Some(prev), Some(last)) = (previous_raw, out.last())
            && (same_call_site(prev, raw) || last.same_identity(&frame))
        {
            previous_raw = Some(raw);
            continue;
        }
        previous_raw = Some(raw);
        out.push(frame);
    }
    out
}

fn same_call_site(a: &event::Frame, b: &event::Frame) -> bool {
    a.abs_path == b.abs_path
        && a.package == b.package
        && a.module == b.module
        && a.filename == b.filename
        && a.function == b.function
        && a.lineno == b.lineno
        && a.colno == b.colno
}

fn normalize_one(frame: &event::Frame, platform: &str, raw_index: usize) -> Frame {
    let platform = text(&frame.platform).unwrap_or(platform);
    let mut hints = Vec::new();
    let abs_path = text(&frame.abs_path).unwrap_or_default();
    let filename = text(&frame.filename).unwrap_or(abs_path);
    let module = text(&frame.module).filter(|m| {
        // A JS "module" that is just the file path is no better than the file name.
        !(m.contains('/') && abs_path.ends_with(m))
    });
    let basename = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(filename)
        .to_lowercase();
    let location = match module {
        Some(module) => normalize_generated(module, &mut hints),
        None => normalize_generated(&basename, &mut hints),
    };
    let raw_function = text(&frame.function)
        .or_else(|| text(&frame.raw_function))
        .unwrap_or("");
    let function = normalize_function(raw_function, platform, &mut hints);
    let context_line = if CONTEXT_LINE_PLATFORMS.contains(&platform) {
        text(&frame.context_line).and_then(|line| {
            if line.chars().count() > MAX_CONTEXT_LINE {
                hints.push("source line over 120 characters (minified) ignored");
                return None;
            }
            let collapsed = line.split_whitespace().collect::<Vec<_>>().join(" ");
            (!collapsed.is_empty()).then_some(collapsed)
        })
    } else {
        None
    };
    Frame {
        location,
        function,
        context_line,
        in_app: frame.in_app == Some(true),
        display_location: module.unwrap_or(filename).to_string(),
        display_function: raw_function.to_string(),
        hints,
        excluded: false,
        rule: None,
        raw_index,
    }
}

/// Generated parts of names (lambda classes, hex ids, addresses) replaced by `<auto>`.
fn normalize_generated(name: &str, hints: &mut Vec<&'static str>) -> String {
    let mut out = name.to_string();
    if ADDRESS.is_match(&out) {
        out = ADDRESS.replace_all(&out, "<addr>").into_owned();
        hints.push("memory address replaced");
    }
    if HEX_RUN.is_match(&out) {
        out = HEX_RUN.replace_all(&out, "<hash>").into_owned();
        hints.push("generated hash replaced");
    }
    if LAMBDA_SUFFIX.is_match(&out) {
        out = LAMBDA_SUFFIX.replace_all(&out, "<auto>").into_owned();
        hints.push("generated lambda name replaced");
    }
    out
}

fn normalize_function(function: &str, platform: &str, hints: &mut Vec<&'static str>) -> String {
    let mut name = function.trim().to_string();
    if matches!(platform, "javascript" | "node") {
        // `Object.foo` → `foo`; anonymous functions have no name worth hashing.
        if let Some(last) = name.rsplit('.').next()
            && last != name
        {
            hints.push("JavaScript namespace removed");
            name = last.to_string();
        }
        let anonymous = [
            "?",
            "<anonymous>",
            "<anonymous function>",
            "Anonymous function",
        ];
        if anonymous.contains(&name.as_str()) || name.ends_with("/<") {
            hints.push("anonymous function ignored");
            return String::new();
        }
        if let Some(stripped) = name.split(" [as ").next() {
            name = stripped.to_string();
        }
    }
    if matches!(platform, "native" | "rust" | "c" | "cocoa" | "objc") {
        if RUST_HASH.is_match(&name) {
            name = RUST_HASH.replace(&name, "").into_owned();
            hints.push("symbol hash removed");
        }
        // Generic parameters and closure indices vary with the compiler, not the bug.
        let mut previous = String::new();
        while previous != name {
            previous = name.clone();
            name = GENERICS.replace_all(&name, "").into_owned();
        }
        name = name
            .replace("{{closure}}", "{closure}")
            .replace("{closure#0}", "{closure}");
    }
    if name == "<lambda>" || name.starts_with("lambda$") {
        hints.push("lambda name kept generic");
        name = "<lambda>".into();
    }
    normalize_generated(&name, hints)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// The frames as grouping sees them after ingest's normalisation (which decides `in_app`).
    fn normalize(frames: &[Value], platform: &str) -> Vec<Frame> {
        let event = crate::ingest::normalize::normalized_for_test(
            json!({ "platform": platform, "stacktrace": { "frames": frames } }),
        );
        super::normalize(&event.stacktrace.unwrap().frames, platform)
    }

    #[test]
    fn python_stdlib_and_packages_are_not_in_app() {
        let frames = normalize(
            &[
                json!({ "module": "posts", "function": "get_post", "abs_path": "/srv/releases/blog/posts.py", "context_line": "  return   POSTS[pid]" }),
                json!({ "module": "json", "function": "loads", "abs_path": "/usr/local/lib/python3.11/json/__init__.py" }),
                json!({ "module": "requests", "function": "get", "abs_path": "/venv/lib/python3.11/site-packages/requests/api.py", "in_app": true }),
            ],
            "python",
        );
        assert_eq!(
            frames.iter().map(|f| f.in_app).collect::<Vec<_>>(),
            [true, false, false]
        );
        assert_eq!(frames[0].identity(), "posts get_post return POSTS[pid]");
    }

    #[test]
    fn recursion_is_collapsed() {
        let call = json!({ "module": "render", "function": "render", "lineno": 7, "context_line": "return render(x)" });
        let base = json!({ "module": "render", "function": "render", "lineno": 6, "context_line": "raise E" });
        let shallow = normalize(&[call.clone(), base.clone()], "python");
        let deep = normalize(
            &[call.clone(), call.clone(), call.clone(), call, base],
            "python",
        );
        let identities =
            |frames: Vec<Frame>| frames.iter().map(Frame::identity).collect::<Vec<_>>();
        assert_eq!(identities(shallow), identities(deep));
    }

    #[test]
    fn javascript_names() {
        let frames = normalize(
            &[
                json!({ "function": "Object.?", "filename": "/srv/app/Tiny.js", "in_app": true }),
                json!({ "function": "Module._compile", "filename": "node:internal/modules/cjs/loader" }),
            ],
            "node",
        );
        assert_eq!(frames[0].function, "");
        assert_eq!(frames[0].location, "tiny.js");
        assert!(!frames[1].in_app);
        assert_eq!(frames[1].function, "_compile");
    }

    #[test]
    fn rust_symbols_and_panics() {
        let frames = normalize(
            &[
                json!({ "function": "app::main::{{closure}}::h0123456789abcdef", "filename": "main.rs", "in_app": true }),
                json!({ "function": "core::panicking::panic_fmt", "package": "core" }),
                json!({ "function": "sentry_panic::panic_handler", "in_app": true }),
            ],
            "native",
        );
        assert_eq!(frames[0].function, "app::main::{closure}");
        assert!(frames[0].in_app);
        assert!(!frames[2].in_app, "the SDK's panic hook is never the bug");
    }

    #[test]
    fn generated_names_are_replaced() {
        let frames = normalize(
            &[
                json!({ "function": "handler_0x7f3a2b1c", "module": "gen.Proxy$$Lambda$123/0x0000000800c0b000" }),
            ],
            "java",
        );
        assert_eq!(frames[0].function, "handler_<addr>");
        assert!(frames[0].location.contains("<auto>") || frames[0].location.contains("<addr>"));
    }
}
