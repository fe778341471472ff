//! The card of a trained 2D denoiser in a [`crate::checkpoint`] file.

use crate::checkpoint::Card;
use crate::distill::StudentSteps;
use crate::points::data::Frame;
use crate::points::{MlpDenoiser, MlpDenoiserConfig};
use crate::train::TrainConfig;
use burn::config::Config;
use burn::tensor::Device;

/// What a checkpoint says about a 2D denoiser.
#[derive(Config, Debug, PartialEq)]
pub struct PointsCard {
    /// The network's hyper-parameters.
    pub model: MlpDenoiserConfig,
    /// How it was trained (schedule, prediction type, ...).
    pub train: TrainConfig,
    /// What it was trained on, for people (e.g. `dataset moons` or `points my.csv`).
    pub data: String,
    /// Optimiser steps taken.
    pub steps: usize,
    /// Where the standardised points it learnt sit in the data's own coordinates (samples are
    /// mapped back through it); files from before it existed were trained on standard data.
    #[config(default = "Frame::STANDARD")]
    pub frame: Frame,
    /// For a distilled student, the steps it samples in and its first teacher's (it then
    /// samples only so, with DDIM); none for a trained model.
    #[config(default = "None")]
    pub student: Option<StudentSteps>,
}

impl Card for PointsCard {
    const KIND: &'static str = "points-denoiser";
    const DESCRIPTION: &'static str = "a 2D denoiser";
    type Net = MlpDenoiser;

    fn validate(&self) -> Result<(), String> {
        self.model.validate()?;
        self.train.validate()?;
        let Frame { center, scale } = self.frame;
        if !(center.iter().all(|c| c.is_finite()) && scale.is_finite() && scale > 0.0) {
            return Err(format!(
                "the model's frame is not valid (centre {center:?}, scale {scale})"
            ));
        }
        if let Some(student) = self.student {
            student.rounds()?;
        }
        Ok(())
    }

    fn init(&self, device: &Device) -> MlpDenoiser {
        self.model.init(device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::{Card, from_bytes, kind_of, seal, to_bytes, to_bytes_async};
    use burn::tensor::Tensor;

    fn card(config: MlpDenoiserConfig, data: &str, steps: usize) -> PointsCard {
        PointsCard::new(config, TrainConfig::new(), data.into(), steps)
    }

    #[test]
    fn a_model_survives_the_round_trip() {
        let device = Device::flex();
        let config = MlpDenoiserConfig::new().with_width(16).with_depth(1);
        let model = config.init(&device);
        let card = card(config, "dataset moons", 12).with_frame(Frame {
            center: [5.0, -2.0],
            scale: 3.0,
        });
        let bytes = to_bytes(&model, &card).unwrap();
        assert_eq!(kind_of(&bytes).unwrap(), "points-denoiser");
        let (loaded, card2) = from_bytes::<PointsCard>(&bytes, &device).unwrap();
        assert_eq!(card2, card);
        let x = Tensor::<2>::ones([3, 2], &device);
        let t = Tensor::<2>::full([3, 1], 0.5, &device);
        let read = |m: &MlpDenoiser| {
            m.forward(x.clone(), t.clone())
                .into_data()
                .try_into_vec::<f32>()
                .unwrap()
        };
        assert_eq!(read(&model), read(&loaded));
    }

    #[test]
    fn the_asynchronous_export_writes_the_same_bytes() {
        let device = Device::flex();
        let config = MlpDenoiserConfig::new().with_width(16).with_depth(2);
        let model = config.init(&device);
        let card = card(config, "dataset rings", 3);
        let sync = to_bytes(&model, &card).unwrap();
        let asynchronous = futures_lite::future::block_on(to_bytes_async(&model, &card));
        assert_eq!(sync, asynchronous.unwrap());
    }

    /// Where the card's length is in a version 3 file of this kind.
    const CARD_AT: usize = 13 + PointsCard::KIND.len();

    #[test]
    fn damaged_files_are_explained() {
        let device = Device::flex();
        let err = |bytes: &[u8]| from_bytes::<PointsCard>(bytes, &device).unwrap_err();
        assert!(err(b"PK\x03\x04 zip").contains("DLAB"));
        let config = MlpDenoiserConfig::new().with_width(16).with_depth(1);
        let bytes = to_bytes(&config.init(&device), &card(config.clone(), "x", 0)).unwrap();
        assert!(err(&bytes[..10]).contains("truncated"));
        assert!(err(&bytes[..20]).contains("checksum"));
        assert!(err(&bytes[..bytes.len() - 100]).contains("checksum"));
        // A card length that would overflow `4 + len` on a 32-bit machine.
        let mut huge = bytes[..CARD_AT].to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        seal(&mut huge);
        assert!(err(&huge).contains("truncated"));
        // A future version.
        let mut future = bytes.clone();
        future[4] = 9;
        assert!(err(&future).contains("version 9"));
        // A card that describes another network.
        let other = card(config.with_width(32), "x", 0);
        let json = burn::config::config_to_json(&other);
        let old_len = u32::from_le_bytes(bytes[CARD_AT..CARD_AT + 4].try_into().unwrap());
        let mut swapped = bytes[..CARD_AT].to_vec();
        swapped.extend_from_slice(&(json.len() as u32).to_le_bytes());
        swapped.extend_from_slice(json.as_bytes());
        swapped.extend_from_slice(&bytes[CARD_AT + 4 + old_len as usize..]);
        seal(&mut swapped);
        assert!(err(&swapped).contains("do not fit"));
    }

    #[test]
    fn version_1_files_still_load() {
        let device = Device::flex();
        let config = MlpDenoiserConfig::new().with_width(16).with_depth(1);
        let model = config.init(&device);
        let bytes = to_bytes(&model, &card(config, "x", 5)).unwrap();
        // The same file as version 1 wrote it: no checksum, no kind, and a card without a
        // frame.
        let start = CARD_AT;
        let len = u32::from_le_bytes(bytes[start..start + 4].try_into().unwrap()) as usize;
        let json = std::str::from_utf8(&bytes[start + 4..start + 4 + len]).unwrap();
        let old_json = json.replace(
            &format!(
                ",\n  \"frame\": {}",
                burn::config::config_to_json(&Frame::STANDARD)
            ),
            "",
        );
        let mut v1 = b"DLAB".to_vec();
        v1.extend_from_slice(&1u32.to_le_bytes());
        v1.extend_from_slice(&(old_json.len() as u32).to_le_bytes());
        v1.extend_from_slice(old_json.as_bytes());
        v1.extend_from_slice(&bytes[start + 4 + len..]);
        let (_, loaded) = from_bytes::<PointsCard>(&v1, &device).unwrap();
        assert_eq!(loaded.frame, Frame::STANDARD);
        assert_eq!(loaded.steps, 5);
    }
}
