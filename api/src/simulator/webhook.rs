//! The simulator's kill webhook: checks the console's signature and stops the session named. Every kill
//! signed correctly is answered 200, also one for a session not running here (ended, stopped by an
//! earlier delivery of the same key, or from an earlier run): carrying it out again changes nothing.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use shared::KillOrder;

use super::fleet::Fleet;

/// Where the receiver takes kills.
pub const WEBHOOK_PATH: &str = "/kills";
use crate::auth::secrets::same_secret;
use crate::dispatcher::{SIGNATURE_HEADER, signature};

/// How old a signature may be, in seconds, before the kill is refused as a possible replay.
const TOLERANCE_SECS: i64 = 300;

struct Receiver {
    fleet: Fleet,
    secret: String,
}

pub(super) fn serve(
    listener: TcpListener,
    fleet: Fleet,
    secret: String,
) -> std::io::Result<Server> {
    let receiver = web::Data::new(Receiver { fleet, secret });
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(receiver.clone())
            .route(WEBHOOK_PATH, web::post().to(receive_kill))
    })
    .workers(1)
    .shutdown_timeout(1)
    .listen(listener)?
    .run())
}

/// Whether `header` (`t=<unix>,v1=<hex>`) signs `body` with `secret`, recently.
fn signed(header: &str, secret: &str, body: &[u8], now: i64) -> bool {
    let Some(timestamp) = header
        .split(',')
        .find_map(|part| part.strip_prefix("t="))
        .and_then(|t| t.parse::<i64>().ok())
    else {
        return false;
    };
    (now - timestamp).abs() <= TOLERANCE_SECS
        && same_secret(header, &signature(secret, timestamp, body))
}

async fn receive_kill(
    request: HttpRequest,
    body: web::Bytes,
    receiver: web::Data<Receiver>,
) -> HttpResponse {
    let header = request
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if !signed(
        header,
        &receiver.secret,
        &body,
        chrono::Utc::now().timestamp(),
    ) {
        tracing::warn!("demo broker: refused a kill with a missing, wrong or stale signature");
        return HttpResponse::Unauthorized().body("missing, wrong or stale signature");
    }
    let order: KillOrder = match serde_json::from_slice(&body) {
        Ok(order) => order,
        Err(error) => return HttpResponse::BadRequest().body(format!("not a kill order: {error}")),
    };
    receiver.fleet.honour_kill(&order);
    HttpResponse::Ok().finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_fresh_signature_with_the_secret_over_this_body_is_accepted() {
        let now = 1_800_000_000;
        let header = signature("the secret", now, b"{}");
        assert!(signed(&header, "the secret", b"{}", now + 10));
        assert!(!signed(&header, "another secret", b"{}", now));
        assert!(!signed(&header, "the secret", b"{ }", now));
        assert!(!signed(
            &header,
            "the secret",
            b"{}",
            now + TOLERANCE_SECS + 1
        ));
        assert!(!signed("", "the secret", b"{}", now));
        assert!(!signed("t=x,v1=00", "the secret", b"{}", now));
    }
}
