//! The `user`, `token` and `prune` commands: account and token administration on the server itself, for the first
//! steps of an installation and for automation. Every change is audited as done by the CLI.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use shared::rules;
use shared::{MAX_TOKEN_DAYS, Role, Scope};

use crate::auth::password::{check_new_password, hash_password};
use crate::auth::secrets::random_password;
use crate::db::accounts::{
    AccountChanges, change_password, create_account, disable_account, find_account, list_accounts,
    normalize_username, update_account,
};
use crate::db::audit::Actor;
use crate::db::tokens::{TokenSpec, create_token, expiry, first_admin};
use crate::db::{self, DbConnection};

#[derive(Debug, Args)]
pub struct PasswordSource {
    /// Read the password from the first line of standard input instead of asking for it.
    #[arg(long, conflicts_with = "generate")]
    password_stdin: bool,
    /// Generate a strong password and print it once.
    #[arg(long)]
    generate: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account.
    Add {
        /// Username: 1 to 64 of a-z, 0-9, '.', '_', '-' (case-insensitive).
        name: String,
        /// admin (everything), operator (view, kill, export) or viewer (view, export).
        #[arg(long)]
        role: Role,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Set an account's password; its sign-ins end.
    Passwd {
        name: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// List the accounts.
    List,
    /// Disable an account; its sign-ins end at once.
    Disable { name: String },
    /// Enable a disabled account again.
    Enable { name: String },
    /// Change an account's role; its sign-ins end.
    Role {
        name: String,
        /// admin, operator or viewer.
        role: Role,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token and print its secret (shown only this once).
    Create {
        /// What the token is for.
        name: String,
        /// Comma-separated: sessions:read, sessions:kill, sessions:export, broker, metrics, admin.
        #[arg(long, value_delimiter = ',', required = true)]
        scopes: Vec<Scope>,
        /// Days until it expires (1 to 3650); without it the token does not expire.
        #[arg(long, value_parser = token_days)]
        expires_in: Option<u32>,
        /// The account the token belongs to: it never grants more than this account's role, and stops
        /// while the account is disabled. Default: the oldest enabled admin (none while no admin
        /// exists: then only its scopes limit it).
        #[arg(long)]
        owner: Option<String>,
    },
}

/// `--expires-in`, by the rule the API and the console apply.
fn token_days(text: &str) -> Result<u32, String> {
    let days = text.parse().map_err(|e| format!("{e}"))?;
    rules::token_days(days).map_err(|_| format!("from 1 to {MAX_TOKEN_DAYS} days"))
}

fn open(database_url: &str) -> anyhow::Result<db::PooledDb> {
    let pool = db::connect(database_url, 1)?;
    pool.get().context("opening the database")
}

/// The new password, from where the flags say; asked twice on a terminal.
fn new_password(source: &PasswordSource, name: &str) -> anyhow::Result<(String, bool)> {
    let password = if source.generate {
        return Ok((random_password(), true));
    } else if source.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("New password for {name}: "))?;
        let again = rpassword::prompt_password("Again: ")?;
        if first != again {
            bail!("the two passwords differ; nothing changed");
        }
        first
    } else {
        bail!("no terminal to ask for the password on; use --password-stdin or --generate");
    };
    check_new_password(&password).map_err(anyhow::Error::msg)?;
    Ok((password, false))
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn print_generated(name: &str, password: &str) {
    println!("password for {name}: {password}\n(shown only this once)");
}

pub fn run_user(command: UserCommand, database_url: &str) -> anyhow::Result<()> {
    let mut conn = open(database_url)?;
    let conn: &mut DbConnection = &mut conn;
    let actor = Actor::cli();
    match command {
        UserCommand::Add {
            name,
            role,
            password,
        } => {
            // Refused before the password is asked for.
            let name = normalize_username(&name)?;
            let (password, generated) = new_password(&password, &name)?;
            create_account(conn, &name, &hash_password(&password)?, role, &actor, now())?;
            println!("created the {role} account {name}");
            if generated {
                print_generated(&name, &password);
            }
        }
        UserCommand::Passwd { name, password } => {
            let (password, generated) = new_password(&password, &name)?;
            change_password(conn, &name, &hash_password(&password)?, &actor, now())?;
            println!("changed the password of {name}; its sign-ins have ended");
            if generated {
                print_generated(&name, &password);
            }
        }
        UserCommand::List => {
            println!("{:<24} {:<9} {:<8} created", "username", "role", "status");
            for account in list_accounts(conn)? {
                let created = chrono::DateTime::from_timestamp(account.created_at, 0)
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default();
                let status = if account.disabled {
                    "disabled"
                } else {
                    "active"
                };
                println!(
                    "{:<24} {:<9} {:<8} {created}",
                    account.username, account.role, status
                );
            }
        }
        UserCommand::Disable { name } => {
            disable_account(conn, &name, &actor, now())?;
            println!("disabled {name}; its sign-ins have ended");
        }
        UserCommand::Enable { name } => {
            let changes = AccountChanges {
                disabled: Some(false),
                ..AccountChanges::default()
            };
            update_account(conn, &name, changes, &actor, now())?;
            println!("enabled {name}");
        }
        UserCommand::Role { name, role } => {
            let changes = AccountChanges {
                role: Some(role),
                ..AccountChanges::default()
            };
            update_account(conn, &name, changes, &actor, now())?;
            println!("{name} is now {role}; its sign-ins have ended");
        }
    }
    Ok(())
}

pub fn run_token(command: TokenCommand, database_url: &str) -> anyhow::Result<()> {
    let mut conn = open(database_url)?;
    match command {
        TokenCommand::Create {
            name,
            scopes,
            expires_in,
            owner,
        } => {
            let now = now();
            let owner = match owner {
                Some(username) => {
                    let username = normalize_username(&username)?;
                    let account = find_account(&mut conn, &username)?.ok_or_else(|| {
                        anyhow::anyhow!("--owner: no account is named '{username}'")
                    })?;
                    Some(account.id)
                }
                None => first_admin(&mut conn)?.map(|(id, _)| id),
            };
            let spec = TokenSpec {
                name: &name,
                scopes: &scopes,
                expires_at: expiry(now, expires_in)?,
                owner,
            };
            let (row, secret) = create_token(&mut conn, &spec, &Actor::cli(), now)?;
            eprintln!(
                "created token {} ({}) with scopes {}; the secret follows, shown only this once:",
                row.id, row.name, row.scopes
            );
            println!("{secret}");
        }
    }
    Ok(())
}

/// `sessions-api prune`: one retention run now (or, with `dry_run`, what it would remove).
pub fn run_prune(
    retention: crate::retention::Retention,
    dry_run: bool,
    database_url: &str,
) -> anyhow::Result<()> {
    use crate::retention::{Outcome, Run};
    if retention.is_off() {
        bail!("nothing to prune: give --retain-days and/or --audit-retain-days");
    }
    let mut conn = open(database_url)?;
    let cutoffs = retention.cutoffs(now());
    let (verb, removed) = if dry_run {
        let removed = crate::db::retention::count_prunable(&mut conn, cutoffs)?;
        ("would remove", removed)
    } else {
        match Run::new(cutoffs, Actor::cli()).run(&mut conn)? {
            Outcome::Done(removed) => ("removed", removed),
            Outcome::Busy => bail!("another pruning run (a server's) is going on; try again later"),
            Outcome::Lost => bail!("the pruning lease ran out and another run took over"),
        }
    };
    println!(
        "{verb} {} sessions, {} events, {} kill deliveries, {} audit entries",
        removed.sessions, removed.events, removed.deliveries, removed.audit_entries
    );
    Ok(())
}
