//! The two databases this server runs on, and the few things that differ between them.
//!
//! Query functions take a [`DbConnection`] and are written once, in Diesel's DSL; Diesel's
//! `MultiConnection` runs them on either backend. What the common DSL cannot say sits here or behind
//! [`on_backend!`] at the call site, which writes the statement once per backend (grep for it to find
//! every place where the SQL differs).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryResult, RunQueryDsl};

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Backend = <DbConnection as Connection>::Backend;

/// Runs `$body` with `$conn` bound to the concrete connection, for statements the common DSL cannot
/// express (an upsert, a function one backend lacks). The body is written once and type-checked
/// against each backend.
#[macro_export]
macro_rules! on_backend {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::db::backend::DbConnection::Postgres($conn) => $body,
            $crate::db::backend::DbConnection::Sqlite($conn) => $body,
        }
    };
}

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Postgres,
    Sqlite,
}

/// How a URL is taken: `postgres://` or `postgresql://` is PostgreSQL; a path or `sqlite://` and a
/// path is SQLite; any other scheme is refused rather than taken for a folder name. The rest of the
/// URL, which may hold a password, is not repeated in the error.
pub fn backend_of(database_url: &str) -> anyhow::Result<BackendKind> {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        return Ok(BackendKind::Postgres);
    }
    if database_url.starts_with("sqlite://") {
        return Ok(BackendKind::Sqlite);
    }
    match database_url.split_once("://") {
        Some((scheme, _)) => anyhow::bail!(
            "--database-url: '{scheme}://' is not a database this server can use; give postgres://… \
             (or postgresql://…) for PostgreSQL, or the path of a SQLite file (or sqlite://PATH)"
        ),
        None => Ok(BackendKind::Sqlite),
    }
}

/// The database URL with its password replaced, fit for logs and errors.
pub fn shown_url(database_url: &str) -> String {
    match url::Url::parse(database_url) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => database_url.to_owned(),
    }
}

/// Page cache of each SQLite connection, in KiB: keeps the hot index pages of a large table in memory.
pub(crate) const CACHE_KIB: u32 = 16 * 1024;
/// How long a SQLite writer waits for another writer before giving up with "busy".
pub(crate) const BUSY_TIMEOUT_MS: u32 = 5_000;
/// How long opening a PostgreSQL connection may take before the attempt fails.
pub(crate) const PG_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens connections of one backend for the pool, and sets each up.
#[derive(Debug, Clone)]
pub struct DbManager {
    url: String,
    kind: BackendKind,
}

impl DbManager {
    pub fn new(database_url: &str) -> anyhow::Result<DbManager> {
        let kind = backend_of(database_url)?;
        let url = match kind {
            BackendKind::Sqlite => database_url
                .strip_prefix("sqlite://")
                .unwrap_or(database_url)
                .to_owned(),
            BackendKind::Postgres => with_connect_timeout(database_url),
        };
        Ok(DbManager { url, kind })
    }

    pub fn kind(&self) -> BackendKind {
        self.kind
    }

    /// The SQLite file, for SQLite.
    pub fn file(&self) -> Option<&str> {
        (self.kind == BackendKind::Sqlite).then_some(self.url.as_str())
    }

