use std::path::PathBuf;

use anyhow::Context;
use api::config::Settings;
use api::db::sign_ins::SignInLifetime;
use api::startup::Application;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

const DEFAULT_DATABASE: &str = "data/sessions.db";

/// Sessions Console: the REST API and web console for the sessions of a streaming-apps platform.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and the web console.
    Serve {
        /// Address and port to listen on.
        #[arg(long, env = "SESSIONS_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// SQLite database file, created and migrated at start-up.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database_url: String,
        /// Fill an empty database with demo sessions first.
        #[arg(long)]
        demo: bool,
        /// How many sessions `--demo` creates.
        #[arg(long, default_value_t = 20_000)]
        demo_sessions: u64,
        /// With `--demo`, do not run the built-in broker simulator (sessions then stay as seeded). It
        /// never runs when `--broker-webhook` is given.
        #[arg(long)]
        no_demo_broker: bool,
        /// The built web app (Trunk's output folder).
        #[arg(long, env = "SESSIONS_STATIC_DIR", default_value = "web/dist")]
        static_dir: PathBuf,
        /// HTTP worker threads; 0 means one per core.
        #[arg(long, env = "SESSIONS_WORKERS", default_value_t = 0)]
        workers: usize,
        /// Minutes without a request after which a console sign-in ends.
        #[arg(long, env = "SESSIONS_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=1440))]
        idle_minutes: u32,
        /// Hours after which a console sign-in ends however active it is.
        #[arg(long, env = "SESSIONS_SIGN_IN_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=720))]
        sign_in_hours: u32,
        /// Seconds without a heartbeat after which a Connected broker session becomes Unknown.
        #[arg(long, env = "SESSIONS_HEARTBEAT_TIMEOUT", default_value_t = 90, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        heartbeat_timeout: u64,
        /// The broker's webhook that kills are POSTed to (signed with SESSIONS_BROKER_SECRET); without
        /// it, brokers poll GET /api/v1/broker/kills.
        #[arg(long, env = "SESSIONS_BROKER_WEBHOOK")]
        broker_webhook: Option<url::Url>,
        /// Delivery attempts of a kill before it is marked failed (an admin can retry it).
        #[arg(long, env = "SESSIONS_DELIVERY_ATTEMPTS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
        delivery_attempts: u32,
    },
    /// Manage console accounts.
    User {
        #[command(subcommand)]
        command: api::cli::UserCommand,
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE, global = true)]
        database_url: String,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: api::cli::TokenCommand,
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE, global = true)]
        database_url: String,
    },
    /// Add realistic demo sessions to a database.
    Seed {
        /// How many sessions to add.
        #[arg(long)]
        sessions: u64,
        /// About how many of them are still active (Connected or Unknown), started in the last 8 hours.
        #[arg(long, default_value_t = api::db::seed::DEFAULT_ACTIVE)]
        active: u64,
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database_url: String,
    },
    /// Play a session broker against a console, for demos: open, heartbeat and end sessions through
    /// /api/v1/broker with the `broker` token in SESSIONS_BROKER_TOKEN, and carry out the kills the
    /// console POSTs to http://LISTEN/kills, signed with SESSIONS_BROKER_SECRET. Start the console with
    /// `--broker-webhook http://LISTEN/kills` and the same secret.
    DemoBroker {
        /// The console's base URL.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        api: url::Url,
        /// Address and port of the kill webhook.
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: String,
        /// Time scale: 10 plays ten times faster than real time.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Live sessions kept at most.
        #[arg(long, default_value_t = api::simulator::DEFAULT_MAX_SESSIONS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000))]
        max_sessions: usize,
    },
    /// Print the OpenAPI document.
    Openapi,
}

/// SESSIONS_BROKER_SECRET, read from the environment only, like the admin password: argv is public.
fn broker_secret(needed_by: &str) -> anyhow::Result<String> {
    std::env::var("SESSIONS_BROKER_SECRET")
        .ok()
        .filter(|secret| secret.len() >= 16)
        .with_context(|| {
            format!(
                "{needed_by} needs SESSIONS_BROKER_SECRET (16 characters or more) to sign kills"
            )
        })
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match Cli::parse().command {
        Command::Serve {
            bind,
            database_url,
            demo,
            demo_sessions,
            no_demo_broker,
            static_dir,
            workers,
            idle_minutes,
            sign_in_hours,
            heartbeat_timeout,
            broker_webhook,
            delivery_attempts,
        } => {
            let broker_webhook = match broker_webhook {
                None => None,
                Some(url) => Some(api::dispatcher::Webhook {
                    url,
                    secret: broker_secret("--broker-webhook")?,
                    max_attempts: delivery_attempts,
                }),
            };
            let settings = Settings {
                static_dir,
                demo,
                demo_sessions,
                workers,
                // Read from the environment only: a password on the command line is visible to every
                // user of the machine in the process list.
                admin_password: std::env::var("SESSIONS_ADMIN_PASSWORD")
                    .ok()
                    .filter(|p| !p.is_empty()),
                sign_in_lifetime: SignInLifetime {
                    idle: i64::from(idle_minutes) * 60,
                    absolute: i64::from(sign_in_hours) * 3600,
                },
                heartbeat_timeout: std::time::Duration::from_secs(heartbeat_timeout),
                broker_webhook,
                demo_broker: !no_demo_broker,
                demo_delivery_attempts: delivery_attempts,
                ..Settings::new(bind, database_url)
            };
            let app = Application::build(settings).await?;
            tracing::info!(
                port = app.port(),
                "serving http://127.0.0.1:{}/",
                app.port()
            );
            app.run_until_stopped().await.context("serving")?;
        }
        Command::Seed {
            sessions,
            active,
            database_url,
        } => {
            let pool = api::db::connect(&database_url, 1)?;
            let mut conn = pool.get()?;
            let started = std::time::Instant::now();
            let report =
                api::db::seed::seed(&mut conn, sessions, active, chrono::Utc::now().timestamp())
                    .context("seeding")?;
            println!(
                "seeded {} sessions ({} users, {} apps) into {database_url} in {:.1} s",
                report.sessions,
                report.users,
                report.apps,
                started.elapsed().as_secs_f64()
            );
        }
        Command::User {
            command,
            database_url,
        } => api::cli::run_user(command, &database_url)?,
        Command::Token {
            command,
            database_url,
        } => api::cli::run_token(command, &database_url)?,
        Command::DemoBroker {
            api: console,
            listen,
            speed,
            max_sessions,
        } => {
            let token = std::env::var("SESSIONS_BROKER_TOKEN")
                .ok()
                .filter(|token| !token.is_empty())
                .context(
                    "demo-broker needs SESSIONS_BROKER_TOKEN, a token with the broker scope \
                     (`sessions-api token create demo --scopes broker`)",
                )?;
            let secret = broker_secret("demo-broker")?;
            anyhow::ensure!(
                speed.is_finite() && speed > 0.0,
                "--speed: a positive number"
            );
            let listener = std::net::TcpListener::bind(&listen)
                .with_context(|| format!("binding {listen}"))?;
            let webhook = api::simulator::webhook_url(&listener)?;
            let simulator = api::simulator::start(
                listener,
                api::simulator::Options {
                    speed,
                    max_sessions,
                    ..api::simulator::Options::new(console, token, secret)
                },
            )?;
            tracing::info!(
                %webhook,
                "taking kills at {webhook}: start the console with --broker-webhook {webhook}"
            );
            simulator
                .run_until_stopped()
                .await
                .context("running the webhook")?;
        }
        Command::Openapi => print!("{}", api::openapi::openapi_json()),
    }
    Ok(())
}
