//! An independent, deliberately naive implementation of MODEL.md's formulas, used to check
//! `capplan compare --format json` to 1e-9 on scenarios the model's own tests never saw.
//! It loops over (phase, policy, step, tier, class) exactly as the formulas are written and
//! shares no code with the crate.

use std::fmt::Write;

/// A GPU SKU.
pub struct Sku {
    pub name: &'static str,
    pub watts: f64,
    pub overhead: f64,
    pub tokens_per_s: Vec<(&'static str, f64)>,
}

/// A site; `online` makes it an addition.
pub struct Site {
    pub name: &'static str,
    pub power_mw: f64,
    pub pue: f64,
    pub availability: f64,
    pub serving_share: f64,
    pub online: Option<&'static str>,
    pub gpus: Vec<(&'static str, f64)>,
}

/// A tier with its own 168-hour curve.
pub struct Tier {
    pub name: &'static str,
    pub users: f64,
    pub hourly: Vec<f64>,
    pub tokens_per_active_hour: f64,
    pub spread: f64,
    pub mix: Vec<(&'static str, f64)>,
}

/// A limit: window as text and in hours.
pub struct Limit {
    pub window: &'static str,
    pub window_hours: f64,
    pub window_tokens: f64,
    pub weekly_tokens: Option<f64>,
    pub peak_factor: f64,
}

/// A policy.
pub struct Policy {
    pub name: &'static str,
    pub limits: Vec<(&'static str, Limit)>,
}

/// A whole scenario; `peak` says whether a minute of the week is in a peak period and must
/// agree with `peak_hours`.
pub struct Scenario {
    pub step_minutes: u32,
    pub step: &'static str,
    pub target: f64,
    pub peak_hours: Vec<&'static str>,
    pub peak: fn(u32) -> bool,
    pub skus: Vec<Sku>,
    pub sites: Vec<Site>,
    pub tiers: Vec<Tier>,
    pub policies: Vec<Policy>,
}

/// Expected numbers for one phase.
pub struct PhaseExpect {
    pub power_factor: Vec<f64>,
    pub serving_gpus: Vec<Vec<(&'static str, f64)>>,
    pub serving_mw: f64,
    pub tokens_per_s: Vec<(String, f64)>,
}

/// Expected numbers for one policy on one phase.
pub struct ResultExpect {
    pub policy: String,
    pub phase: &'static str,
    pub peak_utilization: f64,
    pub peak_step: usize,
    pub hours_over_target: f64,
    pub served_share: f64,
    pub throttled_share_at_peak: f64,
    pub shed_share: f64,
    pub mw_to_fit: f64,
    pub fits: bool,
}

impl Scenario {
    /// The scenario as a TOML file (each tier gets its own `week` curve).
    pub fn to_toml(&self) -> String {
        let mut s = String::new();
        let peaks: Vec<String> = self.peak_hours.iter().map(|p| format!("{p:?}")).collect();
        writeln!(
            s,
            "[scenario]\nname = \"reference\"\nstep = {:?}\nutilization_target = {:?}\npeak_hours = [{}]\n",
            self.step,
            self.target,
            peaks.join(", ")
        )
        .unwrap();
        for sku in &self.skus {
            let rates: Vec<String> = sku
                .tokens_per_s
                .iter()
                .map(|(c, r)| format!("{c} = {r:?}"))
                .collect();
            writeln!(
                s,
                "[gpu.{}]\nwatts = {:?}\noverhead = {:?}\ntokens_per_s = {{ {} }}\n",
                sku.name,
                sku.watts,
                sku.overhead,
                rates.join(", ")
            )
            .unwrap();
        }
        for site in &self.sites {
            let gpus: Vec<String> = site
                .gpus
                .iter()
                .map(|(k, n)| format!("{k} = {n:?}"))
                .collect();
            writeln!(
                s,
                "[[site]]\nname = {:?}\npower_mw = {:?}\npue = {:?}\navailability = {:?}\nserving_share = {:?}\ngpus = {{ {} }}",
                site.name,
                site.power_mw,
                site.pue,
                site.availability,
                site.serving_share,
                gpus.join(", ")
            )
            .unwrap();
            if let Some(online) = site.online {
                writeln!(s, "online = {online:?}").unwrap();
            }
            writeln!(s).unwrap();
        }
        for tier in &self.tiers {
            let values: Vec<String> = tier.hourly.iter().map(|v| format!("{v:?}")).collect();
            writeln!(s, "[curve.{}]\nweek = [{}]\n", tier.name, values.join(", ")).unwrap();
            let mix: Vec<String> = tier
                .mix
                .iter()
                .map(|(c, m)| format!("{c} = {m:?}"))
                .collect();
            writeln!(
                s,
                "[[tier]]\nname = {:?}\nusers = {:?}\ncurve = {:?}\ntokens_per_active_hour = {:?}\nspread = {:?}\nmix = {{ {} }}\n",
                tier.name,
                tier.users,
                tier.name,
                tier.tokens_per_active_hour,
                tier.spread,
                mix.join(", ")
            )
            .unwrap();
        }
        for policy in &self.policies {
            writeln!(s, "[[policy]]\nname = {:?}", policy.name).unwrap();
            for (tier, limit) in &policy.limits {
                writeln!(
                    s,
                    "[policy.limits.{tier}]\nwindow = {:?}\nwindow_tokens = {:?}\npeak_factor = {:?}",
                    limit.window, limit.window_tokens, limit.peak_factor
                )
                .unwrap();
                if let Some(weekly) = limit.weekly_tokens {
                    writeln!(s, "weekly_tokens = {weekly:?}").unwrap();
                }
            }
            writeln!(s).unwrap();
        }
        s
    }

