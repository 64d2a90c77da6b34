//! The rules of meaning: every name resolved, every number in its bounds, every curve the
//! right length, mixes that sum to 1, dates that exist; each problem reported with its key
//! path, all of them at once.

use std::collections::HashSet;

use indexmap::IndexMap;

use super::bounds;
use super::{Checker, list, online_date, unknown};
use crate::scenario::curve::{self, CurveValues};
use crate::scenario::diagnostic::{KeyPath, locate};
use crate::scenario::raw::{
    CurveSpec, ElasticSpec, GpuSpec, LimitSpec, RateSpec, ScenarioFile, ServingShareSpec,
    TimelineSpec, UncertaintySpec,
};
use crate::scenario::units::{self, Date, HOURS_PER_WEEK, PeakHours};
use crate::scenario::{
    Adjust, AdjustKind, ClassRates, DatedPhase, Limit, Metric, Observation, OutputRate,
    Percentiles, Policy, PolicySpeed, Sampling, Scenario, ServingShare, Site, Sku, Tier, Timeline,
    Uncertainty,
};

/// The most `[[phase]]` tables a file may have: each is a full evaluation of every policy.
pub const MAX_PHASES: usize = 12;

/// Tolerance on a mix summing to 1.
const MIX_TOLERANCE: f64 = 1e-6;

impl Checker<'_, '_> {
    /// Every rule of meaning over the raw file, in file order; the scenario it gives is
    /// only used when no diagnostic was raised.
    pub(super) fn scenario(&mut self, file: ScenarioFile) -> Scenario {
        let section = KeyPath::root("scenario");
        self.printable(section.key("name"), &file.scenario.name, "a scenario name");
        if file.scenario.name.trim().is_empty() {
            self.error(
                section.key("name"),
                "expected a non-empty scenario name".into(),
            );
        }
        let step_minutes = units::parse_step_minutes(&file.scenario.step).unwrap_or_else(|msg| {
            self.error(section.key("step"), msg);
            60
        });
        let utilization_target = self.number(
            section.key("utilization_target"),
            file.scenario.utilization_target,
            bounds::POSITIVE_SHARE,
        );
        let peak_hours = PeakHours::parse(&file.scenario.peak_hours).unwrap_or_else(|(i, msg)| {
            self.error(section.key("peak_hours").index(i), msg);
            PeakHours::default()
        });

        let (classes, skus) = self.skus(&file.gpu);
        let (input_rated, cached_rated) = self.rated_kinds(&file.gpu, &classes, &skus);
        let curves: IndexMap<&str, CurveValues> = file
            .curve
            .iter()
            .map(|(id, spec)| (id.as_str(), self.curve(id, spec)))
            .collect();
        let sites = self.sites(&file, &skus, &curves, step_minutes);
        let tiers = self.tiers(&file, &classes, &skus, &curves, step_minutes);
        let policies = self.policies(&file, &tiers);
        let timeline = file
            .timeline
            .as_ref()
            .map(|spec| self.timeline(spec, &tiers));
        let (uncertainty, sampling) = match &file.uncertainty {
            Some(spec) => self.uncertainty(spec),
            None => (None, None),
        };
        let sampled_growth = sampling.is_some_and(|s| s.growth.is_some());
        let phases = self.phases(&file, timeline.as_ref(), sampled_growth);
        let training_floor_gpu_hours = file.scenario.training_floor_gpu_hours.map(|floor| {
            let path = section.key("training_floor_gpu_hours");
            let floor = self.number(path.clone(), floor, bounds::NON_NEGATIVE);
            let most = most_training_gpu_hours(&sites, &skus, step_minutes);
            if floor > most {
                self.error(
                    path,
                    format!(
                        "expected at most {} GPU-hours a week, the most training can get (every site at its lowest serving share), found {floor}",
                        crate::fmt::count(most.floor())
                    ),
                );
            }
            floor
        });
        let observations = self.observations(&file, &tiers, &policies, &phases);
        let adjust = self.adjust(&file, &tiers, &skus);
        self.speeds(
            &classes,
            &skus,
            &tiers,
            &policies,
            &peak_hours,
            step_minutes,
        );
        let base_rated = input_rated
            .iter()
            .zip(&cached_rated)
            .map(|(&input, &cached)| [input, cached])
            .collect();
        let mut scenario = Scenario {
            observations,
            adjust,
            name: file.scenario.name,
            step_minutes,
            utilization_target,
            peak_hours,
            base_classes: classes.clone(),
            classes,
            columns: Vec::new(),
            base_rated,
            skus,
            sites,
            tiers,
            policies,
            timeline,
            uncertainty,
            sampling,
            input_rated,
            cached_rated,
            training_floor_gpu_hours,
            has_costs: file.gpu.values().any(|g| g.cost_per_gpu_hour.is_some())
                || file.site.iter().any(|s| s.cost_per_mw_month.is_some())
                || file
                    .tier
                    .iter()
                    .any(|t| t.price_per_user_month.is_some() || t.price_per_mtok.is_some()),
            phases,
        };
        if self.diagnostics.is_empty() {
            scenario.expand_speeds();
        }
        scenario
    }

