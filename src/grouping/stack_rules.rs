//! Project stack-trace rules, in Sentry's grouping enhancements syntax:
//!
//! ```text
//! # comment
//! stack.module:mycompany.* +app
//! stack.function:log_* -app
//! family:native stack.package:libfoo* -group
//! stack.function:handle_error ^-group
//! ```
//!
//! Matchers as in fingerprint rules (`stack.function`, `stack.module`, `stack.abs_path`/`path`,
//! `stack.package`, `app`, `family`, `error.type`…, `!` negates); then actions: `+app`/`-app`
//! make the frame the application's or not, `+group`/`-group` keep it in or leave it out of
//! grouping; `^` applies an action to the frames above the match (towards the crash), `v` to
//! those below (towards the program's entry). Rules apply in order, a later one overriding an
//! earlier for the same frame, before the crash site is chosen; the explanation names the rule
//! that changed each frame.
use super::frames::Frame;
use super::rules::{Matcher, RuleError, parse_matchers, tokens};
use crate::event::{self, Event};

#[derive(Debug, Clone, Default)]
pub struct StackRules {
    rules: Vec<StackRule>,
}

#[derive(Debug, Clone)]
struct StackRule {
    /// The line as written, with its number, for explanations.
    text: String,
    line: usize,
    matchers: Vec<Matcher>,
    actions: Vec<Action>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Range {
    /// The matching frame.
    Frame,
    /// Frames towards the crash (later in the list, which is oldest first).
    Above,
    /// Frames towards the entry point.
    Below,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Flag {
    App,
    Group,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Action {
    range: Range,
    flag: Flag,
    value: bool,
}

impl StackRules {
    pub fn parse(text: &str) -> Result<StackRules, RuleError> {
        let mut rules = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            rules.push(parse_rule(line, index + 1).map_err(|message| RuleError {
                line: index + 1,
                message,
            })?);
        }
        Ok(StackRules { rules })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Applies the rules to a stack's normalised frames (`raw` is the stack trace they index).
    pub fn apply(&self, event: &Event, frames: &mut [Frame], raw: &[event::Frame]) {
        for rule in &self.rules {
            if !rule
                .matchers
                .iter()
                .filter(|m| !m.is_frame())
                .all(|m| m.matches_event(event))
            {
                continue;
            }
            let frame_matchers: Vec<&Matcher> =
                rule.matchers.iter().filter(|m| m.is_frame()).collect();
            let matching: Vec<usize> = (0..frames.len())
                .filter(|&i| {
                    let raw_frame = &raw[frames[i].raw_index];
                    frame_matchers
                        .iter()
                        .all(|m| m.matches_frame(&frames[i], raw_frame))
                })
                .collect();
            for at in matching {
                for action in &rule.actions {
                    let targets = match action.range {
                        Range::Frame => at..at + 1,
                        Range::Above => at + 1..frames.len(),
                        Range::Below => 0..at,
                    };
                    for frame in &mut frames[targets] {
                        match action.flag {
                            Flag::App => frame.in_app = action.value,
                            Flag::Group => frame.excluded = !action.value,
                        }
                        frame.rule = Some(format!(
                            "stack-trace rule line {}: {}",
                            rule.line, rule.text
                        ));
                    }
                }
            }
        }
    }
}

fn parse_rule(line: &str, number: usize) -> Result<StackRule, String> {
    let mut matcher_tokens = Vec::new();
    let mut actions = Vec::new();
    for token in tokens(line)? {
        match parse_action(&token) {
            Some(action) => actions.push(action),
            None if actions.is_empty() => matcher_tokens.push(token),
            None => {
                return Err(format!(
                    "unknown action {token:?}: use +app, -app, +group, -group, optionally after ^ or v"
                ));
            }
        }
    }
    if actions.is_empty() {
        return Err("a rule needs an action: +app, -app, +group or -group".into());
    }
    Ok(StackRule {
        text: line.to_string(),
        line: number,
        matchers: parse_matchers(matcher_tokens)?,
        actions,
    })
}

fn parse_action(token: &str) -> Option<Action> {
    let (range, rest) = match token.chars().next()? {
        '^' => (Range::Above, &token[1..]),
        'v' if token.len() > 1 && matches!(token.as_bytes()[1], b'+' | b'-') => {
            (Range::Below, &token[1..])
        }
        _ => (Range::Frame, token),
    };
    let (value, flag) = match rest {
        "+app" => (true, Flag::App),
        "-app" => (false, Flag::App),
        "+group" => (true, Flag::Group),
        "-group" => (false, Flag::Group),
        _ => return None,
    };
    Some(Action { range, flag, value })
}
