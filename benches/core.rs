//! Native speed of the diffusion core, printed with the machine and device it ran on: training
//! steps per second at batch 256, 1,024 and 4,096 (and 16,384 at width 256 on a GPU), sampling
//! 10,000 points with 50 DDIM steps, distillation steps per second at batch 256, and a 1-step
//! student's sampling of 10,000 points against its teacher's at 64 DDIM steps. Run: `cargo
//! bench --bench core` (the CPU, burn `flex`), or `DIFFUSION_LAB_DEVICE=gpu cargo bench
//! --features gpu --bench core` (burn wgpu); `benches/peers/points_torch.py` is the same
//! training in PyTorch. A benchmark, not a test: read the numbers as ratios within one run, the
//! machines here are noisy.
//!
//! `DIFFUSION_LAB_TRAIN=BATCH` or `BATCH/WIDTH` runs that one training shape alone, for a
//! profiler: `CUBECL_DEBUG_OPTION=profile CUBECL_DEBUG_LOG=FILE` makes burn's GPU runtime write
//! every kernel's time to FILE (`scripts/kernel-times.py` sums them by kernel).

/// The command line's allocator, so the numbers are what it runs at (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use burn::tensor::Tensor;
use burn::tensor::TensorData;
use diffusion_lab::backend::{Backend, BackendKind};
use diffusion_lab::diffusion::prediction::Prediction;
use diffusion_lab::diffusion::spacing::Spacing;
use diffusion_lab::distill::{Distillation, RoundConfig, StudentSteps};
use diffusion_lab::points::data::Dataset;
use diffusion_lab::points::{MlpDenoiserConfig, PointTrainer};
use diffusion_lab::sampler::{NetworkDenoiser, SamplerKind, generate, plan};
use diffusion_lab::train::TrainConfig;
use std::time::Instant;

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let threads = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {threads} threads")
}

/// Prints the training speed of `trainer` (after 20 steps of warm-up: kernels compiled), over
/// 300 steps (60 from batch 16,384 up).
fn train_rate(trainer: &mut PointTrainer, batch_size: usize) {
    let steps = if batch_size >= 16_384 { 60 } else { 300 };
    let start = Instant::now();
    for _ in 0..20 {
        trainer.step();
    }
    let _: f32 = trainer.step().into_scalar(); // wait for the work
    let warm_up = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut last = None;
    for _ in 0..steps {
        last = Some(trainer.step());
    }
    let _: f32 = last.unwrap().into_scalar();
    let s = start.elapsed().as_secs_f64();
    println!(
        "training, batch {batch_size}: {:.1} steps/s ({steps} steps in {s:.2} s; the first 21 in {warm_up:.2} s)",
        steps as f64 / s
    );
}

fn main() {
    // On a thread of the CPU's thread pool, as the command line runs (see `on_cpu_threads`).
    diffusion_lab::backend::on_cpu_threads(run)
}

fn run() {
    let backend = Backend::from_env().unwrap();
    println!("machine: {}; {}", machine(), backend.describe());
    let device = backend.device.clone();
    let data = Dataset::Moons.sample(20_000, 1);
    let trainer = |batch_size, config| {
        PointTrainer::new(
            &device,
            TensorData::new(data.clone(), [20_000, 2]),
            None,
            config,
            TrainConfig {
                batch_size,
                ..TrainConfig::new()
            },
            0,
        )
        .unwrap()
    };
    if let Ok(shape) = std::env::var("DIFFUSION_LAB_TRAIN") {
        let (batch, width) = shape.split_once('/').unwrap_or((&shape, "128"));
        let (batch_size, width): (usize, usize) = (batch.parse().unwrap(), width.parse().unwrap());
        let config = MlpDenoiserConfig::new().with_width(width);
        println!("width {width}:");
        train_rate(&mut trainer(batch_size, config), batch_size);
        return;
    }
    let mut kept = None;
    for batch_size in [256, 1024, 4096] {
        let mut trainer = trainer(batch_size, MlpDenoiserConfig::new());
        train_rate(&mut trainer, batch_size);
        if batch_size == 1024 {
            kept = Some(trainer); // sampled and distilled below
        }
    }
    if backend.kind != BackendKind::Cpu {
        // A large batch of a wider network: where a GPU should pull ahead.
        let config = MlpDenoiserConfig::new().with_width(256);
        println!("width 256:");
        train_rate(&mut trainer(16_384, config), 16_384);
    }
    let trainer = kept.unwrap();

    let plan = plan(trainer.schedule(), Spacing::Trailing, 50).unwrap();
    for (name, kind) in [
        ("DDIM", SamplerKind::Ddim { eta: 0.0 }),
        ("DPM-Solver++(2M)", SamplerKind::DpmPp2m),
    ] {
        let start = Instant::now();
        let x = generate(kind, &trainer.denoiser(), &plan, [10_000, 2], 0, &device);
        let _: Vec<f32> = x.into_data().try_into_vec().unwrap();
        println!(
            "sampling 10,000 points, {name}, 50 steps: {:.2} s",
            start.elapsed().as_secs_f64()
        );
    }

    // Distillation from 64 steps down to 1: six rounds of 20 steps (as fast as longer ones;
    // the student is untrained, which changes nothing to its speed).
    let student_steps = StudentSteps {
        steps: 1,
        teacher_steps: 64,
    };
    let rounds = student_steps.rounds().unwrap();
    let config = RoundConfig {
        learning_rate: 1e-3,
        batch_size: 256,
        steps: 20,
    };
    let data = Tensor::<2>::from_data(
        TensorData::new(Dataset::Moons.sample(20_000, 1), [20_000, 2]),
        &device,
    );
    let mut distillation = Distillation::new(
        trainer.ema_model(),
        Prediction::V,
        student_steps.teacher_plan(trainer.schedule()).unwrap(),
        rounds,
        data,
        config,
        0,
    )
    .unwrap();
    let start = Instant::now();
    let mut steps = 0;
    while let Some(loss) = distillation.step() {
        let _: f32 = loss.into_scalar();
        steps += 1;
    }
    let s = start.elapsed().as_secs_f64();
    println!(
        "distillation, batch 256: {:.1} steps/s ({steps} steps, {rounds} rounds, in {s:.2} s)",
        steps as f64 / s
    );
    let (student, student_plan) = distillation.students().last().unwrap();
    let teacher_plan = student_steps.teacher_plan(trainer.schedule()).unwrap();
    let student = NetworkDenoiser::new(student, Prediction::V);
    let mut seconds = Vec::new();
    for (name, denoiser, plan) in [
        ("the 1-step student", &student, &student_plan),
        (
            "its teacher, DDIM at 64 steps",
            &trainer.denoiser(),
            &teacher_plan,
        ),
    ] {
        let start = Instant::now();
        let x = generate(
            SamplerKind::Ddim { eta: 0.0 },
            denoiser,
            plan,
            [10_000, 2],
            0,
            &device,
        );
        let _: Vec<f32> = x.into_data().try_into_vec().unwrap();
        seconds.push(start.elapsed().as_secs_f64());
        println!(
            "sampling 10,000 points, {name}: {:.3} s",
            seconds.last().unwrap()
        );
    }
    println!("the student samples {:.0}x faster", seconds[1] / seconds[0]);
}
