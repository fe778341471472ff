//! The guard against a diverging training (`training.rs`).

use super::*;

/// A learning rate of 1 makes training diverge: the loss is caught, the weights, the moving
/// average and the step count go back to the last state a sound loss vouched for (the state a
/// sound call's steps began from: the same samples as then), and training goes on once the
/// rate is sane again. (From fresh weights the warm-up raises the rate over 50 steps, and the
/// loss does not jump: the network dies, its loss near 1, which is no divergence to undo.)
#[test]
fn a_diverging_training_goes_back_to_its_last_good_state() {
    let mut p = small();
    let draw = Draw::new(200, "ddim", 10, 5);
    let state = |p: &mut Playground| (p.steps_done(), read(p.sample(&draw).unwrap()));
    // The state at the last judgement, and the last one a sound loss vouched for.
    let mut pending = state(&mut p);
    let loss: f32 = p.train(20).unwrap().into_scalar();
    p.judge_loss(loss).unwrap();
    let mut good = std::mem::replace(&mut pending, state(&mut p));
    p.set_training(1.0, 128, 32).unwrap();
    let mut caught = None;
    for _ in 0..40 {
        let loss: f32 = p.train(5).unwrap().into_scalar();
        match p.judge_loss(loss) {
            Ok(()) => good = std::mem::replace(&mut pending, state(&mut p)),
            Err(e) => {
                caught = Some((e, loss));
                break;
            }
        }
    }
    let (message, loss) = caught.expect("a learning rate of 1 diverges within 200 steps");
    println!("{message}");
    assert!(!loss.is_finite() || loss > LOSS_JUMP, "loss {loss}");
    assert!(message.contains("diverged"), "{message}");
    assert!(
        message.contains(&format!("back to step {}", good.0)),
        "{message}"
    );
    assert!(message.contains("learning rate (now 1)"), "{message}");
    assert_eq!(p.steps_done(), good.0);
    assert_eq!(read(p.sample(&draw).unwrap()), good.1);
    p.set_training(2e-3, 128, 32).unwrap();
    let loss: f32 = p.train(10).unwrap().into_scalar();
    assert!(loss.is_finite() && loss < 1.5, "loss {loss}");
    p.judge_loss(loss).unwrap();
    assert_eq!(p.steps_done(), good.0 + 10);
}

/// A sound call whose last update broke the weights: its loss, computed before each update,
/// cannot tell, so the state it ended at is not taken for good. Going back must land where a
/// sane rate trains on, not on the broken weights (which diverged again at any rate).
#[test]
fn going_back_never_lands_on_weights_the_last_update_broke() {
    let mut p = small();
    let loss: f32 = p.train(20).unwrap().into_scalar();
    p.judge_loss(loss).unwrap();
    p.set_training(1.0, 128, 32).unwrap();
    // Single steps at rate 1 until one diverges: the step before it was sound by its loss,
    // yet its update may be what broke the weights.
    let mut caught = false;
    for _ in 0..200 {
        let loss: f32 = p.train(1).unwrap().into_scalar();
        if p.judge_loss(loss).is_err() {
            caught = true;
            break;
        }
    }
    assert!(caught, "a learning rate of 1 diverges within 200 steps");
    p.set_training(2e-3, 128, 32).unwrap();
    for _ in 0..5 {
        let loss: f32 = p.train(1).unwrap().into_scalar();
        p.judge_loss(loss).unwrap();
    }
}

/// The guard never stops a sound training: single steps of batch 64 (the noisiest losses the
/// page reads) at the page's default rate and at its largest sound one.
#[test]
fn a_sound_training_is_never_taken_for_a_diverging_one() {
    for lr in [3e-3, 1e-2] {
        let mut p = small();
        p.set_training(lr, 64, 32).unwrap();
        for _ in 0..300 {
            let loss: f32 = p.train(1).unwrap().into_scalar();
            p.judge_loss(loss).unwrap();
        }
        assert_eq!(p.steps_done(), 300);
    }
}