    /// `[[observed]]`: a known policy, phase and tier, exactly one metric (a tier with
    /// `throttled_share_at_peak` only), every number positive.
    fn observations(
        &mut self,
        file: &ScenarioFile,
        tiers: &[Tier],
        policies: &[Policy],
        phases: &[DatedPhase],
    ) -> Vec<Observation> {
        let phase_names: Vec<&str> = if phases.is_empty() {
            vec!["before", "after"]
        } else {
            phases.iter().map(|p| p.name.as_str()).collect()
        };
        let mut found = Vec::new();
        for (i, spec) in file.observed.iter().enumerate() {
            let path = KeyPath::root("observed").index(i);
            let policy = policies.iter().position(|p| p.name == spec.policy);
            if policy.is_none() {
                let names: Vec<&str> = policies.iter().map(|p| p.name.as_str()).collect();
                self.error(
                    path.key("policy"),
                    format!(
                        "no policy {:?}; expected one of {}",
                        spec.policy,
                        list(names.into_iter())
                    ),
                );
            }
            if !phase_names.contains(&spec.phase.as_str()) {
                self.error(
                    path.key("phase"),
                    format!(
                        "no phase {:?}; expected one of {}",
                        spec.phase,
                        list(phase_names.iter().copied())
                    ),
                );
            }
            let tier = spec.tier.as_ref().and_then(|name| {
                let index = tiers.iter().position(|t| &t.name == name);
                if index.is_none() {
                    self.error(
                        path.key("tier"),
                        format!(
                            "no tier {name:?}; expected one of {}",
                            list(tiers.iter().map(|t| t.name.as_str()))
                        ),
                    );
                }
                index
            });
            let metrics: Vec<(Metric, f64, bounds::Bounds)> = [
                (
                    Metric::PeakUtilization,
                    spec.peak_utilization,
                    bounds::OBSERVED,
                ),
                (
                    Metric::ThrottledShareAtPeak,
                    spec.throttled_share_at_peak,
                    bounds::OBSERVED_SHARE,
                ),
                (
                    Metric::ServedShare,
                    spec.served_share,
                    bounds::OBSERVED_SHARE,
                ),
                (
                    Metric::RevenuePerWeek,
                    spec.revenue_per_week,
                    bounds::OBSERVED,
                ),
            ]
            .into_iter()
            .filter_map(|(m, v, b)| v.map(|v| (m, v, b)))
            .collect();
            let [(metric, value, range)] = metrics[..] else {
                self.error(
                    path.clone(),
                    format!(
                        "expected exactly one of peak_utilization, throttled_share_at_peak, served_share, revenue_per_week; found {}",
                        metrics.len()
                    ),
                );
                continue;
            };
            let observed = self.number(path.key(metric.key()), value, range);
            let weight = spec.weight.map_or(1.0, |w| {
                self.number(path.key("weight"), w, bounds::OBSERVED)
            });
            match (metric, &spec.tier) {
                (Metric::ThrottledShareAtPeak, None) => self.error(
                    path.key("tier"),
                    "throttled_share_at_peak is a tier's figure: name the tier".into(),
                ),
                (Metric::ThrottledShareAtPeak, Some(_)) | (_, None) => {}
                (_, Some(_)) => self.error(
                    path.key("tier"),
                    format!("{} is the whole fleet's figure: remove tier", metric.key()),
                ),
            }
            found.push(Observation {
                policy: policy.unwrap_or(0),
                phase: spec.phase.clone(),
                tier,
                metric,
                observed,
                weight,
            });
        }
        found
    }

    /// `[calibration] adjust`: each group `KIND:NAME,…` of a known kind and names, and no
    /// input in two groups (two multipliers on one value would have no single answer).
    fn adjust(&mut self, file: &ScenarioFile, tiers: &[Tier], skus: &[Sku]) -> Vec<Adjust> {
        let Some(spec) = &file.calibration else {
            return Vec::new();
        };
        let path = KeyPath::root("calibration").key("adjust");
        let mut seen: Vec<(AdjustKind, usize, usize)> = Vec::new();
        let mut groups = Vec::new();
        for (i, text) in spec.adjust.iter().enumerate() {
            let here = path.index(i);
            let Some((kind, names)) = text.split_once(':') else {
                self.error(
                    here,
                    format!("expected KIND:NAME,NAME (such as \"users:free,pro\"), found {text:?}"),
                );
                continue;
            };
            let Some(&(_, kind)) = AdjustKind::ALL.iter().find(|(k, _)| *k == kind.trim()) else {
                self.error(
                    here,
                    format!(
                        "unknown kind {:?}; expected one of {}",
                        kind.trim(),
                        list(AdjustKind::ALL.iter().map(|(k, _)| *k))
                    ),
                );
                continue;
            };
            let known: Vec<&str> = if kind.of_skus() {
                skus.iter().map(|s| s.name.as_str()).collect()
            } else {
                tiers.iter().map(|t| t.name.as_str()).collect()
            };
            let mut members = Vec::new();
            for name in names.split(',').map(str::trim) {
                match known.iter().position(|k| *k == name) {
                    Some(m) => {
                        if let Some(&(_, _, other)) = seen
                            .iter()
                            .find(|(k, member, _)| *k == kind && *member == m)
                        {
                            self.error(
                                here.clone(),
                                format!(
                                    "{name:?} is already adjusted by adjust[{other}]: one multiplier per input"
                                ),
                            );
                        }
                        seen.push((kind, m, i));
                        members.push(m);
                    }
                    None => self.error(
                        here.clone(),
                        format!(
                            "no {} {name:?}; expected one of {}",
                            if kind.of_skus() { "GPU SKU" } else { "tier" },
                            list(known.iter().copied())
                        ),
                    ),
                }
            }
            groups.push(Adjust {
                text: text.clone(),
                kind,
                members,
            });
        }
        groups
    }

    /// `[[phase]]`: unique names, dates that exist and increase, at most
    /// [`MAX_PHASES`]; with growth (the timeline's or a sampled rate), none before the
    /// timeline's start (its demand would be grown backwards).
    fn phases(
        &mut self,
        file: &ScenarioFile,
        timeline: Option<&Timeline>,
        sampled_growth: bool,
    ) -> Vec<DatedPhase> {
        if file.phase.len() > MAX_PHASES {
            self.error(
                KeyPath::root("phase"),
                format!(
                    "expected at most {MAX_PHASES} [[phase]] tables, found {}",
                    file.phase.len()
                ),
            );
            return Vec::new();
        }
        let mut names = HashSet::new();
        let mut phases: Vec<DatedPhase> = Vec::new();
        for (i, spec) in file.phase.iter().enumerate() {
            let path = KeyPath::root("phase").index(i);
            self.name(path.key("name"), &spec.name, &mut names, "phase");
            let Ok(on) = online_date(&spec.on).map_err(|msg| self.error(path.key("on"), msg))
            else {
                continue;
            };
            if let Some(previous) = phases.last()
                && on <= previous.on
            {
                self.error(
                    path.key("on"),
                    format!(
                        "expected a date after the previous phase's ({} on {}): phases are listed in time order, found {on}",
                        previous.name, previous.on
                    ),
                );
            }
            if let Some(timeline) = timeline
                && on < timeline.start
                && (timeline.growth.iter().any(|&g| g != 0.0) || sampled_growth)
            {
                self.error(
                    path.key("on"),
                    format!(
                        "expected a date on or after the timeline's start ({}): demand grows from that date, found {on}",
                        timeline.start
                    ),
                );
            }
            phases.push(DatedPhase {
                name: spec.name.clone(),
                on,
            });
        }
        phases
    }

