//! Session events for `GET /api/v1/events`: one task follows the event log that triggers fill (see
//! `db::events`) and broadcasts each new event, rendered once, to every open stream; each stream first
//! replays the log after the client's Last-Event-ID, so a reconnecting client misses nothing.
//!
//! Why a stream misses no event: it subscribes to the broadcast before it reads the log. An event the
//! publisher reads before that subscription was committed before it, so the stream's own read of the log
//! finds it; any later one arrives by broadcast. Events that come both ways are skipped by id.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use actix_web::rt::time::{Instant, interval, interval_at, sleep_until};
use actix_web::web;
use bytes::Bytes;
use futures_util::Stream;
use shared::{SESSION_EVENT, SessionEvent};
use tokio::sync::{Notify, broadcast, mpsc};
use tokio::time::MissedTickBehavior;

use crate::auth::principal::Credential;
use crate::clock::now;
use crate::db::events::{
    EventRow, delete_events_before, events_after, latest_event_id, place_committed_events,
};
use crate::db::models::to_sessions;
use crate::db::sessions::find_sessions;
use crate::db::sign_ins::{SignInLifetime, sign_in_is_valid};
use crate::db::tokens::token_is_valid;
use crate::db::{DbConnection, DbPool};
use crate::error::{ApiError, with_db};
use crate::slots::Slot;

/// How often the publisher looks for new events.
pub const POLL_PERIOD: Duration = Duration::from_millis(200);
/// How often it looks on its own when notifications wake it; it also places events held back by a
/// transaction that was still open when they were notified.
pub const POLL_PERIOD_WITH_WAKEUP: Duration = Duration::from_millis(500);
/// How often an idle stream sends a comment, so proxies do not close it.
pub const KEEP_ALIVE_PERIOD: Duration = Duration::from_secs(15);
/// How long events are kept for reconnecting clients.
pub const RETENTION_SECONDS: i64 = 3600;
/// How often old events are deleted.
const PRUNE_PERIOD: Duration = Duration::from_secs(60);
/// Events read (and rendered) per query.
const BATCH: i64 = 500;
/// Live events a stream may fall behind by before it is ended (and its client catches up from the log).
const CHANNEL_CAPACITY: usize = 4096;
/// What a stream starts with: how long EventSource waits before reconnecting, in milliseconds.
const RETRY: &[u8] = b"retry: 2000\n\n";
const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";
/// The last event of every stream when the server stops: no id, so the client's `Last-Event-ID` stays
/// the last session event it got; it should reconnect (to another node, or this one once restarted).
const RECONNECT: &[u8] = b"event: reconnect\ndata: the server is stopping; reconnect\n\n";

/// One event, rendered as its Server-Sent Events frame.
#[derive(Debug, Clone)]
pub struct Frame {
    pub id: i64,
    pub bytes: Bytes,
}

/// The broadcast of new events, and how far the publisher has read the log.
pub struct EventHub {
    sender: broadcast::Sender<Frame>,
    latest: AtomicI64,
}

impl EventHub {
    /// A hub whose streams start after the newest event in the log now.
    pub async fn open(pool: &DbPool) -> anyhow::Result<EventHub> {
        let latest = crate::db::with_db(pool, |conn| -> anyhow::Result<i64> {
            Ok(latest_event_id(conn)?)
        })
        .await?;
        Ok(EventHub {
            sender: broadcast::channel(CHANNEL_CAPACITY).0,
            latest: AtomicI64::new(latest),
        })
    }

    /// The id of the newest event published: "now" for a stream without a Last-Event-ID.
    pub fn latest(&self) -> i64 {
        self.latest.load(Ordering::Acquire)
    }

    fn has_listeners(&self) -> bool {
        self.sender.receiver_count() > 0
    }
}

