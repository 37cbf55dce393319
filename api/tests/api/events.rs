use std::pin::Pin;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde_json::{Value, json};
use shared::{Role, Scope, SessionStatus};

use crate::helpers::JsonAnswer;
use crate::helpers::{ADMIN_PASSWORD, TestApp, assert_problem, spawn_app, started_an_hour_ago};

/// Longest any test waits for one thing to arrive, so a bug fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(5);

/// One Server-Sent Event as a client sees it.
#[derive(Debug, Clone, PartialEq)]
struct Received {
    id: i64,
    event: String,
    data: Value,
}

/// A Server-Sent Events client reading `GET /api/v1/events` as text.
struct EventStream {
    chunks: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>>>>,
    text: String,
    ended: bool,
}

impl EventStream {
    /// Opens the stream; once this returns, the server is listening for this client.
    async fn open(
        app: &TestApp,
        client: &reqwest::Client,
        query: &[(&str, &str)],
        last_event_id: Option<i64>,
    ) -> EventStream {
        let mut request = client.get(app.url("/api/v1/events")).query(query);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = actix_web::rt::time::timeout(PATIENCE, request.send())
            .await
            .expect("the stream opens in time")
            .expect("the request is answered");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        EventStream {
            chunks: Box::pin(response.bytes_stream()),
            text: String::new(),
            ended: false,
        }
    }

    /// The next complete block of lines (an event, a comment, `retry`), or `None` once the stream ended.
    async fn next_block(&mut self, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(end) = self.text.find("\n\n") {
                let block = self.text[..end].to_owned();
                self.text.drain(..end + 2);
                return Some(block);
            }
            if self.ended {
                assert!(self.text.is_empty(), "the stream ended mid-event");
                return None;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match actix_web::rt::time::timeout(left, self.chunks.next()).await {
                Err(_) => panic!("nothing arrived within {within:?}; so far: {:?}", self.text),
                Ok(Some(chunk)) => self
                    .text
                    .push_str(std::str::from_utf8(&chunk.expect("the stream reads")).unwrap()),
                Ok(None) => self.ended = true,
            }
        }
    }

    /// The next event, skipping comments and `retry`; `None` once the stream ended.
    async fn next_event(&mut self, within: Duration) -> Option<Received> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let block = self.next_block(left).await?;
            if let Some(event) = parse_event(&block) {
                return Some(event);
            }
        }
    }

    /// Every event until the stream ends (it must end within `within`).
    async fn rest(&mut self, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        let mut events = Vec::new();
        while let Some(event) = self
            .next_event(deadline.saturating_duration_since(Instant::now()))
            .await
        {
            events.push(event);
        }
        events
    }
}

fn parse_event(block: &str) -> Option<Received> {
    let mut id = None;
    let mut event = None;
    let mut data = None;
    for line in block.lines() {
        if let Some(value) = line.strip_prefix("id: ") {
            id = Some(value.parse().expect("a numeric id"));
        } else if let Some(value) = line.strip_prefix("event: ") {
            event = Some(value.to_owned());
        } else if let Some(value) = line.strip_prefix("data: ") {
            assert!(data.is_none(), "one data line per event: {block:?}");
            data = Some(serde_json::from_str(value).expect("data is JSON"));
        }
    }
    let data: Value = data?;
    let id = id.expect("every event has an id");
    assert_eq!(data["id"], id, "the data's id is the event's id");
    Some(Received {
        id,
        event: event.expect("every event is named"),
        data,
    })
}

fn connected_sessions(app: &TestApp, count: usize) -> Vec<i64> {
    (0..count)
        .flat_map(|_| app.insert(&[started_an_hour_ago(SessionStatus::Connected)]))
        .collect()
}

#[actix_web::test]
async fn a_listening_client_sees_a_kill_within_a_second() {
    let app = spawn_app().await;
    let id = connected_sessions(&app, 1)[0];
    let mut stream = EventStream::open(&app, &app.client, &[], None).await;

    let started = Instant::now();
    assert_eq!(app.post_kill(id).await.status(), 200);
    let event = stream
        .next_event(PATIENCE)
        .await
        .expect("the stream goes on");
    let took = started.elapsed();
    eprintln!("the kill arrived {took:?} after it was sent");

    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert_eq!(event.event, "session");
    assert_eq!(event.data["kind"], "changed");
    assert_eq!(event.data["session"]["id"], id);
    assert_eq!(event.data["session"]["status"], "Killed");
    assert_eq!(event.data["session"]["killable"], false);
    assert_eq!(event.data["session"]["killed_by"], "token:test-suite");
}

