//! The reading pipeline: from paths on the command line to processed
//! episodes with resolved speakers and tagged mentions.
//!
//! ```text
//! paths ─ discover ─▶ files (sorted) ─┬─ profiles ─▶ people Directory
//!                                     └─ episodes, in parallel, one at a time:
//!                                        parse ─▶ speakers::extract ─▶ tag
//!                                        ─▶ ProcessedEpisode (text dropped)
//! all episodes ─▶ duplicate ids, StockSet ─▶ speakers::resolve ─▶ Corpus
//! ```
//!
//! Each file is read, parsed and tagged by one worker and its text dropped
//! before the next, so memory grows with the mentions kept, not with the
//! corpus. Results are gathered in path order, so the output does not
//! depend on the order files are listed on disk or on the thread count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::episode::{Episode, EpisodeMeta};
use crate::error::{Error, Result};
use crate::graph::Quote;
use crate::names::FastMap;
use crate::people::Directory;
use crate::speakers::{self, Cast, Clues, StockSet};
use crate::tagger::{self, Hit, Tagger};
use crate::transcript::sidecar::{External, ExternalMeta};
use crate::transcript::{self, Format, Parsed};

/// Longest evidence quote kept per mention, in bytes.
pub const QUOTE_BYTES: usize = 240;

/// What to read and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Files or folders (walked recursively).
    pub inputs: Vec<PathBuf>,
    /// Folders or files of people profiles, beside any found in `inputs`.
    pub people: Vec<PathBuf>,
    /// Force a transcript format instead of detecting it.
    pub format: Option<Format>,
}

/// A concept mention in a turn, with its evidence.
///
/// Numbers are `u32`: an archive holds millions of mentions, and no file
/// read is larger than [`transcript::MAX_FILE_BYTES`], so every turn index
/// and span fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Index of the turn in its episode.
    pub turn: u32,
    /// Index of the concept in the dictionary.
    pub concept: u32,
    /// Byte span of the match in the turn's text.
    pub start: u32,
    /// End of the span.
    pub end: u32,
    /// Where the sentence around the match lies in its episode's
    /// [`quotes`](ProcessedEpisode::quotes).
    pub quote: (u32, u32),
    /// Span of the match inside the quote.
    pub quote_span: (u32, u32),
}

const _: () = assert!(transcript::MAX_FILE_BYTES <= u32::MAX as u64);

/// A concept named in an episode's metadata (title, notes, links...).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MetaMention {
    /// The metadata field.
    pub field: &'static str,
    /// Index of the concept in the dictionary.
    pub concept: usize,
}

/// What is kept of a turn once its text is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnInfo {
    /// Start time in milliseconds.
    pub start_ms: Option<u64>,
    /// File line where the turn starts.
    pub line: usize,
}

/// An episode after parsing, speaker clue extraction and tagging.
#[derive(Debug, Clone)]
pub struct ProcessedEpisode {
    /// The file it came from.
    pub source: PathBuf,
    /// Its metadata.
    pub meta: EpisodeMeta,
    /// Its turns, without text.
    pub turns: Vec<TurnInfo>,
    /// Speaker clues, for [`speakers::resolve`].
    pub clues: Clues,
    /// Concept mentions in the transcript, in order.
    pub mentions: Vec<Mention>,
    /// The quotes of the mentions, one after the other (a quote shared by
    /// mentions of the same sentence is kept once): one string, shared
    /// with the graph's mention records.
    pub quotes: Arc<str>,
    /// Concepts named in the metadata.
    pub meta_mentions: Vec<MetaMention>,
    /// Bytes of transcript text.
    pub text_bytes: usize,
}

impl ProcessedEpisode {
    /// A mention's quote, sharing the episode's quotes.
    pub fn quote(&self, m: &Mention) -> Quote {
        // Ranges made by `process_episode`; any other gives no words.
        Quote::shared(self.quotes.clone(), m.quote).unwrap_or_else(|| Quote::from(""))
    }

    /// A turn's label as written, or `None` for unlabelled text.
    pub fn turn_label(&self, turn: usize) -> Option<&str> {
        let l = (*self.clues.turn_labels.get(turn)?)?;
        self.clues.labels.get(l).map(String::as_str)
    }
}

