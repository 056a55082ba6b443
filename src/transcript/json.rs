//! Podcasting 2.0 JSON transcripts.
//!
//! ```json
//! {"version": "1.0.0",
//!  "segments": [
//!    {"speaker": "Ana Costa", "startTime": 0.5, "endTime": 1.2, "body": "Hello"},
//!    {"startTime": 1.2, "endTime": 1.5, "body": ","},
//!    {"speaker": "Ben Ito", "startTime": 1.6, "endTime": 3.0, "body": "Hi there."}
//!  ]}
//! ```
//!
//! The text is read with serde_json into a loose [`Value`] rather than a
//! typed struct, so that one odd segment (a number for a body, a string for
//! a time) costs a warning instead of the whole file. Segments are then
//! walked in order: a segment without a speaker continues the previous
//! speaker, and consecutive segments of one speaker are joined into one
//! [`Turn`] by `Merger`. Generators split bodies anywhere from whole
//! paragraphs down to single words, so bodies are joined with
//! `append_joined`, which puts no space before a body that starts with
//! punctuation.
//!
//! A turn's `line` is the 1-based index of its first segment in the
//! `segments` array (JSON has no meaningful lines); warnings use the same
//! index. `endTime` is not used.

use std::path::Path;

use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::episode::Turn;
use crate::error::{Error, Result};
use crate::transcript::merge::Merger;

/// Whether a text looks like a JSON transcript: a JSON object that
/// mentions `"segments"`.
pub fn detect(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with('{') && t.contains("\"segments\"")
}

/// Parses a Podcasting 2.0 JSON transcript into turns.
///
/// Invalid JSON, or JSON without a `segments` array, is an error (with the
/// line serde_json reports); everything else is kept with warnings.
pub fn parse(path: &Path, text: &str, warnings: &mut Vec<Diagnostic>) -> Result<Vec<Turn>> {
    let text = text.trim_start_matches('\u{feff}');
    let root: Value = serde_json::from_str(text)
        .map_err(|e| Error::parse(path, e.line().max(1), format!("not valid JSON ({e}); file skipped")))?;
    let Some(segments) = root.get("segments").and_then(Value::as_array) else {
        return Err(Error::parse(
            path,
            1,
            "JSON transcript has no `segments` array; file skipped",
        ));
    };

    let mut merger = Merger::default();
    // The speaker of the previous segment, `None` before the first named
    // one: a segment without a speaker continues it.
    let mut speaker: Option<String> = None;
    let mut warned_unattributed = false;
    for (i, seg) in segments.iter().enumerate() {
        let index = i + 1;
        let Some(obj) = seg.as_object() else {
            warnings.push(Diagnostic::warning(
                path,
                index,
                format!("segment {index} is not an object; skipped"),
            ));
            continue;
        };
        match obj.get("speaker") {
            Some(Value::String(s)) if !s.trim().is_empty() => speaker = Some(s.trim().to_string()),
            None | Some(Value::Null) | Some(Value::String(_)) => {}
            Some(other) => warnings.push(Diagnostic::warning(
                path,
                index,
                format!(
                    "segment {index} has a speaker that is not text (`{other}`); \
                     it continues the previous speaker"
                ),
            )),
        }
        let body = match obj.get("body") {
            Some(Value::String(s)) => s.trim(),
            None | Some(Value::Null) => "",
            Some(other) => {
                warnings.push(Diagnostic::warning(
                    path,
                    index,
                    format!("segment {index} has a body that is not text (`{other}`); skipped"),
                ));
                continue;
            }
        };
        if body.is_empty() {
            continue;
        }
        if speaker.is_none() && !warned_unattributed {
            warned_unattributed = true;
            warnings.push(Diagnostic::warning(
                path,
                index,
                format!(
                    "segment {index} has no speaker and no earlier segment names one; \
                     kept as unattributed text"
                ),
            ));
        }
        // Only the time of a turn's first segment is used, so only that one
        // is checked: a bad time inside a turn changes nothing.
        let start_ms = if merger.continues(speaker.as_deref()) {
            None
        } else {
            start_time(path, index, obj.get("startTime"), warnings)
        };
        merger.add(speaker.as_deref(), body, start_ms, index);
    }
    Ok(merger.finish())
}

