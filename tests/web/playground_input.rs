//! The exported `Playground` when calls go wrong or are called off: jobs cancelled by their
//! `AbortSignal`, and what JavaScript can get wrong, refused with a message.

use diffusion_lab::web::Playground;
use js_sys::Reflect;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

use crate::js::{abort_controller, resolve, sleep};
use crate::playground::{floats, strings};

/// Why `sampleWord` refused to draw 10 points of `word` with guidance `guidance`.
async fn word_refusal(p: &Playground, word: &str, guidance: f64) -> String {
    let (n, sampler, steps, seed) = (10.0, "ddim".into(), 5.0, 0.0);
    let call = p.sample_word(
        word.into(),
        n,
        sampler,
        steps,
        guidance,
        seed,
        None,
        JsValue::UNDEFINED,
    );
    resolve(call).await.unwrap_err()
}

/// A training call cancelled by its `AbortSignal` stops between two whole steps and keeps
/// them; a cancelled sampling call stops; a signal aborted before the call stops it at once;
/// the playground then trains and samples as before (on the page's CPU backend, where jobs run
/// in pieces).
#[wasm_bindgen_test]
async fn cancelled_jobs_stop_and_leave_the_playground_usable() {
    let p = Playground::create_on_cpu();
    p.set_dataset("moons".into(), 1000.0, 0.0).unwrap();
    p.set_training(1e-3, 512.0, 64.0).unwrap(); // steps in 8 parts of 64 examples
    let (signal, abort) = abort_controller();
    let running = p.train(1000.0, signal.clone());
    while p.steps_done() < 2 {
        sleep(5).await;
    }
    abort.call0(&JsValue::NULL).unwrap();
    let err = resolve(running).await.unwrap_err();
    assert!(err.contains("cancelled"), "{err}");
    let kept = p.steps_done();
    assert!((2..1000).contains(&kept), "{kept} steps kept");
    let err = resolve(p.train(5.0, signal.clone())).await.unwrap_err();
    assert!(err.contains("cancelled"), "{err}");
    assert_eq!(p.steps_done(), kept);
    let loss = resolve(p.train(3.0, JsValue::UNDEFINED))
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(loss.is_finite(), "loss {loss}");
    assert_eq!(p.steps_done(), kept + 3);

    let (signal, abort) = abort_controller();
    let running = p.sample(10_000.0, "ddim".into(), 500.0, 0.0, None, signal);
    crate::js::after(20, &abort);
    let err = resolve(running).await.unwrap_err();
    assert!(err.contains("cancelled"), "{err}");
    let samples = floats(p.sample(100.0, "ddim".into(), 5.0, 1.0, None, JsValue::UNDEFINED)).await;
    assert_eq!(samples.len(), 200);
    assert!(samples.iter().all(|v| v.is_finite()));
    let err = resolve(p.train(1.0, "stop".into())).await.unwrap_err();
    assert!(err.contains("must be an AbortSignal"), "{err}");
}

/// What JavaScript can get wrong is refused with a message, and changes nothing.
#[wasm_bindgen_test]
async fn bad_input_is_refused_with_a_message() {
    let p = Playground::create().await;
    let message = |e: wasm_bindgen::JsError| {
        let v: JsValue = e.into();
        Reflect::get(&v, &"message".into())
            .unwrap()
            .as_string()
            .unwrap()
    };
    assert!(message(p.set_dataset("donut".into(), 100.0, 0.0).unwrap_err()).contains("moons"));
    assert!(message(p.set_dataset("moons".into(), 2.5, 0.0).unwrap_err()).contains("whole number"));
    assert!(message(p.set_dataset("moons".into(), 100.0, -1.0).unwrap_err()).contains("seed"));
    assert!(message(p.set_points(&[1.0, 2.0, 3.0]).unwrap_err()).contains("pairs"));
    assert!(message(p.noised(f64::NAN, 0.0).unwrap_err()).contains("t must"));
    assert!(message(p.set_training(f64::INFINITY, 64.0, 32.0).unwrap_err()).contains("finite"));
    assert!(message(p.import_weights(b"hello").unwrap_err()).contains("DLAB"));
    let err = resolve(p.train(0.0, JsValue::UNDEFINED)).await.unwrap_err();
    assert!(err.contains("steps"), "{err}");
    let err = resolve(p.sample(10.0, "plms".into(), 10.0, 0.0, None, JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert!(err.contains("unknown sampler"), "{err}");
    let err = resolve(p.trajectory(
        100_000.0,
        "ddim".into(),
        1000.0,
        0.0,
        None,
        JsValue::UNDEFINED,
    ))
    .await
    .unwrap_err();
    assert!(err.contains("too large"), "{err}");
    let err = resolve(p.quality(&[f32::NAN, 0.0, 1.0, 1.0]))
        .await
        .unwrap_err();
    assert!(err.contains("finite"), "{err}");
    // Words: unknown words, empty vocabularies and mismatched labels.
    let pts: Vec<f32> = (0..40).map(|i| (i as f32 * 0.37).sin()).collect();
    let words = strings;
    let err = message(
        p.set_labeled_points(&pts, &[1; 19], words(&["a"]))
            .unwrap_err(),
    );
    assert!(err.contains("19 labels"), "{err}");
    let err = message(
        p.set_labeled_points(&pts, &[1; 20], strings(&[]))
            .unwrap_err(),
    );
    assert!(err.contains("empty"), "{err}");
    let err = message(
        p.set_labeled_points(&pts, &[0; 20], words(&["a"]))
            .unwrap_err(),
    );
    assert!(err.contains("names no word"), "{err}");
    let err = word_refusal(&p, "a", 3.0).await;
    assert!(err.contains("knows no words"), "{err}");
    assert!(message(p.set_conditioning(0.0, 0.1).unwrap_err()).contains("size"));
    assert_eq!(p.data_label(), "dataset moons");
    assert_eq!(p.points().len(), 4000);
    let labels: Vec<u32> = (0..20).map(|i| 1 + i % 2).collect();
    p.set_labeled_points(&pts, &labels, words(&["up", "down"]))
        .unwrap();
    let err = word_refusal(&p, "sideways", 3.0).await;
    assert!(
        err.contains("unknown word") && err.contains("up, down"),
        "{err}"
    );
    let err = word_refusal(&p, "up", f64::NAN).await;
    assert!(err.contains("guidance"), "{err}");
}