    /// Per class, whether input and cached-input rates are given; each must be given by
    /// every SKU that serves the class, or by none, and only for classes the SKU serves.
    fn rated_kinds(
        &mut self,
        gpus: &IndexMap<String, GpuSpec>,
        classes: &[String],
        skus: &[Sku],
    ) -> (Vec<bool>, Vec<bool>) {
        let mut rated = |key: &str, rates: &dyn Fn(&GpuSpec) -> &IndexMap<String, f64>| {
            let mut given = vec![false; classes.len()];
            for (id, spec) in gpus {
                for class in rates(spec).keys() {
                    match classes.iter().position(|c| c == class) {
                        Some(c) if spec.tokens_per_s.contains_key(class) => given[c] = true,
                        _ => self.error(
                            KeyPath::root("gpu").key(id).key(key).key(class),
                            format!(
                                "gpu.{id} gives {key} for class {class:?} but no tokens_per_s for it; a SKU reads input only for a class it serves"
                            ),
                        ),
                    }
                }
            }
            for (c, class) in classes.iter().enumerate() {
                if !given[c] {
                    continue;
                }
                let with: Vec<&str> = gpus
                    .iter()
                    .filter(|(_, spec)| rates(spec).contains_key(class))
                    .map(|(id, _)| id.as_str())
                    .collect();
                for ((id, spec), sku) in gpus.iter().zip(skus) {
                    if sku.tokens_per_s[c] > 0.0 && !rates(spec).contains_key(class) {
                        self.error(
                            KeyPath::root("gpu").key(id).key(key),
                            format!(
                                "class {class:?} has {key} on gpu.{} but not on gpu.{id}, which serves it; every SKU that serves {class:?} must give it (or none may)",
                                with.join(", gpu.")
                            ),
                        );
                    }
                }
            }
            given
        };
        let input = rated("input_tokens_per_s", &|spec: &GpuSpec| {
            &spec.input_tokens_per_s
        });
        let cached = rated("cached_tokens_per_s", &|spec: &GpuSpec| {
            &spec.cached_tokens_per_s
        });
        (input, cached)
    }

    /// `[uncertainty]`: the demand cases (`low` with `high`) and the sampled parameters
    /// (with `samples`); at least one of the two.
    fn uncertainty(&mut self, spec: &UncertaintySpec) -> (Option<Uncertainty>, Option<Sampling>) {
        let path = KeyPath::root("uncertainty");
        let cases = match (spec.low, spec.high) {
            (Some(low), Some(high)) => Some(Uncertainty {
                low: self.number(path.key("low"), low, bounds::POSITIVE_SHARE),
                high: self.number(path.key("high"), high, bounds::HIGH_DEMAND),
            }),
            (Some(_), None) => {
                self.error(
                    path.key("high"),
                    "expected high with low (the pessimistic multiplier on users, e.g. high = 1.2)"
                        .to_string(),
                );
                None
            }
            (None, Some(_)) => {
                self.error(
                    path.key("low"),
                    "expected low with high (the optimistic multiplier on users, e.g. low = 0.85)"
                        .to_string(),
                );
                None
            }
            (None, None) => None,
        };
        let multiplier =
            |checker: &mut Self,
             key: &str,
             range: &Option<crate::scenario::raw::MultiplierRange>| {
                range.as_ref().map(|r| {
                    checker.percentiles(path.key(key), r.p10, r.p90, bounds::SAMPLED_MULTIPLIER)
                })
            };
        let users = multiplier(self, "users", &spec.users);
        let tokens = multiplier(self, "tokens_per_active_hour", &spec.tokens_per_active_hour);
        let throughput = multiplier(self, "throughput", &spec.throughput);
        let growth = spec
            .growth
            .as_ref()
            .map(|r| self.percentiles(path.key("growth"), r.p10, r.p90, bounds::SAMPLED_GROWTH));
        let slip_days = spec
            .slip_days
            .as_ref()
            .map(|r| self.percentiles(path.key("slip_days"), r.p10, r.p90, bounds::SLIP_DAYS));
        let sampled = [
            ("slip_days", slip_days.is_some()),
            ("seed", spec.seed.is_some()),
            ("users", users.is_some()),
            ("tokens_per_active_hour", tokens.is_some()),
            ("throughput", throughput.is_some()),
            ("growth", growth.is_some()),
        ];
        let sampling = match spec.samples {
            Some(samples) => {
                let samples = self.number(path.key("samples"), f64::from(samples), bounds::SAMPLES);
                Some(Sampling {
                    samples: samples as usize,
                    seed: spec.seed.map_or(1, |seed| {
                        self.number(path.key("seed"), seed as f64, bounds::SEED) as u64
                    }),
                    users,
                    tokens_per_active_hour: tokens,
                    throughput,
                    growth,
                    slip_days,
                })
            }
            None => {
                if let Some((key, _)) = sampled.iter().find(|(_, given)| *given) {
                    self.error(
                        path.key(key),
                        format!("expected samples = N (how many to draw) with {key}: it describes sampled uncertainty"),
                    );
                } else if cases.is_none() && spec.low.is_none() && spec.high.is_none() {
                    self.error(
                        path,
                        "expected low and high (demand cases), or samples (sampled uncertainty, with p10 and p90 for users, tokens_per_active_hour, throughput or growth)".to_string(),
                    );
                }
                None
            }
        };
        (cases, sampling)
    }

    /// A sampled parameter's p10 and p90: each in `bounds`, p10 at most p90.
    fn percentiles(
        &mut self,
        path: KeyPath,
        p10: f64,
        p90: f64,
        bounds: bounds::Bounds,
    ) -> Percentiles {
        self.number(path.key("p10"), p10, bounds);
        self.number(path.key("p90"), p90, bounds);
        if p10 > p90 {
            self.error(
                path,
                format!(
                    "expected p90 at least p10 ({}), found {}",
                    crate::fmt::num(p10),
                    crate::fmt::num(p90)
                ),
            );
        }
        Percentiles { p10, p90 }
    }

    fn timeline(&mut self, spec: &TimelineSpec, tiers: &[Tier]) -> Timeline {
        let path = KeyPath::root("timeline");
        let start = online_date(&spec.start).unwrap_or_else(|msg| {
            self.error(path.key("start"), msg);
            Date {
                year: 2026,
                month: 1,
                day: 1,
            }
        });
        self.number(path.key("months"), f64::from(spec.months), bounds::MONTHS);
        let growth = self.number(path.key("growth"), spec.growth, bounds::GROWTH);
        let mut by_tier = vec![growth; tiers.len()];
        for (name, &rate) in &spec.tier_growth {
            let rate = self.number(path.key("tier_growth").key(name), rate, bounds::GROWTH);
            match tiers.iter().position(|t| &t.name == name) {
                Some(index) => by_tier[index] = rate,
                None => self.error(
                    path.key("tier_growth").key(name),
                    unknown(
                        "tier",
                        name,
                        "[[tier]] names",
                        tiers.iter().map(|t| t.name.as_str()),
                    ),
                ),
            }
        }
        Timeline {
            start,
            months: spec.months,
            growth: by_tier,
        }
    }

