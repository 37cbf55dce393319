//! Killing sessions: only Connected and Unknown ones, each kill all-or-nothing.

use std::collections::BTreeMap;

use diesel::prelude::*;
use serde_json::json;
use shared::{AuditAction, AuditOutcome, KillManyResult, SessionStatus, SkippedSession};

use super::DbConnection;
use super::audit::{Actor, record};
use super::deliveries::enqueue;
use super::models::SessionRecord;
use super::schema::sessions;
use super::sessions::find_session;

/// Ids per `IN (...)` list, well under every backend's limit on bound parameters.
const IDS_PER_STATEMENT: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum KillError {
    #[error("no session has the id {0}")]
    NotFound(i64),
    #[error("session {id} is {status}; only Connected and Unknown sessions can be killed")]
    NotKillable { id: i64, status: SessionStatus },
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// Marks killable sessions killed by `actor` as of `now`, in the statement's own condition too, so a
/// session that ended between read and write is never overwritten.
fn mark_killed(
    conn: &mut DbConnection,
    ids: &[i64],
    actor: &Actor,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq_any(ids))
            .filter(sessions::status.eq_any(SessionStatus::ACTIVE)),
    )
    .set((
        sessions::status.eq(SessionStatus::Killed),
        sessions::end_time.eq(now),
        sessions::killed_by.eq(actor.label()),
        // A clock set back must not give a negative duration.
        sessions::ended_duration.eq(diesel::dsl::sql::<
            diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
        >("max(0, ")
        .bind::<diesel::sql_types::BigInt, _>(now)
        .sql(" - start_time)")),
    ))
    .execute(conn)
}

/// Kills one session and returns it as it is now. The kill and its audit entry commit together; a
/// refused kill (no such session, not active) is audited as a failure and changes nothing else.
pub fn kill_session(
    conn: &mut DbConnection,
    id: i64,
    actor: &Actor,
    now: i64,
) -> Result<SessionRecord, KillError> {
    let killed = conn.immediate_transaction(|conn| {
        let session = find_session(conn, id)
            .optional()?
            .ok_or(KillError::NotFound(id))?;
        let status = session.row.status;
        if !status.is_killable() {
            return Err(KillError::NotKillable { id, status });
        }
        mark_killed(conn, &[id], actor, now)?;
        enqueue(conn, &[id], now)?;
        record(
            conn,
            actor,
            AuditAction::KillSession,
            AuditOutcome::Success,
            json!({ "session_id": id, "was": status }),
            now,
        )?;
        Ok(find_session(conn, id)?)
    });
    if let Err(refused @ (KillError::NotFound(_) | KillError::NotKillable { .. })) = &killed {
        record(
            conn,
            actor,
            AuditAction::KillSession,
            AuditOutcome::Failure,
            json!({ "session_id": id, "reason": refused.to_string() }),
            now,
        )?;
    }
    killed
}

/// Kills every killable session among `ids` in one transaction with its audit entry, and says what
/// became of each id.
pub fn kill_sessions(
    conn: &mut DbConnection,
    ids: &[i64],
    actor: &Actor,
    now: i64,
) -> Result<KillManyResult, KillError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    conn.immediate_transaction(|conn| {
        let mut found: BTreeMap<i64, SessionStatus> = BTreeMap::new();
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let rows: Vec<(i64, SessionStatus)> = sessions::table
                .filter(sessions::id.eq_any(chunk))
                .select((sessions::id, sessions::status))
                .load(conn)?;
            found.extend(rows);
        }
        let mut result = KillManyResult::default();
        for &id in &ids {
            match found.get(&id) {
                None => result.not_found.push(id),
                Some(&status) => {
                    if status.is_killable() {
                        result.killed.push(id);
                    } else {
                        result.skipped.push(SkippedSession { id, status });
                    }
                }
            }
        }
        for chunk in result.killed.chunks(IDS_PER_STATEMENT) {
            mark_killed(conn, chunk, actor, now)?;
        }
        enqueue(conn, &result.killed, now)?;
        let outcome = if result.killed.is_empty() {
            AuditOutcome::Failure
        } else {
            AuditOutcome::Success
        };
        record(
            conn,
            actor,
            AuditAction::KillSessions,
            outcome,
            json!({
                "killed": result.killed,
                "skipped": result.skipped.iter().map(|s| s.id).collect::<Vec<_>>(),
                "not_found": result.not_found,
            }),
            now,
        )?;
        Ok(result)
    })
}
