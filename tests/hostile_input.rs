//! What JavaScript can hand the library, as property tests (proptest): every number a double can
//! be for the facade's checks of JavaScript numbers, and any strings, counts, numbers and arrays
//! for what the exported calls pass on to the 2D playground and the image studio. A call never
//! panics (a panic in wasm kills the page); it succeeds or returns a message that names what
//! was wrong; and a refused change changes nothing.
#![cfg(not(target_family = "wasm"))]

mod shipped;

use burn::tensor::Device;
use diffusion_lab::check::{count, number, seed, whole};
use diffusion_lab::images::card::{AutoencoderCard, LatentDenoiserCard};
use diffusion_lab::images::studio::{Model, Studio, StudioRequest};
use diffusion_lab::points::playground::{Draw, Playground};
use diffusion_lab::sampler::SamplerKind;
use proptest::prelude::*;

/// Any double: the special values often, then ordinary, huge and tiny ones.
fn double() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            0.5,
            -1.0,
            2.5,
            1e300,
            9_007_199_254_740_992.0,
            f64::MIN_POSITIVE / 2.0,
        ]),
        -1e6..1e6f64,
        any::<f64>(),
        (0u64..1 << 20).prop_map(|n| n as f64),
    ]
}

/// Any text: names of what exists, control characters, other scripts, long strings.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "moons",
            "rings",
            "8gaussians",
            "ddim",
            "heun",
            "dpmpp2m",
            "student",
            "cosine",
            "linear",
            "sneaker",
            "MOONS",
            " moons",
            "moons\n",
            "",
            "\0",
            "ｍｏｏｎｓ",
        ])
        .prop_map(String::from),
        any::<String>(),
        "[a-z]{0,12}",
        (0usize..20_000).prop_map(|n| "x".repeat(n)),
    ]
}

/// Any count: small ones often, and every size up to `usize::MAX`.
fn count_value() -> impl Strategy<Value = usize> {
    prop_oneof![0usize..2_000, any::<usize>(), Just(usize::MAX)]
}

/// Any floats: finite, NaN, infinite, of any length (odd ones too).
fn floats(max_len: usize) -> impl Strategy<Value = Vec<f32>> {
    let value = prop_oneof![
        8 => -5.0f32..5.0,
        1 => prop::sample::select(vec![f32::NAN, f32::INFINITY, f32::NEG_INFINITY, f32::MAX]),
    ];
    prop::collection::vec(value, 0..max_len)
}

/// A change of a playground's setup.
type Change<'a> = dyn Fn(&mut Playground) -> Result<(), String> + 'a;

/// A refusal's message must say something.
fn explained<T>(result: Result<T, String>) -> Result<Option<T>, TestCaseError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(message) if message.trim().is_empty() => Err(TestCaseError::fail("an empty message")),
        Err(_) => Ok(None),
    }
}

/// What a refused change must leave as it was.
fn state(p: &Playground) -> (Vec<f32>, u64, String, Vec<String>, usize) {
    (
        p.points().to_vec(),
        p.model_version(),
        format!("{:?}", p.settings()),
        p.words(),
        p.steps_done(),
    )
}

