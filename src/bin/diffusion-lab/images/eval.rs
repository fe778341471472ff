//! `eval-images`: generated images judged word by word, next to the real data's ceiling and floor.

use super::distill::student_path;
use super::{SHIPPED_STUDENTS, STUDENT, generator, image_sampler, load, shipped};
use burn::tensor::Device;
use clap::Args;
use diffusion_lab::images::card::JudgeCard;
use diffusion_lab::images::fashion::{self, Split};
use diffusion_lab::images::generate::ImageRequest;
use std::path::PathBuf;
use std::time::Instant;

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
    /// Samplers to compare, comma-separated; `student` judges the distilled students (see
    /// --students) at each of --steps they sample in.
    #[arg(long, value_delimiter = ',', default_value = "dpmpp2m")]
    samplers: Vec<String>,
    /// The students, as given to `train-images --stage distill --out` (the k-step student is
    /// FILE with -k before its extension; default: the shipped ones).
    #[arg(long, value_name = "FILE")]
    students: Option<PathBuf>,
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

pub fn eval_images(args: EvalImagesArgs, device: &Device) -> Result<(), String> {
    let device = device.clone();
    let teacher = generator(args.model.as_ref(), args.autoencoder.as_ref(), &device)?;
    let students = args
        .students
        .clone()
        .unwrap_or_else(|| shipped(SHIPPED_STUDENTS));
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
        let kind = image_sampler(sampler)?;
        for &steps in &args.steps {
            let student;
            let generator = if sampler == STUDENT {
                let path = student_path(&students, steps);
                if !path.exists() {
                    println!(
                        "\nno {steps}-step student ({} does not exist)",
                        path.display()
                    );
                    continue;
                }
                student = super::generator(Some(&path), args.autoencoder.as_ref(), &device)?;
                &student
            } else {
                &teacher
            };
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
