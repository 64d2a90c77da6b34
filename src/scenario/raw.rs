//! The scenario file as written: serde structs that mirror the TOML one to one.
//! Unknown keys are errors; numbers are checked later, in `validate`, with key paths.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

/// The whole file. Built section by section (see `shape`), so one bad table does not hide
/// the errors in the others.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// `[scenario]`: name, step, target, peak hours.
    pub scenario: ScenarioSection,
    /// `[gpu.<id>]`: the GPU SKUs, in file order.
    #[serde(default)]
    pub gpu: IndexMap<String, GpuSpec>,
    /// `[[site]]`: sites, including additions with `online`.
    #[serde(default)]
    pub site: Vec<SiteSpec>,
    /// `[curve.<id>]`: activity curves over the reference week.
    #[serde(default)]
    pub curve: IndexMap<String, CurveSpec>,
    /// `[[tier]]`: plan tiers and API tiers.
    #[serde(default)]
    pub tier: Vec<TierSpec>,
    /// `[[policy]]`: rate-limit policies to compare.
    #[serde(default)]
    pub policy: Vec<PolicySpec>,
    /// `[timeline]`: months to evaluate for `capplan timeline`.
    #[serde(default)]
    pub timeline: Option<TimelineSpec>,
    /// `[uncertainty]`: demand cases and sampled uncertainty.
    #[serde(default)]
    pub uncertainty: Option<UncertaintySpec>,
    /// `[[phase]]`: dated phases, evaluated in file order (model v3).
    #[serde(default)]
    pub phase: Vec<PhaseSpec>,
    /// `[[observed]]`: figures seen in production, for `capplan calibrate` (model v3).
    #[serde(default)]
    pub observed: Vec<ObservedSpec>,
    /// `[calibration]`: what `capplan calibrate` may move (model v3).
    #[serde(default)]
    pub calibration: Option<CalibrationSpec>,
}

/// `[[observed]]`: one figure seen in production: exactly one of the four metrics, of one
/// policy on one phase (and, for `throttled_share_at_peak`, one tier).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservedSpec {
    /// The policy in force when it was seen.
    pub policy: String,
    /// The phase it was seen in: a `[[phase]]` name, or `before`/`after`.
    pub phase: String,
    /// The tier, for `throttled_share_at_peak`.
    #[serde(default)]
    pub tier: Option<String>,
    /// Peak utilization seen (a fraction).
    #[serde(default)]
    pub peak_utilization: Option<f64>,
    /// The tier's share of active users throttled at the peak step.
    #[serde(default)]
    pub throttled_share_at_peak: Option<f64>,
    /// Served share of the output tokens wanted over the week.
    #[serde(default)]
    pub served_share: Option<f64>,
    /// Total revenue a week, USD.
    #[serde(default)]
    pub revenue_per_week: Option<f64>,
    /// Weight in the least squares (default 1).
    #[serde(default)]
    pub weight: Option<f64>,
}

/// `[calibration]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalibrationSpec {
    /// What may move, one multiplier each: `"KIND:NAME,NAME"`, KIND one of users,
    /// tokens_per_active_hour, input_per_output, cache_miss, spread (tiers), rates, gpus
    /// (SKUs); the names of a group share the multiplier.
    pub adjust: Vec<String>,
}

/// `[[phase]]`: a named date on which compare and check evaluate the fleet and the demand.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseSpec {
    /// The phase's name, e.g. `"before-deal"`.
    pub name: String,
    /// Its date: `"YYYY-MM-DD"` or a TOML date.
    #[schemars(with = "String", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub on: toml::Value,
}

/// `[timeline]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineSpec {
    /// First month evaluated: `"YYYY-MM-DD"` or a TOML date.
    #[schemars(with = "String", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub start: toml::Value,
    /// How many months to evaluate, the start month included.
    pub months: u32,
    /// Monthly compound growth of users, e.g. 0.05 for 5 % a month.
    #[serde(default)]
    pub growth: f64,
    /// Growth per tier name, overriding `growth`.
    #[serde(default)]
    pub tier_growth: IndexMap<String, f64>,
}

/// `[uncertainty]`: demand cases (`low` and `high`), sampled uncertainty (`samples`), or both.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UncertaintySpec {
    /// Multiplier on every tier's users in the optimistic case (<= 1); with `high`.
    #[serde(default)]
    pub low: Option<f64>,
    /// Multiplier on every tier's users in the pessimistic case (>= 1); with `low`.
    #[serde(default)]
    pub high: Option<f64>,
    /// How many samples to draw (each draws every parameter once).
    #[serde(default)]
    pub samples: Option<u32>,
    /// Seed of the generator: the same seed gives the same samples, bytes and all.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Multiplier on every tier's users: a log-normal through its p10 and p90.
    #[serde(default)]
    pub users: Option<MultiplierRange>,
    /// Multiplier on every tier's tokens per active hour (log-normal).
    #[serde(default)]
    pub tokens_per_active_hour: Option<MultiplierRange>,
    /// Multiplier on every throughput rate of every SKU (log-normal).
    #[serde(default)]
    pub throughput: Option<MultiplierRange>,
    /// Monthly user growth of every tier, for the timeline: a normal through p10 and p90.
    #[serde(default)]
    pub growth: Option<GrowthRange>,
    /// Days each addition's `online` slips, drawn per addition and sample: a normal through
    /// p10 and p90, clamped at 0 and rounded to whole days (model v3).
    #[serde(default)]
    pub slip_days: Option<SlipRange>,
}

