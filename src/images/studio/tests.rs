use super::*;

#[test]
fn slerp_ends_on_its_ends_and_keeps_the_norm_between_orthogonal_unit_vectors() {
    let (a, b) = ([1.0f32, 0.0, 0.0], [0.0f32, 1.0, 0.0]);
    assert_eq!(slerp(&a, &b, 0.0), a);
    assert_eq!(slerp(&a, &b, 1.0), b);
    // Half-way on the quarter circle: (a + b)/√2, of norm 1 (a straight line gives 1/√2).
    let half = slerp(&a, &b, 0.5);
    let s = std::f32::consts::FRAC_1_SQRT_2;
    for (got, want) in half.iter().zip([s, s, 0.0]) {
        assert!((got - want).abs() < 1e-6, "{half:?}");
    }
    // A third of the way: (cos 30°, sin 30°).
    let third = slerp(&a, &b, 1.0 / 3.0);
    assert!((third[0] - 0.866_025_4).abs() < 1e-6 && (third[1] - 0.5).abs() < 1e-6);
    // Parallel vectors: the straight line.
    assert_eq!(slerp(&[1.0, 2.0], &[2.0, 4.0], 0.5), [1.5, 3.0]);
}

#[test]
fn steps_are_listed_for_people() {
    assert_eq!(listed(&[]), "none");
    assert_eq!(listed(&[4]), "4");
    assert_eq!(listed(&[1, 2, 4]), "1, 2 and 4");
}
