use leptos::prelude::*;

fn main() {
    console_error_panic_hook_or_nothing();
    leptos::mount::mount_to_body(|| view! { <p>"Sessions Console"</p> });
}

fn console_error_panic_hook_or_nothing() {}
