//! `timeline`: each month from the timeline's start, the fleet online on that date against
//! demand grown by then; for each policy, its runway (the last month it fits), and with
//! `[uncertainty] samples` the chance to fit each month and the runway's percentiles.

use anyhow::bail;
use indexmap::IndexMap;
use rayon::prelude::*;
use serde::Serialize;

use std::collections::{BTreeMap, HashMap};

use super::SCHEMA_VERSION;
use super::compare::PercentilesAnswer;
use crate::model::headroom::PEAK_TIE;
use crate::model::sampling::{self, DrawShares, SampleAt, hit_rate};
use crate::model::{
    Evaluator, Fit, FleetCapacity, Headroom, SampleFleet, SamplePolicy, SampleSummary, time,
};
use crate::scenario::units::step_label;
use crate::scenario::{Date, Sampling, Scenario, Site, Timeline};

/// Evaluates the selected policies month by month. Errors without a `[timeline]`.
pub fn timeline(scenario: &Scenario, policies: &[usize]) -> anyhow::Result<TimelineAnswer> {
    timeline_with_progress(scenario, policies, &|| {})
}

/// [`timeline`], calling `tick` once per month evaluated, from any thread.
pub fn timeline_with_progress(
    scenario: &Scenario,
    policies: &[usize],
    tick: &(dyn Fn() + Sync),
) -> anyhow::Result<TimelineAnswer> {
    let Some(spec) = &scenario.timeline else {
        bail!(
            "the scenario has no [timeline]; add one, e.g.\n\n[timeline]\nstart = \"2026-05-01\"\nmonths = 12\ngrowth = 0.05"
        );
    };
    let evaluator = Evaluator::new(scenario);
    let plan = DayPlan::new(&evaluator, spec);
    // Months are independent: spread them over the cores, keeping their order.
    let months: Vec<(MonthAnswer, Vec<DayFits>)> = (0..spec.months)
        .into_par_iter()
        .map(|month| {
            let answer = plan.month(month, policies);
            tick();
            answer
        })
        .collect();
    let (months, points): (Vec<MonthAnswer>, Vec<Vec<DayFits>>) = months.into_iter().unzip();
    let sampled = scenario
        .sampling
        .as_ref()
        .map(|sampling| SampledMonths::run(&plan, sampling, policies, SHARES_BYTES));
    let runway = policies
        .par_iter()
        .enumerate()
        .map(|(i, &p)| {
            let mut search = DaySearch::new(&plan, p);
            for month in &points {
                search.known.extend(month[i].iter().copied());
            }
            let first_fit = search.first_with(true, spec.start);
            let first_miss = search.first_with(false, spec.start);
            let holds_until = first_fit.and_then(|fit| search.holds_until(fit));
            // After the first fitting run ends, does it fit again (an addition arriving)?
            let fits_again = holds_until.and_then(|until| {
                // `holds_until` is before the horizon's end (else it would be null).
                search.first_with(true, until.add_days(1))
            });
            Runway {
                policy: scenario.policies[p].name.clone(),
                first_fit: first_fit.map(|d| d.to_string()),
                first_miss: first_miss.map(|d| d.to_string()),
                holds_until: holds_until.map(|d| d.to_string()),
                fits_again: fits_again.map(|d| d.to_string()),
                fits_throughout: first_miss.is_none(),
                sampled: sampled.as_ref().map(|s| s.runway(i)),
            }
        })
        .collect();
    let mut months = months;
    if let Some(sampled) = &sampled {
        for (m, month) in months.iter_mut().enumerate() {
            for (i, result) in month.results.iter_mut().enumerate() {
                let (p_fits, standard_error) = sampled.hit_rate(m, i);
                result.sampled = Some(MonthSampled {
                    p_fits,
                    p_fits_standard_error: standard_error,
                });
            }
        }
    }
    Ok(TimelineAnswer {
        schema_version: SCHEMA_VERSION,
        scenario: scenario.name.clone(),
        utilization_target: scenario.utilization_target,
        start: spec.start.to_string(),
        end: time::horizon_end(spec).to_string(),
        growth: scenario
            .tiers
            .iter()
            .zip(&spec.growth)
            .map(|(t, g)| (t.name.clone(), *g))
            .collect(),
        events: fleet_events(scenario, spec),
        months,
        runway,
    })
}

