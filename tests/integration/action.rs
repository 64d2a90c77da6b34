//! action.yml, run as the Actions runner would run it: its expressions substituted, its
//! `if:` evaluated on a cache miss, each `run:` step under `bash -eo pipefail` with the
//! runner's files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY). `cargo` is a stub that checks the
//! install line and puts the binary under test where `cargo install --root` would; the
//! cache step (`uses:`) cannot run here and is checked for its key and path only.

use std::collections::BTreeMap;
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

use super::*;

/// The outcome of one run of the action.
struct ActionRun {
    code: i32,
    stderr: String,
    outputs: String,
    summary: String,
}

fn text(yaml: &Yaml) -> &str {
    yaml.as_str()
        .unwrap_or_else(|| panic!("expected text, found {yaml:?}"))
}

/// Substitutes the `${{ … }}` expressions the action uses; any other fails the test.
fn substitute(template: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("unclosed ${{") + start;
        let expression = rest[start + 3..end].trim();
        let value = values.get(expression).unwrap_or_else(|| {
            panic!("action.yml uses ${{{{ {expression} }}}}, unknown to this test")
        });
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Runs action.yml's steps with these inputs, on a cache miss.
fn run_action(scenario: &str, args: Option<&str>) -> ActionRun {
    run_action_with(scenario, args, None)
}

/// Runs action.yml's steps with these inputs (`base_ref` for diff mode), on a cache miss.
fn run_action_with(scenario: &str, args: Option<&str>, base_ref: Option<&str>) -> ActionRun {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let action =
        &YamlLoader::load_from_str(&std::fs::read_to_string(root.join("action.yml")).unwrap())
            .unwrap()[0];
    assert_eq!(text(&action["runs"]["using"]), "composite");
    let temp = tempfile::tempdir().unwrap();
    let runner_temp = temp.path().join("runner");
    std::fs::create_dir(&runner_temp).unwrap();
    // The stub cargo: accepts exactly the install line (without the PNG feature, which the
    // action never uses) and installs the binary under test.
    let stubs = temp.path().join("bin");
    std::fs::create_dir(&stubs).unwrap();
    let binary = assert_cmd::cargo::cargo_bin("capplan");
    let stub = format!(
        "#!/bin/bash\nset -e\n[ \"$1 $2 $3 $4\" = \"install --locked --no-default-features --path\" ] || {{ echo \"unexpected: cargo $*\" >&2; exit 99; }}\n[ -f \"$5/Cargo.toml\" ] || {{ echo \"--path $5 has no Cargo.toml\" >&2; exit 98; }}\n[ \"$6\" = --root ] || exit 97\nmkdir -p \"$7/bin\"\ncp '{}' \"$7/bin/capplan\"\n",
        binary.display()
    );
    std::fs::write(stubs.join("cargo"), stub).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(stubs.join("cargo"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let (outputs, summary) = (temp.path().join("output"), temp.path().join("summary"));
    std::fs::write(&outputs, "").unwrap();
    std::fs::write(&summary, "").unwrap();

    let mut values = BTreeMap::new();
    for (name, input) in action["inputs"].as_hash().unwrap() {
        let given = match text(name) {
            "scenario" => Some(scenario.to_string()),
            "args" => args.map(str::to_string),
            "base-ref" => base_ref.map(str::to_string),
            other => panic!("input {other} is unknown to this test"),
        };
        let value = given.or_else(|| input["default"].as_str().map(str::to_string));
        values.insert(
            format!("inputs.{}", text(name)).leak() as &str,
            value.unwrap_or_default(),
        );
    }
    values.insert("github.action_path", root.display().to_string());
    values.insert("runner.temp", runner_temp.display().to_string());
    values.insert("runner.os", "Linux".to_string());
    values.insert(
        "steps.cache.outputs.cache-hit != 'true'",
        "true".to_string(),
    );

    let (mut stderr, mut code) = (String::new(), 0);
    for step in action["runs"]["steps"].as_vec().unwrap() {
        if let Some(uses) = step["uses"].as_str() {
            assert_eq!(uses, "actions/cache@v4");
            assert_eq!(
                substitute(text(&step["with"]["path"]), &values),
                format!("{}/capplan", runner_temp.display())
            );
            assert!(text(&step["with"]["key"]).contains("Cargo.lock"));
            continue;
        }
        if let Some(condition) = step["if"].as_str() {
            assert_eq!(
                values.get(condition).map(String::as_str),
                Some("true"),
                "if: {condition}"
            );
        }
        assert_eq!(text(&step["shell"]), "bash");
        let script = text(&step["run"]);
        assert!(
            !script.contains("${{"),
            "a run: line must read inputs from env, not ${{{{ }}}}"
        );
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(root)
            .env(
                "PATH",
                format!("{}:{}", stubs.display(), std::env::var("PATH").unwrap()),
            )
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", root)
            .env("GITHUB_OUTPUT", &outputs)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("LANG", "C.UTF-8");
        if let Some(env) = step["env"].as_hash() {
            for (key, value) in env {
                command.env(text(key), substitute(text(value), &values));
            }
        }
        let output = command.output().unwrap();
        stderr.push_str(&String::from_utf8_lossy(&output.stderr));
        code = output.status.code().unwrap_or(-1);
        if code != 0 {
            break;
        }
    }
    ActionRun {
        code,
        stderr,
        outputs: std::fs::read_to_string(&outputs).unwrap(),
        summary: std::fs::read_to_string(&summary).unwrap(),
    }
}

#[test]
fn the_action_passes_a_scenario_that_fits_and_writes_the_summary() {
    // tiny.toml: every policy fits after the addition.
    let run = run_action(TINY, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.outputs.starts_with("passed=true\n"), "{}", run.outputs);
    assert!(
        run.summary
            .contains("### check passed: all 3 policies fit (after)"),
        "{}",
        run.summary
    );
}

#[test]
fn the_action_fails_a_scenario_that_does_not_fit_with_annotations() {
    // Before the addition, unlimited and double-5h are over target.
    let run = run_action(TINY, Some("--phase before --policy unlimited"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.outputs.starts_with("passed=false\n"), "{}", run.outputs);
    assert!(
        run.stderr
            .contains("::error file=scenarios/tiny.toml,line="),
        "{}",
        run.stderr
    );
    assert!(
        run.summary
            .contains("### check failed: unlimited does not fit (before)"),
        "{}",
        run.summary
    );
}

#[test]
fn the_action_reports_a_broken_scenario_as_exit_2_and_passed_false() {
    let run = run_action("scenarios/no-such.toml", None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.outputs, "passed=false\n",
        "documented: false on any other exit"
    );
}

#[test]
fn the_action_gives_the_verdict_and_the_report_as_outputs() {
    let run = run_action(TINY, Some("--phase before --policy unlimited"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    let outputs: Vec<&str> = run.outputs.lines().collect();
    assert_eq!(outputs[0], "passed=false");
    assert_eq!(
        outputs[1],
        "summary=check failed: unlimited does not fit (before)"
    );
    let report = outputs[2].strip_prefix("report=").unwrap();
    assert!(report.ends_with("capplan-report.md"), "{report}");
}

#[test]
fn in_diff_mode_the_action_compares_against_the_base_revision() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = Command::new("git")
        .args(["cat-file", "-e", "HEAD:scenarios/tiny.toml"])
        .current_dir(root)
        .output();
    if !git.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: the crate is not a git checkout with tiny.toml committed");
        return;
    }
    let run = run_action_with(TINY, None, Some("HEAD"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let outputs: Vec<&str> = run.outputs.lines().collect();
    assert_eq!(outputs[0], "passed=true");
    assert!(
        outputs[1].starts_with("summary=No regressions: 0 of 6 results changed"),
        "{}",
        run.outputs
    );
    assert!(
        run.summary.starts_with("<!-- capplan diff -->"),
        "{}",
        run.summary
    );
    assert!(
        run.stderr.contains("::notice title=capplan diff::"),
        "{}",
        run.stderr
    );
}
