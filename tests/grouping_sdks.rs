//! Grouping measured per SDK: a labelled corpus made here with the real Python `sentry-sdk`,
//! `@sentry/node`, `@sentry/browser` in Chromium and the Rust `sentry` crate (scripts in
//! `tests/corpus/`, captures in `tests/fixtures/grouping-sdks/`), each replayed into a fresh
//! server and scored with B-cubed. A wrong merge hides a bug, so precision has the higher bar.
mod common;

use common::TestServer;
use common::corpus::Corpus;

/// The bars every SDK's corpus must clear.
const MIN_PRECISION: f64 = 0.99;
const MIN_F1: f64 = 0.98;

async fn scores_above_the_bar(server: TestServer, sdk: &str) {
    let corpus = Corpus::load(
        &format!("grouping-sdks/{sdk}.jsonl"),
        &format!("grouping-sdks/{sdk}-labels.csv"),
    );
    corpus.replay(&server).await;
    let score = corpus.score(&server).await;
    println!("grouping-sdks {sdk}: {score}");
    assert!(score.precision >= MIN_PRECISION, "{sdk}: {score}");
    assert!(score.f1 >= MIN_F1, "{sdk}: {score}");
}

async fn python(server: TestServer) {
    scores_above_the_bar(server, "python").await;
}

async fn node(server: TestServer) {
    scores_above_the_bar(server, "node").await;
}

async fn browser(server: TestServer) {
    scores_above_the_bar(server, "browser").await;
}

async fn rust(server: TestServer) {
    scores_above_the_bar(server, "rust").await;
}

on_both_databases!(python, node, browser, rust);
