//! Model v3 "Time": ramps, offline dates, dated phases, the worst point of each month and
//! the runway as dates. Every expected value is computed by hand from the contract
//! (shared/MODEL.md "v3 Time"), not read from the code: the scenarios in tests/fixtures/v3
//! have one SKU, one tier, a flat curve, spread 0 and no limits, so utilization is the same
//! at every step of the week:
//!
//!   U(d) = users * 0.1 * 360,000 / 3600 / (serving GPUs on d * 1,000 tokens/s)
//!          * (1 + growth)^(days(d - start) / 30.436875)
//!
//! i.e. U = (users / 100,000) / (GPUs / 1,000) times the growth factor. Each file's header
//! repeats its own derivation.

use super::*;

const GROWTH: &str = "tests/fixtures/v3/growth.toml";
const GROWTH_PHASES: &str = "tests/fixtures/v3/growth-phases.toml";
const EVE: &str = "tests/fixtures/v3/eve.toml";
const EVE_PHASES: &str = "tests/fixtures/v3/eve-phases.toml";
const OFFLINE: &str = "tests/fixtures/v3/offline.toml";
const OFFLINE_FLAT: &str = "tests/fixtures/v3/offline-flat.toml";
const AFTER: &str = "tests/fixtures/v3/after.toml";
const RAMP: &str = "tests/fixtures/v3/ramp.toml";
const RAMP_POWER: &str = "tests/fixtures/v3/ramp-power.toml";

/// Mean days per month in the contract's fractional months.
const MONTH_DAYS: f64 = 30.436875;

/// The contract's demand growth: `u0 * (1 + g)^(days / 30.436875)`.
fn grown(u0: f64, g: f64, days: f64) -> f64 {
    u0 * (1.0 + g).powf(days / MONTH_DAYS)
}

fn timeline(path: &str) -> Value {
    let doc = json(&capplan(&["timeline", path, "--format", "json"]));
    assert_eq!(doc["schema_version"], 3, "{path}");
    doc
}

fn compare(path: &str) -> Value {
    let doc = json(&capplan(&["compare", path, "--format", "json"]));
    assert_eq!(doc["schema_version"], 3, "{path}");
    doc
}

/// The timeline row whose first day is `date`.
fn month<'a>(doc: &'a Value, date: &str) -> &'a Value {
    doc["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["date"] == date)
        .unwrap_or_else(|| panic!("no month dated {date}"))
}

/// The one policy's (`open`) result in a timeline row.
fn open(row: &Value) -> &Value {
    let result = &row["results"][0];
    assert_eq!(result["policy"], "open");
    result
}

/// The one policy's runway.
fn runway(doc: &Value) -> &Value {
    let runway = &doc["runway"][0];
    assert_eq!(runway["policy"], "open");
    runway
}

/// The one policy's result on the phase `phase` of a compare document.
fn on_phase<'a>(doc: &'a Value, phase: &str) -> &'a Value {
    result(doc, "open", phase)
}

/// The site `name` in the compare document's phase `phase`.
fn site<'a>(doc: &'a Value, phase: &str, name: &str) -> &'a Value {
    doc["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == phase)
        .unwrap_or_else(|| panic!("no phase {phase}"))["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no site {name} in phase {phase}"))
}

fn phase_of<'a>(doc: &'a Value, phase: &str) -> &'a Value {
    doc["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == phase)
        .unwrap_or_else(|| panic!("no phase {phase}"))
}

