//! Property tests: no parser panics on arbitrary input, and the cheap
//! invariants of each stage hold.
//!
//! Inputs are drawn from generators biased toward each format's syntax
//! (front matter fences, `[00:00:01]` stamps, `**bold**` labels, `-->`
//! timing lines, `<v voice>` tags, JSON segments, YAML keys) mixed with
//! arbitrary Unicode and arbitrary bytes, so that the parsers' branches are
//! reached rather than rejected at the first byte. Model transcripts
//! written in each format must read back as the same turns. Case counts
//! are bounded so that the whole file runs in about ten seconds in release
//! mode; `PODGRAPH_PROPTEST_SCALE=50` multiplies them for a longer search.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};
use unicode_normalization::UnicodeNormalization;

use podgraph::diagnostics::Diagnostics;
use podgraph::dictionary::{Dictionary, Source};
use podgraph::episode::{Episode, format_timestamp, parse_timestamp};
use podgraph::index::QueryIndex;
use podgraph::names;
use podgraph::people::Directory;
use podgraph::speakers::{self, StockSet};
use podgraph::tagger::{self, Tagger};
use podgraph::transcript::{self, Format, Parsed, frontmatter};

/// A configuration with `cases` cases in release builds (an eighth in
/// debug builds, which run about ten times slower), times
/// `PODGRAPH_PROPTEST_SCALE` for a longer search, and no failure files
/// written into the source tree (a failing case is printed in full
/// instead).
fn config(cases: u32) -> ProptestConfig {
    let scale: u32 = std::env::var("PODGRAPH_PROPTEST_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let cases = if cfg!(debug_assertions) { cases / 8 } else { cases };
    ProptestConfig {
        cases: cases.saturating_mul(scale.max(1)),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// Generators

/// Pieces of every format's syntax, and some text around them.
const TOKENS: &[&str] = &[
    "---",
    "---\n",
    "...\n",
    ":",
    ": ",
    "[",
    "]",
    "**",
    "\\[",
    "\\]",
    "0",
    "00",
    "7",
    "59",
    "99",
    ":00",
    "[00:00:01]",
    "[0:00:08.7]",
    "[99:99:99]",
    "[0:00:xx]",
    "\\[04:01\\]",
    "(00:01:02)",
    "-->",
    " --> ",
    "00:00:01.000 --> 00:00:02.000",
    "00:00:01,000 --> 00:00:02,000",
    "00:01.500 --> 00:03.000 align:start",
    "<v ",
    "<v Ana Costa>",
    "<v.loud Ben>",
    "</v>",
    "<b>",
    "<i",
    ">",
    "&amp;",
    "&#39;",
    "&#",
    "&#x110000;",
    ";",
    "{",
    "}",
    "{\\an8}",
    "\"",
    "'",
    "\n",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    " ",
    "  ",
    "\t",
    "WEBVTT",
    "WEBVTT\n\n",
    "NOTE ",
    "STYLE",
    "1\n",
    "2\n",
    "\"segments\"",
    "\"speaker\"",
    "\"body\"",
    "\"startTime\"",
    "-",
    "- ",
    "#",
    "# ",
    "EPISODE 7",
    "[INTERVIEW]",
    "[END]",
    "AB: ",
    "CC:",
    "ANNOUNCER: ",
    "Ana Costa: ",
    "**Ana Costa:**",
    "**Ben Ito**:",
    "**Break**:",
    "**Jingle**",
    "episode_id: ",
    "episode_number: ",
    "hosts:",
    "guests:\n  - name: ",
    "related:",
    "title: ",
    "first_name: ",
    "&a ",
    "*a",
    "!!str ",
    "|\n",
    "é",
    "e\u{301}",
    "\u{feff}",
    "日本",
    "\u{202e}",
    "\u{2028}",
    "İ",
    "ß",
    "🦀",
    "\\",
    "(",
    ")",
    "[Kubernetes](https://kubernetes.io)",
    "http://",
    "kubernetes.io",
    "a@b.io",
    "Kubernetes",
    "K8s",
    "Go",
    "Go ahead",
    "I'm Ana Costa",
    "my name is Ben",
    "Hi, everybody.",
    ".",
    "?",
    ",",
];

/// Text made of syntax tokens, digits, arbitrary characters and short
/// arbitrary strings.
fn syntax_text(max_pieces: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => prop::sample::select(TOKENS).prop_map(str::to_string),
        1 => (0u32..10_000).prop_map(|n| n.to_string()),
        1 => any::<char>().prop_map(|c| c.to_string()),
        1 => "\\PC{0,6}",
    ];
    prop::collection::vec(piece, 0..max_pieces).prop_map(|v| v.concat())
}

/// Arbitrary bytes, or syntax text with some bytes replaced by arbitrary
/// ones (invalid UTF-8, NUL, BOM in the middle...).
fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => syntax_text(80).prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..400),
        1 => (
            syntax_text(80),
            prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)
        )
            .prop_map(|(s, edits)| {
                let mut b = s.into_bytes();
                for (i, byte) in edits {
                    if !b.is_empty() {
                        let at = i.index(b.len());
                        b[at] = byte;
                    }
                }
                b
            }),
    ]
}

