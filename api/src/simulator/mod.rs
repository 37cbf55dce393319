//! A broker simulator for demos: it plays the platform's session broker through the same public paths a
//! real one uses. It opens, heartbeats and ends sessions with HTTP calls to the console's
//! `/api/v1/broker/*` (a `broker`-scoped token), and runs a webhook receiver that checks each kill's
//! signature, stops the session and answers 200. `serve --demo` runs one in-process; `demo-broker` runs
//! the same code as its own process, which can be stopped to watch kills wait and then be delivered.

mod fleet;
mod names;
mod webhook;

use std::net::{SocketAddr, TcpListener};

use actix_web::dev::Server;
use anyhow::Context;
use shared::{ActorKind, Scope};

use crate::auth::secrets::random_secret;
use crate::db::DbConnection;
use crate::db::audit::Actor;
use crate::db::tokens::{
    TokenError, TokenSpec, create_token, first_admin, list_tokens, revoke_token,
};
use crate::dispatcher::Webhook;

pub use fleet::{DEFAULT_MAX_SESSIONS, Fleet, Options, Snapshot};
pub use webhook::WEBHOOK_PATH;

/// The name of the token `serve --demo` makes for its simulator.
pub const DEMO_TOKEN_NAME: &str = "demo-broker";
/// A running simulator: its webhook receiver, and a view of the sessions it plays.
pub struct Simulator {
    receiver: Server,
    fleet: Fleet,
    playing: tokio::task::JoinHandle<()>,
}

impl Simulator {
    pub fn fleet(&self) -> Fleet {
        self.fleet.clone()
    }

    /// Runs until the receiver stops (Ctrl-C), then stops playing.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let outcome = self.receiver.await;
        self.playing.abort();
        outcome
    }
}

/// Starts taking kills on `listener` and playing sessions against the console. Needs an actix system
/// (the receiver is an actix-web server, the player a task on the current one).
pub fn start(listener: TcpListener, options: Options) -> anyhow::Result<Simulator> {
    let fleet = Fleet::default();
    let receiver = webhook::serve(listener, fleet.clone(), options.secret.clone())?;
    let client = fleet::client(&options.token)?;
    let playing = actix_web::rt::spawn(fleet::play(fleet.clone(), client, options));
    Ok(Simulator {
        receiver,
        fleet,
        playing,
    })
}

/// The URL of the receiver bound to `listener`.
pub fn webhook_url(listener: &TcpListener) -> anyhow::Result<url::Url> {
    let address = reachable(listener.local_addr()?);
    Ok(format!("http://{address}{WEBHOOK_PATH}").parse()?)
}

/// An address to call a listener bound to `address` on: a wildcard bind is reached on loopback.
pub fn reachable(mut address: SocketAddr) -> SocketAddr {
    if address.ip().is_unspecified() {
        address.set_ip(match address {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    address
}

/// What `serve --demo` prepares before it binds: a token, a secret and a listener for the in-process
/// simulator.
pub struct DemoBroker {
    listener: TcpListener,
    token: String,
    secret: String,
}

impl DemoBroker {
    /// Makes a fresh `demo-broker` token (see [`renew_demo_token`]) and binds the receiver on a free
    /// loopback port.
    pub fn prepare(conn: &mut DbConnection, now: i64) -> anyhow::Result<DemoBroker> {
        let token = renew_demo_token(conn, now).context("making the demo broker's token")?;
        let listener =
            TcpListener::bind("127.0.0.1:0").context("binding the demo broker's webhook")?;
        Ok(DemoBroker {
            listener,
            token,
            secret: random_secret(),
        })
    }

    /// Where the console's dispatcher delivers kills.
    pub fn webhook(&self, max_attempts: u32) -> anyhow::Result<Webhook> {
        Ok(Webhook {
            url: webhook_url(&self.listener)?,
            secret: self.secret.clone(),
            max_attempts,
        })
    }

    /// Starts the simulator against the console listening at `console`.
    pub fn start(self, console: SocketAddr) -> anyhow::Result<Simulator> {
        let console = format!("http://{}", reachable(console)).parse()?;
        start(
            self.listener,
            Options::new(console, self.token, self.secret),
        )
    }
}

/// Who makes and revokes the demo broker's tokens, in the audit log.
fn demo_actor() -> Actor {
    Actor {
        kind: ActorKind::Cli,
        name: DEMO_TOKEN_NAME.to_owned(),
        address: None,
    }
}

/// A demo broker token nobody has used for this long belongs to a simulator that stopped.
const DEMO_TOKEN_IDLE_SECONDS: i64 = 600;

/// Makes a new token for this process's demo broker, whose secret lives only in this process (a token is
/// never stored in clear, so one cannot be reused across starts), and revokes the demo tokens of
/// simulators that stopped, so they do not pile up: those idle for ten minutes. A running simulator uses
/// its token every few seconds, so another server's demo broker on the same database keeps its own.
/// Tokens someone else named `demo-broker` are left alone.
pub fn renew_demo_token(conn: &mut DbConnection, now: i64) -> Result<String, TokenError> {
    let actor = demo_actor();
    let label = actor.label();
    let idle_since = now - DEMO_TOKEN_IDLE_SECONDS;
    for old in list_tokens(conn)?.into_iter().filter(|token| {
        token.name == DEMO_TOKEN_NAME
            && token.created_by == label
            && token.last_used_at.unwrap_or(token.created_at) < idle_since
    }) {
        revoke_token(conn, &old.id, &actor, now)?;
    }
    let spec = TokenSpec {
        name: DEMO_TOKEN_NAME,
        scopes: &[Scope::Broker],
        expires_at: None,
        owner: first_admin(conn)?.map(|(id, _)| id),
    };
    Ok(create_token(conn, &spec, &actor, now)?.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_revokes_idle_demo_tokens_and_leaves_used_and_others_alone() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::connect(dir.path().join("s.db").to_str().unwrap(), 1).unwrap();
        let mut conn = pool.get().unwrap();
        let someone = Actor::cli();
        let theirs = TokenSpec {
            name: DEMO_TOKEN_NAME,
            scopes: &[Scope::Broker],
            expires_at: None,
            owner: None,
        };
        create_token(&mut conn, &theirs, &someone, 1).unwrap();
        let stopped = renew_demo_token(&mut conn, 2).unwrap();
        let running = renew_demo_token(&mut conn, 3).unwrap();
        let later = 3 + DEMO_TOKEN_IDLE_SECONDS + 10;
        // The other server's simulator is still at work.
        crate::db::tokens::authenticate_token(&mut conn, &running, later - 5).unwrap();
        let newest = renew_demo_token(&mut conn, later).unwrap();
        let works = |conn: &mut DbConnection, secret: &str| {
            crate::db::tokens::authenticate_token(conn, secret, later + 1)
                .unwrap()
                .is_some()
        };
        assert!(!works(&mut conn, &stopped), "an idle demo token is revoked");
        assert!(works(&mut conn, &running), "a used one is not");
        assert!(works(&mut conn, &newest));
        let active = list_tokens(&mut conn).unwrap();
        assert_eq!(active.len(), 3, "the user's token and two demo tokens");
    }
}
