//! The query of `GET /sessions` (and the filter of the export): read by the API, built and read by
//! the web app, so both agree on every name, default and limit.

use serde::Deserialize;

use crate::params::{self, ParseQueryError, parse_query};
use crate::{DEFAULT_PAGE_SIZE, MAX_CONTAINS_CHARS, SessionStatus};

crate::names::wire_enum! {
    /// The column a page of sessions is sorted by. Text sorts ignore case; ties are broken by id.
    #[derive(Default)]
    pub enum SortKey as "sort key" {
        #[default]
        Id = "id",
        Name = "name",
        Email = "email",
        AppName = "app_name",
        StartTime = "start_time",
        Status = "status",
        Duration = "duration",
    }
}

impl SortKey {
    /// Newest first for ids; A to Z, oldest or shortest first for everything else.
    pub fn default_order(self) -> SortOrder {
        match self {
            SortKey::Id => SortOrder::Desc,
            _ => SortOrder::Asc,
        }
    }
}

crate::names::wire_enum! {
    /// Direction of a sort.
    pub enum SortOrder as "order" {
        Asc = "asc",
        Desc = "desc",
    }
}

impl SortOrder {
    pub fn reversed(self) -> SortOrder {
        match self {
            SortOrder::Asc => SortOrder::Desc,
            SortOrder::Desc => SortOrder::Asc,
        }
    }
}

crate::names::wire_enum! {
    /// Which field of the user a `contains` filter searches.
    pub enum FilterField as "filter field" {
        Name = "name",
        Email = "email",
    }
}

fn default_page_size() -> u32 {
    DEFAULT_PAGE_SIZE
}

/// The sort and page of `GET /sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct PageParams {
    /// Column to sort by. Text sorts ignore case; ties are broken by id.
    #[serde(default, deserialize_with = "params::one")]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub sort: SortKey,
    /// `desc` by default for `id`, `asc` for every other sort.
    #[serde(default, deserialize_with = "params::one_some")]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub order: Option<SortOrder>,
    /// Sessions per page.
    #[serde(
        default = "default_page_size",
        deserialize_with = "params::whole::<1, { crate::MAX_PAGE_SIZE as i64 }, _, _>"
    )]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500, default = 50))]
    pub limit: u32,
    /// `next_cursor` of the previous page, with the same sort, order and filter.
    #[serde(
        default,
        deserialize_with = "params::one_up_to::<{ crate::MAX_CURSOR_CHARS }, _>"
    )]
    #[cfg_attr(feature = "openapi", param(max_length = 4096))]
    pub cursor: Option<String>,
}

impl PageParams {
    /// The order asked for, or the sort's own default.
    pub fn order(&self) -> SortOrder {
        self.order.unwrap_or(self.sort.default_order())
    }
}

/// Which sessions: the filter that the list and the export share.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct FilterParams {
    /// Field `contains` searches; both name and email when absent.
    #[serde(default, deserialize_with = "params::one_some")]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub field: Option<FilterField>,
    /// Keeps sessions whose user's name or email (see `field`) contains this text, ignoring case.
    #[serde(
        default,
        deserialize_with = "params::text_up_to::<MAX_CONTAINS_CHARS, _>"
    )]
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub contains: Option<String>,
    /// Keeps sessions in any of these statuses; repeat the parameter or separate names with commas.
    #[serde(
        default,
        deserialize_with = "params::listed::<{ SessionStatus::COUNT }, _, _>"
    )]
    #[cfg_attr(feature = "openapi", param(style = Form, explode = true, max_items = 4))]
    pub status: Vec<SessionStatus>,
}

// The OpenAPI attributes above take literals.
const _: () = assert!(
    MAX_CONTAINS_CHARS == 200
        && crate::MAX_PAGE_SIZE == 500
        && crate::MAX_CURSOR_CHARS == 4096
        && SessionStatus::COUNT == 4
);

/// What `GET /sessions` was asked for, with defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionQuery {
    pub sort: SortKey,
    pub order: SortOrder,
    /// `None` searches both name and email.
    pub field: Option<FilterField>,
    /// `None` (or an empty term) means no text filter.
    pub contains: Option<String>,
    /// Empty means every status.
    pub statuses: Vec<SessionStatus>,
    pub limit: u32,
    pub cursor: Option<String>,
}

impl Default for SessionQuery {
    fn default() -> Self {
        SessionQuery::new(
            PageParams {
                sort: SortKey::Id,
                order: None,
                limit: DEFAULT_PAGE_SIZE,
                cursor: None,
            },
            FilterParams::default(),
        )
    }
}

impl SessionQuery {
    pub fn new(page: PageParams, filter: FilterParams) -> SessionQuery {
        SessionQuery {
            sort: page.sort,
            order: page.order(),
            field: filter.field,
            contains: filter.contains,
            statuses: filter.status,
            limit: page.limit,
            cursor: page.cursor,
        }
    }

    /// Reads a query string (without its `?`). Parameters this query does not know are left for the
    /// caller; one given twice (other than `status`) is refused rather than silently picked.
    pub fn parse(query: &str) -> Result<SessionQuery, ParseQueryError> {
        Ok(SessionQuery::new(parse_query(query)?, parse_query(query)?))
    }

