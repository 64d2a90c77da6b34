//! A pass over a scenario's text before the TOML parser, so that parsing takes memory in
//! proportion to what the text means, not to its bytes (issue 19). The parser keeps a token
//! and an event (24 bytes each) for every comment, line break, bracket and value of the text
//! it is given, and a tree node for every key, value and table: on hostile text that was 25
//! to 100 times the file. This pass, one loop over the bytes that knows TOML's strings,
//! comments, arrays and headers:
//!
//! - blanks what carries no meaning to spaces: comments, and the line breaks of blank and
//!   comment-only lines. Every byte keeps its offset, so every span the parser gives is a
//!   span of the original file and every message keeps its line, column and snippet; a run
//!   of spaces is one token where there were thousands;
//! - finds the header lines where the text may be cut into pieces that are parsed one
//!   at a time (the tokens of one piece are freed before the next is read);
//! - counts the keys, values and tables, and refuses, naming the line and column where the
//!   bound was crossed, a table that holds more than [`MAX_TABLE_VALUES`] keys and values
//!   or a text whose tree would take more than [`MAX_TREE_BYTES`].
//!
//! It never decides what the text means: any text it cannot follow (an unterminated string,
//! an odd header) is left to the parser as written, which gives the message.

use std::collections::HashMap;
use std::ops::Range;

use crate::fmt::count;

/// The most keys and values one table (with its inline tables and arrays) may hold: its
/// tokens are all held at once while it is parsed. The longest array a scenario has is a
/// curve's 168 hourly values (10,080 per-minute values go in a CSV file), and a policy
/// with limits for 100 tiers is about 1,000.
pub const MAX_TABLE_VALUES: usize = 1 << 16;

/// The most memory, in bytes as this pass estimates it, that the parsed tree of a scenario
/// may take: 20 times the 8 MiB file cap. A generated scenario with 100,000 policies with
/// limits (7.3 MB) is estimated at about a third of it.
pub const MAX_TREE_BYTES: usize = 160 << 20;

/// Estimated bytes of the tree per key: a map entry (the hash, the key and its value's
/// slot, 144 bytes) and its share of the map's hash index.
const KEY_BYTES: usize = 160;
/// Estimated bytes per value in an array: its slot (96 bytes).
const VALUE_BYTES: usize = 96;
/// Estimated bytes per table besides its entries: the hash index's smallest allocation.
const TABLE_BYTES: usize = 80;

/// About how many keys and values a piece holds before the next cut starts another: small
/// enough that a piece's tokens are a few MB, large enough that pieces are few.
const PIECE_VALUES: usize = 1 << 14;

/// The text made ready for the parser, and the pieces to parse it in.
#[derive(Debug)]
pub(super) struct Scan {
    /// The text, of the same length as the original, with comments and the line breaks of
    /// blank and comment-only lines turned into spaces.
    pub text: String,
    /// The pieces, in order, covering the whole text: each starts at a header line (or at
    /// the start of the file) and is parsed on its own.
    pub pieces: Vec<Range<usize>>,
    /// How each top-level key whose name the pass read appears in the text.
    pub roots: HashMap<String, Root>,
}

/// How a top-level key appears in the text: what decides whether its value in one piece
/// may be joined to its value from an earlier piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Root {
    /// First as an array-of-tables header `[[key]]`, and never on its own: a piece's
    /// entries extend the array.
    Array,
    /// First as the first key of a longer header, `[key.id]`, and never on its own: a
    /// piece's tables join the table `key`, when no id is in both.
    Prefix,
    /// Anything else (`[key]`, `key = …`): never joined.
    Other,
}

/// A bound the text crosses: where, and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Limit {
    /// The byte range where the bound was crossed.
    pub span: Range<usize>,
    /// What the bound is, and what to do.
    pub message: String,
}

/// Where the loop is: in what kind of string, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Str {
    Basic,
    Literal,
    MultiBasic,
    MultiLiteral,
}

/// One open array or inline table, and for a table whether a key comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Array,
    Table { key_next: bool },
}

/// How many lines that start with `[` (as a table header would) lie between the start of
/// line `from` (counted from 1) and byte `end`: the sign of a bracket left open.
fn headers_after_open(bytes: &[u8], from: usize, end: usize) -> usize {
    let mut line = 1;
    let mut headers = 0;
    for (i, &b) in bytes[..end.min(bytes.len())].iter().enumerate() {
        if b == b'\n' {
            line += 1;
            if line > from && bytes.get(i + 1) == Some(&b'[') {
                headers += 1;
            }
        }
    }
    headers
}

