//! Physical bounds: the range every number of a scenario must lie in, in one place. The
//! validator checks values against these constants, and [`apply_to_schema`] writes the same
//! ranges into the JSON Schema, so editors and the binary accept the same numbers.

use serde_json::{Value, json};

/// Largest count, power or token figure accepted: far above any real fleet, low enough that
/// sums and products stay finite.
pub const ABSURD: f64 = 1e15;

/// A numeric range a value must lie in, with the words that describe it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// The lowest value.
    pub low: f64,
    /// Whether `low` itself is allowed.
    pub low_inclusive: bool,
    /// The highest value allowed.
    pub high: f64,
    /// When above 0: values between 0 and this are refused (0 itself stays allowed), so a
    /// denormal count or rate cannot make a capacity so small that utilization overflows.
    pub smallest_positive: f64,
    /// The range in words, for messages: "a PUE between 1 and 10".
    pub what: &'static str,
}

impl Bounds {
    /// Whether `value` is finite and in the range.
    pub fn admits(&self, value: f64) -> bool {
        let above_low = if self.low_inclusive {
            value >= self.low
        } else {
            value > self.low
        };
        let not_too_small = !(value > 0.0 && value < self.smallest_positive);
        value.is_finite() && above_low && value <= self.high && not_too_small
    }

    /// The range as JSON Schema keywords (draft-07: `exclusiveMinimum` is a number).
    pub(super) fn schema_keywords(&self, integer: bool) -> Vec<(&'static str, Value)> {
        let number = |v: f64| if integer { json!(v as i64) } else { json!(v) };
        let low = if self.low_inclusive {
            "minimum"
        } else {
            "exclusiveMinimum"
        };
        let mut keywords = vec![(low, number(self.low)), ("maximum", number(self.high))];
        if self.smallest_positive > 0.0 {
            keywords.push((
                "not",
                // Typed, so that the `not` leaves the strings and tables a key may also hold.
                json!({ "type": "number", "exclusiveMinimum": 0.0, "exclusiveMaximum": self.smallest_positive }),
            ));
        }
        keywords
    }
}