/// Reads `startTime` (seconds) as milliseconds. A number is expected; a
/// numeric string is accepted silently (some generators quote numbers).
fn start_time(path: &Path, index: usize, value: Option<&Value>, warnings: &mut Vec<Diagnostic>) -> Option<u64> {
    let secs = match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        Value::Null => return None,
        _ => None,
    };
    match secs.and_then(seconds_to_ms) {
        Some(ms) => Some(ms),
        None => {
            let shown = value.map(Value::to_string).unwrap_or_default();
            warnings.push(Diagnostic::warning(
                path,
                index,
                format!(
                    "segment {index} has an unusable startTime `{shown}` \
                     (not a non-negative number of seconds); turn kept without a time"
                ),
            ));
            None
        }
    }
}

/// Seconds to milliseconds, rounded; `None` for negative, NaN, infinite or
/// absurdly large values (beyond about 30,000 years, where `u64` would
/// overflow).
fn seconds_to_ms(secs: f64) -> Option<u64> {
    const MAX_SECS: f64 = 1e12;
    if !secs.is_finite() || !(0.0..=MAX_SECS).contains(&secs) {
        return None;
    }
    // In range and finite, so the cast cannot saturate or wrap.
    Some((secs * 1000.0).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::merge::append_joined;

    fn run(text: &str) -> (Vec<Turn>, Vec<Diagnostic>) {
        let mut w = Vec::new();
        let t = parse(Path::new("t.json"), text, &mut w).expect("parses");
        (t, w)
    }

    #[test]
    fn consecutive_segments_of_a_speaker_form_one_turn() {
        let text = r#"{"version": "1.0.0", "segments": [
            {"speaker": "Ana Costa", "startTime": 0.5, "endTime": 1.0, "body": "We moved"},
            {"speaker": "Ana Costa", "startTime": 1.0, "endTime": 2.0, "body": "to Kubernetes."},
            {"speaker": "Ben Ito", "startTime": 2.25, "endTime": 3.0, "body": "Why?"},
            {"speaker": "Ana Costa", "startTime": 3.5, "endTime": 4.0, "body": "Scale."}
        ]}"#;
        let (turns, w) = run(text);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[0].text, "We moved to Kubernetes.");
        assert_eq!(turns[0].start_ms, Some(500));
        assert_eq!(turns[0].line, 1);
        assert_eq!(turns[1].label.as_deref(), Some("Ben Ito"));
        assert_eq!(turns[1].start_ms, Some(2_250));
        assert_eq!(turns[1].line, 3);
        assert_eq!(turns[2].line, 4);
    }

    #[test]
    fn single_words_and_punctuation_join_naturally() {
        let text = r#"{"segments": [
            {"speaker": "Kim", "startTime": 1, "body": "Hello"},
            {"startTime": 1.1, "body": ","},
            {"speaker": "", "startTime": 1.2, "body": "Prometheus"},
            {"startTime": 1.3, "body": "scrapes"},
            {"startTime": 1.4, "body": "(every"},
            {"startTime": 1.5, "body": "minute)"},
            {"startTime": 1.6, "body": "."}
        ]}"#;
        let (turns, w) = run(text);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(turns.len(), 1);
        assert_eq!(turns[0].text, "Hello, Prometheus scrapes (every minute).");
        assert_eq!(turns[0].start_ms, Some(1_000));
    }

    #[test]
    fn leading_segments_without_speaker_are_unattributed_once() {
        let text = r#"{"segments": [
            {"startTime": 0, "body": "Intro music"},
            {"body": "fades."},
            {"speaker": "Ana", "startTime": 5, "body": "Welcome."}
        ]}"#;
        let (turns, w) = run(text);
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].label, None);
        assert_eq!(turns[0].text, "Intro music fades.");
        assert_eq!(turns[0].start_ms, Some(0));
        assert_eq!(turns[1].label.as_deref(), Some("Ana"));
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, 1);
        assert!(w[0].message.contains("no speaker"), "{}", w[0].message);
    }

    #[test]
    fn bad_times_are_warned_and_dropped() {
        let text = r#"{"segments": [
            {"speaker": "Ana", "startTime": -3, "body": "one"},
            {"speaker": "Ben", "startTime": "NaN", "body": "two"},
            {"speaker": "Kim", "startTime": 1e300, "body": "three"},
            {"speaker": "Ana", "startTime": "12.5", "body": "four"},
            {"speaker": "Ben", "body": "five"}
        ]}"#;
        let (turns, w) = run(text);
        assert_eq!(turns.len(), 5);
        assert_eq!(turns[0].start_ms, None);
        assert_eq!(turns[1].start_ms, None);
        assert_eq!(turns[2].start_ms, None);
        assert_eq!(turns[3].start_ms, Some(12_500));
        assert_eq!(turns[4].start_ms, None);
        let lines: Vec<usize> = w.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![1, 2, 3]);
    }

    #[test]
    fn odd_segments_are_skipped_with_warnings() {
        let text = r#"{"segments": [
            42,
            {"speaker": "Ana", "body": 7},
            {"speaker": 9, "body": "hi"},
            {"speaker": "Ana", "body": "  "},
            {"speaker": "Ben", "body": null}
        ]}"#;
        let (turns, w) = run(text);
        assert_eq!(turns.len(), 1);
        assert_eq!(turns[0].label.as_deref(), Some("Ana"));
        assert_eq!(turns[0].line, 3);
        assert_eq!(w.len(), 3, "{w:?}");
    }

    #[test]
    fn invalid_json_and_missing_segments_are_errors() {
        let mut w = Vec::new();
        let err = parse(Path::new("t.json"), "{\n\"segments\": [\n{,]}", &mut w).unwrap_err();
        match err {
            Error::Parse { line, .. } => assert_eq!(line, 3),
            other => panic!("unexpected {other}"),
        }
        assert!(parse(Path::new("t.json"), r#"{"version": "1"}"#, &mut w).is_err());
        assert!(parse(Path::new("t.json"), r#"{"segments": {}}"#, &mut w).is_err());
        assert!(parse(Path::new("t.json"), "[1, 2]", &mut w).is_err());
        assert!(parse(Path::new("t.json"), "", &mut w).is_err());
    }

    #[test]
    fn detects_format() {
        assert!(detect("\u{feff} {\"version\":\"1.0.0\",\"segments\":[]}"));
        assert!(!detect("WEBVTT\n"));
        assert!(!detect("[{\"segments\": 1}]"));
    }

    #[test]
    fn garbage_does_not_panic() {
        let inputs = [
            "{\"segments\": [{\"startTime\": 99999999999999999999999999, \"body\": \"-->\"}]}",
            "{\"segments\": [{\"startTime\": -0.0, \"body\": \"<v \"}, {\"body\": \"\\u0000\"}]}",
            "{\"segments\": [[], {}, null, true, {\"speaker\": {}, \"body\": []}]}",
            "{\"segments\": [{\"speaker\": \"\u{202e}x\", \"startTime\": 18446744073709551615}]}",
            "{{{{[[[[\"segments\"::,,]]]}}}} --> 99999999999:00:00 <b <i>&#9999999;",
            "{\"segments\"",
        ];
        for input in inputs {
            let mut w = Vec::new();
            let _ = parse(Path::new("g.json"), input, &mut w);
        }
        let mut deep = String::new();
        for _ in 0..200 {
            deep.push('[');
        }
        let mut w = Vec::new();
        assert!(parse(Path::new("g.json"), &deep, &mut w).is_err());
    }

    #[test]
    fn join_rules() {
        let mut s = String::new();
        append_joined(&mut s, "Go");
        append_joined(&mut s, "’s");
        append_joined(&mut s, "module");
        append_joined(&mut s, "cache");
        append_joined(&mut s, "!");
        assert_eq!(s, "Go’s module cache!");
    }
}
