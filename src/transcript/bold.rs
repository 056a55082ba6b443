//! Markdown transcripts with full names in bold, as published by
//! Changelog.
//!
//! ```text
//! **Ana Costa:** \[00:04:01.06\] We moved to [Kubernetes](https://k8s.io) \[laughs\]
//!
//! A second paragraph of Ana's turn. \[04:30\] Still Ana.
//!
//! **Break**: \[05:12\]
//!
//! **Ben Ito**: Welcome back.
//! ```
//!
//! A turn starts at a line that opens with a bold label followed by a colon,
//! the colon inside or outside the bold (`**Name:**`, `**Name**:`), and runs
//! over the following lines until the next label, a section marker or a
//! heading; blank lines separate its paragraphs (`"\n\n"`). The caller
//! strips front matter; the body may still hold headings, which end a turn.
//!
//! Each line's text goes through one inline pass (`inline_into`, which
//! writes it straight onto the end of its turn's text, where it is then
//! cleaned): escaped
//! timestamps (`\[04:01\]`, `\[00:04:01.06\]`, also unescaped and with
//! stray backslashes) are taken out, Markdown escapes are undone
//! (`\[laughs\]` reads `[laughs]`), links keep only their text (so the
//! tagger sees "Kubernetes", not a URL) and `**` emphasis marks are dropped;
//! then HTML entities, which some files carry (`&#39;`), are decoded and
//! the whitespace collapsed, once. The
//! first timestamp met in a turn, wherever it stands, gives the turn's
//! start; later ones do not start turns. A turn with no timestamp of its own
//! has no start time.
//!
//! Section markers (`**Break:** \[16:31\]`, `**Jingle**: ...`, `**Outro**`)
//! are neither speakers nor turns: they end the current turn. Text after a
//! break without a label of its own is the speaker before the break going
//! on (kept with a warning); text after other markers (a song's lyrics) is
//! unattributed.

use std::collections::HashSet;
use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::episode::{Link, Turn, parse_timestamp};
use crate::transcript::markdown_links;
use crate::transcript::markup::{
    collapse_tail, collapse_whitespace, collapse_whitespace_owned, decode_entities, split_words,
};

/// Whether a body looks like this format: a `**Name:**` (or `**Name**:`)
/// turn line within the first 400 lines.
pub fn detect(body: &str) -> bool {
    body.lines()
        .take(400)
        .any(|l| matches!(classify(l), Line::Turn { colon: true, .. }))
}

/// The Markdown links `[text](url)` of a body, in order, with Markdown
/// escapes in their text undone.
pub fn links(body: &str) -> Vec<Link> {
    markdown_links(body)
        .into_iter()
        .map(|mut l| {
            l.name = collapse_whitespace(&unescape(&l.name));
            l
        })
        .filter(|l| !l.name.is_empty())
        .collect()
}

/// Parses the body into turns. `first_line` is the file line of the body's
/// first line, so that every turn keeps its real line number.
pub fn parse_body(path: &Path, body: &str, first_line: usize, warnings: &mut Vec<Diagnostic>) -> Vec<Turn> {
    let lines = || {
        crate::bytes::split_lines(body).map(|l| {
            let raw = l.strip_suffix('\r').unwrap_or(l);
            (raw, classify(raw))
        })
    };
    // Labels written with a colon somewhere in the file; only those are
    // accepted where a line forgets the colon (`**Ana Costa** Yes`), so that
    // bold prose (`**We use Go** and...`) stays prose. Gathered, in a
    // second reading of the file, only for files that have such a line.
    let mut known: Option<HashSet<String>> = None;
    let known_labels = || -> HashSet<String> {
        lines()
            .filter_map(|(_, l)| match l {
                Line::Turn { label, colon: true, .. } => Some(label),
                _ => None,
            })
            .collect()
    };

    let mut parser = Parser {
        path,
        warnings,
        turns: Vec::new(),
        current: None,
        blank_before: false,
        after: After::Start,
    };
    for (i, (raw, line)) in lines().enumerate() {
        let line_no = first_line + i;
        match line {
            Line::Blank | Line::Rule => parser.blank_before = true,
            Line::Heading => {
                parser.flush();
                parser.after = After::Heading;
                parser.blank_before = false;
            }
            Line::Marker { name, extra } => {
                parser.flush();
                if extra {
                    parser.warnings.push(Diagnostic::warning(
                        path,
                        line_no,
                        format!(
                            "section marker `{name}` has text on its line; \
                             the text is not a turn and was skipped"
                        ),
                    ));
                }
                parser.after = if name.eq_ignore_ascii_case("break") {
                    After::Break
                } else {
                    After::Marker
                };
                parser.blank_before = false;
            }
            Line::Turn { label, text, colon } => {
                if !colon && !known.get_or_insert_with(&known_labels).contains(&label) {
                    parser.text_line(raw.trim(), line_no);
                    continue;
                }
                if !colon {
                    parser.warnings.push(Diagnostic::warning(
                        path,
                        line_no,
                        format!("label `{label}` has no colon; read as speaker `{label}`"),
                    ));
                }
                parser.flush();
                parser.current = Some(Open {
                    turn: Turn {
                        start_ms: None,
                        label: Some(label),
                        text: String::new(),
                        line: line_no,
                    },
                    stamped: false,
                });
                parser.after = After::Turn;
                parser.blank_before = false;
                parser.append(text, line_no);
            }
            Line::Text(text) => parser.text_line(text, line_no),
        }
    }
    parser.flush();
    parser.turns
}

