//! The HTTP surface: handlers only. Each route is registered together with its OpenAPI entry.

mod accounts;
mod audit;
mod auth;
mod broker;
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
            .service(export::export_sessions)
            .service(kill::kill_sessions)
            .service(sessions::list_sessions)
            .service(sessions::get_session)
            .service(kill::kill_session),
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

/// The clock of a request, in Unix seconds.
pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
