use chrono::{DateTime, SecondsFormat, Utc};
use leptos::prelude::*;

use crate::browser::utc_offset_seconds;
use crate::format::format_local_time;

/// A moment in the viewer's zone, with UTC on hover and in `datetime`.
#[component]
pub fn LocalTime(at: DateTime<Utc>) -> impl IntoView {
    let utc = at.to_rfc3339_opts(SecondsFormat::Secs, true);
    view! {
        <time datetime=utc.clone() title=format!("{utc} (UTC)")>
            {format_local_time(at, utc_offset_seconds(at))}
        </time>
    }
}
