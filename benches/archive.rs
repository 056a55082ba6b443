//! Archive-scale benchmarks, with the machine's limits and today's tools
//! measured in the same run.
//!
//! Run: `cargo bench --bench archive` (about 15 minutes; needs the
//! Changelog archive in ../shared/corpus/changelog, GNU time, grep, and
//! Python 3 with network access to PyPI for the flashtext and spaCy
//! baselines, which are installed into target/bench-data/venv).
//!
//! Environment:
//! - `PODGRAPH_BENCH_SIZES`: end-to-end corpus sizes in MB (default
//!   `10,100,1000`);
//! - `PODGRAPH_BENCH_RELATED`: episode counts for related episodes
//!   (default `1000,10000,100000`);
//! - `PODGRAPH_BENCH_SKIP`: comma-separated sections to skip: `python`,
//!   `tagging`, `build`, `related`, `query`.
//!
//! The report (Markdown) goes to stdout and target/bench-data/report.md.
//! Every figure is the best of three runs (tagging), the median of 25
//! (queries) or one run (the rest); ratios compare podgraph with the
//! baselines measured in this run.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use podgraph::corpus::NoProgress;
use podgraph::diagnostics::Diagnostics;
use podgraph::dictionary::{CaseRule, Dictionary, Source};
use podgraph::graph::{KnowledgeGraph, Node, NodeKind, Relation};
use podgraph::pipeline::{self, GraphSource};
use podgraph::query::{self, Filters, Lookup};
use podgraph::tagger::{Hit, Tagger};
use podgraph::transcript::{self, Parsed};
use rayon::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn data_dir() -> PathBuf {
    root().join("target/bench-data")
}

fn skip(section: &str) -> bool {
    std::env::var("PODGRAPH_BENCH_SKIP").is_ok_and(|s| s.split(',').any(|x| x.trim() == section))
}

fn list_env(name: &str, default: &str) -> Vec<usize> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_string())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// splitmix64, for generated data that is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Best wall time of three runs of `f`, in seconds.
fn best_of_3(mut f: impl FnMut() -> usize) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut out = 0;
    for _ in 0..3 {
        let t = Instant::now();
        out = std::hint::black_box(f());
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, out)
}

/// What [`timed`] measured of a command.
struct Run {
    /// Wall seconds.
    wall: f64,
    /// Peak resident memory, MB.
    peak: f64,
    /// Processor seconds in the program.
    user: f64,
    /// Processor seconds in the kernel for it.
    sys: f64,
    /// What it printed.
    stdout: String,
}

/// Runs a command under GNU time.
fn timed(cmd: &mut Command) -> Option<Run> {
    let program = cmd.get_program().to_os_string();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_os_string()).collect();
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("TIME %e %M %U %S")
        .arg(program)
        .args(args)
        .envs(
            cmd.get_envs()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
        )
        .output()
        .ok()?;
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err.lines().rev().find(|l| l.starts_with("TIME "))?;
    let mut parts = line.split_whitespace().skip(1).map(|p| p.parse::<f64>().ok());
    let mut next = || parts.next().flatten();
    let (wall, kb, user, sys) = (next()?, next()?, next()?, next()?);
    if !out.status.success() {
        eprintln!("command failed: {err}");
        return None;
    }
    Some(Run {
        wall,
        peak: kb / 1024.0,
        user,
        sys,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    })
}

/// Seconds this machine takes to write the files of `dir` anew (read
/// first, not timed) into `copy`, on `threads` threads, each flushed to
/// disk: the writing a build does for its outputs, with nothing made.
/// `ordinary` writes go through the page cache; otherwise the bytes go
/// through podgraph's own output writer, as the build's do. Also gives
/// the bytes written.
fn write_baseline(dir: &Path, copy: &Path, threads: usize, ordinary: bool) -> (f64, usize) {
    let _ = std::fs::remove_dir_all(copy);
    std::fs::create_dir_all(copy).unwrap();
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (copy.join(p.file_name().unwrap()), std::fs::read(&p).unwrap()))
        .collect();
    // The largest first, shared out in turn, so the threads finish together.
    files.sort_by_key(|f| std::cmp::Reverse(f.1.len()));
    let bytes = files.iter().map(|f| f.1.len()).sum();
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let mine: Vec<&(PathBuf, Vec<u8>)> = files.iter().skip(t).step_by(threads).collect();
            s.spawn(move || {
                for (path, data) in mine {
                    if ordinary {
                        let mut f = std::fs::File::create(path).unwrap();
                        std::io::Write::write_all(&mut f, data).unwrap();
                        f.sync_all().unwrap();
                    } else {
                        podgraph::output::Pending::buffered(path, |w| std::io::Write::write_all(w, data))
                            .unwrap()
                            .commit()
                            .unwrap();
                    }
                }
            });
        }
    });
    let secs = start.elapsed().as_secs_f64();
    std::fs::remove_dir_all(copy).unwrap();
    (secs, bytes)
}

