//! Markup inside caption and transcript text: tags, voice tags, style
//! codes and HTML entities.
//!
//! `payload_chunks` splits a WebVTT payload at `<v Name>` voice tags;
//! `strip_markup` removes tags from caption text (SRT); `decode_entities`
//! and `collapse_whitespace` clean any text, Markdown transcripts
//! included.

/// A piece of a cue's text and the voice tag that opened it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// The name of a `<v Name>` tag that starts this piece.
    pub(crate) voice: Option<String>,
    /// Clean text: tags removed, entities decoded, whitespace collapsed.
    pub(crate) text: String,
}

/// Splits a cue payload at voice tags, removing every other tag.
pub(crate) fn payload_chunks(payload: &str) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut voice: Option<String> = None;
    let mut raw = String::new();
    scan_markup(payload, |piece| match piece {
        Piece::Text(t) => raw.push_str(t),
        Piece::Voice(name) => {
            chunks.push(Chunk {
                voice: voice.take(),
                text: clean(&raw),
            });
            raw.clear();
            voice = Some(name);
        }
    });
    chunks.push(Chunk {
        voice,
        text: clean(&raw),
    });
    // Drop empty pieces, but keep a voice even without text: it still sets
    // the speaker for the cues that follow.
    chunks.retain(|c| c.voice.is_some() || !c.text.is_empty());
    chunks
}

/// Removes tags (`<i>`, `</font>`, `<v Name>`...) and `{\an8}` style codes
/// from a line of caption text and decodes entities; whitespace is
/// collapsed.
pub(crate) fn strip_markup(line: &str) -> String {
    let mut raw = String::new();
    scan_markup(line, |piece| {
        if let Piece::Text(t) = piece {
            raw.push_str(t);
        }
    });
    clean(&raw)
}

fn clean(raw: &str) -> String {
    collapse_whitespace(&decode_entities(raw))
}

/// Joins the words of a text with single spaces.
pub(crate) fn collapse_whitespace(s: &str) -> String {
    // Most lines of a transcript are clean but for a space at either end
    // (the text after a speaker label): one check, one copy.
    let t = s.trim();
    if is_collapsed(t) {
        return t.to_owned();
    }
    collapse(t)
}

/// [`collapse_whitespace`] for a string the caller gives up: returned
/// as it is when already clean, or trimmed in place, without a copy.
pub(crate) fn collapse_whitespace_owned(mut s: String) -> String {
    collapse_tail(&mut s, 0);
    s
}

/// [`collapse_whitespace`] on `s[start..]`, in place: text appended to a
/// longer string is cleaned where it lies, without a string of its own.
pub(crate) fn collapse_tail(s: &mut String, start: usize) {
    let tail = &s[start..];
    let t = tail.trim();
    if is_collapsed(t) {
        let (lead, len) = (t.as_ptr() as usize - tail.as_ptr() as usize, t.len());
        s.truncate(start + lead + len);
        s.drain(start..start + lead);
    } else {
        let clean = collapse(t);
        s.truncate(start);
        s.push_str(&clean);
    }
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in split_words(s) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// The length of the whitespace character at byte `i`, or 0. A character
/// is decoded only where its first byte may begin a non-ASCII space
/// (U+0085, U+00A0, U+1680, U+2000...U+3000): such a byte is always a
/// character boundary, whatever `i` the caller reads bytes at.
#[inline]
fn space_len(s: &str, i: usize) -> usize {
    match s.as_bytes()[i] {
        b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => 1,
        0xc2 | 0xe1 | 0xe2 | 0xe3 => s[i..]
            .chars()
            .next()
            .filter(|c| c.is_whitespace())
            .map_or(0, char::len_utf8),
        _ => 0,
    }
}

/// The words of a text, as [`str::split_whitespace`] finds them.
pub(crate) fn split_words(s: &str) -> impl Iterator<Item = &str> {
    runs(s, |c| !c.is_whitespace())
}

/// The maximal runs of characters of a text that `keep` accepts, in order:
/// what splitting it at every other character gives, less the empty
/// pieces. ASCII is read a byte at a time; other characters are decoded.
pub(crate) fn runs(s: &str, keep: impl Fn(char) -> bool) -> impl Iterator<Item = &str> {
    let b = s.as_bytes();
    let kept_at = move |i: usize| -> (bool, usize) {
        if b[i] < 0x80 {
            return (keep(char::from(b[i])), 1);
        }
        let c = s[i..].chars().next().unwrap_or(' ');
        (keep(c), c.len_utf8())
    };
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            let (kept, len) = kept_at(i);
            if kept {
                break;
            }
            i += len;
        }
        if i == b.len() {
            return None;
        }
        let start = i;
        while i < b.len() {
            let (kept, len) = kept_at(i);
            if !kept {
                break;
            }
            i += len;
        }
        Some(&s[start..i])
    })
}

