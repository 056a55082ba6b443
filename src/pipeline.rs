//! `podgraph build` end to end, and the loading step other commands share.
//!
//! ```text
//! dictionaries ─▶ Dictionary ─▶ Tagger ─┐
//! inputs ───────────────────────────────┴▶ corpus::load ─▶ Corpus
//!   ─▶ KnowledgeGraph::build ─▶ export::{json, dot} ─▶ output::write_atomic
//! ```
//!
//! Dictionary errors are configuration errors (the run stops before
//! reading any transcript); problems in transcripts are per file (the run
//! goes on and reports them).

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::corpus::{self, Corpus, Progress};
use crate::diagnostics::{Diagnostics, Severity};
use crate::dictionary::Dictionary;
use crate::error::{Error, Result};
use crate::export;
use crate::graph::{KnowledgeGraph, NodeKind};
use crate::index::{self, QueryIndex};
use crate::output;
use crate::related;
use crate::speakers::Voice;
use crate::tagger::Tagger;

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Transcripts, folders and people profiles.
    pub corpus: corpus::Options,
    /// Extra dictionary files.
    pub dicts: Vec<PathBuf>,
    /// Leave out the shipped dictionaries.
    pub no_default_dict: bool,
}

/// A corpus read into a graph.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The dictionary used.
    pub dictionary: Dictionary,
    /// The corpus.
    pub corpus: Corpus,
    /// Its graph.
    pub graph: KnowledgeGraph,
    /// Dictionary and corpus diagnostics together.
    pub diagnostics: Diagnostics,
    /// Wall time of each stage.
    pub times: Vec<(&'static str, Duration)>,
}

/// Loads the dictionaries; any error in them is a configuration error.
pub fn load_dictionary(inputs: &Inputs) -> Result<(Dictionary, Diagnostics)> {
    let mut diags = Diagnostics::default();
    let dict = Dictionary::load_default(&inputs.dicts, !inputs.no_default_dict, &mut diags)?;
    if diags.errors() > 0 {
        diags.normalize();
        return Err(Error::Config(diags.into_iter().collect()));
    }
    Ok((dict, diags))
}

/// Reads dictionaries and corpus and builds the graph.
pub fn load(inputs: &Inputs, progress: &dyn Progress) -> Result<Loaded> {
    let (compiled, t_dict) = timed(|| -> Result<_> {
        let (dictionary, diagnostics) = load_dictionary(inputs)?;
        let tagger = Tagger::new(&dictionary)?;
        Ok((dictionary, diagnostics, tagger))
    });
    let (dictionary, mut diagnostics, tagger) = compiled?;
    let mut corpus = corpus::load(&inputs.corpus, &tagger, progress)?;
    let (graph, t_graph) = timed(|| KnowledgeGraph::build(&corpus, &dictionary));
    let mut times = vec![("load and compile dictionaries", t_dict)];
    times.append(&mut corpus.times);
    times.push(("build graph", t_graph));
    diagnostics.extend(corpus.diagnostics.clone());
    diagnostics.normalize();
    Ok(Loaded {
        dictionary,
        corpus,
        graph,
        diagnostics,
        times,
    })
}

/// Runs `f` and says how long it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

/// What a thread writing `path` gave, or an error if it stopped short.
fn joined<T>(path: &std::path::Path, h: std::thread::ScopedJoinHandle<Result<T>>) -> Result<T> {
    h.join()
        .unwrap_or_else(|_| Err(Error::io(path, std::io::Error::other("the thread writing it stopped"))))
}

/// Where a command gets its graph: built from transcripts, or loaded from
/// a `graph.json` that `podgraph build` wrote.
#[derive(Debug, Clone)]
pub enum GraphSource {
    /// Read these inputs and build.
    Inputs(Inputs),
    /// Load a saved graph.
    File(PathBuf),
}

/// A graph ready for a command, with what loading it reported.
#[derive(Debug, Clone)]
pub struct GraphLoad {
    /// The graph.
    pub graph: KnowledgeGraph,
    /// Problems found (none when loaded from a file).
    pub diagnostics: Diagnostics,
    /// Input files that failed.
    pub failed_files: usize,
}

/// Builds or loads a graph.
pub fn load_graph(source: &GraphSource, progress: &dyn Progress) -> Result<GraphLoad> {
    match source {
        GraphSource::File(path) => Ok(GraphLoad {
            graph: export::json::load(path)?,
            diagnostics: Diagnostics::default(),
            failed_files: 0,
        }),
        GraphSource::Inputs(inputs) => {
            let l = load(inputs, progress)?;
            Ok(GraphLoad {
                graph: l.graph,
                diagnostics: l.diagnostics,
                failed_files: l.corpus.failed_files,
            })
        }
    }
}

/// A query index ready for queries, with what opening it reported.
#[derive(Debug)]
pub struct OpenedIndex {
    /// The index.
    pub index: QueryIndex,
    /// Problems found while reading transcripts (none for saved graphs).
    pub diagnostics: Diagnostics,
}

