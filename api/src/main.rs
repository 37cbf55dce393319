use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use api::config::{DEFAULT_DATABASE, LogFormat, ServeArgs, Settings, broker_secret};
use api::startup::Application;
use clap::{CommandFactory, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

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
    Serve(Box<ServeArgs>),
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
    /// Copy a live SQLite database to FILE (consistent, without stopping the server) and check the
    /// copy. For PostgreSQL, says how to use pg_dump.
    Backup {
        /// Where the copy goes; it is named so only once it is whole and checked.
        #[arg(long, value_name = "FILE")]
        to: std::path::PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database_url: String,
    },
    /// Put a backup in the SQLite database's place, keeping the current one beside it; refused while a
    /// server has the database open.
    Restore {
        /// The backup made by `backup`.
        #[arg(long, value_name = "FILE")]
        from: std::path::PathBuf,
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database_url: String,
    },
    /// Delete old data once, as `serve --retain-days/--audit-retain-days` does in the background, and
    /// print what went.
    Prune {
        #[command(flatten)]
        retention: api::config::RetentionArgs,
        /// Print what would go; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database_url: String,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Print the shell completion script of this command (see README, "Shell completions").
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

#[actix_web::main]
async fn main() -> ExitCode {
    let command = Cli::parse().command;
    init_logs(match &command {
        Command::Serve(args) => args.log_format,
        _ => LogFormat::Text,
    });
    match run(command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line, with its causes: an operator reads it, a service manager logs it.
            eprintln!("sessions-api: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Log lines go to standard output, as text or as one JSON object a line: with the event's own fields
/// under `fields` and those of the request it belongs to (its `request_id`...) under `span`.
fn init_logs(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    match format {
        // Colours only for a terminal: in a file or a log collector they are noise, and writing them
        // into every request's span fields cost a few per cent of a small request.
        LogFormat::Text => tracing_subscriber::fmt()
            .with_ansi(std::io::stdout().is_terminal())
            .with_env_filter(filter)
            .init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter)
            .init(),
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => {
            let app = Application::build(Settings::from_args(*args)?).await?;
            tracing::info!(
                port = app.port(),
                "serving {}://127.0.0.1:{}/",
                app.scheme(),
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
                "seeded {} sessions ({} users, {} apps) into {} in {:.1} s",
                report.sessions,
                report.users,
                report.apps,
                api::db::shown_url(&database_url),
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
        Command::Backup {
            to,
            force,
            database_url,
        } => {
            let checked = api::backup::backup(&database_url, &to, force)?;
            println!(
                "backed up {} sessions to {} (checked: integrity ok, {} migrations)",
                checked.sessions,
                to.display(),
                checked.migrations
            );
        }
        Command::Restore { from, database_url } => {
            let restored = api::backup::restore(&database_url, &from)?;
            if let Some(previous) = &restored.previous {
                println!("kept the database it replaced as {}", previous.display());
            }
            println!(
                "restored {} sessions from {} into {}",
                restored.checked.sessions,
                from.display(),
                api::db::shown_url(&database_url)
            );
        }
        Command::Prune {
            retention,
            dry_run,
            database_url,
        } => api::cli::run_prune(retention.retention(), dry_run, &database_url)?,
        Command::Openapi => print!("{}", api::openapi::openapi_json()),
        Command::Completions { shell } => api::completions::write(
            shell,
            &mut Cli::command(),
            env!("CARGO_BIN_NAME"),
            &mut std::io::stdout().lock(),
        )
        .context("writing the completion script")?,
    }
    Ok(())
}
