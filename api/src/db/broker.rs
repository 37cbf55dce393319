//! What the platform's session broker reports: sessions opening, staying alive, and ending. Each call is
//! one IMMEDIATE transaction, so a retried or racing report finds what the first one made.

use std::collections::HashSet;

use diesel::prelude::*;
use shared::{BrokerSession, EndSessionsResult, OpenedSession, SessionStatus};

use super::DbConnection;
use super::models::{fold, sort_key};
use super::schema::{apps, sessions, users};

fn user_id(conn: &mut DbConnection, name: &str, email: &str) -> QueryResult<i64> {
    let new_user = (
        users::name.eq(name),
        users::email.eq(email),
        users::name_folded.eq(fold(name)),
        users::email_folded.eq(fold(email)),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(users::table)
        .values(new_user)
        .on_conflict(users::email)
        .do_nothing()
        .execute(c))?;
    users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(conn)
}

fn app_id(conn: &mut DbConnection, name: &str) -> QueryResult<i64> {
    crate::on_backend!(conn, |c| diesel::insert_into(apps::table)
        .values(apps::name.eq(name))
        .on_conflict(apps::name)
        .do_nothing()
        .execute(c))?;
    apps::table
        .filter(apps::name.eq(name))
        .select(apps::id)
        .first(conn)
}

fn find_by_broker_id(conn: &mut DbConnection, broker_id: &str) -> QueryResult<Option<i64>> {
    sessions::table
        .filter(sessions::broker_session_id.eq(broker_id))
        .select(sessions::id)
        .first(conn)
        .optional()
}

/// Opens each reported session unless its broker id is known already; answers every console id, in
/// the order reported. A new session is Connected and counts as just heard from.
pub fn open_sessions(
    conn: &mut DbConnection,
    reported: &[BrokerSession],
    now: i64,
) -> QueryResult<Vec<OpenedSession>> {
    crate::db::write_transaction(conn, |conn| {
        // Racing retries of one report take turns, so the later one finds what the earlier one made
        // instead of colliding with it on the unique broker id.
        let keys: Vec<String> = reported
            .iter()
            .map(|session| format!("broker-session:{}", session.broker_session_id))
            .collect();
        crate::db::lock_keys_for_transaction(
            conn,
            &keys.iter().map(String::as_str).collect::<Vec<_>>(),
        )?;
        reported
            .iter()
            .map(|session| {
                if let Some(id) = find_by_broker_id(conn, &session.broker_session_id)? {
                    return Ok(OpenedSession {
                        broker_session_id: session.broker_session_id.clone(),
                        id,
                        created: false,
                    });
                }
                let user_id = user_id(conn, &session.name, &session.email)?;
                let app_id = app_id(conn, &session.app_name)?;
                let id = diesel::insert_into(sessions::table)
                    .values((
                        sessions::user_id.eq(user_id),
                        sessions::app_id.eq(app_id),
                        sessions::name_key.eq(sort_key(&session.name)),
                        sessions::email_key.eq(sort_key(&session.email)),
                        sessions::app_key.eq(sort_key(&session.app_name)),
                        sessions::start_time.eq(session.start_time.timestamp()),
                        sessions::status.eq(SessionStatus::Connected),
                        sessions::broker_session_id.eq(&session.broker_session_id),
                        sessions::host.eq(&session.host),
                        sessions::last_heartbeat.eq(now),
                    ))
                    .returning(sessions::id)
                    .get_result(conn)?;
                Ok(OpenedSession {
                    broker_session_id: session.broker_session_id.clone(),
                    id,
                    created: true,
                })
            })
            .collect()
    })
}

/// Records that these sessions are alive (an Unknown one is Connected again) and returns how many
/// active sessions that was, and the ids that are not active here.
pub fn record_heartbeats(
    conn: &mut DbConnection,
    broker_ids: &[String],
    now: i64,
) -> QueryResult<(u64, Vec<String>)> {
    crate::db::write_transaction(conn, |conn| {
        let active: HashSet<String> = sessions::table
            .filter(sessions::broker_session_id.eq_any(broker_ids))
            .filter(sessions::status.eq_any(SessionStatus::ACTIVE))
            .select(sessions::broker_session_id.assume_not_null())
            .load::<String>(conn)?
            .into_iter()
            .collect();
        let active_ids: Vec<&String> = active.iter().collect();
        diesel::update(
            sessions::table
                .filter(sessions::broker_session_id.eq_any(&active_ids))
                .filter(sessions::status.eq_any(SessionStatus::ACTIVE)),
        )
        .set((
            sessions::last_heartbeat.eq(now),
            sessions::status.eq(SessionStatus::Connected),
        ))
        .execute(conn)?;
        let mut not_active: Vec<String> = broker_ids
            .iter()
            .filter(|id| !active.contains(*id))
            .cloned()
            .collect();
        not_active.sort();
        not_active.dedup();
        Ok((active.len() as u64, not_active))
    })
}

/// Ends sessions normally (Disconnected). Ended or killed ones are left as they are.
pub fn end_sessions(
    conn: &mut DbConnection,
    ended: &[(String, i64)],
) -> QueryResult<EndSessionsResult> {
    crate::db::write_transaction(conn, |conn| {
        let mut result = EndSessionsResult::default();
        for (broker_id, end_time) in ended {
            let found: Option<(i64, SessionStatus)> = sessions::table
                .filter(sessions::broker_session_id.eq(broker_id))
                .select((sessions::start_time, sessions::status))
                .first(conn)
                .optional()?;
            match found {
                None => result.not_found.push(broker_id.clone()),
                Some((_, status)) if !status.is_killable() => {
                    result.already_ended.push(broker_id.clone())
                }
                Some((start_time, _)) => {
                    let end_time = (*end_time).max(start_time);
                    diesel::update(
                        sessions::table
                            .filter(sessions::broker_session_id.eq(broker_id))
                            .filter(sessions::status.eq_any(SessionStatus::ACTIVE)),
                    )
                    .set((
                        sessions::status.eq(SessionStatus::Disconnected),
                        sessions::end_time.eq(end_time),
                        sessions::ended_duration.eq(end_time - start_time),
                    ))
                    .execute(conn)?;
                    result.ended.push(broker_id.clone());
                }
            }
        }
        Ok(result)
    })
}

/// The watchdog: Connected sessions not heard from since `silent_since` become Unknown. Returns how
/// many did.
pub fn mark_silent_sessions_unknown(
    conn: &mut DbConnection,
    silent_since: i64,
) -> QueryResult<usize> {
    // Spelled as the partial index sessions_by_heartbeat is, so the planner uses it.
    diesel::update(
        sessions::table
            .filter(sessions::status.eq(SessionStatus::Connected))
            .filter(sessions::last_heartbeat.is_not_null())
            .filter(sessions::last_heartbeat.lt(silent_since)),
    )
    .set(sessions::status.eq(SessionStatus::Unknown))
    .execute(conn)
}
