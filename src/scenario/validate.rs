//! From TOML text to a [`Scenario`]: syntax and shape through serde (with the key path of
//! the first shape error), then every semantic rule, collecting all problems at once.

use std::collections::HashSet;

use indexmap::IndexMap;
use toml::Spanned;
use toml::de::DeTable;

use super::curve::{self, CurveValues};
use super::diagnostic::{Diagnostic, KeyPath, MAX_DIAGNOSTICS, ScenarioError, locate};
use super::raw::{CurveSpec, ScenarioFile, TimelineSpec};
use super::shape;
use super::suggest::closest;
use super::units::{self, Date, HOURS_PER_WEEK, PeakHours};
use super::{Limit, Policy, Scenario, Site, Sku, Tier, Timeline, Uncertainty};

/// Largest count, power or token figure accepted: far above any real fleet, low enough that
/// sums and products stay finite.
const ABSURD: f64 = 1e15;

/// Tolerance on a mix summing to 1.
const MIX_TOLERANCE: f64 = 1e-6;

/// Parses and validates; on success also returns the warnings.
pub(super) fn parse(
    source: &str,
    origin: &str,
    files: &dyn Fn(&str) -> Result<String, String>,
) -> Result<(Scenario, Vec<Diagnostic>), ScenarioError> {
    if source.trim().is_empty() {
        return Err(ScenarioError::whole_file(
            origin,
            "the file is empty; expected a scenario with [scenario], [gpu.<id>], [[site]], [curve.<id>], [[tier]] and [[policy]]".to_string(),
        ));
    }
    if source.contains('\0') {
        return Err(ScenarioError::whole_file(
            origin,
            "the file holds binary data (a NUL byte); expected TOML text".to_string(),
        ));
    }
    let error = |diagnostics: Vec<Diagnostic>| {
        let omitted = diagnostics.len().saturating_sub(MAX_DIAGNOSTICS);
        ScenarioError {
            origin: origin.to_string(),
            source: source.to_string(),
            diagnostics: diagnostics.into_iter().take(MAX_DIAGNOSTICS).collect(),
            omitted,
        }
    };
    let document = match DeTable::parse(source) {
        Ok(document) => document,
        Err(err) => {
            return Err(error(vec![Diagnostic {
                key_path: None,
                span: err.span(),
                message: format!("invalid TOML: {}", err.message().trim_end()),
            }]));
        }
    };
    let file = shape::scenario_file(&document).map_err(error)?;
    let mut checker = Checker {
        source,
        document: &document,
        files,
        diagnostics: Vec::new(),
        warnings: Vec::new(),
    };
    let scenario = checker.scenario(file);
    if checker.diagnostics.is_empty() {
        checker.warn_suspicious(&scenario);
        Ok((scenario, checker.warnings))
    } else {
        Err(error(checker.diagnostics))
    }
}

/// A numeric range a value must lie in, with the words that describe it.
#[derive(Clone, Copy)]
struct Bounds {
    low: f64,
    low_inclusive: bool,
    high: f64,
    what: &'static str,
}

const NON_NEGATIVE: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: ABSURD,
    what: "a number of at least 0",
};
const SHARE: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 1.0,
    what: "a share between 0 and 1",
};
/// Physical sense caps: far above anything real, so a value past one is a typo or a unit
/// mistake (watts written as milliwatts, users as a population of planets).
const WATTS: Bounds = Bounds {
    low: 0.0,
    low_inclusive: false,
    high: 1e5,
    what: "a board power greater than 0 and at most 100,000 W",
};
const OVERHEAD: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 10.0,
    what: "an overhead fraction between 0 and 10 (0.8 = 80 % on top of board power)",
};
const GPU_TOKENS: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 1e8,
    what: "output tokens/s per GPU between 0 and 100,000,000",
};
const POWER_MW: Bounds = Bounds {
    low: 0.0,
    low_inclusive: false,
    high: 1e5,
    what: "a facility power greater than 0 and at most 100,000 MW",
};
const GPU_COUNT: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 1e9,
    what: "a GPU count between 0 and 1,000,000,000",
};
const USERS: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 1e10,
    what: "a number of users between 0 and 10,000,000,000",
};
const TOKENS_PER_HOUR: Bounds = Bounds {
    low: 0.0,
    low_inclusive: false,
    high: 1e12,
    what: "tokens per active hour greater than 0 and at most 1,000,000,000,000",
};
const POSITIVE_SHARE: Bounds = Bounds {
    low: 0.0,
    low_inclusive: false,
    high: 1.0,
    what: "a share greater than 0 and at most 1",
};

