//! `train-images --stage distill`: students of the latent denoiser that sample in a few steps,
//! with the guidance distilled in.
//!
//! Phase 0 (Meng et al. 2023, stage one): the teacher with a guidance input added (see
//! [`LatentUnet::with_guidance_input`]: it starts as the teacher's unconditional model at
//! w = 0 and its conditional one at w = 1) learns the guided teacher on its 32-step grid,
//! guidance scales drawn from [`GUIDANCE`]: one pass instead of two. Phases 1 to 5 (progressive
//! distillation, Salimans & Ho 2022): each student halves its teacher's steps, 32 → 16 → 8 →
//! 4 → 2 → 1, guided the same way. The 4-, 2- and 1-step students are written next to `--out`
//! (`student.dlab` gives `student-4.dlab`, ...), in half precision.
//!
//! State, saved every few minutes: `OUT.resume` holds the phase's student so far (full
//! precision; its card's `steps` are the phase's steps done), `OUT.teacher.resume` the phase's
//! teacher (the previous phase's student); `--resume` goes on from them.

use super::train::{SAVE_EVERY, TrainImagesArgs, training_latents};
use super::{load, resume_path, shipped, write_file};
use crate::progress::Progress;
use burn::tensor::{Device, Int, Tensor};
use diffusion_lab::checkpoint::{self, Precision};
use diffusion_lab::diffusion::schedule::NoiseSchedule;
use diffusion_lab::distill::{Round, RoundConfig, StudentSteps, Words};
use diffusion_lab::images::card::{AutoencoderCard, LatentDenoiserCard};
use diffusion_lab::images::unet::LatentUnet;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The first teacher's steps (DDIM), which phase 0 matches and phase 1 halves.
pub const TEACHER_STEPS: usize = 32;
/// The guidance scales the students learn (Meng et al.'s [0, 4] in their w + 1 convention).
pub const GUIDANCE: [f64; 2] = [1.0, 5.0];
/// The students written out, by steps.
pub const WRITTEN: [usize; 3] = [4, 2, 1];
/// Optimiser steps per phase, examples per step and peak learning rate unless asked otherwise.
const PHASE_STEPS: usize = 1000;
const BATCH: usize = 64;
const LEARNING_RATE: f64 = 3e-4;

/// Phases in all: guidance, then one per halving from [`TEACHER_STEPS`] to 1.
fn phases() -> usize {
    1 + TEACHER_STEPS.ilog2() as usize
}

/// The steps the student of `phase` samples in.
fn phase_steps(phase: usize) -> usize {
    TEACHER_STEPS >> phase
}

/// Where the `steps`-step student goes: `out` with `-steps` before its extension.
pub fn student_path(out: &Path, steps: usize) -> PathBuf {
    let stem = out
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into());
    let ext = out
        .extension()
        .map_or_else(String::new, |e| format!(".{}", e.to_string_lossy()));
    out.with_file_name(format!("{stem}-{steps}{ext}"))
}

fn teacher_resume_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".teacher.resume");
    PathBuf::from(name)
}

