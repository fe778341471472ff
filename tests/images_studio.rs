//! The image studio on the shipped models: the denoising watched ends on the generated images,
//! a walk between seeds ends on each seed's image, variations keep the image at strength 0 and
//! forget it at strength 1, and every bad request is refused with a message; the command
//! line still draws the golden images the browser test compares with.
#![cfg(not(target_family = "wasm"))]

mod shipped;
use shipped::load;

mod common;

use burn::tensor::{Device, Tensor};
use diffusion_lab::images::card::{AutoencoderCard, LatentDenoiserCard};
use diffusion_lab::images::fashion::WORDS;
use diffusion_lab::images::studio::{Added, Model, Studio, StudioRequest};
use diffusion_lab::sampler::SamplerKind;
use std::path::Path;

/// The shipped autoencoder with the 4- and 1-step students (and the teacher when asked).
fn studio(teacher: bool, device: &Device) -> Studio {
    let (ae, ae_card) = load::<AutoencoderCard>("autoencoder.dlab", device);
    let mut studio = Studio::new(ae, ae_card);
    for (file, added) in [
        ("student-4.dlab", Added::Student(4)),
        ("student-1.dlab", Added::Student(1)),
    ] {
        let (unet, card) = load::<LatentDenoiserCard>(file, device);
        assert_eq!(studio.add(unet, card).unwrap(), added);
    }
    if teacher {
        let (unet, card) = load::<LatentDenoiserCard>("denoiser.dlab", device);
        assert_eq!(studio.add(unet, card).unwrap(), Added::Teacher);
    }
    studio
}

fn request(word: &str, n: usize, seed: u64) -> StudioRequest {
    StudioRequest {
        word: word.into(),
        n,
        steps: 4,
        guidance: 3.0,
        seed,
        model: Model::Student,
    }
}