/// Blanks, cuts and counts `source`; refuses it when a bound is crossed.
pub(super) fn scan(source: &str) -> Result<Scan, Limit> {
    let bytes = source.as_bytes();
    let mut text = bytes.to_vec();
    let mut frames: Vec<Frame> = Vec::new();
    // At the top level, whether a key comes next (a new line) or a value (after `=`), and
    // whether that key is the line's first (a dotted key's first part).
    let mut root_key_next = true;
    let mut first_key = true;
    // Whether the current line has anything the parser must see; where it starts.
    let mut line_content = false;
    let mut line_start = 0;
    let mut tree_bytes = 0usize;
    // The pieces, the keys and values of the last one and of the current table (from its
    // header), and whether a top-level key was quoted (then the text is one piece).
    let mut pieces: Vec<Range<usize>> = std::iter::once(0..bytes.len()).collect();
    let mut piece_values = 0usize;
    let mut table_values = 0usize;
    let mut table_line = 1usize;
    let mut line = 1usize;
    let mut headers_seen = false;
    let mut unread = false;
    // How each top-level key first appeared: a header may start a piece only where its
    // table would join the earlier pieces' plainly.
    let mut roots: HashMap<String, Root> = HashMap::new();
    // Where the outermost open array or inline table opened, and with which bracket.
    let mut opened = (0usize, '[');
    let mut i = 0;
    // A byte-order mark, which the parser skips: so does the pass (read as part of the
    // first key it would hide that key's name), keeping its line as written.
    if source.starts_with('\u{feff}') {
        i = '\u{feff}'.len_utf8();
        line_content = true;
    }
    while i < bytes.len() {
        let b = bytes[i];
        let token = i;
        let depth0 = frames.is_empty();
        let key_next = match frames.last() {
            None => root_key_next,
            Some(Frame::Array) => false,
            Some(Frame::Table { key_next }) => *key_next,
        };
        // A key or value: its estimated bytes, and whether it is a top-level key of the
        // text before the first header (named when bare).
        let mut counted: Option<usize> = None;
        match b {
            b' ' | b'\t' => i += 1,
            b'\n' => {
                if !line_content {
                    blank(&mut text, line_start..i + 1);
                }
                if depth0 {
                    root_key_next = true;
                    first_key = true;
                }
                i += 1;
                line += 1;
                line_start = i;
                line_content = false;
            }
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i += 1,
            b'#' => {
                let end = newline_at_or_after(bytes, i);
                // A comment with a control character (other than tab) is an error the
                // parser must see; a CR before the LF belongs to the line break.
                let body_end = if end < bytes.len() && bytes[end - 1] == b'\r' {
                    end - 1
                } else {
                    end
                };
                if bytes[i + 1..body_end.max(i + 1)]
                    .iter()
                    .all(|&c| c == b'\t' || (c >= 0x20 && c != 0x7f))
                {
                    blank(&mut text, i..body_end);
                } else {
                    line_content = true;
                }
                i = body_end.max(i + 1);
            }
            b'"' | b'\'' => {
                line_content = true;
                let kind = match (b, bytes.get(i + 1..i + 3)) {
                    (b'"', Some(b"\"\"")) => Str::MultiBasic,
                    (b'"', _) => Str::Basic,
                    (_, Some(b"''")) => Str::MultiLiteral,
                    _ => Str::Literal,
                };
                let end = string_end(bytes, i, kind);
                // Lines inside a multi-line string are content: their breaks stay.
                if let Some(last) = bytes[i..end].iter().rposition(|&c| c == b'\n') {
                    line_start = i + last + 1;
                    line += bytes[i..end].iter().filter(|&&c| c == b'\n').count();
                }
                if depth0 && key_next && first_key && !headers_seen {
                    unread = true;
                }
                counted = Some(cost(key_next, frames.last(), 0));
                i = end;
            }
            b'[' if depth0 && key_next && !line_content => {
                line_content = true;
                let header = header(bytes, i);
                let slot = if header.array { VALUE_BYTES } else { 0 };
                tree_bytes += header.segments * (KEY_BYTES + TABLE_BYTES) + slot;
                let kind = header.kind();
                match &header.first {
                    Some(first) => {
                        let cuttable = roots
                            .get(first)
                            .is_none_or(|before| *before == kind && kind != Root::Other);
                        if cuttable && piece_values >= PIECE_VALUES {
                            if let Some(last) = pieces.last_mut() {
                                last.end = line_start;
                            }
                            pieces.push(line_start..bytes.len());
                            piece_values = 0;
                        }
                        add_root(&mut roots, first, kind);
                    }
                    None => unread = true,
                }
                headers_seen = true;
                table_values = header.segments;
                piece_values += header.segments;
                table_line = line;
                i = header.end;
            }
            b'[' | b'{' => {
                line_content = true;
                let table = if b == b'{' { TABLE_BYTES } else { 0 };
                counted = Some(cost(key_next, frames.last(), table));
                if frames.is_empty() {
                    opened = (line, b as char);
                }
                frames.push(if b == b'[' {
                    Frame::Array
                } else {
                    Frame::Table { key_next: true }
                });
                i += 1;
            }
            b']' | b'}' => {
                line_content = true;
                frames.pop();
                i += 1;
            }
            b'=' => {
                line_content = true;
                set_key_next(&mut frames, &mut root_key_next, false);
                i += 1;
            }
            b',' => {
                line_content = true;
                if let Some(Frame::Table { .. }) = frames.last() {
                    set_key_next(&mut frames, &mut root_key_next, true);
                }
                i += 1;
            }
            b'.' if key_next => {
                // A dotted key: the key before the dot is a table.
                line_content = true;
                tree_bytes += TABLE_BYTES;
                i += 1;
            }
            _ => {
                line_content = true;
                let end = atom_end(bytes, i, key_next);
                if depth0 && key_next && first_key && !headers_seen {
                    match source.get(i..end) {
                        Some(name) => add_root(&mut roots, name, Root::Other),
                        None => unread = true,
                    }
                }
                counted = Some(cost(key_next, frames.last(), 0));
                i = end;
            }
        }
        if let Some(cost) = counted {
            if depth0 && key_next {
                first_key = false;
            }
            tree_bytes += cost;
            table_values += 1;
            piece_values += 1;
        }
        if table_values > MAX_TABLE_VALUES {
            // Inside an array or inline table that ran past a header: more likely a
            // bracket never closed than a long list.
            let unclosed = if frames.is_empty() || headers_after_open(bytes, opened.0, i) == 0 {
                String::new()
            } else {
                format!(
                    " (if the `{}` opened at line {} is never closed, close it: everything after \
                     it, headers too, is read as its contents)",
                    opened.1, opened.0
                )
            };
            return Err(Limit {
                span: token..i,
                message: format!(
                    "expected at most {} keys and values in one table with its inline tables \
                     and arrays, found more in the table from line {table_line}{unclosed}; the \
                     longest list a scenario needs is a curve's 168 values: put per-minute curves \
                     in a CSV file (`file = \"…\"`) and long lists in [[…]] tables",
                    count(MAX_TABLE_VALUES as f64)
                ),
            });
        }
        if tree_bytes > MAX_TREE_BYTES {
            return Err(Limit {
                span: token..i,
                message: format!(
                    "expected a scenario whose keys, values and tables take at most {} MB once \
                     parsed (20 times the 8 MiB file cap; 100,000 policies with limits take a \
                     third of it), found more by here: plan with fewer policies, tiers or sites, \
                     or put curves in CSV files",
                    MAX_TREE_BYTES >> 20
                ),
            });
        }
    }
    // A text that does not end in a line break: its last line is blanked when empty.
    if !line_content {
        blank(&mut text, line_start..bytes.len());
    }
    // Whole characters were blanked, each byte to a space: still UTF-8 (were it not, the
    // text as written is parsed instead, which costs memory but changes no message).
    let text = String::from_utf8(text).unwrap_or_else(|_| source.to_string());
    if unread {
        pieces.clear();
        pieces.push(0..bytes.len());
        roots.clear();
    }
    Ok(Scan {
        text,
        pieces,
        roots,
    })
}

