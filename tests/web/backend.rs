//! burn on the browser's WebGPU: the backend is WebGPU, a lost device is replaced, and
//! matrix products, reductions and gradients come back right.

use burn::tensor::{Tensor, TensorData};
use diffusion_lab::backend::{self, BackendKind};
use wasm_bindgen_test::*;

/// The test browser has WebGPU (SwiftShader), so the backend must not fall back to the CPU.
#[wasm_bindgen_test]
async fn backend_is_webgpu_and_stays_the_same() {
    let first = backend::init().await;
    assert_eq!(
        first.kind,
        BackendKind::WebGpu,
        "fell back: {:?}",
        first.fallback_reason
    );
    assert!(!first.adapter.is_empty());
    let again = backend::init().await;
    assert_eq!(again.kind, first.kind);
    assert_eq!(again.adapter, first.adapter);
}

/// Once the browser takes the WebGPU device away, the next `init` asks for a new one, and
/// burn computes on it.
#[wasm_bindgen_test]
async fn a_lost_device_is_replaced_by_a_new_one() {
    let first = backend::init().await;
    assert_eq!(
        first.kind,
        BackendKind::WebGpu,
        "{:?}",
        first.fallback_reason
    );
    // What the device-lost callback does when the browser loses the device.
    first.lost.mark("lost in a test".into());
    let next = backend::init().await;
    assert_eq!(next.kind, BackendKind::WebGpu, "{:?}", next.fallback_reason);
    assert_eq!(next.lost.reason(), None);
    assert_ne!(
        next.device, first.device,
        "the lost device was handed out again"
    );
    let x = Tensor::<1>::from_data(TensorData::new(vec![1f32, 2.0, 3.0], [3]), &next.device);
    let sum = x.sum().into_data_async().await.unwrap();
    assert_eq!(sum.try_into_vec::<f32>().unwrap(), vec![6.0]);
    // And it is kept while it lives.
    assert_eq!(backend::init().await.device, next.device);
}

/// A matrix product and a reduction on WebGPU, read back asynchronously, against numbers
/// worked out by hand.
#[wasm_bindgen_test]
async fn webgpu_computes_a_matmul_and_a_softmax() {
    let device = backend::init().await.device;
    // [2, 3] x [3, 2]
    let a = Tensor::<2>::from_data(
        TensorData::new(vec![1.0f32, 2., 3., 4., 5., 6.], [2, 3]),
        &device,
    );
    let b = Tensor::<2>::from_data(
        TensorData::new(vec![7.0f32, 8., 9., 10., 11., 12.], [3, 2]),
        &device,
    );
    let product = a
        .matmul(b)
        .into_data_async()
        .await
        .unwrap()
        .try_into_vec::<f32>()
        .unwrap();
    // [1*7+2*9+3*11, 1*8+2*10+3*12; 4*7+5*9+6*11, 4*8+5*10+6*12]
    assert_eq!(product, vec![58.0, 64.0, 139.0, 154.0]);

    // softmax([0, ln 3]) = [1/4, 3/4]
    let logits = Tensor::<1>::from_data(TensorData::new(vec![0.0f32, 3f32.ln()], [2]), &device);
    let soft = burn::tensor::activation::softmax(logits, 0)
        .into_data_async()
        .await
        .unwrap()
        .try_into_vec::<f32>()
        .unwrap();
    assert!(
        (soft[0] - 0.25).abs() < 1e-6 && (soft[1] - 0.75).abs() < 1e-6,
        "{soft:?}"
    );
}

/// One gradient step through burn's autodiff on WebGPU: for loss = sum((w x - y)^2) the
/// gradient is 2 (w x - y) x, known in closed form.
#[wasm_bindgen_test]
async fn webgpu_autodiff_gives_the_closed_form_gradient() {
    let device = backend::init().await.device.autodiff();
    let w = Tensor::<1>::from_data(TensorData::new(vec![0.5f32, -1.0, 2.0], [3]), &device)
        .require_grad();
    let x = Tensor::<1>::from_data(TensorData::new(vec![1.0f32, 2.0, 3.0], [3]), &device);
    let y = Tensor::<1>::from_data(TensorData::new(vec![1.0f32, 1.0, 1.0], [3]), &device);
    let loss = (w.clone() * x - y).square().sum();
    let grads = loss.backward();
    let g = w
        .grad(&grads)
        .unwrap()
        .into_data_async()
        .await
        .unwrap()
        .try_into_vec::<f32>()
        .unwrap();
    // w x - y = [-0.5, -3, 5]; times 2 x = [-1, -12, 30]
    assert_eq!(g, vec![-1.0, -12.0, 30.0]);
}