/// What came last before the current line, when no turn is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    /// The start of the body.
    Start,
    /// A turn.
    Turn,
    /// A `Break` marker: the previous speaker goes on after it.
    Break,
    /// Another marker (`Jingle`, `Song`...).
    Marker,
    /// A heading.
    Heading,
}

/// A turn being built.
struct Open {
    turn: Turn,
    /// Whether a timestamp has been met in the turn (only the first counts).
    stamped: bool,
}

struct Parser<'a> {
    path: &'a Path,
    warnings: &'a mut Vec<Diagnostic>,
    turns: Vec<Turn>,
    current: Option<Open>,
    blank_before: bool,
    after: After,
}

impl Parser<'_> {
    fn flush(&mut self) {
        if let Some(open) = self.current.take() {
            self.turns.push(open.turn);
        }
    }

    /// A line without a label: it continues the open turn, or starts one
    /// whose speaker depends on what came before.
    fn text_line(&mut self, raw: &str, line_no: usize) {
        if self.current.is_none() {
            // A line of timestamps only (`\[12:04\]`) before any turn says
            // nothing; it does not make a turn.
            if inline(raw).text.is_empty() {
                return;
            }
            let previous = self.turns.last().and_then(|t| t.label.clone());
            let label = match (self.after, previous) {
                (After::Break, Some(label)) => {
                    self.warnings.push(Diagnostic::warning(
                        self.path,
                        line_no,
                        format!(
                            "text after a break has no speaker label; attributed to `{label}`, \
                             who spoke before the break"
                        ),
                    ));
                    Some(label)
                }
                _ => {
                    self.warnings.push(Diagnostic::warning(
                        self.path,
                        line_no,
                        "text without a speaker label (`**Name:**`); kept as an unattributed turn",
                    ));
                    None
                }
            };
            self.current = Some(Open {
                turn: Turn {
                    start_ms: None,
                    label,
                    text: String::new(),
                    line: line_no,
                },
                stamped: false,
            });
            self.blank_before = false;
        }
        self.append(raw, line_no);
    }

    /// Adds a line's text to the open turn: its first timestamp may give
    /// the turn's start, its clean text joins the turn's text. The line is
    /// cleaned where it lands, at the end of the turn's text.
    fn append(&mut self, raw: &str, line_no: usize) {
        let Some(open) = self.current.as_mut() else {
            return;
        };
        let text = &mut open.turn.text;
        let before = text.len();
        if before > 0 {
            text.push_str(if self.blank_before { "\n\n" } else { "\n" });
        }
        let start = text.len();
        let first_stamp = inline_into(raw, text).0;
        // Entities first: one may stand for whitespace, collapsed then
        // with the rest in one pass.
        if crate::bytes::contains(&text.as_bytes()[start..], b'&') {
            let decoded = decode_entities(&text[start..]);
            text.truncate(start);
            text.push_str(&decoded);
        }
        collapse_tail(text, start);
        if text.len() == start {
            // Keep any pending paragraph break for the next text.
            text.truncate(before);
        } else {
            self.blank_before = false;
        }
        if let Some(stamp) = first_stamp {
            if !open.stamped {
                open.stamped = true;
                open.turn.start_ms = read_stamp(&stamp);
                if open.turn.start_ms.is_none() {
                    self.warnings.push(Diagnostic::warning(
                        self.path,
                        line_no,
                        format!("unreadable timestamp `[{stamp}]`; turn kept without a time"),
                    ));
                }
            }
        }
    }
}

