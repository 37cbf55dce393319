//! RFC 3339 times in a time zone, written fast enough for a million-row export: the zone's offset is
//! looked up once per quarter hour of time rather than per row, and the digits are written by hand.

use chrono::{DateTime, Offset, SecondsFormat, TimeZone};
use chrono_tz::Tz;

/// Offsets change at most once in a quarter hour (transitions happen on whole quarter hours, except in
/// the local mean times of the 19th century, which the check below catches).
const BUCKET_SECONDS: i64 = 900;

pub struct TimeFormatter {
    tz: Tz,
    bucket: i64,
    /// The offset of the whole current bucket, when it has one.
    bucket_offset: Option<i32>,
    text: String,
}

impl TimeFormatter {
    pub fn new(tz: Tz) -> TimeFormatter {
        TimeFormatter {
            tz,
            bucket: i64::MIN,
            bucket_offset: None,
            text: String::with_capacity(32),
        }
    }

    fn offset_at(&self, seconds: i64) -> Option<i32> {
        let instant = DateTime::from_timestamp(seconds, 0)?;
        Some(
            self.tz
                .offset_from_utc_datetime(&instant.naive_utc())
                .fix()
                .local_minus_utc(),
        )
    }

    fn offset(&mut self, seconds: i64) -> Option<i32> {
        let bucket = seconds.div_euclid(BUCKET_SECONDS);
        if bucket != self.bucket {
            self.bucket = bucket;
            let start = bucket * BUCKET_SECONDS;
            let first = self.offset_at(start);
            let last = self.offset_at(start + BUCKET_SECONDS - 1);
            self.bucket_offset = if first == last { first } else { None };
        }
        self.bucket_offset.or_else(|| self.offset_at(seconds))
    }

    /// `seconds` (Unix time) as `YYYY-MM-DDThh:mm:ss±hh:mm` in the zone (in UTC where the zone's local
    /// time is beyond chrono's calendar). The text lives until the next call.
    pub fn format(&mut self, seconds: i64) -> &str {
        self.text.clear();
        match self.offset(seconds) {
            Some(offset) if write_fast(&mut self.text, seconds, offset) => {}
            _ => {
                self.text.clear();
                if let Some(instant) = DateTime::from_timestamp(seconds, 0) {
                    let local = instant.with_timezone(&self.tz);
                    // Within a day of the ends of chrono's calendar the local time can fall beyond
                    // them, where chrono panics rather than write it: the instant is written in UTC.
                    let text = if instant
                        .naive_utc()
                        .checked_add_offset(local.offset().fix())
                        .is_some()
                    {
                        local.to_rfc3339_opts(SecondsFormat::Secs, false)
                    } else {
                        instant.to_rfc3339_opts(SecondsFormat::Secs, false)
                    };
                    self.text.push_str(&text);
                }
            }
        }
        &self.text
    }
}

fn push_digits(text: &mut String, value: i64, width: usize) {
    let mut digits = [b'0'; 4];
    let mut rest = value;
    for slot in digits[..width].iter_mut().rev() {
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    text.push_str(std::str::from_utf8(&digits[..width]).expect("ASCII digits"));
}

/// Writes the fast way; false for years outside 0000..=9999, and for the odd-second offsets of old
/// local mean times, which chrono rounds its own way.
fn write_fast(text: &mut String, seconds: i64, offset: i32) -> bool {
    if offset % 60 != 0 {
        return false;
    }
    let local = seconds + i64::from(offset);
    let days = local.div_euclid(86_400);
    let of_day = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        return false;
    }
    push_digits(text, year, 4);
    text.push('-');
    push_digits(text, month, 2);
    text.push('-');
    push_digits(text, day, 2);
    text.push('T');
    push_digits(text, of_day / 3600, 2);
    text.push(':');
    push_digits(text, of_day / 60 % 60, 2);
    text.push(':');
    push_digits(text, of_day % 60, 2);
    text.push(if offset < 0 { '-' } else { '+' });
    let minutes = i64::from(offset.unsigned_abs() / 60);
    push_digits(text, minutes / 60, 2);
    text.push(':');
    push_digits(text, minutes % 60, 2);
    true
}

