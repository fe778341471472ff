//! The exported `Playground` API, called as JavaScript would call it (promises, typed arrays,
//! plain numbers).

use diffusion_lab::web::Playground;
use js_sys::{Float32Array, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_test::*;

use crate::js::resolve;

pub async fn floats(promise: Promise) -> Vec<f32> {
    Float32Array::from(resolve(promise).await.unwrap()).to_vec()
}

fn field(object: &JsValue, key: &str) -> f64 {
    Reflect::get(object, &key.into()).unwrap().as_f64().unwrap()
}

/// A JavaScript array of strings.
pub fn strings(list: &[&str]) -> JsValue {
    list.iter()
        .map(|w| JsValue::from_str(w))
        .collect::<js_sys::Array>()
        .into()
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The step budget of the training test: moons must reach 3× the SWD floor within it (the
/// same settings reached it in 200-300 steps on the CPU backend, and at step 400 on WebGPU).
const STEP_BUDGET: u32 = 600;

/// Trains on moons through the API (learning rate 0.01, batch 256, width 64) until DDIM
/// samples (20 steps, 2,000 points) are within 3× the SWD floor, checking every 100 steps from
/// step 200, within [`STEP_BUDGET`] steps; then distils it (`distill`).
///
/// On the page's CPU backend (burn's `flex` in wasm): the same code as on WebGPU, and about 20
/// times faster than SwiftShader, the WebGPU of a machine without a GPU, where this run took
/// over 3 minutes. The WebGPU path is trained and sampled by the other tests here and by the
/// end-to-end tests.
#[wasm_bindgen_test]
async fn moons_trains_to_three_times_the_floor_then_distils() {
    let p = Playground::create_on_cpu();
    assert_eq!(p.backend(), "cpu", "{}", p.backend_description());
    p.set_dataset("moons".into(), 4000.0, 0.0).unwrap();
    p.set_training(1e-2, 256.0, 64.0).unwrap();
    let start = now_ms();
    let mut log = Vec::new();
    let mut reached = None;
    while p.steps_done() < STEP_BUDGET {
        let loss = resolve(p.train(10.0, JsValue::UNDEFINED))
            .await
            .unwrap()
            .as_f64()
            .unwrap();
        assert!(loss.is_finite() && loss > 0.0, "loss {loss}");
        if p.steps_done() < 200 || !p.steps_done().is_multiple_of(100) {
            continue;
        }
        let samples =
            floats(p.sample(2000.0, "ddim".into(), 20.0, 7.0, None, JsValue::UNDEFINED)).await;
        assert_eq!(samples.len(), 4000);
        let q = resolve(p.quality(&samples)).await.unwrap();
        let ratio = field(&q, "swd") / field(&q, "floorSwd");
        log.push(format!(
            "{} steps: loss {loss:.3}, SWD {:.4} (floor {:.4}, ratio {ratio:.2}), MMD {:.5} (floor {:.5}), {:.1} s",
            p.steps_done(),
            field(&q, "swd"),
            field(&q, "floorSwd"),
            field(&q, "mmd"),
            field(&q, "floorMmd"),
            (now_ms() - start) / 1000.0
        ));
        if ratio < 3.0 {
            reached = Some(p.steps_done());
            break;
        }
    }
    console_log!("{}", log.join("\n"));
    assert!(
        reached.is_some(),
        "not within 3x the floor after {STEP_BUDGET} steps:\n{}",
        log.join("\n")
    );

    // Then distilled, 8 → 4 → 2 steps in rounds of 150 steps: at 2 steps the student is
    // closer to the data than its teacher with DDIM.
    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let counter = calls.clone();
    let on_progress = Closure::<dyn FnMut(JsValue)>::new(move |p: JsValue| {
        assert!(field(&p, "round") >= 1.0);
        counter.set(counter.get() + 1);
    });
    let options = js_sys::Object::new();
    for (key, value) in [
        ("fromSteps", 8.0),
        ("toSteps", 2.0),
        ("stepsPerRound", 150.0),
    ] {
        Reflect::set(&options, &key.into(), &value.into()).unwrap();
    }
    Reflect::set(&options, &"onProgress".into(), on_progress.as_ref()).unwrap();
    let report = resolve(p.distill(options.into())).await.unwrap();
    let rounds = js_sys::Array::from(&Reflect::get(&report, &"rounds".into()).unwrap());
    let steps: Vec<f64> = rounds.iter().map(|r| field(&r, "steps")).collect();
    assert_eq!(steps, [4.0, 2.0]);
    assert_eq!(calls.get(), 30, "a progress call every 10 steps");
    assert_eq!(p.student_steps(), [4, 2]);
    let teacher = floats(p.sample(2000.0, "ddim".into(), 2.0, 0.0, None, JsValue::UNDEFINED)).await;
    let teacher = field(&resolve(p.quality(&teacher)).await.unwrap(), "swd");
    let student = field(&rounds.get(1), "swd");
    console_log!(
        "distilled in {:.1} s: SWD at 2 steps {student:.4} (the student), {teacher:.4} (the teacher, DDIM)",
        field(&report, "seconds")
    );
    assert!(
        student < teacher / 2.0,
        "student {student}, teacher {teacher}"
    );
    let wrong = resolve(p.sample(10.0, "student".into(), 3.0, 0.0, None, JsValue::UNDEFINED)).await;
    assert_eq!(
        wrong.unwrap_err(),
        "no student samples in 3 steps: the students at hand take 4, 2"
    );
}

/// The step budget of the guidance test (the same recipe reaches 95% for every word natively
/// after about 1,050 steps; see `conditional_playground_draws_each_word`).
const WORDS_STEP_BUDGET: u32 = 1800;

/// Two datasets named by their names, trained through the API on the CPU backend (as above;
/// learning rate 0.01, batch 256, width 64); checked every 150 steps from step 450: at
/// guidance 3, at least 95% of each word's samples (DDIM, 20 steps, 1,000 points) are nearest
/// to that word's data, within [`WORDS_STEP_BUDGET`] steps; then guidance 0 does worse, and
/// the word vectors read back.
#[wasm_bindgen_test]
async fn guidance_draws_each_word() {
    let p = Playground::create_on_cpu();
    assert_eq!(p.backend(), "cpu", "{}", p.backend_description());
    let words = ["8gaussians", "rings"];
    p.set_datasets(strings(&words), 2000.0, 0.0).unwrap();
    p.set_training(1e-2, 256.0, 64.0).unwrap();
    let accuracy = async |word: &str, guidance: f64| {
        let samples = floats(p.sample_word(
            word.into(),
            1000.0,
            "ddim".into(),
            20.0,
            guidance,
            7.0,
            None,
            JsValue::UNDEFINED,
        ))
        .await;
        assert_eq!(samples.len(), 2000);
        field(
            &p.word_quality(word.into(), &samples).unwrap().into(),
            "accuracy",
        )
    };
    let start = now_ms();
    let mut log = Vec::new();
    let mut reached = None;
    while p.steps_done() < WORDS_STEP_BUDGET {
        resolve(p.train(10.0, JsValue::UNDEFINED)).await.unwrap();
        if p.steps_done() < 450 || !p.steps_done().is_multiple_of(150) {
            continue;
        }
        let mut scores = Vec::new();
        for word in words {
            scores.push(accuracy(word, 3.0).await);
        }
        log.push(format!(
            "{} steps: accuracy at w = 3 {scores:.3?}, {:.1} s",
            p.steps_done(),
            (now_ms() - start) / 1000.0
        ));
        if scores.iter().all(|&a| a >= 0.95) {
            reached = Some(p.steps_done());
            break;
        }
    }
    console_log!("{}", log.join("\n"));
    assert!(
        reached.is_some(),
        "not 95% for every word after {WORDS_STEP_BUDGET} steps:\n{}",
        log.join("\n")
    );
    for word in words {
        let (w0, w3) = (accuracy(word, 0.0).await, accuracy(word, 3.0).await);
        console_log!("{word}: accuracy {w0:.3} at w = 0, {w3:.3} at w = 3");
        assert!(w3 > w0 + 0.2, "{word}: {w0} at w = 0, {w3} at w = 3");
    }
    let vectors = floats(p.embeddings()).await;
    assert_eq!(vectors.len(), 3 * 4, "∅ and two words, 4 numbers each");
    let map = floats(p.embedding_map()).await;
    assert_eq!(map.len(), 3 * 2);
}

/// `trajectory` holds `steps + 1` frames of `n` points; its last frame is `sample`'s result
/// for the same seed, and its first is standard normal noise.
#[wasm_bindgen_test]
async fn trajectories_have_the_promised_shape() {
    let p = Playground::create().await;
    p.set_training(2e-3, 256.0, 32.0).unwrap();
    resolve(p.train(5.0, JsValue::UNDEFINED)).await.unwrap();
    let (n, steps) = (300usize, 6usize);
    let heun = || JsValue::from("heun");
    let none = JsValue::UNDEFINED;
    let frames = p.trajectory(n as f64, heun(), steps as f64, 3.0, None, none.clone());
    let frames = floats(frames).await;
    assert_eq!(frames.len(), (steps + 1) * n * 2);
    let samples = floats(p.sample(n as f64, heun(), steps as f64, 3.0, None, none)).await;
    let last = &frames[steps * n * 2..];
    let worst = last
        .iter()
        .zip(&samples)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst < 1e-4,
        "last frame differs from the samples by {worst}"
    );
    let first = &frames[..n * 2];
    let var = first.iter().map(|v| v * v).sum::<f32>() / first.len() as f32;
    assert!((var - 1.0).abs() < 0.2, "frame 0 variance {var}");
    // DDIM with eta, through the optional argument.
    let noisy =
        floats(p.trajectory(10.0, "ddim".into(), 3.0, 3.0, Some(1.0), JsValue::UNDEFINED)).await;
    assert_eq!(noisy.len(), 4 * 10 * 2);
}

/// At t = 1 the forward process has turned the data into (nearly) a standard Gaussian; at
/// t = 0 it is the data.
#[wasm_bindgen_test]
async fn noised_at_one_is_a_standard_gaussian() {
    let p = Playground::create().await;
    p.set_dataset("checkerboard".into(), 10_000.0, 4.0).unwrap();
    assert_eq!(p.noised(0.0, 1.0).unwrap(), p.points());
    let x = p.noised(1.0, 1.0).unwrap();
    for axis in 0..2 {
        let v: Vec<f32> = x.iter().skip(axis).step_by(2).copied().collect();
        let mean = v.iter().sum::<f32>() / v.len() as f32;
        let var = v.iter().map(|a| (a - mean).powi(2)).sum::<f32>() / v.len() as f32;
        assert!(mean.abs() < 0.04, "axis {axis}: mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "axis {axis}: variance {var}");
    }
}

/// Exported weights, imported into a fresh playground, give the same samples for a seed.
#[wasm_bindgen_test]
async fn exported_weights_import_to_the_same_samples() {
    let p = Playground::create().await;
    p.set_training(2e-3, 256.0, 48.0).unwrap();
    resolve(p.train(5.0, JsValue::UNDEFINED)).await.unwrap();
    let before =
        floats(p.sample(200.0, "dpmpp2m".into(), 5.0, 11.0, None, JsValue::UNDEFINED)).await;
    let bytes = Uint8Array::from(resolve(p.export_weights()).await.unwrap()).to_vec();
    assert_eq!(&bytes[..4], b"DLAB");
    let q = Playground::create().await;
    q.import_weights(&bytes).unwrap();
    assert_eq!(q.steps_done(), 5);
    let settings = q.settings().unwrap();
    assert_eq!(field(&settings, "width"), 48.0);
    let after =
        floats(q.sample(200.0, "dpmpp2m".into(), 5.0, 11.0, None, JsValue::UNDEFINED)).await;
    assert_eq!(before, after);
}

/// Freeing a WebGPU playground (as the page does when it moves to the CPU) leaves the device
/// usable: a playground created afterwards trains and samples on it.
#[wasm_bindgen_test]
async fn a_playground_created_after_one_was_freed_computes() {
    let p = Playground::create().await;
    assert_eq!(p.backend(), "webgpu", "{}", p.backend_description());
    p.set_dataset("moons".into(), 500.0, 0.0).unwrap();
    p.set_training(2e-3, 64.0, 16.0).unwrap();
    resolve(p.train(2.0, JsValue::UNDEFINED)).await.unwrap();
    drop(p); // what `free()` does from JavaScript
    let q = Playground::create().await;
    assert_eq!(q.backend(), "webgpu", "{}", q.backend_description());
    q.set_dataset("moons".into(), 500.0, 0.0).unwrap();
    q.set_training(2e-3, 64.0, 16.0).unwrap();
    let loss = resolve(q.train(2.0, JsValue::UNDEFINED))
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(loss.is_finite(), "loss {loss}");
    let samples = floats(q.sample(100.0, "ddim".into(), 3.0, 1.0, None, JsValue::UNDEFINED)).await;
    assert_eq!(samples.len(), 200);
    assert!(samples.iter().all(|v| v.is_finite()));
}
