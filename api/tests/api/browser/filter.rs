use serde_json::json;
use shared::SessionStatus::Connected;

use super::{
    now, open, session, sort_button, wait_for_location, wait_for_names, wait_for_property,
};
use crate::helpers::spawn_app;

#[actix_web::test]
async fn filtering_by_username_or_email_ignores_case_and_reset_shows_everyone() {
    let app = spawn_app().await;
    let start = now() - 3600;
    let people = [
        ("Joe Bloggs", "joe@example.com"),
        ("john Smith", "jsmith@example.com"),
        ("Mary-Jo Adams", "MJ.Adams@Example.com"),
        ("Bob Stone", "bob.JOHNSON@example.com"),
        ("alice Martin", "alice@example.com"),
    ];
    let fixtures: Vec<_> = people
        .iter()
        .map(|&(name, email)| session(name, email, "GIMP", start, None, Connected))
        .collect();
    app.insert(&fixtures);
    let browser = open(&app, "/").await;
    wait_for_names(
        &browser,
        &[
            "alice Martin",
            "Bob Stone",
            "Mary-Jo Adams",
            "john Smith",
            "Joe Bloggs",
        ],
    )
    .await;

    browser.click("#filter-toggle").await;
    wait_for_property(
        &browser,
        "input[name=filter-field][value=name]",
        "checked",
        json!(true),
    )
    .await;
    browser.type_into("#filter-contains", "jo").await;
    browser.click("#filter-apply").await;
    wait_for_names(&browser, &["Mary-Jo Adams", "john Smith", "Joe Bloggs"]).await;
    wait_for_location(&browser, "/?field=name&contains=jo").await;
    browser.wait_for_text("#total", "1–3 of 3").await;
    browser
        .wait_for_text("#active-filter", "Username contains “jo”")
        .await;

    // Sorting keeps the filter, the address holds both, and a reload shows the same.
    browser.click(&sort_button("name")).await;
    wait_for_names(&browser, &["Joe Bloggs", "john Smith", "Mary-Jo Adams"]).await;
    wait_for_location(&browser, "/?sort=name&field=name&contains=jo").await;
    browser.refresh().await;
    wait_for_names(&browser, &["Joe Bloggs", "john Smith", "Mary-Jo Adams"]).await;
    wait_for_property(&browser, "#filter-contains", "value", json!("jo")).await;

    // By email, "jo" finds joe@… and bob.JOHNSON@…, not the name matches.
    browser.click("input[name=filter-field][value=email]").await;
    browser.click("#filter-apply").await;
    wait_for_names(&browser, &["Bob Stone", "Joe Bloggs"]).await;
    wait_for_location(&browser, "/?sort=name&field=email&contains=jo").await;
    browser
        .wait_for_text("#active-filter", "Email contains “jo”")
        .await;

    browser.click("#filter-reset").await;
    wait_for_names(
        &browser,
        &[
            "alice Martin",
            "Bob Stone",
            "Joe Bloggs",
            "john Smith",
            "Mary-Jo Adams",
        ],
    )
    .await;
    wait_for_location(&browser, "/?sort=name").await;
    wait_for_property(&browser, "#filter-contains", "value", json!("")).await;
    assert_eq!(
        browser.text("#active-filter").await,
        None,
        "no filter chip after Reset"
    );

    browser.type_into("#filter-contains", "nobody").await;
    browser.click("#filter-apply").await;
    wait_for_names(&browser, &[]).await;
    browser
        .wait_for_text("#sessions .empty-message", "No sessions match 'nobody'.")
        .await;
    browser.close().await;
}
