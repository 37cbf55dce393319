//! The counts of failed sign-ins that throttling reads (see `auth::throttle` for the policy). An attempt
//! is counted before its password is checked, in one write transaction with the check of the counts, so
//! that parallel guesses cannot all pass the check before the first failure is counted; a correct
//! password takes its attempt back.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::login_failures;
use crate::auth::throttle::{Counter, MEMORY_SECONDS};

/// Counts an attempt against each counter, unless one of them makes attempts wait: then nothing is
/// counted, and the answer is how many seconds to wait.
pub fn reserve_attempt(
    conn: &mut DbConnection,
    counters: &[Counter],
    now: i64,
) -> QueryResult<Option<u64>> {
    crate::db::write_transaction(conn, |conn| {
        let keys: Vec<&str> = counters.iter().map(|c| c.key.as_str()).collect();
        crate::db::lock_keys_for_transaction(conn, &keys)?;
        let counted: Vec<(String, i32, i64)> = login_failures::table
            .filter(login_failures::key.eq_any(&keys))
            .load(conn)?;
        let wait = counters
            .iter()
            .filter_map(|counter| {
                let (_, failures, last_at) = counted.iter().find(|row| row.0 == counter.key)?;
                counter.wait(u32::try_from(*failures).unwrap_or(0), *last_at, now)
            })
            .max();
        if wait.is_some() {
            return Ok(wait);
        }
        let forgotten_before = now - MEMORY_SECONDS;
        for key in keys {
            let counted_again = (
                login_failures::failures.eq(diesel::dsl::case_when(
                    login_failures::last_at.lt(forgotten_before),
                    1.into_sql::<diesel::sql_types::Integer>(),
                )
                .otherwise(login_failures::failures + 1)),
                login_failures::last_at.eq(now),
            );
            crate::on_backend!(conn, |c| diesel::insert_into(login_failures::table)
                .values((
                    login_failures::key.eq(key),
                    login_failures::failures.eq(1),
                    login_failures::last_at.eq(now),
                ))
                .on_conflict(login_failures::key)
                .do_update()
                .set(counted_again)
                .execute(c))?;
        }
        diesel::delete(login_failures::table.filter(login_failures::last_at.lt(forgotten_before)))
            .execute(conn)?;
        Ok(None)
    })
}

/// Takes back the attempt a correct password made: counters a success clears are cleared, the others
/// lose the one attempt.
pub fn release_attempt(conn: &mut DbConnection, counters: &[Counter]) -> QueryResult<()> {
    for counter in counters {
        let row = login_failures::table.find(&counter.key);
        if counter.cleared_by_success {
            diesel::delete(row).execute(conn)?;
        } else {
            diesel::update(row.filter(login_failures::failures.gt(0)))
                .set(login_failures::failures.eq(login_failures::failures - 1))
                .execute(conn)?;
        }
    }
    Ok(())
}
