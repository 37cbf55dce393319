use leptos::prelude::*;
use shared::MAX_PAGE_SIZE;

use crate::address::{Trail, View};
use crate::format::range_label;

const PAGE_SIZES: [u32; 5] = [25, 50, 100, 200, 500];

/// What the pager needs to know about the page on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageInfo {
    /// The view the rows on screen were fetched for.
    pub view: View,
    pub shown: usize,
    pub total: u64,
    pub next_cursor: Option<String>,
}

/// Rows-per-page choice, the "1–50 of 1,000" count, and Previous / Next.
#[component]
pub fn Pager(
    /// The view the address asks for; it runs ahead of `info` while a page loads.
    #[prop(into)]
    view: Signal<View>,
    #[prop(into)] info: Signal<Option<PageInfo>>,
    on_navigate: Callback<View>,
) -> impl IntoView {
    let trail = StoredValue::new(Trail::default());
    let limit = move || view.with(|v| v.query.limit);
    let sizes = move || {
        // A limit typed into the address stays selectable rather than silently shown as another.
        let mut sizes = PAGE_SIZES.to_vec();
        let current = limit().clamp(1, MAX_PAGE_SIZE);
        if !sizes.contains(&current) {
            // In order, without a sort's code in the WASM for this one insert.
            sizes.insert(sizes.partition_point(|size| *size < current), current);
        }
        sizes
    };
    let on_size = move |ev| {
        if let Ok(size) = event_target_value(&ev).parse::<u32>() {
            let mut query = view.get_untracked().query;
            query.limit = size;
            on_navigate.run(View::first_page(query));
        }
    };
    let total = move || {
        info.with(|info| {
            info.as_ref()
                .map(|i| range_label(i.view.page, i.view.query.limit, i.shown, i.total))
        })
    };
    let previous = move |_| {
        if let Some(info) = info.get_untracked() {
            on_navigate.run(trail.with_value(|t| t.previous(&info.view)));
        }
    };
    let next = move |_| {
        if let Some(PageInfo {
            view,
            next_cursor: Some(cursor),
            ..
        }) = info.get_untracked()
            && let Some(next) = trail.try_update_value(|t| t.next(&view, cursor))
        {
            on_navigate.run(next);
        }
    };
    view! {
        <nav class="pager" aria-label="Pages">
            <label class="page-size">
                "Rows per page"
                <select id="page-size" on:change=on_size>
                    {move || {
                        sizes()
                            .into_iter()
                            .map(|size| {
                                view! {
                                    <option value=size prop:selected=move || limit() == size>
                                        {size}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <span id="total" class="total" aria-live="polite">
                {total}
            </span>
            <button
                type="button"
                id="prev-page"
                class="button"
                disabled=move || info.with(|i| i.as_ref().is_none_or(|i| i.view.page <= 1))
                on:click=previous
            >
                "‹ Previous"
            </button>
            <button
                type="button"
                id="next-page"
                class="button"
                disabled=move || info.with(|i| i.as_ref().is_none_or(|i| i.next_cursor.is_none()))
                on:click=next
            >
                "Next ›"
            </button>
        </nav>
    }
}
