//! What JavaScript passes that is not a number: strings and arrays of strings (taken as any
//! value and checked here, since the bindings of a `&str` argument read a number given in its
//! place as a string's address and trap), and the fields of options objects (`{word: "dress",
//! n: 16}`), each optional, checked for type here; the library checks the ranges.

use js_sys::{Float32Array, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// The field `key` of `options`, `None` when absent (`undefined` or `null`, or no options at
/// all). Options that are given must be an object: a number, a string or an array in their
/// place is refused rather than read as "all defaults".
fn get(options: &JsValue, key: &str) -> Result<Option<JsValue>, String> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    if !options.is_object() || js_sys::Array::is_array(options) {
        return Err("the options must be an object, such as {word: \"sneaker\", n: 16}".into());
    }
    let value = Reflect::get(options, &key.into())
        .map_err(|_| format!("the option {key} could not be read (reading it threw)"))?;
    Ok((!value.is_undefined() && !value.is_null()).then_some(value))
}

/// An optional number field.
pub(crate) fn number(options: &JsValue, key: &str) -> Result<Option<f64>, String> {
    get(options, key)?
        .map(|v| {
            v.as_f64()
                .ok_or_else(|| format!("the option {key} must be a number"))
        })
        .transpose()
}

/// The longest string taken from JavaScript, in characters. Names, words, colours and URLs are
/// far shorter; a message that quotes a refused string stays readable.
pub(crate) const MAX_TEXT_CHARS: usize = 1000;

/// A string argument (`what` names it in the message), at most [`MAX_TEXT_CHARS`] long.
pub(crate) fn text(what: &str, value: &JsValue) -> Result<String, String> {
    let text = value
        .as_string()
        .ok_or_else(|| format!("{what} must be a string"))?;
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(format!(
            "{what} must be at most {MAX_TEXT_CHARS} characters long, not {chars}"
        ));
    }
    Ok(text)
}

/// An array of strings (each as [`text`]).
pub(crate) fn texts(what: &str, value: &JsValue) -> Result<Vec<String>, String> {
    if !js_sys::Array::is_array(value) {
        return Err(format!("{what} must be an array of strings"));
    }
    js_sys::Array::from(value)
        .iter()
        .map(|v| text(&format!("each of {what}"), &v))
        .collect()
}

/// An optional string field.
pub(crate) fn string(options: &JsValue, key: &str) -> Result<Option<String>, String> {
    get(options, key)?
        .map(|v| text(&format!("the option {key}"), &v))
        .transpose()
}

/// An optional field of bytes (a `Uint8Array` or an `ArrayBuffer`).
pub(crate) fn bytes(options: &JsValue, key: &str) -> Result<Option<Vec<u8>>, String> {
    get(options, key)?.map(|v| file_bytes(&v, key)).transpose()
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
    get(options, key)?
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
    get(options, key)?
        .map(|v| {
            v.dyn_into::<T>()
                .map_err(|_| format!("the option {key} must be {what}"))
        })
        .transpose()
}
