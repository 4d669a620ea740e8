//! Opening the database (SQLite file or PostgreSQL) and bringing its schema up to date.
pub mod checkpoint;
pub mod payload;
mod sqlite_writer;
#[cfg(unix)]
mod tcp_nodelay;
pub mod write;

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};
use sqlite_writer::SqliteWriter;
use write::WriterConnection;

/// Connects to `url`. For SQLite the file and its folder are created on first start, and the
/// connection runs in WAL mode so readers never block the ingest writer.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    // One writer at a time is SQLite's model; a few readers serve GraphQL concurrently.
    let connections = if url.starts_with("sqlite:") { 8 } else { 16 };
    connect_with(url, connections, READER_CACHE_KIB).await
}

/// SQLite page cache per connection: the default for readers; for the writer see
/// `writer_cache_kib`.
const READER_CACHE_KIB: u32 = 2 * 1024;
const WRITER_CACHE_KIB: u32 = 64 * 1024;
const SMALL_WRITER_CACHE_KIB: u32 = 8 * 1024;
/// The settings of every SQLite connection, sqlx's and the ingest writer's (`sqlite_writer`).
const SQLITE_PRAGMAS: [(&str, &str); 6] = [
    ("journal_mode", "WAL"),
    // NORMAL in WAL mode: a commit survives a process crash (the WAL is written before COMMIT
    // returns); only an OS crash or power loss may lose the last transactions. See
    // BENCHMARKS.md for the exact guarantee.
    ("synchronous", "NORMAL"),
    ("foreign_keys", "OFF"),
    // Statement journals (multi-row upserts) in memory, not in temporary files.
    ("temp_store", "memory"),
    // Checkpoints run in the background and between the writer's batches (`checkpoint`), not
    // inside a commit; this is only the safety net should they fall behind.
    ("wal_autocheckpoint", "16384"),
    ("journal_size_limit", "67108864"),
];
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// SQLite's `PENDING_BYTE`: the 1 GiB offset whose page SQLite never stores data in.
const PENDING_BYTE: i64 = 1 << 30;

/// The writer's page cache for a database of `bytes`: 64 MiB, so that the indexes it inserts
/// into at random places (event ids, tag counts) stay in memory as the database grows; 8 MiB
/// while the database is under 1 GiB. Below that size SQLite walks the whole cache's hash
/// table at every commit: a B-tree split borrows the page at the 1 GiB `PENDING_BYTE` offset
/// as a temporary page number, and COMMIT truncates the cache to the database's size, which
/// that page is beyond (docs/benchmarks-history.md, fourth round: +6 % events/s with the small cache).
pub fn writer_cache_kib(bytes: i64) -> u32 {
    if bytes < PENDING_BYTE {
        SMALL_WRITER_CACHE_KIB
    } else {
        WRITER_CACHE_KIB
    }
}

/// SQLite only: sizes the writer connection's page cache for the database's current size
/// (`writer_cache_kib`). The writer calls it when it starts and every so many batches.
pub fn size_writer_cache(writer: &WriterConnection) -> Result<(), sea_orm::DbErr> {
    let Some(writer) = writer.sqlite() else {
        return Ok(());
    };
    let statement = sea_orm::Statement::from_string(
        DbBackend::Sqlite,
        "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
    );
    let bytes = writer
        .rows::<(i64,)>(&statement)?
        .first()
        .map_or(0, |r| r.0);
    writer.execute_unprepared(&format!("PRAGMA cache_size = -{}", writer_cache_kib(bytes)))
}

