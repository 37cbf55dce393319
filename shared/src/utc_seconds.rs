//! Whole-second UTC times written as chrono writes them (`2026-12-03T12:00:00Z`), without going through
//! `fmt`: a page of sessions holds two per row, and chrono's own `Serialize` was a tenth of a page's
//! cost. Anything outside years 0 to 9999, or with a fraction of a second, is left to chrono.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serializer;

/// `YYYY-MM-DDThh:mm:ssZ`, or `None` where chrono would write something else.
fn fast(time: &DateTime<Utc>) -> Option<[u8; 20]> {
    let year = time.year();
    if !(0..=9999).contains(&year) || time.nanosecond() != 0 {
        return None;
    }
    let mut text = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, value: u32, digits: usize| {
        let mut value = value;
        for i in (0..digits).rev() {
            text[at + i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, year as u32, 4);
    put(5, time.month(), 2);
    put(8, time.day(), 2);
    put(11, time.hour(), 2);
    put(14, time.minute(), 2);
    put(17, time.second(), 2);
    Some(text)
}

pub fn serialize<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    match fast(time) {
        // Only ASCII digits and punctuation were written.
        Some(text) => serializer.serialize_str(std::str::from_utf8(&text).unwrap_or_default()),
        None => serde::Serialize::serialize(time, serializer),
    }
}

pub fn serialize_option<S: Serializer>(
    time: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(time) => serialize(time, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Fast(#[serde(serialize_with = "serialize")] DateTime<Utc>);

    #[test]
    fn times_are_written_exactly_as_chrono_writes_them() {
        let mut seconds = -62_167_219_200_i64 - 86_400; // a day before year 0
        let last = 253_402_300_799_i64 + 86_400; // a day after 9999-12-31T23:59:59
        let step = 7_919_993; // about three months, prime, so every field takes many values
        while seconds <= last {
            let time = DateTime::from_timestamp(seconds, 0).unwrap();
            assert_eq!(
                serde_json::to_string(&Fast(time)).unwrap(),
                serde_json::to_string(&time).unwrap(),
                "{seconds}"
            );
            seconds += step;
        }
        let fraction = DateTime::from_timestamp(1_700_000_000, 5).unwrap();
        assert_eq!(
            serde_json::to_string(&Fast(fraction)).unwrap(),
            serde_json::to_string(&fraction).unwrap()
        );
    }
}