/// Opens the query index for a graph source. For a saved `graph.json`,
/// the `graph.idx` beside it is used when it is at least as new and was
/// built from a file of the same size; otherwise the JSON is read and
/// indexed in memory (slower). A path ending in `.idx` opens the index
/// itself.
pub fn open_index(source: &GraphSource, progress: &dyn Progress) -> Result<OpenedIndex> {
    let opened = |index| OpenedIndex {
        index,
        diagnostics: Diagnostics::default(),
    };
    match source {
        GraphSource::File(path) if path.extension().is_some_and(|e| e == "idx") => Ok(opened(QueryIndex::open(path)?)),
        GraphSource::File(path) => {
            let idx_path = index::path_beside(path);
            if let Some(index) = fresh_index(path, &idx_path) {
                return Ok(opened(index));
            }
            Ok(opened(QueryIndex::from_graph(&export::json::load(path)?)))
        }
        GraphSource::Inputs(inputs) => {
            let l = load(inputs, progress)?;
            Ok(OpenedIndex {
                index: QueryIndex::from_graph(&l.graph),
                diagnostics: l.diagnostics,
            })
        }
    }
}

/// The index beside a graph file, if it is usable for it.
fn fresh_index(json: &std::path::Path, idx: &std::path::Path) -> Option<QueryIndex> {
    let jm = std::fs::metadata(json).ok()?;
    let im = std::fs::metadata(idx).ok()?;
    if im.modified().ok()? < jm.modified().ok()? {
        return None;
    }
    let index = QueryIndex::open(idx).ok()?;
    (index.graph_json_len() == jm.len()).then_some(index)
}

/// Related-episode lists as the JSON data file sites read
/// (`_data/related.json` in Jekyll, `data/related.json` in Hugo,
/// `_data/related.json` in Eleventy): an object keyed by episode id.
pub fn related_json(lists: &std::collections::BTreeMap<String, Vec<related::Recommendation>>) -> String {
    let mut out = Vec::new();
    write_related_json(lists, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// [`related_json`] streamed to `w`, without the whole text in memory.
pub fn write_related_json<W: std::io::Write>(
    lists: &std::collections::BTreeMap<String, Vec<related::Recommendation>>,
    mut w: W,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut w, lists)?;
    w.write_all(b"\n")
}

/// Options of `podgraph build`.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// What to read.
    pub inputs: Inputs,
    /// Output folder.
    pub out: PathBuf,
    /// How `related.json` is made.
    pub related: related::Options,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// Counts for the closing summary.
    pub summary: Summary,
    /// Every problem found.
    pub diagnostics: Diagnostics,
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Time spent in each stage, in order; the four outputs are made in
    /// parallel, so their times overlap.
    pub times: Vec<(&'static str, Duration)>,
    /// The graph built.
    pub graph: KnowledgeGraph,
}

/// Builds the graph and writes `graph.json`, `graph.dot`, `related.json`
/// and the query index `graph.idx` into the output folder, atomically.
pub fn build(opts: &BuildOptions, progress: &dyn Progress) -> Result<BuildReport> {
    let mut loaded = load(&opts.inputs, progress)?;
    let summary = Summary::of(&loaded);
    // Counted, the corpus is done with (the graph holds what the outputs
    // need): freed now, it leaves room for them. Millions of small blocks
    // go back to the allocator, on every core.
    let free_start = Instant::now();
    let corpus = std::mem::take(&mut loaded.corpus);
    rayon::join(|| corpus.episodes.into_par_iter().for_each(drop), || drop(corpus.casts));
    loaded.times.push(("free the corpus", free_start.elapsed()));
    let g = &loaded.graph;
    let json_path = opts.out.join("graph.json");
    let idx_path = opts.out.join("graph.idx");
    let [dot_path, related_path] = ["graph.dot", "related.json"].map(|name| opts.out.join(name));
    // The outputs are independent of each other: each is made and streamed
    // to disk beside the others on the worker threads. Flushing a written
    // file to disk waits on the disk, not the processor, so it runs on a
    // thread of its own while the workers go on with the other outputs.
    // The index records the size of graph.json, so it is finished once
    // that is known.
    let (json, idx, dot, related, finish) = std::thread::scope(|s| -> Result<_> {
        let commit = |pending: output::Pending| s.spawn(move || pending.commit());
        // An output streamed to its file as `fill` makes it, then
        // committed on a thread of its own.
        let stream = |path: &std::path::Path, fill: &dyn Fn(&mut output::Buffered<'_>) -> std::io::Result<()>| {
            Ok(commit(output::Pending::buffered(path, fill)?))
        };
        let make_json = || timed(|| stream(&json_path, &|w| export::json::write(g, w)));
        let make_idx = || {
            timed(|| -> Result<_> {
                let mut pending = output::Pending::buffered(&idx_path, |w| index::prepare(g).write_to(w, 0))?;
                // Flushed now, the body leaves the final commit only the
                // size of graph.json to wait for.
                let body = pending.file().try_clone().map_err(|e| Error::io(&idx_path, e))?;
                let path = &idx_path;
                Ok((
                    pending,
                    s.spawn(move || body.sync_data().map_err(|e| Error::io(path, e))),
                ))
            })
        };
        let make_dot = || timed(|| stream(&dot_path, &|w| export::dot::write_dot(g, w)));
        let make_related = || {
            timed(|| {
                let lists = related::recommend_all(g, &opts.related);
                stream(&related_path, &|w| write_related_json(&lists, w))
            })
        };
        let (json, (idx, (dot, related))) = rayon::join(make_json, || {
            rayon::join(make_idx, || rayon::join(make_dot, make_related))
        });
        let finish_start = Instant::now();
        let json_len = joined(&json_path, json.0?)?;
        joined(&dot_path, dot.0?)?;
        joined(&related_path, related.0?)?;
        // The index goes last, so that it is never older than graph.json.
        let (mut idx_file, body_synced) = idx.0?;
        joined(&idx_path, body_synced)?;
        index::set_graph_json_len(idx_file.file(), json_len).map_err(|e| Error::io(&idx_path, e))?;
        idx_file.commit()?;
        Ok((json.1, idx.1, dot.1, related.1, finish_start.elapsed()))
    })?;
    loaded.times.extend([
        ("graph.json (made and written)", json),
        ("graph.idx (made and written)", idx),
        ("graph.dot (made and written)", dot),
        ("related.json (made and written)", related),
        ("flush to disk, finish the index", finish),
    ]);
    let written = vec![json_path, dot_path, related_path, idx_path];
    Ok(BuildReport {
        summary,
        diagnostics: loaded.diagnostics,
        written,
        times: loaded.times,
        graph: loaded.graph,
    })
}

/// The numbers of a run, printed as one paragraph at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Files that failed.
    pub failed_files: usize,
    /// Episodes in the graph.
    pub episodes: usize,
    /// Turns.
    pub turns: usize,
    /// Turns attributed to a person.
    pub turns_by_people: usize,
    /// Turns read by the announcer.
    pub turns_by_announcer: usize,
    /// Distinct labels (per episode).
    pub labels: usize,
    /// Labels resolved to a person or the announcer.
    pub labels_resolved: usize,
    /// People in the graph.
    pub people: usize,
    /// Concept mentions.
    pub mentions: usize,
    /// Concepts mentioned at least once.
    pub concepts: usize,
    /// Warnings.
    pub warnings: usize,
    /// Errors.
    pub errors: usize,
}

