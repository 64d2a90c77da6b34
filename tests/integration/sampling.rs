//! Sampled uncertainty (`[uncertainty] samples`): every sample is the model on the drawn
//! scenario, percentiles and chances follow the distributions the p10/p90 describe, the
//! same seed gives the same bytes on any thread count, and `check --at p90` gates on it.

use super::*;

/// tiny.toml with `lines` added to its `[uncertainty]` table.
fn tiny_sampled(lines: &str) -> String {
    tiny_with(&[("high = 1.2\n", &format!("high = 1.2\n{lines}\n"))])
}

/// The sampled figures of `policy` on `phase` in a compare document.
fn sampled<'a>(doc: &'a Value, policy: &str, phase: &str) -> &'a Value {
    &result(doc, policy, phase)["uncertainty"]["sampled"]
}

#[test]
fn a_degenerate_draw_is_the_scenario_with_those_numbers_written_in() {
    // p10 = p90: every sample draws the same users, tokens and throughput, so each
    // percentile is the model on the scenario with them written in.
    let file = ScenarioFile::new(
        "fixed",
        tiny_sampled(
            "samples = 50\nusers = { p10 = 0.7, p90 = 0.7 }\n\
             tokens_per_active_hour = { p10 = 1.3, p90 = 1.3 }\nthroughput = { p10 = 0.8, p90 = 0.8 }",
        ),
    );
    let written = ScenarioFile::new(
        "written",
        tiny_with(&[
            ("users = 100000", "users = 70000"),
            (
                "tokens_per_active_hour = 360000",
                "tokens_per_active_hour = 468000",
            ),
            (
                "tokens_per_s = { sonnet = 800 }",
                "tokens_per_s = { sonnet = 640 }",
            ),
        ]),
    );
    let sampled_doc = json(&capplan(&["compare", file.path(), "--format", "json"]));
    let written_doc = json(&capplan(&["compare", written.path(), "--format", "json"]));
    for policy in ["unlimited", "current", "double-5h"] {
        for phase in ["before", "after"] {
            let s = sampled(&sampled_doc, policy, phase);
            let w = result(&written_doc, policy, phase);
            let peak = w["peak_utilization"].as_f64().unwrap();
            for p in ["p10", "p50", "p90"] {
                assert_relative_eq!(
                    s["peak_utilization"][p].as_f64().unwrap(),
                    peak,
                    max_relative = 1e-12
                );
            }
            let fits = if w["fits"] == true { 1.0 } else { 0.0 };
            assert_eq!(s["p_fits"], fits, "{policy} {phase}");
            assert_eq!(s["p_fits_standard_error"], 0.0);
            assert_eq!(s["samples"], 50);
            assert_eq!(s["seed"], 1, "the default seed");
        }
    }
    // By hand for unlimited before: 125 % x 0.7 x 1.3 / 0.8 = 142.1875 %.
    assert_relative_eq!(
        sampled(&sampled_doc, "unlimited", "before")["peak_utilization"]["p50"]
            .as_f64()
            .unwrap(),
        1.421875,
        max_relative = 1e-12
    );
}

/// Phi(x), the standard normal CDF.
fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

