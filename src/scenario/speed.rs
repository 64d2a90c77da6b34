//! Serving speed (model v3): the model's columns of capacity, one per class and speed in
//! use, built from the rates as the file gives them, and each tier's mix over them.
//!
//! A class that some SKU rates with a frontier (`tokens_per_s = { opus = [[20, 1400], [80,
//! 300]] }`) gets one column per speed any tier can be served at (its own `speed`, a
//! policy's `speed` or `peak_speed`); every other class is one column, as in version 2.
//! U is linear in demand per column, and a column's input and cached rates are its class's,
//! so splitting a class's input demand over its speeds leaves U exactly as MODEL.md's
//! `sum over t, c, x of d_x(t,c,h) / T_x(c, v(t,h))` gives it.

use super::{Column, OutputRate, Policy, PolicySpeed, Scenario, Tier};

impl Scenario {
    /// A tier's mix over columns under `policy`, in a peak or off-peak step: at the speed
    /// [`Policy::speed_at`] gives it.
    pub fn mix(&self, policy: &Policy, t: usize, peak: bool) -> &[f64] {
        let tier = &self.tiers[t];
        match policy.speed_of(t).map(|s| s.mixes[usize::from(peak)]) {
            Some(i) if i > 0 => &tier.speed_mixes[i - 1],
            _ => &tier.mix,
        }
    }

    /// Every tier at every speed it can be served at, as the sampled kernel weighs them:
    /// per load, its tier and its mix over columns. A tier's loads are consecutive, its own
    /// speed first; without frontiers there is one load per tier, in tier order.
    pub fn loads(&self) -> Vec<(usize, &[f64])> {
        self.tiers
            .iter()
            .enumerate()
            .flat_map(|(t, tier)| {
                std::iter::once((t, &tier.mix[..]))
                    .chain(tier.speed_mixes.iter().map(move |mix| (t, &mix[..])))
            })
            .collect()
    }

    /// The load (index into [`Scenario::loads`]) tier `t` is under `policy` in a peak or
    /// off-peak step.
    pub fn load_of(&self, policy: &Policy, t: usize, peak: bool) -> usize {
        let first: usize = self.tiers[..t]
            .iter()
            .map(|tier| 1 + tier.speed_mixes.len())
            .sum();
        first + policy.speed_of(t).map_or(0, |s| s.mixes[usize::from(peak)])
    }

    /// The classes (as the file names them, each once, in column order) of some columns:
    /// what reports name for unservable demand.
    pub fn class_names(&self, columns: &[usize]) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for &c in columns {
            let name = &self.base_classes[self.columns[c].class];
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }

    /// The speeds every frontier tier `t`'s classes reach covers, `(slowest, fastest)`:
    /// none when no class it asks has a frontier; an empty range (slowest > fastest) when
    /// they share no speed.
    pub fn speed_range(&self, t: usize) -> Option<(f64, f64)> {
        let mut range: Option<(f64, f64)> = None;
        for (c, &share) in self.tiers[t].class_mix.iter().enumerate() {
            if share <= 0.0 {
                continue;
            }
            for sku in &self.skus {
                if let Some((low, high)) = sku.rates[c].output.range() {
                    range = Some(range.map_or((low, high), |(a, b)| (a.max(low), b.min(high))));
                }
            }
        }
        range
    }

    /// This scenario with policy `p` serving tier `t` at `speed` off peak (and at peak
    /// unless the policy sets a `peak_speed`), or with `peak_only` at peak only; its
    /// columns built again. What `solve` and `explain` try.
    pub fn with_speed(&self, p: usize, t: usize, speed: f64, peak_only: bool) -> Scenario {
        let mut s = self.clone();
        let policy = &mut s.policies[p];
        match policy.speeds.iter_mut().find(|own| own.tier == t) {
            Some(own) if peak_only => own.peak_speed = Some(speed),
            Some(own) => own.speed = Some(speed),
            None => policy.speeds.push(PolicySpeed {
                tier: t,
                speed: (!peak_only).then_some(speed),
                peak_speed: peak_only.then_some(speed),
                mixes: [0, 0],
            }),
        }
        s.expand_speeds();
        s
    }

    /// Whether some SKU rates class `class` (an index into [`Scenario::base_classes`])
    /// with a frontier.
    pub fn has_frontier(&self, class: usize) -> bool {
        self.skus
            .iter()
            .any(|sku| matches!(sku.rates[class].output, OutputRate::Frontier(_)))
    }

    /// Whether any class has a frontier: without one the columns are the classes.
    pub fn uses_speed(&self) -> bool {
        (0..self.base_classes.len()).any(|c| self.has_frontier(c))
    }

    /// The distinct speeds tier `t` can be served at under the scenario's policies, with
    /// its own speed first when it has one.
    fn tier_speeds(&self, t: usize) -> Vec<Option<f64>> {
        let tier = &self.tiers[t];
        let mut speeds = vec![tier.speed];
        for policy in &self.policies {
            for peak in [false, true] {
                let v = policy.speed_at(t, tier, peak);
                if !speeds.iter().any(|s| same(*s, v)) {
                    speeds.push(v);
                }
            }
        }
        speeds
    }

