//! The exported `ImageStudio` class: images of a word from the shipped latent models, for the
//! page and for outside scripts. Options objects in, typed arrays out, every value checked
//! (the library checks ranges, in one place); missing models are fetched when first asked
//! for, and on the CPU the browser gets its turn between steps.

use super::pace::in_worker;
use super::{count, options, read_floats, reject, seed};
use crate::backend::{Backend, BackendKind};
use crate::images::card::{AutoencoderCard, JudgeCard, LatentDenoiserCard};
use crate::images::studio::{Model, Studio, StudioRequest};
use js_sys::{Array, Function, Promise};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

mod inputs;
mod jobs;
use inputs::{
    AUTOENCODER, FIRST_STUDENT, JUDGE, SHIPPED, SHIPPED_STUDENTS, TEACHER, backend_of, fetch, read,
    request, student_file,
};
use jobs::images;

/// Images of a word on the page's backend: the distilled students (1, 2 or 4 steps) and, for
/// comparison, their teacher with any sampler.
///
/// Methods that compute return promises; each takes the models it needs when it is called,
/// and those that sample take the option `signal` (an `AbortSignal`) to cancel them.
#[wasm_bindgen]
pub struct ImageStudio {
    studio: Rc<RefCell<Studio>>,
    backend: Backend,
    /// Where missing models are fetched from (`None` for a studio loaded from bytes).
    base: Option<String>,
    on_progress: Option<Function>,
}

/// Images computed at once on the CPU, where a step computes before it returns: the page
/// paints between blocks (on WebGPU a job's steps are only queued, all rows at once).
const CPU_BLOCK_IMAGES: usize = 8;
/// The same in a Web Worker, where no frame waits: blocks only bound how long a cancellation
/// waits (about 0.1 s for a step of 32 images on a 2-core laptop), and fewer pieces lose less
/// time between them.
const WORKER_BLOCK_IMAGES: usize = 32;

impl ImageStudio {
    fn with(
        studio: Studio,
        backend: Backend,
        base: Option<String>,
        on_progress: Option<Function>,
    ) -> Self {
        let studio = match backend.kind {
            BackendKind::Cpu if in_worker() => studio.with_block_rows(WORKER_BLOCK_IMAGES),
            BackendKind::Cpu => studio.with_block_rows(CPU_BLOCK_IMAGES),
            BackendKind::WebGpu | BackendKind::NativeGpu => studio,
        };
        Self {
            studio: Rc::new(RefCell::new(studio)),
            backend,
            base,
            on_progress,
        }
    }

    fn handle(&self) -> ImageStudio {
        ImageStudio {
            studio: self.studio.clone(),
            backend: self.backend.clone(),
            base: self.base.clone(),
            on_progress: self.on_progress.clone(),
        }
    }

    /// Fetches the model `request` needs when it is not at hand and is shipped.
    async fn fetch_missing(&self, request: &StudioRequest) -> Result<(), JsValue> {
        let Some(base) = &self.base else {
            return Ok(());
        };
        let file = {
            let studio = self.studio.borrow();
            match request.model {
                Model::Student if !studio.student_steps().contains(&request.steps) => {
                    SHIPPED_STUDENTS
                        .contains(&request.steps)
                        .then(|| student_file(request.steps))
                }
                Model::Teacher(_) if !studio.has_teacher() => Some(TEACHER.to_string()),
                _ => None,
            }
        };
        if let Some(file) = file {
            let bytes = fetch(base, &file, self.on_progress.as_ref()).await?;
            self.add(&file, &bytes).map_err(reject)?;
        }
        Ok(())
    }

    /// Adds a latent denoiser's file.
    fn add(&self, what: &str, bytes: &[u8]) -> Result<(), String> {
        let (unet, card) = read::<LatentDenoiserCard>(what, bytes, &self.backend)?;
        self.studio.borrow_mut().add(unet, card).map(|_| ())
    }
}

#[wasm_bindgen]
impl ImageStudio {
    /// Opens the studio with the shipped models, fetched from `base` (default `www/models/`,
    /// relative to the page): the autoencoder and the 4-step student; the other students and
    /// the teacher are fetched when first asked for. Options: `{device: "cpu"}` forces the CPU
    /// backend; `onProgress({file, loaded, total})` follows the downloads (`total` is the
    /// server's Content-Length, 0 when unknown).
    #[wasm_bindgen(unchecked_return_type = "Promise<ImageStudio>")]
    pub fn open(options: JsValue) -> Promise {
        future_to_promise(async move {
            let on_progress = options::function(&options, "onProgress").map_err(reject)?;
            let base = options::string(&options, "base")
                .map_err(reject)?
                .unwrap_or_else(|| SHIPPED.to_string());
            let backend = backend_of(&options).await.map_err(reject)?;
            let autoencoder = fetch(&base, AUTOENCODER, on_progress.as_ref()).await?;
            let (ae, ae_card) =
                read::<AutoencoderCard>(AUTOENCODER, &autoencoder, &backend).map_err(reject)?;
            let studio = Self::with(
                Studio::new(ae, ae_card),
                backend,
                Some(base.clone()),
                on_progress,
            );
            let file = student_file(FIRST_STUDENT);
            let student = fetch(&base, &file, studio.on_progress.as_ref()).await?;
            studio.add(&file, &student).map_err(reject)?;
            Ok(studio.into())
        })
    }