/// `connect` with at most `max_connections` connections, of `cache_kib` page cache on SQLite.
async fn connect_with(
    url: &str,
    max_connections: u32,
    cache_kib: u32,
) -> anyhow::Result<DatabaseConnection> {
    let url = prepare_sqlite_path(url)?;
    let is_sqlite = url.starts_with("sqlite:");
    let mut options = ConnectOptions::new(url.clone());
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        // A ping on every checkout is a round trip per ingest batch; only connections idle
        // long enough to have been dropped by a server or a firewall are checked first.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .max_connections(max_connections)
        .min_connections(1)
        .sqlx_logging(false);
    if is_sqlite {
        options.map_sqlx_sqlite_opts(move |opts| {
            let opts = opts
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .pragma("cache_size", format!("-{cache_kib}"));
            SQLITE_PRAGMAS
                .iter()
                .fold(opts, |opts, (name, value)| opts.pragma(*name, *value))
        });
    } else {
        #[cfg(unix)]
        // 5432: PostgreSQL's port when the URL names none.
        if let Some(port) = url::Url::parse(&url).ok().map(|u| u.port().unwrap_or(5432)) {
            options.map_sqlx_postgres_pool_opts(move |pool| {
                pool.after_connect(move |_, _| {
                    Box::pin(async move {
                        tcp_nodelay::set_on_connections_to(port);
                        Ok(())
                    })
                })
            });
        }
    }
    let db = Database::connect(options)
        .await
        .with_context(|| format!("cannot open database {}", redact_url(&url)))?;
    Ok(db)
}

/// The ingest writer's own connection, opened on the writer's thread (`WriterHandle::start`) so
/// that its I/O is driven there. SQLite: rusqlite called on that thread (`sqlite_writer`), with
/// a page cache of its own sized by `size_writer_cache` (readers keep SQLite's 2 MiB each).
/// PostgreSQL: one connection, as the writer runs one transaction at a time.
pub async fn connect_writer(url: &str) -> anyhow::Result<WriterConnection> {
    match sqlite_path(url) {
        Some(path) => {
            prepare_sqlite_path(url)?;
            let writer = SqliteWriter::open(Path::new(path), WRITER_CACHE_KIB)
                .with_context(|| format!("cannot open database {url}"))?;
            Ok(WriterConnection::Sqlite(writer))
        }
        None => Ok(WriterConnection::Postgres(
            connect_with(url, 1, WRITER_CACHE_KIB).await?,
        )),
    }
}

/// Connects and runs every pending migration.
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<DatabaseConnection> {
    let db = connect(url).await?;
    Migrator::up(&db, None)
        .await
        .context("database migration failed")?;
    Ok(db)
}

/// Whether the database answers a trivial query (the readiness probe).
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

pub fn backend(db: &DatabaseConnection) -> DbBackend {
    db.get_database_backend()
}

/// Turns `sqlite://path` into a URL sqlx opens read-write-create, creating the folder.
fn prepare_sqlite_path(url: &str) -> anyhow::Result<String> {
    let Some(path) = sqlite_path(url) else {
        return Ok(url.to_string());
    };
    let query = url.split_once('?').map_or("", |(_, query)| query);
    if path != ":memory:"
        && let Some(parent) = Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create folder {}", parent.display()))?;
    }
    let query = if query.is_empty() {
        "mode=rwc".to_string()
    } else if query.contains("mode=") {
        query.to_string()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// The file of a `sqlite:` URL, without its query string; `None` for other databases.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split_once('?').map_or(rest, |(path, _)| path))
}

/// The URL without its password, for error messages.
fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// Begins a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`: the write lock is
/// taken up front (waiting out other writers with the busy timeout) instead of on the first
/// write, where a transaction that has already read would fail with `SQLITE_BUSY` if another
/// connection committed in between. PostgreSQL ignores the mode.
pub async fn begin_write(
    db: &DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_cache_grows_with_the_database_past_one_gib() {
        assert_eq!(writer_cache_kib(0), 8 * 1024);
        assert_eq!(writer_cache_kib(PENDING_BYTE - 4096), 8 * 1024);
        assert_eq!(writer_cache_kib(PENDING_BYTE), 64 * 1024);
        assert_eq!(writer_cache_kib(24 << 30), 64 * 1024);
    }

    #[tokio::test]
    async fn a_small_database_gets_the_small_writer_cache() {
        let folder = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/larder.db", folder.path().display());
        let writer = connect_writer(&url).await.unwrap();
        let cache_size = || {
            let statement = sea_orm::Statement::from_string(DbBackend::Sqlite, "PRAGMA cache_size");
            writer.sqlite().unwrap().rows::<(i64,)>(&statement).unwrap()[0].0
        };
        assert_eq!(cache_size(), -64 * 1024, "as connected");
        size_writer_cache(&writer).unwrap();
        assert_eq!(cache_size(), -8 * 1024);
    }
}