/// A YAML-ish front matter value.
fn yaml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(
            &[
                "",
                " 7",
                " seven",
                " -1",
                " 4294967296",
                " 1.5",
                " ~",
                " true",
                " []",
                " {}",
                " [a, b]",
                " '../../etc/x'",
                " \"a\\nb\"",
                " \"\\0\"",
                " <script>",
                " Ann Lee, Bo Chen",
                "\n  - name: Ann Lee\n    url: https://x",
                "\n  - Ann Lee\n  - 42\n  - [x]\n  - {name: }",
                "\n  - a: b\n  - The pillars: events, metrics",
                " &x [1, 2]",
                " *x",
                " !!binary aGk=",
                " [[[[",
                " {a: {b: {c: [1]}}}",
                " |\n  text\n  more",
            ][..]
        )
        .prop_map(str::to_string),
        syntax_text(8).prop_map(|s| format!(" {s}")),
    ]
}

/// Front matter with known and unknown keys, then a body.
fn front_matter_doc() -> impl Strategy<Value = String> {
    let key = prop::sample::select(
        &[
            "episode_id",
            "id",
            "episode_number",
            "number",
            "title",
            "date",
            "description",
            "notes",
            "video",
            "hosts",
            "guests",
            "points",
            "links",
            "related",
            "first_name",
            "last_name",
            "other",
        ][..],
    );
    (
        prop::collection::vec((key, yaml_value()), 0..8),
        prop::bool::ANY,
        prop::bool::ANY,
        syntax_text(30),
    )
        .prop_map(|(fields, closed, crlf, body)| {
            let mut s = String::from("---\n");
            for (k, v) in fields {
                s.push_str(k);
                s.push(':');
                s.push_str(&v);
                s.push('\n');
            }
            if closed {
                s.push_str("---\n");
            }
            s.push_str(&body);
            if crlf { s.replace('\n', "\r\n") } else { s }
        })
}

/// A Podlets-like transcript: bracketed stamps and labels, paragraphs.
fn podlets_doc() -> impl Strategy<Value = String> {
    let stamp = prop_oneof![
        (0u64..3, 0u64..70, 0u64..70).prop_map(|(h, m, s)| format!("[{h}:{m:02}:{s:02}] ")),
        Just(String::new()),
        Just("[0:00:xx] ".to_string()),
    ];
    let label = prop::sample::select(
        &[
            "AB: ",
            "CC: ",
            "KH: ",
            "ANNOUNCER: ",
            "Ana Costa: ",
            "AB ",
            "",
            "SPEAKER 2: ",
        ][..],
    );
    let line = prop_oneof![
        4 => (stamp, label, syntax_text(6)).prop_map(|(s, l, t)| format!("{s}{l}{t}\n")),
        1 => prop::sample::select(&["[INTERVIEW]\n", "EPISODE 7\n", "\n", "# Notes\n"][..])
            .prop_map(str::to_string),
    ];
    (front_matter_doc(), prop::collection::vec(line, 0..20)).prop_map(|(fm, lines)| {
        // Keep only the front matter part of the generated document.
        let head = match fm.find("\n---\n") {
            Some(i) => fm[..i + 5].to_string(),
            None => String::new(),
        };
        format!("{head}{}", lines.concat())
    })
}

/// A Podcasting 2.0 JSON transcript with odd segments.
fn json_doc() -> impl Strategy<Value = String> {
    let odd = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        any::<f64>().prop_map(|f| if f.is_finite() { f.to_string() } else { "1e999".into() }),
        any::<i64>().prop_map(|n| n.to_string()),
    ];
    let text = prop_oneof![
        4 => syntax_text(5).prop_map(|s| serde_json::to_string(&s).unwrap()),
        1 => prop::sample::select(&["\"Ana Costa\"", "\"Ben Ito\"", "\"\"", "\" \""][..])
            .prop_map(str::to_string),
        1 => odd.clone(),
    ];
    let time = prop_oneof![
        4 => (0u32..100_000).prop_map(|n| format!("{}", f64::from(n) / 100.0)),
        1 => Just("\"12.5\"".to_string()),
        1 => odd,
    ];
    let segment = (
        prop::option::weighted(0.7, text.clone()),
        prop::option::weighted(0.9, text),
        prop::option::weighted(0.8, time),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(speaker, body, start, extra)| {
            let mut fields = Vec::new();
            if let Some(v) = speaker {
                fields.push(format!("\"speaker\": {v}"));
            }
            if let Some(v) = start {
                fields.push(format!("\"startTime\": {v}"));
            }
            if let Some(v) = body {
                fields.push(format!("\"body\": {v}"));
            }
            if extra {
                fields.push("\"endTime\": 1, \"x\": [1, {}]".to_string());
            }
            format!("{{{}}}", fields.join(", "))
        });
    let segment = prop_oneof![
        9 => segment,
        1 => prop::sample::select(&["42", "null", "[]", "\"text\""][..]).prop_map(str::to_string),
    ];
    prop::collection::vec(segment, 0..12)
        .prop_map(|segs| format!("{{\"version\": \"1.0.0\", \"segments\": [{}]}}", segs.join(",\n")))
}

