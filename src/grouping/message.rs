//! Message templates: the variable parts of a message (numbers, ids, addresses, paths, times,
//! quoted values…) replaced by placeholders, so `order 1234 failed` and `order 99 failed` are
//! one issue (protocol spec §8.4, `message:v1`).
use std::sync::LazyLock;

use regex::Regex;

/// One pass, left to right; earlier alternatives win (an email is not split into a hostname
/// and a user name, a UUID is not read as numbers).
static PARAMETERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)",
        r"|(?P<url>\b(?:https?|wss?|ftp)://[^\s/$.?#][^\s]*)",
        r"|(?P<uuid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)",
        r"|(?P<ip>\b(?:\d{1,3}\.){3}\d{1,3}\b|\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b)",
        r"|(?P<date>\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b)",
        r"|(?P<time>\b\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AP]M)?\b)",
        r"|(?P<sha1>\b[0-9a-fA-F]{40}\b)",
        r"|(?P<md5>\b[0-9a-fA-F]{32}\b)",
        r"|(?P<hex>\b0[xX][0-9a-fA-F]+\b)",
        r"|(?P<path>(?:/[\w.-]+){2,}/?)",
        r"|(?P<duration>\b\d+(?:\.\d+)?(?:ms|s|us|ns)\b)",
        r"|(?P<float>-?\b\d+\.\d+\b)",
        r"|(?P<int>-?\b\d+\b)",
        r#"|=(?P<quoted_str>'[^']*'|"[^"]*")"#,
        r"|=(?P<bool>true|false|True|False)\b",
    ))
    .expect("valid parameter regex")
});

const NAMES: &[&str] = &[
    "email",
    "url",
    "uuid",
    "ip",
    "date",
    "time",
    "sha1",
    "md5",
    "hex",
    "path",
    "duration",
    "float",
    "int",
    "quoted_str",
    "bool",
];

/// The template of a message: its first two non-empty lines, parameters replaced.
pub fn template(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut head = lines.iter().take(2).copied().collect::<Vec<_>>().join("\n");
    if lines.len() > 2 {
        head.push_str("...");
    }
    PARAMETERS
        .replace_all(&head, |caps: &regex::Captures<'_>| {
            let name = NAMES
                .iter()
                .find(|n| caps.name(n).is_some())
                .copied()
                .unwrap_or("param");
            // `=` anchors quoted values and booleans: keep it.
            let prefix = if matches!(name, "quoted_str" | "bool") {
                "="
            } else {
                ""
            };
            format!("{prefix}<{name}>")
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::template;

    #[test]
    fn variable_parts_become_placeholders() {
        for (message, expected) in [
            (
                "Payment for order 1234 failed",
                "Payment for order <int> failed",
            ),
            (
                "Rendering post 6632 took 6355 ms",
                "Rendering post <int> took <int> ms",
            ),
            ("request took 15ms", "request took <duration>"),
            ("user 5 not found", "user <int> not found"),
            ("mail to ann@example.com bounced", "mail to <email> bounced"),
            (
                "GET https://api.example.com/v1/x?id=3 failed",
                "GET <url> failed",
            ),
            (
                "job 3f2b8c1e-1d2a-4b5c-9d8e-7f6a5b4c3d2e died",
                "job <uuid> died",
            ),
            ("from 10.1.213.169", "from <ip>"),
            ("at 2026-11-25T03:15:16Z", "at <date>"),
            ("ptr 0xdeadBEEF", "ptr <hex>"),
            ("open /var/data/file.txt", "open <path>"),
            ("ratio 0.75", "ratio <float>"),
            ("name='bob' admin=true", "name=<quoted_str> admin=<bool>"),
            (
                "commit 356a192b7913b04c54574d18c28d46e6395428ab",
                "commit <sha1>",
            ),
        ] {
            assert_eq!(template(message), expected, "{message}");
        }
    }

    #[test]
    fn templates_keep_two_lines() {
        assert_eq!(template("a\n\n b \nc\nd"), "a\nb...");
        assert_eq!(template("cart %s has %d items"), "cart %s has %d items");
    }
}