struct Checker<'a, 'd> {
    source: &'a str,
    document: &'a Spanned<DeTable<'d>>,
    files: &'a dyn Fn(&str) -> Result<String, String>,
    diagnostics: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Checker<'_, '_> {
    fn error(&mut self, path: KeyPath, message: String) {
        let span = locate(self.document, &path);
        self.diagnostics.push(Diagnostic {
            key_path: Some(path),
            span,
            message,
        });
    }

    fn warn(&mut self, path: KeyPath, message: String) {
        let span = locate(self.document, &path);
        self.warnings.push(Diagnostic {
            key_path: Some(path),
            span,
            message,
        });
    }

    fn number(&mut self, path: KeyPath, value: f64, bounds: Bounds) -> f64 {
        let above_low = if bounds.low_inclusive {
            value >= bounds.low
        } else {
            value > bounds.low
        };
        if !value.is_finite() || !above_low || value > bounds.high {
            // Every `what` states its own range; only the absurdity cap needs saying.
            let high = if bounds.high == ABSURD && value.is_finite() && value > ABSURD {
                format!(", no larger than {ABSURD:e}")
            } else {
                String::new()
            };
            self.error(
                path,
                format!("expected {}{high}, found {value}", bounds.what),
            );
        }
        value
    }

    fn name(&mut self, path: KeyPath, name: &str, seen: &mut HashSet<String>, kind: &str) {
        if name.trim().is_empty() {
            self.error(path, format!("expected a non-empty {kind} name"));
        } else if !seen.insert(name.to_string()) {
            self.error(
                path,
                format!("duplicate {kind} name {name:?}; names must be unique"),
            );
        }
    }

    fn scenario(&mut self, file: ScenarioFile) -> Scenario {
        let section = KeyPath::root("scenario");
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
            POSITIVE_SHARE,
        );
        let peak_hours = PeakHours::parse(&file.scenario.peak_hours).unwrap_or_else(|(i, msg)| {
            self.error(section.key("peak_hours").index(i), msg);
            PeakHours::default()
        });

        let (classes, skus) = self.skus(&file.gpu);
        let sites = self.sites(&file, &skus);
        let tiers = self.tiers(&file, &classes, &skus, step_minutes);
        let policies = self.policies(&file, &tiers);
        let timeline = file
            .timeline
            .as_ref()
            .map(|spec| self.timeline(spec, &tiers));
        let uncertainty = file.uncertainty.as_ref().map(|spec| {
            let path = KeyPath::root("uncertainty");
            Uncertainty {
                low: self.number(path.key("low"), spec.low, POSITIVE_SHARE),
                high: self.number(
                    path.key("high"),
                    spec.high,
                    Bounds {
                        low: 1.0,
                        low_inclusive: true,
                        high: 100.0,
                        what: "a multiplier between 1 and 100",
                    },
                ),
            }
        });
        Scenario {
            name: file.scenario.name,
            step_minutes,
            utilization_target,
            peak_hours,
            classes,
            skus,
            sites,
            tiers,
            policies,
            timeline,
            uncertainty,
        }
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
        if !(1..=120).contains(&spec.months) {
            self.error(
                path.key("months"),
                format!("expected between 1 and 120 months, found {}", spec.months),
            );
        }
        let growth_bounds = Bounds {
            low: -1.0,
            low_inclusive: false,
            high: 10.0,
            what: "a monthly growth rate above -1 and at most 10 (0.05 = 5 % a month)",
        };
        let growth = self.number(path.key("growth"), spec.growth, growth_bounds);
        let mut by_tier = vec![growth; tiers.len()];
        for (name, &rate) in &spec.tier_growth {
            let rate = self.number(path.key("tier_growth").key(name), rate, growth_bounds);
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

    fn skus(&mut self, gpus: &IndexMap<String, super::raw::GpuSpec>) -> (Vec<String>, Vec<Sku>) {
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
            let watts = self.number(path.key("watts"), spec.watts, WATTS);
            let overhead = self.number(path.key("overhead"), spec.overhead, OVERHEAD);
            if spec.tokens_per_s.is_empty() {
                self.error(
                    path.key("tokens_per_s"),
                    "expected at least one model class, e.g. { sonnet = 1200 }".into(),
                );
            }
            let mut tokens_per_s = vec![0.0; classes.len()];
            for (class, &rate) in &spec.tokens_per_s {
                let index = classes.iter().position(|c| c == class).unwrap_or(0);
                tokens_per_s[index] =
                    self.number(path.key("tokens_per_s").key(class), rate, GPU_TOKENS);
            }
            skus.push(Sku {
                name: id.clone(),
                watts,
                overhead,
                tokens_per_s,
            });
        }
        (classes, skus)
    }

    fn sites(&mut self, file: &ScenarioFile, skus: &[Sku]) -> Vec<Site> {
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
            let power_mw = self.number(path.key("power_mw"), spec.power_mw, POWER_MW);
            let pue = self.number(
                path.key("pue"),
                spec.pue,
                Bounds {
                    low: 1.0,
                    low_inclusive: true,
                    high: 10.0,
                    what: "a PUE between 1 and 10",
                },
            );
            let availability =
                self.number(path.key("availability"), spec.availability, POSITIVE_SHARE);
            let serving_share = self.number(path.key("serving_share"), spec.serving_share, SHARE);
            let online = spec.online.as_ref().and_then(|value| {
                online_date(value)
                    .map_err(|msg| self.error(path.key("online"), msg))
                    .ok()
            });
            let mut gpus = Vec::new();
            for (sku, &count) in &spec.gpus {
                let count = self.number(path.key("gpus").key(sku), count, GPU_COUNT);
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
            sites.push(Site {
                name: spec.name.clone(),
                power_mw,
                pue,
                availability,
                serving_share,
                online,
                gpus,
            });
        }
        sites
    }

    fn curve(&mut self, id: &str, spec: &CurveSpec) -> CurveValues {
        let path = KeyPath::root("curve").key(id);
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
        for (i, &v) in values.iter().enumerate() {
            self.number(path.index(i), v, SHARE);
        }
    }

    fn tiers(
        &mut self,
        file: &ScenarioFile,
        classes: &[String],
        skus: &[Sku],
        step_minutes: u32,
    ) -> Vec<Tier> {
        if file.tier.is_empty() {
            self.error(
                KeyPath::root("tier"),
                "expected at least one [[tier]] with name, users, curve, tokens_per_active_hour and mix".into(),
            );
        }
        let curves: IndexMap<&str, CurveValues> = file
            .curve
            .iter()
            .map(|(id, spec)| (id.as_str(), self.curve(id, spec)))
            .collect();
        let mut names = HashSet::new();
        let mut tiers = Vec::new();
        for (i, spec) in file.tier.iter().enumerate() {
            let path = KeyPath::root("tier").index(i);
            self.name(path.key("name"), &spec.name, &mut names, "tier");
            let users = self.number(path.key("users"), spec.users, USERS);
            let tokens_per_active_hour = self.number(
                path.key("tokens_per_active_hour"),
                spec.tokens_per_active_hour,
                TOKENS_PER_HOUR,
            );
            let spread = self.number(
                path.key("spread"),
                spec.spread,
                Bounds {
                    low: 0.0,
                    low_inclusive: true,
                    high: 5.0,
                    what: "a log-normal sigma between 0 and 5",
                },
            );
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
            tiers.push(Tier {
                name: spec.name.clone(),
                users,
                curve: spec.curve.clone(),
                activity,
                tokens_per_active_hour,
                spread,
                mix,
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
            let share = self.number(path.key(class), share, SHARE);
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
                format!("expected class shares that sum to 1 (within {MIX_TOLERANCE}), found a sum of {sum}"),
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
            let mut limits = vec![None; tiers.len()];
            for (tier, limit) in &spec.limits {
                let path = path.key("limits").key(tier);
                let window_hours = units::parse_duration_hours(&limit.window)
                    .map_err(|msg| self.error(path.key("window"), msg))
                    .unwrap_or(1.0);
                let window_tokens =
                    self.number(path.key("window_tokens"), limit.window_tokens, NON_NEGATIVE);
                let weekly_tokens = limit
                    .weekly_tokens
                    .map(|w| self.number(path.key("weekly_tokens"), w, NON_NEGATIVE));
                let peak_factor = self.number(
                    path.key("peak_factor"),
                    limit.peak_factor,
                    Bounds {
                        low: 0.0,
                        low_inclusive: true,
                        high: 1000.0,
                        what: "a multiplier between 0 and 1000",
                    },
                );
                match tiers.iter().position(|t| &t.name == tier) {
                    Some(index) => {
                        limits[index] = Some(Limit {
                            window_hours,
                            window_tokens,
                            weekly_tokens,
                            peak_factor,
                        })
                    }
                    None => self.error(
                        path,
                        unknown(
                            "tier",
                            tier,
                            "[[tier]] names",
                            tiers.iter().map(|t| t.name.as_str()),
                        ),
                    ),
                }
            }
            let line = locate(self.document, &path.key("name")).map(|span| {
                let before = &self.source.as_bytes()[..span.start.min(self.source.len())];
                before.iter().filter(|&&b| b == b'\n').count() + 1
            });
            policies.push(Policy {
                name: spec.name.clone(),
                description: spec.description.clone(),
                limits,
                line,
            });
        }
        policies
    }
}

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
    fn warn_suspicious(&mut self, scenario: &Scenario) {
        for sku in &scenario.skus {
            let id = sku.name.to_ascii_lowercase();
            let allin = sku.allin_watts();
            if let Some((family, low, high, source)) = KNOWN_ALLIN_WATTS
                .iter()
                .find(|(family, ..)| id.contains(family))
            {
                if allin < *low || allin > *high {
                    self.warn(
                        KeyPath::root("gpu").key(&sku.name).key("overhead"),
                        format!(
                            "all-in power of {allin:.0} W per GPU (watts * (1 + overhead)) is outside the {low:.0}-{high:.0} W known for {} ({source})",
                            family.to_ascii_uppercase()
                        ),
                    );
                }
            }
        }
        for (i, site) in scenario.sites.iter().enumerate() {
            let it_w = site.power_mw * 1e6 / site.pue;
            let draw_w: f64 = site
                .gpus
                .iter()
                .map(|&(k, n)| n * scenario.skus[k].allin_watts())
                .sum();
            if draw_w > it_w {
                let factor = it_w / draw_w;
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
                        crate::fmt::count(gpus * (1.0 - factor))
                    ),
                );
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
        for (i, policy) in scenario.policies.iter().enumerate() {
            if let Some(twin) = scenario.policies[..i]
                .iter()
                .find(|p| p.limits == policy.limits)
            {
                self.warn(
                    KeyPath::root("policy").index(i).key("name"),
                    format!(
                        "policy {:?} sets exactly the same limits as policy {:?}",
                        policy.name, twin.name
                    ),
                );
            }
        }
    }
}

/// "unknown curve "flta"; did you mean "flat"? expected one of …": a reference to a name
/// the file does not define.
fn unknown<'a>(
    kind: &str,
    found: &str,
    defined_in: &str,
    names: impl Iterator<Item = &'a str> + Clone,
) -> String {
    let candidates: Vec<&str> = names.clone().collect();
    let hint = closest(found, &candidates)
        .map(|best| format!(" did you mean {best:?}?"))
        .unwrap_or_default();
    format!(
        "unknown {kind} {found:?};{hint} expected one of the {defined_in}: {}",
        list(names)
    )
}

/// A date (a site's `online`, the timeline's `start`), written `"2026-06-06"` or as the TOML
/// date `2026-06-06`.
fn online_date(value: &toml::Value) -> Result<Date, String> {
    match value {
        toml::Value::String(text) => Date::parse(text),
        toml::Value::Datetime(datetime) => match (datetime.date, datetime.time) {
            (Some(date), None) => Ok(Date {
                year: i32::from(date.year),
                month: u32::from(date.month),
                day: u32::from(date.day),
            }),
            _ => Err(format!("expected a date without a time, found {datetime}")),
        },
        other => Err(format!("expected a date as \"YYYY-MM-DD\", found {other}")),
    }
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("{n:?}")).collect();
    if names.is_empty() {
        "(none defined)".to_string()
    } else {
        names.join(", ")
    }
}
