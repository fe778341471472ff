//! Keeping the page responsive while the CPU backend computes on its thread: the browser's turn
//! between two pieces of work.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Gives the browser its turn between two pieces of work on the CPU: a fresh task of the event
/// loop (`setTimeout(0)`), and once 40 ms have passed since the last frame, a frame too
/// (`requestAnimationFrame`, then a task, so the frame is painted before the work goes on).
///
/// Chromium runs queued tasks before painting until rendering has waited about 100 ms, so
/// tasks alone, even short ones, leave frames out; a frame for every piece would cost up to
/// 16 ms each. Workers and hidden pages (no frames to paint) take the task alone.
pub(crate) async fn yield_to_page() -> Result<(), JsValue> {
    thread_local! {
        /// `performance.now()` when the page last painted for us.
        static LAST_FRAME: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
    }
    let global = js_sys::global();
    let get = |target: &JsValue, key: &str| Reflect::get(target, &key.into());
    let set_timeout: Function = get(&global, "setTimeout")?.into();
    let now = || -> Result<f64, JsValue> {
        let performance = get(&global, "performance")?;
        let now: Function = get(&performance, "now")?.into();
        Ok(now.call0(&performance)?.as_f64().unwrap_or(0.0))
    };
    let document = get(&global, "document")?;
    let visible = !document.is_undefined()
        && get(&document, "visibilityState")?.as_string().as_deref() == Some("visible");
    let frame_due = visible && now()? - LAST_FRAME.with(|f| f.get()) >= 40.0;
    let wake = if frame_due {
        let request_frame: Function = get(&global, "requestAnimationFrame")?.into();
        Promise::new(&mut |resolve, _| {
            let set_timeout = set_timeout.clone();
            let after_paint = Closure::once_into_js(move || {
                let _ = set_timeout.call1(&JsValue::NULL, &resolve);
            });
            let _ = request_frame.call1(&JsValue::NULL, &after_paint);
        })
    } else {
        Promise::new(&mut |resolve, _| {
            let _ = set_timeout.call1(&JsValue::NULL, &resolve);
        })
    };
    JsFuture::from(wake).await?;
    if frame_due {
        LAST_FRAME.with(|f| f.set(now().unwrap_or(0.0)));
    }
    Ok(())
}
