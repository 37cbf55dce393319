use leptos::html;
use leptos::prelude::*;

/// Keeps `dialog` shown as a modal while `wanted` holds, and closed otherwise. A native modal dialog
/// traps focus, dims the page and closes on Escape.
pub fn modal_while(dialog: NodeRef<html::Dialog>, wanted: impl Fn() -> bool + 'static) {
    Effect::new(move |_| {
        let wanted = wanted();
        if let Some(dialog) = dialog.get() {
            if wanted && !dialog.open() {
                let _ = dialog.show_modal();
            } else if !wanted && dialog.open() {
                dialog.close();
            }
        }
    });
}

/// The `close` handler of `dialog`: runs `close` once the dialog is shut. The browser fires `close` in
/// a later task, by when a quick Escape then Enter may have opened the dialog again: that late event
/// must not close the new question.
pub fn when_shut(
    dialog: NodeRef<html::Dialog>,
    close: impl Fn() + 'static,
) -> impl Fn(leptos::ev::Event) + 'static {
    move |_| {
        if dialog.get_untracked().is_none_or(|dialog| !dialog.open()) {
            close();
        }
    }
}
