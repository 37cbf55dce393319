use leptos::error::Errors;
use leptos::prelude::*;

use crate::api::ApiError;

/// A table row saying why its rows could not be loaded, with a way to ask again.
#[component]
pub fn ErrorRow(
    /// How many columns the row spans.
    columns: usize,
    errors: ArcRwSignal<Errors>,
    on_retry: Callback<()>,
) -> impl IntoView {
    let described = move || {
        errors.with(|errors| {
            errors
                .iter()
                .map(|(_, error)| {
                    let (title, detail) = match error.downcast_ref::<ApiError>() {
                        Some(api) => (api.title(), api.detail()),
                        None => ("Something went wrong".to_owned(), error.to_string()),
                    };
                    view! {
                        <p>
                            <strong class="error-title">{title}</strong>
                            <span class="error-detail">{detail}</span>
                        </p>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <tbody>
            <tr class="error-row">
                <td colspan=columns>
                    <div class="error-message" role="alert">
                        {described}
                        <button type="button" class="button" on:click=move |_| on_retry.run(())>
                            "Try again"
                        </button>
                    </div>
                </td>
            </tr>
        </tbody>
    }
}
