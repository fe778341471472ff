//! The distillation target on closed forms, and the students' grids.

use super::*;
use crate::diffusion::prediction::Prediction;
use crate::diffusion::schedule::{BetaSchedule, NoiseSchedule};
use crate::diffusion::spacing::Spacing;
use crate::sampler::{NoiseSource, plan};
use burn::tensor::{Device, TensorData};

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
