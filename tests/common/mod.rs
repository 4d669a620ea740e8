//! Test harness: a real Larder server on an ephemeral port with a fresh database, talked to
//! over HTTP. Every test runs on SQLite and again on PostgreSQL when `LARDER_TEST_POSTGRES_URL`
//! points at a server (each test in its own new database, so tests run in parallel).
#![allow(dead_code)]

pub mod corpus;
pub mod databases;
pub mod fixtures;
pub mod receivers;

use std::time::Duration;

use larder::accounts::{organizations, projects, tokens};
use larder::app::Server;
use larder::config::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub use databases::Backend;

/// Defines `NAME::sqlite` and `NAME::postgres` tests from `async fn NAME(server: TestServer)`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::TestServer::start($crate::common::Backend::Sqlite).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(backend) = $crate::common::Backend::postgres() {
                    super::$name($crate::common::TestServer::start(backend).await).await;
                }
            }
        }
    )+};
}

pub struct TestServer {
    pub url: String,
    pub token: String,
    pub project_id: i64,
    pub dsn: String,
    pub public_key: String,
    pub organization_id: i64,
    pub db: sea_orm::DatabaseConnection,
    pub http: reqwest::Client,
    pub database: databases::TestDatabase,
    /// The server's key for integration secrets.
    pub secrets: std::sync::Arc<larder::secrets::SecretKeys>,
}

impl TestServer {
    /// A server whose notification dispatcher polls and retries quickly (tests wait on it).
    pub async fn start(backend: Backend) -> TestServer {
        Self::start_with(backend, |config| {
            config.dispatch = larder::config::DispatchSettings {
                poll_interval: Duration::from_millis(50),
                base_backoff: Duration::from_millis(200),
                max_backoff: Duration::from_secs(1),
                max_attempts: 4,
                lease: Duration::from_secs(2),
                concurrency: 8,
            };
        })
        .await
    }

    /// Polls `check` until it returns `Some`, for up to 20 seconds.
    pub async fn eventually<T, F, Fut>(&self, what: &str, check: F) -> T
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        for _ in 0..400 {
            if let Some(value) = check().await {
                return value;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for {what}");
    }

    /// Starts a server after letting the test adjust its configuration.
    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestServer {
        // `LARDER_TEST_LOG=larder=debug` shows the server's logs in failing tests.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(std::env::var("LARDER_TEST_LOG").unwrap_or_else(|_| "off".into()))
            .with_test_writer()
            .try_init();
        let database = databases::TestDatabase::create(backend).await;
        let mut config = Config::new(
            database.url.clone(),
            "127.0.0.1:0".parse().unwrap(),
            Some("http://127.0.0.1:0".into()),
        );
        // A key per server, so no key file lands in the working directory (PostgreSQL's default).
        config.secret_key = Some(hex::encode(larder::secrets::random_key()));
        // The receivers of these tests listen on loopback, which servers refuse by default.
        config.outbound = larder_integrations::OutboundPolicy::parse("127.0.0.1").unwrap();
        adjust(&mut config);
        let server = Server::bind(config).await.expect("server starts");
        let url = format!("http://{}", server.addr);
        let db = server.state.db.clone();
        let secrets = server.state.channels.keys.clone();
        tokio::spawn(server.run());

        let organization = organizations::find_or_create(&db, Some("acme"))
            .await
            .unwrap();
        let (project, key) = projects::create_project(&db, organization.id, "Shop")
            .await
            .unwrap();
        let token = tokens::create_token(&db, organization.id, "tests")
            .await
            .unwrap();
        TestServer {
            dsn: projects::dsn(&url, &key.public_key, project.id),
            public_key: key.public_key,
            url,
            token,
            project_id: project.id,
            organization_id: organization.id,
            db,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            database,
            secrets,
        }
    }

    /// A POST to the project's SDK endpoint (`envelope` or `store`), authenticated with its
    /// DSN key the way the SDKs do.
    pub fn sdk_post(&self, endpoint: &str) -> reqwest::RequestBuilder {
        self.sdk_post_to(&self.url, endpoint)
    }

    /// `sdk_post` to another server (`base` URL) sharing this one's database.
    pub fn sdk_post_to(&self, base: &str, endpoint: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{base}/api/{}/{endpoint}/", self.project_id))
            .header(
                "x-sentry-auth",
                format!("Sentry sentry_key={}, sentry_version=7", self.public_key),
            )
    }

    /// Runs a GraphQL operation with the server's token; returns (HTTP status, body).
    pub async fn graphql_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.url))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("graphql request");
        let status = response.status();
        (status, response.json().await.expect("graphql answers JSON"))
    }

    /// Runs a GraphQL operation that must succeed; returns its `data`.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let (status, body) = self.graphql_as(Some(&self.token), query, variables).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Runs a GraphQL operation that must fail; returns its first error.
    pub async fn graphql_error(&self, query: &str, variables: Value) -> Value {
        let (_, body) = self.graphql_as(Some(&self.token), query, variables).await;
        body["errors"][0].clone()
    }

    /// Ingests an event through the GraphQL mutation; returns (eventId, issueId).
    pub async fn ingest(&self, event: Value) -> (String, String) {
        let data = self
            .graphql(
                "mutation($p: ID!, $e: JSON!) { ingestEvent(projectId: $p, event: $e) { eventId issueId } }",
                json!({ "p": self.project_id.to_string(), "e": event }),
            )
            .await;
        (
            data["ingestEvent"]["eventId"].as_str().unwrap().to_string(),
            data["ingestEvent"]["issueId"].as_str().unwrap().to_string(),
        )
    }

    /// Number of rows in a table, read straight from the database.
    pub async fn count_rows(&self, table: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }
}

/// The event a real Python SDK sent for a chained KeyError → ValueError (vector py-01), without
/// its event id so that every ingest stores a new event.
pub fn python_exception_event() -> Value {
    let mut event = fixtures::vector_event("py-01-exception-chained.envelope");
    event.as_object_mut().unwrap().remove("event_id");
    event
}
