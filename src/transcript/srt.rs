//! SubRip (SRT) subtitles, with `Name:` prefixes naming the speakers.
//!
//! ```text
//! 1
//! 00:00:01,000 --> 00:00:04,000
//! Ana Costa: We run Prometheus
//! on every cluster.
//!
//! 2
//! 00:00:04,000 --> 00:00:06,000
//! <i>And alert on it.</i>
//!
//! 3
//! 00:00:06,500 --> 00:00:08,000
//! - BEN: Why?
//! - ANA: Scale.
//! ```
//!
//! Blocks are read as cues by
//! `cues::read_cues` (number, timing line,
//! text; a bad timing line skips the cue with a warning). Each text line is
//! cleaned of `<i>`, `<b>`, `<font ...>` tags and `{\an8}` codes. A speaker
//! prefix (see [`labels::split_label`](crate::transcript::labels::split_label)) is
//! looked for on the cue's first line and on every line that opens with a
//! dialogue dash; subtitlers write it only where the speaker changes, so a
//! cue without one keeps the last speaker. Consecutive pieces of one
//! speaker become one turn.
//!
//! A turn's `line` is the 1-based position of its first cue, counted in
//! order of appearance, which is the cue number in a well-formed file
//! (a warning says when the written numbers disagree). Warnings give the
//! file line of the cue's timing line and name the cue.

use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::episode::Turn;
use crate::error::{Error, Result};
use crate::transcript::cues::{blocks, read_cues, shorten};
use crate::transcript::labels::split_label;
use crate::transcript::markup::strip_markup;
use crate::transcript::merge::Merger;

/// Whether a text looks like SRT: the first non-blank line is a number and
/// the next line is a timing line with a comma before the milliseconds
/// (`00:00:01,000 -->`).
pub fn detect(text: &str) -> bool {
    let mut lines = text
        .trim_start_matches('\u{feff}')
        .lines()
        .skip_while(|l| l.trim().is_empty());
    let (Some(first), Some(second)) = (lines.next(), lines.next()) else {
        return false;
    };
    let first = first.trim();
    !first.is_empty()
        && first.bytes().all(|b| b.is_ascii_digit())
        && second.split_once("-->").is_some_and(|(start, _)| start.contains(','))
}

/// Parses an SRT file into turns.
///
/// A file without a single readable cue is an error; every other problem is
/// worked around with a warning.
pub fn parse(path: &Path, text: &str, warnings: &mut Vec<Diagnostic>) -> Result<Vec<Turn>> {
    let text = text.trim_start_matches('\u{feff}');
    let cues = read_cues(path, blocks(text), warnings);
    if cues.is_empty() {
        return Err(Error::parse(
            path,
            1,
            "no readable SRT cues (a number, a `00:00:01,000 --> 00:00:04,000` line, then text); \
             file skipped",
        ));
    }
    // Say once if the written numbers are not 1, 2, 3...: turns use the
    // position, and the reader should know why the two differ.
    if let Some(cue) = cues
        .iter()
        .find(|c| c.id.and_then(|id| id.parse::<usize>().ok()) != Some(c.number))
    {
        let written = cue
            .id
            .map(|id| format!("is numbered `{}`", shorten(id)))
            .unwrap_or_else(|| "has no number".to_string());
        warnings.push(Diagnostic::warning(
            path,
            cue.line,
            format!(
                "cue {} {written}; cue numbers are not 1, 2, 3... from here on, \
                 so turns are numbered by the position of their cue",
                cue.number
            ),
        ));
    }

    let mut merger = Merger::default();
    let mut speaker: Option<String> = None;
    for cue in &cues {
        // Pieces of the cue: the label that opens each (if any) and its text.
        let mut pieces: Vec<(Option<String>, String)> = Vec::new();
        for (i, raw) in cue.payload.iter().enumerate() {
            let line = strip_markup(raw);
            let dash_rest = strip_dash(&line);
            let candidate = if i == 0 {
                dash_rest.unwrap_or(&line)
            } else {
                dash_rest.unwrap_or("")
            };
            let split = (i == 0 || dash_rest.is_some())
                .then(|| split_label(candidate))
                .flatten();
            match split {
                Some((label, rest)) => pieces.push((Some(label.to_string()), rest.to_string())),
                None => {
                    // A dash without a name marks another voice we cannot
                    // name: the dash is dropped and the text kept.
                    let text = dash_rest.unwrap_or(&line);
                    match pieces.last_mut() {
                        Some((_, t)) => {
                            t.push(' ');
                            t.push_str(text);
                        }
                        None => pieces.push((None, text.to_string())),
                    }
                }
            }
        }
        for (label, text) in pieces {
            if label.is_some() {
                speaker = label;
            }
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            if speaker.is_none() && !merger.continues(None) {
                warnings.push(Diagnostic::warning(
                    path,
                    cue.line,
                    format!(
                        "cue {} has no speaker prefix (`Name:`) and no earlier cue gave one; \
                         kept as unattributed text",
                        cue.number
                    ),
                ));
            }
            merger.add(speaker.as_deref(), text, Some(cue.start_ms), cue.number);
        }
    }
    Ok(merger.finish())
}

