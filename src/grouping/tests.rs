//! Grouping: each fingerprint source, each normalisation, and the invariances that keep one bug
//! one issue (line numbers, library frames, recursion depth, addresses).
use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::ingest::normalize::normalized_for_test;

fn config(rules: &str) -> GroupingConfig {
    GroupingConfig {
        id: CURRENT_CONFIG.into(),
        rules: FingerprintRules::parse(rules).unwrap(),
        stack_rules: StackRules::default(),
    }
}

fn group(event: &Value) -> GroupingOutcome {
    group_with(event, &config(""))
}

/// Groups the payload as ingest does: normalised first (which decides `in_app`).
fn group_with(event: &Value, config: &GroupingConfig) -> GroupingOutcome {
    group_event(&normalized_for_test(event.clone()), config)
}

fn frame(module: &str, function: &str, line: &str, lineno: i64, in_app: Option<bool>) -> Value {
    json!({ "module": module, "function": function, "context_line": line, "lineno": lineno,
            "abs_path": format!("/srv/app/{module}.py"), "in_app": in_app })
}

fn python_error(kind: &str, value: &str, frames: Vec<Value>) -> Value {
    json!({ "platform": "python", "exception": { "values": [
        { "type": kind, "value": value, "stacktrace": { "frames": frames } } ] } })
}

fn app_stack() -> Vec<Value> {
    vec![
        frame("main", "run", "handler(req)", 10, Some(true)),
        frame("views", "handler", "return load(req.id)", 20, None),
        frame("store", "load", "return ITEMS[key]", 30, None),
    ]
}

#[test]
fn exceptions_group_by_type_and_crash_site() {
    let a = group(&python_error("KeyError", "5", app_stack()));
    let b = group(&python_error("KeyError", "7", app_stack()));
    assert_eq!(
        a.hashes, b.hashes,
        "values do not split an issue with a stack"
    );
    let other_type = group(&python_error("IndexError", "5", app_stack()));
    assert_ne!(a.hashes, other_type.hashes);
    let mut other_site = app_stack();
    other_site[2] = frame("store", "load", "return CACHE[key]", 30, None);
    assert_ne!(
        a.hashes,
        group(&python_error("KeyError", "5", other_site)).hashes
    );
    // Another path to the same faulty line is the same bug.
    let mut other_path = app_stack();
    other_path.insert(
        1,
        frame("feeds", "build", "return [load(i) for i in ids]", 5, None),
    );
    assert_eq!(
        a.hashes,
        group(&python_error("KeyError", "5", other_path)).hashes
    );
    assert_eq!(a.title, "KeyError: 5");
    assert_eq!(a.culprit.as_deref(), Some("store in load"));
    assert_eq!(a.explanation.source, "exception");
    let contributing: Vec<&Component> = a
        .explanation
        .components
        .iter()
        .filter(|c| c.contributes)
        .collect();
    assert_eq!(contributing.len(), 2, "{:?}", a.explanation);
}

#[test]
fn chained_exceptions_all_count() {
    let chained = json!({ "platform": "python", "exception": { "values": [
        { "type": "KeyError", "value": "5", "stacktrace": { "frames": app_stack() } },
        { "type": "ValueError", "value": "user 5 not found", "stacktrace": { "frames": [frame("views", "handler", "raise ValueError(x) from e", 22, Some(true))] } },
    ] } });
    let only_last = json!({ "platform": "python", "exception": { "values": [
        { "type": "ValueError", "value": "user 5 not found", "stacktrace": { "frames": [frame("views", "handler", "raise ValueError(x) from e", 22, Some(true))] } },
    ] } });
    assert_ne!(group(&chained).hashes, group(&only_last).hashes);
    assert_eq!(group(&chained).title, "ValueError: user 5 not found");
}

#[test]
fn without_stack_the_value_template_counts() {
    let a = group(
        &json!({ "platform": "native", "exception": { "values": [{ "type": "ParseIntError", "value": "invalid digit 5" }] } }),
    );
    let b = group(
        &json!({ "platform": "native", "exception": { "values": [{ "type": "ParseIntError", "value": "invalid digit 9" }] } }),
    );
    assert_eq!(a.hashes, b.hashes);
    assert_eq!(a.explanation.source, "exception_value");
}

