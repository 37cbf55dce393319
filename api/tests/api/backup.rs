//! `sessions-api backup` and `restore`, as an operator runs them beside a live server.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api::db::DbPool;
use api::db::seed::{SessionSpec, add_session};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::Value;
use shared::SessionStatus;

use crate::helpers::{TestDatabase, on_postgres};
use crate::process::{BINARY, Process, client_with_token, token};

fn sessions_api(database: &TestDatabase, args: &[&str]) -> (bool, String) {
    let output = Command::new(BINARY)
        .args(args)
        .arg("--database-url")
        .arg(&database.url)
        .current_dir(database.dir.path())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn add(pool: &DbPool, n: i64) -> i64 {
    add_session(
        &mut pool.get().unwrap(),
        &SessionSpec {
            name: "Grace Hopper",
            email: &format!("grace{}@example.org", n % 7),
            app_name: "Compiler",
            start_time: 1_700_000_000 + n,
            end_time: None,
            status: SessionStatus::Connected,
        },
    )
    .unwrap()
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// The session ids in a SQLite file, read without changing it.
fn ids_in(file: &Path) -> Vec<i64> {
    let mut conn =
        SqliteConnection::establish(&format!("file:{}?mode=ro", file.display())).unwrap();
    diesel::sql_query("SELECT id FROM sessions ORDER BY id")
        .load::<Id>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|row| row.id)
        .collect()
}

fn integrity(file: &Path) -> String {
    let mut conn =
        SqliteConnection::establish(&format!("file:{}?mode=ro", file.display())).unwrap();
    diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check")
        .get_result::<Line>(&mut conn)
        .unwrap()
        .line
}

async fn total(client: &reqwest::Client, base: &str) -> u64 {
    let page: Value = client
        .get(format!("{base}/api/v1/sessions?limit=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["total"].as_u64().unwrap()
}

#[actix_web::test]
async fn on_postgres_backup_and_restore_point_to_pg_dump_and_pg_restore() {
    if !on_postgres() {
        return;
    }
    let database = TestDatabase::new();
    token(&database, "sessions:read");
    let file = database.dir.path().join("backup.db");
    let (ok, said) = sessions_api(&database, &["backup", "--to", file.to_str().unwrap()]);
    assert!(!ok && said.contains("pg_dump --format=custom"), "{said}");
    let (ok, said) = sessions_api(&database, &["restore", "--from", file.to_str().unwrap()]);
    assert!(!ok && said.contains("pg_restore"), "{said}");
    assert!(!file.exists());
}

#[actix_web::test]
async fn a_backup_of_a_database_being_written_to_has_every_session_committed_before_it_began() {
    if on_postgres() {
        return;
    }
    let database = TestDatabase::new();
    let secret = token(&database, "sessions:read");
    let server = Process::start(&database, &[] as &[&str], &[]).await;
    let pool = api::db::connect(&database.url, 1).unwrap();
    // This test's commits stay in the write-ahead log (no checkpoint folds them into the file), so a
    // copy that only read the file would miss them.
    pool.get()
        .unwrap()
        .batch_execute("PRAGMA wal_autocheckpoint = 0;")
        .unwrap();
    // Enough that the copy takes a while, and the writer's commits fall inside it.
    api::db::seed::seed(&mut pool.get().unwrap(), 100_000, 300, 1_700_000_000).unwrap();
    // A writer that goes on committing sessions, one transaction each, during the backup.
    let written = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (pool, written, stop) = (pool.clone(), written.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let id = add(&pool, n);
                written.lock().unwrap().push(id);
                n += 1;
            }
        })
    };
    while written.lock().unwrap().len() < 50 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let committed_before: Vec<i64> = ids_in_pool(&pool);
    let file = database.dir.path().join("backup.db");
    let before = written.lock().unwrap().len();
    let (ok, said) = sessions_api(&database, &["backup", "--to", file.to_str().unwrap()]);
    let during = written.lock().unwrap().len() - before;
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(ok, "{said}");
    assert!(during > 0, "the writer committed while the backup ran");
    eprintln!("{during} sessions committed while the backup ran");

    let backed_up = ids_in(&file);
    assert_eq!(integrity(&file), "ok");
    assert!(
        said.contains(&format!("backed up {} sessions", backed_up.len())),
        "{said}"
    );
    for id in &committed_before {
        assert!(
            backed_up.binary_search(id).is_ok(),
            "session {id} is missing"
        );
    }
    let everything = ids_in_pool(&pool);
    assert!(
        backed_up
            .iter()
            .all(|id| everything.binary_search(id).is_ok())
    );
    // One file, named only once whole: nothing partial left beside it.
    let names: Vec<String> = std::fs::read_dir(database.dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("backup.db"))
        .collect();
    assert_eq!(names, vec!["backup.db".to_owned()]);

    // An existing file is not replaced unless asked.
    add(&pool, 1_000_000);
    let (ok, said) = sessions_api(&database, &["backup", "--to", file.to_str().unwrap()]);
    assert!(!ok && said.contains("--force"), "{said}");
    assert_eq!(ids_in(&file), backed_up);
    let (ok, said) = sessions_api(
        &database,
        &["backup", "--to", file.to_str().unwrap(), "--force"],
    );
    assert!(ok, "{said}");
    assert_eq!(ids_in(&file), ids_in_pool(&pool));
    // Not even --force replaces the database with its own copy under a running server.
    let (ok, said) = sessions_api(&database, &["backup", "--to", &database.url, "--force"]);
    assert!(!ok && said.contains("the database itself"), "{said}");
    // The server went on serving throughout.
    assert_eq!(
        total(&client_with_token(&secret), &server.base).await as usize,
        ids_in_pool(&pool).len()
    );
}