pub fn distill_images(args: TrainImagesArgs, device: &Device) -> Result<(), String> {
    let per_phase = args.steps.unwrap_or(PHASE_STEPS);
    let batch = args.batch.unwrap_or(BATCH);
    let device = device.clone();
    let teacher_path = args.teacher.clone().expect("clap requires it");
    let ae_path = args
        .autoencoder
        .clone()
        .unwrap_or_else(|| shipped("autoencoder.dlab"));
    let (ae, ae_card) = load::<AutoencoderCard>(&ae_path, &device)?;
    let (teacher, card) = load::<LatentDenoiserCard>(&teacher_path, &device)?;
    card.check_pair(&ae_card)?;
    if card.student.is_some() || card.guidance.is_some() {
        return Err(format!(
            "{} is already a student: distil the model it came from",
            teacher_path.display()
        ));
    }
    if card.model.words.is_none() {
        return Err("the teacher knows no words: distil a model of words".into());
    }
    // The latents are cached next to the teacher (where its own training cached them).
    let (data, labels) = training_latents(&args, &ae, &ae_card, &teacher_path, &device)?;
    let labels = Tensor::<1, Int>::from_ints(labels.as_slice(), &device);
    let words = Words {
        labels,
        guidance: GUIDANCE[0]..=GUIDANCE[1],
    };
    let schedule = NoiseSchedule::new(card.train.schedule.schedule(), card.train.timesteps)?;
    let base = StudentSteps {
        steps: 1,
        teacher_steps: TEACHER_STEPS,
    }
    .teacher_plan(&schedule)?;
    let config = RoundConfig {
        learning_rate: LEARNING_RATE,
        batch_size: batch,
        steps: per_phase,
    };
    config.validate()?;
    let guided_config = card.model.clone().with_guidance_input();
    let card_of = |phase: usize, steps_done: usize| LatentDenoiserCard {
        model: guided_config.clone(),
        steps: steps_done,
        student: (phase > 0).then_some(StudentSteps {
            steps: phase_steps(phase),
            teacher_steps: TEACHER_STEPS,
        }),
        guidance: Some(GUIDANCE),
        data: format!("{}; distilled from {}", card.data, teacher_path.display()),
        ..card.clone()
    };

    // Where to start: a fresh phase 0, or the saved phase and its teacher.
    let (mut phase, mut done, mut student, mut phase_teacher) = if args.resume {
        let (student, saved) = load::<LatentDenoiserCard>(&resume_path(&args.out), &device)?;
        let phase = saved
            .student
            .map_or(0, |s| (TEACHER_STEPS / s.steps).ilog2() as usize);
        let phase_teacher = if phase == 0 {
            teacher.clone()
        } else {
            load::<LatentDenoiserCard>(&teacher_resume_path(&args.out), &device)?.0
        };
        println!(
            "resuming phase {phase} ({} steps) at step {} of {per_phase}",
            phase_steps(phase),
            saved.steps
        );
        (phase, saved.steps, student, phase_teacher)
    } else {
        let student = teacher.clone().with_guidance_input(card.model.clone()).0;
        (0, 0, student, teacher.clone())
    };
    println!(
        "distilling {} into students of {} down to 1 step, guidance {} to {} distilled in: \
         {} phases of {per_phase} steps, batch {batch}",
        teacher_path.display(),
        TEACHER_STEPS,
        GUIDANCE[0],
        GUIDANCE[1],
        phases()
    );
    let start = Instant::now();
    while phase < phases() {
        let plan = if phase == 0 {
            base.clone()
        } else {
            diffusion_lab::distill::student_plan(&base, phase as u32 - 1)?
        };
        let prediction = card.train.prediction;
        // Phase 0 matches the guided teacher at its levels; the others halve its steps.
        let make = if phase == 0 {
            Round::matching
        } else {
            Round::halving
        };
        let round = make(
            student,
            phase_teacher,
            prediction,
            plan,
            data.clone(),
            config,
            args.seed + phase as u64,
        );
        let mut round = round?.with_words(words.clone())?.resumed_at(done);
        println!(
            "\nphase {phase}: {} ({} steps)",
            if phase == 0 {
                "guidance into the network"
            } else {
                "halving"
            },
            phase_steps(phase)
        );
        let mut progress = Progress::new(done, per_phase, batch, "latents");
        let mut last_save = Instant::now();
        while !round.is_done() {
            let loss = round.step();
            progress.step(round.steps_done(), || {
                format!("loss {:.5}", loss.into_scalar::<f32>())
            });
            if last_save.elapsed() > SAVE_EVERY {
                let card = card_of(phase, round.steps_done());
                write_file(
                    &resume_path(&args.out),
                    &checkpoint::to_bytes(&round.student(), &card)?,
                )?;
                last_save = Instant::now();
            }
        }
        progress.finish();
        let finished: LatentUnet = round.student();
        let card = card_of(phase, per_phase);
        // The finished student teaches the next phase (saved first, then the phase moves on).
        write_file(
            &teacher_resume_path(&args.out),
            &checkpoint::to_bytes(&finished, &card)?,
        )?;
        if WRITTEN.contains(&phase_steps(phase)) && phase > 0 {
            let path = student_path(&args.out, phase_steps(phase));
            write_file(
                &path,
                &checkpoint::to_bytes_as(&finished, &card, Precision::Half)?,
            )?;
            println!(
                "wrote the {}-step student to {}",
                phase_steps(phase),
                path.display()
            );
        }
        // The state moves on to the next phase (or stays at the end of the last, where a
        // resumed run finds nothing left to do).
        let next = (phase + 1).min(phases() - 1);
        let next_done = if next == phase { per_phase } else { 0 };
        write_file(
            &resume_path(&args.out),
            &checkpoint::to_bytes(&finished, &card_of(next, next_done))?,
        )?;
        phase += 1;
        done = 0;
        student = finished.clone();
        phase_teacher = finished;
    }
    println!(
        "distilled in {:.0} s (this run); the students: {}",
        start.elapsed().as_secs_f64(),
        WRITTEN
            .iter()
            .map(|&s| student_path(&args.out, s).display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}
