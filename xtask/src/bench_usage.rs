//! The usage endpoint's figure: 30 days at one-hour steps, as the console's "30 days" range asks it.

use super::{Client, Result, Table};

/// Target of issue #13: 30 days at one-hour steps over the bench database.
const USAGE_TARGET_MS: f64 = 100.0;

pub(super) fn usage(table: &mut Table, column: &str, client: &Client) -> Result {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let hour = 3_600;
    let to = (now / hour + 1) * hour;
    let from = to - 30 * 24 * hour;
    let (from, to) = (rfc3339(from), rfc3339(to));
    let query = [("from", from.as_str()), ("to", to.as_str()), ("step", "1h")];
    table.latency(
        column,
        "usage 30 d at 1 h ×30",
        client.sample(30, "/api/v1/sessions/usage", &query)?,
        Some(USAGE_TARGET_MS),
    );
    let by_app = [query[0], query[1], query[2], ("by", "app")];
    table.latency(
        column,
        "usage 30 d at 1 h, by=app ×30",
        client.sample(30, "/api/v1/sessions/usage", &by_app)?,
        Some(USAGE_TARGET_MS),
    );
    Ok(())
}

/// Unix seconds as `YYYY-MM-DDThh:mm:ssZ` (the civil-from-days algorithm of Howard Hinnant), so the
/// xtask needs no date crate for two query parameters.
fn rfc3339(seconds: i64) -> String {
    let (days, second) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second / 3_600,
        second / 60 % 60,
        second % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn unix_seconds_are_written_as_rfc_3339() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_772_323_199), "2026-02-28T23:59:59Z");
        assert_eq!(super::rfc3339(1_772_323_200), "2026-03-01T00:00:00Z");
    }
}
