//! Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 28×28 grey images of ten kinds of clothing,
//! 60,000 for training and 10,000 for testing, as IDX files. Debian's package
//! `dataset-fashion-mnist` puts the gzipped files in [`DEFAULT_DIR`].
//!
//! The class names are the image pipeline's vocabulary: label k is `WORDS[k]`.

use super::idx::IdxArray;
use super::{IMAGE_PIXELS, IMAGE_SIDE};

/// The ten classes, in label order.
pub const WORDS: [&str; 10] = [
    "t-shirt",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle boot",
];

/// Where Debian's `dataset-fashion-mnist` installs the files.
pub const DEFAULT_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// The vocabulary as owned strings.
pub fn words() -> Vec<String> {
    WORDS.iter().map(|w| w.to_string()).collect()
}

/// Labelled 28×28 images.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledImages {
    /// Pixels, one byte each (0 white paper ... 255 full ink), image after image.
    pub pixels: Vec<u8>,
    /// Each image's class, 0 to 9.
    pub labels: Vec<u8>,
}

impl LabelledImages {
    /// Joins an images file (`[n, 28, 28]`) and a labels file (`[n]`), checked.
    pub fn from_idx(images: IdxArray, labels: IdxArray) -> Result<Self, String> {
        if images.dims.len() != 3 || images.dims[1..] != [IMAGE_SIDE, IMAGE_SIDE] {
            return Err(format!(
                "the images file holds arrays of shape {:?}, not [n, 28, 28]",
                images.dims
            ));
        }
        if labels.dims.len() != 1 || labels.dims[0] != images.dims[0] {
            return Err(format!(
                "the labels file holds shape {:?} for {} images",
                labels.dims, images.dims[0]
            ));
        }
        if let Some(bad) = labels.data.iter().find(|&&l| l as usize >= WORDS.len()) {
            return Err(format!(
                "a label is {bad}; Fashion-MNIST's labels go from 0 to 9"
            ));
        }
        Ok(Self {
            pixels: images.data,
            labels: labels.data,
        })
    }

    /// The number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Image `i`'s pixels scaled to [0, 1].
    pub fn image(&self, i: usize) -> Vec<f32> {
        self.pixels[i * IMAGE_PIXELS..(i + 1) * IMAGE_PIXELS]
            .iter()
            .map(|&p| p as f32 / 255.0)
            .collect()
    }

    /// Every image's pixels scaled to [0, 1], `[n × 784]`.
    pub fn all_images(&self) -> Vec<f32> {
        self.pixels.iter().map(|&p| p as f32 / 255.0).collect()
    }

    /// The first `n` images (all when there are fewer).
    pub fn first(&self, n: usize) -> Self {
        let n = n.min(self.len());
        Self {
            pixels: self.pixels[..n * IMAGE_PIXELS].to_vec(),
            labels: self.labels[..n].to_vec(),
        }
    }

    /// The images of class `label`.
    pub fn of_class(&self, label: u8) -> Self {
        let mut out = Self {
            pixels: Vec::new(),
            labels: Vec::new(),
        };
        for (i, &l) in self.labels.iter().enumerate() {
            if l == label {
                out.pixels
                    .extend_from_slice(&self.pixels[i * IMAGE_PIXELS..(i + 1) * IMAGE_PIXELS]);
                out.labels.push(l);
            }
        }
        out
    }
}

/// The two halves of the dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// 60,000 images.
    Train,
    /// 10,000 images.
    Test,
}

#[cfg(not(target_family = "wasm"))]
impl Split {
    /// The file names' prefix.
    fn prefix(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "t10k",
        }
    }
}

/// Reads a split from `dir` (gzipped or plain IDX files, as Debian and the original
/// distribution name them). A missing directory or file gets a message that says how to get it.
#[cfg(not(target_family = "wasm"))]
pub fn load(dir: &std::path::Path, split: Split) -> Result<LabelledImages, String> {
    let read = |kind: &str| -> Result<IdxArray, String> {
        let name = format!(
            "{}-{kind}-idx{}-ubyte",
            split.prefix(),
            if kind == "images" { 3 } else { 1 }
        );
        let gz = dir.join(format!("{name}.gz"));
        let plain = dir.join(&name);
        let bytes = if gz.exists() {
            let file =
                std::fs::read(&gz).map_err(|e| format!("cannot read {}: {e}", gz.display()))?;
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&file[..]), &mut out)
                .map_err(|e| format!("{} is not a valid gzip file: {e}", gz.display()))?;
            out
        } else if plain.exists() {
            std::fs::read(&plain).map_err(|e| format!("cannot read {}: {e}", plain.display()))?
        } else {
            return Err(format!(
                "Fashion-MNIST was not found: there is no {} in {}. Install Debian's package \
                 (`sudo apt-get install dataset-fashion-mnist`, which puts it in {DEFAULT_DIR}) \
                 or pass --data DIR with the four IDX files",
                gz.file_name().and_then(|n| n.to_str()).unwrap_or(""),
                dir.display()
            ));
        };
        super::idx::parse(&name, &bytes)
    };
    LabelledImages::from_idx(read("images")?, read("labels")?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::idx::{self, encode as idx};

    #[test]
    fn images_and_labels_are_joined_and_checked() {
        let pixels: Vec<u8> = (0..2 * 784).map(|i| (i % 256) as u8).collect();
        let images = idx::parse("i", &idx(&[2, 28, 28], &pixels)).unwrap();
        let labels = idx::parse("l", &idx(&[2], &[7, 3])).unwrap();
        let set = LabelledImages::from_idx(images.clone(), labels).unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(set.image(1)[0], (784 % 256) as f32 / 255.0);
        assert_eq!(set.of_class(3).labels, [3]);
        let three = idx::parse("l", &idx(&[3], &[7, 3, 1])).unwrap();
        let err = LabelledImages::from_idx(images.clone(), three).unwrap_err();
        assert!(err.contains("for 2 images"), "{err}");
        let bad = idx::parse("l", &idx(&[2], &[7, 10])).unwrap();
        assert!(
            LabelledImages::from_idx(images, bad)
                .unwrap_err()
                .contains("0 to 9")
        );
        let small = idx::parse("i", &idx(&[1, 4, 4], &[0; 16])).unwrap();
        let one = idx::parse("l", &idx(&[1], &[0])).unwrap();
        assert!(
            LabelledImages::from_idx(small, one)
                .unwrap_err()
                .contains("[n, 28, 28]")
        );
    }

    #[cfg(not(target_family = "wasm"))]
    #[test]
    fn gzipped_files_load_and_a_missing_directory_says_how_to_get_it() {
        use std::io::Write;
        let dir = std::env::temp_dir().join(format!("dlab-fashion-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let gz = |name: &str, bytes: &[u8]| {
            let file = std::fs::File::create(dir.join(name)).unwrap();
            let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
            enc.write_all(bytes).unwrap();
            enc.finish().unwrap();
        };
        gz("t10k-images-idx3-ubyte.gz", &idx(&[1, 28, 28], &[200; 784]));
        gz("t10k-labels-idx1-ubyte.gz", &idx(&[1], &[9]));
        let set = load(&dir, Split::Test).unwrap();
        assert_eq!(set.labels, [9]);
        let err = load(&dir, Split::Train).unwrap_err();
        assert!(
            err.contains("dataset-fashion-mnist") && err.contains("--data"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
