//! Writing outputs safely: atomically, and only inside the output folder.
//!
//! Every file podgraph writes goes through [`write_atomic`]: the bytes go
//! to a hidden temporary file in the same folder, are flushed to disk, and
//! the temporary file is renamed over the target. A run that is interrupted
//! leaves the previous output intact, never half a file. File names derived
//! from episode ids go through [`file_name`], so an id like `../../etc/x`
//! cannot escape the output folder.
//!
//! The build's outputs are written through an [`OutputWriter`]
//! ([`Pending::buffered`]): blocks of a megabyte, filled by the caller
//! while a thread of the writer's own writes the ones before, past the
//! page cache where the system allows it. They go to the disk before the
//! rename in any case; this way they are not copied into memory first.

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

    /// [`filled`](Self::filled) through a buffer and an [`OutputWriter`]:
    /// for large outputs, and those written in many small pieces. The
    /// bytes are all written when it returns.
    pub fn buffered(path: &Path, fill: impl FnOnce(&mut Buffered<'_>) -> std::io::Result<()>) -> Result<Pending> {
        Pending::buffered_with(path, true, fill)
    }

    /// [`buffered`](Self::buffered), writing past the page cache only if
    /// `direct` (and the file system allows it).
    fn buffered_with(
        path: &Path,
        direct: bool,
        fill: impl FnOnce(&mut Buffered<'_>) -> std::io::Result<()>,
    ) -> Result<Pending> {
        let mut pending = Pending::create(path)?;
        let direct = if direct { open_direct(&pending.tmp) } else { None };
        let file: &std::fs::File = pending.file();
        std::thread::scope(|s| {
            let (full, to_disk) = std::sync::mpsc::sync_channel::<Block>(BLOCKS);
            let (back, free) = std::sync::mpsc::channel::<Block>();
            let disk = s.spawn(move || {
                let mut disk = Disk {
                    file,
                    direct,
                    written: 0,
                };
                for mut block in to_disk {
                    disk.write(&mut block)?;
                    block.clear();
                    // Unsent only once the writer is gone.
                    let _ = back.send(block);
                }
                disk.file.set_len(disk.written)
            });
            let mut w = OutputWriter {
                block: Block::new(),
                full,
                free,
                spare: BLOCKS - 1,
            };
            // Small pieces (JSON is written a key and a value at a time)
            // are gathered by the standard buffer and reach the writer in
            // large ones: through the writer's own `write`, one by one,
            // they cost 6% more instructions in all.
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut w);
            let filled = fill(&mut buffered).and_then(|()| buffered.flush());
            drop(buffered);
            // The writer is closed, or dropped, before the disk thread is
            // waited for: that ends its loop.
            let filled = match filled {
                Ok(()) => w.close(),
                Err(e) => {
                    drop(w);
                    Err(e)
                }
            };
            let written = disk
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the thread writing the output stopped")));
            // The disk's error first: it is why a fill cut short failed.
            written.and(filled)
        })
        .map_err(|e| Error::io(path, e))?;
        Ok(pending)
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

/// What [`Pending::buffered`] gives its caller to write to.
pub type Buffered<'w> = std::io::BufWriter<&'w mut OutputWriter>;

/// Bytes a direct write's buffer, place and length are multiples of.
const ALIGN: usize = 4096;
/// Bytes gathered before each write.
const CHUNK: usize = 1 << 20;
/// Blocks of `CHUNK` bytes per output: one filling while the others are
/// written.
const BLOCKS: usize = 3;

/// A buffered writer for a [`Pending`] file (see
/// [`Pending::buffered`]). Full blocks go to a thread of their own that
/// writes them while the next is filled, on Linux past the page cache
/// (`O_DIRECT`) where the file system allows it.
///
/// Every output is flushed to disk before it replaces the old one, so its
/// bytes go to the disk in any case. Through the page cache they are
/// first copied into it, and on some machines that copy costs the kernel
/// more than the disk write itself (seconds for the gigabytes of an
/// archive's outputs); written directly, they go from this writer's
/// blocks to the disk. A file system that refuses direct writes gets
/// ordinary ones.
pub struct OutputWriter {
    /// The block being filled.
    block: Block,
    /// Full blocks, to the disk thread.
    full: std::sync::mpsc::SyncSender<Block>,
    /// Written blocks, back from it.
    free: std::sync::mpsc::Receiver<Block>,
    /// Blocks that may still be made before one must come back.
    spare: usize,
}

impl OutputWriter {
    /// Sends the block being filled to the disk thread, with an empty one
    /// in its place.
    fn send(&mut self) -> std::io::Result<()> {
        let stopped = || std::io::Error::other("the thread writing the output stopped");
        let next = if self.spare > 0 {
            self.spare -= 1;
            Block::new()
        } else {
            self.free.recv().map_err(|_| stopped())?
        };
        let full = std::mem::replace(&mut self.block, next);
        self.full.send(full).map_err(|_| stopped())
    }

    /// Sends what is left; the disk thread then ends.
    fn close(mut self) -> std::io::Result<()> {
        if self.block.len() > 0 {
            self.send()?;
        }
        Ok(())
    }
}

impl Write for OutputWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let b = &mut self.block;
        let n = data.len().min(CHUNK - b.len());
        b.bytes.extend_from_slice(&data[..n]);
        if b.len() == CHUNK {
            self.send()?;
        }
        Ok(n)
    }

    /// Nothing: a direct write takes whole blocks, so the bytes gathered
    /// wait for the next full block or the end of the output.
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Up to `CHUNK` bytes, from an `ALIGN`ed place `at` in their vector.
/// The vector has room for them from the start and is never
/// reallocated; it holds only the bytes written (after `at` zeros), so a
/// small output touches little memory.
struct Block {
    bytes: Vec<u8>,
    at: usize,
}

impl Block {
    fn new() -> Block {
        let mut bytes: Vec<u8> = Vec::with_capacity(CHUNK + ALIGN);
        let at = bytes.as_ptr().align_offset(ALIGN).min(ALIGN);
        bytes.resize(at, 0);
        Block { bytes, at }
    }

    /// The bytes filled.
    fn len(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn clear(&mut self) {
        self.bytes.truncate(self.at);
    }
}

/// The disk thread's side: writes blocks one after the other. Each is
/// full but the last, so direct writes stay at whole blocks.
struct Disk<'f> {
    /// The file as created: ordinary writes, and its final length.
    file: &'f std::fs::File,
    /// The same file opened for direct writes, while they work.
    direct: Option<std::fs::File>,
    /// Bytes written.
    written: u64,
}

impl Disk<'_> {
    fn write(&mut self, b: &mut Block) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        #[cfg(target_os = "linux")]
        if let Some(direct) = &self.direct {
            use std::os::unix::fs::FileExt;
            // The last block padded to whole blocks; the file is cut back
            // to its length at the end.
            let len = b.len();
            b.bytes.resize(b.at + len.next_multiple_of(ALIGN), 0);
            let written = direct.write_all_at(&b.bytes[b.at..], self.written);
            b.bytes.truncate(b.at + len);
            match written {
                Ok(()) => {
                    self.written += len as u64;
                    return Ok(());
                }
                // Refused (a file system with other rules): the bytes go
                // the ordinary way from here on.
                Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => self.direct = None,
                Err(e) => return Err(e),
            }
        }
        let mut file = self.file;
        file.seek(SeekFrom::Start(self.written))?;
        file.write_all(&b.bytes[b.at..])?;
        self.written += b.len() as u64;
        Ok(())
    }
}

