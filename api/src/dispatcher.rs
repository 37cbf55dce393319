//! Delivers kills to the platform's broker: each pending row of the outbox (`kill_deliveries`) is POSTed
//! to the broker's webhook, signed, with its idempotency key, until the broker answers 2xx. Failures
//! are retried with exponential backoff and jitter; after the configured number of attempts the delivery
//! is `failed` until an admin retries it. State lives in the database, so a restart resumes where the
//! last run stopped (a kill sent but not yet recorded as delivered is sent again, with the same key).

use std::time::Duration;

use actix_web::web;
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use shared::KillOrder;
use tokio::sync::Notify;

use crate::clock::now;
use crate::db::deliveries::{DueKill, claim_due_kills, mark_attempt_failed, mark_delivered};
use crate::db::{DbPool, with_db};
use crate::metrics::{AttemptOutcome, Metrics};
use crate::shutdown::Stopping;

/// The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub const SIGNATURE_HEADER: &str = "X-Sessions-Signature";
/// The header repeating the kill's idempotency key.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// Kills claimed and sent at once: one round of sends, so a claim outlives its sends.
const BATCH: i64 = 16;
/// How long a claim keeps other dispatchers off a kill: longer than one send may take.
const CLAIM_SECONDS: i64 = TIMEOUT.as_secs() as i64 + 5;
const LONGEST_BACKOFF_SECS: u64 = 300;
const TIMEOUT: Duration = Duration::from_secs(10);

/// Where kills go, and how they are signed.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: url::Url,
    pub secret: String,
    /// Attempts before a delivery is `failed`.
    pub max_attempts: u32,
}

/// Wakes the dispatcher when a kill commits, so delivery does not wait for the next tick.
#[derive(Debug, Default)]
pub struct Dispatcher {
    wake: Notify,
}

