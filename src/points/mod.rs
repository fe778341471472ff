//! The 2D pipeline: point clouds from datasets and people, the MLP denoiser, and the judges.
//!
//! - [`card`]: what a 2D denoiser's checkpoint says about it.
//! - [`data`]: the toy 2D datasets and the checks every point list goes through.
//! - [`point_set`]: training points and held-out sets, from a dataset or a person.
//! - [`mlp`]: the 2D denoiser, a residual MLP.
//! - [`metrics`]: sliced Wasserstein and MMD between point sets.
//! - [`quality`]: SWD and MMD of samples next to their floor; which group a sample looks like.
//! - [`word_scores`]: judging a model conditioned on words, word by word and scale by scale.
//! - [`pca`]: principal axes, to draw word vectors of any dimension in a plane.
//! - [`playground`]: the 2D playground's state, behind the page's `Playground`.

pub mod card;
pub mod data;
pub mod metrics;
pub mod mlp;
pub mod pca;
pub mod playground;
pub mod point_set;
pub mod quality;
pub mod word_scores;

pub use card::PointsCard;
pub use mlp::{MlpDenoiser, MlpDenoiserConfig};

/// The trainer of the 2D denoiser.
pub type PointTrainer = crate::train::Trainer<MlpDenoiserConfig, 2>;