/// Every day the fleet changes within the timeline, in date order (file order on a day):
/// a site coming online, reaching full ramp, going offline.
fn fleet_events(scenario: &Scenario, spec: &Timeline) -> Vec<FleetEvent> {
    let end = time::horizon_end(spec);
    let mut events: Vec<(Date, usize, FleetEvent)> = Vec::new();
    for (i, site) in scenario.sites.iter().enumerate() {
        let ramp_end = site
            .ramp_days
            .filter(|&n| n > 1)
            .and_then(|_| time::full_ramp_day(site, 0));
        let dated = [
            (site.online, EventKind::Online),
            (ramp_end, EventKind::RampEnd),
            (site.offline, EventKind::Offline),
        ];
        for (date, kind) in dated {
            if let Some(date) = date.filter(|&d| spec.start <= d && d <= end) {
                events.push((
                    date,
                    i,
                    FleetEvent {
                        date: date.to_string(),
                        site: site.name.clone(),
                        kind,
                    },
                ));
            }
        }
    }
    events.sort_by_key(|(date, site, _)| (*date, *site));
    events.into_iter().map(|(_, _, event)| event).collect()
}

/// A day the fleet changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FleetEvent {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The site.
    pub site: String,
    /// What happens to it.
    pub kind: EventKind,
}

/// What happens to a site on an event day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Its `online` date: its first GPUs serve.
    Online,
    /// The last day of its ramp: all its GPUs serve.
    RampEnd,
    /// Its `offline` date: it no longer serves.
    Offline,
}

/// The days a month looked at for one policy, and whether it fits on each.
type DayFits = Vec<(Date, bool)>;

/// The last day of the run of fitting days that starts on `from`, for `compare`'s last
/// phase: `None` when the policy does not fit on that day (in the timeline's terms: the
/// fleet on the day, demand grown to it), when the day is outside the timeline, or when
/// the run reaches the timeline's last day.
pub fn holds_until(evaluator: &Evaluator<'_>, policy: usize, from: Date) -> Holding {
    let Some(spec) = evaluator.scenario().timeline.as_ref() else {
        return Holding::NotThen;
    };
    if from < spec.start || from > time::horizon_end(spec) {
        return Holding::NotThen;
    }
    let plan = DayPlan::new(evaluator, spec);
    let mut search = DaySearch::new(&plan, policy);
    if !search.fits(from) {
        return Holding::NotThen;
    }
    match search.holds_until(from) {
        Some(day) => Holding::Until(day),
        None => Holding::ToEnd,
    }
}

/// How long a result holds from its phase's day at the planned growth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holding {
    /// It does not fit on that day (or the day is outside the timeline).
    NotThen,
    /// It fits until this day, the last of its run.
    Until(Date),
    /// It fits from that day to the timeline's last day.
    ToEnd,
}

/// What the timeline needs to evaluate any day: the evaluator, the timeline, its event
/// days (unslipped), its last day, and whether fit can be trusted to change at most once
/// between two event days (every growth rate of one sign).
struct DayPlan<'e, 's> {
    evaluator: &'e Evaluator<'s>,
    spec: &'s Timeline,
    events: Vec<Date>,
    monotone: bool,
}

impl<'e, 's> DayPlan<'e, 's> {
    fn new(evaluator: &'e Evaluator<'s>, spec: &'s Timeline) -> DayPlan<'e, 's> {
        let scenario = evaluator.scenario();
        let rising = spec.growth.iter().all(|&g| g >= 0.0);
        let falling = spec.growth.iter().all(|&g| g <= 0.0);
        DayPlan {
            evaluator,
            spec,
            events: time::event_days(scenario, &[]),
            monotone: rising || falling,
        }
    }