/// WebVTT or SRT cues with odd timing lines and payloads.
fn cue_doc() -> impl Strategy<Value = String> {
    prop::bool::ANY.prop_flat_map(|vtt| {
        let sep = if vtt { '.' } else { ',' };
        let timing = prop_oneof![
            6 => (0u64..100_000, 0u64..1000).prop_map(move |(a, len)| format!(
                "{} --> {}",
                stamp_text(a * 10, sep),
                stamp_text(a * 10 + len * 10, sep)
            )),
            1 => (0u64..100_000, 0u64..100_000).prop_map(move |(a, b)| format!(
                "{} --> {}",
                stamp_text(a * 10, if sep == '.' { ',' } else { '.' }),
                stamp_text(b * 10, sep)
            )),
            1 => syntax_text(4),
        ];
        let payload_line = prop_oneof![
            2 => syntax_text(6),
            1 => (
                prop::sample::select(&["Ana Costa: ", "BEN: ", "- Ana: ", "<v Ana Costa>", "<v.loud Ben Ito>", ""][..]),
                syntax_text(4),
            )
                .prop_map(|(a, b)| format!("{a}{b}")),
        ];
        let cue = (
            prop::option::weighted(if vtt { 0.3 } else { 0.9 }, 0u32..50),
            timing,
            prop::collection::vec(payload_line, 0..3),
        )
            .prop_map(|(id, t, payload)| {
                let mut s = String::new();
                if let Some(id) = id {
                    s.push_str(&format!("{id}\n"));
                }
                s.push_str(&t);
                s.push('\n');
                for p in payload {
                    s.push_str(&p);
                    s.push('\n');
                }
                s
            });
        prop::collection::vec((cue, prop::bool::weighted(0.85)), 0..10).prop_map(move |cues| {
            let mut s = if vtt { "WEBVTT\n\n".to_string() } else { String::new() };
            for (i, (c, blank)) in cues.into_iter().enumerate() {
                // SRT cues numbered in order most of the time.
                if !vtt && c.starts_with(|ch: char| ch.is_ascii_digit()) && i % 5 != 4 {
                    let rest = c.split_once('\n').map_or("", |(_, r)| r);
                    s.push_str(&format!("{}\n{rest}", i + 1));
                } else {
                    s.push_str(&c);
                }
                if blank {
                    s.push('\n');
                }
            }
            s
        })
    })
}

fn stamp_text(ms: u64, sep: char) -> String {
    let (h, m, s, f) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    format!("{h:02}:{m:02}:{s:02}{sep}{f:03}")
}

/// Any transcript-like document.
fn any_doc() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => hostile_bytes(),
        2 => front_matter_doc().prop_map(String::into_bytes),
        2 => podlets_doc().prop_map(String::into_bytes),
        1 => json_doc().prop_map(String::into_bytes),
        2 => cue_doc().prop_map(String::into_bytes),
    ]
}

// ---------------------------------------------------------------------------
// Checks

const EXTENSIONS: &[&str] = &["x.md", "x.txt", "x.json", "x.vtt", "x.srt"];

/// Number of lines a reader counts in a file.
fn line_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count() + 1
}

/// Invariants of any successful parse.
fn check_parsed(name: &str, bytes: &[u8], f: &transcript::ParsedFile) {
    let lines = line_count(bytes);
    for w in &f.warnings {
        assert!(!w.message.is_empty(), "{name}: empty warning");
    }
    let Parsed::Episode(ep) = &f.parsed else {
        return;
    };
    assert!(!ep.turns.is_empty(), "{name}: an episode without turns");
    assert!(!ep.meta.id.is_empty(), "{name}: an empty episode id");
    assert_eq!(ep.meta.id, ep.meta.id.trim(), "{name}: id not trimmed");
    for t in &ep.turns {
        assert!(t.line >= 1, "{name}: turn line {} < 1", t.line);
        if matches!(f.format, Some(Format::Podlets | Format::Bold | Format::Text)) {
            assert!(
                t.line <= lines,
                "{name}: turn line {} beyond the {lines} lines of the file",
                t.line
            );
        }
        if let Some(l) = &t.label {
            assert!(!l.trim().is_empty(), "{name}: blank label");
        }
    }
}

fn parse_everywhere(bytes: &[u8]) {
    for name in EXTENSIONS {
        let path = Path::new(name);
        let first = transcript::parse_bytes(path, bytes, None);
        if let Ok(f) = &first {
            check_parsed(name, bytes, f);
        }
        // Parsing is a function of the bytes.
        let again = transcript::parse_bytes(path, bytes, None);
        assert_eq!(first.is_ok(), again.is_ok(), "{name}: not repeatable");
        if let (Ok(a), Ok(b)) = (&first, &again) {
            assert_eq!(a, b, "{name}: not repeatable");
        }
    }
    for &format in Format::ALL {
        if let Ok(f) = transcript::parse_bytes(Path::new("x.md"), bytes, Some(format)) {
            assert_eq!(f.format, Some(format));
            check_parsed(format.name(), bytes, &f);
        }
    }
}

proptest! {
    #![proptest_config(config(20000))]

    #[test]
    fn transcripts_never_panic(bytes in any_doc()) {
        parse_everywhere(&bytes);
    }
}

