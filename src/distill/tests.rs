//! The distillation target on closed forms, and the students' grids.

use super::*;
use crate::diffusion::prediction::Prediction;
use crate::diffusion::schedule::{BetaSchedule, NoiseSchedule};
use crate::diffusion::spacing::Spacing;
use crate::points::data::Dataset;
use crate::points::quality::Quality;
use crate::points::{MlpDenoiserConfig, PointTrainer};
use crate::sampler::exact::{Component, ExactDenoiser, GaussianMixture};
use crate::sampler::{Ddim, NetworkDenoiser, NoiseSource, Sampler, plan};
use crate::sampler::{SamplerKind, generate};
use crate::train::TrainConfig;
use burn::tensor::{Device, TensorData};
use std::time::Instant;

/// The base grid of the tests: the cosine schedule (T = 1000), trailing spacing.
fn base(steps: usize) -> Vec<Level> {
    let schedule = NoiseSchedule::new(BetaSchedule::Cosine, 1000).unwrap();
    plan(&schedule, Spacing::Trailing, steps).unwrap()
}

fn values(x: Tensor<2>) -> Vec<f32> {
    x.into_data().try_into_vec::<f32>().unwrap()
}

/// The exact denoiser of data that is one point `mu`: x̂₀ = mu whatever x, so ε̂ = (x - α mu)/σ.
struct PointMass {
    mu: [f32; 2],
}

impl Denoiser<2> for PointMass {
    fn prediction(&self) -> Prediction {
        Prediction::Epsilon
    }

    fn predict(&self, x: Tensor<2>, level: Level) -> Tensor<2> {
        let [n, _] = x.dims();
        let mu = Tensor::<2>::from_data(TensorData::new(self.mu.repeat(n), [n, 2]), &x.device());
        (x - mu.mul_scalar(level.alpha())).div_scalar(level.sigma())
    }
}

#[test]
fn the_target_is_the_estimate_whose_step_lands_there() {
    let device = Device::default();
    let mut noise = NoiseSource::new(7, &device);
    let levels = base(8);
    for pair in levels.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        let x = noise.normal::<2>([64, 2]).mul_scalar(2.0);
        let x0 = noise.normal::<2>([64, 2]);
        let landed = first_order_step(x.clone(), x0.clone(), from, to);
        let target = first_order_target(x, landed, from, to);
        for (a, b) in values(target).iter().zip(values(x0)) {
            assert!(
                (a - b).abs() < 2e-4 * (1.0 + b.abs()),
                "t {} → {}: {a} vs {b}",
                from.t,
                to.t
            );
        }
    }
}

#[test]
fn a_point_mass_teacher_teaches_its_point() {
    // Two DDIM steps of the exact denoiser of a point stay on its exact ODE path, so the one
    // step that lands where they land uses the point itself as its estimate.
    let device = Device::default();
    let teacher = PointMass { mu: [1.5, -0.5] };
    let x = NoiseSource::new(3, &device).normal::<2>([32, 2]);
    let levels = base(8);
    for triple in levels.windows(3).step_by(2) {
        let target = two_step_target(&teacher, x.clone(), [triple[0], triple[1], triple[2]]);
        for p in values(target).chunks_exact(2) {
            assert!(
                (p[0] - 1.5).abs() < 1e-3 && (p[1] + 0.5).abs() < 1e-3,
                "{p:?} at t {}",
                triple[0].t
            );
        }
    }
}

#[test]
fn a_student_samples_every_other_level_of_its_teacher() {
    let levels = base(8);
    let one = student_plan(&levels, 1).unwrap();
    assert_eq!(one.len(), 5);
    assert_eq!(one, [levels[0], levels[2], levels[4], levels[6], levels[8]]);
    assert_eq!(student_plan(&levels, 3).unwrap(), [levels[0], levels[8]]);
    assert_eq!(student_plan(&levels, 0).unwrap(), levels);
    let error = student_plan(&levels, 4).unwrap_err();
    assert!(error.contains("multiple of 2^4"), "{error}");
    assert!(student_plan(&levels, 200).is_err());
}