#[test]
fn the_chance_to_fit_follows_the_log_normals() {
    // Unlimited: every sample's peak is 125 % x users / throughput, so ln(peak) is normal
    // with the mean and variance of the two log-normals the p10/p90 describe.
    let file = ScenarioFile::new(
        "lognormal",
        tiny_sampled(
            "samples = 20000\nseed = 11\nusers = { p10 = 0.8, p90 = 1.25 }\nthroughput = { p10 = 0.9, p90 = 1.1 }",
        ),
    );
    let doc = json(&capplan(&["compare", file.path(), "--format", "json"]));
    let s = sampled(&doc, "unlimited", "after");
    let z90 = 1.2815515655446004;
    let mu = 0.5 * (0.8f64.ln() + 1.25f64.ln()) - 0.5 * (0.9f64.ln() + 1.1f64.ln());
    let sigma = ((1.25f64.ln() - 0.8f64.ln()).powi(2) + (1.1f64.ln() - 0.9f64.ln()).powi(2)).sqrt()
        / (2.0 * z90);
    // unlimited after peaks at 83.3 % (tiny.toml's header); fits at <= 85 %.
    let base: f64 = 1.0 / 1.2;
    let expected = normal_cdf(((0.85 / base).ln() - mu) / sigma);
    let p_fits = s["p_fits"].as_f64().unwrap();
    let se = s["p_fits_standard_error"].as_f64().unwrap();
    assert_relative_eq!(
        se,
        (p_fits * (1.0 - p_fits) / 20000.0).sqrt(),
        max_relative = 1e-12
    );
    assert!(
        (p_fits - expected).abs() < 4.0 * se,
        "p_fits {p_fits} against {expected} (se {se})"
    );
    // The percentiles of a log-normal: base x exp(mu + z sigma).
    for (p, z) in [("p10", -z90), ("p50", 0.0), ("p90", z90)] {
        let got = s["peak_utilization"][p].as_f64().unwrap();
        let want = base * (mu + z * sigma).exp();
        assert_relative_eq!(got, want, max_relative = 0.01);
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes_on_any_thread_count() {
    let file = ScenarioFile::new(
        "seeded",
        tiny_sampled(
            "samples = 3000\nseed = 42\nusers = { p10 = 0.8, p90 = 1.25 }\n\
             tokens_per_active_hour = { p10 = 0.7, p90 = 1.4 }\ngrowth = { p10 = 0.02, p90 = 0.2 }",
        ),
    );
    for command in ["compare", "timeline"] {
        let args = [command, file.path(), "--format", "json"];
        let one = capplan_with(&args, &[("RAYON_NUM_THREADS", "1")]);
        let four = capplan_with(&args, &[("RAYON_NUM_THREADS", "4")]);
        assert_eq!(one.code, 0, "{}", one.stderr);
        assert_eq!(one.stdout, four.stdout, "{command}");
        assert_eq!(one.stdout, capplan(&args).stdout, "{command}");
    }
    let other = ScenarioFile::new(
        "other-seed",
        std::fs::read_to_string(&file.path)
            .unwrap()
            .replace("seed = 42", "seed = 43"),
    );
    let a = json(&capplan(&["compare", file.path(), "--format", "json"]));
    let b = json(&capplan(&["compare", other.path(), "--format", "json"]));
    assert_ne!(
        sampled(&a, "current", "before")["peak_utilization"],
        sampled(&b, "current", "before")["peak_utilization"]
    );
}

#[test]
fn a_fixed_sampled_growth_is_the_timeline_grown_at_that_rate() {
    // Growth p10 = p90 = tiny's 10 %: each month's chance is 1 where the timeline fits
    // and 0 where it does not; the runway is the months before the first miss.
    let file = ScenarioFile::new(
        "growth",
        tiny_sampled("samples = 20\ngrowth = { p10 = 0.1, p90 = 0.1 }"),
    );
    let doc = json(&capplan(&["timeline", file.path(), "--format", "json"]));
    let months = doc["months"].as_array().unwrap();
    for (i, runway) in doc["runway"].as_array().unwrap().iter().enumerate() {
        let fits: Vec<bool> = months
            .iter()
            .map(|m| m["results"][i]["fits"] == true)
            .collect();
        for (m, &fit) in months.iter().zip(&fits) {
            let chance = m["results"][i]["sampled"]["p_fits"].as_f64().unwrap();
            assert_eq!(chance, if fit { 1.0 } else { 0.0 }, "{}", m["date"]);
        }
        let first_miss = fits.iter().position(|f| !f).unwrap_or(fits.len()) as f64;
        let sampled = &runway["sampled"];
        for p in ["p10", "p50", "p90"] {
            assert_eq!(
                sampled["runway_months"][p], first_miss,
                "{}",
                runway["policy"]
            );
        }
        let throughout = if fits.iter().all(|&f| f) { 1.0 } else { 0.0 };
        assert_eq!(sampled["p_fits_throughout"], throughout);
    }
}

#[test]
fn a_sampled_month_is_a_dated_phase_on_its_worst_day() {
    // tiny.toml with samples, and a phase on 2026-05-31: May's worst day (every sample
    // grows at the timeline's 10 %, never negative, so each sample's worst May day is the
    // 31st too).
    let sampled_tiny = tiny_text().replace(
        "[uncertainty]\nlow = 0.8\nhigh = 1.2\n",
        "[uncertainty]\nsamples = 500\nseed = 7\nusers = { p10 = 0.8, p90 = 1.2 }\n",
    );
    let plain = ScenarioFile::new("sampled", sampled_tiny.clone());
    let timeline = json(&capplan(&["timeline", plain.path(), "--format", "json"]));
    let dated = ScenarioFile::new(
        "dated",
        format!("{sampled_tiny}\n[[phase]]\nname = \"may-end\"\non = \"2026-05-31\"\n"),
    );
    let compare = json(&capplan(&["compare", dated.path(), "--format", "json"]));
    for (i, policy) in ["unlimited", "current", "double-5h"].iter().enumerate() {
        let month = &timeline["months"][0]["results"][i];
        assert_eq!(month["worst_date"], "2026-05-31");
        assert_eq!(
            month["sampled"]["p_fits"],
            sampled(&compare, policy, "may-end")["p_fits"],
            "{policy}"
        );
    }
}

#[test]
fn colossus_says_its_chance_to_fit() {
    let table = capplan(&["compare", COLOSSUS]).stdout;
    assert!(
        table
            .contains("Chance to fit at colossus-1-online (2026-06-06) (10,000 samples): current "),
        "{table}"
    );
}

#[test]
fn check_at_p90_gates_on_the_ninetieth_percentile() {
    let file = ScenarioFile::new(
        "p90",
        tiny_sampled("samples = 2000\nseed = 5\nusers = { p10 = 0.9, p90 = 1.1 }"),
    );
    let compare = json(&capplan(&["compare", file.path(), "--format", "json"]));
    for policy in ["unlimited", "current", "double-5h"] {
        let p90 = sampled(&compare, policy, "after")["peak_utilization"]["p90"]
            .as_f64()
            .unwrap();
        let run = capplan(&[
            "check",
            file.path(),
            "--at",
            "p90",
            "--policy",
            policy,
            "--format",
            "json",
            "--quiet",
        ]);
        let fits = p90 <= 0.85;
        assert_eq!(
            run.code,
            if fits { 0 } else { 1 },
            "{policy}: {}",
            run.stderr
        );
        let doc: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(doc["check"]["at"], "p90");
        let reason = doc["check"]["reasons"][0].as_str().unwrap();
        assert!(
            reason.contains(&format!("{policy} (after, sampled p90): peak utilization"))
                && reason.contains("at the p90 of 2,000 samples"),
            "{reason}"
        );
    }
    // With --n-minus-1, the samples gate the peak and N-1 is judged at the scenario's own
    // demand, which the answer names as such (`mid`), with the figures of a plain check.
    let with_n_1 = |at: &str| -> Value {
        let run = capplan(&[
            "check",
            file.path(),
            "--at",
            at,
            "--n-minus-1",
            "--policy",
            "current",
            "--format",
            "json",
            "--quiet",
        ]);
        assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
        serde_json::from_str(&run.stdout).unwrap()
    };
    let (p90, mid) = (with_n_1("p90"), with_n_1("mid"));
    let n_1 = |doc: &Value| doc["results"][0]["n_minus_1"].clone();
    assert_eq!(n_1(&p90)["demand"], "mid");
    assert_eq!(n_1(&p90), n_1(&mid));
    let without = capplan(&["check", TINY, "--at", "p90"]);
    assert_eq!(without.code, 2);
    assert!(
        without.stderr.contains("--at p90 needs samples"),
        "{}",
        without.stderr
    );
}

#[test]
fn sampled_parameters_are_checked_with_their_place() {
    let cases = [
        (
            "samples = 0",
            "uncertainty.samples",
            "expected between 1 and 1,000,000 samples, found 0",
        ),
        (
            "users = { p10 = 0.9, p90 = 1.1 }",
            "uncertainty.users",
            "expected samples = N (how many to draw) with users",
        ),
        (
            "samples = 10\nusers = { p10 = 1.2, p90 = 0.9 }",
            "uncertainty.users",
            "expected p90 at least p10 (1.2), found 0.9",
        ),
        (
            "samples = 10\nthroughput = { p10 = 0, p90 = 1 }",
            "uncertainty.throughput.p10",
            "expected a multiplier above 0 and at most 100",
        ),
        (
            "samples = 10\ngrowth = { p10 = 0.1, p90 = 2 }",
            "uncertainty.growth.p90",
            "expected a monthly growth rate between -0.5 and 1",
        ),
        ("samples = 10\nseed = -1", "uncertainty.seed", ""),
    ];
    for (lines, key, message) in cases {
        let file = ScenarioFile::new("bad", tiny_sampled(lines));
        let run = capplan(&["compare", file.path()]);
        assert_eq!(run.code, 2, "{lines}: {}", run.stderr);
        assert!(run.stderr.contains("bad.toml:"), "{lines}: {}", run.stderr);
        assert!(run.stderr.contains(key), "{lines}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{lines}: {}", run.stderr);
        assert!(!run.stderr.contains("NaN") && !run.stderr.contains("panicked"));
    }
    // low without high, and an [uncertainty] with nothing in it.
    let file = ScenarioFile::new("half", tiny_with(&[("high = 1.2\n", "")]));
    let run = capplan(&["compare", file.path()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("expected high with low"),
        "{}",
        run.stderr
    );
    let file = ScenarioFile::new("empty", tiny_with(&[("low = 0.8\nhigh = 1.2\n", "")]));
    let run = capplan(&["compare", file.path()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("expected low and high (demand cases), or samples"),
        "{}",
        run.stderr
    );
}

/// A class no tier asks, served only by an addition, leaves every tier servable before it
/// arrives: the timeline's samples fit as the deterministic month does (they used to be
/// marked unserved, p_fits 0, while the month fitted).
#[test]
fn a_class_no_tier_asks_does_not_make_samples_unservable() {
    let text = tiny_with(&[
        (
            "[uncertainty]\nlow = 0.8\nhigh = 1.2",
            "[uncertainty]\nsamples = 20\nseed = 1\nthroughput = { p10 = 0.99, p90 = 1.01 }",
        ),
        (
            "[[site]]\nname = \"home\"",
            "[gpu.b]\nwatts = 700\ntokens_per_s = { code = 100 }\n\n[[site]]\nname = \"home\"",
        ),
        (
            "online = \"2026-06-06\"\npower_mw = 0.756\npue = 1.2\ngpus = { h100 = 1000 }",
            "online = \"2026-06-06\"\npower_mw = 0.756\npue = 1.2\ngpus = { h100 = 1000, b = 10 }",
        ),
    ]);
    let file = ScenarioFile::new("unused_class", text);
    let doc = json(&capplan(&["timeline", file.path(), "--format", "json"]));
    let may = &doc["months"][0];
    assert_eq!(may["date"], "2026-05-01");
    let current = may["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["policy"] == "current")
        .unwrap();
    assert_eq!(current["fits"], true);
    assert_eq!(current["sampled"]["p_fits"], 1.0);
}
