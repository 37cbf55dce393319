//! The address bar holds the view (sort, filter, page size and page; the audit log's filters), so a
//! view can be bookmarked and Back works.
//!
//! This reads `location.search` with `form_urlencoded` instead of leptos_router's query map: that router
//! percent-decodes values a second time, which would turn a search for `%41` into one for `A`.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::Deserialize;
use shared::{AuditAction, AuditQuery, ParseQueryError, SessionQuery, params, parse_query};

use crate::checks::day_bounds;
use crate::route::Route;
use crate::router::Router;

/// What is shown: the query of the sessions list and which page of it (1 is the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub query: SessionQuery,
    /// Only for numbering rows ("51–100"): the cursor alone decides which rows the server sends.
    pub page: u32,
}

impl Default for View {
    fn default() -> Self {
        View {
            query: SessionQuery::default(),
            page: 1,
        }
    }
}

impl View {
    /// The first page of `query`.
    pub fn first_page(mut query: SessionQuery) -> View {
        query.cursor = None;
        View { query, page: 1 }
    }

    /// Reads a `location.search` string, with or without its leading `?`.
    pub fn from_search(search: &str) -> Result<View, ParseQueryError> {
        let search = search.trim_start_matches('?');
        let query = SessionQuery::parse(search)?;
        let PageNumber { page } = parse_query(search)?;
        Ok(View {
            page: if query.cursor.is_none() { 1 } else { page },
            query,
        })
    }

    /// The `?…` part of the address for this view; empty for the default view.
    pub fn to_search(&self) -> String {
        let mut pairs = self.query.to_pairs();
        if self.query.cursor.is_some() && self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        search_of(pairs)
    }
}

fn first_page() -> u32 {
    1
}

/// The page number the address holds beside the query.
#[derive(Deserialize)]
struct PageNumber {
    #[serde(
        default = "first_page",
        deserialize_with = "params::whole::<1, { u32::MAX as i64 }, _, _>"
    )]
    page: u32,
}

/// `?name=value&…`, percent-encoded; empty when there are no pairs.
fn search_of(pairs: Vec<(&str, String)>) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let mut search = form_urlencoded::Serializer::for_suffix(String::from("?"), 1);
    search.extend_pairs(pairs);
    search.finish()
}

/// The audit log's filters as the address holds them: `?actor=bob&action=sessions.kill&from=2026-11-01`.
/// Days stay days, as the form shows them, rather than the instants the API is sent; paging is not kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AuditView {
    /// Exactly this username or token name; empty for anyone.
    #[serde(default, deserialize_with = "params::text")]
    pub actor: String,
    #[serde(default, deserialize_with = "params::one_some")]
    pub action: Option<AuditAction>,
    /// Days in the viewer's zone (`YYYY-MM-DD`), both included; empty leaves that end open.
    #[serde(default, deserialize_with = "params::one")]
    pub from: String,
    #[serde(default, deserialize_with = "params::one")]
    pub to: String,
}

impl AuditView {
    /// Reads a `location.search` string, with or without its leading `?`; other parameters are ignored.
    pub fn from_search(search: &str) -> Result<AuditView, ParseQueryError> {
        parse_query(search.trim_start_matches('?'))
    }

    /// The `?…` part of the audit page's address; empty when nothing is filtered.
    pub fn to_search(&self) -> String {
        let pairs = [
            ("actor", self.actor.clone()),
            (
                "action",
                self.action
                    .map(|a| a.as_str().to_owned())
                    .unwrap_or_default(),
            ),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
        ];
        search_of(pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect())
    }

    /// The query of the first page: the days become the instants that bound them, `start_of_day` telling
    /// when a day begins in the viewer's zone.
    pub fn query(
        &self,
        start_of_day: impl Fn(NaiveDate) -> Option<DateTime<Utc>>,
    ) -> Result<AuditQuery, ParseQueryError> {
        let (from, to) = day_bounds(&self.from, &self.to, &start_of_day).map_err(|message| {
            let from_alone_fails = day_bounds(&self.from, "", &start_of_day).is_err();
            ParseQueryError {
                parameter: if from_alone_fails { "from" } else { "to" }.to_owned(),
                message,
            }
        })?;
        let instant = |name: &str, text: Option<String>| {
            text.map(|text| text.parse())
                .transpose()
                .map_err(|error: chrono::ParseError| ParseQueryError {
                    parameter: name.to_owned(),
                    message: error.to_string(),
                })
        };
        Ok(AuditQuery {
            actor: (!self.actor.is_empty()).then(|| self.actor.clone()),
            action: self.action,
            from: instant("from", from)?,
            to: instant("to", to)?,
            ..AuditQuery::default()
        })
    }
}

/// Cursors of the pages visited under one sort and filter, because the API only hands out "next".
#[derive(Debug, Default)]
pub struct Trail {
    base: Option<SessionQuery>,
    /// `cursors[i]` opens page `i + 1`.
    cursors: Vec<Option<String>>,
}