    fn scenario(&self) -> &'s Scenario {
        self.evaluator.scenario()
    }

    /// Policy `p` on `day`: the fleet in service then, demand grown to it.
    fn evaluate(&self, p: usize, day: Date, fleet: &FleetCapacity) -> Headroom {
        let users = time::growth_factors(self.spec, day);
        self.evaluator
            .evaluate(fleet, &self.scenario().policies[p], &users)
    }

    /// Month `month`'s row: each policy at the worst of the month's evaluation days, and
    /// every (day, fits) it looked at, per policy.
    fn month(&self, month: u32, policies: &[usize]) -> (MonthAnswer, Vec<DayFits>) {
        let scenario = self.scenario();
        let first = self.spec.start.add_months(month);
        let next = self.spec.start.add_months(month + 1);
        let days = time::evaluation_days(first, next, &self.events);
        let fleets: Vec<FleetCapacity> = days
            .iter()
            .map(|&day| FleetCapacity::on_date(scenario, day))
            .collect();
        let in_month = |date: Option<Date>| date.is_some_and(|d| first <= d && d < next);
        let arriving: Vec<&Site> = scenario
            .sites
            .iter()
            .filter(|site| in_month(site.online))
            .collect();
        let leaving: Vec<&Site> = scenario
            .sites
            .iter()
            .filter(|site| in_month(site.offline))
            .collect();
        let (results, points): (Vec<MonthResult>, Vec<DayFits>) = policies
            .iter()
            .map(|&p| {
                let mut worst: Option<(Date, Headroom)> = None;
                let mut points = Vec::with_capacity(days.len());
                for (&day, fleet) in days.iter().zip(&fleets) {
                    let h = self.evaluate(p, day, fleet);
                    points.push((day, h.fits()));
                    if worst.as_ref().is_none_or(|(_, w)| worse_point(&h, w)) {
                        worst = Some((day, h));
                    }
                }
                let (worst_date, h) = worst.expect("a month has a first day");
                let result = MonthResult {
                    policy: scenario.policies[p].name.clone(),
                    peak_utilization: h.peak_utilization,
                    peak_time: step_label(h.peak_step, scenario.step_minutes),
                    worst_date: worst_date.to_string(),
                    fits: points.iter().all(|&(_, fits)| fits),
                    verdict: h.fit,
                    sampled: None,
                };
                (result, points)
            })
            .unzip();
        let names = |sites: &[&Site]| sites.iter().map(|s| s.name.clone()).collect();
        let dates = |sites: &[&Site], date: fn(&Site) -> Option<Date>| {
            sites
                .iter()
                .filter_map(|s| date(s).map(|d| d.to_string()))
                .collect()
        };
        let answer = MonthAnswer {
            month,
            date: first.to_string(),
            sites_online: fleets[0].sites.len(),
            additions: names(&arriving),
            additions_on: dates(&arriving, |s| s.online),
            removals: names(&leaving),
            removals_on: dates(&leaving, |s| s.offline),
            serving_mw: fleets[0].serving_mw,
            results,
        };
        (answer, points)
    }
}

/// Whether the week `h` is a worse point of a month than `other`: the higher peak
/// utilization (a class left with no capacity counts as infinite), within [`PEAK_TIE`]
/// the one that does not fit; otherwise the earlier day stays.
fn worse_point(h: &Headroom, other: &Headroom) -> bool {
    let rank = |h: &Headroom| {
        if h.unservable_classes.is_empty() {
            h.peak_utilization
        } else {
            f64::INFINITY
        }
    };
    let (a, b) = (rank(h), rank(other));
    if a.is_infinite() || b.is_infinite() {
        return a.is_infinite() && b.is_finite();
    }
    if a > b + PEAK_TIE * b {
        true
    } else if b > a + PEAK_TIE * a {
        false
    } else {
        !h.fits() && other.fits()
    }
}

