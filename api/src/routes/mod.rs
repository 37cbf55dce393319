//! The HTTP surface: handlers only. Each route is registered together with its OpenAPI entry.

mod accounts;
mod audit;
mod auth;
mod broker;
mod events;
mod export;
mod extract;
mod health;
mod kill;
mod sessions;
mod tokens;

use actix_web::web;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db::{DbConnection, DbPool};
use crate::error::ApiError;

pub use extract::{json_config, path_config, query_config};

/// Registers every API route. `/sessions/export` and `/sessions/kill` come before `/sessions/{id}`,
/// which would otherwise take them.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz).service(
        scope::scope("/api/v1")
            .service(auth::login)
            .service(auth::logout)
            .service(auth::me)
            .service(tokens::list_tokens)
            .service(tokens::create_token)
            .service(tokens::revoke_token)
            .service(accounts::list_accounts)
            .service(accounts::create_account)
            .service(accounts::update_account)
            .service(accounts::set_password)
            .service(audit::list_audit)
            .service(broker::end_sessions)
            .service(broker::open_sessions)
            .service(broker::heartbeats)
            .service(broker::pending_kills)
            .service(broker::acknowledge_kills)
            .service(export::export_sessions)
            .service(kill::kill_sessions)
            .service(sessions::list_sessions)
            .service(sessions::get_session)
            .service(events::stream_events)
            .service(kill::kill_session)
            .service(kill::retry_kill_delivery),
    );
}

/// Runs blocking database work off the async executor, getting the pooled connection there too.
pub(crate) async fn with_db<T, F>(pool: &web::Data<DbPool>, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get()?;
        work(&mut conn)
    })
    .await?
}

/// Sessions as the API shows them, each killed one with the delivery of its kill to the broker.
pub(crate) fn to_sessions(
    conn: &mut DbConnection,
    records: &[crate::db::models::SessionRecord],
    now: i64,
) -> Result<Vec<shared::Session>, ApiError> {
    let killed: Vec<i64> = records
        .iter()
        .filter(|record| record.row.status == shared::SessionStatus::Killed.as_str())
        .map(|record| record.row.id)
        .collect();
    let deliveries = if killed.is_empty() {
        Default::default()
    } else {
        crate::db::deliveries::deliveries_of(conn, &killed)?
    };
    records
        .iter()
        .map(|record| {
            let mut session = record.to_session(now)?;
            // Not `remove`: a batch of events may hold the same session more than once.
            session.delivery = deliveries.get(&session.id).cloned();
            Ok(session)
        })
        .collect()
}

/// Runs CPU-bound work (Argon2) off the async executor without holding a pooled connection, so that a
/// burst of sign-ins cannot starve other requests of connections.
pub(crate) async fn on_blocking_thread<T, F>(work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    web::block(work).await?
}

/// The clock of a request, in Unix seconds.
pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