#[test]
fn messages_group_by_template() {
    let a = group(&json!({ "logentry": { "formatted": "Payment for order 1234 failed" } }));
    let b = group(&json!({ "logentry": { "formatted": "Payment for order 99 failed" } }));
    let c = group(
        &json!({ "logentry": { "message": "cart %s has %d items", "formatted": "cart a has 1 items" } }),
    );
    let d = group(
        &json!({ "logentry": { "message": "cart %s has %d items", "formatted": "cart b has 7 items" } }),
    );
    assert_eq!(a.hashes, b.hashes);
    assert_eq!(c.hashes, d.hashes);
    assert_ne!(a.hashes, c.hashes);
    assert_eq!(a.title, "Payment for order 1234 failed");
    assert_eq!(a.explanation.source, "message");
    let empty = group(&json!({}));
    assert_eq!(empty.explanation.source, "fallback");
    assert_eq!(empty.title, "<unlabeled event>");
}

#[test]
fn custom_fingerprints_and_variables() {
    let mut event = python_error("KeyError", "5", app_stack());
    event["fingerprint"] = json!(["database", "{{ error.type }}"]);
    event["tags"] = json!([["region", "eu"]]);
    let custom = group(&event);
    assert_eq!(custom.explanation.source, "custom_fingerprint");
    let mut same = python_error("KeyError", "9", vec![frame("x", "y", "z", 1, Some(true))]);
    same["fingerprint"] = json!(["database", "{{ type }}"]);
    assert_eq!(custom.hashes, group(&same).hashes);
    event["fingerprint"] = json!(["{{ default }}"]);
    assert_eq!(
        group(&event).hashes,
        group(&python_error("KeyError", "5", app_stack())).hashes
    );
    event["fingerprint"] = json!(["{{ default }}", "{{ tags.region }}"]);
    assert_ne!(
        group(&event).hashes,
        group(&python_error("KeyError", "5", app_stack())).hashes
    );
}

#[test]
fn project_rules_win_over_sdk_fingerprints() {
    let rules = config(
        "error.type:KeyError stack.function:load -> missing-item title=\"Missing: {{ error.value }}\"",
    );
    let mut event = python_error("KeyError", "5", app_stack());
    event["fingerprint"] = json!(["sdk-says"]);
    let outcome = group_with(&event, &rules);
    assert_eq!(outcome.explanation.source, "fingerprint_rule");
    assert_eq!(outcome.title, "Missing: 5");
    assert!(
        outcome
            .explanation
            .rule
            .as_deref()
            .unwrap()
            .starts_with("error.type:KeyError")
    );
    let other = group_with(
        &python_error(
            "KeyError",
            "6",
            vec![frame("q", "load", "x", 1, Some(true))],
        ),
        &rules,
    );
    assert_eq!(outcome.hashes, other.hashes);
}

#[test]
fn rust_panic_groups_by_the_application_frame() {
    let event = crate::test_fixtures::vector_event("rust-03-panic.envelope");
    let outcome = group(&event);
    let crash: Vec<&Component> = outcome
        .explanation
        .components
        .iter()
        .filter(|c| c.kind == "frame" && c.contributes)
        .collect();
    assert_eq!(crash.len(), 1);
    assert!(
        crash[0].value.contains("rustcap::main::{closure}"),
        "{:?}",
        crash[0]
    );
    assert_eq!(outcome.title, "panic: user 5 not found");
}

#[test]
fn similar_events_have_close_signatures() {
    let a = similarity::signature(&group(&python_error("KeyError", "5", app_stack())).similarity);
    let mut near_stack = app_stack();
    near_stack.insert(0, frame("cli", "entry", "main()", 1, Some(true)));
    let b = similarity::signature(&group(&python_error("KeyError", "5", near_stack)).similarity);
    let far = similarity::signature(
        &group(&json!({ "logentry": { "formatted": "disk full on /dev/sda1" } })).similarity,
    );
    assert!(similarity::distance(&a, &b) < 0.5);
    assert!(similarity::distance(&a, &far) > 0.9);
}