    /// Builds the columns from the SKUs' rates as given, the tiers' and policies' speeds:
    /// [`Scenario::classes`], [`Scenario::columns`], every SKU's per-column rates, the
    /// rated kinds, each tier's mixes and each policy speed's mix indices. Run after
    /// validation, and again whenever a speed changes (`solve` on a speed).
    pub fn expand_speeds(&mut self) {
        let frontier: Vec<bool> = (0..self.base_classes.len())
            .map(|c| self.has_frontier(c))
            .collect();
        // The speeds in use per frontier class, ascending.
        let mut in_use: Vec<Vec<f64>> = vec![Vec::new(); self.base_classes.len()];
        let tier_speeds: Vec<Vec<Option<f64>>> =
            (0..self.tiers.len()).map(|t| self.tier_speeds(t)).collect();
        for (tier, speeds) in self.tiers.iter().zip(&tier_speeds) {
            for (c, &share) in tier.class_mix.iter().enumerate() {
                if share > 0.0 && frontier[c] {
                    in_use[c].extend(speeds.iter().flatten());
                }
            }
        }
        let mut columns = Vec::new();
        for (c, speeds) in in_use.iter_mut().enumerate() {
            if frontier[c] {
                speeds.sort_by(f64::total_cmp);
                speeds.dedup_by(|a, b| a.to_bits() == b.to_bits());
                columns.extend(speeds.iter().map(|&v| Column {
                    class: c,
                    speed: Some(v),
                }));
            } else {
                columns.push(Column {
                    class: c,
                    speed: None,
                });
            }
        }
        self.classes = columns
            .iter()
            .map(|column| match column.speed {
                Some(v) => format!("{}@{}", self.base_classes[column.class], v),
                None => self.base_classes[column.class].clone(),
            })
            .collect();
        for sku in &mut self.skus {
            sku.tokens_per_s = columns
                .iter()
                .map(|column| {
                    sku.rates[column.class]
                        .output
                        .at(column.speed)
                        .unwrap_or(0.0)
                })
                .collect();
            sku.input_tokens_per_s = columns
                .iter()
                .map(|col| sku.rates[col.class].input)
                .collect();
            sku.cached_tokens_per_s = columns
                .iter()
                .map(|col| sku.rates[col.class].cached)
                .collect();
        }
        self.input_rated = columns
            .iter()
            .map(|col| self.base_rated[col.class][0])
            .collect();
        self.cached_rated = columns
            .iter()
            .map(|col| self.base_rated[col.class][1])
            .collect();
        let column_of = |class: usize, speed: Option<f64>| -> Option<usize> {
            columns.iter().position(|col| {
                col.class == class && (col.speed.is_none() || same(col.speed, speed))
            })
        };
        let mix_at = |tier: &Tier, speed: Option<f64>| -> Vec<f64> {
            let mut mix = vec![0.0; columns.len()];
            for (c, &share) in tier.class_mix.iter().enumerate() {
                if let Some(col) = column_of(c, speed) {
                    mix[col] += share;
                }
            }
            mix
        };
        for (t, tier) in self.tiers.iter_mut().enumerate() {
            tier.mix = mix_at(tier, tier.speed);
            // Other speeds change the mix only if the tier asks for a frontier class.
            let moves = tier
                .class_mix
                .iter()
                .zip(&frontier)
                .any(|(&share, &f)| share > 0.0 && f);
            tier.speed_mixes = if moves {
                tier_speeds[t][1..]
                    .iter()
                    .map(|&v| mix_at(tier, v))
                    .collect()
            } else {
                Vec::new()
            };
        }
        for policy in &mut self.policies {
            for speed in &mut policy.speeds {
                let t = speed.tier;
                let tier = &self.tiers[t];
                let index = |v: Option<f64>| -> usize {
                    if tier.speed_mixes.is_empty() {
                        return 0;
                    }
                    tier_speeds[t].iter().position(|s| same(*s, v)).unwrap_or(0)
                };
                let off = speed.speed.or(tier.speed);
                let peak = speed.peak_speed.or(off);
                speed.mixes = [index(off), index(peak)];
            }
        }
        self.columns = columns;
    }
}

/// Two optional speeds are the same speed (bit for bit).
fn same(a: Option<f64>, b: Option<f64>) -> bool {
    a.map(f64::to_bits) == b.map(f64::to_bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frontier_is_log_log_linear_between_points() {
        let frontier = OutputRate::Frontier(vec![(20.0, 1400.0), (40.0, 900.0), (80.0, 300.0)]);
        // Halfway in ln(speed) between 20 and 40 (sqrt(800)): the geometric mean.
        let v = 800f64.sqrt();
        let expected = (1400.0f64 * 900.0).sqrt();
        let got = frontier.at(Some(v)).unwrap();
        assert!(
            (got - expected).abs() <= 1e-12 * expected,
            "{got} {expected}"
        );
        // 30 tok/s: w = ln(1.5)/ln(2); ln T = ln 1400 + w (ln 900 - ln 1400).
        let w = 1.5f64.ln() / 2f64.ln();
        let expected = (1400f64.ln() + w * (900f64.ln() - 1400f64.ln())).exp();
        let got = frontier.at(Some(30.0)).unwrap();
        assert!((got - expected).abs() <= 1e-12 * expected);
        assert!((got - 1_081.140_654_049_803_3_f64).abs() < 1e-9, "{got}");
        // The points themselves, and nothing outside.
        assert_eq!(frontier.at(Some(20.0)), Some(1400.0));
        assert_eq!(frontier.at(Some(80.0)), Some(300.0));
        assert_eq!(frontier.at(Some(19.999)), None);
        assert_eq!(frontier.at(Some(80.001)), None);
        assert_eq!(frontier.at(None), None);
        assert_eq!(OutputRate::Scalar(5.0).at(None), Some(5.0));
    }
}
