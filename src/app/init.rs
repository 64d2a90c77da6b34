//! `capplan init`: a starter scenario that validates, never written over an existing file.

use std::io;
use std::path::Path;

use super::Template;
use super::files::{Touched, write_atomically};
use crate::scenario::Scenario;

/// `capplan init`: writes a starter scenario (never over an existing file) and, beside it,
/// the schema its `#:schema` line names, if that is missing; both go into `touched`.
pub fn init(
    path: &Path,
    template: Template,
    out: &mut dyn io::Write,
    touched: &mut Touched,
) -> anyhow::Result<()> {
    let text = match template {
        Template::Minimal => include_str!("../../scenarios/starter.toml"),
        Template::Colossus => include_str!("../../scenarios/colossus.toml"),
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|err| match err.kind() {
            io::ErrorKind::AlreadyExists => {
                anyhow::anyhow!(
                    "{} already exists; capplan init never overwrites a file",
                    path.display()
                )
            }
            _ => anyhow::Error::new(err).context(format!("cannot create {}", path.display())),
        })?;
    io::Write::write_all(&mut file, text.as_bytes())?;
    touched.add(path);
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let schema = folder.join("schema.json");
    let wrote_schema = !schema.exists();
    if wrote_schema {
        let mut json = serde_json::to_string_pretty(&Scenario::json_schema())?;
        json.push('\n');
        write_atomically(&schema, json.as_bytes(), touched)?;
        touched.add(&schema);
    }
    let template = match template {
        Template::Minimal => "minimal",
        Template::Colossus => "colossus",
    };
    writeln!(out, "wrote {} ({template} template)", path.display())?;
    if wrote_schema {
        writeln!(
            out,
            "wrote {} (its #:schema line points here, for editors)",
            schema.display()
        )?;
    }
    writeln!(
        out,
        "next: capplan validate {0} && capplan compare {0}",
        path.display()
    )?;
    Ok(())
}
