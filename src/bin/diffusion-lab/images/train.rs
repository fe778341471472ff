//! `train-images`: the autoencoder, then the latent denoiser on its latents.

use super::{load, random_indices, resume_path, training_images, write_file};
use crate::progress::Progress;
use burn::module::Module;
use burn::tensor::{Device, Tensor};
use clap::{Args, ValueEnum};
use diffusion_lab::checkpoint::{self, Precision};
use diffusion_lab::images::autoencoder::{Autoencoder, AutoencoderConfig, LatentStats};
use diffusion_lab::images::card::{AutoencoderCard, LatentDenoiserCard};
use diffusion_lab::images::fashion::{self, LabelledImages, Split};
use diffusion_lab::images::unet::LatentUnetConfig;
use diffusion_lab::images::{IMAGE_PIXELS, PADDED_SIDE, pad_images};
use diffusion_lab::train::{RateSchedule, SupervisedTrainer, TrainConfig, Trainer};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often a long run saves its state.
pub(super) const SAVE_EVERY: Duration = Duration::from_secs(180);

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Stage {
    /// The autoencoder (images to 4×8×8 latents and back).
    Autoencoder,
    /// The word-conditioned latent denoiser (needs --autoencoder).
    Denoiser,
    /// Students of the denoiser that sample in 4, 2 and 1 steps, guidance distilled in (needs
    /// --teacher; --steps are per phase).
    Distill,
}

