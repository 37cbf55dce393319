//! The append-only audit log. Entries are written by the query function of the action they record, in
//! the action's own transaction: an action without its entry cannot be committed, nor an entry without
//! its action. The database refuses updates and deletes of entries (see the migration's triggers).

use diesel::prelude::*;
use serde_json::Value;
use shared::{ActorKind, AuditAction, AuditOutcome};

use super::DbConnection;
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
}

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
        .values(NewEntry {
            at: now,
            actor_kind: actor.kind,
            actor: &actor.name,
            address: actor.address.as_deref(),
            action,
            outcome,
            details: details.to_string(),
        })
        .returning(audit_log::id)
        .get_result(conn)
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
