//! Text pieces shared by the channels, so every channel tells the same facts the same way.

use chrono::{DateTime, Utc};

use crate::{FrameSummary, Notification};

/// At most this many frames go into a notification: the crash site and a little context is what
/// a reader uses; the full trace is one click away.
pub(crate) const MAX_FRAMES: usize = 10;

/// `New issue: TITLE` on one line.
pub(crate) fn headline(n: &Notification) -> String {
    format!("{}: {}", n.kind.label(), one_line(&n.issue.title))
}

/// `[project] New issue: TITLE`, the e-mail subject and the Slack fallback text.
pub(crate) fn subject(n: &Notification) -> String {
    truncate(
        &format!("[{}] {}", one_line(&n.project.slug), headline(n)),
        200,
    )
}

pub(crate) fn timestamp(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The facts in display order, with the optional ones only when present.
pub(crate) fn facts(n: &Notification) -> Vec<(&'static str, String)> {
    let mut facts = vec![
        ("Project", n.project.name.clone()),
        ("Level", n.issue.level.clone()),
        ("Status", n.issue.status.clone()),
        ("Events", n.issue.count.to_string()),
        ("Users", n.issue.user_count.to_string()),
        ("First seen", timestamp(&n.issue.first_seen)),
        ("Last seen", timestamp(&n.issue.last_seen)),
    ];
    if let Some(env) = non_empty(&n.environment) {
        facts.push(("Environment", env.to_string()));
    }
    if let Some(release) = non_empty(&n.release) {
        facts.push(("Release", release.to_string()));
    }
    if let Some(rule) = non_empty(&n.rule_name) {
        facts.push(("Rule", rule.to_string()));
    }
    facts
}

pub(crate) fn culprit(n: &Notification) -> Option<&str> {
    let c = n.issue.culprit.trim();
    (!c.is_empty()).then_some(c)
}

pub(crate) fn frames(n: &Notification) -> &[FrameSummary] {
    &n.top_frames[..n.top_frames.len().min(MAX_FRAMES)]
}

/// `function (file:line)` — the frame's location in the usual stack-trace shape.
pub(crate) fn frame_location(f: &FrameSummary) -> String {
    let function = f
        .function
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("?");
    let place = f
        .filename
        .as_deref()
        .or(f.module.as_deref())
        .filter(|s| !s.is_empty())
        .unwrap_or("<unknown>");
    match f.lineno {
        Some(line) => format!("{function} ({place}:{line})"),
        None => format!("{function} ({place})"),
    }
}

/// The frames as a plain-text stack trace, crash site first:
/// ```text
/// at handler (app/views.py:42)
///     > result = 1 / 0
/// ```
pub(crate) fn stack_text(n: &Notification) -> String {
    let mut out = String::new();
    for f in frames(n) {
        out.push_str("at ");
        out.push_str(&frame_location(f));
        out.push('\n');
        if let Some(line) = f
            .context_line
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            out.push_str("    > ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out.trim_end().to_string()
}

/// The whole notification as plain text (e-mail text part, Jira Server description basis).
pub(crate) fn plain_text(n: &Notification) -> String {
    let mut out = String::new();
    out.push_str(&headline(n));
    out.push('\n');
    if let Some(c) = culprit(n) {
        out.push_str(c);
        out.push('\n');
    }
    out.push('\n');
    for (label, value) in facts(n) {
        out.push_str(&format!("{label}: {value}\n"));
    }
    let stack = stack_text(n);
    if !stack.is_empty() {
        out.push_str("\nStack trace (most recent call first):\n");
        out.push_str(&stack);
        out.push('\n');
    }
    out.push_str(&format!("\nView the issue: {}\n", n.issue.url));
    out
}

pub(crate) fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Newlines and other control characters folded into spaces: titles go into headers and
/// one-line fields where a newline would break the format (or inject a header).
pub(crate) fn one_line(s: &str) -> String {
    let folded: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, the last one an ellipsis when something was cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A Markdown code fence longer than any backtick run inside `content`, so frame text full of
/// backticks cannot close the block early.
pub(crate) fn code_fence(content: &str) -> String {
    "`".repeat((longest_backtick_run(content) + 1).max(3))
}

fn longest_backtick_run(content: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in content.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

/// A Markdown inline code span around `content` (one line), delimited by more backticks than
/// any run inside it.
pub(crate) fn inline_code(content: &str) -> String {
    let content = one_line(content);
    let fence = "`".repeat(longest_backtick_run(&content) + 1);
    if content.starts_with('`') || content.ends_with('`') {
        format!("{fence} {content} {fence}")
    } else {
        format!("{fence}{content}{fence}")
    }
}

/// Identifier-safe form of an idempotency key (labels, Message-IDs): keeps `[A-Za-z0-9._-]`,
/// maps everything else to `_`.
pub(crate) fn key_token(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_counts_characters_not_bytes() {
        assert_eq!(truncate("héllo", 5), "héllo");
        assert_eq!(truncate("héllo wörld", 6), "héllo…");
    }

    #[test]
    fn one_line_folds_newlines() {
        assert_eq!(one_line("a\r\nBcc: x\tz"), "a Bcc: x z");
    }

    #[test]
    fn fence_outgrows_backticks() {
        assert_eq!(code_fence("plain"), "```");
        assert_eq!(code_fence("a ```` b"), "`````");
    }

    #[test]
    fn inline_code_survives_backticks() {
        assert_eq!(inline_code("a.b in c"), "`a.b in c`");
        assert_eq!(inline_code("x `y` z"), "``x `y` z``");
        assert_eq!(inline_code("`y`"), "`` `y` ``");
    }

    #[test]
    fn key_token_is_label_safe() {
        assert_eq!(key_token("rule:1/issue 2"), "rule_1_issue_2");
    }

    #[test]
    fn frame_location_falls_back_to_module() {
        let f = FrameSummary {
            module: Some("app.views".into()),
            function: Some("index".into()),
            lineno: Some(3),
            ..Default::default()
        };
        assert_eq!(frame_location(&f), "index (app.views:3)");
        assert_eq!(frame_location(&FrameSummary::default()), "? (<unknown>)");
    }
}