#[actix_web::test]
async fn a_stream_starts_with_retry_and_is_not_compressed() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/v1/events"))
        .header("Accept-Encoding", "gzip, br")
        .send()
        .await
        .expect("the request is answered");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let encoding = response.headers().get("content-encoding");
    assert!(
        encoding.is_none_or(|value| value == "identity"),
        "not compressed, so nothing waits in a compressor: {encoding:?}"
    );
    let mut stream = EventStream {
        chunks: Box::pin(response.bytes_stream()),
        text: String::new(),
        ended: false,
    };
    assert_eq!(
        stream.next_block(PATIENCE).await.as_deref(),
        Some("retry: 2000")
    );
}

#[actix_web::test]
async fn reconnecting_with_last_event_id_replays_exactly_the_events_after_it() {
    let app = spawn_app().await;
    let ids = connected_sessions(&app, 5);
    let mut stream = EventStream::open(&app, &app.client, &[], None).await;
    for id in &ids {
        assert_eq!(app.post_kill(id).await.status(), 200);
    }
    let mut seen = Vec::new();
    for _ in &ids {
        seen.push(
            stream
                .next_event(PATIENCE)
                .await
                .expect("the stream goes on"),
        );
    }
    let killed: Vec<i64> = seen
        .iter()
        .map(|event| event.data["session"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(killed, ids);
    assert!(seen.windows(2).all(|pair| pair[0].id < pair[1].id));
    drop(stream);

    // What EventSource does after a dropped connection: the same URL, with the last id it got.
    let mut again =
        EventStream::open(&app, &app.client, &[("max_seconds", "1")], Some(seen[1].id)).await;
    assert_eq!(again.rest(PATIENCE).await, seen[2..]);

    // The same from the query, for clients that cannot send headers.
    let after = seen[3].id.to_string();
    let mut by_query = EventStream::open(
        &app,
        &app.client,
        &[("last_event_id", &after), ("max_seconds", "1")],
        None,
    )
    .await;
    assert_eq!(by_query.rest(PATIENCE).await, seen[4..]);
}

#[actix_web::test]
async fn replayed_events_are_followed_by_live_ones_without_repeats() {
    let app = spawn_app().await;
    let ids = connected_sessions(&app, 3);
    // Killed while nobody listens: only the log has it.
    assert_eq!(app.post_kill(ids[0]).await.status(), 200);
    let mut stream = EventStream::open(&app, &app.client, &[], Some(0)).await;
    let replayed = stream.next_event(PATIENCE).await.expect("the replay");
    assert_eq!(replayed.data["session"]["id"], ids[0]);

    assert_eq!(app.post_kill(ids[1]).await.status(), 200);
    assert_eq!(app.post_kill(ids[2]).await.status(), 200);
    let first = stream.next_event(PATIENCE).await.expect("a live event");
    let second = stream.next_event(PATIENCE).await.expect("a live event");
    assert_eq!(first.data["session"]["id"], ids[1]);
    assert_eq!(second.data["session"]["id"], ids[2]);
    assert!(replayed.id < first.id && first.id < second.id);
}

#[actix_web::test]
async fn a_session_the_broker_opens_arrives_as_opened() {
    let app = spawn_app().await;
    let broker = app.client_with_token(&app.token("platform-broker", &[Scope::Broker]));
    let mut stream = EventStream::open(&app, &app.client, &[], None).await;
    let response = broker
        .post(app.url("/api/v1/broker/sessions"))
        .json(&json!({ "sessions": [{
            "broker_session_id": "b-1",
            "name": "Joe Bloggs",
            "email": "joe@example.com",
            "app_name": "GIMP",
            "host": "host-eu-1",
            "start_time": "2026-11-28T09:00:00Z",
        }]}))
        .send()
        .await
        .expect("the request is answered");
    assert_eq!(response.status(), 200);
    let opened: Value = response.json().await.unwrap();

    let event = stream
        .next_event(PATIENCE)
        .await
        .expect("the stream goes on");
    assert_eq!(event.data["kind"], "opened");
    assert_eq!(event.data["session"]["id"], opened["sessions"][0]["id"]);
    assert_eq!(event.data["session"]["name"], "Joe Bloggs");
    assert_eq!(event.data["session"]["status"], "Connected");
}

#[actix_web::test]
async fn every_event_of_a_killed_session_carries_its_delivery_also_when_read_together() {
    let app = spawn_app().await;
    let token = app.token("platform-broker", &[Scope::Broker]);
    let broker = app.client_with_token(&token);
    let id = crate::delivery::open_sessions(&app, &token, 1).await[0];
    assert_eq!(app.post_kill(id).await.status(), 200);
    let pending: Value = broker
        .get(app.url("/api/v1/broker/kills"))
        .json_answer()
        .await;
    let key = pending["items"][0]["idempotency_key"].clone();
    let ack = broker
        .post(app.url("/api/v1/broker/kills/ack"))
        .json(&json!({ "idempotency_keys": [key] }))
        .send()
        .await
        .unwrap();
    assert_eq!(ack.status(), 200);

    // Replayed from the start, the opening, the kill and the delivery are read in one batch.
    // On PostgreSQL events get their positions just after commit; the stream lasts long enough for that.
    let mut replay = EventStream::open(&app, &app.client, &[("max_seconds", "3")], Some(0)).await;
    let changes: Vec<Received> = replay
        .rest(PATIENCE)
        .await
        .into_iter()
        .filter(|event| event.data["kind"] == "changed")
        .collect();
    assert!(changes.len() >= 2, "the kill and its delivery: {changes:?}");
    for change in &changes {
        let session = &change.data["session"];
        assert_eq!(session["id"], id);
        assert_eq!(session["delivery"]["state"], "delivered", "{change:?}");
        assert_eq!(session["delivery"]["attempts"], 1, "{change:?}");
    }
}

#[actix_web::test]
async fn sessions_written_without_the_broker_and_unchanged_heartbeats_make_no_events() {
    let app = spawn_app().await;
    app.seed(2_000);
    connected_sessions(&app, 3);
    // Sets the status to what it already is: a change of nothing.
    app.execute("UPDATE sessions SET status = status, killed_by = killed_by");
    let mut stream = EventStream::open(&app, &app.client, &[("max_seconds", "1")], Some(0)).await;
    assert_eq!(stream.rest(PATIENCE).await, Vec::new());
}

#[actix_web::test]
async fn a_stream_ends_after_max_seconds() {
    let app = spawn_app().await;
    let started = Instant::now();
    let mut stream = EventStream::open(&app, &app.client, &[("max_seconds", "1")], None).await;
    assert_eq!(stream.rest(PATIENCE).await, Vec::new());
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(3),
        "took {took:?}"
    );
}

#[actix_web::test]
async fn a_signed_in_console_follows_the_stream_with_its_cookie() {
    let app = spawn_app().await;
    app.add_account("viewer", Role::Viewer, ADMIN_PASSWORD);
    let viewer = app.sign_in("viewer", ADMIN_PASSWORD).await;
    let id = connected_sessions(&app, 1)[0];
    let mut stream = EventStream::open(&app, &viewer.client, &[], None).await;
    assert_eq!(app.post_kill(id).await.status(), 200);
    let event = stream
        .next_event(PATIENCE)
        .await
        .expect("the stream goes on");
    assert_eq!(event.data["session"]["id"], id);
}

#[actix_web::test]
async fn the_stream_is_refused_without_credentials_or_without_sessions_read() {
    let app = spawn_app().await;
    let anonymous = app
        .anonymous()
        .get(app.url("/api/v1/events"))
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401, "sign in").await;

    let broker = app.client_with_token(&app.token("platform-broker", &[Scope::Broker]));
    let refused = broker.get(app.url("/api/v1/events")).send().await.unwrap();
    assert_problem(refused, 403, "sessions:read").await;
}

