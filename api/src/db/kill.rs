//! Killing sessions: only Connected and Unknown ones, each kill all-or-nothing.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::BigInt;
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

/// Marks the killable sessions among `ids` killed by `actor` as of `now`, and returns the ids it
/// changed. The statement's own condition decides: of two racing kills (two transactions that both read
/// the session as Connected), the second updates nothing once the first commits, on either backend.
fn mark_killed(
    conn: &mut DbConnection,
    ids: &[i64],
    actor: &Actor,
    now: i64,
) -> QueryResult<Vec<i64>> {
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
        sessions::ended_duration.eq(diesel::dsl::case_when(
            sessions::start_time.lt(now),
            now.into_sql::<BigInt>() - sessions::start_time,
        )
        .otherwise(0.into_sql::<BigInt>())
        .nullable()),
    ))
    .returning(sessions::id)
    .get_results(conn)
}

/// Kills one session and returns it as it is now. The kill and its audit entry commit together; a
/// refused kill (no such session, not active) is audited as a failure and changes nothing else.
pub fn kill_session(
    conn: &mut DbConnection,
    id: i64,
    actor: &Actor,
    now: i64,
) -> Result<SessionRecord, KillError> {
    let killed = crate::db::write_transaction(conn, |conn| {
        let session = find_session(conn, id)
            .optional()?
            .ok_or(KillError::NotFound(id))?;
        let status = session.row.status;
        if !status.is_killable() {
            return Err(KillError::NotKillable { id, status });
        }
        if mark_killed(conn, &[id], actor, now)?.is_empty() {
            // Another kill or the broker's end came first and committed meanwhile.
            let status = find_session(conn, id)?.row.status;
            return Err(KillError::NotKillable { id, status });
        }
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
    crate::db::write_transaction(conn, |conn| {
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
        let mut killed = Vec::with_capacity(result.killed.len());
        for chunk in result.killed.chunks(IDS_PER_STATEMENT) {
            killed.extend(mark_killed(conn, chunk, actor, now)?);
        }
        if killed.len() < result.killed.len() {
            // Some ended or were killed by another transaction between the read and the update.
            killed.sort_unstable();
            let lost: Vec<i64> = result
                .killed
                .iter()
                .copied()
                .filter(|id| killed.binary_search(id).is_err())
                .collect();
            let now_as: Vec<(i64, SessionStatus)> = sessions::table
                .filter(sessions::id.eq_any(&lost))
                .select((sessions::id, sessions::status))
                .load(conn)?;
            result.skipped.extend(
                now_as
                    .into_iter()
                    .map(|(id, status)| SkippedSession { id, status }),
            );
            result.skipped.sort_unstable_by_key(|skipped| skipped.id);
            result.killed = killed;
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
