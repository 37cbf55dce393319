//! Console accounts: who may sign in, with which role. Every change is audited in its own transaction.

use diesel::prelude::*;
use serde_json::json;
use shared::rules::{self, MAX_USERNAME_CHARS};
use shared::{AuditAction, AuditOutcome, Role};

use super::DbConnection;
use super::audit::{Actor, record};
use super::schema::{accounts, console_sessions};

/// The account created at first start.
pub const FIRST_ADMIN: &str = "admin";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: i64,
    pub password_changed_at: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    InvalidUsername(String),
    #[error("an account named '{0}' exists already")]
    Exists(String),
    #[error("no account is named '{0}'")]
    NotFound(String),
    #[error("this would leave no enabled admin; make another account admin first")]
    LastAdmin,
    #[error("nothing to change: give role or disabled")]
    NothingToChange,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// A username as stored (trimmed, lower case), by the rule the console checks too.
pub fn normalize_username(name: &str) -> Result<String, AccountError> {
    rules::username(name).map_err(|_| {
        AccountError::InvalidUsername(format!(
            "'{}' is not a valid username: use 1 to {MAX_USERNAME_CHARS} of a-z, 0-9, '.', '_' and \
             '-', starting with a letter or digit",
            name.trim().to_lowercase()
        ))
    })
}

pub fn find_account(conn: &mut DbConnection, username: &str) -> QueryResult<Option<AccountRow>> {
    accounts::table
        .filter(accounts::username.eq(username))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_accounts(conn: &mut DbConnection) -> QueryResult<Vec<AccountRow>> {
    accounts::table
        .order(accounts::username)
        .select(AccountRow::as_select())
        .load(conn)
}

/// Creates an account; `password_hash` is already Argon2id.
pub fn create_account(
    conn: &mut DbConnection,
    username: &str,
    password_hash: &str,
    role: Role,
    actor: &Actor,
    now: i64,
) -> Result<i64, AccountError> {
    let username = normalize_username(username)?;
    crate::db::write_transaction(conn, |conn| {
        crate::db::lock_for_transaction(conn, crate::db::TransactionLock::Accounts)?;
        if find_account(conn, &username)?.is_some() {
            return Err(AccountError::Exists(username.clone()));
        }
        let id = diesel::insert_into(accounts::table)
            .values((
                accounts::username.eq(&username),
                accounts::password_hash.eq(password_hash),
                accounts::role.eq(role),
                accounts::disabled.eq(false),
                accounts::created_at.eq(now),
                accounts::password_changed_at.eq(now),
            ))
            .returning(accounts::id)
            .get_result(conn)?;
        record(
            conn,
            actor,
            AuditAction::CreateAccount,
            AuditOutcome::Success,
            json!({ "account": username, "role": role }),
            now,
        )?;
        Ok(id)
    })
}

/// Sets a new password and signs the account out everywhere.
pub fn change_password(
    conn: &mut DbConnection,
    username: &str,
    password_hash: &str,
    actor: &Actor,
    now: i64,
) -> Result<(), AccountError> {
    change_account(
        conn,
        username,
        AuditAction::ChangePassword,
        actor,
        now,
        |conn, id| {
            diesel::update(accounts::table.find(id))
                .set((
                    accounts::password_hash.eq(password_hash),
                    accounts::password_changed_at.eq(now),
                ))
                .execute(conn)?;
            Ok(json!({}))
        },
    )
}

/// Disables an account and ends its sign-ins at once; its history stays.
pub fn disable_account(
    conn: &mut DbConnection,
    username: &str,
    actor: &Actor,
    now: i64,
) -> Result<(), AccountError> {
    change_account(
        conn,
        username,
        AuditAction::DisableAccount,
        actor,
        now,
        |conn, id| {
            diesel::update(accounts::table.find(id))
                .set(accounts::disabled.eq(true))
                .execute(conn)?;
            Ok(json!({}))
        },
    )
}

/// What an update changes; `None` leaves it.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountChanges {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// Changes an account's role or enables or disables it, and returns it as it is now.
pub fn update_account(
    conn: &mut DbConnection,
    username: &str,
    changes: AccountChanges,
    actor: &Actor,
    now: i64,
) -> Result<AccountRow, AccountError> {
    if changes.role.is_none() && changes.disabled.is_none() {
        return Err(AccountError::NothingToChange);
    }
    change_account(
        conn,
        username,
        AuditAction::UpdateAccount,
        actor,
        now,
        |conn, id| {
            if let Some(role) = changes.role {
                diesel::update(accounts::table.find(id))
                    .set(accounts::role.eq(role))
                    .execute(conn)?;
            }
            if let Some(disabled) = changes.disabled {
                diesel::update(accounts::table.find(id))
                    .set(accounts::disabled.eq(disabled))
                    .execute(conn)?;
            }
            Ok(json!({ "role": changes.role, "disabled": changes.disabled }))
        },
    )?;
    let username = normalize_username(username)?;
    find_account(conn, &username)?.ok_or(AccountError::NotFound(username))
}

/// Applies `change` to an existing account, ends its sign-ins (whoever held them must prove themselves
/// again) and records `action` with the details `change` returns, all in one transaction; refused when
/// it would leave the console without an enabled admin.
fn change_account(
    conn: &mut DbConnection,
    username: &str,
    action: AuditAction,
    actor: &Actor,
    now: i64,
    change: impl FnOnce(&mut DbConnection, i64) -> QueryResult<serde_json::Value>,
) -> Result<(), AccountError> {
    let username = normalize_username(username)?;
    crate::db::write_transaction(conn, |conn| {
        // Two admins demoting each other at once would each still see the other as an admin under
        // READ COMMITTED; taken one after the other, the second finds none left.
        crate::db::lock_for_transaction(conn, crate::db::TransactionLock::Accounts)?;
        let account = find_account(conn, &username)?
            .ok_or_else(|| AccountError::NotFound(username.clone()))?;
        let mut details = change(conn, account.id)?;
        if !has_enabled_admin(conn)? {
            return Err(AccountError::LastAdmin);
        }
        end_sign_ins(conn, account.id)?;
        details["account"] = json!(username);
        record(conn, actor, action, AuditOutcome::Success, details, now)?;
        Ok(())
    })
}

fn end_sign_ins(conn: &mut DbConnection, account_id: i64) -> QueryResult<usize> {
    diesel::delete(console_sessions::table.filter(console_sessions::account_id.eq(account_id)))
        .execute(conn)
}

/// Whether some enabled account can administer the console.
pub fn has_enabled_admin(conn: &mut DbConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        accounts::table
            .filter(accounts::role.eq(Role::Admin))
            .filter(accounts::disabled.eq(false)),
    ))
    .get_result(conn)
}
