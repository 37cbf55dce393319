//! `serve`'s settings. Its flags, their environment variables and their defaults are written once, in
//! [`ServeArgs`]; [`Settings`], what the server starts with, is built from them.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, FromArgMatches};

use ipnet::IpNet;

use crate::client::{TrustedProxies, parse_network};
use crate::db::sign_ins::SignInLifetime;
use crate::dispatcher::{Webhook, check_webhook};
use crate::retention::Retention;
use crate::tls::TlsFiles;

/// The database of every command when neither `--database-url` nor `DATABASE_URL` names one.
pub const DEFAULT_DATABASE: &str = "data/sessions.db";
/// The flags of `sessions-api serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "SESSIONS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// The database: a SQLite file (a path, or sqlite://PATH; created if missing) or postgres://… (or
    /// postgresql://…). Migrated at start-up.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
    pub database_url: String,
    /// Database connections of this server (plus one that listens for events on PostgreSQL, and on
    /// SQLite a read-only one per worker thread for unfiltered pages); SQLite readers run in parallel in
    /// WAL mode.
    #[arg(long, env = "SESSIONS_POOL_SIZE", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub pool_size: u32,
    /// Fill an empty database with demo sessions first.
    #[arg(long)]
    pub demo: bool,
    /// How many sessions `--demo` creates.
    #[arg(long, default_value_t = 20_000)]
    pub demo_sessions: u64,
    /// With `--demo`, do not run the built-in broker simulator (sessions then stay as seeded). It
    /// never runs when `--broker-webhook` is given.
    #[arg(long)]
    pub no_demo_broker: bool,
    /// The built web app (Trunk's output folder).
    #[arg(long, env = "SESSIONS_STATIC_DIR", default_value = "web/dist")]
    pub static_dir: PathBuf,
    /// HTTP worker threads; 0 means one per core.
    #[arg(long, env = "SESSIONS_WORKERS", default_value_t = 0)]
    pub workers: usize,
    /// Minutes without a request after which a console sign-in ends.
    #[arg(long, env = "SESSIONS_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub idle_minutes: u32,
    /// Hours after which a console sign-in ends however active it is.
    #[arg(long, env = "SESSIONS_SIGN_IN_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=720))]
    pub sign_in_hours: u32,
    /// Seconds without a heartbeat after which a Connected broker session becomes Unknown.
    #[arg(long, env = "SESSIONS_HEARTBEAT_TIMEOUT", default_value_t = 90, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub heartbeat_timeout: u64,
    /// The broker's webhook that kills are POSTed to (signed with SESSIONS_BROKER_SECRET); without
    /// it, brokers poll GET /api/v1/broker/kills.
    #[arg(long, env = "SESSIONS_BROKER_WEBHOOK")]
    pub broker_webhook: Option<url::Url>,
    /// Delivery attempts of a kill before it is marked failed (an admin can retry it).
    #[arg(long, env = "SESSIONS_DELIVERY_ATTEMPTS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub delivery_attempts: u32,
    /// Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For, -Proto and
    /// -Host say who the client is; from any other peer those headers are ignored.
    #[arg(long = "trusted-proxy", env = "SESSIONS_TRUSTED_PROXIES", value_name = "CIDR", value_delimiter = ',', value_parser = parse_network)]
    pub trusted_proxies: Vec<IpNet>,
    /// Let `--broker-webhook` be plain HTTP to another machine (kills name people and sessions).
    #[arg(long)]
    pub allow_insecure_webhook: bool,
    /// CSV exports this server streams at once (each on its own database connection, apart from the
    /// pool); beyond it, 429.
    #[arg(long, env = "SESSIONS_MAX_EXPORTS", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub max_exports: u32,
    /// CSV exports one account or token may run at once; beyond it, 429.
    #[arg(long, env = "SESSIONS_MAX_EXPORTS_PER_CALLER", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub max_exports_per_caller: u32,
    /// Live event streams this server holds open at once; beyond it, 429.
    #[arg(long, env = "SESSIONS_MAX_STREAMS", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_streams: u32,
    /// Live event streams one account or token may hold open at once (a console tab holds one); beyond
    /// it, 429.
    #[arg(long, env = "SESSIONS_MAX_STREAMS_PER_CALLER", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_streams_per_caller: u32,
    /// Seconds an export waits for a client that reads nothing before dropping it.
    #[arg(long, env = "SESSIONS_EXPORT_STALL_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub export_stall_seconds: u64,
    /// Serve HTTPS (only) with this certificate chain, a PEM file with the server's certificate first;
    /// needs --tls-key. Without both, plain HTTP, for a reverse proxy to terminate TLS in front.
    #[arg(long, env = "SESSIONS_TLS_CERT", value_name = "PEM")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert, a PEM file (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "SESSIONS_TLS_KEY", value_name = "PEM")]
    pub tls_key: Option<PathBuf>,
    /// Also serve GET /metrics, without credentials, on this address and port (plain HTTP; keep it
    /// private). Without it, /metrics is served on --bind only, to a token with the `metrics` scope.
    #[arg(long, env = "SESSIONS_METRICS_BIND", value_name = "ADDR:PORT")]
    pub metrics_bind: Option<String>,
    /// Seconds a stop (SIGTERM, Ctrl-C) waits for requests in flight, running exports, the kill
    /// dispatcher's current attempt and the watchdog's current pass before exiting.
    #[arg(long, env = "SESSIONS_SHUTDOWN_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub shutdown_timeout: u64,
    /// How log lines are written to standard output: `text` for people, `json` for one JSON object
    /// a line (for a log pipeline). RUST_LOG chooses which lines (default `info`).
    #[arg(long, env = "SESSIONS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(flatten)]
    pub retention: RetentionArgs,
}

