//! Server configuration: command-line flags with environment fallbacks.
use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;

pub use crate::alerts::dispatcher::DispatchSettings;

/// Where a fresh install keeps its data: a SQLite file next to where it was started.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://larder-data/larder.db";

/// Settings every subcommand that touches the database shares.
#[derive(Args, Clone, Debug)]
pub struct DatabaseArgs {
    /// `sqlite://PATH` (created with its folder on first start) or `postgres://…`.
    #[arg(long, env = "LARDER_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
}

/// Settings of the HTTP server.
#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address the HTTP server binds.
    #[arg(long, env = "LARDER_LISTEN", default_value = "127.0.0.1:8000")]
    pub listen: SocketAddr,
    /// Base URL SDKs reach this server at; used to build DSNs and links. Default: `http://<listen>`.
    #[arg(long, env = "LARDER_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Whether the GraphQL schema answers introspection (`__schema`, `__type`): GraphiQL and
    /// code generators need it; turn it off to hide the schema from token holders.
    #[arg(long, env = "LARDER_GRAPHQL_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub graphql_introspection: bool,
    /// Days an unused sign-in session lives; each use extends it (sliding expiry).
    #[arg(long, env = "LARDER_SESSION_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=365))]
    pub session_days: u32,
    /// Mail server for invitations and password resets:
    /// `smtp://user:pass@host:587?tls=starttls` (or `tls=tls`, `tls=none`; `smtps://`).
    #[arg(long, env = "LARDER_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The file the key of integration secrets is kept in (created with mode 0600 on first
    /// start) when `LARDER_SECRET_KEY` is not set. Default: beside the SQLite database, or
    /// `larder-data/secret.key`.
    #[arg(long, env = "LARDER_SECRET_KEY_FILE")]
    pub secret_key_file: Option<std::path::PathBuf>,
    /// Non-public addresses notifications may go to: CIDRs, addresses or host names,
    /// comma-separated (e.g. `10.0.0.0/8,jira.internal`). Loopback, private, link-local and
    /// metadata addresses are refused otherwise.
    #[arg(long, env = "LARDER_OUTBOUND_ALLOW", value_parser = parse_outbound)]
    pub outbound_allow: Option<larder_integrations::OutboundPolicy>,
    /// Most connections served at once; more wait in the accept queue.
    #[arg(long, env = "LARDER_MAX_CONNECTIONS", default_value_t = 10_000)]
    pub max_connections: usize,
    /// Seconds a client may take to send a request's headers (and a kept-alive connection may
    /// stay idle), and may pause while sending a body, before the connection is closed.
    #[arg(long, env = "LARDER_CLIENT_TIMEOUT", default_value_t = 30)]
    pub client_timeout_secs: u64,
    /// Sender of invitations and password resets.
    #[arg(
        long,
        env = "LARDER_SMTP_FROM",
        default_value = "Larder <larder@localhost>"
    )]
    pub smtp_from: String,
}

fn parse_outbound(list: &str) -> Result<larder_integrations::OutboundPolicy, String> {
    larder_integrations::OutboundPolicy::parse(list)
}

/// Everything the running server needs, resolved from flags and environment.
#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub listen: SocketAddr,
    pub public_url: String,
    pub ingest: IngestLimits,
    pub dispatch: DispatchSettings,
    /// How often the retention job runs.
    pub retention_interval: Duration,
    /// The GraphQL schema answers introspection queries.
    pub graphql_introspection: bool,
    /// How long an unused session lives (sliding).
    pub session_lifetime: Duration,
    /// Server mail for invitations and password resets; None: links are shown to the inviter.
    pub smtp_url: Option<String>,
    pub smtp_from: String,
    /// Timeouts and the connection cap of the HTTP server.
    pub connections: crate::http::serve::ConnectionLimits,
    /// Where notifications may go beyond public addresses.
    pub outbound: larder_integrations::OutboundPolicy,
    /// The key integration secrets are sealed with (`LARDER_SECRET_KEY`); None: the key file.
    pub secret_key: Option<String>,
    /// Where the key lives when `secret_key` is None (created with mode 0600 on first start).
    pub secret_key_file: std::path::PathBuf,
}

impl Config {
    pub fn new(database_url: String, listen: SocketAddr, public_url: Option<String>) -> Self {
        let public_url = public_url
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_string();
        let secret_key_file = crate::secrets::default_key_file(&database_url);
        Config {
            connections: crate::http::serve::ConnectionLimits::default(),
            outbound: larder_integrations::OutboundPolicy::public_only(),
            secret_key: None,
            secret_key_file,
            database_url,
            listen,
            public_url,
            ingest: IngestLimits::default(),
            dispatch: DispatchSettings::default(),
            retention_interval: Duration::from_secs(3600),
            graphql_introspection: true,
            session_lifetime: crate::accounts::sessions::DEFAULT_LIFETIME,
            smtp_url: None,
            smtp_from: "Larder <larder@localhost>".to_string(),
        }
    }
}

/// Size limits and queue bounds of the ingest path (§4.3 of the protocol spec).
#[derive(Clone, Debug)]
pub struct IngestLimits {
    /// Largest request body as sent (compressed).
    pub max_compressed_body: usize,
    /// Largest body after decompression: stops decompression bombs.
    pub max_decompressed_body: usize,
    /// Largest single event item.
    pub max_event_size: usize,
    /// Largest single attachment, and all attachments of one envelope together.
    pub max_attachment_size: usize,
    /// Events waiting for the writer before ingest answers 503.
    pub writer_queue: usize,
    /// Most events written in one transaction.
    pub max_batch: usize,
    /// Longest the SQLite writer lets a batch fill while events keep arriving (`writer::gather`).
    pub writer_linger: Duration,
}

impl Default for IngestLimits {
    fn default() -> Self {
        IngestLimits {
            max_compressed_body: 20 * 1024 * 1024,
            max_decompressed_body: 100 * 1024 * 1024,
            max_event_size: 1024 * 1024,
            max_attachment_size: 20 * 1024 * 1024,
            writer_queue: 20_000,
            max_batch: 1_000,
            // docs/benchmarks-history.md, eighth round: 9 % less server CPU per event at the same events/s.
            writer_linger: Duration::from_micros(500),
        }
    }
}
