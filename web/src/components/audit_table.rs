use leptos::prelude::*;
use shared::{ActorKind, AuditEntry};

use crate::components::list_table::Column;
use crate::components::local_time::LocalTime;
use crate::components::outcome_badge::OutcomeBadge;
use crate::components::table_note::TableNote;
use crate::format::{audit_details, repeated_label};

/// The columns of the audit table.
pub const AUDIT_COLUMNS: &[Column] = &[
    Column::new("col-time", "TIME"),
    Column::new("col-actor", "ACTOR"),
    Column::new("col-address", "ADDRESS"),
    Column::new("col-action", "ACTION"),
    Column::new("col-outcome", "OUTCOME"),
    Column::new("col-details", "DETAILS"),
];

/// The entries of one page, newest first.
#[component]
pub fn AuditRows(entries: Vec<AuditEntry>, filtered: bool) -> impl IntoView {
    if entries.is_empty() {
        let text = if filtered {
            "No audit entries match these filters."
        } else {
            "The audit log is empty."
        };
        return view! { <TableNote columns=AUDIT_COLUMNS.len() text class="empty-row audit-empty" /> }
            .into_any();
    }
    view! {
        <tbody>
            {entries.into_iter().map(|entry| view! { <AuditRow entry /> }).collect_view()}
        </tbody>
    }
    .into_any()
}

/// One audit entry: when, who, from where, what, how it ended, and its details on one line.
#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let kind = match entry.actor_kind {
        ActorKind::Account => "account",
        ActorKind::Token => "API token",
        ActorKind::Cli => "command line",
        ActorKind::Anonymous => "not signed in",
    };
    let details = audit_details(&entry.details);
    let details_full = entry.details.to_string();
    view! {
        <tr
            class="audit-row"
            data-audit-id=entry.id
            data-action=entry.action.as_str()
            data-outcome=entry.outcome.as_str()
        >
            <td class="col-time">
                <LocalTime at=entry.at />
            </td>
            <td class="col-actor" title=entry.actor.clone()>
                <span class="actor-name">{entry.actor.clone()}</span>
                <span class="actor-kind">{kind}</span>
            </td>
            <td class="col-address">{entry.address.unwrap_or_else(|| "—".to_owned())}</td>
            <td class="col-action">
                <code>{entry.action.as_str()}</code>
            </td>
            <td class="col-outcome">
                <OutcomeBadge outcome=entry.outcome />
                {repeated_label(entry.count)
                    .map(|(label, title)| {
                        view! {
                            <span class="audit-count" title=title>
                                {label}
                            </span>
                        }
                    })}
            </td>
            <td class="col-details" title=details_full>
                {details}
            </td>
        </tr>
    }
}
