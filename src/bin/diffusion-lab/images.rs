//! The image commands: `train-images` (the autoencoder, then the latent denoiser), `train-judge`,
//! `sample-images` and `eval-images`.
//!
//! Long runs save their state every few minutes: `FILE` holds what the product uses (half
//! precision; for the denoiser, the moving average), `FILE.resume` the trained weights in full
//! precision, and `--resume` goes on from both.

use crate::progress::Progress;
use burn::module::Module;
use burn::tensor::{Device, Int, Tensor, TensorData};
use clap::{Args, ValueEnum};
use diffusion_lab::checkpoint::{self, Card, Precision};
use diffusion_lab::images::autoencoder::{Autoencoder, AutoencoderConfig, LatentStats};
use diffusion_lab::images::card::{AutoencoderCard, JudgeCard, LatentDenoiserCard};
use diffusion_lab::images::fashion::{self, LabelledImages, Split};
use diffusion_lab::images::generate::{ImageGenerator, ImageRequest};
use diffusion_lab::images::judge::{JudgeConfig, image_tensor, per_class_accuracy};
use diffusion_lab::images::unet::LatentUnetConfig;
use diffusion_lab::images::{IMAGE_PIXELS, IMAGE_SIDE, PADDED_SIDE, pad_images};
use diffusion_lab::sampler::SamplerKind;
use diffusion_lab::train::{RateSchedule, SupervisedTrainer, TrainConfig, Trainer};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where the shipped models live, in the repository this binary was built from.
fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("www/models")
        .join(name)
}

/// How often a long run saves its state.
const SAVE_EVERY: Duration = Duration::from_secs(180);

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Stage {
    /// The autoencoder (images to 4×8×8 latents and back).
    Autoencoder,
    /// The word-conditioned latent denoiser (needs --autoencoder).
    Denoiser,
}

#[derive(Args)]
pub struct TrainImagesArgs {
    /// What to train.
    #[arg(long, value_enum)]
    stage: Stage,
    /// The directory with Fashion-MNIST's IDX files.
    #[arg(long, value_name = "DIR", default_value = fashion::DEFAULT_DIR)]
    data: PathBuf,
    /// Optimiser steps in all (a resumed run counts the steps already taken).
    #[arg(long)]
    steps: Option<usize>,
    /// Images per step.
    #[arg(long)]
    batch: Option<usize>,
    /// Seed of the initial weights and the training noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// With --stage denoiser: the autoencoder whose latents it learns.
    #[arg(long, value_name = "FILE", required_if_eq("stage", "denoiser"))]
    autoencoder: Option<PathBuf>,
    /// Go on from FILE and FILE.resume, written by an interrupted run.
    #[arg(long)]
    resume: bool,
    /// Train on the first N training images only (for quick trials).
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Where to write the model.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Args)]
pub struct TrainJudgeArgs {
    /// The directory with Fashion-MNIST's IDX files.
    #[arg(long, value_name = "DIR", default_value = fashion::DEFAULT_DIR)]
    data: PathBuf,
    /// Optimiser steps.
    #[arg(long, default_value_t = 2000)]
    steps: usize,
    /// Seed of the initial weights and the batches.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Train on the first N training images only (for quick trials).
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Where to write the judge.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Args)]
pub struct SampleImagesArgs {
    /// What to draw: t-shirt, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag or
    /// "ankle boot".
    #[arg(long)]
    word: String,
    /// A latent denoiser (default: the one shipped in www/models).
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// The autoencoder it was trained with (default: the one shipped in www/models).
    #[arg(long, value_name = "FILE")]
    autoencoder: Option<PathBuf>,
    /// Number of images.
    #[arg(long, default_value_t = 16)]
    n: usize,
    /// Sampler: ddpm, ddim, euler, heun or dpmpp2m.
    #[arg(long, default_value = "dpmpp2m")]
    sampler: String,
    /// Sampling steps.
    #[arg(long, default_value_t = 20)]
    steps: usize,
    /// Classifier-free guidance scale (0 ignores the word, up to 10).
    #[arg(long, default_value_t = 3.0)]
    guidance: f64,
    /// Seed of the starting noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Where to write the grid of images (PNG).
    #[arg(long, value_name = "FILE.png")]
    out: PathBuf,
    /// Also write the images as float32 [n, 28, 28] in [0, 1] (NumPy .npy).
    #[arg(long, value_name = "FILE.npy")]
    npy: Option<PathBuf>,
}

