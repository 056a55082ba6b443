//! Writing outputs safely: atomically, and only inside the output folder.
//!
//! Every file podgraph writes goes through [`write_atomic`]: the bytes go
//! to a hidden temporary file in the same folder, are flushed to disk, and
//! the temporary file is renamed over the target. A run that is interrupted
//! leaves the previous output intact, never half a file. File names derived
//! from episode ids go through [`file_name`], so an id like `../../etc/x`
//! cannot escape the output folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Result};
use crate::names;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Writes `bytes` to `path` atomically (temp file in the same folder, then
/// rename). The folder is created if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes)).map(|_| ())
}

/// Like [`write_atomic`], for output produced as it is written: `fill`
/// streams into the temp file, which replaces `path` only once `fill` has
/// succeeded. Returns the number of bytes written.
pub fn write_atomic_with(path: &Path, fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>) -> Result<u64> {
    Pending::filled(path, fill)?.commit()
}

/// An output file being written: a hidden temporary file in the target's
/// folder that replaces the target only on [`commit`](Pending::commit), and
/// is removed if dropped before. Unlike [`write_atomic_with`], the file can
/// be finished later, for instance once another output's size is known.
#[derive(Debug)]
pub struct Pending {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<std::fs::File>,
}

impl Pending {
    /// Creates the temporary file for `path` (and the folder, if needed).
    pub fn create(path: &Path) -> Result<Pending> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let name = path
            .file_name()
            .ok_or_else(|| Error::Usage(format!("not a file path: {}", path.display())))?
            .to_string_lossy();
        let tmp = dir.join(format!(
            ".{name}.tmp-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let file = std::fs::File::create(&tmp).map_err(|e| Error::io(path, e))?;
        Ok(Pending {
            path: path.to_path_buf(),
            tmp,
            file: Some(file),
        })
    }

    /// Creates the temporary file for `path` and lets `fill` stream into
    /// it: what [`write_atomic_with`] does before it commits.
    pub fn filled(path: &Path, fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>) -> Result<Pending> {
        let mut pending = Pending::create(path)?;
        fill(pending.file()).map_err(|e| Error::io(path, e))?;
        Ok(pending)
    }

    /// [`filled`](Self::filled) through a buffer, flushed before it
    /// returns: for outputs written in many small pieces.
    pub fn buffered(
        path: &Path,
        fill: impl FnOnce(&mut std::io::BufWriter<&mut std::fs::File>) -> std::io::Result<()>,
    ) -> Result<Pending> {
        Pending::filled(path, |f| {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
            fill(&mut w)?;
            w.flush()
        })
    }

    /// The file to write to.
    pub fn file(&mut self) -> &mut std::fs::File {
        self.file.as_mut().expect("a pending file is open until committed")
    }

    /// Flushes the file to disk and renames it over the target. Returns
    /// its size.
    pub fn commit(mut self) -> Result<u64> {
        let file = self.file.take().expect("a pending file is open until committed");
        let done = (|| {
            file.sync_all()?;
            let len = file.metadata()?.len();
            drop(file);
            std::fs::rename(&self.tmp, &self.path)?;
            Ok(len)
        })();
        done.map_err(|e| Error::io(&self.path, e))
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        // Not committed, or the rename failed: leave nothing behind.
        if self.file.take().is_some() || self.tmp.exists() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A safe file name for an id: its slug plus an extension. The slug has
/// only ASCII letters, digits and hyphens, so it is never `..`, never holds
/// a separator and never starts with a dot.
pub fn file_name(id: &str, extension: &str) -> String {
    format!("{}.{extension}", names::slug(id))
}

/// Joins a safe file name for `id` under `dir`.
pub fn path_for(dir: &Path, id: &str, extension: &str) -> PathBuf {
    dir.join(file_name(id, extension))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn pending_file_appears_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("graph.idx");
        write_atomic(&p, b"old").unwrap();
        let mut pending = Pending::create(&p).unwrap();
        pending.file().write_all(b"half").unwrap();
        drop(pending);
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        let mut pending = Pending::create(&p).unwrap();
        pending.file().write_all(b"new").unwrap();
        assert_eq!(pending.commit().unwrap(), 3);
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn hostile_ids_stay_inside() {
        let dir = Path::new("/out");
        for id in ["../../etc/x", "/abs/path", "a/b", "..", ".hidden", "we\"ird\nid"] {
            let p = path_for(dir, id, "json");
            assert_eq!(p.parent(), Some(dir), "{id} -> {}", p.display());
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            assert!(!name.starts_with('.'), "{name}");
        }
    }
}

/// A unified diff of a file whose lines change in one or more places, with
/// two lines of context, as `diff -u` would show it. Empty when equal.
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let (prefix, suffix) = names::common_ends(&a, &b);
    let ctx = 2;
    let start = prefix.saturating_sub(ctx);
    let a_end = (a.len() - suffix + ctx).min(a.len());
    let b_end = (b.len() - suffix + ctx).min(b.len());
    let mut out = format!("--- {name}\n+++ {name}\n");
    out.push_str(&format!(
        "@@ -{},{} +{},{} @@\n",
        start + 1,
        a_end - start,
        start + 1,
        b_end - start
    ));
    let line = |out: &mut String, mark: char, l: &str| {
        out.push(mark);
        out.push_str(l.trim_end_matches(['\n', '\r']));
        out.push('\n');
    };
    for l in &a[start..prefix] {
        line(&mut out, ' ', l);
    }
    for l in &a[prefix..a.len() - suffix] {
        line(&mut out, '-', l);
    }
    for l in &b[prefix..b.len() - suffix] {
        line(&mut out, '+', l);
    }
    for l in &a[a.len() - suffix..a_end] {
        line(&mut out, ' ', l);
    }
    out
}

#[cfg(test)]
mod diff_tests {
    #[test]
    fn one_hunk_with_context() {
        let old = "a\nb\nc\nd\ne\nf\n";
        let new = "a\nb\nc\nX\nY\ne\nf\n";
        let d = super::unified_diff("f.md", old, new);
        assert_eq!(d, "--- f.md\n+++ f.md\n@@ -2,5 +2,6 @@\n b\n c\n-d\n+X\n+Y\n e\n f\n");
        assert_eq!(super::unified_diff("f", "x\n", "x\n"), "");
    }
}
