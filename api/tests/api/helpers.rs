use std::path::PathBuf;

use api::config::Settings;
use api::db::DbPool;
use api::db::seed::{SessionSpec, add_session};
use api::startup::Application;
use reqwest::Response;
use serde_json::Value;
use shared::{Role, Scope, SessionStatus};
use tempfile::TempDir;

/// The first admin's password in every test server.
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub address: String,
    /// Sends an API token with every scope, as a script would.
    pub client: reqwest::Client,
    pool: DbPool,
    /// The database's URL (or SQLite file), for a second node on it.
    pub database: String,
    _database: TestDatabase,
}

/// A browser-like client signed in with a cookie, and the CSRF token of its sign-in.
pub struct SignedIn {
    pub client: reqwest::Client,
    pub csrf_token: String,
}

/// The repository root, where `web/dist` is.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// Starts the server on a free port with a fresh, empty database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A new, empty database for one test, and a temporary folder for its files: a SQLite file in that
/// folder, or, when `SESSIONS_TEST_POSTGRES` gives the URL of a PostgreSQL cluster's `postgres`
/// database (as `cargo xtask test` does), a new database in that cluster. Both go when it is dropped.
pub struct TestDatabase {
    pub url: String,
    pub dir: TempDir,
    /// The cluster's URL and the database's name, on PostgreSQL.
    postgres: Option<(String, String)>,
}

/// Whether this run of the suite is on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("SESSIONS_TEST_POSTGRES").is_ok_and(|url| !url.is_empty())
}

impl TestDatabase {
    pub fn new() -> TestDatabase {
        use diesel::Connection;
        use diesel::connection::SimpleConnection;
        use std::sync::atomic::{AtomicU32, Ordering};
        static CREATED: AtomicU32 = AtomicU32::new(0);
        let dir = tempfile::tempdir().expect("a temporary folder");
        match std::env::var("SESSIONS_TEST_POSTGRES") {
            Ok(cluster) if !cluster.is_empty() => {
                let name = format!(
                    "test_{}_{}",
                    std::process::id(),
                    CREATED.fetch_add(1, Ordering::Relaxed)
                );
                diesel::PgConnection::establish(&cluster)
                    .expect("the test cluster answers")
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("a new test database");
                let (server, _) = cluster.rsplit_once('/').expect("a database URL");
                TestDatabase {
                    url: format!("{server}/{name}"),
                    dir,
                    postgres: Some((cluster, name)),
                }
            }
            _ => TestDatabase {
                url: dir.path().join("sessions.db").to_str().unwrap().to_owned(),
                dir,
                postgres: None,
            },
        }
    }

    /// On PostgreSQL, the URL of the cluster's `postgres` database and this database's name.
    pub fn postgres(&self) -> Option<(&str, &str)> {
        self.postgres
            .as_ref()
            .map(|(cluster, name)| (cluster.as_str(), name.as_str()))
    }
}

/// A whole run of the suite makes hundreds of databases: each is dropped with its test, so the cluster's
/// disk holds a few at a time. FORCE ends the connections of servers the test left running.
impl Drop for TestDatabase {
    fn drop(&mut self) {
        use diesel::Connection;
        use diesel::connection::SimpleConnection;
        let Some((cluster, name)) = &self.postgres else {
            return;
        };
        let dropped = diesel::PgConnection::establish(cluster)
            .map_err(|error| error.to_string())
            .and_then(|mut conn| {
                conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .map_err(|error| error.to_string())
            });
        if let Err(error) = dropped {
            eprintln!("the test database {name} stays: {error}");
        }
    }
}

/// What every in-process test server runs with, on `database`: a free port, the built console, a small
/// pool and the first admin's password.
pub fn test_settings(database: &TestDatabase) -> Settings {
    let mut settings = Settings::new("127.0.0.1:0", &database.url);
    settings.static_dir = workspace_root().join("web/dist");
    settings.pool_size = 4;
    settings.workers = 2;
    settings.admin_password = Some(ADMIN_PASSWORD.to_owned());
    settings
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let test_database = TestDatabase::new();
    let mut settings = test_settings(&test_database);
    adjust(&mut settings);
    let database = settings.database_url.clone();
    let app = Application::build(settings)
        .await
        .expect("the server starts");
    let address = format!("{}://127.0.0.1:{}", app.scheme(), app.port());
    let pool = app.pool().clone();
    actix_web::rt::spawn(app.run_until_stopped());
    let mut app = TestApp {
        address,
        client: reqwest::Client::new(),
        pool,
        database,
        _database: test_database,
    };
    app.client = app.client_with_token(&app.token("test-suite", &Scope::ALL));
    app
}