fn ids_in_pool(pool: &DbPool) -> Vec<i64> {
    diesel::sql_query("SELECT id FROM sessions ORDER BY id")
        .load::<Id>(&mut **pool.get().unwrap())
        .unwrap()
        .into_iter()
        .map(|row| row.id)
        .collect()
}

#[actix_web::test]
async fn restore_refuses_a_database_in_use_and_puts_a_checked_backup_in_its_place() {
    if on_postgres() {
        return;
    }
    let database = TestDatabase::new();
    let secret = token(&database, "sessions:read");
    let server = Process::start(&database, &[] as &[&str], &[]).await;
    let pool = api::db::connect(&database.url, 1).unwrap();
    for n in 0..3 {
        add(&pool, n);
    }
    let file = database.dir.path().join("backup.db");
    let (ok, said) = sessions_api(&database, &["backup", "--to", file.to_str().unwrap()]);
    assert!(ok, "{said}");
    for n in 3..5 {
        add(&pool, n);
    }
    drop(pool);

    // While the server has it open, nothing is touched.
    let (ok, said) = sessions_api(&database, &["restore", "--from", file.to_str().unwrap()]);
    assert!(!ok && said.contains("in use"), "{said}");
    let client = client_with_token(&secret);
    assert_eq!(total(&client, &server.base).await, 5);

    // Not a database: refused before anything changes.
    let garbage = database.dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![7u8; 8192]).unwrap();
    server.crash();
    let (ok, said) = sessions_api(&database, &["restore", "--from", garbage.to_str().unwrap()]);
    assert!(!ok && said.contains("checking"), "{said}");
    assert_eq!(ids_in(Path::new(&database.url)).len(), 5);

    let (ok, said) = sessions_api(&database, &["restore", "--from", file.to_str().unwrap()]);
    assert!(ok, "{said}");
    assert!(said.contains("restored 3 sessions"), "{said}");
    let kept = said
        .lines()
        .find_map(|line| line.strip_prefix("kept the database it replaced as "))
        .expect("where the replaced database went");
    assert_eq!(ids_in(Path::new(kept)).len(), 5);

    // A server on the restored database serves what the backup held, and writes on.
    let server = Process::start(&database, &[] as &[&str], &[]).await;
    assert_eq!(total(&client, &server.base).await, 3);
    let pool = api::db::connect(&database.url, 1).unwrap();
    add(&pool, 9);
    pool.get()
        .unwrap()
        .batch_execute("SELECT count(*) FROM audit_log")
        .unwrap();
    assert_eq!(total(&client, &server.base).await, 4);
}
