//! The OpenAPI links: where one operation's answer names what another operation takes (a listed
//! session's id into kill, a new token's id into revoke). Clients can follow them, and schemathesis'
//! stateful phase chains calls along them. Written here rather than on the handlers because each names
//! two operations; an unknown operation id or parameter fails the document's test.

use serde_json::{Value, json};
use utoipa::openapi::OpenApi;
use utoipa::openapi::RefOr;
use utoipa::openapi::link::LinkBuilder;

/// One link: from the `status` answer of operation `from` to operation `to`.
struct Follow {
    from: &'static str,
    status: &'static str,
    to: &'static str,
    /// Target parameter name and the runtime expression that fills it.
    parameters: &'static [(&'static str, &'static str)],
    /// The target's request body, with runtime expressions inside.
    body: Option<fn() -> Value>,
    description: &'static str,
}

const FIRST_LISTED_ID: &[(&str, &str)] = &[("id", "$response.body#/items/0/id")];
const THE_SESSION_ID: &[(&str, &str)] = &[("id", "$response.body#/id")];
const FIRST_KILLED_ID: &[(&str, &str)] = &[("id", "$response.body#/killed/0")];
const FIRST_OPENED_ID: &[(&str, &str)] = &[("id", "$response.body#/sessions/0/id")];
const THE_USERNAME: &[(&str, &str)] = &[("username", "$response.body#/username")];

const FOLLOWS: &[Follow] = &[
    Follow {
        from: "list_sessions",
        status: "200",
        to: "get_session",
        parameters: FIRST_LISTED_ID,
        body: None,
        description: "The first listed session",
    },
    Follow {
        from: "list_sessions",
        status: "200",
        to: "kill_session",
        parameters: FIRST_LISTED_ID,
        body: None,
        description: "Kill the first listed session",
    },
    Follow {
        from: "list_sessions",
        status: "200",
        to: "retry_kill_delivery",
        parameters: FIRST_LISTED_ID,
        body: None,
        description: "Retry the kill delivery of the first listed session",
    },
    Follow {
        from: "get_session",
        status: "200",
        to: "kill_session",
        parameters: THE_SESSION_ID,
        body: None,
        description: "Kill this session",
    },
    Follow {
        from: "get_session",
        status: "200",
        to: "retry_kill_delivery",
        parameters: THE_SESSION_ID,
        body: None,
        description: "Retry the delivery of this session's kill",
    },
    Follow {
        from: "kill_session",
        status: "200",
        to: "get_session",
        parameters: THE_SESSION_ID,
        body: None,
        description: "The killed session",
    },
    Follow {
        from: "kill_session",
        status: "200",
        to: "retry_kill_delivery",
        parameters: THE_SESSION_ID,
        body: None,
        description: "Retry the delivery of this kill",
    },
    Follow {
        from: "kill_sessions",
        status: "200",
        to: "get_session",
        parameters: FIRST_KILLED_ID,
        body: None,
        description: "The first killed session",
    },
    Follow {
        from: "kill_sessions",
        status: "200",
        to: "retry_kill_delivery",
        parameters: FIRST_KILLED_ID,
        body: None,
        description: "Retry the delivery of the first kill",
    },
    Follow {
        from: "create_token",
        status: "201",
        to: "revoke_token",
        parameters: &[("id", "$response.body#/token/id")],
        body: None,
        description: "Revoke the new token",
    },
    Follow {
        from: "create_account",
        status: "201",
        to: "update_account",
        parameters: THE_USERNAME,
        body: None,
        description: "Change the new account's role, or disable it",
    },
    Follow {
        from: "create_account",
        status: "201",
        to: "set_password",
        parameters: THE_USERNAME,
        body: None,
        description: "Set the new account's password",
    },
    Follow {
        from: "update_account",
        status: "200",
        to: "set_password",
        parameters: THE_USERNAME,
        body: None,
        description: "Set this account's password",
    },
    Follow {
        from: "open_sessions",
        status: "200",
        to: "get_session",
        parameters: FIRST_OPENED_ID,
        body: None,
        description: "The first reported session, as the console shows it",
    },
    Follow {
        from: "open_sessions",
        status: "200",
        to: "kill_session",
        parameters: FIRST_OPENED_ID,
        body: None,
        description: "Kill the first reported session",
    },
    Follow {
        from: "open_sessions",
        status: "200",
        to: "heartbeats",
        parameters: &[],
        body: Some(
            || json!({"broker_session_ids": ["$response.body#/sessions/0/broker_session_id"]}),
        ),
        description: "Report the first reported session alive",
    },
    Follow {
        from: "open_sessions",
        status: "200",
        to: "end_sessions",
        parameters: &[],
        body: Some(|| {
            json!({"sessions": [{
                "broker_session_id": "$response.body#/sessions/0/broker_session_id",
                "end_time": "2030-01-01T00:00:00Z",
            }]})
        }),
        description: "Report the first reported session ended",
    },
    Follow {
        from: "pending_kills",
        status: "200",
        to: "acknowledge_kills",
        parameters: &[],
        body: Some(|| json!({"idempotency_keys": ["$response.body#/items/0/idempotency_key"]})),
        description: "Acknowledge the first pending kill",
    },
];

/// Adds every link of [`FOLLOWS`] to its answer, named after its target operation.
///
/// Panics when a link names an operation, answer or parameter the document does not have, so the
/// document's test catches a rename.
pub fn add_links(doc: &mut OpenApi) {
    let parameters_of = |operation_id: &str| -> Vec<String> {
        let operation = find(doc, operation_id)
            .unwrap_or_else(|| panic!("link to unknown operation {operation_id}"));
        operation
            .parameters
            .iter()
            .flatten()
            .filter_map(|parameter| match parameter {
                RefOr::T(parameter) => Some(parameter.name.clone()),
                RefOr::Ref(_) => None,
            })
            .collect()
    };
    let targets: Vec<Vec<String>> = FOLLOWS.iter().map(|f| parameters_of(f.to)).collect();
    for (follow, target_parameters) in FOLLOWS.iter().zip(targets) {
        let mut link = LinkBuilder::new()
            .operation_id(follow.to)
            .description(follow.description);
        for (name, expression) in follow.parameters {
            assert!(
                target_parameters.iter().any(|known| known == name),
                "{} has no parameter {name}",
                follow.to
            );
            link = link.parameter(*name, *expression);
        }
        link = link.request_body(follow.body.map(|body| body()));
        let from = find_mut(doc, follow.from)
            .unwrap_or_else(|| panic!("link from unknown operation {}", follow.from));
        let Some(RefOr::T(response)) = from.responses.responses.get_mut(follow.status) else {
            panic!(
                "{} has no {} answer to link from",
                follow.from, follow.status
            );
        };
        response
            .links
            .insert(follow.to.to_owned(), link.build().into());
    }
}

fn find<'a>(doc: &'a OpenApi, operation_id: &str) -> Option<&'a utoipa::openapi::path::Operation> {
    doc.paths.paths.values().find_map(|item| {
        [&item.get, &item.put, &item.post, &item.delete, &item.patch]
            .into_iter()
            .flatten()
            .find(|operation| operation.operation_id.as_deref() == Some(operation_id))
    })
}

fn find_mut<'a>(
    doc: &'a mut OpenApi,
    operation_id: &str,
) -> Option<&'a mut utoipa::openapi::path::Operation> {
    operations(doc).find(|operation| operation.operation_id.as_deref() == Some(operation_id))
}

/// Every operation of the document.
pub(crate) fn operations(
    doc: &mut OpenApi,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    doc.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}
