//! Length limits (protocol spec §7.5): long strings are cut with `...`, stack traces keep the
//! 250 frames nearest the crash, breadcrumbs the newest 100, and free-form databags are bounded in
//! depth so that what is stored and indexed stays bounded whatever an SDK sends.
use serde_json::Value;

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

/// Cuts the string at `pointer` inside `event`, if there is one.
pub fn cut_at(event: &mut Value, pointer: &str, limit: usize) {
    if let Some(Value::String(text)) = event.pointer_mut(pointer) {
        cut(text, limit);
    }
}

/// Frame fields and the length each is cut to.
const FRAME_STRING_LIMITS: [(&str, usize); 7] = [
    ("function", MAX_PATH),
    ("raw_function", MAX_PATH),
    ("module", MAX_PATH),
    ("package", MAX_PATH),
    ("filename", MAX_PATH + 40),
    ("abs_path", MAX_PATH + 40),
    ("context_line", MAX_MESSAGE),
];

/// Keeps the last `MAX_FRAMES` frames (nearest the crash) and bounds frame strings.
pub fn stacktrace(stacktrace: &mut Value) {
    let Some(frames) = stacktrace.get_mut("frames").and_then(Value::as_array_mut) else {
        return;
    };
    if frames.len() > MAX_FRAMES {
        let dropped = frames.len() - MAX_FRAMES;
        frames.drain(..dropped);
    }
    for frame in frames.iter_mut() {
        for (key, limit) in FRAME_STRING_LIMITS {
            if let Some(Value::String(text)) = frame.get_mut(key) {
                cut(text, limit);
            }
        }
        if let Some(vars) = frame.get_mut("vars") {
            databag(vars);
        }
    }
}

/// Keeps the newest breadcrumbs.
pub fn breadcrumbs(values: &mut Vec<Value>) {
    if values.len() > MAX_BREADCRUMBS {
        let dropped = values.len() - MAX_BREADCRUMBS;
        values.drain(..dropped);
    }
    for crumb in values.iter_mut() {
        cut_at(crumb, "/message", MAX_MESSAGE);
        if let Some(data) = crumb.get_mut("data") {
            databag(data);
        }
    }
}

/// Bounds a free-form value: nesting deeper than `MAX_DEPTH` is kept as JSON text, strings are
/// cut at `MAX_MESSAGE`.
pub fn databag(value: &mut Value) {
    trim_depth(value, 0);
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
        let mut trace = json!({ "frames": [{
            "function": "f".repeat(MAX_PATH + 10),
            "abs_path": "p".repeat(MAX_PATH + 30),
            "filename": "n".repeat(MAX_PATH + 50),
            "context_line": "c".repeat(MAX_MESSAGE + 1),
            "lineno": 7,
        }]});
        stacktrace(&mut trace);
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
        let mut trace = json!({ "frames": frames });
        stacktrace(&mut trace);
        let frames = trace["frames"].as_array().unwrap();
        assert_eq!(frames.len(), 250);
        assert_eq!(frames[0]["function"], "f50");
        assert_eq!(frames[249]["function"], "f299");
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
