//! Benchmarks of the questions capplan answers, on three sizes: tiny.toml (168 steps, one
//! tier), colossus.toml (168 steps, 9 tiers, 5 policies, 10,000 samples with slips) and a synthetic planning-scale
//! scenario (10,080 steps, 100 tiers, 50 policies, 36 months). Run with `cargo bench`;
//! figures are recorded in docs/performance.md.

use capplan::model::{Comparison, Evaluator, FleetCapacity, Phase, evaluate, placement};
use capplan::plan::{self, SolveRequest};
use capplan::scenario::Scenario;
use capplan::synth::{self, SynthSize};
use divan::Bencher;
use rayon::prelude::*;

fn main() {
    divan::main();
}

const SIZES: [&str; 3] = ["tiny", "colossus", "planning"];

fn scenario(size: &str) -> Scenario {
    let text = match size {
        "tiny" => include_str!("../scenarios/tiny.toml").to_string(),
        "colossus" => include_str!("../scenarios/colossus.toml").to_string(),
        _ => synth::scenario(SynthSize::PLANNING),
    };
    Scenario::parse(&text, size).unwrap()
}

/// `compare`: every policy on every phase, with N-1 and the uncertainty cases (colossus:
/// its two dated phases, 10,000 samples with slips).
#[divan::bench(args = SIZES, sample_count = 10)]
fn compare(bencher: Bencher, size: &str) {
    let scenario = scenario(size);
    let policies: Vec<usize> = (0..scenario.policies.len()).collect();
    bencher.bench(|| Comparison::run(&scenario, &policies, &Phase::all(&scenario)));
}

/// `compare`'s own evaluations on colossus.toml without its samples: every policy on both
/// dated phases with N-1 (its fleets are elastic, so each week solves lambda step by step).
/// The command adds the nearest-flip search and the samples on top.
#[divan::bench(sample_count = 30)]
fn compare_colossus_without_samples(bencher: Bencher) {
    let mut scenario = scenario("colossus");
    scenario.sampling = None;
    let policies: Vec<usize> = (0..scenario.policies.len()).collect();
    bencher.bench(|| Comparison::run(&scenario, &policies, &Phase::all(&scenario)));
}

/// `timeline`: every policy for every month, each month's worst day and every runway to
/// the day (colossus: 20 months, 10,000 samples with slips).
#[divan::bench(args = SIZES, sample_count = 10)]
fn timeline(bencher: Bencher, size: &str) {
    let scenario = scenario(size);
    let policies: Vec<usize> = (0..scenario.policies.len()).collect();
    bencher.bench(|| plan::timeline(&scenario, &policies).unwrap());
}

/// `solve`: bisection on the first policy's budgets, before the additions.
#[divan::bench(args = SIZES, sample_count = 10)]
fn solve(bencher: Bencher, size: &str) {
    let scenario = scenario(size);
    let request = SolveRequest {
        policy: if size == "planning" { 3 } else { 1 },
        tiers: Vec::new(),
        phase: Phase::Before,
        budget: plan::Budget::Output,
        max_serving_cost: None,
    };
    bencher.bench(|| plan::solve(&scenario, &request).unwrap());
}

/// One evaluation, fast path against the formula-by-formula reference: the speed-up the
/// shared demand matrix buys.
#[divan::bench(args = ["fast", "reference"], sample_count = 10)]
fn one_evaluation_planning(bencher: Bencher, path: &str) {
    let scenario = scenario("planning");
    let fleet = FleetCapacity::of_phase(&scenario, &Phase::After);
    let ones = vec![1.0; scenario.tiers.len()];
    let evaluator = Evaluator::new(&scenario);
    let policy = &scenario.policies[0];
    match path {
        "fast" => bencher.bench(|| evaluator.evaluate(&fleet, policy, &ones)),
        _ => bencher.bench(|| evaluate(&scenario, &fleet, policy, &ones)),
    }
}

/// One evaluation on colossus.toml's last phase (elastic sites and share curves), fast
/// path against the formula-by-formula reference.
#[divan::bench(args = ["fast", "reference"], sample_count = 30)]
fn one_evaluation_colossus(bencher: Bencher, path: &str) {
    let scenario = scenario("colossus");
    let fleet = FleetCapacity::of_phase(&scenario, &Phase::last(&scenario));
    let ones = vec![1.0; scenario.tiers.len()];
    let evaluator = Evaluator::new(&scenario);
    let policy = &scenario.policies[0];
    match path {
        "fast" => bencher.bench(|| evaluator.evaluate(&fleet, policy, &ones)),
        _ => bencher.bench(|| evaluate(&scenario, &fleet, policy, &ones)),
    }
}

/// The machine's limit for the hot loop: reading 8 MiB of f64 (the size of the planning
/// scenario's demand matrix, so it sits in L3 as the matrix does) with eight independent
/// sums. The kernel's bytes per second divided by this is how close it runs to the limit.
#[divan::bench(sample_count = 20)]
fn read_bandwidth_8mib(bencher: Bencher) {
    let data: Vec<f64> = (0..1_048_576).map(|i| f64::from(i % 1000)).collect();
    bencher
        .counter(divan::counter::BytesCount::of_slice(&data))
        .bench(|| {
            let mut partial = [0.0; 8];
            for chunk in divan::black_box(&data).chunks_exact(8) {
                for i in 0..8 {
                    partial[i] += chunk[i];
                }
            }
            partial.iter().sum::<f64>()
        });
}

/// One fast evaluation of the planning scenario, counted in bytes of demand matrix read.
#[divan::bench(sample_count = 20)]
fn kernel_bytes_planning(bencher: Bencher) {
    let scenario = scenario("planning");
    let fleet = FleetCapacity::of_phase(&scenario, &Phase::After);
    let ones = vec![1.0; scenario.tiers.len()];
    let evaluator = Evaluator::new(&scenario);
    let bytes = scenario.steps() * scenario.tiers.len() * std::mem::size_of::<f64>();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| evaluator.evaluate(&fleet, &scenario.policies[0], &ones));
}

/// Placement bounds (issue 21): the re-placed and pinned peaks of every result as compare
/// computes them, spread over the cores one result per task (colossus: 6 policies x 2
/// dated phases x 168 steps, its LPs included; planning: 50 x 2 x 10,080 steps, SKUs in one
/// ratio, so no LP). The headline evaluations are done once, outside the timing.
#[divan::bench(args = SIZES, sample_count = 10)]
fn placement_bounds(bencher: Bencher, size: &str) {
    let scenario = scenario(size);
    let evaluator = Evaluator::new(&scenario);
    let jobs: Vec<(usize, FleetCapacity, Vec<f64>, f64)> = Phase::all(&scenario)
        .iter()
        .flat_map(|phase| {
            let fleet = FleetCapacity::of_phase(&scenario, phase);
            let users = phase.users_scale(&scenario);
            (0..scenario.policies.len())
                .map(|p| {
                    let peak = evaluator
                        .evaluate(&fleet, &scenario.policies[p], &users)
                        .peak_utilization;
                    (p, fleet.clone(), users.clone(), peak)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    bencher.bench(|| {
        jobs.par_iter()
            .map(|(p, fleet, users, peak)| {
                placement(&evaluator, fleet, &scenario.policies[*p], users, *peak)
            })
            .collect::<Vec<_>>()
    });
}