    /// The query as `(name, value)` pairs, leaving out what equals the default, for building URLs.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if self.sort != SortKey::Id {
            pairs.push(("sort", self.sort.as_str().to_owned()));
        }
        if self.order != self.sort.default_order() {
            pairs.push(("order", self.order.as_str().to_owned()));
        }
        if let Some(contains) = &self.contains {
            if let Some(field) = self.field {
                pairs.push(("field", field.as_str().to_owned()));
            }
            pairs.push(("contains", contains.clone()));
        }
        if !self.statuses.is_empty() {
            let names: Vec<&str> = self.statuses.iter().map(|s| s.as_str()).collect();
            pairs.push(("status", names.join(",")));
        }
        if self.limit != DEFAULT_PAGE_SIZE {
            pairs.push(("limit", self.limit.to_string()));
        }
        if let Some(cursor) = &self.cursor {
            pairs.push(("cursor", cursor.clone()));
        }
        pairs
    }

    /// Whether the list this query asks for includes `session`, as the server filters: its status is
    /// one asked for, and its name or email (or the field asked for) contains the term, in Unicode
    /// lower case.
    pub fn admits(&self, session: &crate::Session) -> bool {
        if !self.statuses.is_empty() && !self.statuses.contains(&session.status) {
            return false;
        }
        let Some(term) = self.contains.as_deref().filter(|t| !t.is_empty()) else {
            return true;
        };
        let term = crate::lower_case(term);
        let has = |text: &str| crate::lower_case(text).contains(&term);
        match self.field {
            Some(FilterField::Name) => has(&session.name),
            Some(FilterField::Email) => has(&session.email),
            None => has(&session.name) || has(&session.email),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<SessionQuery, ParseQueryError> {
        let pairs: Vec<_> = pairs.into_iter().collect();
        SessionQuery::parse(&serde_html_form::to_string(&pairs).unwrap())
    }

    #[test]
    fn defaults_sort_newest_id_first() {
        let query = from_pairs([]).unwrap();
        assert_eq!(
            (query.sort, query.order, query.limit),
            (SortKey::Id, SortOrder::Desc, 50)
        );
    }

    #[test]
    fn other_sorts_default_to_ascending() {
        let query = from_pairs([("sort", "name")]).unwrap();
        assert_eq!(query.order, SortOrder::Asc);
    }

    #[test]
    fn statuses_may_be_repeated_or_comma_separated() {
        let query = from_pairs([("status", "Connected,Unknown"), ("status", "Killed")]).unwrap();
        assert_eq!(
            query.statuses,
            [
                SessionStatus::Connected,
                SessionStatus::Unknown,
                SessionStatus::Killed
            ]
        );
    }

    #[test]
    fn limit_outside_range_names_the_parameter() {
        for bad in ["0", "501", "-1", "ten", ""] {
            let err = from_pairs([("limit", bad)]).unwrap_err();
            assert_eq!(err.parameter, "limit", "for {bad:?}");
        }
    }

    #[test]
    fn a_parameter_given_twice_is_rejected() {
        let err = from_pairs([("sort", "name"), ("sort", "id")]).unwrap_err();
        assert_eq!(err.parameter, "sort");
    }

    #[test]
    fn pairs_round_trip() {
        let query = SessionQuery {
            sort: SortKey::AppName,
            order: SortOrder::Desc,
            field: Some(FilterField::Email),
            contains: Some("jo".into()),
            statuses: vec![SessionStatus::Unknown],
            limit: 100,
            cursor: Some("abc".into()),
        };
        let pairs = query.to_pairs();
        let parsed = from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
        assert_eq!(parsed, query);
    }

    fn session(name: &str, email: &str, status: SessionStatus) -> crate::Session {
        crate::Session {
            id: 1,
            name: name.to_owned(),
            email: email.to_owned(),
            app_name: "Calc".to_owned(),
            start_time: chrono::DateTime::UNIX_EPOCH,
            end_time: None,
            duration_seconds: 0,
            status,
            killable: status.is_killable(),
            killed_by: None,
            delivery: None,
        }
    }

    #[test]
    fn admits_what_the_server_would_list() {
        let query = |pairs: &[(&str, &str)]| from_pairs(pairs.iter().copied()).unwrap();
        let zoe = session("Zoë Dubois", "zoe@example.fr", SessionStatus::Connected);
        assert!(query(&[]).admits(&zoe));
        assert!(query(&[("contains", "ZOË")]).admits(&zoe));
        assert!(query(&[("contains", "example.FR")]).admits(&zoe));
        assert!(!query(&[("contains", "example.fr"), ("field", "name")]).admits(&zoe));
        assert!(query(&[("contains", "example.fr"), ("field", "email")]).admits(&zoe));
        assert!(!query(&[("contains", "joe")]).admits(&zoe));
        assert!(query(&[("status", "Unknown,Connected")]).admits(&zoe));
        assert!(!query(&[("status", "Disconnected")]).admits(&zoe));
    }
}