fn values(t: Tensor<4>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn the_denoising_watched_ends_on_the_images_and_the_walk_on_each_seeds_image() {
    let device = Device::flex();
    let studio = studio(true, &device);
    assert_eq!(studio.words().unwrap(), WORDS);
    assert_eq!(studio.student_steps(), [1, 4]);
    for model in [Model::Student, Model::Teacher(SamplerKind::DpmPp2m)] {
        let r = StudioRequest {
            model,
            ..request("sneaker", 3, 7)
        };
        let images = values(studio.generate(&r, &device).unwrap().images());
        let (estimates, latents) = studio.generate(&r, &device).unwrap().watching().watched();
        assert_eq!(estimates.dims(), [4 * 3, 1, 28, 28]);
        assert_eq!(latents.dims(), [5 * 3, 4, 8, 8]);
        let estimates = values(estimates);
        let last = &estimates[3 * 3 * 784..];
        let d = max_difference(last, &images);
        assert!(
            d < 1e-5,
            "{model:?}: the last estimate is the image, up to {d}"
        );
        // The blur sharpens: each estimate is closer to the image than the first one.
        let first = max_difference(&estimates[..3 * 784], &images);
        let third = max_difference(&estimates[2 * 3 * 784..3 * 3 * 784], &images);
        assert!(third < first, "{model:?}: {first} then {third}");
    }

    // A walk from seed 3 to seed 9 in 5 images starts and ends on their images.
    let walk = values(
        studio
            .interpolate(&request("dress", 5, 3), 9, &device)
            .unwrap()
            .images(),
    );
    assert_eq!(walk.len(), 5 * 784);
    let alone = |seed| {
        values(
            studio
                .generate(&request("dress", 1, seed), &device)
                .unwrap()
                .images(),
        )
    };
    let (a, b) = (alone(3), alone(9));
    assert!(max_difference(&walk[..784], &a) < 1e-5);
    assert!(max_difference(&walk[4 * 784..], &b) < 1e-5);
    let middle = &walk[2 * 784..3 * 784];
    assert!(max_difference(middle, &a) > 0.1 && max_difference(middle, &b) > 0.1);
}

#[test]
fn variations_keep_the_image_at_strength_0_and_forget_it_at_1() {
    let device = Device::flex();
    let studio = studio(false, &device);
    // A filled rectangle, and its inverse.
    let image: Vec<f32> = (0..784)
        .map(|i| {
            let (row, col) = (i / 28, i % 28);
            f32::from((6..22).contains(&row) && (9..19).contains(&col))
        })
        .collect();
    let inverse: Vec<f32> = image.iter().map(|v| 1.0 - v).collect();
    let r = request("bag", 2, 1);
    let vary = |image: &[f32], strength| {
        values(
            studio
                .variations(&r, image, strength, &device)
                .unwrap()
                .images(),
        )
    };
    // Strength 0: the image through the autoencoder, for every variation.
    let through = values(
        studio
            .decode(&values(studio.encode(&image, &device).unwrap()), &device)
            .unwrap(),
    );
    let kept = vary(&image, 0.0);
    assert!(max_difference(&kept[..784], &through) < 1e-5);
    assert!(max_difference(&kept[784..], &through) < 1e-5);
    let error: f32 = through
        .iter()
        .zip(&image)
        .map(|(a, b)| (a - b).abs())
        .sum::<f32>()
        / 784.0;
    assert!(
        error < 0.1,
        "the autoencoder keeps the rectangle: mean error {error}"
    );
    // Strength 1: (almost) pure noise, so two opposite images give (almost) the same result.
    let d = max_difference(&vary(&image, 1.0), &vary(&inverse, 1.0));
    assert!(d < 0.05, "strength 1 forgets the image: they differ by {d}");
    // In between, the image shows: closer to it than to its inverse.
    let half = vary(&image, 0.5);
    let distance = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>();
    assert!(distance(&half[..784], &image) < distance(&half[..784], &inverse));
}

#[test]
fn bad_requests_are_refused_with_a_message() {
    let device = Device::flex();
    let studio = studio(false, &device);
    let ok = request("shirt", 2, 0);
    let refused = |r: StudioRequest| studio.generate(&r, &device).err().expect("refused");
    let says = |message: String, what: &str| assert!(message.contains(what), "{message}");
    says(
        refused(StudioRequest {
            word: "hat".into(),
            ..ok.clone()
        }),
        "sneaker",
    );
    says(
        refused(StudioRequest { n: 0, ..ok.clone() }),
        "number of images",
    );
    says(
        refused(StudioRequest {
            n: 10_000,
            ..ok.clone()
        }),
        "number of images",
    );
    says(
        refused(StudioRequest {
            guidance: f64::NAN,
            ..ok.clone()
        }),
        "guidance",
    );
    says(
        refused(StudioRequest {
            guidance: 9.0,
            ..ok.clone()
        }),
        "from 1 to 5",
    );
    says(
        refused(StudioRequest {
            steps: 2,
            ..ok.clone()
        }),
        "take 1 and 4",
    );
    let teacher = StudioRequest {
        model: Model::Teacher(SamplerKind::DpmPp2m),
        ..ok.clone()
    };
    says(refused(teacher), "teacher is not loaded");
    let image = vec![0.5; 784];
    let vary = |image: &[f32], strength| {
        studio
            .variations(&ok, image, strength, &device)
            .err()
            .unwrap()
    };
    says(vary(&image, 1.5), "strength");
    says(vary(&image, f64::NAN), "strength");
    says(vary(&image[..700], 0.5), "784");
    says(vary(&[2.0; 784], 0.5), "pixel values");
    let walk = studio.interpolate(&StudioRequest { n: 1, ..ok.clone() }, 2, &device);
    says(walk.err().unwrap(), "walk");
    says(studio.decode(&[0.0; 100], &device).err().unwrap(), "256");
    says(
        studio.decode(&[f32::NAN; 256], &device).err().unwrap(),
        "finite",
    );
    // And it still works.
    assert_eq!(
        studio.generate(&ok, &device).unwrap().images().dims(),
        [2, 1, 28, 28]
    );
}

/// The golden images of the browser test (`tests/web/images.rs`) are what the command line
/// draws now: remake them with the command below when the shipped student changes.
#[test]
fn the_golden_images_are_what_the_command_line_draws() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let golden = root.join("tests/golden/sneaker-16-seed0.npy");
    let dir = std::env::temp_dir().join(format!("diffusion-lab-golden-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (png, npy) = (dir.join("g.png"), dir.join("g.npy"));
    let args = [
        "sample-images",
        "--word",
        "sneaker",
        "--n",
        "16",
        "--seed",
        "0",
        "--out",
        png.to_str().unwrap(),
        "--npy",
        npy.to_str().unwrap(),
    ];
    let o = common::run(&args);
    assert!(o.status.success(), "{}", common::text(&o));
    let now = npy_values(&std::fs::read(&npy).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
    let d = max_difference(&now, &npy_values(&std::fs::read(&golden).unwrap()));
    assert!(
        d < 1e-5,
        "the command line draws other images than {} (by {d}): remake it with `diffusion-lab \
         sample-images --word sneaker --n 16 --seed 0 --out sneakers.png --npy {}`",
        golden.display(),
        "tests/golden/sneaker-16-seed0.npy"
    );
}

/// The float32 values of a `.npy` file (format 1.0, little-endian).
fn npy_values(bytes: &[u8]) -> Vec<f32> {
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    let header = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    bytes[10 + header..]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Jobs in blocks of rows (as the page computes on the CPU, painting between blocks) draw
/// the same images, even with a sampler that adds noise at every step (DDPM).
#[test]
fn blocks_of_rows_draw_the_same_images() {
    let device = Device::flex();
    let whole = studio(true, &device);
    let blocked = studio(true, &device).with_block_rows(2);
    let image: Vec<f32> = (0..784).map(|i| ((i % 28) as f32 / 27.0).powi(2)).collect();
    for (model, steps) in [(Model::Student, 4), (Model::Teacher(SamplerKind::Ddpm), 6)] {
        let r = StudioRequest {
            model,
            steps,
            ..request("coat", 5, 2)
        };
        let same = |a: Tensor<4>, b: Tensor<4>| {
            assert_eq!(a.dims(), b.dims());
            let d = max_difference(&values(a), &values(b));
            assert!(d < 1e-5, "{model:?}: blocks differ by {d}");
        };
        let both = |f: &dyn Fn(&Studio) -> diffusion_lab::images::studio::StudioJob| {
            (f(&whole), f(&blocked))
        };
        let (a, b) = both(&|s| s.generate(&r, &device).unwrap());
        same(a.images(), b.images());
        // Blocks of 2, 2 and 1 rows: each takes every step, then is decoded.
        let mut job = blocked.generate(&r, &device).unwrap();
        let mut pieces = 0;
        while job.step() {
            pieces += 1;
        }
        assert_eq!(pieces, 3 * steps + 3);
        // Watched: each block's estimates are decoded a step at a time.
        let mut job = blocked.generate(&r, &device).unwrap().watching();
        let mut pieces = 0;
        while job.step() {
            pieces += 1;
        }
        assert_eq!(pieces, 3 * steps + 3 * steps);
        let (a, b) = both(&|s| s.generate(&r, &device).unwrap().watching());
        let ((ea, la), (eb, lb)) = (a.watched(), b.watched());
        same(ea, eb);
        same(la, lb);
        let (a, b) = both(&|s| s.variations(&r, &image, 0.5, &device).unwrap());
        same(a.images(), b.images());
        let (a, b) = both(&|s| s.interpolate(&r, 9, &device).unwrap());
        same(a.images(), b.images());
    }
}
