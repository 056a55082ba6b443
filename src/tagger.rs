//! The concept tagger: one Aho-Corasick automaton over every alias.
//!
//! [`Tagger::new`] compiles a [`Dictionary`]'s patterns into a single
//! automaton that folds ASCII case. Mentions are whole words, so a match can
//! only start where a word does: [`Tagger::find`] walks the automaton,
//! anchored, from each position that follows a non-word character, and stops
//! as soon as no pattern can continue. Most walks end after a byte or two,
//! and positions inside words are never looked at, which makes this faster
//! than an unanchored scan of every byte. Each match found on a walk is
//! checked against its pattern's rules (exact case where asked, whole words
//! in any script, not inside a URL, not at a sentence start, not next to an
//! excluded word) and then the leftmost-longest survivors are kept.
//!
//! Checking the rules *before* choosing the longest match matters: in
//! "cloud natives", the longest candidate "cloud native" fails the word
//! boundary, and the shorter "cloud" must still be found.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::nfa::contiguous;
use aho_corasick::{Anchored, MatchKind};

use crate::dictionary::{CaseRule, Dictionary};
use crate::error::{Error, Result};

/// A concept found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hit {
    /// Byte offset where the match starts.
    pub start: usize,
    /// Byte offset just past the match (a plural suffix included).
    pub end: usize,
    /// Index of the concept in the dictionary.
    pub concept: usize,
}

#[derive(Debug, Clone)]
struct Rule {
    concept: u32,
    /// The exact bytes to compare for case-sensitive patterns.
    exact: Option<Box<[u8]>>,
    not_at_sentence_start: bool,
    plurals: bool,
    unless_prev: Box<[String]>,
    unless_next: Box<[String]>,
}

/// A compiled dictionary, ready to tag text. Cheap to share across threads.
#[derive(Debug, Clone)]
pub struct Tagger {
    machine: contiguous::NFA,
    rules: Vec<Rule>,
    /// Bytes some pattern begins with, in either ASCII case.
    first_byte: [bool; 256],
    /// The words patterns begin with.
    first_words: FirstWords,
    /// ASCII punctuation some pattern begins with (the `.` of `.NET`).
    punct_first: Vec<u8>,
}

impl Tagger {
    /// Compiles a dictionary's patterns.
    pub fn new(dict: &Dictionary) -> Result<Tagger> {
        let texts: Vec<&str> = dict.patterns.iter().map(|p| p.text.as_str()).collect();
        // Walks are short and start at the root, so the compact contiguous
        // NFA (a few hundred KB for the shipped dictionary, in cache) beats
        // the DFA (tens of MB, out of cache) here, and has no size limit.
        let machine = contiguous::NFA::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .prefilter(false)
            .build(&texts)
            .map_err(|e| Error::Usage(format!("cannot compile the dictionary: {e}")))?;
        let rules: Vec<Rule> = dict
            .patterns
            .iter()
            .map(|p| Rule {
                concept: p.concept as u32,
                exact: (p.case == CaseRule::Sensitive).then(|| p.text.as_bytes().into()),
                not_at_sentence_start: p.not_at_sentence_start,
                plurals: p.plurals && p.text.chars().last().is_some_and(char::is_alphabetic),
                unless_prev: p.unless_prev.clone().into(),
                unless_next: p.unless_next.clone().into(),
            })
            .collect();
        let first_words = FirstWords::new(texts.iter().copied().zip(&rules));
        let mut first_byte = [false; 256];
        for p in &texts {
            if let Some(&b) = p.as_bytes().first() {
                first_byte[usize::from(b.to_ascii_lowercase())] = true;
                first_byte[usize::from(b.to_ascii_uppercase())] = true;
            }
        }
        Ok(Tagger {
            machine,
            rules,
            first_byte,
            first_words,
            punct_first: (0..128u8)
                .filter(|&b| first_byte[usize::from(b)] && !ASCII_WORD[usize::from(b)])
                .collect(),
        })
    }

    /// Which automaton was built, and its size: for benchmarks and
    /// diagnostics.
    pub fn describe(&self) -> String {
        format!(
            "contiguous NFA, {} patterns, {} bytes",
            self.machine.patterns_len(),
            self.machine.memory_usage()
        )
    }

    /// Number of compiled patterns.
    pub fn pattern_count(&self) -> usize {
        self.rules.len()
    }

