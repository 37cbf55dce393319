//! Demo data: thousands of users with names from many languages, a few dozen apps, and sessions spread
//! over two years, the newest few hundred still active. Deterministic for a given size and clock.

use std::collections::HashSet;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use shared::SessionStatus;

use super::DbConnection;
use super::demo_names::{APPS, CULTURES};
use super::models::{NewApp, NewSession, NewUser, fold, sort_key};
use super::schema::{apps, sessions, users};

const DEMO_USERS: usize = 5_000;
/// Active sessions a seed leaves when not told otherwise: a few hundred, as on a busy afternoon.
pub const DEFAULT_ACTIVE: u64 = 300;
const TWO_YEARS: i64 = 2 * 365 * 24 * 3600;
const ACTIVE_WINDOW: i64 = 8 * 3600;
const ROWS_PER_INSERT: usize = 1_000;
/// Sessions per insert statement; each statement costs SQLite a savepoint over every dirty page.
const SESSIONS_PER_INSERT: usize = 20_000;

struct DemoUser {
    id: i64,
    name_key: String,
    email_key: String,
}

struct DemoApp {
    id: i64,
    key: String,
}

/// Rows gathered as one JSON array and inserted by a single statement: with per-row statements SQLite
/// spends most of a bulk load opening and closing statement savepoints (the counter triggers need them).
#[derive(Default)]
struct SessionBatch {
    json: String,
    len: usize,
}

impl SessionBatch {
    fn push(
        &mut self,
        user: &DemoUser,
        app: &DemoApp,
        start: i64,
        end: Option<i64>,
        status: SessionStatus,
    ) {
        let row = serde_json::json!([
            user.id,
            app.id,
            user.name_key,
            user.email_key,
            app.key,
            start,
            end,
            end.map(|end| end - start),
            status.as_str(),
        ]);
        self.json.push(if self.len == 0 { '[' } else { ',' });
        self.json.push_str(&row.to_string());
        self.len += 1;
    }

    fn insert(&mut self, conn: &mut DbConnection) -> QueryResult<()> {
        if self.len == 0 {
            return Ok(());
        }
        self.json.push(']');
        // One statement per batch, its rows in one JSON parameter: a few round trips for a million rows.
        let sql = match conn {
            DbConnection::Sqlite(_) => {
                "INSERT INTO sessions (user_id, app_id, name_key, email_key, app_key, start_time, \
                 end_time, ended_duration, status) \
                 SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, \
                 value ->> 6, value ->> 7, value ->> 8 FROM json_each(?)"
            }
            DbConnection::Postgres(_) => {
                "INSERT INTO sessions (user_id, app_id, name_key, email_key, app_key, start_time, \
                 end_time, ended_duration, status) \
                 SELECT (v ->> 0)::bigint, (v ->> 1)::bigint, v ->> 2, v ->> 3, v ->> 4, \
                 (v ->> 5)::bigint, (v ->> 6)::bigint, (v ->> 7)::bigint, v ->> 8 \
                 FROM jsonb_array_elements($1::jsonb) AS v"
            }
        };
        diesel::sql_query(sql)
            .bind::<diesel::sql_types::Text, _>(&self.json)
            .execute(conn)?;
        self.json.clear();
        self.len = 0;
        Ok(())
    }
}

/// What a seed wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub users: usize,
    pub apps: usize,
    pub sessions: u64,
}

/// Adds `count` demo sessions (and the demo users and apps, once) as of the clock `now`.
pub fn seed(conn: &mut DbConnection, count: u64, active: u64, now: i64) -> QueryResult<SeedReport> {
    Ok(seed_when(conn, count, active, now, false)?.expect("an unconditional seed seeds"))
}

/// [`seed`], but only into a database without sessions: servers started together with `--demo` on one
/// new database seed it once (the check and the seed are one transaction, taken in turn).
pub fn seed_if_empty(
    conn: &mut DbConnection,
    count: u64,
    active: u64,
    now: i64,
) -> QueryResult<Option<SeedReport>> {
    seed_when(conn, count, active, now, true)
}

