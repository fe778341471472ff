//! Fields of the options objects JavaScript passes (`{word: "dress", n: 16}`), each optional,
//! checked for type here; the library checks the ranges.

use js_sys::{Float32Array, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// The field `key` of `options`, `None` when absent (`undefined` or `null`, or no object).
fn get(options: &JsValue, key: &str) -> Option<JsValue> {
    if !options.is_object() {
        return None;
    }
    let value = Reflect::get(options, &key.into()).ok()?;
    (!value.is_undefined() && !value.is_null()).then_some(value)
}

/// An optional number field.
pub(crate) fn number(options: &JsValue, key: &str) -> Result<Option<f64>, String> {
    get(options, key)
        .map(|v| {
            v.as_f64()
                .ok_or_else(|| format!("the option {key} must be a number"))
        })
        .transpose()
}

/// An optional string field.
pub(crate) fn string(options: &JsValue, key: &str) -> Result<Option<String>, String> {
    get(options, key)
        .map(|v| {
            v.as_string()
                .ok_or_else(|| format!("the option {key} must be a string"))
        })
        .transpose()
}

/// An optional field of bytes (a `Uint8Array` or an `ArrayBuffer`).
pub(crate) fn bytes(options: &JsValue, key: &str) -> Result<Option<Vec<u8>>, String> {
    get(options, key).map(|v| file_bytes(&v, key)).transpose()
}

/// A file's bytes given as `value` (a `Uint8Array` or an `ArrayBuffer`) for the option `key`.
pub(crate) fn file_bytes(value: &JsValue, key: &str) -> Result<Vec<u8>, String> {
    if value.is_instance_of::<Uint8Array>() || value.is_instance_of::<js_sys::ArrayBuffer>() {
        Ok(Uint8Array::new(value).to_vec())
    } else {
        Err(format!(
            "the option {key} must be a Uint8Array of a file's bytes"
        ))
    }
}

/// An optional field of numbers (a `Float32Array` or an array of numbers).
pub(crate) fn floats(options: &JsValue, key: &str) -> Result<Option<Vec<f32>>, String> {
    get(options, key)
        .map(|v| {
            if v.is_instance_of::<Float32Array>() {
                Ok(Float32Array::new(&v).to_vec())
            } else if js_sys::Array::is_array(&v) {
                js_sys::Array::from(&v)
                    .iter()
                    .map(|x| x.as_f64().map(|x| x as f32))
                    .collect::<Option<Vec<f32>>>()
                    .ok_or_else(|| format!("the option {key} must hold numbers only"))
            } else {
                Err(format!("the option {key} must be a Float32Array"))
            }
        })
        .transpose()
}

/// An optional function field (a callback).
pub(crate) fn function(options: &JsValue, key: &str) -> Result<Option<js_sys::Function>, String> {
    typed(options, key, "a function")
}

/// An optional `AbortSignal` field: the job stops, rejecting with an `AbortError`, once the
/// signal is aborted.
pub(crate) fn signal(options: &JsValue, key: &str) -> Result<Option<web_sys::AbortSignal>, String> {
    typed(options, key, "an AbortSignal")
}

/// An optional field of the JavaScript type `T`, `what` in the message when it is another.
fn typed<T: JsCast>(options: &JsValue, key: &str, what: &str) -> Result<Option<T>, String> {
    get(options, key)
        .map(|v| {
            v.dyn_into::<T>()
                .map_err(|_| format!("the option {key} must be {what}"))
        })
        .transpose()
}
