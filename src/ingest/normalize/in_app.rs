//! The one `in_app` decision: whether a frame is the application's code. Grouping picks the
//! crash site by it, the API emphasises those frames and notifications list them, so it is made
//! once, here, and stored on every frame. The SDK's flag is an input: a frame it marks as not
//! the application's stays so, and one it marks (or leaves unmarked) is the application's unless
//! its path or function shows it is an installed package, the language runtime, the Rust
//! standard library or the SDK itself; and a Rust panic's machinery (`core::panicking`, the
//! SDK's hook, everything they call) is never where the bug is.
use std::borrow::Cow;

use crate::event::{Event, Frame};

/// Sets `in_app` on every frame of the event.
pub fn decide(event: &mut Event) {
    for stacktrace in event.stacktraces_mut() {
        let mut in_panic = false;
        for frame in &mut stacktrace.frames {
            in_panic = in_panic || is_panic_machinery(function(frame));
            frame.in_app = Some(!in_panic && is_in_app(frame));
        }
    }
}

fn nonempty(field: &Option<String>) -> Option<&str> {
    field.as_deref().filter(|s| !s.is_empty())
}

fn function(frame: &Frame) -> &str {
    nonempty(&frame.function)
        .or(nonempty(&frame.raw_function))
        .unwrap_or_default()
}

fn is_in_app(frame: &Frame) -> bool {
    let abs_path = nonempty(&frame.abs_path).unwrap_or_default();
    let filename = nonempty(&frame.filename).unwrap_or(abs_path);
    let sdk_module = nonempty(&frame.module)
        .is_some_and(|m| m.starts_with("io.sentry.") || m.starts_with("Sentry\\"));
    frame.in_app != Some(false)
        && !sdk_module
        && !is_system_frame(
            abs_path,
            filename,
            function(frame),
            nonempty(&frame.package),
        )
}

/// The SDKs of other platforms: Java's `io.sentry`, Go's `sentry-go`, .NET's `Sentry.*`,
/// PHP's `Sentry\`, Ruby's `sentry-ruby` gem.
fn is_other_sdk(path: &str, function: &str, package: Option<&str>) -> bool {
    function.starts_with("io.sentry.")
        || function.starts_with("Sentry\\")
        || path.contains("github.com/getsentry/sentry-go")
        || path.contains("/gems/sentry-")
        || path.contains("/vendor/sentry/")
        || package.is_some_and(|p| {
            p.starts_with("io.sentry") || p == "Sentry" || p.starts_with("Sentry.")
        })
}

/// A JavaScript engine's own function (`JSON.parse`, `Array.map`, `Promise.then`): V8 names
/// no file (`<anonymous>`), other engines `native` or `[native code]`.
fn is_javascript_engine(path: &str) -> bool {
    matches!(
        path,
        "<anonymous>" | "native" | "[native code]" | "<native>"
    )
}

/// Where a Rust panic starts unwinding (frames are oldest first: this one and every later one
/// are the panic's, not the application's).
fn is_panic_machinery(function: &str) -> bool {
    function.starts_with("core::panicking::")
        || function.starts_with("std::panicking::begin_panic")
        || function.contains("rust_begin_unwind")
        || function.starts_with("std::panicking::panic_")
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
        || path.contains("/sentry_sdk/")
        || path.contains("/node_modules/")
        || path.starts_with("node:")
        || is_javascript_engine(&path)
        || path.contains("/@sentry/")
        || path.contains("sentry-cdn.com/")
        || function.starts_with("sentryWrapped")
        || is_other_sdk(&path, function, package)
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
        // The SDKs themselves and a JavaScript engine's built-ins.
        assert!(system(
            "/app/venv/lib/python3.11/site-packages/sentry_sdk/scope.py",
            "capture"
        ));
        assert!(system(
            "/srv/app/sentry_sdk/integrations/logging.py",
            "_emit"
        ));
        assert!(system("<anonymous>", "JSON.parse"));
        assert!(system("native", "Array.prototype.map"));
        assert!(system("http://shop.example/static/app.js", "sentryWrapped"));
        assert!(!system("http://shop.example/static/app.js", "renderCart"));
        assert!(system("", "io.sentry.SentryClient.captureEvent"));
        assert!(system(
            "/go/pkg/github.com/getsentry/sentry-go@v0.30.0/hub.go",
            "CaptureException"
        ));
        assert!(system(
            "/app/vendor/bundle/ruby/3.3.0/gems/sentry-ruby-5.22/lib/sentry/hub.rb",
            "capture"
        ));
        assert!(is_system_frame(
            "",
            "",
            "CaptureException",
            Some("Sentry.AspNetCore")
        ));
        assert!(!is_system_frame("", "", "Checkout", Some("Shop.Web")));
        let java = |module: &str| Frame {
            module: Some(module.into()),
            function: Some("captureEvent".into()),
            in_app: Some(true),
            ..Frame::default()
        };
        assert!(!is_in_app(&java("io.sentry.SentryClient")));
        assert!(is_in_app(&java("com.shop.Checkout")));
    }

    #[test]
    fn a_panic_and_what_it_calls_are_not_the_application() {
        let mut event: Event = serde_json::from_value(json!({ "stacktrace": { "frames": [
            { "function": "app::main::{{closure}}::h0123456789abcdef", "filename": "main.rs", "in_app": true },
            { "function": "core::panicking::panic_fmt", "package": "core" },
            { "function": "app::report", "filename": "report.rs", "in_app": true },
        ]}}))
        .unwrap();
        decide(&mut event);
        let flags: Vec<_> = event
            .stacktraces_mut()
            .flat_map(|s| &s.frames)
            .map(|f| f.in_app)
            .collect();
        assert_eq!(flags, [Some(true), Some(false), Some(false)]);
    }

    fn in_app(frame: serde_json::Value) -> bool {
        is_in_app(&serde_json::from_value(frame).unwrap())
    }

    #[test]
    fn the_sdk_flag_is_an_input_not_the_answer() {
        assert!(in_app(json!({ "abs_path": "/srv/shop/cart.py" })));
        assert!(!in_app(
            json!({ "abs_path": "/srv/shop/cart.py", "in_app": false })
        ));
        assert!(!in_app(json!({
            "abs_path": "/usr/lib/python3/site-packages/django/core.py",
            "in_app": true
        })));
        assert!(!in_app(
            json!({ "function": "std::panicking::begin_panic" })
        ));
        assert!(!in_app(
            json!({ "filename": "node:internal/process", "in_app": true })
        ));
    }
}
