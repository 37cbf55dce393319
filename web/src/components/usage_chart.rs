//! The usage chart: an SVG drawn by the view itself, one step per bucket, with a readout of the bucket
//! under the pointer or chosen with the arrow keys (in the viewer's zone).

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::Usage;

use crate::browser::{now_ms, utc_offset_seconds};
use crate::format::format_local_time;

/// Height of the drawing in SVG units; each bucket is one unit wide.
const HEIGHT: f64 = 100.0;

/// Colours of the per-app lines (then "other apps"), each at least 3:1 against the white chart.
pub const SERIES_COLOURS: [&str; 6] = [
    "#1d5fc1", "#b3261e", "#1b7a3d", "#7b3fa8", "#a35200", "#4f5966",
];

/// A bound above `peak` that reads well on an axis: 1, 2 or 5 times a power of ten.
fn nice_ceiling(peak: i64) -> i64 {
    let mut unit = 1;
    loop {
        for factor in [1, 2, 5] {
            if factor * unit >= peak.max(1) {
                return factor * unit;
            }
        }
        unit *= 10;
    }
}

/// [`HEIGHT`] as the drawing writes it.
const HEIGHT_TEXT: &str = "100";

fn y(value: i64, top: i64) -> f64 {
    HEIGHT - value as f64 / top as f64 * HEIGHT
}

/// Writes `y(value, top)` with two decimals exactly as `format!("{:.2}")` does, without the float
/// formatting code that would be in the WASM for this alone: the hundredths are the exact quotient
/// `10000 (top - value) / top` rounded to nearest; at a tie of that quotient, the float's own side
/// of the midpoint decides, and half to even when the float is the midpoint itself, as `{:.2}` does.
/// `value` is from 0 to `top`; the quotient is taken in two steps of 100 in `u64` (a 128-bit division
/// would bring its own code), exact while `top` is under 10^16.
fn push_y(text: &mut String, value: i64, top: i64) {
    let divisor = top.max(1) as u64;
    let above = top.saturating_sub(value).clamp(0, top.max(1)) as u64;
    let first = above.saturating_mul(100);
    let second = (first % divisor).saturating_mul(100);
    let mut hundredths = first / divisor * 100 + second / divisor;
    let rest = second % divisor;
    let up = match rest.cmp(&(divisor - rest)) {
        Ordering::Greater => true,
        Ordering::Less => false,
        Ordering::Equal => match side_of_midpoint(y(value, top), i128::from(2 * hundredths + 1)) {
            Ordering::Equal => hundredths % 2 == 1,
            side => side == Ordering::Greater,
        },
    };
    if up {
        hundredths += 1;
    }
    push_number(text, hundredths / 100);
    text.push('.');
    text.push(char::from(b'0' + (hundredths % 100 / 10) as u8));
    text.push(char::from(b'0' + (hundredths % 10) as u8));
}

/// Where the finite float `y` lies against the midpoint `odd / 200`, exactly.
fn side_of_midpoint(y: f64, odd: i128) -> Ordering {
    let bits = y.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let fraction = i128::from(bits & ((1 << 52) - 1));
    // y = ±mantissa × 2^power
    let (mantissa, power) = if exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), exponent - 1075)
    };
    let mantissa = if bits >> 63 == 1 { -mantissa } else { mantissa };
    if power >= 0 {
        ((mantissa * 200) << power).cmp(&odd)
    } else {
        (mantissa * 200).cmp(&(odd << -power))
    }
}

fn push_number(text: &mut String, n: u64) {
    if n >= 10 {
        push_number(text, n / 10);
    }
    text.push(char::from(b'0' + (n % 10) as u8));
}

/// The steps through the values after the first point: up or down to each bucket's value, then
/// across the bucket (`V` takes a y only, `H` an x only).
fn push_steps(d: &mut String, values: &[i64], top: i64) {
    for (i, &value) in values.iter().enumerate() {
        d.push('V');
        push_y(d, value, top);
        d.push_str(" H");
        push_number(d, i as u64 + 1);
        d.push(' ');
    }
}

/// A step line through the values, one unit per bucket.
fn step_line(values: &[i64], top: i64) -> String {
    let mut d = String::new();
    if let Some(&first) = values.first() {
        d.push_str("M0 ");
        push_y(&mut d, first, top);
        d.push(' ');
        push_steps(&mut d, values, top);
    }
    d
}

/// The area under the step line.
fn step_area(values: &[i64], top: i64) -> String {
    let mut d = String::new();
    if !values.is_empty() {
        d.push_str("M0 ");
        d.push_str(HEIGHT_TEXT);
        d.push(' ');
        push_steps(&mut d, values, top);
        d.push('V');
        d.push_str(HEIGHT_TEXT);
        d.push_str(" Z");
    }
    d
}

/// The browser's clock as a time.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(now_ms() as i64).unwrap_or_default()
}

/// A time in the viewer's zone, to the minute.
pub fn local_minute(at: DateTime<Utc>) -> String {
    let mut text = format_local_time(at, utc_offset_seconds(at));
    text.truncate(16);
    text
}

/// What the readout says of bucket `index`.
fn describe(usage: &Usage, index: usize) -> Option<String> {
    let bucket = usage.buckets.get(index)?;
    let end = usage
        .buckets
        .get(index + 1)
        .map_or(usage.to, |next| next.start)
        .min(now());
    let mut text = format!(
        "{} to {}: at most {} at once",
        local_minute(bucket.start),
        local_minute(end),
        bucket.peak
    );
    for series in &usage.apps {
        let name = series.app.as_deref().unwrap_or("other apps");
        if let Some(peak) = series.peaks.get(index) {
            text.push_str(&format!("; {name} {peak}"));
        }
    }
    Some(text)
}

