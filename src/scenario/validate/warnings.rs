//! Warnings: what is legal but suspicious in a valid scenario (an all-in power outside
//! what is known for the SKU family, a power-bound site, a tier that is never active, two
//! policies with the same limits). They never stop a run.

use std::collections::HashMap;

use super::Checker;
use crate::fmt::count;
use crate::scenario::Scenario;
use crate::scenario::diagnostic::KeyPath;

/// All-in watts per GPU known for a SKU family, matched by the SKU id (checked in order, so
/// `gb200` wins over `b200`), with where the range comes from.
const KNOWN_ALLIN_WATTS: [(&str, f64, f64, &str); 4] = [
    (
        "gb200",
        1500.0,
        2100.0,
        "GB200 NVL72: ~120-132 kW per 72 GPUs",
    ),
    ("b200", 1300.0, 2100.0, "DGX B200: ~14.3 kW per 8 GPUs"),
    (
        "h200",
        1000.0,
        1600.0,
        "HGX H200: ~1,275 W per GPU, as DGX H100",
    ),
    (
        "h100",
        1000.0,
        1600.0,
        "DGX H100: 10.2 kW per 8 GPUs = 1,275 W",
    ),
];

impl Checker<'_, '_> {
    /// Warnings for what is legal but suspicious in a valid scenario.
    pub(super) fn warn_suspicious(&mut self, scenario: &Scenario) {
        // A speed on a tier that asks no class with a frontier changes nothing (model v3).
        for (t, tier) in scenario.tiers.iter().enumerate() {
            if scenario.speed_range(t).is_some() {
                continue;
            }
            let mut paths = Vec::new();
            if tier.speed.is_some() {
                paths.push(KeyPath::root("tier").index(t).key("speed"));
            }
            for (p, policy) in scenario.policies.iter().enumerate() {
                if policy.speed_of(t).is_some() {
                    paths.push(
                        KeyPath::root("policy")
                            .index(p)
                            .key("limits")
                            .key(&tier.name),
                    );
                }
            }
            for path in paths {
                self.warn(
                    path,
                    format!(
                        "tier {:?} asks no class that a SKU rates with a frontier, so its speed changes nothing",
                        tier.name
                    ),
                );
            }
        }
        for sku in &scenario.skus {
            let id = sku.name.to_ascii_lowercase();
            let allin = sku.allin_watts();
            if let Some((family, low, high, source)) = KNOWN_ALLIN_WATTS
                .iter()
                .find(|(family, ..)| id.contains(family))
                && (allin < *low || allin > *high)
            {
                self.warn(
                        KeyPath::root("gpu").key(&sku.name).key("overhead"),
                        format!(
                            "all-in power of {allin:.0} W per GPU (watts * (1 + overhead)) is outside the {low:.0}-{high:.0} W known for {} ({source})",
                            family.to_ascii_uppercase()
                        ),
                    );
            }
        }
        for (i, site) in scenario.sites.iter().enumerate() {
            let (it_w, draw_w) = (site.it_watts(), site.draw_watts(&scenario.skus));
            let factor = site.power_factor(&scenario.skus);
            if factor < 1.0 {
                let gpus: f64 = site.gpus.iter().map(|&(_, n)| n).sum();
                self.warn(
                    KeyPath::root("site").index(i).key("power_mw"),
                    format!(
                        "site {:?} is power-bound: {:.2} MW of IT power ({} MW / PUE {}) runs {:.1}% of its GPUs, which draw {:.2} MW all-in; {} GPUs cannot be powered",
                        site.name,
                        it_w / 1e6,
                        site.power_mw,
                        site.pue,
                        factor * 100.0,
                        draw_w / 1e6,
                        count(gpus * (1.0 - factor))
                    ),
                );
            }
        }
        if let Some(timeline) = &scenario.timeline {
            // The horizon: from the start to the day before start + months.
            let end = timeline.start.add_months(timeline.months).add_days(-1);
            for (i, site) in scenario.sites.iter().enumerate() {
                let gone = site
                    .offline
                    .is_some_and(|offline| offline <= timeline.start);
                let late = site.online.is_some_and(|online| online > end);
                if gone || late {
                    self.warn(
                        KeyPath::root("site")
                            .index(i)
                            .key(if gone { "offline" } else { "online" }),
                        format!(
                            "site {:?} is offline for the whole timeline ({} to {end}): it serves on none of its days",
                            site.name, timeline.start
                        ),
                    );
                }
            }
        }
        for (i, tier) in scenario.tiers.iter().enumerate() {
            if tier.activity.iter().all(|&a| a == 0.0) {
                self.warn(
                    KeyPath::root("tier").index(i).key("curve"),
                    format!(
                        "tier {:?} uses curve {:?}, which is zero all week: the tier never has an active user",
                        tier.name, tier.curve
                    ),
                );
            }
        }
        // Twin policies, found through a map of their limits' bits: linear in policies.
        let mut first_with: HashMap<Vec<u64>, usize> = HashMap::new();
        let bits = |v: Option<f64>| v.map_or(u64::MAX, f64::to_bits);
        for (i, policy) in scenario.policies.iter().enumerate() {
            // Every budget and the speeds it serves each tier at (model v3).
            let key: Vec<u64> = policy
                .limits
                .iter()
                .enumerate()
                .flat_map(|(t, l)| {
                    let tier = &scenario.tiers[t];
                    let budget = match l {
                        Some(l) => [
                            1,
                            l.window_hours.to_bits(),
                            l.window_tokens.to_bits(),
                            bits(l.weekly_tokens),
                            l.peak_factor.to_bits(),
                            bits(l.window_input_tokens),
                            bits(l.weekly_input_tokens),
                        ],
                        None => [0; 7],
                    };
                    budget.into_iter().chain([
                        bits(policy.speed_at(t, tier, false)),
                        bits(policy.speed_at(t, tier, true)),
                    ])
                })
                .collect();
            match first_with.get(&key) {
                Some(&twin) => self.warn(
                    KeyPath::root("policy").index(i).key("name"),
                    format!(
                        "policy {:?} sets exactly the same limits as policy {:?}",
                        policy.name, scenario.policies[twin].name
                    ),
                ),
                None => {
                    first_with.insert(key, i);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TINY, problems};

    #[test]
    fn a_power_bound_site_is_counted() {
        // IT 0.756e6 / 1.2 = 630,000 W for 1,000 GPUs at 700 * 1.8 = 1,260 W: half powered.
        let warnings = problems(TINY).unwrap();
        assert_eq!(
            warnings,
            [
                "site[1].power_mw: site \"new\" is power-bound: 0.63 MW of IT power (0.756 MW / PUE 1.2) runs 50.0% of its GPUs, which draw 1.26 MW all-in; 500 GPUs cannot be powered"
            ]
        );
    }

    #[test]
    fn suspicious_power_idle_tiers_and_twin_policies() {
        let text = TINY
            .replace("overhead = 0.8", "overhead = 0")
            .replace("power_mw = 0.756", "power_mw = 1.512")
            .replace("weekday = [0.1, 0.1,", "weekday = [0.0, 0.0,")
            .replace(
                "window_tokens = 2000000\nweekly_tokens = 4320000",
                "window_tokens = 1000000",
            );
        let text = text.replace(
            "weekday = [0.0, 0.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,\n           0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]",
            &format!("weekday = [{}]", vec!["0.0"; 24].join(", ")),
        );
        let text = text.replace(
            "weekend = [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05,\n           0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05]",
            &format!("weekend = [{}]", vec!["0.0"; 24].join(", ")),
        );
        let warnings = problems(&text).unwrap();
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].starts_with("gpu.h100.overhead: all-in power of 700 W per GPU"));
        assert!(warnings[1].starts_with(
            "tier[0].curve: tier \"pro\" uses curve \"flat\", which is zero all week"
        ));
        assert_eq!(
            warnings[2],
            "policy[2].name: policy \"double-5h\" sets exactly the same limits as policy \"current\""
        );
    }
}