    fn skus(&mut self, gpus: &IndexMap<String, GpuSpec>) -> (Vec<String>, Vec<Sku>) {
        let mut classes: Vec<String> = Vec::new();
        for spec in gpus.values() {
            for class in spec.tokens_per_s.keys() {
                if !classes.contains(class) {
                    classes.push(class.clone());
                }
            }
        }
        if gpus.is_empty() {
            self.error(
                KeyPath::root("gpu"),
                "expected at least one GPU SKU, e.g. [gpu.h100] with watts and tokens_per_s".into(),
            );
        }
        let mut skus = Vec::new();
        for (id, spec) in gpus {
            let path = KeyPath::root("gpu").key(id);
            self.printable(path.clone(), id, "a GPU SKU id");
            for class in spec.tokens_per_s.keys() {
                self.printable(
                    path.key("tokens_per_s").key(class),
                    class,
                    "a model class name",
                );
                if class.contains('@') {
                    self.error(
                        path.key("tokens_per_s").key(class),
                        format!("expected a model class name without '@' (capplan labels a class at a speed class@speed), found {class:?}"),
                    );
                }
            }
            let watts = self.number(path.key("watts"), spec.watts, bounds::WATTS);
            let overhead = self.number(path.key("overhead"), spec.overhead, bounds::OVERHEAD);
            if spec.tokens_per_s.is_empty() {
                self.error(
                    path.key("tokens_per_s"),
                    "expected at least one model class, e.g. { sonnet = 1200 }".into(),
                );
            }
            let mut tokens_per_s = vec![0.0; classes.len()];
            let mut outputs = vec![OutputRate::None; classes.len()];
            for (class, rate) in &spec.tokens_per_s {
                let index = classes.iter().position(|c| c == class).unwrap_or(0);
                let path = path.key("tokens_per_s").key(class);
                outputs[index] = match rate {
                    RateSpec::Rate(rate) => {
                        let rate = self.number(path, *rate, bounds::GPU_TOKENS);
                        if rate > 0.0 {
                            OutputRate::Scalar(rate)
                        } else {
                            OutputRate::None
                        }
                    }
                    RateSpec::Frontier(points) => self.frontier(path, points),
                };
                // What validation reads as "serves it": the frontier's slowest rate.
                tokens_per_s[index] = match &outputs[index] {
                    OutputRate::None => 0.0,
                    OutputRate::Scalar(rate) => *rate,
                    OutputRate::Frontier(points) => points.first().map_or(1.0, |p| p.1),
                };
            }
            let mut kind = |key: &str, rates: &IndexMap<String, f64>| -> Vec<f64> {
                let mut values = vec![0.0; classes.len()];
                for (class, &rate) in rates {
                    let rate =
                        self.number(path.key(key).key(class), rate, bounds::GPU_INPUT_TOKENS);
                    if let Some(index) = classes.iter().position(|c| c == class) {
                        values[index] = rate;
                    }
                }
                values
            };
            let input_tokens_per_s = kind("input_tokens_per_s", &spec.input_tokens_per_s);
            let cached_tokens_per_s = kind("cached_tokens_per_s", &spec.cached_tokens_per_s);
            let cost_per_gpu_hour = spec.cost_per_gpu_hour.map_or(0.0, |c| {
                self.number(path.key("cost_per_gpu_hour"), c, bounds::USD)
            });
            let rates = outputs
                .into_iter()
                .enumerate()
                .map(|(c, output)| ClassRates {
                    output,
                    input: input_tokens_per_s[c],
                    cached: cached_tokens_per_s[c],
                })
                .collect();
            skus.push(Sku {
                name: id.clone(),
                watts,
                overhead,
                tokens_per_s,
                input_tokens_per_s,
                cached_tokens_per_s,
                rates,
                cost_per_gpu_hour,
            });
        }
        (classes, skus)
    }

    /// A frontier: at least two points `[tps_per_user, tps_per_gpu]`, each positive, speed
    /// strictly increasing and throughput strictly decreasing (model v3 speed).
    fn frontier(&mut self, path: KeyPath, points: &[Vec<f64>]) -> OutputRate {
        let mut found = Vec::with_capacity(points.len());
        let mut ok = true;
        if points.len() < 2 {
            self.error(
                path.clone(),
                format!(
                    "expected a frontier of at least two points [tokens/s per user, tokens/s per GPU], e.g. [[20, 1400], [80, 300]], found {}",
                    match points.len() {
                        0 => "none".to_string(),
                        n => format!("{n}"),
                    }
                ),
            );
            ok = false;
        }
        for (i, point) in points.iter().enumerate() {
            let at = path.index(i);
            let [speed, rate] = point[..] else {
                self.error(
                    at,
                    format!(
                        "expected a point [tokens/s per user, tokens/s per GPU], found {} numbers",
                        point.len()
                    ),
                );
                ok = false;
                continue;
            };
            let speed = self.number(at.index(0), speed, bounds::SPEED);
            let rate = self.number(at.index(1), rate, bounds::FRONTIER_TOKENS);
            if let Some(&(last_speed, last_rate)) = found.last() {
                if speed <= last_speed {
                    self.error(
                        at.index(0),
                        format!(
                            "expected a speed above the previous point's {} tokens/s per user: a frontier's speeds strictly increase, found {}",
                            rounded(last_speed),
                            rounded(speed)
                        ),
                    );
                    ok = false;
                } else if rate >= last_rate {
                    self.error(
                        at.index(1),
                        format!(
                            "expected tokens/s per GPU below the previous point's {}: more speed per user gives less throughput per GPU, found {}",
                            rounded(last_rate),
                            rounded(rate)
                        ),
                    );
                    ok = false;
                }
            }
            found.push((speed, rate));
        }
        if ok {
            OutputRate::Frontier(found)
        } else {
            OutputRate::Scalar(1.0)
        }
    }

