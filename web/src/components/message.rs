use leptos::prelude::*;

/// The outcome of an action, for the status region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Success(String),
    /// Done in part: some of what was asked could not be done.
    Warning(String),
    Error(String),
}

/// The status region announcing the outcome of the last action; it stays until dismissed or replaced.
#[component]
pub fn MessageRegion(
    message: RwSignal<Option<Message>>,
    /// The text's id, `message` unless the page has more than one region.
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    let kind = move || match message.get() {
        Some(Message::Success(_)) => "message message-success",
        Some(Message::Warning(_)) => "message message-warning",
        Some(Message::Error(_)) => "message message-error",
        None => "message message-empty",
    };
    let is_error = move || matches!(message.get(), Some(Message::Error(_)));
    let text = move || match message.get() {
        Some(Message::Success(text) | Message::Warning(text) | Message::Error(text)) => text,
        None => String::new(),
    };
    view! {
        // Always in the page, so screen readers already watch the region when a text arrives. Focusable
        // from script only: where focus goes when what had it went away with the action.
        <div class=kind>
            <p
                id=id.unwrap_or("message")
                role="status"
                aria-live="polite"
                tabindex="-1"
                class:error-message=is_error
            >
                {text}
            </p>
            <Show when=move || message.with(Option::is_some)>
                <button
                    type="button"
                    class="message-close"
                    aria-label="Dismiss the message"
                    on:click=move |_| message.set(None)
                >
                    "×"
                </button>
            </Show>
        </div>
    }
}