/// A whole corpus, read and resolved.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// Episodes in path order, one per episode id.
    pub episodes: Vec<ProcessedEpisode>,
    /// Resolved speakers, parallel to `episodes`.
    pub casts: Vec<Cast>,
    /// The people directory used.
    pub directory: Directory,
    /// Every problem found.
    pub diagnostics: Diagnostics,
    /// Files that could not be used.
    pub failed_files: usize,
    /// Files read.
    pub files: usize,
    /// Wall time of each loading stage, for `podgraph build --timings`.
    pub times: Vec<(&'static str, std::time::Duration)>,
}

/// Lists the files to read: files given directly, and candidate files in
/// folders (recursively, skipping hidden ones), sorted and deduplicated.
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    if inputs.is_empty() {
        return Err(Error::Usage("no input files or folders given".into()));
    }
    let mut out = BTreeSet::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .map_err(|e| Error::Usage(format!("cannot read input `{}`: {e}", input.display())))?;
        if meta.is_dir() {
            walk(input, &mut out)?;
        } else if meta.is_file() {
            out.insert(input.clone());
        } else {
            return Err(Error::Usage(format!(
                "input `{}` is neither a file nor a folder",
                input.display()
            )));
        }
    }
    // The same file named twice (`a/x.md` and `./a/x.md`) is read once.
    // Resolving a path asks the file system about each of its folders: done
    // for thousands of files, on every core.
    let real: Vec<PathBuf> = out
        .par_iter()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .collect();
    let mut seen = BTreeSet::new();
    Ok(out
        .into_iter()
        .zip(real)
        .filter_map(|(p, r)| seen.insert(r).then_some(p))
        .collect())
}

/// Whether a folder holds podgraph's own outputs (a `graph.idx` beside a
/// `graph.json`): never read back as transcripts.
fn is_output_folder(dir: &Path) -> bool {
    dir.join("graph.idx").is_file() && dir.join("graph.json").is_file()
}

fn walk(dir: &Path, out: &mut BTreeSet<PathBuf>) -> Result<()> {
    if is_output_folder(dir) {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let mut ft = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if hidden {
            continue;
        }
        if ft.is_symlink() {
            // Linked files are read; linked folders are not walked, so a
            // link loop cannot hang the walk.
            match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => ft = m.file_type(),
                _ => continue,
            }
        }
        if ft.is_dir() {
            walk(&path, out)?;
        } else if ft.is_file() && transcript::is_candidate(&path) {
            out.insert(path);
        }
    }
    Ok(())
}

/// Whether a file starts with front matter that looks like a profile; only
/// the first few kilobytes are read.
fn maybe_profile(path: &Path) -> bool {
    use std::io::Read;
    let mut buf = vec![0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut buf))
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&buf[..n]);
    let head = head.trim_start_matches('\u{feff}');
    head.starts_with("---")
        && (head.contains("\nfirst_name:") || head.contains("\nlast_name:"))
        && !head.contains("\nepisode_id:")
}

/// Progress of a long run, for a progress bar. Implementations must be
/// cheap and thread-safe: `advance` is called from worker threads.
pub trait Progress: Sync {
    /// The number of files to process is known.
    fn start(&self, _files: usize) {}
    /// One more file is done.
    fn advance(&self) {}
    /// All files are done.
    fn finish(&self) {}
}

