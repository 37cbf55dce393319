//! The heartbeat watchdog: a Connected session the broker has not mentioned for the heartbeat timeout
//! becomes Unknown (its app may be hung), which is what makes it killable from the console.

use std::time::Duration;

use crate::db::DbPool;
use crate::db::broker::mark_silent_sessions_unknown;

/// Checks a few times per timeout, so a silent session turns Unknown at most a third of the timeout late.
pub async fn watch_heartbeats(pool: DbPool, timeout: Duration) {
    let period = (timeout / 3).max(Duration::from_millis(250));
    let mut ticks = actix_web::rt::time::interval(period);
    loop {
        ticks.tick().await;
        let pool = pool.clone();
        let silent_since = chrono::Utc::now().timestamp() - timeout.as_secs() as i64;
        let marked = actix_web::web::block(move || -> anyhow::Result<usize> {
            let mut conn = pool.get()?;
            Ok(mark_silent_sessions_unknown(&mut conn, silent_since)?)
        })
        .await;
        match marked {
            Ok(Ok(0)) => {}
            Ok(Ok(count)) => tracing::info!(count, "sessions went silent: now Unknown"),
            // A busy database or a full pool: the next tick tries again.
            Ok(Err(error)) => tracing::warn!(error = ?error, "heartbeat watchdog skipped a round"),
            Err(error) => tracing::warn!(error = %error, "heartbeat watchdog skipped a round"),
        }
    }
}
