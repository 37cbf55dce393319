//! Usage at a glance, above the sessions table: active now, the peak of today and of the range, and
//! the chart of concurrent sessions over a chosen range, kept current by the page's live events.

use std::time::Duration;

use chrono::NaiveDate;
use leptos::prelude::*;
use shared::{Usage, UsagePeak};

use crate::api;
use crate::browser;
use crate::format::parse_day;
use crate::usage_range::{UsageRange, range_bounds, usage_pairs};

use super::usage_chart::{SERIES_COLOURS, UsageChart, local_minute};
use super::usage_table::UsageTable;

/// How soon after a live event the figures are asked for again: events come in bursts, and one
/// request then serves them all.
const AFTER_EVENTS: Duration = Duration::from_secs(1);
/// How often a range ending now moves on by itself.
const EVERY: Duration = Duration::from_secs(60);

async fn load(range: UsageRange, by_app: bool, tz: String) -> Result<Usage, String> {
    let bounds = range_bounds(range, browser::now_ms())
        .ok_or_else(|| "Choose a To day that is not before the From day.".to_owned())?;
    api::sessions_usage(&usage_pairs(bounds, &tz, by_app))
        .await
        .map_err(|error| error.to_string())
}

/// One figure of the panel.
#[component]
fn Figure(
    id: &'static str,
    label: &'static str,
    value: Signal<Option<i64>>,
    #[prop(optional)] at: Option<Signal<Option<String>>>,
) -> impl IntoView {
    view! {
        <div class="usage-figure">
            <dt>{label}</dt>
            <dd>
                <span id=id class="usage-figure-value">
                    {move || value.get().map_or_else(|| "–".to_owned(), |v| v.to_string())}
                </span>
                {at.map(|at| view! { <span class="usage-figure-at">{move || at.get()}</span> })}
            </dd>
        </div>
    }
}

fn peak_at(peak: Option<&UsagePeak>) -> Option<String> {
    peak.map(|peak| format!("at {}", local_minute(peak.at)))
}