// ---------------------------------------------------------------------------
// Round trips: turns written in a format read back as the same turns.

/// One turn of a model transcript.
#[derive(Debug, Clone)]
struct ModelTurn {
    ms: u64,
    label: &'static str,
    text: String,
}

/// Plain words, with some punctuation and accents, that no format reads as
/// syntax.
fn model_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => "[a-z]{1,8}",
            1 => "[A-Z][a-z]{1,6}",
            1 => prop::sample::select(&[
                "é", "naïve", "日本語", "ß", "Kubernetes", "k8s", "42", "10:30", "http://x.io/a",
                "(laughs)", "don't", "“quoted”", "a-b", "5%", "#tag", "C++", "e\u{301}",
            ][..])
                .prop_map(str::to_string),
        ]
        .prop_flat_map(|w| {
            prop::sample::select(&["", "", "", ",", ".", "?", "!"][..]).prop_map(move |p| format!("{w}{p}"))
        }),
        1..12,
    )
    .prop_map(|ws| ws.join(" "))
}

/// Turns with increasing times and a change of speaker at every turn.
fn model(labels: &'static [&'static str]) -> impl Strategy<Value = Vec<ModelTurn>> {
    prop::collection::vec((1u64..600_000, any::<prop::sample::Index>(), model_text()), 1..12).prop_map(move |raw| {
        let mut ms = 0;
        let mut last = usize::MAX;
        raw.into_iter()
            .map(|(step, pick, text)| {
                ms += step;
                let mut i = pick.index(labels.len());
                if i == last {
                    i = (i + 1) % labels.len();
                }
                last = i;
                ModelTurn {
                    ms,
                    label: labels[i],
                    text,
                }
            })
            .collect()
    })
}

fn hms(ms: u64) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Parses `text` as `name` and checks every turn against the model: label,
/// text, start (to the precision `unit` the format writes) and line.
fn check_model(
    name: &str,
    text: &str,
    turns: &[ModelTurn],
    unit: u64,
    line_of: impl Fn(usize) -> usize,
) -> Result<(), TestCaseError> {
    let f = transcript::parse_bytes(Path::new(name), text.as_bytes(), None)
        .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    prop_assert!(f.warnings.is_empty(), "{:?}\n{}", f.warnings, text);
    let Parsed::Episode(ep) = f.parsed else {
        return Err(TestCaseError::fail("not an episode"));
    };
    prop_assert_eq!(ep.turns.len(), turns.len(), "{}", text);
    for (i, (got, want)) in ep.turns.iter().zip(turns).enumerate() {
        prop_assert_eq!(got.label.as_deref(), Some(want.label), "turn {}\n{}", i, text);
        prop_assert_eq!(&got.text, &want.text, "turn {}\n{}", i, text);
        prop_assert_eq!(got.start_ms, Some(want.ms / unit * unit), "turn {}\n{}", i, text);
        prop_assert_eq!(got.line, line_of(i), "turn {}\n{}", i, text);
    }
    Ok(())
}

const CAPS: &[&str] = &["AB", "CC", "KH", "ANNOUNCER", "SPEAKER 2", "O'NEIL"];
const NAMES: &[&str] = &[
    "Ana Costa",
    "Ben Ito",
    "Kim O'Hale",
    "Ludwig van Beethoven",
    "Zoë",
    "AB",
];

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn podlets_round_trip(turns in model(CAPS), fm in prop::bool::ANY, crlf in prop::bool::ANY) {
        let head = if fm { "---\ntitle: T\n---\n\nEPISODE 1\n\n[INTERVIEW]\n" } else { "" };
        let offset = head.matches('\n').count() + 1;
        let mut text = head.to_string();
        for t in &turns {
            text.push_str(&format!("[{}] {}: {}\n", hms(t.ms), t.label, t.text));
        }
        text.push_str("[END]\n");
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        check_model("e.md", &text, &turns, 1000, |i| offset + i)?;
        check_model("e.txt", &text, &turns, 1000, |i| offset + i)?;
    }

    #[test]
    fn plain_text_round_trip(turns in model(NAMES)) {
        let mut text = String::new();
        for t in &turns {
            text.push_str(&format!("[{}] {}: {}\n", hms(t.ms), t.label, t.text));
        }
        check_model("e.txt", &text, &turns, 1000, |i| i + 1)?;
    }

    #[test]
    fn bold_round_trip(turns in model(NAMES), outside in prop::bool::ANY) {
        let mut text = String::from("# Title\n\n");
        for t in &turns {
            let label = if outside { format!("**{}**:", t.label) } else { format!("**{}:**", t.label) };
            text.push_str(&format!("{label} \\[{}\\] {}\n\n", hms(t.ms), t.text));
        }
        check_model("e.md", &text, &turns, 1000, |i| 3 + 2 * i)?;
    }

    #[test]
    fn vtt_round_trip(turns in model(NAMES), ids in prop::bool::ANY) {
        let mut text = String::from("WEBVTT\n\n");
        for (i, t) in turns.iter().enumerate() {
            if ids {
                text.push_str(&format!("{}\n", i + 1));
            }
            text.push_str(&format!(
                "{} --> {}\n<v {}>{}\n\n",
                stamp_text(t.ms, '.'),
                stamp_text(t.ms + 1, '.'),
                t.label,
                t.text
            ));
        }
        check_model("e.vtt", &text, &turns, 1, |i| i + 1)?;
    }

    #[test]
    fn srt_round_trip(turns in model(NAMES)) {
        let mut text = String::new();
        for (i, t) in turns.iter().enumerate() {
            text.push_str(&format!(
                "{}\n{} --> {}\n{}: {}\n\n",
                i + 1,
                stamp_text(t.ms, ','),
                stamp_text(t.ms + 1, ','),
                t.label,
                t.text
            ));
        }
        check_model("e.srt", &text, &turns, 1, |i| i + 1)?;
    }

    #[test]
    fn json_round_trip(turns in model(NAMES)) {
        let segments: Vec<serde_json::Value> = turns
            .iter()
            .map(|t| serde_json::json!({
                "speaker": t.label,
                "startTime": t.ms as f64 / 1000.0,
                "endTime": (t.ms + 1) as f64 / 1000.0,
                "body": t.text,
            }))
            .collect();
        let text = serde_json::json!({"version": "1.0.0", "segments": segments}).to_string();
        check_model("e.json", &text, &turns, 1, |i| i + 1)?;
    }
}