    fn sites(
        &mut self,
        file: &ScenarioFile,
        skus: &[Sku],
        curves: &IndexMap<&str, CurveValues>,
        step_minutes: u32,
    ) -> Vec<Site> {
        if file.site.is_empty() {
            self.error(
                KeyPath::root("site"),
                "expected at least one [[site]] with name, power_mw, pue and gpus".into(),
            );
        }
        let mut names = HashSet::new();
        let mut sites = Vec::new();
        for (i, spec) in file.site.iter().enumerate() {
            let path = KeyPath::root("site").index(i);
            self.name(path.key("name"), &spec.name, &mut names, "site");
            let power_mw = self.number(path.key("power_mw"), spec.power_mw, bounds::POWER_MW);
            let pue = self.number(path.key("pue"), spec.pue, bounds::PUE);
            let availability = self.number(
                path.key("availability"),
                spec.availability,
                bounds::POSITIVE_SHARE,
            );
            let serving_share = self.serving_share(
                path.key("serving_share"),
                &spec.serving_share,
                curves,
                step_minutes,
            );
            let online = spec.online.as_ref().and_then(|value| {
                online_date(value)
                    .map_err(|msg| self.error(path.key("online"), msg))
                    .ok()
            });
            let offline = spec.offline.as_ref().and_then(|value| {
                online_date(value)
                    .map_err(|msg| self.error(path.key("offline"), msg))
                    .ok()
            });
            if let (Some(online), Some(offline)) = (online, offline)
                && offline <= online
            {
                self.error(
                    path.key("offline"),
                    format!(
                        "expected a date after online ({online}): offline is the first day the site no longer serves, found {offline}"
                    ),
                );
            }
            let ramp_days = spec.ramp_days.and_then(|days| {
                let days = self.number(path.key("ramp_days"), days, bounds::RAMP_DAYS);
                if days.fract() != 0.0 {
                    self.error(
                        path.key("ramp_days"),
                        format!("expected a whole number of days between 1 and 3650, found {}", crate::fmt::num(days)),
                    );
                    return None;
                }
                if spec.online.is_none() {
                    self.error(
                        path.key("online"),
                        "expected online = \"YYYY-MM-DD\": the site has ramp_days, and a ramp runs from the day the site comes online".to_string(),
                    );
                }
                Some(days as u32)
            });
            let mut gpus = Vec::new();
            for (sku, &count) in &spec.gpus {
                let count = self.number(path.key("gpus").key(sku), count, bounds::GPU_COUNT);
                match skus.iter().position(|s| &s.name == sku) {
                    Some(index) => gpus.push((index, count)),
                    None => self.error(
                        path.key("gpus").key(sku),
                        unknown(
                            "GPU SKU",
                            sku,
                            "[gpu.<id>] tables",
                            skus.iter().map(|s| s.name.as_str()),
                        ),
                    ),
                }
            }
            let cost_per_mw_month = spec.cost_per_mw_month.map_or(0.0, |c| {
                self.number(path.key("cost_per_mw_month"), c, bounds::USD)
            });
            sites.push(Site {
                cost_per_mw_month,
                name: spec.name.clone(),
                power_mw,
                pue,
                availability,
                serving_share,
                online,
                offline,
                ramp_days,
                gpus,
            });
        }
        sites
    }

    /// A site's serving share: a number, a curve of shares, or `{ min, max }`.
    fn serving_share(
        &mut self,
        path: KeyPath,
        spec: &ServingShareSpec,
        curves: &IndexMap<&str, CurveValues>,
        step_minutes: u32,
    ) -> ServingShare {
        match spec {
            ServingShareSpec::Fixed(share) => {
                ServingShare::Fixed(self.number(path, *share, bounds::SERVING_SHARE))
            }
            ServingShareSpec::Curve(id) => match curves.get(id.as_str()) {
                Some(curve) => {
                    let share = curve.at_step(step_minutes);
                    // The same floor as a number: a share of 5e-324 would make capacity so
                    // small that utilization overflows to infinity.
                    let refused = share
                        .iter()
                        .enumerate()
                        .find(|&(_, &v)| !bounds::SERVING_SHARE.admits(v));
                    if let Some((step, &value)) = refused {
                        self.error(
                            path,
                            format!(
                                "curve {id:?} as a serving share is {} at step {step} of the week; expected {} at every step",
                                crate::fmt::found(value),
                                bounds::SERVING_SHARE.what
                            ),
                        );
                    }
                    ServingShare::Curve {
                        curve: id.clone(),
                        share,
                    }
                }
                None => {
                    self.error(
                        path,
                        unknown("curve", id, "[curve.<id>] tables", curves.keys().copied()),
                    );
                    ServingShare::Fixed(1.0)
                }
            },
            ServingShareSpec::Elastic(ElasticSpec { min, max }) => {
                let min = self.number(path.key("min"), *min, bounds::SERVING_SHARE);
                let max = self.number(path.key("max"), *max, bounds::SERVING_SHARE);
                if min > max {
                    self.error(
                        path.key("min"),
                        format!("expected min <= max, found min {min} above max {max}"),
                    );
                }
                ServingShare::Elastic { min, max }
            }
        }
    }

    fn curve(&mut self, id: &str, spec: &CurveSpec) -> CurveValues {
        let path = KeyPath::root("curve").key(id);
        self.printable(path.clone(), id, "a curve id");
        let flat = || CurveValues::hourly(vec![0.0; HOURS_PER_WEEK]);
        match (&spec.week, &spec.weekday, &spec.weekend, &spec.file) {
            (Some(week), None, None, None) => {
                self.values(path.key("week"), week, HOURS_PER_WEEK);
                if week.len() == HOURS_PER_WEEK {
                    CurveValues::hourly(week.clone())
                } else {
                    flat()
                }
            }
            (None, Some(weekday), Some(weekend), None) => {
                self.values(path.key("weekday"), weekday, 24);
                self.values(path.key("weekend"), weekend, 24);
                if weekday.len() != 24 || weekend.len() != 24 {
                    return flat();
                }
                CurveValues::hourly(
                    (0..7)
                        .flat_map(|day| if day < 5 { weekday } else { weekend }.iter().copied())
                        .collect(),
                )
            }
            (None, None, None, Some(file)) => {
                let text = match (self.files)(file) {
                    Ok(text) => text,
                    Err(err) => {
                        self.error(
                            path.key("file"),
                            format!("cannot read the curve file {file:?}: {err}"),
                        );
                        return flat();
                    }
                };
                match curve::parse_csv(&text) {
                    Ok(values) => values,
                    Err(problem) => {
                        self.error(
                            path.key("file"),
                            format!("{file}, line {}: {}", problem.line, problem.message),
                        );
                        flat()
                    }
                }
            }
            _ => {
                self.error(
                    path,
                    "expected exactly one of `week` (168 hourly values), both `weekday` and `weekend` (24 values each), or `file` (a CSV of hourly or per-minute values)".into(),
                );
                flat()
            }
        }
    }

