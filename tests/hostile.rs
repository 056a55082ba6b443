//! Bad and hostile input, end to end through the real binary.
//!
//! Each case puts one bad file (from `tests/fixtures/hostile/`, or written
//! here when it is binary, huge or deeply nested) in a folder beside one
//! good episode, runs `podgraph build` (and `podgraph speakers`) from inside
//! a temporary folder, and checks:
//!
//! - the exact exit status;
//! - every problem reported exactly once, as `file:line: severity: reason`,
//!   with the right file and line and a plain-English reason;
//! - the good episode still in `graph.json`;
//! - nothing written outside `--out` (the whole temporary folder is compared
//!   before and after), and nothing but the four outputs inside it.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The files `podgraph build` writes, and nothing else.
const OUTPUTS: [&str; 4] = ["graph.dot", "graph.idx", "graph.json", "related.json"];

/// The good episode every case folder holds.
const GOOD: &str = "good.md";
const GOOD_ID: &str = "episode:good-episode";

fn fixture(name: &str) -> Vec<u8> {
    let path = common::fixture(&format!("hostile/{name}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A temporary folder laid out as `ROOT/w/x/in/` (inputs, with the good
/// episode) and `ROOT/w/x/out/` (outputs). podgraph runs in `ROOT/w/x`
/// with relative paths, so that a write escaping the output folder (say
/// through an id like `../../etc/x`) lands in `ROOT`, where it is seen.
struct Case {
    root: tempfile::TempDir,
    work: PathBuf,
}

/// Every file under a folder, with its contents' length and hash.
type Snapshot = BTreeMap<PathBuf, (u64, u64)>;

fn snapshot(dir: &Path) -> Snapshot {
    fn walk(dir: &Path, out: &mut Snapshot) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(&path, out);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.insert(path, (bytes.len() as u64, podgraph::names::fnv1a(&bytes)));
            }
        }
    }
    let mut out = Snapshot::new();
    walk(dir, &mut out);
    out
}

impl Case {
    fn new() -> Case {
        let root = tempfile::tempdir().unwrap();
        let work = root.path().join("w/x");
        std::fs::create_dir_all(work.join("in")).unwrap();
        let case = Case { root, work };
        case.add(GOOD, fixture(GOOD));
        case
    }

    /// A folder with the good episode and these fixtures.
    fn with(fixtures: &[&str]) -> Case {
        let case = Case::new();
        for f in fixtures {
            case.add(f, fixture(f));
        }
        case
    }

    /// Writes an input file.
    fn add(&self, name: &str, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.work.join("in").join(name), bytes).unwrap();
    }

    fn out(&self) -> PathBuf {
        self.work.join("out")
    }

    /// Runs podgraph in the work folder, checking that it wrote nothing
    /// but its outputs.
    fn run(&self, args: &[&str]) -> Outcome {
        let before = snapshot(self.root.path());
        let o = Command::new(env!("CARGO_BIN_EXE_podgraph"))
            .current_dir(&self.work)
            .args(args)
            .output()
            .expect("podgraph runs");
        let code = o.status.code().expect("podgraph exits with a status");
        let stderr = common::stderr(&o);
        assert!(
            !stderr.contains("internal error") && code != 3,
            "podgraph crashed:\n{stderr}"
        );
        let after = snapshot(self.root.path());
        let out = self.out();
        for (path, sig) in &after {
            if path.parent() == Some(out.as_path()) {
                continue;
            }
            assert_eq!(
                before.get(path),
                Some(sig),
                "{} was written outside --out",
                path.display()
            );
        }
        for (path, sig) in &before {
            if path.parent() != Some(out.as_path()) {
                assert_eq!(after.get(path), Some(sig), "{} changed", path.display());
            }
        }
        Outcome {
            code,
            stderr,
            stdout: common::stdout(&o),
            out,
        }
    }

    /// `podgraph build in --out out -q` plus `extra`; for a run that gets
    /// as far as writing (status 0 or 1), exactly the four outputs are in
    /// `--out`, with no temporary files left.
    fn build(&self, extra: &[&str]) -> Outcome {
        let mut args = vec!["build", "in", "--out", "out", "-q"];
        args.extend_from_slice(extra);
        let o = self.run(&args);
        if o.code != 2 {
            assert_eq!(
                o.out_files(),
                OUTPUTS.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>(),
                "{}",
                o.stderr
            );
        }
        o
    }

    /// `podgraph speakers in -q --format json`.
    fn speakers(&self, extra: &[&str]) -> Outcome {
        let mut args = vec!["speakers", "in", "-q", "--format", "json"];
        args.extend_from_slice(extra);
        self.run(&args)
    }
}

struct Outcome {
    code: i32,
    stderr: String,
    stdout: String,
    out: PathBuf,
}

/// One diagnostic line, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Diag {
    line: usize,
    severity: String,
    message: String,
}

