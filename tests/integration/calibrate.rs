//! `capplan calibrate`: colossus.toml reproduces its anchor, `--apply` changes only the
//! adjusted values, bad calibrations exit 2 naming the key, a bound exits 1.

use super::*;

/// tiny.toml with these observations and adjust groups appended.
fn tiny_calibrated(extra: &str) -> ScenarioFile {
    ScenarioFile::new("t", tiny_text() + extra)
}

const PEAK: &str =
    "\n[[observed]]\npolicy = \"unlimited\"\nphase = \"before\"\npeak_utilization = 0.9\n";

#[test]
fn colossus_calibrates_to_its_anchor() {
    let doc = json(&capplan(&["calibrate", COLOSSUS, "-q", "--format", "json"]));
    assert_eq!(doc["kind"], "calibration");
    let m = doc["multipliers"][0]["multiplier"].as_f64().unwrap();
    // The file's users are the anchor's x1.08 of the estimates; the exact edge is x1.087.
    assert!((1.0..1.01).contains(&m), "{m}");
    let peak = &doc["observations"][0];
    assert_eq!(peak["metric"], "peak_utilization");
    assert!(peak["residual"].as_f64().unwrap().abs() < 1e-3, "{peak}");
    let revenue = &doc["observations"][1];
    assert_eq!(revenue["metric"], "revenue_per_week");
    assert!(
        revenue["residual"].as_f64().unwrap().abs() < 0.02,
        "{revenue}"
    );
    assert_eq!(doc["inputs"].as_array().unwrap().len(), 5);
}

#[test]
fn apply_changes_only_the_adjusted_values_and_keeps_every_comment() {
    let original =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(COLOSSUS)).unwrap();
    let file = ScenarioFile::new("colossus", &original);
    // Its curve files sit beside the original.
    let dir = file.path.parent().unwrap();
    std::os::unix::fs::symlink(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/curves"),
        dir.join("curves"),
    )
    .unwrap();
    let run = capplan(&["calibrate", file.path(), "-q", "--apply"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let applied = std::fs::read_to_string(&file.path).unwrap();
    let (before, after): (Vec<&str>, Vec<&str>) =
        (original.lines().collect(), applied.lines().collect());
    assert_eq!(before.len(), after.len());
    let mut changed = Vec::new();
    for (b, a) in before.iter().zip(&after) {
        if b != a {
            changed.push((*b, *a));
        }
    }
    assert_eq!(changed.len(), 5, "{changed:?}");
    for (b, a) in &changed {
        assert!(
            b.starts_with("users = ") && a.starts_with("users = "),
            "{b} → {a}"
        );
        // The comment stays, the marker follows it.
        let comment = b.split_once('#').unwrap().1.trim();
        assert!(a.contains(comment), "{a}");
        assert!(a.contains("# calibrated 20") && a.contains(" ×1.00"), "{a}");
    }
    // Run again: the multiplier is now 1, markers are replaced, not added.
    let run = capplan(&[
        "calibrate",
        file.path(),
        "-q",
        "--apply",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let again = std::fs::read_to_string(&file.path).unwrap();
    assert_eq!(again.matches("# calibrated").count(), 5);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let m = doc["multipliers"][0]["multiplier"].as_f64().unwrap();
    assert!((m - 1.0).abs() < 1e-6, "{m}");
}

#[test]
fn a_bad_calibration_exits_2_naming_the_key() {
    for (extra, says) in [
        (
            "\n[[observed]]\npolicy = \"nope\"\nphase = \"before\"\npeak_utilization = 0.9\n[calibration]\nadjust = [\"users:pro\"]\n",
            "observed[0].policy",
        ),
        (
            "\n[[observed]]\npolicy = \"current\"\nphase = \"later\"\npeak_utilization = 0.9\n[calibration]\nadjust = [\"users:pro\"]\n",
            "observed[0].phase",
        ),
        (
            "\n[[observed]]\npolicy = \"current\"\nphase = \"before\"\ntier = \"max\"\nthrottled_share_at_peak = 0.5\n[calibration]\nadjust = [\"users:pro\"]\n",
            "observed[0].tier",
        ),
        (
            &format!("{PEAK}[calibration]\nadjust = [\"users:team\"]\n"),
            "calibration.adjust[0]",
        ),
        (
            &format!("{PEAK}[calibration]\nadjust = [\"rates:a100\"]\n"),
            "calibration.adjust[0]",
        ),
        (
            &format!("{PEAK}[calibration]\nadjust = [\"watts:h100\"]\n"),
            "calibration.adjust[0]",
        ),
        (
            &format!("{PEAK}[calibration]\nadjust = [\"users:pro\", \"users:pro\"]\n"),
            "calibration.adjust[1]",
        ),
        // Spread is 0 in tiny: no multiplier moves the peak.
        (
            &format!("{PEAK}[calibration]\nadjust = [\"spread:pro\"]\n"),
            "observed[0]",
        ),
        (
            "\n[[observed]]\npolicy = \"current\"\nphase = \"before\"\npeak_utilization = 0.9\nserved_share = 0.5\n[calibration]\nadjust = [\"users:pro\"]\n",
            "observed[0]",
        ),
        (PEAK, "calibration.adjust"),
    ] {
        let file = tiny_calibrated(extra);
        let run = capplan(&["calibrate", file.path(), "-q"]);
        assert_eq!(run.code, 2, "{extra}: {}", run.stdout);
        assert!(run.stderr.contains(says), "{extra}: {}", run.stderr);
    }
}

#[test]
fn a_multiplier_at_its_bound_exits_1_with_the_residuals() {
    let file = tiny_calibrated(
        "\n[[observed]]\npolicy = \"unlimited\"\nphase = \"before\"\npeak_utilization = 0.001\n[calibration]\nadjust = [\"users:pro\"]\n",
    );
    let run = capplan(&["calibrate", file.path(), "-q"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("sits at its bound"), "{}", run.stdout);
    assert!(run.stdout.contains("peak_utilization"), "{}", run.stdout);
}
