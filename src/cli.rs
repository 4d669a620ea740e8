//! The `larder` command line: serve, migrate, schema, and the admin commands. Every command is
//! scriptable: no prompts, the result on the last line of stdout, a non-zero exit on error.
use std::time::Duration;

use clap::{Parser, Subcommand};

use entity::states::Role;

use crate::accounts::scopes::Scopes;
use crate::accounts::{organizations, projects, tokens, users};
use crate::app::Server;
use crate::config::{Config, DatabaseArgs, ServeArgs};
use crate::http::serve::ConnectionLimits;
use crate::{db, graphql, retention, secrets, seed};

#[derive(Parser, Debug)]
#[command(
    name = "larder",
    version,
    about = "Self-hosted error tracker for the Sentry SDKs"
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run pending migrations, then serve HTTP (the default).
    Serve(ServeArgs),
    /// Run pending migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Delete events past their retention (and issues left empty) once, then exit.
    Cleanup,
    /// Manage projects.
    #[command(subcommand)]
    Project(ProjectCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage users (people who sign in).
    #[command(subcommand)]
    User(UserCommand),
    /// Manage the key integration secrets are sealed with.
    #[command(subcommand)]
    Secrets(SecretsCommand),
    /// Create a project filled with synthetic issues and events (for benchmarks); print its
    /// DSN (last line).
    Seed {
        name: String,
        #[arg(long)]
        org: Option<String>,
        #[arg(long, default_value_t = 1_000)]
        issues: usize,
        #[arg(long, default_value_t = 10_000)]
        events: usize,
        /// Spread event timestamps over this many days before now.
        #[arg(long, default_value_t = 7)]
        days: u32,
        #[arg(
            long,
            env = "LARDER_PUBLIC_URL",
            default_value = "http://127.0.0.1:8000"
        )]
        public_url: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProjectCommand {
    /// Create a project with one DSN key and print its DSN (last line).
    Create {
        name: String,
        /// Organization slug (created if missing); default: the first organization.
        #[arg(long)]
        org: Option<String>,
        /// Base URL SDKs reach the server at, used in the DSN.
        #[arg(
            long,
            env = "LARDER_PUBLIC_URL",
            default_value = "http://127.0.0.1:8000"
        )]
        public_url: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an organization API token and print it (last line). It is shown only this once.
    Create {
        #[arg(long)]
        org: Option<String>,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Sentry scope names (repeat or comma-separate), e.g. `--scope event:read,project:read`;
        /// default: every scope.
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// When the token stops working: a number of days (`30d`) or an RFC 3339 time.
        #[arg(long)]
        expires: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum SecretsCommand {
    /// Re-seal every integration secret under a new key. With a key file, a new one is made;
    /// with LARDER_SECRET_KEY, the new key is read from LARDER_NEW_SECRET_KEY.
    Rotate {
        /// The key file (default: beside the SQLite database, or larder-data/secret.key).
        #[arg(long, env = "LARDER_SECRET_KEY_FILE")]
        key_file: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user, reading the password from the first line of standard input (never from a
    /// flag or the environment, where other users and logs could see it); print the user's id
    /// (last line).
    Create {
        email: String,
        /// Organization to add the user to (created if missing); default: the first one.
        #[arg(long)]
        org: Option<String>,
        #[arg(long, default_value = "member", value_parser = ["owner", "admin", "member"])]
        role: String,
        #[arg(long)]
        name: Option<String>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let database_url = cli.database.database_url;
    match cli.command {
        None => serve(database_url, default_serve_args()).await,
        Some(Command::Serve(args)) => serve(database_url, args).await,
        Some(Command::Migrate) => {
            db::connect_and_migrate(&database_url).await?;
            println!("migrations applied");
            Ok(())
        }
        Some(Command::Cleanup) => {
            let db = db::connect_and_migrate(&database_url).await?;
            let report = retention::run_once(&db, chrono::Utc::now()).await?;
            println!(
                "deleted {} events, {} attachments, {} issues",
                report.events, report.attachments, report.issues
            );
            Ok(())
        }
        Some(Command::User(UserCommand::Create {
            email,
            org,
            role,
            name,
        })) => {
            create_user(
                &database_url,
                &email,
                org.as_deref(),
                &role,
                name.as_deref(),
            )
            .await
        }
        Some(Command::Secrets(SecretsCommand::Rotate { key_file })) => {
            let db = db::connect_and_migrate(&database_url).await?;
            let key_file = key_file.unwrap_or_else(|| secrets::default_key_file(&database_url));
            let env_key = std::env::var(secrets::KEY_ENV).ok();
            let new_env_key = std::env::var("LARDER_NEW_SECRET_KEY").ok();
            let (count, key_id) =
                secrets::rotate(&db, env_key.as_deref(), new_env_key.as_deref(), &key_file).await?;
            if env_key.is_some() {
                println!("now set LARDER_SECRET_KEY to the value of LARDER_NEW_SECRET_KEY");
            }
            println!("re-sealed {count} integration configs under key {key_id}");
            Ok(())
        }
        Some(Command::Schema) => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Some(Command::Project(ProjectCommand::Create {
            name,
            org,
            public_url,
        })) => {
            let db = db::connect_and_migrate(&database_url).await?;
            let organization = organizations::find_or_create(&db, org.as_deref()).await?;
            let (project, key) = projects::create_project(&db, organization.id, &name).await?;
            println!(
                "created project {:?} (id {}, slug {}) in organization {}",
                project.name, project.id, project.slug, organization.slug
            );
            println!(
                "{}",
                projects::dsn(&public_url, &key.public_key, project.id)
            );
            Ok(())
        }
        Some(Command::Seed {
            name,
            org,
            issues,
            events,
            days,
            public_url,
        }) => {
            let db = db::connect_and_migrate(&database_url).await?;
            let organization = organizations::find_or_create(&db, org.as_deref()).await?;
            let (project, key) = projects::create_project(&db, organization.id, &name).await?;
            let plan = seed::Plan {
                issues,
                events,
                days,
            };
            let report = seed::seed(&database_url, &db, project.id, &plan).await?;
            println!(
                "seeded project {} (id {}) with {} issues and {} events in {:.1} s ({:.0} events/s)",
                project.slug,
                project.id,
                issues,
                report.events,
                report.seconds,
                report.events as f64 / report.seconds
            );
            println!(
                "{}",
                projects::dsn(&public_url, &key.public_key, project.id)
            );
            Ok(())
        }
        Some(Command::Token(TokenCommand::Create {
            org,
            name,
            scopes,
            expires,
        })) => {
            let scopes = if scopes.is_empty() {
                Scopes::all()
            } else {
                Scopes::parse_list(&scopes).map_err(anyhow::Error::msg)?
            };
            let expires_at = expires.as_deref().map(parse_expiry).transpose()?;
            let db = db::connect_and_migrate(&database_url).await?;
            let organization = organizations::find_or_create(&db, org.as_deref()).await?;
            let new = tokens::NewToken {
                organization_id: organization.id,
                name: &name,
                user_id: None,
                scopes,
                expires_at,
            };
            let (_, token) = tokens::create(&db, new).await?;
            println!(
                "created API token {name:?} for organization {}",
                organization.slug
            );
            println!("{token}");
            Ok(())
        }
    }
}

/// Creates a user from the command line; the password is the first line of standard input.
async fn create_user(
    database_url: &str,
    email: &str,
    org: Option<&str>,
    role: &str,
    name: Option<&str>,
) -> anyhow::Result<()> {
    let role = Role::parse(role).ok_or_else(|| anyhow::anyhow!("unknown role {role:?}"))?;
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    let password = password.trim_end_matches(['\n', '\r']);
    let db = db::connect_and_migrate(database_url).await?;
    let user = users::create_user(&db, email, name, password).await?;
    let organization = organizations::find_or_create(&db, org).await?;
    users::add_member(&db, organization.id, &user, role).await?;
    println!(
        "created user {} ({}) in organization {}",
        user.email,
        role.as_str(),
        organization.slug
    );
    println!("{}", user.id);
    Ok(())
}

/// `30d` (days from now) or an RFC 3339 time.
fn parse_expiry(text: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    if let Some(days) = text.strip_suffix('d').and_then(|d| d.parse::<u32>().ok()) {
        return Ok(chrono::Utc::now() + chrono::TimeDelta::days(i64::from(days)));
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| {
            anyhow::anyhow!("--expires takes days (`30d`) or an RFC 3339 time, not {text:?}")
        })
}

fn default_serve_args() -> ServeArgs {
    // Parsing an empty argument list applies the same env fallbacks and defaults as `serve`.
    #[derive(Parser)]
    struct Only {
        #[command(flatten)]
        serve: ServeArgs,
    }
    Only::parse_from(["larder"]).serve
}

async fn serve(database_url: String, args: ServeArgs) -> anyhow::Result<()> {
    let defaults = Config::new(database_url, args.listen, args.public_url);
    let config = Config {
        secret_key_file: args
            .secret_key_file
            .unwrap_or(defaults.secret_key_file.clone()),
        graphql_introspection: args.graphql_introspection,
        session_lifetime: Duration::from_secs(u64::from(args.session_days) * 86_400),
        smtp_url: args.smtp_url,
        smtp_from: args.smtp_from,
        secret_key: std::env::var(secrets::KEY_ENV).ok(),
        outbound: args.outbound_allow.unwrap_or_default(),
        connections: ConnectionLimits {
            max_connections: args.max_connections.max(1),
            header_timeout: Duration::from_secs(args.client_timeout_secs.max(1)),
            body_idle_timeout: Duration::from_secs(args.client_timeout_secs.max(1)),
            ..ConnectionLimits::default()
        },
        ..defaults
    };
    Server::bind(config).await?.run().await
}
