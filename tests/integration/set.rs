//! `--set KEY=VALUE`: the answer is that of the file edited by hand, apart from the line
//! and the JSON field that say what was set; a bad key or value exits 2 naming it.

use super::*;

/// stdout of `args` on `--set assignment` over tiny.toml, and on a copy edited by hand.
fn both(args: &[&str], assignment: &str, from: &str, to: &str) -> (Run, Run) {
    let original = ScenarioFile::new("s", tiny_text());
    let edited = ScenarioFile::new("s", tiny_with(&[(from, to)]));
    let with = |path: &str, extra: &[&str]| {
        let mut all = vec![args[0], path];
        all.extend_from_slice(&args[1..]);
        all.extend_from_slice(extra);
        capplan(&all)
    };
    (
        with(original.path(), &["--set", assignment]),
        with(edited.path(), &[]),
    )
}

#[test]
fn set_gives_the_answer_of_the_edited_file_for_a_number_a_string_a_date_and_a_table() {
    for (assignment, from, to) in [
        ("tier.pro.users=120000", "users = 100000", "users = 120000"),
        (
            "scenario.name=\"tiny 2\"",
            "name = \"tiny\"",
            "name = \"tiny 2\"",
        ),
        (
            "site.new.online=2026-07-01",
            "online = \"2026-06-06\"",
            "online = 2026-07-01",
        ),
        (
            "site.home.gpus={ h100 = 1500 }",
            "gpus = { h100 = 1000 }",
            "gpus = { h100 = 1500 }",
        ),
    ] {
        let (set, edited) = both(&["compare", "-q"], assignment, from, to);
        assert_eq!(set.code, 0, "{}", set.stderr);
        let mut lines: Vec<&str> = set.stdout.split_inclusive('\n').collect();
        let echo = lines.remove(1);
        let shown = assignment.replacen('=', " = ", 1);
        assert_eq!(echo, format!("set: {shown}\n"));
        assert_eq!(lines.concat(), edited.stdout, "{assignment}");

        let (set, edited) = both(&["compare", "-q", "--format", "json"], assignment, from, to);
        let mut doc = json(&set);
        assert!(
            doc["set"]
                .get(assignment.split('=').next().unwrap())
                .is_some()
        );
        doc.as_object_mut().unwrap().remove("set");
        assert_eq!(doc, json(&edited));
        // Byte for byte, the field aside.
        let start = set.stdout.find("  \"set\": ").unwrap();
        let end = start + set.stdout[start..].find("\n  \"").unwrap() + 1;
        let without = format!("{}{}", &set.stdout[..start], &set.stdout[end..]);
        assert_eq!(without, edited.stdout, "{assignment}");
    }
}

#[test]
fn set_values_are_echoed_as_json_values() {
    let run = capplan(&[
        "compare",
        TINY,
        "-q",
        "--format",
        "json",
        "--set",
        "tier.pro.users=1.2e5",
        "--set",
        "site.new.online=2026-07-01",
        "--set",
        "site.home.gpus={ h100 = 1500 }",
    ]);
    let doc = json(&run);
    assert_eq!(doc["set"]["tier.pro.users"], 120000.0);
    assert_eq!(doc["set"]["site.new.online"], "2026-07-01");
    assert_eq!(doc["set"]["site.home.gpus"]["h100"], 1500);
}

#[test]
fn a_bad_set_exits_2_naming_the_key() {
    for (assignment, says) in [
        (
            "tier.prx.users=1",
            "--set tier.prx.users: no entry \"prx\" in tier",
        ),
        ("tier.pro.userz=1", "tier[0].userz: unknown field `userz`"),
        ("tier.pro.users=-5", "tier[0].users"),
        ("tier.pro.users=lots", "tier[0].users"),
        ("site.new.online=2026-02-30", "site[1].online"),
    ] {
        let run = capplan(&["compare", TINY, "-q", "--set", assignment]);
        assert_eq!(run.code, 2, "{assignment}: {}", run.stdout);
        assert!(run.stderr.contains(says), "{assignment}: {}", run.stderr);
    }
    let run = capplan(&["schema", "--set", "a=1"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--set is not used by schema"),
        "{}",
        run.stderr
    );
}

#[test]
fn diff_sets_the_head_only() {
    let run = capplan(&[
        "diff",
        TINY,
        TINY,
        "-q",
        "--format",
        "json",
        "--set",
        "tier.pro.users=50000",
    ]);
    let doc = json(&run);
    assert_eq!(doc["set"]["tier.pro.users"], 50000);
    assert!(run.stdout.contains("tier[pro].users"), "{}", run.stdout);
}
