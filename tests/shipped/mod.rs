//! What the tests of the shipped image models share: reading a file of `www/models/`.

use burn::tensor::Device;
use diffusion_lab::checkpoint::{self, Card};
use std::path::Path;

/// The shipped model `name` (e.g. `student-4.dlab`) of kind `C`, on `device`.
pub fn load<C: Card>(name: &str, device: &Device) -> (C::Net, C) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("www/models")
        .join(name);
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (scripts/train-images.sh makes it)", path.display()));
    checkpoint::from_bytes::<C>(&bytes, device).unwrap()
}