/// The file at `path` opened again for writes past the page cache, if the
/// system and file system allow them.
#[cfg(target_os = "linux")]
fn open_direct(path: &Path) -> Option<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)
        .ok()
}

#[cfg(not(target_os = "linux"))]
fn open_direct(_: &Path) -> Option<std::fs::File> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes `0, 1, 2, ...` as many as `n`, written in pieces of odd sizes
    /// through an [`OutputWriter`], direct or not, come back whole.
    fn written_back(n: usize, direct: bool) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.bin");
        let data: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
        let pending = Pending::buffered_with(&p, direct, |w| {
            for piece in data.chunks(4093) {
                w.write_all(piece)?;
            }
            w.flush()
        })
        .unwrap();
        assert_eq!(pending.commit().unwrap(), n as u64);
        assert!(
            std::fs::read(&p).unwrap() == data,
            "{n} bytes, direct {direct}: read back differs"
        );
    }

    #[test]
    fn output_writer_writes_every_byte_once() {
        for n in [
            0,
            1,
            ALIGN - 1,
            ALIGN,
            ALIGN + 1,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            3 * CHUNK + 5,
        ] {
            written_back(n, true);
            written_back(n, false);
        }
    }

    /// A fill that fails, after whole blocks were written or before any,
    /// leaves nothing behind and reports its error.
    #[test]
    fn buffered_output_that_fails_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        for n in [0, 3 * CHUNK + 7] {
            let err = Pending::buffered(&p, |w| {
                w.write_all(&vec![b'x'; n])?;
                Err(std::io::Error::other("made up"))
            })
            .unwrap_err();
            assert!(err.to_string().contains("made up"), "{err}");
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        }
    }

    #[test]
    fn buffered_output_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        std::fs::write(&p, vec![b'x'; 3 * ALIGN]).unwrap();
        Pending::buffered(&p, |w| w.write_all(b"short"))
            .unwrap()
            .commit()
            .unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"short");
    }

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
