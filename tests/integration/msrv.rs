//! The `rust-version` in Cargo.toml is the true minimum: the highest `rust-version` any crate
//! capplan builds with declares (dev-dependencies aside: users never build them).
//!
//! It reads only what a normal build of this machine already fetched: `cargo metadata
//! --offline` resolves the host's platform alone (`--filter-platform`), since crates for
//! other platforms (Windows ones among them) are never downloaded by a Linux build, and a
//! fresh cargo home does not have them. `.ci/run` runs the suite once with an empty cargo
//! home to prove it.

use super::*;

/// A version such as "1.88" or "1.85.0" as numbers, for ordering.
fn version(text: &str) -> Vec<u64> {
    text.split('.').map(|part| part.parse().unwrap()).collect()
}

/// The platform this test runs on, as rustc names it (`x86_64-unknown-linux-gnu`).
fn host_platform() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_string()
}

#[test]
fn rust_version_is_the_dependencies_own_minimum() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .args(["--filter-platform", &host_platform()])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    let by_id = |id: &str| packages.iter().find(|p| p["id"] == id).unwrap();
    let root = metadata["resolve"]["root"].as_str().unwrap();
    let nodes = metadata["resolve"]["nodes"].as_array().unwrap();
    // Walk normal and build dependencies from capplan.
    let mut seen = vec![root.to_string()];
    let mut queue = vec![root.to_string()];
    while let Some(id) = queue.pop() {
        let node = nodes.iter().find(|n| n["id"] == id.as_str()).unwrap();
        for dep in node["deps"].as_array().unwrap() {
            let used = dep["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"] != "dev");
            let dep_id = dep["pkg"].as_str().unwrap().to_string();
            if used && !seen.contains(&dep_id) {
                seen.push(dep_id.clone());
                queue.push(dep_id);
            }
        }
    }
    let highest = seen[1..]
        .iter()
        .filter_map(|id| by_id(id)["rust_version"].as_str().map(|v| (version(v), v)))
        .max()
        .unwrap();
    let ours = by_id(root)["rust_version"].as_str().unwrap();
    assert_eq!(
        version(ours)[..2],
        highest.0[..2],
        "Cargo.toml says rust-version {ours}; the dependencies need {}",
        highest.1
    );
    // The README says the same.
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("{ours} or newer")),
        "README names another minimum"
    );
}
