//! A trained model as bytes: its card (configs and provenance, JSON) beside its weights
//! (burnpack, burn's own tensor format), in one buffer, one format for every kind of model:
//!
//! `b"DLAB"`, format version (u32, little-endian), the CRC-32 (IEEE, as zlib and PNG compute
//! it; u32 LE) of every byte after it, the kind's name length (u8) and name (ASCII, e.g.
//! `points-denoiser`), the card's length in bytes (u32 LE), the card's JSON, then the burnpack
//! bytes of the weights. The checksum is checked before anything else is read, so a file
//! damaged anywhere after its first 12 bytes (cut short, a bit flipped in the card or the
//! weights) is refused before a tensor is built. Version 2 files have no checksum; version 1
//! files (before kinds existed) hold 2D denoisers and have no kind field either.
//!
//! Each kind of model has a [`Card`], which knows how to build the network its weights fill.
//! A file of another kind is refused with a message that names both kinds.
//!
//! Weights may be stored in half precision ([`Precision::Half`], what the page downloads:
//! half the bytes, and for these small networks no visible loss); they are always loaded as
//! 32-bit floats.
//!
//! No file I/O here: the command line writes the bytes to a file, the page offers a download.

use burn::config::Config;
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, DType, Device, Tensor, TensorData};

const MAGIC: &[u8; 4] = b"DLAB";
const VERSION: u32 = 3;
/// The first byte after the checksum of a version 3 file.
const CHECKED_FROM: usize = 12;
/// The kind every version 1 file holds.
const VERSION_1_KIND: &str = "points-denoiser";

/// What a checkpoint says about its model, for one kind of model.
pub trait Card: Config {
    /// The kind's name in the file (short, ASCII).
    const KIND: &'static str;
    /// What the kind is, for people ("a 2D denoiser").
    const DESCRIPTION: &'static str;
    /// The network the weights fill.
    type Net: Module;

    /// Checks the card's values (a card read from a file is input like any other).
    fn validate(&self) -> Result<(), String>;

    /// The network the card describes, with fresh weights on `device`.
    fn init(&self, device: &Device) -> Self::Net;
}

/// How weights are stored in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// 32-bit floats.
    Full,
    /// 16-bit floats (IEEE half precision).
    Half,
}

/// Serialises `model` with its card, in full precision. Reads the weights synchronously:
/// natively or on the CPU backend (the browser's WebGPU needs [`to_bytes_async`]).
pub fn to_bytes<C: Card>(model: &C::Net, card: &C) -> Result<Vec<u8>, String> {
    to_bytes_as(model, card, Precision::Full)
}

/// [`to_bytes`] with the weights stored in `precision`.
pub fn to_bytes_as<C: Card>(
    model: &C::Net,
    card: &C,
    precision: Precision,
) -> Result<Vec<u8>, String> {
    let model = match precision {
        Precision::Full => model.clone(),
        Precision::Half => model.clone().map(&mut Cast(DType::F16)),
    };
    let weights = model
        .into_record()
        .into_bytes()
        .map_err(|e| format!("could not serialise the weights: {e:?}"))?;
    let json = burn::config::config_to_json(card);
    let kind = C::KIND.as_bytes();
    let mut out = Vec::with_capacity(17 + kind.len() + json.len() + weights.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // the checksum, once the rest is written
    out.push(kind.len() as u8);
    out.extend_from_slice(kind);
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(json.as_bytes());
    out.extend_from_slice(&weights);
    seal(&mut out);
    Ok(out)
}

/// Writes the checksum of a version 3 file's bytes after it into its place (after a change,
/// in tests, to reach what the checksum guards).
pub(crate) fn seal(file: &mut [u8]) {
    let crc = crc32fast::hash(&file[CHECKED_FROM..]);
    file[8..CHECKED_FROM].copy_from_slice(&crc.to_le_bytes());
}

/// [`to_bytes`] for a model on any device, reading its weights asynchronously (WebGPU in the
/// browser allows no synchronous reads): each weight is read back in turn, copied into the
/// same network on the CPU, and that copy is serialised.
pub async fn to_bytes_async<C: Card>(model: &C::Net, card: &C) -> Result<Vec<u8>, String> {
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
    let on_cpu = card.init(&Device::flex()).map(&mut fill);
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

/// Casts every float weight to a type.
struct Cast(DType);

impl ModuleMapper for Cast {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let dtype = self.0;
        param.map(|t| t.cast(dtype))
    }
}

/// Whether any float weight is stored in another type than 32-bit floats.
struct AnyNotF32(bool);

impl ModuleVisitor for AnyNotF32 {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.0 |= param.val().dtype() != DType::F32;
    }
}

/// The parts of a checkpoint, not yet interpreted.
struct Parts<'a> {
    kind: &'a str,
    card: &'a [u8],
    weights: &'a [u8],
}

/// Why a file whose description is cut short is refused.
const TRUNCATED: &str = "the model file is truncated (its description is cut short)";

