//! Samplers driven by the exact denoiser of a Gaussian mixture (no training involved): each
//! must reproduce the mixture, and converge to the ODE solution at its order.

use super::*;
use crate::diffusion::schedule::BetaSchedule;
use crate::points::metrics::{SWD_DIRECTIONS, sliced_wasserstein};
use crate::sampler::exact::{Component, ExactDenoiser as Exact, GaussianMixture};
use burn::tensor::Device;

fn mixture() -> GaussianMixture {
    let c = |weight, mean, std| Component { weight, mean, std };
    GaussianMixture {
        components: vec![
            c(0.5, [-1.0, 0.5], 0.15),
            c(0.3, [1.0, 0.8], 0.25),
            c(0.2, [0.2, -1.2], 0.1),
        ],
    }
}

fn all_kinds() -> [SamplerKind; 6] {
    [
        SamplerKind::Ddpm,
        SamplerKind::Ddim { eta: 0.0 },
        SamplerKind::Ddim { eta: 1.0 },
        SamplerKind::Euler,
        SamplerKind::Heun,
        SamplerKind::DpmPp2m,
    ]
}

fn run(
    kind: SamplerKind,
    model: &Exact,
    schedule: &NoiseSchedule,
    steps: usize,
    x: Tensor<2>,
) -> Vec<f32> {
    run_spaced(kind, model, schedule, Spacing::Trailing, steps, x)
}

fn run_spaced(
    kind: SamplerKind,
    model: &Exact,
    schedule: &NoiseSchedule,
    spacing: Spacing,
    steps: usize,
    x: Tensor<2>,
) -> Vec<f32> {
    let plan = plan(schedule, spacing, steps).unwrap();
    let mut noise = NoiseSource::new(11, &x.device());
    let out = sample(
        kind.build::<2>().as_mut(),
        model,
        &plan,
        x,
        &mut noise,
        |_| {},
    );
    out.into_data().try_into_vec::<f32>().unwrap()
}

/// Every sampler, at 100 steps, lands within a small multiple of the floor (the SWD between two
/// fresh draws of the mixture), for ε- and v-prediction alike.
#[test]
fn every_sampler_reproduces_the_mixture() {
    let device = Device::flex();
    let n = 2000;
    let m = mixture();
    let floor = sliced_wasserstein(&m.sample(n, 1), &m.sample(n, 2), SWD_DIRECTIONS, 0).unwrap();
    let schedule = NoiseSchedule::new(BetaSchedule::Cosine, 1000).unwrap();
    let reference = m.sample(n, 3);
    for prediction in [Prediction::Epsilon, Prediction::V] {
        let model = Exact {
            mixture: m.clone(),
            prediction,
        };
        for kind in all_kinds() {
            let x = NoiseSource::new(4, &device).normal([n, 2]);
            let out = run(kind, &model, &schedule, 100, x);
            let swd = sliced_wasserstein(&out, &reference, SWD_DIRECTIONS, 0).unwrap();
            println!("{kind:?} {prediction:?}: SWD {swd:.4}, floor {floor:.4}");
            assert!(
                swd < 2.0 * floor,
                "{kind:?} {prediction:?}: SWD {swd} vs floor {floor}"
            );
        }
    }
}