/// Writes the first `max` bytes of `src` (cut at a line end) to `dst`.
fn text_prefix(src: &Path, dst: &Path, max: usize) -> usize {
    let text = std::fs::read(src).unwrap();
    let cut = if text.len() > max {
        text[..max].iter().rposition(|b| *b == b'\n').map_or(max, |p| p + 1)
    } else {
        text.len()
    };
    std::fs::write(dst, &text[..cut]).unwrap();
    cut
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

/// The text of every turn of the archive, one turn per line: exactly what
/// the tagger sees, and what the other tools get.
fn archive_text(corpus: &Path) -> (PathBuf, usize) {
    let path = data_dir().join("archive-turns.txt");
    if !path.is_file() {
        let files = podgraph::corpus::discover(&[corpus.to_path_buf()]).expect("archive readable");
        let texts: Vec<String> = files
            .par_iter()
            .filter_map(|p| match transcript::read_file(p, None, None).ok()?.parsed {
                Parsed::Episode(e) => Some(
                    e.turns
                        .iter()
                        .map(|t| t.text.replace(['\n', '\r'], " "))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                Parsed::Profile(_) => None,
            })
            .collect();
        std::fs::write(&path, texts.join("\n") + "\n").unwrap();
    }
    let n = std::fs::metadata(&path).unwrap().len() as usize;
    (path, n)
}

/// A dictionary of `extra` generated entries on top of the shipped ones.
fn dictionary(extra: usize) -> Dictionary {
    let mut sources = Source::builtin();
    if extra > 0 {
        let syllables = [
            "kor", "val", "ze", "tra", "mon", "qui", "lex", "dar", "fen", "gho", "ri", "sto", "plu", "nax", "vem",
            "to", "bri", "sca", "dol", "wyn",
        ];
        let mut rng = Rng(42);
        let mut yaml = String::from("kind: technology\nentries:\n");
        for i in 0..extra {
            let word = |rng: &mut Rng| {
                let n = 2 + rng.below(2);
                let mut w: String = (0..n).map(|_| syllables[rng.below(syllables.len())]).collect();
                w[..1].make_ascii_uppercase();
                w
            };
            let name = if i % 3 == 0 {
                format!("{} {}{i}", word(&mut rng), word(&mut rng))
            } else {
                format!("{}{i}", word(&mut rng))
            };
            let _ = writeln!(yaml, "  - name: \"{name}\"");
        }
        sources.push(Source {
            name: "generated.yaml".into(),
            text: yaml,
        });
    }
    let mut diags = Diagnostics::default();
    Dictionary::load(&sources, &mut diags)
}

/// The terms of a dictionary as the other tools take them: one per line,
/// insensitive ones lower-cased.
fn write_terms(dict: &Dictionary, name: &str) -> PathBuf {
    let mut terms: Vec<String> = dict
        .patterns
        .iter()
        .map(|p| match p.case {
            CaseRule::Insensitive => p.text.to_lowercase(),
            CaseRule::Sensitive => p.text.clone(),
        })
        .collect();
    terms.sort();
    terms.dedup();
    let path = data_dir().join(name);
    std::fs::write(&path, terms.join("\n") + "\n").unwrap();
    path
}

struct Report {
    md: String,
}

impl Report {
    fn line(&mut self, s: &str) {
        println!("{s}");
        self.md.push_str(s);
        self.md.push('\n');
    }
}

fn main() {
    if let Ok(spec) = std::env::var("PODGRAPH_BENCH_CHILD") {
        child(&spec);
        return;
    }
    let corpus = root().join("../shared/corpus/changelog");
    if !corpus.is_dir() {
        eprintln!(
            "SKIPPED: {} not found; the archive benchmarks need it",
            corpus.display()
        );
        return;
    }
    std::fs::create_dir_all(data_dir()).unwrap();
    let mut r = Report { md: String::new() };
    let cores = rayon::current_num_threads();
    r.line(&format!("# podgraph archive benchmarks ({cores} cores)\n"));

    let (text_path, text_bytes) = archive_text(&corpus);
    let text = std::fs::read_to_string(&text_path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    r.line(&format!(
        "Text: every turn of the Changelog archive, {:.1} MB in {} turns.\n",
        mb(text_bytes),
        lines.len()
    ));

    // Baselines outside podgraph.
    let shipped = dictionary(0);
    let terms = write_terms(&shipped, "terms.txt");
    let mut rates: Vec<(String, f64)> = Vec::new();
    let cat = timed(
        Command::new("sh")
            .arg("-c")
            .arg(format!("cat {} > /dev/null", text_path.display())),
    )
    .map(|run| mb(text_bytes) / run.wall.max(1e-3));
    // GNU grep slows down badly with thousands of case-insensitive terms
    // (about 3 MB/s, and 0.1 MB/s with -w), so it reads a 10 MB prefix.
    let prefix = data_dir().join("archive-prefix.txt");
    let prefix_bytes = text_prefix(&text_path, &prefix, 10_000_000);
    let grep = |flags: &[&str], path: &Path, bytes: usize| {
        timed(Command::new("grep").args(flags).arg("-f").arg(&terms).arg(path)).map(|run| mb(bytes) / run.wall)
    };
    let grep_i = grep(&["-c", "-F", "-i"], &prefix, prefix_bytes);
    let grep_cs = grep(&["-c", "-F"], &text_path, text_bytes);
    let (flashtext, spacy) = if skip("python") {
        (None, None)
    } else {
        (
            python_baseline("flashtext", &terms, &text_path, 0.0),
            python_baseline("spacy", &terms, &text_path, 20.0),
        )
    };

    // Tagging, in this process.
    let mut tag_rates = Vec::new();
    if !skip("tagging") {
        r.line("## Tagging throughput\n");
        r.line(&format!(
            "{} terms (shipped dictionary), whole-word, case-insensitive unless an entry says otherwise.\n",
            shipped.patterns.len()
        ));
        r.line("| what | MB/s |");
        r.line("| --- | ---: |");
        let mut automata = Vec::new();
        for (dict, label) in [(shipped, "shipped"), (dictionary(10_000), "shipped + 10,000 generated")] {
            let texts: Vec<&str> = dict.patterns.iter().map(|p| p.text.as_str()).collect();
            let ac = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&texts)
                .unwrap();
            let (bare, _) = best_of_3(|| ac.find_iter(&text).count());
            let (overlapping, _) = best_of_3(|| ac.find_overlapping_iter(&text).count());
            let tagger = Tagger::new(&dict).unwrap();
            automata.push(format!("- {label}: {}", tagger.describe()));
            let (one, _) = best_of_3(|| {
                let mut buf: Vec<Hit> = Vec::new();
                lines
                    .iter()
                    .map(|l| {
                        tagger.find_into(l, &mut buf);
                        buf.len()
                    })
                    .sum()
            });
            let (all, _) = best_of_3(|| {
                lines
                    .par_iter()
                    .map_init(Vec::new, |buf, l| {
                        tagger.find_into(l, buf);
                        buf.len()
                    })
                    .sum()
            });
            let rate = |s: f64| mb(text_bytes) / s;
            r.line(&format!(
                "| bare aho-corasick scan, no per-match work ({label}) | {:.0} |",
                rate(bare)
            ));
            r.line(&format!(
                "| aho-corasick overlapping scan ({label}) | {:.0} |",
                rate(overlapping)
            ));
            r.line(&format!("| podgraph tagger, 1 thread ({label}) | {:.0} |", rate(one)));
            r.line(&format!(
                "| podgraph tagger, {cores} threads ({label}) | {:.0} |",
                rate(all)
            ));
            tag_rates.push((label, rate(bare), rate(one), rate(all)));
        }
        let others = [
            ("cat", cat),
            ("grep -c -F -i -f (case-insensitive, not whole-word)", grep_i),
            ("grep -c -F -f (case-sensitive, not whole-word)", grep_cs),
            ("flashtext KeywordProcessor", flashtext),
            (
                "spaCy PhraseMatcher (tokenizer included; the first 20 MB of the text)",
                spacy,
            ),
        ];
        for (name, v) in others {
            match v {
                Some(v) => {
                    r.line(&format!("| {name} | {v:.1} |"));
                    rates.push((name.to_string(), v));
                }
                None => r.line(&format!("| {name} | skipped |")),
            }
        }
        r.line("\nAutomata:\n");
        for a in &automata {
            r.line(a);
        }
        if let Some(&(_, bare, one, all)) = tag_rates.first() {
            r.line("");
            r.line("Ratios (shipped dictionary):\n");
            r.line(&format!(
                "- podgraph 1 thread / bare scan: {:.2} (target: within 2x, so at least 0.5)",
                one / bare
            ));
            if let Some(f) = flashtext {
                r.line(&format!(
                    "- podgraph 1 thread / flashtext: {:.1}x (target 30x)",
                    one / f
                ));
            }
            if let Some(s) = spacy {
                r.line(&format!(
                    "- podgraph 1 thread / spaCy PhraseMatcher: {:.1}x (target 100x)",
                    one / s
                ));
            }
            r.line(&format!("- podgraph {cores} threads / 1 thread: {:.2}", all / one));
        }
        r.line("");
    }

    let sizes = list_env("PODGRAPH_BENCH_SIZES", "10,100,1000");
    let mut largest_graph: Option<PathBuf> = None;
    if !skip("build") {
        build_binary();
        r.line("## End-to-end `podgraph build`\n");
        r.line("The archive's episodes copied under new ids up to each size; parse, speakers, tagging, graph and all outputs, on all cores.\n");
        r.line("| corpus | files | wall s | MB/s | peak MB | / flashtext tagging | bare scan x | CPU s | outputs MB | writing them s | podgraph's writer s |");
        r.line("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        let bare = tag_rates.first().map(|t| t.1);
        for size in &sizes {
            let (dir, files, bytes) = scaled_corpus(&corpus, *size);
            let out = data_dir().join(format!("out-{size}mb"));
            let bin = root().join("target/release/podgraph");
            // One run on a shared two-core machine varies by a tenth: the
            // median of three, with the range beside it.
            let runs: Option<Vec<Run>> = (0..3)
                .map(|_| {
                    timed(
                        Command::new(&bin)
                            .arg("build")
                            .arg(&dir)
                            .arg("--out")
                            .arg(&out)
                            .arg("-q"),
                    )
                })
                .collect();
            match runs {
                Some(mut runs) => {
                    runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
                    let median = &runs[1];
                    let (wall, peak) = (median.wall, runs.iter().map(|r| r.peak).fold(0.0, f64::max));
                    let range = format!("{:.1} ({:.1}-{:.1})", wall, runs[0].wall, runs[2].wall);
                    let rate = mb(bytes) / wall;
                    let vs_flash = flashtext.map_or("n/a".into(), |f| format!("{:.1}x", rate / f));
                    let vs_bare = bare.map_or("n/a".into(), |b| format!("{:.1}", wall / (mb(bytes) / b)));
                    let cpu = format!("{:.1} + {:.1}", median.user, median.sys);
                    let copy = data_dir().join(format!("out-{size}mb-written"));
                    let (ordinary_s, out_bytes) = write_baseline(&out, &copy, cores, true);
                    let (ours_s, _) = write_baseline(&out, &copy, cores, false);
                    r.line(&format!(
                        "| {size} MB | {files} | {range} | {rate:.1} | {peak:.0} | {vs_flash} | {vs_bare} | {cpu} | {:.0} | {ordinary_s:.2} | {ours_s:.2} |",
                        mb(out_bytes)
                    ));
                    largest_graph = Some(out.join("graph.json"));
                }
                None => r.line(&format!("| {size} MB | {files} | failed | | | | | | | | |")),
            }
        }
        r.line(&format!("\n`wall s`: the median of three runs (the fastest and slowest in brackets); the rate and ratios are of the median; `peak MB`: the largest of the three. `/ flashtext tagging`: the build's rate over flashtext's tagging rate of the same text (target: at least 20x). `bare scan x`: wall time over the time the bare aho-corasick scan takes over the same bytes (target for 1 GB: at most 3). `CPU s`: processor seconds of the median run, in the program + in the kernel for it (reading the transcripts, writing the outputs, fresh memory). `outputs MB`, `writing them s`: the size of the four outputs, and the time this machine takes only to write those bytes to new files with ordinary writes, on {cores} threads, each flushed to disk; `podgraph's writer s`: the same through the writer the build uses for its large outputs (past the page cache where the system allows it).\n"));
    }

    if !skip("related") {
        r.line("## Related episodes at scale\n");
        r.line("Synthetic graphs: each episode names 60 of 5,000 concepts (Zipf) and 3 of 3,000 people; a fifth of the episodes have 3 curated links. Top 5 for every episode.\n");
        r.line("| episodes | wall s | peak MB |");
        r.line("| ---: | ---: | ---: |");
        for n in list_env("PODGRAPH_BENCH_RELATED", "1000,10000,100000") {
            let exe = std::env::current_exe().unwrap();
            match timed(Command::new(exe).env("PODGRAPH_BENCH_CHILD", format!("related:{n}"))) {
                Some(run) => r.line(&format!("| {n} | {} | {:.0} |", run.stdout.trim(), run.peak)),
                None => r.line(&format!("| {n} | failed | |")),
            }
        }
        r.line("\nTarget: 100,000 episodes in under a minute and 2 GB. Wall time is the recommendation step alone; peak memory includes building the graph.\n");
    }

    if !skip("query") {
        let graph = largest_graph.filter(|g| g.is_file()).unwrap_or_else(|| {
            let sizes_done: Vec<PathBuf> = sizes
                .iter()
                .rev()
                .map(|s| data_dir().join(format!("out-{s}mb/graph.json")))
                .filter(|p| p.is_file())
                .collect();
            sizes_done.into_iter().next().unwrap_or_default()
        });
        if graph.is_file() {
            r.line("## Query latency\n");
            r.line(&format!(
                "On {} (median of 25 runs, each opening the index as the CLI does).\n",
                graph.display()
            ));
            r.line("| query | ms |");
            r.line("| --- | ---: |");
            for (name, ms) in query_latency(&graph) {
                r.line(&format!("| {name} | {ms:.2} |"));
            }
            r.line("\nTarget: under 10 ms on a saved graph of the 1 GB corpus.\n");
        }
    }
    std::fs::write(data_dir().join("report.md"), &r.md).unwrap();
}

/// MB/s of a Python tagger, installed into a venv on first use.
fn python_baseline(tool: &str, terms: &Path, text: &Path, max_mb: f64) -> Option<f64> {
    let venv = data_dir().join("venv");
    let python = venv.join("bin/python");
    if !python.is_file() {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .ok()?
            .success()
            && Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "flashtext", "spacy"])
                .status()
                .ok()?
                .success();
        if !ok {
            eprintln!("SKIPPED: cannot install flashtext and spaCy");
            return None;
        }
    }
    let out = Command::new(&python)
        .arg(root().join("benches/baselines.py"))
        .arg(tool)
        .arg(terms)
        .arg(text)
        .arg(max_mb.to_string())
        .output()
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some(v["bytes"].as_f64()? / 1e6 / v["seconds"].as_f64()?)
}

fn build_binary() {
    let ok = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--bin", "podgraph"])
        .current_dir(root())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "cargo build --release failed");
}

