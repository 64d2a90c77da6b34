//! An independent, deliberately naive implementation of MODEL.md's formulas, used to check
//! `capplan compare --format json` to 1e-9 on scenarios the model's own tests never saw.
//! It loops over (phase, policy, step, tier, class) exactly as the formulas are written and
//! shares no code with the crate.

use std::fmt::Write;

/// A GPU SKU; `input` and `cached` are the v2 rates (empty in v1).
#[derive(Default)]
pub struct Sku {
    pub name: &'static str,
    pub watts: f64,
    pub overhead: f64,
    pub tokens_per_s: Vec<(&'static str, f64)>,
    pub input: Vec<(&'static str, f64)>,
    pub cached: Vec<(&'static str, f64)>,
    pub cost_per_gpu_hour: f64,
}

/// A site's serving share (v2: a curve of 168 hourly shares, or elastic).
pub enum Share {
    Fixed(f64),
    Curve(&'static str, Vec<f64>),
    Elastic(f64, f64),
}

impl Default for Share {
    fn default() -> Share {
        Share::Fixed(1.0)
    }
}

/// A site; `online` makes it an addition.
#[derive(Default)]
pub struct Site {
    pub name: &'static str,
    pub power_mw: f64,
    pub pue: f64,
    pub availability: f64,
    pub serving_share: Share,
    pub online: Option<&'static str>,
    pub gpus: Vec<(&'static str, f64)>,
    pub cost_per_mw_month: f64,
}

/// A tier with its own 168-hour curve.
#[derive(Default)]
pub struct Tier {
    pub name: &'static str,
    pub users: f64,
    pub hourly: Vec<f64>,
    pub tokens_per_active_hour: f64,
    pub spread: f64,
    pub mix: Vec<(&'static str, f64)>,
    pub input_per_output: f64,
    pub cache_hit: f64,
    pub price_per_user_month: f64,
    pub price_per_mtok: [f64; 3],
}

/// A limit: window as text and in hours.
#[derive(Default)]
pub struct Limit {
    pub window: &'static str,
    pub window_hours: f64,
    pub window_tokens: f64,
    pub weekly_tokens: Option<f64>,
    pub peak_factor: f64,
    pub window_input_tokens: Option<f64>,
    pub weekly_input_tokens: Option<f64>,
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
    pub training_floor: Option<f64>,
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
    pub training_gpu_hours: f64,
    pub fits: bool,
    /// Cost and margin a week: fleet, serving, revenue, margin, and per tier (GPU-hours,
    /// cost, revenue).
    pub fleet_cost: f64,
    pub serving_cost: f64,
    pub revenue: f64,
    pub margin: f64,
    pub tiers: Vec<(f64, f64, f64)>,
}

impl Scenario {
    /// The scenario as a TOML file (each tier gets its own `week` curve).
    pub fn to_toml(&self) -> String {
        let mut s = String::new();
        let peaks: Vec<String> = self.peak_hours.iter().map(|p| format!("{p:?}")).collect();
        writeln!(
            s,
            "[scenario]\nname = \"reference\"\nstep = {:?}\nutilization_target = {:?}\npeak_hours = [{}]",
            self.step,
            self.target,
            peaks.join(", ")
        )
        .unwrap();
        if let Some(floor) = self.training_floor {
            writeln!(s, "training_floor_gpu_hours = {floor:?}").unwrap();
        }
        writeln!(s).unwrap();
        for sku in &self.skus {
            let rates: Vec<String> = sku
                .tokens_per_s
                .iter()
                .map(|(c, r)| format!("{c} = {r:?}"))
                .collect();
            writeln!(
                s,
                "[gpu.{}]\nwatts = {:?}\noverhead = {:?}\ntokens_per_s = {{ {} }}",
                sku.name,
                sku.watts,
                sku.overhead,
                rates.join(", ")
            )
            .unwrap();
            if sku.cost_per_gpu_hour > 0.0 {
                writeln!(s, "cost_per_gpu_hour = {:?}", sku.cost_per_gpu_hour).unwrap();
            }
            for (key, rates) in [
                ("input_tokens_per_s", &sku.input),
                ("cached_tokens_per_s", &sku.cached),
            ] {
                if !rates.is_empty() {
                    let rates: Vec<String> =
                        rates.iter().map(|(c, r)| format!("{c} = {r:?}")).collect();
                    writeln!(s, "{key} = {{ {} }}", rates.join(", ")).unwrap();
                }
            }
            writeln!(s).unwrap();
        }
        for site in &self.sites {
            let gpus: Vec<String> = site
                .gpus
                .iter()
                .map(|(k, n)| format!("{k} = {n:?}"))
                .collect();
            writeln!(
                s,
                "[[site]]\nname = {:?}\npower_mw = {:?}\npue = {:?}\navailability = {:?}\nserving_share = {}\ngpus = {{ {} }}",
                site.name,
                site.power_mw,
                site.pue,
                site.availability,
                match &site.serving_share {
                    Share::Fixed(x) => format!("{x:?}"),
                    Share::Curve(id, _) => format!("{id:?}"),
                    Share::Elastic(min, max) => format!("{{ min = {min:?}, max = {max:?} }}"),
                },
                gpus.join(", ")
            )
            .unwrap();
            if let Some(online) = site.online {
                writeln!(s, "online = {online:?}").unwrap();
            }
            if site.cost_per_mw_month > 0.0 {
                writeln!(s, "cost_per_mw_month = {:?}", site.cost_per_mw_month).unwrap();
            }
            writeln!(s).unwrap();
        }
        for site in &self.sites {
            if let Share::Curve(id, hourly) = &site.serving_share {
                let values: Vec<String> = hourly.iter().map(|v| format!("{v:?}")).collect();
                writeln!(s, "[curve.{id}]\nweek = [{}]\n", values.join(", ")).unwrap();
            }
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
                "[[tier]]\nname = {:?}\nusers = {:?}\ncurve = {:?}\ntokens_per_active_hour = {:?}\nspread = {:?}\nmix = {{ {} }}\ninput_per_output = {:?}\ncache_hit = {:?}\n",
                tier.name,
                tier.users,
                tier.name,
                tier.tokens_per_active_hour,
                tier.spread,
                mix.join(", "),
                tier.input_per_output,
                tier.cache_hit
            )
            .unwrap();
            if tier.price_per_user_month > 0.0 || tier.price_per_mtok.iter().any(|p| *p > 0.0) {
                let [o, i, c] = tier.price_per_mtok;
                writeln!(
                    s,
                    "price_per_user_month = {:?}\nprice_per_mtok = {{ output = {o:?}, input = {i:?}, cached = {c:?} }}\n",
                    tier.price_per_user_month
                )
                .unwrap();
            }
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
                if let Some(budget) = limit.window_input_tokens {
                    writeln!(s, "window_input_tokens = {budget:?}").unwrap();
                }
                if let Some(budget) = limit.weekly_input_tokens {
                    writeln!(s, "weekly_input_tokens = {budget:?}").unwrap();
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
        self.kind_rate(sku, class, 0)
    }

    /// A SKU's rate for a class and kind (0 output, 1 input, 2 cached), 0 if not given.
    fn kind_rate(&self, sku: &str, class: &str, kind: usize) -> f64 {
        let s = self.skus.iter().find(|s| s.name == sku).unwrap();
        let rates = [&s.tokens_per_s, &s.input, &s.cached][kind];
        rates
            .iter()
            .find(|(c, _)| *c == class)
            .map_or(0.0, |(_, r)| *r)
    }

    /// Whether any SKU gives the kind's rate for the class (then it costs GPU time).
    fn rated(&self, class: &str, kind: usize) -> bool {
        kind == 0
            || self.skus.iter().any(|s| {
                [&s.input, &s.cached][kind - 1]
                    .iter()
                    .any(|(c, _)| *c == class)
            })
    }

    /// A site's serving share at hour-of-week `hour` with elastic lambda.
    fn share(site: &Site, hour: usize, lambda: f64) -> f64 {
        match &site.serving_share {
            Share::Fixed(x) => *x,
            Share::Curve(_, hourly) => hourly[hour],
            Share::Elastic(min, max) => min + lambda * (max - min),
        }
    }

    fn share_max(site: &Site) -> f64 {
        match &site.serving_share {
            Share::Fixed(x) => *x,
            Share::Curve(_, hourly) => hourly.iter().copied().fold(0.0, f64::max),
            Share::Elastic(_, max) => *max,
        }
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
                let g = n * f * site.availability * Self::share_max(site);
                gpus.push((*k, g));
                for (c, total) in expect.tokens_per_s.iter_mut() {
                    *total += g * self.rate(k, c);
                }
                expect.serving_mw += n * f * Self::share_max(site) * self.allin(k) * site.pue / 1e6;
            }
            expect.serving_gpus.push(gpus);
        }
        expect
    }

    /// One policy on one phase, formula by formula.
    pub fn result(&self, policy: &Policy, after: bool) -> ResultExpect {
        let classes = self.classes();
        let phase = self.phase(after);
        let sites: Vec<&Site> = self
            .sites
            .iter()
            .filter(|s| after || s.online.is_none())
            .collect();
        let steps = (10080 / self.step_minutes) as usize;
        let dt = f64::from(self.step_minutes) / 60.0;
        let hour_of = |h: usize| h * self.step_minutes as usize / 60;
        let curve = |t: &Tier, h: usize| t.hourly[hour_of(h)];
        // Healthy powered GPUs per site and SKU: n * f * availability.
        let healthy = |site: &Site| -> Vec<(&'static str, f64)> {
            let it_w = site.power_mw * 1e6 / site.pue;
            let draw_w: f64 = site.gpus.iter().map(|(k, n)| n * self.allin(k)).sum();
            let f = (it_w / draw_w).min(1.0);
            site.gpus
                .iter()
                .map(|(k, n)| (*k, n * f * site.availability))
                .collect()
        };
        // T_x(c) at hour-of-week `hour` and lambda.
        let capacity = |hour: usize, lambda: f64| -> Vec<[f64; 3]> {
            classes
                .iter()
                .map(|c| {
                    let mut t = [0.0; 3];
                    for site in &sites {
                        let share = Self::share(site, hour, lambda);
                        for (k, g) in healthy(site) {
                            for (x, tx) in t.iter_mut().enumerate() {
                                *tx += g * share * self.kind_rate(k, c, x);
                            }
                        }
                    }
                    t
                })
                .collect()
        };
        let util = |d: &[[f64; 3]], t: &[[f64; 3]]| -> f64 {
            let mut u = 0.0;
            for (ci, c) in classes.iter().enumerate() {
                for x in 0..3 {
                    if self.rated(c, x) {
                        u += if t[ci][x] > 0.0 {
                            d[ci][x] / t[ci][x]
                        } else if d[ci][x] > 0.0 {
                            f64::INFINITY
                        } else {
                            0.0
                        };
                    }
                }
            }
            u
        };
        let elastic = sites
            .iter()
            .any(|s| matches!(s.serving_share, Share::Elastic(..)));
        let mut u = vec![0.0; steps];
        let mut served_h = vec![0.0; steps];
        let (mut served, mut desired) = (0.0, 0.0);
        let mut throttled_h = vec![0.0; steps];
        let mut active_h = vec![0.0; steps];
        let mut training = 0.0;
        let mut serving_hours = 0.0;
        let mut tier_hours = vec![0.0; self.tiers.len()];
        let mut tier_tokens = vec![[0.0; 3]; self.tiers.len()];
        for h in 0..steps {
            let mut served_t = vec![0.0; self.tiers.len()];
            let mut step_tokens = vec![[0.0; 3]; self.tiers.len()];
            let p_peak = (self.peak)(h as u32 * self.step_minutes);
            let mut d = vec![[0.0; 3]; classes.len()];
            for (ti, t) in self.tiers.iter().enumerate() {
                let a = t.users * curve(t, h);
                let hours: f64 = (0..steps).map(|x| curve(t, x) * dt).sum();
                let r_in = t.input_per_output * (1.0 - t.cache_hit);
                let r_c = t.input_per_output * t.cache_hit;
                let (phi, theta) = match policy.limits.iter().find(|(n, _)| *n == t.name) {
                    None => (1.0, 0.0),
                    Some((_, l)) => {
                        let p = if p_peak { l.peak_factor } else { 1.0 };
                        let mut cap = l.window_tokens * p / l.window_hours;
                        if let Some(w) = l.weekly_tokens {
                            cap = cap.min(w / hours);
                        }
                        if r_in > 0.0 {
                            if let Some(w) = l.window_input_tokens {
                                cap = cap.min(w * p / l.window_hours / r_in);
                            }
                            if let Some(w) = l.weekly_input_tokens {
                                cap = cap.min(w / hours / r_in);
                            }
                        }
                        let k = cap / t.tokens_per_active_hour;
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
                    d[ci][0] += dtc;
                    d[ci][1] += dtc * r_in;
                    d[ci][2] += dtc * r_c;
                    served_t[ti] += dtc;
                    step_tokens[ti][0] += dtc * 3600.0 * dt;
                    step_tokens[ti][1] += dtc * r_in * 3600.0 * dt;
                    step_tokens[ti][2] += dtc * r_c * 3600.0 * dt;
                    served += dtc;
                    served_h[h] += dtc;
                    desired += a * t.tokens_per_active_hour * m / 3600.0;
                }
                throttled_h[h] += a * theta;
                active_h[h] += a;
            }
            // lambda: the smallest in [0, 1] with U <= target, by plain bisection.
            let mut lambda = 0.0;
            if elastic && util(&d, &capacity(hour_of(h), 0.0)) > self.target {
                lambda = 1.0;
                if util(&d, &capacity(hour_of(h), 1.0)) <= self.target {
                    let (mut lo, mut hi) = (0.0, 1.0);
                    for _ in 0..200 {
                        let mid = (lo + hi) / 2.0;
                        if util(&d, &capacity(hour_of(h), mid)) <= self.target {
                            hi = mid;
                        } else {
                            lo = mid;
                        }
                    }
                    lambda = hi;
                }
            }
            let t = capacity(hour_of(h), lambda);
            // Unservable demand is left out of U (the JSON says so in its own field).
            let servable: Vec<[f64; 3]> = d
                .iter()
                .zip(&t)
                .map(|(dc, tc)| std::array::from_fn(|x| if tc[x] > 0.0 { dc[x] } else { 0.0 }))
                .collect();
            u[h] = util(&servable, &t);
            // Model v3: past 100 % the fleet serves 1/U of each tier's load; tokens and
            // GPU-hours count what was served.
            let kept = 1.0 / u[h].max(1.0);
            for (total, step) in tier_tokens.iter_mut().zip(&step_tokens) {
                for x in 0..3 {
                    total[x] += step[x] * kept;
                }
            }
            let mut serving_gpus = 0.0;
            for site in &sites {
                let g: f64 = healthy(site).iter().map(|(_, g)| g).sum();
                training += g * (1.0 - Self::share(site, hour_of(h), lambda)) * dt;
                serving_gpus += g * Self::share(site, hour_of(h), lambda);
            }
            serving_hours += serving_gpus * dt;
            // Each tier's terms of U: its served output per class and kind over capacity.
            for (ti, tier) in self.tiers.iter().enumerate() {
                let kinds = [
                    1.0,
                    tier.input_per_output * (1.0 - tier.cache_hit),
                    tier.input_per_output * tier.cache_hit,
                ];
                for (ci, c) in classes.iter().enumerate() {
                    let m = tier
                        .mix
                        .iter()
                        .find(|(x, _)| x == c)
                        .map_or(0.0, |(_, m)| *m);
                    for x in 0..3 {
                        if self.rated(c, x) && t[ci][x] > 0.0 {
                            tier_hours[ti] +=
                                served_t[ti] * m * kinds[x] / t[ci][x] * serving_gpus * dt * kept;
                        }
                    }
                }
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
        // Cost: every GPU of the phase at its hourly cost, every MW at its monthly cost.
        let fleet_cost: f64 = sites
            .iter()
            .map(|site| {
                site.gpus
                    .iter()
                    .map(|(k, n)| {
                        n * self
                            .skus
                            .iter()
                            .find(|s| s.name == *k)
                            .unwrap()
                            .cost_per_gpu_hour
                            * 168.0
                    })
                    .sum::<f64>()
                    + site.power_mw * site.cost_per_mw_month * 12.0 / 52.0
            })
            .sum();
        let healthy_hours: f64 = sites
            .iter()
            .map(|site| healthy(site).iter().map(|(_, g)| g).sum::<f64>() * 168.0)
            .sum();
        let serving_cost = fleet_cost * serving_hours / healthy_hours;
        let tiers: Vec<(f64, f64, f64)> = self
            .tiers
            .iter()
            .enumerate()
            .map(|(ti, tier)| {
                let cost = tier_hours[ti] * serving_cost / serving_hours;
                let revenue = tier.users * tier.price_per_user_month * 12.0 / 52.0
                    + (0..3)
                        .map(|x| tier_tokens[ti][x] * tier.price_per_mtok[x] / 1e6)
                        .sum::<f64>();
                (tier_hours[ti], cost, revenue)
            })
            .collect();
        let revenue: f64 = tiers.iter().map(|t| t.2).sum();
        ResultExpect {
            fleet_cost,
            serving_cost,
            revenue,
            margin: revenue - serving_cost,
            tiers,
            policy: policy.name.to_string(),
            phase: if after { "after" } else { "before" },
            peak_utilization: peak,
            peak_step,
            hours_over_target: dt * u.iter().filter(|&&x| x > self.target).count() as f64,
            served_share: served / desired,
            throttled_share_at_peak: throttled_h[peak_step] / active_h[peak_step],
            shed_share: shed / total_served,
            mw_to_fit: (peak / self.target - 1.0).max(0.0) * phase.serving_mw,
            training_gpu_hours: training,
            fits: peak <= self.target && self.training_floor.is_none_or(|f| training >= f),
        }
    }
}

/// Standard normal CDF: Phi(x) = erfc(-x / sqrt 2) / 2.
fn cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}