#[derive(Args)]
pub struct TrainImagesArgs {
    /// What to train.
    #[arg(long, value_enum)]
    pub stage: Stage,
    /// The directory with Fashion-MNIST's IDX files.
    #[arg(long, value_name = "DIR", default_value = fashion::DEFAULT_DIR)]
    pub data: PathBuf,
    /// Optimiser steps in all (a resumed run counts the steps already taken).
    #[arg(long)]
    pub steps: Option<usize>,
    /// Images per step.
    #[arg(long)]
    pub batch: Option<usize>,
    /// Seed of the initial weights and the training noise.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// With --stage denoiser: the autoencoder whose latents it learns (with --stage distill,
    /// the teacher's: by default the shipped one).
    #[arg(long, value_name = "FILE", required_if_eq("stage", "denoiser"))]
    pub autoencoder: Option<PathBuf>,
    /// With --stage distill: the latent denoiser to distil.
    #[arg(long, value_name = "FILE", required_if_eq("stage", "distill"))]
    pub teacher: Option<PathBuf>,
    /// Go on from FILE and FILE.resume, written by an interrupted run.
    #[arg(long)]
    pub resume: bool,
    /// Train on the first N training images only (for quick trials).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Where to write the model.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

pub fn train_images(args: TrainImagesArgs, device: &Device) -> Result<(), String> {
    match args.stage {
        Stage::Autoencoder => train_autoencoder(args, device),
        Stage::Denoiser => train_denoiser(args, device),
        Stage::Distill => super::distill::distill_images(args, device),
    }
}

/// Images per step and steps of the autoencoder unless asked otherwise.
const AUTOENCODER_BATCH: usize = 32;
const AUTOENCODER_STEPS: usize = 2500;
/// The latent penalty λ (see `images::autoencoder`).
const LATENT_PENALTY: f64 = 1e-4;

fn train_autoencoder(args: TrainImagesArgs, device: &Device) -> Result<(), String> {
    let steps = args.steps.unwrap_or(AUTOENCODER_STEPS);
    let batch = args.batch.unwrap_or(AUTOENCODER_BATCH);
    let data = training_images(&args.data, args.limit)?;
    let test = fashion::load(&args.data, Split::Test)?;
    let device = device.clone();
    let ad = device.clone().autodiff();
    ad.seed(args.seed);
    let config = AutoencoderConfig::new();
    let (model, done) = if args.resume {
        let (model, card) = load::<AutoencoderCard>(&resume_path(&args.out), &ad)?;
        println!("resuming {} at step {}", args.out.display(), card.steps);
        (model, card.steps)
    } else {
        (config.init(&ad), 0)
    };
    let rate = RateSchedule {
        peak: 2e-3,
        warmup_steps: 100,
        total_steps: Some(steps),
    };
    let mut trainer = SupervisedTrainer::new(model, rate, done);
    let n = data.len();
    let padded = Tensor::<1>::from_floats(pad_images(&data.all_images()).as_slice(), &ad)
        .reshape([n, 1, PADDED_SIDE, PADDED_SIDE]);
    let label = format!("Fashion-MNIST, {n} training images");
    let save = |model: &Autoencoder, steps_done: usize, psnr: Option<f64>| -> Result<(), String> {
        let valid = model.valid();
        let latent = measure_latents(&valid, &data, 2000, &device)?;
        let card = AutoencoderCard::new(config.clone(), latent, label.clone(), steps_done)
            .with_test_psnr(psnr);
        write_file(
            &resume_path(&args.out),
            &checkpoint::to_bytes(model, &card)?,
        )?;
        write_file(
            &args.out,
            &checkpoint::to_bytes_as(&valid, &card, Precision::Half)?,
        )
    };
    let mut progress = Progress::new(done, steps, batch, "images");
    let mut last_save = Instant::now();
    while trainer.steps_done() < steps {
        let idx = random_indices(batch, n, &ad);
        let images = padded.clone().select(0, idx);
        let mut mse = None;
        let loss = trainer.step(|m| {
            let (loss, reconstruction) = m.loss(images, LATENT_PENALTY);
            mse = Some(reconstruction);
            loss
        });
        progress.step(trainer.steps_done(), || {
            let mse: f32 = mse.take().expect("set").into_scalar();
            let _ = loss;
            format!("reconstruction {mse:.4}")
        });
        if last_save.elapsed() > SAVE_EVERY {
            save(trainer.model(), trainer.steps_done(), None)?;
            last_save = Instant::now();
        }
    }
    progress.finish();
    let psnr = test_psnr(&trainer.model().valid(), &test, &device);
    save(trainer.model(), trainer.steps_done(), Some(psnr))?;
    println!(
        "trained the autoencoder for {} steps in {:.0} s; test PSNR {psnr:.2} dB; wrote {} ({} bytes)",
        trainer.steps_done() - done,
        progress.seconds(),
        args.out.display(),
        std::fs::metadata(&args.out).map_or(0, |m| m.len())
    );
    Ok(())
}

/// Latents of images `[n × 784]`, encoded in batches on `device`: `[n × c·8·8]`.
fn encode_all(ae: &Autoencoder, images: &[f32], device: &Device) -> Result<Vec<f32>, String> {
    let mut out = Vec::new();
    for chunk in images.chunks(500 * IMAGE_PIXELS) {
        let n = chunk.len() / IMAGE_PIXELS;
        let x = Tensor::<1>::from_floats(pad_images(chunk).as_slice(), device).reshape([
            n,
            1,
            PADDED_SIDE,
            PADDED_SIDE,
        ]);
        out.extend(
            ae.encoder
                .forward(x)
                .into_data()
                .try_to_vec::<f32>()
                .map_err(|e| format!("{e:?}"))?,
        );
    }
    Ok(out)
}

/// The latents' statistics over the first `n` images of `data`.
fn measure_latents(
    ae: &Autoencoder,
    data: &LabelledImages,
    n: usize,
    device: &Device,
) -> Result<LatentStats, String> {
    let images = data.first(n).all_images();
    let latents = encode_all(ae, &images, device)?;
    let [c, h, w] = AutoencoderConfig::new().latent_shape();
    LatentStats::measure(&latents, c, h * w)
}

/// Reconstruction PSNR over `test`, in dB: 10 log₁₀(1 / MSE), pixels in [0, 1].
fn test_psnr(ae: &Autoencoder, test: &LabelledImages, device: &Device) -> f64 {
    let images = test.all_images();
    let mut squared = 0.0f64;
    for chunk in images.chunks(500 * IMAGE_PIXELS) {
        let n = chunk.len() / IMAGE_PIXELS;
        let x = Tensor::<1>::from_floats(pad_images(chunk).as_slice(), device).reshape([
            n,
            1,
            PADDED_SIDE,
            PADDED_SIDE,
        ]);
        let y = ae.decoder.forward(ae.encoder.forward(x));
        let y = y.into_data().try_to_vec::<f32>().expect("floats");
        squared += y
            .iter()
            .zip(chunk)
            .map(|(a, b)| ((a - b) as f64).powi(2))
            .sum::<f64>();
    }
    10.0 * (images.len() as f64 / squared).log10()
}

/// Steps, batch and learning rate of the denoiser unless asked otherwise.
const DENOISER_BATCH: usize = 128;
const DENOISER_STEPS: usize = 3500;

fn train_denoiser(args: TrainImagesArgs, device: &Device) -> Result<(), String> {
    let steps = args.steps.unwrap_or(DENOISER_STEPS);
    let batch = args.batch.unwrap_or(DENOISER_BATCH);
    let device = device.clone();
    let ae_path = args.autoencoder.as_ref().expect("clap requires it");
    let (ae, ae_card) = load::<AutoencoderCard>(ae_path, &device)?;
    let (standard, labels) = training_latents(&args, &ae, &ae_card, &args.out, &device)?;
    let n = labels.len();
    let c = ae_card.model.latent_channels;
    let standard = standard.into_data();
    let config = TrainConfig::new()
        .with_batch_size(batch)
        .with_learning_rate(1e-3)
        .with_warmup_steps(200)
        .with_total_steps(Some(steps))
        .with_label_dropout(0.1);
    let model_config = LatentUnetConfig::new()
        .with_latent_channels(c)
        .with_vocabulary(fashion::words());
    let label = format!("Fashion-MNIST latents, {n} training images");
    let mut trainer = if args.resume {
        let ad = device.clone().autodiff();
        let (model, card) = load::<LatentDenoiserCard>(&resume_path(&args.out), &ad)?;
        let (ema, _) = load::<LatentDenoiserCard>(&args.out, &device)?;
        card.check_pair(&ae_card)?;
        println!("resuming {} at step {}", args.out.display(), card.steps);
        Trainer::resume(
            model,
            standard,
            Some(&labels),
            card.model,
            config,
            card.steps,
        )?
        .with_ema(ema)
    } else {
        Trainer::new(
            &device,
            standard,
            Some(&labels),
            model_config,
            config,
            args.seed,
        )?
    };
    let save = |trainer: &Trainer<LatentUnetConfig, 4>| -> Result<(), String> {
        let card = LatentDenoiserCard::new(
            trainer.model_config().clone(),
            trainer.config().clone(),
            ae_card.latent.clone(),
            label.clone(),
            trainer.steps_done(),
        );
        write_file(
            &resume_path(&args.out),
            &checkpoint::to_bytes(trainer.model(), &card)?,
        )?;
        write_file(
            &args.out,
            &checkpoint::to_bytes_as(trainer.ema_model(), &card, Precision::Half)?,
        )
    };
    let done = trainer.steps_done();
    let mut progress = Progress::new(done, steps, batch, "latents");
    let mut last_save = Instant::now();
    while trainer.steps_done() < steps {
        let loss = trainer.step();
        progress.step(trainer.steps_done(), || {
            format!("loss {:.4}", loss.into_scalar::<f32>())
        });
        if last_save.elapsed() > SAVE_EVERY {
            save(&trainer)?;
            last_save = Instant::now();
        }
    }
    progress.finish();
    save(&trainer)?;
    println!(
        "trained the denoiser for {} steps in {:.0} s; wrote {} ({} bytes, {} parameters)",
        steps.saturating_sub(done),
        progress.seconds(),
        args.out.display(),
        std::fs::metadata(&args.out).map_or(0, |m| m.len()),
        trainer.ema_model().num_params()
    );
    Ok(())
}

/// The standardised latents `[n, c, 8, 8]` of the training images (`--data`, `--limit`) and
/// their words' labels (1-based), encoded once (minutes) and cached in `model` + `.latents`.
pub(super) fn training_latents(
    args: &TrainImagesArgs,
    ae: &Autoencoder,
    ae_card: &AutoencoderCard,
    model: &Path,
    device: &Device,
) -> Result<(Tensor<4>, Vec<u32>), String> {
    let data = training_images(&args.data, args.limit)?;
    let n = data.len();
    let cache = {
        let mut name = model.as_os_str().to_owned();
        name.push(".latents");
        PathBuf::from(name)
    };
    let [c, h, w] = ae_card.model.latent_shape();
    let latents = match read_latent_cache(&cache, ae_card, n * c * h * w) {
        Some(latents) => latents,
        None => {
            println!(
                "encoding {n} training images (cached in {})",
                cache.display()
            );
            let latents = encode_all(ae, &data.all_images(), device)?;
            write_latent_cache(&cache, ae_card, &latents)?;
            latents
        }
    };
    let standard = ae_card
        .latent
        .standardize(Tensor::<1>::from_floats(latents.as_slice(), device).reshape([n, c, h, w]));
    let labels = data.labels.iter().map(|&l| l as u32 + 1).collect();
    Ok((standard, labels))
}

/// The cached latents, when the cache was written for this autoencoder and this many values.
fn read_latent_cache(path: &Path, card: &AutoencoderCard, len: usize) -> Option<Vec<f32>> {
    let bytes = std::fs::read(path).ok()?;
    let key = burn::config::config_to_json(&card.latent);
    let rest = bytes.strip_prefix(key.as_bytes())?;
    (rest.len() == 4 * len).then(|| {
        rest.chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
            .collect()
    })
}

fn write_latent_cache(path: &Path, card: &AutoencoderCard, latents: &[f32]) -> Result<(), String> {
    let mut bytes = burn::config::config_to_json(&card.latent).into_bytes();
    bytes.extend(latents.iter().flat_map(|v| v.to_le_bytes()));
    write_file(path, &bytes)
}