    /// All concept mentions in `text`, in order, not overlapping.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let mut out = Vec::new();
        self.find_into(text, &mut out);
        out
    }

    /// Like [`find`](Self::find), appending to `out` (cleared first) so a
    /// caller tagging many texts reuses one buffer.
    pub fn find_into(&self, text: &str, out: &mut Vec<Hit>) {
        out.clear();
        self.walk_word_starts(text, out);
        if out.len() > 1 {
            select_leftmost_longest(out);
        }
    }

    /// Walks the automaton from every position where a word may start and
    /// a pattern may begin.
    ///
    /// Runs of 64 ASCII bytes are classified without branching: bit masks
    /// of word characters and of possible first bytes give the walk starts
    /// at once. Stretches with other characters go char by char, since a
    /// curly quote or an accented letter decides a word boundary too.
    fn walk_word_starts(&self, text: &str, out: &mut Vec<Hit>) {
        let aut = &self.machine;
        let Ok(start) = aut.start_state(Anchored::Yes) else {
            return;
        };
        let bytes = text.as_bytes();
        let mut prev_word = false;
        let mut base = 0;
        while base < bytes.len() {
            let end = (base + 64).min(bytes.len());
            let chunk = &bytes[base..end];
            if chunk.is_ascii() {
                let block: [u8; 64] = chunk.try_into().unwrap_or_else(|_| {
                    let mut b = [0u8; 64];
                    b[..chunk.len()].copy_from_slice(chunk);
                    b
                });
                let (words, firsts) = masks(&block, &self.punct_first);
                let starts = firsts & !((words << 1) | u64::from(prev_word));
                let mut walks = self.first_words.screen(bytes, base, chunk.len(), words, starts);
                while walks != 0 {
                    let k = walks.trailing_zeros() as usize;
                    // The word's length, when it ends inside this chunk.
                    let run = (!(words >> k)).trailing_zeros() as usize;
                    let run = (k + run < chunk.len()).then_some(run);
                    let i = base + k;
                    if self.first_words.may_begin(bytes, i, run) {
                        self.walk(aut, start, text, i, out);
                    }
                    walks &= walks - 1;
                }
                prev_word = words >> (chunk.len() - 1) & 1 == 1;
                base = end;
            } else {
                // Char by char to the end of the chunk (or just past it,
                // when a character straddles it).
                while base < end {
                    let (word, len) = char_class(text, base);
                    if !prev_word
                        && self.first_byte[usize::from(bytes[base])]
                        && self.first_words.may_begin(bytes, base, None)
                    {
                        self.walk(aut, start, text, base, out);
                    }
                    prev_word = word;
                    base += len;
                }
            }
        }
    }

    /// Follows the automaton from `from` for as long as some pattern can
    /// still match, recording the matches that pass their rules.
    fn walk<A: Automaton>(&self, aut: &A, start: StateID, text: &str, from: usize, out: &mut Vec<Hit>) {
        let bytes = text.as_bytes();
        let mut sid = start;
        for (j, &b) in bytes.iter().enumerate().skip(from) {
            sid = aut.next_state(Anchored::Yes, sid, b);
            if !aut.is_special(sid) {
                continue;
            }
            if aut.is_dead(sid) {
                return;
            }
            if aut.is_match(sid) {
                for k in 0..aut.match_len(sid) {
                    let pid = aut.match_pattern(sid, k);
                    // A match state also lists patterns that are suffixes of
                    // the path walked; only those starting here count.
                    if j + 1 - aut.pattern_len(pid) == from {
                        if let Some(hit) = self.check(pid.as_usize(), text, from, j + 1) {
                            out.push(hit);
                        }
                    }
                }
            }
        }
    }

    /// Applies pattern `p`'s rules to a candidate at `start..end`, which
    /// follows a non-word character.
    fn check(&self, p: usize, text: &str, start: usize, mut end: usize) -> Option<Hit> {
        let bytes = text.as_bytes();
        let rule = &self.rules[p];
        if let Some(exact) = &rule.exact {
            if bytes[start..end] != exact[..] {
                return None;
            }
        }
        if rule.plurals {
            end += plural_suffix(&bytes[end..]);
        }
        if is_word_char_at(text, end)
            || (rule.not_at_sentence_start && at_sentence_start(text, start))
            || (!rule.unless_prev.is_empty() && word_in(prev_word(text, start), &rule.unless_prev))
            || (!rule.unless_next.is_empty() && word_in(next_word(text, end), &rule.unless_next))
            || inside_url(bytes, start, end)
        {
            return None;
        }
        Some(Hit {
            start,
            end,
            concept: rule.concept as usize,
        })
    }
}

