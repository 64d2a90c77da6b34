//! Parsing a scanned text piece by piece, and joining the pieces' trees into the tree the
//! whole text gives, so that the parser's tokens and events (48 bytes for every token) are
//! held for one piece at a time rather than for the whole file (issue 19).
//!
//! A piece starts at a header line (see [`scan`](super::scan)), so it parses on its own.
//! Joining follows TOML only where that is plain: a top-level key that a piece opens with
//! `[[key]]` extends the array the earlier pieces made with `[[key]]`; one a piece uses only
//! as `[key.id]` joins the table the earlier pieces made the same way, when no id is in
//! both. Any other repeat gives [`Parsed::Whole`]: the caller parses the whole text as
//! written, so its message is the parser's own.
//!
//! Any other repeat, or a piece that does not parse on its own (an error, or a string or
//! array running across the cut), and the whole text is parsed at once: as scanned (its
//! comments blanked, so a comment-dense file stays small), and, only for an error next to a
//! blanked comment, as written, so that the message, line and column are exactly the
//! parser's on the file. Memory on that path is the parser's on the text's content (up to
//! about 40 times a file without comments); a valid file that joins plainly never takes it.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::scan::{Root, Scan};

/// What parsing a scanned text in pieces gave.
pub(super) enum Parsed<'t> {
    /// The tree of the whole text.
    Tree(Spanned<DeTable<'t>>),
    /// The text is not TOML: the parser's first message and where it points in the text.
    Error {
        /// The parser's message.
        message: String,
        /// Its byte range in the text.
        span: Option<Range<usize>>,
    },
}

/// The tree of the scanned text, parsed in its pieces (or whole, where they cannot tell);
/// see [`Parsed`]. `source` is the text as written.
pub(super) fn parse<'t>(scan: &'t Scan, source: &str) -> Parsed<'t> {
    let mut root = DeTable::new();
    for piece in &scan.pieces {
        let offset = piece.start;
        let Ok(tree) = DeTable::parse(&scan.text[piece.clone()]) else {
            drop(root);
            return whole(scan, source);
        };
        for (key, value) in tree.into_inner() {
            let value = shift(value, offset);
            let name: &str = key.get_ref();
            if let Some(existing) = root.get_mut(name) {
                let kind = scan.roots.get(name).copied().unwrap_or(Root::Other);
                if join(existing, value, kind).is_none() {
                    drop(root);
                    return whole(scan, source);
                }
            } else {
                root.insert(shift_key(key, offset), value);
            }
        }
    }
    // The parser gives the root an empty span.
    Parsed::Tree(Spanned::new(0..0, root))
}

/// The whole scanned text parsed at once; on an error next to a blanked comment (where the
/// blanked text may point a token further than the file), the text as written, for the
/// parser's own message and place.
fn whole<'t>(scan: &'t Scan, source: &str) -> Parsed<'t> {
    let error = match DeTable::parse(&scan.text) {
        Ok(tree) => return Parsed::Tree(tree),
        Err(error) => error,
    };
    let near_blank = error.span().is_none_or(|at| {
        let near = at.start.saturating_sub(1)..(at.end + 1).min(source.len());
        source.as_bytes()[near.clone()] != scan.text.as_bytes()[near]
    });
    let error = if near_blank {
        DeTable::parse(source).err().unwrap_or(error)
    } else {
        error
    };
    Parsed::Error {
        message: error.message().to_string(),
        span: error.span(),
    }
}

