//! Retention runs: `serve --retain-days` / `--audit-retain-days` prune in the background, `sessions-api
//! prune` once. A run is a sequence of short transactions ([`Run::step`]), each on a connection of its
//! own, so the pool and the write lock are never held for long.

use std::time::Duration;

use diesel::QueryResult;

use crate::clock::now;
use crate::db::audit::Actor;
use crate::db::retention::{
    Cutoffs, Position, Removed, claim_lease, finish_run, prune_audit_batch, prune_session_batch,
};
use crate::db::{DbConnection, DbPool, with_db};

/// How much to keep; `None` keeps everything of that kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    pub retain_days: Option<u32>,
    pub audit_retain_days: Option<u32>,
}

impl Retention {
    pub fn is_off(&self) -> bool {
        self.retain_days.is_none() && self.audit_retain_days.is_none()
    }

    pub fn cutoffs(&self, now: i64) -> Cutoffs {
        Cutoffs::days_before(now, self.retain_days, self.audit_retain_days)
    }
}

/// How often a server starts a run (the first one right after start-up).
pub const PRUNE_PERIOD: Duration = Duration::from_secs(3600);
/// The pause between two batches of a background run, so that waiting writers get the lock in between.
const PAUSE: Duration = Duration::from_millis(20);

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It removed this (and wrote its audit entry when that is not nothing).
    Done(Removed),
    /// Another run (on this or another node) holds the lease; nothing was done.
    Busy,
    /// The lease ran out mid-run and another run took it over; that run counts what this one removed.
    Lost,
}

enum Stage {
    Claim,
    Sessions(Position),
    Audit,
    Finish,
    Ended(Outcome),
}

/// One pruning run, step by step.
pub struct Run {
    holder: String,
    cutoffs: Cutoffs,
    actor: Actor,
    stage: Stage,
}

impl Run {
    pub fn new(cutoffs: Cutoffs, actor: Actor) -> Run {
        let holder = format!(
            "{}:{}",
            std::process::id(),
            crate::auth::secrets::random_password()
        );
        Run {
            holder,
            cutoffs,
            actor,
            stage: Stage::Claim,
        }
    }

    /// Does the next short transaction of the run; `Some` once the run has ended.
    pub fn step(&mut self, conn: &mut DbConnection) -> QueryResult<Option<Outcome>> {
        let now = now();
        self.stage = match self.stage {
            Stage::Claim if claim_lease(conn, &self.holder, self.cutoffs.audit_before, now)? => {
                Stage::Sessions(None)
            }
            Stage::Claim => Stage::Ended(Outcome::Busy),
            Stage::Sessions(after) => match self.cutoffs.ended_before {
                None => Stage::Audit,
                Some(cutoff) => {
                    match prune_session_batch(conn, &self.holder, cutoff, after, now)? {
                        None => Stage::Ended(Outcome::Lost),
                        Some((_, None)) => Stage::Audit,
                        Some((_, next)) => Stage::Sessions(next),
                    }
                }
            },
            Stage::Audit => match self.cutoffs.audit_before {
                None => Stage::Finish,
                Some(cutoff) => match prune_audit_batch(conn, &self.holder, cutoff, now)? {
                    None => Stage::Ended(Outcome::Lost),
                    Some(deleted) if deleted < crate::db::retention::BATCH => Stage::Finish,
                    Some(_) => Stage::Audit,
                },
            },
            Stage::Finish => {
                match finish_run(conn, &self.holder, self.cutoffs, &self.actor, now)? {
                    None => Stage::Ended(Outcome::Lost),
                    Some(removed) => Stage::Ended(Outcome::Done(removed)),
                }
            }
            Stage::Ended(outcome) => Stage::Ended(outcome),
        };
        Ok(match self.stage {
            Stage::Ended(outcome) => Some(outcome),
            _ => None,
        })
    }

    /// The whole run on one connection (the command line's).
    pub fn run(mut self, conn: &mut DbConnection) -> QueryResult<Outcome> {
        loop {
            if let Some(outcome) = self.step(conn)? {
                return Ok(outcome);
            }
        }
    }
}

/// Who a server's runs are in the audit log.
pub fn server_actor() -> Actor {
    Actor {
        kind: shared::ActorKind::Cli,
        name: "retention".to_owned(),
        address: None,
    }
}

/// A server's background pruning: a run every [`PRUNE_PERIOD`], each batch on a pooled connection taken
/// for that batch only.
pub async fn prune_periodically(pool: DbPool, retention: Retention) {
    let mut ticks = actix_web::rt::time::interval(PRUNE_PERIOD);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let mut run = Run::new(retention.cutoffs(now()), server_actor());
        let outcome = loop {
            let step = with_db(&pool, move |conn| -> anyhow::Result<_> {
                let outcome = run.step(conn)?;
                Ok((run, outcome))
            })
            .await;
            match step {
                Ok((_, Some(outcome))) => break Ok(outcome),
                Ok((next, None)) => run = next,
                Err(error) => break Err(error),
            }
            actix_web::rt::time::sleep(PAUSE).await;
        };
        match outcome {
            Ok(Outcome::Done(removed)) if removed.is_empty() => {}
            Ok(Outcome::Done(removed)) => tracing::info!(
                sessions = removed.sessions,
                events = removed.events,
                deliveries = removed.deliveries,
                audit_entries = removed.audit_entries,
                "retention removed old data"
            ),
            Ok(Outcome::Busy) => tracing::debug!("retention: another node is pruning"),
            Ok(Outcome::Lost) => {
                tracing::warn!("retention: the lease ran out; another run goes on")
            }
            // A busy database or a full pool: the next period tries again, and a lease left behind runs
            // out by itself, its counts carried into the next run's entry.
            Err(error) => tracing::warn!(error = ?error, "retention skipped a run"),
        }
    }
}