/// One policy's fit day by day: known days, and the rule that between two evaluation days
/// fit changes at most once (so bisection finds the day), except where a site ramps or
/// growth rates differ in sign (then each day is evaluated).
struct DaySearch<'p, 'e, 's> {
    plan: &'p DayPlan<'e, 's>,
    policy: usize,
    known: BTreeMap<Date, bool>,
    /// Every evaluation day of the horizon, sorted.
    points: Vec<Date>,
}

impl<'p, 'e, 's> DaySearch<'p, 'e, 's> {
    fn new(plan: &'p DayPlan<'e, 's>, policy: usize) -> DaySearch<'p, 'e, 's> {
        let spec = plan.spec;
        let points: Vec<Date> = (0..spec.months)
            .flat_map(|m| {
                time::evaluation_days(
                    spec.start.add_months(m),
                    spec.start.add_months(m + 1),
                    &plan.events,
                )
            })
            .collect();
        DaySearch {
            plan,
            policy,
            known: BTreeMap::new(),
            points,
        }
    }

    fn fits(&mut self, day: Date) -> bool {
        if let Some(&fits) = self.known.get(&day) {
            return fits;
        }
        let fleet = FleetCapacity::on_date(self.plan.scenario(), day);
        let fits = self.plan.evaluate(self.policy, day, &fleet).fits();
        self.known.insert(day, fits);
        fits
    }

    /// The first day from `from` to the horizon's end on which fit is `wanted`.
    fn first_with(&mut self, wanted: bool, from: Date) -> Option<Date> {
        if self.fits(from) == wanted {
            return Some(from);
        }
        let mut previous = from;
        let points: Vec<Date> = self.points.iter().copied().filter(|&d| d > from).collect();
        for b in points {
            let a = previous;
            previous = b;
            let stepwise =
                !self.plan.monotone || time::ramps_between(self.plan.scenario(), &[], a, b);
            if stepwise {
                let mut day = a.add_days(1);
                while day <= b {
                    if self.fits(day) == wanted {
                        return Some(day);
                    }
                    day = day.add_days(1);
                }
            } else if self.fits(b) == wanted {
                // Fit changes once in (a, b]: bisect for the first day it is `wanted`.
                let (mut lo, mut hi) = (a, b);
                while hi.days_since(lo) > 1 {
                    let mid = lo.add_days(hi.days_since(lo) / 2);
                    if self.fits(mid) == wanted {
                        hi = mid;
                    } else {
                        lo = mid;
                    }
                }
                return Some(hi);
            }
        }
        None
    }

    /// The last day of the fitting run that starts on `from`; `None` when it does not fit
    /// then or the run reaches the horizon's last day.
    fn holds_until(&mut self, from: Date) -> Option<Date> {
        if !self.fits(from) {
            return None;
        }
        self.first_with(false, from).map(|miss| miss.add_days(-1))
    }
}

/// The samples month by month: for each sample, the days it is looked at (its own slipped
/// events), the fleet it has on each, and whether it fits each month; kept per policy as
/// counts, so what a run holds does not grow with policies × samples.
struct SampledMonths {
    /// Per policy: the samples that fit every day looked at, per month, and the runway.
    policies: Vec<PolicySampled>,
}

/// One policy over the samples.
struct PolicySampled {
    /// Per month: samples that fit every day looked at.
    fitting: Vec<usize>,
    /// The runway's percentiles.
    runway: RunwaySampled,
}

/// The most memory the policies' sampled shares may take at once (two f64 per sample and
/// load each): policies are evaluated in groups that fit, one at a time (at least one
/// policy per group). colossus.toml's 6 policies take 11 MB at 10,000 samples, one group
/// up to 29,000; 100,000 samples of 5 loads take 8 MB per policy, so four at a time.
const SHARES_BYTES: usize = 32 << 20;

/// One policy of a group, while its samples are evaluated: its shares, what it serves,
/// and per sample the first month it misses and the last month a miss was counted in.
struct PolicyInProgress {
    shares: DrawShares,
    serves: Vec<bool>,
    /// Per sample: the first month missed (`months` if none yet).
    first_miss: Vec<u32>,
    /// Per sample: the month whose count already has this sample's miss (`u32::MAX` if none).
    counted: Vec<u32>,
    /// Per month: samples that missed some day looked at.
    missing: Vec<usize>,
}

impl SampledMonths {
    /// Evaluates the samples of `policies`, as many policies at a time as `shares_bytes`
    /// of sampled shares allow (at least one): the answer is the same whatever the limit.
    fn run(
        plan: &DayPlan<'_, '_>,
        sampling: &Sampling,
        policies: &[usize],
        shares_bytes: usize,
    ) -> SampledMonths {
        let scenario = plan.scenario();
        let spec = plan.spec;
        let draws = sampling::draws(sampling);
        let slips = sampling::slips(sampling, &scenario.sites);
        let events: Vec<Vec<Date>> = slips
            .iter()
            .map(|slip| time::event_days(scenario, slip))
            .collect();
        // Each tier's growth on every day of the timeline, computed once.
        let horizon = time::horizon_end(spec).days_since(spec.start) as usize + 1;
        let tier_factors: Vec<Vec<f64>> = (0..horizon)
            .map(|d| time::growth_factors(spec, spec.start.add_days(d as i64)))
            .collect();
        let timeline_rising = spec.growth.iter().all(|&g| g >= 0.0);
        let spread_slips = sampling.slip_days.is_some_and(|p| p.p90 > p.p10)
            && scenario
                .sites
                .iter()
                .any(|s| s.ramp_days.is_some_and(|n| n > 1));
        let months = spec.months as usize;
        // One value per load (a tier at each of its speeds), for every policy alike.
        let width = scenario.loads().len();
        let per_policy = (draws.len() * width * 2 * std::mem::size_of::<f64>()).max(1);
        let group = (shares_bytes / per_policy).max(1);
        // Every (sample, day) each month looks at, with the fleet it has then: fleets are
        // told apart by the share of each site present, so samples share them. Slips with
        // a spread give every sample a ramp of its own: ramps are then counted in steps of
        // 1/RAMP_STEPS of the site, rounded down (docs/model.md, "Slips"). Sorted by
        // fleet, so that each fleet is prepared once per group of policies.
        let looks_of = |m: u32| -> MonthLooks {
            let (presences, mut looks) = month_looks(
                scenario,
                (&slips, &events, &draws),
                (spec.start.add_months(m), spec.start.add_months(m + 1)),
                spec,
                timeline_rising,
                spread_slips.then_some(RAMP_STEPS),
            );
            looks.sort_unstable_by_key(|look| look.fleet);
            (presences, looks)
        };
        let groups = policies.len().div_ceil(group);
        // With more than one group, the first keeps the months' looks for the others while
        // they fit in LOOKS_BYTES; months past it are looked at again by each group.
        let mut kept: Vec<Option<MonthLooks>> = (0..months).map(|_| None).collect();
        let mut kept_bytes = 0;
        let mut sampled = Vec::with_capacity(policies.len());
        for group in policies.chunks(group) {
            let mut progress: Vec<PolicyInProgress> = group
                .iter()
                .map(|&p| {
                    let policy = SamplePolicy::new(plan.evaluator, &scenario.policies[p]);
                    PolicyInProgress {
                        shares: policy.shares_of(&draws),
                        serves: policy.serves(),
                        first_miss: vec![spec.months; draws.len()],
                        counted: vec![u32::MAX; draws.len()],
                        missing: vec![0; months],
                    }
                })
                .collect();
            for m in 0..spec.months {
                let computed;
                let (presences, looks) = match &kept[m as usize] {
                    Some(month) => month,
                    None => {
                        computed = looks_of(m);
                        &computed
                    }
                };
                let fleets: Vec<&[Look]> = looks.chunk_by(|a, b| a.fleet == b.fleet).collect();
                let misses: Vec<Vec<(usize, usize)>> = fleets
                    .par_iter()
                    .map(|looks| {
                        let presence = &presences[looks[0].fleet as usize];
                        let fleet = FleetCapacity::with_presence(scenario, |s| presence[s]);
                        let fleet = SampleFleet::new(plan.evaluator, &fleet);
                        let (mut off, mut peak) = (vec![0.0; width], vec![0.0; width]);
                        let mut misses = Vec::new();
                        for (i, policy) in progress.iter().enumerate() {
                            let unserved = fleet.leaves_unserved(&policy.serves);
                            for look in *looks {
                                let sample = look.sample as usize;
                                let at = SampleAt {
                                    shares: &policy.shares,
                                    draw: &draws[sample],
                                    index: sample,
                                    months: f64::from(look.day) / time::MONTH_DAYS,
                                    tier_factor: &tier_factors[look.day as usize],
                                };
                                if !at.outcome(&fleet, &mut off, &mut peak, unserved, true).fits {
                                    misses.push((i, sample));
                                }
                            }
                        }
                        misses
                    })
                    .collect();
                for (i, sample) in misses.into_iter().flatten() {
                    let policy = &mut progress[i];
                    if policy.counted[sample] != m {
                        policy.counted[sample] = m;
                        policy.missing[m as usize] += 1;
                        policy.first_miss[sample] = policy.first_miss[sample].min(m);
                    }
                }
                let bytes = looks.len() * std::mem::size_of::<Look>()
                    + presences.iter().map(|p| p.len() * 8).sum::<usize>();
                if groups > 1 && kept[m as usize].is_none() && kept_bytes + bytes <= LOOKS_BYTES {
                    kept_bytes += bytes;
                    kept[m as usize] = Some((presences.clone(), looks.clone()));
                }
            }
            sampled.extend(progress.into_iter().map(|policy| PolicySampled {
                fitting: policy.missing.iter().map(|&n| draws.len() - n).collect(),
                runway: runway(&policy.first_miss, sampling, spec),
            }));
        }
        SampledMonths { policies: sampled }
    }