/// A filter of the words patterns begin with, checked before walking the
/// automaton from a word start.
///
/// Mentions are whole words, so a pattern matches at a word start only if
/// its first word (its leading run of ASCII word characters: "Node" for
/// "Node.js", "cloud" for "cloud native"; for a pattern that begins with
/// punctuation, that byte and the word after it: ".NET") is the text's word
/// there. Most words of a transcript begin no pattern, and a hash of the
/// word, looked up in a small bit set that stays in cache, rules them out
/// without touching the automaton. A one-word pattern that takes a plural
/// is entered with its suffixes too ("cloud", "clouds", "cloudes"), so the
/// text's word is looked up as it stands.
///
/// Many words that do begin a pattern are common ("the" of "The Linux
/// Foundation", "a" of "A/B testing", "kind" of the case-sensitive "Kind"),
/// so a second bit set holds what may follow the first word (the end of the
/// pattern, a punctuation byte, or a space and the next word's first two
/// bytes) together with the case of the word's first letter, which only
/// case-sensitive patterns constrain. A plural suffix after a one-letter
/// last word ("Plan 9s") is looked up as that word ending the pattern.
///
/// The bit sets may answer yes wrongly (the walk then finds nothing), never
/// no wrongly. Words running into a non-ASCII character are always walked,
/// and so is punctuation that some pattern begins with and follows with
/// more punctuation.
#[derive(Debug, Clone)]
struct FirstWords {
    bits: Vec<u64>,
    mask: u64,
    follows: Vec<u64>,
    follow_mask: u64,
    /// ASCII punctuation a pattern begins with and follows with no word.
    punct_alone: [bool; 128],
}

/// What follows a pattern's first word, as [`FirstWords`] keys it.
const END: u64 = 1 << 20;
/// A space, then the next two bytes.
const SPACE_THEN: u64 = 1 << 17;
/// A one-letter second word, or a second word not made of ASCII word
/// characters: no second byte.
const NO_SECOND: u64 = 0x100;
/// The first word begins with an ASCII capital.
const CAPITAL: u64 = 1 << 21;

/// The first word of a pattern, or of the text at a word start.
enum Lead {
    /// Its hash, where it starts (after a leading punctuation byte) and
    /// its length.
    Word { h: u64, at: usize, run: usize },
    /// ASCII punctuation followed by no ASCII word character.
    Punct(u8),
    /// A non-ASCII character begins or ends it: not filtered.
    Unknown,
}

impl Lead {
    /// The first word at `i`, where a word of `run` ASCII word characters
    /// starts (`None`: count them).
    #[inline(always)]
    fn at(bytes: &[u8], i: usize, run: Option<usize>) -> Lead {
        let b = bytes[i];
        let (at, run) = if ASCII_WORD[usize::from(b)] {
            (i, run.unwrap_or_else(|| word_run(bytes, i)))
        } else if b.is_ascii() {
            match word_run(bytes, i + 1) {
                0 => return Lead::Punct(b),
                r => (i + 1, r),
            }
        } else {
            return Lead::Unknown;
        };
        if bytes.get(at + run).is_some_and(|c| !c.is_ascii()) {
            return Lead::Unknown;
        }
        let h = word_hash(&head16(bytes, at), run);
        // Punctuation in front makes it another word: ".NET" is not "NET".
        let h = if i < at {
            (h ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        } else {
            h
        };
        Lead::Word { h, at, run }
    }
}

impl FirstWords {
    /// The filter for `patterns`, each with its rule: whether its case
    /// must match and whether it takes a plural suffix.
    fn new<'a>(patterns: impl ExactSizeIterator<Item = (&'a str, &'a Rule)>) -> FirstWords {
        // About 16 bits per word keeps wrong answers near one in twenty;
        // the follow set, looked up only for words that begin a pattern,
        // holds up to two keys a pattern and gets four times the room.
        let size = (patterns.len() * 16).next_power_of_two().max(1 << 12);
        let mut f = FirstWords {
            bits: vec![0; size / 64],
            mask: size as u64 - 1,
            follows: vec![0; size * 4 / 64],
            follow_mask: size as u64 * 4 - 1,
            punct_alone: [false; 128],
        };
        for (p, rule) in patterns {
            let sensitive = rule.exact.is_some();
            let b = p.as_bytes();
            if b.is_empty() {
                continue;
            }
            match Lead::at(b, 0, None) {
                Lead::Word { h, at, run } => {
                    let key = follow_key(&b[at..], run);
                    f.insert(h, key, b[at], sensitive);
                    // A one-word pattern that takes a plural is also a
                    // first word with the suffix: the text's word then
                    // passes as it is, and the walk and the rule check
                    // decide.
                    if key == END && rule.plurals {
                        for suffix in ["s", "es"] {
                            let plural = [b, suffix.as_bytes()].concat();
                            if let Lead::Word { h, .. } = Lead::at(&plural, 0, None) {
                                f.insert(h, END, b[at], sensitive);
                            }
                        }
                    }
                }
                Lead::Punct(c) => f.punct_alone[usize::from(c)] = true,
                Lead::Unknown => {}
            }
        }
        f
    }