/// A session as the tests describe it; times in Unix seconds.
pub struct Fixture<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub app: &'a str,
    pub start: i64,
    pub end: Option<i64>,
    pub status: SessionStatus,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// A client without credentials.
    pub fn anonymous(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    /// Creates an API token the way `sessions-api token create` does, and returns its secret; it belongs
    /// to the first admin.
    pub fn token(&self, name: &str, scopes: &[Scope]) -> String {
        self.token_owned_by(name, scopes, "admin")
    }

    /// [`Self::token`] for a token that belongs to the account `owner`.
    pub fn token_owned_by(&self, name: &str, scopes: &[Scope], owner: &str) -> String {
        let mut conn = self.pool.get().unwrap();
        let owner = api::db::accounts::find_account(&mut conn, owner)
            .unwrap()
            .expect("the owner exists");
        let spec = api::db::tokens::TokenSpec {
            name,
            scopes,
            expires_at: None,
            owner: Some(owner.id),
        };
        api::db::tokens::create_token(&mut conn, &spec, &api::db::audit::Actor::cli(), now())
            .unwrap()
            .1
    }

    pub fn client_with_token(&self, secret: &str) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {secret}").parse().unwrap(),
        );
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap()
    }

    /// Creates an account the way `sessions-api user add` does.
    pub fn add_account(&self, username: &str, role: Role, password: &str) {
        let mut conn = self.pool.get().unwrap();
        let hash = api::auth::password::hash_password(password).unwrap();
        api::db::accounts::create_account(
            &mut conn,
            username,
            &hash,
            role,
            &api::db::audit::Actor::cli(),
            now(),
        )
        .unwrap();
    }

    pub async fn post_login(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> Response {
        client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("the request is answered")
    }

    /// Signs in through the API with a cookie-keeping client.
    pub async fn sign_in(&self, username: &str, password: &str) -> SignedIn {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let response = self.post_login(&client, username, password).await;
        assert_eq!(response.status(), 200, "signing in as {username}");
        let identity: Value = response.json().await.unwrap();
        SignedIn {
            client,
            csrf_token: identity["csrf_token"].as_str().unwrap().to_owned(),
        }
    }

    /// The audit log, oldest first, straight from the database.
    pub fn audit_log(&self) -> Vec<api::db::audit::AuditRow> {
        let mut conn = self.pool.get().unwrap();
        let mut rows = api::db::audit::list_entries(
            &mut conn,
            &api::db::audit::AuditFilter::default(),
            None,
            10_000,
        )
        .unwrap();
        rows.reverse();
        rows
    }

    /// Runs SQL on the test's database, to set up states no endpoint makes (an expired sign-in...).
    pub fn execute(&self, sql: &str) {
        use diesel::connection::SimpleConnection;
        self.pool.get().unwrap().batch_execute(sql).unwrap();
    }

    /// Writes sessions straight into the database (there is no create endpoint) and returns their ids.
    pub fn insert(&self, fixtures: &[Fixture]) -> Vec<i64> {
        let mut conn = self.pool.get().unwrap();
        fixtures
            .iter()
            .map(|f| {
                add_session(
                    &mut conn,
                    &SessionSpec {
                        name: f.name,
                        email: f.email,
                        app_name: f.app,
                        start_time: f.start,
                        end_time: f.end,
                        status: f.status,
                    },
                )
                .unwrap()
            })
            .collect()
    }

    pub fn seed(&self, count: u64) {
        let mut conn = self.pool.get().unwrap();
        api::db::seed::seed(
            &mut conn,
            count,
            api::db::seed::DEFAULT_ACTIVE,
            chrono::Utc::now().timestamp(),
        )
        .unwrap();
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the request is answered")
    }

    /// `GET /api/v1/sessions/{id}`, which must answer a session.
    pub async fn session(&self, id: i64) -> Value {
        self.client
            .get(self.url(&format!("/api/v1/sessions/{id}")))
            .json_answer()
            .await
    }

    pub async fn get_sessions(&self, query: &[(&str, &str)]) -> Response {
        self.client
            .get(self.url("/api/v1/sessions"))
            .query(query)
            .send()
            .await
            .expect("the request is answered")
    }

    /// A page that must succeed, as JSON.
    pub async fn sessions_page(&self, query: &[(&str, &str)]) -> Value {
        let response = self.get_sessions(query).await;
        assert_eq!(response.status(), 200, "for {query:?}");
        response.json().await.unwrap()
    }

    pub async fn post_kill(&self, id: impl std::fmt::Display) -> Response {
        self.client
            .post(self.url(&format!("/api/v1/sessions/{id}/kill")))
            .send()
            .await
            .expect("the request is answered")
    }

    pub async fn post_kill_many(&self, body: &Value) -> Response {
        self.client
            .post(self.url("/api/v1/sessions/kill"))
            .json(body)
            .send()
            .await
            .expect("the request is answered")
    }

    pub async fn get_export(&self, query: &[(&str, &str)]) -> Response {
        self.client
            .get(self.url("/api/v1/sessions/export"))
            .query(query)
            .send()
            .await
            .expect("the request is answered")
    }
}

