//! `train-judge`: the classifier that judges generated images, trained on real images only.

use super::{random_indices, training_images, write_file};
use crate::progress::Progress;
use burn::module::Module;
use burn::tensor::{Device, Int, Tensor, TensorData};
use clap::Args;
use diffusion_lab::checkpoint::{self, Precision};
use diffusion_lab::images::card::JudgeCard;
use diffusion_lab::images::fashion::{self, Split};
use diffusion_lab::images::judge::{JudgeConfig, image_tensor, per_class_accuracy};
use diffusion_lab::train::{RateSchedule, SupervisedTrainer};
use std::path::PathBuf;

#[derive(Args)]
pub struct TrainJudgeArgs {
    /// The directory with Fashion-MNIST's IDX files.
    #[arg(long, value_name = "DIR", default_value = fashion::DEFAULT_DIR)]
    data: PathBuf,
    /// Optimiser steps.
    #[arg(long, default_value_t = 1200)]
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

pub fn train_judge(args: TrainJudgeArgs, device: &Device) -> Result<(), String> {
    let data = training_images(&args.data, args.limit)?;
    let test = fashion::load(&args.data, Split::Test)?;
    let device = device.clone();
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