proptest! {
    #![proptest_config(config(20000))]

    #[test]
    fn front_matter_never_panics(text in prop_oneof![
        2 => front_matter_doc(),
        1 => syntax_text(60),
    ]) {
        let path = Path::new("t.md");
        if let Ok(split) = frontmatter::split(path, &text) {
            // The parts are the file's own text, in order.
            assert!(text.ends_with(split.body));
            assert!(split.body_line >= 1 && split.yaml_line >= 1);
            assert!(split.body_line <= line_count(text.as_bytes()) + 1);
            if let Ok(value) = frontmatter::parse_yaml(path, &split) {
                let mut w = Vec::new();
                let meta = frontmatter::episode_meta(path, &split, &value, "stem", &mut w);
                assert!(!meta.id.is_empty());
                assert_eq!(meta.id.trim(), meta.id);
                assert!(meta.related.iter().all(|r| !r.is_empty() && r.trim() == r));
                for d in &w {
                    assert!(d.line >= 1, "{d}");
                    assert!(d.line <= line_count(text.as_bytes()), "{d}");
                }
            }
        }
    }
}

/// An id for a `related` list: anything, including what YAML would read as
/// another type or has to escape.
fn related_id() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z0-9][a-z0-9-]{0,12}",
        1 => prop::sample::select(&[
            "007", "0x1F", "1e3", "1_000", "0o17", "+1", "-1", ".5", "nan", ".inf", "null",
            "Null", "NULL", "~", "yes", "No", "on", "y", "n", "true", "2024-01-10",
            "12:30", "a: b", "a #b", "#a", "- a", "[a]", "{a}", "*a", "&a", "!a", "|",
            ">", "'a'", "\"a\"", "a\\b", "a\nb", "\ta", "a\u{2028}b", "a\u{85}b",
            "\u{feff}a", "a\u{fffe}", "../../etc/x", "<script>", "@a", "`a", "%a", "a,b",
            " a ", "é", "日本",
        ][..]).prop_map(str::to_string),
        1 => "\\PC{1,10}",
        1 => any::<String>(),
    ]
}

/// Front matter as people write it: scalars, lists, comments, blank
/// lines, a `related:` list in any of its usual shapes (or none).
fn plain_front_matter() -> impl Strategy<Value = String> {
    const OTHERS: &[&str] = &[
        "episode_id: 007-kubernetes\n",
        "title: \"A: talk\" # quoted\n",
        "episode_number: 7\n",
        "date: 2024-01-10\n",
        "notes: |\n  related: inside a block\n  more\n",
        "hosts:\n  - name: Ann Lee\n    url: https://x\n",
        "guests: [Bo Chen]\n",
        "# a comment\n",
        "\n",
        "layout: post\n",
        "video:\n",
        "related_links: [x]\n",
    ];
    let related = prop::sample::select(
        &[
            "",
            "related:\n",
            "related: []\n",
            "related: [a, b] # flow\n",
            "related:\n- a\n- b\n",
            "related:  # sidebar\n  - a\n\n  - b\n",
            "related:\n    - a\n# old\n    - b\n",
            "related:\n  - a\n  # indented comment\n",
            "related:\n  - \"a b\"\n  - 'c'\n\n",
            "related: a\n",
        ][..],
    );
    (
        prop::sample::subsequence(OTHERS, 0..=OTHERS.len()).prop_shuffle(),
        any::<prop::sample::Index>(),
        related,
        prop::bool::ANY,
        syntax_text(10),
    )
        .prop_map(|(mut others, at, related, crlf, body)| {
            others.insert(at.index(others.len() + 1), related);
            let s = format!("---\n{}---\n{body}", others.concat());
            if crlf { s.replace('\n', "\r\n") } else { s }
        })
}

