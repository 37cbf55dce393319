//! The outbox of kills for the platform's broker: written with the kill, delivered by the dispatcher
//! (or fetched by a polling broker) until acknowledged.

use std::collections::HashMap;

use chrono::DateTime;
use diesel::prelude::*;
use shared::{DeliveryState, KillDelivery, KillOrder};

use serde_json::json;
use shared::{AuditAction, AuditOutcome};

use super::DbConnection;
use super::audit::{Actor, record};
use super::schema::{kill_deliveries, sessions};

/// Queues the delivery of each killed session the broker reported (others have nobody to tell).
/// Call it in the kill's transaction.
pub fn enqueue(conn: &mut DbConnection, killed: &[i64], now: i64) -> QueryResult<usize> {
    let mut queued = 0;
    for chunk in killed.chunks(1_000) {
        let reported: Vec<i64> = sessions::table
            .filter(sessions::id.eq_any(chunk))
            .filter(sessions::broker_session_id.is_not_null())
            .select(sessions::id)
            .load(conn)?;
        let rows: Vec<_> = reported
            .into_iter()
            .map(|session_id| {
                (
                    kill_deliveries::session_id.eq(session_id),
                    kill_deliveries::idempotency_key.eq(new_idempotency_key()),
                    kill_deliveries::state.eq(DeliveryState::Pending),
                    kill_deliveries::attempts.eq(0),
                    kill_deliveries::next_attempt_at.eq(now),
                    kill_deliveries::created_at.eq(now),
                )
            })
            .collect();
        queued += match conn {
            // One statement a chunk: a round trip a row made a bulk kill of 10,000 take seconds.
            DbConnection::Postgres(pg) => diesel::insert_into(kill_deliveries::table)
                .values(rows)
                .on_conflict(kill_deliveries::session_id)
                .do_nothing()
                .execute(pg)?,
            // In-process, a statement a row costs little (and Diesel batches no upsert of these rows).
            DbConnection::Sqlite(sqlite) => {
                let mut inserted = 0;
                for row in rows {
                    inserted += diesel::insert_into(kill_deliveries::table)
                        .values(row)
                        .on_conflict(kill_deliveries::session_id)
                        .do_nothing()
                        .execute(sqlite)?;
                }
                inserted
            }
        };
    }
    Ok(queued)
}

/// 128 random bits in hex: the key every attempt of one kill carries.
fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    hex::encode(bytes)
}

/// A kill's delivery as its table holds it (a page of sessions selects it beside each session).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = kill_deliveries)]
pub struct DeliveryRow {
    pub(super) session_id: i64,
    pub(super) state: DeliveryState,
    pub(super) attempts: i32,
    pub(super) next_attempt_at: i64,
    pub(super) last_error: Option<String>,
    pub(super) delivered_at: Option<i64>,
}

impl DeliveryRow {
    pub fn to_delivery(&self) -> KillDelivery {
        let state = self.state;
        KillDelivery {
            state,
            attempts: self.attempts.max(0) as u32,
            last_error: self.last_error.clone(),
            delivered_at: self
                .delivered_at
                .and_then(|t| DateTime::from_timestamp(t, 0)),
            next_attempt_at: (state == DeliveryState::Pending)
                .then(|| DateTime::from_timestamp(self.next_attempt_at, 0))
                .flatten(),
        }
    }
}

/// The deliveries of these sessions, by session id; sessions without one are absent.
pub fn deliveries_of(
    conn: &mut DbConnection,
    session_ids: &[i64],
) -> QueryResult<HashMap<i64, KillDelivery>> {
    let mut found = HashMap::new();
    for chunk in session_ids.chunks(1_000) {
        let rows: Vec<DeliveryRow> = kill_deliveries::table
            .filter(kill_deliveries::session_id.eq_any(chunk))
            .select((
                kill_deliveries::session_id,
                kill_deliveries::state,
                kill_deliveries::attempts,
                kill_deliveries::next_attempt_at,
                kill_deliveries::last_error,
                kill_deliveries::delivered_at,
            ))
            .load(conn)?;
        found.extend(rows.iter().map(|row| (row.session_id, row.to_delivery())));
    }
    Ok(found)
}

/// A pending delivery with what the broker needs to carry it out.
#[derive(Debug, Clone)]
pub struct DueKill {
    pub order: KillOrder,
    pub attempts: u32,
}

