use actix_web::{HttpResponse, get, patch, post, put, web};
use shared::{
    Account, AccountList, CreateAccountRequest, SetPasswordRequest, UpdateAccountRequest,
};

use crate::auth::password::{check_new_password, hash_password};
use crate::auth::{Administer, Authorized};
use crate::db::DbPool;
use crate::db::accounts::{
    AccountChanges, AccountRow, change_password, create_account as create, find_account,
    list_accounts as list, normalize_username, update_account as update,
};
use crate::error::ApiError;
use crate::problem_responses::Busy;

use crate::blocking::on_blocking_thread;
use crate::clock::now;
use crate::error::with_db;

fn to_account(row: AccountRow) -> Result<Account, ApiError> {
    let corrupt = |what: String| {
        ApiError::internal(
            "reading an account",
            anyhow::anyhow!("account {}: {what}", row.id),
        )
    };
    let time = |seconds: i64| {
        chrono::DateTime::from_timestamp(seconds, 0)
            .ok_or_else(|| corrupt(format!("time {seconds}")))
    };
    Ok(Account {
        role: row.role,
        disabled: row.disabled,
        created_at: time(row.created_at)?,
        password_changed_at: time(row.password_changed_at)?,
        username: row.username,
    })
}

// The OpenAPI attributes below take literals.
const _: () = assert!(shared::rules::MAX_USERNAME_CHARS == 64);
/// Argon2id, for a blocking thread: it takes tens of milliseconds by design.
fn new_password_hash(password: &str) -> Result<String, ApiError> {
    check_new_password(password)
        .map_err(|why| ApiError::Unprocessable(format!("password: {why}")))?;
    hash_password(password).map_err(|e| ApiError::internal("hashing a password", e))
}

/// List console accounts.
///
/// Every account, by username; never a password. Needs `admin`.
#[utoipa::path(
    tag = "accounts",
    security(("session_cookie" = ["admin"]), ("bearer_token" = ["admin"])),
    responses(
        (status = 200, description = "The accounts", body = AccountList),
        Busy,
    )
)]
#[get("/accounts")]
pub async fn list_accounts(
    _auth: Authorized<Administer>,
    pool: web::Data<DbPool>,
) -> Result<web::Json<AccountList>, ApiError> {
    let rows = with_db(&pool, |conn| Ok(list(conn)?)).await?;
    let items = rows.into_iter().map(to_account).collect::<Result<_, _>>()?;
    Ok(web::Json(AccountList { items }))
}

/// Create a console account.
///
/// The password is hashed with Argon2id and never shown again. Audited. Needs `admin`.
#[utoipa::path(
    tag = "accounts",
    security(("session_cookie" = ["admin"], "csrf_token" = []), ("bearer_token" = ["admin"])),
    request_body = CreateAccountRequest,
    responses(
        (status = 201, description = "The new account", body = Account),
        (status = 400, description = "The body is not valid JSON of this shape"),
        (status = 409, description = "An account has this username already"),
        (status = 413, description = "The body is too large"),
        (status = 415, description = "The body is not sent as application/json"),
        (status = 422, description = "The username is not valid, or the password has fewer than 12 characters"),
        Busy,
    )
)]
#[post("/accounts")]
pub async fn create_account(
    auth: Authorized<Administer>,
    pool: web::Data<DbPool>,
    body: web::Json<CreateAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let actor = auth.principal.actor();
    let now = now();
    let password = request.password.clone();
    let hash = on_blocking_thread(move || new_password_hash(&password)).await?;
    let row = with_db(&pool, move |conn| {
        create(conn, &request.username, &hash, request.role, &actor, now)?;
        let username = normalize_username(&request.username)?;
        find_account(conn, &username)?
            .ok_or_else(|| ApiError::NotFound(format!("no account is named '{username}'")))
    })
    .await?;
    Ok(HttpResponse::Created().json(to_account(row)?))
}

/// Change a console account's role, or disable or enable it.
///
/// Its sign-ins end at once. Refused with 409 when it would leave no enabled admin. Audited. Needs `admin`.
#[utoipa::path(
    tag = "accounts",
    security(("session_cookie" = ["admin"], "csrf_token" = []), ("bearer_token" = ["admin"])),
    params(("username" = String, Path, max_length = 64, description = "The account's username")),
    request_body = UpdateAccountRequest,
    responses(
        (status = 200, description = "The account as it is now", body = Account),
        (status = 400, description = "The body is not valid JSON of this shape"),
        (status = 404, description = "No account has this username"),
        (status = 409, description = "This would leave no enabled admin"),
        (status = 413, description = "The body is too large"),
        (status = 415, description = "The body is not sent as application/json"),
        (status = 422, description = "Neither role nor disabled is given, or the username is not valid"),
        Busy,
    )
)]
#[patch("/accounts/{username}")]
pub async fn update_account(
    auth: Authorized<Administer>,
    pool: web::Data<DbPool>,
    username: web::Path<String>,
    body: web::Json<UpdateAccountRequest>,
) -> Result<web::Json<Account>, ApiError> {
    let username = username.into_inner();
    let request = body.into_inner();
    let changes = AccountChanges {
        role: request.role,
        disabled: request.disabled,
    };
    let actor = auth.principal.actor();
    let now = now();
    let row = with_db(&pool, move |conn| {
        Ok(update(conn, &username, changes, &actor, now)?)
    })
    .await?;
    Ok(web::Json(to_account(row)?))
}

/// Set a console account's password.
///
/// Its sign-ins end at once, so whoever knew the old password is signed out. Audited. Needs `admin`.
#[utoipa::path(
    tag = "accounts",
    security(("session_cookie" = ["admin"], "csrf_token" = []), ("bearer_token" = ["admin"])),
    params(("username" = String, Path, max_length = 64, description = "The account's username")),
    request_body = SetPasswordRequest,
    responses(
        (status = 204, description = "The password is set"),
        (status = 400, description = "The body is not valid JSON of this shape"),
        (status = 404, description = "No account has this username"),
        (status = 413, description = "The body is too large"),
        (status = 415, description = "The body is not sent as application/json"),
        (status = 422, description = "The password has fewer than 12 characters, or the username is not valid"),
        Busy,
    )
)]
#[put("/accounts/{username}/password")]
pub async fn set_password(
    auth: Authorized<Administer>,
    pool: web::Data<DbPool>,
    username: web::Path<String>,
    body: web::Json<SetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let username = username.into_inner();
    let password = body.into_inner().password;
    let actor = auth.principal.actor();
    let now = now();
    let hash = on_blocking_thread(move || new_password_hash(&password)).await?;
    with_db(&pool, move |conn| {
        Ok(change_password(conn, &username, &hash, &actor, now)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
