use actix_web::{HttpResponse, delete, get, post, web};
use shared::{ApiToken, CreateTokenRequest, CreatedToken, Scope, TokenList};

use crate::auth::{Administer, Authorized};
use crate::db::DbPool;
use crate::db::tokens::{
    TokenRow, TokenSpec, create_token as create, expiry, list_tokens as list, owner_names,
    revoke_token as revoke,
};
use crate::error::ApiError;
use crate::problem_responses::{Busy, JsonBodyRefusals};

use crate::clock::now;
use crate::error::with_db;

fn time(seconds: i64) -> Result<chrono::DateTime<chrono::Utc>, ApiError> {
    chrono::DateTime::from_timestamp(seconds, 0).ok_or_else(|| {
        ApiError::internal(
            "reading a token",
            anyhow::anyhow!("time {seconds} out of range"),
        )
    })
}

fn to_api_token(row: TokenRow, owner: Option<String>) -> Result<ApiToken, ApiError> {
    Ok(ApiToken {
        owner,
        scopes: row.scopes()?,
        created_at: time(row.created_at)?,
        expires_at: row.expires_at.map(time).transpose()?,
        last_used_at: row.last_used_at.map(time).transpose()?,
        id: row.id,
        name: row.name,
        created_by: row.created_by,
    })
}

/// List API tokens.
///
/// Every token that is not revoked, newest first, expired ones included; never their secrets. Needs
/// `admin`.
#[utoipa::path(
    tag = "tokens",
    security(("session_cookie" = ["admin"]), ("bearer_token" = ["admin"])),
    responses(
        (status = 200, description = "The tokens", body = TokenList),
        Busy,
    )
)]
#[get("/tokens")]
pub async fn list_tokens(
    _auth: Authorized<Administer>,
    pool: web::Data<DbPool>,
) -> Result<web::Json<TokenList>, ApiError> {
    let (rows, owners) = with_db(&pool, |conn| {
        let rows = list(conn)?;
        let ids: Vec<i64> = rows.iter().filter_map(|row| row.owner_id).collect();
        Ok((rows, owner_names(conn, &ids)?))
    })
    .await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let owner = row.owner_id.and_then(|id| owners.get(&id).cloned());
            to_api_token(row, owner)
        })
        .collect::<Result<_, _>>()?;
    Ok(web::Json(TokenList { items }))
}

/// Create an API token.
///
/// The answer holds the token's secret, this once: it is stored only as a hash. Scripts send it as
/// `Authorization: Bearer <secret>`. Audited. Needs `admin`.
#[utoipa::path(
    tag = "tokens",
    security(("session_cookie" = ["admin"], "csrf_token" = []), ("bearer_token" = ["admin"])),
    request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "The new token and its secret", body = CreatedToken),
        JsonBodyRefusals,
        (status = 422, description = "No name, no scope or more scopes than there are, or an expiry outside 1 to 3650 days"),
        Busy,
    )
)]
#[post("/tokens")]
pub async fn create_token(
    auth: Authorized<Administer>,
    pool: web::Data<DbPool>,
    body: web::Json<CreateTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    // Repeats are allowed (each scope counts once), but not a list longer than there are scopes.
    if request.scopes.len() > Scope::COUNT {
        return Err(ApiError::Unprocessable(format!(
            "scopes: at most {} (each scope once); {} given",
            Scope::COUNT,
            request.scopes.len()
        )));
    }
    let now = now();
    let expires_at = expiry(now, request.expires_in_days)?;
    let actor = auth.principal.actor();
    // A token made by a token belongs to that token's owner, so it cannot outlive or outrank them.
    let owner = auth.principal.account_id;
    let (row, secret, owner) = with_db(&pool, move |conn| {
        let spec = TokenSpec {
            name: &request.name,
            scopes: &request.scopes,
            expires_at,
            owner,
        };
        let (row, secret) = create(conn, &spec, &actor, now)?;
        let owner = owner_names(conn, &owner.into_iter().collect::<Vec<_>>())?
            .into_values()
            .next();
        Ok((row, secret, owner))
    })
    .await?;
    Ok(HttpResponse::Created().json(CreatedToken {
        token: to_api_token(row, owner)?,
        secret,
    }))
}

// The OpenAPI attribute below takes a literal.
const _: () = assert!(crate::auth::secrets::ID_CHARS == 16);

/// Revoke an API token.
///
/// Takes effect at once: the next request with it gets 401. Audited. Needs `admin`.
#[utoipa::path(
    tag = "tokens",
    security(("session_cookie" = ["admin"], "csrf_token" = []), ("bearer_token" = ["admin"])),
    params(("id" = String, Path, max_length = 16, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No active token has this id"),
        Busy,
    )
)]
#[delete("/tokens/{id}")]
pub async fn revoke_token(
    auth: Authorized<Administer>,
    pool: web::Data<DbPool>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let actor = auth.principal.actor();
    let now = now();
    with_db(&pool, move |conn| Ok(revoke(conn, &id, &actor, now)?)).await?;
    Ok(HttpResponse::NoContent().finish())
}