/// The chart of `usage`'s buckets (and apps), with its hover and keyboard readout.
#[component]
pub fn UsageChart(usage: Signal<Option<Usage>>) -> impl IntoView {
    let chosen = RwSignal::new(None::<usize>);
    let count = move || usage.with(|u| u.as_ref().map_or(0, |u| u.buckets.len()));
    let top = Memo::new(move |_| {
        usage.with(|u| {
            u.as_ref().map_or(1, |u| {
                let apps = u.apps.iter().flat_map(|s| s.peaks.iter().copied());
                nice_ceiling(
                    u.buckets
                        .iter()
                        .map(|b| b.peak)
                        .chain(apps)
                        .max()
                        .unwrap_or(0),
                )
            })
        })
    });
    // A new series may be shorter than the old one.
    Effect::new(move || {
        let n = count();
        if chosen.get_untracked().is_some_and(|i| i >= n) {
            chosen.set(n.checked_sub(1));
        }
    });
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let n = count();
        if n == 0 {
            return;
        }
        let current = chosen.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowLeft" => current.map_or(n - 1, |i| i.saturating_sub(1)),
            "ArrowRight" => current.map_or(n - 1, |i| (i + 1).min(n - 1)),
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        chosen.set(Some(next));
    };
    let readout = move || {
        usage.with(|u| match (u, chosen.get()) {
            (Some(u), Some(i)) => describe(u, i).unwrap_or_default(),
            (Some(u), None) if !u.buckets.is_empty() => {
                "Point at the chart, or focus it and use the arrow keys, to read a bucket."
                    .to_owned()
            }
            _ => String::new(),
        })
    };
    let total_path = move || {
        usage.with(|u| {
            u.as_ref()
                .map(|u| u.buckets.iter().map(|b| b.peak).collect::<Vec<_>>())
        })
    };
    let drawing = move || {
        let top = top.get();
        let values = total_path().unwrap_or_default();
        let apps = usage.with(|u| u.as_ref().map(|u| u.apps.clone()).unwrap_or_default());
        let lines = apps
            .iter()
            .enumerate()
            .map(|(i, series)| {
                view! {
                    <path
                        class="usage-app-line"
                        d=step_line(&series.peaks, top)
                        stroke=SERIES_COLOURS[i.min(SERIES_COLOURS.len() - 1)]
                    />
                }
            })
            .collect_view();
        let targets = (0..values.len())
            .map(|i| {
                view! {
                    <rect
                        class="usage-target"
                        x=i
                        y="0"
                        width="1"
                        height=HEIGHT_TEXT
                        on:mouseenter=move |_| chosen.set(Some(i))
                    />
                }
            })
            .collect_view();
        view! {
            <path class="usage-area" d=step_area(&values, top) />
            <path class="usage-line" d=step_line(&values, top) />
            {lines}
            {targets}
        }
    };
    let marker = move || {
        chosen.get().map(|i| {
            view! { <rect class="usage-marker" x=i y="0" width="1" height=HEIGHT_TEXT /> }
        })
    };
    let view_box = move || format!("0 0 {} {HEIGHT_TEXT}", count().max(1));
    let ends = move || {
        usage.with(|u| {
            u.as_ref().and_then(|u| {
                let first = u.buckets.first()?;
                Some((local_minute(first.start), local_minute(u.to.min(now()))))
            })
        })
    };
    view! {
        <div class="usage-chart">
            <div class="usage-scale" aria-hidden="true">
                <span>{move || top.get().to_string()}</span>
                <span>"0"</span>
            </div>
            <div
                id="usage-plot"
                class="usage-plot"
                tabindex="0"
                role="group"
                aria-label="Chart of concurrent sessions: left and right arrow keys read each bucket"
                aria-describedby="usage-readout"
                on:keydown=on_key
                on:mouseleave=move |_| chosen.set(None)
            >
                <svg
                    viewBox=view_box
                    preserveAspectRatio="none"
                    aria-hidden="true"
                    focusable="false"
                >
                    {drawing}
                    {marker}
                </svg>
            </div>
            <div class="usage-ends" aria-hidden="true">
                {move || ends().map(|(first, last)| view! { <span>{first}</span><span>{last}</span> })}
            </div>
            <p id="usage-readout" class="usage-readout" aria-live="polite">{readout}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_line_goes_across_each_bucket_at_its_value() {
        assert_eq!(step_line(&[0, 5], 10), "M0 100.00 V100.00 H1 V50.00 H2 ");
        assert_eq!(step_area(&[10], 10), "M0 100 V0.00 H1 V100 Z");
    }

    #[test]
    fn heights_are_written_as_two_decimal_formatting_writes_them() {
        assert_eq!(HEIGHT_TEXT, HEIGHT.to_string());
        let tops = (0..8).flat_map(|power| [1, 2, 5].map(|factor| factor * 10_i64.pow(power)));
        for top in tops {
            let step = (top / 20_000).max(1);
            let values = (0..=top)
                .step_by(step as usize)
                .chain([top - 1, top / 2 + 1, top / 3]);
            for value in values.filter(|value| *value >= 0) {
                let mut text = String::new();
                push_y(&mut text, value, top);
                assert_eq!(text, format!("{:.2}", y(value, top)), "{value} of {top}");
            }
        }
    }

    #[test]
    fn the_scale_ends_on_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(3), 5);
        assert_eq!(nice_ceiling(412), 500);
        assert_eq!(nice_ceiling(1_000), 1_000);
        assert_eq!(nice_ceiling(1_001), 2_000);
    }
}
