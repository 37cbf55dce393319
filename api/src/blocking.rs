//! Work that must not run on the async executor's threads.

/// Runs blocking or CPU-bound work (Argon2, Diesel) on tokio's blocking threads.
pub async fn on_blocking_thread<T, E, F>(work: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<tokio::task::JoinError> + Send + 'static,
    F: FnOnce() -> Result<T, E> + Send + 'static,
{
    tokio::task::spawn_blocking(work).await?
}
