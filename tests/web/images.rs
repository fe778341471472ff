//! The exported `ImageStudio`, called as JavaScript would call it, on the shipped models (their
//! bytes built into the test): on WebGPU and on the CPU backend it draws the images the
//! native command line draws for the same seed, and refuses bad input with a message while
//! it keeps working.

use diffusion_lab::web::ImageStudio;
use js_sys::{Float32Array, Object, Reflect, Uint8Array};
use wasm_bindgen::JsValue;
use wasm_bindgen::convert::TryFromJsValue;
use wasm_bindgen_test::*;

use crate::js::{abort_controller, after, resolve};

const AUTOENCODER: &[u8] = include_bytes!("../../www/models/autoencoder.dlab");
const STUDENT: &[u8] = include_bytes!("../../www/models/student-4.dlab");
/// `diffusion-lab sample-images --word sneaker --n 16 --seed 0 --npy ...` (the shipped 4-step
/// student, guidance 3), natively; `tests/images_studio.rs` checks it is still what the command
/// line draws.
const GOLDEN: &[u8] = include_bytes!("../golden/sneaker-16-seed0.npy");

/// The largest difference allowed between the browser's images and the command line's (pixel
/// values in [0, 1]): the same weights and noise, but WebGPU's kernels (and the CPU backend's
/// in wasm, without SIMD) sum in other orders than native code, in f32, through 4 steps of
/// the U-Net and the decoder. Seen (2026-11-29, this machine): 1.6e-5 on WebGPU
/// (SwiftShader), 1.4e-6 on the CPU backend; the test prints it.
const TOLERANCE: f32 = 1e-4;

/// An options object from `(key, value)` pairs.
fn options(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (key, value) in fields {
        Reflect::set(&o, &(*key).into(), value).unwrap();
    }
    o.into()
}