/// Asserts an RFC 9457 problem answer with this status whose detail mentions `mentions`.
pub async fn assert_problem(response: Response, status: u16, mentions: &str) -> Value {
    assert_eq!(response.status(), status, "status of {}", response.url());
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:sessions-console:problem:")
    );
    assert!(body["title"].is_string());
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains(mentions),
        "detail {detail:?} should mention {mentions:?}"
    );
    body
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Unix seconds of an RFC 3339 time, for readable fixtures.
pub fn at(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp()
}

pub fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

/// An active or ended session that started an hour ago, for the authorization and audit tests.
pub fn started_an_hour_ago(status: SessionStatus) -> Fixture<'static> {
    let start = now() - 3600;
    Fixture {
        name: "Joe Bloggs",
        email: "joe@example.com",
        app: "GIMP",
        start,
        end: (!status.is_killable()).then_some(start + 600),
        status,
    }
}

/// The `Set-Cookie` line a response sends for the sign-in cookie, if any.
pub fn sign_in_set_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .find(|line| {
            [shared::SESSION_COOKIE, shared::SECURE_SESSION_COOKIE]
                .iter()
                .any(|name| line.starts_with(&format!("{name}=")))
        })
}

/// The details of an audit entry, as JSON.
pub fn details(row: &api::db::audit::AuditRow) -> Value {
    serde_json::from_str(&row.details).unwrap()
}

impl TestApp {
    /// A session's status as the database holds it.
    pub fn status_in_db(&self, id: i64) -> shared::SessionStatus {
        let mut conn = self.pool.get().unwrap();
        api::db::sessions::find_session(&mut conn, id)
            .unwrap()
            .row
            .status
    }

    /// The audit entries of one action, oldest first.
    pub fn audit_of(&self, action: &str) -> Vec<api::db::audit::AuditRow> {
        self.audit_log()
            .into_iter()
            .filter(|row| row.action == action)
            .collect()
    }

    /// A client that sends this sign-in cookie and keeps no other, as a browser that held on to it.
    pub fn client_with_cookie(&self, cookie: &str) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::COOKIE,
            format!("{}={cookie}", shared::SESSION_COOKIE)
                .parse()
                .unwrap(),
        );
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap()
    }

    /// Signs in with a client that keeps no cookies; returns the cookie's value and the CSRF token.
    pub async fn sign_in_by_hand(&self, username: &str, password: &str) -> (String, String) {
        let response = self.post_login(&self.anonymous(), username, password).await;
        assert_eq!(response.status(), 200, "signing in as {username}");
        let line = sign_in_set_cookie(&response).expect("the sign-in cookie is set");
        let value = line.split(';').next().unwrap().split_once('=').unwrap().1;
        let value = value.to_owned();
        let identity: Value = response.json().await.unwrap();
        (value, identity["csrf_token"].as_str().unwrap().to_owned())
    }
}

/// Sends a request that must be answered, and reads the answer's JSON body.
pub trait JsonAnswer {
    fn json_answer<T: serde::de::DeserializeOwned>(self) -> impl Future<Output = T>;
}

impl JsonAnswer for reqwest::RequestBuilder {
    async fn json_answer<T: serde::de::DeserializeOwned>(self) -> T {
        self.send()
            .await
            .expect("the request is answered")
            .json()
            .await
            .expect("the answer is JSON of the expected shape")
    }
}
