//! The questions capplan answers, one module each: `compare` (how do the policies fare
//! before and after the additions?), `check` (does every selected policy fit?), `timeline`
//! (when do we run out?), `solve` (how far can limits go?), `explain` (why?) and `validate`
//! (what does the scenario hold?). Each takes a [`crate::scenario::Scenario`], asks the
//! [`crate::model`], and returns its answer: a plain `Serialize` struct that is the JSON
//! contract (docs/model.md) and that [`crate::report`] renders. No I/O here.

pub mod calibrate;
mod check;
mod compare;
mod cost;
mod diff;
mod explain;
mod placement;
pub mod sensitivity;
mod solve;
mod timeline;
mod validate;

/// The model's verdict on a week and the phases, as every answer names them.
pub use crate::model::{Fit, Phase};
pub use calibrate::{
    CalibrationAnswer, CalibrationError, ImpliedInput, MultiplierAnswer, ObservationAnswer,
    calibrate,
};
pub use check::{
    CheckAnswer, CheckRule, DemandCase, Gate, MarginFloor, Outcome, PolicyVerdict, SiteLoss,
    Verdict, check, check_on,
};
pub use compare::{
    CaseAnswer, CompareAnswer, FLIPS_WITH_COMPARE, LossAnswer, NMinusOneAnswer, PercentilesAnswer,
    PhaseAnswer, PolicyAnswer, SampledAnswer, SiteAnswer, UncertaintyAnswer, compare,
    compare_with_progress, with_flips,
};
pub use cost::{ClassCost, CostAnswer, CostDelta, TierCost, cost_of};
pub use diff::{DiffAnswer, DiffSide, Figures, ResultChange, diff};
pub use explain::{ExplainAnswer, KindShare, PowerBoundSite, Share, WhatIf, explain};
pub use placement::{Decides, PlacementAnswer};
pub use sensitivity::{LeverAnswer, SensitivityAnswer, SensitivityResult, sensitivity};
pub use solve::{
    Budget, SOLVE_MAX_EVALUATIONS, SolveAnswer, SolveOutcome, SolveRequest, SolvedBudget,
    SolvedSpeed, solve,
};
pub use timeline::{
    DatePercentiles, EventKind, FleetEvent, Holding, MonthAnswer, MonthResult, MonthSampled,
    Runway, RunwaySampled, TimelineAnswer, timeline, timeline_with_progress,
};
pub use validate::{Finding, Summary, ValidateAnswer};

/// Version of the JSON layouts; raised only when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 3;
