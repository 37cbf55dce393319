//! Retention: deleting ended sessions (with their events and kill deliveries) and audit entries older
//! than the configured days, in small batches, each its own short write transaction, so that no request
//! waits on more than one batch.
//!
//! One run at a time across all nodes: a run holds the `prune_lease` row, claimed by a conditional update
//! and renewed by each batch. Each batch adds what it removed to the lease row in its own transaction, so
//! the run's one audit entry, written as the lease is given back, counts exactly what went. Totals stay
//! exact by themselves: the counter triggers see the deletes like any other.

use diesel::dsl::{exists, not};
use diesel::prelude::*;
use serde_json::json;
use shared::{AuditAction, AuditOutcome, DeliveryState};

use super::DbConnection;
use super::audit::{Actor, record};
use super::backend::write_transaction;
use super::schema::{audit_log, kill_deliveries, prune_lease, session_events, sessions};

/// Sessions (or audit entries) removed per transaction.
pub const BATCH: i64 = 500;
/// How long a claim of the lease lasts unless renewed; a run whose node died frees it after this.
pub const LEASE_SECONDS: i64 = 60;
/// The fewest days `--audit-retain-days` accepts; the database refuses to delete younger entries
/// whatever it is told (the floor is written in the migration's trigger too).
pub const MIN_AUDIT_RETAIN_DAYS: u32 = 30;
const DAY: i64 = 86_400;

/// What to remove: ended sessions that ended before `ended_before`, audit entries written before
/// `audit_before` (Unix seconds); `None` keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    pub ended_before: Option<i64>,
    pub audit_before: Option<i64>,
}

impl Cutoffs {
    /// The cutoffs `now` for the days kept.
    pub fn days_before(now: i64, retain_days: Option<u32>, audit_retain_days: Option<u32>) -> Self {
        Cutoffs {
            ended_before: retain_days.map(|days| now - i64::from(days) * DAY),
            audit_before: audit_retain_days
                .map(|days| now - i64::from(days.max(MIN_AUDIT_RETAIN_DAYS)) * DAY),
        }
    }
}

/// What a run removed, or a dry run would remove.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    pub sessions: i64,
    pub events: i64,
    pub deliveries: i64,
    pub audit_entries: i64,
}

impl Removed {
    pub fn is_empty(&self) -> bool {
        *self == Removed::default()
    }
}

/// Ended before the cutoff, and not a kill still being delivered (its delivery would be lost).
/// `start_time < cutoff` as well (a session ends after it starts), so the walk is a range of the
/// start-time index, which also holds end_time.
macro_rules! prunable_sessions {
    ($cutoff:expr) => {
        sessions::table
            .filter(sessions::start_time.lt($cutoff))
            .filter(sessions::end_time.lt($cutoff))
            .filter(not(exists(
                kill_deliveries::table
                    .filter(kill_deliveries::session_id.eq(sessions::id))
                    .filter(kill_deliveries::state.eq(DeliveryState::Pending)),
            )))
    };
}

/// What a run with these cutoffs would remove now; changes nothing.
pub fn count_prunable(conn: &mut DbConnection, cutoffs: Cutoffs) -> QueryResult<Removed> {
    let mut removed = Removed::default();
    if let Some(cutoff) = cutoffs.ended_before {
        removed.sessions = prunable_sessions!(cutoff).count().get_result(conn)?;
        removed.events = session_events::table
            .filter(
                session_events::session_id.eq_any(prunable_sessions!(cutoff).select(sessions::id)),
            )
            .count()
            .get_result(conn)?;
        // A session has one delivery at most: those of prunable sessions are the ones not pending.
        removed.deliveries = kill_deliveries::table
            .filter(kill_deliveries::state.ne(DeliveryState::Pending))
            .filter(
                kill_deliveries::session_id.eq_any(
                    sessions::table
                        .filter(sessions::start_time.lt(cutoff))
                        .filter(sessions::end_time.lt(cutoff))
                        .select(sessions::id),
                ),
            )
            .count()
            .get_result(conn)?;
    }
    if let Some(cutoff) = cutoffs.audit_before {
        removed.audit_entries = audit_log::table
            .filter(audit_log::at.lt(cutoff))
            .count()
            .get_result(conn)?;
    }
    Ok(removed)
}