/// The front matter of `text` reads back with `related` equal to `ids`
/// (trimmed, blanks dropped) and the body is unchanged.
fn check_related_rewrite(text: &str, ids: &[String], out: &str) -> Result<(), TestCaseError> {
    let path = Path::new("t.md");
    let show = || format!("\n--- from ---\n{text:?}\n--- to ---\n{out:?}");
    let split = frontmatter::split(path, out).map_err(|e| TestCaseError::fail(format!("{e}{}", show())))?;
    let value = frontmatter::parse_yaml(path, &split).map_err(|e| TestCaseError::fail(format!("{e}{}", show())))?;
    let mut w = Vec::new();
    let meta = frontmatter::episode_meta(path, &split, &value, "stem", &mut w);
    let expected: Vec<String> = ids
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    prop_assert_eq!(&meta.related, &expected, "{}", show());
    let old_body = frontmatter::split(path, text).map(|s| s.body).unwrap_or_default();
    prop_assert_eq!(split.body, old_body, "{}", show());
    Ok(())
}

proptest! {
    #![proptest_config(config(8000))]

    /// Whatever the text and the ids, a rewrite that is made reads back as
    /// the list written.
    #[test]
    fn replace_related_reads_back(
        text in prop_oneof![
            3 => front_matter_doc(),
            1 => syntax_text(40),
            1 => plain_front_matter(),
        ],
        ids in prop::collection::vec(related_id(), 0..6),
    ) {
        if let Some(out) = frontmatter::replace_related(&text, &ids) {
            check_related_rewrite(&text, &ids, &out)?;
        }
    }

    /// Front matter as people write it is always rewritten, and a second
    /// rewrite with the same ids changes nothing.
    #[test]
    fn replace_related_edits_plain_front_matter(
        text in plain_front_matter(),
        ids in prop::collection::vec(related_id(), 0..6),
    ) {
        let out = frontmatter::replace_related(&text, &ids);
        prop_assert!(out.is_some(), "not rewritten");
        let out = out.unwrap();
        check_related_rewrite(&text, &ids, &out)?;
        prop_assert_eq!(frontmatter::replace_related(&out, &ids), Some(out.clone()));
    }
}

/// A dictionary file: mostly well-formed entries, with the usual mistakes.
fn dictionary_text() -> impl Strategy<Value = String> {
    let alias = prop_oneof![
        4 => "[A-Za-z][a-z0-9]{1,8}( [A-Z][a-z]{1,6})?",
        1 => prop::sample::select(&[
            "", "x", "Go", "C++", ".NET", "Node.js", "CI/CD", "Kris Nóva", "Conway's Law",
            "日本", "İstanbul", "ß", "e\u{301}", "🦀", "a b", "--", "'", "K8s",
        ][..]).prop_map(str::to_string),
        1 => "\\PC{1,6}",
    ];
    let entry = (
        alias.clone(),
        prop::option::of(prop::sample::select(
            &["technology", "person", "topic", "organization", "gadget"][..],
        )),
        prop::collection::vec(alias, 0..4),
        prop::option::of(prop::sample::select(&["sensitive", "insensitive"][..])),
        prop::bool::ANY,
        prop::bool::ANY,
        prop::option::of(prop::sample::select(&["ahead", "for", "é"][..])),
    )
        .prop_map(|(name, kind, aliases, case, nass, plurals, unless)| {
            let q = |s: &str| serde_json::to_string(s).unwrap();
            let mut s = format!("  - name: {}\n", q(&name));
            if let Some(k) = kind {
                s.push_str(&format!("    kind: {k}\n"));
            }
            let list: Vec<String> = aliases.iter().map(|a| q(a)).collect();
            s.push_str(&format!("    aliases: [{}]\n", list.join(", ")));
            if let Some(c) = case {
                s.push_str(&format!("    case: {c}\n"));
            }
            if nass {
                s.push_str("    not_at_sentence_start: true\n");
            }
            s.push_str(&format!("    plurals: {plurals}\n"));
            if let Some(u) = unless {
                s.push_str(&format!("    unless_next: [{}]\n    unless_prev: [{}]\n", q(u), q(u)));
            }
            s
        });
    prop_oneof![
        4 => prop::collection::vec(entry, 0..8)
            .prop_map(|es| format!("kind: technology\nentries:\n{}", es.concat())),
        1 => syntax_text(40),
    ]
}

/// Text to tag: words from the dictionaries and around them.
fn tag_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(&[
            " ", " ", ". ", "\n", "Kubernetes", "k8s", "Go", "go", "Go ahead", "C++", ".NET",
            "Node.js", "CI/CD", "Kris Nova", "KRIS NÓVA", "Conway’s Law", "nodes", "Goes",
            "https://", "kubernetes.io", "a@b.io", "www.", "(", ")", "<", ">", "é", "e\u{301}",
            "日本", "İstanbul", "ß", "🦀", "s", "es", "'s", "_", "-", "x",
        ][..]).prop_map(str::to_string),
        1 => "[A-Za-z][a-z0-9]{1,8}",
        1 => "\\PC{0,4}",
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

