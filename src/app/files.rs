//! Reading scenarios (with their CSV curve files) and writing outputs: the file I/O of the
//! application, kept out of the core. Inputs must be regular files under a size cap, so a
//! FIFO or `/dev/zero` is an error rather than a read that never ends; outputs are written
//! so that no input of the run is ever written over, whatever the spelling of its path.

use std::cell::RefCell;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::fmt::count;
use crate::scenario::edit::Assignment;
use crate::scenario::{Scenario, ScenarioError, ScenarioWarnings};

/// The largest scenario file read, in bytes (8 MiB): a generated scenario of 20,000
/// policies with limits is 7.9 MB, and curves of any length live in CSV files apart. The
/// cap bounds the parse's memory (a few hundred MB at worst; see docs/reliability.md).
pub const SCENARIO_LIMIT: u64 = 8 << 20;
/// The largest CSV curve file read, in bytes (256 MiB).
pub const CURVE_LIMIT: u64 = 256 << 20;

/// The files a run reads or writes, by identity (device and inode), so that an output is
/// never written over any of them however its path is spelt: `./x`, a symlink, a hard link.
#[derive(Debug, Default)]
pub struct Touched {
    files: Vec<(PathBuf, FileId)>,
}

/// What makes two paths the same file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    device: u64,
    inode: u64,
}

impl FileId {
    /// The identity of the file a path names (through symlinks), if it exists.
    fn of(path: &Path) -> Option<FileId> {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::metadata(path).ok()?;
        Some(FileId {
            device: meta.dev(),
            inode: meta.ino(),
        })
    }
}

impl Touched {
    /// Records a file the run read or wrote.
    pub fn add(&mut self, path: &Path) {
        if let Some(id) = FileId::of(path) {
            self.files.push((path.to_path_buf(), id));
        }
    }

    /// The recorded path that names the same file as `path`, if any.
    pub fn find(&self, path: &Path) -> Option<&Path> {
        let id = FileId::of(path)?;
        self.files
            .iter()
            .find(|(_, other)| *other == id)
            .map(|(p, _)| p.as_path())
    }

    /// Refuses `path` when it is one of the run's files.
    pub fn refuse(&self, path: &Path, what: &str) -> anyhow::Result<()> {
        match self.find(path) {
            Some(input) => bail!(
                "refusing to write {what} {}: it is {}, a file this run reads or wrote",
                path.display(),
                input.display()
            ),
            None => Ok(()),
        }
    }
}

