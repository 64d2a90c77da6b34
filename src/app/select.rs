//! Names typed on the command line (`--policy`, `--tier`) resolved to indices, with one
//! message for every kind of name: what was asked, where it was looked for, the closest
//! known name, and the full list.

use std::path::Path;

use crate::model::Phase;
use crate::scenario::Scenario;
use crate::scenario::suggest::closest;

/// Resolves one `--policy` name to its index.
pub fn policy(scenario: &Scenario, name: &str, path: &Path) -> anyhow::Result<usize> {
    let known: Vec<&str> = scenario.policies.iter().map(|p| p.name.as_str()).collect();
    find("--policy", "policy", name, &known, path)
}

/// Resolves `--policy` names to indices in file order, each once; all policies when none
/// are named.
pub fn policies(scenario: &Scenario, names: &[String], path: &Path) -> anyhow::Result<Vec<usize>> {
    if names.is_empty() {
        return Ok((0..scenario.policies.len()).collect());
    }
    let known: Vec<&str> = scenario.policies.iter().map(|p| p.name.as_str()).collect();
    all("--policy", "policy", names, &known, path)
}

/// Resolves `--phase`: a phase of the scenario by name (its `[[phase]]` names, or
/// `before`/`after` without them); the last phase when none is named.
pub fn phase(scenario: &Scenario, name: Option<&str>, path: &Path) -> anyhow::Result<Phase> {
    let all = Phase::all(scenario);
    match name {
        None => Ok(Phase::last(scenario)),
        Some(name) => {
            let known: Vec<&str> = all.iter().map(Phase::name).collect();
            let index = find("--phase", "phase", name, &known, path)?;
            Ok(all[index].clone())
        }
    }
}

/// Resolves one tier name given to `flag` to its index.
pub fn tier(scenario: &Scenario, name: &str, path: &Path, flag: &str) -> anyhow::Result<usize> {
    let known: Vec<&str> = scenario.tiers.iter().map(|t| t.name.as_str()).collect();
    find(flag, "tier", name, &known, path)
}

/// Resolves `--tier` names to indices in file order, each once (naming a tier twice must
/// not scale it twice); empty when none are named.
pub fn tiers(scenario: &Scenario, names: &[String], path: &Path) -> anyhow::Result<Vec<usize>> {
    let known: Vec<&str> = scenario.tiers.iter().map(|t| t.name.as_str()).collect();
    all("--tier", "tier", names, &known, path)
}

/// Every name resolved, sorted into file order, repeats dropped.
fn all(
    flag: &str,
    kind: &str,
    names: &[String],
    known: &[&str],
    path: &Path,
) -> anyhow::Result<Vec<usize>> {
    let mut indices = names
        .iter()
        .map(|name| find(flag, kind, name, known, path))
        .collect::<anyhow::Result<Vec<usize>>>()?;
    indices.sort_unstable();
    indices.dedup();
    Ok(indices)
}

/// The index of `name` among `known`, or a message with the closest known name.
fn find(flag: &str, kind: &str, name: &str, known: &[&str], path: &Path) -> anyhow::Result<usize> {
    if let Some(index) = known.iter().position(|k| *k == name) {
        return Ok(index);
    }
    let hint = closest(name, known)
        .map(|best| format!(" did you mean {best:?}?"))
        .unwrap_or_default();
    anyhow::bail!(
        "{flag} {name:?}: no such {kind} in {};{hint} expected one of: {}",
        path.display(),
        known.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = include_str!("../../scenarios/tiny.toml");

    #[test]
    fn names_resolve_once_in_file_order() {
        let scenario = Scenario::parse(TINY, "tiny.toml").unwrap();
        let path = Path::new("tiny.toml");
        let names = [
            "double-5h".to_string(),
            "unlimited".into(),
            "double-5h".into(),
        ];
        assert_eq!(policies(&scenario, &names, path).unwrap(), [0, 2]);
        assert_eq!(policies(&scenario, &[], path).unwrap(), [0, 1, 2]);
        let pro = ["pro".to_string(), "pro".into()];
        assert_eq!(tiers(&scenario, &pro, path).unwrap(), [0]);
    }

    #[test]
    fn an_unknown_name_gets_the_closest_one() {
        let scenario = Scenario::parse(TINY, "tiny.toml").unwrap();
        let error = policy(&scenario, "curent", Path::new("tiny.toml")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "--policy \"curent\": no such policy in tiny.toml; did you mean \"current\"? expected one of: unlimited, current, double-5h"
        );
        let error = tiers(&scenario, &["prp".to_string()], Path::new("t.toml")).unwrap_err();
        assert!(
            error.to_string().contains("did you mean \"pro\"?"),
            "{error}"
        );
    }
}
