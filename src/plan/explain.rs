//! `explain`: why a policy's peak is what it is. At the peak step: each tier's share of the
//! load and of the throttled users, each class's share of the load, the power-bound sites,
//! and what one more MW or 1,000 more GPUs of each SKU would buy.

use serde::Serialize;

use super::SCHEMA_VERSION;
use super::placement::PlacementAnswer;
use crate::model::{
    ByKind, Evaluator, FleetCapacity, Headroom, KINDS, Phase, breakdown, placement,
};
use crate::scenario::Scenario;
use crate::scenario::units::step_label;

/// GPUs added per SKU in the what-if rows.
const MORE_GPUS: f64 = 1000.0;

/// Explains policy `policy` on `phase`.
pub fn explain(scenario: &Scenario, policy: usize, phase: &Phase) -> ExplainAnswer {
    let spec = &scenario.policies[policy];
    // Users as the phase sees them: grown to a dated phase's date.
    let users = phase.users_scale(scenario);
    let fleet = FleetCapacity::of_phase(scenario, phase);
    let evaluator = Evaluator::new(scenario);
    let base = evaluator.evaluate(&fleet, spec, &users);
    let step = base.peak_step;
    let peak_hour = scenario
        .peak_hours
        .contains(step as u32 * scenario.step_minutes);
    let bounds = placement(&evaluator, &fleet, spec, &users, base.peak_utilization);
    let placement = PlacementAnswer::new(scenario, &base, &bounds);
    let cost = scenario
        .has_costs
        .then(|| super::cost::cost_of(scenario, &fleet, &base, &users));
    let load = breakdown(scenario, &fleet, spec, &users, step);
    let total_u: f64 = load.tier_utilization.iter().sum();
    let total_throttled: f64 = load.tier_throttled_users.iter().sum();
    let share = |part: f64, whole: f64| if whole > 0.0 { part / whole } else { 0.0 };
    let tiers = scenario
        .tiers
        .iter()
        .enumerate()
        .map(|(t, tier)| Share {
            name: tier.name.clone(),
            utilization: load.tier_utilization[t],
            load_share: share(load.tier_utilization[t], total_u),
            throttled_users: Some(load.tier_throttled_users[t]),
            throttled_share: Some(share(load.tier_throttled_users[t], total_throttled)),
            speed: scenario
                .speed_range(t)
                .and_then(|_| spec.speed_at(t, tier, peak_hour)),
        })
        .collect();
    let classes = scenario
        .classes
        .iter()
        .enumerate()
        .map(|(c, class)| Share {
            name: class.clone(),
            utilization: load.class_utilization[c],
            load_share: share(load.class_utilization[c], total_u),
            throttled_users: None,
            throttled_share: None,
            speed: scenario.columns[c].speed,
        })
        .collect();

    const KIND_NAMES: [&str; KINDS] = ["output", "input", "cached"];
    let mut kinds: Vec<KindShare> = Vec::new();
    for (c, class) in scenario.classes.iter().enumerate() {
        let rated = [true, scenario.input_rated[c], scenario.cached_rated[c]];
        for x in (0..KINDS).filter(|&x| rated[x]) {
            let utilization = load.class_kind_utilization[c][x];
            kinds.push(KindShare {
                class: class.clone(),
                kind: KIND_NAMES[x],
                utilization,
                load_share: share(utilization, total_u),
            });
        }
    }
    let binding = kinds
        .iter()
        .fold(None::<&KindShare>, |best, k| match best {
            Some(b) if b.utilization >= k.utilization => Some(b),
            _ if k.utilization > 0.0 => Some(k),
            _ => best,
        })
        .map(|k| {
            format!(
                "{} {}: {} of GPU time",
                k.class,
                k.kind,
                crate::fmt::percent(k.load_share)
            )
        });
    // Speed as the lever (model v3): the tiers served on a frontier at the peak step, the
    // largest part of the load first, and what serving each at its slowest there buys.
    let mut speed_lever = None;
    let mut slowed: Vec<(usize, f64, f64)> = (0..scenario.tiers.len())
        .filter_map(|t| {
            let (slowest, _) = scenario.speed_range(t)?;
            let now = spec.speed_at(t, &scenario.tiers[t], peak_hour)?;
            (now > slowest && load.tier_utilization[t] > 0.0).then_some((t, now, slowest))
        })
        .collect();
    slowed.sort_by(|a, b| load.tier_utilization[b.0].total_cmp(&load.tier_utilization[a.0]));
    let mut speed_rows = Vec::new();
    for &(t, now, slowest) in &slowed {
        let slower = scenario.with_speed(policy, t, slowest, peak_hour);
        let fleet = FleetCapacity::of_phase(&slower, phase);
        let h = Evaluator::new(&slower).evaluate(&fleet, &slower.policies[policy], &users);
        let tier = &scenario.tiers[t].name;
        let key = if peak_hour { "peak_speed" } else { "speed" };
        if speed_lever.is_none() && h.peak_utilization < base.peak_utilization {
            speed_lever = Some(format!(
                "{tier} is served at {} tokens/s per user at the peak; its frontiers reach down to {}: {key} = {} gives a peak of {}{} (capplan solve --budget {} --tier {tier} finds the fastest that fits)",
                crate::fmt::num(now),
                crate::fmt::num(slowest),
                crate::fmt::num(slowest),
                crate::fmt::percent(h.peak_utilization),
                if h.fits() && !base.fits() {
                    ", which fits"
                } else {
                    ""
                },
                if peak_hour { "peak-speed" } else { "speed" },
            ));
        }
        speed_rows.push((
            format!(
                "{tier} at {} tokens/s per user{} (now {})",
                crate::fmt::num(slowest),
                if peak_hour { " at peak" } else { "" },
                crate::fmt::num(now)
            ),
            h,
        ));
    }

    let what_if_row = |change: String, h: Headroom| WhatIf {
        change,
        peak_utilization: h.peak_utilization,
        change_points: (h.peak_utilization - base.peak_utilization) * 100.0,
        fits: h.fits(),
    };
    let mut what_if = Vec::new();
    let mut power_bound_sites = Vec::new();
    for site in fleet.sites.iter().filter(|s| s.power_bound) {
        let spec_site = &scenario.sites[site.site];
        let draw_mw = spec_site.draw_watts(&scenario.skus) * spec_site.pue / 1e6;
        power_bound_sites.push(PowerBoundSite {
            name: spec_site.name.clone(),
            power_factor: site.power_factor,
            unpowered_gpus: spec_site
                .gpus
                .iter()
                .map(|&(_, n)| n * (1.0 - site.power_factor))
                .sum(),
            mw_to_power_all: draw_mw - spec_site.power_mw,
        });
        let mut more_power = scenario.clone();
        more_power.sites[site.site].power_mw += 1.0;
        let fleet = FleetCapacity::of_phase(&more_power, phase);
        what_if.push(what_if_row(
            format!("1 MW more at {} (power-bound)", spec_site.name),
            evaluator.evaluate(&fleet, spec, &users),
        ));
    }
    if fleet.serving_mw > 0.0 {
        // Every kind's capacity at the highest shares, per serving MW.
        let per_mw: ByKind = std::array::from_fn(|x| {
            (0..scenario.classes.len())
                .map(|c| fleet.sites.iter().map(|s| s.at_max[x][c]).sum::<f64>() / fleet.serving_mw)
                .collect()
        });
        what_if.push(what_if_row(
            "1 MW more of the phase's serving mix".into(),
            evaluator.evaluate(&fleet.with_extra(&per_mw, 1.0), spec, &users),
        ));
    }
    for sku in &scenario.skus {
        let rates = [
            &sku.tokens_per_s,
            &sku.input_tokens_per_s,
            &sku.cached_tokens_per_s,
        ];
        let extra: ByKind = rates.map(|rate| rate.iter().map(|r| r * MORE_GPUS).collect());
        what_if.push(what_if_row(
            format!("1,000 more serving {} GPUs", sku.name),
            evaluator.evaluate(&fleet.with_extra(&extra, 0.0), spec, &users),
        ));
    }

    for (change, h) in speed_rows {
        what_if.push(what_if_row(change, h));
    }

    ExplainAnswer {
        schema_version: SCHEMA_VERSION,
        scenario: scenario.name.clone(),
        policy: spec.name.clone(),
        phase: phase.clone(),
        utilization_target: scenario.utilization_target,
        peak_utilization: base.peak_utilization,
        peak_step: step,
        peak_time: step_label(step, scenario.step_minutes),
        peak_hour,
        speed_lever,
        fits: base.fits(),
        unservable_classes: scenario.class_names(&base.unservable_classes),
        placement,
        step_minutes: scenario.step_minutes,
        tiers,
        classes,
        kinds,
        binding,
        training_gpu_hours: base.training_gpu_hours,
        losing_tiers: cost
            .as_ref()
            .map(|c| {
                c.tiers
                    .iter()
                    .filter(|t| t.margin < 0.0)
                    .map(|t| t.tier.clone())
                    .collect()
            })
            .unwrap_or_default(),
        cost,
        elastic_lambda: fleet.is_elastic().then_some(load.lambda),
        power_bound_sites,
        what_if,
    }
}

