//! The image pipeline end to end on tiny generated images (no dataset needed): short training
//! runs lower the losses, the files round-trip, files of the wrong kind are refused, and the
//! generator draws images of the right shape and range, the same twice for a seed.

use super::autoencoder::{Autoencoder, AutoencoderConfig, LatentStats};
use super::card::{AutoencoderCard, LatentDenoiserCard};
use super::generate::{ImageGenerator, ImageRequest};
use super::unet::LatentUnetConfig;
use super::{IMAGE_PIXELS, IMAGE_SIDE, PADDED_SIDE, pad_images};
use crate::checkpoint::{self, Precision};
use crate::nn::NetConfig;
use crate::sampler::SamplerKind;
use crate::train::{RateSchedule, SupervisedTrainer, TrainConfig, Trainer};
use burn::module::Module;
use burn::tensor::{Device, Tensor};

/// `n` tiny images of two kinds: a bright square (even i) or a horizontal bar (odd i), at
/// shifted places, with labels 1 and 2.
fn toy_images(n: usize) -> (Vec<f32>, Vec<u32>) {
    let mut images = vec![0.0f32; n * IMAGE_PIXELS];
    let mut labels = Vec::new();
    for i in 0..n {
        let image = &mut images[i * IMAGE_PIXELS..(i + 1) * IMAGE_PIXELS];
        let shift = 4 + (i * 7) % 8;
        for y in 0..IMAGE_SIDE {
            for x in 0..IMAGE_SIDE {
                let ink = if i % 2 == 0 {
                    (shift..shift + 10).contains(&x) && (shift..shift + 10).contains(&y)
                } else {
                    (12..16).contains(&y) && (shift - 2..shift + 14).contains(&x)
                };
                image[y * IMAGE_SIDE + x] = if ink { 0.9 } else { 0.0 };
            }
        }
        labels.push(1 + (i % 2) as u32);
    }
    (images, labels)
}

fn small_autoencoder() -> AutoencoderConfig {
    AutoencoderConfig::new()
        .with_channels_32(8)
        .with_channels_16(8)
        .with_channels_8(16)
}

fn mean(v: &[f32]) -> f32 {
    v.iter().sum::<f32>() / v.len() as f32
}

/// Trains the small autoencoder for `steps` on the toy images; returns it and its losses.
fn train_autoencoder(steps: usize) -> (Autoencoder, Vec<f32>) {
    let device = Device::flex();
    let ad = device.clone().autodiff();
    ad.seed(1);
    let (images, _) = toy_images(64);
    let padded = Tensor::<1>::from_floats(pad_images(&images).as_slice(), &ad).reshape([
        64,
        1,
        PADDED_SIDE,
        PADDED_SIDE,
    ]);
    let rate = RateSchedule {
        peak: 3e-3,
        warmup_steps: 5,
        total_steps: None,
    };
    let mut trainer = SupervisedTrainer::new(small_autoencoder().init(&ad), rate, 0);
    let mut losses = Vec::new();
    for step in 0..steps {
        let batch = padded
            .clone()
            .slice((step * 16) % 64..(step * 16) % 64 + 16);
        let loss = trainer.step(|m| m.loss(batch, 1e-4).0);
        losses.push(loss.into_scalar::<f32>());
    }
    (trainer.model().valid(), losses)
}

#[test]
fn a_short_autoencoder_run_lowers_the_reconstruction_error() {
    let (_, losses) = train_autoencoder(60);
    let (first, last) = (mean(&losses[..5]), mean(&losses[55..]));
    eprintln!("autoencoder loss {first:.4} -> {last:.4}");
    assert!(last < 0.5 * first, "loss {first} -> {last}");
}

/// The trained toy autoencoder's card, with its latents measured.
fn autoencoder_card(ae: &Autoencoder) -> AutoencoderCard {
    let device = Device::flex();
    let (images, _) = toy_images(32);
    let x = Tensor::<1>::from_floats(pad_images(&images).as_slice(), &device).reshape([
        32,
        1,
        PADDED_SIDE,
        PADDED_SIDE,
    ]);
    let latents = ae
        .encoder
        .forward(x)
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    let config = small_autoencoder();
    let [c, h, w] = config.latent_shape();
    let stats = LatentStats::measure(&latents, c, h * w).unwrap();
    AutoencoderCard::new(config, stats, "toy".into(), 60)
}

/// Trains a small conditional latent denoiser on the toy latents; returns the trainer and the
/// losses.
fn train_denoiser(
    ae: &Autoencoder,
    card: &AutoencoderCard,
    steps: usize,
) -> (Trainer<LatentUnetConfig, 4>, Vec<f32>) {
    let device = Device::flex();
    let (images, labels) = toy_images(64);
    let x = Tensor::<1>::from_floats(pad_images(&images).as_slice(), &device).reshape([
        64,
        1,
        PADDED_SIDE,
        PADDED_SIDE,
    ]);
    let standard = card.latent.standardize(ae.encoder.forward(x)).into_data();
    let config = TrainConfig::new()
        .with_batch_size(32)
        .with_learning_rate(3e-3)
        .with_warmup_steps(5);
    let model = LatentUnetConfig::new()
        .with_channels(16)
        .with_embedding(32)
        .with_vocabulary(vec!["square".into(), "bar".into()]);
    let mut trainer = Trainer::new(&device, standard, Some(&labels), model, config, 2).unwrap();
    let losses = (0..steps)
        .map(|_| trainer.step().into_scalar::<f32>())
        .collect();
    (trainer, losses)
}

