//! The image models shipped in `www/models/` (made by `scripts/train-images.sh`; see the
//! README): they load into the current code, draw images of the right shape and range, the
//! same twice for a seed, and images the judge recognises as their word.
#![cfg(not(target_family = "wasm"))]

use burn::tensor::Device;
use diffusion_lab::checkpoint::{self, Card};
use diffusion_lab::images::card::{AutoencoderCard, JudgeCard, LatentDenoiserCard};
use diffusion_lab::images::fashion::WORDS;
use diffusion_lab::images::generate::{ImageGenerator, ImageRequest};
use diffusion_lab::sampler::SamplerKind;
use std::path::Path;

fn load<C: Card>(name: &str, device: &Device) -> (C::Net, C) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("www/models")
        .join(name);
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (scripts/train-images.sh makes it)", path.display()));
    checkpoint::from_bytes::<C>(&bytes, device).unwrap()
}

fn generator(device: &Device) -> ImageGenerator {
    let (ae, ae_card) = load::<AutoencoderCard>("autoencoder.dlab", device);
    let (unet, card) = load::<LatentDenoiserCard>("denoiser.dlab", device);
    ImageGenerator::new(ae, ae_card, unet, card).unwrap()
}

/// The guidance scale the quality bar is measured at.
const GUIDANCE: f64 = 3.0;

fn request(word: &str, n: usize, seed: u64) -> ImageRequest {
    ImageRequest {
        word: word.into(),
        n,
        sampler: SamplerKind::DpmPp2m,
        steps: 20,
        guidance: GUIDANCE,
        seed,
    }
}

#[test]
fn the_shipped_models_draw_images_the_same_twice_for_a_seed() {
    let device = Device::flex();
    let generator = generator(&device);
    assert_eq!(generator.words(), WORDS);
    let draw = || {
        let images = generator
            .generate(&request("sneaker", 6, 11), &device)
            .unwrap();
        assert_eq!(images.dims(), [6, 1, 28, 28]);
        images.into_data().try_to_vec::<f32>().unwrap()
    };
    let a = draw();
    assert!(a.iter().all(|v| (0.0..=1.0).contains(v)));
    // Not blank: a garment covers a good part of the picture.
    let inked = a.iter().filter(|&&v| v > 0.3).count() as f64 / a.len() as f64;
    assert!(
        inked > 0.1,
        "only {:.1}% of the pixels have ink",
        100.0 * inked
    );
    assert_eq!(a, draw());
}

/// The bar: DPM-Solver++ at 20 steps, 100 images per word; the judge (trained on real
/// images only) recognises at least 85% of them on average and 60% of every word.
#[test]
fn the_judge_recognises_the_shipped_models_words() {
    let device = Device::flex();
    let generator = generator(&device);
    let (judge, judge_card) = load::<JudgeCard>("judge.dlab", &device);
    assert_eq!(judge_card.words, WORDS);
    let mut accuracies = Vec::new();
    for (k, word) in WORDS.iter().enumerate() {
        let images = generator
            .generate(&request(word, 100, 1000 + k as u64), &device)
            .unwrap()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        let classes = judge.classify(&images, &device).unwrap();
        let right = classes.iter().filter(|&&c| c as usize == k).count();
        accuracies.push(right as f64 / classes.len() as f64);
        println!(
            "{word:<12} {:>5.1}%  (judge on real test images: {:.1}%)",
            100.0 * accuracies[k],
            100.0 * judge_card.test_accuracy[k]
        );
    }
    let mean = accuracies.iter().sum::<f64>() / accuracies.len() as f64;
    println!(
        "mean         {:>5.1}%  at guidance {GUIDANCE}",
        100.0 * mean
    );
    assert!(mean >= 0.85, "mean accuracy {:.1}%", 100.0 * mean);
    for (word, a) in WORDS.iter().zip(&accuracies) {
        assert!(*a >= 0.6, "{word}: {:.1}%", 100.0 * a);
    }
}