    /// A studio from files' bytes (`Uint8Array`s): `{decoder, denoiser, teacher?, device?}`.
    /// `decoder` is the autoencoder's file (the shipped one holds the decoder and the encoder
    /// in 0.5 MB, so they come together; `encoder`, when given instead, is the same file);
    /// `denoiser` a student's file (or an array of them); `teacher` the model they were
    /// distilled from. Nothing is fetched later.
    #[wasm_bindgen(unchecked_return_type = "Promise<ImageStudio>")]
    pub fn load(options: JsValue) -> Promise {
        future_to_promise(async move {
            let backend = backend_of(&options).await.map_err(reject)?;
            let autoencoder = match options::bytes(&options, "decoder").map_err(reject)? {
                Some(bytes) => bytes,
                None => options::bytes(&options, "encoder")
                    .map_err(reject)?
                    .ok_or_else(|| {
                        reject("give the autoencoder's file as the option decoder".into())
                    })?,
            };
            let (ae, ae_card) =
                read::<AutoencoderCard>("decoder", &autoencoder, &backend).map_err(reject)?;
            let studio = Self::with(Studio::new(ae, ae_card), backend, None, None);
            let denoisers = js_sys::Reflect::get(&options, &"denoiser".into()).unwrap_or_default();
            let denoisers: Vec<JsValue> = if Array::is_array(&denoisers) {
                Array::from(&denoisers).to_vec()
            } else {
                vec![denoisers]
            };
            for value in denoisers {
                if value.is_undefined() || value.is_null() {
                    return Err(reject(
                        "give a student's file as the option denoiser".into(),
                    ));
                }
                let bytes = options::file_bytes(&value, "denoiser").map_err(reject)?;
                studio.add("denoiser", &bytes).map_err(reject)?;
            }
            if let Some(bytes) = options::bytes(&options, "teacher").map_err(reject)? {
                studio.add("teacher", &bytes).map_err(reject)?;
            }
            Ok(studio.into())
        })
    }

    /// The words it draws.
    pub fn words(&self) -> Vec<String> {
        self.studio
            .borrow()
            .words()
            .map_or_else(Vec::new, <[String]>::to_vec)
    }

    /// `"webgpu"` or `"cpu"`.
    pub fn backend(&self) -> String {
        self.backend.kind.as_str().to_string()
    }

    /// The backend in words, e.g. `WebGPU: google swiftshader`.
    #[wasm_bindgen(js_name = backendDescription)]
    pub fn backend_description(&self) -> String {
        self.backend.describe()
    }

    /// Resolves with the reason once the studio's WebGPU device is lost (never on the CPU):
    /// the studio can draw no more; open another (on a new device, or the CPU).
    pub fn lost(&self) -> Promise {
        super::lost_promise(self.backend.lost.clone())
    }

    /// The steps of the students at hand (more are fetched when asked for, if shipped).
    #[wasm_bindgen(js_name = studentSteps)]
    pub fn student_steps(&self) -> Vec<u32> {
        self.studio
            .borrow()
            .student_steps()
            .into_iter()
            .map(|s| s as u32)
            .collect()
    }

    /// Whether the teacher is at hand (it is fetched when first asked for).
    #[wasm_bindgen(js_name = hasTeacher)]
    pub fn has_teacher(&self) -> bool {
        self.studio.borrow().has_teacher()
    }

    /// Images of a word: `{word, n = 16, steps = 4, guidance = 3, seed = 0, model = "student",
    /// sampler = "dpmpp2m"}` (`model: "teacher"` uses the teacher with `sampler` in `steps`).
    /// Resolves with `n × 28 × 28` values in [0, 1], image after image, row by row.
    #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
    pub fn generate(&self, options: JsValue) -> Promise {
        let device = self.backend.device.clone();
        self.run(
            &options,
            request(&options),
            move |s, r| s.generate(r, &device),
            images,
        )
    }

    /// The denoising watched (options as `generate`): the decoded clean estimate after every
    /// step, `steps × n × 28 × 28` values (step after step); the last step's are the images.
    #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
    pub fn denoising(&self, options: JsValue) -> Promise {
        let device = self.backend.device.clone();
        let make = move |s: &Studio, r: &StudioRequest| Ok(s.generate(r, &device)?.watching());
        self.run(&options, request(&options), make, |job| {
            Box::pin(read_floats(job.watched().0))
        })
    }

