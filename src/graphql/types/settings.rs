//! A project's ingest settings as the API shows and takes them: the typed view of the project
//! row and of its settings column (`ingest::projects::ExtraSettings`, the one type ingest reads).
use async_graphql::{InputObject, SimpleObject};
use entity::project;

use crate::ingest::controls::filters::InboundFilters;
use crate::ingest::projects::ExtraSettings;

/// What a project does with the events it receives.
#[derive(SimpleObject)]
pub struct ProjectSettings {
    /// Share of events kept (0–1); the rest are dropped and counted as sampled.
    pub sample_rate: f64,
    /// Events accepted per minute; null when unlimited.
    pub rate_limit_per_minute: Option<i32>,
    /// Days events are kept; null for the server's default.
    pub retention_days: Option<i32>,
    /// Default PII scrubbing (passwords, tokens, cookies, card numbers…).
    pub scrub_data: bool,
    /// Extra key names scrubbed.
    pub sensitive_fields: Vec<String>,
    /// Key names never scrubbed.
    pub safe_fields: Vec<String>,
    /// Whether the user's IP address is removed.
    pub scrub_ip_addresses: bool,
    pub inbound_filters: InboundFilterSettings,
}

/// Events dropped before storage (and counted as filtered).
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "InboundFiltersInput")]
pub struct InboundFilterSettings {
    /// Events from localhost (127.0.0.1, ::1, `localhost` URLs).
    #[graphql(default)]
    pub localhost: bool,
    /// Errors raised in browser extensions.
    #[graphql(default)]
    pub browser_extensions: bool,
    /// Internet Explorer, old Opera and Android browsers.
    #[graphql(default)]
    pub legacy_browsers: bool,
    /// Search engines, monitors and other bots.
    #[graphql(default)]
    pub web_crawlers: bool,
    /// Globs (`*` any text) matched against `Type: value` and the message.
    #[graphql(default)]
    pub error_messages: Vec<String>,
    /// Globs matched against the release.
    #[graphql(default)]
    pub releases: Vec<String>,
}

impl ProjectSettings {
    pub fn of(row: &project::Model) -> Self {
        let extra = ExtraSettings::parse(&row.settings);
        ProjectSettings {
            sample_rate: row.sample_rate,
            rate_limit_per_minute: row.rate_limit_per_minute,
            retention_days: row.retention_days,
            scrub_data: extra.scrubs_data(),
            sensitive_fields: extra.sensitive_fields,
            safe_fields: extra.safe_fields,
            scrub_ip_addresses: extra.scrub_ip_addresses,
            inbound_filters: InboundFilterSettings::from(extra.inbound_filters),
        }
    }
}

impl From<InboundFilters> for InboundFilterSettings {
    fn from(filters: InboundFilters) -> Self {
        InboundFilterSettings {
            localhost: filters.localhost,
            browser_extensions: filters.browser_extensions,
            legacy_browsers: filters.legacy_browsers,
            web_crawlers: filters.web_crawlers,
            error_messages: filters.error_messages,
            releases: filters.releases,
        }
    }
}

impl From<InboundFilterSettings> for InboundFilters {
    fn from(filters: InboundFilterSettings) -> Self {
        InboundFilters {
            localhost: filters.localhost,
            browser_extensions: filters.browser_extensions,
            legacy_browsers: filters.legacy_browsers,
            web_crawlers: filters.web_crawlers,
            error_messages: filters.error_messages,
            releases: filters.releases,
        }
    }
}
