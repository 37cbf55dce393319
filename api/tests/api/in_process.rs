//! A server run inside another program's runtime, as this suite and an embedder run it: when that runtime
//! ends, the server lets go of its database, the pooled connections and PostgreSQL's event listener alike.
//! A run of this suite starts hundreds of servers against one cluster, so anything left behind piles up.

use std::time::{Duration, Instant};

use api::startup::Application;

use crate::helpers::{TestDatabase, test_settings};

#[test]
fn a_server_stopped_with_its_runtime_leaves_no_connection_to_its_database() {
    let database = TestDatabase::new();
    actix_web::rt::System::new().block_on(async {
        let app = Application::build(test_settings(&database))
            .await
            .expect("the server starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
        assert_eq!(ready.status(), 200);
        assert!(
            open_connections(&database) > 0,
            "a running server holds connections"
        );
    });

    let gone_by = Instant::now() + Duration::from_secs(5);
    loop {
        let open = open_connections(&database);
        if open == 0 {
            break;
        }
        assert!(
            Instant::now() < gone_by,
            "{open} connections to the database outlive the server's runtime"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sessions PostgreSQL serves on the database, or this process's open files of the SQLite database
/// (its `-wal` and `-shm` files included).
fn open_connections(database: &TestDatabase) -> usize {
    match database.postgres() {
        Some((cluster, name)) => {
            use diesel::prelude::*;
            use diesel::sql_types::{BigInt, Text};
            #[derive(QueryableByName)]
            struct Count {
                #[diesel(sql_type = BigInt)]
                count: i64,
            }
            let mut conn = PgConnection::establish(cluster).expect("the test cluster answers");
            let found: Count = diesel::sql_query(
                "SELECT count(*) AS count FROM pg_stat_activity WHERE datname = $1",
            )
            .bind::<Text, _>(name)
            .get_result(&mut conn)
            .unwrap();
            usize::try_from(found.count).unwrap()
        }
        None => {
            let file = std::fs::canonicalize(&database.url).expect("the SQLite file");
            let file = file.to_string_lossy();
            std::fs::read_dir("/proc/self/fd")
                .unwrap()
                .flatten()
                .filter(|fd| {
                    std::fs::read_link(fd.path())
                        .is_ok_and(|target| target.to_string_lossy().starts_with(&*file))
                })
                .count()
        }
    }
}
