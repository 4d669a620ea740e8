//! Stack frames as grouping sees them: which frames are the application's (`in_app`, inferred
//! when the SDK did not say), which are panic machinery to cut, and each frame's identity —
//! module or file name, function, source line — with line numbers and generated names removed.
use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

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

fn text<'a>(frame: &'a Value, key: &str) -> Option<&'a str> {
    frame
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Normalises the frames of one stack trace (oldest first): infers `in_app`, cuts the Rust panic
/// machinery, collapses direct recursion.
pub fn normalize(frames: &[Value], platform: &str) -> Vec<Frame> {
    let mut out: Vec<Frame> = Vec::with_capacity(frames.len());
    let mut previous_raw: Option<&Value> = None;
    for (raw_index, raw) in frames.iter().enumerate().filter(|(_, f)| f.is_object()) {
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
    cut_panic_machinery(&mut out);
    out
}

fn same_call_site(a: &Value, b: &Value) -> bool {
    [
        "abs_path", "package", "module", "filename", "function", "lineno", "colno",
    ]
    .iter()
    .all(|k| a.get(k) == b.get(k))
}

fn normalize_one(frame: &Value, platform: &str, raw_index: usize) -> Frame {
    let platform = text(frame, "platform").unwrap_or(platform);
    let mut hints = Vec::new();
    let abs_path = text(frame, "abs_path").unwrap_or_default();
    let filename = text(frame, "filename").unwrap_or(abs_path);
    let module = text(frame, "module").filter(|m| {
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
    let raw_function = text(frame, "function")
        .or_else(|| text(frame, "raw_function"))
        .unwrap_or("");
    let function = normalize_function(raw_function, platform, &mut hints);
    let context_line = if CONTEXT_LINE_PLATFORMS.contains(&platform) {
        text(frame, "context_line").and_then(|line| {
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
    let in_app = match frame.get("in_app").and_then(Value::as_bool) {
        Some(flag) => {
            flag && !is_system_frame(abs_path, filename, raw_function, text(frame, "package"))
        }
        None => !is_system_frame(abs_path, filename, raw_function, text(frame, "package")),
    };
    Frame {
        location,
        function,
        context_line,
        in_app,
        display_location: module.unwrap_or(filename).to_string(),
        display_function: raw_function.to_string(),
        hints,
        raw_index,
    }
}

/// Frames that are never the application's, whatever the SDK said: installed packages, the
/// language runtime, the Rust standard library, and the SDK itself.
fn is_system_frame(abs_path: &str, filename: &str, function: &str, package: Option<&str>) -> bool {
    let path = if abs_path.is_empty() {
        filename
    } else {
        abs_path
    };
    // Windows paths compared with forward slashes; most paths have none to replace.
    let path = if path.contains('\\') {
        Cow::Owned(path.replace('\\', "/"))
    } else {
        Cow::Borrowed(path)
    };
    let python_stdlib = path.contains("/lib/python")
        && !path.contains("/site-packages/")
        && !path.contains("/dist-packages/");
    // `name::…` or `<name::…` (a trait impl's path); checked for every frame, so no allocation.
    let qualified = function.strip_prefix('<').unwrap_or(function);
    let crate_of = |name: &str| {
        qualified
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with("::"))
    };
    path.contains("/site-packages/")
        || path.contains("/dist-packages/")
        || python_stdlib
        || path.contains("/node_modules/")
        || path.starts_with("node:")
        || path.contains("/vendor/")
        || path.contains("/go/pkg/mod/")
        || [
            "std",
            "core",
            "alloc",
            "sentry",
            "sentry_core",
            "sentry_panic",
            "sentry_backtrace",
            "backtrace",
            "tokio",
        ]
        .iter()
        .any(|c| crate_of(c) || package == Some(c))
        || function.starts_with("__rust")
        || function.starts_with("__libc")
        || function == "_start"
        || function == "<unknown>"
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

/// Rust panics unwind through `core::panicking`/`std::panicking` and the SDK's panic hook: those
/// frames (and everything called from them) are never where the bug is.
fn cut_panic_machinery(frames: &mut [Frame]) {
    let machinery = frames.iter().position(|f| {
        let function = f.display_function.as_str();
        function.starts_with("core::panicking::")
            || function.starts_with("std::panicking::begin_panic")
            || function.contains("rust_begin_unwind")
            || function.starts_with("std::panicking::panic_")
    });
    if let Some(start) = machinery {
        for frame in &mut frames[start..] {
            if frame.in_app {
                frame.in_app = false;
                frame.hints.push("panic machinery is not application code");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn library_frames_are_recognised_by_path_crate_and_package() {
        let system = |abs_path: &str, function: &str| is_system_frame(abs_path, "", function, None);
        assert!(system("/usr/lib/python3.11/json/decoder.py", "decode"));
        assert!(system(
            r"C:\app\venv\Lib\site-packages\requests\api.py",
            "get"
        ));
        assert!(!system(r"C:\app\shop\views.py", "checkout"));
        assert!(system("", "std::rt::lang_start"));
        assert!(system(
            "",
            "<core::pin::Pin<P> as core::future::Future>::poll"
        ));
        assert!(system("", "sentry_core::hub::Hub::capture_event"));
        // A crate whose name only starts like one of them is the application's.
        assert!(!system("", "stdx::parse"));
        assert!(!system("", "<shop::Cart as core::fmt::Debug>::fmt"));
        assert!(is_system_frame("", "src/lib.rs", "poll", Some("tokio")));
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
