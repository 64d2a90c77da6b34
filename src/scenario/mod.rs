//! The scenario: what a capacity engineer writes down (fleet, demand, policies), parsed from
//! TOML and validated into plain types the model can trust: every name resolved to an index,
//! every number finite and in range, every duration in hours.

mod curve;
pub mod diagnostic;
pub mod edit;
pub mod inputs;
mod raw;
mod speed;
pub mod suggest;
pub mod units;
mod validate;

pub use diagnostic::{Diagnostic, KeyPath, ScenarioError, ScenarioWarnings};
pub use units::{Date, PeakHours};
pub use validate::{bounds, printable_char};

/// A validated scenario. Built only by [`Scenario::parse`], so its invariants hold:
/// indices are in range, shares are in [0, 1], mixes sum to 1, counts are finite.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Name shown in reports.
    pub name: String,
    /// Model step in minutes; divides 60.
    pub step_minutes: u32,
    /// Share of serving capacity usable at the latency SLO; a policy fits at or below it.
    pub utilization_target: f64,
    /// Peak periods of the reference week.
    pub peak_hours: PeakHours,
    /// The model's columns of capacity and demand (model v3 speed): each class as the file
    /// names it, except that a class some SKU rates with a frontier has one column per
    /// speed in use, labelled `class@speed`. Without frontiers, the classes in order of
    /// first mention by a SKU. Every per-class vector of the model is indexed by column.
    pub classes: Vec<String>,
    /// What each column stands for: its class and speed; indexed like `classes`.
    pub columns: Vec<Column>,
    /// The classes as the file names them (`opus`, `sonnet`), in order of first mention.
    pub base_classes: Vec<String>,
    /// Per class as the file names them: whether SKUs give it an uncached-input rate and
    /// a cached-input rate (`input_rated` and `cached_rated` are these per column).
    pub base_rated: Vec<[bool; 2]>,
    /// GPU SKUs in file order.
    pub skus: Vec<Sku>,
    /// Sites in file order.
    pub sites: Vec<Site>,
    /// Tiers in file order.
    pub tiers: Vec<Tier>,
    /// Policies in file order.
    pub policies: Vec<Policy>,
    /// The months `capplan timeline` evaluates, if the file has a `[timeline]`.
    pub timeline: Option<Timeline>,
    /// Demand multipliers for the optimistic and pessimistic cases, if given.
    pub uncertainty: Option<Uncertainty>,
    /// Sampled uncertainty (`[uncertainty] samples`), if given.
    pub sampling: Option<Sampling>,
    /// Per class: whether some SKU gives an uncached-input rate (then every SKU serving the
    /// class does), so input costs GPU time; without one it is folded into `tokens_per_s`.
    pub input_rated: Vec<bool>,
    /// Per class: whether SKUs give a cached-input rate, likewise.
    pub cached_rated: Vec<bool>,
    /// GPU-hours a week training must keep: a policy that leaves less does not fit.
    pub training_floor_gpu_hours: Option<f64>,
    /// Whether the file gives any cost or price: reports show cost and margin only then.
    pub has_costs: bool,
    /// Dated phases (`[[phase]]`), dates increasing; empty for v2's before and after.
    pub phases: Vec<DatedPhase>,
    /// Figures seen in production (`[[observed]]`), in file order.
    pub observations: Vec<Observation>,
    /// What `capplan calibrate` may move (`[calibration] adjust`), in file order.
    pub adjust: Vec<Adjust>,
}

/// `[[observed]]`: one figure seen in production, for `capplan calibrate`.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Index into [`Scenario::policies`].
    pub policy: usize,
    /// The phase's name (a `[[phase]]`, or `before`/`after`).
    pub phase: String,
    /// Index into [`Scenario::tiers`], for a tier's figure.
    pub tier: Option<usize>,
    /// Which figure.
    pub metric: Metric,
    /// Its value, > 0.
    pub observed: f64,
    /// Its weight in the least squares, > 0.
    pub weight: f64,
}

/// The figures an observation may give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// `peak_utilization`.
    PeakUtilization,
    /// `throttled_share_at_peak` of one tier: its theta at the policy's peak step.
    ThrottledShareAtPeak,
    /// `served_share`.
    ServedShare,
    /// `revenue_per_week`: the result's total revenue.
    RevenuePerWeek,
}

impl Metric {
    /// The key the file and the JSON name it by.
    pub fn key(self) -> &'static str {
        match self {
            Metric::PeakUtilization => "peak_utilization",
            Metric::ThrottledShareAtPeak => "throttled_share_at_peak",
            Metric::ServedShare => "served_share",
            Metric::RevenuePerWeek => "revenue_per_week",
        }
    }
}

