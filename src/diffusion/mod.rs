//! The diffusion maths both pipelines share, for tensors of any rank: how data are destroyed
//! and what a denoiser predicts.
//!
//! - [`schedule`]: noise schedules β_t and the tables built from them.
//! - [`spacing`]: which timesteps a sampler visits.
//! - [`forward`]: the noising chain, its closed form, its posterior.
//! - [`prediction`]: ε- and v-prediction and the conversions between ε, v and x₀.
//! - [`guidance`]: the classifier-free guidance formula.

pub mod forward;
pub mod guidance;
pub mod prediction;
pub mod schedule;
pub mod spacing;