fn num(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

fn close(actual: &Value, expected: f64) {
    assert_relative_eq!(num(actual), expected, max_relative = 1e-9);
}

// ---------------------------------------------------------------------------------------
// 1. A month is judged at its worst point, not its first day.

#[test]
fn growth_crossing_the_target_inside_a_month_fails_that_month() {
    let doc = timeline(GROWTH);
    let dates: Vec<&str> = doc["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates.len(), 12);
    assert_eq!(dates[0], "2026-05-01");
    assert_eq!(dates[3], "2026-08-01");
    assert_eq!(dates[11], "2027-04-01");

    // May: growth >= 0 and a constant fleet, so the worst point is the last day, May 31
    // (30 days): U = 0.8 * 1.02^(30 / 30.436875) = 0.815768
    let may = open(month(&doc, "2026-05-01"));
    assert_eq!(may["worst_date"], "2026-05-31");
    close(&may["peak_utilization"], grown(0.8, 0.02, 30.0));
    assert_eq!(may["fits"], true);

    // July 31 (91 days): 0.8 * 1.02^(91 / 30.436875) = 0.848795 <= 0.85
    let july = open(month(&doc, "2026-07-01"));
    assert_eq!(july["worst_date"], "2026-07-31");
    close(&july["peak_utilization"], grown(0.8, 0.02, 91.0));
    assert_eq!(july["fits"], true);

    // August: its first day (92 days) has U = 0.8 * 1.02^(92 / 30.436875) = 0.849347, which
    // fits (the v2 first-day reading), but its last day (122 days) has
    // 0.8 * 1.02^(122 / 30.436875) = 0.866088 > 0.85: the month does not fit.
    assert!(grown(0.8, 0.02, 92.0) <= 0.85);
    let august = open(month(&doc, "2026-08-01"));
    assert_eq!(august["worst_date"], "2026-08-31");
    close(&august["peak_utilization"], grown(0.8, 0.02, 122.0));
    assert_eq!(august["fits"], false);
}

#[test]
fn the_eve_of_an_addition_is_its_months_worst_point() {
    let doc = timeline(EVE);
    // June: first day 2026-06-01; new comes online on 2026-06-16 (an event day inside June,
    // its eve 2026-06-15 too). Points: June 1, 15, 16, 30.
    let june = month(&doc, "2026-06-01");
    assert_eq!(june["sites_online"], 1);
    assert_eq!(june["additions"], serde_json::json!(["new"]));
    assert_eq!(june["additions_on"], serde_json::json!(["2026-06-16"]));
    assert_eq!(june["removals"], serde_json::json!([]));
    // serving_mw on the first day: home only, 1,000 * 1,260 W * 1.2 / 1e6 = 1.512 MW
    close(&june["serving_mw"], 1.512);
    // June 1 (31 days):  0.76 * 1.1^(31/30.436875)       = 0.837475 (fits)
    // June 15 (45 days): 0.76 * 1.1^(45/30.436875)       = 0.875007 (home alone: worst)
    // June 16 (46 days): 0.76 * 1.1^(46/30.436875) / 2   = 0.438876
    // June 30 (60 days): 0.76 * 1.1^(60/30.436875) / 2   = 0.458544
    assert!(grown(0.76, 0.1, 31.0) <= 0.85);
    let june = open(june);
    assert_eq!(june["worst_date"], "2026-06-15");
    close(&june["peak_utilization"], grown(0.76, 0.1, 45.0));
    assert_eq!(june["fits"], false);

    // May: constant fleet, worst on May 31 (30 days): 0.76 * 1.1^(30/30.436875) = 0.834857
    let may = open(month(&doc, "2026-05-01"));
    assert_eq!(may["worst_date"], "2026-05-31");
    close(&may["peak_utilization"], grown(0.76, 0.1, 30.0));
    assert_eq!(may["fits"], true);

    // July: 2,000 GPUs all month, worst on July 31 (91 days): 0.38 * 1.1^(91/30.436875)
    // = 0.505288
    let july_row = month(&doc, "2026-07-01");
    assert_eq!(july_row["sites_online"], 2);
    assert_eq!(july_row["additions"], serde_json::json!([]));
    close(&july_row["serving_mw"], 3.024);
    let july = open(july_row);
    assert_eq!(july["worst_date"], "2026-07-31");
    close(&july["peak_utilization"], grown(0.38, 0.1, 91.0));
    assert_eq!(july["fits"], true);

    // Runway: home alone fits while 0.76 * 1.1^(n/30.436875) <= 0.85, i.e.
    // n <= 30.436875 * ln(0.85/0.76) / ln(1.1) = 35.74: the last fitting day is n = 35,
    // 2026-06-05 (U = 0.848031); 2026-06-06 (n = 36) has U = 0.850691 > 0.85.
    assert!(grown(0.76, 0.1, 35.0) <= 0.85 && grown(0.76, 0.1, 36.0) > 0.85);
    let runway = runway(&doc);
    assert_eq!(runway["first_fit"], "2026-05-01");
    assert_eq!(runway["first_miss"], "2026-06-06");
    assert_eq!(runway["holds_until"], "2026-06-05");
    assert_eq!(runway["fits_throughout"], false);
}

#[test]
fn an_offline_day_is_the_worst_point_of_a_month_without_growth() {
    let doc = timeline(OFFLINE_FLAT);
    // growth 0: U = 0.5 with both sites, 1.0 after lease goes (2026-06-16).
    // May: every point ties at 0.5; the tie goes to the earliest day, May 1.
    let may = open(month(&doc, "2026-05-01"));
    assert_eq!(may["worst_date"], "2026-05-01");
    close(&may["peak_utilization"], 0.5);
    assert_eq!(may["fits"], true);
    // June: June 1 and June 15 (the eve) 0.5, June 16 and June 30 1.0: worst 1.0, earliest
    // at 2026-06-16; the first day (0.5) fits but the month does not.
    let june_row = month(&doc, "2026-06-01");
    assert_eq!(june_row["sites_online"], 2);
    assert_eq!(june_row["removals"], serde_json::json!(["lease"]));
    let june = open(june_row);
    assert_eq!(june["worst_date"], "2026-06-16");
    close(&june["peak_utilization"], 1.0);
    assert_eq!(june["fits"], false);
    // July: home alone all month, 1.0 everywhere: worst on its first day.
    let july = open(month(&doc, "2026-07-01"));
    assert_eq!(july["worst_date"], "2026-07-01");
    close(&july["peak_utilization"], 1.0);
    assert_eq!(july["fits"], false);
    // Runway: fits 2026-05-01 .. 2026-06-15, misses from 2026-06-16 (offline day) on.
    let runway = runway(&doc);
    assert_eq!(runway["first_fit"], "2026-05-01");
    assert_eq!(runway["first_miss"], "2026-06-16");
    assert_eq!(runway["holds_until"], "2026-06-15");
    assert_eq!(runway["fits_throughout"], false);
}

// ---------------------------------------------------------------------------------------
// 2. An offline site lowers every later month.

#[test]
fn an_offline_site_lowers_every_later_month() {
    let doc = timeline(OFFLINE);
    let months = doc["months"].as_array().unwrap();
    assert_eq!(months.len(), 4);
    // On each month's first day: May and June both sites, July and August home only.
    let online: Vec<i64> = months
        .iter()
        .map(|m| m["sites_online"].as_i64().unwrap())
        .collect();
    assert_eq!(online, [2, 2, 1, 1]);
    // lease's offline date 2026-06-16 falls in June.
    let removals: Vec<&Value> = months.iter().map(|m| &m["removals"]).collect();
    assert_eq!(removals[0], &serde_json::json!([]));
    assert_eq!(removals[1], &serde_json::json!(["lease"]));
    assert_eq!(removals[2], &serde_json::json!([]));
    assert_eq!(removals[3], &serde_json::json!([]));
    // serving_mw (first day): 1.512 MW a site (1,000 * 1,260 W * 1.2 / 1e6).
    for (m, mw) in [1.512 * 2.0, 1.512 * 2.0, 1.512, 1.512].iter().enumerate() {
        close(&months[m]["serving_mw"], *mw);
    }
    // Worst points, growth 5 % a month, each month's last day (constant fleet after
    // 2026-06-16, demand growing):
    //   May 31 (30 days), both sites:  0.5 * 1.05^(30/30.436875)  = 0.524632  fits
    //   June 30 (60 days), home only:  1.0 * 1.05^(60/30.436875)  = 1.100957  no
    //   July 31 (91 days):             1.0 * 1.05^(91/30.436875)  = 1.157049  no
    //   August 31 (122 days):          1.0 * 1.05^(122/30.436875) = 1.215998  no
    let expected = [
        ("2026-05-31", grown(0.5, 0.05, 30.0), true),
        ("2026-06-30", grown(1.0, 0.05, 60.0), false),
        ("2026-07-31", grown(1.0, 0.05, 91.0), false),
        ("2026-08-31", grown(1.0, 0.05, 122.0), false),
    ];
    for (m, (worst, peak, fits)) in expected.iter().enumerate() {
        let result = open(&months[m]);
        assert_eq!(result["worst_date"], *worst, "month {m}");
        close(&result["peak_utilization"], *peak);
        assert_eq!(result["fits"], *fits, "month {m}");
    }
    // Runway: June 15 (45 days) 0.5 * 1.05^(45/30.436875) = 0.537400 fits; June 16 (46 days)
    // 1.0 * 1.05^(46/30.436875) = 1.076524 does not.
    let runway = runway(&doc);
    assert_eq!(runway["first_fit"], "2026-05-01");
    assert_eq!(runway["first_miss"], "2026-06-16");
    assert_eq!(runway["holds_until"], "2026-06-15");
    assert_eq!(runway["fits_throughout"], false);
}

// ---------------------------------------------------------------------------------------
// 3. A 30-day ramp is at half on its 15th day.

#[test]
fn a_30_day_ramp_is_half_on_its_15th_day() {
    let doc = compare(RAMP);
    // Dated phases, in file order, with their dates.
    let phases: Vec<(&str, &str)> = doc["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["on"].as_str().unwrap()))
        .collect();
    assert_eq!(
        phases,
        [
            ("day1", "2026-06-01"),
            ("half", "2026-06-15"),
            ("full", "2026-06-30")
        ]
    );
    let names: Vec<&str> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["phase"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["day1", "half", "full"]);
    // No [timeline]: demand not grown, 100,000 users = 1,000,000 tokens/s.
    // day1 (d - online = 0): fraction 1/30, 33.333 GPUs:
    //   U = 1e6 / ((1,000 + 1,000/30) * 1,000) = 30/31 = 0.967742 > 0.85
    let day1 = on_phase(&doc, "day1");
    close(
        &day1["peak_utilization"],
        1e6 / ((1000.0 + 1000.0 / 30.0) * 1000.0),
    );
    assert_eq!(day1["fits"], false);
    close(
        &site(&doc, "day1", "ramp")["serving_gpus"]["h100"],
        1000.0 / 30.0,
    );
    // half (June 15, d - online = 14): fraction 15/30 = 0.5, 500 GPUs:
    //   U = 1e6 / (1,500 * 1,000) = 0.666667
    let half = on_phase(&doc, "half");
    close(&half["peak_utilization"], 1e6 / 1.5e6);
    assert_eq!(half["fits"], true);
    close(&site(&doc, "half", "ramp")["serving_gpus"]["h100"], 500.0);
    close(&site(&doc, "half", "ramp")["power_factor"], 1.0);
    // serving_mw: (1,000 + 500) * 1,260 W * 1.2 / 1e6 = 2.268 MW
    close(&phase_of(&doc, "half")["serving_mw"], 2.268);
    // full (June 30, d - online = 29): fraction 30/30 = 1: U = 1e6 / 2e6 = 0.5
    let full = on_phase(&doc, "full");
    close(&full["peak_utilization"], 0.5);
    assert_eq!(full["fits"], true);
    close(&site(&doc, "full", "ramp")["serving_gpus"]["h100"], 1000.0);
}

#[test]
fn a_ramping_site_is_power_bound_by_the_gpus_present() {
    let doc = compare(RAMP_POWER);
    // ramp: IT power 0.504e6 / 1.2 = 420,000 W; 1,260 W per GPU.
    // day1: 33.333 GPUs draw 42,000 W <= 420,000: f = 1, not power-bound;
    //   U = 1e6 / ((1,000 + 33.333) * 1,000) = 0.967742
    let day1 = on_phase(&doc, "day1");
    close(
        &day1["peak_utilization"],
        1e6 / ((1000.0 + 1000.0 / 30.0) * 1000.0),
    );
    let ramp = site(&doc, "day1", "ramp");
    assert_eq!(ramp["power_bound"], false);
    close(&ramp["power_factor"], 1.0);
    close(&ramp["serving_gpus"]["h100"], 1000.0 / 30.0);
    // half: 500 GPUs draw 630,000 W: f = min(1, 420,000 / (1,260,000 * 0.5)) = 2/3,
    //   serving GPUs 500 * 2/3 = 333.333 (the whole site's f, 1/3, would give 166.667)
    //   U = 1e6 / ((1,000 + 333.333) * 1,000) = 0.75 <= 0.85
    let half = on_phase(&doc, "half");
    close(&half["peak_utilization"], 0.75);
    assert_eq!(half["fits"], true);
    let ramp = site(&doc, "half", "ramp");
    assert_eq!(ramp["power_bound"], true);
    close(&ramp["power_factor"], 2.0 / 3.0);
    close(&ramp["serving_gpus"]["h100"], 1000.0 / 3.0);
    // serving_mw: 1.512 + 333.333 * 1,260 * 1.2 / 1e6 = 1.512 + 0.504 = 2.016 MW
    close(&phase_of(&doc, "half")["serving_mw"], 2.016);
    // full: 1,000 GPUs draw 1,260,000 W: f = 1/3, still 333.333 serving GPUs: U = 0.75
    let full = on_phase(&doc, "full");
    close(&full["peak_utilization"], 0.75);
    let ramp = site(&doc, "full", "ramp");
    close(&ramp["power_factor"], 1.0 / 3.0);
    close(&ramp["serving_gpus"]["h100"], 1000.0 / 3.0);
}

// ---------------------------------------------------------------------------------------
// 4. holds_until: the last day under the target, exact to the day.

#[test]
fn holds_until_is_the_last_day_under_the_target() {
    let doc = timeline(GROWTH);
    // U(n) = 0.8 * 1.02^(n / 30.436875) <= 0.85
    //   <=> n <= 30.436875 * ln(0.85 / 0.8) / ln(1.02) = 93.18: the last day is n = 93,
    //   2026-05-01 + 93 days = 2026-08-02 (U = 0.849900); 2026-08-03 (n = 94) U = 0.850453.
    let days = MONTH_DAYS * (0.85f64 / 0.8).ln() / 1.02f64.ln();
    assert_eq!(days.floor(), 93.0);
    let runway = runway(&doc);
    assert_eq!(runway["first_fit"], "2026-05-01");
    assert_eq!(runway["first_miss"], "2026-08-03");
    assert_eq!(runway["holds_until"], "2026-08-02");
    assert_eq!(runway["fits_throughout"], false);
}

#[test]
fn compare_gives_the_last_dated_phase_its_holds_until() {
    let doc = compare(GROWTH_PHASES);
    // now (2026-05-01, 0 days): U = 0.8; not the last phase: holds_until null.
    let now = on_phase(&doc, "now");
    close(&now["peak_utilization"], 0.8);
    assert_eq!(now["fits"], true);
    assert_eq!(now["holds_until"], Value::Null);
    // later (2026-06-01, 31 days): U = 0.8 * 1.02^(31 / 30.436875) = 0.816299, fits; the
    // fitting run from June 1 ends on 2026-08-02 (n = 93, as in the timeline's runway).
    let later = on_phase(&doc, "later");
    close(&later["peak_utilization"], grown(0.8, 0.02, 31.0));
    assert_eq!(later["fits"], true);
    assert_eq!(later["holds_until"], "2026-08-02");
}

#[test]
fn undated_after_holds_from_the_day_its_last_addition_is_at_full_ramp() {
    let doc = compare(AFTER);
    // Without [[phase]]: before = home (no online), demand not grown: U = 0.8, fits.
    let before = on_phase(&doc, "before");
    close(&before["peak_utilization"], 0.8);
    assert_eq!(before["fits"], true);
    assert_eq!(before["holds_until"], Value::Null);
    // after = the fleet on 2026-06-10 (online 2026-06-01 + 10 - 1, new at full ramp):
    // 2,000 GPUs, demand not grown: U = 0.4.
    let after = on_phase(&doc, "after");
    close(&after["peak_utilization"], 0.4);
    assert_eq!(after["fits"], true);
    // Its holds_until: on the timeline from 2026-06-10 (40 days: 0.4 * 1.1^(40/30.436875)
    // = 0.453376, fits), U(n) = 0.4 * 1.1^(n / 30.436875) <= 0.85 while
    // n <= 30.436875 * ln(0.85 / 0.4) / ln(1.1) = 240.71: n = 240 = 2026-12-27
    // (U = 0.848103; 2026-12-28 U = 0.850763). The horizon ends 2027-04-30.
    assert_eq!(after["holds_until"], "2026-12-27");
    // The timeline's own runway starts with home alone: 0.8 * 1.1^(n / 30.436875) <= 0.85
    // while n <= 30.436875 * ln(0.85 / 0.8) / ln(1.1) = 19.36: holds until 2026-05-20
    // (U = 0.849042), misses on 2026-05-21 (U = 0.851705).
    let doc = timeline(AFTER);
    let runway = runway(&doc);
    assert_eq!(runway["first_fit"], "2026-05-01");
    assert_eq!(runway["first_miss"], "2026-05-21");
    assert_eq!(runway["holds_until"], "2026-05-20");
    assert_eq!(runway["fits_throughout"], false);
}

// ---------------------------------------------------------------------------------------
// 5. A dated phase's figures equal the timeline's on its date.

#[test]
fn a_dated_phase_equals_the_timeline_on_its_date() {
    let phased = compare(EVE_PHASES);
    let phases: Vec<(&str, &str)> = phased["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["on"].as_str().unwrap()))
        .collect();
    assert_eq!(phases, [("eve", "2026-06-15"), ("added", "2026-06-16")]);
    // eve (2026-06-15, 45 days), home alone: 0.76 * 1.1^(45/30.436875) = 0.875007, no fit.
    let eve = on_phase(&phased, "eve");
    close(&eve["peak_utilization"], grown(0.76, 0.1, 45.0));
    assert_eq!(eve["fits"], false);
    assert_eq!(eve["holds_until"], Value::Null);
    // added (2026-06-16, 46 days), 2,000 GPUs: 0.38 * 1.1^(46/30.436875) = 0.438876, fits;
    // holds while n <= 30.436875 * ln(0.85/0.38) / ln(1.1) = 257.09: n = 257 = 2027-01-13.
    let added = on_phase(&phased, "added");
    close(&added["peak_utilization"], grown(0.38, 0.1, 46.0));
    assert_eq!(added["fits"], true);
    assert_eq!(added["holds_until"], "2027-01-13");
    // The timeline's June row: its worst point is the phase date 2026-06-15 (also new's
    // eve), with the same figure as the phase.
    let months = timeline(EVE_PHASES);
    let june = open(month(&months, "2026-06-01"));
    assert_eq!(june["worst_date"], "2026-06-15");
    close(&june["peak_utilization"], grown(0.76, 0.1, 45.0));
    assert_relative_eq!(
        num(&june["peak_utilization"]),
        num(&eve["peak_utilization"]),
        max_relative = 1e-12
    );
    assert_eq!(june["fits"], false);
    // growth-phases: later (2026-06-01, a month's first day) is 0.816299, the same value
    // the timeline has on June 1 (its June row reports June 30 instead, the worst point).
    let later = compare(GROWTH_PHASES);
    close(
        &on_phase(&later, "later")["peak_utilization"],
        grown(0.8, 0.02, 31.0),
    );
}

// ---------------------------------------------------------------------------------------
// 6. Bad v3 input exits 2 and names the key.

fn eve_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(EVE)).unwrap()
}

/// eve.toml with every `(from, to)` edit applied once (each required to apply), then
/// `appended` at the end.
fn eve_with(edits: &[(&str, &str)], appended: &str) -> String {
    let mut text = eve_text();
    for (from, to) in edits {
        assert!(text.contains(from), "eve.toml lacks {from:?}");
        text = text.replacen(from, to, 1);
    }
    text.push('\n');
    text.push_str(appended);
    text
}

fn assert_rejected(name: &str, text: &str, needles: &[&str]) {
    let file = ScenarioFile::new(name, text);
    let run = capplan(&["compare", file.path()]);
    assert_eq!(run.code, 2, "{name}: {}", run.stderr);
    assert_eq!(run.stdout, "", "{name}");
    assert!(!run.stderr.contains("panicked"), "{name}: {}", run.stderr);
    for needle in needles {
        assert!(
            run.stderr.contains(needle),
            "{name}: expected {needle:?} in\n{}",
            run.stderr
        );
    }
}

const NEW_ONLINE: &str = "online = \"2026-06-16\"\n";

#[test]
fn offline_on_the_online_day_is_rejected() {
    let text = eve_with(
        &[(
            NEW_ONLINE,
            "online = \"2026-06-16\"\noffline = \"2026-06-16\"\n",
        )],
        "",
    );
    assert_rejected("offline_same_day", &text, &["site[1]", "offline"]);
}

#[test]
fn offline_before_online_is_rejected() {
    let text = eve_with(
        &[(
            NEW_ONLINE,
            "online = \"2026-06-16\"\noffline = \"2026-06-01\"\n",
        )],
        "",
    );
    assert_rejected("offline_before", &text, &["site[1]", "offline"]);
}

#[test]
fn ramp_days_without_online_is_rejected() {
    let text = eve_with(
        &[("name = \"home\"\n", "name = \"home\"\nramp_days = 10\n")],
        "",
    );
    assert_rejected("ramp_no_online", &text, &["site[0]", "ramp_days"]);
}

#[test]
fn ramp_days_zero_is_rejected() {
    let text = eve_with(
        &[(NEW_ONLINE, "online = \"2026-06-16\"\nramp_days = 0\n")],
        "",
    );
    assert_rejected("ramp_zero", &text, &["site[1]", "ramp_days"]);
}

#[test]
fn fractional_ramp_days_are_rejected() {
    let text = eve_with(
        &[(NEW_ONLINE, "online = \"2026-06-16\"\nramp_days = 2.5\n")],
        "",
    );
    assert_rejected("ramp_fraction", &text, &["site[1]", "ramp_days"]);
}

#[test]
fn phase_dates_must_increase() {
    let text = eve_with(
        &[],
        "[[phase]]\nname = \"a\"\non = \"2026-06-10\"\n\n[[phase]]\nname = \"b\"\non = \"2026-06-01\"\n",
    );
    assert_rejected("phase_order", &text, &["phase[1]"]);
    let text = eve_with(
        &[],
        "[[phase]]\nname = \"a\"\non = \"2026-06-10\"\n\n[[phase]]\nname = \"b\"\non = \"2026-06-10\"\n",
    );
    assert_rejected("phase_same_date", &text, &["phase[1]"]);
}

#[test]
fn duplicate_phase_names_are_rejected() {
    let text = eve_with(
        &[],
        "[[phase]]\nname = \"a\"\non = \"2026-06-01\"\n\n[[phase]]\nname = \"a\"\non = \"2026-06-10\"\n",
    );
    assert_rejected("phase_duplicate", &text, &["phase[1]", "name"]);
}

#[test]
fn a_phase_before_the_timeline_start_with_growth_is_rejected() {
    // eve.toml: [timeline] start = "2026-05-01", growth = 0.1.
    let text = eve_with(&[], "[[phase]]\nname = \"early\"\non = \"2026-04-30\"\n");
    assert_rejected("phase_before_start", &text, &["phase[0]"]);
}

#[test]
fn slip_days_with_p10_above_p90_are_rejected() {
    let text = eve_with(
        &[],
        "[uncertainty]\nsamples = 100\nseed = 1\nslip_days = { p10 = 30, p90 = 10 }\n",
    );
    assert_rejected("slip_order", &text, &["slip_days"]);
}

/// eve.toml with 50 identical samples (no sampled parameter but the slip) whose addition
/// `new` (online 2026-06-16) slips by exactly `slip` days (p10 = p90: no spread), and a
/// phase on 2026-06-20.
fn slipped(slip: u32) -> ScenarioFile {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(EVE)).unwrap();
    ScenarioFile::new(
        "slipped",
        format!(
            "{text}\n[uncertainty]\nsamples = 50\nseed = 1\nslip_days = {{ p10 = {slip}, p90 = {slip} }}\n\n[[phase]]\nname = \"jun-20\"\non = \"2026-06-20\"\n"
        ),
    )
}

#[test]
fn a_slipped_addition_is_missing_from_a_dated_phase_in_every_sample() {
    // On 2026-06-20 (50 days), with `new`: 0.38 * 1.1^(50/M) = 0.4445, fits; without it
    // (slipped 10 days, online 06-26): 0.76 * 1.1^(50/M) = 0.8890 > 0.85.
    for (slip, chance) in [(0, 1.0), (10, 0.0)] {
        let file = slipped(slip);
        let doc = compare(file.path());
        let result = on_phase(&doc, "jun-20");
        // The deterministic figures do not slip.
        close(&result["peak_utilization"], grown(0.38, 0.1, 50.0));
        assert_eq!(
            result["uncertainty"]["sampled"]["p_fits"], chance,
            "slip {slip}"
        );
    }
}

#[test]
fn a_slip_moves_the_month_an_addition_saves() {
    // July: with `new` from 06-16, its worst day 07-31 is 0.38 * 1.1^(91/M) = 0.505, fits.
    // Slipped 40 days (online 07-26), the eve 07-25 has one site: 0.76 * 1.1^(85/M) =
    // 0.9927, no sample fits July; August (with it) fits again.
    assert!(grown(0.76, 0.1, 85.0) > 0.85);
    for (slip, july) in [(0, 1.0), (40, 0.0)] {
        let file = slipped(slip);
        let doc = timeline(file.path());
        let sampled = |date: &str| open(month(&doc, date))["sampled"]["p_fits"].clone();
        assert_eq!(sampled("2026-07-01"), july, "slip {slip}");
        assert_eq!(sampled("2026-08-01"), 1.0, "slip {slip}");
        // The deterministic row is unslipped.
        assert_eq!(open(month(&doc, "2026-07-01"))["fits"], true);
    }
}

#[test]
fn a_site_offline_for_the_whole_timeline_warns() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(EVE))
        .unwrap()
        .replace(
            "name = \"new\"\nonline = \"2026-06-16\"",
            "name = \"new\"\nonline = \"2028-06-16\"",
        );
    let file = ScenarioFile::new("late", text);
    let run = capplan(&["validate", file.path()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("site[1].online")
            && run
                .stdout
                .contains("is offline for the whole timeline (2026-05-01 to 2027-04-30)"),
        "{}",
        run.stdout
    );
}

