//! Bytes → scenario → every question of the model. Invalid input must come back as a
//! ScenarioError (never a panic); valid input must give finite numbers everywhere.
#![no_main]

use capplan::model::{Comparison, Phase};
use capplan::plan::{self, CheckRule, DemandCase, SolveRequest};
use capplan::scenario::Scenario;
use libfuzzer_sys::fuzz_target;

fn finite(what: &str, value: f64) {
    assert!(value.is_finite(), "{what} is {value}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let scenario = match Scenario::parse(text, "fuzz.toml") {
        Ok(scenario) => scenario,
        Err(error) => {
            // Rendering the diagnostics must not panic either.
            let _ = error.to_string();
            return;
        }
    };
    // Keep each run short: the model's cost grows with steps x tiers x policies.
    if scenario.steps() * scenario.tiers.len() * scenario.policies.len() > 200_000 {
        return;
    }
    let policies: Vec<usize> = (0..scenario.policies.len()).collect();
    let comparison = Comparison::run(&scenario, &policies, &Phase::UNDATED);
    for (_, fleet) in &comparison.phases {
        finite("serving_mw", fleet.serving_mw);
        fleet.tokens_per_s.iter().for_each(|t| finite("tokens_per_s", *t));
    }
    for result in &comparison.results {
        let h = &result.headroom;
        for (what, v) in [
            ("peak_utilization", h.peak_utilization),
            ("hours_over_target", h.hours_over_target),
            ("served_share", h.served_share),
            ("throttled_share_at_peak", h.throttled_share_at_peak),
            ("shed_share", h.shed_share),
            ("mw_to_fit", h.mw_to_fit),
        ] {
            finite(what, v);
        }
        assert!((0.0..=1.0 + 1e-9).contains(&h.served_share), "served_share {}", h.served_share);
        h.utilization.iter().for_each(|u| finite("utilization", *u));
        if let Some(n) = &result.n_minus_1 {
            finite("n-1 peak", n.headroom.peak_utilization);
        }
    }
    let report = plan::compare(&scenario, &policies);
    let _ = serde_json::to_string(&report).unwrap();
    let rule = CheckRule { phase: Phase::After, at: DemandCase::Mid, n_minus_1: true, min_margins: Vec::new() };
    let _ = plan::check(&scenario, &policies, rule).unwrap();
    if scenario.timeline.as_ref().is_some_and(|t| t.months <= 6) {
        let timeline = plan::timeline(&scenario, &policies).unwrap();
        for month in &timeline.months {
            month.results.iter().for_each(|r| finite("timeline peak", r.peak_utilization));
        }
    }
    let request = SolveRequest { policy: 0, tiers: Vec::new(), phase: Phase::After, budget: plan::Budget::Output, max_serving_cost: None };
    if let Ok(solved) = plan::solve(&scenario, &request) {
        finite("solve peak", solved.peak_utilization);
        if let Some(m) = solved.multiplier {
            finite("multiplier", m);
        }
    }
    let explained = plan::explain(&scenario, 0, Phase::After);
    explained.what_if.iter().for_each(|w| finite("what-if", w.peak_utilization));
    explained.tiers.iter().for_each(|t| finite("tier share", t.load_share));
});