/// The kind's name (its length, then its bytes) at the start of `bytes`, and what follows.
fn kind_and_rest(bytes: &[u8]) -> Result<(&str, &[u8]), String> {
    let len = *bytes.first().ok_or(TRUNCATED)? as usize;
    let name = bytes.get(1..1 + len).ok_or(TRUNCATED)?;
    let kind = std::str::from_utf8(name)
        .map_err(|_| "the model file's kind is not readable text".to_string())?;
    Ok((kind, &bytes[1 + len..]))
}

/// Splits a checkpoint into its kind, card and weights, or says why it is not one.
fn parts(bytes: &[u8]) -> Result<Parts<'_>, String> {
    let not_ours = "this is not a Diffusion Lab model file (it does not start with DLAB)";
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err(not_ours.into());
    }
    let version = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes"));
    let (kind, rest) = match version {
        1 => (VERSION_1_KIND, &bytes[8..]),
        2 => kind_and_rest(&bytes[8..])?,
        VERSION => {
            let stored = bytes.get(8..CHECKED_FROM).ok_or(TRUNCATED)?;
            let stored = u32::from_le_bytes(stored.try_into().expect("4 bytes"));
            if crc32fast::hash(&bytes[CHECKED_FROM..]) != stored {
                return Err(
                    "the model file is damaged: its checksum does not match its \
                            contents (cut short, or changed after it was saved); download or \
                            save it again"
                        .into(),
                );
            }
            kind_and_rest(&bytes[CHECKED_FROM..])?
        }
        _ => {
            return Err(format!(
                "this model file has format version {version}; this build reads versions 1 \
                 to {VERSION}"
            ));
        }
    };
    let len_bytes = rest.get(..4).ok_or(TRUNCATED)?;
    let len = u32::from_le_bytes(len_bytes.try_into().expect("4 bytes")) as usize;
    // Checked: on wasm32 a length read from a crafted file could overflow the sum.
    let end = len.checked_add(4).ok_or(TRUNCATED)?;
    let card = rest.get(4..end).ok_or(TRUNCATED)?;
    Ok(Parts {
        kind,
        card,
        weights: &rest[end..],
    })
}

/// Refuses weights stored as anything but floats. Every weight of every kind is a float, but
/// a file made to say otherwise behind a matching checksum (a tensor's type changed to a
/// 32-bit integer, of the same size) would reach burn, which panics on it, and in the browser
/// a panic kills the page.
fn weights_are_floats(weights: &[u8]) -> Result<(), String> {
    let tensors = burn_pack::Reader::from_bytes(Bytes::from_bytes_vec(weights.to_vec()))
        .and_then(burn_pack::Reader::into_tensors)
        .map_err(|e| format!("the model's weights are not valid: {e:?}"))?;
    match tensors.iter().find(|t| !t.dtype.is_float()) {
        Some(t) => Err(format!(
            "the model's weights are not valid: {:?} is stored as {:?}, and a model's \
             weights are floats",
            t.name, t.dtype
        )),
        None => Ok(()),
    }
}

/// The kind of model a checkpoint holds (e.g. `points-denoiser`), or why it is not one.
pub fn kind_of(bytes: &[u8]) -> Result<String, String> {
    parts(bytes).map(|p| p.kind.to_string())
}

/// Reads a checkpoint of kind `C`: its card, and its weights loaded into a network on
/// `device`. A file of another kind, a damaged file, or weights that do not fit the card are
/// refused with a message a person can act on.
pub fn from_bytes<C: Card>(bytes: &[u8], device: &Device) -> Result<(C::Net, C), String> {
    let parts = parts(bytes)?;
    if parts.kind != C::KIND {
        return Err(format!(
            "this file holds a {:?} model, not {} ({:?})",
            parts.kind,
            C::DESCRIPTION,
            C::KIND
        ));
    }
    let card = C::load_binary(parts.card)
        .map_err(|e| format!("the model's description is not valid: {e}"))?;
    card.validate()?;
    weights_are_floats(parts.weights)?;
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(parts.weights.to_vec()))
        .map_err(|e| format!("the model's weights are not valid: {e:?}"))?;
    // For inference, loaded and widened to f32 on the CPU, then moved: a WebGPU device
    // without the `shader-f16` feature (SwiftShader, some GPUs) cannot compile a kernel that
    // reads f16, and its error would kill the page. A model to train (on an autodiff device,
    // always the CPU here) is loaded where it trains, so its weights are tracked.
    let on_cpu = !device.is_autodiff();
    let load_on = if on_cpu {
        Device::flex()
    } else {
        device.clone()
    };
    let model = card
        .init(&load_on)
        .try_load_record(record)
        .map_err(|e| format!("the weights do not fit the described network: {e:?}"))?;
    let mut narrow = AnyNotF32(false);
    model.visit(&mut narrow);
    let model = match narrow.0 {
        true => model.map(&mut Cast(DType::F32)),
        false => model,
    };
    let model = if on_cpu {
        model.to_device(device)
    } else {
        model
    };
    Ok((model, card))
}

#[cfg(test)]
mod tests;
