//! Serving capacity of a set of sites: how much of each site its power can run, how many
//! GPUs serve, the tokens per second per model class, and the MW that serving draws.

use crate::scenario::{Date, Scenario, Site};

/// Which sites a capacity figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The sites in service today: those without an `online` date.
    Before,
    /// Every site, additions included.
    After,
}

impl Phase {
    /// Both phases, in report order.
    pub const ALL: [Phase; 2] = [Phase::Before, Phase::After];

    /// The name used in tables, JSON and `--phase`.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Before => "before",
            Phase::After => "after",
        }
    }

    /// Whether this phase counts the site.
    pub fn includes(self, site: &Site) -> bool {
        match self {
            Phase::Before => site.online.is_none(),
            Phase::After => true,
        }
    }
}

/// Whether a site is in service on a date: the fleet without `online` always is; an
/// addition is from its `online` date on.
pub fn online_on(site: &Site, date: Date) -> bool {
    site.online.is_none_or(|online| online <= date)
}

/// Capacity of one site.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteCapacity {
    /// Index into [`Scenario::sites`].
    pub site: usize,
    /// f = min(1, IT power / all-in draw): the share of its GPUs the site can power.
    pub power_factor: f64,
    /// True when the site has more GPUs than power (f < 1).
    pub power_bound: bool,
    /// Serving GPUs per SKU, `(sku index, count)` in the site's order.
    pub serving_gpus: Vec<(usize, f64)>,
    /// Output tokens/s per class this site serves.
    pub tokens_per_s: Vec<f64>,
    /// Facility MW drawn by the GPUs that serve, PUE included.
    pub serving_mw: f64,
}

/// Capacity of a set of sites.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetCapacity {
    /// Each counted site, in file order.
    pub sites: Vec<SiteCapacity>,
    /// T(c): output tokens/s per class, indexed like [`Scenario::classes`].
    pub tokens_per_s: Vec<f64>,
    /// Facility MW drawn by the serving GPUs, PUE included.
    pub serving_mw: f64,
}

impl FleetCapacity {
    /// Capacity of the sites for which `include` is true.
    pub fn of(scenario: &Scenario, include: impl Fn(&Site) -> bool) -> FleetCapacity {
        let sites: Vec<SiteCapacity> = scenario
            .sites
            .iter()
            .enumerate()
            .filter(|(_, site)| include(site))
            .map(|(index, _)| site_capacity(scenario, index))
            .collect();
        FleetCapacity::from_sites(sites, scenario.classes.len())
    }

    /// Capacity of one phase.
    pub fn of_phase(scenario: &Scenario, phase: Phase) -> FleetCapacity {
        FleetCapacity::of(scenario, |site| phase.includes(site))
    }

    /// Capacity of the sites in service on `date`.
    pub fn on_date(scenario: &Scenario, date: Date) -> FleetCapacity {
        FleetCapacity::of(scenario, |site| online_on(site, date))
    }

    /// The fleet from the given site capacities, summed in order.
    fn from_sites(sites: Vec<SiteCapacity>, classes: usize) -> FleetCapacity {
        let mut tokens_per_s = vec![0.0; classes];
        let mut serving_mw = 0.0;
        for site in &sites {
            for (total, add) in tokens_per_s.iter_mut().zip(&site.tokens_per_s) {
                *total += add;
            }
            serving_mw += site.serving_mw;
        }
        FleetCapacity {
            sites,
            tokens_per_s,
            serving_mw,
        }
    }

    /// This fleet without the site at `position` in [`FleetCapacity::sites`]: N-1.
    pub fn without(&self, position: usize) -> FleetCapacity {
        let mut sites = self.sites.clone();
        sites.remove(position);
        FleetCapacity::from_sites(sites, self.tokens_per_s.len())
    }

    /// This fleet with extra tokens/s per class and extra serving MW: what an added block of
    /// GPUs or megawatts would give.
    pub fn with_extra(&self, tokens_per_s: &[f64], serving_mw: f64) -> FleetCapacity {
        let mut fleet = self.clone();
        for (total, add) in fleet.tokens_per_s.iter_mut().zip(tokens_per_s) {
            *total += add;
        }
        fleet.serving_mw += serving_mw;
        fleet
    }
}

fn site_capacity(scenario: &Scenario, index: usize) -> SiteCapacity {
    let site = &scenario.sites[index];
    let power_factor = site.power_factor(&scenario.skus);
    let mut tokens_per_s = vec![0.0; scenario.classes.len()];
    let mut serving_mw = 0.0;
    let serving_gpus = site
        .gpus
        .iter()
        .map(|&(sku, n)| {
            let spec = &scenario.skus[sku];
            let serving = n * power_factor * site.availability * site.serving_share;
            for (total, rate) in tokens_per_s.iter_mut().zip(&spec.tokens_per_s) {
                *total += serving * rate;
            }
            serving_mw +=
                n * power_factor * site.serving_share * spec.allin_watts() * site.pue / 1e6;
            (sku, serving)
        })
        .collect();
    SiteCapacity {
        site: index,
        power_factor,
        power_bound: power_factor < 1.0,
        serving_gpus,
        tokens_per_s,
        serving_mw,
    }
}
