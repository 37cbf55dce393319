//! The database: connection pool, start-up migrations, and the blocking query functions.
//!
//! Everything that is particular to SQLite lives in this module (`Backend`, `DbConnection`, the pragmas);
//! query functions are written in Diesel's DSL against these aliases.

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
pub mod schema;
pub mod seed;
pub mod sessions;
pub mod sign_ins;
pub mod tokens;

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub type Backend = diesel::sqlite::Sqlite;
pub type DbConnection = diesel::sqlite::SqliteConnection;
pub type DbPool = Pool<ConnectionManager<DbConnection>>;
pub type PooledDb = PooledConnection<ConnectionManager<DbConnection>>;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Page cache of each connection, in KiB: keeps the hot index pages of a large table in memory.
pub(crate) const CACHE_KIB: u32 = 16 * 1024;
/// How long a writer waits for another writer before giving up with "busy".
const BUSY_TIMEOUT_MS: u32 = 5_000;

#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        // synchronous=NORMAL is durable across application crashes in WAL mode; only an OS crash can
        // lose the last commits.
        conn.batch_execute(&format!(
            "PRAGMA busy_timeout = {BUSY_TIMEOUT_MS};
             PRAGMA foreign_keys = ON;
             PRAGMA synchronous = NORMAL;
             PRAGMA cache_size = -{CACHE_KIB};
             PRAGMA temp_store = MEMORY;"
        ))
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

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

/// The folder the database file is in: where the server keeps what belongs beside it.
pub fn folder_of(database_url: &str) -> std::path::PathBuf {
    let file = database_url
        .strip_prefix("sqlite://")
        .unwrap_or(database_url);
    match Path::new(file).parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder.to_owned(),
        _ => std::path::PathBuf::from("."),
    }
}

/// The SQLite file a database URL names: a path, or `sqlite://` and a path. Any other scheme is refused
/// rather than taken for a folder name; the rest of the URL, which may hold a password, is not repeated.
fn sqlite_file(database_url: &str) -> anyhow::Result<&str> {
    if let Some(file) = database_url.strip_prefix("sqlite://") {
        return Ok(file);
    }
    match database_url.split_once("://") {
        Some((scheme, _)) => anyhow::bail!(
            "--database-url: '{scheme}://' is not a database this server can use; give the path of a \
             SQLite file, or sqlite://PATH"
        ),
        None => Ok(database_url),
    }
}

/// Opens (creating it if needed) the database at `database_url`, switches it to WAL and migrates it.
pub fn connect(database_url: &str, pool_size: u32) -> anyhow::Result<DbPool> {
    let file = sqlite_file(database_url)?;
    create_private(Path::new(file))?;
    let pool = Pool::builder()
        .max_size(pool_size)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(SqlitePragmas))
        .build(ConnectionManager::<DbConnection>::new(file))
        .with_context(|| format!("opening the database {file}"))?;
    let mut conn = pool.get().context("getting a first database connection")?;
    switch_to_wal(&mut conn).context("switching the database to WAL")?;
    // Under the write lock, so that servers starting together on a new database migrate it once: the
    // others wait, then find nothing pending.
    conn.immediate_transaction(|conn| -> anyhow::Result<()> {
        conn.run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("migrating the database {file}: {e}"))?;
        Ok(())
    })?;
    Ok(pool)
}

/// Switches the database to write-ahead logging. Changing the journal mode needs the database to
/// itself, and SQLite answers "locked" at once rather than waiting when another server holds it (as
/// when several start on a new database together), so this waits and tries again.
fn switch_to_wal(conn: &mut DbConnection) -> diesel::QueryResult<()> {
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
    crate::blocking::on_blocking_thread(move || work(pool.get()?)).await
}

/// Refreshes the statistics the query planner uses to pick an index; cheap, run after bulk loads.
pub fn optimize(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    conn.batch_execute("PRAGMA analysis_limit = 1000; ANALYZE; PRAGMA optimize;")
}
