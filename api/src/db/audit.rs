//! The append-only audit log. Entries are written by the query function of the action they record, in
//! the action's own transaction: an action without its entry cannot be committed, nor an entry without
//! its action. The database refuses updates and deletes of entries (see the migrations' triggers), but for
//! one: an entry that stands for repeated alike attempts ([`record_repeated`]) counts one more.

use diesel::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use shared::{ActorKind, AuditAction, AuditOutcome};

use super::DbConnection;
use super::backend::write_transaction;
use super::schema::audit_log;

/// Who acts, and from where; what the audit log and `killed_by` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    /// Username, token name, operating-system user (CLI), or the username a failed sign-in tried.
    pub name: String,
    /// The client's IP address; `None` for the CLI.
    pub address: Option<String>,
}

impl Actor {
    /// The command line, run as `user` on the server.
    pub fn cli() -> Actor {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .ok()
            .filter(|user| !user.is_empty())
            .or_else(process_uid)
            .unwrap_or_else(|| "unknown".to_owned());
        Actor {
            kind: ActorKind::Cli,
            name: user,
            address: None,
        }
    }

    /// How a session's `killed_by` names this actor: tokens are marked, so a token and an account of the
    /// same name are not confused.
    pub fn label(&self) -> String {
        match self.kind {
            ActorKind::Account | ActorKind::Anonymous => self.name.clone(),
            ActorKind::Token => format!("token:{}", self.name),
            ActorKind::Cli => format!("cli:{}", self.name),
        }
    }
}

/// Who runs this process when the environment does not say (cron, containers): `uid 1000`.
fn process_uid() -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self")
            .ok()
            .map(|process| format!("uid {}", process.uid()))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
struct NewEntry<'a> {
    at: i64,
    actor_kind: ActorKind,
    actor: &'a str,
    address: Option<&'a str>,
    action: AuditAction,
    outcome: AuditOutcome,
    details: String,
    group_key: Option<String>,
}

impl<'a> NewEntry<'a> {
    fn new(
        actor: &'a Actor,
        action: AuditAction,
        outcome: AuditOutcome,
        details: &Value,
        now: i64,
    ) -> NewEntry<'a> {
        NewEntry {
            at: now,
            actor_kind: actor.kind,
            actor: &actor.name,
            address: actor.address.as_deref(),
            action,
            outcome,
            details: details.to_string(),
            group_key: None,
        }
    }
}

/// How long entries alike are counted into one by [`record_repeated`]: a calendar minute (UTC).
pub const REPEAT_SECONDS: i64 = 60;

/// Appends one entry; call it inside the transaction of the action it records.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    action: AuditAction,
    outcome: AuditOutcome,
    details: Value,
    now: i64,
) -> QueryResult<i64> {
    diesel::insert_into(audit_log::table)
        .values(NewEntry::new(actor, action, outcome, &details, now))
        .returning(audit_log::id)
        .get_result(conn)
}

/// Records an attempt that may come again and again (a failed sign-in): all attempts alike (same actor,
/// address, action, outcome and details) in one calendar minute are one entry whose `count` says how
/// many there were and whose time is the latest one's. Safe against parallel writers on any number of
/// nodes: on PostgreSQL the unique group key decides (an upsert); on SQLite the write lock does, since an
/// upsert would need a BEFORE INSERT trigger that the append-only guard forbids (see the migration).
pub fn record_repeated(
    conn: &mut DbConnection,
    actor: &Actor,
    action: AuditAction,
    outcome: AuditOutcome,
    details: Value,
    now: i64,
) -> QueryResult<()> {
    let mut entry = NewEntry::new(actor, action, outcome, &details, now);
    let key = group_key(&entry, now.div_euclid(REPEAT_SECONDS));
    entry.group_key = Some(key.clone());
    // A node whose clock is behind must not move the entry's time back.
    let counted = (
        audit_log::count.eq(audit_log::count + 1),
        audit_log::at.eq(diesel::dsl::case_when(
            audit_log::at.lt(now),
            now.into_sql::<diesel::sql_types::BigInt>(),
        )
        .otherwise(audit_log::at)),
    );
    write_transaction(conn, |conn| {
        match conn {
            DbConnection::Postgres(pg) => diesel::insert_into(audit_log::table)
                .values(&entry)
                .on_conflict(audit_log::group_key)
                .filter_target(audit_log::group_key.is_not_null())
                .do_update()
                .set(counted)
                .execute(pg)?,
            DbConnection::Sqlite(sqlite) => {
                // BEGIN IMMEDIATE holds the database's one write lock from here to the commit: no other
                // writer, on this node or another, can insert the key in between.
                let updated = diesel::update(audit_log::table)
                    .filter(audit_log::group_key.eq(&key))
                    .set(counted)
                    .execute(sqlite)?;
                if updated == 0 {
                    diesel::insert_into(audit_log::table)
                        .values(&entry)
                        .execute(sqlite)?;
                }
                updated
            }
        };
        Ok(())
    })
}

/// What entries alike in one minute share: a hash of what makes them alike, so the key has one length
/// whatever the username tried, and no separator can make two different attempts look alike.
fn group_key(entry: &NewEntry, minute: i64) -> String {
    let alike = serde_json::json!([
        entry.action.as_str(),
        entry.outcome.as_str(),
        entry.actor_kind.as_str(),
        entry.actor,
        entry.address,
        entry.details,
        minute,
    ]);
    hex::encode(Sha256::digest(alike.to_string()))
}

/// An entry as the table holds it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_kind: ActorKind,
    pub actor: String,
    pub address: Option<String>,
    pub action: AuditAction,
    pub outcome: AuditOutcome,
    pub details: String,
    /// How many attempts alike this entry stands for; more than 1 only from [`record_repeated`].
    pub count: i32,
}

/// Which entries a page shows; each part narrows.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    pub to: Option<i64>,
}

/// Up to `limit` entries older than `before` (an entry id), newest first.
pub fn list_entries(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_log::table
        .select(AuditRow::as_select())
        .order(audit_log::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(audit_log::id.lt(before));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_log::actor.eq(actor.clone()));
    }
    if let Some(action) = filter.action {
        query = query.filter(audit_log::action.eq(action));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_log::at.lt(to));
    }
    query.load(conn)
}
