//! The `tz` query parameter: an IANA time zone name.

use std::str::FromStr;

use chrono_tz::Tz;

/// Longer than every IANA time zone name (the longest has 32 characters), so the `tz` limit the
/// OpenAPI document states refuses nothing that names a zone.
pub const MAX_ZONE_CHARS: usize = 64;

// The OpenAPI attributes that state the limit take literals.
const _: () = assert!(MAX_ZONE_CHARS == 64);

/// An IANA time zone name.
#[derive(Debug, Clone, Copy)]
pub struct Zone(pub Tz);

impl FromStr for Zone {
    type Err = String;
    fn from_str(name: &str) -> Result<Zone, String> {
        if name.chars().count() > MAX_ZONE_CHARS {
            return Err(format!(
                "longer than {MAX_ZONE_CHARS} characters: not a time zone"
            ));
        }
        name.parse()
            .map(Zone)
            .map_err(|_| format!("'{name}' is not an IANA time zone such as Europe/Paris or UTC"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_time_zone_name_fits_the_stated_limit() {
        for zone in chrono_tz::TZ_VARIANTS {
            assert!(
                zone.name().chars().count() <= MAX_ZONE_CHARS,
                "{}",
                zone.name()
            );
        }
    }
}
