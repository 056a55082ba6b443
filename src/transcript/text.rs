//! Plain-text transcripts: one `Name: text` line per turn.
//!
//! ```text
//! [00:00:05] Ana Costa: Welcome back.
//! (00:00:09) BEN: Thanks.
//! 00:00:12 Kim Hale: We moved to Go last year.
//! The build got faster.
//!
//! A second paragraph of Kim's turn.
//! ```
//!
//! A line starts a turn when it opens with a speaker label (see
//! `split_label`), optionally after a timestamp (`[00:01:02]`,
//! `(00:01:02)` or a bare `00:01:02`). Every other line continues the
//! current turn; a blank line starts a new paragraph of it, kept as
//! `"\n\n"`. A bracketed timestamp at the start of a continuation line is
//! removed from the text and gives the turn its time if the turn has none
//! yet, as in the bold Markdown format. Text before the first label becomes
//! an unattributed turn, with a warning.
//!
//! The label test is also used by the SRT reader for `Name:` prefixes.

use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::episode::{Turn, parse_timestamp};
use crate::transcript::labels::split_label;

/// Whether a text looks like this format: within the first 400 lines, at
/// least two lines start a turn, or the first non-blank line does (a short
/// transcript).
pub fn detect(text: &str) -> bool {
    let mut lines = text.lines().take(400).filter(|l| !l.trim().is_empty());
    let Some(first) = lines.next() else {
        return false;
    };
    let first_is_turn = turn_start(first).is_some();
    first_is_turn || lines.filter(|l| turn_start(l).is_some()).take(2).count() >= 2
}

/// Parses the text into turns. `first_line` is the file line of the text's
/// first line, so that every turn keeps its real line number.
pub fn parse_body(path: &Path, body: &str, first_line: usize, warnings: &mut Vec<Diagnostic>) -> Vec<Turn> {
    let mut turns: Vec<Turn> = Vec::new();
    // The turn being built and whether it has met a timestamp yet.
    let mut current: Option<(Turn, bool)> = None;
    let mut blank_before = false;
    for (i, raw) in body.split('\n').enumerate() {
        let line_no = first_line + i;
        let line = raw.strip_suffix('\r').unwrap_or(raw).trim();
        if line.is_empty() {
            blank_before = true;
            continue;
        }
        if let Some(start) = turn_start(line) {
            if let Some((t, _)) = current.take() {
                turns.push(t);
            }
            let start_ms = start.stamp.and_then(|s| read_stamp(path, line_no, s, warnings));
            current = Some((
                Turn {
                    start_ms,
                    label: Some(start.label.to_string()),
                    text: start.text.trim().to_string(),
                    line: line_no,
                },
                start.stamp.is_some(),
            ));
            blank_before = false;
            continue;
        }
        // A continuation line; a leading bracketed timestamp is not text.
        let (stamp, text) = match bracketed_stamp(line) {
            Some((s, rest)) => (Some(s), rest.trim()),
            None => (None, line),
        };
        match current.as_mut() {
            Some((turn, seen)) => {
                if let Some(s) = stamp {
                    if !*seen {
                        *seen = true;
                        turn.start_ms = read_stamp(path, line_no, s, warnings);
                    }
                }
                if text.is_empty() {
                    // Keep a pending paragraph break for the next text.
                    continue;
                }
                if !turn.text.is_empty() {
                    turn.text.push_str(if blank_before { "\n\n" } else { "\n" });
                }
                turn.text.push_str(text);
            }
            None => {
                warnings.push(Diagnostic::warning(
                    path,
                    line_no,
                    "text without a speaker label (`Name: text`); kept as an unattributed turn",
                ));
                let start_ms = stamp.and_then(|s| read_stamp(path, line_no, s, warnings));
                current = Some((
                    Turn {
                        start_ms,
                        label: None,
                        text: text.to_string(),
                        line: line_no,
                    },
                    stamp.is_some(),
                ));
            }
        }
        blank_before = false;
    }
    if let Some((t, _)) = current {
        turns.push(t);
    }
    turns
}

/// Reads a timestamp, warning when it is unreadable.
fn read_stamp(path: &Path, line_no: usize, stamp: &str, warnings: &mut Vec<Diagnostic>) -> Option<u64> {
    let ms = parse_timestamp(stamp);
    if ms.is_none() {
        warnings.push(Diagnostic::warning(
            path,
            line_no,
            format!("unreadable timestamp `{stamp}`; turn kept without a time"),
        ));
    }
    ms
}

/// The parts of a line that starts a turn.
struct TurnStart<'a> {
    stamp: Option<&'a str>,
    label: &'a str,
    text: &'a str,
}

/// `[00:01:02] Name: text` and its variants, or `None` for other lines.
fn turn_start(line: &str) -> Option<TurnStart<'_>> {
    let line = line.trim();
    let (stamp, rest) = match bracketed_stamp(line).or_else(|| bare_stamp(line)) {
        Some((s, r)) => (Some(s), r.trim_start()),
        None => (None, line),
    };
    let (label, text) = split_label(rest)?;
    Some(TurnStart { stamp, label, text })
}

/// `[00:01:02] rest` or `(00:01:02) rest` gives ("00:01:02", " rest").
/// Anything timestamp-shaped is taken, so that a bad timestamp is reported
/// rather than read as text.
fn bracketed_stamp(line: &str) -> Option<(&str, &str)> {
    let close = match line.chars().next()? {
        '[' => ']',
        '(' => ')',
        _ => return None,
    };
    let body = line.get(1..)?;
    let end = body.find(close)?;
    let inner = body.get(..end)?.trim();
    // Letters are accepted inside brackets (`[0:00:xx]`) so that a typo is
    // reported rather than read as text.
    let shaped = looks_like_stamp(inner, |c| c.is_ascii_alphanumeric());
    shaped.then(|| (inner, body.get(end + 1..).unwrap_or_default()))
}

