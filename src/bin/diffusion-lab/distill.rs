//! `distill-2d`: progressive distillation of a model written by `train-2d`, round after round,
//! down to a student that samples in a few steps; each round's student is measured as it
//! finishes, next to its teacher with DDIM and DPM-Solver++ at the same steps.

use crate::cli::print_quality;
use crate::data_args::{DataArgs, load_data};
use burn::tensor::{Device, Tensor, TensorData};
use clap::Args;
use diffusion_lab::checkpoint;
use diffusion_lab::diffusion::schedule::NoiseSchedule;
use diffusion_lab::distill::{Distillation, RoundConfig, StudentSteps};
use diffusion_lab::points::PointsCard;
use diffusion_lab::points::quality::Quality;
use diffusion_lab::sampler::{Denoiser, Level, NetworkDenoiser, SamplerKind, generate};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args)]
pub struct DistillArgs {
    /// The teacher, written by train-2d.
    #[arg(long, value_name = "MODEL")]
    model: PathBuf,
    /// The data the teacher was trained on (the same dataset or CSV file).
    #[command(flatten)]
    data: DataArgs,
    /// The teacher's sampling steps (DDIM), a power of two up to 64.
    #[arg(long, default_value_t = 64)]
    from: usize,
    /// The student's sampling steps, a power of two below --from.
    #[arg(long, default_value_t = 1)]
    to: usize,
    /// Optimiser steps per round.
    #[arg(long, default_value_t = 1000)]
    steps_per_round: usize,
    /// Adam's peak learning rate.
    #[arg(long, default_value_t = 1e-3)]
    learning_rate: f64,
    /// Seed of the data and of the distillation's noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Where to write the last student.
    #[arg(long, value_name = "STUDENT")]
    out: PathBuf,
}

/// Samples drawn to measure a model, as many as the held-out points.
const MEASURED: usize = 2000;

pub fn distill(args: DistillArgs, device: &Device) -> Result<(), String> {
    let bytes = std::fs::read(&args.model)
        .map_err(|e| format!("cannot read {}: {e}", args.model.display()))?;
    let device = device.clone();
    let (teacher, card) = checkpoint::from_bytes::<PointsCard>(&bytes, &device)
        .map_err(|e| format!("{}: {e}", args.model.display()))?;
    if card.student.is_some() {
        return Err(format!(
            "{} is already a student: distil the model it came from",
            args.model.display()
        ));
    }
    if card.model.words.is_some() {
        return Err(
            "distilling a model of words is not done yet: distil a model of one shape".into(),
        );
    }
    let data = load_data(&args.data, args.seed)?;
    // The points in the teacher's frame (a CSV file's points are standardised on their own).
    let in_teacher_frame = |points: &[f32]| card.frame.to_standard(&data.frame.to_user(points));
    let points = in_teacher_frame(&data.train);
    let (heldout, heldout2) = (
        in_teacher_frame(&data.heldout),
        in_teacher_frame(&data.heldout2),
    );
    let student_steps = StudentSteps {
        steps: args.to,
        teacher_steps: args.from,
    };
    let rounds = student_steps.rounds()?;
    let schedule = NoiseSchedule::new(card.train.schedule.schedule(), card.train.timesteps)?;
    let base = student_steps.teacher_plan(&schedule)?;
    let config = RoundConfig {
        learning_rate: args.learning_rate,
        batch_size: 256,
        steps: args.steps_per_round,
    };
    let n = points.len() / 2;
    let tensor = Tensor::<2>::from_data(TensorData::new(points, [n, 2]), &device);
    let prediction = card.train.prediction;
    let mut distillation = Distillation::new(
        &teacher,
        prediction,
        base.clone(),
        rounds,
        tensor,
        config,
        args.seed,
    )?;

    let measure = |model: &dyn Denoiser<2>, kind, plan: &[Level]| -> Result<Quality, String> {
        let samples = generate(kind, model, plan, [MEASURED, 2], args.seed, &device)
            .into_data()
            .try_into_vec::<f32>()
            .map_err(|e| format!("{e:?}"))?;
        Quality::measure(&samples, &heldout, &heldout2, 0)
    };
    let teacher_denoiser = NetworkDenoiser::new(&teacher, prediction);
    let at_teacher = measure(&teacher_denoiser, SamplerKind::Ddim { eta: 0.0 }, &base)?;
    print_quality(
        &at_teacher,
        &format!("the teacher, DDIM, {} steps", args.from),
    );
    println!(
        "SWD per round (DDIM; the floor, two draws of the data, is {:.4}):",
        at_teacher.floor_swd
    );
    println!("   steps  student  teacher  teacher DPM++  seconds");

    let total = rounds as u64 * args.steps_per_round as u64;
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} steps, {per_sec}, {msg} [{elapsed} < {eta}]",
        )
        .expect("a valid template"),
    );
    let start = Instant::now();
    let mut round_start = Instant::now();
    let mut reported = 0;
    let mut step = 0;
    while let Some(loss) = distillation.step() {
        if step % 100 == 0 {
            let loss: f32 = loss.into_scalar();
            let (round, _) = distillation.progress();
            bar.set_message(format!("round {round} of {rounds}, loss {loss:.4}"));
        }
        step += 1;
        bar.inc(1);
        let finished: Vec<(usize, Vec<Level>)> = distillation
            .students()
            .skip(reported)
            .map(|(_, plan)| (plan.len() - 1, plan))
            .collect();
        for (steps, plan) in finished {
            let (student, _) = distillation.students().nth(reported).expect("just listed");
            let student = measure(
                &NetworkDenoiser::new(student, prediction),
                SamplerKind::Ddim { eta: 0.0 },
                &plan,
            )?;
            let ddim = measure(&teacher_denoiser, SamplerKind::Ddim { eta: 0.0 }, &plan)?;
            let dpm = measure(&teacher_denoiser, SamplerKind::DpmPp2m, &plan)?;
            let line = format!(
                "   {steps:>5}  {:>7.4}  {:>7.4}  {:>13.4}  {:>7.0}",
                student.swd,
                ddim.swd,
                dpm.swd,
                round_start.elapsed().as_secs_f64()
            );
            // (Printed even when the bar is hidden: output that is not a terminal.)
            bar.suspend(|| println!("{line}"));
            round_start = Instant::now();
            reported += 1;
        }
    }
    bar.finish_and_clear();
    let (student, plan) = distillation.students().last().expect("at least one round");
    let student_card = PointsCard {
        student: Some(student_steps),
        ..card
    };
    let bytes = checkpoint::to_bytes(student, &student_card)?;
    std::fs::write(&args.out, &bytes)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    println!(
        "distilled {} rounds of {} steps in {:.1} s; wrote the {}-step student to {} ({} bytes)",
        rounds,
        args.steps_per_round,
        start.elapsed().as_secs_f64(),
        plan.len() - 1,
        args.out.display(),
        bytes.len()
    );
    Ok(())
}
