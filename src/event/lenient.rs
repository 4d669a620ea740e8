//! How the event model reads what SDKs send: a known field holding the wrong kind of value is
//! dropped rather than failing the whole event, and scalars that SDKs send as numbers or strings
//! alike (user ids, exception values, releases) are read as text. The model's structs use these
//! through `#[serde(deserialize_with = …)]`.
use serde::{Deserialize, Deserializer, de::DeserializeOwned};
use serde_json::Value;

/// The field as `T`, or `None` when it is null or of another shape.
pub fn field<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(value_as(Value::deserialize(deserializer)?))
}

/// `value` as `T`, or `None` when it is null or of another shape.
pub fn value_as<T: DeserializeOwned>(value: Value) -> Option<T> {
    if value.is_null() {
        return None;
    }
    T::deserialize(value).ok()
}

/// A list whose entries of the wrong shape are dropped (the rest kept, in order).
pub fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::Array(items) => items.into_iter().filter_map(value_as).collect(),
        _ => Vec::new(),
    })
}

/// A string, number or boolean as text; anything else `None`.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(stringify(&Value::deserialize(deserializer)?))
}

/// Strings stay, numbers and booleans become text (`true` → `True`, as Sentry shows them).
pub fn stringify(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("True".into()),
        Value::Bool(false) => Some("False".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrong_shapes_are_dropped_not_fatal() {
        assert_eq!(value_as::<u64>(json!("12")), None);
        assert_eq!(value_as::<u64>(json!(12)), Some(12));
        assert_eq!(value_as::<String>(json!(null)), None);
        assert_eq!(stringify(&json!(7)), Some("7".into()));
        assert_eq!(stringify(&json!(false)), Some("False".into()));
        assert_eq!(stringify(&json!({})), None);
    }
}
