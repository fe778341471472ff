//! Argument parsing (clap) and the 2D commands (the image commands are in `images`).

use crate::data_args::{DataArgs, load_data};
use crate::{distill, images, points_csv};
use burn::tensor::Device;
use clap::{Args, Parser, Subcommand};
use diffusion_lab::backend::{Backend, BackendKind};
use diffusion_lab::checkpoint;
use diffusion_lab::diffusion::schedule::{BetaScheduleName, NoiseSchedule};
use diffusion_lab::diffusion::spacing::Spacing;
use diffusion_lab::nn::words::WordEmbeddingConfig;
use diffusion_lab::points::playground::STUDENT;
use diffusion_lab::points::point_set::HELDOUT_POINTS;
use diffusion_lab::points::quality::Quality;
use diffusion_lab::points::word_scores::{Judge, Sampling, score_word};
use diffusion_lab::points::{MlpDenoiserConfig, PointTrainer, PointsCard};
use diffusion_lab::sampler::{Condition, NetworkDenoiser, SamplerKind, generate, plan};
use diffusion_lab::train::TrainConfig;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "diffusion-lab",
    version,
    about = "Train, sample and evaluate 2D and image diffusion models"
)]
struct Cli {
    /// Where to compute: cpu (burn flex) or gpu (burn wgpu: Vulkan, Metal or DX12; needs a
    /// build with `--features gpu`).
    #[arg(long, global = true, default_value = "cpu", value_name = "cpu|gpu")]
    device: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a denoiser on a 2D dataset and save it.
    #[command(name = "train-2d")]
    Train2d(TrainArgs),
    /// Distil a model written by train-2d into a student that samples in a few steps.
    #[command(name = "distill-2d")]
    Distill2d(distill::DistillArgs),
    /// Draw samples from a saved model (or student) into a CSV file.
    #[command(name = "sample-2d")]
    Sample2d(SampleArgs),
    /// Print SWD and MMD of samples against fresh data, with their floors.
    #[command(name = "eval-2d")]
    Eval2d(EvalArgs),
    /// Train the image autoencoder or the latent denoiser on Fashion-MNIST.
    #[command(name = "train-images")]
    TrainImages(images::TrainImagesArgs),
    /// Train the classifier that judges generated images (on real images only).
    #[command(name = "train-judge")]
    TrainJudge(images::TrainJudgeArgs),
    /// Draw images of a word into a PNG grid (and a .npy array).
    #[command(name = "sample-images")]
    SampleImages(images::SampleImagesArgs),
    /// Judge generated images word by word: accuracy and Fréchet distance, with their floors.
    #[command(name = "eval-images")]
    EvalImages(images::EvalImagesArgs),
}

#[derive(Args)]
struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Optimiser steps.
    #[arg(long, default_value_t = 4000)]
    steps: usize,
    /// Seed of the data, the initial weights and the training noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Noise schedule.
    #[arg(long, default_value = "cosine")]
    schedule: String,
    /// With --datasets: the size of each word's trainable vector (2 to 1024).
    #[arg(long, default_value_t = 4)]
    word_dim: usize,
    /// With --datasets: the probability that a point's word is dropped in training.
    #[arg(long, default_value_t = 0.15)]
    label_dropout: f64,
    /// Where to write the model.
    #[arg(long, value_name = "MODEL")]
    out: PathBuf,
}

#[derive(Args)]
struct SampleArgs {
    /// A model written by train-2d.
    #[arg(long, value_name = "MODEL")]
    model: PathBuf,
    /// Number of points.
    #[arg(long)]
    n: usize,
    /// Sampler: ddpm, ddim, euler, heun or dpmpp2m; student (the default) for a student
    /// written by distill-2d, which samples only so.
    #[arg(long)]
    sampler: Option<String>,
    /// Sampling steps (default 50; a student's own).
    #[arg(long)]
    steps: Option<usize>,
    /// DDIM's η (0 deterministic, 1 as stochastic as DDPM).
    #[arg(long, default_value_t = 0.0)]
    eta: f64,
    /// Seed of the starting noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// For a model trained with --datasets: the word to draw.
    #[arg(long)]
    word: Option<String>,
    /// Classifier-free guidance scale with --word: 0 ignores the word, 1 is the conditional
    /// model, more sharpens (up to 10).
    #[arg(long, default_value_t = 3.0, requires = "word")]
    guidance: f64,
    /// Where to write the points (CSV).
    #[arg(long, value_name = "FILE.csv")]
    out: PathBuf,
}