/// Reads a timestamp with its backslashes already removed. Video timecodes
/// with frames (`00:44:50:01`) are read without the frames.
fn read_stamp(stamp: &str) -> Option<u64> {
    let parts: Vec<&str> = stamp.split(':').collect();
    if parts.len() == 4 {
        return parse_timestamp(&parts.get(..3)?.join(":"));
    }
    parse_timestamp(stamp)
}

/// What one line of the body is.
#[derive(Debug, PartialEq, Eq)]
enum Line<'a> {
    Blank,
    /// `# Title`.
    Heading,
    /// `---`, `***`: read as a paragraph break.
    Rule,
    /// A section marker; `extra` when text other than timestamps follows
    /// it on the line.
    Marker {
        name: String,
        extra: bool,
    },
    /// `**Name:** text` or `**Name**: text` (`colon`), or `**Name** text`.
    Turn {
        label: String,
        text: &'a str,
        colon: bool,
    },
    /// Anything else.
    Text(&'a str),
}

/// Words that name a section of the recording rather than a speaker.
const MARKERS: &[&str] = &[
    "break", "jingle", "outro", "intro", "sample", "song", "music", "sound", "track",
];

fn classify(raw: &str) -> Line<'_> {
    let line = raw.trim();
    if line.is_empty() {
        return Line::Blank;
    }
    if is_heading(line) {
        return Line::Heading;
    }
    if is_rule(line) {
        return Line::Rule;
    }
    let Some(after_open) = line.strip_prefix("**") else {
        return Line::Text(line);
    };
    let Some(close) = find_double_star(after_open) else {
        return Line::Text(line);
    };
    let inner = after_open.get(..close).unwrap_or_default().trim();
    let rest = after_open.get(close + 2..).unwrap_or_default();

    // Where the colon is: `**Name:**`, `**Name**:`, `**Break: \[12:00\]**`
    // (only markers are written that way), or nowhere.
    let (label, text, colon, inside) = if let Some(l) = inner.strip_suffix(':') {
        (l.trim_end(), rest, true, None)
    } else if let Some(r) = rest.trim_start().strip_prefix(':') {
        (inner, r, true, None)
    } else if let Some((l, r)) = inner.split_once(':') {
        (l.trim_end(), rest, true, Some(r))
    } else {
        (inner, rest, false, None)
    };

    let words = split_words(label).count();
    let leftover = || {
        let mut all = inside.unwrap_or_default().to_string();
        all.push(' ');
        all.push_str(text);
        inline(&all)
    };
    if words == 1 && is_marker(label) {
        return Line::Marker {
            name: label.to_string(),
            extra: has_words(&leftover().text),
        };
    }
    if words > 1 && split_words(label).any(is_marker) && colon {
        // `**Song extract:** \[01:07\]`: a marker only if the line holds a
        // timestamp and nothing else, since a person may be called Song.
        let rest = leftover();
        if rest.stamps > 0 && !has_words(&rest.text) {
            return Line::Marker {
                name: label.to_string(),
                extra: false,
            };
        }
    }
    if inside.is_some() {
        return Line::Text(line);
    }
    let label = if label.contains('\\') {
        collapse_whitespace(&unescape(label))
    } else {
        collapse_whitespace(label)
    };
    if !is_label(&label) {
        return Line::Text(line);
    }
    // `**Name:*** text`: a stray asterisk glued to the bold.
    let text = if text.starts_with('*') {
        text.trim_start_matches('*')
    } else {
        text
    };
    Line::Turn { label, text, colon }
}

/// Whether a word names a section marker, in any case.
fn is_marker(word: &str) -> bool {
    if word.is_ascii() {
        MARKERS.iter().any(|m| word.eq_ignore_ascii_case(m))
    } else {
        MARKERS.contains(&word.to_lowercase().as_str())
    }
}