impl Outcome {
    /// Every entry in the output folder (hidden ones included).
    fn out_files(&self) -> BTreeSet<String> {
        match std::fs::read_dir(&self.out) {
            Ok(entries) => entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => BTreeSet::new(),
        }
    }

    fn graph(&self) -> Value {
        let text = std::fs::read_to_string(self.out.join("graph.json")).unwrap();
        serde_json::from_str(&text).expect("graph.json is valid JSON")
    }

    fn node_ids(&self) -> BTreeSet<String> {
        self.graph()["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_string())
            .collect()
    }

    fn node(&self, id: &str) -> Value {
        self.graph()["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no node {id}"))
    }

    fn mentions_in(&self, episode: &str) -> Vec<Value> {
        self.graph()["mentions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["episode"] == episode)
            .cloned()
            .collect()
    }

    /// The diagnostics about `in/<file>`, as `file:line: severity: reason`
    /// or `file: severity: reason` (line 0).
    fn diags(&self, file: &str) -> Vec<Diag> {
        let prefix = format!("in/{file}:");
        self.stderr
            .lines()
            .filter_map(|l| l.strip_prefix(&prefix))
            .map(|rest| {
                let (line, rest) = match rest.split_once(':') {
                    Some((n, r)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => (n.parse().unwrap(), r),
                    _ => (0, rest),
                };
                let (severity, message) = rest.trim_start().split_once(": ").unwrap_or_else(|| {
                    panic!("not a diagnostic: {rest}");
                });
                Diag {
                    line,
                    severity: severity.to_string(),
                    message: message.to_string(),
                }
            })
            .collect()
    }

    /// The diagnostics about `file` are exactly these: each (line,
    /// severity, part of the reason) once, and nothing else.
    fn assert_diags(&self, file: &str, expected: &[(usize, &str, &str)]) {
        let got = self.diags(file);
        assert_eq!(
            got.len(),
            expected.len(),
            "diagnostics for {file}: expected {expected:?}, got:\n{}",
            self.stderr
        );
        for (line, severity, part) in expected {
            let n = got
                .iter()
                .filter(|d| d.line == *line && d.severity == *severity && d.message.contains(part))
                .count();
            assert_eq!(
                n, 1,
                "expected `in/{file}:{line}: {severity}: ...{part}...` once in:\n{}",
                self.stderr
            );
        }
    }

    /// The good episode was read, cleanly.
    fn assert_good_kept(&self) {
        self.assert_diags(GOOD, &[]);
        assert!(self.node_ids().contains(GOOD_ID), "{}", self.stderr);
    }
}

/// Runs `build` and `speakers` on a case; both must report the same
/// problems for `file` and end with the same status.
fn build_and_speakers(case: &Case, file: &str, code: i32, diags: &[(usize, &str, &str)]) -> Outcome {
    let b = case.build(&[]);
    assert_eq!(b.code, code, "build: {}", b.stderr);
    b.assert_diags(file, diags);
    b.assert_good_kept();
    let s = case.speakers(&[]);
    assert_eq!(s.code, code, "speakers: {}", s.stderr);
    s.assert_diags(file, diags);
    s.assert_diags(GOOD, &[]);
    let rows: Value = serde_json::from_str(&s.stdout).expect("speakers --format json");
    assert!(
        rows.as_array().unwrap().iter().any(|r| r["episode"] == "good-episode"),
        "{}",
        s.stdout
    );
    b
}

// ---------------------------------------------------------------------------
// Files that cannot be used: an error each, exit status 1, the rest built.

#[test]
fn unterminated_front_matter_is_skipped() {
    let case = Case::with(&["unterminated.md"]);
    let o = build_and_speakers(
        &case,
        "unterminated.md",
        1,
        &[(1, "error", "front matter opened with `---` on line 1 is never closed")],
    );
    assert!(!o.node_ids().contains("episode:unterminated"));
}

#[test]
fn invalid_yaml_is_skipped() {
    let case = Case::with(&["bad-yaml.md"]);
    let o = build_and_speakers(
        &case,
        "bad-yaml.md",
        1,
        &[(
            4,
            "error",
            "front matter is not valid YAML (did not find expected ',' or ']' on line 4, \
             while parsing a flow sequence on line 3); file skipped",
        )],
    );
    assert!(!o.node_ids().contains("episode:bad-yaml"));
}

#[test]
fn empty_file_is_skipped() {
    let case = Case::with(&["empty.md"]);
    build_and_speakers(&case, "empty.md", 1, &[(1, "error", "file is empty")]);
    // White space only is empty too.
    let case = Case::new();
    case.add("blank.md", " \n\t\r\n\n");
    build_and_speakers(&case, "blank.md", 1, &[(1, "error", "file is empty")]);
}

#[test]
fn binary_file_is_skipped() {
    let case = Case::new();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10".to_vec();
    png.extend((0..=255u8).cycle().take(4096));
    case.add("cover.md", &png);
    // A transcript with one NUL byte in the middle is binary too.
    let mut text = fixture("number-seven.md");
    text.splice(40..40, [0u8]);
    case.add("nul.txt", &text);
    let o = case.build(&[]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    o.assert_diags("cover.md", &[(1, "error", "binary file (contains NUL bytes); skipped")]);
    o.assert_diags("nul.txt", &[(1, "error", "binary file")]);
    o.assert_good_kept();
    assert_eq!(o.node_ids().iter().filter(|n| n.starts_with("episode:")).count(), 1);
}

#[test]
fn yaml_alias_bomb_is_refused() {
    let case = Case::with(&["alias-bomb.md"]);
    let o = build_and_speakers(
        &case,
        "alias-bomb.md",
        1,
        &[(
            2,
            "error",
            "front matter is not valid YAML (aliases expand to too much data",
        )],
    );
    assert!(!o.node_ids().contains("episode:alias-bomb"));
}

/// 10,000 nested flow lists, flow mappings and block mappings.
#[test]
fn deeply_nested_yaml_is_refused() {
    let flow_lists = format!(
        "---\nepisode_id: deep\nx: {}{}\n---\n[00:00:01] AL: Hello.\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let flow_maps = format!(
        "---\nepisode_id: deep\nx: {}1{}\n---\n[00:00:01] AL: Hello.\n",
        "{a: ".repeat(10_000),
        "}".repeat(10_000)
    );
    let mut block_maps = String::from("---\nepisode_id: deep\n");
    for depth in 0..10_000 {
        block_maps.push_str(&" ".repeat(depth));
        block_maps.push_str("k:\n");
    }
    block_maps.push_str("---\n[00:00:01] AL: Hello.\n");
    // A JSON transcript nested as deep.
    let case = Case::new();
    case.add(
        "deep.json",
        format!("{{\"segments\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000)),
    );
    build_and_speakers(
        &case,
        "deep.json",
        1,
        &[(1, "error", "not valid JSON (recursion limit exceeded")],
    );
    for (text, line) in [(flow_lists, 3), (flow_maps, 3), (block_maps, 131)] {
        let case = Case::new();
        case.add("deep.md", &text);
        let o = build_and_speakers(
            &case,
            "deep.md",
            1,
            &[(line, "error", "front matter is not valid YAML (nested too deeply")],
        );
        assert!(!o.node_ids().contains("episode:deep"));
    }
}

/// Metadata beside a transcript gets the same guards as front matter: a
/// hostile sidecar or index is reported and ignored, and the transcript is
/// still read, named by its file.
#[test]
fn hostile_sidecar_metadata_is_ignored() {
    let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ann Lee>Hello, I'm Ann Lee.\n\n\
               00:00:04.000 --> 00:00:06.000\n<v Bo Chen>And I'm Bo Chen.\n";
    let bomb = String::from_utf8(fixture("alias-bomb.md")).unwrap();
    let bomb_yaml: String = bomb
        .lines()
        .skip(1)
        .take_while(|l| *l != "---")
        .map(|l| format!("{l}\n"))
        .collect();

    let case = Case::new();
    case.add("talk.vtt", vtt);
    case.add("talk.yaml", &bomb_yaml);
    case.add("other.srt", "1\n00:00:01,000 --> 00:00:02,000\nAnn Lee: Hi.\n");
    case.add(
        "episodes.yaml",
        "- file: ../good.md\n  episode_id: escaped\n- file: /etc/passwd\n- file: other.srt\n  episode_id: other-id\n",
    );
    let o = case.build(&[]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    o.assert_diags(
        "talk.yaml",
        &[(
            1,
            "error",
            "metadata is not valid YAML (aliases expand to too much data",
        )],
    );
    o.assert_diags(
        "episodes.yaml",
        &[
            (
                1,
                "warning",
                "`file: ../good.md` names no transcript in this folder; entry ignored",
            ),
            (
                3,
                "warning",
                "`file: /etc/passwd` names no transcript in this folder; entry ignored",
            ),
        ],
    );
    o.assert_diags("talk.vtt", &[]);
    o.assert_good_kept();
    let ids = o.node_ids();
    assert!(
        ids.contains("episode:talk") && ids.contains("episode:other-id"),
        "{ids:?}"
    );
    assert!(!ids.contains("episode:escaped"));

    // An index that does not parse, unterminated at its end.
    let case = Case::new();
    case.add("talk.vtt", vtt);
    case.add("episodes.yaml", "- file: talk.vtt\n  episode_id: [[[[\n");
    let o = case.build(&[]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    o.assert_diags("episodes.yaml", &[(2, "error", "metadata is not valid YAML")]);
    o.assert_good_kept();
    assert!(o.node_ids().contains("episode:talk"));
}

#[test]
fn duplicate_ids_keep_the_first_file() {
    let case = Case::with(&["duplicate-a.md", "duplicate-b.md"]);
    let o = case.build(&[]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    o.assert_diags("duplicate-a.md", &[]);
    o.assert_diags(
        "duplicate-b.md",
        &[(
            2,
            "error",
            "duplicate episode id `duplicate` (also in in/duplicate-a.md); this file is skipped",
        )],
    );
    o.assert_good_kept();
    assert_eq!(o.node("episode:duplicate")["label"], "Duplicate a");
}

// ---------------------------------------------------------------------------
// Problems worked around: a warning each, exit status 0 (1 with --strict).

#[test]
fn episode_number_in_words_is_ignored() {
    let case = Case::with(&["number-seven.md"]);
    let o = build_and_speakers(
        &case,
        "number-seven.md",
        0,
        &[(
            3,
            "warning",
            "`episode_number` should be a whole number, found `seven`; ignored",
        )],
    );
    let node = o.node("episode:number-seven");
    assert!(node.get("number").is_none_or(Value::is_null), "{node}");
}

#[test]
fn strict_turns_warnings_into_failure() {
    let case = Case::with(&["number-seven.md"]);
    let o = case.build(&["--strict"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    o.assert_diags("number-seven.md", &[(3, "warning", "should be a whole number")]);
    // The outputs are still written, with every episode.
    o.assert_good_kept();
    assert!(o.node_ids().contains("episode:number-seven"));
    let s = case.speakers(&["--strict"]);
    assert_eq!(s.code, 1, "{}", s.stderr);
    // Without warnings, --strict changes nothing.
    let clean = Case::new();
    assert_eq!(clean.build(&["--strict"]).code, 0);
}

#[test]
fn hosts_as_text_are_split_on_commas() {
    let case = Case::with(&["hosts-string.md"]);
    let o = build_and_speakers(
        &case,
        "hosts-string.md",
        0,
        &[(
            4,
            "warning",
            "`hosts` should be a list of names; the text was split on commas",
        )],
    );
    // Both names became hosts, so both labels were read as them.
    let links = o.graph()["links"].as_array().unwrap().clone();
    for person in ["person:ann-lee", "person:bo-chen"] {
        assert!(
            links
                .iter()
                .any(|l| l["source"] == person && l["target"] == "episode:hosts-string" && l["role"] == "host"),
            "{person} hosts hosts-string"
        );
    }
}

#[test]
fn unreadable_timestamps_keep_their_turns() {
    let case = Case::with(&["bad-timestamps.md"]);
    let o = build_and_speakers(
        &case,
        "bad-timestamps.md",
        0,
        &[
            (
                7,
                "warning",
                "unreadable timestamp `[99:99:99]`; turn kept without a time",
            ),
            (
                8,
                "warning",
                "unreadable timestamp `[0:00:xx]`; turn kept without a time",
            ),
        ],
    );
    assert_eq!(o.node("episode:bad-timestamps")["turns"], 4);
}

#[test]
fn turns_without_a_label_are_unattributed() {
    let case = Case::with(&["no-labels.md"]);
    let o = build_and_speakers(
        &case,
        "no-labels.md",
        0,
        &[
            (
                6,
                "warning",
                "text without a speaker label; kept as an unattributed turn",
            ),
            (
                8,
                "warning",
                "timestamped line without a speaker label; kept as an unattributed turn",
            ),
        ],
    );
    assert_eq!(o.node("episode:no-labels")["turns"], 4);
}

#[test]
fn invalid_utf8_is_replaced() {
    let case = Case::new();
    let mut text = fixture("number-seven.md");
    let text_str = String::from_utf8(text.clone()).unwrap();
    // A Latin-1 "é" and a stray continuation byte on line 8, then a concept.
    let at = text_str.find("And I'm Bo Chen.").unwrap();
    text.splice(at..at, b"Caf\xe9 \x80 talk about Kubernetes. ".iter().copied());
    case.add("latin1.md", &text);
    let o = build_and_speakers(
        &case,
        "latin1.md",
        0,
        &[
            (8, "warning", "invalid UTF-8; the bad bytes were replaced with U+FFFD"),
            (3, "warning", "should be a whole number"),
        ],
    );
    let quotes: Vec<String> = o
        .mentions_in("episode:number-seven")
        .iter()
        .map(|m| m["quote"].as_str().unwrap().to_string())
        .collect();
    assert!(
        quotes
            .iter()
            .any(|q| q.contains("Caf\u{fffd} \u{fffd} talk about Kubernetes.")),
        "{quotes:?}"
    );
}

#[test]
fn bom_and_crlf_are_accepted_silently() {
    let case = Case::new();
    let good = String::from_utf8(fixture(GOOD)).unwrap();
    let crlf = good.replace("good-episode", "crlf-episode").replace('\n', "\r\n");
    case.add("crlf.md", &crlf);
    let bom = format!("\u{feff}{}", good.replace("good-episode", "bom-episode"));
    case.add("bom.md", &bom);
    case.add(
        "both.md",
        format!("\u{feff}{}", crlf.replace("crlf-episode", "both-episode")),
    );
    let o = case.build(&[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    o.assert_good_kept();
    let good_mentions = o.mentions_in(GOOD_ID);
    for (file, id) in [
        ("crlf.md", "episode:crlf-episode"),
        ("bom.md", "episode:bom-episode"),
        ("both.md", "episode:both-episode"),
    ] {
        o.assert_diags(file, &[]);
        // The front matter was read (the id is not the file name) and the
        // turns are the good episode's, without a stray `\r`.
        let node = o.node(id);
        assert_eq!(node["turns"], 3, "{node}");
        assert_eq!(node["number"], 1, "{node}");
        let mentions = o.mentions_in(id);
        assert_eq!(mentions.len(), good_mentions.len());
        for (m, g) in mentions.iter().zip(&good_mentions) {
            for key in ["quote", "line", "time_ms", "span", "speaker"] {
                assert_eq!(m[key], g[key], "{file}: {key}");
            }
        }
    }
}

/// A 10 MB line inside a turn: read, tagged, and quoted briefly.
#[test]
fn ten_megabyte_line_is_read() {
    let case = Case::new();
    let mut text = String::from(
        "---\nepisode_id: huge\nhosts: [Ann Lee, Bo Chen]\n---\n[00:00:01] AL: Hello, I'm Ann Lee.\n[00:00:05] BC: ",
    );
    let word = "lorem ipsum dolor ";
    while text.len() < 10_000_000 {
        text.push_str(word);
    }
    text.push_str("and finally Kubernetes.\n[00:09:00] AL: Thanks, Bo.\n");
    case.add("huge.md", &text);
    let o = build_and_speakers(&case, "huge.md", 0, &[]);
    assert_eq!(o.node("episode:huge")["turns"], 3);
    let mentions = o.mentions_in("episode:huge");
    assert_eq!(mentions.len(), 1, "{mentions:?}");
    let m = &mentions[0];
    assert_eq!(m["line"], 6);
    assert_eq!(m["speaker"], "person:bo-chen");
    assert!(m["span"][0].as_u64().unwrap() > 9_000_000);
    let quote = m["quote"].as_str().unwrap();
    assert!(
        quote.len() <= 250 && quote.ends_with("and finally Kubernetes."),
        "{quote}"
    );
    // The text itself is not kept: the graph stays small.
    let size = std::fs::metadata(o.out.join("graph.json")).unwrap().len();
    assert!(size < 100_000, "graph.json is {size} bytes");
}

#[test]
fn related_naming_an_unknown_episode_is_ignored() {
    let case = Case::with(&["related-unknown.md"]);
    let o = build_and_speakers(
        &case,
        "related-unknown.md",
        0,
        &[(
            7,
            "warning",
            "`related` names `no-such-episode`, which is not an episode id in the inputs; link ignored",
        )],
    );
    let links = o.graph()["links"].as_array().unwrap().clone();
    let related: Vec<&Value> = links
        .iter()
        .filter(|l| l["source"] == "episode:related-unknown" && l["relation"] == "related")
        .collect();
    assert_eq!(related.len(), 1, "{related:?}");
    assert_eq!(related[0]["target"], GOOD_ID);
}

/// What the README promises ("every problem with the file and line"): the
/// warning names the line of the unknown id.
#[test]
fn related_warning_names_its_line() {
    let case = Case::with(&["related-unknown.md"]);
    let o = case.build(&[]);
    o.assert_diags(
        "related-unknown.md",
        &[(7, "warning", "`related` names `no-such-episode`")],
    );
}

// ---------------------------------------------------------------------------
// Hostile ids: kept exactly, escaped in every output, never a path.

const HOSTILE_IDS: &[&str] = &[
    "../../etc/x",
    "/etc/passwd",
    "a/b/c",
    "say \"hi\"",
    "back\\slash\\",
    "\\\"",
    "a\nb",
    "a\\nb",
    "<script>alert(1)</script>",
    "}{ -> ; digraph x { a",
    "ünï ☃ 日本",
];

/// A YAML double-quoted scalar for any text.
fn yaml_quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// `"..."` as graph.dot writes it (see `export::dot::quote`), decoded.
fn dot_unquote(id: &str) -> String {
    let inner = id.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(id);
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The node ids declared in a DOT text, decoded.
fn dot_node_ids(dot: &str) -> Vec<String> {
    use graphviz_rust::dot_structures::{Graph, Id, Stmt};
    let graph = graphviz_rust::parse(dot).unwrap_or_else(|e| panic!("graph.dot parses: {e}"));
    let (Graph::DiGraph { stmts, .. } | Graph::Graph { stmts, .. }) = graph;
    stmts
        .iter()
        .filter_map(|s| match s {
            Stmt::Node(n) => Some(match &n.id.0 {
                Id::Escaped(s) => dot_unquote(s),
                Id::Html(s) | Id::Plain(s) | Id::Anonymous(s) => s.clone(),
            }),
            _ => None,
        })
        .collect()
}

fn hostile_ids_case() -> Case {
    let case = Case::new();
    for (i, id) in HOSTILE_IDS.iter().enumerate() {
        case.add(
            &format!("id-{i:02}.md"),
            format!(
                "---\nepisode_id: {}\ntitle: {}\nhosts: [Ann Lee, Bo Chen]\nrelated: [{}]\n---\n\
                 [00:00:01] AL: Hello, I'm Ann Lee. We talk about Kubernetes.\n\
                 [00:00:05] BC: And I'm Bo Chen.\n",
                yaml_quoted(id),
                yaml_quoted(id),
                yaml_quoted("good-episode"),
            ),
        );
    }
    case
}

#[test]
fn hostile_ids_are_kept_and_escaped() {
    let case = hostile_ids_case();
    let o = case.build(&[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    o.assert_good_kept();
    for i in 0..HOSTILE_IDS.len() {
        o.assert_diags(&format!("id-{i:02}.md"), &[]);
    }
    let expected: BTreeSet<String> = HOSTILE_IDS
        .iter()
        .map(|id| format!("episode:{id}"))
        .chain([GOOD_ID.to_string()])
        .collect();

    // graph.json: valid JSON holding every id exactly, and it loads back.
    let episodes: BTreeSet<String> = o.node_ids().into_iter().filter(|n| n.starts_with("episode:")).collect();
    assert_eq!(episodes, expected);
    let kg = podgraph::export::json::load(&o.out.join("graph.json")).expect("graph.json loads");
    for id in &expected {
        assert!(kg.node(id).is_some(), "{id:?}");
    }

    // related.json: keyed by the exact ids.
    let related: Value = serde_json::from_str(&std::fs::read_to_string(o.out.join("related.json")).unwrap())
        .expect("related.json is valid JSON");
    for id in HOSTILE_IDS {
        assert!(related.get(*id).is_some(), "{id:?} in related.json");
    }

    // graph.dot: parses, and each node id decodes to the exact id.
    let dot = std::fs::read_to_string(o.out.join("graph.dot")).unwrap();
    let dot_ids: Vec<String> = dot_node_ids(&dot);
    let dot_episodes: BTreeSet<String> = dot_ids.iter().filter(|n| n.starts_with("episode:")).cloned().collect();
    assert_eq!(dot_episodes, expected);
    let distinct: BTreeSet<&String> = dot_ids.iter().collect();
    assert_eq!(distinct.len(), dot_ids.len(), "a node declared twice in graph.dot");

    // The query index answers for them too.
    let idx = podgraph::index::QueryIndex::open(&o.out.join("graph.idx")).expect("graph.idx");
    for id in &expected {
        assert!(idx.find_id(id).is_some(), "{id:?} in graph.idx");
    }

    // `dot` renders it, and no id turns into markup in the SVG.
    if common::have_tool("dot", "-V") {
        let out = Command::new("dot")
            .args(["-Tsvg", o.out.join("graph.dot").to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", common::stderr(&out));
        let svg = common::stdout(&out);
        assert!(svg.contains("<svg"), "{svg}");
        assert!(!svg.contains("<script"), "an id became markup in the SVG");
        assert!(svg.contains("&lt;script&gt;"), "the id is shown, escaped");
    }

    // `podgraph speakers --format json` holds the exact ids too.
    let s = case.speakers(&[]);
    assert_eq!(s.code, 0, "{}", s.stderr);
    let rows: Value = serde_json::from_str(&s.stdout).expect("valid JSON");
    let ids: BTreeSet<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["episode"].as_str().unwrap())
        .collect();
    for id in HOSTILE_IDS {
        assert!(ids.contains(id), "{id:?}");
    }
}

/// Ids that differ only by a control character must stay two nodes in
/// graph.dot, as they are in graph.json: `a\tb` and `ab` (or `n\0ul` and
/// `nul`) are two DOT nodes.
#[test]
fn ids_differing_by_a_control_character_stay_distinct_in_dot() {
    let case = Case::new();
    for (i, id) in ["a\tb", "ab", "n\u{0}ul", "nul", "c\rd", "cd"].iter().enumerate() {
        case.add(
            &format!("cc-{i}.md"),
            format!(
                "---\nepisode_id: {}\nhosts: [Ann Lee]\n---\n[00:00:01] AL: Hello.\n",
                yaml_quoted(id)
            ),
        );
    }
    let o = case.build(&[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let dot = std::fs::read_to_string(o.out.join("graph.dot")).unwrap();
    let ids = dot_node_ids(&dot);
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "{ids:?}");
}

/// A diagnostic is one line: an id holding a line break must not start a
/// line of its own on stderr (which could pass for another diagnostic).
#[test]
fn diagnostics_are_one_line_each() {
    let case = Case::new();
    case.add(
        "inject.md",
        "---\nepisode_id: inject\nhosts: [Ann Lee]\nrelated:\n  - \"x\\nin/good.md:1: error: forged\"\n---\n[00:00:01] AL: Hello.\n",
    );
    let o = case.build(&[]);
    assert!(!o.stderr.lines().any(|l| l.starts_with("in/good.md:")), "{}", o.stderr);
}

/// `related --write-front-matter` writes ids that YAML would read as
/// something else (`0x1F` is 31, `1e3` is 1000.0), or must escape, so that
/// they read back as the same ids: a build after it finds every link.
#[test]
fn related_front_matter_keeps_hostile_ids() {
    let ids = [
        "0x1F",
        "1e3",
        "0o17",
        "007",
        "yes",
        "null",
        "a: b",
        "x\ny",
        "#tag",
        "say \"hi\"",
    ];
    let root = tempfile::tempdir().unwrap();
    let input = root.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    for (i, id) in ids.iter().enumerate() {
        std::fs::write(
            input.join(format!("ep-{i}.md")),
            format!(
                "---\nepisode_id: {}\nhosts: [Ann Lee, Bo Chen]\n---\n\
                 [00:00:01] AL: I'm Ann Lee. Kubernetes, Prometheus and Grafana.\n\
                 [00:00:05] BC: I'm Bo Chen. Envoy and Kubernetes.\n",
                yaml_quoted(id)
            ),
        )
        .unwrap();
    }
    let podgraph = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_podgraph"))
            .current_dir(root.path())
            .args(args)
            .output()
            .unwrap()
    };
    let o = podgraph(&["related", "in", "--write-front-matter", "--apply", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let o = podgraph(&["build", "in", "--out", "out", "-q", "--strict"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let graph: Value =
        serde_json::from_str(&std::fs::read_to_string(root.path().join("out/graph.json")).unwrap()).unwrap();
    let curated = graph["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["relation"] == "related")
        .count();
    assert!(curated >= ids.len(), "{curated} curated links");
}

/// `podgraph ... | head` closes the pipe early; podgraph should stop
/// quietly, not report an internal error (exit status 3).
#[test]
fn closed_stdout_is_not_an_internal_error() {
    let case = Case::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_podgraph"))
        .current_dir(&case.work)
        .args(["speakers", "in", "-q"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_ne!(o.status.code(), Some(3), "{}", common::stderr(&o));
    assert!(!common::stderr(&o).contains("internal error"), "{}", common::stderr(&o));
}

/// The default `--out output` inside the folder being read: the second run
/// must not read the first run's graph.json and related.json as
/// transcripts.
#[test]
fn outputs_inside_the_inputs_are_not_read_back() {
    let case = Case::new();
    for run in ["first", "second"] {
        let o = Command::new(env!("CARGO_BIN_EXE_podgraph"))
            .current_dir(case.work.join("in"))
            .args(["build", ".", "-q"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{run} run: {}", common::stderr(&o));
    }
}

// ---------------------------------------------------------------------------
// Dictionaries given with --dict.

#[test]
fn dictionary_problems_are_warnings() {
    let case = Case::new();
    std::fs::write(case.work.join("dict.yaml"), fixture("dict-warnings.yaml")).unwrap();
    case.add(
        "sci-fi.md",
        "---\nepisode_id: sci-fi\nhosts: [Ann Lee]\n---\n\
         [00:00:01] AL: I'm Ann Lee. A warp drive, a shared name, and w.\n",
    );
    let o = case.build(&["--dict", "dict.yaml"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let diags: Vec<&str> = o.stderr.lines().filter(|l| l.starts_with("dict.yaml:")).collect();
    let expected = [
        "dict.yaml:5: warning: entry `Warp Drive` has an empty alias; ignored",
        "dict.yaml:7: warning: alias `Shared Name` of `Warp Drive` is already claimed by \
         `Flux Capacitor` (dict.yaml); it stays with `Flux Capacitor`",
        "dict.yaml:9: warning: alias `w` of `Warp Drive` is a single character and would \
         match noise; ignored",
    ];
    assert_eq!(diags, expected, "{}", o.stderr);
    o.assert_good_kept();
    o.assert_diags("sci-fi.md", &[]);
    // The shared alias stays with the first entry; one letter is no alias.
    let matched: Vec<(String, String)> = o
        .mentions_in("episode:sci-fi")
        .iter()
        .map(|m| {
            (
                m["matched"].as_str().unwrap().to_string(),
                m["concept"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("warp drive", "concept:warp-drive"),
        ("shared name", "concept:flux-capacitor"),
    ];
    assert_eq!(matched, expected.map(|(a, b)| (a.to_string(), b.to_string())));
    // --strict makes them a failure, after writing.
    let strict = case.build(&["--dict", "dict.yaml", "--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
}

#[test]
fn unknown_dictionary_kind_stops_before_writing() {
    let case = Case::new();
    std::fs::write(case.work.join("dict.yaml"), fixture("dict-unknown-kind.yaml")).unwrap();
    let o = case.build(&["--dict", "dict.yaml"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains(
            "dict.yaml:5: error: entry `Warp Drive` has unknown kind `gadget` (known: technology, \
             organization, person, topic, event, publication)"
        ),
        "{}",
        o.stderr
    );
    assert_eq!(o.stderr.matches("unknown kind").count(), 1, "{}", o.stderr);
    assert!(!o.out.exists(), "nothing written, not even the folder");
}

/// A run that fails with a configuration error leaves the outputs of the
/// previous run as they were.
#[test]
fn previous_outputs_survive_a_configuration_error() {
    let case = Case::new();
    let first = case.build(&[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let before: Vec<Vec<u8>> = OUTPUTS
        .iter()
        .map(|f| std::fs::read(case.out().join(f)).unwrap())
        .collect();
    std::fs::write(case.work.join("dict.yaml"), fixture("dict-unknown-kind.yaml")).unwrap();
    case.add("second.md", fixture("number-seven.md"));
    let o = case.build(&["--dict", "dict.yaml"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    for (f, old) in OUTPUTS.iter().zip(&before) {
        assert_eq!(&std::fs::read(case.out().join(f)).unwrap(), old, "{f} changed");
    }
    let names: BTreeSet<String> = OUTPUTS.iter().map(|s| s.to_string()).collect();
    assert_eq!(o.out_files(), names, "no temporary file left");
    // A bad option is a usage error, with the same guarantee.
    let o = case.run(&["build", "in", "--out", "out", "--input-format", "nope"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    for (f, old) in OUTPUTS.iter().zip(&before) {
        assert_eq!(&std::fs::read(case.out().join(f)).unwrap(), old, "{f} changed");
    }
}

// ---------------------------------------------------------------------------
// Determinism.

/// The same files, created in opposite orders in two folders, give
/// byte-identical outputs and reports, whatever the thread count.
#[test]
fn outputs_do_not_depend_on_file_order_or_threads() {
    let mut files: Vec<(String, Vec<u8>)> = [
        "good.md",
        "number-seven.md",
        "hosts-string.md",
        "bad-timestamps.md",
        "no-labels.md",
        "duplicate-a.md",
        "duplicate-b.md",
        "related-unknown.md",
        "bad-yaml.md",
        "empty.md",
    ]
    .iter()
    .map(|f| (f.to_string(), fixture(f)))
    .collect();
    for (dir, file) in [("show-a", "ep-1.md"), ("show-b", "ep-1.md"), ("show-a/sub", "ep-2.md")] {
        files.push((format!("{dir}/{file}"), fixture("good.md")));
    }
    // Distinct ids for the nested copies.
    for (i, f) in files.iter_mut().enumerate() {
        if f.0.contains('/') {
            let text = String::from_utf8(f.1.clone()).unwrap();
            f.1 = text.replace("good-episode", &format!("nested-{i}")).into_bytes();
        }
    }
    for (i, id) in HOSTILE_IDS.iter().enumerate().take(4) {
        files.push((
            format!("id-{i}.md"),
            format!(
                "---\nepisode_id: {}\nhosts: [Ann Lee, Bo Chen]\n---\n[00:00:01] AL: Kubernetes and Prometheus.\n",
                yaml_quoted(id)
            )
            .into_bytes(),
        ));
    }

    let make = |order: &mut dyn Iterator<Item = &(String, Vec<u8>)>| {
        let root = tempfile::tempdir().unwrap();
        for (name, bytes) in order {
            let path = root.path().join("in").join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap();
        }
        root
    };
    let forward = make(&mut files.iter());
    let backward = make(&mut files.iter().rev());
    let run = |root: &Path, threads: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_podgraph"))
            .current_dir(root)
            .args(["build", "in", "--out", &format!("out-{threads}"), "-q", "-j", threads])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
        let outputs: Vec<Vec<u8>> = OUTPUTS
            .iter()
            .map(|f| std::fs::read(root.join(format!("out-{threads}")).join(f)).unwrap())
            .collect();
        (outputs, o.stderr)
    };
    let reference = run(forward.path(), "1");
    for (root, threads) in [(forward.path(), "4"), (backward.path(), "1"), (backward.path(), "4")] {
        let (outputs, stderr) = run(root, threads);
        for (i, f) in OUTPUTS.iter().enumerate() {
            assert!(outputs[i] == reference.0[i], "{f} differs (-j {threads})");
        }
        assert_eq!(
            String::from_utf8_lossy(&stderr),
            String::from_utf8_lossy(&reference.1),
            "the report differs (-j {threads})"
        );
    }
}
