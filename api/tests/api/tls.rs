//! Built-in HTTPS (`--tls-cert`, `--tls-key`) with a self-signed certificate made for each test, and the
//! one-line start-up error for files that cannot serve.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{ADMIN_PASSWORD, TestApp, TestDatabase, sign_in_set_cookie, spawn_app_with};
use crate::process::BINARY;
use api::tls::TlsFiles;

/// A self-signed certificate for 127.0.0.1 and localhost, written as PEM into `dir`.
struct TestCertificate {
    files: TlsFiles,
    pem: String,
}

fn certificate_in(dir: &Path) -> TestCertificate {
    let made = rcgen::generate_simple_self_signed(["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap();
    let pem = made.cert.pem();
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, &pem).unwrap();
    std::fs::write(&files.key, made.key_pair.serialize_pem()).unwrap();
    TestCertificate { files, pem }
}

/// A client that trusts this certificate and no other, keeping cookies as a browser does.
fn trusting(certificate: &TestCertificate) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(certificate.pem.as_bytes()).unwrap())
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn https_app(dir: &Path) -> (TestApp, TestCertificate) {
    let certificate = certificate_in(dir);
    let files = certificate.files.clone();
    let app = spawn_app_with(|settings| settings.tls = Some(files)).await;
    (app, certificate)
}

#[actix_web::test]
async fn over_built_in_https_the_sign_in_cookie_is_host_prefixed_and_secure_and_hsts_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (app, certificate) = https_app(dir.path()).await;
    assert!(app.address.starts_with("https://"), "{}", app.address);
    let browser = trusting(&certificate);
    let response = app.post_login(&browser, "admin", ADMIN_PASSWORD).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let cookie = sign_in_set_cookie(&response).expect("a sign-in cookie");
    assert!(cookie.starts_with("__Host-sessions_console="), "{cookie}");
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"Secure"), "{cookie}");

    let sessions = browser
        .get(app.url("/api/v1/sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(sessions.status(), 200, "the cookie signs the browser in");
    assert_eq!(
        sessions.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[actix_web::test]
async fn plain_http_to_the_https_port_gets_no_answer() {
    let dir = tempfile::tempdir().unwrap();
    let (app, certificate) = https_app(dir.path()).await;
    let plain = app.address.replacen("https://", "http://", 1);
    let answer = reqwest::Client::new()
        .post(format!("{plain}/api/v1/auth/login"))
        .json(&json!({ "username": "admin", "password": ADMIN_PASSWORD }))
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    assert!(answer.is_err(), "plain HTTP was answered: {answer:?}");
    // The port still serves HTTPS.
    let health = trusting(&certificate)
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

/// Starts `sessions-api serve` as its own process on a free port, each of `flags` followed by its file;
/// its standard error is kept for [`ended`].
fn serve(database: &TestDatabase, flags: &[&str], files: &[&Path]) -> (std::process::Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = Command::new(BINARY);
    command
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--workers",
            "1",
        ])
        .args(
            flags
                .iter()
                .zip(files)
                .flat_map(|(flag, path)| [std::ffi::OsStr::new(flag), path.as_os_str()]),
        )
        .arg("--database-url")
        .arg(&database.url)
        .current_dir(database.dir.path())
        .env("SESSIONS_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env_remove("SESSIONS_TLS_CERT")
        .env_remove("SESSIONS_TLS_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    (command.spawn().unwrap(), port)
}

/// Waits for `child` to end (20 s at most, then kills it and fails); its exit code and standard error.
fn ended(mut child: std::process::Child) -> (Option<i32>, String) {
    use std::io::Read;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the server started with files it cannot serve");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status.code(), stderr)
}

#[actix_web::test]
async fn files_that_cannot_serve_end_start_up_with_one_line_and_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let good = certificate_in(dir.path());
    let other = {
        let other_dir = dir.path().join("other");
        std::fs::create_dir(&other_dir).unwrap();
        certificate_in(&other_dir)
    };
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a key at all\n").unwrap();
    let broken = dir.path().join("broken.pem");
    std::fs::write(&broken, "-----BEGIN PRIVATE KEY-----\nAAAA\n").unwrap();
    let missing = dir.path().join("missing.pem");
    let cases: [(&str, PathBuf, PathBuf, &str); 5] = [
        (
            "a missing key",
            good.files.cert.clone(),
            missing.clone(),
            "--tls-key",
        ),
        (
            "a key that is no PEM",
            good.files.cert.clone(),
            garbage.clone(),
            "no private key in it",
        ),
        (
            "a PEM key cut short",
            good.files.cert.clone(),
            broken,
            "not valid PEM",
        ),
        (
            "another certificate's key",
            good.files.cert.clone(),
            other.files.key.clone(),
            "--tls-cert",
        ),
        (
            "a certificate that is no PEM",
            garbage.clone(),
            good.files.key.clone(),
            "no certificate in it",
        ),
    ];
    let database = TestDatabase::new();
    for (what, cert, key, says) in cases {
        let (child, _) = serve(&database, &["--tls-cert", "--tls-key"], &[&cert, &key]);
        let (code, stderr) = ended(child);
        assert_eq!(code, Some(1), "{what}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
        assert!(
            stderr.starts_with("sessions-api: ") && stderr.contains(says),
            "{what}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    }
    let (child, _) = serve(&database, &["--tls-cert"], &[&good.files.cert]);
    let (code, stderr) = ended(child);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("go together"), "{stderr}");
}

#[actix_web::test]
async fn serve_with_both_flags_answers_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let certificate = certificate_in(dir.path());
    let database = TestDatabase::new();
    let (mut child, port) = serve(
        &database,
        &["--tls-cert", "--tls-key"],
        &[&certificate.files.cert, &certificate.files.key],
    );
    let client = trusting(&certificate);
    let started = Instant::now();
    loop {
        let health = client
            .get(format!("https://127.0.0.1:{port}/healthz"))
            .send()
            .await;
        if health.is_ok_and(|r| r.status() == 200) {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("serve ended: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no HTTPS answer"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let login = client
        .post(format!("https://127.0.0.1:{port}/api/v1/auth/login"))
        .json(&json!({ "username": "admin", "password": ADMIN_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    assert!(
        sign_in_set_cookie(&login).is_some_and(|c| c.starts_with("__Host-")),
        "{:?}",
        login.headers()
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
