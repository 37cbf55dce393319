//! Stopping gracefully. On SIGTERM or Ctrl-C (SIGINT) the server stops accepting connections, lets the
//! requests in flight and the running exports finish, ends every live stream with a final `reconnect`
//! event, and lets the kill dispatcher finish its current attempt and the watchdog its current pass: all
//! within `--shutdown-timeout` seconds, after which what is left is dropped. Then the process exits 0.

use tokio::sync::watch;

/// Begins the stop; held by the server.
pub struct Stop(watch::Sender<bool>);

/// Tells a task that the server is stopping; each task holds a clone.
#[derive(Clone)]
pub struct Stopping(watch::Receiver<bool>);

impl Stop {
    pub fn new() -> (Stop, Stopping) {
        let (sender, receiver) = watch::channel(false);
        (Stop(sender), Stopping(receiver))
    }

    pub fn begin(&self) {
        self.0.send_replace(true);
    }
}

impl Stopping {
    pub fn is_begun(&self) -> bool {
        *self.0.borrow()
    }

    /// Returns once the stop has begun; never while the server runs (also when its [`Stop`] is dropped
    /// without a stop, as a test server is).
    pub async fn begun(&mut self) {
        if self.0.wait_for(|begun| *begun).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Returns the name of the first stop signal received: SIGTERM (service managers) or SIGINT (Ctrl-C).
pub async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use actix_web::rt::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = actix_web::rt::signal::ctrl_c() => "SIGINT",
            },
            Err(error) => {
                tracing::warn!(error = %error, "cannot take SIGTERM; stopping on Ctrl-C only");
                let _ = actix_web::rt::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = actix_web::rt::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