impl Trail {
    /// The view after `view`, whose page ended with `next_cursor`; remembers how `view` was reached.
    pub fn next(&mut self, view: &View, next_cursor: String) -> View {
        let base = View::first_page(view.query.clone()).query;
        if self.base.as_ref() != Some(&base) {
            self.base = Some(base);
            self.cursors.clear();
        }
        let index = view.page as usize - 1;
        if self.cursors.len() <= index {
            self.cursors.resize(index + 1, None);
        }
        self.cursors[index] = view.query.cursor.clone();
        let mut query = view.query.clone();
        query.cursor = Some(next_cursor);
        View {
            query,
            page: view.page + 1,
        }
    }

    /// The view before `view`; the first page when that page's cursor is unknown (a bookmarked page).
    pub fn previous(&self, view: &View) -> View {
        let base = View::first_page(view.query.clone()).query;
        let known = (self.base.as_ref() == Some(&base) && view.page >= 2)
            .then(|| self.cursors.get(view.page as usize - 2).cloned().flatten())
            .flatten();
        match known {
            Some(cursor) => {
                let mut query = base;
                query.cursor = Some(cursor);
                View {
                    query,
                    page: view.page - 1,
                }
            }
            None => View::first_page(base),
        }
    }
}

/// The cursors that opened the pages before this one, for a list without numbered pages (the audit log).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CursorStack {
    /// `cursors[i]` opened page `i + 2`; the first page needs none.
    cursors: Vec<String>,
}

impl CursorStack {
    /// The cursor of the page to show; `None` for the first.
    pub fn current(&self) -> Option<String> {
        self.cursors.last().cloned()
    }

    /// Which page is shown, 1 being the first (newest).
    pub fn page(&self) -> usize {
        self.cursors.len() + 1
    }

    /// On to the page `cursor` opens.
    pub fn next(&mut self, cursor: String) {
        self.cursors.push(cursor);
    }

    /// Back to the page before; stays on the first.
    pub fn previous(&mut self) {
        self.cursors.pop();
    }
}

/// The sessions page's view in the address bar: `push` adds a history entry, Back and Forward change it.
#[derive(Clone, Copy)]
pub struct Address {
    router: Router,
}

impl Address {
    pub fn new() -> Address {
        Address {
            router: expect_context::<Router>(),
        }
    }

    pub fn view(&self) -> Memo<Result<View, ParseQueryError>> {
        let search = self.router.search();
        Memo::new(move |_| search.with(|s| View::from_search(s)))
    }