/// A playground with a little training behind it (so that a refused change has a model to
/// keep).
fn playground() -> Playground {
    let mut p = Playground::new(Device::flex());
    p.set_dataset("moons", 300, 1).unwrap();
    p.set_training(3e-3, 64, 16).unwrap();
    let _ = p.train(2).unwrap();
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn javascript_numbers_become_counts_values_and_seeds_or_are_refused(v in double()) {
        if let Some(n) = explained(count("the count", v))? {
            prop_assert!(v >= 0.0 && v.fract() == 0.0 && (n as f64 == v || n == usize::MAX));
        } else {
            prop_assert!(count("the count", v).unwrap_err().contains("the count"));
        }
        if let Some(n) = explained(whole("the width", v, 1, 16_384))? {
            prop_assert!((1..=16_384).contains(&n) && n as f64 == v);
        }
        if let Some(x) = explained(number("x", v))? {
            prop_assert!(x.is_finite() && x == v);
        }
        if let Some(s) = explained(seed(v))? {
            prop_assert!(s as f64 == v && s < 1 << 53);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn refused_setups_change_nothing(
        name in text(),
        n in count_value(),
        s in any::<u64>(),
        lr in double(),
        batch in count_value(),
        width in count_value(),
        t in double(),
        points in floats(600),
        labels in prop::collection::vec(0u32..5, 0..300),
        words in prop::collection::vec(text(), 0..4),
        dropout in double(),
    ) {
        let mut p = playground();
        let calls: Vec<(&str, Box<Change>)> = vec![
            ("set_dataset", Box::new(|p| p.set_dataset(&name, n, s))),
            ("set_points", Box::new(|p| p.set_points(&points))),
            ("set_schedule", Box::new(|p| p.set_schedule(&name, n))),
            ("set_training", Box::new(|p| p.set_training(lr, batch, width))),
            ("set_conditioning", Box::new(|p| p.set_conditioning(width, dropout))),
            ("set_datasets", Box::new(|p| {
                let names: Vec<&str> = words.iter().map(String::as_str).collect();
                p.set_datasets(&names, n, s)
            })),
            ("set_labeled_points", Box::new(|p| p.set_labeled_points(&points, &labels, &words))),
        ];
        for (what, call) in calls {
            let before = state(&p);
            if explained(call(&mut p))?.is_none() {
                prop_assert_eq!(&state(&p), &before, "{} was refused but changed the playground", what);
            }
            // The playground still works after each.
            p = playground();
        }
        // What is accepted is sound: finite pairs of coordinates, finite numbers in range.
        if explained(p.set_points(&points))?.is_some() {
            prop_assert!(points.len() % 2 == 0 && points.iter().all(|v| v.is_finite()));
        }
        if explained(p.set_training(lr, batch, width))?.is_some() {
            prop_assert!(lr.is_finite() && lr > 0.0 && batch > 0 && width > 0);
        }
        if let Some(noised) = explained(p.noised(t, s))? {
            prop_assert!((0.0..=1.0).contains(&t) && noised.iter().all(|v| v.is_finite()));
        }
        explained(p.quality(&points))?;
        explained(p.import(&points.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<_>>()))?;
    }

    /// Sampling requests are checked when the job is made (the job is not run: a valid request
    /// of the largest size would take minutes).
    #[test]
    fn sampling_requests_are_made_or_refused(
        n in count_value(),
        sampler in text(),
        steps in count_value(),
        s in any::<u64>(),
        eta in double(),
        word in text(),
        guidance in double(),
        frames in any::<bool>(),
    ) {
        let mut p = playground();
        let draw = Draw::new(n, &sampler, steps, s).with_eta(eta);
        explained(p.start(&draw, frames, 256).map(|_| ()))?;
        let towards = Draw::new(n, &sampler, steps, s).with_word(&word, guidance);
        explained(p.start(&towards, frames, 256).map(|_| ()))?;
        explained(Playground::check_train_steps(steps))?;
    }
}

thread_local! {
    /// The shipped autoencoder and 4-step student, and the teacher (loaded once per test
    /// thread: 2.8 MB).
    static STUDIO: Studio = {
        let device = Device::flex();
        let (ae, ae_card) = shipped::load::<AutoencoderCard>("autoencoder.dlab", &device);
        let mut studio = Studio::new(ae, ae_card);
        for file in ["student-4.dlab", "denoiser.dlab"] {
            let (unet, card) = shipped::load::<LatentDenoiserCard>(file, &device);
            studio.add(unet, card).unwrap();
        }
        studio
    };
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Image requests are checked when the job is made (not run); images and latents of any
    /// length and contents are checked before a network sees them.
    #[test]
    fn image_requests_are_made_or_refused(
        word in text(),
        n in count_value(),
        steps in count_value(),
        guidance in double(),
        s in any::<u64>(),
        teacher in prop::option::of(text()),
        strength in double(),
        image in floats(1600),
    ) {
        let device = Device::flex();
        let model = match &teacher {
            None => Model::Student,
            Some(name) => match explained(SamplerKind::parse(name, 0.0))? {
                Some(kind) => Model::Teacher(kind),
                None => return Ok(()),
            },
        };
        let request = StudioRequest { word, n, steps, guidance, seed: s, model };
        STUDIO.with(|studio| {
            explained(studio.generate(&request, &device).map(|_| ()))?;
            explained(studio.variations(&request, &image, strength, &device).map(|_| ()))?;
            if image.len() <= 784 * 2 {
                explained(studio.encode(&image, &device).map(|_| ()))?;
                explained(studio.decode(&image, &device).map(|_| ()))?;
            }
            Ok::<(), TestCaseError>(())
        })?;
    }
}
