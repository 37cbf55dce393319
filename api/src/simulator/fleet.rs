//! The simulated platform: sessions start every few seconds (now and then several at once), heartbeat
//! in one batch every 15 seconds, and end after a minute to twenty. A few fall silent for some minutes,
//! long enough for the console's watchdog to mark them Unknown; about half of those come back.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::{
    BrokerSession, EndSessionsRequest, EndSessionsResult, EndedBrokerSession, HeartbeatsRequest,
    HeartbeatsResult, KillOrder, OpenSessionsRequest, OpenSessionsResult, Problem,
};

use super::names::{APPS, HOSTS_PER_REGION, PEOPLE, REGIONS};

/// Live sessions the simulator keeps at most.
pub const DEFAULT_MAX_SESSIONS: usize = 60;

/// How the simulator reaches the console and how it plays.
#[derive(Debug, Clone)]
pub struct Options {
    /// The console's base URL, as `http://127.0.0.1:8080`.
    pub console: url::Url,
    /// A token with the `broker` scope.
    pub token: String,
    /// The secret kills are signed with (the console's `SESSIONS_BROKER_SECRET`).
    pub secret: String,
    /// Time scale: 1 plays in real time, 20 plays twenty times faster (for tests).
    pub speed: f64,
    /// Live sessions kept at most.
    pub max_sessions: usize,
}

impl Options {
    pub fn new(console: url::Url, token: String, secret: String) -> Options {
        Options {
            console,
            token,
            secret,
            speed: 1.0,
            max_sessions: DEFAULT_MAX_SESSIONS,
        }
    }
}

/// The simulator's state, shared by the task that plays sessions and the webhook receiver.
#[derive(Debug, Clone, Default)]
pub struct Fleet(Arc<Mutex<State>>);

impl Fleet {
    /// What the simulator is doing now.
    pub fn snapshot(&self) -> Snapshot {
        self.0.lock().expect("fleet lock").snapshot()
    }
}

/// Simulated seconds between heartbeat rounds.
const HEARTBEAT_EVERY: f64 = 15.0;
/// Simulated seconds between two starts, drawn from this range.
const OPEN_EVERY: std::ops::Range<f64> = 2.0..6.0;
/// Chance that a start is a burst of several sessions (a class logging in together).
const BURST_CHANCE: f64 = 0.08;
const BURST_SIZE: std::ops::RangeInclusive<usize> = 3..=9;
/// Sessions started together when the simulator starts, so the screen is not empty at first.
const FIRST_WAVE: usize = 8;
/// Session lifetimes, simulated seconds: log-uniform, so many short sessions and some long ones.
const LIFETIME: std::ops::Range<f64> = 60.0..1_200.0;
/// Chance that a session's app hangs for a while, and that it recovers afterwards.
const SILENT_CHANCE: f64 = 0.05;
const RECOVERS_CHANCE: f64 = 0.5;
/// How long a hang lasts, simulated seconds: longer than the console's 90-second heartbeat timeout.
const SILENCE: std::ops::Range<f64> = 120.0..420.0;
const SUMMARY_EVERY: f64 = 60.0;
/// Console ids of recently ended sessions kept for [`Snapshot`].
const KEEP_ENDED: usize = 100;
const TIMEOUT: Duration = Duration::from_secs(10);

/// A session the simulator runs.
#[derive(Debug)]
struct Running {
    console_id: i64,
    ends_at: Instant,
    /// When its app hangs, and until when (`None`: it never answers again before it ends).
    silence: Option<(Instant, Option<Instant>)>,
}

impl Running {
    fn silent_at(&self, now: Instant) -> bool {
        self.silence
            .is_some_and(|(from, until)| from <= now && until.is_none_or(|until| now < until))
    }
}

