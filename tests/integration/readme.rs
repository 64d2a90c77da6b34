//! The README's examples and plots are regenerated and compared.

use super::*;

#[test]
fn readme_plots_are_current() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (command, file) in [
        ("compare", "colossus-week.svg"),
        ("timeline", "colossus-timeline.svg"),
    ] {
        let fresh = dir.path().join(file);
        assert_eq!(
            capplan(&[command, COLOSSUS, "--plot", fresh.to_str().unwrap()]).code,
            0
        );
        let committed = std::fs::read_to_string(root.join("docs/img").join(file)).unwrap();
        assert_eq!(
            std::fs::read_to_string(&fresh).unwrap(),
            committed,
            "docs/img/{file} is stale: cargo run -- {command} scenarios/colossus.toml --plot docs/img/{file}"
        );
    }
}

/// Every output shown in the README under `<!-- output of: ARGS -->` (or `<!-- tail of:
/// ARGS -->`, for the end of an output) is what `capplan ARGS` prints today.
/// `UPDATE_README=1 cargo test readme_examples` rewrites the blocks after a deliberate change.
#[test]
fn readme_examples_are_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let mut lines = readme.lines().peekable();
    let mut updated = String::new();
    let mut checked = 0;
    let mut stale = Vec::new();
    while let Some(line) = lines.next() {
        updated.push_str(line);
        updated.push('\n');
        let (args, tail) = match (
            line.strip_prefix("<!-- output of: "),
            line.strip_prefix("<!-- tail of: "),
        ) {
            (Some(rest), _) => (rest.trim_end_matches(" -->"), false),
            (_, Some(rest)) => (rest.trim_end_matches(" -->"), true),
            _ => continue,
        };
        assert_eq!(
            lines.next(),
            Some("```text"),
            "a ```text block must follow {line}"
        );
        let mut shown = Vec::new();
        for l in lines.by_ref() {
            if l == "```" {
                break;
            }
            shown.push(l);
        }
        let args: Vec<&str> = args.split_whitespace().collect();
        let run = capplan(&args);
        let actual: Vec<&str> = run.stdout.trim_end().lines().collect();
        let actual: Vec<&str> = if tail {
            let start = actual
                .iter()
                .position(|l| Some(l) == shown.first())
                .unwrap_or(0);
            actual[start..].to_vec()
        } else {
            actual
        };
        if actual != shown {
            stale.push(args.join(" "));
        }
        updated.push_str("```text\n");
        for l in &actual {
            updated.push_str(l);
            updated.push('\n');
        }
        updated.push_str("```\n");
        checked += 1;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert!(checked >= 6, "only {checked} examples found");
    assert!(
        stale.is_empty(),
        "README examples out of date (UPDATE_README=1 cargo test readme_examples): {stale:?}"
    );
}
