//! A page of sessions written as JSON without serde's derive. The derive writes every key of every row
//! through serde_json's string escaping, which was about a tenth of a large page's cost; here the keys
//! are fixed bytes and only values are written by serde_json. The output is byte for byte what
//! `serde_json::to_vec` writes for [`SessionPage`] (a test below compares them), so `shared`'s types
//! stay the one definition of the format, and the OpenAPI document's.

use serde::Serialize;
use shared::SessionPage;

use crate::db::models::SessionView;

/// About what one session takes in JSON, so that a page's buffer is allocated once rather than grown
/// (and copied) a dozen times.
const BYTES_PER_SESSION: usize = 320;

/// `page` as `serde_json::to_vec` writes it.
pub fn page_json(page: &SessionPage) -> serde_json::Result<Vec<u8>> {
    let mut writer = PageWriter::new(page.items.len());
    for session in &page.items {
        writer.session(&SessionView::from(session))?;
    }
    writer.finish(&page.next_cursor, page.total)
}

/// A page written session by session as its rows are read, then closed with its cursor and total.
pub struct PageWriter {
    out: Vec<u8>,
    sessions: usize,
}

impl PageWriter {
    /// A page of about `sessions` sessions.
    pub fn new(sessions: usize) -> PageWriter {
        let mut out = Vec::with_capacity(64 + sessions * BYTES_PER_SESSION);
        out.extend_from_slice(b"{\"items\":[");
        PageWriter { out, sessions: 0 }
    }

    pub fn session(&mut self, session: &SessionView<'_>) -> serde_json::Result<()> {
        if self.sessions > 0 {
            self.out.push(b',');
        }
        self.sessions += 1;
        write_session(&mut self.out, session)
    }

    pub fn finish(
        mut self,
        next_cursor: &Option<String>,
        total: u64,
    ) -> serde_json::Result<Vec<u8>> {
        let out = &mut self.out;
        out.extend_from_slice(b"],\"next_cursor\":");
        value(out, next_cursor)?;
        out.extend_from_slice(b",\"total\":");
        value(out, &total)?;
        out.push(b'}');
        Ok(self.out)
    }
}

fn write_session(out: &mut Vec<u8>, session: &SessionView<'_>) -> serde_json::Result<()> {
    // Destructured, so that a field added to the view fails to compile here until it is written.
    let SessionView {
        id,
        name,
        email,
        app_name,
        start_time,
        end_time,
        duration_seconds,
        status,
        killable,
        killed_by,
        delivery,
    } = session;
    out.extend_from_slice(b"{\"id\":");
    value(out, id)?;
    out.extend_from_slice(b",\"name\":");
    value(out, name)?;
    out.extend_from_slice(b",\"email\":");
    value(out, email)?;
    out.extend_from_slice(b",\"app_name\":");
    value(out, app_name)?;
    out.extend_from_slice(b",\"start_time\":");
    shared::utc_seconds::serialize(start_time, &mut serde_json::Serializer::new(&mut *out))?;
    out.extend_from_slice(b",\"end_time\":");
    shared::utc_seconds::serialize_option(end_time, &mut serde_json::Serializer::new(&mut *out))?;
    out.extend_from_slice(b",\"duration_seconds\":");
    value(out, duration_seconds)?;
    out.extend_from_slice(b",\"status\":");
    value(out, status)?;
    out.extend_from_slice(if *killable {
        b",\"killable\":true,\"killed_by\":"
    } else {
        b",\"killable\":false,\"killed_by\":"
    });
    value(out, killed_by)?;
    out.extend_from_slice(b",\"delivery\":");
    value(out, delivery)?;
    out.push(b'}');
    Ok(())
}

fn value<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> serde_json::Result<()> {
    serde_json::to_writer(out, value)
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use shared::{DeliveryState, KillDelivery, Session, SessionStatus};

    use super::*;

    fn session(id: i64, text: &str, status: SessionStatus, ended: bool) -> Session {
        let start = DateTime::from_timestamp(1_700_000_000 + id * 977, 0).unwrap();
        let killed = status == SessionStatus::Killed;
        Session {
            id,
            name: format!("{text} {id}"),
            email: format!("{}@example.com", text.to_lowercase()),
            app_name: text.chars().rev().collect(),
            start_time: start,
            end_time: ended.then(|| start + chrono::Duration::seconds(id * 31)),
            duration_seconds: id * 31,
            status,
            killable: status.is_killable(),
            killed_by: killed.then(|| format!("token:{text}")),
            delivery: killed.then(|| KillDelivery {
                state: if id % 2 == 0 {
                    DeliveryState::Pending
                } else {
                    DeliveryState::Delivered
                },
                attempts: id as u32 % 4,
                last_error: (id % 3 == 0).then(|| format!("{text}: refused")),
                delivered_at: (id % 2 == 1).then_some(start),
                next_attempt_at: (id % 2 == 0).then_some(start),
            }),
        }
    }

    #[test]
    fn a_page_is_written_byte_for_byte_as_serde_writes_it() {
        let texts = [
            "Zoë O'Brien",
            "quote \" and backslash \\",
            "tab\tnew line\ncontrol \u{1}\u{1f}",
            "日本語 😀",
            "",
            "</script>",
        ];
        let statuses = [
            SessionStatus::Connected,
            SessionStatus::Disconnected,
            SessionStatus::Unknown,
            SessionStatus::Killed,
        ];
        let items: Vec<Session> = (1..=48)
            .map(|id| {
                session(
                    id,
                    texts[id as usize % texts.len()],
                    statuses[id as usize % statuses.len()],
                    id % 5 != 0,
                )
            })
            .collect();
        let pages = [
            SessionPage {
                items: items.clone(),
                next_cursor: Some("eyJzb3J0IjoiaWQifQ".to_owned()),
                total: 1_000_000,
            },
            SessionPage {
                items: items[..1].to_vec(),
                next_cursor: None,
                total: 1,
            },
            SessionPage {
                items: Vec::new(),
                next_cursor: None,
                total: 0,
            },
        ];
        for page in pages {
            let ours = page_json(&page).unwrap();
            let serde = serde_json::to_vec(&page).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(serde).unwrap()
            );
        }
    }
}