    /// The chance the `i`th policy fits month `m`, and its standard error.
    fn hit_rate(&self, m: usize, i: usize) -> (f64, f64) {
        let samples = self.policies[i].runway.samples;
        hit_rate(self.policies[i].fitting[m], samples)
    }

    /// The `i`th policy's runway over the samples.
    fn runway(&self, i: usize) -> RunwaySampled {
        self.policies[i].runway.clone()
    }
}

/// A policy's runway over the samples from each sample's first month missed (`months` if
/// none): months fitted before the first miss, and the last day of that run as a date.
fn runway(first_miss: &[u32], sampling: &Sampling, spec: &Timeline) -> RunwaySampled {
    let runways: Vec<f64> = first_miss.iter().map(|&m| f64::from(m)).collect();
    let throughout = first_miss.iter().filter(|&&m| m == spec.months).count();
    let summary = SampleSummary::from_values(runways, throughout);
    // A runway of r months ends the day before month r starts; all of them: past the
    // horizon (null).
    let end = |r: f64| {
        let r = r as u32;
        (r < spec.months).then(|| spec.start.add_months(r).add_days(-1).to_string())
    };
    RunwaySampled {
        samples: sampling.samples,
        seed: sampling.seed,
        runway_months: PercentilesAnswer {
            p10: summary.p10,
            p50: summary.p50,
            p90: summary.p90,
        },
        runway_end: DatePercentiles {
            p10: end(summary.p10),
            p50: end(summary.p50),
            p90: end(summary.p90),
        },
        p_fits_throughout: summary.p_fits,
        p_fits_throughout_standard_error: summary.standard_error,
    }
}

/// A month's looks: each fleet's share of every site present, and the (sample, day, fleet)
/// looked at, sorted by fleet.
type MonthLooks = (Vec<Vec<f64>>, Vec<Look>);

/// The most memory the months' looks kept for later groups of policies may take (12
/// bytes a look): past it, each group looks at the rest again.
const LOOKS_BYTES: usize = 16 << 20;

/// One sample looked at on one day: the fleet it has then, and the day (from the timeline's
/// start).
#[derive(Clone)]
struct Look {
    fleet: u32,
    sample: u32,
    day: u32,
}

/// Steps in which samples count a ramping site when slips with a spread would give every
/// sample a fleet of its own on every day (each fleet is prepared in tens of microseconds).
const RAMP_STEPS: f64 = 32.0;

/// Every (sample, day) a month looks at, with the fleet (by its share of each site) the
/// sample has then; the shares exact, or rounded down to 1/`steps` of a site.
fn month_looks(
    scenario: &Scenario,
    (slips, events, draws): (&[Vec<i64>], &[Vec<Date>], &[sampling::Draw]),
    (first, next): (Date, Date),
    spec: &Timeline,
    timeline_rising: bool,
    steps: Option<f64>,
) -> (Vec<Vec<f64>>, Vec<Look>) {
    let mut fleet_index: HashMap<Vec<u64>, u32> = HashMap::new();
    let mut presences: Vec<Vec<f64>> = Vec::new();
    let mut looks: Vec<Look> = Vec::new();
    for (sample, slip) in slips.iter().enumerate() {
        let events = &events[sample];
        let mut days = time::evaluation_days(first, next, events);
        // Where this sample's demand cannot fall and no site ramps in the month, fit can
        // only be lost at the end of an interval of constant fleet: the month's last day
        // and the eve of each event.
        let rising = draws[sample].growth.map_or(timeline_rising, |g| g >= 0.0);
        if rising && !time::ramps_during(scenario, slip, first, next) {
            days.retain(|&d| {
                d == next.add_days(-1) || events.binary_search(&d.add_days(1)).is_ok()
            });
        }
        for day in days {
            let presence: Vec<f64> = scenario
                .sites
                .iter()
                .enumerate()
                .map(|(s, site)| {
                    let present = time::presence(site, day, slip.get(s).copied().unwrap_or(0));
                    match steps {
                        Some(steps) => (present * steps).floor() / steps,
                        None => present,
                    }
                })
                .collect();
            let key: Vec<u64> = presence.iter().map(|p| p.to_bits()).collect();
            let fleet = *fleet_index.entry(key).or_insert_with(|| {
                presences.push(presence);
                (presences.len() - 1) as u32
            });
            looks.push(Look {
                fleet,
                sample: sample as u32,
                day: day.days_since(spec.start) as u32,
            });
        }
    }
    (presences, looks)
}

/// Everything `timeline` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineAnswer {
    /// Raised when the layout changes incompatibly.
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Share of capacity usable at the latency SLO.
    pub utilization_target: f64,
    /// The first month's date.
    pub start: String,
    /// The timeline's last day (the day before `start` + `months` months).
    pub end: String,
    /// Monthly compound growth of users per tier.
    pub growth: IndexMap<String, f64>,
    /// Every day the fleet changes within the timeline, in date order.
    pub events: Vec<FleetEvent>,
    /// One entry per month, in order.
    pub months: Vec<MonthAnswer>,
    /// One entry per policy.
    pub runway: Vec<Runway>,
}