/// The archive's episode files copied under new names (so new ids) until
/// the folder holds `size` MB; (folder, files, bytes).
fn scaled_corpus(corpus: &Path, size: usize) -> (PathBuf, usize, usize) {
    let dir = data_dir().join(format!("corpus-{size}mb"));
    let files = podgraph::corpus::discover(&[corpus.to_path_buf()]).unwrap();
    if !dir.join(".complete").is_file() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let target = size * 1_000_000;
        let mut written = 0;
        'copies: for copy in 0.. {
            for f in &files {
                let stem = f.file_stem().unwrap().to_string_lossy();
                let show = f.parent().and_then(|p| p.file_name()).unwrap().to_string_lossy();
                let sub = dir.join(show.as_ref());
                std::fs::create_dir_all(&sub).unwrap();
                let dest = sub.join(format!("{stem}-copy{copy}.md"));
                std::fs::copy(f, &dest).unwrap();
                written += std::fs::metadata(&dest).unwrap().len() as usize;
                if written >= target {
                    break 'copies;
                }
            }
        }
        std::fs::write(dir.join(".complete"), "").unwrap();
    }
    let inside = podgraph::corpus::discover(std::slice::from_ref(&dir)).unwrap();
    let bytes = inside
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len() as usize)
        .sum();
    (dir, inside.len(), bytes)
}

