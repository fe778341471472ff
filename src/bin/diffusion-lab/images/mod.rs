//! The image commands: `train-images` (the autoencoder, then the latent denoiser), `train-judge`,
//! `sample-images` and `eval-images`, and what they share: reading and writing model files,
//! the data, the shipped models.
//!
//! Long runs save their state every few minutes: `FILE` holds what the product uses (half
//! precision; for the denoiser, the moving average), `FILE.resume` the trained weights in full
//! precision, and `--resume` goes on from both.

mod distill;
mod eval;
mod judge;
mod sample;
mod train;

pub use eval::{EvalImagesArgs, eval_images};
pub use judge::{TrainJudgeArgs, train_judge};
pub use sample::{SampleImagesArgs, sample_images};
pub use train::{TrainImagesArgs, train_images};

use burn::tensor::{Device, Int, Tensor};
use diffusion_lab::checkpoint::{self, Card};
use diffusion_lab::images::card::{AutoencoderCard, LatentDenoiserCard};
use diffusion_lab::images::fashion::{self, LabelledImages, Split};
use diffusion_lab::images::generate::{ImageGenerator, STUDENT_SAMPLER};
use diffusion_lab::sampler::SamplerKind;
use std::path::{Path, PathBuf};

/// The sampler name of a distilled student.
pub const STUDENT: &str = "student";
/// The shipped students, as `train-images --stage distill --out` names them (the 4-step one
/// is `student-4.dlab`).
pub const SHIPPED_STUDENTS: &str = "student.dlab";

/// A sampler by name: `student` (a student's own, DDIM on its levels) or one of
/// [`SamplerKind::parse`]'s.
pub fn image_sampler(name: &str) -> Result<SamplerKind, String> {
    if name == STUDENT {
        return Ok(STUDENT_SAMPLER);
    }
    SamplerKind::parse(name, 0.0).map_err(|e| format!("{e}, or {STUDENT} (a distilled student)"))
}

/// Where the shipped models live, in the repository this binary was built from.
pub fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("www/models")
        .join(name)
}

pub fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    // Written aside and renamed, so an interruption never leaves half a file.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A checkpoint of kind `C` from `path`, on `device`; errors name the file.
pub fn load<C: Card>(path: &Path, device: &Device) -> Result<(C::Net, C), String> {
    checkpoint::from_bytes::<C>(&read_file(path)?, device)
        .map_err(|e| format!("{}: {e}", path.display()))
}

pub fn resume_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".resume");
    PathBuf::from(name)
}

pub fn training_images(dir: &Path, limit: Option<usize>) -> Result<LabelledImages, String> {
    let set = fashion::load(dir, Split::Train)?;
    Ok(match limit {
        Some(n) => set.first(n),
        None => set,
    })
}

/// `b` random indices below `n`, made on the device.
pub fn random_indices(b: usize, n: usize, device: &Device) -> Tensor<1, Int> {
    Tensor::<1, Int>::random(
        [b],
        burn::tensor::Distribution::Uniform(0.0, n as f64),
        device,
    )
    .clamp(0, n as i64 - 1)
}

/// The shipped (or given) autoencoder and denoiser, paired.
pub fn generator(
    model: Option<&PathBuf>,
    autoencoder: Option<&PathBuf>,
    device: &Device,
) -> Result<ImageGenerator, String> {
    let model = model.cloned().unwrap_or_else(|| shipped("denoiser.dlab"));
    let autoencoder = autoencoder
        .cloned()
        .unwrap_or_else(|| shipped("autoencoder.dlab"));
    let (ae, ae_card) = load::<AutoencoderCard>(&autoencoder, device)?;
    let (unet, card) = load::<LatentDenoiserCard>(&model, device)?;
    ImageGenerator::new(ae, ae_card, unet, card)
        .map_err(|e| format!("{} with {}: {e}", model.display(), autoencoder.display()))
}