/// One group of `[calibration] adjust`: one multiplier on one kind of input of some tiers
/// or SKUs.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjust {
    /// The group as written: `users:free,pro`.
    pub text: String,
    /// What it moves.
    pub kind: AdjustKind,
    /// Indices into [`Scenario::tiers`] (tier kinds) or [`Scenario::skus`] (SKU kinds).
    pub members: Vec<usize>,
}

/// The inputs `adjust` may move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdjustKind {
    /// A tier's `users`.
    Users,
    /// A tier's `tokens_per_active_hour`.
    TokensPerActiveHour,
    /// A tier's `input_per_output`.
    InputPerOutput,
    /// A tier's cache miss rate, 1 - `cache_hit`.
    CacheMiss,
    /// A tier's `spread`.
    Spread,
    /// A SKU's rates (every kind and class).
    Rates,
    /// A SKU's GPU count on every site.
    Gpus,
}

impl AdjustKind {
    /// Every kind, as `adjust` writes them.
    pub const ALL: [(&'static str, AdjustKind); 7] = [
        ("users", AdjustKind::Users),
        ("tokens_per_active_hour", AdjustKind::TokensPerActiveHour),
        ("input_per_output", AdjustKind::InputPerOutput),
        ("cache_miss", AdjustKind::CacheMiss),
        ("spread", AdjustKind::Spread),
        ("rates", AdjustKind::Rates),
        ("gpus", AdjustKind::Gpus),
    ];

    /// Whether its members are SKUs (else tiers).
    pub fn of_skus(self) -> bool {
        matches!(self, AdjustKind::Rates | AdjustKind::Gpus)
    }
}

/// `[[phase]]`: the fleet and the demand on a named date (model v3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DatedPhase {
    /// The phase's name, unique in the file.
    pub name: String,
    /// The date evaluated.
    pub on: Date,
}

/// `[timeline]`: which months to evaluate and how demand grows.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// The first month evaluated.
    pub start: Date,
    /// Months evaluated, the start month included.
    pub months: u32,
    /// Monthly compound growth of users per tier, indexed like [`Scenario::tiers`].
    pub growth: Vec<f64>,
}

/// `[uncertainty]`: demand multipliers applied to every tier's users.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uncertainty {
    /// Optimistic multiplier, in (0, 1].
    pub low: f64,
    /// Pessimistic multiplier, >= 1.
    pub high: f64,
}

/// `[uncertainty] samples`: parameters drawn at random, the same draw for every tier, to
/// give percentiles and the chance to fit (model v2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampling {
    /// How many samples.
    pub samples: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// Multiplier on users (log-normal), if sampled.
    pub users: Option<Percentiles>,
    /// Multiplier on tokens per active hour (log-normal), if sampled.
    pub tokens_per_active_hour: Option<Percentiles>,
    /// Multiplier on every throughput rate (log-normal), if sampled.
    pub throughput: Option<Percentiles>,
    /// Monthly growth of users (normal), if sampled; the timeline's own rates otherwise.
    pub growth: Option<Percentiles>,
    /// Days each addition's `online` slips (normal, clamped at 0, whole days), if sampled.
    pub slip_days: Option<Percentiles>,
}

/// A distribution given by its 10th and 90th percentiles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percentiles {
    /// 10th percentile.
    pub p10: f64,
    /// 90th percentile, at least `p10`.
    pub p90: f64,
}

/// One column of the model: a class, at one speed if some SKU rates it with a frontier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    /// Index into [`Scenario::base_classes`].
    pub class: usize,
    /// Output tokens/s per user this column is served at; `None` for a class no SKU rates
    /// with a frontier (its rate is the same at any speed).
    pub speed: Option<f64>,
}

/// A SKU's output rate for one class as the file gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputRate {
    /// The SKU does not serve the class.
    None,
    /// The same tokens/s per GPU at any speed.
    Scalar(f64),
    /// Tokens/s per GPU as a function of tokens/s per user: at least two points
    /// `(tps_per_user, tps_per_gpu)`, speed strictly increasing, throughput strictly
    /// decreasing; log-log linear between points (model v3 speed).
    Frontier(Vec<(f64, f64)>),
}