#[derive(Args)]
pub struct EvalImagesArgs {
    /// A latent denoiser (default: the one shipped in www/models).
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// The autoencoder it was trained with (default: the one shipped in www/models).
    #[arg(long, value_name = "FILE")]
    autoencoder: Option<PathBuf>,
    /// The judge (default: the one shipped in www/models).
    #[arg(long, value_name = "FILE")]
    judge: Option<PathBuf>,
    /// The directory with Fashion-MNIST's IDX files.
    #[arg(long, value_name = "DIR", default_value = fashion::DEFAULT_DIR)]
    data: PathBuf,
    /// Images generated per word (and real test images per word for the distances).
    #[arg(long, default_value_t = 500)]
    n: usize,
    /// Samplers to compare, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "dpmpp2m")]
    samplers: Vec<String>,
    /// Step counts to compare, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "20")]
    steps: Vec<usize>,
    /// Guidance scales to compare, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "3")]
    guidance: Vec<f64>,
    /// Seed of the starting noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    // Written aside and renamed, so an interruption never leaves half a file.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A checkpoint of kind `C` from `path`, on `device`; errors name the file.
fn load<C: Card>(path: &Path, device: &Device) -> Result<(C::Net, C), String> {
    checkpoint::from_bytes::<C>(&read_file(path)?, device)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn resume_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".resume");
    PathBuf::from(name)
}

fn training_images(dir: &Path, limit: Option<usize>) -> Result<LabelledImages, String> {
    let set = fashion::load(dir, Split::Train)?;
    Ok(match limit {
        Some(n) => set.first(n),
        None => set,
    })
}

pub fn train_images(args: TrainImagesArgs) -> Result<(), String> {
    match args.stage {
        Stage::Autoencoder => train_autoencoder(args),
        Stage::Denoiser => train_denoiser(args),
    }
}

/// Images per step and steps of the autoencoder unless asked otherwise.
const AUTOENCODER_BATCH: usize = 32;
const AUTOENCODER_STEPS: usize = 4000;
/// The latent penalty λ (see `images::autoencoder`).
const LATENT_PENALTY: f64 = 1e-4;

