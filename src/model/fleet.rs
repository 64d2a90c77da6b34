//! Serving capacity of a set of sites: how much of each site its power can run, how many
//! GPUs serve, the tokens per second per model class, and the MW that serving draws.

use super::time;
use crate::scenario::{Date, DatedPhase, Scenario, ServingShare};

/// What a capacity figure and a demand stand for: v2's `before` and `after`, or a dated
/// `[[phase]]` (model v3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Phase {
    /// The sites in service today: those without an `online` date, demand as written.
    Before,
    /// The fleet on the day the last addition reaches full ramp, demand as written.
    After,
    /// The fleet and the demand on a named date.
    Dated(DatedPhase),
}

impl Phase {
    /// v2's two phases, in report order: what a file without `[[phase]]` evaluates.
    pub const UNDATED: [Phase; 2] = [Phase::Before, Phase::After];

    /// The phases a scenario evaluates, in report order: its `[[phase]]` tables, or
    /// `before` then `after`.
    pub fn all(scenario: &Scenario) -> Vec<Phase> {
        if scenario.phases.is_empty() {
            Phase::UNDATED.to_vec()
        } else {
            scenario.phases.iter().cloned().map(Phase::Dated).collect()
        }
    }

    /// The phase called `name` in this scenario, or a message listing the names it has.
    pub fn named(scenario: &Scenario, name: &str) -> Result<Phase, String> {
        let all = Phase::all(scenario);
        all.iter()
            .find(|p| p.name() == name)
            .cloned()
            .ok_or_else(|| {
                let names: Vec<String> = all.iter().map(|p| format!("{:?}", p.name())).collect();
                format!(
                    "unknown phase {name:?}; expected one of the scenario's phases: {}",
                    names.join(", ")
                )
            })
    }

    /// The last phase: what one-phase commands look at unless `--phase` says otherwise.
    pub fn last(scenario: &Scenario) -> Phase {
        Phase::all(scenario).pop().expect("at least one phase")
    }

    /// The name used in tables, JSON and `--phase`.
    pub fn name(&self) -> &str {
        match self {
            Phase::Before => "before",
            Phase::After => "after",
            Phase::Dated(phase) => &phase.name,
        }
    }

    /// The date of a dated phase.
    pub fn on(&self) -> Option<Date> {
        match self {
            Phase::Dated(phase) => Some(phase.on),
            _ => None,
        }
    }

    /// The day this phase's fleet stands for on the calendar: a dated phase's date; for
    /// `after`, the day the last addition reaches full ramp; none for `before`.
    pub fn day(&self, scenario: &Scenario) -> Option<Date> {
        match self {
            Phase::Before => None,
            Phase::After => time::last_full_ramp(scenario),
            Phase::Dated(phase) => Some(phase.on),
        }
    }

    /// Fractional months from the timeline's start to a dated phase's date (0 for v2's
    /// phases, or without a `[timeline]`): how far a sampled growth rate compounds.
    pub fn months(&self, scenario: &Scenario) -> f64 {
        match (self, &scenario.timeline) {
            (Phase::Dated(phase), Some(timeline)) => time::months_since(timeline.start, phase.on),
            _ => 0.0,
        }
    }

    /// Each tier's users multiplier in this phase: grown to a dated phase's date when the
    /// scenario has a `[timeline]`; 1 otherwise (v2's phases see demand as written).
    pub fn users_scale(&self, scenario: &Scenario) -> Vec<f64> {
        match (self, &scenario.timeline) {
            (Phase::Dated(phase), Some(timeline)) => time::growth_factors(timeline, phase.on),
            _ => vec![1.0; scenario.tiers.len()],
        }
    }
}

/// A phase is written as its name: `"before"`, `"after"` or a `[[phase]]` name.
impl serde::Serialize for Phase {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Token kinds, in the order capacity and demand vectors hold them: output, uncached
/// input (prefill) and cached input.
pub const KINDS: usize = 3;

/// Per kind (output, input, cached), per class: tokens/s.
pub type ByKind = [Vec<f64>; KINDS];

/// Capacity of one site.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteCapacity {
    /// Index into [`Scenario::sites`].
    pub site: usize,
    /// Share of the site's GPUs present: below 1 while it ramps.
    pub presence: f64,
    /// f = min(1, IT power / all-in draw): the share of its GPUs the site can power.
    pub power_factor: f64,
    /// True when the site has more GPUs than power (f < 1).
    pub power_bound: bool,
    /// Healthy powered GPUs (n * f * availability), serving or training.
    pub healthy_gpus: f64,
    /// Serving GPUs per SKU at the site's highest serving share, `(sku index, count)`.
    pub serving_gpus: Vec<(usize, f64)>,
    /// Healthy powered GPUs per SKU (n * f * availability), `(sku index, count)`: what
    /// the placement bounds pool by SKU at each step's share.
    pub healthy_by_sku: Vec<(usize, f64)>,
    /// Tokens/s per kind and class if every healthy GPU served (share 1).
    pub full: ByKind,
    /// Tokens/s per kind and class at the highest serving share (the fixed share, when the
    /// share is fixed: summed GPU by GPU, as version 1 did, so its numbers stay exact).
    pub at_max: ByKind,
    /// Facility MW drawn by the GPUs that serve at the highest share, PUE included.
    pub serving_mw: f64,
    /// How the site's serving share moves over the week.
    pub share: ServingShare,
}

