//! The episode model every transcript format is parsed into.
//!
//! Parsers (see [`transcript`](crate::transcript)) produce an [`Episode`]:
//! its [`EpisodeMeta`] (front matter or sidecar metadata) and its [`Turn`]s,
//! each with the speaker's label as written, a timestamp and the source line.
//! Nothing downstream knows which format an episode came from.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A named person in metadata (`hosts`, `guests`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    /// The name as written.
    pub name: String,
    /// A profile link, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A named link in metadata (`links`) or in the notes' Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The link text.
    pub name: String,
    /// The target, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Everything known about an episode apart from its turns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EpisodeMeta {
    /// Stable identifier (`episode_id`, or the file stem), trimmed.
    pub id: String,
    /// `episode_number`, if given and numeric.
    pub number: Option<u32>,
    /// Title.
    pub title: Option<String>,
    /// Publication date as written (ISO 8601 sorts correctly).
    pub date: Option<String>,
    /// One-paragraph description.
    pub description: Option<String>,
    /// Show notes (Markdown).
    pub notes: Option<String>,
    /// Hosts as listed.
    pub hosts: Vec<PersonRef>,
    /// Guests as listed.
    pub guests: Vec<PersonRef>,
    /// Bullet points of the show notes.
    pub points: Vec<String>,
    /// Links of the show notes.
    pub links: Vec<Link>,
    /// Video URL.
    pub video: Option<String>,
    /// Curated related episodes (episode ids, trimmed).
    pub related: Vec<String>,
    /// File line of the episode id, for messages (0 when unknown).
    #[serde(skip)]
    pub id_line: usize,
    /// File line of each `related` item, for messages (0 when unknown).
    #[serde(skip)]
    pub related_lines: Vec<usize>,
}

impl EpisodeMeta {
    /// Metadata text fields worth tagging for concepts, with the name of the
    /// field each came from.
    pub fn text_fields(&self) -> Vec<(&'static str, &str)> {
        let mut out = Vec::new();
        if let Some(t) = &self.title {
            out.push(("title", t.as_str()));
        }
        if let Some(t) = &self.description {
            out.push(("description", t.as_str()));
        }
        if let Some(t) = &self.notes {
            out.push(("notes", t.as_str()));
        }
        for p in &self.points {
            out.push(("points", p.as_str()));
        }
        for l in &self.links {
            out.push(("links", l.name.as_str()));
        }
        out
    }
}

/// One speaker turn: a label, a start time and the text, until the next
/// label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// Start time in milliseconds, if the transcript gives one.
    pub start_ms: Option<u64>,
    /// The speaker label as written (`CC`, `ANNOUNCER`, `Gerhard Lazu`), or
    /// `None` for text the transcript did not attribute.
    pub label: Option<String>,
    /// The spoken text; paragraphs are separated by a blank line.
    pub text: String,
    /// 1-based line (or cue number) where the turn starts in its file.
    pub line: usize,
}

/// A parsed episode.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    /// The file it was read from.
    pub source: PathBuf,
    /// Metadata.
    pub meta: EpisodeMeta,
    /// Turns in transcript order.
    pub turns: Vec<Turn>,
}

/// Formats milliseconds as `H:MM:SS` (or `MM:SS` under an hour).
pub fn format_timestamp(ms: u64) -> String {
    let total = ms / 1000;
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// Parses `H:MM:SS(.f)`, `HH:MM:SS`, `MM:SS(.f)` into milliseconds.
///
/// Returns `None` for anything else, including out-of-range minutes or
/// seconds (`99:99:99`).
pub fn parse_timestamp(text: &str) -> Option<u64> {
    let text = text.trim();
    let (main, frac) = match text.split_once(['.', ',']) {
        Some((m, f)) => (m, Some(f)),
        None => (text, None),
    };
    let parts: Vec<&str> = main.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut nums = Vec::with_capacity(3);
    for p in &parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        nums.push(p.parse::<u64>().ok()?);
    }
    let (h, m, s) = match nums.as_slice() {
        [m, s] => (0, *m, *s),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    // Minutes may exceed 59 only when they lead (`75:12` is 1h15m12s).
    if s > 59 || (parts.len() == 3 && m > 59) {
        return None;
    }
    let millis = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 3 && f.bytes().all(|b| b.is_ascii_digit()) => {
            let padded = format!("{f:0<3}");
            padded.parse::<u64>().ok()?
        }
        Some(_) => return None,
    };
    Some(((h * 60 + m) * 60 + s) * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse() {
        assert_eq!(parse_timestamp("00:00:41"), Some(41_000));
        assert_eq!(parse_timestamp("0:00:08.7"), Some(8_700));
        assert_eq!(parse_timestamp("04:01"), Some(241_000));
        assert_eq!(parse_timestamp("00:04:01.06"), Some(241_060));
        assert_eq!(parse_timestamp("1:02:03"), Some(3_723_000));
        assert_eq!(parse_timestamp("00:00:01,500"), Some(1_500));
    }

    #[test]
    fn bad_timestamps_are_rejected() {
        for bad in ["99:99:99", "0:00:xx", "", "1", "1:2:3:4", "00:61", "0:00:08.", "-1:00"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_format() {
        assert_eq!(format_timestamp(41_000), "00:41");
        assert_eq!(format_timestamp(3_723_000), "1:02:03");
    }
}