    fn values(&mut self, path: KeyPath, values: &[f64], expected_len: usize) {
        if values.len() != expected_len {
            self.error(
                path.clone(),
                format!(
                    "expected {expected_len} hourly values, found {}",
                    values.len()
                ),
            );
        }
        // Values typed in percent (all in [0, 100], most of the positive ones above 1) are
        // one mistake, not 24: say so once, with the fix.
        let above_one = values.iter().filter(|&&v| v > 1.0).count();
        let positive = values.iter().filter(|&&v| v > 0.0).count();
        let percent = values.iter().all(|v| (0.0..=100.0).contains(v))
            && above_one > 0
            && 2 * above_one >= positive;
        if percent {
            let top = values.iter().copied().fold(0.0, f64::max);
            self.error(
                path,
                format!(
                    "expected shares between 0 and 1, found values up to {top}: these look like percentages; divide them by 100"
                ),
            );
            return;
        }
        for (i, &v) in values.iter().enumerate() {
            self.number(path.index(i), v, bounds::SHARE);
        }
    }

    fn tiers(
        &mut self,
        file: &ScenarioFile,
        classes: &[String],
        skus: &[Sku],
        curves: &IndexMap<&str, CurveValues>,
        step_minutes: u32,
    ) -> Vec<Tier> {
        if file.tier.is_empty() {
            self.error(
                KeyPath::root("tier"),
                "expected at least one [[tier]] with name, users, curve, tokens_per_active_hour and mix".into(),
            );
        }
        let mut names = HashSet::new();
        let mut tiers = Vec::new();
        for (i, spec) in file.tier.iter().enumerate() {
            let path = KeyPath::root("tier").index(i);
            self.name(path.key("name"), &spec.name, &mut names, "tier");
            let users = self.number(path.key("users"), spec.users, bounds::USERS);
            let tokens_per_active_hour = self.number(
                path.key("tokens_per_active_hour"),
                spec.tokens_per_active_hour,
                bounds::TOKENS_PER_HOUR,
            );
            let spread = self.number(path.key("spread"), spec.spread, bounds::SPREAD);
            let activity = match curves.get(spec.curve.as_str()) {
                Some(curve) => curve.at_step(step_minutes),
                None => {
                    self.error(
                        path.key("curve"),
                        unknown(
                            "curve",
                            &spec.curve,
                            "[curve.<id>] tables",
                            curves.keys().copied(),
                        ),
                    );
                    vec![0.0; (units::MINUTES_PER_WEEK / step_minutes) as usize]
                }
            };
            let mix = self.mix(&path, &spec.mix, classes, skus);
            let input_per_output = self.number(
                path.key("input_per_output"),
                spec.input_per_output,
                bounds::INPUT_PER_OUTPUT,
            );
            let cache_hit = self.number(path.key("cache_hit"), spec.cache_hit, bounds::SHARE);
            let price_per_user_month = spec.price_per_user_month.map_or(0.0, |p| {
                self.number(path.key("price_per_user_month"), p, bounds::USD)
            });
            let price = spec.price_per_mtok.unwrap_or_default();
            let prices = path.key("price_per_mtok");
            let price_per_mtok = [
                self.number(prices.key("output"), price.output, bounds::USD),
                self.number(prices.key("input"), price.input, bounds::USD),
                self.number(prices.key("cached"), price.cached, bounds::USD),
            ];
            let speed = spec
                .speed
                .map(|v| self.number(path.key("speed"), v, bounds::SPEED));
            tiers.push(Tier {
                price_per_user_month,
                price_per_mtok,
                name: spec.name.clone(),
                users,
                curve: spec.curve.clone(),
                activity,
                tokens_per_active_hour,
                spread,
                class_mix: mix.clone(),
                mix,
                speed,
                speed_mixes: Vec::new(),
                input_per_output,
                cache_hit,
            });
        }
        tiers
    }

    fn mix(
        &mut self,
        path: &KeyPath,
        spec: &IndexMap<String, f64>,
        classes: &[String],
        skus: &[Sku],
    ) -> Vec<f64> {
        let path = path.key("mix");
        let mut mix = vec![0.0; classes.len()];
        let mut sum = 0.0;
        for (class, &share) in spec {
            let share = self.number(path.key(class), share, bounds::SHARE);
            sum += share;
            match classes.iter().position(|c| c == class) {
                Some(index) if share > 0.0 && skus.iter().all(|s| s.tokens_per_s[index] == 0.0) => {
                    self.error(
                        path.key(class),
                        format!("no GPU SKU can serve model class {class:?}: every tokens_per_s for it is 0"),
                    );
                }
                Some(index) => mix[index] = share,
                None => self.error(
                    path.key(class),
                    format!(
                        "no GPU SKU lists model class {class:?} in tokens_per_s; known classes: {}",
                        list(classes.iter().map(String::as_str))
                    ),
                ),
            }
        }
        if spec.is_empty() {
            self.error(
                path,
                "expected at least one class share, e.g. { sonnet = 1.0 }".into(),
            );
        } else if sum.is_finite() && (sum - 1.0).abs() > MIX_TOLERANCE {
            self.error(
                path,
                format!(
                    "expected class shares that sum to 1 (within {MIX_TOLERANCE}), found a sum of {}",
                    rounded(sum)
                ),
            );
        }
        mix
    }

    fn policies(&mut self, file: &ScenarioFile, tiers: &[Tier]) -> Vec<Policy> {
        if file.policy.is_empty() {
            self.error(
                KeyPath::root("policy"),
                "expected at least one [[policy]] to evaluate (one with no limits means unlimited)"
                    .into(),
            );
        }
        let mut names = HashSet::new();
        let mut policies = Vec::new();
        for (i, spec) in file.policy.iter().enumerate() {
            let path = KeyPath::root("policy").index(i);
            self.name(path.key("name"), &spec.name, &mut names, "policy");
            if let Some(description) = &spec.description {
                self.printable(path.key("description"), description, "a description");
            }
            let mut limits = vec![None; tiers.len()];
            let mut speeds = Vec::new();
            for (tier, limit) in &spec.limits {
                let path = path.key("limits").key(tier);
                let Some(index) = tiers.iter().position(|t| &t.name == tier) else {
                    self.error(
                        path,
                        unknown(
                            "tier",
                            tier,
                            "[[tier]] names",
                            tiers.iter().map(|t| t.name.as_str()),
                        ),
                    );
                    continue;
                };
                let speed = limit
                    .speed
                    .map(|v| self.number(path.key("speed"), v, bounds::SPEED));
                let peak_speed = limit
                    .peak_speed
                    .map(|v| self.number(path.key("peak_speed"), v, bounds::SPEED));
                if speed.is_some() || peak_speed.is_some() {
                    speeds.push(PolicySpeed {
                        tier: index,
                        speed,
                        peak_speed,
                        mixes: [0, 0],
                    });
                }
                limits[index] = self.limit(&path, limit, speed.is_some() || peak_speed.is_some());
            }
            let line =
                locate(self.document, &path.key("name")).map(|span| self.lines.line(span.start));
            policies.push(Policy {
                name: spec.name.clone(),
                description: spec.description.clone(),
                limits,
                line,
                speeds,
            });
        }
        policies
    }

