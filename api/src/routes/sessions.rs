use actix_web::{HttpRequest, get, web};
use diesel::Connection;
use shared::{
    FilterField, Problem, Session, SessionPage, SessionQuery, SessionStatus, SortKey, SortOrder,
};
use utoipa::IntoParams;

use crate::auth::{Authorized, ReadSessions};
use crate::db::DbPool;
use crate::db::cursor::Cursor;
use crate::db::models::fold;
use crate::db::sessions::{
    PageRequest, SessionFilter, TextFilter, find_session, list_sessions as list_page,
};
use crate::error::ApiError;

use super::{now, to_sessions, with_db};

/// The query of `GET /sessions`, for the OpenAPI document; parsing is `SessionQuery::from_pairs`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListSessionsParams {
    /// Column to sort by. Text sorts ignore case; ties are broken by id.
    #[param(inline)]
    sort: Option<SortKey>,
    /// `desc` by default for `id`, `asc` for every other sort.
    #[param(inline)]
    order: Option<SortOrder>,
    /// Sessions per page.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page, with the same sort, order and filter.
    cursor: Option<String>,
}

/// The filter that the list and the export share, for the OpenAPI document.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct FilterParams {
    /// Field `contains` searches; both name and email when absent.
    #[param(inline)]
    field: Option<FilterField>,
    /// Keeps sessions whose user's name or email (see `field`) contains this text, ignoring case.
    #[param(max_length = 200)]
    contains: Option<String>,
    /// Keeps sessions in any of these statuses; repeat the parameter or separate names with commas.
    #[param(style = Form, explode = true)]
    status: Option<Vec<SessionStatus>>,
}

/// Decoded query pairs of a request.
pub(super) fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect()
}

pub(super) fn parse_session_query<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<SessionQuery, ApiError> {
    SessionQuery::from_pairs(pairs).map_err(|e| ApiError::InvalidParameter(e.to_string()))
}

pub(super) fn session_filter(query: &SessionQuery) -> SessionFilter {
    SessionFilter {
        text: query.contains.as_ref().map(|term| TextFilter {
            field: query.field,
            folded_term: fold(term),
        }),
        statuses: query.statuses.clone(),
    }
}

/// List sessions, one page at a time.
///
/// Newest first unless `sort` and `order` say otherwise. Pages are keyset-paginated: pass `next_cursor`
/// back as `cursor` for the next page; every page costs the same, however deep. `total` counts every
/// session matching the filter, and is read in the same snapshot as the page. Needs `sessions:read`.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = ["sessions:read"]), ("bearer_token" = ["sessions:read"])),
    params(ListSessionsParams, FilterParams),
    responses(
        (status = 200, description = "One page of sessions", body = SessionPage),
        (status = 400, description = "A parameter is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy; retry", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sessions")]
pub async fn list_sessions(
    _auth: Authorized<ReadSessions>,
    pool: web::Data<DbPool>,
    req: HttpRequest,
) -> Result<web::Json<SessionPage>, ApiError> {
    let pairs = query_pairs(&req);
    let query = parse_session_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let after = query
        .cursor
        .as_deref()
        .map(|text| Cursor::decode(text, query.sort, query.order))
        .transpose()
        .map_err(|e| ApiError::InvalidParameter(format!("cursor: {e}")))?;
    let filter = session_filter(&query);
    let page = PageRequest {
        sort: query.sort,
        order: query.order,
        after,
        limit: query.limit,
    };
    let now = now();
    // One read transaction, so the total and the page come from the same snapshot.
    let (items, next, total) = with_db(&pool, move |conn| {
        conn.transaction(|conn| {
            let (page, total) = list_page(conn, &filter, &page, now)?;
            let items = to_sessions(conn, &page.records, now)?;
            Ok((items, page.next, total))
        })
    })
    .await?;
    Ok(web::Json(SessionPage {
        items,
        next_cursor: next.map(|cursor| cursor.encode()),
        total,
    }))
}

/// Get one session.
///
/// Needs `sessions:read`.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = ["sessions:read"]), ("bearer_token" = ["sessions:read"])),
    params(("id" = i64, Path, description = "Session id")),
    responses(
        (status = 200, description = "The session", body = Session),
        (status = 400, description = "The id is not a whole number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No session has this id", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy; retry", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sessions/{id}")]
pub async fn get_session(
    _auth: Authorized<ReadSessions>,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<web::Json<Session>, ApiError> {
    let id = id.into_inner();
    let now = now();
    let mut sessions = with_db(&pool, move |conn| match find_session(conn, id) {
        Err(diesel::result::Error::NotFound) => {
            Err(ApiError::NotFound(format!("no session has the id {id}")))
        }
        other => to_sessions(conn, &[other?], now),
    })
    .await?;
    Ok(web::Json(sessions.remove(0)))
}