/// Claims the lease for `holder` if it is free or has run out, declaring the run's audit cutoff.
/// `false`: another run holds it.
pub fn claim_lease(
    conn: &mut DbConnection,
    holder: &str,
    audit_before: Option<i64>,
    now: i64,
) -> QueryResult<bool> {
    let claimed = diesel::update(prune_lease::table)
        .filter(
            prune_lease::holder
                .is_null()
                .or(prune_lease::expires_at.lt(now)),
        )
        .set((
            prune_lease::holder.eq(holder),
            prune_lease::expires_at.eq(now + LEASE_SECONDS),
            prune_lease::audit_before.eq(audit_before),
        ))
        .execute(conn)?;
    Ok(claimed == 1)
}

/// Renews `holder`'s lease and adds `batch` to what the run removed; `false` when the lease was lost (it
/// ran out and another run took it), and then nothing is added. Call inside the batch's transaction.
fn renew_and_count(
    conn: &mut DbConnection,
    holder: &str,
    batch: Removed,
    now: i64,
) -> QueryResult<bool> {
    let renewed = diesel::update(prune_lease::table)
        .filter(prune_lease::holder.eq(holder))
        .set((
            prune_lease::expires_at.eq(now + LEASE_SECONDS),
            prune_lease::sessions.eq(prune_lease::sessions + batch.sessions),
            prune_lease::events.eq(prune_lease::events + batch.events),
            prune_lease::deliveries.eq(prune_lease::deliveries + batch.deliveries),
            prune_lease::audit_entries.eq(prune_lease::audit_entries + batch.audit_entries),
        ))
        .execute(conn)?;
    Ok(renewed == 1)
}

/// Where the walk of ended sessions has got to: the start-time index's key of the last session seen.
pub type Position = Option<(i64, i64)>;

/// Deletes one batch of sessions ended before `cutoff`, after `after`, with their deliveries and
/// events, in one transaction that also renews the lease and counts them in. `None` when the lease was
/// lost (nothing deleted); otherwise what went and where the next batch starts (`None`: done).
pub fn prune_session_batch(
    conn: &mut DbConnection,
    holder: &str,
    cutoff: i64,
    after: Position,
    now: i64,
) -> QueryResult<Option<(Removed, Position)>> {
    write_transaction(conn, |conn| {
        let mut candidates = prunable_sessions!(cutoff)
            .select((sessions::start_time, sessions::id))
            .order((sessions::start_time, sessions::id))
            .limit(BATCH)
            .into_boxed();
        if let Some((start, id)) = after {
            // The first conjunct bounds the index range; the second skips the sessions at `start`
            // already seen.
            candidates = candidates.filter(sessions::start_time.ge(start)).filter(
                sessions::start_time
                    .gt(start)
                    .or(sessions::start_time.eq(start).and(sessions::id.gt(id))),
            );
        }
        let candidates: Vec<(i64, i64)> = candidates.load(conn)?;
        let next = (candidates.len() as i64 == BATCH)
            .then(|| candidates.last().copied())
            .flatten();
        let ids: Vec<i64> = candidates.iter().map(|(_, id)| *id).collect();
        let mut batch = Removed::default();
        if !ids.is_empty() {
            // The outbox row refers to the session, so it goes first; a pending one stays, and so
            // does its session (the condition is checked again here, in the deleting statements).
            batch.deliveries = diesel::delete(
                kill_deliveries::table
                    .filter(kill_deliveries::session_id.eq_any(&ids))
                    .filter(kill_deliveries::state.ne(DeliveryState::Pending)),
            )
            .execute(conn)? as i64;
            let deleted: Vec<i64> =
                diesel::delete(prunable_sessions!(cutoff).filter(sessions::id.eq_any(&ids)))
                    .returning(sessions::id)
                    .get_results(conn)?;
            batch.sessions = deleted.len() as i64;
            batch.events = diesel::delete(
                session_events::table.filter(session_events::session_id.eq_any(&deleted)),
            )
            .execute(conn)? as i64;
        }
        if !renew_and_count(conn, holder, batch, now)? {
            // Rolled back: another run holds the lease now and will count what it removes.
            return Err(LeaseLost.into());
        }
        Ok(Some((batch, next)))
    })
    .or_else(lease_lost_is_none)
}

