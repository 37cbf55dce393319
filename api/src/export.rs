//! Streaming CSV export: rows are read in keyset batches on a blocking thread and sent as they are
//! written, so memory stays flat however many sessions a range holds.

use std::io::{self, Write};

use bytes::Bytes;
use chrono::{Days, NaiveDate, TimeZone};
use chrono_tz::Tz;
use futures_util::Stream;
use shared::{AuditAction, AuditOutcome, SessionStatus};
use tokio::sync::mpsc;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::slots::Slot;

use crate::db::PooledDb;
use crate::db::audit::{Actor, record};
use crate::db::deliveries::deliveries_of;
use crate::db::export::ExportReader;
use crate::db::sessions::SessionFilter;
use crate::rfc3339::TimeFormatter;

const ROWS_PER_BATCH: i64 = 5_000;
const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks in flight between the database thread and the socket.
const CHUNKS_IN_FLIGHT: usize = 4;

/// Whole days `from..=to` in a time zone, as Unix seconds `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportRange {
    pub start: i64,
    pub end: i64,
}

impl ExportRange {
    /// `None` when the dates are beyond what the clock types hold.
    pub fn new(from: NaiveDate, to: NaiveDate, tz: Tz) -> Option<ExportRange> {
        let after_last = to.checked_add_days(Days::new(1))?;
        Some(ExportRange {
            start: start_of_day(from, tz)?,
            end: start_of_day(after_last, tz)?,
        })
    }
}

/// The first instant of a day in a zone. Where a DST change skips midnight, the day starts at the first
/// wall-clock time that exists; where midnight happens twice, at the first of the two.
fn start_of_day(day: NaiveDate, tz: Tz) -> Option<i64> {
    let midnight = day.and_hms_opt(0, 0, 0)?;
    (0..=24 * 60).step_by(15).find_map(|minutes| {
        let wall = midnight + chrono::Duration::minutes(minutes);
        tz.from_local_datetime(&wall)
            .earliest()
            .map(|t| t.timestamp())
    })
}

/// Who started an export, and the audit entry that says so; the export's end is recorded against it.
#[derive(Debug, Clone)]
pub struct ExportAudit {
    pub actor: Actor,
    pub started: i64,
}

/// Sends what it is given down a channel in chunks; fails once the receiver (the client) is gone, or
/// when the client has read nothing for `stall`.
struct ChannelWriter {
    buffer: Vec<u8>,
    sender: mpsc::Sender<io::Result<Bytes>>,
    runtime: tokio::runtime::Handle,
    stall: Duration,
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= CHUNK_BYTES {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK_BYTES),
        ));
        let sent = self.runtime.block_on(tokio::time::timeout(
            self.stall,
            self.sender.send(Ok(chunk)),
        ));
        match sent {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the client went away",
            )),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading",
            )),
        }
    }
}

