//! What an operator sees when the server cannot start: one line naming the problem, and a non-zero
//! exit; never a panic, a backtrace or a secret of the database URL.

use std::process::Command;

use crate::process::BINARY;

/// Runs `sessions-api` with `args` in a fresh folder; returns its exit status, its standard error and
/// the folder.
fn run(args: &[&str]) -> (std::process::ExitStatus, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BINARY)
        .args(args)
        .current_dir(dir.path())
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    (
        output.status,
        String::from_utf8_lossy(&output.stderr).into_owned(),
        dir,
    )
}

#[test]
fn a_database_url_of_an_unknown_scheme_is_refused_in_one_line_without_its_password() {
    for command in [
        &["serve"][..],
        &["user", "list"],
        &["seed", "--sessions", "1"],
    ] {
        let mut args = command.to_vec();
        args.extend([
            "--database-url",
            "mysql://console:s3cret@db.example/sessions",
        ]);
        let (status, stderr, dir) = run(&args);
        assert!(!status.success(), "{args:?}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains("'mysql://' is not a database"), "{stderr}");
        assert!(!stderr.contains("s3cret"), "{stderr}");
        assert!(
            std::fs::read_dir(dir.path()).unwrap().next().is_none(),
            "nothing was created for {args:?}"
        );
    }
}

#[test]
fn a_database_that_cannot_be_created_ends_start_up_in_one_line() {
    let (status, stderr, _dir) = run(&["serve", "--database-url", "/proc/no/such/folder/s.db"]);
    assert!(!status.success());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("sessions-api: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[cfg(unix)]
#[actix_web::test]
async fn a_new_database_and_its_folder_are_the_server_users_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("state/sessions.db");
    let path = database.to_str().unwrap().to_owned();
    let _app = crate::helpers::spawn_app_with(move |settings| settings.database_url = path).await;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&database), 0o600);
    assert_eq!(mode(database.parent().unwrap()), 0o700);
    assert_eq!(mode(&dir.path().join("state/sessions.db-wal")), 0o600);
}

/// Runs `serve` with this webhook for at most two seconds (one that accepts it goes on serving and is
/// stopped then); returns its exit status and standard error.
fn serve_with_webhook(webhook: &str, more: &[&str]) -> (std::process::ExitStatus, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BINARY)
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--broker-webhook",
            webhook,
        ])
        .args(more)
        .current_dir(dir.path())
        .env("SESSIONS_BROKER_SECRET", "a secret of sixteen characters")
        .env("RUST_LOG", "off")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none()
        && started.elapsed() < std::time::Duration::from_secs(2)
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    (
        output.status,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn kills_go_to_another_machine_over_https_only_unless_allowed() {
    let (status, stderr) = serve_with_webhook("http://user:pw@192.0.2.1/kills?key=k", &[]);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("use https://"), "{stderr}");
    assert!(
        !stderr.contains("pw") && !stderr.contains("key=k"),
        "{stderr}"
    );

    let (status, stderr) =
        serve_with_webhook("http://192.0.2.1/kills", &["--allow-insecure-webhook"]);
    assert_eq!(status.code(), None, "still serving when stopped: {stderr}");
    let (status, stderr) = serve_with_webhook("http://127.0.0.1:9/kills", &[]);
    assert_eq!(
        status.code(),
        None,
        "a broker on this machine may be plain HTTP: {stderr}"
    );
}

#[actix_web::test]
async fn the_webhook_is_logged_without_its_user_password_and_query() {
    let database = crate::helpers::TestDatabase::new();
    let server = crate::process::Process::start(
        &database,
        &[
            "--broker-webhook",
            "http://hook-user:hook-pw@127.0.0.1:9/kills?key=hook-key",
        ],
        &[("SESSIONS_BROKER_SECRET", "a secret of sixteen characters")],
    )
    .await;
    let log = server.log();
    assert!(log.contains("127.0.0.1:9/kills"), "{log}");
    for secret in ["hook-user", "hook-pw", "hook-key"] {
        assert!(!log.contains(secret), "{secret} in {log}");
    }
}

/// Standard output here is a file, as under a service manager: the generated password goes to a file
/// of the server's user alone, whose path is logged, and never into the log.
#[cfg(unix)]
#[actix_web::test]
async fn a_generated_first_password_goes_to_a_private_file_when_output_is_no_terminal() {
    use std::os::unix::fs::PermissionsExt;
    let database = crate::helpers::TestDatabase::new();
    let no_flags: [&str; 0] = [];
    let server =
        crate::process::Process::start(&database, &no_flags, &[("SESSIONS_ADMIN_PASSWORD", "")])
            .await;
    let file = database.dir.path().join("initial-admin-password");
    let password = std::fs::read_to_string(&file).unwrap().trim().to_owned();
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let log = server.log();
    assert!(log.contains("initial-admin-password"), "{log}");
    assert!(
        !log.contains(&password),
        "the password is not logged: {log}"
    );
    let signed_in = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&serde_json::json!({ "username": "admin", "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
}
