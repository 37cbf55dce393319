//! `sessions-api backup` and `restore` for SQLite databases. A backup is `VACUUM INTO` a new file: one
//! read transaction, so a consistent copy of a live database whose writers go on meanwhile. Both commands
//! check what they made (SQLite's integrity check, and a migrations table this binary knows) before
//! putting it in place, and put it in place with a rename, so a file named by them is always whole.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;
use diesel::{QueryableByName, RunQueryDsl};

use crate::db::{BackendKind, backend_of, sqlite_migration_versions};

/// What a checked copy holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub sessions: i64,
    /// Migrations applied to it; the server applies the rest (when this binary has more) at start-up.
    pub migrations: usize,
}

const PG_BACKUP: &str = "for PostgreSQL, use its own tools: `pg_dump --format=custom --file=FILE \
                         \"$DATABASE_URL\"` to back up, `pg_restore --clean --if-exists --no-owner \
                         --dbname=\"$DATABASE_URL\" FILE` to restore (README: Backup and restore)";

/// The SQLite file of `database_url`; PostgreSQL is refused with what to use instead.
fn sqlite_file(database_url: &str) -> anyhow::Result<PathBuf> {
    match backend_of(database_url)? {
        BackendKind::Postgres => bail!("{PG_BACKUP}"),
        BackendKind::Sqlite => Ok(PathBuf::from(
            database_url
                .strip_prefix("sqlite://")
                .unwrap_or(database_url),
        )),
    }
}

fn text(path: &Path) -> anyhow::Result<&str> {
    path.to_str()
        .with_context(|| format!("{} is not UTF-8", path.display()))
}