// Regressions found by a hostile review of v3 Time (fixtures in tests/fixtures/v3/review,
// each with its arithmetic below).

const REVIEW: &str = "tests/fixtures/v3/review";

fn review(name: &str) -> String {
    format!("{REVIEW}/{name}.toml")
}

fn chance(doc: &Value, date: &str) -> Value {
    open(month(doc, date))["sampled"]["p_fits"].clone()
}

#[test]
fn a_sampled_month_inside_a_ramp_is_looked_at_on_its_first_day() {
    // ramp_month: `ramp` (1,000 GPUs) online 2026-05-15 over 90 days, no growth, 108,000
    // users: on 06-01 (18 days in) U = 1.08 / (1 + 18/90) = 0.9 > 0.85; the month's first
    // day is its worst, so no sample fits June.
    let doc = timeline(&review("ramp_month"));
    close(&open(month(&doc, "2026-06-01"))["peak_utilization"], 0.9);
    assert_eq!(chance(&doc, "2026-06-01"), 0.0);
}

#[test]
fn slips_without_spread_give_the_deterministic_months() {
    // floor: one 3,200-day ramp and slip_days p10 = p90 = 0: every sample is the
    // deterministic fleet, so each month's chance is exactly its deterministic verdict.
    let doc = timeline(&review("floor"));
    for m in doc["months"].as_array().unwrap() {
        let fits = if open(m)["fits"] == true { 1.0 } else { 0.0 };
        assert_eq!(open(m)["sampled"]["p_fits"], fits, "{}", m["date"]);
    }
}

