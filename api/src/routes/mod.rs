//! The HTTP surface: handlers only. Each route is registered together with its OpenAPI entry.

mod accounts;
mod audit;
mod auth;
mod broker;
pub mod events;
pub mod export;
mod extract;
mod health;
mod kill;
pub mod metrics;
mod page_json;
mod sessions;
mod tokens;
mod usage;
mod zone;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

pub use extract::{json_config, path_config};
pub use health::DatabaseUrl;

/// Registers every API route. `/sessions/export`, `/sessions/kill` and `/sessions/usage` come before `/sessions/{id}`,
/// which would otherwise take them.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(metrics::metrics)
        .service(
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
                .service(usage::sessions_usage)
                .service(sessions::list_sessions)
                .service(sessions::get_session)
                .service(events::stream_events)
                .service(kill::kill_session)
                .service(kill::retry_kill_delivery),
        );
}