impl OutputRate {
    /// Tokens/s per GPU at `speed` (any speed for a scalar; `None` outside a frontier or
    /// without a speed on one). 0 where the SKU does not serve the class.
    pub fn at(&self, speed: Option<f64>) -> Option<f64> {
        match self {
            OutputRate::None => Some(0.0),
            OutputRate::Scalar(rate) => Some(*rate),
            OutputRate::Frontier(points) => {
                let v = speed?;
                let (first, last) = (points.first()?, points.last()?);
                if v < first.0 || v > last.0 {
                    return None;
                }
                let i = points.partition_point(|p| p.0 < v);
                if points[i].0 == v {
                    return Some(points[i].1);
                }
                let (a, b) = (points[i - 1], points[i]);
                let w = (v.ln() - a.0.ln()) / (b.0.ln() - a.0.ln());
                Some((a.1.ln() + w * (b.1.ln() - a.1.ln())).exp())
            }
        }
    }

    /// The speeds a frontier covers, first and last point.
    pub fn range(&self) -> Option<(f64, f64)> {
        match self {
            OutputRate::Frontier(points) => Some((points.first()?.0, points.last()?.0)),
            _ => None,
        }
    }

    /// Multiplies the rate (every point's throughput) by `factor`.
    pub fn scale(&mut self, factor: f64) {
        match self {
            OutputRate::None => {}
            OutputRate::Scalar(rate) => *rate *= factor,
            OutputRate::Frontier(points) => points.iter_mut().for_each(|p| p.1 *= factor),
        }
    }
}

/// A GPU SKU.
#[derive(Debug, Clone, PartialEq)]
pub struct Sku {
    /// The id used in `[gpu.<id>]` and in site `gpus`.
    pub name: String,
    /// Board power, W.
    pub watts: f64,
    /// Server, network and storage power as a fraction of board power.
    pub overhead: f64,
    /// Output tokens/s per GPU, per column ([`Scenario::classes`]); 0 where it cannot serve.
    pub tokens_per_s: Vec<f64>,
    /// Uncached input tokens/s per GPU, per column; 0 where not given.
    pub input_tokens_per_s: Vec<f64>,
    /// Cached input tokens/s per GPU, per column; 0 where not given.
    pub cached_tokens_per_s: Vec<f64>,
    /// Per class as the file names them ([`Scenario::base_classes`]): the output rate as
    /// given, and the input and cached rates; the columns are built from these.
    pub rates: Vec<ClassRates>,
    /// USD per GPU-hour, all-in; 0 when not given.
    pub cost_per_gpu_hour: f64,
}

/// One SKU's rates for one class, as the file gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassRates {
    /// Output tokens/s per GPU: a number or a frontier.
    pub output: OutputRate,
    /// Uncached input tokens/s per GPU; 0 where not given.
    pub input: f64,
    /// Cached input tokens/s per GPU; 0 where not given.
    pub cached: f64,
}

impl Sku {
    /// All-in watts per GPU: board power plus its share of server, network and storage.
    pub fn allin_watts(&self) -> f64 {
        self.watts * (1.0 + self.overhead)
    }
}

/// A site (data centre, or a cluster within one).
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Site name.
    pub name: String,
    /// Facility power available, MW.
    pub power_mw: f64,
    /// Power usage effectiveness, >= 1.
    pub pue: f64,
    /// Healthy share of GPUs.
    pub availability: f64,
    /// Share of healthy GPUs serving inference, fixed, by step, or elastic.
    pub serving_share: ServingShare,
    /// When the site comes online; `None` for the fleet already in service.
    pub online: Option<Date>,
    /// The first day it no longer serves; `None` when it stays.
    pub offline: Option<Date>,
    /// Days over which its GPUs arrive from `online` (linear); `None` = all at once.
    pub ramp_days: Option<u32>,
    /// GPU counts as `(sku index, count)`, in file order.
    pub gpus: Vec<(usize, f64)>,
    /// USD per MW of `power_mw` per month; 0 when not given.
    pub cost_per_mw_month: f64,
}

/// The share of a site's healthy GPUs that serve, step by step.
#[derive(Debug, Clone, PartialEq)]
pub enum ServingShare {
    /// The same share all week.
    Fixed(f64),
    /// A share per model step, from a `[curve.<id>]`.
    Curve {
        /// The curve's id, for reports.
        curve: String,
        /// The share at each step of the reference week.
        share: Vec<f64>,
    },
    /// Serving takes what it needs to stay at the target, within [min, max]; every elastic
    /// site of a fleet moves together (one lambda per step).
    Elastic {
        /// The share serving always has.
        min: f64,
        /// The share serving may take at most.
        max: f64,
    },
}

