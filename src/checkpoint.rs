//! A trained 2D model as bytes: its card (configs and provenance, JSON) beside its weights
//! (burnpack, burn's own tensor format), in one buffer:
//!
//! `b"DLAB"`, format version (u32, little-endian), card length in bytes (u32 LE), the card's
//! JSON, then the burnpack bytes of the moving-average weights.
//!
//! No file I/O here: the command line writes the bytes to a file, the page offers a download.

use crate::model::{MlpDenoiser, MlpDenoiserConfig};
use crate::train::TrainConfig;
use burn::config::Config;
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device, Tensor, TensorData};

const MAGIC: &[u8; 4] = b"DLAB";
const VERSION: u32 = 1;

/// What a checkpoint says about its model.
#[derive(Config, Debug, PartialEq)]
pub struct ModelCard {
    /// The network's hyper-parameters.
    pub model: MlpDenoiserConfig,
    /// How it was trained (schedule, prediction type, ...).
    pub train: TrainConfig,
    /// What it was trained on, for people (e.g. `dataset moons` or `points my.csv`).
    pub data: String,
    /// Optimiser steps taken.
    pub steps: usize,
}

/// Serialises `model` with its card. Reads the weights synchronously: natively or on the CPU
/// backend (the browser's WebGPU needs an asynchronous read).
pub fn to_bytes(model: &MlpDenoiser, card: &ModelCard) -> Result<Vec<u8>, String> {
    let weights = model
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| format!("could not serialise the weights: {e:?}"))?;
    let json = burn::config::config_to_json(card);
    let mut out = Vec::with_capacity(12 + json.len() + weights.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(json.as_bytes());
    out.extend_from_slice(&weights);
    Ok(out)
}

/// [`to_bytes`] for a model on any device, reading its weights asynchronously (WebGPU in the
/// browser allows no synchronous reads): each weight is read back in turn, copied into the
/// same network on the CPU, and that copy is serialised.
pub async fn to_bytes_async(model: &MlpDenoiser, card: &ModelCard) -> Result<Vec<u8>, String> {
    let mut collect = CollectWeights(Vec::new());
    model.visit(&mut collect);
    let mut weights = Vec::with_capacity(collect.0.len());
    for (id, tensor) in collect.0 {
        let data = tensor
            .into_data_async()
            .await
            .map_err(|e| format!("could not read the weights back: {e:?}"))?;
        weights.push((id, data));
    }
    let mut fill = FillWeights(weights.into_iter());
    let on_cpu = card.model.init(&Device::flex()).map(&mut fill);
    to_bytes(&on_cpu, card)
}

/// Every float weight with its id, flattened, in visiting order.
struct CollectWeights(Vec<(ParamId, Tensor<1>)>);

impl ModuleVisitor for CollectWeights {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val();
        let n = value.shape().num_elements();
        self.0.push((param.id, value.reshape([n])));
    }
}

/// Replaces every float weight, in visiting order, by the collected values and id.
struct FillWeights(std::vec::IntoIter<(ParamId, TensorData)>);

impl ModuleMapper for FillWeights {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, data) = self
            .0
            .next()
            .expect("the same network has the same weights");
        let value = param.val();
        let values = Tensor::<1>::from_data(data, &value.device()).reshape(value.dims());
        Param::initialized(id, values)
    }
}

/// Reads a checkpoint: its card, and its weights loaded into a network on `device`.
pub fn from_bytes(bytes: &[u8], device: &Device) -> Result<(MlpDenoiser, ModelCard), String> {
    let not_ours = "this is not a Diffusion Lab model file (it does not start with DLAB)";
    if bytes.len() < 12 || &bytes[..4] != MAGIC {
        return Err(not_ours.into());
    }
    let version = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(format!(
            "this model file has format version {version}; this build reads version {VERSION}"
        ));
    }
    let len = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
    let json = bytes
        .get(12..12 + len)
        .ok_or("the model file is truncated (its description is cut short)")?;
    let card = ModelCard::load_binary(json)
        .map_err(|e| format!("the model's description is not valid: {e}"))?;
    card.model.validate()?;
    card.train.validate()?;
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes[12 + len..].to_vec()))
        .map_err(|e| format!("the model's weights are not valid: {e:?}"))?;
    let model = card
        .model
        .init(device)
        .try_load_record(record)
        .map_err(|e| format!("the weights do not fit the described network: {e:?}"))?;
    Ok((model, card))
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Tensor;

    #[test]
    fn a_model_survives_the_round_trip() {
        let device = Device::flex();
        let config = MlpDenoiserConfig::new().with_width(16).with_depth(1);
        let model = config.init(&device);
        let card = ModelCard::new(config, TrainConfig::new(), "dataset moons".into(), 12);
        let bytes = to_bytes(&model, &card).unwrap();
        let (loaded, card2) = from_bytes(&bytes, &device).unwrap();
        assert_eq!(card2, card);
        let x = Tensor::<2>::ones([3, 2], &device);
        let t = Tensor::<2>::full([3, 1], 0.5, &device);
        let a = model
            .forward(x.clone(), t.clone())
            .into_data()
            .try_into_vec::<f32>()
            .unwrap();
        let b = loaded
            .forward(x, t)
            .into_data()
            .try_into_vec::<f32>()
            .unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn the_asynchronous_export_writes_the_same_bytes() {
        let device = Device::flex();
        let config = MlpDenoiserConfig::new().with_width(16).with_depth(2);
        let model = config.init(&device);
        let card = ModelCard::new(config, TrainConfig::new(), "dataset rings".into(), 3);
        let sync = to_bytes(&model, &card).unwrap();
        let future = to_bytes_async(&model, &card);
        let asynchronous = futures_lite::future::block_on(future);
        assert_eq!(sync, asynchronous.unwrap());
    }

    #[test]
    fn damaged_files_are_explained() {
        let device = Device::flex();
        assert!(
            from_bytes(b"PK\x03\x04 zip", &device)
                .unwrap_err()
                .contains("DLAB")
        );
        let config = MlpDenoiserConfig::new().with_width(16).with_depth(1);
        let card = ModelCard::new(config.clone(), TrainConfig::new(), "x".into(), 0);
        let bytes = to_bytes(&config.init(&device), &card).unwrap();
        assert!(
            from_bytes(&bytes[..20], &device)
                .unwrap_err()
                .contains("truncated")
        );
        assert!(from_bytes(&bytes[..bytes.len() - 100], &device).is_err());
        // A card that describes another network.
        let other = ModelCard::new(config.with_width(32), TrainConfig::new(), "x".into(), 0);
        let json = burn::config::config_to_json(&other);
        let mut swapped = bytes[..8].to_vec();
        swapped.extend_from_slice(&(json.len() as u32).to_le_bytes());
        swapped.extend_from_slice(json.as_bytes());
        let old_len = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
        swapped.extend_from_slice(&bytes[12 + old_len..]);
        assert!(
            from_bytes(&swapped, &device)
                .unwrap_err()
                .contains("do not fit")
        );
    }
}
