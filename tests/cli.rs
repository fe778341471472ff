//! The command line as a new user runs it: train, sample, evaluate, and clear errors.
#![cfg(not(target_family = "wasm"))]

mod common;
use common::{run, text};

use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("diffusion-lab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn train_sample_and_evaluate() {
    let (model, samples, points) = (scratch("m.dlab"), scratch("s.csv"), scratch("p.csv"));
    // A user's own points: a noisy ring written as CSV.
    let mut csv = String::from("x,y\n");
    for i in 0..400 {
        let a = i as f64 * 0.1;
        csv += &format!("{},{}\n", 10.0 + 3.0 * a.cos(), -5.0 + 3.0 * a.sin());
    }
    std::fs::write(&points, csv).unwrap();
    let p = points.to_str().unwrap();
    let m = model.to_str().unwrap();
    let s = samples.to_str().unwrap();

    let o = run(&[
        "train-2d",
        "--points",
        p,
        "--steps",
        "30",
        "--seed",
        "3",
        "--schedule",
        "linear",
        "--out",
        m,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("SWD"), "{}", text(&o));

    let o = run(&[
        "sample-2d",
        "--model",
        m,
        "--n",
        "300",
        "--sampler",
        "heun",
        "--steps",
        "8",
        "--out",
        s,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let written = std::fs::read_to_string(&samples).unwrap();
    assert!(written.starts_with("x,y\n"));
    assert_eq!(written.lines().count(), 301);

    let o = run(&["eval-2d", "--dataset", "moons", "--samples", s]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("floor"), "{}", text(&o));

    // Same seed, same samples.
    let again = scratch("s2.csv");
    let o = run(&[
        "sample-2d",
        "--model",
        m,
        "--n",
        "300",
        "--sampler",
        "heun",
        "--steps",
        "8",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert_eq!(std::fs::read_to_string(&again).unwrap(), written);
}

/// A model trained on a person's points draws in their coordinates: points of spread 3 around
/// (5, -2) give samples of about that spread around about that place (before the card kept the
/// frame, samples came out standardised, around (0, 0) with spread 1).
#[test]
fn samples_come_back_in_the_users_coordinates() {
    let (model, samples, points) = (scratch("f.dlab"), scratch("fs.csv"), scratch("fp.csv"));
    // A disc sampled on a sunflower spiral: uniform, spread (RMS per axis) r/2 for radius r.
    let mut csv = String::from("x,y\n");
    let n = 1000;
    for i in 0..n {
        let r = 6.0 * ((i as f64 + 0.5) / n as f64).sqrt();
        let a = i as f64 * 2.399_963;
        csv += &format!("{},{}\n", 5.0 + r * a.cos(), -2.0 + r * a.sin());
    }
    std::fs::write(&points, csv).unwrap();
    let (m, s) = (model.to_str().unwrap(), samples.to_str().unwrap());
    let o = run(&[
        "train-2d",
        "--points",
        points.to_str().unwrap(),
        "--steps",
        "400",
        "--out",
        m,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&["sample-2d", "--model", m, "--n", "2000", "--out", s]);
    assert!(o.status.success(), "{}", text(&o));
    let xy: Vec<[f64; 2]> = std::fs::read_to_string(&samples)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let mut v = l.split(',').map(|x| x.parse::<f64>().unwrap());
            [v.next().unwrap(), v.next().unwrap()]
        })
        .collect();
    let mean = [0, 1].map(|k| xy.iter().map(|p| p[k]).sum::<f64>() / xy.len() as f64);
    let spread = (xy
        .iter()
        .map(|p| (p[0] - mean[0]).powi(2) + (p[1] - mean[1]).powi(2))
        .sum::<f64>()
        / (2 * xy.len()) as f64)
        .sqrt();
    eprintln!("samples: mean {mean:?}, spread {spread:.3} (data: (5, -2), 3)");
    assert!(
        (mean[0] - 5.0).abs() < 0.5 && (mean[1] + 2.0).abs() < 0.5,
        "mean {mean:?}"
    );
    assert!((2.4..3.6).contains(&spread), "spread {spread}");
    // eval-2d judges them in the same coordinates (in the standardised units it prints, SWD
    // near 0.1 after this short run; samples taken in the wrong frame are about 2 away).
    let o = run(&[
        "eval-2d",
        "--points",
        points.to_str().unwrap(),
        "--samples",
        s,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let swd: f64 = text(&o)
        .split("SWD")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|r| r.parse().ok())
        .expect("an SWD");
    assert!(swd < 0.3, "{}", text(&o));
}

#[test]
fn mistakes_are_explained() {
    let bad = scratch("bad.csv");
    std::fs::write(&bad, "a,b\n1,2\n").unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["train-2d", "--dataset", "circles", "--out", "x"],
            "unknown dataset \"circles\"",
        ),
        (
            &[
                "eval-2d",
                "--points",
                bad.to_str().unwrap(),
                "--samples",
                "x.csv",
            ],
            "header `x,y`",
        ),
        (
            &[
                "sample-2d",
                "--model",
                bad.to_str().unwrap(),
                "--n",
                "5",
                "--out",
                "y.csv",
            ],
            "not a Diffusion Lab model",
        ),
        (
            &[
                "sample-2d",
                "--model",
                "m",
                "--n",
                "5",
                "--sampler",
                "lms",
                "--out",
                "y.csv",
            ],
            "unknown sampler",
        ),
    ];
    // The device: an unknown name; the GPU in a build without the `gpu` feature.
    let train = |device| {
        [
            "--device",
            device,
            "train-2d",
            "--dataset",
            "moons",
            "--out",
            "x",
        ]
    };
    let mut devices = vec![(train("tpu"), "unknown device \"tpu\": use one of cpu, gpu")];
    if cfg!(not(feature = "gpu-unfused")) {
        devices.push((
            train("gpu"),
            "build it with `cargo build --release --features gpu`",
        ));
    }
    let devices = devices.iter().map(|(args, m)| (&args[..], *m));
    for (args, message) in cases.into_iter().chain(devices) {
        let o = run(args);
        assert!(!o.status.success(), "{args:?} should fail");
        assert!(text(&o).contains(message), "{args:?}: {}", text(&o));
    }
}

#[test]
fn words_train_sample_and_evaluate() {
    let (model, samples) = (scratch("w.dlab"), scratch("rings.csv"));
    let (m, s) = (model.to_str().unwrap(), samples.to_str().unwrap());
    let o = run(&[
        "train-2d",
        "--datasets",
        "moons,rings",
        "--steps",
        "20",
        "--word-dim",
        "3",
        "--out",
        m,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("no word, against all words together"), "{out}");
    // A row per word and scale (w = 0, 1, 3, 5).
    for word in ["moons", "rings"] {
        let rows = out
            .lines()
            .filter(|l| l.trim_start().starts_with(word))
            .count();
        assert_eq!(rows, 4, "{word}:\n{out}");
    }

    let o = run(&[
        "sample-2d",
        "--model",
        m,
        "--n",
        "200",
        "--steps",
        "5",
        "--word",
        "rings",
        "--guidance",
        "3",
        "--out",
        s,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("\"rings\" (guidance 3)"), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(&samples).unwrap().lines().count(),
        201
    );

    let o = run(&[
        "eval-2d",
        "--datasets",
        "moons,rings",
        "--word",
        "rings",
        "--samples",
        s,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("accuracy"), "{}", text(&o));

    let plain = scratch("plain.dlab");
    let o = run(&[
        "train-2d",
        "--dataset",
        "moons",
        "--steps",
        "2",
        "--out",
        plain.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "sample-2d",
                "--model",
                m,
                "--n",
                "5",
                "--word",
                "spiral",
                "--out",
                s,
            ],
            "unknown word \"spiral\": this model knows moons, rings",
        ),
        (
            &[
                "sample-2d",
                "--model",
                m,
                "--n",
                "5",
                "--word",
                "rings",
                "--guidance",
                "11",
                "--out",
                s,
            ],
            "guidance must be between 0 and 10",
        ),
        (
            &[
                "sample-2d",
                "--model",
                plain.to_str().unwrap(),
                "--n",
                "5",
                "--word",
                "rings",
                "--out",
                s,
            ],
            "was not trained on words",
        ),
        (
            &[
                "train-2d",
                "--datasets",
                "moons,moons",
                "--steps",
                "1",
                "--out",
                m,
            ],
            "appears twice",
        ),
    ];
    for (args, message) in cases {
        let o = run(args);
        assert!(!o.status.success(), "{args:?} should fail");
        assert!(text(&o).contains(message), "{args:?}: {}", text(&o));
    }
}