impl ServingShare {
    /// The highest share the site ever serves with: what `serving_mw` counts.
    pub fn max(&self) -> f64 {
        match self {
            ServingShare::Fixed(share) => *share,
            ServingShare::Curve { share, .. } => share.iter().copied().fold(0.0, f64::max),
            ServingShare::Elastic { max, .. } => *max,
        }
    }

    /// The share at `step`, with the elastic sites' `lambda` in [0, 1].
    pub fn at(&self, step: usize, lambda: f64) -> f64 {
        match self {
            ServingShare::Fixed(share) => *share,
            ServingShare::Curve { share, .. } => share[step],
            ServingShare::Elastic { min, max } => min + lambda * (max - min),
        }
    }

    /// Whether the share is elastic.
    pub fn is_elastic(&self) -> bool {
        matches!(self, ServingShare::Elastic { .. })
    }
}

impl Site {
    /// IT power the site can give its GPUs, W: facility power over PUE.
    pub fn it_watts(&self) -> f64 {
        self.power_mw * 1e6 / self.pue
    }

    /// All-in power every GPU of the site would draw, W.
    pub fn draw_watts(&self, skus: &[Sku]) -> f64 {
        self.gpus
            .iter()
            .map(|&(k, n)| n * skus[k].allin_watts())
            .sum()
    }

    /// f = min(1, IT power / all-in draw): the share of its GPUs the site can power (1 for
    /// a site without GPUs).
    pub fn power_factor(&self, skus: &[Sku]) -> f64 {
        let draw = self.draw_watts(skus);
        if draw > 0.0 {
            (self.it_watts() / draw).min(1.0)
        } else {
            1.0
        }
    }
}

/// A plan tier (or API tier) and its demand.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    /// Tier name.
    pub name: String,
    /// Users (organisations for an API tier).
    pub users: f64,
    /// Name of the curve it uses, for reports.
    pub curve: String,
    /// Share of users active in each model step of the reference week, from Monday 00:00
    /// UTC ([`Scenario::steps`] values): an hourly curve held within its hour, a per-minute
    /// curve averaged over the step.
    pub activity: Vec<f64>,
    /// Mean tokens an active user wants per hour.
    pub tokens_per_active_hour: f64,
    /// Sigma of the log-normal per-user intensity.
    pub spread: f64,
    /// Share of tokens per column ([`Scenario::classes`]) at the tier's own `speed`; a
    /// policy may serve it at other speeds ([`Scenario::mix`]).
    pub mix: Vec<f64>,
    /// Share of tokens per class as the file gives it ([`Scenario::base_classes`]).
    pub class_mix: Vec<f64>,
    /// Output tokens/s per user it is served at (model v3 speed), if given.
    pub speed: Option<f64>,
    /// Its mix over columns at each other speed some policy serves it at; a policy's
    /// [`PolicySpeed`] points here (index 1 and up; 0 is `mix`).
    pub speed_mixes: Vec<Vec<f64>>,
    /// Input tokens sent per output token, cached or not.
    pub input_per_output: f64,
    /// Share of input read from the prompt cache.
    pub cache_hit: f64,
    /// USD per user (or seat) per month; 0 when not given.
    pub price_per_user_month: f64,
    /// USD per million served tokens: `[output, uncached input, cached input]`.
    pub price_per_mtok: [f64; 3],
}

impl Tier {
    /// r_in: uncached input tokens per output token.
    pub fn uncached_per_output(&self) -> f64 {
        self.input_per_output * (1.0 - self.cache_hit)
    }

    /// r_c: cached input tokens per output token.
    pub fn cached_per_output(&self) -> f64 {
        self.input_per_output * self.cache_hit
    }
}

/// A rate-limit policy: one optional limit per tier.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Policy name.
    pub name: String,
    /// What the policy is, in a line, for readers of the report.
    pub description: Option<String>,
    /// Limit per tier, indexed like [`Scenario::tiers`]; `None` = unlimited.
    pub limits: Vec<Option<Limit>>,
    /// The line of its `name` in the scenario file, for CI annotations.
    pub line: Option<usize>,
    /// The tiers it serves at another speed than their own (model v3), by tier index.
    pub speeds: Vec<PolicySpeed>,
}

