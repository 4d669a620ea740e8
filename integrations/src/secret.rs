//! A string that must not leak.
//!
//! Configurations are stored and loaded as JSON by the server, so a [`Secret`] serialises to its
//! plain value (the store needs it). Everything that is *shown* goes through `Debug` or
//! [`crate::ChannelConfig::redacted`], and neither ever prints the value.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the one place that has to send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_string())
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("Secret(<empty>)")
        } else {
            f.write_str("Secret(<redacted>)")
        }
    }
}

/// Replaces every occurrence of a secret in a message meant for logs or the UI. Client libraries
/// like to put URLs and response bodies into their errors; a webhook URL *is* a credential.
pub(crate) fn scrub(message: impl Into<String>, secrets: &[&Secret]) -> String {
    let mut message = message.into();
    for secret in secrets {
        let value = secret.expose();
        // Very short values would blank out ordinary words; nothing real is that short.
        if value.len() >= 4 && message.contains(value) {
            message = message.replace(value, "<redacted>");
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{:?}", Secret::default()), "Secret(<empty>)");
    }

    #[test]
    fn serialises_transparently() {
        let s = Secret::new("abc");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"abc\"");
        let back: Secret = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(back.expose(), "abc");
    }

    #[test]
    fn scrub_replaces_every_occurrence() {
        let s = Secret::new("https://hooks.example/T1/B2/XYZ");
        let out = scrub(
            "error sending request for url (https://hooks.example/T1/B2/XYZ): refused",
            &[&s],
        );
        assert!(!out.contains("XYZ"), "{out}");
        assert!(out.contains("<redacted>"));
    }
}
