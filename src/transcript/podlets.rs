//! The Podlets transcript body: bracketed timestamps and initials labels.
//!
//! ```text
//! [INTRODUCTION]
//! [0:00:08.7] ANNOUNCER: Welcome to the show.
//! [00:00:41] CC: Hi, everybody.
//!
//! A second paragraph of the same turn.
//! [END]
//! ```
//!
//! A turn starts at a `[timestamp] LABEL:` line and runs over the following
//! paragraphs until the next label, a section marker (`[INTERVIEW]`,
//! `[END]`) or a heading (`# ...`, `EPISODE 7`). Messy but readable lines
//! are kept with a warning: a known label without its colon, a timestamp
//! that is out of range, a transcript pasted twice.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::episode::{Turn, parse_timestamp};
use crate::transcript::labels::{is_caps_label, split_label};

/// Whether a body looks like this format: some line starts with a bracketed
/// timestamp.
pub fn detect(body: &str) -> bool {
    body.lines().take(400).any(|l| {
        let l = l.trim_start();
        l.starts_with('[') && split_timestamp(l).is_some()
    })
}

/// Parses the body into turns. `first_line` is the file line of the body's
/// first line, so that every turn keeps its real line number.
pub fn parse_body(path: &Path, body: &str, first_line: usize, warnings: &mut Vec<Diagnostic>) -> Vec<Turn> {
    let lines: Vec<&str> = body.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();

    // Labels written with a colon somewhere in the file; only those are
    // accepted where a line forgets the colon (`[0:04:53.6] NL Yeah`), so
    // that "[0:01:00] I think" never makes "I" a speaker.
    let known: HashSet<String> = lines
        .iter()
        .filter_map(|l| classify(l, &HashSet::new()))
        .filter_map(|c| match c {
            LineKind::TurnStart {
                label: Some(label),
                colon: true,
                ..
            } => Some(label.to_string()),
            _ => None,
        })
        .collect();

    let mut turns: Vec<Turn> = Vec::new();
    let mut current: Option<Turn> = None;
    let mut blank_before = false;
    for (i, raw) in lines.iter().enumerate() {
        let line_no = first_line + i;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            blank_before = true;
            continue;
        }
        match classify(raw, &known) {
            Some(LineKind::Marker) => {
                flush(&mut current, &mut turns);
            }
            Some(LineKind::TurnStart {
                stamp,
                label,
                colon,
                text,
            }) => {
                flush(&mut current, &mut turns);
                let start_ms = stamp.and_then(parse_timestamp);
                if let Some(s) = stamp {
                    if start_ms.is_none() {
                        warnings.push(Diagnostic::warning(
                            path,
                            line_no,
                            format!("unreadable timestamp `[{s}]`; turn kept without a time"),
                        ));
                    }
                }
                match label {
                    Some(label) if !colon => warnings.push(Diagnostic::warning(
                        path,
                        line_no,
                        format!("label `{label}` has no colon; read as speaker `{label}`"),
                    )),
                    Some(_) => {}
                    None => warnings.push(Diagnostic::warning(
                        path,
                        line_no,
                        "timestamped line without a speaker label; kept as an unattributed turn",
                    )),
                }
                current = Some(Turn {
                    start_ms,
                    label: label.map(str::to_string),
                    text: text.trim().to_string(),
                    line: line_no,
                });
            }
            None => match current.as_mut() {
                Some(turn) => {
                    if !turn.text.is_empty() {
                        turn.text.push_str(if blank_before { "\n\n" } else { "\n" });
                    }
                    turn.text.push_str(trimmed);
                }
                None => {
                    warnings.push(Diagnostic::warning(
                        path,
                        line_no,
                        "text without a speaker label; kept as an unattributed turn",
                    ));
                    current = Some(Turn {
                        start_ms: None,
                        label: None,
                        text: trimmed.to_string(),
                        line: line_no,
                    });
                }
            },
        }
        blank_before = false;
    }
    flush(&mut current, &mut turns);
    drop_repeats(path, turns, warnings)
}

fn flush(current: &mut Option<Turn>, turns: &mut Vec<Turn>) {
    if let Some(t) = current.take() {
        turns.push(t);
    }
}

/// Drops turns that repeat an earlier turn exactly (same time, label and
/// text): real files sometimes hold the transcript, or a part of it, twice.
/// Turns without a time are never dropped, since "Yeah." may well repeat.
fn drop_repeats(path: &Path, turns: Vec<Turn>, warnings: &mut Vec<Diagnostic>) -> Vec<Turn> {
    let mut seen: BTreeSet<(u64, &str, &str)> = BTreeSet::new();
    let mut keep = vec![true; turns.len()];
    let mut dropped_lines = Vec::new();
    for (i, t) in turns.iter().enumerate() {
        if let Some(ms) = t.start_ms {
            let label = t.label.as_deref().unwrap_or("");
            if !seen.insert((ms, label, t.text.as_str())) {
                keep[i] = false;
                dropped_lines.push(t.line);
            }
        }
    }
    if let Some(&first) = dropped_lines.first() {
        let last = dropped_lines[dropped_lines.len() - 1];
        warnings.push(Diagnostic::warning(
            path,
            first,
            format!(
                "{} turns (lines {first}-{last}) repeat earlier turns word for word; the repeats are skipped",
                dropped_lines.len()
            ),
        ));
    }
    turns
        .into_iter()
        .zip(keep)
        .filter_map(|(t, k)| k.then_some(t))
        .collect()
}

enum LineKind<'a> {
    /// `[INTERVIEW]`, `[END]`, `# Heading`, `EPISODE 7`.
    Marker,
    /// `[ts] LABEL: text`.
    TurnStart {
        stamp: Option<&'a str>,
        label: Option<&'a str>,
        colon: bool,
        text: &'a str,
    },
}

