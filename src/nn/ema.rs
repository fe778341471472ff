//! Exponential moving average of a model's weights (Polyak & Juditsky 1992; used for sampling
//! since Song & Ermon 2020 and Ho et al. 2020): θ_ema ← d θ_ema + (1 - d) θ, with the warm-up
//! d_k = min(d, (1 + k)/(10 + k)) so that early averages are not dominated by the random
//! initialisation (as in TensorFlow's `ExponentialMovingAverage` with `num_updates`).

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::tensor::Tensor;
use std::collections::HashMap;

/// The averaged copy of a model, kept on the plain (non-autodiff) device.
#[derive(Clone, Debug)]
pub struct Ema<M> {
    /// The averaged weights.
    pub model: M,
    decay: f64,
    updates: u64,
}

impl<M: Module> Ema<M> {
    /// Starts the average at `model` (give it `model.valid()`).
    pub fn new(model: M, decay: f64) -> Self {
        Self {
            model,
            decay,
            updates: 0,
        }
    }

    /// An average that has already taken `updates` updates (resuming a training run).
    pub fn resumed(model: M, decay: f64, updates: u64) -> Self {
        Self {
            model,
            decay,
            updates,
        }
    }

    /// The decay used at the next update.
    pub fn current_decay(&self) -> f64 {
        let k = self.updates as f64;
        self.decay.min((1.0 + k) / (10.0 + k))
    }

    /// Moves the average towards `current` (the trained model's `valid()` copy).
    pub fn update(&mut self, current: &M) {
        let mut collect = Collect(HashMap::new());
        current.visit(&mut collect);
        let d = self.current_decay();
        let mut blend = Blend {
            current: collect.0,
            decay: d,
        };
        self.model = self.model.clone().map(&mut blend);
        self.updates += 1;
    }
}

/// Collects every float parameter, flattened, by id.
struct Collect(HashMap<ParamId, Tensor<1>>);

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val();
        let n = value.shape().num_elements();
        self.0.insert(param.id, value.reshape([n]));
    }
}

/// Blends each parameter with the collected one of the same id.
struct Blend {
    current: HashMap<ParamId, Tensor<1>>,
    decay: f64,
}

impl ModuleMapper for Blend {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        match self.current.remove(&param.id) {
            Some(current) => {
                let decay = self.decay;
                param.map(|ema| {
                    let dims = ema.dims();
                    ema.mul_scalar(decay) + current.reshape(dims).mul_scalar(1.0 - decay)
                })
            }
            None => param,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::LinearConfig;
    use burn::tensor::Device;

    #[test]
    fn the_average_moves_by_one_minus_the_decay() {
        let device = Device::flex();
        let a = LinearConfig::new(2, 3).init(&device);
        let mut ema = Ema::new(a.clone(), 0.9);
        // First update: d = min(0.9, 1/10) = 0.1.
        assert!((ema.current_decay() - 0.1).abs() < 1e-12);
        let zeroed = a.clone().map(&mut Zero);
        ema.update(&zeroed);
        let w0 = a.weight.val().into_data().try_into_vec::<f32>().unwrap();
        let w1 = ema
            .model
            .weight
            .val()
            .into_data()
            .try_into_vec::<f32>()
            .unwrap();
        for (x, y) in w0.iter().zip(&w1) {
            assert!((y - 0.1 * x).abs() < 1e-6);
        }
        // Much later the decay is the configured one.
        ema.updates = 1000;
        assert!((ema.current_decay() - 0.9).abs() < 1e-12);
    }

    struct Zero;
    impl ModuleMapper for Zero {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            param.map(|t| t.zeros_like())
        }
    }
}
