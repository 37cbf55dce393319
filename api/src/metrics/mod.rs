//! What `/metrics` reports, in the Prometheus text format.
//!
//! Two kinds of figures. **Per node** (this process; sum them over the nodes): counters of what this
//! process did (requests, kills, sign-ins, broker reports, delivery attempts, watchdog transitions,
//! export rows) and gauges of what it holds (pool connections, exports running, stream clients).
//! **Cluster-wide, exact** (`sessions_kill_deliveries`): read from the database at scrape time, so every
//! node answers the same and they must not be summed.
//!
//! Each process (and each test server) has its own registry, never the crate's global one. Every label
//! value is one of a fixed set, and the handles of those with fixed labels are made once here, so a
//! request only increments an atomic.

mod http;

use prometheus::{
    HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use shared::DeliveryState;

pub use http::RouteTable;

/// Where the metrics are served.
pub const PATH: &str = "/metrics";

/// The media type of the text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// How a kill request ended for one session.
#[derive(Debug, Clone, Copy)]
pub enum KillOutcome {
    Killed,
    /// Not Connected or Unknown (any more).
    NotActive,
    NotFound,
}

/// How a sign-in attempt ended.
#[derive(Debug, Clone, Copy)]
pub enum SignInOutcome {
    Success,
    /// Wrong username or password, or a disabled account.
    Failure,
    /// Refused by the throttle (429) before its password was checked.
    Throttled,
    /// Anything else: a bad request, a busy database.
    Error,
}

/// What a broker call reported.
#[derive(Debug, Clone, Copy)]
pub enum BrokerReport {
    Open,
    Heartbeat,
    End,
}

/// How one delivery attempt of a kill to the broker's webhook ended.
#[derive(Debug, Clone, Copy)]
pub enum AttemptOutcome {
    Delivered,
    Failed,
}

/// The registry and the handles the rest of the server increments.
pub struct Metrics {
    registry: Registry,
    pub(crate) http: http::HttpMetrics,
    export_rows: IntCounter,
    kills: [IntCounter; 3],
    sign_ins: [IntCounter; 4],
    broker_batches: [IntCounter; 3],
    broker_sessions: [IntCounter; 3],
    delivery_attempts: [IntCounter; 2],
    watchdog_unknown: IntCounter,
    // Gauges set at scrape time.
    pool: IntGaugeVec,
    pool_waiting: IntGauge,
    exports_running: IntGauge,
    stream_clients: IntGauge,
    deliveries: IntGaugeVec,
}

/// What the gauges are set from at scrape time.
pub struct Snapshot {
    /// `(pool name, max size, open connections, idle connections)`.
    pub pools: Vec<(&'static str, u32, u32, u32)>,
    /// Callers of this process waiting for a connection of any pool.
    pub waiting: u64,
    pub exports_running: usize,
    pub stream_clients: usize,
    /// Kill deliveries in the database, by state.
    pub deliveries: Vec<(DeliveryState, i64)>,
}

fn counters<const N: usize>(
    registry: &Registry,
    name: &str,
    help: &str,
    label: &str,
    values: [&str; N],
) -> [IntCounter; N] {
    let vec = IntCounterVec::new(Opts::new(name, help), &[label]).expect("a valid metric");
    registry
        .register(Box::new(vec.clone()))
        .expect("registered once");
    values.map(|value| vec.with_label_values(&[value]))
}

fn counter(registry: &Registry, name: &str, help: &str) -> IntCounter {
    let counter = IntCounter::new(name, help).expect("a valid metric");
    registry
        .register(Box::new(counter.clone()))
        .expect("registered once");
    counter
}

fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
    let gauge = IntGauge::new(name, help).expect("a valid metric");
    registry
        .register(Box::new(gauge.clone()))
        .expect("registered once");
    gauge
}

fn gauges(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    let vec = IntGaugeVec::new(Opts::new(name, help), labels).expect("a valid metric");
    registry
        .register(Box::new(vec.clone()))
        .expect("registered once");
    vec
}

impl Metrics {
    /// The metrics of a server whose routes are `routes`.
    pub fn new(routes: RouteTable) -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "sessions_http_requests_total",
                "HTTP requests answered by this node, by route template, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("a valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "sessions_http_request_duration_seconds",
                "Time from a request's arrival to its response's head, by route template and method",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["route", "method"],
        )
        .expect("a valid metric");
        registry
            .register(Box::new(requests.clone()))
            .expect("registered once");
        registry
            .register(Box::new(latency.clone()))
            .expect("registered once");
        Metrics {
            http: http::HttpMetrics::new(routes, requests, latency),
            export_rows: counter(
                &registry,
                "sessions_export_rows_total",
                "CSV rows this node's exports sent",
            ),
            kills: counters(
                &registry,
                "sessions_kills_total",
                "Sessions this node was asked to kill, by outcome",
                "outcome",
                ["killed", "not_active", "not_found"],
            ),
            sign_ins: counters(
                &registry,
                "sessions_sign_ins_total",
                "Sign-in attempts on this node, by outcome",
                "outcome",
                ["success", "failure", "throttled", "error"],
            ),
            broker_batches: counters(
                &registry,
                "sessions_broker_batches_total",
                "Batches the broker reported to this node, by kind",
                "kind",
                ["open", "heartbeat", "end"],
            ),
            broker_sessions: counters(
                &registry,
                "sessions_broker_sessions_total",
                "Sessions in the batches the broker reported to this node, by kind",
                "kind",
                ["open", "heartbeat", "end"],
            ),
            delivery_attempts: counters(
                &registry,
                "sessions_kill_delivery_attempts_total",
                "Attempts this node made to deliver a kill to the broker's webhook, by outcome",
                "outcome",
                ["delivered", "failed"],
            ),
            watchdog_unknown: counter(
                &registry,
                "sessions_watchdog_unknown_total",
                "Connected sessions this node's watchdog turned Unknown (no heartbeat in time)",
            ),
            pool: gauges(
                &registry,
                "sessions_db_pool_connections",
                "Database connections of this node, by pool and state (max: the pool's size)",
                &["pool", "state"],
            ),
            pool_waiting: gauge(
                &registry,
                "sessions_db_pool_waiting",
                "Callers of this node waiting for a database connection now",
            ),
            exports_running: gauge(
                &registry,
                "sessions_exports_running",
                "CSV exports this node is streaming now",
            ),
            stream_clients: gauge(
                &registry,
                "sessions_event_stream_clients",
                "Live event streams this node holds open now",
            ),
            deliveries: gauges(
                &registry,
                "sessions_kill_deliveries",
                "Kill deliveries in the database, by state: the same on every node, do not sum",
                &["state"],
            ),
            registry,
        }
    }

    pub fn export_rows(&self, rows: u64) {
        self.export_rows.inc_by(rows);
    }

    pub fn kills(&self, outcome: KillOutcome, count: usize) {
        self.kills[outcome as usize].inc_by(count as u64);
    }

    pub fn sign_in(&self, outcome: SignInOutcome) {
        self.sign_ins[outcome as usize].inc();
    }

    pub fn broker_report(&self, kind: BrokerReport, sessions: usize) {
        self.broker_batches[kind as usize].inc();
        self.broker_sessions[kind as usize].inc_by(sessions as u64);
    }

    pub fn delivery_attempt(&self, outcome: AttemptOutcome) {
        self.delivery_attempts[outcome as usize].inc();
    }

    pub fn watchdog_unknown(&self, count: usize) {
        self.watchdog_unknown.inc_by(count as u64);
    }

    /// The text format of every metric, the gauges set from `snapshot` first.
    pub fn render(&self, snapshot: &Snapshot) -> String {
        for (pool, max, open, idle) in &snapshot.pools {
            let set =
                |state: &str, value: i64| self.pool.with_label_values(&[pool, state]).set(value);
            set("max", i64::from(*max));
            set("open", i64::from(*open));
            set("in_use", i64::from(open.saturating_sub(*idle)));
            set("idle", i64::from(*idle));
        }
        self.pool_waiting.set(snapshot.waiting as i64);
        self.exports_running.set(snapshot.exports_running as i64);
        self.stream_clients.set(snapshot.stream_clients as i64);
        for state in DeliveryState::ALL {
            let count = snapshot
                .deliveries
                .iter()
                .find(|(counted, _)| *counted == state)
                .map_or(0, |(_, count)| *count);
            self.deliveries
                .with_label_values(&[state.as_str()])
                .set(count);
        }
        TextEncoder::new()
            .encode_to_string(&self.registry.gather())
            .unwrap_or_else(|error| format!("# could not encode the metrics: {error}\n"))
    }
}

/// Counts every request by its route template (resolved once, before the request is served) and times
/// it to its response's head (a streamed body is not waited for).
pub async fn record_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let Some(metrics) = req.app_data::<web::Data<Metrics>>().cloned() else {
        return next.call(req).await;
    };
    let route = metrics.http.route(req.match_pattern().as_deref());
    let method = http::method_index(req.method());
    let answered = next.call(req).await;
    let status = match &answered {
        Ok(response) => response.status(),
        Err(error) => error.as_response_error().status_code(),
    };
    metrics
        .http
        .record(route, method, status, started.elapsed().as_secs_f64());
    answered
}