    fn open(&self) -> diesel::ConnectionResult<DbConnection> {
        match self.kind {
            BackendKind::Postgres => PgConnection::establish(&self.url).map(DbConnection::Postgres),
            BackendKind::Sqlite => {
                let mut conn = open_sqlite(&self.url)?;
                // synchronous=NORMAL is durable across application crashes in WAL mode; only an OS
                // crash can lose the last commits.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {BUSY_TIMEOUT_MS};
                     PRAGMA foreign_keys = ON;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA cache_size = -{CACHE_KIB};
                     PRAGMA temp_store = MEMORY;"
                ))
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// Opens a SQLite file. The first call of the process first puts SQLite in its multi-thread mode: a
/// connection is then used by one thread at a time (which the pool ensures, handing each to one caller)
/// rather than locking its own mutex in every call into SQLite, a few times per row read.
pub(crate) fn open_sqlite(path: &str) -> diesel::ConnectionResult<SqliteConnection> {
    configure_sqlite();
    SqliteConnection::establish(path)
}

/// Puts SQLite in its multi-thread mode without memory statistics, once, before the process opens its
/// first connection (see [`open_sqlite`]); every opening of a SQLite file calls it first.
pub(crate) fn configure_sqlite() {
    static MULTI_THREAD: std::sync::Once = std::sync::Once::new();
    MULTI_THREAD.call_once(|| {
        // SAFETY: sqlite3_config may only be called while SQLite is not initialised and no other
        // thread calls into it; every connection of this process is opened here, after this runs
        // (`Once` holds other callers back until it has). Should SQLite be initialised already (by a
        // library linked in), the call changes nothing and answers SQLITE_MISUSE, which leaves the
        // safe serialized mode.
        let outcome =
            unsafe { libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MULTITHREAD) };
        if outcome != libsqlite3_sys::SQLITE_OK {
            tracing::warn!(outcome, "SQLite stays in its serialized threading mode");
        }
        // Nothing reads SQLite's memory statistics, and keeping them takes a process-wide mutex on
        // every allocation SQLite makes. SAFETY: as above.
        let outcome = unsafe {
            libsqlite3_sys::sqlite3_config(
                libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS,
                0 as std::ffi::c_int,
            )
        };
        if outcome != libsqlite3_sys::SQLITE_OK {
            tracing::warn!(outcome, "SQLite keeps its memory statistics");
        }
    });
}

/// libpq waits forever for an unreachable host unless told otherwise.
pub(crate) fn with_connect_timeout(database_url: &str) -> String {
    if database_url.contains("connect_timeout=") {
        return database_url.to_owned();
    }
    let separator = if database_url.contains('?') { '&' } else { '?' };
    format!(
        "{database_url}{separator}connect_timeout={}",
        PG_CONNECT_TIMEOUT.as_secs()
    )
}

/// A connection as the pool holds it: with when it last answered the pool's check, so that a busy
/// server does not ask each connection on every checkout. Query functions see the [`DbConnection`].
pub struct PoolConnection {
    conn: DbConnection,
    /// See [`now_ms`].
    answered_ms: u64,
}

impl std::ops::Deref for PoolConnection {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for PoolConnection {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

/// How long a PostgreSQL connection's answer to the pool's check vouches for it.
const PG_CHECK_INTERVAL_MS: u64 = 1_000;

/// When a request last found PostgreSQL gone (see [`suspect_connections`]); 0 if never.
static SUSPECT_SINCE_MS: AtomicU64 = AtomicU64::new(0);

/// Milliseconds on this process's monotonic clock, from 1.
fn now_ms() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1
}

/// Says that PostgreSQL was found gone: every pooled connection that last answered before now is asked
/// again at its next checkout, so that a connection the server closed fails no request but those
/// already using it.
pub fn suspect_connections() {
    SUSPECT_SINCE_MS.fetch_max(now_ms(), Ordering::Relaxed);
}

impl diesel::r2d2::ManageConnection for DbManager {
    type Connection = PoolConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<PoolConnection, diesel::r2d2::Error> {
        let conn = self.open().map_err(diesel::r2d2::Error::ConnectionError)?;
        Ok(PoolConnection {
            conn,
            answered_ms: now_ms(),
        })
    }

    /// Run on every checkout. A SQLite connection is a file opened in this process and cannot break
    /// underneath us, so only PostgreSQL's is asked (which is how the pool notices a restarted
    /// server), and only when its last answer is older than [`PG_CHECK_INTERVAL_MS`] or than the
    /// last time a request found the server gone. Asking on every checkout cost every request a round
    /// trip more: without it, `auth/me` on PostgreSQL went from 9,100 to 12,600 requests/s.
    fn is_valid(&self, pooled: &mut PoolConnection) -> Result<(), diesel::r2d2::Error> {
        if matches!(pooled.conn, DbConnection::Sqlite(_)) {
            return Ok(());
        }
        let now = now_ms();
        let vouched = now.saturating_sub(pooled.answered_ms) < PG_CHECK_INTERVAL_MS
            && pooled.answered_ms > SUSPECT_SINCE_MS.load(Ordering::Relaxed);
        if !vouched {
            pooled
                .conn
                .batch_execute("SELECT 1")
                .map_err(diesel::r2d2::Error::QueryError)?;
            pooled.answered_ms = now;
        }
        Ok(())
    }