#[test]
fn the_latent_denoiser_learns_and_the_generator_draws_images() {
    let (ae, _) = train_autoencoder(30);
    let ae_card = autoencoder_card(&ae);
    let (trainer, losses) = train_denoiser(&ae, &ae_card, 80);
    let (first, last) = (mean(&losses[..10]), mean(&losses[70..]));
    eprintln!("latent denoiser loss {first:.4} -> {last:.4}");
    assert!(last < 0.8 * first, "loss {first} -> {last}");

    // Through the files, in half precision, as the product ships them.
    let device = Device::flex();
    let card = LatentDenoiserCard::new(
        trainer.model_config().clone(),
        trainer.config().clone(),
        ae_card.latent.clone(),
        "toy".into(),
        trainer.steps_done(),
    );
    let unet_bytes = checkpoint::to_bytes_as(trainer.ema_model(), &card, Precision::Half).unwrap();
    let ae_bytes = checkpoint::to_bytes_as(&ae, &ae_card, Precision::Half).unwrap();
    let full = checkpoint::to_bytes(trainer.ema_model(), &card).unwrap();
    assert!(
        unet_bytes.len() < full.len() * 6 / 10,
        "{} vs {}",
        unet_bytes.len(),
        full.len()
    );
    let (unet, card2) = checkpoint::from_bytes::<LatentDenoiserCard>(&unet_bytes, &device).unwrap();
    let (ae2, ae_card2) = checkpoint::from_bytes::<AutoencoderCard>(&ae_bytes, &device).unwrap();
    assert_eq!(card2, card);
    assert_eq!(ae_card2, ae_card);

    let generator = ImageGenerator::new(ae2, ae_card2, unet, card2).unwrap();
    assert_eq!(generator.words(), ["square", "bar"]);
    let request = ImageRequest {
        word: "bar".into(),
        n: 3,
        sampler: SamplerKind::DpmPp2m,
        steps: 8,
        guidance: 2.0,
        seed: 5,
    };
    let draw = |r: &ImageRequest| -> Vec<f32> {
        let images = generator.generate(r, &device).unwrap();
        assert_eq!(images.dims(), [r.n, 1, IMAGE_SIDE, IMAGE_SIDE]);
        images.into_data().try_to_vec::<f32>().unwrap()
    };
    let a = draw(&request);
    assert!(a.iter().all(|v| (0.0..=1.0).contains(v)));
    assert_eq!(a, draw(&request), "a seed gives the same images twice");
    assert_ne!(
        a,
        draw(&ImageRequest {
            seed: 6,
            ..request.clone()
        })
    );

    // Requests are checked in one place, with messages a person can act on.
    let err = |r: ImageRequest| generator.start(&r, &device).err().expect("refused");
    assert!(
        err(ImageRequest {
            word: "hat".into(),
            ..request.clone()
        })
        .contains("square, bar")
    );
    assert!(
        err(ImageRequest {
            n: 0,
            ..request.clone()
        })
        .contains("number of images")
    );
    assert!(
        err(ImageRequest {
            n: 10_000,
            ..request.clone()
        })
        .contains("number of images")
    );
    assert!(
        err(ImageRequest {
            guidance: f64::NAN,
            ..request.clone()
        })
        .contains("guidance")
    );
    assert!(
        err(ImageRequest {
            steps: 0,
            ..request.clone()
        })
        .contains("steps")
    );

    // A file of the wrong kind is refused with a message naming both kinds.
    let wrong = checkpoint::from_bytes::<AutoencoderCard>(&unet_bytes, &device).unwrap_err();
    assert!(
        wrong.contains("latent-denoiser") && wrong.contains("autoencoder"),
        "{wrong}"
    );
}

#[test]
fn a_denoiser_fits_only_its_own_autoencoder() {
    let config = small_autoencoder();
    let stats = |m: f32| LatentStats::new(vec![m; 4], vec![1.0; 4]);
    let ae_card = AutoencoderCard::new(config.clone(), stats(0.0), "a".into(), 0);
    let other = AutoencoderCard::new(config.clone(), stats(1.0), "b".into(), 0);
    let unet_config = LatentUnetConfig::new()
        .with_channels(8)
        .with_embedding(16)
        .with_vocabulary(vec!["x".into()]);
    let card = LatentDenoiserCard::new(
        unet_config.clone(),
        TrainConfig::new(),
        stats(0.0),
        "a".into(),
        0,
    );
    let device = Device::flex();
    let unet = NetConfig::init(&unet_config, &device);
    let ae = config.init(&device);
    assert!(card.check_pair(&ae_card).is_ok());
    let err = ImageGenerator::new(ae, other, unet, card).err().unwrap();
    assert!(err.contains("another autoencoder"), "{err}");
}
