//! API tokens for scripts. A token's secret is `sct_<id>_<secret>`: the id finds the row, the digest of
//! the whole secret must match it. Creation and revocation are audited in their own transaction.

use diesel::prelude::*;
use serde_json::json;
use shared::rules::{self, InvalidToken};
use shared::{AuditAction, AuditOutcome, MAX_TOKEN_DAYS, MAX_TOKEN_NAME_CHARS, Role, Scope};

use super::DbConnection;
use super::audit::{Actor, record};
use super::schema::{accounts, api_tokens};
use crate::auth::secrets::{digest, random_id, random_secret, same_secret};

const PREFIX: &str = "sct_";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub secret_hash: String,
    pub scopes: String,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub owner_id: Option<i64>,
}

impl TokenRow {
    /// The stored scopes. A name no code writes fails the read as a stored enum does (see
    /// `shared::names`), rather than being dropped or guessed.
    pub fn scopes(&self) -> QueryResult<Vec<Scope>> {
        self.scopes
            .split_whitespace()
            .map(|scope| {
                Scope::from_name(scope).ok_or_else(|| {
                    diesel::result::Error::DeserializationError(
                        format!("token {} holds the unknown scope {scope:?}", self.id).into(),
                    )
                })
            })
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{}", refusal(*.0))]
    Invalid(InvalidToken),
    #[error("no active token has the id '{0}'")]
    NotFound(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

impl From<InvalidToken> for TokenError {
    fn from(why: InvalidToken) -> TokenError {
        TokenError::Invalid(why)
    }
}

/// Why a token is refused, in the API's and the CLI's words: the field first.
fn refusal(why: InvalidToken) -> String {
    match why {
        InvalidToken::NoName | InvalidToken::NameTooLong => {
            format!("name: give the token a name of 1 to {MAX_TOKEN_NAME_CHARS} characters")
        }
        InvalidToken::ControlCharacter => "name: control characters are not allowed".to_owned(),
        InvalidToken::NoScope => {
            let all: Vec<&str> = Scope::ALL.iter().map(|scope| scope.as_str()).collect();
            format!("scopes: name at least one of {}", all.join(", "))
        }
        InvalidToken::DaysOutOfRange(days) => format!(
            "expires_in_days: from 1 to {MAX_TOKEN_DAYS}, or leave it out for a token that does not \
             expire; {days} given"
        ),
    }
}

/// What a new token is.
#[derive(Debug, Clone)]
pub struct TokenSpec<'a> {
    pub name: &'a str,
    pub scopes: &'a [Scope],
    pub expires_at: Option<i64>,
    /// The account it belongs to (see [`ValidToken`]); `None` only for a command-line token made while
    /// no admin exists.
    pub owner: Option<i64>,
}

/// A token that authenticated, with what it may do now: its scopes, less what its owner's current role
/// may not grant.
#[derive(Debug, Clone)]
pub struct ValidToken {
    pub row: TokenRow,
    pub scopes: Vec<Scope>,
}

/// The oldest enabled admin: who owns a command-line token when no owner is named.
pub fn first_admin(conn: &mut DbConnection) -> QueryResult<Option<(i64, String)>> {
    accounts::table
        .filter(accounts::role.eq(Role::Admin))
        .filter(accounts::disabled.eq(false))
        .order(accounts::id)
        .select((accounts::id, accounts::username))
        .first(conn)
        .optional()
}

/// The usernames of these owners, by id.
pub fn owner_names(
    conn: &mut DbConnection,
    ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, String>> {
    Ok(accounts::table
        .filter(accounts::id.eq_any(ids))
        .select((accounts::id, accounts::username))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// A token's owner as authentication needs it: role and whether disabled; `None` when it has none or
/// the account is gone.
type OwnerState = Option<(Role, bool)>;

/// The token with this id and its owner's state, in one indexed read: every authenticated request
/// pays for it, so it is one statement, not two, and kept prepared (see [`super::one_row`]). It runs
/// on the concrete connection: there its statement is found in the cache by its type, whereas through
/// the two-backend connection Diesel writes out its SQL on every call to look it up (which cost five
/// times what SQLite takes to run it).
fn token_with_owner(
    conn: &mut DbConnection,
    id: &str,
) -> QueryResult<Option<(TokenRow, OwnerState)>> {
    let rows = crate::on_backend!(conn, |c| api_tokens::table
        .left_join(accounts::table.on(api_tokens::owner_id.eq(accounts::id.nullable())))
        .filter(api_tokens::id.eq(id))
        .select((
            TokenRow::as_select(),
            (accounts::role, accounts::disabled).nullable(),
        ))
        .load(c))?;
    super::one_row(rows)
}

/// What a token of an owner in this state may do: nothing while the owner is disabled (or gone).
fn scopes_under_owner(row: &TokenRow, owner: OwnerState) -> QueryResult<Option<Vec<Scope>>> {
    let scopes = row.scopes()?;
    if row.owner_id.is_none() {
        return Ok(Some(scopes));
    }
    Ok(match owner {
        Some((role, false)) => Some(
            scopes
                .into_iter()
                .filter(|scope| role.may_grant(*scope))
                .collect(),
        ),
        _ => None,
    })
}

/// When a token made at `now` to last `days` expires; without days it never does.
pub fn expiry(now: i64, days: Option<u32>) -> Result<Option<i64>, TokenError> {
    let Some(days) = days else {
        return Ok(None);
    };
    Ok(Some(now + i64::from(rules::token_days(days)?) * 86_400))
}

/// Creates a token and returns it with its secret, which is not stored and cannot be shown again.
pub fn create_token(
    conn: &mut DbConnection,
    spec: &TokenSpec,
    actor: &Actor,
    now: i64,
) -> Result<(TokenRow, String), TokenError> {
    // The rules the console checks too.
    let name = rules::token_name(spec.name)?;
    let scopes = rules::token_scopes(spec.scopes)?;
    let id = random_id();
    let secret = format!("{PREFIX}{id}_{}", random_secret());
    let row = TokenRow {
        id,
        name: name.to_owned(),
        secret_hash: digest(&secret),
        scopes: scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        created_by: actor.label(),
        created_at: now,
        expires_at: spec.expires_at,
        last_used_at: None,
        revoked_at: None,
        owner_id: spec.owner,
    };
    crate::db::write_transaction(conn, |conn| {
        diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::id.eq(&row.id),
                api_tokens::name.eq(&row.name),
                api_tokens::secret_hash.eq(&row.secret_hash),
                api_tokens::scopes.eq(&row.scopes),
                api_tokens::created_by.eq(&row.created_by),
                api_tokens::created_at.eq(row.created_at),
                api_tokens::expires_at.eq(row.expires_at),
                api_tokens::owner_id.eq(row.owner_id),
            ))
            .execute(conn)?;
        record(
            conn,
            actor,
            AuditAction::CreateToken,
            AuditOutcome::Success,
            json!({ "token_id": row.id, "name": row.name, "scopes": scopes, "expires_at": row.expires_at, "owner_id": row.owner_id }),
            now,
        )?;
        Ok::<_, TokenError>(())
    })?;
    Ok((row, secret))
}

/// Tokens not revoked, newest first (expired ones too, so an admin sees why a script stopped).
pub fn list_tokens(conn: &mut DbConnection) -> QueryResult<Vec<TokenRow>> {
    api_tokens::table
        .filter(api_tokens::revoked_at.is_null())
        .order((api_tokens::created_at.desc(), api_tokens::id))
        .select(TokenRow::as_select())
        .load(conn)
}

/// Revokes a token: the next request that carries it is refused.
pub fn revoke_token(
    conn: &mut DbConnection,
    id: &str,
    actor: &Actor,
    now: i64,
) -> Result<(), TokenError> {
    crate::db::write_transaction(conn, |conn| {
        let revoked = diesel::update(
            api_tokens::table
                .find(id)
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(now))
        .returning(api_tokens::name)
        .get_result::<String>(conn)
        .optional()?
        .ok_or_else(|| TokenError::NotFound(id.to_owned()))?;
        record(
            conn,
            actor,
            AuditAction::RevokeToken,
            AuditOutcome::Success,
            json!({ "token_id": id, "name": revoked }),
            now,
        )?;
        Ok(())
    })
}

/// Whether the token with this id is still valid (not revoked, not expired, its owner enabled), for a
/// long response that it opened.
pub fn token_is_valid(conn: &mut DbConnection, id: &str, now: i64) -> QueryResult<bool> {
    let Some((row, owner)) = token_with_owner(conn, id)? else {
        return Ok(false);
    };
    let live = row.revoked_at.is_none() && row.expires_at.is_none_or(|at| at > now);
    Ok(live && scopes_under_owner(&row, owner)?.is_some())
}

/// The token a bearer secret is, if it is valid now: known, matching, not revoked, not expired, its
/// owner enabled. Marks it used when it was last marked a minute ago or more.
pub fn authenticate_token(
    conn: &mut DbConnection,
    secret: &str,
    now: i64,
) -> QueryResult<Option<ValidToken>> {
    let token = find_token(conn, secret, now)?;
    if let Some(token) = token.as_ref().filter(|token| token.needs_marking(now)) {
        mark_token_used(conn, &token.row.id, now)?;
    }
    Ok(token)
}

/// [`authenticate_token`] without marking the token used: a read only, which does not wait for
/// writers (see [`crate::db::with_quick_read`]). The caller marks it when [`ValidToken::needs_marking`].
pub fn find_token(
    conn: &mut DbConnection,
    secret: &str,
    now: i64,
) -> QueryResult<Option<ValidToken>> {
    let Some(id) = secret
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split_once('_'))
        .map(|(id, _)| id)
    else {
        return Ok(None);
    };
    let Some((row, owner)) = token_with_owner(conn, id)? else {
        return Ok(None);
    };
    let valid = same_secret(&digest(secret), &row.secret_hash)
        && row.revoked_at.is_none()
        && row.expires_at.is_none_or(|at| at > now);
    if !valid {
        return Ok(None);
    }
    let Some(scopes) = scopes_under_owner(&row, owner)? else {
        return Ok(None);
    };
    Ok(Some(ValidToken { row, scopes }))
}

impl ValidToken {
    /// Whether its last use is recorded a minute ago or more (or never): the list of tokens shows it,
    /// and writing it on every request would make each one a write.
    pub fn needs_marking(&self, now: i64) -> bool {
        self.row.last_used_at.is_none_or(|at| now - at >= 60)
    }
}

/// Records that the token with this id was used at `now`.
pub fn mark_token_used(conn: &mut DbConnection, id: &str, now: i64) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::last_used_at.eq(now))
        .execute(conn)?;
    Ok(())
}
