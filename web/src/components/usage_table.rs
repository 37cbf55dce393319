//! The usage chart's text alternative: its buckets as a table that only screen readers see.

use leptos::prelude::*;
use shared::Usage;

use super::usage_chart::local_minute;

/// Every bucket of `usage` with its peak (and each app's), for screen readers.
#[component]
pub fn UsageTable(usage: Signal<Option<Usage>>) -> impl IntoView {
    let apps = move || {
        usage.with(|u| {
            u.as_ref().map_or_else(Vec::new, |u| {
                u.apps
                    .iter()
                    .map(|s| s.app.clone().unwrap_or_else(|| "Other apps".to_owned()))
                    .collect::<Vec<_>>()
            })
        })
    };
    let rows = move || {
        usage.with(|u| {
            u.as_ref().map(|u| {
                u.buckets
                    .iter()
                    .enumerate()
                    .map(|(i, bucket)| {
                        let per_app = u
                            .apps
                            .iter()
                            .map(|s| view! { <td>{s.peaks.get(i).copied().unwrap_or(0)}</td> })
                            .collect_view();
                        view! {
                            <tr>
                                <th scope="row">{local_minute(bucket.start)}</th>
                                <td>{bucket.peak}</td>
                                {per_app}
                            </tr>
                        }
                    })
                    .collect_view()
            })
        })
    };
    view! {
        <table id="usage-table" class="visually-hidden">
            <caption>"Most sessions at once in each period, from the time given"</caption>
            <thead>
                <tr>
                    <th scope="col">"From"</th>
                    <th scope="col">"All apps"</th>
                    {move || apps().into_iter().map(|name| view! { <th scope="col">{name}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