/// Opens an existing SQLite file (never creating one), waiting at most `busy_ms` for a writer.
fn open_existing(path: &Path, busy_ms: u32) -> anyhow::Result<SqliteConnection> {
    ensure!(path.is_file(), "{} does not exist", path.display());
    let mut conn = crate::db::backend::open_sqlite(text(path)?)
        .with_context(|| format!("opening {}", path.display()))?;
    conn.batch_execute(&format!("PRAGMA busy_timeout = {busy_ms};"))?;
    Ok(conn)
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Opens the copy at `path` and checks it is whole and a database of this console; leaves it a single
/// file (no write-ahead log beside it).
pub fn check(path: &Path) -> anyhow::Result<Checked> {
    let mut conn = open_existing(path, 5_000)?;
    let checked = (|| -> anyhow::Result<Checked> {
        conn.batch_execute("PRAGMA journal_mode = DELETE;")?;
        let problems: Vec<Line> = diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check")
            .load(&mut conn)?;
        ensure!(
            problems.len() == 1 && problems[0].line == "ok",
            "SQLite's integrity check failed: {}",
            problems.iter().map(|p| p.line.as_str()).collect::<Vec<_>>().join("; ")
        );
        let applied: Vec<Line> =
            diesel::sql_query("SELECT version AS line FROM __diesel_schema_migrations ORDER BY version")
                .load(&mut conn)
                .context("no migrations table: not a database of this console")?;
        let known = sqlite_migration_versions();
        ensure!(!applied.is_empty(), "no migration applied: not a database of this console");
        if let Some(unknown) = applied.iter().find(|a| !known.contains(&a.line)) {
            bail!(
                "it has migration {} which this sessions-api does not know: a newer version made it",
                unknown.line
            );
        }
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let sessions = diesel::sql_query("SELECT count(*) AS n FROM sessions")
            .get_result::<Count>(&mut conn)?
            .n;
        Ok(Checked {
            sessions,
            migrations: applied.len(),
        })
    })()
    .with_context(|| format!("checking {}", path.display()))?;
    Ok(checked)
}

/// A new empty file beside `path` for the copy, readable by this user only (what the database holds is
/// private); removed again when dropped unless [`Partial::keep`] was called.
struct Partial {
    path: PathBuf,
    kept: bool,
}

impl Partial {
    fn beside(path: &Path, what: &str) -> anyhow::Result<Partial> {
        let mut name = path.file_name().context("a file name")?.to_owned();
        name.push(format!(".{what}-{}", std::process::id()));
        let partial = path.with_file_name(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&partial)
            .with_context(|| format!("creating {}", partial.display()))?;
        Ok(Partial {
            path: partial,
            kept: false,
        })
    }

    fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// `VACUUM INTO` the empty file `into`: a consistent snapshot of `from`, however busy.
fn copy_into(from: &mut SqliteConnection, into: &Path) -> anyhow::Result<()> {
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(text(into)?)
        .execute(from)
        .context("copying the database")?;
    File::open(into)?.sync_all()?;
    Ok(())
}

/// Makes the rename of a file in `folder` durable.
fn sync_folder(file: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    if let Some(folder) = file.parent().filter(|f| !f.as_os_str().is_empty()) {
        File::open(folder)?.sync_all()?;
    }
    Ok(())
}

/// `sessions-api backup --to FILE`: copies the live database to `to`, checks the copy, and only then
/// names it `to`. An existing `to` is refused unless `overwrite`.
pub fn backup(database_url: &str, to: &Path, overwrite: bool) -> anyhow::Result<Checked> {
    let database = sqlite_file(database_url)?;
    if to.exists() && std::fs::canonicalize(to)? == std::fs::canonicalize(&database)? {
        bail!(
            "{} is the database itself; back up to another file",
            to.display()
        );
    }
    if !overwrite && to.exists() {
        bail!("{} exists; add --force to replace it", to.display());
    }
    let mut source = open_existing(&database, 5_000)?;
    let partial = Partial::beside(to, "partial")?;
    copy_into(&mut source, &partial.path)?;
    drop(source);
    let checked = check(&partial.path)?;
    if overwrite {
        std::fs::rename(&partial.path, to)
    } else {
        // A link is made only where no file is: a file that appeared meanwhile is not replaced.
        std::fs::hard_link(&partial.path, to)
    }
    .with_context(|| format!("naming the backup {}", to.display()))?;
    drop(partial);
    sync_folder(to)?;
    Ok(checked)
}

/// What `restore` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub checked: Checked,
    /// Where the database that was replaced is kept.
    pub previous: Option<PathBuf>,
}

/// `sessions-api restore --from FILE`: checks the backup, refuses while anything (a server) has the
/// database open, keeps the current database beside it, and puts a checked copy of the backup in its
/// place. The servers started afterwards migrate it forward if it is older than they are.
pub fn restore(database_url: &str, from: &Path) -> anyhow::Result<Restored> {
    let database = sqlite_file(database_url)?;
    check(from)?;
    let previous = if database.exists() {
        // Leaving write-ahead logging needs the database to itself: any other connection, such as a
        // running server's, makes it fail at once. It also folds the log into the file, so the copy
        // kept below is whole.
        let mut current = open_existing(&database, 0)?;
        if let Err(error) = current.batch_execute("PRAGMA journal_mode = DELETE;") {
            bail!(
                "{} is in use ({error}): stop every server on it first, then restore",
                database.display()
            );
        }
        drop(current);
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let mut name = database.file_name().context("a file name")?.to_owned();
        name.push(format!(".before-restore-{stamp}"));
        let kept = database.with_file_name(name);
        std::fs::hard_link(&database, &kept)
            .with_context(|| format!("keeping the current database as {}", kept.display()))?;
        Some(kept)
    } else {
        None
    };
    for leftover in ["-wal", "-shm"] {
        let mut name = database.file_name().context("a file name")?.to_owned();
        name.push(leftover);
        let _ = std::fs::remove_file(database.with_file_name(name));
    }
    let partial = Partial::beside(&database, "restore")?;
    copy_into(&mut open_existing(from, 5_000)?, &partial.path)?;
    let checked = check(&partial.path)?;
    std::fs::rename(&partial.path, &database)
        .with_context(|| format!("replacing {}", database.display()))?;
    partial.keep();
    sync_folder(&database)?;
    Ok(Restored { checked, previous })
}