    /// Records a first word of hash `h` followed by `key`, whose first
    /// byte is `first`; both cases of it unless the pattern is `sensitive`.
    fn insert(&mut self, h: u64, key: u64, first: u8, sensitive: bool) {
        self.bits[slot(h, self.mask)] |= bit(h);
        let capital = if first.is_ascii_uppercase() { CAPITAL } else { 0 };
        for case in [capital, CAPITAL - capital] {
            let k = follow_hash(h, key | case);
            self.follows[slot(k, self.follow_mask)] |= bit(k);
            if sensitive {
                break;
            }
        }
    }

    /// The word starts among `starts` (bits of the chunk of `len` bytes
    /// at `base`, whose ASCII word characters are `words`) that may begin
    /// a pattern by their first word's hash alone; starts at punctuation
    /// and words running past the chunk are kept for [`may_begin`](Self::may_begin).
    ///
    /// Most words begin no pattern, and which ones do is as good as
    /// random, so a branch per word would be mispredicted often: every
    /// word of the chunk is hashed and looked up first, with no branch on
    /// the answer.
    #[inline(always)]
    fn screen(&self, bytes: &[u8], base: usize, len: usize, words: u64, starts: u64) -> u64 {
        let mut kept = starts & !words;
        let mut left = starts & words;
        while left != 0 {
            let k = left.trailing_zeros() as usize;
            let run = (!(words >> k)).trailing_zeros() as usize;
            let pass = if k + run < len {
                self.has(word_hash(&head16(bytes, base + k), run))
            } else {
                true
            };
            kept |= u64::from(pass) << k;
            left &= left - 1;
        }
        kept
    }

    fn has(&self, h: u64) -> bool {
        self.bits[slot(h, self.mask)] & bit(h) != 0
    }

    fn follows(&self, h: u64, key: u64) -> bool {
        let k = follow_hash(h, key);
        self.follows[slot(k, self.follow_mask)] & bit(k) != 0
    }

    /// Whether a pattern may begin at `i`, where a word of `run` ASCII word
    /// characters starts (`None`: count them).
    #[inline(always)]
    fn may_begin(&self, bytes: &[u8], i: usize, run: Option<usize>) -> bool {
        if let Some(run) = run.filter(|_| ASCII_WORD[usize::from(bytes[i])]) {
            return self.may_begin_word(bytes, i, run);
        }
        match Lead::at(bytes, i, run) {
            Lead::Word { h, at, run } => self.may_follow(h, bytes, at, run),
            Lead::Punct(c) => self.punct_alone[usize::from(c)],
            Lead::Unknown => true,
        }
    }

    /// [`may_begin`](Self::may_begin) for the common case: a word of `run`
    /// ASCII word characters, followed by an ASCII byte or the end.
    #[inline(always)]
    fn may_begin_word(&self, bytes: &[u8], i: usize, run: usize) -> bool {
        self.may_follow(word_hash(&head16(bytes, i), run), bytes, i, run)
    }

    /// Whether a pattern may begin with the first word `at..at + run` of
    /// hash `h` and go on as the text does.
    #[inline(always)]
    fn may_follow(&self, h: u64, bytes: &[u8], at: usize, run: usize) -> bool {
        if !self.has(h) {
            return false;
        }
        let case = if bytes[at].is_ascii_uppercase() { CAPITAL } else { 0 };
        let key = follow_key(&bytes[at..], run) | case;
        // "Plan 9s": a plural suffix after a one-letter last word.
        let plural_after_letter = key & SPACE_THEN != 0 && matches!(key & 0xff, 0x65 | 0x73);
        self.follows(h, END | case)
            || self.follows(h, key)
            || (plural_after_letter && self.follows(h, (key & !0xff) | NO_SECOND))
    }
}

/// What follows the first word (`run` bytes) of `b`: [`END`], a byte other
/// than a space, or a space and the next two bytes (ASCII letters folded),
/// the second [`NO_SECOND`] unless both are ASCII word characters. The
/// same for a pattern and for the text it matches, but for a plural
/// suffix right after a one-letter second word.
fn follow_key(b: &[u8], run: usize) -> u64 {
    match b.get(run) {
        None => END,
        Some(b' ') => {
            let first = b.get(run + 1).copied().unwrap_or(0);
            let second = match b.get(run + 2) {
                Some(&c) if ASCII_WORD[usize::from(first)] && ASCII_WORD[usize::from(c)] => u64::from(c | 0x20),
                _ => NO_SECOND,
            };
            SPACE_THEN | u64::from(first | 0x20) << 9 | second
        }
        Some(&c) => u64::from(c),
    }
}

