//! Keeping the page responsive while the CPU backend computes on its thread: the browser's turn
//! between two pieces of work.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// How long after a frame the page may go without the next one, in milliseconds: frames then
/// come at most about 67 ms apart (this plus the wait for the display's next refresh).
const FRAME_DUE_MS: f64 = 50.0;

/// In a Web Worker, how long work goes on before the worker takes its turn (to read the
/// page's messages: a cancellation, the next request), in milliseconds. A turn there costs
/// about 4 ms (browsers clamp nested `setTimeout`s), which pieces sized for the page's frames
/// paid every 5-20 ms: 2,000 points at 50 steps took 4.6 s in the worker against 3.3 s on the
/// page's thread.
const WORKER_SLICE_MS: f64 = 40.0;

/// Gives the browser its turn between two pieces of work on the CPU: a fresh task of the event
/// loop (`setTimeout(0)`), and a frame first (`requestAnimationFrame`, then a task, so the frame
/// is painted before the work goes on) when another piece as long as the last one would take
/// the time since the last frame past [`FRAME_DUE_MS`]. In a Web Worker, where no frame waits,
/// the turn comes only once [`WORKER_SLICE_MS`] of work have passed since the last.
///
/// Chromium runs queued tasks before painting until rendering has waited about 100 ms, so
/// tasks alone, even short ones, leave frames out; a frame for every piece would cost up to
/// 16 ms each. Pieces of 25 ms or more (a training part of 64 examples on a busy CPU here) each
/// get a frame; shorter ones share one. Workers and hidden pages (no frames to paint) take
/// the task alone.
pub(crate) async fn yield_to_page() -> Result<(), JsValue> {
    thread_local! {
        /// `performance.now()` when the page last painted for us.
        static LAST_FRAME: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
        /// `performance.now()` when the piece that ends now began (the last return from here).
        static LAST_RESUME: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
    }
    let global = js_sys::global();
    let get = |target: &JsValue, key: &str| Reflect::get(target, &key.into());
    let set_timeout: Function = get(&global, "setTimeout")?.into();
    let now = || -> Result<f64, JsValue> {
        let performance = get(&global, "performance")?;
        let now: Function = get(&performance, "now")?.into();
        Ok(now.call0(&performance)?.as_f64().unwrap_or(0.0))
    };
    let (start, last_frame) = (now()?, LAST_FRAME.with(|f| f.get()));
    if in_worker() && start - LAST_RESUME.with(|r| r.get()) < WORKER_SLICE_MS {
        return Ok(());
    }
    let document = get(&global, "document")?;
    let visible = !document.is_undefined()
        && get(&document, "visibilityState")?.as_string().as_deref() == Some("visible");
    // The piece that just ended, taken as the length of the next (0 after a long idle time,
    // when the last return from here is older than the last frame).
    let piece = (start - LAST_RESUME.with(|r| r.get()).max(last_frame)).max(0.0);
    let frame_due = visible && start - last_frame + piece >= FRAME_DUE_MS;
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
    let resumed = now().unwrap_or(0.0);
    if frame_due {
        LAST_FRAME.with(|f| f.set(resumed));
    }
    LAST_RESUME.with(|r| r.set(resumed));
    Ok(())
}

/// Whether this code runs in a Web Worker (a global without a `document`), where no frame
/// waits for it and pieces of work may be longer.
pub(crate) fn in_worker() -> bool {
    Reflect::get(&js_sys::global(), &"document".into())
        .ok()
        .is_none_or(|d| d.is_undefined())
}

/// Runs `piece` until it returns `false`, with the browser's turn ([`yield_to_page`]) before
/// each call: the first too, since the caller may have just finished a piece of work in this
/// same task (the last part of a training call, before a preview).
pub(crate) async fn in_pieces(
    mut piece: impl FnMut() -> Result<bool, JsValue>,
) -> Result<(), JsValue> {
    loop {
        yield_to_page().await?;
        if !piece()? {
            return Ok(());
        }
    }
}
