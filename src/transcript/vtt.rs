//! WebVTT captions, with `<v Name>` voice tags naming the speakers.
//!
//! ```text
//! WEBVTT Kind: captions
//!
//! NOTE made by hand
//!
//! intro
//! 00:01.000 --> 00:04.000 align:start position:10%
//! <v Ana Costa>We run <b>Prometheus</b>
//! on every cluster.
//!
//! 00:00:04.500 --> 00:00:06.000
//! and alert on it &amp; page on it.
//! ```
//!
//! The text is cut into blank-line separated blocks; the header block,
//! `NOTE`, `STYLE` and `REGION` blocks are dropped, and the rest are read as
//! cues by `cues::read_cues` (optional
//! identifier line, timing line, payload), which the SRT reader shares. A cue's payload is tokenised: a voice tag
//! (`<v Name>`, `<v.loud Name>`) switches the speaker, every other tag
//! (`<b>`, `<c.x>`, `</v>`, `<00:00:01.500>`, `<lang en>`) is dropped, and
//! the HTML entities WebVTT allows are decoded. Captioners give the voice
//! only when the speaker changes, so a cue without one keeps the last voice
//! seen. Consecutive pieces of one speaker then become one
//! [`Turn`] (see [`merge`](crate::transcript::merge)).
//!
//! Cues have no meaningful source line for a turn, so a turn's `line` is the
//! 1-based number of its first cue, counted in order of appearance (cue
//! identifiers are free text and ignored). Warnings, which a reader wants
//! to find in an editor, give the file line of the cue's timing line and
//! name the cue number in the message.

use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::episode::Turn;
use crate::error::{Error, Result};
use crate::transcript::cues::{Block, blocks, read_cues};
use crate::transcript::markup::payload_chunks;
use crate::transcript::merge::Merger;

/// Whether a text is WebVTT: its first line starts with `WEBVTT`, after an
/// optional byte order mark.
pub fn detect(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').starts_with("WEBVTT")
}

/// Parses a WebVTT file into turns.
///
/// A missing `WEBVTT` header or a file without a single readable cue is an
/// error; every other problem is worked around with a warning.
pub fn parse(path: &Path, text: &str, warnings: &mut Vec<Diagnostic>) -> Result<Vec<Turn>> {
    let text = text.trim_start_matches('\u{feff}');
    if !text.starts_with("WEBVTT") {
        return Err(Error::parse(
            path,
            1,
            "not a WebVTT file: the first line does not start with `WEBVTT`; file skipped",
        ));
    }
    let mut kept: Vec<Block<'_>> = Vec::new();
    for (i, block) in blocks(text).into_iter().enumerate() {
        if i == 0 {
            // The header block: `WEBVTT` and header lines up to the first
            // blank line. A cue glued to it (no blank line) is recovered.
            if let Some(t) = block.lines.iter().position(|l| l.contains("-->")) {
                // The line before the timing line is the cue's identifier,
                // unless it is the `WEBVTT` line itself.
                let start = if t >= 2 { t - 1 } else { t };
                warnings.push(Diagnostic::warning(
                    path,
                    block.first_line + t,
                    "no blank line after the WEBVTT header; the header ends at the first cue",
                ));
                kept.push(Block {
                    first_line: block.first_line + start,
                    lines: block.lines.get(start..).unwrap_or_default().to_vec(),
                });
            }
            continue;
        }
        let first = block.lines.first().copied().unwrap_or_default();
        if ["NOTE", "STYLE", "REGION"].iter().any(|kw| keyword_line(first, kw)) {
            if let Some(t) = block.lines.iter().position(|l| l.contains("-->")) {
                warnings.push(Diagnostic::warning(
                    path,
                    block.first_line + t,
                    format!(
                        "a timing line inside a {} block (no blank line before it?); \
                         skipped with the block",
                        first.split_whitespace().next().unwrap_or_default()
                    ),
                ));
            }
            continue;
        }
        kept.push(block);
    }

    let cues = read_cues(path, kept, warnings);
    if cues.is_empty() {
        return Err(Error::parse(path, 1, "WebVTT file has no readable cues; file skipped"));
    }

    let mut merger = Merger::default();
    let mut voice: Option<String> = None;
    for cue in &cues {
        for chunk in payload_chunks(&cue.payload.join("\n")) {
            if let Some(v) = chunk.voice {
                voice = Some(v);
            }
            if chunk.text.is_empty() {
                continue;
            }
            if voice.is_none() && !merger.continues(None) {
                warnings.push(Diagnostic::warning(
                    path,
                    cue.line,
                    format!(
                        "cue {} has no voice tag (`<v Name>`) and no earlier cue gave one; \
                         kept as unattributed text",
                        cue.number
                    ),
                ));
            }
            merger.add(voice.as_deref(), &chunk.text, Some(cue.start_ms), cue.number);
        }
    }
    Ok(merger.finish())
}

