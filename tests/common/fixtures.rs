//! The captured SDK payloads in `tests/fixtures/` (provenance in its README), for the end-to-end
//! tests and, through `#[path]`, for the library's unit tests: one place that knows where they
//! live, so that a clone of the repository alone has everything its tests read.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Path of a file in `tests/fixtures/`, e.g. `vectors/py-01-exception-chained.envelope`.
/// The checkout is the one `cargo test` runs in (it sets `CARGO_MANIFEST_DIR` for the test),
/// not the one the test binary was built in: `.ci/run` builds in temporary copies that share
/// one `target/`, so a binary kept from an earlier run names a folder that is gone.
pub fn path(name: &str) -> PathBuf {
    checkout().join("tests/fixtures").join(name)
}

/// The checkout `cargo test` runs in (see `path`), for files beside the fixtures such as
/// `schema.graphql`.
pub fn checkout() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf())
}

/// The bytes of a fixture; panics naming the file when it is missing.
pub fn read(name: &str) -> Vec<u8> {
    let path = path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// The text of a fixture.
pub fn read_text(name: &str) -> String {
    String::from_utf8(read(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// The event of a captured envelope in `vectors/`, as JSON: the captured envelopes carry it as
/// their first item, on the third line after the envelope and item headers.
pub fn vector_event(name: &str) -> serde_json::Value {
    let body = read(&format!("vectors/{name}"));
    let payload = body
        .split(|b| *b == b'\n')
        .nth(2)
        .unwrap_or_else(|| panic!("vector {name} has no item payload"));
    serde_json::from_slice(payload).unwrap_or_else(|e| panic!("vector {name}: {e}"))
}