#[actix_web::test]
async fn invalid_parameters_are_refused_with_400() {
    let app = spawn_app().await;
    for (query, mentions) in [
        ("max_seconds=0", "max_seconds"),
        ("max_seconds=3601", "max_seconds"),
        ("last_event_id=-1", "last_event_id"),
        ("last_event_id=x", "last_event_id"),
        ("since=1", "unknown parameter"),
    ] {
        let response = app.get(&format!("/api/v1/events?{query}")).await;
        assert_problem(response, 400, mentions).await;
    }
    let response = app
        .client
        .get(app.url("/api/v1/events"))
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap();
    assert_problem(response, 400, "Last-Event-ID").await;
}

#[actix_web::test]
async fn a_kill_through_one_node_reaches_the_streams_of_the_other_within_a_second() {
    let a = spawn_app().await;
    let b = crate::nodes::second_node(&a).await;
    let id = connected_sessions(&a, 1)[0];
    let mut on_b = EventStream::open(&b, &b.client, &[], None).await;

    let started = Instant::now();
    assert_eq!(a.post_kill(id).await.status(), 200);
    let event = on_b.next_event(PATIENCE).await.expect("the stream goes on");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert_eq!(event.data["session"]["id"], id);
    assert_eq!(event.data["session"]["status"], "Killed");

    // Last-Event-ID resumes on either node.
    let mut on_a = EventStream::open(&a, &a.client, &[], Some(event.id - 1)).await;
    let replayed = on_a.next_event(PATIENCE).await.expect("the replay");
    assert_eq!(replayed, event);
}

