//! Cue-based caption files (WebVTT, SRT): blocks, cues and timing lines.
//!
//! Both formats are blank-line separated blocks of an optional identifier,
//! a `start --> end` timing line and payload lines. `blocks` cuts a text
//! into blocks, `read_cues` reads cues from them (recovering, with
//! warnings, from the usual damage in real files) and the format modules
//! turn the payloads into turns.

use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::episode::parse_timestamp;

/// A run of non-blank lines.
#[derive(Debug, Clone)]
pub(crate) struct Block<'a> {
    /// 1-based file line of the first line.
    pub(crate) first_line: usize,
    /// The lines, without line endings.
    pub(crate) lines: Vec<&'a str>,
}

/// Cuts a text into blocks separated by blank (or whitespace-only) lines.
pub(crate) fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    let mut current: Option<Block<'_>> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if let Some(b) = current.take() {
                out.push(b);
            }
            continue;
        }
        current
            .get_or_insert_with(|| Block {
                first_line: i + 1,
                lines: Vec::new(),
            })
            .lines
            .push(line);
    }
    if let Some(b) = current {
        out.push(b);
    }
    out
}

/// One cue with a readable timing line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cue<'a> {
    /// 1-based position among all cues found (readable or not).
    pub(crate) number: usize,
    /// File line of the timing line.
    pub(crate) line: usize,
    /// The identifier line, if any (SRT's cue number).
    pub(crate) id: Option<&'a str>,
    /// Start time in milliseconds.
    pub(crate) start_ms: u64,
    /// Payload lines, as written.
    pub(crate) payload: Vec<&'a str>,
}

/// Reads cues from blocks (already stripped of format-specific blocks such
/// as WebVTT's header and notes).
///
/// Real files are messy, so besides the textbook "identifier, timing line,
/// payload" block this accepts, with a warning each:
/// - cues run together without a blank line (a second valid timing line
///   inside a block starts a new cue, and a number just before it is that
///   cue's identifier);
/// - a blank line inside a cue's text (a block without a timing line after
///   a cue is added to that cue);
/// - a bad timing line (the cue is skipped, but keeps its number so that
///   later cues are still numbered as a reader counts them).
pub(crate) fn read_cues<'a>(path: &Path, blocks: Vec<Block<'a>>, warnings: &mut Vec<Diagnostic>) -> Vec<Cue<'a>> {
    let mut cues: Vec<Cue<'a>> = Vec::new();
    let mut number = 0usize;
    // Whether the last cue seen was readable, so that stray text after a
    // skipped cue is not glued onto the cue before it.
    let mut last_readable = false;
    for block in blocks {
        let Some(first_timing) = block.lines.iter().position(|l| l.contains("-->")) else {
            let first = block.lines.first().copied().unwrap_or_default().trim();
            if is_number(first) {
                number += 1;
                last_readable = false;
                warnings.push(Diagnostic::warning(
                    path,
                    block.first_line,
                    format!("cue {number} has no timing line (`start --> end`); skipped"),
                ));
            } else if last_readable && !cues.is_empty() {
                if let Some(cue) = cues.last_mut() {
                    warnings.push(Diagnostic::warning(
                        path,
                        block.first_line,
                        format!(
                            "blank line inside the text of cue {}; the text after it is kept \
                             as part of that cue",
                            cue.number
                        ),
                    ));
                    cue.payload.extend(block.lines.iter().copied());
                }
            } else {
                warnings.push(Diagnostic::warning(
                    path,
                    block.first_line,
                    "text outside any cue (no timing line); skipped",
                ));
            }
            continue;
        };

        // Lines before the first timing line: the last is the identifier,
        // any others are stray.
        let before = block.lines.get(..first_timing).unwrap_or_default();
        let mut id = before.last().copied();
        if before.len() > 1 {
            warnings.push(Diagnostic::warning(
                path,
                block.first_line,
                format!(
                    "text before a cue's identifier and timing line ({} line(s)); skipped",
                    before.len() - 1
                ),
            ));
        }

        let mut timing_idx = first_timing;
        let mut payload: Vec<&'a str> = Vec::new();
        let mut idx = first_timing + 1;
        loop {
            let line = block.lines.get(idx).copied();
            // A later line with `-->` starts a new cue only if it is a
            // readable timing line: "a --> b" in the text stays text.
            let next_cue = line.is_some_and(|l| parse_timing(l).is_some());
            if line.is_none() || next_cue {
                number += 1;
                let timing = block.lines.get(timing_idx).copied().unwrap_or_default();
                let timing_line = block.first_line + timing_idx;
                // A number just before the next timing line is that cue's
                // identifier (SRT cues run together), not text.
                let next_id = if next_cue && payload.last().is_some_and(|l| is_number(l.trim())) {
                    payload.pop()
                } else {
                    None
                };
                match parse_timing(timing) {
                    Some(start_ms) => {
                        cues.push(Cue {
                            number,
                            line: timing_line,
                            id: id.map(str::trim),
                            start_ms,
                            payload: std::mem::take(&mut payload),
                        });
                        last_readable = true;
                    }
                    None => {
                        warnings.push(Diagnostic::warning(
                            path,
                            timing_line,
                            format!(
                                "cue {number} has an unreadable timing line `{}`; cue skipped",
                                shorten(timing.trim())
                            ),
                        ));
                        payload.clear();
                        last_readable = false;
                    }
                }
                if line.is_none() {
                    break;
                }
                warnings.push(Diagnostic::warning(
                    path,
                    block.first_line + idx,
                    format!(
                        "cue {} starts without a blank line before it; read as a new cue",
                        number + 1
                    ),
                ));
                id = next_id;
                timing_idx = idx;
            } else if let Some(l) = line {
                payload.push(l);
            }
            idx += 1;
        }
    }
    cues
}

/// The start of a timing line `00:00:01.000 --> 00:00:04.000 settings`, in
/// milliseconds; `None` unless both times are readable. Hours are optional
/// and `,` is accepted for `.` (SRT).
pub(crate) fn parse_timing(line: &str) -> Option<u64> {
    let (start, rest) = line.split_once("-->")?;
    let end = rest.split_whitespace().next()?;
    parse_timestamp(end)?;
    parse_timestamp(start.trim())
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// At most 60 characters of a line, for messages.
pub(crate) fn shorten(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", s.get(..i).unwrap_or_default()),
        None => s.to_string(),
    }
}