#[test]
fn a_sample_whose_growth_is_negative_is_looked_at_on_its_months_first_day() {
    // neggrowth: U = 0.853 on 2026-05-01 in every sample (growth factor 1 on the start),
    // over the 0.85 target: no sample fits May, whatever its growth draw.
    let doc = timeline(&review("neggrowth"));
    assert_eq!(chance(&doc, "2026-05-01"), 0.0);
    assert_eq!(runway(&doc)["sampled"]["p_fits_throughout"], 0.0);
}

#[test]
fn a_dated_phases_cost_counts_the_gpus_present_and_its_grown_users() {
    // cost: on 2026-06-15 the ramping site has half of its 1,000 GPUs: 1,500 GPUs at $1 an
    // hour = $252,000 a week; 50,000 users grown 1.1^(45/30.436875) at $10 a month =
    // $132,845.16 a week.
    let doc = compare(&review("cost"));
    let cost = &on_phase(&doc, "half")["cost"];
    close(&cost["fleet_cost_per_week"], 1500.0 * 168.0);
    close(
        &cost["revenue_per_week"],
        50_000.0 * 1.1f64.powf(45.0 / MONTH_DAYS) * 10.0 * 12.0 / 52.0,
    );
}

#[test]
fn a_phase_before_the_start_is_refused_when_only_the_samples_grow() {
    let run = capplan(&["compare", &review("early")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("phase[0].on"), "{}", run.stderr);
}

#[test]
fn a_runway_says_when_it_fits_again() {
    // gap: 80,000 users on 1,000 GPUs, 10 % a month: 0.8 * 1.1^(d/M) <= 0.85 until day 19
    // (2026-05-20); `new` doubles the fleet on 2026-07-01 and it fits again from then.
    let doc = timeline(&review("gap"));
    assert_eq!(runway(&doc)["holds_until"], "2026-05-20");
    assert_eq!(runway(&doc)["fits_again"], "2026-07-01");
    let table = capplan(&["timeline", &review("gap")]).stdout;
    assert!(
        table.contains("open: holds until 2026-05-20; fits again from 2026-07-01."),
        "{table}"
    );
}

#[test]
fn a_v2_file_at_minute_steps_with_120_months_is_within_the_work_budget() {
    // It ran under v2; v3's budget counts 8 days a month where nothing ramps.
    for command in ["compare", "timeline"] {
        let run = capplan(&[command, &review("v2-minute-steps"), "-q"]);
        assert_eq!(run.code, 0, "{command}: {}", run.stderr);
    }
}
