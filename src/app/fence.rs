//! On GitHub Actions the runner reads any line of a step's output that starts (after
//! blanks) with `::` as a workflow command, and `##[` anywhere in a line: a scenario's text
//! echoed by a report or a diagnostic could forge an `::error`, or send
//! `::stop-commands::X` and silence capplan's own annotations. [`CommandFence`] wraps
//! standard output and standard error there: every line that could be read as a command
//! gets a WORD JOINER (U+2060) between its two `:` or two `#`, so it shows as written and
//! the runner reads nothing; capplan's own commands, marked by [`own_command`] with a
//! token drawn per run (never printed, so output stays the same bytes), pass as they are.
//!
//! Names and descriptions refuse `::` and `##[` besides (the validator's `printable`), so
//! files capplan writes never carry a command either; the fence is for the text that must
//! be echoed as it was written: diagnostics quoting the file, the HTML report's copy of it.

use std::io::{self, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether a fence is active in this process (own commands are marked only then).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// The per-run token that marks capplan's own workflow commands for the fence.
fn marker() -> &'static str {
    static MARKER: OnceLock<String> = OnceLock::new();
    MARKER.get_or_init(|| {
        use std::hash::BuildHasher;
        let token = std::collections::hash_map::RandomState::new().hash_one(0x6361_7070_u64);
        format!("\u{1}capplan-own-{token:016x}\u{1}")
    })
}

/// A workflow command capplan itself writes (an annotation): marked so that an active
/// fence lets it through; unchanged when no fence is active.
pub fn own_command(line: &str) -> String {
    if ACTIVE.load(Ordering::Relaxed) {
        format!("{}{line}", marker())
    } else {
        line.to_string()
    }
}

/// A writer that keeps text from being read as a workflow command (see the module).
#[derive(Debug)]
pub struct CommandFence<W: Write> {
    inner: W,
    active: bool,
    line: Vec<u8>,
}

impl<W: Write> CommandFence<W> {
    /// Wraps `inner`; `active` on GitHub Actions, a plain pass-through elsewhere.
    pub fn new(inner: W, active: bool) -> CommandFence<W> {
        if active {
            ACTIVE.store(true, Ordering::Relaxed);
        }
        CommandFence {
            inner,
            active,
            line: Vec::new(),
        }
    }

    /// Writes the buffered line (with its newline, if it has one), fenced.
    fn emit(&mut self) -> io::Result<()> {
        let line = std::mem::take(&mut self.line);
        let fenced = fence_line(&line, marker().as_bytes());
        self.inner.write_all(&fenced)
    }
}

/// One line (with its newline, if any) made safe: capplan's own command unmarked and
/// passed; otherwise a leading `::` and every `##[` broken by U+2060.
pub fn fence_line(line: &[u8], marker: &[u8]) -> Vec<u8> {
    if let Some(own) = line.strip_prefix(marker) {
        return own.to_vec();
    }
    // The log groups the table renderer folds each table in (report::document, which
    // cannot mark its lines): they only fold the log, and what follows `::group::` is the
    // command's own title, so they pass; no other command does.
    let group =
        line.starts_with(b"::group::") || line == b"::endgroup::\n" || line == b"::endgroup::";
    if group && !line.windows(3).any(|w| w == b"##[") {
        return line.to_vec();
    }
    const JOINER: &[u8] = "\u{2060}".as_bytes();
    let mut out = Vec::with_capacity(line.len() + 8);
    // The runner trims blanks (and, to be safe, invisible characters) before `::`.
    let text = String::from_utf8_lossy(line);
    let skipped = text
        .char_indices()
        .find(|&(_, c)| c == '\n' || (!c.is_whitespace() && crate::scenario::printable_char(c)))
        .map_or(text.len(), |(at, _)| at);
    let lead = if text[skipped..].starts_with("::") {
        // Count the bytes of the original line that the lossy text's prefix stands for:
        // the prefix is blanks and invisible characters, valid UTF-8, so the same bytes.
        Some(skipped + 1)
    } else {
        None
    };
    let mut i = 0;
    while i < line.len() {
        if Some(i) == lead {
            out.extend_from_slice(JOINER);
        }
        if line[i..].starts_with(b"##[") {
            out.extend_from_slice(b"#");
            out.extend_from_slice(JOINER);
            i += 1;
            continue;
        }
        out.push(line[i]);
        i += 1;
    }
    out
}

impl<W: Write> Write for CommandFence<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.active {
            return self.inner.write(buf);
        }
        for chunk in buf.split_inclusive(|&b| b == b'\n') {
            self.line.extend_from_slice(chunk);
            if chunk.ends_with(b"\n") {
                self.emit()?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Drop for CommandFence<W> {
    fn drop(&mut self) {
        if !self.line.is_empty() {
            let _ = self.emit();
            let _ = self.inner.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fenced(text: &str) -> String {
        let mut out = Vec::new();
        {
            let mut fence = CommandFence::new(&mut out, true);
            fence.write_all(text.as_bytes()).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_forged_annotation_is_broken_and_still_reads_as_written() {
        assert_eq!(
            fenced("::error file=x::forged\n  ::notice::y\n"),
            ":\u{2060}:error file=x::forged\n  :\u{2060}:notice::y\n"
        );
    }

    #[test]
    fn stop_commands_cannot_silence_own_annotations() {
        let own = format!("{}::error::real\n", marker());
        let text = format!("::stop-commands::tok\n{own}");
        assert_eq!(
            fenced(&text),
            ":\u{2060}:stop-commands::tok\n::error::real\n"
        );
    }

    #[test]
    fn hash_bracket_is_broken_anywhere_in_a_line() {
        assert_eq!(
            fenced("name ##[error]x ##[group]\n"),
            "name #\u{2060}#[error]x #\u{2060}#[group]\n"
        );
    }

    #[test]
    fn invisible_characters_before_the_colons_are_seen_through() {
        assert_eq!(
            fenced("\u{feff}\u{200b} ::warning::x"),
            "\u{feff}\u{200b} :\u{2060}:warning::x"
        );
    }

    #[test]
    fn log_groups_pass_and_nothing_else_does() {
        assert_eq!(
            fenced("::group::Policies\n::endgroup::\n::set-output name=x::y\n"),
            "::group::Policies\n::endgroup::\n:\u{2060}:set-output name=x::y\n"
        );
    }

    #[test]
    fn text_elsewhere_is_untouched() {
        assert_eq!(
            fenced("a::b\n{\"x\": \"::y\"}\n"),
            "a::b\n{\"x\": \"::y\"}\n"
        );
    }

    #[test]
    fn an_inactive_fence_passes_everything() {
        let mut out = Vec::new();
        CommandFence::new(&mut out, false)
            .write_all(b"::error::x\n")
            .unwrap();
        assert_eq!(out, b"::error::x\n");
    }
}
