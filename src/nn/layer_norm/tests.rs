use super::*;
use burn::module::Param;
use burn::nn::LayerNormConfig;
use burn::tensor::{Device, TensorData};

const EPSILON: f64 = 1e-5;

fn values<const D: usize>(x: Tensor<D>) -> Vec<f32> {
    x.into_data().try_into_vec::<f32>().unwrap()
}

fn tensor<const D: usize>(data: Vec<f32>, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(data, shape), device)
}

/// y, ∂L/∂x, ∂L/∂γ and ∂L/∂β for L = Σ w·y, by `layer_norm` (ours) or by burn's `LayerNorm`.
fn run(norm: &LayerNorm, x: Tensor<2>, w: Tensor<2>, ours: bool) -> [Vec<f32>; 4] {
    let x = x.require_grad();
    let y = if ours {
        layer_norm(norm, x.clone(), EPSILON)
    } else {
        norm.forward(x.clone())
    };
    let grads = (y.clone() * w).sum().backward();
    let beta = norm.beta.as_ref().unwrap().val();
    [
        values(y),
        values(x.grad(&grads).unwrap()),
        values(norm.gamma.val().grad(&grads).unwrap()),
        values(beta.grad(&grads).unwrap()),
    ]
}

#[test]
fn agrees_with_burns_layer_norm_in_value_and_gradients() {
    let device = Device::flex().autodiff();
    // Rows of 13 (not a multiple of the eight lanes), 300 of them (two blocks of rows), with a
    // scale and a shift that are not ones and zeros, and weights that differ everywhere.
    let d = 13;
    let mut norm = LayerNormConfig::new(d).with_epsilon(EPSILON).init(&device);
    let wave = |n: usize, f: f32| (0..n).map(move |i| (i as f32 * f).sin());
    norm.gamma = Param::from_tensor(tensor(
        wave(d, 0.9).map(|v| 1.0 + v).collect(),
        [d],
        &device,
    ));
    norm.beta = Some(Param::from_tensor(tensor(
        wave(d, 1.7).collect(),
        [d],
        &device,
    )));
    let x = tensor(
        wave(300 * d, 0.37).map(|v| 3.0 * v + 0.5).collect(),
        [300, d],
        &device,
    );
    let w = tensor(wave(300 * d, 0.11).collect(), [300, d], &device);
    // As it comes, and transposed twice (a strided view of the same numbers).
    let strided = x.clone().transpose().transpose();
    for x in [x, strided] {
        let ours = run(&norm, x.clone(), w.clone(), true);
        let burns = run(&norm, x, w.clone(), false);
        for ((a, b), what) in ours.iter().zip(&burns).zip(["y", "dx", "dgamma", "dbeta"]) {
            assert_eq!(a.len(), b.len());
            for (i, (a, b)) in a.iter().zip(b).enumerate() {
                let tol = 2e-5 * b.abs().max(1.0);
                assert!((a - b).abs() <= tol, "{what}[{i}]: {a} against {b}");
            }
        }
    }
}

#[test]
fn closed_form_of_a_row() {
    // x = [1, 2, 3, 4]: μ = 2.5, σ² = 1.25, x̂ = (x − μ)/√(σ² + ε); with γ = 1, β = 0 and
    // L = Σ y, every gradient of x is 0 (Σ x̂ does not move), ∂L/∂γ = x̂ and ∂L/∂β = 1.
    let device = Device::flex().autodiff();
    let norm = LayerNormConfig::new(4).with_epsilon(EPSILON).init(&device);
    let x = tensor(vec![1.0, 2.0, 3.0, 4.0], [1, 4], &device);
    let [y, dx, dgamma, dbeta] = run(&norm, x, Tensor::ones([1, 4], &device), true);
    let s = (1.25f64 + EPSILON).sqrt();
    for (y, x) in y.iter().zip([1.0, 2.0, 3.0, 4.0]) {
        assert!((*y as f64 - (x - 2.5) / s).abs() < 1e-6, "{y}");
    }
    assert!(dx.iter().all(|v| v.abs() < 1e-6), "{dx:?}");
    assert_eq!(dgamma, y);
    assert_eq!(dbeta, [1.0; 4]);
}
