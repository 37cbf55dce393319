//! The database: connection pool, start-up migrations, and the blocking query functions.
//!
//! Query functions are written once in Diesel's DSL against [`DbConnection`]; what differs between
//! SQLite and PostgreSQL is in `backend` and behind `on_backend!`.

pub mod accounts;
pub mod audit;
pub mod broker;
pub mod cursor;
pub mod deliveries;
mod demo_names;
pub mod events;
pub mod export;
pub mod kill;
pub mod login_failures;
pub mod models;
pub mod people;
pub mod quick_page;
pub mod retention;
pub mod schema;
pub mod seed;
pub mod sessions;
pub mod sign_ins;
pub mod statement;
pub mod tokens;
pub mod usage;

pub mod backend;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub use backend::{
    Backend, BackendKind, DbConnection, DbManager, TransactionLock, backend_of,
    lock_for_transaction, lock_keys_for_transaction, shown_url, write_transaction,
};
pub(crate) use backend::{CACHE_KIB, with_connect_timeout};

pub type DbPool = Pool<DbManager>;
pub type PooledDb = PooledConnection<DbManager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Creates the database's folder (0700) and file (0600) when they do not exist, so that sign-ins, token
/// hashes and the audit log are readable by the server's user only; SQLite gives its `-wal` and `-shm`
/// files the database file's mode.
fn create_private(file: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        builder.mode(0o700);
        builder
            .create(dir)
            .with_context(|| format!("creating the database folder {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => {
            Err(error).with_context(|| format!("creating the database {}", file.display()))
        }
    }
}

/// The folder where the server keeps what belongs beside its database: the SQLite file's folder, or
/// the working folder for PostgreSQL.
pub fn folder_of(database_url: &str) -> std::path::PathBuf {
    if backend_of(database_url).ok() != Some(BackendKind::Sqlite) {
        return std::path::PathBuf::from(".");
    }
    let file = database_url
        .strip_prefix("sqlite://")
        .unwrap_or(database_url);
    match Path::new(file).parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder.to_owned(),
        _ => std::path::PathBuf::from("."),
    }
}

/// The versions of the SQLite migrations this binary carries, oldest first (as the migrations table of
/// a database it migrated lists them).
pub fn sqlite_migration_versions() -> Vec<String> {
    use diesel::migration::MigrationSource;
    MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
        .expect("the embedded migrations are readable")
        .iter()
        .map(|migration| migration.name().version().to_string())
        .collect()
}

/// Opens (creating a SQLite file if needed) the database at `database_url` and migrates it.
pub fn connect(database_url: &str, pool_size: u32) -> anyhow::Result<DbPool> {
    let manager = DbManager::new(database_url)?;
    let shown = manager
        .file()
        .map(str::to_owned)
        .unwrap_or_else(|| shown_url(database_url));
    if let Some(file) = manager.file() {
        create_private(Path::new(file))?;
    }
    // One connection first, so that a wrong URL or an unreachable server ends start-up with the
    // database's own words rather than a pool's time-out.
    let mut conn = manager
        .connect()
        .with_context(|| format!("connecting to the database {shown}"))?;
    migrate(&mut conn).with_context(|| format!("migrating the database {shown}"))?;
    backend::open_pool(manager, pool_size, None)
}

/// A further pool on a database [`connect`] opened, for work that must not take the main pool's
/// connections (exports); its connections are opened when needed.
pub fn connect_more(database_url: &str, pool_size: u32) -> anyhow::Result<DbPool> {
    backend::open_pool(DbManager::new(database_url)?, pool_size, Some(0))
}

/// Applies the pending migrations, once however many servers start together: SQLite under its write
/// lock, PostgreSQL under an advisory lock; the others wait, then find nothing pending. A server never
/// serves an unmigrated schema, since it migrates before it listens.
fn migrate(conn: &mut DbConnection) -> anyhow::Result<()> {
    let run = |conn: &mut DbConnection, migrations| -> anyhow::Result<()> {
        write_transaction(conn, |conn| -> anyhow::Result<()> {
            lock_for_transaction(conn, TransactionLock::Migrations)?;
            conn.run_pending_migrations(migrations)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(())
        })
    };
    match conn {
        DbConnection::Sqlite(sqlite) => {
            switch_to_wal(sqlite).context("switching the database to WAL")?;
            run(conn, SQLITE_MIGRATIONS)
        }
        DbConnection::Postgres(_) => run(conn, POSTGRES_MIGRATIONS),
    }
}

/// Switches the database to write-ahead logging. Changing the journal mode needs the database to
/// itself, and SQLite answers "locked" at once rather than waiting when another server holds it (as
/// when several start on a new database together), so this waits and tries again.
fn switch_to_wal(conn: &mut diesel::sqlite::SqliteConnection) -> diesel::QueryResult<()> {
    let mut tries = 0;
    loop {
        match conn.batch_execute("PRAGMA journal_mode = WAL;") {
            Err(error) if tries < 100 && error.to_string().contains("locked") => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            outcome => return outcome,
        }
    }
}

