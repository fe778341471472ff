//! Where the 2D commands' data comes from: a built-in dataset, several, or a CSV file.

use crate::points_csv;
use clap::Args;
use diffusion_lab::points::data::Dataset;
use diffusion_lab::points::point_set::PointSet;
use std::path::PathBuf;

/// Points drawn from a built-in dataset for training (the held-out sets use other seeds).
const TRAIN_POINTS: usize = 20_000;

/// Where the data comes from: a built-in dataset, several (named by their names), or a CSV
/// file.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct DataArgs {
    /// A built-in dataset: swissroll, moons, 8gaussians, rings, checkerboard, spiral, pinwheel.
    #[arg(long)]
    dataset: Option<String>,
    /// Several built-in datasets, comma-separated; the model learns to draw each by its name.
    #[arg(long, value_delimiter = ',', value_name = "NAME,NAME,...")]
    datasets: Option<Vec<String>>,
    /// A CSV file with the header `x,y` and one point per line.
    #[arg(long, value_name = "FILE.csv")]
    points: Option<PathBuf>,
}

pub fn load_data(args: &DataArgs, seed: u64) -> Result<PointSet, String> {
    if let Some(name) = &args.dataset {
        return Ok(PointSet::from_dataset(
            Dataset::parse(name)?,
            TRAIN_POINTS,
            seed,
        ));
    }
    if let Some(names) = &args.datasets {
        let datasets = names
            .iter()
            .map(|n| Dataset::parse(n.trim()))
            .collect::<Result<Vec<_>, _>>()?;
        return PointSet::from_datasets(&datasets, TRAIN_POINTS, seed);
    }
    let path = args.points.as_ref().expect("clap requires one of the two");
    PointSet::from_user(
        &points_csv::read(path)?,
        format!("points {}", path.display()),
    )
}
