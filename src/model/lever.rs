//! Levers: one input of a scenario, moved by a multiplier. Sensitivity moves each lever
//! alone to see how far the verdict is from flipping; calibration moves a few of them
//! together until the model reproduces what production observed. A lever never leaves
//! its key's valid range: the multiplied value is clamped to the validator's bounds.

use crate::scenario::{OutputRate, Scenario, bounds};

/// One input of a scenario that a multiplier moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lever {
    /// Every GPU count of one site (index into [`Scenario::sites`]).
    SiteGpus(usize),
    /// One SKU's GPU count on every site (index into [`Scenario::skus`]).
    SkuGpus(usize),
    /// One SKU's rates: every kind (output, input, cached) and class together.
    SkuRates(usize),
    /// One tier's input (index into [`Scenario::tiers`]).
    Tier(TierInput, usize),
    /// The scenario's utilization target, clamped to [0.01, 1].
    UtilizationTarget,
    /// The scenario's training floor, GPU-hours a week.
    TrainingFloor,
}

/// The inputs of a tier a lever moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TierInput {
    /// `users`.
    Users,
    /// `tokens_per_active_hour`.
    TokensPerActiveHour,
    /// `input_per_output`.
    InputPerOutput,
    /// The cache miss rate, 1 - `cache_hit`.
    CacheMiss,
    /// `spread`.
    Spread,
}

impl TierInput {
    /// Every tier input, in the order levers list them.
    pub const ALL: [TierInput; 5] = [
        TierInput::Users,
        TierInput::TokensPerActiveHour,
        TierInput::InputPerOutput,
        TierInput::CacheMiss,
        TierInput::Spread,
    ];

    /// The key as lever names and `adjust` write it: `users`, `cache_miss`.
    pub fn key(self) -> &'static str {
        match self {
            TierInput::Users => "users",
            TierInput::TokensPerActiveHour => "tokens_per_active_hour",
            TierInput::InputPerOutput => "input_per_output",
            TierInput::CacheMiss => "cache_miss",
            TierInput::Spread => "spread",
        }
    }

    /// The input named by `key`, if it is one.
    pub fn from_key(key: &str) -> Option<TierInput> {
        TierInput::ALL.into_iter().find(|input| input.key() == key)
    }
}

impl Lever {
    /// The lever's key path (MODEL.md "v3 JSON"): `site.<name>.gpus`, `gpu.<sku>.rates`,
    /// `tier.<name>.users`, …, `utilization_target`, `training_floor_gpu_hours`.
    /// calibration's per-SKU GPU count is `gpu.<sku>.gpus`.
    pub fn key(self, scenario: &Scenario) -> String {
        match self {
            Lever::SiteGpus(s) => format!("site.{}.gpus", scenario.sites[s].name),
            Lever::SkuGpus(k) => format!("gpu.{}.gpus", scenario.skus[k].name),
            Lever::SkuRates(k) => format!("gpu.{}.rates", scenario.skus[k].name),
            Lever::Tier(input, t) => format!("tier.{}.{}", scenario.tiers[t].name, input.key()),
            Lever::UtilizationTarget => "utilization_target".into(),
            Lever::TrainingFloor => "training_floor_gpu_hours".into(),
        }
    }

    /// The lever in a few words, for verdicts and narrow tables: `pro users`, `trn2 rates`.
    pub fn label(self, scenario: &Scenario) -> String {
        match self {
            Lever::SiteGpus(s) => format!("{} GPUs", scenario.sites[s].name),
            Lever::SkuGpus(k) => format!("{} GPUs", scenario.skus[k].name),
            Lever::SkuRates(k) => format!("{} rates", scenario.skus[k].name),
            Lever::Tier(input, t) => {
                let what = match input {
                    TierInput::Users => "users",
                    TierInput::TokensPerActiveHour => "tokens/h",
                    TierInput::InputPerOutput => "input/output",
                    TierInput::CacheMiss => "cache miss",
                    TierInput::Spread => "spread",
                };
                format!("{} {what}", scenario.tiers[t].name)
            }
            Lever::UtilizationTarget => "target".into(),
            Lever::TrainingFloor => "training floor".into(),
        }
    }

    /// The lever's value in the scenario (a sum of counts for GPU levers, the first
    /// positive rate for a SKU's rates): what a multiplier multiplies.
    pub fn value(self, scenario: &Scenario) -> f64 {
        match self {
            Lever::SiteGpus(s) => scenario.sites[s].gpus.iter().map(|&(_, n)| n).sum(),
            Lever::SkuGpus(k) => scenario
                .sites
                .iter()
                .flat_map(|site| &site.gpus)
                .filter(|&&(sku, _)| sku == k)
                .map(|&(_, n)| n)
                .sum(),
            Lever::SkuRates(k) => {
                let sku = &scenario.skus[k];
                sku.tokens_per_s
                    .iter()
                    .chain(&sku.input_tokens_per_s)
                    .chain(&sku.cached_tokens_per_s)
                    .copied()
                    .find(|&rate| rate > 0.0)
                    .unwrap_or(0.0)
            }
            Lever::Tier(input, t) => {
                let tier = &scenario.tiers[t];
                match input {
                    TierInput::Users => tier.users,
                    TierInput::TokensPerActiveHour => tier.tokens_per_active_hour,
                    TierInput::InputPerOutput => tier.input_per_output,
                    TierInput::CacheMiss => 1.0 - tier.cache_hit,
                    TierInput::Spread => tier.spread,
                }
            }
            Lever::UtilizationTarget => scenario.utilization_target,
            Lever::TrainingFloor => scenario.training_floor_gpu_hours.unwrap_or(0.0),
        }
    }