/// One month of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthAnswer {
    /// Months since the start (0 = the start month).
    pub month: u32,
    /// The month's first day.
    pub date: String,
    /// Sites online on its first day.
    pub sites_online: usize,
    /// Sites whose online date falls in this month (from this month's date to the next's).
    pub additions: Vec<String>,
    /// Their online dates, `YYYY-MM-DD`, in the same order.
    pub additions_on: Vec<String>,
    /// Sites whose `offline` date falls in this month.
    pub removals: Vec<String>,
    /// Their offline dates, in the same order.
    pub removals_on: Vec<String>,
    /// Serving MW online on its first day.
    pub serving_mw: f64,
    /// One entry per selected policy, in file order.
    pub results: Vec<MonthResult>,
}

/// One policy in one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthResult {
    /// Policy name.
    pub policy: String,
    /// Peak utilization at the month's worst point: the fleet and the demand of that day.
    pub peak_utilization: f64,
    /// When in the week the peak falls (UTC).
    pub peak_time: String,
    /// The month's worst day (`YYYY-MM-DD`): the highest peak of its evaluation days.
    pub worst_date: String,
    /// Fits on every evaluation day of the month.
    pub fits: bool,
    /// Why it fits or not at the worst point, as the model decided (`fits`,
    /// `no_capacity`, `over_target`, `training_floor`).
    pub verdict: Fit,
    /// The chance to fit this month over the samples, if the scenario has samples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampled: Option<MonthSampled>,
}

