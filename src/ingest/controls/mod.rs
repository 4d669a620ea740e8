//! Step 5: what a project lets in. Inbound filters and server-side sampling drop events quietly
//! (the SDK still gets 200, the drop is counted); rate limits refuse with 429, `Retry-After` and
//! `X-Sentry-Rate-Limits` so SDKs back off. Every outcome is counted per project and hour.
pub mod filters;
pub mod outcomes;
pub mod rate_limit;
pub mod sampling;