/// Progress that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// Reads, parses, resolves and tags a corpus.
pub fn load(opts: &Options, tagger: &Tagger, progress: &dyn Progress) -> Result<Corpus> {
    let mut clock = Instant::now();
    let mut lap = |corpus: &mut Corpus, stage: &'static str| {
        corpus.times.push((stage, clock.elapsed()));
        clock = Instant::now();
    };
    let files = discover(&opts.inputs)?;
    let mut corpus = Corpus {
        files: files.len(),
        ..Corpus::default()
    };

    // People first: speaker clues are gathered against them.
    let mut people_files: Vec<PathBuf> = Vec::new();
    if !opts.people.is_empty() {
        people_files.extend(discover(&opts.people)?);
    }
    // A look at the head of each file, on every core.
    let (profiles, episodes_files): (Vec<PathBuf>, Vec<PathBuf>) = files
        .into_par_iter()
        .partition(|p| opts.format.is_none() && maybe_profile(p));
    people_files.extend(profiles);
    people_files.sort();
    people_files.dedup();
    progress.start(people_files.len() + episodes_files.len());
    for p in &people_files {
        match transcript::read_file(p, None, None) {
            Ok(f) => {
                corpus.diagnostics.extend(f.warnings);
                match f.parsed {
                    Parsed::Profile(profile) => corpus.directory.add(profile),
                    Parsed::Episode(_) => corpus.diagnostics.push(Diagnostic::warning(
                        p,
                        0,
                        "given as a people profile but holds a transcript; ignored",
                    )),
                }
            }
            Err(e) => {
                corpus.failed_files += 1;
                corpus.diagnostics.push(Diagnostic::from_error(&e));
            }
        }
        progress.advance();
    }

    let mut meta_diags = Vec::new();
    let external = ExternalMeta::collect(&episodes_files, &mut meta_diags);
    corpus.diagnostics.extend(meta_diags);
    lap(&mut corpus, "discover files, people, metadata");

    let results: Vec<(Option<ProcessedEpisode>, Vec<Diagnostic>)> = episodes_files
        .par_iter()
        .map(|path| {
            let ext = external.get(path);
            let out = match process_file(path, opts.format, ext, &corpus.directory, tagger) {
                Ok((ep, warnings)) => (ep, warnings),
                Err(e) => (None, vec![Diagnostic::from_error(&e)]),
            };
            progress.advance();
            out
        })
        .collect();
    progress.finish();
    lap(&mut corpus, "read, parse, speaker clues, tag (parallel)");

    let mut by_id: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (ep, diags) in results {
        if diags.iter().any(|d| d.severity == crate::diagnostics::Severity::Error) {
            corpus.failed_files += 1;
        }
        corpus.diagnostics.extend(diags);
        let Some(ep) = ep else { continue };
        if let Some(first) = by_id.get(&ep.meta.id) {
            corpus.failed_files += 1;
            corpus.diagnostics.push(Diagnostic::error(
                &ep.source,
                ep.meta.id_line.max(1),
                format!(
                    "duplicate episode id `{}` (also in {}); this file is skipped, the first keeps the id",
                    ep.meta.id,
                    first.display()
                ),
            ));
            continue;
        }
        by_id.insert(ep.meta.id.clone(), ep.source.clone());
        corpus.episodes.push(ep);
    }

    let mut stock = StockSet::default();
    for ep in &corpus.episodes {
        stock.add(&ep.clues);
    }
    corpus.casts = corpus
        .episodes
        .par_iter()
        .map(|ep| speakers::resolve(&ep.clues, &stock))
        .collect();
    // Each episode's show is its folder, numbered: roles are counted per
    // show, and numbers compare faster than paths.
    let mut show_numbers: FastMap<&Path, usize> = FastMap::default();
    let shows: Vec<usize> = corpus
        .episodes
        .iter()
        .map(|ep| {
            let next = show_numbers.len();
            *show_numbers
                .entry(ep.source.parent().unwrap_or(Path::new("")))
                .or_insert(next)
        })
        .collect();
    speakers::infer_roles(&mut corpus.casts, &shows);
    check_cross_file(&mut corpus);
    corpus.diagnostics.normalize();
    lap(&mut corpus, "resolve speakers");
    Ok(corpus)
}

/// Problems only visible across files: unresolved speakers, `related`
/// entries naming unknown episodes.
fn check_cross_file(corpus: &mut Corpus) {
    let ids: BTreeSet<&str> = corpus.episodes.iter().map(|e| e.meta.id.as_str()).collect();
    let mut found = Vec::new();
    for (ep, cast) in corpus.episodes.iter().zip(&corpus.casts) {
        for (i, r) in ep.meta.related.iter().enumerate() {
            if !ids.contains(r.as_str()) {
                found.push(Diagnostic::warning(
                    &ep.source,
                    ep.meta.related_lines.get(i).copied().unwrap_or(0),
                    format!("`related` names `{r}`, which is not an episode id in the inputs; link ignored"),
                ));
            }
        }
        for reading in &cast.labels {
            if reading.voice == speakers::Voice::Unresolved {
                let line = (0..ep.turns.len())
                    .find(|&ti| ep.turn_label(ti) == Some(reading.label.as_str()))
                    .map_or(0, |ti| ep.turns[ti].line);
                found.push(Diagnostic::warning(
                    &ep.source,
                    line,
                    format!(
                        "speaker label `{}` ({}) could not be resolved to a person; kept as `{}`",
                        reading.label,
                        crate::table::count(reading.turns, "turn"),
                        reading.label
                    ),
                ));
            }
        }
    }
    corpus.diagnostics.extend(found);
}

