//! Building and running the server. `Application::build` binds first, so callers (tests) learn the port.
//! With `--demo` it also starts the broker simulator (`crate::simulator`) and delivers kills to it.

use std::io::IsTerminal;
use std::net::TcpListener;
use std::path::Path;

use actix_web::dev::{Server, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{Compress, ErrorHandlerResponse, ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, ResponseError, get, web};
use anyhow::Context;
use futures_util::FutureExt;
use tokio::task::JoinHandle;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::auth::password::{check_new_password, hash_password, verify_against_nothing};
use crate::auth::secrets::random_password;
use crate::config::Settings;
use crate::db::accounts::{
    AccountError, FIRST_ADMIN, create_account, find_account, has_enabled_admin,
};
use crate::db::audit::Actor;
use crate::db::{self, DbConnection, DbPool};
use crate::dispatcher::{Dispatcher, deliver_kills};
use crate::error::{ApiError, problem_response};
use crate::metrics::{Metrics, RouteTable};
use crate::request_id::RequestIds;
use crate::routes::metrics::MetricSources;
use crate::shutdown::Stop;
use crate::simulator::DemoBroker;
use crate::{
    allowed_methods, auth, events, openapi, routes, security_headers, static_files, watchdog,
};
use shared::Problem;

pub struct Application {
    port: u16,
    https: bool,
    server: Server,
    pool: DbPool,
    /// The `--metrics-bind` server and its port.
    metrics_server: Option<(Server, u16)>,
    stop: Stop,
    stop_on_signals: bool,
    shutdown_timeout: std::time::Duration,
    /// The dispatcher and the watchdog, awaited when stopping.
    background: Vec<JoinHandle<()>>,
    /// The export slots: all given back once every export has finished and recorded its end.
    export_slots: std::sync::Arc<crate::slots::Slots>,
}

impl Application {
    /// Opens and migrates the database, seeds it when asked to, and binds the listener. With `demo` and
    /// `demo_broker` (and no webhook configured), also starts the broker simulator and delivers kills to it.
    pub async fn build(mut settings: Settings) -> anyhow::Result<Application> {
        // Before the database: a wrong file should end start-up before it migrates anything.
        let tls = settings
            .tls
            .as_ref()
            .map(crate::tls::server_config)
            .transpose()?;
        let pool = db::connect(&settings.database_url, settings.pool_size)?;
        if settings.demo {
            let pool = pool.clone();
            let count = settings.demo_sessions;
            db::with_db(&pool, move |conn| seed_if_empty(conn, count)).await?;
        }
        {
            let pool = pool.clone();
            let password = settings.admin_password.clone();
            let password_file = db::folder_of(&settings.database_url).join(PASSWORD_FILE);
            db::with_db(&pool, move |conn| {
                // Pays for the stand-in hash now, so the first sign-in with an unknown username is
                // not slower than the others (timing must not tell which accounts exist).
                verify_against_nothing("");
                create_first_admin(conn, password, &password_file)
            })
            .await?;
        }
        let demo_broker =
            if settings.demo && settings.demo_broker && settings.broker_webhook.is_none() {
                let pool = pool.clone();
                let demo_broker = db::with_db(&pool, move |conn| {
                    DemoBroker::prepare(conn, crate::clock::now())
                })
                .await?;
                settings.broker_webhook =
                    Some(demo_broker.webhook(settings.demo_delivery_attempts)?);
                Some(demo_broker)
            } else {
                None
            };
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let address = listener.local_addr()?;
        let port = address.port();
        let document = web::Data::new(openapi::openapi());
        let metrics = web::Data::new(Metrics::new(RouteTable::new(route_templates(&document))));
        let request_ids = web::Data::new(RequestIds::default());
        let (stop, stopping) = Stop::new();
        let app_pool = web::Data::new(pool.clone());
        let backend = web::Data::new(db::backend_of(&settings.database_url)?);
        let quick_pages = web::Data::new(db::quick_page::QuickPages::for_database(
            &settings.database_url,
        )?);
        let static_dir = settings.static_dir.clone();
        let csp = security_headers::content_security_policy(&static_dir);
        // Shared by all workers, so failures counted by one worker slow the next attempt on any other.
        let lifetime = web::Data::new(settings.sign_in_lifetime);
        let proxies = web::Data::new(settings.trusted_proxies.clone());
        let sign_in_checks = web::Data::new(crate::auth::password::SignInChecks::default());
        let event_hub = web::Data::new(events::EventHub::open(&pool).await?);
        let app_event_hub = event_hub.clone();
        let limits = settings.export_limits;
        let exports = web::Data::new(routes::export::Exports {
            pool: db::connect_more(&settings.database_url, limits.in_all)?,
            slots: crate::slots::Slots::new(limits.in_all as usize, limits.per_caller as usize),
            stall: limits.stall,
        });
        let (streams_in_all, streams_per_caller) = settings.stream_limits;
        let streams = web::Data::new(routes::events::Streams {
            slots: crate::slots::Slots::new(streams_in_all as usize, streams_per_caller as usize),
            stopping: stopping.clone(),
        });
        let export_slots = exports.slots.clone();
        let metrics_server = match &settings.metrics_bind {
            None => None,
            Some(bind) => Some(metrics_server(
                bind,
                MetricSources {
                    metrics: metrics.clone(),
                    pool: app_pool.clone(),
                    exports: exports.clone(),
                    streams: streams.clone(),
                },
                settings.shutdown_timeout.as_secs(),
            )?),
        };
        let app_metrics = metrics.clone();
        let database_url = web::Data::new(routes::DatabaseUrl(settings.database_url.clone()));
        let dispatcher = web::Data::new(Dispatcher::default());
        let app_dispatcher = dispatcher.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(auth::authenticate))
                .wrap(ErrorHandlers::new().default_handler(problem_for_bare_errors))
                .wrap(security_headers::security_headers(&csp))
                .wrap(from_fn(security_headers::strict_transport_security))
                .wrap(Compress::default())
                .wrap(from_fn(crate::metrics::record_requests))
                .wrap(from_fn(crate::request_id::trace_requests))
                .app_data(app_metrics.clone())
                .app_data(database_url.clone())
                .app_data(request_ids.clone())
                .app_data(lifetime.clone())
                .app_data(proxies.clone())
                .app_data(sign_in_checks.clone())
                .app_data(app_dispatcher.clone())
                .app_data(app_pool.clone())
                .app_data(backend.clone())
                .app_data(quick_pages.clone())
                .app_data(exports.clone())
                .app_data(streams.clone())
                .app_data(app_event_hub.clone())
                .app_data(document.clone())
                .app_data(routes::json_config())
                .app_data(routes::path_config())
                .configure(|cfg| {
                    routes::configure(&mut utoipa_actix_web::service_config::ServiceConfig::new(
                        cfg,
                    ))
                })
                .service(openapi_json)
                .service(
                    SwaggerUi::new("/api/docs/{_:.*}")
                        .config(Config::new(["/openapi.json"]).validator_url("none")),
                )
                .service(web::redirect("/api/docs", "/api/docs/"))
                .service(static_files::web_app(&static_dir))
        });
        // Over TLS, actix marks every request secure: the sign-in cookie becomes `__Host-` prefixed
        // and Secure, and HSTS is sent (see `client::client`).
        server = match tls {
            Some(config) => server.listen_rustls_0_23(listener, config)?,
            None => server.listen(listener)?,
        }
        // Stops are `Application::run_until_stopped`'s (event streams end first there).
        .disable_signals()
        .shutdown_timeout(settings.shutdown_timeout.as_secs());
        if settings.workers > 0 {
            server = server.workers(settings.workers);
        }
        let mut background = Vec::new();
        if let Some(webhook) = settings.broker_webhook.clone() {
            background.push(actix_web::rt::spawn(deliver_kills(
                pool.clone(),
                dispatcher,
                webhook,
                metrics.clone(),
                stopping.clone(),
            )));
        }
        let wake =
            (db::backend_of(&settings.database_url)? == db::BackendKind::Postgres).then(|| {
                let wake = std::sync::Arc::new(tokio::sync::Notify::new());
                crate::event_wakeup::listen(
                    db::with_connect_timeout(&settings.database_url),
                    &wake,
                );
                wake
            });
        actix_web::rt::spawn(events::publish_events(
            pool.clone(),
            event_hub.into_inner(),
            wake,
        ));
        background.push(actix_web::rt::spawn(watchdog::watch_heartbeats(
            pool.clone(),
            settings.heartbeat_timeout,
            metrics.into_inner(),
            stopping,
        )));
        if !settings.retention.is_off() {
            actix_web::rt::spawn(crate::retention::prune_periodically(
                pool.clone(),
                settings.retention,
            ));
        }
        let server = server.run();
        // After the server: the simulator calls it, and its first calls wait in the listen backlog.
        if let Some(demo_broker) = demo_broker {
            let simulator = demo_broker.start(address)?;
            actix_web::rt::spawn(simulator.run_until_stopped());
        }
        Ok(Application {
            port,
            https: settings.tls.is_some(),
            server,
            pool,
            metrics_server,
            stop,
            stop_on_signals: settings.stop_on_signals,
            shutdown_timeout: settings.shutdown_timeout,
            background,
            export_slots,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https` with `--tls-cert`, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// The port of the `--metrics-bind` server, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_server.as_ref().map(|(_, port)| *port)
    }

    /// Serves until the server fails or, when it stops on signals (`serve` does, a test server does
    /// not), until SIGTERM or Ctrl-C; then stops gracefully (see [`crate::shutdown`]).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let mut serving = actix_web::rt::spawn(self.server);
        let metrics_handle = self.metrics_server.map(|(server, _)| {
            let handle = server.handle();
            actix_web::rt::spawn(server);
            handle
        });
        let signal = if self.stop_on_signals {
            crate::shutdown::stop_signal().boxed()
        } else {
            std::future::pending().boxed()
        };
        let signal = tokio::select! {
            served = &mut serving => return served?,
            signal = signal => signal,
        };
        let timeout = self.shutdown_timeout;
        tracing::info!(
            signal,
            timeout_seconds = timeout.as_secs(),
            "stopping: accepting no more connections, finishing what is under way"
        );
        let deadline = actix_web::rt::time::Instant::now() + timeout;
        self.stop.begin();
        let export_slots = self.export_slots;
        let finishing = async move {
            let metrics_stopped = async {
                if let Some(handle) = metrics_handle {
                    handle.stop(true).await;
                }
            };
            futures_util::future::join(handle.stop(true), metrics_stopped).await;
            for task in self.background {
                let _ = task.await;
            }
            // An export's slot is given back once its end is in the audit log.
            while export_slots.in_use() > 0 {
                actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        };
        match tokio::time::timeout_at(deadline, finishing).await {
            Ok(()) => tracing::info!("stopped"),
            Err(_) => tracing::warn!(
                timeout_seconds = timeout.as_secs(),
                "stopped at the shutdown timeout, with work unfinished"
            ),
        }
        // The server's own task ends once its workers have.
        let _ = actix_web::rt::time::timeout(std::time::Duration::from_secs(1), serving).await;
        Ok(())
    }
}

/// Every route template the server answers, as actix spells them, for the metrics' `route` label: the
/// API's (from its OpenAPI document), the document itself, its viewer, and the web app's files.
fn route_templates(document: &utoipa::openapi::OpenApi) -> Vec<String> {
    let mut templates: Vec<String> = document.paths.paths.keys().cloned().collect();
    templates.extend(
        ["/openapi.json", "/api/docs", "/api/docs/{_:.*}", ""]
            .into_iter()
            .map(str::to_owned),
    );
    templates
}

/// The server of `--metrics-bind`: `GET /metrics` only, without credentials, on one worker.
fn metrics_server(
    bind: &str,
    sources: MetricSources,
    shutdown_timeout: u64,
) -> anyhow::Result<(Server, u16)> {
    let listener = TcpListener::bind(bind).with_context(|| format!("binding {bind}"))?;
    let port = listener.local_addr()?.port();
    let MetricSources {
        metrics,
        pool,
        exports,
        streams,
    } = sources;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(metrics.clone())
            .app_data(pool.clone())
            .app_data(exports.clone())
            .app_data(streams.clone())
            .service(routes::metrics::metrics_without_credentials)
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(shutdown_timeout)
    .listen(listener)?
    .run();
    tracing::info!(port, "serving /metrics without credentials on {bind}");
    Ok((server, port))
}

/// Makes sure someone can administer a new installation: when no enabled admin exists and no account is
/// named `admin`, creates `admin` with the configured password, or with a generated one printed once.
fn create_first_admin(
    conn: &mut DbConnection,
    configured: Option<String>,
    password_file: &Path,
) -> anyhow::Result<()> {
    if has_enabled_admin(conn)? {
        return Ok(());
    }
    if find_account(conn, FIRST_ADMIN)?.is_some() {
        tracing::warn!(
            "no enabled admin account exists; create one with `sessions-api user add NAME --role admin`"
        );
        return Ok(());
    }
    let (password, generated) = match configured {
        Some(password) => {
            check_new_password(&password)
                .map_err(|why| anyhow::anyhow!("SESSIONS_ADMIN_PASSWORD: {why}"))?;
            (password, false)
        }
        None => (random_password(), true),
    };
    let hash = hash_password(&password)?;
    let system = Actor {
        name: "first-start".to_owned(),
        ..Actor::cli()
    };
    match create_account(
        conn,
        FIRST_ADMIN,
        &hash,
        shared::Role::Admin,
        &system,
        chrono::Utc::now().timestamp(),
    ) {
        Ok(_) => {}
        // Another server on this database created it first.
        Err(AccountError::Exists(_)) => return Ok(()),
        Err(error) => return Err(error.into()),
    }
    if generated && !std::io::stdout().is_terminal() {
        // Standard output is a log file or a pipe, kept and shipped: the password goes to a file only
        // this user may read, and the log says where.
        write_private(password_file, &format!("{password}\n"))
            .with_context(|| format!("writing {}", password_file.display()))?;
        tracing::warn!(
            file = %password_file.display(),
            "created the first admin account '{FIRST_ADMIN}'; its generated password is in this file \
             (readable by this user only): sign in, change it, and delete the file"
        );
    } else if generated {
        // Printed, not logged: this is for the person starting the server.
        println!();
        println!("  Sessions Console: created the first administrator account.");
        println!();
        println!("    username: {FIRST_ADMIN}");
        println!("    password: {password}");
        println!();
        println!("  This password is shown only this once. Change it with");
        println!(
            "  `sessions-api user passwd {FIRST_ADMIN}`, or set SESSIONS_ADMIN_PASSWORD before"
        );
        println!("  the first start next time.");
        println!();
    } else {
        tracing::info!(
            "created the first admin account '{FIRST_ADMIN}' with SESSIONS_ADMIN_PASSWORD"
        );
    }
    Ok(())
}

/// Where the generated first password goes when standard output is no terminal, beside the database.
const PASSWORD_FILE: &str = "initial-admin-password";

/// Writes `text` to a new file readable and writable by this user only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

fn seed_if_empty(conn: &mut DbConnection, count: u64) -> anyhow::Result<()> {
    let seeded = db::seed::seed_if_empty(
        conn,
        count,
        db::seed::DEFAULT_ACTIVE,
        chrono::Utc::now().timestamp(),
    )?;
    if let Some(report) = seeded {
        tracing::info!(
            sessions = report.sessions,
            "seeded demo data into the empty database"
        );
    }
    Ok(())
}

/// The OpenAPI 3.1 document of this API.
#[get("/openapi.json")]
async fn openapi_json(document: web::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(document.as_ref())
}

/// Errors that actix-web answers by itself (no route, wrong method, oversized body...) come without a
/// body; give them the same problem+json body every other error has.
fn problem_for_bare_errors<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let (request, _) = response.into_parts();
    // actix answers a known path with an unknown method as 404 when the path's routes are guarded by
    // method; the OpenAPI document knows which methods each path has, so it can tell the two apart.
    let answer = match (
        status.as_u16(),
        allowed_methods::method_not_allowed(&request),
    ) {
        (404 | 405, Some(error)) => error.error_response(),
        (404, _) => ApiError::NotFound(format!(
            "no route answers {} {}",
            request.method(),
            request.path()
        ))
        .error_response(),
        _ => {
            let reason = status.canonical_reason().unwrap_or("Error");
            problem_response(Problem {
                problem_type: format!("urn:sessions-console:problem:http-{}", status.as_u16()),
                title: reason.to_owned(),
                status: status.as_u16(),
                detail: format!("{reason} ({} {})", request.method(), request.path()),
                request_id: crate::request_id::current().map(|id| id.to_string()),
            })
        }
    };
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, answer).map_into_right_body(),
    ))
}
