use leptos::error::{Error, Errors};
use leptos::prelude::*;
use shared::ParseQueryError;

use crate::api::ApiError;

/// A table row saying why its rows could not be loaded, with the way out that can work: try again,
/// or, where `on_show_all` is given and asking again cannot help, start over.
#[component]
pub fn ErrorRow(
    /// How many columns the row spans.
    columns: usize,
    errors: ArcRwSignal<Errors>,
    on_retry: Callback<()>,
    /// Shows the whole list instead; without it, Try again is always offered.
    #[prop(optional)]
    on_show_all: Option<Callback<()>>,
) -> impl IntoView {
    let problems = Memo::new(move |_| {
        errors.with(|errors| {
            errors
                .iter()
                .map(|(_, error)| describe(error))
                .collect::<Vec<_>>()
        })
    });
    let retryable = move || {
        on_show_all.is_none() || problems.with(|problems| problems.iter().any(|p| p.retryable))
    };
    let described = move || {
        problems
            .get()
            .into_iter()
            .map(|p| {
                view! {
                    <p>
                        <strong class="error-title">{p.title}</strong>
                        <span class="error-detail">{p.detail}</span>
                    </p>
                }
            })
            .collect_view()
    };
    let show_all = move || {
        on_show_all.map(|on_show_all| {
            view! {
                <button type="button" class="button" on:click=move |_| on_show_all.run(())>
                    "Show all sessions"
                </button>
            }
        })
    };
    view! {
        <tbody>
            <tr class="error-row">
                <td colspan=columns>
                    <div class="error-message" role="alert">
                        {described}
                        <Show when=retryable fallback=show_all>
                            <button type="button" class="button" on:click=move |_| on_retry.run(())>
                                "Try again"
                            </button>
                        </Show>
                    </div>
                </td>
            </tr>
        </tbody>
    }
}

/// An error as the table shows it.
#[derive(Debug, Clone, PartialEq)]
struct Described {
    title: String,
    detail: String,
    /// Asking again may help (the server was unreachable or failed), unlike for a refused request.
    retryable: bool,
}

fn describe(error: &Error) -> Described {
    if let Some(api) = error.downcast_ref::<ApiError>() {
        let retryable = match api {
            ApiError::Problem(problem) => problem.status >= 500,
            ApiError::TooManyRequests { .. } => true,
            ApiError::Status { status, .. } => *status >= 500,
            ApiError::Network(_) | ApiError::Decode(_) => true,
        };
        Described {
            title: api.title(),
            detail: api.detail(),
            retryable,
        }
    } else if let Some(bad) = error.downcast_ref::<ParseQueryError>() {
        Described {
            title: "This address is not a valid view".to_owned(),
            detail: bad.to_string(),
            retryable: false,
        }
    } else {
        Described {
            title: "Something went wrong".to_owned(),
            detail: error.to_string(),
            retryable: true,
        }
    }
}