    /// Shows `view`, as a new history entry unless it is already the current one.
    pub fn push(&self, view: &View) {
        self.router
            .go(&format!("{}{}", Route::Sessions.path(), view.to_search()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{FilterField, SortKey, SortOrder};

    fn view(search: &str) -> View {
        View::from_search(search).unwrap()
    }

    #[test]
    fn the_default_view_has_an_empty_search() {
        assert_eq!(View::default().to_search(), "");
        assert_eq!(view(""), View::default());
        assert_eq!(view("?"), View::default());
    }

    #[test]
    fn views_round_trip_through_the_address() {
        let original = View {
            query: SessionQuery {
                sort: SortKey::Name,
                order: SortOrder::Desc,
                field: Some(FilterField::Email),
                contains: Some("jo & 100% +x".into()),
                limit: 25,
                cursor: Some("a+b/c==".into()),
                ..SessionQuery::default()
            },
            page: 3,
        };
        let search = original.to_search();
        assert!(
            search.starts_with("?sort=name&order=desc&field=email&contains=jo+%26+100%25+%2Bx")
        );
        assert_eq!(view(&search), original);
    }

    #[test]
    fn chosen_statuses_round_trip_through_the_address() {
        use shared::SessionStatus::{Connected, Killed, Unknown};
        let original = View::first_page(SessionQuery {
            field: Some(FilterField::Name),
            contains: Some("jo".into()),
            statuses: vec![Connected, Unknown],
            ..SessionQuery::default()
        });
        let search = original.to_search();
        assert_eq!(search, "?field=name&contains=jo&status=Connected%2CUnknown");
        assert_eq!(view(&search), original);
        let killed = View::first_page(SessionQuery {
            statuses: vec![Killed],
            ..SessionQuery::default()
        });
        assert_eq!(killed.to_search(), "?status=Killed");
        assert_eq!(view("?status=Killed"), killed);
        // As typed by hand: repeated, any case; the same view.
        assert_eq!(
            view("?status=connected&status=Unknown").query.statuses,
            [Connected, Unknown]
        );
    }

    #[test]
    fn an_unknown_status_in_the_address_is_reported() {
        assert_eq!(
            View::from_search("?status=Gone").unwrap_err().parameter,
            "status"
        );
    }

    #[test]
    fn percent_sequences_in_a_search_term_are_decoded_once() {
        assert_eq!(
            view("?contains=%2541").query.contains.as_deref(),
            Some("%41")
        );
    }

    #[test]
    fn a_page_number_without_a_cursor_is_the_first_page() {
        assert_eq!(view("?page=4").page, 1);
    }

    #[test]
    fn a_bad_parameter_is_reported_by_name() {
        assert_eq!(
            View::from_search("?sort=size").unwrap_err().parameter,
            "sort"
        );
        assert_eq!(
            View::from_search("?cursor=x&page=0").unwrap_err().parameter,
            "page"
        );
    }

    #[test]
    fn previous_returns_to_the_cursor_next_came_from() {
        let mut trail = Trail::default();
        let first = View::default();
        let second = trail.next(&first, "c2".into());
        let third = trail.next(&second, "c3".into());
        assert_eq!((third.page, third.query.cursor.as_deref()), (3, Some("c3")));
        assert_eq!(trail.previous(&third), second);
        assert_eq!(trail.previous(&second), first);
    }

    #[test]
    fn previous_from_a_bookmarked_page_goes_to_the_first_page() {
        let trail = Trail::default();
        let bookmarked = view("?sort=name&cursor=c9&page=9");
        assert_eq!(
            trail.previous(&bookmarked),
            View::first_page(bookmarked.query.clone())
        );
    }

    #[test]
    fn the_cursor_stack_walks_back_the_way_it_came() {
        let mut stack = CursorStack::default();
        assert_eq!((stack.page(), stack.current()), (1, None));
        stack.next("c2".into());
        stack.next("c3".into());
        assert_eq!((stack.page(), stack.current().as_deref()), (3, Some("c3")));
        stack.previous();
        assert_eq!(stack.current().as_deref(), Some("c2"));
        stack.previous();
        stack.previous();
        assert_eq!((stack.page(), stack.current()), (1, None));
    }

    fn audit(search: &str) -> AuditView {
        AuditView::from_search(search).unwrap()
    }

    /// Days in UTC, for checks that do not depend on the zone.
    fn utc_day(day: NaiveDate) -> Option<DateTime<Utc>> {
        Some(day.and_hms_opt(0, 0, 0)?.and_utc())
    }

    #[test]
    fn audit_filters_round_trip_through_the_address() {
        let original = AuditView {
            actor: "token:nightly & co".into(),
            action: Some(AuditAction::KillSession),
            from: "2026-11-01".into(),
            to: "2026-11-02".into(),
        };
        let search = original.to_search();
        assert_eq!(
            search,
            "?actor=token%3Anightly+%26+co&action=sessions.kill&from=2026-11-01&to=2026-11-02"
        );
        assert_eq!(audit(&search), original);
    }

    #[test]
    fn no_audit_filter_is_an_empty_search() {
        assert_eq!(AuditView::default().to_search(), "");
        assert_eq!(audit(""), AuditView::default());
        assert_eq!(audit("?actor=+&cursor=x"), AuditView::default());
        let only_to = AuditView {
            to: "2026-11-02".into(),
            ..AuditView::default()
        };
        assert_eq!(only_to.to_search(), "?to=2026-11-02");
    }

    #[test]
    fn an_unknown_audit_action_in_the_address_is_reported() {
        assert_eq!(
            AuditView::from_search("?action=sessions.delete")
                .unwrap_err()
                .parameter,
            "action"
        );
    }

    #[test]
    fn audit_days_become_the_instants_the_api_is_sent() {
        let query = audit("?actor=bob&from=2026-11-01&to=2026-11-01")
            .query(utc_day)
            .unwrap();
        assert_eq!(
            query,
            AuditQuery {
                actor: Some("bob".into()),
                action: None,
                from: Some("2026-11-01T00:00:00Z".parse().unwrap()),
                to: Some("2026-11-02T00:00:00Z".parse().unwrap()),
                ..AuditQuery::default()
            }
        );
        assert_eq!(
            AuditView::default().query(utc_day),
            Ok(AuditQuery::default())
        );
    }

    #[test]
    fn bad_audit_days_in_the_address_name_the_day_to_fix() {
        let error = |search: &str| audit(search).query(utc_day).unwrap_err().parameter;
        assert_eq!(error("?from=2026-13-01"), "from");
        assert_eq!(error("?to=yesterday"), "to");
        assert_eq!(error("?from=2026-11-02&to=2026-11-01"), "to");
    }

    #[test]
    fn a_new_sort_forgets_the_trail() {
        let mut trail = Trail::default();
        let second = trail.next(&View::default(), "c2".into());
        let _third = trail.next(&second, "c3".into());
        let mut by_name = View::default();
        by_name.query.sort = SortKey::Name;
        by_name.query.order = SortOrder::Asc;
        let by_name_second = trail.next(&by_name, "n2".into());
        let mut by_name_third = by_name_second.clone();
        by_name_third.page = 3;
        by_name_third.query.cursor = Some("n3".into());
        assert_eq!(trail.previous(&by_name_third).page, 1);
    }
}
