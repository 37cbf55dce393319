//! The query of `GET /sessions` (and the filters of the export): parsed by the API, built by the web app,
//! so both agree on every name and default.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{DEFAULT_PAGE_SIZE, MAX_CONTAINS_CHARS, MAX_PAGE_SIZE, SessionStatus};

/// The column a page of sessions is sorted by. Text sorts ignore case; ties are broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    Id,
    Name,
    Email,
    AppName,
    StartTime,
    Status,
    Duration,
}

impl SortKey {
    pub const ALL: [SortKey; 7] = [
        SortKey::Id,
        SortKey::Name,
        SortKey::Email,
        SortKey::AppName,
        SortKey::StartTime,
        SortKey::Status,
        SortKey::Duration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Id => "id",
            SortKey::Name => "name",
            SortKey::Email => "email",
            SortKey::AppName => "app_name",
            SortKey::StartTime => "start_time",
            SortKey::Status => "status",
            SortKey::Duration => "duration",
        }
    }

    /// Newest first for ids; A to Z, oldest or shortest first for everything else.
    pub fn default_order(self) -> SortOrder {
        match self {
            SortKey::Id => SortOrder::Desc,
            _ => SortOrder::Asc,
        }
    }
}

impl fmt::Display for SortKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SortKey {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SortKey::ALL
            .into_iter()
            .find(|key| key.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown sort key '{s}'; expected one of {}",
                    SortKey::ALL.map(SortKey::as_str).join(", ")
                )
            })
    }
}

/// Direction of a sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }

    pub fn reversed(self) -> SortOrder {
        match self {
            SortOrder::Asc => SortOrder::Desc,
            SortOrder::Desc => SortOrder::Asc,
        }
    }
}

impl FromStr for SortOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "asc" => Ok(SortOrder::Asc),
            "desc" => Ok(SortOrder::Desc),
            _ => Err(format!("unknown order '{s}'; expected asc or desc")),
        }
    }
}

/// Which field of the user a `contains` filter searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FilterField {
    Name,
    Email,
}

impl FilterField {
    pub fn as_str(self) -> &'static str {
        match self {
            FilterField::Name => "name",
            FilterField::Email => "email",
        }
    }
}

impl FromStr for FilterField {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "name" => Ok(FilterField::Name),
            "email" => Ok(FilterField::Email),
            _ => Err(format!(
                "unknown filter field '{s}'; expected name or email"
            )),
        }
    }
}

/// A query parameter that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseQueryError {
    pub parameter: &'static str,
    pub message: String,
}

impl fmt::Display for ParseQueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.parameter, self.message)
    }
}

impl std::error::Error for ParseQueryError {}

fn invalid(parameter: &'static str, message: impl Into<String>) -> ParseQueryError {
    ParseQueryError {
        parameter,
        message: message.into(),
    }
}

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
        SessionQuery {
            sort: SortKey::Id,
            order: SortKey::Id.default_order(),
            field: None,
            contains: None,
            statuses: Vec::new(),
            limit: DEFAULT_PAGE_SIZE,
            cursor: None,
        }
    }
}

impl SessionQuery {
    /// Reads decoded query pairs. Parameters this query does not know are left for the caller.
    /// A parameter given twice (other than `status`) is an error rather than a silent pick.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, ParseQueryError> {
        let mut query = SessionQuery::default();
        let mut order = None;
        let mut seen: Vec<&'static str> = Vec::new();
        let mut once = |name: &'static str| {
            if seen.contains(&name) {
                Err(invalid(name, "given more than once"))
            } else {
                seen.push(name);
                Ok(())
            }
        };
        for (name, value) in pairs {
            match name {
                "sort" => {
                    once("sort")?;
                    query.sort = value.parse().map_err(|e| invalid("sort", e))?;
                }
                "order" => {
                    once("order")?;
                    order = Some(value.parse().map_err(|e| invalid("order", e))?);
                }
                "field" => {
                    once("field")?;
                    query.field = Some(value.parse().map_err(|e| invalid("field", e))?);
                }
                "contains" => {
                    once("contains")?;
                    if value.chars().count() > MAX_CONTAINS_CHARS {
                        return Err(invalid(
                            "contains",
                            format!("longer than {MAX_CONTAINS_CHARS} characters"),
                        ));
                    }
                    if !value.is_empty() {
                        query.contains = Some(value.to_owned());
                    }
                }
                "status" => {
                    for part in value.split(',') {
                        let status = part.parse().map_err(|e| invalid("status", e))?;
                        if !query.statuses.contains(&status) {
                            query.statuses.push(status);
                        }
                    }
                }
                "limit" => {
                    once("limit")?;
                    query.limit = value
                        .parse::<u32>()
                        .ok()
                        .filter(|limit| (1..=MAX_PAGE_SIZE).contains(limit))
                        .ok_or_else(|| {
                            invalid(
                                "limit",
                                format!(
                                    "'{value}' is not a whole number from 1 to {MAX_PAGE_SIZE}"
                                ),
                            )
                        })?;
                }
                "cursor" => {
                    once("cursor")?;
                    query.cursor = Some(value.to_owned());
                }
                _ => {}
            }
        }
        query.order = order.unwrap_or(query.sort.default_order());
        Ok(query)
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
        let term = term.to_lowercase();
        let has = |text: &str| text.to_lowercase().contains(&term);
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

    #[test]
    fn defaults_sort_newest_id_first() {
        let query = SessionQuery::from_pairs([]).unwrap();
        assert_eq!(
            (query.sort, query.order, query.limit),
            (SortKey::Id, SortOrder::Desc, 50)
        );
    }

    #[test]
    fn other_sorts_default_to_ascending() {
        let query = SessionQuery::from_pairs([("sort", "name")]).unwrap();
        assert_eq!(query.order, SortOrder::Asc);
    }

    #[test]
    fn statuses_may_be_repeated_or_comma_separated() {
        let query =
            SessionQuery::from_pairs([("status", "Connected,Unknown"), ("status", "Killed")])
                .unwrap();
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
            let err = SessionQuery::from_pairs([("limit", bad)]).unwrap_err();
            assert_eq!(err.parameter, "limit", "for {bad:?}");
        }
    }

    #[test]
    fn a_parameter_given_twice_is_rejected() {
        let err = SessionQuery::from_pairs([("sort", "name"), ("sort", "id")]).unwrap_err();
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
        let parsed = SessionQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
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
        let query =
            |pairs: &[(&str, &str)]| SessionQuery::from_pairs(pairs.iter().copied()).unwrap();
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
