//! Cost and margin (model v2): what a policy costs to serve and what it earns, per week,
//! from the GPU-hours each tier takes. Shown only when the scenario gives a cost or a price.

use serde::Serialize;

use crate::model::{FleetCapacity, Headroom};
use crate::scenario::Scenario;

/// Hours in a week; weeks in a year, for monthly costs and prices.
const HOURS_PER_WEEK: f64 = 168.0;
const MONTHS_PER_WEEK: f64 = 12.0 / 52.0;

/// What one policy on one phase costs and earns in a week, USD.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostAnswer {
    /// Every GPU of the phase's sites at its hourly cost, powered or not, and every site's
    /// MW at its monthly cost: `sum n * cost_per_gpu_hour * 168 + sum power_mw *
    /// cost_per_mw_month * 12 / 52`.
    pub fleet_cost_per_week: f64,
    /// The fleet cost times serving GPU-hours over all healthy GPU-hours.
    pub serving_cost_per_week: f64,
    /// The rest of the fleet cost: training's share.
    pub training_cost_per_week: f64,
    /// Serving cost no tier's load accounts for; never negative (model v3: past 100 % the
    /// tiers are charged only the GPU-hours the fleet has).
    pub idle_cost_per_week: f64,
    /// Subscriptions and tokens sold.
    pub revenue_per_week: f64,
    /// Revenue minus the serving cost (the tiers' costs and the idle cost).
    pub margin_per_week: f64,
    /// Each tier's share.
    pub tiers: Vec<TierCost>,
    /// Each model class's cost per million output tokens served.
    pub classes: Vec<ClassCost>,
    /// The difference from the first policy in the file on the same phase; null for it.
    pub versus_first: Option<CostDelta>,
}

/// One tier's GPU-hours, cost, revenue and margin in a week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierCost {
    /// Tier name.
    pub tier: String,
    /// Serving GPU-hours its load takes: sum over steps of its terms of U, over max(1, U),
    /// times G(h) dt.
    pub gpu_hours: f64,
    /// Those GPU-hours at the serving cost per GPU-hour.
    pub cost: f64,
    /// Users times the monthly price, plus tokens served (after shedding) times their
    /// prices.
    pub revenue: f64,
    /// Revenue minus cost.
    pub margin: f64,
}

/// One class's cost per million output tokens served.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassCost {
    /// Class name.
    pub class: String,
    /// Serving GPU-hours the class takes (output and input kinds).
    pub gpu_hours: f64,
    /// Output tokens served in the week, millions.
    pub output_mtok: f64,
    /// Cost per million output tokens; null when none is served.
    pub cost_per_mtok_output: Option<f64>,
}

/// A policy against the first one in the file, on the same phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostDelta {
    /// The first policy.
    pub policy: String,
    /// Serving cost per week, this minus the first.
    pub serving_cost_per_week: f64,
    /// Revenue per week, this minus the first.
    pub revenue_per_week: f64,
    /// Margin per week, this minus the first.
    pub margin_per_week: f64,
}

