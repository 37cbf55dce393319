use leptos::prelude::*;

/// A form control with its name, both inside one `<label>` so that a click on the name focuses it.
#[component]
pub fn Field(
    /// The name shown with the control.
    label: &'static str,
    /// The label's class, which lays out the name and the control.
    #[prop(optional)]
    class: Option<&'static str>,
    /// The control.
    children: Children,
) -> impl IntoView {
    view! {
        <label class=class>
            <span class="field-label">{label}</span>
            {children()}
        </label>
    }
}