    /// One `[policy.limits.<tier>]`'s token budget: `window` with `window_tokens` and the
    /// optional keys; none for a block that only sets speeds (model v3).
    fn limit(&mut self, path: &KeyPath, limit: &LimitSpec, has_speed: bool) -> Option<Limit> {
        let budget_keys = [
            ("weekly_tokens", limit.weekly_tokens.is_some()),
            ("peak_factor", limit.peak_factor.is_some()),
            ("window_input_tokens", limit.window_input_tokens.is_some()),
            ("weekly_input_tokens", limit.weekly_input_tokens.is_some()),
        ];
        let (window, window_tokens) = match (&limit.window, limit.window_tokens) {
            (Some(window), Some(tokens)) => (window, tokens),
            (None, None) => {
                if let Some((key, _)) = budget_keys.iter().find(|(_, given)| *given) {
                    self.error(
                        path.key("window"),
                        format!("expected window (e.g. \"5h\") and window_tokens: {key} is a budget, and a budget needs its window"),
                    );
                } else if !has_speed {
                    self.error(
                        path.clone(),
                        "expected a token budget (window and window_tokens) or a speed (speed, peak_speed)".into(),
                    );
                }
                return None;
            }
            (None, Some(_)) => {
                self.error(
                    path.key("window"),
                    "expected a window length such as \"5h\" or \"1m\" next to window_tokens"
                        .into(),
                );
                return None;
            }
            (Some(_), None) => {
                self.error(
                    path.key("window_tokens"),
                    "expected window_tokens, the token budget per window, next to window".into(),
                );
                return None;
            }
        };
        let window_hours = units::parse_duration_hours(window)
            .map_err(|msg| self.error(path.key("window"), msg))
            .unwrap_or(1.0);
        let window_tokens = self.number(
            path.key("window_tokens"),
            window_tokens,
            bounds::NON_NEGATIVE,
        );
        let weekly_tokens = limit
            .weekly_tokens
            .map(|w| self.number(path.key("weekly_tokens"), w, bounds::NON_NEGATIVE));
        let peak_factor = self.number(
            path.key("peak_factor"),
            limit.peak_factor.unwrap_or(1.0),
            bounds::PEAK_FACTOR,
        );
        let window_input_tokens = limit
            .window_input_tokens
            .map(|w| self.number(path.key("window_input_tokens"), w, bounds::NON_NEGATIVE));
        let weekly_input_tokens = limit
            .weekly_input_tokens
            .map(|w| self.number(path.key("weekly_input_tokens"), w, bounds::NON_NEGATIVE));
        Some(Limit {
            window_hours,
            window_tokens,
            weekly_tokens,
            peak_factor,
            window_input_tokens,
            weekly_input_tokens,
        })
    }

    /// Model v3 speed: every tier that asks a class some SKU rates with a frontier has a
    /// speed under every policy, inside every such frontier; `peak_speed` only with peak
    /// hours; at most [`bounds::MAX_SPEEDS_PER_CLASS`] speeds per class.
    #[allow(clippy::too_many_arguments)]
    fn speeds(
        &mut self,
        classes: &[String],
        skus: &[Sku],
        tiers: &[Tier],
        policies: &[Policy],
        peak_hours: &PeakHours,
        step_minutes: u32,
    ) {
        let has_peak = peak_hours.mask(step_minutes).iter().any(|&p| p);
        for (p, policy) in policies.iter().enumerate() {
            for speed in &policy.speeds {
                if speed.peak_speed.is_some() && !has_peak {
                    let tier = &tiers[speed.tier].name;
                    self.error(
                        KeyPath::root("policy").index(p).key("limits").key(tier).key("peak_speed"),
                        "expected peak hours for a peak_speed: [scenario] peak_hours marks no step at this step length, so the peak speed would never apply".into(),
                    );
                }
            }
        }
        let frontiers: Vec<Vec<(&str, (f64, f64))>> = (0..classes.len())
            .map(|c| {
                skus.iter()
                    .filter_map(|sku| sku.rates[c].output.range().map(|r| (sku.name.as_str(), r)))
                    .collect()
            })
            .collect();
        let mut in_use: Vec<Vec<u64>> = vec![Vec::new(); classes.len()];
        let mut reported: Vec<KeyPath> = Vec::new();
        for (t, tier) in tiers.iter().enumerate() {
            let tier_path = KeyPath::root("tier").index(t);
            for (c, class) in classes.iter().enumerate() {
                if tier.class_mix[c] <= 0.0 || frontiers[c].is_empty() {
                    continue;
                }
                // Each speed the tier can be served at, with the key that sets it.
                let mut asked: Vec<(Option<f64>, KeyPath)> =
                    vec![(tier.speed, tier_path.key("speed"))];
                for (p, policy) in policies.iter().enumerate() {
                    let limits = KeyPath::root("policy")
                        .index(p)
                        .key("limits")
                        .key(&tier.name);
                    let own = policy.speed_of(t);
                    let off = own.and_then(|s| s.speed);
                    let peak = own.and_then(|s| s.peak_speed);
                    if off.is_none() && tier.speed.is_none() {
                        // No speed off peak: the tier's own is missing.
                        self.error(
                            tier_path.key("speed"),
                            format!(
                                "expected a speed (output tokens/s per user) for tier {:?}: it asks class {class:?}, which gpu.{} rates with a frontier, and policy {:?} sets no speed for it",
                                tier.name, frontiers[c][0].0, policy.name
                            ),
                        );
                        break;
                    }
                    if off.is_some() {
                        asked.push((off, limits.key("speed")));
                    }
                    if peak.is_some() {
                        asked.push((peak, limits.key("peak_speed")));
                    }
                }
                for (speed, path) in asked {
                    let Some(v) = speed else { continue };
                    if !in_use[c].contains(&v.to_bits()) {
                        in_use[c].push(v.to_bits());
                    }
                    // Each key once, whichever class finds it outside first.
                    if reported.contains(&path) {
                        continue;
                    }
                    if let Some((sku, (low, high))) = frontiers[c]
                        .iter()
                        .find(|(_, (low, high))| v < *low || v > *high)
                    {
                        self.error(
                            path.clone(),
                            format!(
                                "expected a speed within gpu.{sku}'s frontier for class {class:?}, {} to {} tokens/s per user (tier {:?}), found {}",
                                rounded(*low),
                                rounded(*high),
                                tier.name,
                                rounded(v)
                            ),
                        );
                        reported.push(path);
                    }
                }
            }
            // The frontiers of every class the tier asks must share a speed.
            let ranges: Vec<(&str, &str, (f64, f64))> = classes
                .iter()
                .enumerate()
                .filter(|&(c, _)| tier.class_mix[c] > 0.0)
                .flat_map(|(c, class)| {
                    frontiers[c]
                        .iter()
                        .map(move |&(sku, range)| (class.as_str(), sku, range))
                })
                .collect();
            let low = ranges
                .iter()
                .map(|r| r.2.0)
                .fold(f64::NEG_INFINITY, f64::max);
            let high = ranges.iter().map(|r| r.2.1).fold(f64::INFINITY, f64::min);
            if low > high {
                let listed: Vec<String> = ranges
                    .iter()
                    .map(|(class, sku, (a, b))| {
                        format!("{class} on gpu.{sku}: {} to {}", rounded(*a), rounded(*b))
                    })
                    .collect();
                self.error(
                    tier_path.key("mix"),
                    format!(
                        "expected classes whose frontiers share a speed: tier {:?} is served at one speed, and no speed lies inside every frontier it reaches ({})",
                        tier.name,
                        listed.join("; ")
                    ),
                );
            }
        }
        let columns: usize = in_use
            .iter()
            .zip(&frontiers)
            .map(|(speeds, f)| if f.is_empty() { 1 } else { speeds.len() })
            .sum();
        if columns > bounds::MAX_COLUMNS {
            self.error(
                KeyPath::root("gpu"),
                format!(
                    "expected at most {} columns of capacity (a class, or a class with a frontier once per speed tiers and policies ask of it), found {columns}: use fewer distinct speeds",
                    bounds::MAX_COLUMNS
                ),
            );
        }
        for (c, speeds) in in_use.iter().enumerate() {
            if speeds.len() > bounds::MAX_SPEEDS_PER_CLASS {
                self.error(
                    KeyPath::root("gpu").key(frontiers[c][0].0).key("tokens_per_s").key(&classes[c]),
                    format!(
                        "expected at most {} distinct speeds for class {:?} across tiers and policies (each is a column of capacity every evaluation carries), found {}",
                        bounds::MAX_SPEEDS_PER_CLASS,
                        classes[c],
                        speeds.len()
                    ),
                );
            }
        }
    }
}