    fn has_broken(&self, pooled: &mut PoolConnection) -> bool {
        <DbConnection as TransactionManager<DbConnection>>::is_broken_transaction_manager(
            &mut pooled.conn,
        )
    }
}

/// Runs `work` in a transaction that writes. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`), so a transaction that reads and then writes never fails with "busy" half-way; on
/// PostgreSQL it is an ordinary READ COMMITTED transaction, and the statements themselves decide races
/// (conditional updates whose row count counts, unique keys, row locks).
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let nested =
        <DbConnection as TransactionManager<DbConnection>>::transaction_manager_status_mut(conn)
            .transaction_depth()?
            .is_some();
    match conn {
        // Inside a transaction already (which holds the write lock if it wrote): a savepoint.
        _ if nested => return conn.transaction(work),
        DbConnection::Sqlite(sqlite) => {
            AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?
        }
        DbConnection::Postgres(_) => DbConnection::begin_transaction(conn)?,
    }
    match work(conn) {
        Ok(value) => match DbConnection::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(error) => {
                let _ = DbConnection::rollback_transaction(conn);
                Err(error.into())
            }
        },
        Err(error) => {
            DbConnection::rollback_transaction(conn)?;
            Err(error)
        }
    }
}

/// Serialises the transaction it is called in with every other one that takes the same `key`, until it
/// ends. SQLite needs nothing: a write transaction already holds the only write lock.
pub fn lock_for_transaction(conn: &mut DbConnection, key: TransactionLock) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(pg) => {
            pg.batch_execute(&format!("SELECT pg_advisory_xact_lock({})", key as i64))
        }
        DbConnection::Sqlite(_) => Ok(()),
    }
}

/// Serialises the transaction it is called in with every other one that locks one of the same `keys`
/// (strings of any kind), until it ends; on SQLite the write lock already does.
pub fn lock_keys_for_transaction(conn: &mut DbConnection, keys: &[&str]) -> QueryResult<()> {
    let DbConnection::Postgres(pg) = conn else {
        return Ok(());
    };
    // In one order for every transaction (of the keys' hashes), so two of them never wait for each
    // other; one statement however many keys.
    diesel::sql_query(
        "SELECT pg_advisory_xact_lock(h) FROM (
             SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY h
         ) AS ordered",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(keys)
    .execute(pg)?;
    Ok(())
}

/// What [`lock_for_transaction`] serialises; the numbers are PostgreSQL advisory lock keys.
#[derive(Debug, Clone, Copy)]
#[repr(i64)]
pub enum TransactionLock {
    /// Changes that could leave the console without an enabled admin.
    Accounts = 0x5E55_0001,
    /// Applying migrations.
    Migrations = 0x5E55_0002,
    /// Numbering committed session events.
    EventPositions = 0x5E55_0003,
    /// Seeding demo data into an empty database.
    Seed = 0x5E55_0004,
}

/// Opens the pool, with `idle` connections kept open (all of them when `None`); the connection timeout
/// bounds how long a request waits for a connection, also while the database is unreachable.
pub fn open_pool(
    manager: DbManager,
    pool_size: u32,
    idle: Option<u32>,
) -> anyhow::Result<diesel::r2d2::Pool<DbManager>> {
    let shown = manager
        .file()
        .map(str::to_owned)
        .unwrap_or_else(|| shown_url(&manager.url));
    diesel::r2d2::Pool::builder()
        .max_size(pool_size)
        .min_idle(idle)
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .with_context(|| format!("opening the database {shown}"))
}
