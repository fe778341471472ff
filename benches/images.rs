//! Native speed of the image networks: images per second for a training step of the
//! autoencoder, the latent denoiser and the judge, and for inference (encoding, decoding, one
//! denoiser evaluation); then 16 and 64 images of a word from the shipped models: the teacher
//! with DPM-Solver++ at 20 guided steps, the 4-, 2- and 1-step students with the guidance
//! distilled in (the first call, with its kernel compilation on a GPU, timed apart); printed
//! with the machine and device it ran on. Run: `cargo bench --bench images` (the CPU, burn
//! `flex`), or `DIFFUSION_LAB_DEVICE=gpu cargo bench --features gpu --bench images` (burn
//! wgpu). A benchmark, not a test: read the numbers as ratios within one run, the machines
//! here are noisy.

/// The command line's allocator, so the numbers are what it runs at (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use burn::module::Module;
use burn::tensor::{Int, Tensor};
use diffusion_lab::backend::Backend;
use diffusion_lab::checkpoint;
use diffusion_lab::images::autoencoder::AutoencoderConfig;
use diffusion_lab::images::card::{AutoencoderCard, LatentDenoiserCard};
use diffusion_lab::images::generate::{ImageGenerator, ImageRequest, STUDENT_SAMPLER};
use diffusion_lab::images::judge::JudgeConfig;
use diffusion_lab::images::unet::LatentUnetConfig;
use diffusion_lab::nn::{DenoisingNet, NetConfig};
use diffusion_lab::sampler::SamplerKind;
use diffusion_lab::train::{RateSchedule, SupervisedTrainer};
use std::path::Path;
use std::time::Instant;

/// Runs `f` `reps` times after one warm-up; prints and returns items per second.
fn rate(what: &str, items: usize, reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    let start = Instant::now();
    for _ in 0..reps {
        f();
    }
    let per_second = (items * reps) as f64 / start.elapsed().as_secs_f64();
    println!("{what:<44} {per_second:>9.1} images/s");
    per_second
}

fn main() {
    // On a thread of the CPU's thread pool, as the command line runs (see `on_cpu_threads`).
    diffusion_lab::backend::on_cpu_threads(run)
}

fn run() {
    let threads = std::thread::available_parallelism().map_or(0, |n| n.get());
    let backend = Backend::from_env().unwrap();
    println!("machine: {threads} threads; {}", backend.describe());
    let device = backend.device;
    let ad = device.clone().autodiff();
    let rate_schedule = RateSchedule {
        peak: 1e-3,
        warmup_steps: 1,
        total_steps: None,
    };
    let b = 32;
    let ae_config = AutoencoderConfig::new();
    let ae = ae_config.init(&device);
    println!(
        "autoencoder: encoder {} + decoder {} parameters",
        ae.encoder.num_params(),
        ae.decoder.num_params()
    );
    let x = Tensor::<4>::random([b, 1, 32, 32], burn::tensor::Distribution::Default, &device);
    let z = ae.encoder.forward(x.clone());
    rate("encode (forward)", b, 5, || {
        ae.encoder.forward(x.clone()).into_data();
    });
    rate("decode (forward)", b, 5, || {
        ae.decoder.forward(z.clone()).into_data();
    });
    let mut trainer = SupervisedTrainer::new(ae_config.init(&ad), rate_schedule, 0);
    let xa = Tensor::<4>::random([b, 1, 32, 32], burn::tensor::Distribution::Default, &ad);
    rate("autoencoder training step, batch 32", b, 5, || {
        trainer.step(|m| m.loss(xa.clone(), 1e-4).0).into_data();
    });

    let unet_config = LatentUnetConfig::new().with_vocabulary(vec!["a".into(), "b".into()]);
    let unet = NetConfig::init(&unet_config, &device);
    println!("latent U-Net: {} parameters", unet.num_params());
    for b in [128, 256] {
        let z = Tensor::<4>::random([b, 4, 8, 8], burn::tensor::Distribution::Default, &device);
        let t = Tensor::<1>::full([b], 0.5, &device);
        let labels = Tensor::<1, Int>::full([b], 1, &device);
        rate(&format!("denoiser evaluation, batch {b}"), b, 5, || {
            unet.denoise(z.clone(), t.clone(), Some(labels.clone()))
                .into_data();
        });
        let mut trainer =
            SupervisedTrainer::new(NetConfig::init(&unet_config, &ad), rate_schedule, 0);
        let za = Tensor::<4>::random([b, 4, 8, 8], burn::tensor::Distribution::Default, &ad);
        let ta = Tensor::<1>::full([b], 0.5, &ad);
        let la = Tensor::<1, Int>::full([b], 1, &ad);
        rate(&format!("denoiser training step, batch {b}"), b, 3, || {
            trainer
                .step(|m| {
                    (m.denoise(za.clone(), ta.clone(), Some(la.clone())) - za.clone())
                        .square()
                        .mean()
                })
                .into_data();
        });
    }

    let judge_config = JudgeConfig::new();
    let mut trainer = SupervisedTrainer::new(judge_config.init(&ad), rate_schedule, 0);
    let images = Tensor::<4>::random([64, 1, 28, 28], burn::tensor::Distribution::Default, &ad);
    let labels = Tensor::<1, Int>::full([64], 3, &ad);
    rate("judge training step, batch 64", 64, 3, || {
        trainer
            .step(|m| m.loss(images.clone(), labels.clone()))
            .into_data();
    });

    // Words to images with the shipped models: 64 sneakers, decoded and read back.
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/models");
    let load = |name: &str| -> Result<ImageGenerator, String> {
        let read = |f: &str| std::fs::read(models.join(f)).map_err(|e| format!("{f}: {e}"));
        let (ae, ae_card) =
            checkpoint::from_bytes::<AutoencoderCard>(&read("autoencoder.dlab")?, &device)?;
        let (unet, card) = checkpoint::from_bytes::<LatentDenoiserCard>(&read(name)?, &device)?;
        ImageGenerator::new(ae, ae_card, unet, card)
    };
    let mut seconds = Vec::new();
    for (name, file, sampler, steps) in [
        (
            "teacher, DPM-Solver++, 20 steps",
            "denoiser.dlab",
            SamplerKind::DpmPp2m,
            20,
        ),
        ("student, 4 steps", "student-4.dlab", STUDENT_SAMPLER, 4),
        ("student, 2 steps", "student-2.dlab", STUDENT_SAMPLER, 2),
        ("student, 1 step", "student-1.dlab", STUDENT_SAMPLER, 1),
    ] {
        let generator = match load(file) {
            Ok(generator) => generator,
            Err(e) => {
                println!("no {name}: {e}");
                continue;
            }
        };
        for n in [16, 64] {
            let request = ImageRequest {
                word: "sneaker".into(),
                n,
                sampler,
                steps,
                guidance: 3.0,
                seed: 0,
            };
            let draw = || {
                generator.generate(&request, &device).unwrap().into_data();
            };
            let start = Instant::now();
            draw();
            let first = start.elapsed().as_secs_f64();
            let per_second = rate(&format!("{n} images, {name}"), n, 3, draw);
            println!("  (the first call: {first:.3} s)");
            if n == 64 {
                seconds.push((name, n as f64 / per_second));
            }
        }
    }
    if let Some(&(_, teacher)) = seconds.first() {
        for &(name, s) in &seconds[1..] {
            println!(
                "64 images, {name}: {s:.3} s, {:.1}x faster than the teacher's {teacher:.3} s",
                teacher / s
            );
        }
    }
}