/// A sampled delay in days, by its 10th and 90th percentiles.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlipRange {
    /// The delay 10 % of samples fall below, days.
    pub p10: f64,
    /// The delay 90 % of samples fall below (at least p10), days.
    pub p90: f64,
}

/// A sampled multiplier, by its 10th and 90th percentiles.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MultiplierRange {
    /// The value 10 % of samples fall below.
    pub p10: f64,
    /// The value 90 % of samples fall below (at least p10).
    pub p90: f64,
}

/// A sampled monthly growth rate, by its 10th and 90th percentiles.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrowthRange {
    /// The rate 10 % of samples fall below (0.05 = 5 % a month).
    pub p10: f64,
    /// The rate 90 % of samples fall below (at least p10).
    pub p90: f64,
}

/// `[scenario]`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSection {
    /// Name shown in reports.
    pub name: String,
    /// Model step, e.g. `"1h"` or `"15m"`.
    #[serde(default = "default_step")]
    pub step: String,
    /// Share of serving capacity usable while meeting the latency SLO.
    pub utilization_target: f64,
    /// Peak periods in UTC, e.g. `["mon-fri 13:00-19:00"]`.
    #[serde(default)]
    pub peak_hours: Vec<String>,
    /// GPU-hours a week that training must keep, whatever the policy (model v2).
    #[serde(default)]
    pub training_floor_gpu_hours: Option<f64>,
    /// Key paths of warnings that are known and accepted, e.g. `["site[3].power_mw"]`:
    /// they are not shown again.
    #[serde(default)]
    pub acknowledge: Vec<String>,
}

fn default_step() -> String {
    "1h".to_string()
}

/// `[gpu.<id>]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GpuSpec {
    /// Board power in watts.
    pub watts: f64,
    /// Server, network and storage power as a fraction of board power.
    #[serde(default)]
    pub overhead: f64,
    /// Output tokens per second one GPU sustains at the latency SLO, per model class: a
    /// number, or a frontier `[[tps_per_user, tps_per_gpu], ...]` (model v3 speed).
    pub tokens_per_s: IndexMap<String, RateSpec>,
    /// Uncached input (prefill) tokens per second one GPU sustains, per model class.
    #[serde(default)]
    pub input_tokens_per_s: IndexMap<String, f64>,
    /// Input tokens read from the prompt cache per second one GPU sustains, per class.
    #[serde(default)]
    pub cached_tokens_per_s: IndexMap<String, f64>,
    /// All-in rent or amortised cost of one GPU for an hour, USD (model v2).
    #[serde(default)]
    pub cost_per_gpu_hour: Option<f64>,
}

/// A SKU's output rate for a class: one number, or a frontier of points
/// `[tokens/s per user, tokens/s per GPU]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RateSpec {
    /// Tokens/s per GPU at any speed.
    Rate(f64),
    /// Points `[tps_per_user, tps_per_gpu]`, speed increasing, throughput decreasing.
    Frontier(Vec<Vec<f64>>),
}

/// `[[site]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteSpec {
    /// Site name.
    pub name: String,
    /// Facility power available, MW.
    pub power_mw: f64,
    /// Power usage effectiveness (facility power / IT power).
    pub pue: f64,
    /// Healthy share of GPUs.
    #[serde(default = "one")]
    pub availability: f64,
    /// Share of healthy GPUs given to inference: a number, a curve id, or `{ min, max }`.
    #[serde(default)]
    pub serving_share: ServingShareSpec,
    /// When the site comes online: `"YYYY-MM-DD"` or a TOML date; absent for the fleet
    /// in service. Kept as a raw value so both spellings get a precise message.
    #[serde(default)]
    #[schemars(with = "Option<String>", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub online: Option<toml::Value>,
    /// The first day the site no longer serves (a lease that ends, a decommission): a date
    /// after `online` (model v3).
    #[serde(default)]
    #[schemars(with = "Option<String>", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub offline: Option<toml::Value>,
    /// GPUs arrive linearly over this many days from `online` (a positive whole number;
    /// model v3).
    #[serde(default)]
    pub ramp_days: Option<f64>,
    /// GPU count per SKU id.
    pub gpus: IndexMap<String, f64>,
    /// Power, space and cooling per MW of `power_mw` per month, USD (model v2).
    #[serde(default)]
    pub cost_per_mw_month: Option<f64>,
}