/// `00:01:02 rest`: a bare timestamp followed by a space.
fn bare_stamp(line: &str) -> Option<(&str, &str)> {
    let end = line.find(char::is_whitespace)?;
    let token = line.get(..end)?;
    let shaped = looks_like_stamp(token, |c| c.is_ascii_digit());
    shaped.then(|| (token, line.get(end..).unwrap_or_default()))
}

/// Starts with a digit, holds a colon, and is made of `allowed` characters,
/// colons, dots and commas.
fn looks_like_stamp(s: &str, allowed: impl Fn(char) -> bool) -> bool {
    s.contains(':')
        && s.len() <= 14
        && s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| allowed(c) || matches!(c, ':' | '.' | ','))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> (Vec<Turn>, Vec<Diagnostic>) {
        let mut w = Vec::new();
        let t = parse_body(Path::new("t.txt"), body, 3, &mut w);
        (t, w)
    }

    #[test]
    fn turns_with_and_without_timestamps() {
        let body = "[00:00:05] Ana Costa: Welcome back.\n(00:00:09) BEN: Thanks.\n00:01:02 Kim Hale: We use Go.\nKim Hale: No time here.\nSPEAKER 2: Hi.\n";
        let (turns, w) = parse(body);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(turns.len(), 5);
        assert_eq!(turns[0].label.as_deref(), Some("Ana Costa"));
        assert_eq!(turns[0].start_ms, Some(5_000));
        assert_eq!(turns[0].line, 3);
        assert_eq!(turns[1].label.as_deref(), Some("BEN"));
        assert_eq!(turns[1].start_ms, Some(9_000));
        assert_eq!(turns[2].start_ms, Some(62_000));
        assert_eq!(turns[2].text, "We use Go.");
        assert_eq!(turns[3].start_ms, None);
        assert_eq!(turns[4].label.as_deref(), Some("SPEAKER 2"));
    }

    #[test]
    fn continuations_and_paragraphs() {
        let body = "Ana: First line\nsecond line.\n\n\nNew paragraph: with a colon.\nnote: lower case is text\n10:30 is a time, not a label.\n[00:00:40]\n\nAfter a stamp.\nBen:\nLate text.\n";
        let (turns, w) = parse(body);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(turns.len(), 2);
        assert_eq!(
            turns[0].text,
            "First line\nsecond line.\n\nNew paragraph: with a colon.\nnote: lower case is text\n10:30 is a time, not a label.\n\nAfter a stamp."
        );
        // The first timestamp met inside a turn without one gives its time.
        assert_eq!(turns[0].start_ms, Some(40_000));
        assert_eq!(turns[1].label.as_deref(), Some("Ben"));
        assert_eq!(turns[1].text, "Late text.");
        assert_eq!(turns[1].line, 13);
    }

    #[test]
    fn text_before_the_first_label_is_unattributed() {
        let (turns, w) = parse("Recorded live.\nMore intro.\nAna: Hi.\n");
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].label, None);
        assert_eq!(turns[0].text, "Recorded live.\nMore intro.");
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, 3);
    }

    #[test]
    fn bad_timestamps_are_warned() {
        let (turns, w) = parse("[99:99:99] Ana: one\n(0:00:xx) Ben: two\n");
        assert_eq!(turns.len(), 2);
        assert!(turns.iter().all(|t| t.start_ms.is_none()));
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].line, 4);
    }

    #[test]
    fn labels() {
        assert_eq!(split_label("Ana Costa: hi"), Some(("Ana Costa", "hi")));
        assert_eq!(
            split_label("Ludwig van Beethoven: hi"),
            Some(("Ludwig van Beethoven", "hi"))
        );
        assert_eq!(split_label("Dr. Kim O'Hale:"), Some(("Dr. Kim O'Hale", "")));
        assert_eq!(split_label("CC: x"), Some(("CC", "x")));
        assert_eq!(split_label("Q: x"), Some(("Q", "x")));
        for bad in [
            "van Ana: x",
            "One Two Three Four Five: x",
            "see http://x",
            "At 10:30 we",
            "Ana:x",
            " Ana: x",
            "VERYLONGLABEL1: x",
            "the host: x",
            ": x",
        ] {
            assert_eq!(split_label(bad), None, "{bad}");
        }
    }

    #[test]
    fn detects_format() {
        assert!(detect("Ana: hi\n"));
        assert!(detect("Episode 1\n\nAna: hi\nBen: hello\n"));
        assert!(!detect("Episode 1\n\nAna: hi\nand more prose\n"));
        assert!(!detect("just prose\nmore prose\n"));
        assert!(!detect(""));
    }

    #[test]
    fn garbage_does_not_panic() {
        let junk: String = (0..500u32)
            .filter_map(|i| "[](): \n-->9:.,é\u{301}\r*".chars().nth((i * 13 % 17) as usize))
            .collect();
        for input in [
            junk.as_str(),
            "[99999999999:00:00] A: x\n(99999999999:00:00\n99999999999:00:00 B: y",
            "[\n(\n]\n)\n:\n-->\n[:]\n(:) :\n\u{feff}X:",
            "[00:00:01",
        ] {
            let mut w = Vec::new();
            let _ = parse_body(Path::new("g.txt"), input, 1, &mut w);
            let _ = detect(input);
        }
    }
}
