//! The headroom model of docs/model.md: pure functions from a [`Scenario`] to capacity and
//! utilization. No I/O here; reports and commands are built on top.

pub mod demand;
pub mod fleet;
pub mod headroom;
pub mod lognormal;

pub use fleet::{FleetCapacity, Phase};
pub use headroom::{Headroom, evaluate};

use crate::scenario::Scenario;

/// One policy evaluated on one phase.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyResult {
    /// Index into [`Scenario::policies`].
    pub policy: usize,
    /// The phase whose fleet it ran on.
    pub phase: Phase,
    /// What the model found.
    pub headroom: Headroom,
}

/// The selected policies on both phases: what `compare` and `check` report.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Capacity of each phase, `before` then `after`.
    pub phases: Vec<(Phase, FleetCapacity)>,
    /// One result per policy and phase: policies in file order, `before` then `after`.
    pub results: Vec<PolicyResult>,
}

impl Comparison {
    /// Evaluates the policies (indices, in file order) on the given phases.
    pub fn run(scenario: &Scenario, policies: &[usize], phases: &[Phase]) -> Comparison {
        let capacities: Vec<(Phase, FleetCapacity)> = phases
            .iter()
            .map(|&phase| (phase, FleetCapacity::of_phase(scenario, phase)))
            .collect();
        let users_scale = vec![1.0; scenario.tiers.len()];
        let results = policies
            .iter()
            .flat_map(|&policy| {
                capacities.iter().map(move |(phase, fleet)| (policy, *phase, fleet))
            })
            .map(|(policy, phase, fleet)| PolicyResult {
                policy,
                phase,
                headroom: evaluate(scenario, fleet, policy, &users_scale),
            })
            .collect();
        Comparison {
            phases: capacities,
            results,
        }
    }
}
