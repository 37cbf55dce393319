use actix_web::{get, web};
use shared::Health;

/// Liveness for load balancers: answers while the process serves requests.
#[utoipa::path(tag = "health", security(()), responses((status = 200, description = "The server is up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".to_owned(),
    })
}
