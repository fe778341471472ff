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
