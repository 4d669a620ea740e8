//! Event time as SDKs send it (RFC 3339 text, naive text meaning UTC, or unix seconds as a
//! number or text) and as Larder stores it (RFC 3339, UTC, microseconds), with the serde glue the
//! event model's timestamp fields use.
use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::Value;

/// A timestamp from either form SDKs send. Non-finite or out-of-range numbers are `None`.
pub fn parse(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::String(text) => DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                // Naive `2026-11-25T03:15:16.2` (no zone) is UTC.
                chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S%.f")
                    .ok()
                    .map(|t| t.and_utc())
            })
            .or_else(|| text.trim().parse::<f64>().ok().and_then(from_unix)),
        Value::Number(number) => number.as_f64().and_then(from_unix),
        _ => None,
    }
}

fn from_unix(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() || !(0.0..=32_503_680_000.0).contains(&seconds) {
        return None;
    }
    let whole = seconds.floor();
    let nanos = ((seconds - whole) * 1e9).round().min(999_999_999.0) as u32;
    Utc.timestamp_opt(whole as i64, nanos).single()
}

/// The form every stored timestamp takes: RFC 3339, UTC, microseconds.
pub fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Serialises an optional timestamp in the stored form (the model skips `None`).
pub fn serialize<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serializer.serialize_str(&format(*t)),
        None => serializer.serialize_none(),
    }
}

/// Reads either SDK form; anything else is `None`.
pub fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(parse(&Value::deserialize(deserializer)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn both_sdk_forms_parse() {
        assert_eq!(
            parse(&json!("2026-11-25T03:15:16.205129Z")),
            Some(at("2026-11-25T03:15:16.205129Z"))
        );
        assert_eq!(
            parse(&json!("2026-11-25T04:15:16+01:00")),
            Some(at("2026-11-25T03:15:16Z"))
        );
        assert_eq!(
            parse(&json!(1795576478.5)).map(format).unwrap(),
            "2026-11-25T03:14:38.500000Z"
        );
        assert_eq!(
            parse(&json!(1795576478)).map(format).unwrap(),
            "2026-11-25T03:14:38.000000Z"
        );
        for bad in [
            json!("yesterday"),
            json!(-1),
            json!(1e300),
            json!(null),
            json!([1]),
        ] {
            assert_eq!(parse(&bad), None, "{bad}");
        }
    }
}