/// Reads one file and processes it if it is an episode.
fn process_file(
    path: &Path,
    format: Option<Format>,
    external: Option<&External>,
    directory: &Directory,
    tagger: &Tagger,
) -> Result<(Option<ProcessedEpisode>, Vec<Diagnostic>)> {
    let parsed = transcript::read_file(path, format, external)?;
    match parsed.parsed {
        Parsed::Profile(_) => Ok((None, parsed.warnings)),
        Parsed::Episode(ep) => {
            let mut warnings = parsed.warnings;
            let (ep, full) = process_episode(*ep, directory, tagger);
            warnings.extend(full);
            Ok((Some(ep), warnings))
        }
    }
}

/// The most bytes of quotes an episode keeps: their places are `u32`.
const QUOTES_MAX: usize = u32::MAX as usize;

thread_local! {
    /// [`process_episode`]'s buffers for an episode's mentions and quotes,
    /// kept from one episode to the next on each thread (so each thread
    /// holds, to the end, room for the largest episode it has read).
    static SCRATCH: std::cell::Cell<(Vec<Mention>, String)> = const { std::cell::Cell::new((Vec::new(), String::new())) };
}

/// Extracts speaker clues and tags an episode, keeping only what later
/// stages need; with a warning if the episode names concepts so often
/// that its quotes overflow what one episode can keep (its mentions past
/// that point are kept without a quote).
pub fn process_episode(ep: Episode, directory: &Directory, tagger: &Tagger) -> (ProcessedEpisode, Option<Diagnostic>) {
    process_episode_within(ep, directory, tagger, QUOTES_MAX)
}

