//! Server-side sampling, decided by the event id: an SDK retry of the same event gets the same
//! decision, and the kept share converges on the rate.
use sha2::{Digest, Sha256};

/// Whether to keep an event at `rate` (clamped to [0, 1]).
pub fn keep(event_id: &str, rate: f64) -> bool {
    if rate >= 1.0 || rate.is_nan() {
        return true;
    }
    if rate <= 0.0 {
        return false;
    }
    let digest = Sha256::digest(event_id.as_bytes());
    let draw =
        u64::from_be_bytes(digest[..8].try_into().expect("8 bytes")) as f64 / u64::MAX as f64;
    draw < rate
}

#[cfg(test)]
mod tests {
    use super::keep;

    #[test]
    fn kept_share_is_within_statistical_bounds() {
        let ids: Vec<String> = (0..100_000u64)
            .map(|i| format!("{:032x}", i.wrapping_mul(0x9e3779b97f4a7c15)))
            .collect();
        for rate in [0.1, 0.5, 0.9] {
            let kept = ids.iter().filter(|id| keep(id, rate)).count() as f64;
            let expected = rate * ids.len() as f64;
            let sigma = (ids.len() as f64 * rate * (1.0 - rate)).sqrt();
            assert!(
                (kept - expected).abs() < 4.0 * sigma,
                "rate {rate}: kept {kept}"
            );
        }
        assert!(ids.iter().all(|id| keep(id, 1.0)));
        assert!(ids.iter().all(|id| !keep(id, 0.0)));
        assert_eq!(keep("abc", 0.5), keep("abc", 0.5), "decisions are stable");
    }
}
