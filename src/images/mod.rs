//! The image pipeline: Fashion-MNIST, a tiny latent autoencoder, a word-conditioned latent
//! denoiser, and a judge classifier, all trained by the command line and sampled with the
//! same samplers as the 2D pipeline.
//!
//! - [`idx`]: the IDX file format, from bytes.
//! - [`fashion`]: Fashion-MNIST's files and its ten words.
//! - [`blocks`]: residual blocks, GroupNorm, upsampling.
//! - [`autoencoder`]: 28×28 images to 4×8×8 latents and back, and the latents' statistics.
//! - [`unet`]: the latent denoiser.
//! - [`judge`]: the classifier that judges generated images, and the Fréchet distance in its
//!   feature space.
//! - [`card`]: what each kind of image model's checkpoint says about it.
//! - [`generate`]: words to images: sampling latents, then decoding them.
//! - [`studio`]: the studio: students and teacher side by side, the denoising watched, walks
//!   between seeds, variations of an image.

pub mod autoencoder;
pub mod blocks;
pub mod card;
pub mod fashion;
pub mod generate;
pub mod idx;
pub mod judge;
pub mod studio;
pub mod unet;

/// The side of an image, in pixels.
pub const IMAGE_SIDE: usize = 28;
/// Pixels per image.
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
/// Images are padded to this side for the autoencoder (two halvings down to 8×8).
pub const PADDED_SIDE: usize = 32;
/// The padding on each side.
pub const PAD: usize = (PADDED_SIDE - IMAGE_SIDE) / 2;

/// 28×28 images (`[n × 784]` values in [0, 1], no ink = 0) padded with blank borders to 32×32,
/// as `[n × 1024]`: what the encoder takes.
pub fn pad_images(images: &[f32]) -> Vec<f32> {
    let n = images.len() / IMAGE_PIXELS;
    let mut out = vec![0.0; n * PADDED_SIDE * PADDED_SIDE];
    for (image, padded) in images
        .chunks_exact(IMAGE_PIXELS)
        .zip(out.chunks_exact_mut(PADDED_SIDE * PADDED_SIDE))
    {
        for (row, pixels) in image.chunks_exact(IMAGE_SIDE).enumerate() {
            let at = (row + PAD) * PADDED_SIDE + PAD;
            padded[at..at + IMAGE_SIDE].copy_from_slice(pixels);
        }
    }
    out
}

#[cfg(test)]
mod padding_tests {
    use super::*;

    #[test]
    fn padding_puts_the_image_in_the_middle() {
        let image: Vec<f32> = (0..IMAGE_PIXELS).map(|i| i as f32).collect();
        let padded = pad_images(&image);
        assert_eq!(padded.len(), 1024);
        assert_eq!(padded[0], 0.0);
        assert_eq!(padded[2 * 32 + 2], 0.0); // pixel (0, 0)
        assert_eq!(padded[2 * 32 + 3], 1.0); // pixel (0, 1)
        assert_eq!(padded[29 * 32 + 29], 783.0); // pixel (27, 27)
        assert_eq!(padded.iter().sum::<f32>(), image.iter().sum::<f32>());
    }
}
#[cfg(test)]
mod tests;
