//! The users and apps of a batch of sessions, looked up by id once per batch.

use std::collections::HashMap;

use diesel::prelude::*;

use super::DbConnection;
use super::schema::{apps, users};

/// Ids per `IN (...)` list, well under every backend's limit on bound parameters.
const IDS_PER_STATEMENT: usize = 1_000;

/// Names and emails of users, and names of apps, by id.
#[derive(Debug, Default)]
pub struct People {
    users: HashMap<i64, (String, String)>,
    apps: HashMap<i64, String>,
}

fn missing<T>(known: &HashMap<i64, T>, ids: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.filter(|id| !known.contains_key(id)).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

impl People {
    /// Loads the users and apps of `sessions` (user id, app id) that are not known yet.
    pub fn load(
        &mut self,
        conn: &mut DbConnection,
        sessions: impl Iterator<Item = (i64, i64)> + Clone,
    ) -> QueryResult<()> {
        for chunk in
            missing(&self.users, sessions.clone().map(|(user, _)| user)).chunks(IDS_PER_STATEMENT)
        {
            let found: Vec<(i64, String, String)> = users::table
                .filter(users::id.eq_any(chunk))
                .select((users::id, users::name, users::email))
                .load(conn)?;
            self.users.extend(
                found
                    .into_iter()
                    .map(|(id, name, email)| (id, (name, email))),
            );
        }
        for chunk in missing(&self.apps, sessions.map(|(_, app)| app)).chunks(IDS_PER_STATEMENT) {
            let found: Vec<(i64, String)> = apps::table
                .filter(apps::id.eq_any(chunk))
                .select((apps::id, apps::name))
                .load(conn)?;
            self.apps.extend(found);
        }
        Ok(())
    }

    /// Forgets everything once more than `limit` users or apps are held, so memory stays bounded.
    pub fn forget_beyond(&mut self, limit: usize) {
        if self.users.len() > limit {
            self.users.clear();
        }
        if self.apps.len() > limit {
            self.apps.clear();
        }
    }

    /// Name and email of a loaded user.
    pub fn person(&self, user_id: i64) -> Option<&(String, String)> {
        self.users.get(&user_id)
    }

    pub fn app_name(&self, app_id: i64) -> Option<&str> {
        self.apps.get(&app_id).map(String::as_str)
    }
}
