//! The running server: shared state, the router, and start-up.
use std::net::SocketAddr;
use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::accounts::links;
use crate::accounts::mailer::Mailer;
use crate::accounts::throttle::SignInThrottle;
use crate::alerts::dispatcher::Channels;
use crate::config::Config;
use crate::graphql::{LarderSchema, build_schema};
use crate::ingest::Pipeline;
use crate::issues::regroup_jobs::RegroupJobs;
use crate::live::LiveIssues;
use crate::secrets;
use crate::sourcemaps::assembly::Assemblies;
use crate::{alerts, db, http, retention};

/// Everything a request handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub pipeline: Arc<Pipeline>,
    pub live: LiveIssues,
    pub sign_in_throttle: Arc<SignInThrottle>,
    /// The server's own mail (invitations, password resets), when `--smtp-url` is set.
    pub mailer: Option<Mailer>,
    /// Seals and opens integration secrets at rest, and says where notifications may go.
    pub channels: Channels,
    /// Artifact bundles being assembled from uploaded chunks.
    pub assemblies: Arc<Assemblies>,
    /// Projects being grouped again (`regroupProject`).
    pub regroups: Arc<RegroupJobs>,
}

/// A server bound to its port, ready to serve.
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    listener: TcpListener,
    schema: LarderSchema,
}

impl Server {
    /// Opens and migrates the database, starts the ingest writer and binds the listener.
    pub async fn bind(config: Config) -> anyhow::Result<Server> {
        let db = db::connect_and_migrate(&config.database_url).await?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
        let addr = listener.local_addr()?;
        let mut config = config;
        // With port 0 (tests) the public URL must name the port actually bound.
        if config.listen.port() == 0 && config.public_url.ends_with(":0") {
            config.public_url = format!("http://{addr}");
        }
        retention::spawn(db.clone(), config.retention_interval);
        let live = LiveIssues::default();
        let pipeline = Pipeline::new(
            db.clone(),
            &config.database_url,
            config.ingest.clone(),
            live.clone(),
            config.public_url.clone(),
        )
        .await?;
        let secrets = Arc::new(secrets::load_or_create(
            config.secret_key.as_deref(),
            &config.secret_key_file,
        )?);
        let sealed = secrets::reseal_integrations(&db, &secrets).await?;
        if sealed > 0 {
            tracing::info!(
                sealed,
                "sealed integration secrets stored before sealing existed"
            );
        }
        let channels = Channels {
            keys: secrets,
            outbound: config.outbound.clone(),
        };
        alerts::dispatcher::spawn(db.clone(), config.dispatch.clone(), channels.clone());
        let mailer = match &config.smtp_url {
            Some(url) => Some(Mailer::from_url(url, &config.smtp_from)?),
            None => None,
        };
        if let Some(link) = links::setup_link(&db).await? {
            tracing::warn!(
                "no user yet: open {}/setup?token={} within 24 hours to create the first owner \
                 (or run `larder user create EMAIL --role owner`)",
                config.public_url,
                link.token
            );
        }
        let state = AppState {
            db,
            config: Arc::new(config),
            pipeline,
            live,
            sign_in_throttle: Arc::default(),
            mailer,
            channels,
            assemblies: Arc::default(),
            regroups: Arc::default(),
        };
        let schema = build_schema(Some(state.clone()));
        Ok(Server {
            addr,
            state,
            listener,
            schema,
        })
    }

    /// Serves until the process is stopped (Ctrl-C or SIGTERM end it gracefully).
    pub async fn run(self) -> anyhow::Result<()> {
        let router = http::router(self.state.clone(), self.schema);
        // Path rewriting must happen before routing, so it wraps the router (Relay folds
        // `//api//42/envelope/` the same way).
        let app = tower::Layer::layer(
            &tower::util::MapRequestLayer::new(http::collapse_slashes),
            router,
        );
        tracing::info!(addr = %self.addr, "Larder is listening");
        let limits = self.state.config.connections.clone();
        http::serve::serve(self.listener, app, limits, shutdown_signal()).await;
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
