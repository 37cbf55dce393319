use actix_web::{get, web};
use shared::Health;

/// The database's URL, for `/readyz` to open a connection of its own.
pub struct DatabaseUrl(pub String);
use crate::error::ApiError;

/// Liveness for load balancers: answers while the process serves requests.
#[utoipa::path(tag = "health", security(()), responses((status = 200, description = "The server is up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".to_owned(),
    })
}

/// Readiness for load balancers: 200 only when the database answers a new connection and has every
/// migration of this server applied; 503 otherwise, until it does (`/healthz` stays 200 meanwhile).
#[utoipa::path(
    tag = "health",
    security(()),
    responses(
        (status = 200, description = "The server can serve: its database answers and is migrated", body = Health),
        (status = 503, description = "The database does not answer, or has migrations not applied"),
    )
)]
#[get("/readyz")]
pub async fn readyz(database: web::Data<DatabaseUrl>) -> Result<web::Json<Health>, ApiError> {
    let database = database.into_inner();
    crate::blocking::on_blocking_thread(move || {
        crate::db::check_ready(&database.0).map_err(ApiError::from)
    })
    .await?;
    Ok(web::Json(Health {
        status: "ready".to_owned(),
    }))
}