/// Renders events as SSE frames, each with its session as `GET /sessions/{id}` shows it at `now`. An
/// event whose session no longer exists is left out.
fn render(conn: &mut DbConnection, rows: &[EventRow], now: i64) -> Result<Vec<Frame>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|row| row.session_id).collect();
    let by_id = find_sessions(conn, &ids)?;
    let mut found = Vec::with_capacity(rows.len());
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        // A session with several events in the batch is rendered once per event, as it is now.
        if let Some(record) = by_id.get(&row.session_id) {
            found.push(row);
            records.push(record.clone());
        }
    }
    let sessions = to_sessions(conn, records, now)?;
    found
        .into_iter()
        .zip(sessions)
        .map(|(row, session)| {
            let event = SessionEvent {
                id: row.position,
                kind: row.kind,
                session,
            };
            let json = serde_json::to_string(&event)
                .map_err(|e| ApiError::internal("writing a session event", e))?;
            // JSON escapes line breaks, so the data is one line.
            let frame = format!(
                "id: {}\nevent: {SESSION_EVENT}\ndata: {json}\n\n",
                row.position
            );
            Ok(Frame {
                id: row.position,
                bytes: Bytes::from(frame),
            })
        })
        .collect()
}

/// What one read of the log found.
struct Batch {
    /// The id read up to: the last event's, or where the read started when there was none.
    read_to: i64,
    full: bool,
    frames: Vec<Frame>,
}

fn read_batch(
    conn: &mut DbConnection,
    after: i64,
    listeners: impl FnOnce() -> bool,
) -> Result<Batch, ApiError> {
    let rows = events_after(conn, after, BATCH)?;
    // Asked after the read: a stream that subscribes later reads the log itself and finds these.
    let frames = if !rows.is_empty() && listeners() {
        render(conn, &rows, now())?
    } else {
        Vec::new()
    };
    Ok(Batch {
        read_to: rows.last().map_or(after, |row| row.position),
        full: rows.len() as i64 == BATCH,
        frames,
    })
}

/// The publisher: follows the log every [`POLL_PERIOD`], broadcasts what is new, and deletes events older
/// than [`RETENTION_SECONDS`] now and then. Runs for as long as the server.
///
/// `wake` cuts the wait short: on PostgreSQL it is notified when any node commits events (see
/// [`crate::event_wakeup`]), and the publisher then looks only every [`POLL_PERIOD_WITH_WAKEUP`] on its
/// own.
pub async fn publish_events(pool: DbPool, hub: Arc<EventHub>, wake: Option<Arc<Notify>>) {
    let period = if wake.is_some() {
        POLL_PERIOD_WITH_WAKEUP
    } else {
        POLL_PERIOD
    };
    let wake = wake.unwrap_or_default();
    let mut ticks = interval(period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut pruned_at: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = wake.notified() => {}
        }
        let prune = pruned_at.is_none_or(|at| at.elapsed() >= PRUNE_PERIOD);
        if prune {
            pruned_at = Some(Instant::now());
        }
        let for_block = hub.clone();
        let published = with_db(&pool, move |conn| {
            if prune {
                delete_events_before(conn, now() - RETENTION_SECONDS)?;
            }
            place_committed_events(conn)?;
            let mut frames = Vec::new();
            let mut after = for_block.latest();
            // A burst (a bulk kill) is read in batches without waiting for the next tick.
            loop {
                let batch = read_batch(conn, after, || for_block.has_listeners())?;
                frames.extend(batch.frames);
                after = batch.read_to;
                if !batch.full {
                    break;
                }
            }
            for_block.latest.fetch_max(after, Ordering::AcqRel);
            Ok(frames)
        })
        .await;
        match published {
            Ok(frames) => {
                for frame in frames {
                    // No receivers is fine: nobody is listening.
                    let _ = hub.sender.send(frame);
                }
            }
            // A busy database or a full pool: the next tick tries again.
            Err(error) => tracing::warn!(error = ?error, "session events: skipped a round"),
        }
    }
}

/// How often an open stream checks that the credential it was opened with still holds.
pub const CREDENTIAL_CHECK_PERIOD: Duration = Duration::from_secs(2);

/// What an open stream holds: its slot under the stream caps, and the credential it checks again every
/// [`CREDENTIAL_CHECK_PERIOD`] (sign-out, revocation, expiry, a disabled account, a changed role or
/// password end it).
pub struct StreamHold {
    pub slot: Slot,
    /// Ends the stream with a `reconnect` event when the server stops.
    pub stopping: crate::shutdown::Stopping,
    pub credential: Credential,
    pub lifetime: SignInLifetime,
}

