//! The image commands as a new user runs them, on a tiny Fashion-MNIST look-alike written by
//! the test (the real dataset is not needed): train each stage, resume, sample a grid and an
//! array, evaluate, and get clear errors.
#![cfg(not(target_family = "wasm"))]

mod common;
use common::{run, text};

use std::io::Write;
use std::path::{Path, PathBuf};

fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(o.status.success(), "{args:?}: {}", text(&o));
    text(&o)
}

/// Writes gzipped IDX files of `n` images (a bright block whose place depends on the class)
/// under `dir` with the prefix `train` or `t10k`.
fn write_split(dir: &Path, prefix: &str, n: usize) {
    let mut images = vec![0u8, 0, 8, 3];
    for d in [n as u32, 28, 28] {
        images.extend_from_slice(&d.to_be_bytes());
    }
    let mut labels = vec![0u8, 0, 8, 1];
    labels.extend_from_slice(&(n as u32).to_be_bytes());
    for i in 0..n {
        let class = i % 10;
        for y in 0..28 {
            for x in 0..28 {
                let inside = (class * 2..class * 2 + 8).contains(&x) && (4..24).contains(&y);
                images.push(if inside { 220 } else { 0 });
            }
        }
        labels.push(class as u8);
    }
    for (kind, bytes) in [("images-idx3", images), ("labels-idx1", labels)] {
        let file = std::fs::File::create(dir.join(format!("{prefix}-{kind}-ubyte.gz"))).unwrap();
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        gz.write_all(&bytes).unwrap();
        gz.finish().unwrap();
    }
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("diffusion-lab-images-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    write_split(&dir, "train", 60);
    write_split(&dir, "t10k", 20);
    dir
}

#[test]
fn train_resume_sample_and_evaluate_images() {
    let dir = scratch();
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let (ae, den, judge) = (p("ae.dlab"), p("den.dlab"), p("judge.dlab"));
    let data = dir.to_str().unwrap();

    let out = ok(&[
        "train-images",
        "--stage",
        "autoencoder",
        "--data",
        data,
        "--steps",
        "4",
        "--batch",
        "8",
        "--out",
        &ae,
    ]);
    assert!(out.contains("test PSNR"), "{out}");
    // Resuming goes on from the saved step.
    let out = ok(&[
        "train-images",
        "--stage",
        "autoencoder",
        "--data",
        data,
        "--steps",
        "6",
        "--batch",
        "8",
        "--resume",
        "--out",
        &ae,
    ]);
    assert!(
        out.contains("resuming") && out.contains("at step 4"),
        "{out}"
    );
    ok(&[
        "train-images",
        "--stage",
        "denoiser",
        "--autoencoder",
        &ae,
        "--data",
        data,
        "--steps",
        "3",
        "--batch",
        "16",
        "--out",
        &den,
    ]);
    let out = ok(&[
        "train-images",
        "--stage",
        "denoiser",
        "--autoencoder",
        &ae,
        "--data",
        data,
        "--steps",
        "5",
        "--batch",
        "16",
        "--resume",
        "--out",
        &den,
    ]);
    assert!(out.contains("at step 3"), "{out}");
    let out = ok(&[
        "train-judge",
        "--data",
        data,
        "--steps",
        "3",
        "--out",
        &judge,
    ]);
    assert!(out.contains("ankle boot"), "{out}");

    let (png, npy) = (p("grid.png"), p("s.npy"));
    ok(&[
        "sample-images",
        "--word",
        "ankle boot",
        "--model",
        &den,
        "--autoencoder",
        &ae,
        "--n",
        "5",
        "--steps",
        "4",
        "--out",
        &png,
        "--npy",
        &npy,
    ]);
    // A grid of 3 × 2 cells of 56 pixels with 2-pixel gaps.
    let grid = image::open(&png).unwrap();
    assert_eq!((grid.width(), grid.height()), (3 * 58 + 2, 2 * 58 + 2));
    let bytes = std::fs::read(&npy).unwrap();
    let array = npyz::NpyFile::new(&bytes[..]).unwrap();
    assert_eq!(array.shape(), [5, 28, 28]);
    let values: Vec<f32> = array.into_vec().unwrap();
    assert!(values.iter().all(|v| (0.0..=1.0).contains(v)));

    let out = ok(&[
        "eval-images",
        "--model",
        &den,
        "--autoencoder",
        &ae,
        "--judge",
        &judge,
        "--data",
        data,
        "--n",
        "2",
        "--steps",
        "3",
        "--guidance",
        "0,2",
    ]);
    assert!(
        out.contains("guidance 2") && out.contains("Fréchet") && out.contains("mean"),
        "{out}"
    );

    // Distillation: students of 4, 2 and 1 steps (two steps a phase), sampled and judged.
    let stu = p("stu.dlab");
    let distill = |extra: &[&str]| {
        let mut a = vec![
            "train-images",
            "--stage",
            "distill",
            "--teacher",
            &den,
            "--autoencoder",
            &ae,
            "--data",
            data,
            "--steps",
            "2",
            "--batch",
            "8",
            "--out",
            &stu,
        ];
        a.extend_from_slice(extra);
        ok(&a)
    };
    let out = distill(&[]);
    assert!(out.contains("wrote the 1-step student"), "{out}");
    let out = distill(&["--resume"]);
    assert!(
        out.contains("resuming phase 5 (1 steps) at step 2 of 2"),
        "{out}"
    );
    let student = |k: usize| p(&format!("stu-{k}.dlab"));
    let sample = |extra: &[&str]| {
        let mut a = vec![
            "sample-images",
            "--word",
            "bag",
            "--model",
            "",
            "--autoencoder",
            &ae,
            "--n",
            "2",
            "--out",
            &png,
        ];
        let model = student(2);
        a[4] = &model;
        a.extend_from_slice(extra);
        run(&a)
    };
    let o = sample(&[]);
    assert!(text(&o).contains("2 steps of student"), "{}", text(&o));
    let o = sample(&["--steps", "3"]);
    assert!(text(&o).contains("distilled to 2 steps"), "{}", text(&o));
    let o = sample(&["--guidance", "8"]);
    assert!(
        text(&o).contains("guidance scales from 1 to 5"),
        "{}",
        text(&o)
    );
    let out = ok(&[
        "eval-images",
        "--model",
        &den,
        "--autoencoder",
        &ae,
        "--judge",
        &judge,
        "--data",
        data,
        "--n",
        "2",
        "--samplers",
        "ddim,student",
        "--students",
        &stu,
        "--steps",
        "4,3",
    ]);
    assert!(
        out.contains("student, 4 steps, guidance 3") && out.contains("no 3-step student"),
        "{out}"
    );
    assert!(std::path::Path::new(&student(1)).exists());

    // Mistakes are explained.
    let o = run(&[
        "sample-images",
        "--word",
        "hat",
        "--model",
        &den,
        "--autoencoder",
        &ae,
        "--out",
        &png,
    ]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("unknown word \"hat\"") && text(&o).contains("sneaker"),
        "{}",
        text(&o)
    );
    let o = run(&[
        "sample-images",
        "--word",
        "bag",
        "--model",
        &ae,
        "--autoencoder",
        &ae,
        "--out",
        &png,
    ]);
    assert!(
        text(&o).contains("holds a \"image-autoencoder\" model"),
        "{}",
        text(&o)
    );
    let o = run(&["train-judge", "--data", "/nonexistent", "--out", &judge]);
    assert!(
        text(&o).contains("apt-get install dataset-fashion-mnist"),
        "{}",
        text(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