/// A number as a message shows it: at most 9 significant digits, so float noise
/// (1.2000000000000002) never reaches the reader.
fn rounded(value: f64) -> String {
    let text = format!("{:.9}", value);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() {
        "0".into()
    } else {
        text.to_string()
    }
}

/// The most GPU-hours a week training could get: every site (additions included) at its
/// lowest serving share, each healthy powered GPU's remaining hours counted.
fn most_training_gpu_hours(sites: &[Site], skus: &[Sku], step_minutes: u32) -> f64 {
    let steps = (units::MINUTES_PER_WEEK / step_minutes) as usize;
    let dt = f64::from(step_minutes) / 60.0;
    sites
        .iter()
        .map(|site| {
            let healthy: f64 = site.gpus.iter().map(|&(_, n)| n).sum::<f64>()
                * site.power_factor(skus)
                * site.availability;
            let idle_steps: f64 = (0..steps)
                .map(|h| 1.0 - site.serving_share.at(h, 0.0))
                .sum();
            healthy * idle_steps * dt
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TINY, problems};

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = TINY
            .replace("mix = { sonnet = 1.0 }", "mix = { sonnet = 0.9 }")
            .replace("curve = \"flat\"", "curve = \"flta\"")
            .replace("name = \"new\"", "name = \"home\"");
        let errors = problems(&text).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!(
            errors[0],
            "site[1].name: duplicate site name \"home\"; names must be unique"
        );
        assert!(
            errors[1].starts_with("tier[0].curve: unknown curve \"flta\"; did you mean \"flat\"?")
        );
        assert!(errors[2].starts_with("tier[0].mix: expected class shares that sum to 1"));
    }

    #[test]
    fn references_resolve_or_suggest() {
        let text = TINY.replace("gpus = { h100 = 1000 }", "gpus = { h10 = 1000 }");
        let errors = problems(&text).unwrap_err();
        assert!(
            errors[0]
                .starts_with("site[0].gpus.h10: unknown GPU SKU \"h10\"; did you mean \"h100\"?")
        );
        let text = TINY.replace(
            "[policy.limits.pro]\nwindow = \"5h\"\nwindow_tokens = 1000000",
            "[policy.limits.prp]\nwindow = \"5h\"\nwindow_tokens = 1000000",
        );
        let errors = problems(&text).unwrap_err();
        assert!(
            errors[0]
                .starts_with("policy[1].limits.prp: unknown tier \"prp\"; did you mean \"pro\"?")
        );
    }

    #[test]
    fn percentages_get_one_message_and_sums_no_float_noise() {
        let text = TINY.replace(
            "weekday = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,\n           0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]",
            &format!("weekday = [{}]", vec!["10"; 24].join(", ")),
        );
        let errors = problems(&text).unwrap_err();
        assert_eq!(
            errors,
            [
                "curve.flat.weekday: expected shares between 0 and 1, found values up to 10: these look like percentages; divide them by 100"
            ]
        );
        let text = TINY
            .replace(
                "mix = { sonnet = 1.0 }",
                "mix = { sonnet = 0.7, haiku = 0.5 }",
            )
            .replace(
                "tokens_per_s = { sonnet = 800 }",
                "tokens_per_s = { sonnet = 800, haiku = 3200 }",
            );
        let errors = problems(&text).unwrap_err();
        assert_eq!(
            errors,
            [
                "tier[0].mix: expected class shares that sum to 1 (within 0.000001), found a sum of 1.2"
            ]
        );
    }

    #[test]
    fn dates_and_windows_are_checked() {
        let errors = problems(&TINY.replace("2026-06-06", "2026-02-30")).unwrap_err();
        assert!(
            errors[0].starts_with("site[1].online: day 30 does not exist"),
            "{errors:?}"
        );
        let errors =
            problems(&TINY.replace("window = \"5h\"", "window = \"five hours\"")).unwrap_err();
        assert!(
            errors[0].starts_with("policy[1].limits.pro.window: "),
            "{errors:?}"
        );
        let errors = problems(&TINY.replace("months = 4", "months = 0")).unwrap_err();
        assert_eq!(
            errors,
            ["timeline.months: expected between 1 and 120 months, found 0"]
        );
    }
}
