//! `GET /metrics`: with a token of scope `metrics` on the server's address, or without credentials on
//! the `--metrics-bind` address (see [`crate::startup`]).

use actix_web::{HttpResponse, get, web};

use crate::auth::{Authorized, ReadMetrics};
use crate::db::DbPool;
use crate::db::deliveries::count_by_state;
use crate::error::{ApiError, with_db};
use crate::metrics::{CONTENT_TYPE, Metrics, Snapshot};
use crate::problem_responses::Busy;

use super::events::Streams;
use super::export::Exports;

/// Metrics in the Prometheus text format.
///
/// Per node (sum them over the nodes): `sessions_http_requests_total` (by `route` template, `method`,
/// `status`), `sessions_http_request_duration_seconds` (by `route`, `method`),
/// `sessions_db_pool_connections` (by `pool`, `state`), `sessions_exports_running`,
/// `sessions_export_rows_total`, `sessions_kills_total` (by `outcome`),
/// `sessions_kill_delivery_attempts_total` (by `outcome`), `sessions_event_stream_clients`,
/// `sessions_broker_batches_total` and `sessions_broker_sessions_total` (by `kind`),
/// `sessions_watchdog_unknown_total`, `sessions_sign_ins_total` (by `outcome`). The same on every node
/// (read from the database at each scrape; do not sum): `sessions_kill_deliveries` (by `state`).
///
/// Needs `metrics` (which `admin` grants). A server started with `--metrics-bind ADDR` also serves this
/// document at `http://ADDR/metrics` without credentials.
#[utoipa::path(
    tag = "operations",
    security(("bearer_token" = ["metrics"]), ("session_cookie" = ["metrics"])),
    responses(
        (status = 200, description = "The metrics, in the Prometheus text format 0.0.4",
            content_type = "text/plain; version=0.0.4; charset=utf-8", body = String),
        Busy,
    )
)]
#[get("/metrics")]
pub async fn metrics(
    _auth: Authorized<ReadMetrics>,
    sources: MetricSources,
) -> Result<HttpResponse, ApiError> {
    scrape(sources).await
}

/// What a scrape reads: the registry, and what its gauges are set from.
pub struct MetricSources {
    pub metrics: web::Data<Metrics>,
    pub pool: web::Data<DbPool>,
    pub exports: web::Data<Exports>,
    pub streams: web::Data<Streams>,
}

impl actix_web::FromRequest for MetricSources {
    type Error = ApiError;
    type Future = std::future::Ready<Result<MetricSources, ApiError>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let missing = || ApiError::internal("scraping", anyhow::anyhow!("no metric sources"));
        std::future::ready((|| {
            Ok(MetricSources {
                metrics: req
                    .app_data::<web::Data<Metrics>>()
                    .ok_or_else(missing)?
                    .clone(),
                pool: req
                    .app_data::<web::Data<DbPool>>()
                    .ok_or_else(missing)?
                    .clone(),
                exports: req
                    .app_data::<web::Data<Exports>>()
                    .ok_or_else(missing)?
                    .clone(),
                streams: req
                    .app_data::<web::Data<Streams>>()
                    .ok_or_else(missing)?
                    .clone(),
            })
        })())
    }
}

/// The metrics document, its gauges set now.
pub async fn scrape(sources: MetricSources) -> Result<HttpResponse, ApiError> {
    let deliveries = with_db(&sources.pool, |conn| Ok(count_by_state(conn)?)).await?;
    let pool = |name, pool: &DbPool| {
        let state = pool.state();
        (
            name,
            pool.max_size(),
            state.connections,
            state.idle_connections,
        )
    };
    let snapshot = Snapshot {
        pools: vec![
            pool("requests", &sources.pool),
            pool("exports", &sources.exports.pool),
        ],
        waiting: crate::db::connection_waits(),
        exports_running: sources.exports.slots.in_use(),
        stream_clients: sources.streams.slots.in_use(),
        deliveries,
    };
    Ok(HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .body(sources.metrics.render(&snapshot)))
}

/// `/metrics` on the `--metrics-bind` address, which only this route answers: without credentials.
#[get("/metrics")]
pub async fn metrics_without_credentials(sources: MetricSources) -> Result<HttpResponse, ApiError> {
    scrape(sources).await
}