proptest! {
    /// Line numbers, added library frames, recursion depth and addresses never change the hash.
    #[test]
    fn hash_invariances(
        linenos in prop::collection::vec(1i64..5000, 3),
        library_frames in 0usize..6,
        depth in 1usize..12,
        address in 0u64..u64::MAX,
    ) {
        let base = group(&python_error("KeyError", "5", app_stack()));
        let mut frames = app_stack();
        for (frame, lineno) in frames.iter_mut().zip(&linenos) {
            frame["lineno"] = json!(lineno);
        }
        for i in 0..library_frames {
            frames.insert(1, json!({ "module": format!("lib{i}"), "function": "wrap", "context_line": "return f()",
                "abs_path": format!("/venv/lib/python3.11/site-packages/lib{i}/core.py"), "lineno": i }));
        }
        let recursive = frame("store", "walk", "return walk(node.next)", 40, None);
        for _ in 0..depth {
            frames.insert(frames.len() - 1, recursive.clone());
        }
        let mut varied = python_error("KeyError", &format!("object at {address:#x}"), frames);
        varied["platform"] = json!("python");
        let varied = group(&varied);
        let mut expected_frames = app_stack();
        expected_frames.insert(2, recursive);
        prop_assert_eq!(varied.hashes, group(&python_error("KeyError", "5", expected_frames)).hashes);
        prop_assert_ne!(base.hashes.clone(), group(&python_error("TypeError", "5", app_stack())).hashes);
    }
}

fn with_stack_rules(rules: &str) -> GroupingConfig {
    GroupingConfig {
        stack_rules: StackRules::parse(rules).unwrap(),
        ..config("")
    }
}

/// A Python exception raised in `log_failure`, called by `charge` (both application code).
fn logged_failure(caller: &str) -> Value {
    json!({ "platform": "python", "exception": { "values": [{ "type": "PaymentError", "value": "declined",
        "stacktrace": { "frames": [
            { "function": caller, "module": "shop.views", "filename": "shop/views.py", "lineno": 10, "in_app": true },
            { "function": "log_failure", "module": "shop.logging", "filename": "shop/logging.py", "lineno": 3, "in_app": true },
        ] } }] } })
}

#[test]
fn stack_rules_move_the_crash_site_and_say_so() {
    // Without rules the helper is the crash site, so both callers are one issue.
    assert_eq!(
        group(&logged_failure("charge")).hashes,
        group(&logged_failure("refund")).hashes
    );
    let rules = with_stack_rules("# helpers are not where bugs are\nstack.function:log_* -app\n");
    let charge = group_with(&logged_failure("charge"), &rules);
    let refund = group_with(&logged_failure("refund"), &rules);
    assert_ne!(charge.hashes, refund.hashes);
    assert_eq!(charge.culprit.as_deref(), Some("shop.views in charge"));
    let helper = charge
        .explanation
        .components
        .iter()
        .find(|c| c.value.contains("log_failure"))
        .unwrap();
    assert!(!helper.contributes);
    assert!(
        helper
            .hint
            .as_deref()
            .unwrap()
            .contains("stack-trace rule line 2: stack.function:log_* -app"),
        "{helper:?}"
    );
}

#[test]
fn stack_rules_leave_frames_out_above_and_below() {
    let rules = with_stack_rules("stack.function:log_failure -group\n");
    let outcome = group_with(&logged_failure("charge"), &rules);
    assert_eq!(outcome.culprit.as_deref(), Some("shop.views in charge"));
    // `^-group` on the caller leaves out everything towards the crash.
    let rules = with_stack_rules("stack.function:charge ^-group");
    let outcome = group_with(&logged_failure("charge"), &rules);
    let contributing: Vec<&str> = outcome
        .explanation
        .components
        .iter()
        .filter(|c| c.contributes && c.kind == "frame")
        .map(|c| c.value.as_str())
        .collect();
    assert_eq!(contributing.len(), 1);
    assert!(contributing[0].contains("charge"), "{contributing:?}");
    // `v+app`: the frames below a match become the application's.
    let rules = with_stack_rules("app:no -group\nstack.function:log_failure v+app");
    assert!(
        group_with(&logged_failure("charge"), &rules)
            .culprit
            .is_some()
    );
}

#[test]
fn stack_rule_errors_name_the_line() {
    let error = StackRules::parse("stack.function:a -app\n\nstack.function:b").unwrap_err();
    assert_eq!(error.line, 3);
    assert!(error.message.contains("needs an action"), "{error}");
    let error = StackRules::parse("stack.function:a -app +frob").unwrap_err();
    assert!(error.message.contains("unknown action"), "{error}");
    let error = StackRules::parse("nonsense:a -app").unwrap_err();
    assert!(error.message.contains("unknown matcher"), "{error}");
    assert!(StackRules::parse("# only a comment\n").unwrap().is_empty());
}