fn check_hits(text: &str, hits: &[tagger::Hit], concepts: usize) {
    let mut last_end = 0;
    for h in hits {
        assert!(h.start < h.end && h.end <= text.len(), "{h:?} in {text:?}");
        assert!(text.is_char_boundary(h.start) && text.is_char_boundary(h.end));
        assert!(h.start >= last_end, "overlapping hits {hits:?} in {text:?}");
        assert!(h.concept < concepts);
        last_end = h.end;
        let (quote, qs, qe) = tagger::snippet(text, h.start, h.end, 240);
        assert_eq!(quote.get(qs..qe), Some(&text[h.start..h.end]), "{text:?}");
    }
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn dictionaries_and_tagger_never_panic(yaml in dictionary_text(), texts in prop::collection::vec(tag_text(), 1..4)) {
        let mut diags = Diagnostics::default();
        let dict = Dictionary::load(
            &[Source { name: "d.yaml".into(), text: yaml.clone() }],
            &mut diags,
        );
        for d in diags.iter() {
            assert!(d.line >= 1 && d.line <= line_count(yaml.as_bytes()), "{d}\n{yaml}");
        }
        for p in &dict.patterns {
            assert!(!p.text.is_empty() && p.concept < dict.concepts.len());
        }
        let tagger = Tagger::new(&dict).expect("small dictionaries compile");
        for text in &texts {
            check_hits(text, &tagger.find(text), dict.concepts.len());
        }
    }
}

proptest! {
    #![proptest_config(config(3000))]

    /// An alias is found wherever it stands as a word, in any ASCII case,
    /// and nowhere else.
    #[test]
    fn tagger_finds_every_whole_word(
        alias in "[a-z]{3,8}",
        words in prop::collection::vec(prop_oneof![
            3 => "[a-zA-Z]{1,9}",
            1 => Just(String::new()),
        ], 0..30),
        seps in prop::collection::vec(prop::sample::select(&[" ", ", ", " (", ") ", "\n", " — ", "; "][..]), 30),
    ) {
        let yaml = format!("kind: technology\nentries:\n  - name: {alias}\n");
        let mut diags = Diagnostics::default();
        let dict = Dictionary::load(&[Source { name: "d.yaml".into(), text: yaml }], &mut diags);
        prop_assert!(diags.is_empty());
        let tagger = Tagger::new(&dict).unwrap();
        let mut text = String::new();
        let mut expected = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let w = if w.is_empty() { alias.to_uppercase() } else { w.clone() };
            if w.eq_ignore_ascii_case(&alias) {
                expected.push((text.len(), text.len() + w.len()));
            }
            text.push_str(&w);
            text.push_str(seps[i]);
        }
        let got: Vec<(usize, usize)> = tagger.find(&text).iter().map(|h| (h.start, h.end)).collect();
        prop_assert_eq!(got, expected, "{:?}", text);
    }
}

/// The shipped dictionaries, compiled once.
fn builtin() -> &'static (Dictionary, Tagger) {
    static B: std::sync::OnceLock<(Dictionary, Tagger)> = std::sync::OnceLock::new();
    B.get_or_init(|| {
        let mut diags = Diagnostics::default();
        let d = Dictionary::load(&Source::builtin(), &mut diags);
        let t = Tagger::new(&d).unwrap();
        (d, t)
    })
}

proptest! {
    #![proptest_config(config(10000))]

    #[test]
    fn builtin_tagger_never_panics(text in prop_oneof![tag_text(), syntax_text(60), any::<String>()]) {
        let (d, t) = builtin();
        check_hits(&text, &t.find(&text), d.concepts.len());
    }

    #[test]
    fn snippets_hold_their_span(
        text in prop_oneof![tag_text(), syntax_text(60), any::<String>()],
        a in any::<prop::sample::Index>(),
        b in any::<prop::sample::Index>(),
        max in 0usize..400,
    ) {
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect();
        let (x, y) = (bounds[a.index(bounds.len())], bounds[b.index(bounds.len())]);
        let (start, end) = (x.min(y), x.max(y));
        let (quote, qs, qe) = tagger::snippet(&text, start, end, max);
        prop_assert!(qs <= qe);
        let span = &text[start..end];
        if !span.is_empty() && span.trim_end() == span {
            // A span that does not end in white space is in the quote (as
            // every tagger hit is).
            prop_assert_eq!(quote.get(qs..qe), Some(span));
        }
    }
}

proptest! {
    #![proptest_config(config(5000))]

    #[test]
    fn speakers_never_panic(docs in prop::collection::vec(
        prop_oneof![
            3 => podlets_doc().prop_map(String::into_bytes),
            1 => any_doc(),
        ],
        1..4,
    )) {
        let directory = Directory::default();
        let mut episodes: Vec<Episode> = Vec::new();
        for (i, bytes) in docs.iter().enumerate() {
            for name in ["md", "txt", "json", "vtt", "srt"] {
                let path = format!("show/e{i}.{name}");
                if let Ok(f) = transcript::parse_bytes(Path::new(&path), bytes, None) {
                    if let Parsed::Episode(e) = f.parsed {
                        episodes.push(*e);
                    }
                }
            }
        }
        let clues: Vec<_> = episodes.iter().map(|e| speakers::extract(e, &directory)).collect();
        let mut stock = StockSet::default();
        for c in &clues {
            stock.add(c);
        }
        let mut casts = Vec::new();
        for (e, c) in episodes.iter().zip(&clues) {
            prop_assert_eq!(c.turn_labels.len(), e.turns.len());
            let cast = speakers::resolve(c, &stock);
            prop_assert_eq!(cast.turns.len(), e.turns.len());
            for v in &cast.turns {
                if let speakers::Voice::Member(m) = v {
                    prop_assert!(*m < cast.members.len());
                }
            }
            casts.push(cast);
        }
        let shows: Vec<&str> = episodes.iter().map(|_| "show").collect();
        speakers::infer_roles(&mut casts, &shows);
    }
}

