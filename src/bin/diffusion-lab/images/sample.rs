//! `sample-images`: a grid of images of a word, as PNG (and NumPy).

use super::distill::student_path;
use super::{SHIPPED_STUDENTS, STUDENT, generator, image_sampler, shipped, write_file};
use burn::tensor::Device;
use clap::Args;
use diffusion_lab::images::generate::{ImageRequest, STUDENT_SAMPLER};
use diffusion_lab::images::{IMAGE_PIXELS, IMAGE_SIDE};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Args)]
pub struct SampleImagesArgs {
    /// What to draw: t-shirt, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag or
    /// "ankle boot".
    #[arg(long)]
    word: String,
    /// A latent denoiser or a distilled student (default: the shipped student for the
    /// sampler student, the shipped teacher for the others).
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// The autoencoder it was trained with (default: the one shipped in www/models).
    #[arg(long, value_name = "FILE")]
    autoencoder: Option<PathBuf>,
    /// Number of images.
    #[arg(long, default_value_t = 16)]
    n: usize,
    /// Sampler: student (a distilled student, the default), ddpm, ddim, euler, heun or
    /// dpmpp2m (the teacher).
    #[arg(long)]
    sampler: Option<String>,
    /// Sampling steps (default: a student's own, 4 for the shipped one; 20 for the teacher).
    #[arg(long)]
    steps: Option<usize>,
    /// Classifier-free guidance scale (0 ignores the word, up to 10).
    #[arg(long, default_value_t = 3.0)]
    guidance: f64,
    /// Seed of the starting noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Where to write the grid of images (PNG).
    #[arg(long, value_name = "FILE.png")]
    out: PathBuf,
    /// Also write the images as float32 [n, 28, 28] in [0, 1] (NumPy .npy).
    #[arg(long, value_name = "FILE.npy")]
    npy: Option<PathBuf>,
}

/// The teacher's steps unless asked otherwise.
const DEFAULT_STEPS: usize = 20;

pub fn sample_images(args: SampleImagesArgs, device: &Device) -> Result<(), String> {
    let device = device.clone();
    let sampler = args.sampler.as_deref();
    let kind = sampler.map(image_sampler).transpose()?;
    // Which model: the one given, else the shipped student (of --steps steps, 4 by default)
    // for the sampler student or none, else the shipped teacher.
    let model = match (&args.model, sampler) {
        (Some(model), _) => model.clone(),
        (None, None | Some(STUDENT)) => {
            let path = student_path(&shipped(SHIPPED_STUDENTS), args.steps.unwrap_or(4));
            if !path.exists() {
                return Err(format!(
                    "no shipped student samples in {} steps: the students take 4, 2 or 1; \
                     name another sampler (dpmpp2m, ddim, ...) to sample the teacher",
                    args.steps.unwrap_or(4)
                ));
            }
            path
        }
        (None, Some(_)) => shipped("denoiser.dlab"),
    };
    let generator = generator(Some(&model), args.autoencoder.as_ref(), &device)?;
    let student = generator.card().student;
    let (kind, name) = match (kind, student) {
        (Some(kind), _) => (kind, sampler.unwrap_or(STUDENT)),
        (None, Some(_)) => (STUDENT_SAMPLER, STUDENT),
        (None, None) => (image_sampler("dpmpp2m")?, "dpmpp2m"),
    };
    let steps = args
        .steps
        .or(student.map(|s| s.steps))
        .unwrap_or(DEFAULT_STEPS);
    let request = ImageRequest {
        word: args.word.clone(),
        n: args.n,
        sampler: kind,
        steps,
        guidance: args.guidance,
        seed: args.seed,
    };
    let start = Instant::now();
    let images = generator
        .generate(&request, &device)?
        .into_data()
        .try_to_vec::<f32>()
        .map_err(|e| format!("{e:?}"))?;
    let seconds = start.elapsed().as_secs_f64();
    write_grid(&args.out, &images)?;
    if let Some(npy) = &args.npy {
        write_npy(npy, &images)?;
    }
    println!(
        "{} images of {:?} ({steps} steps of {name}, guidance {}, {}) in {seconds:.2} s; \
         wrote {}",
        args.n,
        args.word,
        args.guidance,
        model.display(),
        args.out.display()
    );
    Ok(())
}

/// Images `[n × 784]` in [0, 1] as a PNG grid, as square as possible, each image shown at
/// twice its size with a 2-pixel gap.
fn write_grid(path: &Path, images: &[f32]) -> Result<(), String> {
    const SCALE: usize = 2;
    const GAP: usize = 2;
    let n = images.len() / IMAGE_PIXELS;
    let cols = (n as f64).sqrt().ceil().max(1.0) as usize;
    let rows = n.div_ceil(cols);
    let cell = IMAGE_SIDE * SCALE + GAP;
    let (width, height) = (cols * cell + GAP, rows * cell + GAP);
    let mut grid = image::GrayImage::from_pixel(width as u32, height as u32, image::Luma([48]));
    for (k, img) in images.chunks_exact(IMAGE_PIXELS).enumerate() {
        let (x0, y0) = (GAP + (k % cols) * cell, GAP + (k / cols) * cell);
        for (i, &v) in img.iter().enumerate() {
            let level = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            for dy in 0..SCALE {
                for dx in 0..SCALE {
                    let x = x0 + (i % IMAGE_SIDE) * SCALE + dx;
                    let y = y0 + (i / IMAGE_SIDE) * SCALE + dy;
                    grid.put_pixel(x as u32, y as u32, image::Luma([level]));
                }
            }
        }
    }
    grid.save(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Images `[n × 784]` as a float32 NumPy array of shape [n, 28, 28].
fn write_npy(path: &Path, images: &[f32]) -> Result<(), String> {
    let n = images.len() / IMAGE_PIXELS;
    use npyz::WriterBuilder;
    let mut bytes = Vec::new();
    let mut writer = npyz::WriteOptions::<f32>::new()
        .default_dtype()
        .shape(&[n as u64, IMAGE_SIDE as u64, IMAGE_SIDE as u64])
        .writer(&mut bytes)
        .begin_nd()
        .map_err(|e| format!("cannot encode the .npy: {e}"))?;
    writer
        .extend(images.iter().copied())
        .map_err(|e| format!("cannot encode the .npy: {e}"))?;
    writer
        .finish()
        .map_err(|e| format!("cannot encode the .npy: {e}"))?;
    write_file(path, &bytes)
}
