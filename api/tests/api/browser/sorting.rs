use shared::SessionStatus::{Connected, Disconnected, Killed, Unknown};

use super::{now, open, session, sort_button, wait_for_location, wait_for_sorted};
use crate::helpers::{Fixture, at, spawn_app};

/// Five sessions whose names, emails, apps, start times, durations and statuses each sort differently;
/// names and apps mix upper and lower case, which must not change their order.
#[rustfmt::skip]
fn five_people(now: i64) -> Vec<Fixture<'static>> {
    let ended = |start: i64, minutes: i64| Some(start + minutes * 60);
    let (bob, alice, carol) =
        (at("2025-02-01T09:00:00Z"), at("2025-03-01T08:00:00Z"), at("2025-01-05T10:00:00Z"));
    vec![
        session("Bob Stone", "bob.stone@example.com", "GIMP", bob, ended(bob, 5), Disconnected),
        session("Dave Miller", "Miller.D@example.com", "blender", now - 2 * 3600, None, Connected),
        session("alice Jones", "ajones@example.com", "Firefox", alice, ended(alice, 150), Killed),
        session("erin Lee", "elee@example.com", "krita", now - 3 * 3600, None, Unknown),
        session("carol King", "ck@example.com", "Audacity", carol, ended(carol, 20), Disconnected),
    ]
}

#[actix_web::test]
async fn the_list_is_newest_first_and_every_column_sorts_both_ways_from_its_header() {
    let app = spawn_app().await;
    app.insert(&five_people(now()));
    let browser = open(&app, "/").await;
    let newest_first = [
        "carol King",
        "erin Lee",
        "alice Jones",
        "Dave Miller",
        "Bob Stone",
    ];
    wait_for_sorted(&browser, "id", "descending", &newest_first).await;
    browser.wait_for_text("#total", "1–5 of 5").await;

    #[rustfmt::skip]
    let ascending = [
        ("id", ["Bob Stone", "Dave Miller", "alice Jones", "erin Lee", "carol King"]),
        ("name", ["alice Jones", "Bob Stone", "carol King", "Dave Miller", "erin Lee"]),
        ("email", ["alice Jones", "Bob Stone", "carol King", "erin Lee", "Dave Miller"]),
        ("app_name", ["carol King", "Dave Miller", "alice Jones", "Bob Stone", "erin Lee"]),
        ("start_time", ["carol King", "Bob Stone", "alice Jones", "erin Lee", "Dave Miller"]),
        // 5 min, 20 min, 2 h so far, 2 h 30 min, 3 h so far: active sessions count up to now.
        ("duration", ["Bob Stone", "carol King", "Dave Miller", "alice Jones", "erin Lee"]),
        // Connected, Disconnected (twice, in id order), Killed, Unknown.
        ("status", ["Dave Miller", "Bob Stone", "carol King", "alice Jones", "erin Lee"]),
    ];
    for (key, names) in ascending {
        browser.click(&sort_button(key)).await;
        wait_for_sorted(&browser, key, "ascending", &names).await;
        browser.click(&sort_button(key)).await;
        let mut reversed = names;
        reversed.reverse();
        wait_for_sorted(&browser, key, "descending", &reversed).await;
    }
    wait_for_location(&browser, "/?sort=status&order=desc").await;

    // The address holds the sort: a reload keeps it, Back returns to the one before.
    browser.click(&sort_button("name")).await;
    let by_name = [
        "alice Jones",
        "Bob Stone",
        "carol King",
        "Dave Miller",
        "erin Lee",
    ];
    wait_for_sorted(&browser, "name", "ascending", &by_name).await;
    wait_for_location(&browser, "/?sort=name").await;
    browser.refresh().await;
    wait_for_sorted(&browser, "name", "ascending", &by_name).await;
    browser.back().await;
    wait_for_location(&browser, "/?sort=status&order=desc").await;
    let by_status = [
        "erin Lee",
        "alice Jones",
        "carol King",
        "Bob Stone",
        "Dave Miller",
    ];
    wait_for_sorted(&browser, "status", "descending", &by_status).await;
    browser.close().await;
}
