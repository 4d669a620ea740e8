//! The `larder` command line: serve, migrate, schema, and the admin commands. Every command is
//! scriptable: no prompts, the result on the last line of stdout, a non-zero exit on error.
use clap::{Parser, Subcommand};

use crate::accounts::{organizations, projects, tokens};
use crate::app::Server;
use crate::config::{Config, DatabaseArgs, ServeArgs};
use crate::{db, graphql, retention, seed};

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
    /// Create an API token and print it (last line). It is shown only this once.
    Create {
        #[arg(long)]
        org: Option<String>,
        #[arg(long, default_value = "cli")]
        name: String,
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
        Some(Command::Token(TokenCommand::Create { org, name })) => {
            let db = db::connect_and_migrate(&database_url).await?;
            let organization = organizations::find_or_create(&db, org.as_deref()).await?;
            let token = tokens::create_token(&db, organization.id, &name).await?;
            println!(
                "created API token {name:?} for organization {}",
                organization.slug
            );
            println!("{token}");
            Ok(())
        }
    }
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
    let config = Config {
        graphql_introspection: args.graphql_introspection,
        ..Config::new(database_url, args.listen, args.public_url)
    };
    Server::bind(config).await?.run().await
}