fn train_autoencoder(args: TrainImagesArgs) -> Result<(), String> {
    let steps = args.steps.unwrap_or(AUTOENCODER_STEPS);
    let batch = args.batch.unwrap_or(AUTOENCODER_BATCH);
    let data = training_images(&args.data, args.limit)?;
    let test = fashion::load(&args.data, Split::Test)?;
    let device = Device::flex();
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

/// `b` random indices below `n`, made on the device.
fn random_indices(b: usize, n: usize, device: &Device) -> Tensor<1, Int> {
    Tensor::<1, Int>::random(
        [b],
        burn::tensor::Distribution::Uniform(0.0, n as f64),
        device,
    )
    .clamp(0, n as i64 - 1)
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
const DENOISER_STEPS: usize = 6000;

fn train_denoiser(args: TrainImagesArgs) -> Result<(), String> {
    let steps = args.steps.unwrap_or(DENOISER_STEPS);
    let batch = args.batch.unwrap_or(DENOISER_BATCH);
    let device = Device::flex();
    let ae_path = args.autoencoder.as_ref().expect("clap requires it");
    let (ae, ae_card) = load::<AutoencoderCard>(ae_path, &device)?;
    let data = training_images(&args.data, args.limit)?;
    let n = data.len();
    // The standardised latents of every training image, encoded once (minutes) and cached.
    let cache = {
        let mut name = args.out.as_os_str().to_owned();
        name.push(".latents");
        PathBuf::from(name)
    };
    let [c, h, w] = ae_card.model.latent_shape();
    let latents = match read_latent_cache(&cache, &ae_card, n * c * h * w) {
        Some(latents) => latents,
        None => {
            println!(
                "encoding {n} training images (cached in {})",
                cache.display()
            );
            let latents = encode_all(&ae, &data.all_images(), &device)?;
            write_latent_cache(&cache, &ae_card, &latents)?;
            latents
        }
    };
    let standard = ae_card
        .latent
        .standardize(Tensor::<1>::from_floats(latents.as_slice(), &device).reshape([n, c, h, w]))
        .into_data();
    let labels: Vec<u32> = data.labels.iter().map(|&l| l as u32 + 1).collect();
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

pub fn train_judge(args: TrainJudgeArgs) -> Result<(), String> {
    let data = training_images(&args.data, args.limit)?;
    let test = fashion::load(&args.data, Split::Test)?;
    let device = Device::flex();
    let ad = device.clone().autodiff();
    ad.seed(args.seed);
    let config = JudgeConfig::new();
    let batch = 64;
    let rate = RateSchedule {
        peak: 2e-3,
        warmup_steps: 100,
        total_steps: Some(args.steps),
    };
    let mut trainer = SupervisedTrainer::new(config.init(&ad), rate, 0);
    let n = data.len();
    let images = image_tensor(&data.all_images(), &ad);
    let labels = Tensor::<1, Int>::from_data(
        TensorData::new(
            data.labels.iter().map(|&l| l as i64).collect::<Vec<_>>(),
            [n],
        ),
        &ad,
    );
    let mut progress = Progress::new(0, args.steps, batch, "images");
    while trainer.steps_done() < args.steps {
        let idx = random_indices(batch, n, &ad);
        let (x, y) = (
            images.clone().select(0, idx.clone()),
            labels.clone().select(0, idx),
        );
        let loss = trainer.step(|m| m.loss(x, y));
        progress.step(trainer.steps_done(), || {
            format!("loss {:.4}", loss.into_scalar::<f32>())
        });
    }
    progress.finish();
    let judge = trainer.model().valid();
    let predicted = judge.classify(&test.all_images(), &device)?;
    let accuracy = per_class_accuracy(&predicted, &test.labels, fashion::WORDS.len());
    let card = JudgeCard::new(config, fashion::words(), accuracy.clone(), args.steps);
    write_file(
        &args.out,
        &checkpoint::to_bytes_as(&judge, &card, Precision::Half)?,
    )?;
    println!("judge accuracy on the real test split:");
    for (word, a) in fashion::WORDS.iter().zip(&accuracy) {
        println!("  {word:<12} {:>6.1}%", 100.0 * a);
    }
    println!(
        "  mean         {:>6.1}%; wrote {}",
        100.0 * accuracy.iter().sum::<f64>() / accuracy.len() as f64,
        args.out.display()
    );
    Ok(())
}

/// The shipped (or given) autoencoder and denoiser, paired.
fn generator(
    model: Option<&PathBuf>,
    autoencoder: Option<&PathBuf>,
    device: &Device,
) -> Result<ImageGenerator, String> {
    let model = model.cloned().unwrap_or_else(|| shipped("denoiser.dlab"));
    let autoencoder = autoencoder
        .cloned()
        .unwrap_or_else(|| shipped("autoencoder.dlab"));
    let (ae, ae_card) = load::<AutoencoderCard>(&autoencoder, device)?;
    let (unet, card) = load::<LatentDenoiserCard>(&model, device)?;
    ImageGenerator::new(ae, ae_card, unet, card)
        .map_err(|e| format!("{} with {}: {e}", model.display(), autoencoder.display()))
}

pub fn sample_images(args: SampleImagesArgs) -> Result<(), String> {
    let device = Device::flex();
    let generator = generator(args.model.as_ref(), args.autoencoder.as_ref(), &device)?;
    let request = ImageRequest {
        word: args.word.clone(),
        n: args.n,
        sampler: SamplerKind::parse(&args.sampler, 0.0)?,
        steps: args.steps,
        guidance: args.guidance,
        seed: args.seed,
    };
    let start = Instant::now();
    let images = generator
        .generate(&request, &device)?
        .into_data()
        .try_to_vec::<f32>()
        .map_err(|e| format!("{e:?}"))?;
    let seconds = start.elapsed().as_secs_f64();
    write_grid(&args.out, &images)?;
    if let Some(npy) = &args.npy {
        write_npy(npy, &images)?;
    }
    println!(
        "{} images of {:?} ({} steps of {}, guidance {}) in {seconds:.2} s; wrote {}",
        args.n,
        args.word,
        args.steps,
        args.sampler,
        args.guidance,
        args.out.display()
    );
    Ok(())
}

/// Images `[n × 784]` in [0, 1] as a PNG grid, as square as possible, each image shown at
/// twice its size with a 2-pixel gap.
fn write_grid(path: &Path, images: &[f32]) -> Result<(), String> {
    const SCALE: usize = 2;
    const GAP: usize = 2;
    let n = images.len() / IMAGE_PIXELS;
    let cols = (n as f64).sqrt().ceil().max(1.0) as usize;
    let rows = n.div_ceil(cols);
    let cell = IMAGE_SIDE * SCALE + GAP;
    let (width, height) = (cols * cell + GAP, rows * cell + GAP);
    let mut grid = image::GrayImage::from_pixel(width as u32, height as u32, image::Luma([48]));
    for (k, img) in images.chunks_exact(IMAGE_PIXELS).enumerate() {
        let (x0, y0) = (GAP + (k % cols) * cell, GAP + (k / cols) * cell);
        for (i, &v) in img.iter().enumerate() {
            let level = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            for dy in 0..SCALE {
                for dx in 0..SCALE {
                    let x = x0 + (i % IMAGE_SIDE) * SCALE + dx;
                    let y = y0 + (i / IMAGE_SIDE) * SCALE + dy;
                    grid.put_pixel(x as u32, y as u32, image::Luma([level]));
                }
            }
        }
    }
    grid.save(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Images `[n × 784]` as a float32 NumPy array of shape [n, 28, 28].
fn write_npy(path: &Path, images: &[f32]) -> Result<(), String> {
    let n = images.len() / IMAGE_PIXELS;
    use npyz::WriterBuilder;
    let mut bytes = Vec::new();
    let mut writer = npyz::WriteOptions::<f32>::new()
        .default_dtype()
        .shape(&[n as u64, IMAGE_SIDE as u64, IMAGE_SIDE as u64])
        .writer(&mut bytes)
        .begin_nd()
        .map_err(|e| format!("cannot encode the .npy: {e}"))?;
    writer
        .extend(images.iter().copied())
        .map_err(|e| format!("cannot encode the .npy: {e}"))?;
    writer
        .finish()
        .map_err(|e| format!("cannot encode the .npy: {e}"))?;
    write_file(path, &bytes)
}

pub fn eval_images(args: EvalImagesArgs) -> Result<(), String> {
    let device = Device::flex();
    let generator = generator(args.model.as_ref(), args.autoencoder.as_ref(), &device)?;
    let judge_path = args.judge.clone().unwrap_or_else(|| shipped("judge.dlab"));
    let (judge, judge_card) = load::<JudgeCard>(&judge_path, &device)?;
    let train = fashion::load(&args.data, Split::Train)?;
    let test = fashion::load(&args.data, Split::Test)?;
    let features = |images: &[f32]| judge.feature_stats(images, &device);
    println!(
        "judge: {}; generated and real images: {} per word",
        judge_path.display(),
        args.n
    );
    // The floors: real training images against real test images, word by word.
    let mut floors = Vec::new();
    let mut real_stats = Vec::new();
    for (k, _) in fashion::WORDS.iter().enumerate() {
        let test_k = test.of_class(k as u8).first(args.n);
        let train_k = train.of_class(k as u8).first(args.n);
        let real = features(&test_k.all_images())?;
        floors.push(features(&train_k.all_images())?.frechet_distance(&real));
        real_stats.push(real);
    }
    for sampler in &args.samplers {
        let kind = SamplerKind::parse(sampler, 0.0)?;
        for &steps in &args.steps {
            for &w in &args.guidance {
                println!("\n{sampler}, {steps} steps, guidance {w}:");
                println!("  word          accuracy  (real)   Fréchet  (floor)");
                let (mut acc_sum, mut fd_sum, mut floor_sum) = (0.0, 0.0, 0.0);
                let start = Instant::now();
                for (k, word) in fashion::WORDS.iter().enumerate() {
                    let request = ImageRequest {
                        word: word.to_string(),
                        n: args.n,
                        sampler: kind,
                        steps,
                        guidance: w,
                        seed: args.seed + k as u64,
                    };
                    let images = generator
                        .generate(&request, &device)?
                        .into_data()
                        .try_to_vec::<f32>()
                        .map_err(|e| format!("{e:?}"))?;
                    let predicted = judge.classify(&images, &device)?;
                    let accuracy = predicted.iter().filter(|&&p| p as usize == k).count() as f64
                        / args.n as f64;
                    let fd = features(&images)?.frechet_distance(&real_stats[k]);
                    println!(
                        "  {word:<12} {:>8.1}%  {:>5.1}%  {fd:>8.2}  {:>7.2}",
                        100.0 * accuracy,
                        100.0 * judge_card.test_accuracy[k],
                        floors[k]
                    );
                    acc_sum += accuracy;
                    fd_sum += fd;
                    floor_sum += floors[k];
                }
                let words = fashion::WORDS.len() as f64;
                println!(
                    "  {:<12} {:>8.1}%  {:>5.1}%  {:>8.2}  {:>7.2}   ({:.0} s)",
                    "mean",
                    100.0 * acc_sum / words,
                    100.0 * judge_card.test_accuracy.iter().sum::<f64>() / words,
                    fd_sum / words,
                    floor_sum / words,
                    start.elapsed().as_secs_f64()
                );
            }
        }
    }
    Ok(())
}