/// On PostgreSQL transactions run side by side, so an event can commit after one with a higher id. A
/// stream that had moved past the newer event would never send the older one; it must hold back until
/// the older transaction ends, then send both in commit-safe order, each once.
#[actix_web::test]
async fn an_event_committed_after_a_newer_one_is_sent_once_and_in_order() {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;
    if !crate::helpers::on_postgres() {
        // SQLite has one writer: events commit in the order of their ids.
        return;
    }
    let app = spawn_app().await;
    let ids = connected_sessions(&app, 2);
    let mut stream = EventStream::open(&app, &app.client, &[], None).await;
    let mut slow = diesel::PgConnection::establish(&app.database).unwrap();
    // A change that makes an event and locks no row the kill below needs (a status change would hold
    // the counter rows the kill also updates).
    slow.batch_execute(&format!(
        "BEGIN; UPDATE sessions SET killed_by = 'a slow transaction' WHERE id = {}",
        ids[0]
    ))
    .unwrap();
    assert_eq!(app.post_kill(ids[1]).await.status(), 200);
    let early =
        actix_web::rt::time::timeout(Duration::from_millis(1500), stream.next_event(PATIENCE))
            .await;
    assert!(
        early.is_err(),
        "nothing is sent while an older transaction may still add an event: {early:?}"
    );

    slow.batch_execute("COMMIT").unwrap();
    let first = stream.next_event(PATIENCE).await.expect("the older event");
    let second = stream.next_event(PATIENCE).await.expect("the newer event");
    let sessions = [&first, &second].map(|event| event.data["session"]["id"].as_i64().unwrap());
    assert_eq!(sessions, [ids[0], ids[1]]);
    assert!(first.id < second.id);

    // On PostgreSQL events get their positions just after commit; the stream lasts long enough for that.
    let mut replay = EventStream::open(&app, &app.client, &[("max_seconds", "3")], Some(0)).await;
    let replayed: Vec<(i64, i64)> = replay
        .rest(PATIENCE)
        .await
        .iter()
        .map(|event| (event.id, event.data["session"]["id"].as_i64().unwrap()))
        .collect();
    assert_eq!(replayed, [(first.id, ids[0]), (second.id, ids[1])]);
}

/// Longest a stream may go on after its credential stops holding.
const CREDENTIAL_GRACE: Duration = Duration::from_secs(5);

/// Reads the stream until it ends; fails if it does not end within [`CREDENTIAL_GRACE`].
async fn ends_soon(mut stream: EventStream) {
    // `rest` fails when nothing (not even the end) arrives in time.
    stream.rest(CREDENTIAL_GRACE).await;
}

#[actix_web::test]
async fn a_stream_ends_within_seconds_once_its_token_is_revoked() {
    let app = spawn_app().await;
    let secret = app.token("watcher", &[Scope::SessionsRead]);
    let stream = EventStream::open(&app, &app.client_with_token(&secret), &[], None).await;
    let id = secret
        .strip_prefix("sct_")
        .unwrap()
        .split('_')
        .next()
        .unwrap();
    let revoked = app
        .client
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    ends_soon(stream).await;
}

#[actix_web::test]
async fn a_signed_in_stream_ends_within_seconds_once_its_account_is_disabled() {
    let app = spawn_app().await;
    app.add_account("viewer", Role::Viewer, ADMIN_PASSWORD);
    let viewer = app.sign_in("viewer", ADMIN_PASSWORD).await;
    let stream = EventStream::open(&app, &viewer.client, &[], None).await;
    let disabled = app
        .client
        .patch(app.url("/api/v1/accounts/viewer"))
        .json(&json!({ "disabled": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 200);
    ends_soon(stream).await;
}

#[actix_web::test]
async fn a_signed_in_stream_ends_within_seconds_once_its_user_signs_out() {
    let app = spawn_app().await;
    let admin = app.sign_in("admin", ADMIN_PASSWORD).await;
    let stream = EventStream::open(&app, &admin.client, &[], None).await;
    let out = admin
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header("X-CSRF-Token", &admin.csrf_token)
        .header("Origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    ends_soon(stream).await;
}

#[actix_web::test]
async fn streams_beyond_the_callers_cap_are_refused_with_429() {
    let app = crate::helpers::spawn_app_with(|settings| settings.stream_limits = (3, 2)).await;
    let (first, second) = (
        app.client_with_token(&app.token("tab-1", &[Scope::SessionsRead])),
        app.client_with_token(&app.token("tab-2", &[Scope::SessionsRead])),
    );
    let _open = [
        EventStream::open(&app, &first, &[], None).await,
        EventStream::open(&app, &first, &[], None).await,
    ];
    let refused = first.get(app.url("/api/v1/events")).send().await.unwrap();
    assert_eq!(refused.headers()["retry-after"], "5");
    assert_problem(refused, 429, "token:tab-1 has 2 event streams open already").await;
    let _third = EventStream::open(&app, &second, &[], None).await;
    let refused = second.get(app.url("/api/v1/events")).send().await.unwrap();
    assert_problem(refused, 429, "this server has 3 event streams open already").await;
}