/// What a cell may not start with: spreadsheets run it as a formula (OWASP's list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Spreadsheets run a cell that starts like a formula; names come from users, so defuse them (OWASP).
fn defused(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// Writes the CSV; counts the rows written into `rows` as it goes, so they are known however it ends.
fn write_all(
    conn: &mut PooledDb,
    filter: SessionFilter,
    range: ExportRange,
    tz: Tz,
    now: i64,
    writer: ChannelWriter,
    rows: &mut u64,
) -> anyhow::Result<()> {
    let mut csv = csv::WriterBuilder::new()
        .buffer_capacity(CHUNK_BYTES)
        .from_writer(writer);
    csv.write_record([
        "id",
        "name",
        "email",
        "app_name",
        "start_time",
        "end_time",
        "duration_seconds",
        "status",
        "killed_by",
        "delivery_state",
        "delivery_attempts",
        "delivery_error",
    ])?;
    let mut reader = ExportReader::new(conn, &filter, range.start, range.end)?;
    let mut numbers = itoa::Buffer::new();
    let mut duration = itoa::Buffer::new();
    let mut attempts = itoa::Buffer::new();
    let (mut start_times, mut end_times) = (TimeFormatter::new(tz), TimeFormatter::new(tz));
    loop {
        let batch = reader.next_batch(conn, ROWS_PER_BATCH)?;
        if batch.is_empty() {
            break;
        }
        // Killed sessions are few: their deliveries cost one lookup per batch, not a column in the index.
        let killed: Vec<i64> = batch
            .iter()
            .filter(|row| row.status == SessionStatus::Killed)
            .map(|row| row.id)
            .collect();
        let deliveries = if killed.is_empty() {
            Default::default()
        } else {
            deliveries_of(conn, &killed)?
        };
        for row in &batch {
            let (name, email) = reader
                .people()
                .person(row.user_id)
                .ok_or_else(|| anyhow::anyhow!("session {} has no user", row.id))?;
            let app = reader
                .people()
                .app_name(row.app_id)
                .ok_or_else(|| anyhow::anyhow!("session {} has no app", row.id))?;
            let delivery = deliveries.get(&row.id);
            let start = start_times.format(row.start_time);
            let end = row
                .end_time
                .map(|t| end_times.format(t))
                .unwrap_or_default();
            csv.write_record([
                numbers.format(row.id).as_bytes(),
                defused(name).as_bytes(),
                defused(email).as_bytes(),
                defused(app).as_bytes(),
                start.as_bytes(),
                end.as_bytes(),
                duration.format(row.duration_seconds(now)).as_bytes(),
                row.status.as_str().as_bytes(),
                defused(row.killed_by.as_deref().unwrap_or_default()).as_bytes(),
                delivery.map_or("", |d| d.state.as_str()).as_bytes(),
                delivery
                    .map(|d| attempts.format(d.attempts))
                    .unwrap_or_default()
                    .as_bytes(),
                defused(
                    delivery
                        .and_then(|d| d.last_error.as_deref())
                        .unwrap_or_default(),
                )
                .as_bytes(),
            ])?;
        }
        *rows += batch.len() as u64;
    }
    csv.flush()?;
    Ok(())
}

/// How an export ended, as its audit entry says.
fn ending(written: &anyhow::Result<()>, stall: Duration) -> String {
    let io_kind = |error: &anyhow::Error| match error.downcast_ref::<csv::Error>()?.kind() {
        csv::ErrorKind::Io(io) => Some(io.kind()),
        _ => None,
    };
    match written {
        Ok(()) => "complete".to_owned(),
        Err(error) => match io_kind(error) {
            Some(io::ErrorKind::BrokenPipe) => "the client went away".to_owned(),
            Some(io::ErrorKind::TimedOut) => format!(
                "the client read nothing for {} s and was dropped",
                stall.as_secs()
            ),
            _ => "failed".to_owned(),
        },
    }
}

/// What an export holds while it runs: its own database connection (from the export pool, so exports
/// never take the connections other requests need) and its slot under the export caps.
pub struct ExportResources {
    pub conn: PooledDb,
    pub slot: Slot,
    pub stall: Duration,
    /// Counts the rows sent when the export ends.
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// The CSV of every session matching `filter`, oldest first, as a stream of chunks. Any end but a
/// complete one (the database failed, the client stalled, the writer panicked) ends the response with an
/// error, so the client sees a broken transfer, never a short file that looks complete.
pub fn stream_csv(
    resources: ExportResources,
    filter: SessionFilter,
    range: ExportRange,
    tz: Tz,
    now: i64,
    audit: ExportAudit,
) -> impl Stream<Item = io::Result<Bytes>> + 'static {
    let ExportResources {
        mut conn,
        slot,
        stall,
        metrics,
    } = resources;
    let (sender, receiver) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let complete = Arc::new(AtomicBool::new(false));
    // Kept until the outcome is known, so the response cannot end before it is.
    let held_open = sender.clone();
    let writer = ChannelWriter {
        buffer: Vec::with_capacity(CHUNK_BYTES),
        sender,
        runtime: tokio::runtime::Handle::current(),
        stall,
    };
    let completed = complete.clone();
    actix_web::rt::task::spawn_blocking(move || {
        let _slot = slot;
        let mut rows = 0;
        let written = write_all(&mut conn, filter, range, tz, now, writer, &mut rows);
        metrics.export_rows(rows);
        let ending = ending(&written, stall);
        match &written {
            Ok(()) => completed.store(true, Ordering::Release),
            Err(error) if ending == "failed" => {
                tracing::error!(error = ?error, "export failed part-way");
            }
            Err(_) => tracing::info!(rows, ending, "export stopped"),
        }
        drop(held_open);
        let outcome = if written.is_ok() {
            AuditOutcome::Success
        } else {
            AuditOutcome::Failure
        };
        let finished = record(
            &mut conn,
            &audit.actor,
            AuditAction::Export,
            outcome,
            serde_json::json!({ "started_entry": audit.started, "rows": rows, "ending": ending }),
            chrono::Utc::now().timestamp(),
        );
        if let Err(error) = finished {
            tracing::error!(error = ?error, rows, "could not record the end of an export");
        }
    });
    futures_util::stream::unfold(Some(receiver), move |receiver| {
        let complete = complete.clone();
        async move {
            let mut receiver = receiver?;
            match receiver.recv().await {
                Some(item) => Some((item, Some(receiver))),
                // The writer dropped its end: complete, or not.
                None if complete.load(Ordering::Acquire) => None,
                None => Some((Err(io::Error::other("the export ended early")), None)),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_utc_day_is_86400_seconds() {
        let range = ExportRange::new(date("2026-03-01"), date("2026-03-01"), Tz::UTC).unwrap();
        assert_eq!(range.end - range.start, 86_400);
    }

    #[test]
    fn the_day_dst_starts_in_paris_is_23_hours() {
        let range =
            ExportRange::new(date("2026-03-29"), date("2026-03-29"), Tz::Europe__Paris).unwrap();
        assert_eq!(range.end - range.start, 23 * 3600);
    }

    #[test]
    fn a_day_without_midnight_starts_when_the_clock_resumes() {
        // Santiago moved its clocks from 00:00 to 01:00 on 2022-09-11.
        let start = start_of_day(date("2022-09-11"), Tz::America__Santiago).unwrap();
        let local = DateTime::from_timestamp(start, 0)
            .unwrap()
            .with_timezone(&Tz::America__Santiago);
        assert_eq!(local.format("%H:%M").to_string(), "01:00");
    }

    #[test]
    fn formula_like_cells_are_defused() {
        assert_eq!(defused("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(defused("Zoë"), "Zoë");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Text that often starts like a formula, and any text at all.
        fn cell_text() -> impl Strategy<Value = String> {
            let start =
                proptest::sample::select(vec!["=", "+", "-", "@", "\t", "\r", "'", "\"", ""]);
            prop_oneof![
                any::<String>(),
                (start, any::<String>()).prop_map(|(start, rest)| format!("{start}{rest}")),
            ]
        }

        proptest! {
            #[test]
            fn a_defused_cell_never_starts_like_a_formula_and_keeps_the_text(text in cell_text()) {
                let cell = defused(&text);
                prop_assert!(!cell.starts_with(FORMULA_STARTS), "{cell:?}");
                if text.starts_with(FORMULA_STARTS) {
                    prop_assert_eq!(cell.as_ref(), format!("'{text}"));
                } else {
                    prop_assert_eq!(cell.as_ref(), text.as_str());
                }
            }

            #[test]
            fn defused_cells_written_as_csv_read_back_exactly(
                texts in prop::collection::vec(cell_text(), 1..6),
            ) {
                let cells: Vec<String> = texts.iter().map(|t| defused(t).into_owned()).collect();
                let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
                // An id first, as the export writes it: a record of one empty field is a blank line.
                let record = std::iter::once("1").chain(cells.iter().map(String::as_str));
                writer.write_record(record.clone()).unwrap();
                writer.write_record(record).unwrap();
                let bytes = writer.into_inner().unwrap();
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(bytes.as_slice());
                let records: Vec<csv::StringRecord> =
                    reader.records().collect::<Result<_, _>>().unwrap();
                // Twice, so that a cell leaking into the next record would show.
                prop_assert_eq!(records.len(), 2);
                for record in &records {
                    let read: Vec<&str> = record.iter().skip(1).collect();
                    prop_assert_eq!(read, cells.iter().map(String::as_str).collect::<Vec<_>>());
                }
            }
        }
    }
}