/// Where the first `**` of `s` starts.
fn find_double_star(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(i) = b.get(from..)?.iter().position(|&c| c == b'*') {
        let at = from + i;
        if b.get(at + 1) == Some(&b'*') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Whether a text holds a word with a letter, other than "to" (`\[12:00\] to
/// \[12:30\]`, or a timestamp left unclosed).
fn has_words(s: &str) -> bool {
    s.split_whitespace()
        .any(|w| w.chars().any(char::is_alphabetic) && !w.eq_ignore_ascii_case("to"))
}

/// A speaker label: a short run of words with a letter, without Markdown
/// syntax (`**\[Robot voice\]**` is not a speaker) or a URL.
fn is_label(label: &str) -> bool {
    !label.is_empty()
        // No more characters than bytes: most labels need no count.
        && (label.len() <= 60 || label.chars().count() <= 60)
        && split_words(label).count() <= 6
        && label.chars().any(char::is_alphabetic)
        // The syntax characters are ASCII, found by their bytes: no other
        // character's bytes hold them.
        && crate::bytes::find_any(label.as_bytes(), b"[]*`<>|{}#").is_none()
        && !label.contains("://")
}

/// `# Title` to `###### Title`.
fn is_heading(line: &str) -> bool {
    let hashes = line.chars().take_while(|&c| c == '#').count();
    (1..=6).contains(&hashes)
        && line
            .get(hashes..)
            .is_some_and(|r| r.is_empty() || r.starts_with(char::is_whitespace))
}

/// A thematic break: three or more `-`, `*` or `_`, maybe spaced.
fn is_rule(line: &str) -> bool {
    let mut marks = line.bytes().filter(|b| !b.is_ascii_whitespace());
    let Some(first) = marks.next() else { return false };
    let mut n = 1;
    for b in marks {
        if b != first {
            return false;
        }
        n += 1;
    }
    n >= 3 && matches!(first, b'-' | b'*' | b'_')
}

/// The clean text of a line and the timestamps taken out of it.
#[derive(Debug, Default, PartialEq, Eq)]
struct Inline {
    /// Escapes undone, links reduced to their text, `**` dropped,
    /// whitespace collapsed (entities are not decoded yet).
    text: String,
    /// The first timestamp, backslashes removed (`00:04:01.06`): the only
    /// one that may time a turn.
    first_stamp: Option<String>,
    /// How many timestamps there were.
    stamps: usize,
}

/// One pass over a line of Markdown; see the module docs.
fn inline(s: &str) -> Inline {
    let mut text = String::with_capacity(s.len());
    let (first_stamp, stamps) = inline_into(s, &mut text);
    Inline {
        text: collapse_whitespace_owned(text),
        first_stamp,
        stamps,
    }
}

/// [`inline`] appending the line's text to `out`, whitespace not yet
/// collapsed; returns the first timestamp and how many there were.
fn inline_into(s: &str, out: &mut String) -> (Option<String>, usize) {
    let mut first_stamp = None;
    let mut stamps = 0;
    // The text out is never longer than the line in (markup only goes),
    // so it grows once, not at every piece.
    out.reserve(s.len());
    let mut rest = s;
    loop {
        // Plain text up to the next character that may start markup is
        // copied whole.
        let plain = crate::bytes::find_any(rest.as_bytes(), b"\\[*!").unwrap_or(rest.len());
        out.push_str(&rest[..plain]);
        rest = &rest[plain..];
        let Some(c) = rest.chars().next() else {
            break;
        };
        if c == '\\' || c == '[' {
            if let Some((stamp, after)) = stamp_at(rest) {
                if stamps == 0 {
                    first_stamp = Some(stamp.chars().filter(|&c| c != '\\').collect());
                }
                stamps += 1;
                out.push(' ');
                rest = after;
                continue;
            }
        }
        if c == '\\' {
            let after = rest.get(1..).unwrap_or_default();
            match after.chars().next() {
                Some(n) if n.is_ascii_punctuation() => {
                    out.push(n);
                    rest = after.get(n.len_utf8()..).unwrap_or_default();
                }
                _ => {
                    out.push('\\');
                    rest = after;
                }
            }
            continue;
        }
        if let Some(after) = rest.strip_prefix("**") {
            rest = after;
            continue;
        }
        if c == '[' || rest.starts_with("![") {
            if let Some((name, after)) = link_at(rest) {
                // Link text holds no unescaped `[`, so this recursion is
                // one level deep at most.
                out.push_str(&inline(name).text);
                rest = after;
                continue;
            }
        }
        out.push(c);
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
    }
    (first_stamp, stamps)
}

/// A timestamp at the start of `s`: `\[04:01\]`, `[00:04:01.06]`, or with
/// stray backslashes (`\[\\00:04:01.06\\\]`). Returns it as written, less
/// what surrounds it (its inner backslashes are for the caller to drop),
/// and the text after it.
fn stamp_at(s: &str) -> Option<(&str, &str)> {
    let escaped = s.starts_with('\\');
    let body = s.strip_prefix("\\[").or_else(|| s.strip_prefix('['))?;
    // Timestamps are short; a far `]` closes something else.
    let (end, _) = body.char_indices().take(30).find(|&(_, c)| c == ']')?;
    // Without its backslashes and the spaces at either end, a stamp is
    // digits first, then digits and `:.,` with at least one `:`.
    let inner = body.get(..end)?.trim_matches(|c: char| c == '\\' || c.is_whitespace());
    let shaped = inner.contains(':')
        && inner.starts_with(|c: char| c.is_ascii_digit())
        && inner
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | ',' | '\\'));
    let after = body.get(end + 1..)?;
    // `[00:01](url)` is a link, not a timestamp.
    if !shaped || (!escaped && after.starts_with('(')) {
        return None;
    }
    Some((inner, after))
}