/// Cost and margin of a model result on `fleet`, with every tier's users times
/// `users_scale` (1 for the scenario's demand).
pub fn cost_of(
    scenario: &Scenario,
    fleet: &FleetCapacity,
    headroom: &Headroom,
    users_scale: &[f64],
) -> CostAnswer {
    let usage = &headroom.usage;
    let fleet_cost: f64 = fleet
        .sites
        .iter()
        .map(|site| {
            let spec = &scenario.sites[site.site];
            let gpus: f64 = spec
                .gpus
                .iter()
                // The GPUs present: a ramping site pays for those it has (model v3).
                .map(|&(k, n)| {
                    n * site.presence * scenario.skus[k].cost_per_gpu_hour * HOURS_PER_WEEK
                })
                .sum();
            gpus + spec.power_mw * spec.cost_per_mw_month * MONTHS_PER_WEEK
        })
        .sum();
    let healthy_hours = fleet.healthy_gpus() * HOURS_PER_WEEK;
    let serving_cost = if healthy_hours > 0.0 {
        fleet_cost * usage.serving_gpu_hours / healthy_hours
    } else {
        0.0
    };
    let per_gpu_hour = if usage.serving_gpu_hours > 0.0 {
        serving_cost / usage.serving_gpu_hours
    } else {
        0.0
    };
    let tiers: Vec<TierCost> = scenario
        .tiers
        .iter()
        .enumerate()
        .map(|(t, tier)| {
            let cost = usage.tier_gpu_hours[t] * per_gpu_hour;
            let tokens: f64 = (0..3)
                .map(|x| usage.tier_tokens[t][x] * tier.price_per_mtok[x] / 1e6)
                .sum();
            let revenue =
                tier.users * users_scale[t] * tier.price_per_user_month * MONTHS_PER_WEEK + tokens;
            TierCost {
                tier: tier.name.clone(),
                gpu_hours: usage.tier_gpu_hours[t],
                cost,
                revenue,
                margin: revenue - cost,
            }
        })
        .collect();
    let classes = scenario
        .classes
        .iter()
        .enumerate()
        .map(|(c, class)| {
            let output_mtok = usage.class_output_tokens[c] / 1e6;
            ClassCost {
                class: class.clone(),
                gpu_hours: usage.class_gpu_hours[c],
                output_mtok,
                cost_per_mtok_output: (output_mtok > 0.0)
                    .then(|| usage.class_gpu_hours[c] * per_gpu_hour / output_mtok),
            }
        })
        .collect();
    let tier_cost: f64 = tiers.iter().map(|t| t.cost).sum();
    let revenue: f64 = tiers.iter().map(|t| t.revenue).sum();
    CostAnswer {
        fleet_cost_per_week: fleet_cost,
        serving_cost_per_week: serving_cost,
        training_cost_per_week: fleet_cost - serving_cost,
        idle_cost_per_week: (serving_cost - tier_cost).max(0.0),
        revenue_per_week: revenue,
        margin_per_week: revenue - serving_cost,
        tiers,
        classes,
        versus_first: None,
    }
}

impl CostAnswer {
    /// The difference from `first` (the first policy's answer on the same phase).
    pub fn against(&self, first_policy: &str, first: &CostAnswer) -> CostDelta {
        CostDelta {
            policy: first_policy.to_string(),
            serving_cost_per_week: self.serving_cost_per_week - first.serving_cost_per_week,
            revenue_per_week: self.revenue_per_week - first.revenue_per_week,
            margin_per_week: self.margin_per_week - first.margin_per_week,
        }
    }

