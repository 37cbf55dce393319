//! The heartbeat watchdog: a Connected session the broker has not mentioned for the heartbeat timeout
//! becomes Unknown (its app may be hung), which is what makes it killable from the console.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::now;
use crate::db::broker::mark_silent_sessions_unknown;
use crate::db::{DbPool, with_db};
use crate::metrics::Metrics;
use crate::shutdown::Stopping;

/// Checks a few times per timeout, so a silent session turns Unknown at most a third of the timeout late.
/// Ends when the server begins to stop, after the pass under way.
pub async fn watch_heartbeats(
    pool: DbPool,
    timeout: Duration,
    metrics: Arc<Metrics>,
    mut stopping: Stopping,
) {
    let period = (timeout / 3).max(Duration::from_millis(250));
    let mut ticks = actix_web::rt::time::interval(period);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = stopping.begun() => return,
        }
        let silent_since = now() - timeout.as_secs() as i64;
        let marked = with_db(&pool, move |conn| -> anyhow::Result<usize> {
            Ok(mark_silent_sessions_unknown(conn, silent_since)?)
        })
        .await;
        match marked {
            Ok(0) => {}
            Ok(count) => {
                metrics.watchdog_unknown(count);
                tracing::info!(count, "sessions went silent: now Unknown");
            }
            // A busy database or a full pool: the next tick tries again.
            Err(error) => tracing::warn!(error = ?error, "heartbeat watchdog skipped a round"),
        }
    }
}