/// Capacity of a set of sites. A fixed serving share gives a constant capacity; a curve
/// makes it vary by step; elastic sites add `lambda(h)` times their span at each step.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetCapacity {
    /// Each counted site, in file order.
    pub sites: Vec<SiteCapacity>,
    /// T(c): output tokens/s per class at the highest shares, for reports.
    pub tokens_per_s: Vec<f64>,
    /// Facility MW drawn by the serving GPUs at the highest shares, PUE included.
    pub serving_mw: f64,
    /// The part of T_x(c) that never moves: fixed shares, elastic minimums, and any extra
    /// capacity a what-if adds.
    pub base: ByKind,
    /// The part elastic sites add at lambda = 1: sum of (max - min) * full.
    pub elastic_span: ByKind,
    /// Whether any counted site has a share curve (capacity then varies by step).
    pub has_curves: bool,
}

impl FleetCapacity {
    /// Capacity of the sites, each with the share of its GPUs `presence` gives (by index
    /// into [`Scenario::sites`]): 1 in full, a fraction while it ramps, 0 not counted.
    pub fn with_presence(scenario: &Scenario, presence: impl Fn(usize) -> f64) -> FleetCapacity {
        let sites: Vec<SiteCapacity> = (0..scenario.sites.len())
            .filter_map(|index| {
                let present = presence(index);
                (present > 0.0).then(|| site_capacity(scenario, index, present))
            })
            .collect();
        FleetCapacity::from_sites(sites, scenario.classes.len())
    }

    /// Capacity of one phase: `before` counts the sites without `online` in full; `after`
    /// and a dated phase count the fleet on their day ([`Phase::day`]).
    pub fn of_phase(scenario: &Scenario, phase: &Phase) -> FleetCapacity {
        match phase.day(scenario) {
            Some(day) => FleetCapacity::on_date(scenario, day),
            None => FleetCapacity::with_presence(scenario, |i| {
                f64::from(u8::from(scenario.sites[i].online.is_none()))
            }),
        }
    }

    /// Capacity of the sites in service on `date`, each at its ramp.
    pub fn on_date(scenario: &Scenario, date: Date) -> FleetCapacity {
        FleetCapacity::with_presence(scenario, |i| time::presence(&scenario.sites[i], date, 0))
    }

    /// The fleet from the given site capacities, summed in order.
    fn from_sites(sites: Vec<SiteCapacity>, classes: usize) -> FleetCapacity {
        let zero = || [vec![0.0; classes], vec![0.0; classes], vec![0.0; classes]];
        let mut tokens_per_s = vec![0.0; classes];
        let (mut base, mut elastic_span) = (zero(), zero());
        let mut serving_mw = 0.0;
        let mut has_curves = false;
        for site in &sites {
            for (total, add) in tokens_per_s.iter_mut().zip(&site.at_max[0]) {
                *total += add;
            }
            serving_mw += site.serving_mw;
            for x in 0..KINDS {
                match site.share {
                    ServingShare::Fixed(_) => {
                        for (total, add) in base[x].iter_mut().zip(&site.at_max[x]) {
                            *total += add;
                        }
                    }
                    ServingShare::Curve { .. } => has_curves = true,
                    ServingShare::Elastic { min, max } => {
                        for c in 0..classes {
                            base[x][c] += site.full[x][c] * min;
                            elastic_span[x][c] += site.full[x][c] * (max - min);
                        }
                    }
                }
            }
        }
        FleetCapacity {
            sites,
            tokens_per_s,
            serving_mw,
            base,
            elastic_span,
            has_curves,
        }
    }

    /// Whether capacity is the same at every step and needs no lambda: no share curve and
    /// no elastic site.
    pub fn is_constant(&self) -> bool {
        !self.has_curves && !self.is_elastic()
    }

    /// Whether some site's share is elastic.
    pub fn is_elastic(&self) -> bool {
        self.sites.iter().any(|s| s.share.is_elastic())
    }

    /// T_x(c) at `step` with the elastic sites at `lambda`, written into `out`.
    pub fn capacity_into(&self, step: usize, lambda: f64, out: &mut ByKind) {
        for x in 0..KINDS {
            out[x].clone_from(&self.base[x]);
            if lambda > 0.0 {
                for (total, span) in out[x].iter_mut().zip(&self.elastic_span[x]) {
                    *total += lambda * span;
                }
            }
        }
        if self.has_curves {
            for site in &self.sites {
                if let ServingShare::Curve { share, .. } = &site.share {
                    let share = share[step];
                    for x in 0..KINDS {
                        for (total, full) in out[x].iter_mut().zip(&site.full[x]) {
                            *total += share * full;
                        }
                    }
                }
            }
        }
    }