fn classify<'a>(raw: &'a str, known: &HashSet<String>) -> Option<LineKind<'a>> {
    let line = raw.trim();
    if line.starts_with('#') || is_episode_heading(line) {
        return Some(LineKind::Marker);
    }
    if let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
        if !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_uppercase() || c == ' ' || c == '-' || c == '_')
        {
            return Some(LineKind::Marker);
        }
    }
    let (stamp, rest) = match split_timestamp(line) {
        Some((s, r)) => (Some(s), r),
        None => (None, line),
    };
    let rest = rest.trim_start();
    if let Some((label, text)) = split_label(rest) {
        // Without a timestamp only a known, upper-case label starts a turn:
        // "Note: this" in a paragraph must stay text.
        if stamp.is_some() || (is_caps_label(label) && known.contains(label)) {
            return Some(LineKind::TurnStart {
                stamp,
                label: Some(label),
                colon: true,
                text,
            });
        }
        return None;
    }
    if stamp.is_some() {
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..word_end];
        if known.contains(word) {
            return Some(LineKind::TurnStart {
                stamp,
                label: Some(word),
                colon: false,
                text: &rest[word_end..],
            });
        }
        return Some(LineKind::TurnStart {
            stamp,
            label: None,
            colon: false,
            text: rest,
        });
    }
    None
}

/// `[0:00:08.7] rest` gives ("0:00:08.7", " rest"). Accepts anything
/// timestamp-shaped (digits, colons, dots, letters for `xx`) so that bad
/// timestamps are reported rather than read as text.
fn split_timestamp(line: &str) -> Option<(&str, &str)> {
    let inner_end = line.strip_prefix('[')?.find(']')? + 1;
    let inner = &line[1..inner_end];
    let looks = inner.contains(':')
        && inner.len() <= 14
        && inner.chars().next().is_some_and(|c| c.is_ascii_digit())
        && inner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '.' || c == ',');
    looks.then(|| (inner, &line[inner_end + 1..]))
}

/// `EPISODE 7`, `BONUS EPISODE 006`, `PART TWO`: a short line of capital
/// words (and numbers) without punctuation, which no one says as a turn.
fn is_episode_heading(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    let shape_ok = (1..=6).contains(&words.len())
        && words
            .iter()
            .all(|w| w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit()))
        && words
            .iter()
            .any(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3);
    shape_ok && (words.len() >= 2 || words[0].eq_ignore_ascii_case("episode"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> (Vec<Turn>, Vec<Diagnostic>) {
        let mut w = Vec::new();
        let t = parse_body(Path::new("t.md"), body, 10, &mut w);
        (t, w)
    }

    #[test]
    fn turns_labels_and_continuations() {
        let body = "BONUS EPISODE 7\n\n[INTRODUCTION]\n\n[0:00:08.7] ANNOUNCER: Welcome.\n\n[INTERVIEW]\n\n[00:00:41] CC: Hi.\n\nMore from CC.\n\n[00:01:02] KH: Thanks.\n[END]\n";
        let (turns, w) = parse(body);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[0].label.as_deref(), Some("ANNOUNCER"));
        assert_eq!(turns[0].start_ms, Some(8_700));
        assert_eq!(turns[0].line, 14);
        assert_eq!(turns[1].text, "Hi.\n\nMore from CC.");
        assert_eq!(turns[2].label.as_deref(), Some("KH"));
        assert_eq!(turns[2].start_ms, Some(62_000));
    }

    #[test]
    fn label_without_colon_is_read_when_known() {
        let (turns, w) = parse("[00:00:01] NL: Hi.\n[0:04:53.6] NL Yeah, sure.\n[0:05:00] I think so.\n");
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[1].label.as_deref(), Some("NL"));
        assert_eq!(turns[1].text, "Yeah, sure.");
        assert_eq!(turns[2].label, None);
        assert_eq!(turns[2].text, "I think so.");
        assert_eq!(w.len(), 2);
        assert!(w[0].message.contains("no colon"));
        assert!(w[1].message.contains("without a speaker label"));
    }

    #[test]
    fn bad_timestamps_are_kept_without_time() {
        let (turns, w) = parse("[99:99:99] CC: one\n[0:00:xx] CC: two\n");
        assert_eq!(turns.len(), 2);
        assert!(turns.iter().all(|t| t.start_ms.is_none()));
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].line, 10);
        assert_eq!(w[1].line, 11);
    }

    #[test]
    fn repeated_transcript_is_skipped_once() {
        let body =
            "[0:00:01] A: one\n[0:00:02] B: two\nEPISODE 2\n[0:00:01] A: one\n[0:00:02] B: two\n[0:00:03] A: three\n";
        let (turns, w) = parse(body);
        assert_eq!(turns.len(), 3);
        assert_eq!(w.len(), 1);
        assert!(w[0].message.contains("2 turns"), "{}", w[0].message);
    }

    #[test]
    fn text_before_any_label_is_unattributed() {
        let (turns, w) = parse("Some intro text.\n[0:00:01] A: one\n");
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].label, None);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn name_labels_and_urls() {
        let (turns, _) = parse("[0:00:01] Kelsey Hightower: see http://x.io: yes\n");
        assert_eq!(turns[0].label.as_deref(), Some("Kelsey Hightower"));
        let (turns, _) = parse("[0:00:01] CC: at 10:30 we met\nso: what\n");
        assert_eq!(turns.len(), 1);
        assert_eq!(turns[0].text, "at 10:30 we met\nso: what");
    }

    #[test]
    fn detects_format() {
        assert!(detect("x\n[00:00:41] CC: hi\n"));
        assert!(!detect("**Gerhard Lazu:** hi\n"));
    }
}