/// The word of a bit set of `mask + 1` bits that holds hash `h`'s bit.
fn slot(h: u64, mask: u64) -> usize {
    (h & mask) as usize / 64
}

/// Hash `h`'s bit within its word.
fn bit(h: u64) -> u64 {
    1 << (h & 63)
}

fn follow_hash(h: u64, key: u64) -> u64 {
    let k = (h ^ key.wrapping_mul(0x9e37_79b9_7f4a_7c15)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    k ^ (k >> 29)
}

/// The number of ASCII word characters from `i` on.
fn word_run(bytes: &[u8], i: usize) -> usize {
    bytes[i..].iter().take_while(|&&c| ASCII_WORD[usize::from(c)]).count()
}

/// The 16 bytes from `i` on, zero-padded.
fn head16(bytes: &[u8], i: usize) -> [u8; 16] {
    match bytes.get(i..i + 16) {
        Some(b) => b.try_into().unwrap_or([0; 16]),
        None => {
            let mut buf = [0; 16];
            let n = bytes.len().saturating_sub(i).min(16);
            buf[..n].copy_from_slice(&bytes[i..i + n]);
            buf
        }
    }
}

/// A hash of a word's length and its first 16 bytes, ASCII case folded
/// (`| 0x20` folds letters and leaves digits alone; what it does to `_` it
/// does alike on both sides). Longer words share a hash more often, which
/// costs a walk, never a mention.
fn word_hash(head: &[u8; 16], len: usize) -> u64 {
    const FOLD: u64 = 0x2020_2020_2020_2020;
    let (lo, hi) = head.split_at(8);
    let lo = u64::from_le_bytes(lo.try_into().unwrap_or_default()) | FOLD;
    let mut x = if len < 8 { lo & ((1 << (8 * len)) - 1) } else { lo };
    // Most words fit in eight bytes: the second half only for the others.
    if len > 8 {
        let hi = u64::from_le_bytes(hi.try_into().unwrap_or_default()) | FOLD;
        let hi = if len < 16 {
            hi & ((1 << (8 * (len - 8))) - 1)
        } else {
            hi
        };
        x ^= hi.rotate_left(29).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    // Both halves of a 128-bit product: every byte reaches every bit.
    let m = u128::from(x ^ len as u64) * 0xbf58_476d_1ce4_e5b9;
    m as u64 ^ (m >> 64) as u64
}

/// Bit `k` set where `block[k]` is an ASCII word character, or (in
/// `firsts`) one of `punct`. The block holds ASCII only.
fn masks(block: &[u8; 64], punct: &[u8]) -> (u64, u64) {
    use crate::bytes::mask64;
    let words = mask64(block, |b| b.is_ascii_alphanumeric() || b == b'_');
    let mut firsts = words;
    for &p in punct {
        firsts |= mask64(block, |b| b == p);
    }
    (words, firsts)
}

/// ASCII letters, digits and `_`: the word characters of ASCII.
const ASCII_WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    t
};

/// Whether the character at byte `i` (a char boundary) is a word
/// character, and its length in bytes.
fn char_class(text: &str, i: usize) -> (bool, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        return (b.is_ascii_alphanumeric() || b == b'_', 1);
    }
    match text[i..].chars().next() {
        Some(c) => (is_word_char(c), c.len_utf8()),
        None => (false, 1),
    }
}

/// Keeps the leftmost-longest, non-overlapping hits.
fn select_leftmost_longest(hits: &mut Vec<Hit>) {
    hits.sort_unstable_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(a.concept.cmp(&b.concept))
    });
    let mut last_end = 0;
    hits.retain(|h| {
        if h.start >= last_end {
            last_end = h.end;
            true
        } else {
            false
        }
    });
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_word_char_at(text: &str, i: usize) -> bool {
    text[i..].chars().next().is_some_and(is_word_char)
}

/// Length of an `s` or `es` suffix that ends a word at the start of `rest`.
fn plural_suffix(rest: &[u8]) -> usize {
    let ends_word = |i: usize| {
        rest.get(i)
            .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80))
    };
    match rest {
        [b's' | b'S', ..] if ends_word(1) => 1,
        [b'e' | b'E', b's' | b'S', ..] if ends_word(2) => 2,
        _ => 0,
    }
}

/// Whether `i` starts a sentence: only spaces, quotes or brackets lie
/// between it and the text's start, a line break or `.`, `!`, `?`, `…`.
fn at_sentence_start(text: &str, i: usize) -> bool {
    for c in text[..i].chars().rev() {
        match c {
            ' ' | '\t' | '"' | '\'' | '“' | '‘' | '(' | '[' | '*' | '_' | '–' | '—' | '-' => {
                continue;
            }
            '\n' | '.' | '!' | '?' | '…' => return true,
            _ => return false,
        }
    }
    true
}