/// One policy in one month over the samples of `[uncertainty]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonthSampled {
    /// Share of samples in which the policy fits this month.
    pub p_fits: f64,
    /// Its standard error, sqrt(p (1 - p) / samples).
    pub p_fits_standard_error: f64,
}

/// A policy's runway over the samples: in each sample, the months it fits from the start
/// before its first miss (all the months when it never misses).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunwaySampled {
    /// Samples drawn.
    pub samples: usize,
    /// The generator's seed.
    pub seed: u64,
    /// Months of runway: 10th, 50th and 90th percentiles (nearest rank).
    pub runway_months: PercentilesAnswer,
    /// The last day of those runways: the last day of the last month fitted from the
    /// start before the first miss (the day before the start for none; null: no miss).
    pub runway_end: DatePercentiles,
    /// Share of samples in which the policy fits in every month.
    pub p_fits_throughout: f64,
    /// Its standard error.
    pub p_fits_throughout_standard_error: f64,
}

/// How long a policy keeps fitting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Runway {
    /// Policy name.
    pub policy: String,
    /// The first day it fits; null if it never does.
    pub first_fit: Option<String>,
    /// The first day it does not fit; null if it fits throughout.
    pub first_miss: Option<String>,
    /// The last day of the run of fitting days that starts at `first_fit`; null when that
    /// run reaches the timeline's last day or the policy never fits.
    pub holds_until: Option<String>,
    /// The first day it fits again after that run; null when it does not.
    pub fits_again: Option<String>,
    /// True when it fits in every month.
    pub fits_throughout: bool,
    /// The runway over the samples, if the scenario has samples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampled: Option<RunwaySampled>,
}

