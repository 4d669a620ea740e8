//! The search keys Larder knows and what each one searches: an issue column, the tag
//! counts (`issue_tag`, where the ingest writer counts every event's tags and the values derived
//! from it, `ingest::tags`), or a status. A key that is neither built in nor a tag seen in the
//! project is an error naming the closest known keys.

use std::borrow::Cow;

/// What a key searches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// `is:` — status, assignment, regression, newness, linked tickets.
    Is,
    /// `assigned:` — a member, `none` (or `me` once people sign in).
    Assigned,
    /// `has:` — the key that follows has a value.
    Has,
    /// `age`, `firstSeen`: when the issue was first seen.
    FirstSeen,
    LastSeen,
    TimesSeen,
    Level,
    /// The first release (a column), `latest` for the project's newest.
    FirstRelease,
    Culprit,
    /// Text of the title (the message or `Type: value`).
    Message,
    /// `error.handled` / `error.unhandled`: the derived `handled` tag, `yes` or `no`; the flag
    /// says which value `true` means.
    Handled {
        unhandled: bool,
    },
    /// Any other key: a tag, under the name the writer stores it by.
    Tag(Cow<'static, str>),
}

const fn tag(name: &'static str) -> Field {
    Field::Tag(Cow::Borrowed(name))
}

/// The built-in keys and what each searches; tag-backed keys name the tag they are stored as.
pub const BUILT_IN: &[(&str, Field)] = &[
    ("is", Field::Is),
    ("assigned", Field::Assigned),
    ("has", Field::Has),
    ("age", Field::FirstSeen),
    ("firstSeen", Field::FirstSeen),
    ("lastSeen", Field::LastSeen),
    ("timesSeen", Field::TimesSeen),
    ("times_seen", Field::TimesSeen),
    ("level", Field::Level),
    ("firstRelease", Field::FirstRelease),
    ("culprit", Field::Culprit),
    ("message", Field::Message),
    ("error.handled", Field::Handled { unhandled: false }),
    ("error.unhandled", Field::Handled { unhandled: true }),
    ("release", tag("release")),
    ("environment", tag("environment")),
    ("error.type", tag("error.type")),
    ("error.value", tag("error.value")),
    ("error.mechanism", tag("mechanism")),
    ("platform", tag("platform")),
    ("user.id", tag("user.id")),
    ("user.email", tag("user.email")),
    ("user.username", tag("user.username")),
    ("user.ip", tag("user.ip")),
    ("user", tag("user")),
    ("url", tag("url")),
    ("transaction", tag("transaction")),
    ("logger", tag("logger")),
    ("server_name", tag("server_name")),
    ("sdk.name", tag("sdk.name")),
    ("os.name", tag("os.name")),
    ("browser.name", tag("browser.name")),
    ("runtime.name", tag("runtime.name")),
    ("device.family", tag("device.family")),
    // Short names people type, for the name part of a context.
    ("browser", tag("browser.name")),
    ("os", tag("os.name")),
    ("runtime", tag("runtime.name")),
];

/// The built-in meaning of a key, if it has one. `tags[name]` is always the tag `name`, for tags
/// whose name a built-in key takes.
pub fn built_in(key: &str) -> Option<Field> {
    if let Some(tag) = key.strip_prefix("tags[").and_then(|k| k.strip_suffix(']')) {
        return Some(Field::Tag(Cow::Owned(tag.to_string())));
    }
    BUILT_IN
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, field)| field.clone())
}

/// The kind of value a key takes, for frontends that complete a search as it is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    Number,
    /// A relative time (`-24h`, `+7d`) or an ISO date or time.
    Date,
    Boolean,
    /// One of a fixed list of words.
    Choice,
}

impl Field {
    pub fn value_kind(&self) -> ValueKind {
        match self {
            Field::FirstSeen | Field::LastSeen => ValueKind::Date,
            Field::TimesSeen => ValueKind::Number,
            Field::Handled { .. } => ValueKind::Boolean,
            Field::Is | Field::Level => ValueKind::Choice,
            Field::Assigned
            | Field::Has
            | Field::FirstRelease
            | Field::Culprit
            | Field::Message
            | Field::Tag(_) => ValueKind::Text,
        }
    }

    /// The values a key always takes, where the list is fixed.
    pub fn fixed_values(&self) -> &'static [&'static str] {
        match self {
            Field::Is => IS_VALUES,
            Field::Level => LEVELS,
            Field::Handled { .. } => &["true", "false"],
            _ => &[],
        }
    }
}

/// What `is:` takes.
pub const IS_VALUES: &[&str] = &[
    "unresolved",
    "resolved",
    "ignored",
    "archived",
    "assigned",
    "unassigned",
    "new",
    "regressed",
    "linked",
    "unlinked",
];

pub const LEVELS: &[&str] = &["debug", "info", "warning", "error", "fatal"];

/// The known keys closest to a mistyped one (at most three, nearest first): built-in keys and
/// the project's tag keys within a small edit distance, or sharing its first part.
pub fn closest<'a>(key: &str, tag_keys: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let wanted = key.to_lowercase();
    let mut candidates: Vec<(usize, String)> = BUILT_IN
        .iter()
        .map(|(name, _)| *name)
        .chain(tag_keys)
        .filter_map(|name| {
            let distance = edit_distance(&wanted, &name.to_lowercase());
            let same_family = wanted.split('.').next() == name.split('.').next();
            (distance <= 2 + wanted.len() / 8 || same_family).then(|| (distance, name.to_string()))
        })
        .collect();
    candidates.sort();
    candidates.dedup_by(|a, b| a.1 == b.1);
    candidates
        .into_iter()
        .take(3)
        .map(|(_, name)| name)
        .collect()
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_key_resolves_and_tags_in_brackets_escape_them() {
        for (name, _) in BUILT_IN {
            assert!(built_in(name).is_some(), "{name}");
        }
        assert_eq!(built_in("error.mechanism"), Some(tag("mechanism")));
        assert_eq!(built_in("tags[level]"), Some(tag("level")));
        assert_eq!(built_in("customer"), None);
    }

    #[test]
    fn the_levels_offered_are_the_stored_ones() {
        let stored: Vec<&str> = <entity::states::Level as sea_orm::Iterable>::iter()
            .map(entity::states::Level::as_str)
            .collect();
        assert_eq!(LEVELS, stored);
    }

    #[test]
    fn a_typo_is_answered_with_the_keys_meant() {
        assert_eq!(closest("enviroment", []), ["environment"]);
        assert_eq!(closest("error.typ", [])[0], "error.type");
        assert_eq!(closest("custmer", ["customer", "region"]), ["customer"]);
        assert!(closest("zzzzzzzz", ["customer"]).is_empty());
    }
}