    /// Whether a multiplier moves the lever at all: its value is not 0 and, for the cache
    /// miss rate, the tier sends input.
    pub fn applies(self, scenario: &Scenario) -> bool {
        let moves = self.value(scenario) > 0.0;
        match self {
            Lever::Tier(TierInput::CacheMiss, t) => {
                moves && scenario.tiers[t].input_per_output > 0.0
            }
            Lever::TrainingFloor => scenario.training_floor_gpu_hours.is_some(),
            _ => moves,
        }
    }

    /// Whether `m` leaves every value the lever moves inside its key's range, unclamped.
    pub fn in_range(self, scenario: &Scenario, m: f64) -> bool {
        let mut moved = scenario.clone();
        self.apply(&mut moved, m);
        let expected = self.value(scenario) * m;
        let got = self.value(&moved);
        (got - expected).abs() <= 1e-12 * expected.abs().max(1e-300)
    }

    /// Multiplies the lever by `m` (> 0) in `scenario`, each value clamped to its key's
    /// valid range.
    pub fn apply(self, scenario: &mut Scenario, m: f64) {
        let clamp = |value: f64, b: bounds::Bounds| (value * m).clamp(b.low, b.high);
        match self {
            Lever::SiteGpus(s) => {
                for (_, n) in &mut scenario.sites[s].gpus {
                    *n = clamp(*n, bounds::GPU_COUNT);
                }
            }
            Lever::SkuGpus(k) => {
                for site in &mut scenario.sites {
                    for (sku, n) in &mut site.gpus {
                        if *sku == k {
                            *n = clamp(*n, bounds::GPU_COUNT);
                        }
                    }
                }
            }
            Lever::SkuRates(k) => {
                let sku = &mut scenario.skus[k];
                for rate in &mut sku.tokens_per_s {
                    *rate = clamp(*rate, bounds::GPU_TOKENS);
                }
                for rate in sku
                    .input_tokens_per_s
                    .iter_mut()
                    .chain(&mut sku.cached_tokens_per_s)
                {
                    *rate = clamp(*rate, bounds::GPU_INPUT_TOKENS);
                }
                // The rates as given too, so columns built again (a new speed) keep it.
                for rates in &mut sku.rates {
                    match &mut rates.output {
                        OutputRate::Scalar(rate) => *rate = clamp(*rate, bounds::GPU_TOKENS),
                        OutputRate::Frontier(points) => {
                            for point in points {
                                point.1 = clamp(point.1, bounds::FRONTIER_TOKENS);
                            }
                        }
                        OutputRate::None => {}
                    }
                    rates.input = clamp(rates.input, bounds::GPU_INPUT_TOKENS);
                    rates.cached = clamp(rates.cached, bounds::GPU_INPUT_TOKENS);
                }
            }
            Lever::Tier(input, t) => {
                let tier = &mut scenario.tiers[t];
                match input {
                    TierInput::Users => tier.users = clamp(tier.users, bounds::USERS),
                    TierInput::TokensPerActiveHour => {
                        tier.tokens_per_active_hour =
                            clamp(tier.tokens_per_active_hour, bounds::TOKENS_PER_HOUR);
                    }
                    TierInput::InputPerOutput => {
                        tier.input_per_output =
                            clamp(tier.input_per_output, bounds::INPUT_PER_OUTPUT);
                    }
                    TierInput::CacheMiss => {
                        tier.cache_hit = 1.0 - clamp(1.0 - tier.cache_hit, bounds::SHARE);
                    }
                    TierInput::Spread => tier.spread = clamp(tier.spread, bounds::SPREAD),
                }
            }
            Lever::UtilizationTarget => {
                scenario.utilization_target = (scenario.utilization_target * m).clamp(0.01, 1.0);
            }
            Lever::TrainingFloor => {
                if let Some(floor) = &mut scenario.training_floor_gpu_hours {
                    *floor = clamp(*floor, bounds::NON_NEGATIVE);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = include_str!("../../scenarios/tiny.toml");

    #[test]
    fn a_lever_multiplies_its_value_within_its_range() {
        let scenario = Scenario::parse(TINY, "tiny.toml").unwrap();
        let users = Lever::Tier(TierInput::Users, 0);
        assert_eq!(users.key(&scenario), "tier.pro.users");
        assert_eq!(users.label(&scenario), "pro users");
        let mut moved = scenario.clone();
        users.apply(&mut moved, 1.5);
        assert_eq!(moved.tiers[0].users, 150_000.0);
        let target = Lever::UtilizationTarget;
        assert!(target.in_range(&scenario, 1.1));
        assert!(!target.in_range(&scenario, 1.2));
        target.apply(&mut moved, 2.0);
        assert_eq!(moved.utilization_target, 1.0);
        assert_eq!(Lever::SiteGpus(1).value(&scenario), 1000.0);
        assert!(!Lever::Tier(TierInput::Spread, 0).applies(&scenario));
        assert!(!Lever::Tier(TierInput::CacheMiss, 0).applies(&scenario));
        assert!(!Lever::TrainingFloor.applies(&scenario));
    }
}