/// The speed a policy serves one tier at: `speed`, and `peak_speed` in peak steps.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySpeed {
    /// Index into [`Scenario::tiers`].
    pub tier: usize,
    /// Output tokens/s per user off peak (and at peak without `peak_speed`), if set.
    pub speed: Option<f64>,
    /// Output tokens/s per user in peak steps, if set.
    pub peak_speed: Option<f64>,
    /// The tier's mix off peak and at peak: 0 = [`Tier::mix`], i > 0 = its
    /// `speed_mixes[i - 1]`. Filled by [`Scenario::expand_speeds`].
    pub mixes: [usize; 2],
}

impl Policy {
    /// The speed this policy sets for tier `t`, if any.
    pub fn speed_of(&self, t: usize) -> Option<&PolicySpeed> {
        self.speeds.iter().find(|s| s.tier == t)
    }

    /// The speed tier `t` is served at in a peak or off-peak step: the policy's
    /// `peak_speed` (peak steps), else its `speed`, else the tier's own.
    pub fn speed_at(&self, t: usize, tier: &Tier, peak: bool) -> Option<f64> {
        let own = self.speed_of(t);
        own.and_then(|s| if peak { s.peak_speed } else { None })
            .or_else(|| own.and_then(|s| s.speed))
            .or(tier.speed)
    }
}

/// The limit one policy sets for one tier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// Window length in hours (`"5h"` = 5, `"1m"` = 1/60).
    pub window_hours: f64,
    /// Token budget per window.
    pub window_tokens: f64,
    /// Token budget per week, if any.
    pub weekly_tokens: Option<f64>,
    /// Multiplier on the window budgets in peak steps.
    pub peak_factor: f64,
    /// Uncached input budget per window, if any.
    pub window_input_tokens: Option<f64>,
    /// Uncached input budget per week, if any.
    pub weekly_input_tokens: Option<f64>,
}

impl Scenario {
    /// Parses and validates a scenario from TOML text. `origin` (usually the file name) is
    /// used in messages. All problems found are reported together. A scenario that refers
    /// to a CSV curve file needs [`Scenario::load`].
    pub fn parse(source: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let no_files = |path: &str| {
            Err(format!(
                "{path}: curve files need a scenario read from disk"
            ))
        };
        Scenario::load(source, origin, &no_files).map(|(scenario, _)| scenario)
    }

    /// Refuses, with the error [`Scenario::load`] would give, a text whose parse would take
    /// more memory than capplan allows (too many keys and values in one table, or in all),
    /// without parsing it: for callers that parse the text some other way first (`--set`
    /// edits it with toml_edit).
    pub fn check_limits(source: &str, origin: &str) -> Result<(), ScenarioError> {
        validate::check_limits(source, origin)
    }

    /// Parses and validates a scenario, reading the files it refers to (CSV curves, by
    /// their path as written) through `files`, and returns it with its warnings. The caller
    /// does the I/O, so this crate's core stays free of it.
    pub fn load(
        source: &str,
        origin: &str,
        files: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<(Scenario, ScenarioWarnings), ScenarioError> {
        let (scenario, found) = validate::parse(source, origin, files)?;
        let mut warnings = found.shown;
        let omitted = warnings.len().saturating_sub(diagnostic::MAX_DIAGNOSTICS);
        warnings.truncate(diagnostic::MAX_DIAGNOSTICS);
        Ok((
            scenario,
            ScenarioWarnings {
                origin: origin.to_string(),
                source: source.to_string(),
                warnings,
                omitted,
                acknowledged: found.acknowledged,
            },
        ))
    }

    /// Steps in the reference week at this scenario's step length.
    pub fn steps(&self) -> usize {
        (units::MINUTES_PER_WEEK / self.step_minutes) as usize
    }

    /// Length of one step in hours.
    pub fn step_hours(&self) -> f64 {
        f64::from(self.step_minutes) / 60.0
    }

    /// The JSON Schema of scenario files (draft-07, for TOML language servers such as
    /// taplo), generated from the same types the parser reads, with the validator's own
    /// [`bounds`] on every number.
    pub fn json_schema() -> serde_json::Value {
        let generator = schemars::generate::SchemaSettings::draft07().into_generator();
        let mut schema =
            serde_json::to_value(generator.into_root_schema_for::<raw::ScenarioFile>())
                .expect("a schema is plain JSON");
        validate::schema::complete(&mut schema);
        schema["title"] = "capplan scenario".into();
        schema["description"] = "A capplan scenario: GPU SKUs, sites, demand curves, tiers and rate-limit policies. See docs/model.md.".into();
        schema
    }

    /// Index of the policy with this name.
    pub fn policy_index(&self, name: &str) -> Option<usize> {
        self.policies.iter().position(|p| p.name == name)
    }
}
