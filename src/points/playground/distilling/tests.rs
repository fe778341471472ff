//! Distillation in the playground, natively.

use super::super::tests::{read, small};
use super::super::{Draw, Imported, Playground};
use super::DistillSettings;
use crate::checkpoint;

/// Distilling a briefly trained model: the rounds run, each student samples in its own steps
/// (and only those), and at 2 steps the student is far closer to the data than the teacher
/// with DDIM at 2 steps.
#[test]
fn distilled_students_sample_in_their_steps() {
    let mut p = small();
    p.set_dataset("moons", 2000, 3).unwrap();
    p.set_training(3e-3, 256, 64).unwrap();
    let none = p.sample(&Draw::new(10, "student", 2, 0)).unwrap_err();
    assert!(none.contains("no student yet"), "{none}");
    let settings = DistillSettings {
        from_steps: 8,
        to_steps: 2,
        steps_per_round: 150,
        ..DistillSettings::default()
    };
    let untrained = p.start_distillation(settings).unwrap_err();
    assert!(untrained.contains("train the model first"), "{untrained}");
    p.train(600).unwrap();
    p.start_distillation(settings).unwrap();
    assert_eq!(
        p.sample(&Draw::new(10, "student", 4, 0)).unwrap_err(),
        "no student is ready yet: the first round of distillation is not done"
    );
    // The first round in parts of 100 examples (3 parts a step), the rest in whole steps.
    let mut steps = 0;
    while steps < 150 {
        if p.distill_part(100).unwrap().is_some() {
            steps += 1;
        }
    }
    assert_eq!(p.student_steps(), [4]);
    let progress = p.distill_progress().unwrap();
    assert_eq!(
        (
            progress.round,
            progress.rounds,
            progress.steps,
            progress.done
        ),
        (2, 2, 0, false)
    );
    let loss = read(p.distill(1000).unwrap().unwrap().unsqueeze())[0];
    assert!(loss.is_finite());
    assert!(p.distill_progress().unwrap().done);
    assert!(p.distill(10).unwrap().is_none(), "nothing left to do");
    assert_eq!(p.student_steps(), [4, 2]);

    let swd = |p: &mut Playground, sampler| {
        let samples = read(p.sample(&Draw::new(2000, sampler, 2, 7)).unwrap());
        p.quality(&samples).unwrap().swd
    };
    let (student, teacher) = (swd(&mut p, "student"), swd(&mut p, "ddim"));
    println!("2 steps: student SWD {student:.4}, teacher DDIM {teacher:.4}");
    assert!(
        student < teacher / 2.0,
        "student {student}, teacher {teacher}"
    );
    let wrong = p.sample(&Draw::new(10, "student", 3, 0)).unwrap_err();
    assert_eq!(
        wrong,
        "no student samples in 3 steps: the students at hand take 4, 2"
    );
    assert_eq!(
        p.trajectory(&Draw::new(10, "student", 2, 0))
            .unwrap()
            .dims(),
        [3, 10, 2]
    );

    // The 2-step student saved, then loaded into another playground, samples the same there;
    // the model's own file then replaces it.
    let (student, card) = p.student_and_card(2).unwrap();
    assert_eq!(
        card.student.map(|s| (s.steps, s.teacher_steps)),
        Some((2, 8))
    );
    let file = checkpoint::to_bytes(&student, &card).unwrap();
    let mut q = small();
    q.set_dataset("moons", 2000, 3).unwrap();
    assert_eq!(q.import(&file).unwrap(), Imported::Student(2));
    assert_eq!(q.student_steps(), [2]);
    let draw = Draw::new(50, "student", 2, 9);
    assert_eq!(
        read(q.sample(&draw).unwrap()),
        read(p.sample(&draw).unwrap())
    );
    let (model, card) = p.model_and_card().unwrap();
    let model_file = checkpoint::to_bytes(model, &card).unwrap();
    assert_eq!(q.import(&model_file).unwrap(), Imported::Model);
    assert!(q.student_steps().is_empty());
    assert!(q.import(&file[..40]).unwrap_err().contains("cut short"));

    // Bad settings, then a new model: the students go with the old one.
    let mut bad = |s: DistillSettings| p.start_distillation(s).unwrap_err();
    assert!(
        bad(DistillSettings {
            from_steps: 6,
            ..settings
        })
        .contains("powers of two")
    );
    assert!(
        bad(DistillSettings {
            to_steps: 8,
            ..settings
        })
        .contains("fewer steps")
    );
    assert!(
        bad(DistillSettings {
            from_steps: 128,
            ..settings
        })
        .contains("teacher's steps")
    );
    assert!(
        bad(DistillSettings {
            steps_per_round: 0,
            ..settings
        })
        .contains("steps per round")
    );
    assert_eq!(
        p.student_steps(),
        [4, 2],
        "a refused start keeps the students"
    );
    p.set_dataset("rings", 500, 0).unwrap();
    assert!(p.student_steps().is_empty() && p.distill_progress().is_none());
    assert!(p.distill(1).unwrap_err().contains("no distillation"));
}
