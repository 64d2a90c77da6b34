//! Properties that must hold for any valid scenario, checked on generated variants of
//! tiny.toml with several tiers, spreads and limits.
use capplan::model::{Comparison, Phase};
use capplan::scenario::Scenario;
use proptest::prelude::*;

/// A scenario with two SKUs, two sites, two tiers, one limited policy.
fn scenario(
    gpus: f64,
    power_mw: f64,
    budget: f64,
    weekly: f64,
    spread: f64,
    peak: f64,
    users: f64,
) -> Scenario {
    let text = format!(
        r#"
[scenario]
name = "prop"
step = "30m"
utilization_target = 0.8
peak_hours = ["mon-fri 13:00-19:00"]

[gpu.a]
watts = 700
overhead = 0.8
tokens_per_s = {{ big = 300, small = 1200 }}

[gpu.b]
watts = 1200
overhead = 0.5
tokens_per_s = {{ big = 1500, small = 6000 }}

[[site]]
name = "one"
power_mw = {power_mw:?}
pue = 1.2
availability = 0.95
gpus = {{ a = {gpus:?}, b = 100 }}

[[site]]
name = "two"
online = "2026-06-01"
power_mw = 5
pue = 1.3
gpus = {{ b = 1000 }}

[curve.c]
weekday = [0.02, 0.02, 0.02, 0.02, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09,
       0.1, 0.1, 0.1, 0.1, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.02]
weekend = [0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.02, 0.03, 0.03, 0.04, 0.04,
       0.05, 0.05, 0.05, 0.05, 0.04, 0.04, 0.03, 0.03, 0.02, 0.02, 0.01, 0.01]

[[tier]]
name = "sub"
users = {users:?}
curve = "c"
tokens_per_active_hour = 50000
spread = {spread:?}
mix = {{ big = 0.3, small = 0.7 }}

[[tier]]
name = "api"
users = 500
curve = "c"
tokens_per_active_hour = 2000000
spread = 2
mix = {{ big = 1.0 }}

[[policy]]
name = "p"
[policy.limits.sub]
window = "5h"
window_tokens = {budget:?}
weekly_tokens = {weekly:?}
peak_factor = {peak:?}
[policy.limits.api]
window = "1m"
window_tokens = {budget:?}
"#
    );
    Scenario::parse(&text, "prop.toml").unwrap()
}

fn run(s: &Scenario) -> Comparison {
    Comparison::run(s, &[0], &Phase::UNDATED)
}

/// Utilization of `big` is nowhere above that of `small`, step by step.
fn assert_not_higher(small: &Comparison, big: &Comparison) -> Result<(), TestCaseError> {
    for (a, b) in small.results.iter().zip(&big.results) {
        prop_assert!(b.headroom.peak_utilization <= a.headroom.peak_utilization * (1.0 + 1e-12));
        for (ua, ub) in a.headroom.utilization.iter().zip(&b.headroom.utilization) {
            prop_assert!(*ub <= ua * (1.0 + 1e-12));
        }
    }
    Ok(())
}

#[test]
fn more_gpus_on_a_power_bound_site_can_lower_capacity() {
    // The power is shared pro rata over every GPU, so adding H100-class GPUs (fewer
    // tokens per watt) to a power-bound site takes power from its GB200-class GPUs.
    // This is the formula's behaviour, documented in docs/model.md.
    let few = run(&scenario(1000.0, 0.5, 1e6, 1e8, 1.0, 1.0, 2e6));
    let many = run(&scenario(5000.0, 0.5, 1e6, 1e8, 1.0, 1.0, 2e6));
    assert!(many.phases[0].1.tokens_per_s[0] < few.phases[0].1.tokens_per_s[0]);
    assert!(many.results[0].headroom.peak_utilization > few.results[0].headroom.peak_utilization);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn outputs_are_finite_and_in_range(
        gpus in 0.0f64..50_000.0, power in 0.1f64..100.0, budget in 0.0f64..1e7,
        weekly in 0.0f64..1e8, spread in 0.0f64..3.0, peak in 0.0f64..2.0, users in 0.0f64..1e7,
    ) {
        let s = scenario(gpus, power, budget, weekly, spread, peak, users);
        for result in run(&s).results {
            let h = result.headroom;
            for value in [h.peak_utilization, h.hours_over_target, h.served_share,
                          h.throttled_share_at_peak, h.shed_share, h.mw_to_fit] {
                prop_assert!(value.is_finite() && value >= 0.0, "{value}");
            }
            prop_assert!(h.served_share <= 1.0 + 1e-12);
            prop_assert!(h.throttled_share_at_peak <= 1.0 + 1e-12);
            prop_assert!(h.shed_share < 1.0);
            prop_assert!(h.hours_over_target <= 168.0);
            prop_assert!(h.utilization.iter().all(|u| u.is_finite() && *u >= 0.0));
        }
    }

    #[test]
    fn more_power_never_raises_utilization(
        gpus in 1.0f64..20_000.0, power in 0.5f64..50.0, extra_power in 1.0f64..3.0,
        budget in 1e4f64..1e7, spread in 0.1f64..2.5,
    ) {
        let small = run(&scenario(gpus, power, budget, 1e8, spread, 0.5, 2e6));
        let big = run(&scenario(gpus, power * extra_power, budget, 1e8, spread, 0.5, 2e6));
        assert_not_higher(&small, &big)?;
    }

    #[test]
    fn more_gpus_on_ample_power_never_raise_utilization(
        gpus in 1.0f64..20_000.0, more in 1.0f64..3.0, budget in 1e4f64..1e7, spread in 0.1f64..2.5,
    ) {
        // 1,000 MW runs every GPU: the site is never power-bound here.
        let small = run(&scenario(gpus, 1000.0, budget, 1e8, spread, 0.5, 2e6));
        let big = run(&scenario(gpus * more, 1000.0, budget, 1e8, spread, 0.5, 2e6));
        assert_not_higher(&small, &big)?;
    }

    #[test]
    fn larger_limits_never_lower_served_demand(
        budget in 0.0f64..1e7, raise in 1.0f64..4.0, weekly in 1e5f64..1e8, spread in 0.0f64..2.5,
        peak in 0.1f64..1.5,
    ) {
        let tight = run(&scenario(5000.0, 20.0, budget, weekly, spread, peak, 2e6));
        let loose = run(&scenario(5000.0, 20.0, budget * raise, weekly * raise, spread, peak, 2e6));
        for (a, b) in tight.results.iter().zip(&loose.results) {
            prop_assert!(b.headroom.served_share >= a.headroom.served_share * (1.0 - 1e-12));
            prop_assert!(b.headroom.peak_utilization >= a.headroom.peak_utilization * (1.0 - 1e-12));
        }
    }
}
