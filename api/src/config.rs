use std::path::PathBuf;

use crate::db::sign_ins::SignInLifetime;

/// What `serve` needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `ADDR:PORT`; port 0 picks a free port (tests read it back from [`crate::startup::Application`]).
    pub bind: String,
    /// A SQLite file path (a `sqlite://` prefix is accepted).
    pub database_url: String,
    /// The built web app (Trunk's output).
    pub static_dir: PathBuf,
    /// Seed demo sessions when the database has none.
    pub demo: bool,
    pub demo_sessions: u64,
    /// Database connections; SQLite readers run in parallel in WAL mode.
    pub pool_size: u32,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// The first admin's password, used only when no admin exists; one is generated and printed when
    /// this is `None`.
    pub admin_password: Option<String>,
    pub sign_in_lifetime: SignInLifetime,
    /// A Connected broker session not heard from for this long becomes Unknown.
    pub heartbeat_timeout: std::time::Duration,
    /// Where kills are delivered; without one, brokers poll `GET /api/v1/broker/kills`.
    pub broker_webhook: Option<crate::dispatcher::Webhook>,
    /// With `demo` and no `broker_webhook`: run the broker simulator in this process, and deliver kills
    /// to it.
    pub demo_broker: bool,
    /// Delivery attempts of a kill to the demo broker before it is marked failed (a configured
    /// `broker_webhook` carries its own).
    pub demo_delivery_attempts: u32,
}

impl Settings {
    pub fn new(bind: impl Into<String>, database_url: impl Into<String>) -> Settings {
        Settings {
            bind: bind.into(),
            database_url: database_url.into(),
            static_dir: PathBuf::from("web/dist"),
            demo: false,
            demo_sessions: 20_000,
            pool_size: 8,
            workers: 0,
            admin_password: None,
            sign_in_lifetime: SignInLifetime {
                idle: 30 * 60,
                absolute: 12 * 3600,
            },
            heartbeat_timeout: std::time::Duration::from_secs(90),
            broker_webhook: None,
            demo_broker: false,
            demo_delivery_attempts: 10,
        }
    }
}
