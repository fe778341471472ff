//! The `Playground` exports of guided diffusion: points named by words, samples drawn by word
//! with classifier-free guidance, the word vectors, and how well a word's samples match it.

use super::{Playground, draw, floats, quality_object, read_values, reject, text_ref};
use crate::points::playground::Draw;
use crate::web::options::{text, texts};
use crate::web::{OrJs, count, number, seed};
use js_sys::{Float32Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// The request towards `word` with the guidance scale JavaScript gave.
fn towards<'a>(draw: Draw<'a>, word: &'a str, guidance: f64) -> Result<Draw<'a>, String> {
    Ok(draw.with_word(word, number("guidance", guidance)?))
}

#[wasm_bindgen]
impl Playground {
    /// `n` samples for `word` (one of the words the points were named with), with
    /// classifier-free guidance of scale `guidance` (0 ignores the word, 1 is the conditional
    /// model, up to 10 sharpens it); otherwise as `sample` (`signal` too).
    #[wasm_bindgen(js_name = sampleWord)]
    #[allow(clippy::too_many_arguments)] // the signature JavaScript calls, fixed by the API
    pub fn sample_word(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] word: JsValue,
        n: f64,
        #[wasm_bindgen(unchecked_param_type = "string")] sampler: JsValue,
        steps: f64,
        guidance: f64,
        seed_value: f64,
        eta: Option<f64>,
        signal: JsValue,
    ) -> Promise {
        let (word, sampler) = (text("the word", &word), text("the sampler", &sampler));
        let request = text_ref(&sampler)
            .and_then(|s| draw(n, s, steps, seed_value, eta))
            .and_then(|d| towards(d, text_ref(&word)?, guidance));
        self.run(request, false, &signal)
    }

    /// Like `sampleWord`, keeping every state (as `trajectory`).
    #[wasm_bindgen(js_name = trajectoryWord)]
    #[allow(clippy::too_many_arguments)] // as `sampleWord`
    pub fn trajectory_word(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] word: JsValue,
        n: f64,
        #[wasm_bindgen(unchecked_param_type = "string")] sampler: JsValue,
        steps: f64,
        guidance: f64,
        seed_value: f64,
        eta: Option<f64>,
        signal: JsValue,
    ) -> Promise {
        let (word, sampler) = (text("the word", &word), text("the sampler", &sampler));
        let request = text_ref(&sampler)
            .and_then(|s| draw(n, s, steps, seed_value, eta))
            .and_then(|d| towards(d, text_ref(&word)?, guidance));
        self.run(request, true, &signal)
    }

    /// Trains from now on named groups of points: `points` is `[x0, y0, ...]`, `labels[i]`
    /// is point i's word (1 for `words[0]`), and each group is standardised on its own. The
    /// network becomes conditional on the words; the model is forgotten. Bad input changes
    /// nothing.
    #[wasm_bindgen(js_name = setLabeledPoints)]
    pub fn set_labeled_points(
        &self,
        points: &[f32],
        labels: &[u32],
        #[wasm_bindgen(unchecked_param_type = "string[]")] words: JsValue,
    ) -> Result<(), JsError> {
        let words = texts("the words", &words).js()?;
        self.inner
            .borrow_mut()
            .set_labeled_points(points, labels, &words)
            .js()
    }

    /// Trains from now on `n` points of each of several built-in datasets, each named by its
    /// own name (e.g. `["moons", "rings", "spiral"]`).
    #[wasm_bindgen(js_name = setDatasets)]
    pub fn set_datasets(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] names: JsValue,
        n: f64,
        seed_value: f64,
    ) -> Result<(), JsError> {
        let names = texts("the datasets' names", &names).js()?;
        let n = count("the number of points", n).js()?;
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        self.inner
            .borrow_mut()
            .set_datasets(&names, n, seed(seed_value).js()?)
            .js()
    }

    /// The words that name the data's groups (empty when the points are not named).
    pub fn words(&self) -> Vec<String> {
        self.inner.borrow().words()
    }

    /// Each training point's word label (1 for the first word; empty when not named).
    pub fn labels(&self) -> Vec<u32> {
        self.inner.borrow().labels().to_vec()
    }

    /// Sets the size of the word vectors (2 to 1024) and the probability that training drops
    /// a point's word (0 to below 1); a change forgets the model.
    #[wasm_bindgen(js_name = setConditioning)]
    pub fn set_conditioning(&self, word_dim: f64, label_dropout: f64) -> Result<(), JsError> {
        let dim = count("the word vectors' size", word_dim).js()?;
        let dropout = number("label dropout", label_dropout).js()?;
        self.inner.borrow_mut().set_conditioning(dim, dropout).js()
    }

    /// The word vectors of the moving-average model: `words + 1` rows of the vector size, row
    /// 0 being "no word" (∅), then one row per word in order.
    pub fn embeddings(&self) -> Promise {
        floats(self.inner.borrow_mut().embeddings())
    }

    /// The word vectors as points in a plane: `[x, y]` per row of `embeddings()`, their first
    /// two principal components (the vectors themselves when they have two dimensions).
    #[wasm_bindgen(js_name = embeddingMap)]
    pub fn embedding_map(&self) -> Promise {
        let vectors = self.inner.borrow_mut().embeddings();
        future_to_promise(async move {
            let vectors = vectors.map_err(reject)?;
            let dim = vectors.dims()[1];
            let values = read_values(vectors).await?;
            let map = crate::points::pca::project_2d(&values, dim).map_err(reject)?;
            Ok(Float32Array::from(&map[..]).into())
        })
    }

    /// How well `samples` drawn for `word` match that word's points: `{swd, mmd, floorSwd,
    /// floorMmd, accuracy}`, accuracy being the fraction of samples whose nearest held-out
    /// point belongs to `word`.
    #[wasm_bindgen(js_name = wordQuality)]
    pub fn word_quality(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] word: JsValue,
        samples: &[f32],
    ) -> Result<Object, JsError> {
        let word = text("the word", &word).js()?;
        let (q, accuracy) = self.inner.borrow().word_quality(&word, samples).js()?;
        let out = quality_object(&q);
        Reflect::set(&out, &"accuracy".into(), &accuracy.into())
            .map_err(|_| JsError::new("could not build the result"))?;
        Ok(out)
    }
}