/// Adds a later piece's value of a top-level key to the earlier pieces' value.
fn join<'i>(
    existing: &mut Spanned<DeValue<'i>>,
    later: Spanned<DeValue<'i>>,
    kind: Root,
) -> Option<()> {
    match (existing.get_mut(), later.into_inner(), kind) {
        (DeValue::Array(items), DeValue::Array(more), Root::Array) => {
            for item in more {
                items.push(item);
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
            DeValue::Array(shifted.into_iter().collect::<toml::de::DeArray<'_>>())
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
        let Parsed::Tree(joined) = parse(&scanned, &source) else {
            panic!("the pieces join")
        };
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
                    let Parsed::Tree(joined) = parse(&scanned, source) else {
                        panic!("{}", path.display())
                    };
                    assert_eq!(tree(joined), tree(whole), "{}", path.display());
                    checked += 1;
                }
            }
        }
        assert!(checked > 40, "{checked}");
    }

    /// The first error of a text in many pieces is the whole parse's, message and span: at
    /// the end, running to the end, in the middle, next to a comment, in a value that
    /// spans the cut, a key set twice before a syntax error further on (the parser reports
    /// syntax first), a table set again in a later piece.
    #[test]
    fn an_error_in_a_large_text_is_the_whole_parse_error() {
        let mut base = String::from("[scenario]\nname = \"x\"\n");
        for i in 0..20_000 {
            base.push_str(&format!(
                "[[policy]]\nname = \"p{i}\" # {i}\nlimits.pro = {{ window = \"5h\" }}\n\n"
            ));
        }
        let line = base.find("[[policy]]\nname = \"p10000\"").unwrap();
        let cases = [
            format!("{base}x = \n"),
            format!("{base}x = [1,\n# c\n"),
            format!("{base}x = \"\"\"open\n"),
            format!("{}oops\n{}", &base[..line], &base[line..]),
            format!(
                "{}name = \"p10000\" oops\n{}",
                &base[..line + 11],
                &base[line + 11..]
            ),
            format!("{}x = # c\n{}", &base[..line], &base[line..]),
            format!("{}x = [\n{}", &base[..line], &base[line..]),
            format!("{base}[scenario]\nname = \"again\"\n"),
            format!("[[policy]]\nname = \"a\"\nname = \"b\"\n{base}oops\n"),
        ];
        let mut checked = 0;
        for (i, source) in cases.iter().enumerate() {
            let Err(expected) = DeTable::parse(source) else {
                panic!("case {i} parses")
            };
            // An array left open runs to the end: the scan refuses it as one long table.
            let Ok(scanned) = scan(source) else { continue };
            assert!(scanned.pieces.len() > 1, "case {i}");
            match parse(&scanned, source) {
                Parsed::Error { message, span } => {
                    let found = (message.as_str(), span);
                    assert_eq!(found, (expected.message(), expected.span()), "case {i}");
                    checked += 1;
                }
                Parsed::Tree(_) => panic!("case {i}: an invalid text gave a tree"),
            }
        }
        assert!(checked >= 7, "{checked}");
    }

    #[test]
    fn a_byte_order_mark_hides_no_key_from_the_join() {
        // The mark before an inline table `gpu`, then a later piece's `[gpu.h200]`: the
        // parser refuses to extend an inline table, so must the pieces.
        let mut source = String::from("\u{feff}gpu = { h100 = { watts = 700 } }\n");
        for i in 0..20_000 {
            source.push_str(&format!("[[policy]]\nname = \"p{i}\"\n"));
        }
        source.push_str("[gpu.h200]\nwatts = 700\n");
        let expected = DeTable::parse(&source).unwrap_err();
        let scanned = scan(&source).unwrap();
        assert!(scanned.pieces.len() > 1);
        match parse(&scanned, &source) {
            Parsed::Error { message, span } => {
                assert_eq!(
                    (message.as_str(), span),
                    (expected.message(), expected.span())
                );
            }
            Parsed::Tree(_) => panic!("the text was accepted"),
        }
        // Without the conflict, the mark changes nothing: the pieces give the whole tree.
        let fine = source.replace("[gpu.h200]\nwatts = 700\n", "");
        let scanned = scan(&fine).unwrap();
        assert!(matches!(parse(&scanned, &fine), Parsed::Tree(_)));
    }
}