/// Whether `s` has no whitespace but single spaces between words.
fn is_collapsed(s: &str) -> bool {
    let b = s.as_bytes();
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return false;
    }
    // One pass without branches, so that many bytes are tested at a
    // time: whether any byte is not ASCII, and whether an ASCII one breaks
    // the rule (a control space, or a space after a space). The last byte
    // is tested before a zero, which makes no pair with it.
    let step = |(wide, broken): (bool, bool), x: u8, next: u8| {
        (
            wide | (x >= 0x80),
            broken | matches!(x, b'\t' | b'\n' | 0x0b | 0x0c | b'\r') | (x == b' ' && next == b' '),
        )
    };
    let pairs = b
        .iter()
        .zip(b.get(1..).unwrap_or_default())
        .fold((false, false), |acc, (&x, &y)| step(acc, x, y));
    let (wide, broken) = b.last().map_or(pairs, |&x| step(pairs, x, 0));
    if broken {
        return false;
    }
    // Past ASCII, any other space breaks it.
    !wide || !(0..b.len()).any(|i| matches!(b[i], 0xc2 | 0xe1 | 0xe2 | 0xe3) && space_len(s, i) > 0)
}

enum Piece<'a> {
    Text(&'a str),
    Voice(String),
}

/// Walks caption text, reporting text pieces and voice tags; other tags
/// and `{\...}` codes are skipped. A `<` that does not open a tag (`a < b`,
/// `<3`, an unterminated `<b`) is text.
fn scan_markup<'a>(s: &'a str, mut emit: impl FnMut(Piece<'a>)) {
    let mut rest = s;
    while !rest.is_empty() {
        let Some(pos) = rest.find(['<', '{']) else {
            emit(Piece::Text(rest));
            break;
        };
        let (before, at) = rest.split_at(pos);
        if !before.is_empty() {
            emit(Piece::Text(before));
        }
        let (open, close) = if at.starts_with('<') { ('<', '>') } else { ('{', '}') };
        let inner_end = at.get(1..).and_then(|a| a.find([close, open, '\n']));
        let tag = inner_end.and_then(|e| {
            let inner = at.get(1..1 + e)?;
            let closes = at.get(1 + e..)?.starts_with(close);
            let looks = if open == '<' {
                inner
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '/')
            } else {
                inner.starts_with('\\')
            };
            (closes && looks).then_some(inner)
        });
        match tag {
            Some(inner) => {
                if open == '<' {
                    if let Some(name) = voice_name(inner) {
                        emit(Piece::Voice(name));
                    }
                }
                rest = at.get(inner.len() + 2..).unwrap_or_default();
            }
            None => {
                let (sym, after) = at.split_at(1);
                emit(Piece::Text(sym));
                rest = after;
            }
        }
    }
}

/// The name in a voice tag's inside (`v Ana Costa`, `v.loud.x Ana`), if
/// it has one.
fn voice_name(inner: &str) -> Option<String> {
    let rest = inner.strip_prefix('v')?;
    let rest = if rest.starts_with('.') {
        // Classes run up to the first whitespace.
        let end = rest.find(char::is_whitespace)?;
        rest.get(end..)?
    } else if rest.starts_with(char::is_whitespace) {
        rest
    } else {
        return None;
    };
    let name = collapse_whitespace(&decode_entities(rest));
    (!name.is_empty()).then_some(name)
}

/// Decodes the HTML entities found in captions and transcripts: `&amp;`,
/// `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;` (as a space), `&lrm;` and
/// `&rlm;` (dropped: they are invisible direction marks) and numeric
/// `&#39;` / `&#x27;`. Anything else, including numbers that are not
/// characters, is left as written.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        let (before, at) = rest.split_at(pos);
        out.push_str(before);
        // Entity names and numbers are short; a far `;` is not ours.
        let end = at
            .get(1..)
            .and_then(|a| a.char_indices().take(12).find(|&(_, c)| c == ';'))
            .map(|(i, _)| i + 1);
        let decoded = end.and_then(|e| entity(at.get(1..e)?).map(|d| (d, e)));
        match decoded {
            Some((d, e)) => {
                if let Some(c) = d {
                    out.push(c);
                }
                rest = at.get(e + 1..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = at.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character an entity name stands for: `Some(None)` for entities that
/// decode to nothing, `None` for unknown ones.
fn entity(name: &str) -> Option<Option<char>> {
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "lrm" | "rlm" => return Some(None),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) if !hex.is_empty() && hex.len() <= 6 => u32::from_str_radix(hex, 16).ok()?,
                Some(_) => return None,
                None if !num.is_empty() && num.len() <= 7 && num.bytes().all(|b| b.is_ascii_digit()) => {
                    num.parse::<u32>().ok()?
                }
                None => return None,
            };
            let c = char::from_u32(code)?;
            // NUL and other control characters are not text; leave the
            // entity as written rather than inject them.
            if c.is_control() && !matches!(c, '\n' | '\t') {
                return None;
            }
            c
        }
    };
    Some(Some(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn split_words_splits_like_split_whitespace(s in "[a b\t\n\r\u{b}\u{c}\u{a0}\u{2003}\u{85}é’x]{0,40}") {
            proptest::prop_assert_eq!(split_words(&s).collect::<Vec<_>>(), s.split_whitespace().collect::<Vec<_>>());
        }

        #[test]
        fn collapse_whitespace_joins_the_words(s in "[a b\t\n\r\u{b}\u{c}\u{a0}\u{2003}\u{85}\u{3000}é’x]{0,40}") {
            let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(collapse_whitespace(&s), joined.clone());
            proptest::prop_assert_eq!(collapse_whitespace_owned(s.clone()), joined.clone());
            // Cleaned in place after text that stays as it is.
            let mut longer = format!(" a\n {s}");
            collapse_tail(&mut longer, 4);
            proptest::prop_assert_eq!(longer, format!(" a\n {joined}"));
        }
    }
}