/// A class's load of one token kind at the peak step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindShare {
    /// The model class.
    pub class: String,
    /// `output`, `input` (uncached, prefill) or `cached` (read from the prompt cache).
    pub kind: &'static str,
    /// Its contribution to utilization.
    pub utilization: f64,
    /// Its share of the load: of GPU time at the peak.
    pub load_share: f64,
}

/// Everything `explain` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainAnswer {
    /// Raised when the layout changes incompatibly.
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// The policy explained.
    pub policy: String,
    /// The phase explained.
    pub phase: Phase,
    /// Share of capacity usable at the latency SLO.
    pub utilization_target: f64,
    /// Peak utilization.
    pub peak_utilization: f64,
    /// The peak step, from Monday 00:00 UTC.
    pub peak_step: usize,
    /// The peak step's start, e.g. `"Mon 14:00"` (UTC).
    pub peak_time: String,
    /// Whether the peak step is in `peak_hours`.
    pub peak_hour: bool,
    /// Whether the policy fits.
    pub fits: bool,
    /// Classes with demand but no capacity in the phase (their load is not in the peak).
    pub unservable_classes: Vec<String>,
    /// The peak under re-placed and pinned placement (model v3), and whether placement
    /// decides the verdict.
    pub placement: PlacementAnswer,
    /// Model step in minutes: how often a re-placing scheduler moves classes (not in the
    /// JSON).
    #[serde(skip)]
    pub step_minutes: u32,
    /// Each tier at the peak step.
    pub tiers: Vec<Share>,
    /// Each model class at the peak step.
    pub classes: Vec<Share>,
    /// Each class and token kind that costs GPU time (output always; input and cached
    /// input where the SKUs give their rates), at the peak step.
    pub kinds: Vec<KindShare>,
    /// What binds at the peak, in words: "opus-code input: 41.0% of GPU time".
    pub binding: Option<String>,
    /// When a tier at the peak is served on a frontier and could go slower: its speed, and
    /// the peak at the slowest its frontiers cover, in words (model v3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed_lever: Option<String>,
    /// GPU-hours a week left to training under the policy.
    pub training_gpu_hours: f64,
    /// Cost and margin a week, when the scenario gives costs or prices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<super::CostAnswer>,
    /// Tiers whose revenue does not cover the GPU-hours they take (margins in `cost`).
    pub losing_tiers: Vec<String>,
    /// The elastic sites' lambda at the peak step (share of their span serving); null
    /// without elastic sites.
    pub elastic_lambda: Option<f64>,
    /// Sites with more GPUs than power.
    pub power_bound_sites: Vec<PowerBoundSite>,
    /// Peak utilization after one change each.
    pub what_if: Vec<WhatIf>,
}

/// A tier's or class's part of the load at the peak step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// Tier or class name.
    pub name: String,
    /// Its contribution to utilization (the parts sum to the peak utilization).
    pub utilization: f64,
    /// Its share of the load.
    pub load_share: f64,
    /// Active users throttled (tiers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttled_users: Option<f64>,
    /// Its share of all throttled users (tiers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttled_share: Option<f64>,
    /// Output tokens/s per user it is served at, for a tier or column on a frontier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
}

/// A site whose power cannot run all its GPUs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerBoundSite {
    /// Site name.
    pub name: String,
    /// Share of its GPUs it can power.
    pub power_factor: f64,
    /// GPUs it cannot power.
    pub unpowered_gpus: f64,
    /// Facility MW it lacks to power every GPU.
    pub mw_to_power_all: f64,
}

/// One change and its effect on the peak.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIf {
    /// The change, in words.
    pub change: String,
    /// Peak utilization after it.
    pub peak_utilization: f64,
    /// Change in peak utilization, percentage points (negative = better).
    pub change_points: f64,
    /// Whether the policy fits after it.
    pub fits: bool,
}
