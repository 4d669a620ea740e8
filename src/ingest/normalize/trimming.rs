//! Length limits (protocol spec §7.5): long strings are cut with `...`, stack traces keep the
//! 250 frames nearest the crash, breadcrumbs the newest 100, and free-form databags are bounded in
//! depth so that what is stored and indexed stays bounded whatever an SDK sends.
use serde_json::{Map, Value};

use crate::event::{Breadcrumb, Event, Stacktrace};

pub const MAX_MESSAGE: usize = 8192;
pub const MAX_SHORT: usize = 200;
pub const MAX_PATH: usize = 256;
pub const MAX_FRAMES: usize = 250;
pub const MAX_BREADCRUMBS: usize = 100;
/// Deeper databag values are stored as their JSON text.
const MAX_DEPTH: usize = 8;

/// `text` cut to `limit` characters (the cut marked with `...`).
pub fn cut(text: &mut String, limit: usize) {
    // A string of at most `limit` bytes has at most `limit` characters: no need to count them.
    if text.len() > limit && text.chars().count() > limit {
        let kept: String = text.chars().take(limit.saturating_sub(3)).collect();
        *text = format!("{kept}...");
    }
}

/// Cuts the text, if there is one.
fn cut_field(text: &mut Option<String>, limit: usize) {
    if let Some(text) = text {
        cut(text, limit);
    }
}

/// Every limit applied to an event.
pub fn event(event: &mut Event) {
    if let Some(entry) = &mut event.logentry {
        cut_field(&mut entry.formatted, MAX_MESSAGE + 200);
        cut_field(&mut entry.message, MAX_MESSAGE);
    }
    cut_field(&mut event.culprit, MAX_SHORT);
    cut_field(&mut event.transaction, MAX_SHORT);
    cut_field(&mut event.logger, 64);
    cut_field(&mut event.dist, 64);
    cut_field(&mut event.server_name, MAX_SHORT);
    if let Some(user) = &mut event.user {
        cut_field(&mut user.email, 75);
        if let Some(data) = &mut user.data {
            databag(data);
        }
    }
    for exception in event.exception.iter_mut().flat_map(|e| &mut e.values) {
        cut_field(&mut exception.value, MAX_MESSAGE);
        cut_field(&mut exception.kind, MAX_PATH);
    }
    event.stacktraces_mut().for_each(stacktrace);
    let bags = [&mut event.extra, &mut event.contexts, &mut event.modules];
    for bag in bags.into_iter().flatten() {
        databag_map(bag);
    }
    if let Some(data) = event.request.as_mut().and_then(|r| r.data.as_mut()) {
        databag(data);
    }
    if let Some(crumbs) = &mut event.breadcrumbs {
        breadcrumbs(&mut crumbs.values);
    }
}

/// Keeps the last `MAX_FRAMES` frames (nearest the crash) and bounds frame strings.
pub fn stacktrace(stacktrace: &mut Stacktrace) {
    let frames = &mut stacktrace.frames;
    if frames.len() > MAX_FRAMES {
        let dropped = frames.len() - MAX_FRAMES;
        frames.drain(..dropped);
    }
    for frame in frames.iter_mut() {
        for (text, limit) in [
            (&mut frame.function, MAX_PATH),
            (&mut frame.raw_function, MAX_PATH),
            (&mut frame.module, MAX_PATH),
            (&mut frame.package, MAX_PATH),
            (&mut frame.filename, MAX_PATH + 40),
            (&mut frame.abs_path, MAX_PATH + 40),
            (&mut frame.context_line, MAX_MESSAGE),
        ] {
            cut_field(text, limit);
        }
        if let Some(vars) = &mut frame.vars {
            databag(vars);
        }
    }
}

/// The newest breadcrumbs, their messages cut and data bounded.
fn breadcrumbs(values: &mut Vec<Breadcrumb>) {
    if values.len() > MAX_BREADCRUMBS {
        let dropped = values.len() - MAX_BREADCRUMBS;
        values.drain(..dropped);
    }
    for crumb in values.iter_mut() {
        cut_field(&mut crumb.message, MAX_MESSAGE);
        if let Some(data) = &mut crumb.data {
            databag(data);
        }
    }
}

pub fn databag(value: &mut Value) {
    trim_depth(value, 0);
}

/// A databag that is an object (`extra`, `contexts`, `modules`).
fn databag_map(map: &mut Map<String, Value>) {
    map.values_mut().for_each(|v| trim_depth(v, 1));
}

fn trim_depth(value: &mut Value, depth: usize) {
    match value {
        Value::String(text) => cut(text, MAX_MESSAGE),
        Value::Array(_) | Value::Object(_) if depth >= MAX_DEPTH => {
            let mut text = value.to_string();
            cut(&mut text, MAX_MESSAGE);
            *value = Value::String(text);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| trim_depth(v, depth + 1)),
        Value::Object(map) => map.values_mut().for_each(|v| trim_depth(v, depth + 1)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn long_strings_are_cut_with_a_marker() {
        let mut text = "x".repeat(300);
        cut(&mut text, 200);
        assert_eq!(text.chars().count(), 200);
        assert!(text.ends_with("..."));
        let mut short = "ok".to_string();
        cut(&mut short, 200);
        assert_eq!(short, "ok");
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        // 150 two-byte characters: 300 bytes, within a 200-character limit.
        let mut text = "é".repeat(150);
        cut(&mut text, 200);
        assert_eq!(text, "é".repeat(150));
        let mut text = "é".repeat(250);
        cut(&mut text, 200);
        assert_eq!(text.chars().count(), 200);
    }

    #[test]
    fn frame_fields_are_cut_to_their_own_limits() {
        let mut trace: Stacktrace = serde_json::from_value(json!({ "frames": [{
            "function": "f".repeat(MAX_PATH + 10),
            "abs_path": "p".repeat(MAX_PATH + 30),
            "filename": "n".repeat(MAX_PATH + 50),
            "context_line": "c".repeat(MAX_MESSAGE + 1),
            "lineno": 7,
        }]}))
        .unwrap();
        stacktrace(&mut trace);
        let trace = serde_json::to_value(&trace).unwrap();
        let frame = &trace["frames"][0];
        let length = |key: &str| frame[key].as_str().unwrap().chars().count();
        assert_eq!(length("function"), MAX_PATH);
        assert_eq!(length("abs_path"), MAX_PATH + 30, "within its longer limit");
        assert_eq!(length("filename"), MAX_PATH + 40);
        assert_eq!(length("context_line"), MAX_MESSAGE);
        assert_eq!(frame["lineno"], 7);
    }

    #[test]
    fn frames_nearest_the_crash_are_kept() {
        let frames: Vec<Value> = (0..300)
            .map(|i| json!({ "function": format!("f{i}") }))
            .collect();
        let mut trace: Stacktrace = serde_json::from_value(json!({ "frames": frames })).unwrap();
        stacktrace(&mut trace);
        let frames = &trace.frames;
        assert_eq!(frames.len(), 250);
        assert_eq!(frames[0].function.as_deref(), Some("f50"));
        assert_eq!(frames[249].function.as_deref(), Some("f299"));
    }

    #[test]
    fn deep_bags_become_text() {
        let mut deep = json!(1);
        for _ in 0..20 {
            deep = json!({ "d": deep });
        }
        databag(&mut deep);
        let mut cursor = &deep;
        for _ in 0..MAX_DEPTH {
            cursor = &cursor["d"];
        }
        assert!(cursor.is_string(), "{cursor}");
    }
}
