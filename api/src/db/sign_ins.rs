//! Console sign-ins (cookie sessions), stored server-side so that sign-out, a password change or a
//! disabled account ends them at once. The cookie holds a secret; the table holds its digest.

use diesel::prelude::*;
use serde_json::json;
use shared::{AuditAction, AuditOutcome, Role};

use super::DbConnection;
use super::accounts::AccountRow;
use super::audit::{Actor, record};
use super::schema::{accounts, console_sessions};
use crate::auth::secrets::{digest, random_secret};

/// How long sign-ins last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLifetime {
    /// Seconds without a request after which a sign-in ends.
    pub idle: i64,
    /// Seconds after sign-in at which it ends however active it is.
    pub absolute: i64,
}

/// A sign-in that is still valid, with its account.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub secret_hash: String,
    pub csrf_token: String,
    pub expires_at: i64,
    pub account_id: i64,
    pub username: String,
    pub role: Role,
    /// When its use was last recorded (see [`SignIn::needs_marking`]).
    pub last_seen_at: i64,
}

impl SignIn {
    /// Whether its last use is recorded a minute ago or more: often enough for the idle limit, which
    /// counts in minutes, and rarely enough that a request is not a write.
    pub fn needs_marking(&self, now: i64) -> bool {
        now - self.last_seen_at >= 60
    }
}

/// Records that the sign-in with this digest was used at `now`, which restarts its idle time.
pub fn mark_sign_in_seen(conn: &mut DbConnection, secret_hash: &str, now: i64) -> QueryResult<()> {
    diesel::update(console_sessions::table.find(secret_hash))
        .set(console_sessions::last_seen_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// What a new sign-in hands to the browser: the cookie's secret and the CSRF token.
#[derive(Debug, Clone)]
pub struct NewSignIn {
    pub secret: String,
    pub sign_in: SignIn,
}

/// Starts a sign-in for `account` and records it, in one transaction.
pub fn start_sign_in(
    conn: &mut DbConnection,
    account: &AccountRow,
    role: Role,
    lifetime: SignInLifetime,
    actor: &Actor,
    now: i64,
) -> QueryResult<NewSignIn> {
    let secret = random_secret();
    let sign_in = SignIn {
        secret_hash: digest(&secret),
        csrf_token: random_secret(),
        expires_at: now + lifetime.absolute,
        account_id: account.id,
        username: account.username.clone(),
        role,
        last_seen_at: now,
    };
    crate::db::write_transaction(conn, |conn| {
        // Sign-ins that ended are swept here, the one place that adds rows, so the table stays small.
        diesel::delete(
            console_sessions::table.filter(
                console_sessions::expires_at
                    .le(now)
                    .or(console_sessions::last_seen_at.le(now - lifetime.idle)),
            ),
        )
        .execute(conn)?;
        diesel::insert_into(console_sessions::table)
            .values((
                console_sessions::secret_hash.eq(&sign_in.secret_hash),
                console_sessions::account_id.eq(account.id),
                console_sessions::csrf_token.eq(&sign_in.csrf_token),
                console_sessions::created_at.eq(now),
                console_sessions::last_seen_at.eq(now),
                console_sessions::expires_at.eq(sign_in.expires_at),
            ))
            .execute(conn)?;
        record(
            conn,
            actor,
            AuditAction::Login,
            AuditOutcome::Success,
            json!({ "role": role }),
            now,
        )?;
        QueryResult::Ok(())
    })?;
    Ok(NewSignIn { secret, sign_in })
}

/// The sign-in a cookie secret names, if it is still valid: not past its absolute or idle expiry, and
/// its account enabled with a known role. A read only, which does not wait for writers (see
/// [`crate::db::with_quick_read`]); the caller marks it used when [`SignIn::needs_marking`].
pub fn find_sign_in(
    conn: &mut DbConnection,
    secret: &str,
    lifetime: SignInLifetime,
    now: i64,
) -> QueryResult<Option<SignIn>> {
    let secret_hash = digest(secret);
    let found = console_sessions::table
        .inner_join(accounts::table)
        .filter(console_sessions::secret_hash.eq(&secret_hash))
        .filter(console_sessions::expires_at.gt(now))
        .filter(console_sessions::last_seen_at.gt(now - lifetime.idle))
        .filter(accounts::disabled.eq(false))
        .select((
            console_sessions::csrf_token,
            console_sessions::expires_at,
            console_sessions::last_seen_at,
            AccountRow::as_select(),
        ));
    // By its primary key, so at most one row: see `super::one_row`.
    let found: Option<(String, i64, i64, AccountRow)> = super::one_row(found.load(conn)?)?;
    let Some((csrf_token, expires_at, last_seen_at, account)) = found else {
        return Ok(None);
    };
    Ok(Some(SignIn {
        secret_hash,
        csrf_token,
        expires_at,
        account_id: account.id,
        username: account.username,
        role: account.role,
        last_seen_at,
    }))
}

/// Whether the sign-in with this digest is still valid, as [`find_sign_in`] judges, without marking it
/// used: a stream that stays open is no activity of its user.
pub fn sign_in_is_valid(
    conn: &mut DbConnection,
    secret_hash: &str,
    lifetime: SignInLifetime,
    now: i64,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        console_sessions::table
            .inner_join(accounts::table)
            .filter(console_sessions::secret_hash.eq(secret_hash))
            .filter(console_sessions::expires_at.gt(now))
            .filter(console_sessions::last_seen_at.gt(now - lifetime.idle))
            .filter(accounts::disabled.eq(false))
            .select(console_sessions::secret_hash),
    ))
    .get_result(conn)
}

/// Ends a sign-in and records the sign-out, in one transaction.
pub fn end_sign_in(
    conn: &mut DbConnection,
    secret_hash: &str,
    actor: &Actor,
    now: i64,
) -> QueryResult<()> {
    crate::db::write_transaction(conn, |conn| {
        diesel::delete(console_sessions::table.find(secret_hash)).execute(conn)?;
        record(
            conn,
            actor,
            AuditAction::Logout,
            AuditOutcome::Success,
            json!({}),
            now,
        )?;
        Ok(())
    })
}