fn seed_when(
    conn: &mut DbConnection,
    count: u64,
    active: u64,
    now: i64,
    only_if_empty: bool,
) -> QueryResult<Option<SeedReport>> {
    let mut rng = SmallRng::seed_from_u64(0x5E55_1075);
    // Sort-key indexes take rows in random order; with every index page cached the load runs at memory
    // speed instead of re-reading pages (a million rows: minutes without, seconds with).
    if let DbConnection::Sqlite(sqlite) = conn {
        sqlite.batch_execute("PRAGMA cache_size = -1048576;")?;
    }
    let report = crate::db::write_transaction(conn, |conn| {
        if only_if_empty {
            crate::db::lock_for_transaction(conn, crate::db::TransactionLock::Seed)?;
            if diesel::select(diesel::dsl::exists(sessions::table.select(sessions::id)))
                .get_result(conn)?
            {
                return Ok(None);
            }
        }
        let users = insert_users(conn, &mut rng)?;
        let apps = insert_apps(conn)?;
        // The last hours hold twice as many sessions as stay active: about half of them have ended.
        let recent = (2 * active).min(count / 5);
        let older = count - recent;
        let first_start = now - TWO_YEARS;
        let older_span = TWO_YEARS - ACTIVE_WINDOW;

        let mut batch = SessionBatch::default();
        for i in 0..count {
            let user = &users[rng.random_range(0..users.len())];
            // A few apps are used far more than others, as in real fleets.
            let app = &apps[(rng.random_range(0.0f64..1.0).powi(2) * apps.len() as f64) as usize];
            let start = if i < older {
                first_start
                    + (i as i128 * older_span as i128 / older.max(1) as i128) as i64
                    + rng.random_range(0..60)
            } else {
                let position = (i - older) as i64;
                (now - ACTIVE_WINDOW
                    + position * ACTIVE_WINDOW / recent.max(1) as i64
                    + rng.random_range(0..30))
                .min(now - 1)
            };
            let stays_active = i >= older && rng.random_bool(0.5);
            let (end, status) = if stays_active {
                let status = if rng.random_range(0..100) < 15 {
                    SessionStatus::Unknown
                } else {
                    SessionStatus::Connected
                };
                (None, status)
            } else {
                // Log-uniform from one minute to ten hours: many short sessions, some long ones.
                let duration = (rng.random_range(60f64.ln()..36_000f64.ln())).exp() as i64;
                let end = (start + duration).min(now);
                let status = if rng.random_range(0..100) < 12 {
                    SessionStatus::Killed
                } else {
                    SessionStatus::Disconnected
                };
                (Some(end), status)
            };
            batch.push(user, app, start, end, status);
            if batch.len == SESSIONS_PER_INSERT {
                batch.insert(conn)?;
            }
        }
        batch.insert(conn)?;
        if let DbConnection::Postgres(pg) = conn {
            // The demo users and apps were given their ids; the identities must go on after them.
            pg.batch_execute(
                "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
                 SELECT setval(pg_get_serial_sequence('apps', 'id'), (SELECT max(id) FROM apps));",
            )?;
        }
        Ok::<_, diesel::result::Error>(Some(SeedReport {
            users: users.len(),
            apps: apps.len(),
            sessions: count,
        }))
    })?;
    if let DbConnection::Sqlite(sqlite) = conn {
        sqlite.batch_execute(&format!("PRAGMA cache_size = -{};", super::CACHE_KIB))?;
    }
    if report.is_some() {
        super::optimize(conn)?;
    }
    Ok(report)
}

