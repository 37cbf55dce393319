use leptos::prelude::*;
use shared::AuditOutcome;

/// How an audited action ended, as a coloured label that also says it in words.
#[component]
pub fn OutcomeBadge(outcome: AuditOutcome) -> impl IntoView {
    let class = match outcome {
        AuditOutcome::Success => "badge badge-success",
        AuditOutcome::Failure => "badge badge-failure",
    };
    view! {
        <span class=class>
            <span class="badge-dot" aria-hidden="true"></span>
            {outcome.as_str()}
        </span>
    }
}
