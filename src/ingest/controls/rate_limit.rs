//! Per-project and per-key rate limits: fixed one-minute windows counted in memory. Fixed
//! windows are exact and cheap (one counter per scope); a burst at a window edge can let up to
//! twice the limit through in a minute, which quotas of this kind accept.
use axum::http::StatusCode;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use super::super::IngestError;

/// Scopes remembered at most; old windows are dropped first.
const MAX_SCOPES: usize = 100_000;

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (u64, u32)>>,
}

/// A limit that applies to a request.
pub struct Limit<'a> {
    /// `project` or `key`, as reported to SDKs.
    pub scope: &'static str,
    pub id: &'a str,
    pub per_minute: u32,
}

impl RateLimiter {
    /// Counts one event against every limit; refuses it (counting nothing) if any is exhausted.
    pub fn check(&self, limits: &[Limit<'_>]) -> Result<(), IngestError> {
        self.check_at(limits, unix_seconds())
    }

    fn check_at(&self, limits: &[Limit<'_>], now: u64) -> Result<(), IngestError> {
        let minute = now / 60;
        let mut windows = self.windows.lock().expect("rate limiter lock");
        if windows.len() > MAX_SCOPES {
            windows.retain(|_, (window, _)| *window == minute);
        }
        for limit in limits {
            let (window, count) = windows.get(&key(limit)).copied().unwrap_or((minute, 0));
            if window == minute && count >= limit.per_minute {
                let retry_after = 60 - now % 60;
                return Err(IngestError {
                    retry_after: Some(retry_after),
                    rate_limits: Some(format!(
                        "{retry_after}::{}:{}_quota",
                        limit.scope, limit.scope
                    )),
                    ..IngestError::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "Sentry dropped data due to a quota or internal rate limit being reached. This will not affect your application.",
                    )
                });
            }
        }
        for limit in limits {
            let entry = windows.entry(key(limit)).or_insert((minute, 0));
            if entry.0 != minute {
                *entry = (minute, 0);
            }
            entry.1 += 1;
        }
        Ok(())
    }
}

fn key(limit: &Limit<'_>) -> String {
    format!("{}:{}", limit.scope, limit.id)
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_the_limit_passes_per_window_then_recovers() {
        let limiter = RateLimiter::default();
        let limits = [Limit {
            scope: "project",
            id: "1",
            per_minute: 3,
        }];
        let start = 60 * 1000 + 15;
        for _ in 0..3 {
            assert!(limiter.check_at(&limits, start).is_ok());
        }
        let refused = limiter.check_at(&limits, start + 5).unwrap_err();
        assert_eq!(refused.status, 429);
        assert_eq!(refused.retry_after, Some(40));
        assert_eq!(
            refused.rate_limits.as_deref(),
            Some("40::project:project_quota")
        );
        // Python's parser: split on ",", then ":", int() of the seconds.
        let seconds: u64 = refused
            .rate_limits
            .unwrap()
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(seconds, 40);
        assert!(
            limiter.check_at(&limits, start + 60).is_ok(),
            "a new window starts fresh"
        );
    }

    #[test]
    fn the_tightest_scope_refuses_and_nothing_is_counted_then() {
        let limiter = RateLimiter::default();
        let limits = [
            Limit {
                scope: "project",
                id: "1",
                per_minute: 10,
            },
            Limit {
                scope: "key",
                id: "7",
                per_minute: 1,
            },
        ];
        assert!(limiter.check_at(&limits, 120).is_ok());
        let refused = limiter.check_at(&limits, 121).unwrap_err();
        assert!(refused.rate_limits.unwrap().contains(":key:"));
        let project_only = [Limit {
            scope: "project",
            id: "1",
            per_minute: 2,
        }];
        assert!(
            limiter.check_at(&project_only, 122).is_ok(),
            "the refused event was not counted"
        );
        assert!(limiter.check_at(&project_only, 122).is_err());
    }
}