/// Any number of at least 0 (token budgets).
pub const NON_NEGATIVE: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: ABSURD,
    smallest_positive: 0.0,
    what: "a number of at least 0",
};
/// A share (curve values, mixes, serving share).
pub const SHARE: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 1.0,
    smallest_positive: 0.0,
    what: "a share between 0 and 1",
};
/// The share of healthy GPUs that serve: 0 (a training-only site) or at least 0.000001.
pub const SERVING_SHARE: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 1.0,
    smallest_positive: 1e-6,
    what: "a share of 0, or between 0.000001 and 1",
};
/// A share of at least 1 % (utilization target, availability, the low demand case): a
/// smaller one is a typo, and would blow utilization up past any finite number.
pub const POSITIVE_SHARE: Bounds = Bounds {
    low: 0.01,
    low_inclusive: true,
    high: 1.0,
    smallest_positive: 0.0,
    what: "a share between 0.01 and 1",
};
// Physical sense caps: far above anything real, so a value past one is a typo or a unit
// mistake (watts written as milliwatts, users as a population of planets).
/// Board power per GPU.
pub const WATTS: Bounds = Bounds {
    low: 1.0,
    low_inclusive: true,
    high: 1e5,
    smallest_positive: 0.0,
    what: "a board power between 1 and 100,000 W",
};
/// Server, network and storage power as a fraction of board power.
pub const OVERHEAD: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 10.0,
    smallest_positive: 0.0,
    what: "an overhead fraction between 0 and 10 (0.8 = 80 % on top of board power)",
};
/// Output tokens per second per GPU.
pub const GPU_TOKENS: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 1e8,
    smallest_positive: 1e-6,
    what: "output tokens/s per GPU of 0, or between 0.000001 and 100,000,000",
};
/// Output tokens per second per GPU on a frontier point (model v3 speed): positive.
pub const FRONTIER_TOKENS: Bounds = Bounds {
    low: 0.0,
    low_inclusive: false,
    high: 1e8,
    smallest_positive: 1e-6,
    what: "output tokens/s per GPU between 0.000001 and 100,000,000",
};
/// Output tokens per second per user: a frontier point's speed, a tier's or a policy's
/// `speed` (model v3).
pub const SPEED: Bounds = Bounds {
    low: 0.0,
    low_inclusive: false,
    high: 1e6,
    smallest_positive: 1e-6,
    what: "output tokens/s per user between 0.000001 and 1,000,000",
};
/// The most distinct speeds one class may be served at in a scenario: each is a column of
/// capacity every evaluation carries.
pub const MAX_SPEEDS_PER_CLASS: usize = 64;
/// The most columns (classes, each class with a frontier once per speed in use) a
/// scenario may have: every evaluation carries each one.
pub const MAX_COLUMNS: usize = 256;
/// Uncached or cached input tokens per second per GPU (prefill runs far faster than
/// decode, so the cap is higher).
pub const GPU_INPUT_TOKENS: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 1e9,
    smallest_positive: 1e-6,
    what: "input tokens/s per GPU of 0, or between 0.000001 and 1,000,000,000",
};
/// Input tokens sent per output token.
pub const INPUT_PER_OUTPUT: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 1e6,
    smallest_positive: 0.0,
    what: "input tokens per output token between 0 and 1,000,000",
};
/// A cost or a price in USD (per GPU-hour, per MW-month, per user-month, per million
/// tokens): never negative.
pub const USD: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 1e9,
    smallest_positive: 0.0,
    what: "an amount in USD between 0 and 1,000,000,000",
};
/// Facility power of a site.
pub const POWER_MW: Bounds = Bounds {
    low: 0.001,
    low_inclusive: true,
    high: 1e5,
    smallest_positive: 0.0,
    what: "a facility power between 0.001 and 100,000 MW",
};
/// Power usage effectiveness.
pub const PUE: Bounds = Bounds {
    low: 1.0,
    low_inclusive: true,
    high: 10.0,
    smallest_positive: 0.0,
    what: "a PUE between 1 and 10",
};
/// GPUs of one SKU at one site.
pub const GPU_COUNT: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 1e9,
    smallest_positive: 1e-6,
    what: "a GPU count of 0, or between 0.000001 and 1,000,000,000",
};
/// Users of a tier.
pub const USERS: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 1e10,
    smallest_positive: 0.0,
    what: "a number of users between 0 and 10,000,000,000",
};
/// Output tokens an active user wants per hour.
pub const TOKENS_PER_HOUR: Bounds = Bounds {
    low: 1e-6,
    low_inclusive: true,
    high: 1e12,
    smallest_positive: 0.0,
    what: "tokens per active hour between 0.000001 and 1,000,000,000,000",
};
/// Sigma of the log-normal per-user intensity.
pub const SPREAD: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 5.0,
    smallest_positive: 0.0,
    what: "a log-normal sigma between 0 and 5",
};
/// Multiplier on a window budget in peak steps.
pub const PEAK_FACTOR: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 1000.0,
    smallest_positive: 0.0,
    what: "a multiplier between 0 and 1000",
};
/// Monthly compound growth of users.
pub const GROWTH: Bounds = Bounds {
    low: -1.0,
    low_inclusive: false,
    high: 10.0,
    smallest_positive: 0.0,
    what: "a monthly growth rate above -1 and at most 10 (0.05 = 5 % a month)",
};
/// Months of a timeline.
pub const MONTHS: Bounds = Bounds {
    low: 1.0,
    low_inclusive: true,
    high: 120.0,
    smallest_positive: 0.0,
    what: "between 1 and 120 months",
};
/// The pessimistic demand multiplier.
pub const HIGH_DEMAND: Bounds = Bounds {
    low: 1.0,
    low_inclusive: true,
    high: 100.0,
    smallest_positive: 0.0,
    what: "a multiplier between 1 and 100",
};