    fn classes(&self) -> Vec<&'static str> {
        let mut classes = Vec::new();
        for sku in &self.skus {
            for (c, _) in &sku.tokens_per_s {
                if !classes.contains(c) {
                    classes.push(*c);
                }
            }
        }
        classes
    }

    fn allin(&self, sku: &str) -> f64 {
        let s = self.skus.iter().find(|s| s.name == sku).unwrap();
        s.watts * (1.0 + s.overhead)
    }

    fn rate(&self, sku: &str, class: &str) -> f64 {
        let s = self.skus.iter().find(|s| s.name == sku).unwrap();
        s.tokens_per_s
            .iter()
            .find(|(c, _)| *c == class)
            .map_or(0.0, |(_, r)| *r)
    }

    /// Capacity of the sites of a phase, formula by formula.
    pub fn phase(&self, after: bool) -> PhaseExpect {
        let classes = self.classes();
        let mut expect = PhaseExpect {
            power_factor: vec![],
            serving_gpus: vec![],
            serving_mw: 0.0,
            tokens_per_s: classes.iter().map(|c| (c.to_string(), 0.0)).collect(),
        };
        for site in self.sites.iter().filter(|s| after || s.online.is_none()) {
            let it_w = site.power_mw * 1e6 / site.pue;
            let draw_w: f64 = site.gpus.iter().map(|(k, n)| n * self.allin(k)).sum();
            let f = (it_w / draw_w).min(1.0);
            expect.power_factor.push(f);
            let mut gpus = vec![];
            for (k, n) in &site.gpus {
                let g = n * f * site.availability * site.serving_share;
                gpus.push((*k, g));
                for (c, total) in expect.tokens_per_s.iter_mut() {
                    *total += g * self.rate(k, c);
                }
                expect.serving_mw += n * f * site.serving_share * self.allin(k) * site.pue / 1e6;
            }
            expect.serving_gpus.push(gpus);
        }
        expect
    }

    /// One policy on one phase, formula by formula.
    pub fn result(&self, policy: &Policy, after: bool) -> ResultExpect {
        let classes = self.classes();
        let phase = self.phase(after);
        let steps = (10080 / self.step_minutes) as usize;
        let dt = f64::from(self.step_minutes) / 60.0;
        let curve = |t: &Tier, h: usize| t.hourly[h * self.step_minutes as usize / 60];
        let mut u = vec![0.0; steps];
        let mut served_h = vec![0.0; steps];
        let (mut served, mut desired) = (0.0, 0.0);
        let mut throttled_h = vec![0.0; steps];
        let mut active_h = vec![0.0; steps];
        for h in 0..steps {
            let p_peak = (self.peak)(h as u32 * self.step_minutes);
            let mut d = vec![0.0; classes.len()];
            for t in &self.tiers {
                let a = t.users * curve(t, h);
                let hours: f64 = (0..steps).map(|x| curve(t, x) * dt).sum();
                let (phi, theta) = match policy.limits.iter().find(|(n, _)| *n == t.name) {
                    None => (1.0, 0.0),
                    Some((_, l)) => {
                        let p = if p_peak { l.peak_factor } else { 1.0 };
                        let window = l.window_tokens * p / l.window_hours;
                        let weekly = l.weekly_tokens.map_or(f64::INFINITY, |w| w / hours);
                        let k = window.min(weekly) / t.tokens_per_active_hour;
                        let s = t.spread;
                        let z = k.ln() / s;
                        (
                            cdf(z - s / 2.0) + k * (1.0 - cdf(z + s / 2.0)),
                            1.0 - cdf(z + s / 2.0),
                        )
                    }
                };
                for (ci, c) in classes.iter().enumerate() {
                    let m = t.mix.iter().find(|(x, _)| x == c).map_or(0.0, |(_, m)| *m);
                    let dtc = a * t.tokens_per_active_hour * phi * m / 3600.0;
                    d[ci] += dtc;
                    served += dtc;
                    served_h[h] += dtc;
                    desired += a * t.tokens_per_active_hour * m / 3600.0;
                }
                throttled_h[h] += a * theta;
                active_h[h] += a;
            }
            for (ci, _) in classes.iter().enumerate() {
                u[h] += d[ci] / phase.tokens_per_s[ci].1;
            }
        }
        let mut peak_step = 0;
        for h in 0..steps {
            if u[h] > u[peak_step] {
                peak_step = h;
            }
        }
        let peak = u[peak_step];
        let shed: f64 = (0..steps)
            .map(|h| served_h[h] * (1.0 - 1.0 / u[h]).max(0.0))
            .sum();
        let total_served: f64 = served_h.iter().sum();
        ResultExpect {
            policy: policy.name.to_string(),
            phase: if after { "after" } else { "before" },
            peak_utilization: peak,
            peak_step,
            hours_over_target: dt * u.iter().filter(|&&x| x > self.target).count() as f64,
            served_share: served / desired,
            throttled_share_at_peak: throttled_h[peak_step] / active_h[peak_step],
            shed_share: shed / total_served,
            mw_to_fit: (peak / self.target - 1.0).max(0.0) * phase.serving_mw,
            fits: peak <= self.target,
        }
    }
}

/// Standard normal CDF: Phi(x) = erfc(-x / sqrt 2) / 2.
fn cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}
