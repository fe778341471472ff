//! Classifier-free guidance (Ho & Salimans 2022, "Classifier-Free Diffusion Guidance", eq. 6):
//! ε̃ = ε_uncond + w (ε_cond - ε_uncond). w = 0 is the unconditional model, w = 1 the
//! conditional one, w > 1 pushes samples further towards the condition.

use crate::check::check_range;
use burn::tensor::Tensor;

/// The strongest guidance a person may ask for (beyond it samples leave the data entirely).
pub const MAX_GUIDANCE: f64 = 10.0;

/// Errors unless `w` is a guidance scale a person may choose: a number from 0 to
/// [`MAX_GUIDANCE`].
pub fn check_scale(w: f64) -> Result<f64, String> {
    check_range("guidance", w, &(0.0..=MAX_GUIDANCE)).map(|()| w)
}

/// `uncond + scale · (cond - uncond)`: the guidance formula, for any two predictions of the
/// same kind (ε, or v: both are affine in ε at a fixed x, so guiding either equals guiding ε).
pub fn combine<const D: usize>(uncond: Tensor<D>, cond: Tensor<D>, scale: f64) -> Tensor<D> {
    uncond.clone() + (cond - uncond).mul_scalar(scale)
}

/// [`combine`] with a scale per row: row i is `uncond_i + scales_i · (cond_i - uncond_i)`.
///
/// # Shapes
/// - `uncond`, `cond`: `[batch, ...]`; `scales`: `[batch]`
pub fn combine_rows<const D: usize>(
    uncond: Tensor<D>,
    cond: Tensor<D>,
    scales: Tensor<1>,
) -> Tensor<D> {
    let mut shape = [1; D];
    shape[0] = scales.dims()[0];
    uncond.clone() + (cond - uncond) * scales.reshape(shape)
}