/// Four well-separated blobs: a mixture whose exact denoiser is the teacher.
fn blobs() -> GaussianMixture {
    let corner = |x: f64, y: f64| Component {
        weight: 1.0,
        mean: [x, y],
        std: 0.25,
    };
    GaussianMixture {
        components: vec![
            corner(-1.0, -1.0),
            corner(-1.0, 1.0),
            corner(1.0, -1.0),
            corner(1.0, 1.0),
        ],
    }
}

/// Root-mean-square distance between two batches of points.
fn rms(a: Tensor<2>, b: Tensor<2>) -> f64 {
    let d = values(a - b);
    (d.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / (d.len() / 2) as f64).sqrt()
}

#[test]
fn one_round_on_the_exact_teacher_takes_its_two_steps_in_one() {
    // The teacher: the closed-form denoiser of the blobs, sampled with two DDIM steps
    // (t = 1 → 0.5 → 0). The student, a fresh MLP, learns to land there in one. What it
    // cannot match is its own fitting error, 0.0075 here (rms, 1,500 steps): the bar, 0.03, is
    // four times that, a sixtieth of the distance between two blobs' centres, and a twentieth
    // of what one teacher step misses by (0.88: it lands every point near the mean).
    let device = Device::default();
    let mixture = blobs();
    let levels = base(2);
    let data = Tensor::<2>::from_data(TensorData::new(mixture.sample(4000, 1), [4000, 2]), &device);
    let teacher = || ExactDenoiser {
        mixture: mixture.clone(),
        prediction: Prediction::V,
    };
    let student = MlpDenoiserConfig::new().with_width(64).init(&device);
    let config = RoundConfig {
        learning_rate: 3e-3,
        batch_size: 256,
        steps: 1500,
    };
    let mut round = Round::new(
        student,
        Prediction::V,
        Box::new(teacher()),
        levels.clone(),
        data,
        config,
        5,
    )
    .unwrap();
    while !round.is_done() {
        round.step();
    }
    assert_eq!(round.student_plan(), [levels[0], levels[2]]);

    let z = NoiseSource::new(11, &device).normal::<2>([2000, 2]);
    let two_steps = sample(&mut Ddim { eta: 0.0 }, &teacher(), &levels, z.clone());
    let one_step = sample(
        &mut Ddim { eta: 0.0 },
        &teacher(),
        &round.student_plan(),
        z.clone(),
    );
    let student = round.student();
    let distilled = sample(
        &mut Ddim { eta: 0.0 },
        &NetworkDenoiser::new(&student, Prediction::V),
        &round.student_plan(),
        z,
    );
    let (miss, missed_by_one) = (rms(distilled, two_steps.clone()), rms(one_step, two_steps));
    println!(
        "student one step vs teacher two: rms {miss:.4}; teacher one step: {missed_by_one:.4}"
    );
    assert!(
        miss < 0.03 && miss < missed_by_one / 20.0,
        "{miss} vs {missed_by_one}"
    );
}

/// Runs `sampler` down `plan` from `x`.
fn sample(
    sampler: &mut dyn Sampler<2>,
    model: &dyn Denoiser<2>,
    plan: &[Level],
    x: Tensor<2>,
) -> Tensor<2> {
    let mut noise = NoiseSource::new(0, &x.device());
    crate::sampler::sample(sampler, model, plan, x, &mut noise, |_| {})
}

