//! Joining small pieces of attributed text into turns.
//!
//! JSON transcripts attribute segments (often single words) and caption
//! files attribute cues; a `Merger` turns consecutive pieces of one
//! speaker into one [`Turn`], keeping the first piece's time and line.

use crate::episode::Turn;

/// Appends `piece` to `buf` with a single space between them, except before
/// a piece that starts with closing punctuation (`,` `.` `?` `)` ...) so that
/// word-by-word segments read as normal text ("Hello, world.").
pub(crate) fn append_joined(buf: &mut String, piece: &str) {
    let piece = piece.trim();
    if piece.is_empty() {
        return;
    }
    let tight = piece.starts_with([',', '.', ';', ':', '!', '?', ')', ']', '}', '…', '%', '\u{2019}'])
        || buf.ends_with(['(', '[', '{', '\u{2018}', '\u{201c}']);
    if !buf.is_empty() && !tight && !buf.ends_with(char::is_whitespace) {
        buf.push(' ');
    }
    buf.push_str(piece);
}

/// Builds turns from consecutive pieces of text, each with its speaker:
/// pieces of the same speaker (or both without one) are joined into one
/// turn, which keeps the start time and line of its first piece.
///
/// Shared by the cue formats (WebVTT, SRT) and JSON, which all attribute
/// small pieces of text rather than whole turns.
#[derive(Debug, Default)]
pub(crate) struct Merger {
    turns: Vec<Turn>,
    current: Option<Turn>,
}

impl Merger {
    /// Whether a piece by `label` would join the current turn.
    pub(crate) fn continues(&self, label: Option<&str>) -> bool {
        self.current.as_ref().is_some_and(|t| t.label.as_deref() == label)
    }

    /// Adds a piece of text; empty pieces are ignored.
    pub(crate) fn add(&mut self, label: Option<&str>, text: &str, start_ms: Option<u64>, line: usize) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        if let Some(turn) = self.current.as_mut() {
            if turn.label.as_deref() == label {
                append_joined(&mut turn.text, text);
                return;
            }
        }
        if let Some(done) = self.current.take() {
            self.turns.push(done);
        }
        self.current = Some(Turn {
            start_ms,
            label: label.map(str::to_string),
            text: text.to_string(),
            line,
        });
    }

    /// The turns, in order.
    pub(crate) fn finish(mut self) -> Vec<Turn> {
        if let Some(done) = self.current.take() {
            self.turns.push(done);
        }
        self.turns
    }
}
