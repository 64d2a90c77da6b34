//! Reading scenarios (with their CSV curve files) and writing outputs: the file I/O of
//! the application, kept out of the core.

use std::io;
use std::path::Path;

use anyhow::{Context, bail};

use crate::scenario::{Scenario, ScenarioError, ScenarioWarnings};

/// Reads and validates a scenario file, with the CSV curve files it refers to (paths
/// relative to the scenario's folder), and returns it with its warnings.
pub fn load(path: &Path) -> anyhow::Result<(Scenario, ScenarioWarnings)> {
    let origin = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read scenario {origin}"))?;
    let text = String::from_utf8(bytes).map_err(|err| {
        ScenarioError::whole_file(
            &origin,
            format!(
                "the file is not UTF-8 text (invalid byte at offset {}); expected a TOML scenario",
                err.utf8_error().valid_up_to()
            ),
        )
    })?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let files = |relative: &str| -> Result<String, String> {
        std::fs::read_to_string(folder.join(relative)).map_err(|e| e.to_string())
    };
    Ok(Scenario::load(&text, &origin, &files)?)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees half a file; refuses to write over `scenario`.
pub fn write_atomically(path: &Path, bytes: &[u8], scenario: Option<&Path>) -> anyhow::Result<()> {
    if let Some(scenario) = scenario {
        if same_file(path, scenario) {
            bail!(
                "refusing to write {} over the scenario {} it was computed from",
                path.display(),
                scenario.display()
            );
        }
    }
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(folder)
        .with_context(|| format!("cannot create a temporary file in {}", folder.display()))?;
    io::Write::write_all(&mut file, bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    // A temporary file is private (0600); the result is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    file.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Whether two paths name the same file (the second must exist; the first may not yet).
fn same_file(a: &Path, b: &Path) -> bool {
    let Ok(b) = b.canonicalize() else {
        return false;
    };
    match a.canonicalize() {
        Ok(a) => a == b,
        Err(_) => match (a.parent(), a.file_name()) {
            (Some(parent), Some(name)) => {
                let parent = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
                parent
                    .canonicalize()
                    .map(|p| p.join(name))
                    .is_ok_and(|a| a == b)
            }
            _ => false,
        },
    }
}