    /// The denoising watched with its latents, from one sampling (options as `generate`):
    /// `{estimates, latents}`, `estimates` as `denoising` resolves, `latents` the standardised
    /// latents before the first step and after each, `(steps + 1) × n × 4 × 8 × 8` values.
    #[wasm_bindgen(
        js_name = denoisingWithLatents,
        unchecked_return_type = "Promise<{estimates: Float32Array, latents: Float32Array}>"
    )]
    pub fn denoising_with_latents(&self, options: JsValue) -> Promise {
        let device = self.backend.device.clone();
        let make = move |s: &Studio, r: &StudioRequest| Ok(s.generate(r, &device)?.watching());
        self.run(&options, request(&options), make, |job| {
            Box::pin(async move {
                let (estimates, latents) = job.watched();
                let out = js_sys::Object::new();
                for (key, tensor) in [("estimates", estimates), ("latents", latents)] {
                    let values = read_floats(tensor).await?;
                    js_sys::Reflect::set(&out, &key.into(), &values)?;
                }
                Ok(out.into())
            })
        })
    }

    /// A walk between the noise of two seeds: `{word, seedA, seedB, count = 8, steps,
    /// guidance, model, sampler}`; resolves with `count × 28 × 28` values, the first image
    /// that of `seedA` alone and the last that of `seedB`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
    pub fn interpolate(&self, options: JsValue) -> Promise {
        let device = self.backend.device.clone();
        let parsed = (|| {
            let seed_b = seed(options::number(&options, "seedB")?.unwrap_or(1.0))?;
            let mut r = request(&options)?;
            r.seed = seed(options::number(&options, "seedA")?.unwrap_or(0.0))?;
            r.n = count(
                "the number of images",
                options::number(&options, "count")?.unwrap_or(8.0),
            )?;
            Ok::<_, String>((r, seed_b))
        })();
        let seed_b = parsed.as_ref().map_or(0, |p| p.1);
        self.run(
            &options,
            parsed.map(|p| p.0),
            move |s, r| s.interpolate(r, seed_b, &device),
            images,
        )
    }

    /// Variations of your image under a word (SDEdit): `{image, word, strength = 0.6, n = 16,
    /// seed, steps, guidance, model, sampler}`, `image` 28 × 28 values in [0, 1] (0 no ink);
    /// strength 0 gives it back through the autoencoder, 1 ignores it. Resolves as `generate`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
    pub fn variations(&self, options: JsValue) -> Promise {
        let device = self.backend.device.clone();
        let parsed = (|| {
            let image = options::floats(&options, "image")?
                .ok_or("give the image as the option image (784 values in [0, 1])")?;
            let strength = options::number(&options, "strength")?.unwrap_or(0.6);
            Ok::<_, String>((request(&options)?, image, strength))
        })();
        let (request, rest) = match parsed {
            Ok((r, image, strength)) => (Ok(r), Some((image, strength))),
            Err(e) => (Err(e), None),
        };
        let make = move |s: &Studio, r: &StudioRequest| {
            let (image, strength) = rest.expect("parsed when the request is");
            s.variations(r, &image, strength, &device)
        };
        self.run(&options, request, make, images)
    }

    /// What the judge (the classifier the command line's `eval-images` judges with, trained on
    /// real images only) sees in each image (`n × 784` values in [0, 1]): resolves with one
    /// word per image. Its weights (0.3 MB) are fetched when first asked for.
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn judge(&self, images: &[f32]) -> Promise {
        let this = self.handle();
        let images = images.to_vec();
        future_to_promise(async move {
            if !this.studio.borrow().has_judge()
                && let Some(base) = &this.base
            {
                let bytes = fetch(base, JUDGE, this.on_progress.as_ref()).await?;
                let (judge, card) =
                    read::<JudgeCard>(JUDGE, &bytes, &this.backend).map_err(reject)?;
                this.studio.borrow_mut().set_judge(judge, card);
            }
            let (classes, words) = {
                let studio = this.studio.borrow();
                let (classes, words) = studio
                    .judge(&images, &this.backend.device)
                    .map_err(reject)?;
                (classes, words.to_vec())
            };
            let classes = classes
                .into_data_async()
                .await
                .map_err(|e| reject(format!("reading the judge's answer back failed: {e:?}")))?
                .convert::<i64>()
                .try_to_vec::<i64>()
                .map_err(|e| reject(format!("the judge's answer has an unexpected type: {e:?}")))?;
            let out = Array::new();
            for class in classes {
                let word = words.get(class as usize).cloned().unwrap_or_default();
                out.push(&JsValue::from_str(&word));
            }
            Ok(out.into())
        })
    }

    /// Images (`n × 784` values in [0, 1]) to standardised latents, `n × 4 × 8 × 8` values.
    #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
    pub fn encode(&self, image: &[f32]) -> Promise {
        let latents = self.studio.borrow().encode(image, &self.backend.device);
        future_to_promise(async move { read_floats(latents.map_err(reject)?).await })
    }

    /// Standardised latents (`n × 4 × 8 × 8` values) to images, `n × 28 × 28` values.
    #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
    pub fn decode(&self, latent: &[f32]) -> Promise {
        let images = self.studio.borrow().decode(latent, &self.backend.device);
        future_to_promise(async move { read_floats(images.map_err(reject)?).await })
    }
}
