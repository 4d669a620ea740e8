//! Arbitrary bytes through the envelope parser, and every JSON item through normalisation and
//! grouping: nothing may panic, hang or overflow the stack.
//! Run from `fuzz/`: `RUSTC_BOOTSTRAP=1 cargo fuzz run envelope corpus/envelope ../../tests/fixtures/vectors -- -max_total_time=300`.
#![no_main]

use larder::grouping::{CURRENT_CONFIG, FingerprintRules, GroupingConfig, group_event};
use larder::ingest::envelope::Envelope;
use larder::ingest::normalize::{NormalizeContext, ScrubSettings, normalize_event};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(envelope) = Envelope::parse(bytes::Bytes::copy_from_slice(data)) else { return };
    let _ = envelope.event_id();
    let config = GroupingConfig { id: CURRENT_CONFIG.into(), rules: FingerprintRules::empty() };
    for item in &envelope.items {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&item.payload) else { continue };
        let context = NormalizeContext {
            received: chrono::Utc::now(),
            sent_at: envelope.sent_at(),
            envelope_event_id: None,
            client_ip: None,
            sentry_client: None,
            scrub: ScrubSettings { enabled: true, ..Default::default() },
        };
        if let Ok(event) = normalize_event(value, &context) {
            let _ = group_event(&event.payload, &config);
        }
    }
});
