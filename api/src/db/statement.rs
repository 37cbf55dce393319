//! Pieces of SQL that keep a statement in the prepared-statement cache.
//!
//! Diesel prepares a statement once per connection only when every part of it says it may be cached;
//! `dsl::sql` never does (its text is taken as unknown), and SQLite itself prepares again a statement
//! whose `LIMIT ?` is bound anew, as it plans for the limit's value (a statement costs 50,000 to
//! 300,000 instructions to prepare, many times what running a small one costs). Both are fine on a
//! path taken now and then, not on one every page of sessions takes.

use std::marker::PhantomData;

use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::SqlType;
use diesel::{QueryResult, RunQueryDsl};

use super::Backend;

/// SQL text that is part of the program, so that (unlike `dsl::sql`) its statement can be cached.
/// The text is taken on trust, as `dsl::sql` takes it: it must be an expression of type `ST`.
#[derive(Debug, Clone, Copy)]
pub struct FixedSql<ST> {
    sql: &'static str,
    sql_type: PhantomData<ST>,
}

/// `sql`, an expression of type `ST`, as a cacheable part of a statement.
pub fn fixed_sql<ST>(sql: &'static str) -> FixedSql<ST> {
    FixedSql {
        sql,
        sql_type: PhantomData,
    }
}

impl<ST: SqlType + diesel::expression::TypedExpressionType> Expression for FixedSql<ST> {
    type SqlType = ST;
}

impl<ST, DB: diesel::backend::Backend> QueryFragment<DB> for FixedSql<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(self.sql);
        Ok(())
    }
}

impl<ST> QueryId for FixedSql<ST> {
    type QueryId = ();
    // The text is known at run time only: the cache keys the statement by its SQL.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<QS, ST> SelectableExpression<QS> for FixedSql<ST> where Self: Expression {}

impl<QS, ST> AppearsOnTable<QS> for FixedSql<ST> where Self: Expression {}

impl<ST, GB> ValidGrouping<GB> for FixedSql<ST> {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

/// `query` with `LIMIT n` written into its text rather than bound, so that SQLite plans it once per
/// limit and keeps it prepared. Callers round the limits they ask for to a few values, so that a
/// connection holds a few such statements, not one per limit a client tried.
#[derive(Debug, Clone)]
pub struct LiteralLimit<Q> {
    query: Q,
    limit: String,
}

/// `query` (which has no limit of its own) limited to `limit` rows.
pub fn literal_limit<Q>(query: Q, limit: u32) -> LiteralLimit<Q> {
    LiteralLimit {
        query,
        limit: limit.to_string(),
    }
}

impl<Q: Query> Query for LiteralLimit<Q> {
    type SqlType = Q::SqlType;
}

impl<Q: QueryFragment<Backend>> QueryFragment<Backend> for LiteralLimit<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(" LIMIT ");
        out.push_sql(&self.limit);
        Ok(())
    }
}

impl<Q> QueryId for LiteralLimit<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, Conn> RunQueryDsl<Conn> for LiteralLimit<Q> {}

/// Page sizes clients ask for most (the console's choices, the default and the maximum), plus the row
/// that tells whether another page follows.
const LIMIT_STEPS: [u32; 7] = [2, 11, 26, 51, 101, 201, 501];

/// The limit to write for a statement that needs `rows` rows: `rows` itself for the usual page sizes,
/// otherwise the next of those, so that a connection keeps a few such statements prepared. The caller
/// reads `rows` rows and stops.
pub fn limit_step(rows: u32) -> u32 {
    LIMIT_STEPS
        .into_iter()
        .find(|&step| step >= rows)
        .unwrap_or(rows)
}