/// Deterministic samplers converge at their order, measured by self-convergence (Richardson):
/// with x_n the result of n steps from one start, ‖x_n - x_2n‖ / ‖x_2n - x_4n‖ → 2^order. The
/// mixture is wider than the one above so that the asymptotic regime starts within T = 1000
/// steps, and `linspace` spacing makes every run end at the same last timestep (index 0), so the
/// last, first-order step to clean data is the same function of the state for all n.
/// Measured (n = 160, 320, 640): DDIM and Euler 1.12, Heun 1.94, DPM-Solver++(2M) 2.12.
#[test]
fn deterministic_samplers_converge_at_their_order() {
    let device = Device::flex();
    let n = 300;
    let mut wide = mixture();
    for (c, std) in wide.components.iter_mut().zip([0.4, 0.5, 0.3]) {
        c.std = std;
    }
    let model = Exact {
        mixture: wide,
        prediction: Prediction::Epsilon,
    };
    let schedule = NoiseSchedule::new(BetaSchedule::Cosine, 1000).unwrap();
    let start = NoiseSource::new(8, &device).normal::<2>([n, 2]);
    let rms = |a: &[f32], b: &[f32]| {
        let sq: f64 = a.iter().zip(b).map(|(p, q)| ((p - q) as f64).powi(2)).sum();
        (sq / n as f64).sqrt()
    };
    for (kind, lo, hi) in [
        (SamplerKind::Ddim { eta: 0.0 }, 0.8, 1.4),
        (SamplerKind::Euler, 0.8, 1.4),
        (SamplerKind::Heun, 1.7, 2.5),
        (SamplerKind::DpmPp2m, 1.7, 2.5),
    ] {
        let x: Vec<Vec<f32>> = [160, 320, 640]
            .iter()
            .map(|&steps| {
                run_spaced(
                    kind,
                    &model,
                    &schedule,
                    Spacing::Linspace,
                    steps,
                    start.clone(),
                )
            })
            .collect();
        let (e1, e2) = (rms(&x[0], &x[1]), rms(&x[1], &x[2]));
        let order = (e1 / e2).log2();
        println!("{kind:?}: |x160 - x320| {e1:.2e}, |x320 - x640| {e2:.2e}: order {order:.2}");
        assert!(
            (lo..hi).contains(&order),
            "{kind:?}: order {order} ({e1} -> {e2})"
        );
    }
}

/// DDIM with η = 0 and Euler on the ODE are the same update written two ways.
#[test]
fn ddim_zero_is_euler() {
    let device = Device::flex();
    let model = Exact {
        mixture: mixture(),
        prediction: Prediction::V,
    };
    let schedule = NoiseSchedule::new(BetaSchedule::LINEAR, 1000).unwrap();
    let x = NoiseSource::new(1, &device).normal::<2>([64, 2]);
    let a = run(
        SamplerKind::Ddim { eta: 0.0 },
        &model,
        &schedule,
        20,
        x.clone(),
    );
    let b = run(SamplerKind::Euler, &model, &schedule, 20, x);
    for (p, q) in a.iter().zip(&b) {
        assert!((p - q).abs() < 1e-3, "{p} vs {q}");
    }
}

/// Guidance at w = 1 is the conditional model, at w = 0 the unconditional one.
#[test]
fn guidance_interpolates_and_extrapolates() {
    let device = Device::flex();
    let cond = Exact {
        mixture: mixture(),
        prediction: Prediction::Epsilon,
    };
    let mut other = mixture();
    other.components.truncate(1);
    let uncond = Exact {
        mixture: other,
        prediction: Prediction::V,
    };
    let x = NoiseSource::new(2, &device).normal::<2>([16, 2]);
    let level = Level {
        t: 0.5,
        alpha_bar: 0.5,
    };
    let eps_of = |m: &dyn Denoiser<2>| {
        m.estimate(x.clone(), level)
            .1
            .into_data()
            .try_into_vec::<f32>()
            .unwrap()
    };
    let (e_c, e_u) = (eps_of(&cond), eps_of(&uncond));
    for w in [0.0, 1.0, 3.0] {
        let g = eps_of(&Guidance {
            cond: &cond,
            uncond: &uncond,
            scale: w,
        });
        for i in 0..g.len() {
            let want = e_u[i] + w as f32 * (e_c[i] - e_u[i]);
            assert!((g[i] - want).abs() < 1e-4, "w={w}: {} vs {want}", g[i]);
        }
    }
}

#[test]
fn sampler_names_parse_and_bad_ones_are_explained() {
    assert_eq!(
        SamplerKind::parse("ddim", 0.5),
        Ok(SamplerKind::Ddim { eta: 0.5 })
    );
    for name in SamplerKind::NAMES {
        assert!(SamplerKind::parse(name, 0.0).is_ok());
    }
    assert!(
        SamplerKind::parse("lms", 0.0)
            .unwrap_err()
            .contains("dpmpp2m")
    );
    assert!(SamplerKind::parse("ddim", 1.5).unwrap_err().contains("eta"));
}

#[test]
fn plans_end_at_clean_data() {
    let s = NoiseSchedule::new(BetaSchedule::Cosine, 1000).unwrap();
    let p = plan(&s, Spacing::Trailing, 10).unwrap();
    assert_eq!(p.len(), 11);
    assert_eq!(p[0].t, 1.0);
    assert_eq!(p[10], Level::CLEAN);
    assert!(plan(&s, Spacing::Leading, 0).is_err());
}