fn process_episode_within(
    ep: Episode,
    directory: &Directory,
    tagger: &Tagger,
    quotes_max: usize,
) -> (ProcessedEpisode, Option<Diagnostic>) {
    let clues = speakers::extract(&ep, directory);
    let mut full: Option<Diagnostic> = None;
    // The mentions and quotes are gathered in this thread's buffers, then
    // copied out once at their final size: grown in place, a large
    // episode's would be copied again at every doubling, into fresh memory.
    let (mut mentions, mut quotes) = SCRATCH.take();
    mentions.clear();
    quotes.clear();
    let mut hits: Vec<Hit> = Vec::new();
    let mut text_bytes = 0;
    let mut turns = Vec::with_capacity(ep.turns.len());
    for (ti, t) in ep.turns.into_iter().enumerate() {
        text_bytes += t.text.len();
        // The label is kept once, among the clues' labels.
        turns.push(TurnInfo {
            start_ms: t.start_ms,
            line: t.line,
        });
        tagger.find_into(&t.text, &mut hits);
        // The sentence of the hit before, in this turn, and where its quote
        // was kept: two concepts named in one sentence share the quote.
        let mut last: Option<(std::ops::Range<usize>, (u32, u32))> = None;
        for h in &hits {
            let bounds = tagger::snippet_bounds(&t.text, h.start, h.end, QUOTE_BYTES);
            debug_assert!(bounds.start <= h.start && h.end <= bounds.end);
            // Within a file: small enough (see `Mention`).
            let span = ((h.start - bounds.start) as u32, (h.end - bounds.start) as u32);
            let (quote, quote_span) = match &last {
                _ if full.is_some() => ((0, 0), (0, 0)),
                Some((b, at)) if *b == bounds => (*at, span),
                _ if quotes.len() + bounds.len() > quotes_max => {
                    full = Some(Diagnostic::warning(
                        &ep.source,
                        t.line,
                        format!(
                            "this episode's quotes pass {} MB (concepts named this often are unusual); \
                             mentions from here on are kept without a quote",
                            quotes_max >> 20
                        ),
                    ));
                    ((0, 0), (0, 0))
                }
                _ => {
                    let from = quotes.len() as u32;
                    quotes.push_str(&t.text[bounds.clone()]);
                    let at = (from, quotes.len() as u32);
                    last = Some((bounds, at));
                    (at, span)
                }
            };
            mentions.push(Mention {
                turn: ti as u32,
                concept: h.concept as u32,
                start: h.start as u32,
                end: h.end as u32,
                quote,
                quote_span,
            });
        }
    }
    let mut meta_mentions = BTreeSet::new();
    for (field, text) in ep.meta.text_fields() {
        tagger.find_into(text, &mut hits);
        for h in &hits {
            meta_mentions.insert(MetaMention {
                field,
                concept: h.concept,
            });
        }
    }
    let processed = ProcessedEpisode {
        source: ep.source,
        meta: ep.meta,
        turns,
        clues,
        mentions: mentions.to_vec(),
        quotes: quotes.as_str().into(),
        meta_mentions: meta_mentions.into_iter().collect(),
        text_bytes,
    };
    SCRATCH.set((mentions, quotes));
    (processed, full)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file named twice, directly and through its folder, by another
    /// spelling of the path, is listed once; the list is sorted.
    #[test]
    fn a_file_named_twice_is_listed_once() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.md", "a.md", "notes.bin"] {
            std::fs::write(dir.path().join(name), "**Ana:** Hi.\n").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let again = dir.path().join("sub").join("..").join("a.md");
        let files = discover(&[again, dir.path().to_path_buf()]).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.md", "b.md"]);
    }

    /// An episode file of `text` in a fresh folder, and the shipped
    /// dictionary's tagger.
    fn episode_file(text: &str) -> (tempfile::TempDir, PathBuf, Tagger) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ep.md");
        std::fs::write(&path, text).unwrap();
        let mut diags = Diagnostics::default();
        let dict = crate::dictionary::Dictionary::load_default(&[], true, &mut diags).unwrap();
        (dir, path, Tagger::new(&dict).unwrap())
    }

    /// Quotes that would pass what an episode can keep are left out, from
    /// that mention on, with one warning naming the turn's line; the
    /// mentions themselves are all kept.
    #[test]
    fn quotes_past_the_limit_are_left_out_with_a_warning() {
        let text = "**Ana:** We run Kubernetes. We like Prometheus.\n\n**Ana:** Kubernetes again, and Docker.\n";
        let (_dir, path, tagger) = episode_file(text);
        let episode = || match transcript::read_file(&path, None, None).unwrap().parsed {
            Parsed::Episode(ep) => *ep,
            Parsed::Profile(_) => panic!("an episode"),
        };
        let (ep, full) = process_episode_within(episode(), &Directory::default(), &tagger, 60);
        let quotes: Vec<String> = ep.mentions.iter().map(|m| ep.quote(m).to_string()).collect();
        assert_eq!(quotes, ["We run Kubernetes.", "We like Prometheus.", "", ""]);
        assert_eq!(ep.mentions[3].quote_span, (0, 0));
        let full = full.unwrap().to_string();
        assert!(full.contains("ep.md:3: warning: this episode's quotes pass"), "{full}");
        let (_, none) = process_episode_within(episode(), &Directory::default(), &tagger, QUOTES_MAX);
        assert!(none.is_none());
    }

    /// Each turn's label is the one written before it, kept once among the
    /// speaker clues; text without a label has none.
    #[test]
    fn turn_labels_as_written() {
        let text = "No label here.\n\n**Ana:** Hi.\n\n**BB:** Hello.\n\n**Ana:** Bye.\n";
        let (_dir, path, tagger) = episode_file(text);
        let (ep, _) = process_file(&path, None, None, &Directory::default(), &tagger).unwrap();
        let ep = ep.unwrap();
        let labels: Vec<Option<&str>> = (0..ep.turns.len()).map(|t| ep.turn_label(t)).collect();
        assert_eq!(labels, [None, Some("Ana"), Some("BB"), Some("Ana")]);
        assert_eq!(ep.turn_label(ep.turns.len()), None);
    }
}