fn insert_users(conn: &mut DbConnection, rng: &mut SmallRng) -> QueryResult<Vec<DemoUser>> {
    let mut emails = HashSet::new();
    let mut people = Vec::with_capacity(DEMO_USERS);
    while people.len() < DEMO_USERS {
        let culture = &CULTURES[rng.random_range(0..CULTURES.len())];
        let (given, given_ascii) = culture.given[rng.random_range(0..culture.given.len())];
        let (family, family_ascii) = culture.family[rng.random_range(0..culture.family.len())];
        let name = if culture.family_first {
            format!("{family}{}{given}", culture.separator)
        } else {
            format!("{given}{}{family}", culture.separator)
        };
        let local = format!("{given_ascii}.{family_ascii}");
        let mut email = format!("{local}@{}", culture.domain);
        let mut n = 2;
        while !emails.insert(email.clone()) {
            email = format!("{local}{n}@{}", culture.domain);
            n += 1;
        }
        people.push((name, email));
    }
    let mut users = Vec::with_capacity(people.len());
    for (index, chunk) in people.chunks(ROWS_PER_INSERT).enumerate() {
        let folded: Vec<(String, String)> = chunk
            .iter()
            .map(|(name, email)| (fold(name), fold(email)))
            .collect();
        let rows: Vec<NewUser> = chunk
            .iter()
            .zip(&folded)
            .enumerate()
            .map(
                |(offset, ((name, email), (name_folded, email_folded)))| NewUser {
                    id: (index * ROWS_PER_INSERT + offset + 1) as i64,
                    name,
                    email,
                    name_folded,
                    email_folded,
                },
            )
            .collect();
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_or_ignore_into(users::table)
                .values(&rows)
                .execute(c)?,
            DbConnection::Postgres(c) => diesel::insert_into(users::table)
                .values(&rows)
                .on_conflict_do_nothing()
                .execute(c)?,
        };
        users.extend(rows.iter().map(|row| DemoUser {
            id: row.id,
            name_key: sort_key(row.name),
            email_key: sort_key(row.email),
        }));
    }
    Ok(users)
}

fn insert_apps(conn: &mut DbConnection) -> QueryResult<Vec<DemoApp>> {
    let rows: Vec<NewApp> = APPS
        .iter()
        .enumerate()
        .map(|(i, name)| NewApp {
            id: i as i64 + 1,
            name,
        })
        .collect();
    match conn {
        DbConnection::Sqlite(c) => diesel::insert_or_ignore_into(apps::table)
            .values(&rows)
            .execute(c)?,
        DbConnection::Postgres(c) => diesel::insert_into(apps::table)
            .values(&rows)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(rows
        .iter()
        .map(|row| DemoApp {
            id: row.id,
            key: sort_key(row.name),
        })
        .collect())
}

/// One session to add by hand, for tests and fixtures: the user (by email) and app are created on demand.
#[derive(Debug, Clone)]
pub struct SessionSpec<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub app_name: &'a str,
    pub start_time: i64,
    pub end_time: Option<i64>,
    pub status: SessionStatus,
}

/// Adds one session and returns its id.
pub fn add_session(conn: &mut DbConnection, spec: &SessionSpec) -> QueryResult<i64> {
    crate::db::write_transaction(conn, |conn| {
        let user_id: i64 = match users::table
            .filter(users::email.eq(spec.email))
            .select(users::id)
            .first(conn)
            .optional()?
        {
            Some(id) => id,
            None => diesel::insert_into(users::table)
                .values((
                    users::name.eq(spec.name),
                    users::email.eq(spec.email),
                    users::name_folded.eq(fold(spec.name)),
                    users::email_folded.eq(fold(spec.email)),
                ))
                .returning(users::id)
                .get_result(conn)?,
        };
        let app_id: i64 = match apps::table
            .filter(apps::name.eq(spec.app_name))
            .select(apps::id)
            .first(conn)
            .optional()?
        {
            Some(id) => id,
            None => diesel::insert_into(apps::table)
                .values(apps::name.eq(spec.app_name))
                .returning(apps::id)
                .get_result(conn)?,
        };
        let (name_key, email_key, app_key) = (
            sort_key(spec.name),
            sort_key(spec.email),
            sort_key(spec.app_name),
        );
        diesel::insert_into(sessions::table)
            .values(NewSession {
                user_id,
                app_id,
                name_key: &name_key,
                email_key: &email_key,
                app_key: &app_key,
                start_time: spec.start_time,
                end_time: spec.end_time,
                ended_duration: spec.end_time.map(|end| end - spec.start_time),
                status: spec.status,
            })
            .returning(sessions::id)
            .get_result(conn)
    })
}