/// Year, month and day of a count of days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What chrono writes, or `None` where the local time is beyond its calendar and it panics.
    fn chrono_local_text(seconds: i64, tz: Tz) -> Option<String> {
        let instant = DateTime::from_timestamp(seconds, 0)
            .unwrap()
            .with_timezone(&tz);
        std::panic::catch_unwind(|| instant.to_rfc3339_opts(SecondsFormat::Secs, false)).ok()
    }

    fn chrono_text(seconds: i64, tz: Tz) -> String {
        chrono_local_text(seconds, tz).unwrap()
    }

    #[test]
    fn matches_chrono_across_zones_years_and_transitions() {
        let zones = [
            Tz::UTC,
            Tz::Europe__Paris,
            Tz::America__New_York,
            Tz::Asia__Kolkata,
            Tz::Australia__Lord_Howe,
            Tz::Pacific__Chatham,
            Tz::America__St_Johns,
            Tz::Europe__Amsterdam,
        ];
        for tz in zones {
            let mut formatter = TimeFormatter::new(tz);
            // From 1900 to 2100 in uneven steps, so every bucket edge and transition is crossed somewhere.
            let mut seconds = -2_208_988_800i64;
            while seconds < 4_102_444_800 {
                assert_eq!(
                    formatter.format(seconds),
                    chrono_text(seconds, tz),
                    "{tz} at {seconds}"
                );
                seconds += 86_399 * 3 + 7_777;
            }
            // Every second around a DST change, in order, as an export reads them.
            let change = 1_774_746_000; // 2026-03-29T01:00:00Z, Europe's spring change
            for seconds in change - 2_000..change + 2_000 {
                assert_eq!(
                    formatter.format(seconds),
                    chrono_text(seconds, tz),
                    "{tz} at {seconds}"
                );
            }
        }
    }

    #[test]
    fn the_last_instants_chrono_holds_are_written_in_utc_where_the_zone_is_ahead_of_it() {
        let last = DateTime::<chrono::Utc>::MAX_UTC.timestamp();
        assert_eq!(
            TimeFormatter::new(Tz::Asia__Tokyo).format(last),
            "+262142-12-31T23:59:59+00:00"
        );
        let first = DateTime::<chrono::Utc>::MIN_UTC.timestamp();
        assert_eq!(
            TimeFormatter::new(Tz::America__New_York).format(first),
            "-262143-01-01T00:00:00+00:00"
        );
    }

    #[test]
    fn the_epoch_in_utc() {
        assert_eq!(
            TimeFormatter::new(Tz::UTC).format(0),
            "1970-01-01T00:00:00+00:00"
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;
        use proptest::sample::select;

        fn zone() -> impl Strategy<Value = Tz> {
            select(chrono_tz::TZ_VARIANTS.to_vec())
        }

        /// Any second chrono holds, with the years the fast path writes well represented.
        fn second() -> impl Strategy<Value = i64> {
            let (first, last) = (
                DateTime::<chrono::Utc>::MIN_UTC.timestamp(),
                DateTime::<chrono::Utc>::MAX_UTC.timestamp(),
            );
            prop_oneof![
                first..=last,
                // 1800 to 2200: local mean times, the first zones, DST rules old and new.
                -5_364_662_400i64..=7_258_118_400,
                select(vec![first, last, 0, -62_167_219_200, 253_402_300_799]),
            ]
        }

        proptest! {
            #[test]
            fn any_second_in_any_zone_is_written_as_chrono_writes_it(
                tz in zone(),
                seconds in second(),
            ) {
                let mut formatter = TimeFormatter::new(tz);
                let utc = || chrono_text(seconds, Tz::UTC);
                let expected = chrono_local_text(seconds, tz).unwrap_or_else(utc);
                prop_assert_eq!(formatter.format(seconds), expected);
            }

            /// An export formats its times in order with one formatter, whose quarter-hour cache must
            /// never carry an offset past a change.
            #[test]
            fn seconds_formatted_in_order_by_one_formatter_match_chrono(
                tz in zone(),
                start in -5_364_662_400i64..=7_258_118_400,
                steps in prop::collection::vec(
                    prop_oneof![0i64..2, 1i64..900, 1i64..100_000, 1i64..40_000_000],
                    1..200,
                ),
            ) {
                let mut formatter = TimeFormatter::new(tz);
                let mut seconds = start;
                for step in steps {
                    seconds += step;
                    prop_assert_eq!(formatter.format(seconds), chrono_text(seconds, tz), "at {}", seconds);
                }
            }

            /// RFC 3339 writes offsets in whole minutes: times read back exactly, except in the
            /// local mean times of old zones, whose offsets have seconds that chrono rounds away.
            #[test]
            fn a_written_time_reads_back_as_the_same_instant(
                tz in zone(),
                // The years 0000 to 9999 wherever the zone is, as RFC 3339 has four-digit years.
                seconds in -62_167_046_400i64..=253_402_128_000,
            ) {
                let text = TimeFormatter::new(tz).format(seconds).to_owned();
                let read = DateTime::parse_from_rfc3339(&text).unwrap();
                let utc = DateTime::from_timestamp(seconds, 0).unwrap().naive_utc();
                let offset = tz.offset_from_utc_datetime(&utc).fix().local_minus_utc();
                if offset % 60 == 0 {
                    prop_assert_eq!(read.timestamp(), seconds, "{}", text);
                    prop_assert_eq!(read.offset().local_minus_utc(), offset, "{}", text);
                } else {
                    prop_assert!((read.timestamp() - seconds).abs() <= 30, "{}", text);
                }
            }
        }
    }
}