#[derive(Args)]
struct EvalArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The samples to judge (CSV).
    #[arg(long, value_name = "FILE.csv")]
    samples: PathBuf,
    /// With --datasets: judge the samples as drawings of this word (against its own dataset,
    /// and how many look like it rather than like another word).
    #[arg(long, requires = "datasets")]
    word: Option<String>,
}

/// Parses the arguments, runs the command, and reports errors on stderr.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = Backend::native(&cli.device).and_then(|backend| {
        if backend.kind != BackendKind::Cpu {
            eprintln!("{}", backend.describe());
        }
        let device = &backend.device;
        match cli.command {
            Command::Train2d(args) => train(args, device),
            Command::Distill2d(args) => distill::distill(args, device),
            Command::Sample2d(args) => sample(args, device),
            Command::Eval2d(args) => eval(args),
            Command::TrainImages(args) => images::train_images(args, device),
            Command::TrainJudge(args) => images::train_judge(args, device),
            Command::SampleImages(args) => images::sample_images(args, device),
            Command::EvalImages(args) => images::eval_images(args, device),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn train(args: TrainArgs, device: &Device) -> Result<(), String> {
    let data = load_data(&args.data, args.seed)?;
    let config = TrainConfig::new()
        .with_total_steps(Some(args.steps))
        .with_schedule(BetaScheduleName::parse(&args.schedule)?)
        .with_label_dropout(args.label_dropout);
    let grouped = !data.groups.is_empty();
    let model_config = MlpDenoiserConfig::new().with_words(
        grouped.then(|| WordEmbeddingConfig::new(data.words()).with_dim(args.word_dim)),
    );
    let device = device.clone();
    let mut trainer = PointTrainer::new(
        &device,
        data.train_data(),
        grouped.then_some(&data.labels[..]),
        model_config.clone(),
        config.clone(),
        args.seed,
    )?;
    let bar = ProgressBar::new(args.steps as u64).with_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} steps, {per_sec}, {msg} [{elapsed} < {eta}]",
        )
        .expect("a valid template"),
    );
    let start = Instant::now();
    for step in 0..args.steps {
        let loss = trainer.step();
        if step % 100 == 0 || step + 1 == args.steps {
            let loss: f32 = loss.into_scalar();
            bar.set_message(format!("loss {loss:.4}"));
        }
        bar.inc(1);
    }
    bar.finish();
    let seconds = start.elapsed().as_secs_f64();
    let card = PointsCard::new(model_config, config.clone(), data.label.clone(), args.steps)
        .with_frame(data.frame.clone());
    let bytes = checkpoint::to_bytes(trainer.ema_model(), &card)?;
    std::fs::write(&args.out, &bytes)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    println!(
        "trained on {} for {} steps in {seconds:.1} s ({:.0} steps/s); wrote {} ({} bytes)",
        data.label,
        args.steps,
        args.steps as f64 / seconds,
        args.out.display(),
        bytes.len()
    );
    // A first quality reading: DDIM, 50 steps; for words, each word at several scales.
    let plan = plan(trainer.schedule(), Spacing::Trailing, 50)?;
    let judge = Judge {
        network: trainer.ema_model(),
        prediction: config.prediction,
        device: &device,
        sampling: Sampling {
            kind: SamplerKind::Ddim { eta: 0.0 },
            plan: &plan,
            n: HELDOUT_POINTS,
            seed: args.seed,
        },
    };
    print_quality(
        &judge.score_mixture(&data)?,
        if grouped {
            "DDIM, 50 steps, no word, against all words together"
        } else {
            "DDIM, 50 steps"
        },
    );
    if grouped {
        println!("words (DDIM, 50 steps; accuracy: samples nearest to the word's own data):");
        println!("  word            w   accuracy     SWD   floor  ratio");
        for s in judge.score_words(&data, &[0.0, 1.0, 3.0, 5.0])? {
            println!(
                "  {:<12} {:>4} {:>9.1}%  {:.4}  {:.4}  {:>5.2}",
                s.word,
                s.guidance,
                100.0 * s.accuracy,
                s.quality.swd,
                s.quality.floor_swd,
                s.quality.swd_ratio()
            );
        }
    }
    Ok(())
}

