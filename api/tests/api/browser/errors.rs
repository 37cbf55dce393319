use super::{open, read_table, wait_for_location, wait_for_table};
use crate::helpers::spawn_app;

#[actix_web::test]
async fn a_refused_request_is_explained_on_the_page_with_a_way_back() {
    let app = spawn_app().await;
    app.seed(120);
    let browser = open(&app, "/?cursor=garbage").await;
    let shown = browser
        .wait_for_text(
            "#sessions .error-message",
            "cursor: not a cursor this server issued",
        )
        .await;
    assert!(
        shown.contains("Invalid parameter"),
        "the problem's title is shown too: {shown}"
    );

    browser.click("#sessions .error-message button").await;
    wait_for_table(&browser, "the first page", |t| t.rows.len() == 50).await;
    wait_for_location(&browser, "/").await;
    browser.wait_for_text("#total", "1–50 of 120").await;

    // Paging moves on and back; the pages differ.
    let first = read_table(&browser)
        .await
        .rows
        .iter()
        .map(|r| r.id)
        .collect::<Vec<_>>();
    browser.click("#next-page").await;
    browser.wait_for_text("#total", "51–100 of 120").await;
    let second = wait_for_table(&browser, "the second page", |t| t.rows.len() == 50).await;
    assert!(
        second.rows.iter().all(|r| r.id < first[49]),
        "page 2 continues below page 1"
    );
    browser.click("#prev-page").await;
    browser.wait_for_text("#total", "1–50 of 120").await;

    // A view the console cannot read is explained too, before any request.
    browser.goto("/?sort=bogus").await;
    let shown = browser
        .wait_for_text("#sessions .error-message", "unknown sort key 'bogus'")
        .await;
    assert!(
        shown.contains("This address is not a valid view"),
        "{shown}"
    );
    browser.close().await;
}
