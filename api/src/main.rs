use std::path::PathBuf;

use anyhow::Context;
use api::config::Settings;
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
        /// The built web app (Trunk's output folder).
        #[arg(long, env = "SESSIONS_STATIC_DIR", default_value = "web/dist")]
        static_dir: PathBuf,
        /// HTTP worker threads; 0 means one per core.
        #[arg(long, env = "SESSIONS_WORKERS", default_value_t = 0)]
        workers: usize,
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
    /// Print the OpenAPI document.
    Openapi,
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
            static_dir,
            workers,
        } => {
            let settings = Settings {
                static_dir,
                demo,
                demo_sessions,
                workers,
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
        Command::Openapi => print!("{}", api::openapi::openapi_json()),
    }
    Ok(())
}
