//! An issue's grouping as stored (`issue.grouping`: `{"hash", "explanation"}`) and read back for
//! the API. The writer stores [`super::Explanation`] as it is made, with static names; this is
//! its owned mirror for reading, so that the hot path allocates nothing for it.
use serde::Deserialize;
use serde_json::Value;

/// Why an issue's primary hash is what it is.
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(default)]
pub struct ExplanationRecord {
    pub config: String,
    /// `fingerprint_rule`, `custom_fingerprint`, `exception`, `stacktrace`, `exception_value`,
    /// `message` or `fallback`.
    pub source: String,
    pub rule: Option<String>,
    pub fingerprint: Option<Vec<String>>,
    pub components: Vec<ComponentRecord>,
    /// How a new hash joined an existing issue by similarity (`grouping::SimilarityJoin`).
    pub similarity: Option<JoinRecord>,
}

#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(default)]
pub struct JoinRecord {
    pub issue_id: i64,
    pub distance: f64,
    pub reason: String,
}

#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(default)]
pub struct ComponentRecord {
    pub kind: String,
    pub value: String,
    pub contributes: bool,
    pub hint: Option<String>,
}

/// The stored text of an issue's grouping: the hash and its explanation.
pub fn issue_grouping_text(hash: &str, explanation: &impl serde::Serialize) -> String {
    serde_json::json!({ "hash": hash, "explanation": explanation }).to_string()
}

/// The explanation in an issue's stored grouping. Issues split off by an unmerge before
/// 2026-12-05 stored the bare explanation; both forms read. `None` when unreadable.
pub fn read_explanation(stored: &str) -> Option<ExplanationRecord> {
    let value: Value = serde_json::from_str(stored).ok()?;
    let explanation = match value.get("explanation") {
        Some(inner) => inner.clone(),
        None => value,
    };
    serde_json::from_value(explanation).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_stored_forms_read() {
        let explanation = serde_json::json!({ "config": "larder:2026-11", "source": "message",
            "rule": null, "fingerprint": null,
            "components": [{ "kind": "message", "value": "x", "contributes": true, "hint": null }] });
        let wrapped = issue_grouping_text("abc", &explanation);
        let expected = read_explanation(&explanation.to_string()).unwrap();
        assert_eq!(read_explanation(&wrapped), Some(expected.clone()));
        assert_eq!(expected.source, "message");
        assert_eq!(expected.components[0].kind, "message");
        assert_eq!(read_explanation("not json"), None);
    }
}