#[derive(Debug, Default)]
pub(super) struct State {
    running: HashMap<String, Running>,
    ended: VecDeque<i64>,
    opened_total: u64,
    ended_total: u64,
    kills_honoured: u64,
    heartbeat_rounds: u64,
    last_heartbeat: Vec<i64>,
}

/// What the simulator is doing, for tests and summaries.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Console ids of the sessions running now, silent ones included.
    pub running: Vec<i64>,
    /// Of those, how many do not heartbeat now.
    pub silent: usize,
    /// Console ids of the latest sessions that ended normally, oldest first.
    pub ended: Vec<i64>,
    pub opened_total: u64,
    pub ended_total: u64,
    pub kills_honoured: u64,
    pub heartbeat_rounds: u64,
    /// Console ids sent in the latest heartbeat round.
    pub last_heartbeat: Vec<i64>,
}

impl State {
    pub(super) fn snapshot(&self) -> Snapshot {
        let now = Instant::now();
        Snapshot {
            running: self.running.values().map(|s| s.console_id).collect(),
            silent: self.running.values().filter(|s| s.silent_at(now)).count(),
            ended: self.ended.iter().copied().collect(),
            opened_total: self.opened_total,
            ended_total: self.ended_total,
            kills_honoured: self.kills_honoured,
            heartbeat_rounds: self.heartbeat_rounds,
            last_heartbeat: self.last_heartbeat.clone(),
        }
    }
}

impl Fleet {
    fn with<T>(&self, work: impl FnOnce(&mut State) -> T) -> T {
        work(&mut self.0.lock().expect("fleet lock"))
    }

    /// Stops the session a kill names, if it runs here; a repeated or unknown kill changes nothing.
    pub(super) fn honour_kill(&self, order: &KillOrder) {
        let stopped = self.with(|state| {
            let stopped = state.running.remove(&order.broker_session_id).is_some();
            if stopped {
                state.kills_honoured += 1;
            }
            stopped
        });
        if stopped {
            tracing::info!(
                session_id = order.session_id,
                broker_session_id = %order.broker_session_id,
                host = order.host.as_deref().unwrap_or("-"),
                killed_by = order.killed_by.as_deref().unwrap_or("-"),
                "demo broker: kill honoured, the app is stopped"
            );
        } else {
            tracing::debug!(
                key = %order.idempotency_key,
                broker_session_id = %order.broker_session_id,
                "demo broker: kill for a session not running here; acknowledged"
            );
        }
    }
}

pub(super) fn client(token: &str) -> anyhow::Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    let mut bearer: reqwest::header::HeaderValue = format!("Bearer {token}").parse()?;
    bearer.set_sensitive(true);
    headers.insert(reqwest::header::AUTHORIZATION, bearer);
    Ok(reqwest::Client::builder()
        .default_headers(headers)
        .timeout(TIMEOUT)
        .build()?)
}

