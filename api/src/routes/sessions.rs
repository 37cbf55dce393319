use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, get, web};
use diesel::Connection;
use shared::{FilterParams, PageParams, Session, SessionPage};

use crate::auth::{Authorized, ReadSessions};
use crate::clock::now;
use crate::db::cursor::Cursor;
use crate::db::models::to_sessions;
use crate::db::quick_page::{self, QuickPages};
use crate::db::sessions::{PageRequest, SessionFilter, find_session, list_sessions as list_page};
use crate::db::{BackendKind, DbConnection, DbPool, on_this_thread, with_quick_read};
use crate::error::{ApiError, with_db};
use crate::problem_responses::Busy;

use super::extract::Query;
use super::page_json::PageWriter;

/// List sessions, one page at a time.
///
/// Newest first unless `sort` and `order` say otherwise. Pages are keyset-paginated: pass `next_cursor`
/// back as `cursor` for the next page; every page costs the same, however deep. `total` counts every
/// session matching the filter, and is read in the same snapshot as the page. Needs `sessions:read`.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = ["sessions:read"]), ("bearer_token" = ["sessions:read"])),
    params(PageParams, FilterParams),
    responses(
        (status = 200, description = "One page of sessions", body = SessionPage),
        (status = 400, description = "A parameter is not valid"),
        Busy,
    )
)]
#[get("/sessions")]
pub async fn list_sessions(
    _auth: Authorized<ReadSessions>,
    pool: web::Data<DbPool>,
    backend: web::Data<BackendKind>,
    quick_pages: web::Data<QuickPages>,
    Query(page): Query<PageParams>,
    Query(filter): Query<FilterParams>,
) -> Result<HttpResponse, ApiError> {
    let order = page.order();
    let after = page
        .cursor
        .as_deref()
        .map(|text| Cursor::decode(text, page.sort, order))
        .transpose()
        .map_err(|e| ApiError::InvalidParameter(format!("cursor: {e}")))?;
    let filter = SessionFilter::new(&filter);
    let page = PageRequest {
        sort: page.sort,
        order,
        after,
        limit: page.limit,
    };
    let now = now();
    // What the console opens on and scripts poll: read on this thread and written as it is read.
    let filter_matches_all = filter.matches_all();
    if filter_matches_all
        && quick_page::serves(page.sort)
        && let Some(file) = quick_pages.file()
    {
        let body = on_this_thread(|| quick_list(file, &page, now)).await?;
        return Ok(HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(body));
    }
    // One read transaction, so the total and the page come from the same snapshot.
    let read = move |conn: &mut DbConnection| {
        conn.transaction(|conn| {
            let (page, total) = list_page(conn, &filter, &page, now)?;
            Ok((page.sessions, page.next, total))
        })
    };
    // A filter on users or statuses may read many rows to fill a page, so only the unfiltered list
    // (here in the duration sort, or on PostgreSQL) is taken as a quick read.
    let (items, next, total) = if filter_matches_all {
        with_quick_read(&pool, *backend.get_ref(), read).await?
    } else {
        with_db(&pool, read).await?
    };
    json_page(&SessionPage {
        items,
        next_cursor: next.map(|cursor| cursor.encode()),
        total,
    })
}

/// The unfiltered page through [`quick_page`], each session written as it is read.
fn quick_list(file: &str, page: &PageRequest, now: i64) -> Result<Vec<u8>, ApiError> {
    let mut writer = PageWriter::new(page.limit as usize);
    let mut written = Ok(());
    let end = quick_page::read_page(
        file,
        page.sort,
        page.order,
        page.after.as_ref(),
        page.limit,
        now,
        |session| {
            if written.is_ok() {
                written = writer.session(session);
            }
        },
    )?;
    written
        .and_then(|()| writer.finish(&end.next.map(|cursor| cursor.encode()), end.total))
        .map_err(|e| ApiError::internal("writing a page of sessions", e))
}

/// The page as `web::Json` would answer it (see [`super::page_json`]).
fn json_page(page: &SessionPage) -> Result<HttpResponse, ApiError> {
    let body = super::page_json::page_json(page)
        .map_err(|e| ApiError::internal("writing a page of sessions", e))?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body))
}

/// Get one session.
///
/// Needs `sessions:read`.
#[utoipa::path(
    tag = "sessions",
    security(("session_cookie" = ["sessions:read"]), ("bearer_token" = ["sessions:read"])),
    params(("id" = i64, Path, minimum = 1, maximum = 9223372036854775807_i64, description = "Session id")),
    responses(
        (status = 200, description = "The session", body = Session),
        (status = 400, description = "The id is not a whole number"),
        (status = 404, description = "No session has this id"),
        Busy,
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
        other => Ok(to_sessions(conn, vec![other?], now)?),
    })
    .await?;
    Ok(web::Json(sessions.remove(0)))
}
