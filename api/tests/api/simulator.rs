//! The demo's broker simulator, against a real server: it opens, heartbeats and ends sessions through the
//! broker API, and carries out the kills delivered to its webhook.

use std::net::TcpListener;

use api::dispatcher::Webhook;
use api::simulator::{Fleet, Options, Snapshot};
use serde_json::Value;
use shared::Scope;

use crate::delivery::eventually;
use crate::helpers::{TestApp, spawn_app_with};

const SECRET: &str = "the demo broker's shared secret";

/// A server delivering kills to a simulator playing `speed` times faster than real time.
async fn app_with_simulator(speed: f64) -> (TestApp, Fleet) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let webhook = Webhook {
        url: api::simulator::webhook_url(&listener).unwrap(),
        secret: SECRET.to_owned(),
        max_attempts: 10,
    };
    let app = spawn_app_with(move |settings| settings.broker_webhook = Some(webhook)).await;
    let options = Options {
        speed,
        ..Options::new(
            app.address.parse().unwrap(),
            app.token("demo", &[Scope::Broker]),
            SECRET.to_owned(),
        )
    };
    let simulator = api::simulator::start(listener, options).unwrap();
    let fleet = simulator.fleet();
    actix_web::rt::spawn(simulator.run_until_stopped());
    (app, fleet)
}

async fn total(app: &TestApp, status: &str) -> u64 {
    app.sessions_page(&[("status", status), ("limit", "1")])
        .await["total"]
        .as_u64()
        .unwrap()
}

/// Waits until the simulator runs at least one session, and returns the snapshot that shows it.
async fn running(fleet: &Fleet) -> Snapshot {
    eventually("the simulator to run a session", || async {
        !fleet.snapshot().running.is_empty()
    })
    .await;
    fleet.snapshot()
}

#[actix_web::test]
async fn the_simulator_opens_sessions_that_show_as_connected() {
    let (app, fleet) = app_with_simulator(20.0).await;
    eventually("a dozen Connected sessions", || async {
        total(&app, "Connected").await >= 12
    })
    .await;
    let page = app.sessions_page(&[("limit", "5")]).await;
    for item in page["items"].as_array().unwrap() {
        assert!(!item["name"].as_str().unwrap().is_empty());
        assert!(item["email"].as_str().unwrap().contains('@'));
        assert!(!item["app_name"].as_str().unwrap().is_empty());
    }
    eventually("a heartbeat round", || async {
        fleet.snapshot().heartbeat_rounds >= 1
    })
    .await;
    assert!(fleet.snapshot().opened_total >= 12);
}

#[actix_web::test]
async fn a_kill_is_delivered_to_the_simulator_which_stops_heartbeating_the_session() {
    // Five times faster: sessions live 12 seconds at least, longer than a kill takes to arrive.
    let (app, fleet) = app_with_simulator(5.0).await;
    let id = running(&fleet).await.running[0];

    assert_eq!(app.post_kill(id).await.status(), 200);
    eventually("the kill delivered", || async {
        app.session(id).await["delivery"]["state"] == "delivered"
    })
    .await;
    let after_kill = fleet.snapshot();
    assert!(!after_kill.running.contains(&id));
    assert_eq!(after_kill.kills_honoured, 1);

    let rounds = after_kill.heartbeat_rounds;
    eventually("two more heartbeat rounds", || async {
        fleet.snapshot().heartbeat_rounds >= rounds + 2
    })
    .await;
    let later = fleet.snapshot();
    assert!(!later.last_heartbeat.is_empty());
    assert!(
        !later.last_heartbeat.contains(&id),
        "no heartbeat for a killed session"
    );
    assert_eq!(app.session(id).await["status"], "Killed");
}

#[actix_web::test]
async fn sessions_the_simulator_ends_show_as_disconnected() {
    // Sixty times faster: lifetimes of one minute to twenty take one to twenty seconds.
    let (app, fleet) = app_with_simulator(60.0).await;
    eventually("a session to end", || async {
        !fleet.snapshot().ended.is_empty()
    })
    .await;
    let id = fleet.snapshot().ended[0];
    let ended = app.session(id).await;
    assert_eq!(ended["status"], "Disconnected");
    assert!(ended["end_time"].is_string());
    assert!(total(&app, "Disconnected").await >= 1);
}

#[actix_web::test]
async fn serving_the_demo_runs_the_simulator_with_a_broker_token_of_its_own() {
    let app = spawn_app_with(|settings| {
        settings.demo = true;
        settings.demo_sessions = 10;
        settings.demo_broker = true;
    })
    .await;
    eventually("sessions opened by the simulator", || async {
        app.sessions_page(&[("limit", "1")]).await["total"]
            .as_u64()
            .unwrap()
            > 10
    })
    .await;
    // The newest session is the simulator's: it has a broker behind it that carries out kills.
    let newest = app.sessions_page(&[("limit", "1")]).await["items"][0]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(app.post_kill(newest).await.status(), 200);
    eventually("the kill delivered to the demo broker", || async {
        app.session(newest).await["delivery"]["state"] == "delivered"
    })
    .await;
    let tokens: Value = app.get("/api/v1/tokens").await.json().await.unwrap();
    let demo: Vec<&Value> = tokens["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["name"] == api::simulator::DEMO_TOKEN_NAME)
        .collect();
    assert_eq!(demo.len(), 1);
    assert_eq!(demo[0]["scopes"], serde_json::json!(["broker"]));
}

#[actix_web::test]
async fn without_the_demo_broker_the_demo_stays_as_seeded() {
    let app = spawn_app_with(|settings| {
        settings.demo = true;
        settings.demo_sessions = 10;
    })
    .await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        app.sessions_page(&[("limit", "1")]).await["total"],
        10,
        "no session opened"
    );
}
