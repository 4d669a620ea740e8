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

/// Fewest words a template needs before one differing word may join two of them (in shorter
/// ones a word is too much of the message).
const MIN_WORDS_FOR_A_WORD: usize = 4;

/// Whether two message templates have the same shape, one message formatted from different
/// values: as many words, and the words that differ are values — identifiers (with digits, or
/// `.`, `_`, `/`, `:`, `@` inside), quoted text — or a single word of a longer message, never
/// its first. Returns how many words differ (0 never: equal templates share a hash already).
pub fn same_shape(a: &str, b: &str) -> Option<usize> {
    let (a, b) = (words(a), words(b));
    if a.len() != b.len() || a.len() < 3 {
        return None;
    }
    let differing: Vec<(usize, &str, &str)> = a
        .iter()
        .zip(&b)
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(i, (x, y))| (i, *x, *y))
        .collect();
    let values = differing.iter().all(|(_, x, y)| is_value(x) && is_value(y));
    let one_word = matches!(differing.as_slice(), [(position, _, _)]
        if *position > 0 && a.len() >= MIN_WORDS_FOR_A_WORD);
    (!differing.is_empty() && (values || one_word)).then_some(differing.len())
}

/// The words of a template; quoted text (`"red mug"`) is one word, whatever its spaces.
pub fn words(template: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut rest = template.trim_start();
    while !rest.is_empty() {
        let quote = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'));
        let end = match quote.and_then(|q| rest[1..].find(q)) {
            // The closing quote, and what sticks to it (`"a",`).
            Some(close) => {
                let after = close + 2;
                after
                    + rest[after..]
                        .find(char::is_whitespace)
                        .unwrap_or(rest.len() - after)
            }
            None => rest.find(char::is_whitespace).unwrap_or(rest.len()),
        };
        words.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    words
}

/// A word that is a value rather than language: an identifier or quoted text.
pub fn is_value(word: &str) -> bool {
    if word.starts_with(['"', '\'', '`']) && word.len() >= 2 {
        return true;
    }
    let core = word.trim_matches(|c: char| !c.is_alphanumeric());
    core.chars().any(|c| c.is_ascii_digit()) || core.contains(['.', '_', '/', ':', '@'])
}

#[cfg(test)]
mod tests {
    use super::{same_shape, template};

    #[test]
    fn one_message_formatted_from_different_values_has_one_shape() {
        let shape = |a: &str, b: &str| same_shape(&template(a), &template(b));
        assert_eq!(
            shape(
                "Payment 1001 declined by stripe",
                "Payment 5002 declined by adyen"
            ),
            Some(1)
        );
        assert_eq!(
            shape(
                "webhook wh_2001 to hooks.acme.test failed after 3 retries",
                "webhook rf_2003 to erp.initech.test failed after 5 retries"
            ),
            Some(2)
        );
        assert_eq!(
            shape(
                r#"unknown setting "cache_ttl""#,
                r#"unknown setting "log_level""#
            ),
            Some(1)
        );
        assert_eq!(
            shape(
                r#"search for "red mug" timed out after 40ms"#,
                r#"search for "tea" timed out after 25ms"#
            ),
            Some(1)
        );
        // Different messages: words of language differ, or the first word, or the length.
        assert_eq!(
            shape("Payment 1 declined by stripe", "Payout 1 delayed by stripe"),
            None
        );
        assert_eq!(
            shape(r#"unknown setting "a""#, r#"unknown coupon "a""#),
            None
        );
        assert_eq!(shape("disk full on volume", "quota full on volume"), None);
        assert_eq!(shape("user not found", "user not allowed"), None);
        assert_eq!(shape("order 1 shipped", "order 1 shipped late"), None);
        assert_eq!(shape("same message here", "same message here"), None);
    }

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
    fn quoted_text_is_one_word() {
        assert_eq!(
            super::words(r#"search for "red mug", then 'a b' x"#),
            ["search", "for", r#""red mug","#, "then", "'a b'", "x"]
        );
        assert_eq!(
            super::words(r#"unclosed "quote here"#),
            ["unclosed", "\"quote", "here"]
        );
    }

    #[test]
    fn templates_keep_two_lines() {
        assert_eq!(template("a\n\n b \nc\nd"), "a\nb...");
        assert_eq!(template("cart %s has %d items"), "cart %s has %d items");
    }
}
