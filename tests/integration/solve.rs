//! `solve`: hand-computed multipliers; solved budgets fit and 1 % more does not.

use super::*;

#[test]
fn solve_hand_computed() {
    // current, before: weekday off peak U = 1.25 * (5/9) m <= 0.85 gives m* = 1.224.
    let doc = json(&capplan(&[
        "solve", TINY, "--policy", "current", "--phase", "before", "--format", "json",
    ]));
    assert_eq!(doc["outcome"], "bounded");
    assert_eq!(doc["multiplier"], 1.22);
    assert_eq!(doc["binding_time"], "Mon 00:00");
    assert_eq!(doc["budgets"][0]["tier"], "pro");
    assert_eq!(doc["budgets"][0]["solved_window_tokens"], 1_220_000.0);
    let run = capplan(&["solve", TINY, "--policy", "current", "--phase", "before"]);
    assert!(
        run.stdout
            .contains("pro: 5h window 1,000,000 → 1,220,000 tokens"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("x1.22"), "{}", run.stdout);
    // After, unlimited demand fits (83.3% <= 85%): no budget binds.
    let doc = json(&capplan(&[
        "solve", TINY, "--policy", "current", "--format", "json",
    ]));
    assert_eq!(doc["outcome"], "unbounded");
    assert_eq!(doc["multiplier"], Value::Null);
}

#[test]
fn solved_budgets_fit_and_one_percent_more_does_not() {
    let doc = json(&capplan(&[
        "solve", COLOSSUS, "--policy", "may-2026", "--phase", "before", "--tier", "pro", "--tier",
        "max-5x", "--tier", "max-20x", "--format", "json",
    ]));
    let m = doc["multiplier"].as_f64().unwrap();
    assert!(m > 0.0 && m < 1.0, "{m}");
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(COLOSSUS)).unwrap();
    // Put the budgets back into the scenario as a new policy, scaled by m and by 1.01 m.
    let section = |scale: f64, name: &str| {
        let start = text.find("name = \"may-2026\"").unwrap();
        // may-2026's own tables: up to the next policy, if any.
        let body = &text[start..];
        let body = body.split("\n[[policy]]").next().unwrap();
        let mut out = format!("\n[[policy]]\nname = \"{name}\"\n");
        let mut tier = "";
        for line in body.lines().skip(2) {
            if let Some(t) = line.strip_prefix("[policy.limits.") {
                tier = t.trim_end_matches(']');
            }
            let scaled_tier = matches!(tier, "pro" | "max-5x" | "max-20x");
            match line.split_once(" = ") {
                Some((key @ ("window_tokens" | "weekly_tokens"), value)) if scaled_tier => {
                    let v: f64 = value.split_whitespace().next().unwrap().parse().unwrap();
                    out.push_str(&format!("{key} = {:?}\n", (v * scale).floor()));
                }
                _ => out.push_str(&format!("{line}\n")),
            }
        }
        out
    };
    let scenario = format!(
        "{text}{}{}",
        section(m, "solved"),
        section(m * 1.01, "solved-plus-1pc")
    );
    let file = ScenarioFile::new("solved", scenario);
    let run = capplan(&[
        "check",
        file.path(),
        "--phase",
        "before",
        "--policy",
        "solved",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let run = capplan(&[
        "check",
        file.path(),
        "--phase",
        "before",
        "--policy",
        "solved-plus-1pc",
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
}

#[test]
fn solve_zero_and_bad_tiers() {
    // A second, unlimited tier that alone exceeds the target: no budget for pro helps.
    let text = tiny_text().replace(
        "[[policy]]\nname = \"unlimited\"",
        "[[tier]]\nname = \"api\"\nusers = 100\ncurve = \"flat\"\ntokens_per_active_hour = 1e9\nmix = { sonnet = 1.0 }\n\n[[policy]]\nname = \"unlimited\"",
    );
    let file = ScenarioFile::new("zero", text);
    let doc = json(&capplan(&[
        "solve",
        file.path(),
        "--policy",
        "current",
        "--format",
        "json",
    ]));
    assert_eq!(doc["outcome"], "zero");
    assert_eq!(doc["multiplier"], 0.0);
    let run = capplan(&["solve", file.path(), "--policy", "current", "--tier", "api"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("sets no limit for it"),
        "{}",
        run.stderr
    );
    let run = capplan(&["solve", TINY, "--policy", "current", "--tier", "nope"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--tier \"nope\": no such tier"),
        "{}",
        run.stderr
    );
    let run = capplan(&["solve", TINY, "--policy", "unlimited"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("limits no tier"), "{}", run.stderr);
}