/// An error with its causes, without the URL: the same failure on every path reads the same, so it is
/// logged once.
fn causes(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The simulator's side of the broker API, and its clock.
struct Player {
    fleet: Fleet,
    client: reqwest::Client,
    base: String,
    speed: f64,
    max_sessions: usize,
    rng: SmallRng,
    /// Tells this run's broker ids from an earlier run's.
    run: String,
    next_number: u64,
    /// The last failure logged, so a console that is down is reported once, not every second.
    last_error: Option<String>,
}

impl Player {
    /// Real time for `seconds` of simulated time.
    fn scaled(&self, seconds: f64) -> Duration {
        Duration::from_secs_f64(seconds / self.speed)
    }

    /// Real time for a random number of simulated seconds in `range`.
    fn random_wait(&mut self, range: std::ops::Range<f64>) -> Duration {
        let seconds = self.rng.random_range(range);
        self.scaled(seconds)
    }

    async fn call<B: Serialize, T: DeserializeOwned>(&mut self, path: &str, body: &B) -> Option<T> {
        let outcome = async {
            let response = self
                .client
                .post(format!("{}/api/v1/broker/{path}", self.base))
                .json(body)
                .send()
                .await
                .map_err(|e| format!("the console does not answer: {}", causes(e)))?;
            let status = response.status();
            if !status.is_success() {
                let detail = match response.json::<Problem>().await {
                    Ok(problem) => problem.detail,
                    Err(_) => String::new(),
                };
                return Err(format!("the console answered {status}: {detail}"));
            }
            response
                .json::<T>()
                .await
                .map_err(|e| format!("an answer not understood: {e}"))
        }
        .await;
        match outcome {
            Ok(answer) => {
                if self.last_error.take().is_some() {
                    tracing::info!("demo broker: the console answers again");
                }
                Some(answer)
            }
            Err(error) => {
                if self.last_error.as_ref() != Some(&error) {
                    tracing::warn!(path, error, "demo broker: a call to the console failed");
                    self.last_error = Some(error);
                }
                None
            }
        }
    }

    fn new_session(&mut self) -> BrokerSession {
        let (name, email) = PEOPLE[self.rng.random_range(0..PEOPLE.len())];
        let region = REGIONS[self.rng.random_range(0..REGIONS.len())];
        self.next_number += 1;
        BrokerSession {
            broker_session_id: format!("sim-{}-{:05}", self.run, self.next_number),
            name: name.to_owned(),
            email: email.to_owned(),
            app_name: APPS[self.rng.random_range(0..APPS.len())].to_owned(),
            host: format!(
                "host-{region}-{:02}",
                self.rng.random_range(1..=HOSTS_PER_REGION)
            ),
            start_time: chrono::Utc::now(),
        }
    }

    fn lifetime(&mut self) -> Running {
        let now = Instant::now();
        let mut seconds = self
            .rng
            .random_range(LIFETIME.start.ln()..LIFETIME.end.ln())
            .exp();
        let silence = if self.rng.random_bool(SILENT_CHANCE) {
            // Early in its life, and long enough before its end for the console to show it Unknown.
            let hangs_after = self.rng.random_range(10.0..(seconds * 0.3).max(11.0));
            seconds = seconds.max(hangs_after + SILENCE.start);
            let from = now + self.scaled(hangs_after);
            let until = if self.rng.random_bool(RECOVERS_CHANCE) {
                Some(from + self.random_wait(SILENCE))
            } else {
                None
            };
            Some((from, until))
        } else {
            None
        };
        Running {
            console_id: 0,
            ends_at: now + self.scaled(seconds),
            silence,
        }
    }

    async fn open(&mut self, wanted: usize) {
        let room = self.max_sessions - self.fleet.with(|s| s.running.len().min(self.max_sessions));
        let count = wanted.min(room);
        if count == 0 {
            return;
        }
        let sessions: Vec<BrokerSession> = (0..count).map(|_| self.new_session()).collect();
        let request = OpenSessionsRequest { sessions };
        let Some(opened) = self
            .call::<_, OpenSessionsResult>("sessions", &request)
            .await
        else {
            return;
        };
        let lives: Vec<Running> = opened.sessions.iter().map(|_| self.lifetime()).collect();
        self.fleet.with(|state| {
            for (session, mut running) in opened.sessions.into_iter().zip(lives) {
                running.console_id = session.id;
                state.running.insert(session.broker_session_id, running);
                state.opened_total += 1;
            }
        });
    }

    async fn heartbeat(&mut self) {
        let now = Instant::now();
        let (ids, console_ids): (Vec<String>, Vec<i64>) = self.fleet.with(|state| {
            state
                .running
                .iter()
                .filter(|(_, s)| !s.silent_at(now))
                .map(|(id, s)| (id.clone(), s.console_id))
                .unzip()
        });
        if ids.is_empty() {
            return;
        }
        let request = HeartbeatsRequest {
            broker_session_ids: ids,
        };
        let Some(answer) = self
            .call::<_, HeartbeatsResult>("heartbeats", &request)
            .await
        else {
            return;
        };
        self.fleet.with(|state| {
            // Killed (its delivery still on the way) or ended behind our back: stop it, as the
            // console asks.
            for id in &answer.not_active {
                state.running.remove(id);
            }
            state.heartbeat_rounds += 1;
            state.last_heartbeat = console_ids;
        });
    }

    async fn end_due(&mut self) {
        let now = Instant::now();
        let wall_now = chrono::Utc::now();
        // When each ended, in wall time: a retry after the console was away reports the real end.
        let due: Vec<(String, chrono::DateTime<chrono::Utc>)> = self.fleet.with(|state| {
            state
                .running
                .iter()
                .filter(|(_, s)| s.ends_at <= now)
                .map(|(id, s)| {
                    let late = chrono::Duration::from_std(now - s.ends_at).unwrap_or_default();
                    (id.clone(), wall_now - late)
                })
                .collect()
        });
        if due.is_empty() {
            return;
        }
        let request = EndSessionsRequest {
            sessions: due
                .into_iter()
                .map(|(id, end_time)| EndedBrokerSession {
                    broker_session_id: id,
                    end_time,
                })
                .collect(),
        };
        let Some(answer) = self
            .call::<_, EndSessionsResult>("sessions/end", &request)
            .await
        else {
            return;
        };
        self.fleet.with(|state| {
            for id in answer.ended {
                if let Some(session) = state.running.remove(&id) {
                    state.ended_total += 1;
                    state.ended.push_back(session.console_id);
                    if state.ended.len() > KEEP_ENDED {
                        state.ended.pop_front();
                    }
                }
            }
            for id in answer.already_ended.iter().chain(&answer.not_found) {
                state.running.remove(id);
            }
        });
    }

    fn summary(&self) {
        let s = self.fleet.snapshot();
        tracing::info!(
            running = s.running.len(),
            silent = s.silent,
            opened = s.opened_total,
            ended = s.ended_total,
            kills_honoured = s.kills_honoured,
            "demo broker: {} sessions running",
            s.running.len()
        );
    }
}

/// Plays sessions against the console until the task is aborted.
pub(super) async fn play(fleet: Fleet, client: reqwest::Client, options: Options) {
    let mut player = Player {
        fleet,
        client,
        base: options.console.as_str().trim_end_matches('/').to_owned(),
        speed: options.speed.clamp(0.01, 1_000.0),
        max_sessions: options.max_sessions,
        rng: SmallRng::seed_from_u64(getrandom::u64().unwrap_or(0x5E55)),
        run: crate::auth::secrets::random_id()[..6].to_owned(),
        next_number: 0,
        last_error: None,
    };
    tracing::info!(
        console = %player.base,
        max_sessions = player.max_sessions,
        "demo broker: playing sessions through the broker API"
    );
    player.open(FIRST_WAVE).await;
    let tick = player.scaled(0.5).min(Duration::from_millis(500));
    let mut next_open = Instant::now() + player.random_wait(OPEN_EVERY);
    let mut next_heartbeat = Instant::now() + player.scaled(HEARTBEAT_EVERY);
    let mut next_summary = Instant::now() + player.scaled(SUMMARY_EVERY);
    loop {
        actix_web::rt::time::sleep(tick).await;
        let now = Instant::now();
        if now >= next_open {
            let wanted = if player.rng.random_bool(BURST_CHANCE) {
                player.rng.random_range(BURST_SIZE)
            } else {
                1
            };
            player.open(wanted).await;
            next_open = now + player.random_wait(OPEN_EVERY);
        }
        player.end_due().await;
        if now >= next_heartbeat {
            player.heartbeat().await;
            next_heartbeat = now + player.scaled(HEARTBEAT_EVERY);
        }
        if now >= next_summary {
            player.summary();
            next_summary = now + player.scaled(SUMMARY_EVERY);
        }
    }
}