/// Three percentiles of a date (null: past the timeline's end).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatePercentiles {
    /// 10th percentile.
    pub p10: Option<String>,
    /// Median.
    pub p50: Option<String>,
    /// 90th percentile.
    pub p90: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_give_the_same_answer_one_policy_at_a_time() {
        // colossus.toml (6 policies, slips, ramps) at 400 samples: all policies in one
        // group, or one at a time, give the same counts and runways.
        let text = include_str!("../../scenarios/colossus.toml")
            .replace("samples = 10000", "samples = 400");
        let scenario = Scenario::parse(&text, "c.toml").unwrap();
        let sampling = scenario.sampling.as_ref().unwrap();
        assert_eq!(sampling.samples, 400);
        let evaluator = Evaluator::new(&scenario);
        let spec = scenario.timeline.as_ref().unwrap();
        let plan = DayPlan::new(&evaluator, spec);
        let policies: Vec<usize> = (0..scenario.policies.len()).collect();
        let together = SampledMonths::run(&plan, sampling, &policies, SHARES_BYTES);
        let apart = SampledMonths::run(&plan, sampling, &policies, 1);
        let mut some_miss = false;
        for i in 0..policies.len() {
            for m in 0..spec.months as usize {
                assert_eq!(together.hit_rate(m, i), apart.hit_rate(m, i));
                some_miss |= together.policies[i].fitting[m] < 400;
            }
            assert_eq!(together.runway(i), apart.runway(i));
        }
        assert!(some_miss, "some sample misses some month");
    }
}