fn prev_word(text: &str, i: usize) -> &str {
    let before = text[..i].trim_end();
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !is_word_char(*c))
        .map(|(j, c)| j + c.len_utf8())
        .unwrap_or(0);
    &before[start..]
}

fn next_word(text: &str, i: usize) -> &str {
    let after = text[i..].trim_start();
    let end = after
        .char_indices()
        .find(|(_, c)| !is_word_char(*c))
        .map(|(j, _)| j)
        .unwrap_or(after.len());
    &after[..end]
}

fn word_in(word: &str, list: &[String]) -> bool {
    !word.is_empty()
        && list
            .iter()
            .any(|w| w.eq_ignore_ascii_case(word) || *w == crate::names::fold(word))
}

/// Whether the whitespace-delimited token around a match is a URL or an
/// e-mail address: "twitter.com/thepodlets" is not a mention of Twitter.
fn inside_url(bytes: &[u8], start: usize, end: usize) -> bool {
    const LOOK: usize = 256;
    let lo = start.saturating_sub(LOOK);
    let tok_start = bytes[lo..start]
        .iter()
        .rposition(|b| b.is_ascii_whitespace() || *b == b'(' || *b == b'<')
        .map(|p| lo + p + 1)
        .unwrap_or(lo);
    let hi = (end + LOOK).min(bytes.len());
    let tok_end = bytes[end..hi]
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b')' || *b == b'>')
        .map(|p| end + p)
        .unwrap_or(hi);
    let tok = &bytes[tok_start..tok_end];
    let has = |needle: &[u8]| tok.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
    if has(b"://") || has(b"www.") {
        return true;
    }
    // A bare domain right after the match: "kubernetes.io", "slack.k8s.io".
    let after = &bytes[end..tok_end];
    if let Some(rest) = after.strip_prefix(b".") {
        let tld: Vec<u8> = rest
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .map(u8::to_ascii_lowercase)
            .collect();
        let next = rest.get(tld.len());
        let tld_ends = next.is_none_or(|b| matches!(b, b'/' | b'.' | b',' | b';' | b':' | b'"' | b'\''));
        if tld_ends
            && matches!(
                tld.as_slice(),
                b"com" | b"io" | b"org" | b"net" | b"dev" | b"co" | b"sh" | b"app"
            )
        {
            return true;
        }
    }
    tok[..start - tok_start].contains(&b'@')
}

/// The bytes that end a sentence, for quotes ([`snippet`]) and the speaker
/// clues' last sentence of a turn.
pub(crate) const SENTENCE_ENDS: &[u8] = b".!?\n";

/// The sentence around a span, at most about `max` bytes, with the span's
/// offsets inside the snippet. Used as the evidence quote of a mention.
pub fn snippet(text: &str, start: usize, end: usize, max: usize) -> (String, usize, usize) {
    let at = snippet_bounds(text, start, end, max);
    (text[at.clone()].to_string(), start - at.start, end - at.start)
}

