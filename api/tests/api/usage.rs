//! `GET /sessions/usage`: concurrent sessions over a range, counted exactly for hand-made sessions.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;
use shared::Scope;
use shared::SessionStatus::{Connected, Disconnected, Killed, Unknown};

use crate::helpers::{Fixture, TestApp, assert_problem, at, now, spawn_app};

/// A session of its own user; `end` None means still running.
fn session(
    name: &'static str,
    app: &'static str,
    start: i64,
    end: Option<i64>,
) -> Fixture<'static> {
    let email: &'static str = Box::leak(format!("{name}@example.com").into_boxed_str());
    Fixture {
        name,
        email,
        app,
        start,
        end,
        status: if end.is_some() {
            Disconnected
        } else {
            Connected
        },
    }
}

async fn usage(app: &TestApp, query: &[(&str, &str)]) -> Value {
    let response = app
        .client
        .get(app.url("/api/v1/sessions/usage"))
        .query(query)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{query:?}");
    response.json().await.unwrap()
}

async fn refused(app: &TestApp, query: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .get(app.url("/api/v1/sessions/usage"))
        .query(query)
        .send()
        .await
        .unwrap()
}

fn peaks(usage: &Value) -> Vec<i64> {
    usage["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bucket| bucket["peak"].as_i64().unwrap())
        .collect()
}

fn starts(usage: &Value) -> Vec<i64> {
    usage["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bucket| at(bucket["start"].as_str().unwrap()))
        .collect()
}

fn time(value: &Value) -> i64 {
    at(value.as_str().unwrap())
}

/// Six hours of 10 March 2026 (UTC) and sessions around them.
async fn app_with_a_night() -> TestApp {
    let app = spawn_app().await;
    let t = |hhmm: &str| at(&format!("2026-03-10T{hhmm}:00Z"));
    app.insert(&[
        // Began the evening before, ended inside the range.
        session(
            "before",
            "GIMP",
            at("2026-03-09T22:00:00Z"),
            Some(t("01:30")),
        ),
        // Ends exactly at 02:00, as "next" begins: never counted together, nor in the 02:00 bucket.
        session("boundary", "GIMP", t("00:30"), Some(t("02:00"))),
        session("next", "GIMP", t("02:00"), Some(t("03:10"))),
        // Still running (Connected and Unknown).
        session("running", "Inkscape", t("01:00"), None),
        Fixture {
            status: Unknown,
            ..session("silent", "Inkscape", at("2026-03-09T10:00:00Z"), None)
        },
        Fixture {
            status: Killed,
            ..session("short", "Krita", t("04:15"), Some(t("04:45")))
        },
        // Outside: ended before the range, began at its end.
        session(
            "earlier",
            "GIMP",
            at("2026-03-09T20:00:00Z"),
            Some(at("2026-03-09T21:00:00Z")),
        ),
        session("later", "GIMP", t("06:00"), Some(t("07:00"))),
        // No length at all: never running.
        session("instant", "GIMP", t("05:20"), Some(t("05:20"))),
    ]);
    app
}

#[actix_web::test]
async fn each_bucket_holds_the_most_sessions_that_ran_at_once() {
    let app = app_with_a_night().await;
    let answer = usage(
        &app,
        &[
            ("from", "2026-03-10T00:00:00Z"),
            ("to", "2026-03-10T06:00:00Z"),
            ("step", "1h"),
        ],
    )
    .await;
    assert_eq!(peaks(&answer), [3, 4, 3, 3, 3, 2]);
    let hour = |h: i64| at("2026-03-10T00:00:00Z") + h * 3600;
    assert_eq!(starts(&answer), (0..6).map(hour).collect::<Vec<_>>());
    assert_eq!(answer["peak_in_range"]["sessions"], 4);
    assert_eq!(time(&answer["peak_in_range"]["at"]), hour(1));
    assert_eq!(answer["active_now"], 2);
    assert_eq!(answer["step"], "1h");
    assert_eq!(answer["tz"], "UTC");
    assert_eq!(answer["apps"], serde_json::json!([]));
}

#[actix_web::test]
async fn a_peak_is_dated_to_the_second_it_was_first_reached() {
    let app = app_with_a_night().await;
    let answer = usage(
        &app,
        &[
            ("from", "2026-03-10T00:00:00Z"),
            ("to", "2026-03-10T01:00:00Z"),
            ("step", "15m"),
        ],
    )
    .await;
    // "before" and "silent" ran from the start; "boundary" joined at 00:30.
    assert_eq!(peaks(&answer), [2, 2, 3, 3]);
    assert_eq!(answer["peak_in_range"]["sessions"], 3);
    assert_eq!(
        time(&answer["peak_in_range"]["at"]),
        at("2026-03-10T00:30:00Z")
    );
    // A range inside a long session: it runs throughout, with no event in the range at all.
    let quiet = usage(
        &app,
        &[
            ("from", "2026-03-09T12:00:00Z"),
            ("to", "2026-03-09T14:00:00Z"),
        ],
    )
    .await;
    assert_eq!(peaks(&quiet), [1, 1]);
}

#[actix_web::test]
async fn day_buckets_are_days_of_the_asked_time_zone() {
    let app = spawn_app().await;
    app.insert(&[
        // 23:10-23:50 on 9 March in Paris; the next two are on 10 March there, all on 9 March in UTC.
        session(
            "late",
            "GIMP",
            at("2026-03-09T22:10:00Z"),
            Some(at("2026-03-09T22:50:00Z")),
        ),
        session(
            "night",
            "GIMP",
            at("2026-03-09T23:10:00Z"),
            Some(at("2026-03-09T23:50:00Z")),
        ),
        session(
            "owl",
            "GIMP",
            at("2026-03-09T23:20:00Z"),
            Some(at("2026-03-09T23:40:00Z")),
        ),
    ]);
    let paris = usage(
        &app,
        &[
            ("from", "2026-03-09T00:00:00+01:00"),
            ("to", "2026-03-11T00:00:00+01:00"),
            ("step", "1d"),
            ("tz", "Europe/Paris"),
        ],
    )
    .await;
    assert_eq!(peaks(&paris), [1, 2]);
    assert_eq!(
        starts(&paris),
        [at("2026-03-08T23:00:00Z"), at("2026-03-09T23:00:00Z")]
    );
    let utc = usage(
        &app,
        &[
            ("from", "2026-03-09T00:00:00Z"),
            ("to", "2026-03-11T00:00:00Z"),
            ("step", "1d"),
        ],
    )
    .await;
    assert_eq!(peaks(&utc), [2, 0]);
    // Across the change to summer time the day of 29 March has 23 hours.
    let spring = usage(
        &app,
        &[
            ("from", "2026-03-28T00:00:00+01:00"),
            ("to", "2026-03-31T00:00:00+02:00"),
            ("step", "1d"),
            ("tz", "Europe/Paris"),
        ],
    )
    .await;
    assert_eq!(
        starts(&spring),
        [
            at("2026-03-28T00:00:00+01:00"),
            at("2026-03-29T00:00:00+01:00"),
            at("2026-03-30T00:00:00+02:00"),
        ]
    );
}

/// When today began in `tz`.
fn midnight(tz: chrono_tz::Tz, now: i64) -> i64 {
    let today = DateTime::<Utc>::from_timestamp(now, 0)
        .unwrap()
        .with_timezone(&tz)
        .date_naive();
    tz.from_local_datetime(&today.and_hms_opt(0, 0, 0).unwrap())
        .earliest()
        .unwrap()
        .timestamp()
}

#[actix_web::test]
async fn the_peak_of_today_counts_from_midnight_in_the_time_zone() {
    let app = spawn_app().await;
    let kolkata: chrono_tz::Tz = "Asia/Kolkata".parse().unwrap();
    let now = now();
    let today = midnight(kolkata, now);
    // Three at once until ten minutes before midnight there, one running since five minutes before.
    let yesterday = |name| session(name, "GIMP", today - 2400, Some(today - 600));
    app.insert(&[
        yesterday("first"),
        yesterday("second"),
        yesterday("third"),
        session("ongoing", "GIMP", today - 300, None),
    ]);
    let from = chrono::DateTime::from_timestamp(today - 3600, 0)
        .unwrap()
        .to_rfc3339();
    let to = chrono::DateTime::from_timestamp(now + 3600, 0)
        .unwrap()
        .to_rfc3339();
    let answer = usage(
        &app,
        &[
            ("from", &from),
            ("to", &to),
            ("tz", "Asia/Kolkata"),
            ("step", "1h"),
        ],
    )
    .await;
    assert_eq!(time(&answer["today_start"]), today);
    assert_eq!(answer["peak_today"]["sessions"], 1);
    assert_eq!(time(&answer["peak_today"]["at"]), today);
    assert_eq!(answer["peak_in_range"]["sessions"], 3);
    assert_eq!(answer["active_now"], 1);
    // The series stops at the present: the hour after now has no bucket.
    let last = *starts(&answer).last().unwrap();
    assert!(last <= now && now < last + 3600, "{last} {now}");
    // In UTC today began at another moment.
    let utc = usage(&app, &[("from", &from), ("to", &to)]).await;
    assert_eq!(time(&utc["today_start"]), midnight(chrono_tz::Tz::UTC, now));
}

#[actix_web::test]
async fn by_app_gives_the_top_apps_and_the_others_together() {
    let app = spawn_app().await;
    let t = |hhmm: &str| at(&format!("2026-03-10T{hhmm}:00Z"));
    let mut fixtures = Vec::new();
    // Apps with 6, 5, 4, 3, 2 sessions one after the other, and two more with one each that overlap.
    for (app_name, count) in [("A6", 6), ("B5", 5), ("C4", 4), ("D3", 3), ("E2", 2)] {
        for i in 0..count {
            let name: &'static str = Box::leak(format!("{app_name}-{i}").into_boxed_str());
            let start = t("00:00") + i * 600;
            fixtures.push(session(name, app_name, start, Some(start + 600)));
        }
    }
    fixtures.push(session("f", "F1", t("00:10"), Some(t("00:40"))));
    fixtures.push(session("g", "G1", t("00:20"), None));
    app.insert(&fixtures);
    let answer = usage(
        &app,
        &[
            ("from", "2026-03-10T00:00:00Z"),
            ("to", "2026-03-10T02:00:00Z"),
            ("by", "app"),
        ],
    )
    .await;
    let series = answer["apps"].as_array().unwrap();
    let names: Vec<Value> = series.iter().map(|s| s["app"].clone()).collect();
    assert_eq!(
        names,
        serde_json::json!(["A6", "B5", "C4", "D3", "E2", null])
            .as_array()
            .unwrap()
            .clone()
    );
    for s in &series[..5] {
        assert_eq!(s["peaks"], serde_json::json!([1, 0]), "{}", s["app"]);
    }
    // F1 and G1 ran together from 00:20 to 00:40; G1 still runs in the second hour.
    assert_eq!(series[5]["peaks"], serde_json::json!([2, 1]));
    // At 00:20 one each of A6, B5, C4 and D3 (E2's two ended by then), with F1 and G1: six.
    assert_eq!(peaks(&answer), [6, 1]);
}

#[actix_web::test]
async fn bad_ranges_steps_and_zones_are_refused_with_a_problem() {
    let app = spawn_app().await;
    let from = ("from", "2026-03-10T00:00:00Z");
    let to = ("to", "2026-03-11T00:00:00Z");
    for (query, mentions) in [
        (vec![to], "from: required"),
        (vec![from], "to: required"),
        (
            vec![("from", "yesterday"), to],
            "from: 'yesterday' is not an RFC 3339 time",
        ),
        (
            vec![from, ("to", "2026-03-09T00:00:00Z")],
            "to: must be later than from",
        ),
        (
            vec![from, ("to", "2026-03-10T00:00:00Z")],
            "to: must be later than from",
        ),
        (vec![from, to, ("step", "7m")], "step: unknown step '7m'"),
        (
            vec![from, ("to", "2026-06-01T00:00:00Z"), ("step", "1m")],
            "at most 1000",
        ),
        (
            vec![from, ("to", "2030-01-01T00:00:00Z"), ("step", "1d")],
            "at most 1000",
        ),
        (
            vec![from, to, ("tz", "Mars/Olympus")],
            "tz: 'Mars/Olympus' is not an IANA time zone",
        ),
        (vec![from, to, ("by", "user")], "by: unknown split 'user'"),
        (vec![from, from, to], "from: given more than once"),
    ] {
        let body = assert_problem(refused(&app, &query).await, 400, mentions).await;
        assert_eq!(
            body["type"],
            "urn:sessions-console:problem:invalid-parameter"
        );
    }
    // 1000 buckets are allowed.
    let most = usage(
        &app,
        &[
            ("from", "2026-01-01T00:00:00Z"),
            ("to", "2026-01-01T16:40:00Z"),
            ("step", "1m"),
        ],
    )
    .await;
    assert_eq!(peaks(&most).len(), 1000);
}

#[actix_web::test]
async fn usage_needs_credentials_with_sessions_read() {
    let app = spawn_app().await;
    let query = [
        ("from", "2026-03-10T00:00:00Z"),
        ("to", "2026-03-11T00:00:00Z"),
    ];
    let anonymous = app
        .anonymous()
        .get(app.url("/api/v1/sessions/usage"))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, 401, "").await;
    let exporter = app.client_with_token(&app.token("exporter", &[Scope::SessionsExport]));
    let forbidden = exporter
        .get(app.url("/api/v1/sessions/usage"))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_problem(forbidden, 403, "sessions:read").await;
    let reader = app.client_with_token(&app.token("reader", &[Scope::SessionsRead]));
    let allowed = reader
        .get(app.url("/api/v1/sessions/usage"))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
}

/// Sessions running at `t`: begun at or before it and not yet ended.
fn running_at(sessions: &[(i64, Option<i64>)], t: i64) -> i64 {
    sessions
        .iter()
        .filter(|(start, end)| *start <= t && end.is_none_or(|end| t < end))
        .count() as i64
}

/// The most sessions running at once in `from..until`, by brute force: the count only changes at a
/// start or an end, so it is enough to look at `from` and at every event inside.
fn brute_peak(sessions: &[(i64, Option<i64>)], from: i64, until: i64) -> i64 {
    let events = sessions
        .iter()
        .flat_map(|(start, end)| std::iter::once(*start).chain(*end))
        .filter(|t| (from..until).contains(t));
    std::iter::once(from)
        .chain(events)
        .map(|t| running_at(sessions, t))
        .max()
        .unwrap()
}

/// Hundreds of sessions on a five-minute grid, so that many start and end at the same second and on
/// bucket edges, a quarter of their times a second early (the last second of a bucket), some long
/// before the range, some after it, some still running: every bucket of the answer, overall and per
/// app, equals the brute-force count.
#[actix_web::test]
async fn every_bucket_equals_a_brute_force_count_of_random_sessions() {
    use rand::{Rng, SeedableRng};
    let app = spawn_app().await;
    let from = at("2026-03-10T00:00:00Z");
    let until = from + 12 * 3600;
    let apps = ["A", "B", "C", "D", "E", "F", "G", "H"];
    let mut rng = rand::rngs::SmallRng::seed_from_u64(13);
    let mut fixtures = Vec::new();
    let mut by_app: std::collections::HashMap<&str, Vec<(i64, Option<i64>)>> = Default::default();
    for i in 0..400 {
        let app_name = apps[rng
            .random_range(0..apps.len())
            .min(rng.random_range(0..apps.len()))];
        let early = |rng: &mut rand::rngs::SmallRng| i64::from(rng.random_range(0..4) == 0);
        let on_grid = from + 300 * rng.random_range(-48..160_i64);
        let start = on_grid - early(&mut rng);
        let end = match rng.random_range(0..10) {
            0 => None,
            _ => {
                let length = 300 * rng.random_range(0..40_i64);
                Some((on_grid + length - early(&mut rng)).max(start))
            }
        };
        let name: &'static str = Box::leak(format!("random-{i}").into_boxed_str());
        fixtures.push(session(name, app_name, start, end));
        by_app.entry(app_name).or_default().push((start, end));
    }
    app.insert(&fixtures);
    let all: Vec<(i64, Option<i64>)> = by_app.values().flatten().copied().collect();

    for step in ["15m", "1h"] {
        let answer = usage(
            &app,
            &[
                ("from", "2026-03-10T00:00:00Z"),
                ("to", "2026-03-10T12:00:00Z"),
                ("step", step),
                ("by", "app"),
            ],
        )
        .await;
        let length = if step == "15m" { 900 } else { 3600 };
        let expected = |sessions: &[(i64, Option<i64>)]| -> Vec<i64> {
            (from..until)
                .step_by(length as usize)
                .map(|start| brute_peak(sessions, start, start + length))
                .collect()
        };
        assert_eq!(peaks(&answer), expected(&all), "all sessions, {step}");
        let highest = *expected(&all).iter().max().unwrap();
        assert_eq!(answer["peak_in_range"]["sessions"], highest);
        let first_at = time(&answer["peak_in_range"]["at"]);
        assert_eq!(running_at(&all, first_at), highest, "{step}");
        assert!(
            (from..first_at).all(|t| running_at(&all, t) < highest),
            "the peak is dated to its first second ({step})"
        );
        assert_eq!(
            answer["active_now"],
            all.iter().filter(|(_, end)| end.is_none()).count()
        );

        let series = answer["apps"].as_array().unwrap();
        assert_eq!(series.len(), 6, "five top apps and the others");
        let named: Vec<&str> = series[..5]
            .iter()
            .map(|s| s["app"].as_str().unwrap())
            .collect();
        for s in &series[..5] {
            let name = s["app"].as_str().unwrap();
            assert_eq!(
                s["peaks"],
                serde_json::json!(expected(&by_app[name])),
                "{name}, {step}"
            );
        }
        let others: Vec<(i64, Option<i64>)> = by_app
            .iter()
            .filter(|(name, _)| !named.contains(name))
            .flat_map(|(_, sessions)| sessions.iter().copied())
            .collect();
        assert_eq!(
            series[5]["peaks"],
            serde_json::json!(expected(&others)),
            "others, {step}"
        );
    }
}

/// Today's peak is the same whether the range's buckets begin at midnight (and are reused for it) or
/// not (and today is swept on its own), and equals a brute-force count.
#[actix_web::test]
async fn the_peak_of_today_is_the_same_from_the_range_and_on_its_own() {
    use rand::{Rng, SeedableRng};
    let app = spawn_app().await;
    let now = now();
    let today = midnight(chrono_tz::Tz::UTC, now);
    let mut rng = rand::rngs::SmallRng::seed_from_u64(7);
    let mut fixtures = Vec::new();
    let mut all = Vec::new();
    for i in 0..120 {
        let start = today + rng.random_range(-7_200..(now - today).max(1));
        let end = match rng.random_range(0..4) {
            0 => None,
            _ => Some((start + rng.random_range(0..5_400)).min(now)),
        };
        let name: &'static str = Box::leak(format!("today-{i}").into_boxed_str());
        fixtures.push(session(name, "GIMP", start, end));
        all.push((start, end));
    }
    app.insert(&fixtures);
    let expected = brute_peak(&all, today, now + 1);
    let rfc = |t: i64| DateTime::from_timestamp(t, 0).unwrap().to_rfc3339();
    let (to, aligned, unaligned) = (rfc(now + 3_600), rfc(today - 3_600), rfc(today - 1_800));
    for from in [&aligned, &unaligned] {
        let answer = usage(&app, &[("from", from), ("to", &to), ("step", "1h")]).await;
        assert_eq!(answer["peak_today"]["sessions"], expected, "from {from}");
        let at = time(&answer["peak_today"]["at"]);
        assert_eq!(running_at(&all, at), expected, "from {from}");
        assert!(
            (today..at).all(|t| running_at(&all, t) < expected),
            "from {from}"
        );
    }
}