impl Summary {
    /// Counts a loaded corpus.
    pub fn of(l: &Loaded) -> Summary {
        let mut s = Summary {
            files: l.corpus.files,
            failed_files: l.corpus.failed_files,
            episodes: l.corpus.episodes.len(),
            mentions: l.graph.mentions.len(),
            warnings: l.diagnostics.warnings(),
            errors: l.diagnostics.errors(),
            ..Summary::default()
        };
        for cast in &l.corpus.casts {
            s.turns += cast.turns.len();
            for v in &cast.turns {
                match v {
                    Voice::Member(_) => s.turns_by_people += 1,
                    Voice::Announcer => s.turns_by_announcer += 1,
                    Voice::Unresolved => {}
                }
            }
            s.labels += cast.labels.len();
            s.labels_resolved += cast.labels.iter().filter(|r| r.voice != Voice::Unresolved).count();
        }
        for n in l.graph.graph.node_weights() {
            match n.kind {
                NodeKind::Person => s.people += 1,
                NodeKind::Concept if n.mentions > 0 => s.concepts += 1,
                _ => {}
            }
        }
        s
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unattributed = self.turns - self.turns_by_people - self.turns_by_announcer;
        write!(
            f,
            "Read {} episodes from {} files ({} failed): {} turns, {} spoken by people, {} by the announcer, {} unattributed; \
             {} of {} speaker labels resolved; {} people; {} mentions of {} concepts; {} warnings, {} errors.",
            self.episodes,
            self.files,
            self.failed_files,
            self.turns,
            self.turns_by_people,
            self.turns_by_announcer,
            unattributed,
            self.labels_resolved,
            self.labels,
            self.people,
            self.mentions,
            self.concepts,
            self.warnings,
            self.errors
        )
    }
}

/// The exit status a run should end with: 0 when all is well, 1 when files
/// failed (or, with `strict`, when anything was reported).
pub fn exit_code(diags: &Diagnostics, failed_files: usize, strict: bool) -> i32 {
    let any_error = failed_files > 0 || diags.iter().any(|d| d.severity == Severity::Error);
    if any_error || (strict && diags.warnings() > 0) {
        1
    } else {
        0
    }
}