/// How long old data is kept; `serve` prunes in the background, `prune` once.
#[derive(Debug, Clone, Copy, Args)]
pub struct RetentionArgs {
    /// Delete ended sessions (with their events and kill deliveries) that ended more than this many
    /// days ago. Without it, sessions are kept for ever.
    #[arg(long, env = "SESSIONS_RETAIN_DAYS", value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub retain_days: Option<u32>,
    /// Delete audit entries older than this many days (30 at least). Without it, the audit log is kept
    /// for ever.
    #[arg(long, env = "SESSIONS_AUDIT_RETAIN_DAYS", value_name = "DAYS", value_parser = clap::value_parser!(u32).range(i64::from(crate::db::retention::MIN_AUDIT_RETAIN_DAYS)..=36_500))]
    pub audit_retain_days: Option<u32>,
}

impl RetentionArgs {
    pub fn retention(self) -> Retention {
        Retention {
            retain_days: self.retain_days,
            audit_retain_days: self.audit_retain_days,
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl ServeArgs {
    /// `serve` without flags, whatever the environment holds: the defaults written above.
    pub fn defaults() -> ServeArgs {
        let command = ServeArgs::augment_args(clap::Command::new("serve"))
            .mut_args(|arg| arg.env(None::<&'static str>));
        command
            .try_get_matches_from(["serve"])
            .and_then(|matches| ServeArgs::from_arg_matches(&matches))
            .expect("serve's defaults are valid")
    }
}

/// SESSIONS_BROKER_SECRET, read from the environment only, like the admin password: argv is public.
pub fn broker_secret(needed_by: &str) -> anyhow::Result<String> {
    std::env::var("SESSIONS_BROKER_SECRET")
        .ok()
        .filter(|secret| secret.len() >= 16)
        .with_context(|| {
            format!(
                "{needed_by} needs SESSIONS_BROKER_SECRET (16 characters or more) to sign kills"
            )
        })
}

/// What `serve` needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `ADDR:PORT`; port 0 picks a free port (tests read it back from [`crate::startup::Application`]).
    pub bind: String,
    /// A SQLite file (a path, or `sqlite://` and a path) or a `postgres://` URL.
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
    pub heartbeat_timeout: Duration,
    /// Where kills are delivered; without one, brokers poll `GET /api/v1/broker/kills`.
    pub broker_webhook: Option<Webhook>,
    /// With `demo` and no `broker_webhook`: run the broker simulator in this process, and deliver kills
    /// to it.
    pub demo_broker: bool,
    /// Delivery attempts of a kill to the demo broker before it is marked failed (a configured
    /// `broker_webhook` carries its own).
    pub demo_delivery_attempts: u32,
    /// Whose forwarded headers say who the client is.
    pub trusted_proxies: TrustedProxies,
    pub export_limits: ExportLimits,
    /// Live event streams at once: in all, and per caller.
    pub stream_limits: (u32, u32),
    /// Serve HTTPS with these files instead of plain HTTP.
    pub tls: Option<TlsFiles>,
    /// Where `/metrics` is also served without credentials.
    pub metrics_bind: Option<String>,
    /// How long a stop waits for what is under way.
    pub shutdown_timeout: Duration,
    /// Stop gracefully on SIGTERM and Ctrl-C: `serve` does; a server run in-process (tests) does not,
    /// so that Ctrl-C still ends the process.
    pub stop_on_signals: bool,
    /// What the background pruning deletes; off by default.
    pub retention: Retention,
}

/// How many CSV exports run at once, and how long one waits for a client that stopped reading.
#[derive(Debug, Clone, Copy)]
pub struct ExportLimits {
    pub in_all: u32,
    pub per_caller: u32,
    pub stall: Duration,
}

impl Settings {
    /// `serve`'s defaults with this address and database, for running the server in-process (tests).
    /// Unlike `serve --demo`, the broker simulator stays off until `demo_broker` is set.
    pub fn new(bind: impl Into<String>, database_url: impl Into<String>) -> Settings {
        let args = ServeArgs {
            bind: bind.into(),
            database_url: database_url.into(),
            no_demo_broker: true,
            ..ServeArgs::defaults()
        };
        Settings::from_parts(args, None, None, None)
    }

    /// The settings of `serve`: its flags, and what is read from the environment only, since a command
    /// line is visible to every user of the machine in the process list: the first admin's password
    /// (SESSIONS_ADMIN_PASSWORD) and, with `--broker-webhook`, the secret kills are signed with.
    pub fn from_args(args: ServeArgs) -> anyhow::Result<Settings> {
        let broker_webhook = match &args.broker_webhook {
            None => None,
            Some(url) => Some(Webhook {
                url: {
                    check_webhook(url, args.allow_insecure_webhook).map_err(anyhow::Error::msg)?;
                    url.clone()
                },
                secret: broker_secret("--broker-webhook")?,
                max_attempts: args.delivery_attempts,
            }),
        };
        let admin_password = std::env::var("SESSIONS_ADMIN_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty());
        let tls = match (args.tls_cert.clone(), args.tls_key.clone()) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => None,
            _ => anyhow::bail!(
                "--tls-cert and --tls-key (SESSIONS_TLS_CERT, SESSIONS_TLS_KEY) go together: give both \
                 PEM files to serve HTTPS, or neither to serve plain HTTP"
            ),
        };
        Ok(Settings {
            stop_on_signals: true,
            ..Settings::from_parts(args, broker_webhook, admin_password, tls)
        })
    }

    fn from_parts(
        args: ServeArgs,
        broker_webhook: Option<Webhook>,
        admin_password: Option<String>,
        tls: Option<TlsFiles>,
    ) -> Settings {
        Settings {
            bind: args.bind,
            database_url: args.database_url,
            static_dir: args.static_dir,
            demo: args.demo,
            demo_sessions: args.demo_sessions,
            pool_size: args.pool_size,
            workers: args.workers,
            admin_password,
            sign_in_lifetime: SignInLifetime {
                idle: i64::from(args.idle_minutes) * 60,
                absolute: i64::from(args.sign_in_hours) * 3600,
            },
            heartbeat_timeout: Duration::from_secs(args.heartbeat_timeout),
            broker_webhook,
            demo_broker: !args.no_demo_broker,
            demo_delivery_attempts: args.delivery_attempts,
            trusted_proxies: TrustedProxies(args.trusted_proxies),
            export_limits: ExportLimits {
                in_all: args.max_exports,
                per_caller: args.max_exports_per_caller,
                stall: Duration::from_secs(args.export_stall_seconds),
            },
            stream_limits: (args.max_streams, args.max_streams_per_caller),
            tls,
            metrics_bind: args.metrics_bind,
            shutdown_timeout: Duration::from_secs(args.shutdown_timeout),
            stop_on_signals: false,
            retention: args.retention.retention(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_start_from_the_flags_defaults() {
        let settings = Settings::new("127.0.0.1:0", "test.db");
        assert_eq!(settings.bind, "127.0.0.1:0");
        assert_eq!(settings.database_url, "test.db");
        assert_eq!(settings.static_dir, PathBuf::from("web/dist"));
        assert_eq!(settings.demo_sessions, 20_000);
        assert_eq!(settings.sign_in_lifetime.idle, 30 * 60);
        assert_eq!(settings.sign_in_lifetime.absolute, 12 * 3600);
        assert_eq!(settings.heartbeat_timeout, Duration::from_secs(90));
        assert_eq!(settings.demo_delivery_attempts, 10);
        assert!(!settings.demo && !settings.demo_broker);
        assert_eq!(settings.trusted_proxies, TrustedProxies::default());
        assert_eq!(settings.tls, None);
        assert_eq!(settings.metrics_bind, None);
        assert_eq!(settings.shutdown_timeout, Duration::from_secs(30));
        assert!(settings.retention.is_off());
    }

    #[test]
    fn a_certificate_without_its_key_is_refused() {
        for (cert, key) in [(Some("cert.pem"), None), (None, Some("key.pem"))] {
            let args = ServeArgs {
                tls_cert: cert.map(PathBuf::from),
                tls_key: key.map(PathBuf::from),
                ..ServeArgs::defaults()
            };
            let error = Settings::from_args(args).unwrap_err().to_string();
            assert!(error.contains("go together"), "{error}");
        }
        let both = ServeArgs {
            tls_cert: Some("cert.pem".into()),
            tls_key: Some("key.pem".into()),
            ..ServeArgs::defaults()
        };
        assert_eq!(
            Settings::from_args(both).unwrap().tls,
            Some(TlsFiles {
                cert: "cert.pem".into(),
                key: "key.pem".into()
            })
        );
    }
}