/// Where [`snippet`] lies in `text`: the quote is `&text[bounds]`, to be
/// copied where the caller keeps its quotes.
pub fn snippet_bounds(text: &str, start: usize, end: usize, max: usize) -> std::ops::Range<usize> {
    let half = max.saturating_sub(end - start) / 2;
    let mut s = start.saturating_sub(half);
    while !text.is_char_boundary(s) {
        s -= 1;
    }
    // Start after the last sentence end before the match, if within reach.
    // The marks are ASCII, found by their bytes eight at a time.
    if let Some(p) = crate::bytes::rfind_any(&text.as_bytes()[s..start], SENTENCE_ENDS) {
        s += p + 1;
    }
    let mut e = (end + half).min(text.len());
    while !text.is_char_boundary(e) {
        e += 1;
    }
    if let Some(p) = crate::bytes::find_any(&text.as_bytes()[end..e], SENTENCE_ENDS) {
        e = end + p + 1;
    }
    // Closing quotes or brackets left over from the previous sentence.
    let head = &text[s..start];
    let trimmed = head.trim_start_matches(|c: char| c.is_whitespace() || "”’\")]},;:".contains(c));
    s += head.len() - trimmed.len();
    s..s + text[s..e].trim_end().len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Diagnostics;
    use crate::dictionary::Source;

    fn tagger(yaml: &str) -> (Dictionary, Tagger) {
        let mut diags = Diagnostics::default();
        let d = Dictionary::load(
            &[Source {
                name: "t.yaml".into(),
                text: yaml.into(),
            }],
            &mut diags,
        );
        assert!(diags.is_empty(), "{diags:?}");
        let t = Tagger::new(&d).unwrap();
        (d, t)
    }

    fn names(d: &Dictionary, t: &Tagger, text: &str) -> Vec<String> {
        t.find(text)
            .iter()
            .map(|h| format!("{}={}", d.concepts[h.concept].name, &text[h.start..h.end]))
            .collect()
    }

    const DICT: &str = r#"
kind: technology
entries:
  - name: Kubernetes
    aliases: [K8s, kube]
  - name: Amazon Fargate
    aliases: [Fargate]
  - name: Kubernetes Dashboard
  - name: Go
    case: sensitive
    not_at_sentence_start: true
    unless_next: [ahead]
    aliases:
      - { text: Golang, case: insensitive, not_at_sentence_start: false }
  - name: Helm
    case: sensitive
  - name: Node.js
  - name: CI/CD
  - name: C++
  - name: .NET
  - name: Google
    kind: organization
  - name: cloud native
    kind: topic
  - name: cloud
    kind: topic
  - name: Kris Nóva
    kind: person
  - name: Conway's Law
    kind: topic
  - name: Plan 9
    aliases: [The Linux Foundation, A/B testing, T-Mobile, A B]
  - name: Twitter
    kind: organization
  - name: Kind
    case: sensitive
  - name: IPv6 loopback
    aliases: ["::1", "(ISC)²", "@scope/pkg", "The C Book"]
"#;

    #[test]
    fn finds_true_mentions() {
        let (d, t) = tagger(DICT);
        assert_eq!(
            names(&d, &t, "We run K8s on Amazon Fargate, written in Go and Golang."),
            vec!["Kubernetes=K8s", "Amazon Fargate=Amazon Fargate", "Go=Go", "Go=Golang"]
        );
        assert_eq!(
            names(&d, &t, "Kubernetes' API and Google's."),
            vec!["Kubernetes=Kubernetes", "Google=Google"]
        );
        assert_eq!(
            names(&d, &t, "Node.js, CI/CD, C++ and .NET."),
            vec!["Node.js=Node.js", "CI/CD=CI/CD", "C++=C++", ".NET=.NET"]
        );
    }

    #[test]
    fn ordinary_words_are_not_tagged() {
        let (d, t) = tagger(DICT);
        assert!(names(&d, &t, "Let's go there, it's kind of a helm thing.").is_empty());
        assert!(names(&d, &t, "Go ahead. Go for it. I want to Go ahead too.").is_empty());
        assert!(names(&d, &t, "Kubernetesy cubernetes fargates").is_empty());
    }

    #[test]
    fn rules_apply_before_longest_choice() {
        let (d, t) = tagger(DICT);
        assert_eq!(names(&d, &t, "Kubernetes Dashboards"), vec!["Kubernetes=Kubernetes"]);
        assert_eq!(
            names(&d, &t, "Many cloud natives agree."),
            vec!["cloud native=cloud natives"]
        );
        assert_eq!(names(&d, &t, "cloud native apps"), vec!["cloud native=cloud native"]);
        assert_eq!(names(&d, &t, "Most clouds"), vec!["cloud=clouds"]);
    }

    #[test]
    fn unicode_boundaries_accents_and_apostrophes() {
        let (d, t) = tagger(DICT);
        assert_eq!(names(&d, &t, "Hi Kris Nova!"), vec!["Kris Nóva=Kris Nova"]);
        assert_eq!(names(&d, &t, "KRIS NÓVA"), vec!["Kris Nóva=KRIS NÓVA"]);
        assert_eq!(names(&d, &t, "Conway’s Law applies"), vec!["Conway's Law=Conway’s Law"]);
        assert!(names(&d, &t, "éGoogle Googleé").is_empty());
    }

    #[test]
    fn urls_are_not_mentions() {
        let (d, t) = tagger(DICT);
        assert!(names(&d, &t, "see https://twitter.com/ThePodlets or kubernetes.io/docs").is_empty());
        assert_eq!(
            names(&d, &t, "I use Twitter. Kubernetes."),
            vec!["Twitter=Twitter", "Kubernetes=Kubernetes"]
        );
    }

    #[test]
    fn snippets_hold_the_sentence() {
        let text = "First sentence. We run Kubernetes at work. Third one.";
        let start = text.find("Kubernetes").unwrap();
        let (s, a, b) = snippet(text, start, start + 10, 200);
        assert_eq!(s, "We run Kubernetes at work.");
        assert_eq!(&s[a..b], "Kubernetes");
        let text = "He said “no.” We run Kubernetes.";
        let start = text.find("Kubernetes").unwrap();
        let (s, _, _) = snippet(text, start, start + 10, 200);
        assert_eq!(s, "We run Kubernetes.");
    }

    #[test]
    fn patterns_led_by_punctuation_or_a_capital() {
        let (d, t) = tagger(DICT);
        assert_eq!(
            names(&d, &t, "Ping ::1 or (ISC)², then .NET... and @scope/pkg."),
            vec![
                "IPv6 loopback=::1",
                "IPv6 loopback=(ISC)²",
                ".NET=.NET",
                "IPv6 loopback=@scope/pkg"
            ]
        );
        assert_eq!(names(&d, &t, "a kind of Kind, kind of"), vec!["Kind=Kind"]);
        assert_eq!(
            names(&d, &t, "the community read The C Book"),
            vec!["IPv6 loopback=The C Book"]
        );
    }

    /// The plain way to do the same job: an unanchored overlapping scan of
    /// every byte, each candidate then checked for a word start. The
    /// anchored walk must find exactly what this finds.
    fn reference(t: &Tagger, d: &Dictionary, text: &str) -> Vec<Hit> {
        let texts: Vec<&str> = d.patterns.iter().map(|p| p.text.as_str()).collect();
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&texts)
            .unwrap();
        let mut out: Vec<Hit> = ac
            .find_overlapping_iter(text)
            .filter(|m| !text[..m.start()].chars().next_back().is_some_and(is_word_char))
            .filter_map(|m| t.check(m.pattern().as_usize(), text, m.start(), m.end()))
            .collect();
        select_leftmost_longest(&mut out);
        out
    }

    proptest::proptest! {
        /// Sentence ends found by their bytes cut the quote where a search
        /// for the characters would.
        #[test]
        fn snippets_cut_where_a_char_search_cuts(
            text in "[a .!?\n”’\")é日]{0,60}",
            a in 0usize..60,
            len in 0usize..8,
            max in 0usize..40,
        ) {
            let start = (0..=a.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            let end = (start..=(start + len).min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(start);
            let half = max.saturating_sub(end - start) / 2;
            let mut s = start.saturating_sub(half);
            while !text.is_char_boundary(s) {
                s -= 1;
            }
            if let Some(p) = text[s..start].rfind(['.', '!', '?', '\n']) {
                s += p + 1;
            }
            let mut e = (end + half).min(text.len());
            while !text.is_char_boundary(e) {
                e += 1;
            }
            if let Some(p) = text[end..e].find(['.', '!', '?', '\n']) {
                e = end + p + 1;
            }
            let head = &text[s..start];
            let trimmed = head.trim_start_matches(|c: char| c.is_whitespace() || "”’\")]},;:".contains(c));
            s += head.len() - trimmed.len();
            let expected = (text[s..e].trim_end().to_string(), start - s, end - s);
            proptest::prop_assert_eq!(snippet(&text, start, end, max), expected);
        }
    }

    proptest::proptest! {
        #[test]
        fn anchored_walk_finds_what_a_full_scan_finds(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "Kubernetes", "kube", "k8s", "Go", "go", "golang", "Golang", "Helm", "helm", "Node.js",
                    "node", "CI/CD", "C++", "C", ".NET", "net", "Google", "cloud", "cloud native", "natives",
                    "Kris", "Nóva", "Nova", "Conway's Law", "Twitter", "twitter.com/x", "Fargate", "Amazon",
                    " ", " ", "  ", ".", ". ", ",", "\n", "-", "_", "é", "日本", "’", "'", "(", ")", "s", "es",
                    "http://", "@", "Dashboard", "ahead", "x", "The", "the ", "Plan", "9", "A", "a", "/B", "B",
                    "Foundation", "Linux", "t", "T-", "Mobile", "Kind", "kind", "Kinds", "::", "1", "ISC", ")²",
                    "...", "@scope", "/pkg", "c", "C ", "Book", "communi",
                ]),
                0..40,
            )
        ) {
            let (d, t) = tagger(DICT);
            let text: String = parts.concat();
            proptest::prop_assert_eq!(t.find(&text), reference(&t, &d, &text));
        }
    }

    proptest::proptest! {
        #[test]
        fn masks_mark_each_byte(block in proptest::array::uniform32(0u8..0x80), more in proptest::array::uniform32(0u8..0x80)) {
            let mut whole = [0u8; 64];
            whole[..32].copy_from_slice(&block);
            whole[32..].copy_from_slice(&more);
            let (words, firsts) = masks(&whole, b".@");
            for (k, &b) in whole.iter().enumerate() {
                let word = b.is_ascii_alphanumeric() || b == b'_';
                proptest::prop_assert_eq!(words >> k & 1 == 1, word);
                proptest::prop_assert_eq!(firsts >> k & 1 == 1, word || b == b'.' || b == b'@');
            }
        }
    }
}
