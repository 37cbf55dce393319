//! Per-request figures: a counter by route template, method and status, and a latency histogram by
//! route template and method.
//!
//! Labels come from fixed sets only: the route templates the server was built with (a path no template
//! matches counts as `unmatched`, one whose template is not in the table as `other`, the web app's
//! files as `/{file}`), eight method
//! names and a list of status codes (others count by class, `4xx`). So a scan of random paths adds no
//! series, and a request's figures go to handles made on first use and kept: after that it costs one
//! template lookup, a table index and two atomic updates, no lock and no label string.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::http::{Method, StatusCode};
use prometheus::{Histogram, HistogramVec, IntCounter, IntCounterVec};

/// The status codes counted by their own label; sorted, for the binary search.
const STATUSES: [(u16, &str); 35] = [
    (200, "200"),
    (201, "201"),
    (202, "202"),
    (204, "204"),
    (206, "206"),
    (301, "301"),
    (302, "302"),
    (303, "303"),
    (304, "304"),
    (307, "307"),
    (308, "308"),
    (400, "400"),
    (401, "401"),
    (403, "403"),
    (404, "404"),
    (405, "405"),
    (406, "406"),
    (408, "408"),
    (409, "409"),
    (410, "410"),
    (411, "411"),
    (412, "412"),
    (413, "413"),
    (414, "414"),
    (415, "415"),
    (416, "416"),
    (417, "417"),
    (422, "422"),
    (429, "429"),
    (431, "431"),
    (500, "500"),
    (501, "501"),
    (502, "502"),
    (503, "503"),
    (504, "504"),
];
/// Labels of the codes not listed above: by class, and the rest.
const CLASSES: [&str; 6] = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"];
const STATUS_SLOTS: usize = STATUSES.len() + CLASSES.len();

const METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other",
];

pub(super) fn method_index(method: &Method) -> usize {
    match *method {
        Method::GET => 0,
        Method::HEAD => 1,
        Method::POST => 2,
        Method::PUT => 3,
        Method::PATCH => 4,
        Method::DELETE => 5,
        Method::OPTIONS => 6,
        _ => 7,
    }
}

fn status_index(status: StatusCode) -> usize {
    let code = status.as_u16();
    match STATUSES.binary_search_by_key(&code, |(listed, _)| *listed) {
        Ok(index) => index,
        Err(_) => STATUSES.len() + usize::from(code / 100).clamp(1, 6) - 1,
    }
}

fn status_label(index: usize) -> &'static str {
    STATUSES
        .get(index)
        .map_or_else(|| CLASSES[index - STATUSES.len()], |(_, label)| *label)
}

/// The route templates a server answers, as actix spells them (`/api/v1/sessions/{id}`).
pub struct RouteTable {
    index: HashMap<String, usize>,
    labels: Vec<String>,
}

/// The label of the web app's files.
const WEB_APP: &str = "/{file}";
const UNMATCHED: usize = 0;
const OTHER: usize = 1;

impl RouteTable {
    pub fn new(templates: impl IntoIterator<Item = String>) -> RouteTable {
        let mut labels = vec!["unmatched".to_owned(), "other".to_owned()];
        let mut index = HashMap::new();
        for template in templates {
            if !index.contains_key(&template) {
                index.insert(template.clone(), labels.len());
                // The one service mounted at the root, without a pattern of its own: the web app's files.
                labels.push(if template.is_empty() {
                    WEB_APP.to_owned()
                } else {
                    template
                });
            }
        }
        RouteTable { index, labels }
    }

    pub(super) fn find(&self, pattern: Option<&str>) -> usize {
        match pattern {
            None => UNMATCHED,
            Some(pattern) => self.index.get(pattern).copied().unwrap_or(OTHER),
        }
    }
}

/// The handles of one route, made on first use.
struct RouteCells {
    requests: Box<[OnceLock<IntCounter>]>,
    latency: [OnceLock<Histogram>; METHODS.len()],
}

pub(crate) struct HttpMetrics {
    routes: RouteTable,
    cells: Vec<RouteCells>,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl HttpMetrics {
    pub(super) fn new(
        routes: RouteTable,
        requests: IntCounterVec,
        latency: HistogramVec,
    ) -> HttpMetrics {
        let cells = routes
            .labels
            .iter()
            .map(|_| RouteCells {
                requests: (0..METHODS.len() * STATUS_SLOTS)
                    .map(|_| OnceLock::new())
                    .collect(),
                latency: Default::default(),
            })
            .collect();
        HttpMetrics {
            routes,
            cells,
            requests,
            latency,
        }
    }

    /// The index of a request's route in the table.
    pub(super) fn route(&self, pattern: Option<&str>) -> usize {
        self.routes.find(pattern)
    }

    pub(super) fn record(&self, route: usize, method: usize, status: StatusCode, seconds: f64) {
        let label = self.routes.labels[route].as_str();
        let cells = &self.cells[route];
        let status = status_index(status);
        cells.requests[method * STATUS_SLOTS + status]
            .get_or_init(|| {
                self.requests
                    .with_label_values(&[label, METHODS[method], status_label(status)])
            })
            .inc();
        cells.latency[method]
            .get_or_init(|| self.latency.with_label_values(&[label, METHODS[method]]))
            .observe(seconds);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_statuses_have_their_own_label_and_the_rest_their_class() {
        assert!(STATUSES.is_sorted_by_key(|(code, _)| *code));
        for (code, label) in STATUSES {
            assert_eq!(
                status_label(status_index(StatusCode::from_u16(code).unwrap())),
                label
            );
        }
        let label = |code| status_label(status_index(StatusCode::from_u16(code).unwrap()));
        assert_eq!(label(103), "1xx");
        assert_eq!(label(418), "4xx");
        assert_eq!(label(599), "5xx");
        assert_eq!(label(999), "other");
    }

    #[test]
    fn a_path_without_a_listed_template_counts_as_unmatched_or_other() {
        let table = RouteTable::new(["/a/{id}".to_owned(), "/b".to_owned()]);
        assert_eq!(table.labels[table.find(Some("/a/{id}"))], "/a/{id}");
        assert_eq!(table.labels[table.find(Some("/nope"))], "other");
        assert_eq!(table.labels[table.find(None)], "unmatched");
        let with_files = RouteTable::new([String::new()]);
        assert_eq!(with_files.labels[with_files.find(Some(""))], "/{file}");
    }
}
