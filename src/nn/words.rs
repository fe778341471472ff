//! Words as trainable vectors: a vocabulary in which every word owns a dense embedding vector,
//! learned together with the denoiser (words as dense vectors: Mikolov et al. 2013; a learned
//! class embedding added to the time embedding: Dhariwal & Nichol 2021, "Diffusion Models Beat
//! GANs on Image Synthesis", and Ho & Salimans 2022, "Classifier-Free Diffusion Guidance").
//!
//! Row 0 of the table is reserved for "no condition" (∅). Training replaces a word by ∅ with
//! some probability (label dropout), so one network learns the conditional model p(x | word)
//! and the unconditional one p(x), the two that classifier-free guidance combines.
//!
//! Nothing here is specific to 2D points: a latent image denoiser conditions on the same table.

use crate::check::check_range;
use burn::config::Config;
use burn::module::Module;
use burn::nn::{Embedding, EmbeddingConfig};
use burn::tensor::{Device, Int, Tensor};

/// The label of "no condition" (∅); word `i` of the vocabulary has label `i + 1`.
pub const NO_WORD: u32 = 0;
/// The most words one vocabulary may hold.
pub const MAX_WORDS: usize = 256;
/// The longest word, in characters.
pub const MAX_WORD_CHARS: usize = 40;
/// The smallest and largest embedding dimensions.
pub const DIM_RANGE: std::ops::RangeInclusive<usize> = 2..=1024;

/// A vocabulary and the size of its vectors.
#[derive(Config, Debug, PartialEq)]
pub struct WordEmbeddingConfig {
    /// The words, in label order (word `i` has label `i + 1`).
    pub words: Vec<String>,
    /// Dimension of each word's vector.
    #[config(default = 4)]
    pub dim: usize,
}

impl WordEmbeddingConfig {
    /// Checks the vocabulary and the dimension, for configs that come from people.
    pub fn validate(&self) -> Result<(), String> {
        check_words(&self.words)?;
        check_range("the word vectors' size", self.dim, &DIM_RANGE)
    }

    /// The label of `word` (1 for the first word), or an error that lists the known words.
    pub fn label(&self, word: &str) -> Result<u32, String> {
        self.words
            .iter()
            .position(|w| w == word.trim())
            .map(|i| i as u32 + 1)
            .ok_or_else(|| {
                format!(
                    "unknown word {word:?}: this model knows {}",
                    self.words.join(", ")
                )
            })
    }

    /// A table of fresh vectors (standard normal entries) on `device`.
    pub fn init(&self, device: &Device) -> WordEmbedding {
        WordEmbedding {
            table: EmbeddingConfig::new(self.words.len() + 1, self.dim).init(device),
        }
    }
}

/// Checks a vocabulary: 1 to [`MAX_WORDS`] distinct, non-empty words of at most
/// [`MAX_WORD_CHARS`] characters, without surrounding spaces.
pub fn check_words(words: &[String]) -> Result<(), String> {
    if words.is_empty() {
        return Err("the vocabulary is empty: give at least one word".into());
    }
    if words.len() > MAX_WORDS {
        return Err(format!(
            "at most {MAX_WORDS} words are allowed, not {}",
            words.len()
        ));
    }
    for (i, word) in words.iter().enumerate() {
        if word.trim().is_empty() {
            return Err(format!("word {} is empty", i + 1));
        }
        if word.trim() != word {
            return Err(format!("the word {word:?} has spaces around it"));
        }
        if word.chars().count() > MAX_WORD_CHARS {
            return Err(format!(
                "the word {word:?} is longer than {MAX_WORD_CHARS} characters"
            ));
        }
        if words[..i].contains(word) {
            return Err(format!("the word {word:?} appears twice"));
        }
    }
    Ok(())
}

/// The trainable vectors: one row per label, row 0 for ∅.
#[derive(Module, Debug)]
pub struct WordEmbedding {
    table: Embedding,
}

impl WordEmbedding {
    /// The vectors of `labels`.
    ///
    /// # Shapes
    /// - `labels`: `[batch]`, each in `0..=words`
    /// - output: `[batch, dim]`
    pub fn forward(&self, labels: Tensor<1, Int>) -> Tensor<2> {
        let [batch] = labels.dims();
        let out = self.table.forward(labels.reshape([1, batch]));
        let [_, _, dim] = out.dims();
        out.reshape([batch, dim])
    }

    /// The whole table, `[words + 1, dim]`, row 0 being ∅.
    pub fn vectors(&self) -> Tensor<2> {
        self.table.weight.val()
    }

    /// The dimension of each vector.
    pub fn dim(&self) -> usize {
        self.table.weight.dims()[1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn labels_start_at_one_and_unknown_words_name_the_known_ones() {
        let config = WordEmbeddingConfig::new(words(&["moons", "rings"]));
        config.validate().unwrap();
        assert_eq!(config.label("moons"), Ok(1));
        assert_eq!(config.label("rings"), Ok(2));
        let err = config.label("spiral").unwrap_err();
        assert!(
            err.contains("spiral") && err.contains("moons, rings"),
            "{err}"
        );
    }

    #[test]
    fn bad_vocabularies_are_explained() {
        let check = |list: &[&str], dim: usize| {
            WordEmbeddingConfig::new(words(list))
                .with_dim(dim)
                .validate()
                .unwrap_err()
        };
        assert!(check(&[], 4).contains("empty"));
        assert!(check(&["a", "a"], 4).contains("twice"));
        assert!(check(&[" a"], 4).contains("spaces"));
        assert!(check(&[""], 4).contains("empty"));
        assert!(check(&["a"], 1).contains("size"));
        assert!(check(&["a"], 1025).contains("size"));
        assert!(
            WordEmbeddingConfig::new(words(&["a"]))
                .with_dim(1024)
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn forward_looks_up_rows_of_the_table() {
        let device = Device::flex();
        let table = WordEmbeddingConfig::new(words(&["a", "b"]))
            .with_dim(3)
            .init(&device);
        assert_eq!(table.dim(), 3);
        let all = table.vectors().into_data().try_into_vec::<f32>().unwrap();
        let labels = Tensor::<1, Int>::from_data(TensorData::from([2i64, 0, 2]), &device);
        let got = table
            .forward(labels)
            .into_data()
            .try_into_vec::<f32>()
            .unwrap();
        assert_eq!(&got[0..3], &all[6..9]);
        assert_eq!(&got[3..6], &all[0..3]);
        assert_eq!(&got[6..9], &all[6..9]);
    }
}