type OrderColumns = (
    i64,
    String,
    i32,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

fn to_due(row: OrderColumns) -> DueKill {
    let (session_id, idempotency_key, attempts, broker_session_id, host, killed_by, end_time) = row;
    DueKill {
        order: KillOrder {
            order_type: "session.kill".to_owned(),
            idempotency_key,
            session_id,
            broker_session_id: broker_session_id.unwrap_or_default(),
            host,
            killed_by,
            killed_at: end_time
                .and_then(|t| DateTime::from_timestamp(t, 0))
                .unwrap_or_default(),
        },
        attempts: attempts.max(0) as u32,
    }
}

/// Pending deliveries, oldest due first; `due_by` limits them to those due by then.
pub fn pending_kills(
    conn: &mut DbConnection,
    due_by: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<DueKill>> {
    let mut query = kill_deliveries::table
        .inner_join(sessions::table)
        .filter(kill_deliveries::state.eq(DeliveryState::Pending))
        .order((
            kill_deliveries::next_attempt_at,
            kill_deliveries::session_id,
        ))
        .limit(limit)
        .select((
            kill_deliveries::session_id,
            kill_deliveries::idempotency_key,
            kill_deliveries::attempts,
            sessions::broker_session_id,
            sessions::host,
            sessions::killed_by,
            sessions::end_time,
        ))
        .into_boxed();
    if let Some(due_by) = due_by {
        query = query.filter(kill_deliveries::next_attempt_at.le(due_by));
    }
    Ok(query
        .load::<OrderColumns>(conn)?
        .into_iter()
        .map(to_due)
        .collect())
}

/// Claims up to `limit` deliveries due by `now` for the caller until `claimed_until`, so that no other
/// dispatcher (another node's) sends them meanwhile; returns the ones claimed. The claim is the due time
/// moved to `claimed_until` by a conditional update, whose row count decides under concurrent claims. A
/// claim not followed by an outcome (the node died) runs out, and the kill is sent again with its key.
pub fn claim_due_kills(
    conn: &mut DbConnection,
    now: i64,
    claimed_until: i64,
    limit: i64,
) -> QueryResult<Vec<DueKill>> {
    crate::db::write_transaction(conn, |conn| {
        let due = pending_kills(conn, Some(now), limit)?;
        let ids: Vec<i64> = due.iter().map(|kill| kill.order.session_id).collect();
        let claimed: Vec<i64> = diesel::update(
            kill_deliveries::table
                .filter(kill_deliveries::session_id.eq_any(&ids))
                .filter(kill_deliveries::state.eq(DeliveryState::Pending))
                .filter(kill_deliveries::next_attempt_at.le(now)),
        )
        .set(kill_deliveries::next_attempt_at.eq(claimed_until))
        .returning(kill_deliveries::session_id)
        .get_results(conn)?;
        Ok(due
            .into_iter()
            .filter(|kill| claimed.contains(&kill.order.session_id))
            .collect())
    })
}

/// The broker acknowledged the kill with this key; acknowledging again changes nothing.
pub fn mark_delivered(conn: &mut DbConnection, key: &str, now: i64) -> QueryResult<bool> {
    let known = diesel::select(diesel::dsl::exists(
        kill_deliveries::table.filter(kill_deliveries::idempotency_key.eq(key)),
    ))
    .get_result::<bool>(conn)?;
    diesel::update(
        kill_deliveries::table
            .filter(kill_deliveries::idempotency_key.eq(key))
            .filter(kill_deliveries::state.ne(DeliveryState::Delivered)),
    )
    .set((
        kill_deliveries::state.eq(DeliveryState::Delivered),
        kill_deliveries::attempts.eq(kill_deliveries::attempts + 1),
        kill_deliveries::delivered_at.eq(now),
        kill_deliveries::last_error.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(known)
}

/// An attempt failed: count it, and either schedule the next one or give up.
pub fn mark_attempt_failed(
    conn: &mut DbConnection,
    key: &str,
    error: &str,
    next_attempt_at: Option<i64>,
) -> QueryResult<usize> {
    let state = match next_attempt_at {
        Some(_) => DeliveryState::Pending,
        None => DeliveryState::Failed,
    };
    diesel::update(
        kill_deliveries::table
            .filter(kill_deliveries::idempotency_key.eq(key))
            .filter(kill_deliveries::state.eq(DeliveryState::Pending)),
    )
    .set((
        kill_deliveries::attempts.eq(kill_deliveries::attempts + 1),
        kill_deliveries::state.eq(state),
        kill_deliveries::last_error.eq(error.chars().take(500).collect::<String>()),
        kill_deliveries::next_attempt_at.eq(next_attempt_at.unwrap_or(0)),
    ))
    .execute(conn)
}

#[derive(Debug, thiserror::Error)]
pub enum RetryError {
    #[error(
        "session {0} has no kill delivery (it was not killed, or the broker did not report it)"
    )]
    NotFound(i64),
    #[error("the kill of session {id} is {}, not failed; only failed deliveries are retried", state.as_str())]
    NotFailed { id: i64, state: DeliveryState },
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// Starts a failed delivery over: pending, due now, attempts counted afresh; audited with it.
pub fn retry_delivery(
    conn: &mut DbConnection,
    session_id: i64,
    actor: &Actor,
    now: i64,
) -> Result<KillDelivery, RetryError> {
    crate::db::write_transaction(conn, |conn| {
        let current = deliveries_of(conn, &[session_id])?
            .remove(&session_id)
            .ok_or(RetryError::NotFound(session_id))?;
        if current.state != DeliveryState::Failed {
            return Err(RetryError::NotFailed {
                id: session_id,
                state: current.state,
            });
        }
        let restarted = diesel::update(
            kill_deliveries::table
                .find(session_id)
                .filter(kill_deliveries::state.eq(DeliveryState::Failed)),
        )
        .set((
            kill_deliveries::state.eq(DeliveryState::Pending),
            kill_deliveries::attempts.eq(0),
            kill_deliveries::next_attempt_at.eq(now),
        ))
        .execute(conn)?;
        if restarted == 0 {
            // A retry through another node came first.
            return Err(RetryError::NotFailed {
                id: session_id,
                state: DeliveryState::Pending,
            });
        }
        record(
            conn,
            actor,
            AuditAction::RetryDelivery,
            AuditOutcome::Success,
            json!({ "session_id": session_id }),
            now,
        )?;
        deliveries_of(conn, &[session_id])?
            .remove(&session_id)
            .ok_or(RetryError::NotFound(session_id))
    })
}

/// How many kill deliveries are in each state, for `/metrics`: read from the database, so every node
/// reports the same exact figures.
pub fn count_by_state(conn: &mut DbConnection) -> QueryResult<Vec<(DeliveryState, i64)>> {
    kill_deliveries::table
        .group_by(kill_deliveries::state)
        .select((kill_deliveries::state, diesel::dsl::count_star()))
        .load(conn)
}
