//! Tokenising and interpreting a search string.
use serde::Serialize;

/// A parsed search. Every part narrows the result.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct IssueQuery {
    pub statuses: Vec<String>,
    pub excluded_statuses: Vec<String>,
    pub levels: Vec<String>,
    pub assigned: Option<bool>,
    /// Tag conditions (environment and release are tags too).
    pub tags: Vec<TagFilter>,
    /// `times_seen:>N` and friends: (operator, value).
    pub times_seen: Option<(String, i64)>,
    /// Free text, matched against title and culprit.
    pub text: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagFilter {
    pub key: String,
    pub value: String,
    pub negated: bool,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} (at character {position}: {token:?})")]
pub struct QueryError {
    pub position: usize,
    pub token: String,
    pub message: String,
}

const STATUSES: &[&str] = &["unresolved", "resolved", "ignored", "archived"];
const LEVELS: &[&str] = &["debug", "info", "warning", "error", "fatal"];

/// Search keys that name derived tags differently from how people type them.
fn tag_key(key: &str) -> String {
    match key {
        "browser" => "browser.name".into(),
        "os" => "os.name".into(),
        "runtime" => "runtime.name".into(),
        other => other.to_string(),
    }
}

struct Token {
    position: usize,
    text: String,
    /// `key:value` split, when the token has a key.
    key: Option<String>,
    value: String,
    negated: bool,
}

fn tokenize(input: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut text = String::new();
        let mut quoted_from = None;
        while i < chars.len() && (quoted_from.is_some() || !chars[i].is_whitespace()) {
            if chars[i] == '"' {
                quoted_from = match quoted_from {
                    Some(_) => None,
                    None => Some(i),
                };
            }
            text.push(chars[i]);
            i += 1;
        }
        if quoted_from.is_some() {
            return Err(QueryError {
                position: start,
                token: text,
                message: "unterminated quote".into(),
            });
        }
        let (negated, body) = match text.strip_prefix('!') {
            Some(rest) => (true, rest.to_string()),
            None => (false, text.clone()),
        };
        let (key, value) = match body.split_once(':') {
            Some((key, value)) if !key.is_empty() && !key.starts_with('"') => {
                (Some(key.to_string()), value.to_string())
            }
            _ => (None, body.clone()),
        };
        let value = value.trim_matches('"').to_string();
        tokens.push(Token {
            position: start,
            text,
            key,
            value,
            negated,
        });
    }
    Ok(tokens)
}

pub fn parse_query(input: &str) -> Result<IssueQuery, QueryError> {
    let mut query = IssueQuery::default();
    for token in tokenize(input)? {
        let error = |message: String| QueryError {
            position: token.position,
            token: token.text.clone(),
            message,
        };
        let Some(key) = token.key.as_deref() else {
            if token.negated {
                return Err(error("free text cannot be negated".into()));
            }
            query.text.push(token.value.clone());
            continue;
        };
        if token.value.is_empty() {
            return Err(error(format!("{key}: needs a value")));
        }
        match key {
            "is" => match token.value.as_str() {
                status if STATUSES.contains(&status) => {
                    let status = if status == "archived" {
                        "ignored"
                    } else {
                        status
                    }
                    .to_string();
                    if token.negated {
                        query.excluded_statuses.push(status);
                    } else {
                        query.statuses.push(status);
                    }
                }
                "assigned" => query.assigned = Some(!token.negated),
                "unassigned" => query.assigned = Some(token.negated),
                other => {
                    return Err(error(format!(
                        "unknown status {other:?} (expected unresolved, resolved, ignored, assigned or unassigned)"
                    )));
                }
            },
            "level" => {
                for level in token.value.trim_matches(['[', ']']).split(',') {
                    let level = level.trim().to_lowercase();
                    if !LEVELS.contains(&level.as_str()) {
                        return Err(error(format!(
                            "unknown level {level:?} (expected {})",
                            LEVELS.join(", ")
                        )));
                    }
                    query.levels.push(level);
                }
            }
            "times_seen" | "timesSeen" => {
                let value = token.value.as_str();
                let (operator, number) = ["<=", ">=", "<", ">", "="]
                    .iter()
                    .find_map(|op| value.strip_prefix(op).map(|n| (op.to_string(), n)))
                    .unwrap_or(("=".into(), value));
                let number = number
                    .parse::<i64>()
                    .map_err(|_| error(format!("times_seen needs a number, got {number:?}")))?;
                query.times_seen = Some((operator, number));
            }
            "user.email" | "user.id" | "user.username" | "user.ip" => {
                let kind = key.trim_start_matches("user.");
                query.tags.push(TagFilter {
                    key: "user".into(),
                    value: format!("{kind}:{}", token.value),
                    negated: token.negated,
                });
            }
            tag => {
                let valid = tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c));
                if !valid {
                    return Err(error(format!("invalid search key {tag:?}")));
                }
                query.tags.push(TagFilter {
                    key: tag_key(tag),
                    value: token.value.clone(),
                    negated: token.negated,
                });
            }
        }
    }
    Ok(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typical_search() {
        let query = parse_query(r#"is:unresolved level:error release:1.2 environment:prod user.email:x@y.z browser:Chrome "free text" word"#).unwrap();
        assert_eq!(query.statuses, ["unresolved"]);
        assert_eq!(query.levels, ["error"]);
        let tags: Vec<(String, String)> = query
            .tags
            .iter()
            .map(|t| (t.key.clone(), t.value.clone()))
            .collect();
        assert_eq!(
            tags,
            [
                ("release".into(), "1.2".into()),
                ("environment".into(), "prod".into()),
                ("user".into(), "email:x@y.z".into()),
                ("browser.name".into(), "Chrome".into()),
            ]
        );
        assert_eq!(query.text, ["free text", "word"]);
    }

    #[test]
    fn negation_lists_quotes_and_counts() {
        let query = parse_query(
            r#"!is:resolved level:[error,fatal] !server_name:"web 1" times_seen:>10 is:unassigned"#,
        )
        .unwrap();
        assert_eq!(query.excluded_statuses, ["resolved"]);
        assert_eq!(query.levels, ["error", "fatal"]);
        assert_eq!(
            query.tags[0],
            TagFilter {
                key: "server_name".into(),
                value: "web 1".into(),
                negated: true
            }
        );
        assert_eq!(query.times_seen, Some((">".into(), 10)));
        assert_eq!(query.assigned, Some(false));
        assert_eq!(parse_query("").unwrap(), IssueQuery::default());
    }

    #[test]
    fn errors_name_the_wrong_token() {
        for (input, position, token) in [
            ("level:error is:sleeping", 12, "is:sleeping"),
            ("level:loud", 0, "level:loud"),
            ("release: x", 0, "release:"),
            ("times_seen:>many", 0, "times_seen:>many"),
            ("ok \"unterminated", 3, "\"unterminated"),
            ("!free", 0, "!free"),
            ("bad key!:v", 4, "key!:v"),
        ] {
            let error = parse_query(input).unwrap_err();
            assert_eq!(
                (error.position, error.token.as_str()),
                (position, token),
                "{input}: {error}"
            );
        }
    }
}
