//! Parsing a scanned text piece by piece, and joining the pieces' trees into the tree the
//! whole text gives, so that the parser's tokens and events (48 bytes for every token) are
//! held for one piece at a time rather than for the whole file (issue 19).
//!
//! A piece starts at a header line (see [`scan`](super::scan)), so it parses on its own.
//! Joining follows TOML only where that is plain: a top-level key that a piece opens with
//! `[[key]]` extends the array the earlier pieces made with `[[key]]`; one a piece uses only
//! as `[key.id]` joins the table the earlier pieces made the same way, when no id is in
//! both. Anything else (a piece that does not parse, any other repeat) gives `None`, and the
//! caller parses the whole text at once, so its messages are the parser's own.

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::scan::{Root, Scan};

/// The tree of the scanned text, parsed in its pieces; `None` when the pieces do not parse
/// or do not join plainly.
pub(super) fn parse(scan: &Scan) -> Option<Spanned<DeTable<'_>>> {
    let mut root = DeTable::new();
    for piece in &scan.pieces {
        let offset = piece.start;
        let tree = DeTable::parse(&scan.text[piece.clone()]).ok()?;
        for (key, value) in tree.into_inner() {
            let value = shift(value, offset);
            let name: &str = key.get_ref();
            if let Some(existing) = root.get_mut(name) {
                let kind = scan.roots.get(name).copied().unwrap_or(Root::Other);
                join(existing, value, kind)?;
            } else {
                root.insert(shift_key(key, offset), value);
            }
        }
    }
    // The parser gives the root an empty span.
    Some(Spanned::new(0..0, root))
}

/// Adds a later piece's value of a top-level key to the earlier pieces' value.
fn join<'i>(
    existing: &mut Spanned<DeValue<'i>>,
    later: Spanned<DeValue<'i>>,
    kind: Root,
) -> Option<()> {
    match (existing.get_mut(), later.into_inner(), kind) {
        (DeValue::Array(items), DeValue::Array(more), Root::Array) => {
            let mut more = more;
            for item in more.iter_mut() {
                items.push(std::mem::replace(item, placeholder()));
            }
            Some(())
        }
        (DeValue::Table(table), DeValue::Table(more), Root::Prefix) => {
            for (key, value) in more {
                if table.contains_key(key.get_ref().as_ref()) {
                    return None;
                }
                table.insert(key, value);
            }
            Some(())
        }
        _ => None,
    }
}

/// A value to leave in place of one moved out of an array that is about to be dropped.
fn placeholder<'i>() -> Spanned<DeValue<'i>> {
    Spanned::new(0..0, DeValue::Boolean(false))
}

fn shift_key<T>(key: Spanned<T>, offset: usize) -> Spanned<T> {
    let span = key.span();
    Spanned::new(span.start + offset..span.end + offset, key.into_inner())
}

/// The value with every span in it moved by `offset` bytes (from the piece to the text),
/// in maps and arrays of the exact size (the parser's grow by doubling). Recursion is as deep as the value, which the parser's own limit keeps shallow.
fn shift(value: Spanned<DeValue<'_>>, offset: usize) -> Spanned<DeValue<'_>> {
    let span = value.span();
    let inner = match value.into_inner() {
        DeValue::Table(table) => {
            let mut shifted = DeTable::with_capacity(table.len());
            for (key, value) in table {
                shifted.insert(shift_key(key, offset), shift(value, offset));
            }
            DeValue::Table(shifted)
        }
        DeValue::Array(items) => {
            // A new allocation of the exact length: the parser's has room to spare.
            let mut shifted: Vec<_> = Vec::with_capacity(items.len());
            shifted.extend(items.into_iter().map(|item| shift(item, offset)));
            DeValue::Array(shifted.into_iter().collect::<DeArray<'_>>())
        }
        other => other,
    };
    Spanned::new(span.start + offset..span.end + offset, inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::validate::scan::scan;

    /// The tree as text with every span, to compare two trees.
    fn dump(value: &Spanned<DeValue<'_>>, out: &mut String) {
        out.push_str(&format!("{:?}:", value.span()));
        match value.get_ref() {
            DeValue::Table(table) => {
                out.push('{');
                for (key, value) in table {
                    out.push_str(&format!("{:?}@{:?}=", key.get_ref(), key.span()));
                    dump(value, out);
                }
                out.push('}');
            }
            DeValue::Array(items) => {
                out.push('[');
                for item in items.iter() {
                    dump(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&format!("{other:?},")),
        }
    }

    fn tree(document: Spanned<DeTable<'_>>) -> String {
        let span = document.span();
        let mut out = String::new();
        dump(
            &Spanned::new(span, DeValue::Table(document.into_inner())),
            &mut out,
        );
        out
    }

    #[test]
    fn pieces_join_into_the_tree_of_the_whole_text() {
        let mut source = String::from("# a scenario\n[scenario]\nname = \"x\" # named\n\n");
        for i in 0..6_000 {
            source.push_str(&format!(
                "[[policy]]\nname = \"p{i}\"\nlimits.pro = {{ window = \"5h\", window_tokens = [1, 2] }}\n\
                 [policy.limits.max]\nwindow = \"1d\"\n[gpu.g{i}]\nwatts = {i}\n\n# next\n"
            ));
        }
        let scanned = scan(&source).unwrap();
        assert!(scanned.pieces.len() > 2, "{:?}", scanned.pieces);
        let joined = parse(&scanned).expect("the pieces join");
        let whole = DeTable::parse(&source).unwrap();
        assert_eq!(tree(joined), tree(whole));
    }

    /// Every scenario and fixture as written, and as the pieces of the same text with its
    /// comments blanked and 20,000 policies appended: the same tree, span for span.
    #[test]
    fn every_file_in_the_repository_gives_the_tree_of_the_whole_parse() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut folders = vec![root.join("scenarios"), root.join("tests/fixtures")];
        let mut checked = 0;
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "toml") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let mut long = text.clone();
                for i in 0..20_000 {
                    long.push_str(&format!("\n[[policy]]\nname = \"p{i}\" # {i}\n"));
                }
                for source in [&text, &long] {
                    let Ok(whole) = DeTable::parse(source) else {
                        continue;
                    };
                    let scanned = scan(source).unwrap();
                    let joined = parse(&scanned).unwrap_or_else(|| panic!("{}", path.display()));
                    assert_eq!(tree(joined), tree(whole), "{}", path.display());
                    checked += 1;
                }
            }
        }
        assert!(checked > 40, "{checked}");
    }

    #[test]
    fn a_repeat_that_is_not_plain_is_left_to_the_whole_parse() {
        let mut source = String::from("[scenario]\nname = \"x\"\n");
        for i in 0..20_000 {
            source.push_str(&format!("[[policy]]\nname = \"p{i}\"\n"));
        }
        source.push_str("[scenario]\nname = \"again\"\n");
        let scanned = scan(&source).unwrap();
        assert!(scanned.pieces.len() > 1);
        assert!(parse(&scanned).is_none());
        assert!(DeTable::parse(&source).is_err());
    }
}
