//! Limits on failed sign-ins, per account and per client address, so passwords cannot be
//! guessed at speed: 10 failures per account and 50 per address within 15 minutes; past that,
//! every attempt is refused (the right password included) until the oldest failure ages out.
//! Kept in memory: a restart forgets it, which costs an attacker a restart per 10 guesses.
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(15 * 60);
const PER_ACCOUNT: usize = 10;
const PER_ADDRESS: usize = 50;
/// Keys kept before stale ones are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl SignInThrottle {
    /// `Err(retry_after)` when the account or the address has failed too often.
    pub fn check(&self, email: &str, client: Option<&str>) -> Result<(), Duration> {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = Duration::ZERO;
        for (key, limit) in keys(email, client) {
            if let Some(times) = failures.get_mut(&key) {
                times.retain(|t| now.duration_since(*t) < WINDOW);
                if times.len() >= limit {
                    let oldest = times[times.len() - limit];
                    wait = wait.max(WINDOW - now.duration_since(oldest));
                }
            }
        }
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    pub fn failed(&self, email: &str, client: Option<&str>) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= SWEEP_AT {
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
        for (key, limit) in keys(email, client) {
            let times = failures.entry(key).or_default();
            times.push_back(now);
            while times.len() > limit {
                times.pop_front();
            }
        }
    }

    /// A successful sign-in clears the account's failures (not the address's).
    pub fn succeeded(&self, email: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(&format!("account:{email}"));
    }
}

fn keys(email: &str, client: Option<&str>) -> Vec<(String, usize)> {
    let mut keys = vec![(format!("account:{email}"), PER_ACCOUNT)];
    if let Some(client) = client {
        keys.push((format!("address:{client}"), PER_ADDRESS));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failures_lock_the_account_not_others() {
        let throttle = SignInThrottle::default();
        for _ in 0..PER_ACCOUNT {
            assert!(throttle.check("a@x.io", Some("1.2.3.4")).is_ok());
            throttle.failed("a@x.io", Some("1.2.3.4"));
        }
        let wait = throttle.check("a@x.io", Some("9.9.9.9")).unwrap_err();
        assert!(wait > Duration::from_secs(14 * 60) && wait <= WINDOW);
        assert!(throttle.check("b@x.io", Some("1.2.3.4")).is_ok());
    }

    #[test]
    fn an_address_trying_many_accounts_is_locked() {
        let throttle = SignInThrottle::default();
        for n in 0..PER_ADDRESS {
            throttle.failed(&format!("{n}@x.io"), Some("6.6.6.6"));
        }
        assert!(throttle.check("new@x.io", Some("6.6.6.6")).is_err());
        assert!(throttle.check("new@x.io", Some("7.7.7.7")).is_ok());
    }
}