proptest! {
    #![proptest_config(config(20000))]

    #[test]
    fn timestamps_never_panic(text in prop_oneof![
        syntax_text(6),
        "[0-9:.,]{0,16}",
        any::<String>(),
    ]) {
        if let Some(ms) = parse_timestamp(&text) {
            // Whatever was read reads back from its display to the second.
            prop_assert_eq!(parse_timestamp(&format_timestamp(ms)), Some(ms / 1000 * 1000));
        }
    }

    #[test]
    fn timestamps_round_trip(h in 0u64..1000, m in 0u64..60, s in 0u64..60, frac in prop::option::of("[0-9]{1,3}")) {
        let ms = ((h * 60 + m) * 60 + s) * 1000;
        let text = match &frac {
            Some(f) => format!("{h}:{m:02}:{s:02}.{f}"),
            None => format!("{h:02}:{m:02}:{s:02}"),
        };
        let f_ms = frac.map(|f| format!("{f:0<3}").parse::<u64>().unwrap()).unwrap_or(0);
        prop_assert_eq!(parse_timestamp(&text), Some(ms + f_ms));
        prop_assert_eq!(parse_timestamp(&format_timestamp(ms)), Some(ms));
    }

    #[test]
    fn names_are_safe(text in prop_oneof![
        any::<String>(),
        "\\PC{0,12}",
        prop::sample::select(&[
            "", ".", "..", "/", "\\", "../../etc/x", "a/b", "a\\b", "-", "--", "+", "#", " ",
            "\u{301}", "İ", "ǅ", "ﬁ", "Ⅻ", "ß", "\u{0345}",
        ][..]).prop_map(str::to_string),
    ]) {
        let folded = names::fold(&text);
        prop_assert_eq!(folded.trim(), folded.as_str());
        prop_assert!(!folded.contains("  "));
        prop_assert_eq!(names::fold(&folded), folded.clone(), "fold is not idempotent");
        let key = names::key(&text);
        // Idempotent up to the order of combining marks, which removing
        // punctuation between two of them may change.
        prop_assert!(names::key(&key).nfd().eq(key.nfd()), "key is not idempotent: {:?}", key);
        let slug = names::slug(&text);
        prop_assert!(!slug.is_empty());
        prop_assert!(slug != "." && slug != "..");
        prop_assert!(!slug.contains('/') && !slug.contains('\\'));
        prop_assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{}", slug);
        prop_assert!(!slug.starts_with(['-', '.']));
        prop_assert_eq!(names::slug(&text), slug);
    }
}

/// The bytes of a real index: the sample show's graph.
fn sample_index() -> &'static [u8] {
    static B: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    B.get_or_init(|| {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("output/graph.idx"))
            .expect("output/graph.idx is committed")
    })
}

/// Every read an index offers, on every node: none may panic.
fn exercise(idx: &QueryIndex) {
    for k in idx.keys().iter().take(50) {
        let _ = idx.find_key(&k.0);
    }
    for n in 0..idx.node_count() as u32 + 2 {
        let _ = idx.node(n);
        let _ = idx.node_id(n).map(|id| idx.find_id(id));
        let _ = idx.out_edges(n);
        let _ = idx.in_edges(n);
        let _ = idx.mentions_of(n);
        let _ = idx.mentions_by(n);
        let _ = idx.mention_turns(n);
    }
}

proptest! {
    #![proptest_config(config(10000))]

    #[test]
    fn index_rejects_garbage(bytes in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        prop::collection::vec(any::<u8>(), 0..200).prop_map(|mut b| {
            // Garbage behind the right magic.
            let mut v = b"PGIDX001".to_vec();
            v.append(&mut b);
            v
        }),
    ]) {
        if let Ok(idx) = QueryIndex::from_bytes(bytes, Path::new("x.idx")) {
            exercise(&idx);
        }
    }

}

proptest! {
    #![proptest_config(config(2500))]

    #[test]
    fn index_survives_damage(
        cut in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        truncate in prop::bool::ANY,
    ) {
        let mut bytes = sample_index().to_vec();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if truncate {
            let n = cut.index(bytes.len());
            bytes.truncate(n);
        }
        // The same bytes on disk, read through a file.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph.idx");
        std::fs::write(&path, &bytes).unwrap();
        let opened = QueryIndex::open(&path);
        let read = QueryIndex::from_bytes(bytes, Path::new("x.idx"));
        prop_assert_eq!(opened.is_ok(), read.is_ok());
        if truncate {
            prop_assert!(read.is_err(), "a truncated index was accepted");
        }
        for idx in [opened, read].into_iter().flatten() {
            exercise(&idx);
        }
    }
}