/// Reads a whole input that must be a regular file of at most `limit` bytes. The file is
/// opened without blocking, so a FIFO with no writer is refused rather than waited on.
pub fn read_limited(path: &Path, limit: u64, what: &str) -> anyhow::Result<Vec<u8>> {
    use std::os::unix::fs::OpenOptionsExt;
    /// O_NONBLOCK on Linux: opening a FIFO for reading returns at once.
    const O_NONBLOCK: i32 = 0o4000;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
        .with_context(|| format!("cannot read {what} {}", path.display()))?;
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read {what} {}", path.display()))?;
    if !meta.is_file() {
        bail!(
            "cannot read {what} {}: it is not a regular file (a folder, a FIFO or a device); expected a file",
            path.display()
        );
    }
    let too_big = || {
        anyhow::anyhow!(
            "cannot read {what} {}: it is larger than the {} bytes capplan reads",
            path.display(),
            count(limit as f64)
        )
    };
    if meta.len() > limit {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {what} {}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(bytes)
}

/// The bytes as text, or where they stop being UTF-8: "is not UTF-8 text (invalid byte
/// at offset N)".
fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Reads and validates a scenario file, with the CSV curve files it refers to (paths
/// relative to the scenario's folder), and returns it with its warnings; every file read
/// is recorded in `touched`. `sets` (`--set`) edit the text before it is validated.
pub fn read_scenario(
    path: &Path,
    sets: &[Assignment],
    touched: &mut Touched,
) -> anyhow::Result<(Scenario, ScenarioWarnings)> {
    // `-` is standard input, read under the same limit; it has no folder, so its curve
    // files must be named by absolute paths.
    let stdin = path == Path::new("-");
    let origin = if stdin {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let bytes = if stdin {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(SCENARIO_LIMIT + 1)
            .read_to_end(&mut bytes)
            .context("cannot read the scenario from standard input")?;
        if bytes.len() as u64 > SCENARIO_LIMIT {
            bail!(
                "cannot read the scenario from standard input: it is larger than the {} bytes capplan reads",
                count(SCENARIO_LIMIT as f64)
            );
        }
        bytes
    } else {
        let bytes = read_limited(path, SCENARIO_LIMIT, "scenario")?;
        touched.add(path);
        bytes
    };
    let text = utf8(bytes).map_err(|why| {
        ScenarioError::whole_file(&origin, format!("the file {why}; expected a TOML scenario"))
    })?;
    let text = with_sets(text, sets, &origin)?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let curves = RefCell::new(Vec::new());
    let files = |relative: &str| -> Result<String, String> {
        if stdin && !Path::new(relative).is_absolute() {
            return Err(format!(
                "a scenario read from standard input has no folder for the relative path {relative:?}; give the curve file's absolute path"
            ));
        }
        let curve = folder.join(relative);
        let bytes =
            read_limited(&curve, CURVE_LIMIT, "curve file").map_err(|e| format!("{e:#}"))?;
        curves.borrow_mut().push(curve);
        utf8(bytes).map_err(|why| format!("it {why}"))
    };
    let loaded = Scenario::load(&text, &origin, &files);
    for curve in curves.into_inner() {
        touched.add(&curve);
    }
    Ok(loaded?)
}

/// `calibrate --apply`: writes the calibrated inputs into the scenario file in place,
/// keeping every other byte (toml_edit), each changed line marked `# calibrated DATE ×m`
/// (today, UTC). Written through a temporary file in the same folder and a rename, so a
/// reader never sees half a scenario; the file keeps its mode. The text must still be the
/// one the calibration read: a file changed meanwhile is refused.
pub fn apply_calibration(
    path: &Path,
    source: &str,
    answer: &crate::plan::CalibrationAnswer,
) -> anyhow::Result<()> {
    let today = today();
    let points: Vec<String> = answer
        .inputs
        .iter()
        .filter(|i| i.key.contains('['))
        .map(|i| {
            format!(
                "{} = {} (×{})",
                i.key,
                round_significant(i.to, 6),
                significant(i.multiplier)
            )
        })
        .collect();
    if !points.is_empty() {
        anyhow::bail!(
            "calibrate --apply rewrites single numbers, and a frontier's points are items of an array; the file is unchanged. Calibrated tokens/s per GPU to write by hand: {}",
            points.join(", ")
        );
    }
    let edits: Vec<(String, f64, String)> = answer
        .inputs
        .iter()
        .map(|i| {
            (
                i.key.clone(),
                round_significant(i.to, 10),
                format!("calibrated {today} ×{}", significant(i.multiplier)),
            )
        })
        .collect();
    let text = crate::scenario::edit::apply_marked(source, &edits).map_err(anyhow::Error::msg)?;
    let now = read_limited(path, SCENARIO_LIMIT, "scenario")?;
    if now != source.as_bytes() {
        bail!(
            "{} changed while it was calibrated; run calibrate --apply again",
            path.display()
        );
    }
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(folder)
        .with_context(|| format!("cannot write {}", path.display()))?;
    temporary
        .write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    if let Ok(meta) = fs::metadata(path) {
        let _ = fs::set_permissions(temporary.path(), meta.permissions());
    }
    temporary
        .persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Today's date, UTC.
fn today() -> crate::scenario::Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    crate::scenario::Date::from_day_number((seconds / 86_400) as i64)
}

/// `value` rounded to `digits` significant digits: what --apply writes (at least 7, as
/// MODEL.md asks; 10 keeps a whole count whole: 71,999.99998 is written 72000.0).
fn round_significant(value: f64, digits: i32) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let scale = 10f64.powi(digits - 1 - value.abs().log10().floor() as i32);
    (value * scale).round() / scale
}

/// A multiplier to 7 significant digits, trailing zeros dropped: `1.412346`, `0.5`.
fn significant(m: f64) -> String {
    let digits = (6 - m.abs().log10().floor() as i32).clamp(0, 15) as usize;
    let text = format!("{m:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Where one side of `diff` is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source<'a> {
    /// A file on disk.
    File(&'a Path),
    /// A file as it is at a git revision.
    Git {
        /// The revision, as given.
        rev: &'a str,
        /// The path, relative to the current folder.
        path: &'a str,
    },
}

impl Source<'_> {
    /// Where the side was read from, as the answer says it: `file X` or `git REV:PATH`.
    pub fn describe(&self) -> String {
        match self {
            Source::File(path) => format!("file {}", path.display()),
            Source::Git { rev, path } => format!("git {rev}:{path}"),
        }
    }
}

/// Reads a `diff` spec: `REV:PATH` (a revision before the first `:`; a revision never
/// starts with `-`, `.` or `/`, so `./x:y` is always a file and nothing reaches git as an
/// option) or a file. A spec that is both, an existing file whose name is also a revision
/// git knows followed by a path, is refused: a pull request could plant the file
/// `origin/main:scenarios/x.toml` so that the "base" is its own head.
pub fn source(spec: &str) -> anyhow::Result<Source<'_>> {
    let git = spec.split_once(':').filter(|(rev, path)| {
        !rev.is_empty() && !rev.starts_with(['-', '.', '/']) && !path.is_empty()
    });
    let file = Path::new(spec);
    let on_disk = fs::symlink_metadata(file).is_ok();
    match git {
        None => Ok(Source::File(file)),
        Some((rev, path)) if !on_disk => Ok(Source::Git { rev, path }),
        Some((rev, path)) if known_revision(rev) => bail!(
            "{spec:?} is ambiguous: it is both the file {spec} on disk and {path} at the git \
             revision {rev}; write ./{spec} to read the file, or remove the file to read git"
        ),
        Some(_) => Ok(Source::File(file)),
    }
}

/// Whether git resolves `rev` to a commit here (false outside a repository or without git).
fn known_revision(rev: &str) -> bool {
    std::process::Command::new("git")
        .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
        .arg(format!("{rev}^{{commit}}"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Reads one file as it is at a git revision (`git show REV:./PATH`, the path relative to
/// the current folder), under `limit` bytes. The blob is streamed and the cap applied
/// while reading: at `limit + 1` bytes git is stopped, so a huge blob is never read whole.
fn git_show(rev: &str, path: &Path, limit: u64, what: &str) -> anyhow::Result<Vec<u8>> {
    use std::process::{Command, Stdio};
    let object = format!("{rev}:./{}", path.display());
    let cannot = || format!("cannot read {what} {object}");
    let mut child = Command::new("git")
        .args(["show", "--no-textconv", &object])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("{}: cannot run git", cannot()))?;
    let mut bytes = Vec::new();
    let read = match child.stdout.take() {
        Some(stdout) => stdout.take(limit + 1).read_to_end(&mut bytes).map(|_| ()),
        None => Ok(()),
    };
    if bytes.len() as u64 > limit {
        let _ = child.kill();
        let _ = child.wait();
        bail!(
            "{}: it is larger than the {} bytes capplan reads",
            cannot(),
            count(limit as f64)
        );
    }
    read.with_context(cannot)?;
    let mut message = String::new();
    if let Some(stderr) = child.stderr.take() {
        // git's own message; a few kilobytes at most, and capped all the same.
        let _ = stderr.take(64 << 10).read_to_string(&mut message);
    }
    let status = child.wait().with_context(cannot)?;
    if !status.success() {
        bail!(
            "{}: {}; expected REV:PATH naming a file at a git revision",
            cannot(),
            message.trim()
        );
    }
    Ok(bytes)
}

/// The scenario's text with `--set` applied (toml_edit: every other byte kept), to be
/// validated as the file is. A text that is no TOML is left for the parse to diagnose.
/// The text's size is checked first, as the parse would: toml_edit's document of a hostile
/// text takes many times the parser's memory.
fn with_sets(text: String, sets: &[Assignment], origin: &str) -> anyhow::Result<String> {
    if sets.is_empty() {
        return Ok(text);
    }
    Scenario::check_limits(&text, origin)?;
    match text.parse::<toml_edit::DocumentMut>() {
        Ok(document) => crate::scenario::edit::apply_to(document, sets).map_err(anyhow::Error::msg),
        Err(_) => Ok(text),
    }
}

/// Reads and validates a scenario as it is at a git revision, with its curve files at
/// the same revision; nothing is written and nothing on disk is read but through git.
/// `sets` (`--set`) edit the text before it is validated.
pub fn read_revision(
    rev: &str,
    path: &str,
    sets: &[Assignment],
) -> anyhow::Result<(Scenario, ScenarioWarnings)> {
    let origin = format!("{rev}:{path}");
    let path = Path::new(path);
    let bytes = git_show(rev, path, SCENARIO_LIMIT, "scenario")?;
    let text = utf8(bytes).map_err(|why| {
        ScenarioError::whole_file(&origin, format!("the file {why}; expected a TOML scenario"))
    })?;
    let text = with_sets(text, sets, &origin)?;
    let folder = path.parent().unwrap_or(Path::new(""));
    let files = |relative: &str| -> Result<String, String> {
        let bytes = git_show(rev, &folder.join(relative), CURVE_LIMIT, "curve file")
            .map_err(|e| format!("{e:#}"))?;
        utf8(bytes).map_err(|why| format!("it {why}"))
    };
    Ok(Scenario::load(&text, &origin, &files)?)
}

/// Writes `bytes` to `path`, never over a file in `touched`:
/// - a character device or FIFO (`/dev/null`, `/dev/stdout`, a named pipe) is written to
///   directly, never replaced;
/// - a symlink is followed, and its target replaced;
/// - otherwise the bytes go to a temporary file in the same folder, renamed over the
///   target, so a reader never sees half a file. A new file gets the mode the umask gives;
///   a replaced one keeps its own.
pub fn write_atomically(path: &Path, bytes: &[u8], touched: &Touched) -> anyhow::Result<()> {
    use std::os::unix::fs::FileTypeExt;
    touched.refuse(path, "the output")?;
    let target = match fs::metadata(path) {
        Ok(meta) => {
            let kind = meta.file_type();
            if kind.is_char_device() || kind.is_fifo() {
                let mut file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                return file
                    .write_all(bytes)
                    .with_context(|| format!("cannot write {}", path.display()));
            }
            if !kind.is_file() {
                bail!(
                    "cannot write {}: it is a folder or a special file; expected a file path",
                    path.display()
                );
            }
            fs::canonicalize(path).with_context(|| format!("cannot write {}", path.display()))?
        }
        // A symlink (or a chain of them) whose end does not exist yet: create the end,
        // never replace a link.
        Err(_) => end_of_links(path)?,
    };
    replace(&target, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Where a chain of symlinks that leads to no file ends: the path the last link names, to
/// be created. A chain longer than 40 links (or a loop) is refused, like the kernel's.
fn end_of_links(path: &Path) -> anyhow::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::read_link(&current) {
            Ok(link) => {
                current = current.parent().unwrap_or(Path::new(".")).join(link);
            }
            Err(_) => return Ok(current),
        }
    }
    bail!(
        "cannot write {}: it is a chain of more than 40 links, or a loop; expected a file path",
        path.display()
    )
}

/// Whether two paths name the same file: the same device and inode when both exist, the
/// same path when neither does.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (FileId::of(a), FileId::of(b)) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a == b,
        _ => false,
    }
}

/// Writes a temporary file beside `target` and renames it over `target`.
fn replace(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let folder = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let existing = fs::metadata(target).ok().map(|m| m.permissions());
    let (temporary, mut file) = create_temporary(folder, &name)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| match existing {
            Some(permissions) => file.set_permissions(permissions),
            None => Ok(()),
        })
        .and_then(|()| fs::rename(&temporary, target));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

/// A new file `.NAME.capplan-PID-N.tmp` in `folder`, created with the mode the umask gives.
fn create_temporary(folder: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let mut last = None;
    for attempt in 0..100 {
        let path = folder.join(format!(
            ".{name}.capplan-{}-{attempt}.tmp",
            std::process::id()
        ));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => last = Some(err),
            Err(err) => return Err(err),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary file name")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_file_is_found_under_any_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("s.toml");
        fs::write(&input, "x").unwrap();
        let mut touched = Touched::default();
        touched.add(&input);
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        let hard = dir.path().join("hard.toml");
        fs::hard_link(&input, &hard).unwrap();
        let dotted = dir.path().join(".").join("s.toml");
        for spelling in [&link, &hard, &dotted] {
            assert_eq!(
                touched.find(spelling),
                Some(input.as_path()),
                "{spelling:?}"
            );
            assert!(write_atomically(spelling, b"y", &touched).is_err());
        }
        assert_eq!(fs::read_to_string(&input).unwrap(), "x");
        assert_eq!(touched.find(&dir.path().join("other.toml")), None);
    }

    #[test]
    fn a_symlink_is_written_through_and_stays_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        fs::write(&target, "old").unwrap();
        let link = dir.path().join("out.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomically(&link, b"new", &Touched::default()).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 2, "no temporary file is left behind");
    }

    #[test]
    fn a_replaced_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, b"new", &Touched::default()).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn only_regular_files_under_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_limited(dir.path(), 10, "scenario").unwrap_err();
        assert!(
            format!("{error:#}").contains("not a regular file"),
            "{error:#}"
        );
        let error = read_limited(Path::new("/dev/zero"), 10, "scenario").unwrap_err();
        assert!(
            format!("{error:#}").contains("not a regular file"),
            "{error:#}"
        );
        let big = dir.path().join("big.toml");
        fs::write(&big, [b'#'; 11]).unwrap();
        let error = read_limited(&big, 10, "scenario").unwrap_err();
        assert!(
            format!("{error:#}").contains("larger than the 10 bytes"),
            "{error:#}"
        );
        assert_eq!(read_limited(&big, 11, "scenario").unwrap().len(), 11);
    }
}
