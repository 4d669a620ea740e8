//! The ingest path, in the order an event travels it:
//!
//! 1. `auth`      — credentials from header, query string or envelope `dsn`; `keys` resolves
//!    the public key to its project (cached, revocation honoured within seconds)
//! 2. `decode`    — body size cap, Content-Encoding, decompression with a cap
//! 3. `envelope`  — envelope framing into items (the `/store/` endpoint skips this)
//! 4. `normalize` — event id, timestamps, defaults, trimming, PII scrubbing
//! 5. `controls` — inbound filters, server-side sampling, rate limits, outcome counts
//! 6. grouping    — `crate::grouping` turns the event into hashes, a title and a culprit
//! 7. `writer`    — group commit: the event, its issue and counters in one transaction
//! 8. the endpoint answers `200 {"id"}` only after step 7 committed
//!
//! `pipeline` runs steps 4–7 for one event; the HTTP endpoints (`crate::http::ingest`) and the
//! GraphQL `ingestEvent` mutation both go through it.
pub mod auth;
pub mod controls;
pub mod decode;
pub mod envelope;
pub mod error;
pub mod items;
pub mod keys;
pub mod legacy;
pub mod metrics;
pub mod normalize;
pub mod pipeline;
pub mod projects;
pub mod tags;
pub mod writer;

pub use error::IngestError;
pub use pipeline::{Accepted, Pipeline};