impl Dispatcher {
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// The webhook's address as logs show it: without user, password and query, which may hold secrets.
pub fn shown(url: &url::Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// Whether kills may be sent to `url`: over HTTPS, or plain HTTP to this machine (a broker beside the
/// console) or when the operator allows it, since the body names people and sessions.
pub fn check_webhook(url: &url::Url, allow_insecure: bool) -> Result<(), String> {
    let loopback = match url.host() {
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback || allow_insecure => Ok(()),
        "http" => Err(format!(
            "--broker-webhook: {} is plain HTTP to another machine; use https://, or give \
             --allow-insecure-webhook",
            shown(url)
        )),
        other => Err(format!(
            "--broker-webhook: '{other}:' is not a web address; use https://"
        )),
    }
}

/// `t=<timestamp>,v1=<signature>` for `body` sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex = hex::encode(digest);
    format!("t={timestamp},v1={hex}")
}

/// Seconds until the next attempt after `attempts` failures: doubling from 1 s up to 5 minutes, then a
/// random point in its second half, so many failed deliveries do not all come back at once.
fn backoff(attempts: u32) -> i64 {
    let full = 2u64
        .saturating_pow(attempts.saturating_sub(1))
        .min(LONGEST_BACKOFF_SECS);
    let jitter = getrandom::u64().unwrap_or(0) % (full / 2 + 1);
    (full - full / 2 + jitter) as i64
}

async fn send(
    client: &reqwest::Client,
    webhook: &Webhook,
    order: &KillOrder,
) -> Result<(), String> {
    let body = serde_json::to_vec(order).map_err(|e| e.to_string())?;
    let response = client
        .post(webhook.url.clone())
        .header("Content-Type", "application/json")
        .header(IDEMPOTENCY_HEADER, &order.idempotency_key)
        .header(
            SIGNATURE_HEADER,
            signature(&webhook.secret, chrono::Utc::now().timestamp(), &body),
        )
        .body(body)
        .send()
        .await
        .map_err(|e| format!("no answer from the broker: {e}"))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    // Every reader of the session sees this; what the receiver wrote stays out of it.
    Err(format!("the broker answered {status}"))
}

/// Sends what is due now, a batch at a time; returns how many were sent. Every node may run this: each
/// kill is claimed by one of them per attempt.
async fn deliver_due(
    pool: &DbPool,
    client: &reqwest::Client,
    webhook: &Webhook,
    metrics: &Metrics,
) -> anyhow::Result<usize> {
    let mut sent = 0;
    loop {
        let now = now();
        let due: Vec<DueKill> = with_db(pool, move |conn| -> anyhow::Result<_> {
            Ok(claim_due_kills(conn, now, now + CLAIM_SECONDS, BATCH)?)
        })
        .await?;
        if due.is_empty() {
            return Ok(sent);
        }
        let count = due.len();
        let outcomes: Vec<(DueKill, Result<(), String>)> = futures_util::stream::iter(due)
            .map(|kill| async move {
                let outcome = send(client, webhook, &kill.order).await;
                (kill, outcome)
            })
            .buffer_unordered(BATCH as usize)
            .collect()
            .await;
        for (_, outcome) in &outcomes {
            metrics.delivery_attempt(match outcome {
                Ok(()) => AttemptOutcome::Delivered,
                Err(_) => AttemptOutcome::Failed,
            });
        }
        let max_attempts = webhook.max_attempts;
        with_db(pool, move |conn| -> anyhow::Result<()> {
            let now = crate::clock::now();
            crate::db::write_transaction(conn, |conn| {
                for (kill, outcome) in &outcomes {
                    let key = &kill.order.idempotency_key;
                    match outcome {
                        Ok(()) => {
                            mark_delivered(conn, key, now)?;
                        }
                        Err(error) => {
                            let attempts = kill.attempts + 1;
                            let next = (attempts < max_attempts).then(|| now + backoff(attempts));
                            tracing::warn!(key, attempts, error, "kill delivery failed");
                            mark_attempt_failed(conn, key, error, next)?;
                        }
                    }
                }
                diesel::QueryResult::Ok(())
            })?;
            Ok(())
        })
        .await?;
        sent += count;
        if count < BATCH as usize {
            return Ok(sent);
        }
    }
}

/// Runs until the server stops: delivers what is due whenever a kill wakes it, and every second. When
/// the server begins to stop, the round under way (its sends and their recording) is finished first.
pub async fn deliver_kills(
    pool: DbPool,
    dispatcher: web::Data<Dispatcher>,
    webhook: Webhook,
    metrics: web::Data<Metrics>,
    mut stopping: Stopping,
) {
    // A redirect is a failed attempt: following it would POST the signed kill to wherever it points.
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build();
    let client = match client {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(error = %error, "no HTTP client: kills will not be delivered");
            return;
        }
    };
    tracing::info!(url = %shown(&webhook.url), "delivering kills to the broker's webhook");
    while !stopping.is_begun() {
        if let Err(error) = deliver_due(&pool, &client, &webhook, &metrics).await {
            tracing::warn!(error = ?error, "kill delivery round failed; retrying shortly");
        }
        tokio::select! {
            _ = dispatcher.wake.notified() => {}
            _ = actix_web::rt::time::sleep(Duration::from_secs(1)) => {}
            () = stopping.begun() => {}
        }
    }
    tracing::info!("kill dispatcher stopped");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // RFC 4231 style check against an independently computed value.
        let signed = signature("secret", 1700000000, b"{}");
        assert!(signed.starts_with("t=1700000000,v1="));
        assert_eq!(signed.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(signed, signature("other", 1700000000, b"{}"));
        assert_ne!(signed, signature("secret", 1700000001, b"{}"));
    }

    #[test]
    fn backoff_doubles_up_to_five_minutes_with_jitter_in_the_upper_half() {
        for (attempts, full) in [(1, 1), (2, 2), (4, 8), (9, 256), (10, 300), (30, 300)] {
            for _ in 0..20 {
                let wait = backoff(attempts);
                assert!(
                    wait >= full - full / 2 && wait <= full,
                    "{attempts}: {wait}"
                );
            }
        }
    }
}