fn sample(args: SampleArgs, device: &Device) -> Result<(), String> {
    if args.n == 0 || args.n > 10_000_000 {
        return Err(format!(
            "--n must be between 1 and 10000000, not {}",
            args.n
        ));
    }
    // A sampler named by mistake is said before the model is read.
    let chosen = match args.sampler.as_deref() {
        None | Some(STUDENT) => None,
        Some(name) => Some(SamplerKind::parse(name, args.eta)?),
    };
    let bytes = std::fs::read(&args.model)
        .map_err(|e| format!("cannot read {}: {e}", args.model.display()))?;
    let device = device.clone();
    let (network, card) = checkpoint::from_bytes::<PointsCard>(&bytes, &device)
        .map_err(|e| format!("{}: {e}", args.model.display()))?;
    let schedule = NoiseSchedule::new(card.train.schedule.schedule(), card.train.timesteps)?;
    let sampler = args.sampler.as_deref().unwrap_or(match card.student {
        Some(_) => STUDENT,
        None => "ddim",
    });
    let (kind, plan) = match (sampler, card.student) {
        (STUDENT, Some(student)) => {
            if args.steps.is_some_and(|s| s != student.steps) {
                return Err(format!(
                    "this student samples in {} steps only: leave out --steps",
                    student.steps
                ));
            }
            (SamplerKind::Ddim { eta: 0.0 }, student.plan(&schedule)?)
        }
        (STUDENT, None) => {
            return Err(format!(
                "{} is not a student: distil it with distill-2d first, or choose another sampler",
                args.model.display()
            ));
        }
        (_, Some(student)) => {
            return Err(format!(
                "{} is a student: it samples only with --sampler student, in {} steps",
                args.model.display(),
                student.steps
            ));
        }
        (_, None) => (
            chosen.map_or_else(|| SamplerKind::parse("ddim", args.eta), Ok)?,
            plan(&schedule, Spacing::Trailing, args.steps.unwrap_or(50))?,
        ),
    };
    let steps = plan.len() - 1;
    let condition = args
        .word
        .as_deref()
        .map(|word| Condition::for_word(card.model.words.as_ref(), word, args.guidance))
        .transpose()
        .map_err(|e| format!("{e} (train with --datasets to draw by word)"))?;
    let denoiser = NetworkDenoiser::new(&network, card.train.prediction).guided(condition);
    let start = Instant::now();
    let points = generate(kind, &denoiser, &plan, [args.n, 2], args.seed, &device)
        .into_data()
        .try_into_vec::<f32>()
        .map_err(|e| format!("{e:?}"))?;
    // Back in the coordinates of the data the model was trained on.
    let points = card.frame.to_user(&points);
    points_csv::write(&args.out, &points)?;
    let what = match &args.word {
        Some(word) => format!("{word:?} (guidance {})", args.guidance),
        None => "points".into(),
    };
    println!(
        "{} {what} from {} with {} in {} steps ({:.2} s); wrote {}",
        args.n,
        card.data,
        sampler,
        steps,
        start.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(())
}

fn eval(args: EvalArgs) -> Result<(), String> {
    let data = load_data(&args.data, 0)?;
    // Samples come in the data's own coordinates; the judge works in the standardised ones.
    let samples = data.frame.to_standard(&points_csv::read(&args.samples)?);
    if let Some(word) = &args.word {
        let (quality, accuracy) = score_word(&data, word, &samples)?;
        print_quality(&quality, &format!("dataset {word}"));
        println!(
            "  accuracy {:.1}% (samples nearest to {word}'s points rather than another's)",
            100.0 * accuracy
        );
        return Ok(());
    }
    print_quality(
        &Quality::measure(&samples, &data.heldout, &data.heldout2, 0)?,
        &data.label,
    );
    Ok(())
}

pub fn print_quality(q: &Quality, what: &str) {
    println!("quality ({what}):");
    println!(
        "  SWD  {:.4}   floor {:.4}   ratio {:.2}",
        q.swd,
        q.floor_swd,
        q.swd_ratio()
    );
    println!("  MMD² {:.5}  floor {:.5}", q.mmd, q.floor_mmd);
}
