use super::*;

fn read(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().unwrap()
}

/// A small, quick playground: 400 moons points and a narrow network.
fn small() -> Playground {
    let mut p = Playground::new(Device::flex());
    p.set_dataset("moons", 400, 3).unwrap();
    p.set_training(2e-3, 128, 32).unwrap();
    p
}

#[test]
fn noised_runs_from_the_data_to_a_standard_gaussian() {
    let mut p = small();
    p.set_dataset("moons", 20_000, 3).unwrap();
    assert_eq!(p.noised(0.0, 1).unwrap(), p.points());
    let end = p.noised(1.0, 1).unwrap();
    let n = end.len() as f64 / 2.0;
    for axis in 0..2 {
        let xs: Vec<f64> = end
            .iter()
            .skip(axis)
            .step_by(2)
            .map(|&v| v as f64)
            .collect();
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.04, "variance {var}");
    }
    // Half-way, the data still shows: the variance is ᾱ·var(x₀) + 1 - ᾱ.
    let abar = p.noise_schedule().unwrap().alpha_bar(0.5);
    assert!(abar > 0.3 && abar < 0.7);
    assert!(p.noised(1.5, 0).unwrap_err().contains("between 0 and 1"));
    assert!(p.noised(f64::NAN, 0).is_err());
}

#[test]
fn trajectories_have_every_frame_and_end_at_the_samples() {
    let mut p = small();
    let traj = p.trajectory(50, "dpmpp2m", 8, 0.0, 5).unwrap();
    assert_eq!(traj.dims(), [9, 50, 2]);
    let frames = traj.into_data().try_into_vec::<f32>().unwrap();
    let samples = read(p.sample(50, "dpmpp2m", 8, 0.0, 5).unwrap());
    assert_eq!(&frames[8 * 100..], &samples[..]);
    // Frame 0 is the seeded noise.
    let noise = read(NoiseSource::new(5, &Device::flex()).normal([50, 2]));
    assert_eq!(&frames[..100], &noise[..]);
    assert!(
        p.trajectory(100_000, "ddim", 999, 0.0, 0)
            .unwrap_err()
            .contains("too large")
    );
}

#[test]
fn training_lowers_the_loss_and_keeps_the_model_until_the_data_changes() {
    let mut p = small();
    let first: f32 = p.train(20).unwrap().into_scalar();
    let _ = p.train(400).unwrap();
    let later: f32 = p.train(50).unwrap().into_scalar();
    assert!(later < 0.93 * first, "loss {first} then {later}");
    assert_eq!(p.steps_done(), 470);
    // Rate and batch change a model in training; width, schedule and data start afresh.
    p.set_training(1e-3, 256, 32).unwrap();
    assert_eq!(p.steps_done(), 470);
    p.set_schedule("cosine", 1000).unwrap();
    assert_eq!(p.steps_done(), 470);
    p.set_schedule("linear", 1000).unwrap();
    assert_eq!(p.steps_done(), 0);
    let _ = p.train(1).unwrap();
    p.set_dataset("rings", 400, 3).unwrap();
    assert_eq!(p.steps_done(), 0);
}

#[test]
fn an_exported_model_imports_to_the_same_samples() {
    let mut p = small();
    let _ = p.train(10).unwrap();
    let before = read(p.sample(64, "ddim", 10, 0.0, 9).unwrap());
    let (model, card) = p.model_and_card().unwrap();
    let bytes = checkpoint::to_bytes(model, &card).unwrap();
    let mut q = Playground::new(Device::flex());
    q.import(&bytes).unwrap();
    assert_eq!(q.steps_done(), 10);
    assert_eq!(read(q.sample(64, "ddim", 10, 0.0, 9).unwrap()), before);
    assert!(q.import(b"not a model").unwrap_err().contains("DLAB"));
    assert_eq!(q.steps_done(), 10, "a bad file leaves the model alone");
}

#[test]
fn quality_compares_like_with_like() {
    let mut p = small();
    // The held-out data itself scores at the floor's level.
    let q = p.quality(&p.data.heldout2.clone()).unwrap();
    assert_eq!(q.swd, q.floor_swd);
    p.set_points(&[0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0])
        .unwrap();
    assert_eq!(p.points().len(), 10);
    assert!(p.quality(&[1.0, 2.0, 3.0]).unwrap_err().contains("pairs"));
}

#[test]
fn bad_requests_are_explained() {
    let mut p = small();
    assert!(
        p.set_dataset("donut", 100, 0)
            .unwrap_err()
            .contains("moons")
    );
    assert!(
        p.set_dataset("moons", 1, 0)
            .unwrap_err()
            .contains("between")
    );
    assert!(p.set_points(&[0.0, 0.0, 1.0, 1.0]).is_err());
    assert!(
        p.set_points(&[1.0, 2.0, 3.0])
            .unwrap_err()
            .contains("pairs")
    );
    assert!(p.set_points(&[0.0; 20]).unwrap_err().contains("same place"));
    assert!(p.set_schedule("quadratic", 100).is_err());
    assert!(p.set_schedule("cosine", 1).is_err());
    assert!(p.set_training(0.0, 128, 32).is_err());
    assert!(p.set_training(1e-3, 128, 0).is_err());
    assert!(p.train(0).is_err());
    assert!(
        p.sample(10, "ddim", 10, 2.0, 0)
            .unwrap_err()
            .contains("eta")
    );
    assert!(
        p.sample(10, "plms", 10, 0.0, 0)
            .unwrap_err()
            .contains("unknown")
    );
    assert!(p.sample(10, "ddim", 0, 0.0, 0).is_err());
    assert!(p.sample(0, "ddim", 10, 0.0, 0).is_err());
    // Nothing above changed the data.
    assert_eq!(p.data_label(), "dataset moons");
    assert_eq!(p.points().len(), 800);
}