/// The float32 values of a `.npy` file (format 1.0, little-endian, C order).
fn npy_values(bytes: &[u8]) -> Vec<f32> {
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    let header = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let text = std::str::from_utf8(&bytes[10..10 + header]).unwrap();
    assert!(
        text.contains("'<f4'") && text.contains("(16, 28, 28"),
        "{text}"
    );
    bytes[10 + header..]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

async fn studio(device: &str) -> ImageStudio {
    let o = options(&[
        ("decoder", Uint8Array::from(AUTOENCODER).into()),
        ("denoiser", Uint8Array::from(STUDENT).into()),
        ("device", device.into()),
    ]);
    ImageStudio::try_from_js_value(resolve(ImageStudio::load(o)).await.unwrap()).unwrap()
}

fn sneakers() -> JsValue {
    options(&[
        ("word", "sneaker".into()),
        ("n", 16.into()),
        ("seed", 0.into()),
    ])
}

/// A studio on WebGPU whose device is destroyed (as a driver reset would) says so through
/// `lost()`; a studio opened afterwards gets a new device and draws.
#[wasm_bindgen_test]
async fn a_lost_device_is_reported_and_a_new_studio_draws() {
    let s = studio("auto").await;
    assert_eq!(s.backend(), "webgpu", "{}", s.backend_description());
    assert!(diffusion_lab::web::destroy_device());
    let reason = resolve(s.lost()).await.unwrap().as_string().unwrap();
    assert!(reason.contains("lost"), "{reason}");
    let t = studio("auto").await;
    assert_eq!(t.backend(), "webgpu", "{}", t.backend_description());
    let images = Float32Array::from(resolve(t.generate(sneakers())).await.unwrap()).to_vec();
    assert_eq!(images.len(), 16 * 784);
}

#[wasm_bindgen_test]
async fn the_studio_draws_what_the_command_line_draws_on_both_backends() {
    let golden = npy_values(GOLDEN);
    for device in ["auto", "cpu"] {
        let s = studio(device).await;
        assert_eq!(s.words().len(), 10);
        assert!(s.words().contains(&"sneaker".to_string()));
        let images = Float32Array::from(resolve(s.generate(sneakers())).await.unwrap()).to_vec();
        assert_eq!(images.len(), golden.len());
        let worst = images
            .iter()
            .zip(&golden)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        console_log!(
            "{} ({}): the largest difference from the command line's images is {worst:.2e}",
            s.backend(),
            s.backend_description()
        );
        assert!(worst < TOLERANCE, "{}: differs by {worst}", s.backend());
        if device == "cpu" {
            // The denoising watched, with its latents, from one sampling: 4 estimates of the
            // 16 images, the last the images themselves; the latents before and after each.
            let watched = resolve(s.denoising_with_latents(sneakers())).await.unwrap();
            let field = |k: &str| Float32Array::from(Reflect::get(&watched, &k.into()).unwrap());
            let estimates = field("estimates").to_vec();
            assert_eq!(estimates.len(), 4 * images.len());
            let last = &estimates[3 * images.len()..];
            let worst = last.iter().zip(&images).map(|(a, b)| (a - b).abs());
            assert!(worst.fold(0.0, f32::max) < 1e-5);
            assert_eq!(field("latents").length() as usize, 5 * 16 * 4 * 8 * 8);
        }
    }
}

#[wasm_bindgen_test]
async fn bad_input_is_refused_with_a_message_and_the_studio_keeps_working() {
    let s = studio("cpu").await;
    let refused = |fields: &[(&str, JsValue)]| {
        let mut all = vec![("word", JsValue::from("sneaker"))];
        all.extend(fields.iter().cloned());
        s.generate(options(&all))
    };
    let says = |message: Result<JsValue, String>, what: &str| {
        let message = message.expect_err("refused");
        assert!(message.contains(what), "{message}");
    };
    says(resolve(refused(&[("word", "hat".into())])).await, "sneaker");
    says(
        resolve(refused(&[("n", 0.into())])).await,
        "number of images",
    );
    says(
        resolve(refused(&[("n", 10_000.into())])).await,
        "number of images",
    );
    says(resolve(refused(&[("n", 2.5.into())])).await, "whole number");
    says(
        resolve(refused(&[("guidance", f64::NAN.into())])).await,
        "guidance",
    );
    says(
        resolve(refused(&[("steps", 3.into())])).await,
        "students at hand",
    );
    says(
        resolve(refused(&[("model", "giant".into())])).await,
        "\"student\" or \"teacher\"",
    );
    says(
        resolve(refused(&[("model", "teacher".into())])).await,
        "teacher is not loaded",
    );
    says(resolve(s.generate(JsValue::UNDEFINED)).await, "which word");
    let vary = |image: JsValue, strength: f64| {
        s.variations(options(&[
            ("word", "bag".into()),
            ("image", image),
            ("strength", strength.into()),
        ]))
    };
    let image: JsValue = Float32Array::from(&[0.5f32; 784][..]).into();
    says(resolve(vary(image.clone(), 1.5)).await, "strength");
    says(resolve(vary(image.clone(), -0.1)).await, "strength");
    says(
        resolve(vary(Float32Array::from(&[0.5f32; 700][..]).into(), 0.5)).await,
        "784",
    );
    says(resolve(s.encode(&[0.5; 783])).await, "784");
    says(resolve(s.decode(&[f32::NAN; 256])).await, "finite");
    // Damaged weights: a cut file, another kind of file.
    for (damaged, what) in [
        (&STUDENT[..STUDENT.len() / 2], "denoiser"),
        (AUTOENCODER, "latent-denoiser"),
    ] {
        let o = options(&[
            ("decoder", Uint8Array::from(AUTOENCODER).into()),
            ("denoiser", Uint8Array::from(damaged).into()),
            ("device", "cpu".into()),
        ]);
        says(resolve(ImageStudio::load(o)).await, what);
    }
    // Cancelled jobs: by a signal aborted before the call, and by one aborted while the job
    // runs (64 images on the CPU take many pieces; the abort comes at the first turn).
    let (signal, abort) = abort_controller();
    let many = |signal: &JsValue| {
        s.generate(options(&[
            ("word", "sneaker".into()),
            ("n", 64.into()),
            ("signal", signal.clone()),
        ]))
    };
    let running = many(&signal);
    after(0, &abort);
    says(resolve(running).await, "cancelled");
    says(resolve(many(&signal)).await, "cancelled");
    says(
        resolve(many(&JsValue::from("stop"))).await,
        "must be an AbortSignal",
    );
    // And it still works: variations at strength 0 are the image through the autoencoder.
    let images = Float32Array::from(resolve(s.generate(sneakers())).await.unwrap()).to_vec();
    assert_eq!(images.len(), 16 * 784);
    let first: JsValue = Float32Array::from(&images[..784]).into();
    let kept = resolve(vary(first, 0.0)).await.unwrap();
    assert_eq!(Float32Array::from(kept).length(), 16 * 784);
    let latents = resolve(s.encode(&images[..784])).await.unwrap();
    let latents = Float32Array::from(latents).to_vec();
    assert_eq!(latents.len(), 256);
    let back = Float32Array::from(resolve(s.decode(&latents)).await.unwrap()).to_vec();
    assert_eq!(back.len(), 784);
    let words = resolve(s.judge(&images)).await;
    // Loaded from bytes, the studio fetches nothing: the judge was not given.
    says(words, "judge is not loaded");
    let walk = s.interpolate(options(&[
        ("word", "dress".into()),
        ("seedA", 1.into()),
        ("seedB", 2.into()),
        ("count", 5.into()),
    ]));
    let walk = Float32Array::from(resolve(walk).await.unwrap());
    assert_eq!(walk.length(), 5 * 784);
    let steps: Vec<u32> = s.student_steps();
    assert_eq!(steps, [4]);
}
