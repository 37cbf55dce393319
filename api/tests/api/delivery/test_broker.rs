//! A broker's webhook for tests: refuses the first deliveries (or takes them and never answers), checks
//! signatures, and carries out each kill once per idempotency key.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

pub const SECRET: &str = "a shared secret of the broker";

#[derive(Default)]
struct State {
    /// Requests still to refuse with 503.
    refuse: u32,
    /// Whether requests are taken and never answered, as by a broker that hangs.
    hold: bool,
    requests: u32,
    /// The idempotency key of every signed request, in the order they came.
    keys: Vec<String>,
    bad_signatures: u32,
    /// Kills carried out, by idempotency key.
    applied: BTreeMap<String, Value>,
}

#[derive(Clone)]
pub struct TestBroker {
    port: u16,
    state: Arc<Mutex<State>>,
}

fn signed_correctly(req: &HttpRequest, body: &[u8]) -> bool {
    let Some(header) = req
        .headers()
        .get("x-sessions-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = header.split(',');
    let (Some(t), Some(v1)) = (
        parts.next().and_then(|p| p.strip_prefix("t=")),
        parts.next().and_then(|p| p.strip_prefix("v1=")),
    ) else {
        return false;
    };
    let fresh = t
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    fresh && expected == v1
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Arc<Mutex<State>>>,
) -> HttpResponse {
    let answer = answer(&req, &body, &mut state.lock().unwrap());
    match answer {
        Some(answer) => answer,
        None => std::future::pending().await,
    }
}

/// What the broker answers a delivery, or `None` while it holds deliveries unanswered.
fn answer(req: &HttpRequest, body: &[u8], state: &mut State) -> Option<HttpResponse> {
    state.requests += 1;
    if !signed_correctly(req, body) {
        state.bad_signatures += 1;
        return Some(HttpResponse::Unauthorized().body("bad signature"));
    }
    let key = req
        .headers()
        .get("idempotency-key")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    state.keys.push(key.clone());
    if state.hold {
        return None;
    }
    if state.refuse > 0 {
        state.refuse -= 1;
        return Some(HttpResponse::ServiceUnavailable().body("broker busy"));
    }
    let order: Value = serde_json::from_slice(body).unwrap();
    if order["idempotency_key"] != key.as_str() {
        // Not a panic: that would poison the state the test reads.
        return Some(
            HttpResponse::UnprocessableEntity().body("the body's key is not the header's"),
        );
    }
    state.applied.entry(key).or_insert(order);
    Some(HttpResponse::Ok().finish())
}

impl TestBroker {
    /// A broker that refuses the first `refuse` deliveries.
    pub async fn start(refuse: u32) -> TestBroker {
        TestBroker::start_with(State {
            refuse,
            ..State::default()
        })
        .await
    }

    /// A broker that takes every delivery and never answers it, until [`TestBroker::accept_from_now`].
    pub async fn start_holding() -> TestBroker {
        TestBroker::start_with(State {
            hold: true,
            ..State::default()
        })
        .await
    }

    async fn start_with(state: State) -> TestBroker {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(state));
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/kills", web::post().to(receive))
                .route(
                    "/moved",
                    web::post().to(|| async {
                        HttpResponse::TemporaryRedirect()
                            .insert_header(("Location", "/kills"))
                            .finish()
                    }),
                )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        TestBroker { port, state }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/kills", self.port)
    }

    /// An address that answers every delivery with a redirect to [`TestBroker::url`].
    pub fn moved_url(&self) -> String {
        format!("http://127.0.0.1:{}/moved", self.port)
    }

    /// Answers every delivery from now on (those held stay unanswered).
    pub fn accept_from_now(&self) {
        let mut state = self.state.lock().unwrap();
        state.refuse = 0;
        state.hold = false;
    }

    /// The kills carried out, one per idempotency key.
    pub fn applied(&self) -> Vec<Value> {
        self.state
            .lock()
            .unwrap()
            .applied
            .values()
            .cloned()
            .collect()
    }

    /// The idempotency key of every signed request so far, in the order they came.
    pub fn keys(&self) -> Vec<String> {
        self.state.lock().unwrap().keys.clone()
    }

    pub fn requests(&self) -> u32 {
        self.state.lock().unwrap().requests
    }

    pub fn bad_signatures(&self) -> u32 {
        self.state.lock().unwrap().bad_signatures
    }
}