/// The usage panel; `heard` counts the live events the page has heard.
#[component]
pub fn UsagePanel(heard: Signal<u32>, time_zone: String) -> impl IntoView {
    let range = RwSignal::new(UsageRange::Day);
    let by_app = RwSignal::new(false);
    let refresh = RwSignal::new(0u32);
    let today = parse_day(&browser::today()).unwrap_or_default();
    let (from_day, to_day) = (RwSignal::new(today), RwSignal::new(today));

    let resource = LocalResource::new(move || {
        refresh.track();
        load(range.get(), by_app.get(), time_zone.clone())
    });
    // The last answer stays shown while the next one loads, so the chart (and the focus on it) stays
    // put as live events come in; that is why this is not a <Transition>.
    let usage = RwSignal::new(None::<Usage>);
    let failure = RwSignal::new(None::<String>);
    Effect::new(move || match resource.get() {
        Some(Ok(answer)) => {
            usage.set(Some(answer));
            failure.set(None);
        }
        Some(Err(error)) => failure.set(Some(error)),
        None => {}
    });

    // Live events ask again, once per burst.
    let scheduled = StoredValue::new(false);
    Effect::watch(
        move || heard.get(),
        move |_, _, _| {
            if scheduled.get_value() {
                return;
            }
            scheduled.set_value(true);
            set_timeout(
                move || {
                    scheduled.set_value(false);
                    refresh.update(|n| *n += 1);
                },
                AFTER_EVENTS,
            );
        },
        false,
    );
    if let Ok(handle) = set_interval_with_handle(move || refresh.update(|n| *n += 1), EVERY) {
        on_cleanup(move || handle.clear());
    }

    let shown = Signal::derive(move || usage.get());
    let figure = move |pick: fn(&Usage) -> Option<i64>| {
        Signal::derive(move || usage.with(|u| u.as_ref().and_then(pick)))
    };
    let active_now = figure(|u| Some(u.active_now));
    let peak_today = figure(|u| Some(u.peak_today.sessions));
    let peak_range = figure(|u| u.peak_in_range.as_ref().map(|p| p.sessions));
    let today_at = Signal::derive(move || {
        usage.with(|u| u.as_ref().and_then(|u| peak_at(Some(&u.peak_today))))
    });
    let range_at = Signal::derive(move || {
        usage.with(|u| u.as_ref().and_then(|u| peak_at(u.peak_in_range.as_ref())))
    });

    let on_range = move |ev| {
        let chosen = event_target_value(&ev);
        range.set(match chosen.as_str() {
            "7d" => UsageRange::Week,
            "30d" => UsageRange::Month,
            "days" => UsageRange::Days(from_day.get_untracked(), to_day.get_untracked()),
            _ => UsageRange::Day,
        });
    };
    let on_day = move |day: RwSignal<NaiveDate>| {
        move |ev| {
            if let Ok(chosen) = parse_day(&event_target_value(&ev)) {
                day.set(chosen);
                range.set(UsageRange::Days(
                    from_day.get_untracked(),
                    to_day.get_untracked(),
                ));
            }
        }
    };
    let legend = move || {
        usage.with(|u| {
            u.as_ref().map(|u| {
                u.apps
                    .iter()
                    .enumerate()
                    .map(|(i, series)| {
                        let name = series.app.clone().unwrap_or_else(|| "Other apps".to_owned());
                        let colour = SERIES_COLOURS[i.min(SERIES_COLOURS.len() - 1)];
                        view! {
                            <li>
                                <span class="usage-swatch" style=format!("background:{colour}") aria-hidden="true"></span>
                                {name}
                            </li>
                        }
                    })
                    .collect_view()
            })
        })
    };

    view! {
        <section id="usage" class="usage panel" aria-labelledby="usage-title">
            <div class="usage-head">
                <h2 id="usage-title">"Usage"</h2>
                <dl class="usage-figures">
                    <Figure id="usage-active-now" label="Active now" value=active_now />
                    <Figure id="usage-peak-today" label="Peak today" value=peak_today at=today_at />
                    <Figure id="usage-peak-range" label="Peak in range" value=peak_range at=range_at />
                </dl>
                <div class="usage-controls">
                    <label>
                        <span class="field-label">"Range"</span>
                        <select id="usage-range" class="input" on:change=on_range>
                            <option value="24h" selected=move || range.get().key() == "24h">"Last 24 hours"</option>
                            <option value="7d" selected=move || range.get().key() == "7d">"Last 7 days"</option>
                            <option value="30d" selected=move || range.get().key() == "30d">"Last 30 days"</option>
                            <option value="days" selected=move || range.get().key() == "days">"From – To"</option>
                        </select>
                    </label>
                    <Show when=move || range.get().key() == "days">
                        <label>
                            <span class="field-label">"From"</span>
                            <input id="usage-from" class="input" type="date"
                                prop:value=move || from_day.get().to_string() on:change=on_day(from_day) />
                        </label>
                        <label>
                            <span class="field-label">"To"</span>
                            <input id="usage-to" class="input" type="date"
                                prop:value=move || to_day.get().to_string() on:change=on_day(to_day) />
                        </label>
                    </Show>
                    <label class="usage-split">
                        <input id="usage-by-app" type="checkbox"
                            prop:checked=move || by_app.get()
                            on:change=move |ev| by_app.set(event_target_checked(&ev)) />
                        "Split by app"
                    </label>
                </div>
            </div>
            {move || failure.get().map(|error| view! {
                <p class="usage-error" role="alert">{format!("Usage could not be loaded. {error}")}</p>
            })}
            <UsageChart usage=shown />
            <ul class="usage-legend">{legend}</ul>
            <UsageTable usage=shown />
        </section>
    }
}
