//! Micro-benchmarks of the CPU steps of ingest, on a real Python SDK envelope (vector py-01):
//! body decoding (gzip, as the SDK sends it), envelope parsing, normalisation, grouping, and
//! compressing the normalised payload for storage; grouping under the current and the first
//! config, for an exception and a stack-less message.
//! `cargo bench --bench ingest`
use std::io::Write;

use criterion::{Criterion, criterion_group, criterion_main};
use larder::grouping::{
    CURRENT_CONFIG, FIRST_CONFIG, FingerprintRules, GroupingConfig, StackRules, group_event,
};
use larder::ingest::decode::decode_body;
use larder::ingest::envelope::Envelope;
use larder::ingest::normalize::{NormalizeContext, ScrubSettings, normalize_event};

#[path = "../tests/common/fixtures.rs"]
mod fixtures;

fn vector() -> bytes::Bytes {
    fixtures::read("vectors/py-01-exception-chained.envelope").into()
}

fn context() -> NormalizeContext {
    NormalizeContext {
        received: chrono::Utc::now(),
        sent_at: None,
        envelope_event_id: None,
        client_ip: None,
        sentry_client: Some("sentry.python/2.75.0".into()),
        scrub: ScrubSettings {
            enabled: true,
            ..Default::default()
        },
    }
}

fn ingest_steps(c: &mut Criterion) {
    let body = vector();
    let envelope = Envelope::parse(body.clone()).unwrap();
    let raw: serde_json::Value = serde_json::from_slice(&envelope.items[0].payload).unwrap();
    let normalized = normalize_event(raw.clone(), &context()).unwrap();
    let config = GroupingConfig {
        id: CURRENT_CONFIG.into(),
        rules: FingerprintRules::empty(),
        stack_rules: StackRules::default(),
    };

    let gzipped = {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&body).unwrap();
        encoder.finish().unwrap()
    };
    c.bench_function("gzip_decode", |b| {
        b.iter(|| decode_body(Some("gzip"), &gzipped, 1 << 20).unwrap())
    });
    c.bench_function("envelope_parse", |b| {
        b.iter(|| Envelope::parse(body.clone()).unwrap())
    });
    c.bench_function("event_json_parse", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(&envelope.items[0].payload).unwrap())
    });
    c.bench_function("normalize", |b| {
        b.iter(|| normalize_event(raw.clone(), &context()).unwrap())
    });
    c.bench_function("group", |b| {
        b.iter(|| group_event(&normalized.payload, &config))
    });
    // The same event and a stack-less message under the first config, which computes no shape:
    // what the second round of grouping costs.
    let first = GroupingConfig {
        id: FIRST_CONFIG.into(),
        rules: FingerprintRules::empty(),
        stack_rules: StackRules::default(),
    };
    c.bench_function("group_first_config", |b| {
        b.iter(|| group_event(&normalized.payload, &first))
    });
    let message = normalize_event(
        serde_json::json!({ "message": "webhook wh_2001 to hooks.acme.test failed after 3 retries",
            "level": "error", "platform": "python" }),
        &context(),
    )
    .unwrap();
    c.bench_function("group_message", |b| {
        b.iter(|| group_event(&message.payload, &config))
    });
    c.bench_function("group_message_first_config", |b| {
        b.iter(|| group_event(&message.payload, &first))
    });
    c.bench_function("payload_store", |b| {
        b.iter(|| larder::db::payload::store(&normalized.payload))
    });
}

criterion_group!(benches, ingest_steps);
criterion_main!(benches);
