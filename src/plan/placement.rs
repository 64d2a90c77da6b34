//! Placement bounds in the answers of `compare`, `check` and `explain` (model v3): the
//! headline peak next to its re-placed and pinned bounds, and whether placement decides
//! the verdict. Decided here once; reports only print it.

use serde::Serialize;

use crate::model::{Fit, Headroom, Placement};
use crate::scenario::Scenario;

/// A result's peak utilization under three placements of classes on SKUs: the JSON
/// `placement` of each result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PlacementAnswer {
    /// Proportional allocation (every GPU splits its time over classes in one ratio): the
    /// result's `peak_utilization`, exactly.
    pub proportional: f64,
    /// A scheduler that re-places classes on SKUs every step (the optimistic bound): never
    /// above `proportional`.
    pub replaced: f64,
    /// Pools pinned for the week, each sized for its own class's peak (the pessimistic
    /// bound): never below `proportional`.
    pub pinned: f64,
    /// Whether placement decides the verdict; not in the JSON (it follows from the three
    /// peaks and `fits`).
    #[serde(skip)]
    pub decides: Decides,
}

/// Whether a verdict turns on placement. `fits` is judged on the proportional peak; at
/// each bound the same gates apply (every class served, training at its floor) with that
/// bound as the peak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decides {
    /// The same verdict at both bounds.
    No,
    /// Does not fit, but would if a scheduler re-placed classes every step.
    FitsIfReplaced,
    /// Fits, but would not with pools pinned for the week.
    MissesIfPinned,
}

impl PlacementAnswer {
    /// The bounds of a result whose headline is `headroom`, and whether they decide it.
    pub fn new(scenario: &Scenario, headroom: &Headroom, placement: &Placement) -> Self {
        let fits_at = |peak: f64| {
            Fit::judge(
                !headroom.unservable_classes.is_empty(),
                peak,
                scenario.utilization_target,
                headroom.training_gpu_hours,
                scenario.training_floor_gpu_hours,
            )
            .fits()
        };
        let decides = match (
            headroom.fits(),
            fits_at(placement.replaced),
            fits_at(placement.pinned),
        ) {
            (false, true, _) => Decides::FitsIfReplaced,
            (true, _, false) => Decides::MissesIfPinned,
            _ => Decides::No,
        };
        PlacementAnswer {
            proportional: placement.proportional,
            replaced: placement.replaced,
            pinned: placement.pinned,
            decides,
        }
    }
}