fn one() -> f64 {
    1.0
}

/// A site's `serving_share`: fixed, by the hour of the week, or elastic.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ServingShareSpec {
    /// The same share all week.
    Fixed(f64),
    /// The id of a `[curve.<id>]` giving the share at each hour (training runs at night).
    Curve(String),
    /// Serving takes what it needs to stay at the target, within [min, max].
    Elastic(ElasticSpec),
}

impl Default for ServingShareSpec {
    fn default() -> ServingShareSpec {
        ServingShareSpec::Fixed(1.0)
    }
}

/// `serving_share = { min, max }`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ElasticSpec {
    /// The share serving always has.
    pub min: f64,
    /// The share serving may take at most; training keeps the rest.
    pub max: f64,
}

/// `[curve.<id>]`: exactly one of `weekday` + `weekend` (24 values each), `week` (168
/// values), or `file` (a CSV of 168 hourly or 10,080 per-minute values); shares in [0, 1].
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CurveSpec {
    /// 24 hourly shares for Monday to Friday.
    #[serde(default)]
    #[schemars(length(min = 24, max = 24))]
    pub weekday: Option<Vec<f64>>,
    /// 24 hourly shares for Saturday and Sunday.
    #[serde(default)]
    #[schemars(length(min = 24, max = 24))]
    pub weekend: Option<Vec<f64>>,
    /// 168 hourly shares from Monday 00:00 UTC.
    #[serde(default)]
    #[schemars(length(min = 168, max = 168))]
    pub week: Option<Vec<f64>>,
    /// A CSV file (path relative to the scenario) of 168 hourly or 10,080 per-minute shares.
    #[serde(default)]
    pub file: Option<String>,
}

/// `[[tier]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TierSpec {
    /// Tier name, referred to by `[policy.limits.<tier>]`.
    pub name: String,
    /// Users (organisations for an API tier).
    pub users: f64,
    /// Curve id.
    pub curve: String,
    /// Mean tokens an active user wants per hour.
    pub tokens_per_active_hour: f64,
    /// Sigma of the log-normal per-user intensity (mean 1); 0 = identical users.
    #[serde(default)]
    pub spread: f64,
    /// Share of tokens per model class; sums to 1.
    pub mix: IndexMap<String, f64>,
    /// Input tokens sent per output token, cached or not (model v2).
    #[serde(default)]
    pub input_per_output: f64,
    /// Share of input read from the prompt cache (model v2).
    #[serde(default)]
    pub cache_hit: f64,
    /// Subscription price per user (or seat) per month, USD (model v2).
    #[serde(default)]
    pub price_per_user_month: Option<f64>,
    /// Price per million tokens served, USD, by kind (model v2; API tiers).
    #[serde(default)]
    pub price_per_mtok: Option<PriceSpec>,
    /// Output tokens/s per user it is served at: picks the point on a class's frontier
    /// (model v3 speed).
    #[serde(default)]
    pub speed: Option<f64>,
}

/// `price_per_mtok = { output, input, cached }`: USD per million tokens of each kind.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceSpec {
    /// Per million output tokens.
    #[serde(default)]
    pub output: f64,
    /// Per million uncached input tokens.
    #[serde(default)]
    pub input: f64,
    /// Per million input tokens read from the prompt cache.
    #[serde(default)]
    pub cached: f64,
}

/// `[[policy]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Policy name.
    pub name: String,
    /// Free text shown nowhere but kept with the policy.
    #[serde(default)]
    pub description: Option<String>,
    /// Limits per tier name; a tier without an entry is unlimited.
    #[serde(default)]
    pub limits: IndexMap<String, LimitSpec>,
}

/// `[policy.limits.<tier>]`: a token budget (`window` with `window_tokens`), a speed, or
/// both.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitSpec {
    /// Window length, e.g. `"5h"` or `"1m"`.
    #[serde(default)]
    pub window: Option<String>,
    /// Token budget per window.
    #[serde(default)]
    pub window_tokens: Option<f64>,
    /// Optional token budget per week.
    #[serde(default)]
    pub weekly_tokens: Option<f64>,
    /// Multiplier on the window budgets in peak steps (default 1).
    #[serde(default)]
    pub peak_factor: Option<f64>,
    /// Optional budget of uncached input tokens per window (cache reads excluded).
    #[serde(default)]
    pub window_input_tokens: Option<f64>,
    /// Optional budget of uncached input tokens per week.
    #[serde(default)]
    pub weekly_input_tokens: Option<f64>,
    /// Output tokens/s per user the policy serves the tier at (model v3 speed).
    #[serde(default)]
    pub speed: Option<f64>,
    /// Output tokens/s per user in peak steps (model v3 speed).
    #[serde(default)]
    pub peak_speed: Option<f64>,
}