/// The estimated bytes of a key or value in the tree, given where it is: a key is a map
/// entry that also holds its value; a value in an array is a slot; `extra` is what the
/// value holds itself (a table's index).
fn cost(key: bool, frame: Option<&Frame>, extra: usize) -> usize {
    match (key, frame) {
        (true, _) => KEY_BYTES,
        (false, Some(Frame::Array)) => VALUE_BYTES + extra,
        (false, _) => extra,
    }
}

/// Turns a range of the text into spaces, byte for byte: the range starts and ends on
/// character boundaries (at an ASCII byte or the end), so a character of several bytes
/// becomes as many spaces and the text stays UTF-8.
fn blank(text: &mut [u8], range: Range<usize>) {
    text[range].fill(b' ');
}

fn set_key_next(frames: &mut [Frame], root_key_next: &mut bool, next: bool) {
    match frames.last_mut() {
        None => *root_key_next = next,
        Some(Frame::Table { key_next }) => *key_next = next,
        Some(Frame::Array) => {}
    }
}

/// The offset of the next line feed at or after `from`, or the end of the text.
fn newline_at_or_after(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

/// Where a bare key, number, date or word ends.
fn atom_end(bytes: &[u8], from: usize, key: bool) -> usize {
    let mut end = from + 1;
    while end < bytes.len() {
        match bytes[end] {
            b' ' | b'\t' | b'\n' | b'\r' | b'=' | b',' | b'[' | b']' | b'{' | b'}' | b'#'
            | b'"' | b'\'' => break,
            b'.' if key => break,
            _ => end += 1,
        }
    }
    end
}

/// Where a string that opens at `from` ends (after its closing quotes), or where the
/// parser will give up on it: a single-line string at its line's end, any string at the
/// end of the text.
fn string_end(bytes: &[u8], from: usize, kind: Str) -> usize {
    let (quote, open, multi, escapes) = match kind {
        Str::Basic => (b'"', 1, false, true),
        Str::Literal => (b'\'', 1, false, false),
        Str::MultiBasic => (b'"', 3, true, true),
        Str::MultiLiteral => (b'\'', 3, true, false),
    };
    let mut i = from + open;
    while i < bytes.len() {
        let c = bytes[i];
        if escapes && c == b'\\' {
            i += 2;
        } else if c == b'\n' && !multi {
            return i;
        } else if c == quote {
            if !multi {
                return i + 1;
            }
            let run = bytes[i..].iter().take_while(|&&q| q == quote).count();
            if run >= 3 {
                // Up to two more quotes before the closing three belong to the string.
                return i + run;
            }
            i += run;
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// A header line's table: `[a.b]` or `[[a]]`.
struct Header {
    /// The first key, when it is bare.
    first: Option<String>,
    /// `[[…]]`.
    array: bool,
    /// How many keys (0 when the header could not be read).
    segments: usize,
    /// Where the header ends (after its closing brackets, or where reading stopped).
    end: usize,
}

impl Header {
    fn kind(&self) -> Root {
        match (self.array, self.segments) {
            (true, 1) => Root::Array,
            (_, 2..) => Root::Prefix,
            _ => Root::Other,
        }
    }
}

/// Reads the header that opens at `from`; what it cannot read it leaves to the parser.
fn header(bytes: &[u8], from: usize) -> Header {
    let array = bytes.get(from + 1) == Some(&b'[');
    let mut i = from + if array { 2 } else { 1 };
    let mut first = None;
    let mut segments = 0;
    let skip_blanks = |mut i: usize| {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
            i += 1;
        }
        i
    };
    loop {
        i = skip_blanks(i);
        let Some(&c) = bytes.get(i) else { break };
        let end = match c {
            b'"' => string_end(bytes, i, Str::Basic),
            b'\'' => string_end(bytes, i, Str::Literal),
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                let end = i + bytes[i..]
                    .iter()
                    .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
                    .count();
                if segments == 0 {
                    first = Some(String::from_utf8_lossy(&bytes[i..end]).into_owned());
                }
                end
            }
            _ => break,
        };
        segments += 1;
        i = skip_blanks(end);
        if bytes.get(i) == Some(&b'.') {
            i += 1;
        } else {
            break;
        }
    }
    let close: &[u8] = if array { b"]]" } else { b"]" };
    if bytes[i.min(bytes.len())..].starts_with(close) {
        Header {
            first,
            array,
            segments,
            end: i + close.len(),
        }
    } else {
        // Unreadable: no cut here, and the parser gives the message.
        Header {
            first: None,
            array,
            segments: 0,
            end: i.max(from + 1),
        }
    }
}

/// Records how a top-level key appears: its first appearance decides, unless a later one
/// sets it on its own (`[key]`, `key = …`) or opens it as an array after a table; a
/// `[key.id]` after `[[key]]` extends the array's last table.
fn add_root(roots: &mut HashMap<String, Root>, name: &str, kind: Root) {
    match roots.get_mut(name) {
        Some(seen) => {
            if kind == Root::Other || (kind == Root::Array && *seen != Root::Array) {
                *seen = Root::Other;
            }
        }
        None => {
            roots.insert(name.to_string(), kind);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_empty_lines_become_spaces_and_offsets_stay() {
        let source = "# head\n\n[a] # trailing\nx = 1\n  # indented\n\ny = \"# not a comment\"\n";
        let scan = scan(source).unwrap();
        assert_eq!(scan.text.len(), source.len());
        assert_eq!(
            scan.text,
            "        [a]           \nx = 1\n              y = \"# not a comment\"\n"
        );
    }

    #[test]
    fn strings_keep_every_byte() {
        let source =
            "a = \"\"\"\n# in\n\n\"\"\"\"\nb = '''\n# in\n'''\nc = \"q\\\"# in\"\nd = 'x#' # out\n";
        let scan = scan(source).unwrap();
        let kept = source.replace("# out", "     ");
        assert_eq!(scan.text, kept);
    }

    #[test]
    fn characters_of_several_bytes_in_comments_become_as_many_spaces() {
        let source = "a = \"é\" # café — ✓\n# ü\n";
        let scan = scan(source).unwrap();
        let comment = "# café — ✓";
        assert_eq!(
            scan.text,
            format!(
                "a = \"é\" {}\n{}",
                " ".repeat(comment.len()),
                " ".repeat("# ü\n".len())
            )
        );
        assert_eq!(scan.text.len(), source.len());
    }

    #[test]
    fn a_comment_the_parser_must_refuse_is_kept() {
        let source = "a = 1 # bell \u{7}\n# cr\r\n";
        let scan = scan(source).unwrap();
        assert_eq!(scan.text, "a = 1 # bell \u{7}\n      ");
    }

    #[test]
    fn pieces_start_at_headers_that_join_plainly() {
        let mut source = String::from("[scenario]\nname = \"x\"\n");
        for i in 0..20_000 {
            source.push_str(&format!(
                "[[policy]]\nname = \"p{i}\"\n[policy.limits.pro]\nwindow = \"5h\"\n"
            ));
        }
        let scan = scan(&source).unwrap();
        assert!(scan.pieces.len() > 1, "{:?}", scan.pieces);
        for piece in &scan.pieces[1..] {
            assert!(source[piece.clone()].starts_with("[[policy]]"), "{piece:?}");
        }
        assert_eq!(scan.roots["policy"], Root::Array);
        assert_eq!(scan.roots["scenario"], Root::Other);
    }

    #[test]
    fn a_quoted_top_level_key_makes_one_piece() {
        let mut source = String::from("\"scenario\".name = \"x\"\n");
        for i in 0..20_000 {
            source.push_str(&format!("[[policy]]\nname = \"p{i}\"\n"));
        }
        let pieces = scan(&source).unwrap().pieces;
        assert_eq!((pieces.len(), pieces[0].clone()), (1, 0..source.len()));
    }

    #[test]
    fn a_table_of_too_many_values_is_refused_where_it_crosses() {
        // The header's two keys, `week` and the array count: with this many numbers the
        // table holds one value more than the limit, its last number.
        let numbers = MAX_TABLE_VALUES - 3;
        let source = format!("[curve.c]\nweek = [{}1]\n", "1,".repeat(numbers - 1));
        let limit = scan(&source).unwrap_err();
        assert_eq!(limit.span, source.len() - 3..source.len() - 2);
        assert!(
            limit
                .message
                .starts_with("expected at most 65,536 keys and values in one table")
        );
        assert!(limit.message.contains("from line 1;"), "{}", limit.message);
        assert!(scan(&source.replacen("1,", "", 1)).is_ok());
    }

    #[test]
    fn a_tree_too_large_is_refused() {
        let mut source = String::new();
        let mut i = 0;
        while source.len() < 8 << 20 {
            source.push_str(&format!("[[t]]\nk{i} = {{}}\n"));
            i += 1;
        }
        let limit = scan(&source).unwrap_err();
        assert!(
            limit.message.contains("at most 160 MB once parsed"),
            "{}",
            limit.message
        );
    }
}