/// Deletes one batch of audit entries written before `cutoff`, the oldest first, renewing the lease and
/// counting them in. `None` when the lease was lost; otherwise how many went (fewer than [`BATCH`]:
/// done).
pub fn prune_audit_batch(
    conn: &mut DbConnection,
    holder: &str,
    cutoff: i64,
    now: i64,
) -> QueryResult<Option<i64>> {
    write_transaction(conn, |conn| {
        let ids: Vec<i64> = audit_log::table
            .filter(audit_log::at.lt(cutoff))
            .order((audit_log::at, audit_log::id))
            .select(audit_log::id)
            .limit(BATCH)
            .load(conn)?;
        let deleted = if ids.is_empty() {
            0
        } else {
            diesel::delete(audit_log::table.filter(audit_log::id.eq_any(&ids))).execute(conn)?
                as i64
        };
        let batch = Removed {
            audit_entries: deleted,
            ..Removed::default()
        };
        if !renew_and_count(conn, holder, batch, now)? {
            return Err(LeaseLost.into());
        }
        Ok(Some(deleted))
    })
    .or_else(lease_lost_is_none)
}

/// Gives the lease back and, when the run (with what runs that died before it left uncounted) removed
/// anything, writes its one audit entry, in one transaction. Returns what was recorded; `None` when the
/// lease had been lost.
pub fn finish_run(
    conn: &mut DbConnection,
    holder: &str,
    cutoffs: Cutoffs,
    actor: &Actor,
    now: i64,
) -> QueryResult<Option<Removed>> {
    write_transaction(conn, |conn| {
        let counted: Option<(i64, i64, i64, i64)> = prune_lease::table
            .filter(prune_lease::holder.eq(holder))
            .select((
                prune_lease::sessions,
                prune_lease::events,
                prune_lease::deliveries,
                prune_lease::audit_entries,
            ))
            .first(conn)
            .optional()?;
        let Some((sessions, events, deliveries, audit_entries)) = counted else {
            return Ok(None);
        };
        let removed = Removed {
            sessions,
            events,
            deliveries,
            audit_entries,
        };
        if !removed.is_empty() {
            let at = |seconds: Option<i64>| {
                seconds.and_then(|s| chrono::DateTime::from_timestamp(s, 0).map(|t| t.to_rfc3339()))
            };
            record(
                conn,
                actor,
                AuditAction::Prune,
                AuditOutcome::Success,
                json!({
                    "sessions": sessions,
                    "events": events,
                    "deliveries": deliveries,
                    "audit_entries": audit_entries,
                    "ended_before": at(cutoffs.ended_before),
                    "audit_before": at(cutoffs.audit_before),
                }),
                now,
            )?;
        }
        diesel::update(prune_lease::table)
            .filter(prune_lease::holder.eq(holder))
            .set((
                prune_lease::holder.eq(None::<String>),
                prune_lease::expires_at.eq(0),
                prune_lease::audit_before.eq(None::<i64>),
                prune_lease::sessions.eq(0),
                prune_lease::events.eq(0),
                prune_lease::deliveries.eq(0),
                prune_lease::audit_entries.eq(0),
            ))
            .execute(conn)?;
        Ok(Some(removed))
    })
}

/// A batch found its lease taken over; its transaction is rolled back.
#[derive(Debug)]
struct LeaseLost;

impl From<LeaseLost> for diesel::result::Error {
    fn from(_: LeaseLost) -> Self {
        diesel::result::Error::RollbackTransaction
    }
}

fn lease_lost_is_none<T>(error: diesel::result::Error) -> QueryResult<Option<T>> {
    match error {
        diesel::result::Error::RollbackTransaction => Ok(None),
        error => Err(error),
    }
}
