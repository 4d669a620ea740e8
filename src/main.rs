//! The `larder` binary: see `cli` for the commands.
use clap::Parser;

/// mimalloc: the ingest path allocates many small JSON nodes per event, and glibc malloc spent
/// about a fifth of the server's CPU on them (perf, BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LARDER_LOG")
                .unwrap_or_else(|_| "larder=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(error) = larder::cli::run(larder::cli::Cli::parse()).await {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}
