//! What the browser tests share: a promise awaited as JavaScript would, its rejection's message
//! as the error.

use js_sys::{Promise, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// The promise's value, or its rejection's message.
pub async fn resolve(promise: Promise) -> Result<JsValue, String> {
    JsFuture::from(promise).await.map_err(|e| {
        Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| format!("{e:?}"))
    })
}

/// A fresh `AbortController`: its `signal`, and a function that aborts it.
pub fn abort_controller() -> (JsValue, js_sys::Function) {
    let class = Reflect::get(&js_sys::global(), &"AbortController".into()).unwrap();
    let controller = Reflect::construct(&class.into(), &js_sys::Array::new()).unwrap();
    let abort: js_sys::Function = Reflect::get(&controller, &"abort".into()).unwrap().into();
    let signal = Reflect::get(&controller, &"signal".into()).unwrap();
    (signal, abort.bind0(&controller))
}

/// Calls `f` after `ms` milliseconds (a timer of the event loop).
pub fn after(ms: i32, f: &js_sys::Function) {
    let set_timeout: js_sys::Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
        .unwrap()
        .into();
    set_timeout.call2(&JsValue::NULL, f, &ms.into()).unwrap();
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| after(ms, &resolve));
    JsFuture::from(promise).await.unwrap();
}
