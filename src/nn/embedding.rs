//! Sinusoidal features (Vaswani et al. 2017, section 3.5; used for the diffusion time by Ho et
//! al. 2020, and for 2D coordinates as Fourier features by Tancik et al. 2020, "Fourier Features
//! Let Networks Learn High Frequency Functions in Low Dimensional Domains").
//!
//! For a value v, `size` features: sin(s·v·f_k) and cos(s·v·f_k), k < size/2, with frequencies
//! f_k = 10000^(-k/(size/2)) and a scale s.

use burn::tensor::{Int, Tensor};

/// Sinusoidal features of every column of `values`.
///
/// # Shapes
/// - `values`: `[batch, columns]`
/// - output: `[batch, columns · size]` (`size` even)
pub fn sinusoidal(values: Tensor<2>, size: usize, scale: f64) -> Tensor<2> {
    let [batch, columns] = values.dims();
    let half = size / 2;
    let device = values.device();
    // f_k = exp(-ln(10000) k / half), built on the device: [half]
    let freqs = Tensor::<1, Int>::arange(0..half as i64, &device)
        .float()
        .mul_scalar(-(10_000f64.ln()) / half as f64)
        .exp();
    // [batch, columns, half]
    let args = values.mul_scalar(scale).unsqueeze_dim::<3>(2) * freqs.unsqueeze_dims::<3>(&[0, 1]);
    Tensor::cat(vec![args.clone().sin(), args.cos()], 2).reshape([batch, columns * size])
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    #[test]
    fn features_are_sines_and_cosines_at_geometric_frequencies() {
        let v =
            Tensor::<2>::from_data(TensorData::new(vec![0.5f32, -1.0], [1, 2]), &Device::flex());
        let f = sinusoidal(v, 4, 2.0)
            .into_data()
            .try_into_vec::<f32>()
            .unwrap();
        // column 0: s·v = 1, freqs [1, 0.01]; column 1: s·v = -2
        let want = [
            1f32.sin(),
            0.01f32.sin(),
            1f32.cos(),
            0.01f32.cos(),
            (-2f32).sin(),
            (-0.02f32).sin(),
            (-2f32).cos(),
            (-0.02f32).cos(),
        ];
        for (a, b) in f.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{f:?}");
        }
    }
}
