//! The command line's distillation as a new user runs it: distil, sample the student, and
//! clear errors.
#![cfg(not(target_family = "wasm"))]

mod common;
use common::{run, text};

use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("diffusion-lab-distill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A model distilled into a 2-step student, which samples by default as a student and refuses
/// what it cannot do.
#[test]
fn distil_then_sample_the_student() {
    let (model, student, samples) = (scratch("t.dlab"), scratch("st.dlab"), scratch("st.csv"));
    let (m, st, s) = (
        model.to_str().unwrap(),
        student.to_str().unwrap(),
        samples.to_str().unwrap(),
    );
    let o = run(&[
        "train-2d",
        "--dataset",
        "moons",
        "--steps",
        "100",
        "--out",
        m,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let distil = |extra: &[&str], out: &str| {
        let mut args = vec![
            "distill-2d",
            "--model",
            m,
            "--dataset",
            "moons",
            "--out",
            out,
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let o = distil(&["--from", "8", "--to", "2", "--steps-per-round", "60"], st);
    assert!(o.status.success(), "{}", text(&o));
    let report = text(&o);
    assert!(report.contains("wrote the 2-step student"), "{report}");
    // One line per round: its steps, the student's SWD, the teacher's with DDIM and DPM++.
    for steps in ["4", "2"] {
        assert!(
            report
                .lines()
                .any(|l| l.split_whitespace().next() == Some(steps)
                    && l.split_whitespace().count() == 5),
            "no line for {steps} steps: {report}"
        );
    }

    let o = run(&["sample-2d", "--model", st, "--n", "300", "--out", s]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("with student in 2 steps"), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(&samples).unwrap().lines().count(),
        301
    );

    let fails = |args: &[&str], why: &str| {
        let o = run(args);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert!(text(&o).contains(why), "{args:?}: {}", text(&o));
    };
    fn sample<'a>(model: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["sample-2d", "--model", model, "--n", "10", "--out", out];
        args.extend_from_slice(extra);
        args
    }
    fails(&sample(st, s, &["--sampler", "ddim"]), "is a student");
    fails(&sample(st, s, &["--steps", "4"]), "samples in 2 steps only");
    fails(&sample(m, s, &["--sampler", "student"]), "is not a student");
    let o = distil(&["--from", "6"], s);
    assert!(
        !o.status.success() && text(&o).contains("powers of two"),
        "{}",
        text(&o)
    );
    let o = run(&[
        "distill-2d",
        "--model",
        st,
        "--dataset",
        "moons",
        "--out",
        s,
    ]);
    assert!(
        !o.status.success() && text(&o).contains("already a student"),
        "{}",
        text(&o)
    );
}