    /// Serving GPUs at `step` with the elastic sites at `lambda`: G(h).
    pub fn serving_gpus_at(&self, step: usize, lambda: f64) -> f64 {
        self.sites
            .iter()
            .map(|site| site.healthy_gpus * site.share.at(step, lambda))
            .sum()
    }

    /// Serving GPUs of each SKU over all sites at `step` with the elastic sites at
    /// `lambda`: G_k(h) of the placement bounds, written into `out` (one value per SKU of
    /// the scenario, fractional).
    pub fn serving_gpus_by_sku_into(&self, step: usize, lambda: f64, out: &mut [f64]) {
        out.iter_mut().for_each(|g| *g = 0.0);
        for site in &self.sites {
            let share = site.share.at(step, lambda);
            for &(sku, healthy) in &site.healthy_by_sku {
                out[sku] += healthy * share;
            }
        }
    }

    /// Whether capacity at `step` is that at `other` for any lambda: no share curve, or
    /// every curve has the same share at both.
    pub fn same_capacity_at(&self, step: usize, other: usize) -> bool {
        !self.has_curves
            || self.sites.iter().all(|site| match &site.share {
                ServingShare::Curve { share, .. } => share[step] == share[other],
                _ => true,
            })
    }

    /// Healthy powered GPUs of the fleet, serving or training.
    pub fn healthy_gpus(&self) -> f64 {
        self.sites.iter().map(|site| site.healthy_gpus).sum()
    }

    /// Training GPU-hours over the week: every healthy GPU not serving, given the sum over
    /// steps of lambda * dt (the elastic sites' extra serving hours per unit of span).
    pub fn training_gpu_hours(&self, steps: usize, dt: f64, lambda_hours: f64) -> f64 {
        self.sites
            .iter()
            .map(|site| {
                let h = site.healthy_gpus;
                match &site.share {
                    ServingShare::Fixed(share) => h * (1.0 - share) * steps as f64 * dt,
                    ServingShare::Curve { share, .. } => {
                        h * share.iter().map(|s| (1.0 - s) * dt).sum::<f64>()
                    }
                    ServingShare::Elastic { min, max } => {
                        h * ((1.0 - min) * steps as f64 * dt - (max - min) * lambda_hours)
                    }
                }
            })
            .sum()
    }

    /// This fleet without the site at `position` in [`FleetCapacity::sites`]: N-1.
    pub fn without(&self, position: usize) -> FleetCapacity {
        let mut sites = self.sites.clone();
        sites.remove(position);
        FleetCapacity::from_sites(sites, self.tokens_per_s.len())
    }

    /// This fleet with extra tokens/s per kind and class, and extra serving MW: what an added
    /// block of GPUs or megawatts would give.
    pub fn with_extra(&self, extra: &ByKind, serving_mw: f64) -> FleetCapacity {
        let mut fleet = self.clone();
        for (total, add) in fleet.tokens_per_s.iter_mut().zip(&extra[0]) {
            *total += add;
        }
        for x in 0..KINDS {
            for (total, add) in fleet.base[x].iter_mut().zip(&extra[x]) {
                *total += add;
            }
        }
        fleet.serving_mw += serving_mw;
        fleet
    }
}

/// One site with `presence` of its GPUs (1 = all): the GPUs present share the site's
/// power, so a ramping site's power factor is that of the GPUs it has.
fn site_capacity(scenario: &Scenario, index: usize, presence: f64) -> SiteCapacity {
    let site = &scenario.sites[index];
    let draw = site.draw_watts(&scenario.skus) * presence;
    let power_factor = if draw > 0.0 {
        (site.it_watts() / draw).min(1.0)
    } else {
        1.0
    };
    let classes = scenario.classes.len();
    let mut full = [vec![0.0; classes], vec![0.0; classes], vec![0.0; classes]];
    let mut at_max = full.clone();
    let share_max = site.serving_share.max();
    let mut serving_mw = 0.0;
    let mut healthy_gpus = 0.0;
    let mut healthy_by_sku = Vec::with_capacity(site.gpus.len());
    let serving_gpus = site
        .gpus
        .iter()
        .map(|&(sku, n)| {
            let n = n * presence;
            let spec = &scenario.skus[sku];
            let healthy = n * power_factor * site.availability;
            healthy_gpus += healthy;
            healthy_by_sku.push((sku, healthy));
            let serving = healthy * share_max;
            let rates = [
                &spec.tokens_per_s,
                &spec.input_tokens_per_s,
                &spec.cached_tokens_per_s,
            ];
            for (x, rate) in rates.iter().enumerate() {
                for (total, r) in full[x].iter_mut().zip(rate.iter()) {
                    *total += healthy * r;
                }
                for (total, r) in at_max[x].iter_mut().zip(rate.iter()) {
                    *total += serving * r;
                }
            }
            serving_mw += n * power_factor * share_max * spec.allin_watts() * site.pue / 1e6;
            (sku, serving)
        })
        .collect();
    SiteCapacity {
        site: index,
        presence,
        power_factor,
        power_bound: power_factor < 1.0,
        healthy_gpus,
        serving_gpus,
        healthy_by_sku,
        full,
        at_max,
        serving_mw,
        share: site.serving_share.clone(),
    }
}