#[test]
fn rounds_hand_each_student_to_the_next() {
    let device = Device::default();
    let teacher = MlpDenoiserConfig::new().with_width(16).init(&device);
    let data = Tensor::<2>::from_data(TensorData::new(blobs().sample(100, 2), [100, 2]), &device);
    let config = RoundConfig {
        learning_rate: 1e-3,
        batch_size: 64,
        steps: 3,
    };
    let levels = base(4);
    let mut d = Distillation::new(
        &teacher,
        Prediction::V,
        levels.clone(),
        2,
        data.clone(),
        config,
        1,
    )
    .unwrap();
    assert_eq!(d.progress(), (1, 0));
    // A step in parts: three parts of 24, 24 and 16 examples.
    assert!(d.step_part(24).is_none() && d.step_part(24).is_none());
    assert!(d.step_part(24).is_some());
    assert_eq!(d.progress(), (1, 1));
    let mut losses = 1;
    while d.step().is_some() {
        losses += 1;
    }
    assert_eq!(losses, 6);
    assert!(d.is_done() && d.step_part(64).is_none());
    assert_eq!(d.progress(), (2, 3));
    let plans: Vec<Vec<Level>> = d.students().map(|(_, plan)| plan).collect();
    assert_eq!(
        plans,
        [
            student_plan(&levels, 1).unwrap(),
            student_plan(&levels, 2).unwrap()
        ]
    );

    // Refused: ε-prediction, more rounds than the steps allow, an odd teacher.
    let refuse = |prediction, levels: Vec<Level>, rounds| {
        Distillation::new(
            &teacher,
            prediction,
            levels,
            rounds,
            data.clone(),
            config,
            1,
        )
        .err()
        .unwrap()
    };
    assert!(refuse(Prediction::Epsilon, base(4), 1).contains("predicts v"));
    assert!(refuse(Prediction::V, base(4), 3).contains("multiple of 2^3"));
    assert!(refuse(Prediction::V, base(4), 0).contains("rounds"));
    let odd = Round::from_teacher(&teacher, Prediction::V, base(3), data, config, 1);
    assert!(odd.err().unwrap().contains("must be even"));
}

/// A distillation step taken in parts is the step in one piece: one student step and one
/// batch drawn when the step begins, each part the next rows of it, the same update however the
/// batch is cut.
#[test]
fn distillation_steps_in_parts_are_whole_steps() {
    let device = Device::default();
    let mixture = blobs();
    let data = Tensor::<2>::from_data(TensorData::new(mixture.sample(500, 1), [500, 2]), &device);
    let student = MlpDenoiserConfig::new().with_width(16).init(&device);
    let config = RoundConfig {
        learning_rate: 3e-3,
        batch_size: 64,
        steps: 10,
    };
    let round = || {
        let teacher = ExactDenoiser {
            mixture: mixture.clone(),
            prediction: Prediction::V,
        };
        let levels = base(8);
        Round::new(
            student.clone(),
            Prediction::V,
            Box::new(teacher),
            levels,
            data.clone(),
            config,
            5,
        )
        .unwrap()
    };
    // One batch of draws for every way of cutting it (tests run at once share the device's
    // random numbers).
    let draws = round().draw(64);
    let probe = Tensor::<2>::from_data(
        TensorData::new(vec![0.3f32, -0.7, 1.1, 0.2], [2, 2]),
        &device,
    );
    let outcome = |cuts: &[usize]| {
        let mut r = round();
        r.draws = Some(draws.clone());
        let mut loss = None;
        for &rows in cuts {
            assert!(loss.is_none(), "the step ended before its last part");
            loss = r.step_part(rows);
        }
        let t = Tensor::<1>::from_data(TensorData::new(vec![0.5f32, 0.1], [2]), &device);
        let out = r.student().denoise(probe.clone(), t, None);
        (
            loss.expect("the last part ends the step")
                .into_scalar::<f32>(),
            values(out),
        )
    };
    let whole_out = crate::train::tests::cuts_agree(outcome);
    let t = Tensor::<1>::from_data(TensorData::new(vec![0.5f32, 0.1], [2]), &device);
    let untouched = values(student.denoise(probe, t, None));
    assert!(
        untouched
            .iter()
            .zip(&whole_out)
            .any(|(a, b)| (a - b).abs() > 1e-4)
    );
}

mod quality;
