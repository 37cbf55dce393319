use std::path::PathBuf;

use api::config::Settings;
use api::db::DbPool;
use api::db::seed::{SessionSpec, add_session};
use api::startup::Application;
use reqwest::Response;
use serde_json::Value;
use shared::SessionStatus;
use tempfile::TempDir;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pool: DbPool,
    _dir: TempDir,
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

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let database = dir.path().join("sessions.db");
    let mut settings = Settings::new("127.0.0.1:0", database.to_str().unwrap());
    settings.static_dir = workspace_root().join("web/dist");
    settings.pool_size = 4;
    settings.workers = 2;
    adjust(&mut settings);
    let app = Application::build(settings)
        .await
        .expect("the server starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let pool = app.pool().clone();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        pool,
        _dir: dir,
    }
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