/// A link `[text](url)` or image `![text](url)` at the start of `s`: its
/// text and what follows it.
fn link_at(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_prefix("![").or_else(|| s.strip_prefix('['))?;
    let mut end = None;
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => return None,
            ']' => {
                end = Some(i);
                break;
            }
            _ => {}
        }
    }
    let end = end?;
    let name = body.get(..end)?;
    if name.trim().is_empty() {
        return None;
    }
    let target = body.get(end + 1..)?.strip_prefix('(')?;
    // URLs may hold balanced parentheses (`Go_(language)`); the search is
    // bounded so that a line of unclosed links stays linear.
    let mut depth = 0usize;
    for (i, c) in target.char_indices().take(2048) {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some((name, target.get(i + 1..)?)),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Undoes Markdown backslash escapes (`\_` reads `_`).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&n) = chars.peek() {
                if n.is_ascii_punctuation() {
                    out.push(n);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A timestamp read the plain way: backslashes dropped, then trimmed,
    /// then its shape checked.
    fn stamp_reference(s: &str) -> Option<(String, &str)> {
        let escaped = s.starts_with('\\');
        let body = s.strip_prefix("\\[").or_else(|| s.strip_prefix('['))?;
        let (end, _) = body.char_indices().take(30).find(|&(_, c)| c == ']')?;
        let inner: String = body.get(..end)?.chars().filter(|&c| c != '\\').collect();
        let inner = inner.trim();
        let shaped = inner.contains(':')
            && inner.starts_with(|c: char| c.is_ascii_digit())
            && inner
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | ','));
        let after = body.get(end + 1..)?;
        if !shaped || (!escaped && after.starts_with('(')) {
            return None;
        }
        Some((inner.to_string(), after))
    }

    proptest::proptest! {
        #[test]
        fn stamps_read_like_the_plain_reading(s in "\\\\?\\[[0-9:., \\\\a\u{a0}]{0,12}\\\\?\\][( x]{0,2}") {
            let got = stamp_at(&s).map(|(raw, after)| (raw.chars().filter(|&c| c != '\\').collect::<String>(), after));
            proptest::prop_assert_eq!(got, stamp_reference(&s));
        }
    }

    fn parse(body: &str) -> (Vec<Turn>, Vec<Diagnostic>) {
        let mut w = Vec::new();
        let t = parse_body(Path::new("t.md"), body, 5, &mut w);
        (t, w)
    }

    #[test]
    fn turns_with_both_colon_placements() {
        let body = "**Ana Costa:** We moved to Go.\n\n**Ben Ito**: Why Go?\n**Kim Hale** : Speed.\n";
        let (turns, w) = parse(body);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[0].label.as_deref(), Some("Ana Costa"));
        assert_eq!(turns[0].text, "We moved to Go.");
        assert_eq!(turns[0].line, 5);
        assert_eq!(turns[0].start_ms, None);
        assert_eq!(turns[1].label.as_deref(), Some("Ben Ito"));
        assert_eq!(turns[1].text, "Why Go?");
        assert_eq!(turns[1].line, 7);
        assert_eq!(turns[2].label.as_deref(), Some("Kim Hale"));
    }

    #[test]
    fn first_timestamp_of_a_turn_gives_its_start() {
        let body = "**Ana:** \\[00:04:01.06\\] Hello \\[00:04:09\\] there.\n\n\
            **Ben:** No stamp yet.\n\n\\[05:30\\] Now one. \\[06:00\\]\n\n\
            **Kim:** Late \\[07:15\\] stamp.\n\
            **Ana:** [00:44:50:01] frames\n";
        let (turns, w) = parse(body);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(turns.len(), 4);
        assert_eq!(turns[0].start_ms, Some(241_060));
        assert_eq!(turns[0].text, "Hello there.");
        assert_eq!(turns[1].start_ms, Some(330_000));
        assert_eq!(turns[1].text, "No stamp yet.\n\nNow one.");
        assert_eq!(turns[2].start_ms, Some(435_000));
        assert_eq!(turns[2].text, "Late stamp.");
        assert_eq!(turns[3].start_ms, Some(2_690_000));
    }

    #[test]
    fn unreadable_first_timestamp_is_warned() {
        let (turns, w) = parse("**Ana:** \\[99:99\\] one \\[01:00\\]\n");
        assert_eq!(turns[0].start_ms, None);
        assert_eq!(turns[0].text, "one");
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, 5);
    }

    #[test]
    fn odd_timestamp_escapes_are_removed() {
        let (turns, _) =
            parse("**Ana:** \\[\\\\00:01:02.03\\\\\\] a \\[00:00:05.9\\\\9\\] b \\[unintelligible 00:01:03.04\\]\n");
        assert_eq!(turns[0].start_ms, Some(62_030));
        assert_eq!(turns[0].text, "a b [unintelligible 00:01:03.04]");
    }

    #[test]
    fn escapes_links_entities_and_emphasis() {
        let body = "**Ana:** \\[laughs\\] We use [Prometheus](https://prometheus.io) and \
            [Go](https://en.wikipedia.org/wiki/Go_(language)), it\\'s **great** &amp; it&#39;s `fast` \\*really\\* ![logo](x.png) [not a link] a\\_b\n";
        let (turns, _) = parse(body);
        assert_eq!(
            turns[0].text,
            "[laughs] We use Prometheus and Go, it's great & it's `fast` *really* logo [not a link] a_b"
        );
    }

    #[test]
    fn breaks_end_turns_and_are_not_speakers() {
        let body = "**Ana Costa:** Before.\n\n**Break**: \\[03:28\\]\n\n**Ben Ito:** After.\n\n\
            **Break:** \\[16:31\\] to \\[17:02\\]\n\nStill Ben.\n\n**Break: \\[20:00\\]**\n\n\
            **Breakmaster Kim:** A name, not a break.\n";
        let (turns, w) = parse(body);
        assert_eq!(turns.len(), 4);
        assert_eq!(turns[0].text, "Before.");
        assert_eq!(turns[1].text, "After.");
        assert_eq!(turns[2].label.as_deref(), Some("Ben Ito"));
        assert_eq!(turns[2].text, "Still Ben.");
        assert_eq!(turns[2].start_ms, None);
        assert_eq!(turns[3].label.as_deref(), Some("Breakmaster Kim"));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].message.contains("after a break"), "{}", w[0].message);
        assert_eq!(w[0].line, 13);
    }

    #[test]
    fn other_markers_leave_text_unattributed() {
        let body = "**Ana:** Here it comes.\n\n**Song extract:** \\[45:47\\]\n\nLa la la.\n\n\
            **Jingle:** \\[05:15\\] Ding dong!\n\n**Ben:** Back.\n";
        let (turns, w) = parse(body);
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[1].label, None);
        assert_eq!(turns[1].text, "La la la.");
        assert_eq!(turns[2].text, "Back.");
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[1].message.contains("`Jingle`"), "{}", w[1].message);
    }

    #[test]
    fn label_alone_on_its_line_and_paragraphs() {
        let body = "Intro text.\n\n**Ana Costa:**\n\nFirst paragraph\nwrapped.\n\n\n\\[01:00\\]\n\nSecond.\n\n# Heading\n\nAfter heading.\n";
        let (turns, w) = parse(body);
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[0].label, None);
        assert_eq!(turns[1].text, "First paragraph\nwrapped.\n\nSecond.");
        assert_eq!(turns[1].start_ms, Some(60_000));
        assert_eq!(turns[1].line, 7);
        assert_eq!(turns[2].label, None);
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn label_without_colon_only_when_known() {
        let body = "**Ana Costa:** One.\n**Ana Costa** Two.\n**We use Go** and like it.\n";
        let (turns, w) = parse(body);
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[1].label.as_deref(), Some("Ana Costa"));
        assert_eq!(turns[1].text, "Two.\nWe use Go and like it.");
        assert_eq!(w.len(), 1);
        assert!(w[0].message.contains("no colon"));
    }

    /// Entities that stand for whitespace are collapsed with the rest.
    #[test]
    fn entities_for_whitespace_collapse_with_the_rest() {
        let (turns, _) = parse("**A:**  x&nbsp;&nbsp; y &#10;&amp;  z&#9;\n");
        assert_eq!(turns[0].text, "x y & z");
    }

    /// The labels known are those of the whole file, a later line's too.
    #[test]
    fn label_without_colon_known_from_a_later_line() {
        let (turns, w) = parse("**Ana Costa** Zero.\n\n**Ana Costa:** One.\n");
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].label.as_deref(), Some("Ana Costa"));
        assert_eq!(turns[0].text, "Zero.");
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn odd_bold_lines() {
        let body = "**\\[Robot voice\\]** Beep.\n**Kim Hale: **spaced\n**Ben Ito:*** stray star\n**$STDOUT:** dollar\n";
        let (turns, _) = parse(body);
        let labels: Vec<Option<&str>> = turns.iter().map(|t| t.label.as_deref()).collect();
        assert_eq!(labels, vec![None, Some("Kim Hale"), Some("Ben Ito"), Some("$STDOUT")]);
        assert_eq!(turns[0].text, "[Robot voice] Beep.");
        assert_eq!(turns[1].text, "spaced");
        assert_eq!(turns[2].text, "stray star");
    }

    #[test]
    fn detects_format() {
        assert!(detect("\n**Gerhard Lazu:** Hi.\n"));
        assert!(detect("**Ben Ito**: Hi.\n"));
        assert!(!detect("**Break:** \\[01:00\\]\n**Note** this.\n"));
        assert!(!detect("[00:00:41] CC: Hi.\n"));
    }

    #[test]
    fn links_are_listed_with_clean_names() {
        let links = links("See [Kubernetes](https://k8s.io), \\[laughs\\] and [foo\\_bar](u).");
        let names: Vec<&str> = links.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, vec!["Kubernetes", "foo_bar"]);
        assert_eq!(links[0].url.as_deref(), Some("https://k8s.io"));
    }

    #[test]
    fn garbage_does_not_panic() {
        let junk: String = (0..600u32)
            .filter_map(|i| "**\\[]()!:#-_`é\u{301}\n 9".chars().nth((i * 7 % 19) as usize))
            .collect();
        let many_links = "[a](".repeat(2000);
        for input in [
            junk.as_str(),
            many_links.as_str(),
            "**",
            "****",
            "**:**",
            "** :** x\n**Break\n**Break**\n\\",
            "**A:** \\[99999999999:00:00\\] \\[\\] [](x) [x]( ![ \\",
            "**A:** [00:00:01](url) \\[00:00:01:02:03\\] &#99999999; &#xD800; -->",
        ] {
            let mut w = Vec::new();
            let _ = parse_body(Path::new("g.md"), input, 1, &mut w);
            let _ = detect(input);
            let _ = links(input);
        }
    }
}