/// The rest of a line that opens with a dialogue dash (`- Hi`, `-Hi`,
/// `– Hi`), or `None`. `--` (an interruption) is not a dialogue dash.
fn strip_dash(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(['-', '–', '—'])?;
    if rest.starts_with(['-', '–', '—']) || rest.is_empty() {
        return None;
    }
    Some(rest.trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (Vec<Turn>, Vec<Diagnostic>) {
        let mut w = Vec::new();
        let t = parse(Path::new("t.srt"), text, &mut w).expect("parses");
        (t, w)
    }

    #[test]
    fn prefixes_are_inherited_and_cues_merge() {
        let text = "1\n00:00:01,000 --> 00:00:04,000\nAna Costa: We run Prometheus\non every cluster.\n\n\
            2\n00:00:04,000 --> 00:00:06,000\n<i>And alert on it.</i>\n\n\
            3\n00:00:06,500 --> 00:00:08,000\n<font color=\"#ffff00\">BEN:</font> Why?\n\n\
            4\n00:00:08,000 --> 00:00:09,000\n{\\an8}Ana Costa: Scale.\n";
        let (turns, w) = run(text);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[0].label.as_deref(), Some("Ana Costa"));
        assert_eq!(turns[0].text, "We run Prometheus on every cluster. And alert on it.");
        assert_eq!(turns[0].start_ms, Some(1_000));
        assert_eq!(turns[0].line, 1);
        assert_eq!(turns[1].label.as_deref(), Some("BEN"));
        assert_eq!(turns[1].start_ms, Some(6_500));
        assert_eq!(turns[1].line, 3);
        assert_eq!(turns[2].text, "Scale.");
        assert_eq!(turns[2].line, 4);
    }

    #[test]
    fn dialogue_dashes_split_a_cue() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\n- Ana: Ready?\n-Ben: Yes.\n- Sure.\n-- and then\n\n\
            2\n00:00:02,000 --> 00:00:03,000\nLet's go.\n";
        let (turns, _) = run(text);
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].text, "Ready?");
        assert_eq!(turns[1].label.as_deref(), Some("Ben"));
        assert_eq!(turns[1].text, "Yes. Sure. -- and then Let's go.");
        assert_eq!(turns[1].line, 1);
    }

    #[test]
    fn a_colon_later_in_the_cue_is_not_a_speaker() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\nAna: We said\nNote: this is text.\n\n\
            2\n00:00:02,000 --> 00:00:03,000\nat 10:30: more.\n";
        let (turns, _) = run(text);
        assert_eq!(turns.len(), 1);
        assert_eq!(turns[0].text, "We said Note: this is text. at 10:30: more.");
    }

    #[test]
    fn unattributed_start_and_bad_cues() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\n[music]\n\n\
            2\n00:00:02,000 -> 00:00:03,000\nAna: Lost.\n\n\
            3\n00:00:03,000 --> 00:00:04,000\nBen: Kept.\n";
        let (turns, w) = run(text);
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].label, None);
        assert_eq!(turns[0].text, "[music]");
        assert_eq!(turns[1].label.as_deref(), Some("Ben"));
        assert_eq!(turns[1].line, 3);
        assert_eq!(w.len(), 2, "{w:?}");
        // `->` is no timing line: cue 2 is skipped, named by its number.
        assert!(
            w.iter()
                .any(|d| d.line == 5 && d.message.contains("cue 2 has no timing"))
        );
        assert!(
            w.iter()
                .any(|d| d.line == 2 && d.message.contains("cue 1 has no speaker"))
        );
    }

    #[test]
    fn unreadable_timing_skips_the_cue_with_its_number() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\nAna: One.\n\n\
            2\n00:00:xx,000 --> 00:00:03,000\nBen: Lost.\n\n\
            3\n00:00:03,000 --> 00:00:04,000\nKim: Three.\n";
        let (turns, w) = run(text);
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[1].line, 3);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, 6);
        assert!(w[0].message.contains("cue 2"), "{}", w[0].message);
    }

    #[test]
    fn numbering_mismatch_is_warned_once() {
        let text = "0\n00:00:01,000 --> 00:00:02,000\nAna: One.\n\n\
            1\n00:00:02,000 --> 00:00:03,000\nTwo.\n";
        let (turns, w) = run(text);
        assert_eq!(turns.len(), 1);
        assert_eq!(turns[0].line, 1);
        assert_eq!(w.len(), 1);
        assert!(w[0].message.contains("numbered `0`"), "{}", w[0].message);
    }

    #[test]
    fn run_together_cues_are_split() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\nAna: One.\n2\n00:00:02,000 --> 00:00:03,000\nBen: Two.\n";
        let (turns, w) = run(text);
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].text, "One.");
        assert_eq!(turns[1].line, 2);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn no_cues_is_an_error() {
        let mut w = Vec::new();
        assert!(parse(Path::new("t.srt"), "hello\n\nworld\n", &mut w).is_err());
        assert!(parse(Path::new("t.srt"), "", &mut w).is_err());
    }

    #[test]
    fn detects_format() {
        assert!(detect("\u{feff}\n1\n00:00:01,000 --> 00:00:04,000\nHi\n"));
        assert!(!detect("1\n00:00:01.000 --> 00:00:04.000\nHi\n"));
        assert!(!detect("WEBVTT\n\n1\n00:00:01,000 --> 00:00:04,000\n"));
        assert!(!detect("1\n"));
    }

    #[test]
    fn garbage_does_not_panic() {
        let junk: String = (0..500u32)
            .filter_map(|i| "0123\n-->:,<i>{\\}- ABC:\u{301}".chars().nth((i * 11 % 23) as usize))
            .collect();
        for input in [
            junk.as_str(),
            "1\n99999999999:00:00,000 --> 99999999999:00:00,000\nA: x\n",
            "-->\n-->\n\n1\n\n-->\n-\n- \n-:\n--:\n",
            "1\n00:00:00,000 --> 00:00:01,000\n<font color=\"\n<i\n{\\an8\n- - A:\n",
            "99999999999999999999999\n00:00:00,000 --> 00:00:01,000\nX",
        ] {
            let mut w = Vec::new();
            let _ = parse(Path::new("g.srt"), input, &mut w);
            let _ = detect(input);
        }
    }
}
