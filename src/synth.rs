//! Synthetic scenarios at planning scale, for benchmarks and performance tests: many tiers
//! and policies, minute steps, a long timeline. Deterministic: the same size and seed give
//! the same text. Every number in them is made up; they exist to be fast on, not to be read.

use std::fmt::Write;

/// How big a synthetic scenario is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthSize {
    /// Plan tiers (with one curve each).
    pub tiers: usize,
    /// Rate-limit policies.
    pub policies: usize,
    /// Model step in minutes (1 gives 10,080 steps).
    pub step_minutes: u32,
    /// Months of `[timeline]`.
    pub months: u32,
    /// Seed of the pseudo-random numbers.
    pub seed: u64,
}

impl SynthSize {
    /// The size issue "performance at planning scale" names: 10,080 steps, 100 tiers,
    /// 50 policies, 36 months.
    pub const PLANNING: SynthSize = SynthSize {
        tiers: 100,
        policies: 50,
        step_minutes: 1,
        months: 36,
        seed: 1,
    };
}

/// A small, fast, deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.next()
    }
}

/// A scenario of the given size as TOML text.
pub fn scenario(size: SynthSize) -> String {
    let mut rng = Rng(size.seed);
    let mut s = String::new();
    let step = if size.step_minutes == 60 {
        "1h".to_string()
    } else {
        format!("{}m", size.step_minutes)
    };
    let _ = write!(
        s,
        "[scenario]\nname = \"synthetic {} tiers x {} policies at {step}\"\nstep = \"{step}\"\nutilization_target = 0.8\npeak_hours = [\"mon-fri 13:00-19:00\"]\n\n",
        size.tiers, size.policies
    );
    let _ = write!(
        s,
        "[timeline]\nstart = \"2026-01-01\"\nmonths = {}\ngrowth = 0.03\n\n[uncertainty]\nlow = 0.85\nhigh = 1.2\n\n",
        size.months
    );
    s.push_str(
        "[gpu.h100]\nwatts = 700\noverhead = 0.82\ntokens_per_s = { opus = 300, sonnet = 1200, haiku = 4800 }\n\n\
         [gpu.h200]\nwatts = 700\noverhead = 0.82\ntokens_per_s = { opus = 450, sonnet = 1800, haiku = 7200 }\n\n\
         [gpu.gb200]\nwatts = 1200\noverhead = 0.5\ntokens_per_s = { opus = 1500, sonnet = 6000, haiku = 24000 }\n\n",
    );
    // Six sites: four in service, two additions spread over the timeline.
    let sites = [
        ("east", None, 260.0, 100_000.0, 60_000.0, 0.0),
        ("west", None, 180.0, 0.0, 30_000.0, 60_000.0),
        ("north", None, 120.0, 60_000.0, 20_000.0, 0.0),
        ("south", None, 90.0, 0.0, 20_000.0, 20_000.0),
        ("addition-1", Some(3), 300.0, 140_000.0, 50_000.0, 30_000.0),
        ("addition-2", Some(18), 400.0, 0.0, 50_000.0, 150_000.0),
    ];
    for (name, month, mw, h100, h200, gb200) in sites {
        let _ = write!(
            s,
            "[[site]]\nname = \"{name}\"\npower_mw = {mw:?}\npue = 1.2\navailability = 0.95\nserving_share = 0.7\ngpus = {{ h100 = {h100:?}, h200 = {h200:?}, gb200 = {gb200:?} }}\n"
        );
        if let Some(month) = month {
            let _ = writeln!(s, "online = \"2026-{:02}-15\"", month.min(12));
        }
        s.push('\n');
    }
    // Demand sized so that the unlimited load peaks near the fleet's capacity.
    let total_users = 220_000_000.0;
    let mut weights: Vec<f64> = (0..size.tiers).map(|_| rng.range(0.2, 1.8)).collect();
    let sum: f64 = weights.iter().sum();
    weights.iter_mut().for_each(|w| *w /= sum);
    for (t, weight) in weights.iter().enumerate() {
        let peak_hour = rng.range(12.0, 19.0);
        let level = rng.range(0.02, 0.15);
        let weekend = rng.range(0.4, 0.9);
        let values: Vec<String> = (0..168)
            .map(|h| {
                let (day, hour) = (h / 24, (h % 24) as f64);
                let distance = (hour - peak_hour)
                    .abs()
                    .min(24.0 - (hour - peak_hour).abs());
                let v = level * (0.35 + 0.65 * (-(distance / 5.0).powi(2)).exp());
                format!("{:.5}", if day >= 5 { v * weekend } else { v })
            })
            .collect();
        // Shares with four decimals, sonnet taking the rest: the mix sums to 1 exactly enough.
        let a = (rng.range(0.0, 0.6) * 1e4).round() / 1e4;
        let b = (rng.range(0.0, 0.4) * 1e4).round() / 1e4;
        let _ = write!(
            s,
            "[curve.c{t}]\nweek = [{}]\n\n[[tier]]\nname = \"tier-{t}\"\nusers = {:.0}\ncurve = \"c{t}\"\ntokens_per_active_hour = {:.0}\nspread = {:.3}\nmix = {{ opus = {a:.4}, sonnet = {:.4}, haiku = {b:.4} }}\n\n",
            values.join(", "),
            total_users * weight,
            rng.range(20_000.0, 150_000.0),
            rng.range(0.5, 2.0),
            1.0 - a - b,
        );
    }
    for p in 0..size.policies {
        let budget = rng.range(0.5, 4.0);
        let _ = write!(s, "[[policy]]\nname = \"policy-{p}\"\n");
        for t in 0..size.tiers {
            if rng.next() < 0.7 {
                let _ = write!(
                    s,
                    "[policy.limits.tier-{t}]\nwindow = \"5h\"\nwindow_tokens = {:.0}\nweekly_tokens = {:.0}\npeak_factor = {:.2}\n",
                    budget * 100_000.0 * 5.0 * rng.range(0.5, 1.5),
                    budget * 100_000.0 * 12.0 * rng.range(0.8, 1.6),
                    rng.range(0.5, 1.0)
                );
            }
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn synthetic_scenarios_are_valid_and_deterministic() {
        let size = SynthSize {
            tiers: 12,
            policies: 4,
            step_minutes: 15,
            months: 6,
            seed: 9,
        };
        let text = scenario(size);
        assert_eq!(text, scenario(size));
        let parsed = Scenario::parse(&text, "synth.toml").unwrap();
        assert_eq!(parsed.tiers.len(), 12);
        assert_eq!(parsed.policies.len(), 4);
        assert_eq!(parsed.steps(), 672);
        assert_ne!(text, scenario(SynthSize { seed: 10, ..size }));
    }
}
