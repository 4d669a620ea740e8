//! Event time corrected for SDK clock drift and clamped to a sane window around the receive
//! time (protocol spec §7.2). Reading the two forms SDKs send is the event model's
//! (`crate::event::time`).
use chrono::{DateTime, Duration, Utc};

/// Drift below this is network latency, not a wrong clock.
const MIN_CLOCK_DRIFT: Duration = Duration::minutes(55);
/// Events from further in the future than this are moved to the receive time…
const MAX_IN_FUTURE: Duration = Duration::seconds(60);
/// …and so are events older than this.
const MAX_IN_PAST: Duration = Duration::days(30);

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

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
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