/// Samples of `[uncertainty]`.
pub const SAMPLES: Bounds = Bounds {
    low: 1.0,
    low_inclusive: true,
    high: 1_000_000.0,
    smallest_positive: 0.0,
    what: "between 1 and 1,000,000 samples",
};
/// The seed of `[uncertainty]`: any whole number a double holds exactly, and then some.
pub const SEED: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 1e15,
    smallest_positive: 0.0,
    what: "a seed between 0 and 10^15",
};
/// A percentile of a sampled multiplier (users, tokens per active hour, throughput).
pub const SAMPLED_MULTIPLIER: Bounds = Bounds {
    low: 0.0,
    low_inclusive: false,
    high: 100.0,
    smallest_positive: 1e-6,
    what: "a multiplier above 0 and at most 100 (1 = as the scenario says)",
};
/// A percentile of the sampled monthly growth: kept where 120 months of it stay finite.
pub const SAMPLED_GROWTH: Bounds = Bounds {
    low: -0.5,
    low_inclusive: true,
    high: 1.0,
    smallest_positive: 0.0,
    what: "a monthly growth rate between -0.5 and 1 (0.05 = 5 % a month)",
};
/// A site's ramp: whole days, at most ten years.
pub const RAMP_DAYS: Bounds = Bounds {
    low: 1.0,
    low_inclusive: true,
    high: 3650.0,
    smallest_positive: 0.0,
    what: "a whole number of days between 1 and 3650",
};
/// A percentile of the sampled slip of an addition, days.
pub const SLIP_DAYS: Bounds = Bounds {
    low: 0.0,
    low_inclusive: true,
    high: 3650.0,
    smallest_positive: 0.0,
    what: "a number of days between 0 and 3650",
};

/// A figure seen in production, or a weight: positive (its logarithm is taken) and finite.
pub const OBSERVED: Bounds = Bounds {
    low: 0.0,
    low_inclusive: false,
    high: ABSURD,
    smallest_positive: 0.0,
    what: "a positive number (its logarithm is compared)",
};
/// A share seen in production: positive, at most 1.
pub const OBSERVED_SHARE: Bounds = Bounds {
    low: 0.0,
    low_inclusive: false,
    high: 1.0,
    smallest_positive: 0.0,
    what: "a share above 0 and at most 1 (its logarithm is compared)",
};

/// Where in a definition's property a bound applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The property's own value.
    Value,
    /// Each item of an array.
    Items,
    /// Each value of a table keyed by name (`tokens_per_s`, `gpus`, `mix`).
    Values,
}

/// Every bounded number of a scenario file, by where the JSON Schema describes it:
/// (definition, property, place, bounds).
pub const SCHEMA_BOUNDS: [(&str, &str, Place, Bounds); 55] = [
    ("TierSpec", "speed", Place::Value, SPEED),
    ("LimitSpec", "speed", Place::Value, SPEED),
    ("LimitSpec", "peak_speed", Place::Value, SPEED),
    ("ObservedSpec", "peak_utilization", Place::Value, OBSERVED),
    (
        "ObservedSpec",
        "throttled_share_at_peak",
        Place::Value,
        OBSERVED_SHARE,
    ),
    ("ObservedSpec", "served_share", Place::Value, OBSERVED_SHARE),
    ("ObservedSpec", "revenue_per_week", Place::Value, OBSERVED),
    ("ObservedSpec", "weight", Place::Value, OBSERVED),
    ("SiteSpec", "ramp_days", Place::Value, RAMP_DAYS),
    ("SlipRange", "p10", Place::Value, SLIP_DAYS),
    ("SlipRange", "p90", Place::Value, SLIP_DAYS),
    ("GpuSpec", "cost_per_gpu_hour", Place::Value, USD),
    ("SiteSpec", "cost_per_mw_month", Place::Value, USD),
    ("TierSpec", "price_per_user_month", Place::Value, USD),
    ("PriceSpec", "output", Place::Value, USD),
    ("PriceSpec", "input", Place::Value, USD),
    ("PriceSpec", "cached", Place::Value, USD),
    (
        "ScenarioSection",
        "training_floor_gpu_hours",
        Place::Value,
        NON_NEGATIVE,
    ),
    (
        "GpuSpec",
        "input_tokens_per_s",
        Place::Values,
        GPU_INPUT_TOKENS,
    ),
    (
        "GpuSpec",
        "cached_tokens_per_s",
        Place::Values,
        GPU_INPUT_TOKENS,
    ),
    ("ElasticSpec", "min", Place::Value, SERVING_SHARE),
    ("ElasticSpec", "max", Place::Value, SERVING_SHARE),
    (
        "TierSpec",
        "input_per_output",
        Place::Value,
        INPUT_PER_OUTPUT,
    ),
    ("TierSpec", "cache_hit", Place::Value, SHARE),
    (
        "LimitSpec",
        "window_input_tokens",
        Place::Value,
        NON_NEGATIVE,
    ),
    (
        "LimitSpec",
        "weekly_input_tokens",
        Place::Value,
        NON_NEGATIVE,
    ),
    (
        "ScenarioSection",
        "utilization_target",
        Place::Value,
        POSITIVE_SHARE,
    ),
    ("GpuSpec", "watts", Place::Value, WATTS),
    ("GpuSpec", "overhead", Place::Value, OVERHEAD),
    ("SiteSpec", "power_mw", Place::Value, POWER_MW),
    ("SiteSpec", "pue", Place::Value, PUE),
    ("SiteSpec", "availability", Place::Value, POSITIVE_SHARE),
    ("SiteSpec", "serving_share", Place::Value, SERVING_SHARE),
    ("SiteSpec", "gpus", Place::Values, GPU_COUNT),
    ("CurveSpec", "weekday", Place::Items, SHARE),
    ("CurveSpec", "weekend", Place::Items, SHARE),
    ("CurveSpec", "week", Place::Items, SHARE),
    ("TierSpec", "users", Place::Value, USERS),
    (
        "TierSpec",
        "tokens_per_active_hour",
        Place::Value,
        TOKENS_PER_HOUR,
    ),
    ("TierSpec", "spread", Place::Value, SPREAD),
    ("TierSpec", "mix", Place::Values, SHARE),
    ("LimitSpec", "window_tokens", Place::Value, NON_NEGATIVE),
    ("LimitSpec", "weekly_tokens", Place::Value, NON_NEGATIVE),
    ("LimitSpec", "peak_factor", Place::Value, PEAK_FACTOR),
    ("TimelineSpec", "months", Place::Value, MONTHS),
    ("TimelineSpec", "growth", Place::Value, GROWTH),
    ("TimelineSpec", "tier_growth", Place::Values, GROWTH),
    ("UncertaintySpec", "low", Place::Value, POSITIVE_SHARE),
    ("UncertaintySpec", "high", Place::Value, HIGH_DEMAND),
    ("UncertaintySpec", "samples", Place::Value, SAMPLES),
    ("UncertaintySpec", "seed", Place::Value, SEED),
    ("MultiplierRange", "p10", Place::Value, SAMPLED_MULTIPLIER),
    ("MultiplierRange", "p90", Place::Value, SAMPLED_MULTIPLIER),
    ("GrowthRange", "p10", Place::Value, SAMPLED_GROWTH),
    ("GrowthRange", "p90", Place::Value, SAMPLED_GROWTH),
];

