//! The arrow check: data flows one way, scenario → model → plan → report, with `fmt` a leaf
//! anyone may use and the shell (`app`, `cli`, `main`, `lib`) above them all. A module
//! that imports from a layer above its own fails this test, so no circle can form.

use super::*;

/// The layers, lowest first. A file may import its own layer and the ones before it.
const LAYERS: [&str; 5] = ["fmt", "scenario", "model", "plan", "report"];

/// The layer of a source file (path relative to src/), or `None` for the shell, which may
/// import everything. `synth` writes scenario text and sits with the scenario.
fn layer_of(relative: &str) -> Option<usize> {
    let top = relative
        .split('/')
        .next()
        .unwrap_or("")
        .trim_end_matches(".rs");
    match top {
        "synth" => Some(1),
        _ => LAYERS.iter().position(|l| *l == top),
    }
}

/// The crate modules a source text imports (`crate::plan::…`, `crate::{model, report}`);
/// comments, where docs may link to any layer, are left out.
fn imported_modules(source: &str) -> Vec<String> {
    let code: String = source
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for item in inner.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push(name);
        }
    }
    found
}

/// Every import that points up the layers: (file, module imported).
fn violations(files: &[(String, String)]) -> Vec<(String, String)> {
    let mut wrong = Vec::new();
    for (relative, source) in files {
        let Some(own) = layer_of(relative) else {
            continue;
        };
        for module in imported_modules(source) {
            let allowed = match LAYERS.iter().position(|l| *l == module) {
                Some(layer) => layer <= own,
                // The shell (app, cli) is above every layer.
                None => !matches!(module.as_str(), "app" | "cli"),
            };
            if !allowed {
                wrong.push((relative.clone(), module));
            }
        }
    }
    wrong
}

/// Every .rs file under src/, relative path and text.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((relative, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.sort();
    out
}

#[test]
fn no_layer_imports_from_a_layer_above_it() {
    let files = sources();
    assert!(
        files.iter().any(|(f, _)| f == "plan/check.rs"),
        "src/ not found"
    );
    assert_eq!(violations(&files), Vec::<(String, String)>::new());
}

#[test]
fn the_check_catches_an_arrow_pointing_up() {
    let files = vec![
        (
            "model/fleet.rs".to_string(),
            "use crate::plan::CompareAnswer;".to_string(),
        ),
        (
            "scenario/mod.rs".to_string(),
            "use crate::{fmt, report};".to_string(),
        ),
        (
            "plan/mod.rs".to_string(),
            "let x = crate::report::Format::Json;".to_string(),
        ),
        (
            "fmt.rs".to_string(),
            "use crate::scenario::Scenario;".to_string(),
        ),
        (
            "report/mod.rs".to_string(),
            "use crate::app::run;".to_string(),
        ),
        (
            "app/mod.rs".to_string(),
            "use crate::{plan, report};".to_string(),
        ),
        (
            "model/mod.rs".to_string(),
            "//! See [`crate::plan`].".to_string(),
        ),
        (
            "report/compare.rs".to_string(),
            "use crate::{fmt, plan::CheckAnswer};".to_string(),
        ),
    ];
    assert_eq!(
        violations(&files),
        [
            ("model/fleet.rs".to_string(), "plan".to_string()),
            ("scenario/mod.rs".to_string(), "report".to_string()),
            ("plan/mod.rs".to_string(), "report".to_string()),
            ("fmt.rs".to_string(), "scenario".to_string()),
            ("report/mod.rs".to_string(), "app".to_string()),
        ]
    );
}
