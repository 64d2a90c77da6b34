//! Demand of each tier under a policy: the per-user cap in tokens per active hour, and the
//! served and throttled shares it implies off peak and at peak. These depend on the tier and
//! the policy only, not on the step, so they are computed once per (tier, policy).

use super::lognormal::{served_share, throttled_share};
use crate::scenario::{Limit, Scenario, Tier};

/// Served and throttled shares of one tier under one policy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TierShares {
    /// phi off peak: served share of wanted tokens.
    pub served_off_peak: f64,
    /// phi in peak steps.
    pub served_at_peak: f64,
    /// theta off peak: share of active users the cap binds on.
    pub throttled_off_peak: f64,
    /// theta in peak steps.
    pub throttled_at_peak: f64,
}

impl TierShares {
    /// Unlimited: everything served, nobody throttled.
    pub const UNLIMITED: TierShares = TierShares {
        served_off_peak: 1.0,
        served_at_peak: 1.0,
        throttled_off_peak: 0.0,
        throttled_at_peak: 0.0,
    };

    /// (served, throttled) in a peak step or not.
    pub fn at(&self, peak: bool) -> (f64, f64) {
        if peak {
            (self.served_at_peak, self.throttled_at_peak)
        } else {
            (self.served_off_peak, self.throttled_off_peak)
        }
    }
}

/// Active hours per user per week, H(t) = sum over steps of curve(t, h) * dt.
pub fn active_hours_per_week(scenario: &Scenario, tier: &Tier) -> f64 {
    let dt = scenario.step_hours();
    tier.activity.iter().map(|a| a * dt).sum()
}

/// Per-user cap in output tokens per active hour: min(window budget * p / window hours,
/// weekly budget / H, and the same two for uncached input divided by r_in, the uncached
/// input per output token). A missing term is infinite; so is a weekly term of a tier that
/// is never active, and an input term of a tier that sends no uncached input.
pub fn cap_per_active_hour(
    limit: &Limit,
    peak_factor: f64,
    active_hours: f64,
    uncached_per_output: f64,
) -> f64 {
    let window = limit.window_tokens * peak_factor / limit.window_hours;
    let weekly = match limit.weekly_tokens {
        Some(weekly) if active_hours > 0.0 => weekly / active_hours,
        _ => f64::INFINITY,
    };
    let r_in = uncached_per_output;
    let window_input = match limit.window_input_tokens {
        Some(budget) if r_in > 0.0 => budget * peak_factor / limit.window_hours / r_in,
        _ => f64::INFINITY,
    };
    let weekly_input = match limit.weekly_input_tokens {
        Some(budget) if active_hours > 0.0 && r_in > 0.0 => budget / active_hours / r_in,
        _ => f64::INFINITY,
    };
    window.min(weekly).min(window_input).min(weekly_input)
}

/// The shares of a tier under an optional limit.
pub fn tier_shares(scenario: &Scenario, tier: &Tier, limit: Option<&Limit>) -> TierShares {
    tier_shares_for(tier, limit, active_hours_per_week(scenario, tier))
}

/// The shares of a tier under an optional limit, given its active hours per week.
pub fn tier_shares_for(tier: &Tier, limit: Option<&Limit>, hours: f64) -> TierShares {
    let Some(limit) = limit else {
        return TierShares::UNLIMITED;
    };
    let r_in = tier.uncached_per_output();
    let k = |p: f64| cap_per_active_hour(limit, p, hours, r_in) / tier.tokens_per_active_hour;
    let (k_off, k_peak) = (k(1.0), k(limit.peak_factor));
    TierShares {
        served_off_peak: served_share(k_off, tier.spread),
        served_at_peak: served_share(k_peak, tier.spread),
        throttled_off_peak: throttled_share(k_off, tier.spread),
        throttled_at_peak: throttled_share(k_peak, tier.spread),
    }
}