/// Runs blocking database work off the async executor, getting the pooled connection there too, so
/// that neither a busy pool nor a slow query holds up other requests. Every caller that needs a
/// connection from async code goes through here.
pub async fn with_db<T, E, F>(pool: &DbPool, work: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<diesel::r2d2::PoolError> + From<tokio::task::JoinError> + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
{
    with_connection(pool, move |mut conn| work(&mut conn)).await
}

/// [`with_db`] for work that keeps the connection after it returns (a streaming export).
pub async fn with_connection<T, E, F>(pool: &DbPool, work: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<diesel::r2d2::PoolError> + From<tokio::task::JoinError> + Send + 'static,
    F: FnOnce(PooledDb) -> Result<T, E> + Send + 'static,
{
    let pool = pool.clone();
    crate::blocking::on_blocking_thread(move || {
        WAITING.fetch_add(1, Ordering::Relaxed);
        let conn = pool.get();
        WAITING.fetch_sub(1, Ordering::Relaxed);
        work(conn?)
    })
    .await
}

/// [`with_db`] for a read that SQLite answers in microseconds and that does not wait for writers (WAL
/// readers do not): a token's lookup, an unfiltered page of sessions. On SQLite it runs at once on the
/// calling thread when a connection is idle, because handing it to a blocking thread and back costs
/// more than the read itself: the two thread switches were the larger part of what authenticating a
/// request cost (`perf`: the scheduler's frames, 30% of the server's time on `auth/me`). PostgreSQL's reads wait on the network, so they go to a blocking thread as every
/// [`with_db`] does; so does any read when no connection is idle, rather than wait here.
pub async fn with_quick_read<T, E, F>(pool: &DbPool, backend: BackendKind, work: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<diesel::r2d2::PoolError> + From<tokio::task::JoinError> + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
{
    if backend == BackendKind::Sqlite
        && let Some(mut conn) = pool.try_get()
    {
        return on_this_thread(move || work(&mut conn)).await;
    }
    with_db(pool, work).await
}

/// Runs a quick read at once on the calling thread (see [`with_quick_read`]). A panic in it ends the
/// request as one on a blocking thread does (a 500), not take the server's worker thread down with it:
/// raised again there, it becomes that same error.
pub async fn on_this_thread<T, E, F>(work: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<tokio::task::JoinError>,
    F: FnOnce() -> Result<T, E>,
{
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(outcome) => outcome,
        Err(panic) => {
            tokio::task::spawn_blocking(move || -> T { std::panic::resume_unwind(panic) })
                .await
                .map_err(E::from)
        }
    }
}

/// Callers of this process waiting for a pooled connection (of any pool) now. r2d2 does not count
/// them, so [`with_connection`] does.
static WAITING: AtomicU64 = AtomicU64::new(0);

/// How many callers of this process wait for a database connection now (for `/metrics`).
pub fn connection_waits() -> u64 {
    WAITING.load(Ordering::Relaxed)
}

/// Why a server is not ready to serve: what `/readyz` reports.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    #[error("the database does not answer")]
    NoAnswer(#[source] anyhow::Error),
    #[error("the database has migrations this server has not applied")]
    MigrationsPending,
}

/// Whether the database answers a new connection and has every migration of this build applied. A new
/// connection, not a pooled one: pooled connections keep working on a SQLite file that was since
/// replaced or made unreadable, and would hide it.
pub fn check_ready(database_url: &str) -> Result<(), NotReady> {
    let mut conn = DbManager::new(database_url)
        .and_then(|manager| Ok(manager.connect()?))
        .map_err(NotReady::NoAnswer)?;
    let migrations = match *conn {
        DbConnection::Sqlite(_) => SQLITE_MIGRATIONS,
        DbConnection::Postgres(_) => POSTGRES_MIGRATIONS,
    };
    match (*conn).has_pending_migration(migrations) {
        Ok(false) => Ok(()),
        Ok(true) => Err(NotReady::MigrationsPending),
        Err(error) => Err(NotReady::NoAnswer(anyhow::anyhow!("{error}"))),
    }
}

/// The row of a lookup by primary key, loaded without `.first()`: its `LIMIT ?` makes SQLite (3.47 and
/// later) plan the statement for the bound limit, so every execution re-prepares it (about half of what
/// authenticating a request cost). More than one row is a broken schema, not a bad request.
pub fn one_row<T>(mut rows: Vec<T>) -> diesel::QueryResult<Option<T>> {
    if rows.len() > 1 {
        return Err(diesel::result::Error::QueryBuilderError(
            format!("a primary-key lookup found {} rows", rows.len()).into(),
        ));
    }
    Ok(rows.pop())
}

/// Refreshes the statistics the query planner uses to pick an index; run after bulk loads.
pub fn optimize(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(sqlite) => {
            sqlite.batch_execute("PRAGMA analysis_limit = 1000; ANALYZE; PRAGMA optimize;")
        }
        // VACUUM also marks the new rows all-visible, so that index-only scans (the export's) need
        // not visit the table.
        DbConnection::Postgres(pg) => pg.batch_execute("VACUUM (ANALYZE);"),
    }
}