/// Whether `line` is the keyword alone or followed by whitespace (`NOTE`,
/// `NOTE text`, but not `NOTES`).
fn keyword_line(line: &str, keyword: &str) -> bool {
    line.strip_prefix(keyword)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (Vec<Turn>, Vec<Diagnostic>) {
        let mut w = Vec::new();
        let t = parse(Path::new("t.vtt"), text, &mut w).expect("parses");
        (t, w)
    }

    #[test]
    fn voices_are_inherited_and_cues_merge() {
        let text = "WEBVTT Kind: captions\nLanguage: en\n\n\
            1\n00:00:01.000 --> 00:00:04.000 align:start position:10%\n<v Ana Costa>We run Prometheus\non every cluster.\n\n\
            2\n00:00:04.000 --> 00:00:06.000\nAnd alert on it.\n\n\
            00:06.500 --> 00:08.000\n<v.loud Ben Ito>Loudly!</v>\n\n\
            00:08.000 --> 00:09.000\n<v Ana Costa>Yes.\n";
        let (turns, w) = run(text);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[0].label.as_deref(), Some("Ana Costa"));
        assert_eq!(turns[0].text, "We run Prometheus on every cluster. And alert on it.");
        assert_eq!(turns[0].start_ms, Some(1_000));
        assert_eq!(turns[0].line, 1);
        assert_eq!(turns[1].label.as_deref(), Some("Ben Ito"));
        assert_eq!(turns[1].start_ms, Some(6_500));
        assert_eq!(turns[1].line, 3);
        assert_eq!(turns[2].line, 4);
    }

    #[test]
    fn notes_styles_and_regions_are_skipped() {
        let text = "\u{feff}WEBVTT\n\nNOTE This is a note\nspanning lines\n\n\
            STYLE\n::cue { color: red }\n\nREGION\nid:fred\n\n\
            NOTES-are-not-notes\n00:00:01.000 --> 00:00:02.000\n<v Kim Hale>Hi.\n";
        let (turns, w) = run(text);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(turns.len(), 1);
        assert_eq!(turns[0].text, "Hi.");
        assert_eq!(turns[0].line, 1);
    }

    #[test]
    fn tags_and_entities_are_cleaned() {
        let text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana><b>Go</b> &amp; <i>Rust</i> <c.yellow.bg>are</c> <00:00:01.500>fine&nbsp;&lt;3 &#39;&#x41;&#0; &lrm;&rlm;<lang en>ok</lang> a < b &bogus;\n";
        let (turns, _) = run(text);
        assert_eq!(turns[0].text, "Go & Rust are fine <3 'A&#0; ok a < b &bogus;");
    }

    #[test]
    fn several_voices_in_one_cue_split_the_cue() {
        let text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana>Ready?</v> <v Ben>Yes.</v>\n\n00:02.000 --> 00:03.000\nLet's go.\n";
        let (turns, _) = run(text);
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].text, "Ready?");
        assert_eq!(turns[1].label.as_deref(), Some("Ben"));
        assert_eq!(turns[1].text, "Yes. Let's go.");
        assert_eq!(turns[1].line, 1);
    }

    #[test]
    fn cues_before_any_voice_are_unattributed() {
        let text = "WEBVTT\n\n00:01.000 --> 00:02.000\nMusic plays.\n\n00:02.000 --> 00:03.000\nStill music.\n\n00:03.000 --> 00:04.000\n<v Ana>Hello.\n";
        let (turns, w) = run(text);
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].label, None);
        assert_eq!(turns[0].text, "Music plays. Still music.");
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, 3);
        assert!(w[0].message.contains("cue 1"), "{}", w[0].message);
    }

    #[test]
    fn bad_cues_are_skipped_but_counted() {
        let text = "WEBVTT\n\n00:01.000 --> nope\n<v Ana>Lost.\n\n00:02.000 --> 00:03.000\n<v Ben>Kept.\n";
        let (turns, w) = run(text);
        assert_eq!(turns.len(), 1);
        assert_eq!(turns[0].text, "Kept.");
        assert_eq!(turns[0].line, 2);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, 3);
        assert!(w[0].message.contains("cue 1"), "{}", w[0].message);
    }

    #[test]
    fn messy_blocks_are_recovered() {
        // A cue glued to the header, two cues without a blank line between
        // them, and a blank line inside a cue's text.
        let text = "WEBVTT\n00:01.000 --> 00:02.000\n<v Ana>One\n00:02.000 --> 00:03.000\ntwo\n\nthree\n";
        let (turns, w) = run(text);
        assert_eq!(turns.len(), 1);
        assert_eq!(turns[0].text, "One two three");
        assert_eq!(w.len(), 3, "{w:?}");
    }

    #[test]
    fn missing_header_or_cues_is_an_error() {
        let mut w = Vec::new();
        assert!(parse(Path::new("t.vtt"), "1\n00:00:01,000 --> 00:00:02,000\nHi\n", &mut w).is_err());
        assert!(parse(Path::new("t.vtt"), "WEBVTT\n\nNOTE nothing\n", &mut w).is_err());
        assert!(parse(Path::new("t.vtt"), "WEBVTT\n\n00:01 --> xx\nHi\n", &mut w).is_err());
    }

    #[test]
    fn detects_format() {
        assert!(detect("WEBVTT\n"));
        assert!(detect("\u{feff}WEBVTT - title\n"));
        assert!(!detect("\nWEBVTT\n"));
        assert!(!detect("1\n00:00:01,000 --> 00:00:02,000\n"));
    }

    #[test]
    fn garbage_does_not_panic() {
        let inputs = [
            "WEBVTT\n-->\n-->\n\n-->\n<v\n<v.\n<v.x>\n&#\n&#x;\n&#99999999999;\n{\\",
            "WEBVTT\n\n99999999999:00:00.000 --> 99999999999:00:00.000\n<<<<>>>>{{{}}}&&&;;;\n",
            "WEBVTT\n\n00:00.000 --> 00:01.000\n<v Ana\n<b <i>unterminated</b\n\u{202e}é\u{301}&#xD800;&#x110000;\n",
            "WEBVTT\n\n1\n2\n3\n00:00.000 --> 00:01.000 --> 00:02.000\n\n\n\r\n\r\n-->",
            "WEBVTT\n\n00:00:00.000-->00:00:01.000\n<v.>x</v><v >y<v\tZ>z<00:00:99.999>",
        ];
        for input in inputs {
            let mut w = Vec::new();
            let _ = parse(Path::new("g.vtt"), input, &mut w);
        }
        let junk: String = (0..400u32)
            .map(|i| ['<', '>', '-', '&', ';', '#', ':', '\n', 'v', ' ', '{', '\\', '.', '9'][(i * 7 % 14) as usize])
            .collect();
        let mut w = Vec::new();
        let _ = parse(Path::new("g.vtt"), &format!("WEBVTT\n{junk}"), &mut w);
    }
}