/// Writes every bound of [`SCHEMA_BOUNDS`] into a generated draft-07 schema.
pub fn apply_to_schema(schema: &mut Value) {
    for (definition, property, place, bounds) in SCHEMA_BOUNDS {
        let Some(node) =
            schema.pointer_mut(&format!("/definitions/{definition}/properties/{property}"))
        else {
            panic!("the schema has no {definition}.{property}: SCHEMA_BOUNDS is stale");
        };
        let node = match place {
            Place::Value => node,
            Place::Items => &mut node["items"],
            Place::Values => &mut node["additionalProperties"],
        };
        let integer = node["type"] == "integer";
        if let Some(object) = node.as_object_mut() {
            for (keyword, value) in bounds.schema_keywords(integer) {
                object.insert(keyword.to_string(), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_admit_their_range_and_nothing_else() {
        assert!(WATTS.admits(700.0));
        assert!(!WATTS.admits(0.0));
        assert!(!WATTS.admits(5e-324));
        assert!(GPU_COUNT.admits(0.0) && GPU_COUNT.admits(1e-6));
        assert!(!GPU_COUNT.admits(1e-300));
        assert!(!POSITIVE_SHARE.admits(1e-320));
        assert!(WATTS.admits(1e5));
        assert!(!WATTS.admits(100_000.5));
        assert!(SHARE.admits(0.0) && SHARE.admits(1.0));
        assert!(!SHARE.admits(f64::NAN));
        assert!(!NON_NEGATIVE.admits(f64::INFINITY));
        assert!(!GROWTH.admits(-1.0));
        assert!(GROWTH.admits(-0.5));
    }

    #[test]
    fn exclusive_lows_become_exclusive_minimums() {
        assert_eq!(
            GROWTH.schema_keywords(false),
            [("exclusiveMinimum", json!(-1.0)), ("maximum", json!(10.0))]
        );
        assert_eq!(
            GPU_COUNT.schema_keywords(false)[2],
            (
                "not",
                json!({ "type": "number", "exclusiveMinimum": 0.0, "exclusiveMaximum": 1e-6 })
            )
        );
        assert_eq!(
            MONTHS.schema_keywords(true),
            [("minimum", json!(1)), ("maximum", json!(120))]
        );
    }
}
