//! What only the browser knows: the clock and the viewer's time zone.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use wasm_bindgen::{JsCast, JsValue};

/// Milliseconds since the epoch, from the browser's clock (`std::time` panics on wasm32).
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The viewer's IANA zone, such as `Europe/Paris`; the export asks for whole days in it.
pub fn time_zone() -> String {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &JsValue::from_str("timeZone"))
        .ok()
        .and_then(|zone| zone.as_string())
        .unwrap_or_else(|| "UTC".to_owned())
}

/// The viewer's offset from UTC at `time`, east positive; it changes with daylight saving time.
pub fn utc_offset_seconds(time: DateTime<Utc>) -> i32 {
    let date = js_sys::Date::new(&JsValue::from_f64(time.timestamp_millis() as f64));
    // getTimezoneOffset counts minutes *behind* UTC.
    -(date.get_timezone_offset() as i32) * 60
}

/// Today in the viewer's zone, as `<input type="date">` writes it.
pub fn today() -> String {
    let date = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}

/// The instant `day` begins in the viewer's zone (usually midnight; DST can move it).
pub fn start_of_day(day: NaiveDate) -> Option<DateTime<Utc>> {
    let year = u32::try_from(day.year()).ok()?;
    let date = js_sys::Date::new_with_year_month_day(year, day.month0() as i32, day.day() as i32);
    DateTime::from_timestamp_millis(date.get_time() as i64)
}

/// Puts `text` on the clipboard; false when the browser does not allow it (an insecure origin, a denied
/// permission).
pub async fn copy_text(text: &str) -> bool {
    let clipboard = leptos::prelude::window().navigator().clipboard();
    // `navigator.clipboard` is undefined outside secure contexts, whatever web-sys's type says.
    if JsValue::from(clipboard.clone()).is_undefined() {
        return false;
    }
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .is_ok()
}

/// Selects the text of the element with `id`, ready for the viewer to copy.
pub fn select_contents(id: &str) {
    let document = leptos::prelude::document();
    if let (Some(element), Ok(Some(selection))) = (
        document.get_element_by_id(id),
        leptos::prelude::window().get_selection(),
    ) {
        let _ = selection.select_all_children(&element);
    }
}

/// Moves keyboard focus to the element with `id`, if it is on the page.
pub fn focus(id: &str) {
    if let Some(element) = leptos::prelude::document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}