/// Median milliseconds of each query kind on a saved graph.
fn query_latency(graph: &Path) -> Vec<(&'static str, f64)> {
    let source = GraphSource::File(graph.to_path_buf());
    let open = || pipeline::open_index(&source, &NoProgress).unwrap().index;
    let median = |f: &dyn Fn()| {
        let mut t: Vec<f64> = (0..25)
            .map(|_| {
                let s = Instant::now();
                f();
                s.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        t.sort_by(f64::total_cmp);
        t[t.len() / 2]
    };
    let f = Filters::default();
    vec![
        ("open the index", median(&|| drop(open()))),
        (
            "speakers of Prometheus",
            median(&|| {
                let idx = open();
                let c = Lookup::new(&idx).find("prometheus", "c", query::is_concept).unwrap();
                query::speakers_of(&idx, c, &f).unwrap();
            }),
        ),
        (
            "concepts of Gerhard Lazu",
            median(&|| {
                let idx = open();
                let s = Lookup::new(&idx).find("gerhard lazu", "s", query::is_speaker).unwrap();
                query::concepts_of(&idx, s, &f).unwrap();
            }),
        ),
        (
            "episodes of Kubernetes",
            median(&|| {
                let idx = open();
                let c = Lookup::new(&idx).find("kubernetes", "c", query::is_concept).unwrap();
                query::episodes_of(&idx, c, &f).unwrap();
            }),
        ),
        (
            "evidence Kelsey Hightower + Kubernetes",
            median(&|| {
                let idx = open();
                let l = Lookup::new(&idx);
                let s = l.find("kelsey hightower", "s", query::is_speaker).unwrap();
                let c = l.find("kubernetes", "c", query::is_concept).unwrap();
                query::evidence(&idx, Some(s), Some(c), &f).unwrap();
            }),
        ),
    ]
}

/// Child process modes, so that each measurement has its own peak memory.
fn child(spec: &str) {
    if let Some(n) = spec.strip_prefix("related:") {
        let n: usize = n.parse().unwrap();
        let kg = synthetic_graph(n);
        let t = Instant::now();
        let lists = podgraph::related::recommend_all(&kg, &Default::default());
        std::hint::black_box(lists.len());
        println!("{:.1}", t.elapsed().as_secs_f64());
    }
}

/// A knowledge graph of `n` episodes shaped like a real archive: Zipf
/// concept frequencies, a few people each, some curated links.
fn synthetic_graph(n: usize) -> KnowledgeGraph {
    let mut rng = Rng(7);
    let concepts = 5_000;
    let people = 3_000;
    // Zipf weights by inverse rank, sampled through a cumulative table.
    let cumulative = |k: usize| {
        let mut acc = 0.0;
        (1..=k)
            .map(|r| {
                acc += 1.0 / r as f64;
                acc
            })
            .collect::<Vec<f64>>()
    };
    let (cc, pc) = (cumulative(concepts), cumulative(people));
    let pick = |rng: &mut Rng, table: &[f64]| {
        let x = (rng.next() as f64 / u64::MAX as f64) * table[table.len() - 1];
        table.partition_point(|&c| c < x).min(table.len() - 1)
    };
    let node = |id: String, kind: NodeKind| Node {
        turns: 100,
        ..Node::new(id.clone(), id, kind)
    };
    let mut kg = KnowledgeGraph::default();
    let episodes: Vec<_> = (0..n)
        .map(|i| {
            let mut e = node(format!("episode:e{i:06}"), NodeKind::Episode);
            e.number = Some(i as u32);
            kg.ensure_node(e)
        })
        .collect();
    let concept_nodes: Vec<_> = (0..concepts)
        .map(|c| kg.ensure_node(node(format!("concept:c{c}"), NodeKind::Concept)))
        .collect();
    let people_nodes: Vec<_> = (0..people)
        .map(|p| kg.ensure_node(node(format!("person:p{p}"), NodeKind::Person)))
        .collect();
    for (i, &e) in episodes.iter().enumerate() {
        for _ in 0..60 {
            let c = concept_nodes[pick(&mut rng, &cc)];
            kg.edge_mut(e, c, Relation::Mentions).weight += 1 + rng.below(4);
        }
        for _ in 0..3 {
            let p = people_nodes[pick(&mut rng, &pc)];
            kg.edge_mut(p, e, Relation::AppearsIn).weight += 10 + rng.below(50);
        }
        if i > 3 && rng.below(5) == 0 {
            for _ in 0..3 {
                let t = episodes[rng.below(i)];
                let edge = kg.edge_mut(e, t, Relation::Related);
                edge.curated = true;
                edge.weight = 1;
            }
        }
    }
    kg
}