    /// The margin of a tier, or of everything (`None`).
    pub fn margin_of(&self, tier: Option<&str>) -> Option<f64> {
        match tier {
            None => Some(self.margin_per_week),
            Some(name) => self.tiers.iter().find(|t| t.tier == name).map(|t| t.margin),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Evaluator, Phase, evaluate};
    use approx::assert_relative_eq;

    /// tiny.toml with costs and prices, and an API tier: 100 organisations, each wanting
    /// 1,000 output tok/s while active (10 % of the week's weekday hours, 5 % at weekends).
    fn priced() -> Scenario {
        let text = include_str!("../../scenarios/tiny.toml")
            .replace("overhead = 0.8\n", "overhead = 0.8\ncost_per_gpu_hour = 2.0\n")
            .replace("pue = 1.2\ngpus = { h100 = 1000 }\n\n[[site]]", "pue = 1.2\ngpus = { h100 = 1000 }\ncost_per_mw_month = 100000\n\n[[site]]")
            .replace("mix = { sonnet = 1.0 }\n", "mix = { sonnet = 1.0 }\nprice_per_user_month = 20\n\n[[tier]]\nname = \"api\"\nusers = 100\ncurve = \"flat\"\ntokens_per_active_hour = 3600000\nmix = { sonnet = 1.0 }\nprice_per_mtok = { output = 15, input = 3 }\n");
        Scenario::parse(&text, "priced.toml").unwrap()
    }

    #[test]
    fn a_week_of_cost_and_margin_by_hand() {
        let scenario = priced();
        assert!(scenario.has_costs);
        let fleet = FleetCapacity::of_phase(&scenario, &Phase::Before);
        let ones = vec![1.0; 2];
        let policy = &scenario.policies[0];
        for h in [
            evaluate(&scenario, &fleet, policy, &ones),
            Evaluator::new(&scenario).evaluate(&fleet, policy, &ones),
        ] {
            let c = cost_of(&scenario, &fleet, &h, &vec![1.0; scenario.tiers.len()]);
            // 1,000 GPUs at $2 for 168 h, and 1.512 MW at $100,000 a month.
            let fleet_cost = 1000.0 * 2.0 * 168.0 + 1.512 * 100_000.0 * 12.0 / 52.0;
            assert_relative_eq!(c.fleet_cost_per_week, fleet_cost, max_relative = 1e-12);
            // Every healthy GPU serves all week: serving is the whole cost.
            assert_relative_eq!(c.serving_cost_per_week, fleet_cost, max_relative = 1e-12);
            assert_eq!(c.training_cost_per_week, 0.0);
            let per_hour = fleet_cost / 168_000.0;
            // Weekday U = (1e6 + 1e4) / 8e5 = 1.2625 on 120 hours, past 100 %: the fleet
            // serves 1/1.2625 of each tier's load (model v3). Weekend U = 0.63125 on 48 h.
            // pro: 1.25 / 1.2625 × 1,000 × 120 + 0.625 × 1,000 × 48 GPU-hours; api: 0.0125 /
            // 1.2625 × 1,000 × 120 + 0.00625 × 1,000 × 48. Together 120,000 + 30,300.
            let kept = 1.0 / 1.2625;
            let (pro, api) = (&c.tiers[0], &c.tiers[1]);
            let pro_hours = 1.25 * kept * 120_000.0 + 30_000.0;
            let api_hours = 0.0125 * kept * 120_000.0 + 300.0;
            assert_relative_eq!(pro.gpu_hours, pro_hours, max_relative = 1e-12);
            assert_relative_eq!(api.gpu_hours, api_hours, max_relative = 1e-12);
            assert_relative_eq!(
                pro.gpu_hours + api.gpu_hours,
                150_300.0,
                max_relative = 1e-12
            );
            assert_relative_eq!(pro.cost, pro_hours * per_hour, max_relative = 1e-12);
            // Never negative: the 17,700 GPU-hours no tier's load took.
            assert_relative_eq!(
                c.idle_cost_per_week,
                17_700.0 * per_hour,
                max_relative = 1e-9
            );
            // pro: 100,000 users at $20 a month; api: output served after shedding, (1e4 /
            // 1.2625 × 120 h + 5e3 × 48 h) × 3600 s, at $15 a million.
            let pro_revenue = 100_000.0 * 20.0 * 12.0 / 52.0;
            let api_tokens = (1e4 * kept * 120.0 + 5e3 * 48.0) * 3600.0;
            assert_relative_eq!(pro.revenue, pro_revenue, max_relative = 1e-12);
            assert_relative_eq!(api.revenue, api_tokens * 15.0 / 1e6, max_relative = 1e-12);
            assert_relative_eq!(api.margin, api.revenue - api.cost, max_relative = 1e-12);
            assert_relative_eq!(
                c.margin_per_week,
                pro_revenue + api_tokens * 15.0 / 1e6 - fleet_cost,
                max_relative = 1e-12
            );
            // sonnet: 150,300 GPU-hours over the output served, 8e5 per weekday second
            // (all the fleet has) and 5.05e5 at weekends.
            let mtok = (8e5 * 120.0 + 5.05e5 * 48.0) * 3600.0 / 1e6;
            let sonnet = &c.classes[0];
            assert_relative_eq!(sonnet.output_mtok, mtok, max_relative = 1e-12);
            assert_relative_eq!(
                sonnet.cost_per_mtok_output.unwrap(),
                150_300.0 * per_hour / mtok,
                max_relative = 1e-12
            );
        }
    }

    #[test]
    fn training_takes_its_share_of_the_fleet_cost() {
        // Half the GPUs serve: half the fleet cost is serving, half training.
        let text = include_str!("../../scenarios/tiny.toml")
            .replace(
                "overhead = 0.8\n",
                "overhead = 0.8\ncost_per_gpu_hour = 2.0\n",
            )
            .replace(
                "pue = 1.2\ngpus = { h100 = 1000 }\n\n[[site]]",
                "pue = 1.2\nserving_share = 0.5\ngpus = { h100 = 1000 }\n\n[[site]]",
            );
        let scenario = Scenario::parse(&text, "half.toml").unwrap();
        let fleet = FleetCapacity::of_phase(&scenario, &Phase::Before);
        let h = evaluate(&scenario, &fleet, &scenario.policies[0], &[1.0]);
        let c = cost_of(&scenario, &fleet, &h, &vec![1.0; scenario.tiers.len()]);
        assert_relative_eq!(c.fleet_cost_per_week, 336_000.0, max_relative = 1e-12);
        assert_relative_eq!(c.serving_cost_per_week, 168_000.0, max_relative = 1e-12);
        assert_relative_eq!(c.training_cost_per_week, 168_000.0, max_relative = 1e-12);
    }
}
