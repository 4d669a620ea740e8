//! Event time: parsed from RFC 3339 or unix seconds, corrected for SDK clock drift, and clamped
//! to a sane window around the receive time (protocol spec §7.2).
use chrono::{DateTime, Duration, SecondsFormat, TimeZone, Utc};
use serde_json::Value;

/// Drift below this is network latency, not a wrong clock.
const MIN_CLOCK_DRIFT: Duration = Duration::minutes(55);
/// Events from further in the future than this are moved to the receive time…
const MAX_IN_FUTURE: Duration = Duration::seconds(60);
/// …and so are events older than this.
const MAX_IN_PAST: Duration = Duration::days(30);

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

/// How far to move the event's timestamps: clock drift first (when `sent_at` says the SDK's
/// clock is off by 55 minutes or more), then clamping into [received − 30 d, received + 60 s].
pub fn correction(
    timestamp: DateTime<Utc>,
    received: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
) -> (Duration, Option<&'static str>) {
    let mut shift = Duration::zero();
    let mut reason = None;
    if let Some(sent_at) = sent_at {
        let drift = received - sent_at;
        if drift.abs() >= MIN_CLOCK_DRIFT {
            shift = drift;
            reason = Some("clock_drift");
        }
    }
    let corrected = timestamp + shift;
    if corrected > received + MAX_IN_FUTURE {
        return (received - timestamp, Some("future_timestamp"));
    }
    if corrected < received - MAX_IN_PAST {
        return (received - timestamp, Some("past_timestamp"));
    }
    (shift, reason)
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

    #[test]
    fn drift_and_clamping() {
        let received = at("2026-11-25T12:00:00Z");
        // Small drift: untouched.
        let (shift, reason) = correction(
            at("2026-11-25T11:59:00Z"),
            received,
            Some(at("2026-11-25T11:59:30Z")),
        );
        assert_eq!((shift, reason), (Duration::zero(), None));
        // The SDK's clock is two hours behind: everything moves forward two hours.
        let (shift, reason) = correction(
            at("2026-11-25T09:59:00Z"),
            received,
            Some(at("2026-11-25T10:00:00Z")),
        );
        assert_eq!((shift, reason), (Duration::hours(2), Some("clock_drift")));
        // Far future or far past: set to the receive time.
        let (shift, reason) = correction(at("2027-01-01T00:00:00Z"), received, None);
        assert_eq!(at("2027-01-01T00:00:00Z") + shift, received);
        assert_eq!(reason, Some("future_timestamp"));
        let (_, reason) = correction(at("2020-01-01T00:00:00Z"), received, None);
        assert_eq!(reason, Some("past_timestamp"));
    }
}