/// The body of one event stream: `retry`, the events after `last_event_id` from the log (after the
/// newest event when it is `None`), then live events and keep-alive comments, until `until` or until the
/// client goes away, falls too far behind or loses its credential.
pub fn event_stream(
    pool: web::Data<DbPool>,
    hub: &EventHub,
    last_event_id: Option<i64>,
    until: Instant,
    hold: StreamHold,
) -> impl Stream<Item = Result<Bytes, Infallible>> + 'static {
    let live = hub.sender.subscribe();
    let after = last_event_id.unwrap_or_else(|| hub.latest());
    let (sender, receiver) = mpsc::channel(16);
    actix_web::rt::spawn(feed(pool, live, after, until, sender, hold));
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        let bytes = receiver.recv().await?;
        Some((Ok(bytes), receiver))
    })
}

async fn feed(
    pool: web::Data<DbPool>,
    mut live: broadcast::Receiver<Frame>,
    after: i64,
    until: Instant,
    out: mpsc::Sender<Bytes>,
    mut hold: StreamHold,
) {
    if out.send(Bytes::from_static(RETRY)).await.is_err() {
        return;
    }
    let mut checks = interval_at(
        Instant::now() + CREDENTIAL_CHECK_PERIOD,
        CREDENTIAL_CHECK_PERIOD,
    );
    let Some(mut last) = replay(&pool, after, &out).await else {
        return;
    };
    let mut keep_alive = interval_at(Instant::now() + KEEP_ALIVE_PERIOD, KEEP_ALIVE_PERIOD);
    loop {
        let next = tokio::select! {
            () = sleep_until(until) => return,
            () = out.closed() => return,
            () = hold.stopping.begun() => {
                let _ = out.send(Bytes::from_static(RECONNECT)).await;
                return;
            }
            _ = keep_alive.tick() => Bytes::from_static(KEEP_ALIVE),
            _ = checks.tick() => {
                if still_valid(&pool, &hold).await {
                    continue;
                }
                return;
            }
            received = live.recv() => match received {
                Ok(frame) if frame.id <= last => continue,
                Ok(frame) => {
                    last = frame.id;
                    frame.bytes
                }
                // Too slow for the live events: end here, and EventSource reconnects with the last id
                // it got and catches up from the log.
                Err(broadcast::error::RecvError::Lagged(_)) => return,
                Err(broadcast::error::RecvError::Closed) => return,
            },
        };
        if out.send(next).await.is_err() {
            return;
        }
    }
}

/// Whether the stream's credential still holds; a database that cannot say ends the stream too, and
/// the client reconnects and is checked afresh.
async fn still_valid(pool: &DbPool, hold: &StreamHold) -> bool {
    let (credential, lifetime) = (hold.credential.clone(), hold.lifetime);
    let checked = crate::db::with_db(pool, move |conn| -> Result<bool, ApiError> {
        let now = now();
        Ok(match &credential {
            Credential::SignIn { secret_hash } => {
                sign_in_is_valid(conn, secret_hash, lifetime, now)?
            }
            Credential::Token { id } => token_is_valid(conn, id, now)?,
        })
    })
    .await;
    checked.unwrap_or(false)
}

/// Sends the events after `after` from the log; returns the id sent up to, or `None` when the stream
/// should end (the client left, or the database failed).
async fn replay(pool: &web::Data<DbPool>, after: i64, out: &mpsc::Sender<Bytes>) -> Option<i64> {
    let mut last = after;
    loop {
        let read = with_db(pool, move |conn| {
            // An id beyond the log's end (another database, or a log that was reset) means "from now".
            let after = last.min(latest_event_id(conn)?);
            read_batch(conn, after, || true)
        })
        .await;
        let batch = match read {
            Ok(batch) => batch,
            Err(error) => {
                tracing::warn!(error = ?error, "session events: replay failed; ending the stream");
                return None;
            }
        };
        for frame in batch.frames {
            out.send(frame.bytes).await.ok()?;
        }
        last = batch.read_to;
        if !batch.full {
            return Some(last);
        }
    }
}

#[cfg(test)]
mod reconnect_tests {
    #[test]
    fn the_stopping_frame_is_the_shared_reconnect_event() {
        let frame = std::str::from_utf8(super::RECONNECT).unwrap();
        assert!(frame.starts_with(&format!("event: {}\n", shared::RECONNECT_EVENT)));
        assert!(!frame.contains("id:") && frame.ends_with("\n\n"));
    }
}
