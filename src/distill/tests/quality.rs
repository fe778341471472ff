//! The distillation issue's quality bars, a run of minutes on the CPU (ignored; run by hand).

use super::*;

/// SWD of `kind` at `plan` with `model`, 2,000 samples against 2,000 fresh points of `dataset`,
/// and its floor.
fn quality_of(
    kind: SamplerKind,
    model: &dyn Denoiser<2>,
    plan: &[Level],
    dataset: Dataset,
) -> Quality {
    let device = Device::flex();
    let samples = generate(kind, model, plan, [2000, 2], 7, &device);
    let samples = values(samples);
    Quality::measure(
        &samples,
        &dataset.sample(2000, 2),
        &dataset.sample(2000, 3),
        0,
    )
    .unwrap()
}

/// The quality bars of the distillation issue, on moons, rings and 8gaussians: a teacher
/// trained with the defaults (4,000 steps), distilled from 64 DDIM steps down to 1; each student
/// beats the teacher with DDIM at its steps, the 4-step student is within 1.25x of the
/// teacher's SWD at 64 DDIM steps and the 1-step student within 3x. Minutes of CPU, so run by
/// hand:
/// `cargo test --release --lib -- --ignored --nocapture students_keep_the_teachers_quality`.
#[test]
#[ignore = "quality run, minutes: cargo test --release --lib -- --ignored --nocapture students_keep"]
fn students_keep_the_teachers_quality() {
    let env = |name: &str, default: f64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let config = RoundConfig {
        learning_rate: env("DISTILL_LR", 1e-3),
        batch_size: 256,
        steps: env("DISTILL_STEPS", 1000.0) as usize,
    };
    let datasets: Vec<Dataset> = std::env::var("DISTILL_DATA")
        .unwrap_or("moons,rings,8gaussians".into())
        .split(',')
        .map(|d| Dataset::parse(d).unwrap())
        .collect();
    let device = Device::flex();
    for dataset in datasets {
        let data = dataset.sample(20_000, 1);
        let train = TrainConfig::new().with_total_steps(Some(4000));
        let mut trainer = PointTrainer::new(
            &device,
            TensorData::new(data.clone(), [data.len() / 2, 2]),
            None,
            MlpDenoiserConfig::new(),
            train,
            0,
        )
        .unwrap();
        let start = Instant::now();
        for _ in 0..4000 {
            trainer.step();
        }
        let teacher_seconds = start.elapsed().as_secs_f64();
        let ddim = SamplerKind::Ddim { eta: 0.0 };
        let base = plan(trainer.schedule(), Spacing::Trailing, 64).unwrap();
        // SWD at each grid (64, 32, ..., 1 steps), printed as a line of the table.
        let line = |name: &str, kind, model: &dyn Denoiser<2>, plans: &[Vec<Level>]| {
            let q: Vec<Quality> = plans
                .iter()
                .map(|p| quality_of(kind, model, p, dataset))
                .collect();
            let cells: Vec<String> = q
                .iter()
                .zip(plans)
                .map(|(q, p)| format!("{}:{:.4} ({:.2}x)", p.len() - 1, q.swd, q.swd_ratio()))
                .collect();
            println!("{dataset:?} {name}: {}", cells.join("  "));
            q.iter().map(|q| q.swd).collect::<Vec<f64>>()
        };
        let grids: Vec<Vec<Level>> = (0..=6).map(|r| student_plan(&base, r).unwrap()).collect();
        let ddim_swd = line("teacher DDIM", ddim, &trainer.denoiser(), &grids);
        line(
            "teacher DPM++",
            SamplerKind::DpmPp2m,
            &trainer.denoiser(),
            &grids,
        );
        let data = Tensor::<2>::from_data(TensorData::new(data, [20_000, 2]), &device);
        let teacher = trainer.ema_model().clone();
        let mut d =
            Distillation::new(&teacher, Prediction::V, base.clone(), 6, data, config, 3).unwrap();
        let start = Instant::now();
        while d.step().is_some() {}
        let seconds = start.elapsed().as_secs_f64();
        let plans: Vec<Vec<Level>> = d.students().map(|(_, plan)| plan).collect();
        let student_swd: Vec<f64> = d
            .students()
            .map(|(student, plan)| {
                line(
                    "student",
                    ddim,
                    &NetworkDenoiser::new(student, Prediction::V),
                    &[plan],
                )[0]
            })
            .collect();
        // Round r's student against the teacher with DDIM at its steps (grid r), and the 4-
        // and 1-step students against the teacher at 64 DDIM steps.
        for (r, (&s, plan)) in student_swd.iter().zip(&plans).enumerate() {
            let steps = plan.len() - 1;
            assert!(
                s < ddim_swd[r + 1],
                "{dataset:?}, {steps} steps: student {s}, DDIM {}",
                ddim_swd[r + 1]
            );
        }
        assert!(
            student_swd[3] <= 1.25 * ddim_swd[0],
            "{dataset:?}: 4 steps {}",
            student_swd[3]
        );
        assert!(
            student_swd[5] <= 3.0 * ddim_swd[0],
            "{dataset:?}: 1 step {}",
            student_swd[5]
        );
        println!(
            "{dataset:?}: teacher 4,000 steps in {teacher_seconds:.0} s; 6 rounds of {} steps in \
             {seconds:.0} s",
            config.steps
        );
    }
}
