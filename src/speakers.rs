//! Speaker resolution: which person is behind each turn's label.
//!
//! Labels in real transcripts are initials, typos and stock voices. This
//! module resolves them the way a careful reader would, in two steps:
//!
//! 1. [`extract`] runs while an episode's text is at hand (in parallel,
//!    per file). It lists the episode's [`Candidate`]s (hosts, guests,
//!    people linked in the notes and links, the people directory, and
//!    anyone who introduces themself) and gathers [`Evidence`] from the
//!    turns: self-introductions ("I'm Kris Nova", "my name is Duffy",
//!    "Jed Salazar here"), names addressed in the previous turn ("Brian, you
//!    want to give us an intro?") and names a label says about someone else.
//!    It keeps a fingerprint of each long turn so that stock announcements
//!    can be recognised across episodes. The text is then dropped.
//! 2. [`resolve`] runs once every episode is read. Labels are taken from
//!    the most to the least used; each is scored against every candidate
//!    from its initials (exact, prefix or one letter off), the evidence, the
//!    candidate's standing in the metadata, and whether it looks like a typo
//!    of a label already resolved (`CCC` after `CC`). The best candidate
//!    above a threshold wins; otherwise the label stays unresolved, visible
//!    under its own name and reported, never merged into someone else.
//!    Turns whose text is a stock announcement (the same words the show's
//!    announcer reads in other episodes) belong to the announcer, whatever
//!    their label.
//!
//! Every decision carries its reasons so that `podgraph speakers` can show
//! an editor why a label was read as it was.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::episode::{Episode, PersonRef};
use crate::names;
use crate::people::Directory;
use crate::transcript::markdown_links;

/// Where a candidate speaker comes from; also their standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Listed in `hosts`.
    Host,
    /// Listed in `guests`.
    Guest,
    /// Linked in the show notes or description.
    Notes,
    /// Named in the `links` list.
    Link,
    /// In the people directory.
    Directory,
    /// Introduced themself in the transcript.
    Introduction,
    /// The label itself is a name (`Gerhard Lazu:`).
    Label,
}

impl Origin {
    fn prior(self) -> f32 {
        match self {
            Origin::Host | Origin::Guest => 1.0,
            Origin::Notes => 0.75,
            Origin::Link | Origin::Directory | Origin::Introduction => 0.25,
            Origin::Label => 0.0,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Origin::Host => "host in the front matter",
            Origin::Guest => "guest in the front matter",
            Origin::Notes => "linked in the show notes",
            Origin::Link => "named in the episode's links",
            Origin::Directory => "in the people directory",
            Origin::Introduction => "introduced themself",
            Origin::Label => "named by the label",
        }
    }
}

/// A person's part in an episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Hosts the show.
    Host,
    /// Invited guest.
    Guest,
    /// Speaks, but the metadata does not say in which role.
    Other,
}

impl Role {
    /// Lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Host => "host",
            Role::Guest => "guest",
            Role::Other => "other",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Someone who might be speaking in an episode.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Display name.
    pub name: String,
    /// Best origin (the most authoritative source naming them).
    pub origin: Origin,
    words: Vec<String>,
}

impl Candidate {
    fn new(name: &str, origin: Origin) -> Option<Candidate> {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        let words = names::name_words(&name);
        (!words.is_empty()).then_some(Candidate { name, origin, words })
    }

    fn initials(&self) -> String {
        names::initials(&self.name)
    }

    fn first(&self) -> &str {
        &self.words[0]
    }

    fn last(&self) -> Option<&str> {
        (self.words.len() > 1).then(|| self.words[self.words.len() - 1].as_str())
    }
}

/// What a turn says about who is who.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// The speaker introduces themself by this name.
    SelfIntroduction,
    /// The previous turn, by another label, ends by naming this person.
    Addressed,
    /// The label names this person as someone else ("Sorry, Brian").
    NamesOther,
}

/// One clue tying a label to a candidate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evidence {
    /// Index into [`Clues::labels`].
    pub label: usize,
    /// Index into [`Clues::candidates`].
    pub candidate: usize,
    /// What kind of clue.
    pub kind: EvidenceKind,
    /// File line of the turn holding the clue.
    pub line: usize,
}

/// Everything speaker resolution needs from one episode, without its text.
#[derive(Debug, Clone, Default)]
pub struct Clues {
    /// Candidates, deduplicated by name key.
    pub candidates: Vec<Candidate>,
    /// Distinct labels in order of first use.
    pub labels: Vec<String>,
    /// Per turn: index into `labels`, or `None` for unlabelled text.
    pub turn_labels: Vec<Option<usize>>,
    /// Per turn: fingerprint of its opening words (0 for short turns).
    pub turn_prints: Vec<u64>,
    /// Per turn: number of words.
    pub turn_words: Vec<u32>,
    /// Clues found in the turns.
    pub evidence: Vec<Evidence>,
}

/// Labels that name a stock voice rather than a person.
pub fn is_announcer_label(label: &str) -> bool {
    matches!(
        names::fold(label).as_str(),
        "announcer" | "narrator" | "voiceover" | "voice over" | "vo" | "intro" | "outro" | "promo" | "ad" | "sponsor"
    )
}

/// A label that is itself a person's name (`Gerhard Lazu`, `Kris Nóva`),
/// as opposed to initials (`CC`) or a role (`ANNOUNCER`).
pub fn is_name_label(label: &str) -> bool {
    label.chars().any(char::is_lowercase)
        && crate::transcript::labels::is_name_label(label)
        && !is_announcer_label(label)
}

/// A label without the decorations some transcripts add around names
/// (`Paul Frazee✌`): symbols and emoji at either end.
pub fn clean_label(label: &str) -> &str {
    // "Mireille Reece, PsyD": a title after a comma is not the name.
    let name = match label.split_once(',') {
        Some((name, rest)) if rest.split_whitespace().count() <= 2 => name,
        _ => label,
    };
    name.trim_matches(|c: char| !(c.is_alphanumeric() || c == '.' || c == '\''))
}

/// Words that are capitalised in speech but never a name after "I'm".
const NOT_NAMES: &[&str] = &[
    "a", "an", "the", "not", "so", "just", "really", "sure", "here", "going", "glad", "happy", "excited", "good",
    "fine", "back", "also", "still", "with", "from", "at", "in", "on", "from", "very", "super", "actually", "sorry",
    "thinking", "curious", "trying", "like", "gonna", "always", "now", "one",
];

/// Gathers candidates and evidence from a parsed episode.
pub fn extract(episode: &Episode, directory: &Directory) -> Clues {
    let mut clues = Clues::default();
    let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
    let mut add = |clues: &mut Clues, name: &str, origin: Origin| -> Option<usize> {
        let c = Candidate::new(name, origin)?;
        let key = c.words.join(" ");
        match by_key.get(&key) {
            Some(&i) => {
                let existing = &mut clues.candidates[i];
                existing.origin = existing.origin.min(origin);
                Some(i)
            }
            None => {
                clues.candidates.push(c);
                by_key.insert(key, clues.candidates.len() - 1);
                Some(clues.candidates.len() - 1)
            }
        }
    };
    let meta = &episode.meta;
    let listed = |people: &[PersonRef]| people.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
    for n in listed(&meta.hosts) {
        add(&mut clues, &n, Origin::Host);
    }
    for n in listed(&meta.guests) {
        add(&mut clues, &n, Origin::Guest);
    }
    for field in [&meta.notes, &meta.description].into_iter().flatten() {
        for l in markdown_links(field) {
            if looks_like_person(&l.name) {
                add(&mut clues, &l.name, Origin::Notes);
            }
        }
    }
    for l in &meta.links {
        let name = strip_profile_suffix(&l.name);
        if looks_like_person(name) {
            add(&mut clues, name, Origin::Link);
        }
    }
    for p in directory.iter() {
        add(&mut clues, &p.name, Origin::Directory);
    }

    // Labels, and names written as labels.
    let mut label_index: BTreeMap<&str, usize> = BTreeMap::new();
    let turns = episode.turns.len();
    clues.turn_labels.reserve_exact(turns);
    clues.turn_prints.reserve_exact(turns);
    clues.turn_words.reserve_exact(turns);
    for t in &episode.turns {
        let idx = t.label.as_deref().map(|l| {
            *label_index.entry(l).or_insert_with(|| {
                clues.labels.push(l.to_string());
                clues.labels.len() - 1
            })
        });
        clues.turn_labels.push(idx);
        clues.turn_prints.push(fingerprint(&t.text));
        clues
            .turn_words
            .push(u32::try_from(word_count(&t.text)).unwrap_or(u32::MAX));
    }
    // Names written as labels, the most used spelling first, so that a
    // misspelt label ("Gehard Lazu") is read as the usual one, not added as
    // someone else.
    let mut used: BTreeMap<usize, usize> = BTreeMap::new();
    for l in clues.turn_labels.iter().flatten() {
        *used.entry(*l).or_default() += 1;
    }
    let mut by_use: Vec<usize> = (0..clues.labels.len()).collect();
    by_use.sort_by(|a, b| {
        used.get(b)
            .cmp(&used.get(a))
            .then(clues.labels[*a].cmp(&clues.labels[*b]))
    });
    for l in by_use {
        let name = clean_label(&clues.labels[l]).to_string();
        let known = clues
            .candidates
            .iter()
            .any(|c| c.origin == Origin::Label && name_refers_to(&name, c));
        if is_name_label(&name) && !known {
            add(&mut clues, &name, Origin::Label);
        }
    }

    // Self-introductions may name people the metadata never mentions.
    // The capitalised words of each labelled turn's edges are read in the
    // same pass, for the names said below: `spans[turn]` is where the
    // turn's words start in `words`, where its tail's start, and where
    // they end.
    let mut intros: Vec<(usize, String, usize)> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    let mut spans = vec![(0, 0, 0); turns];
    let mut names = Vec::new();
    for (i, t) in episode.turns.iter().enumerate() {
        let Some(label) = clues.turn_labels[i] else {
            continue;
        };
        names.clear();
        let from = words.len();
        let tail_from = read_edges(&t.text, &mut names, Some(&mut words));
        spans[i] = (from, tail_from, words.len());
        intros.extend(names.drain(..).map(|name| (label, name, t.line)));
    }
    for (label, name, line) in intros {
        let known = clues.candidates.iter().position(|c| name_refers_to(&name, c));
        let cand = match known {
            Some(c) => Some(c),
            // A stranger's full name counts only if it fits the label.
            None if names::name_words(&name).len() >= 2
                && label_fits_initials(&clues.labels[label], &names::initials(&name)) =>
            {
                add(&mut clues, &name, Origin::Introduction)
            }
            None => None,
        };
        if let Some(candidate) = cand {
            clues.evidence.push(Evidence {
                label,
                candidate,
                kind: EvidenceKind::SelfIntroduction,
                line,
            });
        }
    }

    // Names in the closing words of a turn point at the next speaker; names
    // a label says outside an introduction are someone else.
    let finder = NameFinder::new(&clues.candidates);
    // Who introduced themselves on each line, gathered once: looking it up
    // in the evidence turn by turn would cost turns times evidence.
    let mut intros_at: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for e in clues
        .evidence
        .iter()
        .filter(|e| e.kind == EvidenceKind::SelfIntroduction)
    {
        intros_at.entry(e.line).or_default().push(e.candidate);
    }
    let mut prev: Option<(usize, Vec<usize>)> = None;
    for (i, t) in episode.turns.iter().enumerate() {
        let Some(label) = clues.turn_labels[i] else {
            prev = None;
            continue;
        };
        if let Some((prev_label, named)) = &prev {
            if *prev_label != label {
                for &c in named {
                    clues.evidence.push(Evidence {
                        label,
                        candidate: c,
                        kind: EvidenceKind::Addressed,
                        line: t.line,
                    });
                }
            }
        }
        let intro_cands: &[usize] = intros_at.get(&t.line).map_or(&[], Vec::as_slice);
        let (head, tail) = edges(&t.text, 400);
        let (first, tail_from, end) = spans[i];
        let (head_words, tail_words) = (&words[first..tail_from], &words[tail_from..end]);
        let mut named_here: Vec<usize> = finder.find(head_words);
        named_here.extend(finder.find(tail_words));
        named_here.sort_unstable();
        named_here.dedup();
        for &c in &named_here {
            if !intro_cands.contains(&c) {
                clues.evidence.push(Evidence {
                    label,
                    candidate: c,
                    kind: EvidenceKind::NamesOther,
                    line: t.line,
                });
            }
        }
        // The last sentence lies in the head or the tail, usually: its
        // words are theirs, found already.
        let last = last_sentence(&t.text);
        let from = |part: &str, words: &[&str]| -> Option<Vec<usize>> {
            let at = |s: &str| s.as_ptr() as usize;
            let inside = at(last) >= at(part) && at(last) + last.len() <= at(part) + part.len();
            inside.then(|| finder.find(&words[words.partition_point(|w| at(w) < at(last))..]))
        };
        let mut closing = from(head, head_words)
            .or_else(|| from(tail, tail_words))
            .unwrap_or_else(|| finder.find(&capitalised_words(last)));
        closing.retain(|c| !intro_cands.contains(c));
        prev = Some((label, closing));
    }
    clues.evidence.sort();
    clues.evidence.dedup();
    clues
}

/// The first and last `n` bytes of a text (the whole text if short), cut
/// at char boundaries.
fn edges(text: &str, n: usize) -> (&str, &str) {
    if text.len() <= 2 * n {
        return (text, "");
    }
    let mut a = n;
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = text.len() - n;
    while !text.is_char_boundary(b) {
        b += 1;
    }
    (&text[..a], &text[b..])
}

fn last_sentence(text: &str) -> &str {
    let t = text.trim_end();
    let body = t.trim_end_matches(['.', '!', '?', '"', '”', ' ']);
    // ASCII marks: found by their bytes, as no other character holds them.
    match crate::bytes::rfind_any(body.as_bytes(), crate::tagger::SENTENCE_ENDS) {
        Some(p) => &t[p + 1..],
        None => t,
    }
}

/// Finds candidates named in a text: a word that matches a given name
/// (allowing "Duffy" for "Duffie"), or a full name.
struct NameFinder {
    /// Each candidate's index, given name and surname, grouped by the
    /// first byte of the given name: a word matches only given names with
    /// its own first letter, so it is compared with that group alone.
    firsts: Vec<(usize, String, Option<String>)>,
    /// `firsts[starts[b]..starts[b + 1]]` start with the byte `b`.
    starts: [u32; 257],
}

impl NameFinder {
    fn new(cands: &[Candidate]) -> NameFinder {
        let mut firsts: Vec<(usize, String, Option<String>)> = cands
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.first().to_string(), c.last().map(str::to_string)))
            .collect();
        let lead = |f: &str| f.bytes().next().map_or(0, usize::from);
        firsts.sort_by_key(|(i, f, _)| (lead(f), *i));
        let mut starts = [0u32; 257];
        for (_, f, _) in &firsts {
            starts[lead(f) + 1] += 1;
        }
        for b in 0..256 {
            starts[b + 1] += starts[b];
        }
        NameFinder { firsts, starts }
    }

    /// The given names that start with the byte `b`.
    fn group(&self, b: usize) -> &[(usize, String, Option<String>)] {
        &self.firsts[self.starts[b] as usize..self.starts[b + 1] as usize]
    }

    /// The candidates named by a text's [`capitalised_words`].
    fn find(&self, words: &[&str]) -> Vec<usize> {
        let mut out = Vec::new();
        for (wi, w) in words.iter().enumerate() {
            // Most capitalised words start with no candidate's initial,
            // which the groups tell before anything is folded.
            let initial = w.chars().next().map(|c| c.to_lowercase().next().unwrap_or(c));
            if initial.is_some_and(|i| i.is_ascii() && self.group(i as usize).is_empty()) {
                continue;
            }
            let mut buf = [0u8; 32];
            let folded = word_key(w, &mut buf);
            let Some(&lead) = folded.as_bytes().first() else {
                continue;
            };
            let matching = || {
                self.group(usize::from(lead))
                    .iter()
                    .filter(|(_, first, _)| names::keys_match(&folded, first))
            };
            let mut given = matching();
            let Some(one) = given.next() else {
                continue;
            };
            if given.next().is_none() {
                out.push(one.0);
                continue;
            }
            // Two people with one given name: only the surname decides.
            let mut next_buf = [0u8; 32];
            let next = words.get(wi + 1).map(|n| word_key(n, &mut next_buf));
            let mut full = matching().filter(|(_, _, last)| {
                last.as_deref()
                    .zip(next.as_deref())
                    .is_some_and(|(l, n)| names::keys_match(n, l))
            });
            if let (Some(f), None) = (full.next(), full.next()) {
                out.push(f.0);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// [`names::key`] of a word, without a new string for a plain ASCII word
/// of letters and digits, whose key is its lower case.
fn word_key<'b>(w: &str, buf: &'b mut [u8; 32]) -> Cow<'b, str> {
    let b = w.as_bytes();
    if b.len() <= buf.len() && b.iter().all(u8::is_ascii_alphanumeric) {
        for (to, from) in buf.iter_mut().zip(b) {
            *to = from.to_ascii_lowercase();
        }
        if let Ok(key) = std::str::from_utf8(&buf[..b.len()]) {
            return Cow::Borrowed(key);
        }
    }
    Cow::Owned(names::key(w))
}

/// Capitalised words in order, apostrophe suffixes cut ("Duffie's").
fn capitalised_words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut words = WordReader::default();
    for start in capitals(text.as_bytes()) {
        words.read(text, start, &mut out);
    }
    out
}

/// Reads [`capitalised_words`] one capital at a time, so that one pass
/// over a text's capitals can serve other readers too.
#[derive(Default)]
struct WordReader {
    /// Where the word last read ends.
    end: usize,
}

impl WordReader {
    /// Reads the word at `start`, a position from [`capitals`] (given in
    /// order), and adds it to `out` if it is a capitalised word.
    fn read<'t>(&mut self, text: &'t str, start: usize, out: &mut Vec<&'t str>) {
        // Words are runs of letters, digits, apostrophes and hyphens; ASCII
        // is classified a byte at a time from a table, other characters
        // decoded.
        let b = text.as_bytes();
        let word_char = |i: usize| -> (bool, usize) {
            match NAME_CHAR[usize::from(b[i])] {
                NameChar::Other => (false, 1),
                NameChar::Word => (true, 1),
                NameChar::Decode => {
                    let c = text[i..].chars().next().unwrap_or(' ');
                    (is_name_char(c), c.len_utf8())
                }
            }
        };
        // A capital inside the word just read is passed over.
        if start < self.end {
            return;
        }
        let mut i = start;
        let (word, len) = word_char(i);
        i += len;
        self.end = i;
        if !word {
            return;
        }
        while i < b.len() {
            let (word, len) = word_char(i);
            if !word {
                break;
            }
            i += len;
        }
        self.end = i;
        // Inside a word ("JavaScript"), it begins nothing.
        let word_char_before = match b.get(start.wrapping_sub(1)) {
            None => false,
            Some(x) if x.is_ascii() => NAME_CHAR[usize::from(*x)] != NameChar::Other,
            Some(_) => text[..start].chars().next_back().is_some_and(is_name_char),
        };
        if word_char_before {
            return;
        }
        let w = cut_at_apostrophe(&text[start..i]);
        let mut cs = w.chars();
        if cs.next().is_some_and(char::is_uppercase) && cs.next().is_some() {
            out.push(w);
        }
    }
}

/// Where the characters of `b` that may be capitals start: upper-case
/// ASCII letters and the first bytes of characters of two or more bytes.
/// Character boundaries, since ASCII bytes and first bytes never lie
/// inside one. Most bytes are lower case or spaces.
fn capitals(b: &[u8]) -> crate::bytes::Positions<'_, impl Fn(u8) -> bool> {
    crate::bytes::Positions::new(b, |x| x.is_ascii_uppercase() || x >= 0xc0)
}

/// How [`capitalised_words`] reads a byte.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NameChar {
    /// Not part of a word.
    Other,
    /// An ASCII letter or digit, an apostrophe or a hyphen.
    Word,
    /// The first byte of a non-ASCII character.
    Decode,
}

const NAME_CHAR: [NameChar; 256] = {
    let mut t = [NameChar::Decode; 256];
    let mut b = 0;
    while b < 128 {
        let x = b as u8;
        t[b] = if x.is_ascii_alphanumeric() || x == b'\'' || x == b'-' {
            NameChar::Word
        } else {
            NameChar::Other
        };
        b += 1;
    }
    t
};

/// Whether a non-ASCII character belongs to a word of a name: a letter or
/// digit, or a curly apostrophe.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '’'
}

/// A word up to its first apostrophe, straight or curly.
fn cut_at_apostrophe(w: &str) -> &str {
    let b = w.as_bytes();
    let end = (0..b.len())
        .find(|&i| b[i] == b'\'' || (b[i] == 0xe2 && b.get(i + 1..i + 3) == Some(&[0x80, 0x99])))
        .unwrap_or(b.len());
    &w[..end]
}

/// Names introduced by their speaker: "I'm Kris Nova", "I am Josh",
/// "my name is Duffy", "this is Bryan Liles", "Jed Salazar here".
///
/// These are only proposals: [`extract`] keeps a name if it refers to a
/// candidate, or if it is a full name that fits the turn's label ("This is
/// Kubernetes" proposes nothing of use).
pub fn self_introductions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    read_edges(text, &mut out, None);
    out
}

/// The first and last 400 bytes of a turn (see [`edges`]) read in one
/// pass over their capitals: their [`self_introductions`] into `intros`,
/// and, if `words` is given, the [`capitalised_words`] of the first part
/// then of the last, added to it. Returns where the last part's words
/// begin in `words`. `intros` is sorted and deduplicated whole: it should
/// come empty.
fn read_edges<'t>(text: &'t str, intros: &mut Vec<String>, mut words: Option<&mut Vec<&'t str>>) -> usize {
    let (head, tail) = edges(text, 400);
    let mut read = |part: &'t str, mut words: Option<&mut Vec<&'t str>>| {
        let mut reader = WordReader::default();
        for p in capitals(part.as_bytes()) {
            introduction_at(part, p, intros);
            if let Some(words) = words.as_deref_mut() {
                reader.read(part, p, words);
            }
        }
    };
    read(head, words.as_deref_mut());
    let tail_from = words.as_ref().map_or(0, |w| w.len());
    read(tail, words);
    // "Jed Salazar here", "Sure. Tomás here": at a turn's start. Most
    // turns never say "here": their words are not read.
    if may_say_here(head) {
        let mut first: [&str; 7] = [""; 7];
        let mut n = 0;
        for (slot, w) in first.iter_mut().zip(crate::transcript::markup::split_words(head)) {
            *slot = w;
            n += 1;
        }
        intros.extend((1..n).filter_map(|i| named_before_here(&first[..n], i)));
    }
    intros.sort();
    intros.dedup();
    tail_from
}

/// The introduction, if any, whose name begins at `p` in one part of a
/// turn, a position from [`capitals`], added to `out`.
///
/// Every form has a name right after its cue, and a name begins with a
/// capital: the cue words before a token are read only when it has one,
/// which few tokens do.
fn introduction_at(part: &str, p: usize, out: &mut Vec<String>) {
    use crate::transcript::markup::split_words;
    let c = part[p..].chars().next().unwrap_or(' ');
    if !c.is_uppercase() {
        return;
    }
    // The token around it, which must have no letter before it: "(Sam)".
    // Most capitals start their token, right after a space.
    let start = if p > 0 && is_ascii_space(part.as_bytes()[p - 1]) {
        p
    } else {
        token_start(part, p)
    };
    if start == 0 || part[start..p].chars().any(char::is_alphabetic) || !may_end_cue(part.as_bytes(), start) {
        return;
    }
    // The tokens before it, nearest first; a missing one is empty, which
    // reads as `Word::Other`. Every cue ends with the token right before
    // the name, and few tokens are cue words: the others go no further
    // back.
    let (at1, token1) = token_before(part, start);
    let cue = match Word::of(token1) {
        Word::Im => true,
        Word::Me => token1.ends_with(','),
        // The cue is one of the first three tokens.
        Word::Its => split_words(&part[..start]).nth(3).is_none(),
        Word::Am => Word::of(token_before(part, at1).1) == Word::I,
        Word::Is => {
            let (at2, token2) = token_before(part, at1);
            match Word::of(token2) {
                Word::This => true,
                Word::Name => Word::of(token_before(part, at2).1) == Word::My,
                _ => false,
            }
        }
        _ => false,
    };
    if cue {
        let next: Vec<&str> = split_words(&part[start..]).take(3).collect();
        out.extend(name_at(&next));
    }
}

/// Whether the token before `b[..start]` may be a cue word that a name
/// follows: "I'm", "am", "is" and "it's" end in "m" or "s", and "me,"
/// in "e" and a comma, once [`Word::of`] has trimmed their punctuation.
/// Most capitals follow a word that ends otherwise, told from its last
/// bytes without reading the word; a byte outside ASCII leaves the
/// question to the full reading.
fn may_end_cue(b: &[u8], start: usize) -> bool {
    let mut end = start;
    while end > 0 && is_ascii_space(b[end - 1]) {
        end -= 1;
    }
    let mut i = end;
    while i > 0
        && b[i - 1].is_ascii()
        && !b[i - 1].is_ascii_alphanumeric()
        && b[i - 1] != b'\''
        && !is_ascii_space(b[i - 1])
    {
        i -= 1;
    }
    match i.checked_sub(1).map(|k| b[k]) {
        // No token, or one of punctuation only: trimmed, it is empty.
        None => false,
        Some(x) if is_ascii_space(x) => false,
        Some(x) if !x.is_ascii() => true,
        Some(x) => matches!(x | 0x20, b'm' | b's') || (x | 0x20 == b'e' && b[end - 1] == b','),
    }
}

/// Whether an ASCII byte is whitespace as `char::is_whitespace` has it.
fn is_ascii_space(x: u8) -> bool {
    matches!(x, b' ' | b'\t'..=b'\r')
}

/// The length of the whitespace character (as `char::is_whitespace` has
/// it) that ends `s[..i]`, if one does. ASCII is read a byte at a time.
fn space_ending(s: &str, i: usize) -> Option<usize> {
    let x = *s.as_bytes().get(i.checked_sub(1)?)?;
    if x.is_ascii() {
        return is_ascii_space(x).then_some(1);
    }
    let c = s.get(..i)?.chars().next_back()?;
    c.is_whitespace().then(|| c.len_utf8())
}

/// Where the run of non-whitespace characters that ends at `i` starts.
fn token_start(s: &str, mut i: usize) -> usize {
    while i > 0 && space_ending(s, i).is_none() {
        i -= match s.as_bytes()[i - 1] {
            x if x.is_ascii() => 1,
            _ => s[..i].chars().next_back().map_or(1, char::len_utf8),
        };
    }
    i
}

/// The last whitespace-separated token of `s[..end]` (what
/// `s[..end].split_whitespace().next_back()` gives), or "", with where it
/// starts.
fn token_before(s: &str, mut end: usize) -> (usize, &str) {
    while let Some(n) = space_ending(s, end) {
        end -= n;
    }
    let start = token_start(s, end);
    (start, &s[start..end])
}

/// Whether `s` may hold a token that [`Word::of`] reads as "here": the
/// letters in any case, with no ASCII letter or digit either side. Told
/// from the places of `h` and `H`, found a block of bytes at a time.
fn may_say_here(s: &str) -> bool {
    let b = s.as_bytes();
    let alphanumeric = |x: Option<&u8>| x.is_some_and(u8::is_ascii_alphanumeric);
    crate::bytes::Positions::new(b, |x| x | 0x20 == b'h').any(|i| {
        b.get(i + 1..i + 4).is_some_and(|r| r.eq_ignore_ascii_case(b"ere"))
            && !alphanumeric(i.checked_sub(1).and_then(|k| b.get(k)))
            && !alphanumeric(b.get(i + 4))
    })
}

/// The one or two capitalised words right before `tokens[i]`, if it is
/// "here".
fn named_before_here(tokens: &[&str], i: usize) -> Option<String> {
    // Most tokens are shorter than "here", and cannot be it.
    if tokens[i].len() < 4 || Word::of(tokens[i]) != Word::Here {
        return None;
    }
    for len in [2, 1] {
        if i < len {
            continue;
        }
        let words = &tokens[i - len..i];
        // Punctuation inside the span breaks it: "Sure. Sam".
        if words[..len - 1].iter().any(|w| w.ends_with(['.', ',', '!', '?', ':'])) {
            continue;
        }
        if let Some(name) = name_at(words) {
            if names::name_words(&name).len() == len {
                return Some(name);
            }
        }
    }
    None
}

/// The words self-introductions are made of, read from a token without
/// allocating (case and curly apostrophes ignored, punctuation trimmed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    Im,
    I,
    Am,
    My,
    Name,
    Is,
    This,
    Here,
    Me,
    Its,
    Other,
}

impl Word {
    fn of(token: &str) -> Word {
        // Every cue starts with one of these letters: most tokens are told
        // apart by their first byte.
        if let Some(&b) = token.as_bytes().first() {
            let cue_letter = matches!(b.to_ascii_lowercase(), b'a' | b'h' | b'i' | b'm' | b'n' | b't');
            if b == b'\'' || (b.is_ascii_alphanumeric() && !cue_letter) {
                return Word::Other;
            }
        }
        let b = token.as_bytes();
        let t = if b.first().is_some_and(u8::is_ascii_alphanumeric) && b.last().is_some_and(u8::is_ascii_alphanumeric) {
            // Nothing to trim.
            token
        } else {
            token.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        };
        // The longest cue, "it’s", is 6 bytes; fold into a small buffer.
        if t.len() > 6 {
            return Word::Other;
        }
        let mut buf = [0u8; 6];
        let mut n = 0;
        for c in t.chars() {
            let c = if c == '’' { '\'' } else { c };
            if !c.is_ascii() {
                return Word::Other;
            }
            buf[n] = (c as u8).to_ascii_lowercase();
            n += 1;
        }
        match &buf[..n] {
            b"i'm" | b"im" => Word::Im,
            b"i" => Word::I,
            b"am" => Word::Am,
            b"my" => Word::My,
            b"name" => Word::Name,
            b"is" => Word::Is,
            b"this" => Word::This,
            b"here" => Word::Here,
            b"me" => Word::Me,
            b"it's" => Word::Its,
            _ => Word::Other,
        }
    }
}

/// The number of whitespace-separated words, as `split_whitespace` counts
/// them.
fn word_count(text: &str) -> usize {
    // A word starts at a non-space whose previous byte is a space, found
    // 64 ASCII bytes at a time; any other byte sends the text to the plain
    // count, which knows the other spaces of Unicode.
    let b = text.as_bytes();
    if !b.is_ascii() {
        return crate::transcript::markup::split_words(text).count();
    }
    let mut count = 0;
    // Whether the byte before is a space (or the start).
    let mut before = true;
    let mut blocks = b.chunks_exact(64);
    for block in &mut blocks {
        let space = crate::bytes::mask64(block.try_into().unwrap_or(&[0; 64]), is_ascii_space);
        count += (!space & ((space << 1) | u64::from(before))).count_ones() as usize;
        before = space >> 63 == 1;
    }
    for &x in blocks.remainder() {
        let space = is_ascii_space(x);
        count += usize::from(!space && before);
        before = space;
    }
    count
}

/// One to three capitalised words at the start of `tokens`, as a name.
fn name_at(tokens: &[&str]) -> Option<String> {
    let mut words = Vec::new();
    for tok in tokens.iter().take(3) {
        let clean = tok.trim_matches(|c: char| !c.is_alphabetic());
        let first_upper = clean.chars().next().is_some_and(char::is_uppercase);
        let letters = clean.chars().all(|c| c.is_alphabetic() || c == '-' || c == '\'');
        if !first_upper || !letters || clean.chars().count() < 2 || NOT_NAMES.contains(&clean.to_lowercase().as_str()) {
            break;
        }
        words.push(clean);
        // Punctuation after a word ends the name: "I'm Patrick, I'm ...".
        if tok.ends_with([',', '.', '!', '?', ';', ':']) {
            break;
        }
    }
    (!words.is_empty()).then(|| words.join(" "))
}

/// Whether a spoken name ("Duffy", "Duffy Coolie", "Kris Nova") refers to
/// a candidate.
fn name_refers_to(spoken: &str, c: &Candidate) -> bool {
    words_refer_to(&names::name_words(spoken), c)
}

/// [`name_refers_to`] for a name already split into its words.
fn words_refer_to(words: &[String], c: &Candidate) -> bool {
    if words == c.words {
        return true;
    }
    let Some(first) = words.first() else {
        return false;
    };
    if !names::given_name_matches(first, c.first()) {
        return false;
    }
    // Surname against surname: "Adolfo García Veytia" ends in "veytia".
    match ((words.len() > 1).then(|| words.last()).flatten(), c.last()) {
        (Some(l), Some(cl)) => names::given_name_matches(l, cl) || names::edit_distance_str(l, cl) <= 2,
        _ => true,
    }
}

/// A link name without a profile suffix: "Kelsey Hightower on GitHub"
/// names Kelsey Hightower.
pub fn strip_profile_suffix(name: &str) -> &str {
    for suffix in [
        " on LinkedIn",
        " on Twitter",
        " on GitHub",
        " on Github",
        " on X",
        " on Mastodon",
        " on YouTube",
    ] {
        if let Some(n) = name.strip_suffix(suffix) {
            return n.trim();
        }
    }
    name.trim()
}

/// Two or three capitalised alphabetic words: a plausible personal name.
fn looks_like_person(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    (2..=3).contains(&words.len())
        && !matches!(words[0], "The" | "A" | "An" | "Our" | "My")
        && words.iter().all(|w| {
            let mut cs = w.chars();
            cs.next().is_some_and(char::is_uppercase)
                && cs.clone().any(char::is_lowercase)
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'))
        })
}

/// Whether a label could be written for someone with these initials.
fn label_fits_initials(label: &str, initials: &str) -> bool {
    let l = label.to_uppercase();
    !l.is_empty() && (l == initials || (l.len() == 1 && initials.starts_with(&l)))
}

/// The words a turn's [`fingerprint`] reads.
const PRINT_WORDS: usize = 12;

/// Fingerprint of a turn's first twelve words (0 if it has fewer): the
/// same stock announcement read in two episodes gets the same print.
pub fn fingerprint(text: &str) -> u64 {
    // Where the twelfth word ends is found first, 64 bytes at a time from
    // bit masks; a turn of fewer words (two in five) ends there. Only the
    // bytes up to that end are then hashed, and only if they are ASCII;
    // any other byte sends the text to the general reading.
    let b = text.as_bytes();
    let Some(cut) = twelfth_word_end(b) else {
        return if b.is_ascii() { 0 } else { fingerprint_words(text) };
    };
    // The byte at `cut` ends the twelfth word, and must be ASCII too (the
    // end of the text, past its last byte, is the end of a word).
    if !b[..(cut + 1).min(b.len())].is_ascii() {
        return fingerprint_words(text);
    }
    // A word is a run of letters and digits, folded by lower-casing. Where
    // words start and end is data a branch would guess wrong at every
    // word: each byte is hashed, and the hash kept or not, by arithmetic
    // instead.
    let mut hash = names::FNV_START;
    let mut in_word = false;
    for &b in &b[..cut] {
        // `is_ascii_alphanumeric` and `to_ascii_lowercase`, in arithmetic
        // (for an ASCII byte, `| 0x20` lower-cases a letter).
        let lower = b | 0x20;
        let letter = lower.wrapping_sub(b'a') < 26;
        let word = letter | (b.wrapping_sub(b'0') < 10);
        let end = !word & in_word;
        // A word's byte folded, or the space that ends a word. Written so,
        // the choices compile without a branch; shorter spellings of the
        // same (a digit is its own `| 0x20`) gave one, measured by a
        // branch simulator.
        let folded = if letter { lower } else { b };
        let fed = if word { folded } else { b' ' };
        let keep = u64::from(word | end).wrapping_neg();
        let next = (hash ^ u64::from(fed)).wrapping_mul(names::FNV_PRIME);
        hash = (next & keep) | (hash & !keep);
        in_word = word;
    }
    // The space that ends the twelfth word.
    names::fnv1a_more(hash, b" ").max(1)
}

/// Where the twelfth run of ASCII letters and digits of `b` ends: the
/// place of the byte after it, or `b.len()` if it ends the text; `None`
/// if there are fewer runs. Other bytes end runs here, which is right
/// only for ASCII text: the caller checks the bytes before the end.
fn twelfth_word_end(b: &[u8]) -> Option<usize> {
    let mut ended = 0;
    let mut in_word = false;
    let mut base = 0;
    loop {
        let chunk = b.get(base..)?;
        // Past the text the block reads as zeros, which end a last word
        // where the text does.
        let word = crate::bytes::mask_padded(chunk, |x| x.is_ascii_alphanumeric());
        let mut ends = !word & ((word << 1) | u64::from(in_word));
        let here = ends.count_ones() as usize;
        if ended + here >= PRINT_WORDS {
            for _ in ended + 1..PRINT_WORDS {
                ends &= ends - 1;
            }
            return Some(base + ends.trailing_zeros() as usize);
        }
        // A block cut short is the last; a full one may have its last word
        // ended by the text's end, read as the next (empty) block.
        if chunk.len() < 64 {
            return None;
        }
        ended += here;
        in_word = word >> 63 == 1;
        base += 64;
    }
}

/// [`fingerprint`] of any text: words are runs of alphanumeric
/// characters, folded.
fn fingerprint_words(text: &str) -> u64 {
    // The hash of the folded words joined and ended by spaces, fed word by
    // word rather than joined.
    let mut hash = names::FNV_START;
    let mut n = 0;
    for w in alphanumeric_runs(text) {
        if w.is_ascii() {
            // What `fold` gives for an ASCII word, without a new string.
            for b in w.bytes() {
                hash = names::fnv1a_more(hash, &[b.to_ascii_lowercase()]);
            }
        } else {
            hash = names::fnv1a_more(hash, names::fold(w).as_bytes());
        }
        hash = names::fnv1a_more(hash, b" ");
        n += 1;
        if n == PRINT_WORDS {
            return hash.max(1);
        }
    }
    0
}

/// The runs of alphanumeric characters of a text.
fn alphanumeric_runs(text: &str) -> impl Iterator<Item = &str> {
    crate::transcript::markup::runs(text, char::is_alphanumeric)
}

/// Fingerprints of stock announcements, gathered across a corpus: the
/// prints of turns labelled as an announcer.
#[derive(Debug, Clone, Default)]
pub struct StockSet {
    prints: HashSet<u64>,
}

impl StockSet {
    /// Adds an episode's announcer turns.
    pub fn add(&mut self, clues: &Clues) {
        // An episode has a few labels and hundreds of turns: each label is
        // read once.
        let announcer: Vec<bool> = clues.labels.iter().map(|l| is_announcer_label(l)).collect();
        for (l, &print) in clues.turn_labels.iter().zip(&clues.turn_prints) {
            if l.is_some_and(|l| announcer[l]) && print != 0 {
                self.prints.insert(print);
            }
        }
    }

    fn contains(&self, print: u64) -> bool {
        print != 0 && self.prints.contains(&print)
    }
}

/// Who a label or turn was resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Voice {
    /// A person: index into [`Cast::members`].
    Member(usize),
    /// The show's announcer or another stock voice: not a person.
    Announcer,
    /// Nobody could be named: the label stays as written.
    Unresolved,
}

/// A person speaking in an episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// Display name.
    pub name: String,
    /// Role in the episode.
    pub role: Role,
    /// Where the name came from.
    pub origin: Origin,
    /// Turns spoken.
    pub turns: usize,
}

/// How one label was read.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelReading {
    /// The label as written.
    pub label: String,
    /// Who it was read as.
    pub voice: Voice,
    /// Turns with this label.
    pub turns: usize,
    /// Turns with this label that are stock announcements.
    pub stock_turns: usize,
    /// The reasons, in plain English.
    pub evidence: Vec<String>,
    /// The score of the chosen reading (0 when not scored).
    pub score: f32,
}

/// The resolved speakers of an episode.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cast {
    /// People who speak, in order of first reading.
    pub members: Vec<Member>,
    /// One reading per label, in order of first use.
    pub labels: Vec<LabelReading>,
    /// Per turn: who speaks it.
    pub turns: Vec<Voice>,
}

/// Minimum score for a label to be read as a person.
const THRESHOLD: f32 = 3.0;

/// Resolves every label of an episode.
///
/// Readings are assigned greedily, the most certain first: at each step
/// every open label is scored against every candidate given the readings
/// made so far, and the best pair above `THRESHOLD` is fixed. Rare labels
/// thus come last, when the frequent ones they may be typos of are known.
pub fn resolve(clues: &Clues, stock: &StockSet) -> Cast {
    let n = clues.labels.len();
    let mut turns_of = vec![0usize; n];
    let mut stock_of = vec![0usize; n];
    for (i, l) in clues.turn_labels.iter().enumerate() {
        if let Some(l) = l {
            turns_of[*l] += 1;
            if stock.contains(clues.turn_prints[i]) {
                stock_of[*l] += 1;
            }
        }
    }
    let mut readings: Vec<Option<LabelReading>> = vec![None; n];
    let blank = |l: usize| LabelReading {
        label: clues.labels[l].clone(),
        voice: Voice::Unresolved,
        turns: turns_of[l],
        stock_turns: stock_of[l],
        evidence: Vec::new(),
        score: 0.0,
    };
    for l in 0..n {
        if is_announcer_label(&clues.labels[l]) {
            readings[l] = Some(LabelReading {
                voice: Voice::Announcer,
                evidence: vec!["an announcer label, not a person".into()],
                ..blank(l)
            });
        } else if stock_of[l] == turns_of[l] {
            readings[l] = Some(LabelReading {
                voice: Voice::Announcer,
                evidence: vec![format!(
                    "every turn is a stock announcement read by the announcer in other episodes ({})",
                    crate::table::count(stock_of[l], "turn")
                )],
                ..blank(l)
            });
        }
    }

    let fx = Fixed::new(clues, &turns_of);
    let mut state = State {
        label_cand: vec![None; n],
        members: Vec::new(),
        member_of_cand: BTreeMap::new(),
    };
    loop {
        let mut best: Option<(f32, usize, usize)> = None;
        for l in (0..n).filter(|&l| readings[l].is_none()) {
            let round = Round::new(&fx, &state, l);
            for ci in 0..clues.candidates.len() {
                let s = score(&fx, &state, &round, l, ci, &mut ());
                let better = match &best {
                    None => true,
                    // Ties go to the more used label, then the earlier one.
                    Some((bs, bl, _)) => s > *bs || (s == *bs && turns_of[l] > turns_of[*bl]),
                };
                if better {
                    best = Some((s, l, ci));
                }
            }
        }
        let Some((s, l, ci)) = best else { break };
        if s < THRESHOLD {
            break;
        }
        let mut why = Vec::new();
        score(&fx, &state, &Round::new(&fx, &state, l), l, ci, &mut why);
        let member = *state.member_of_cand.entry(ci).or_insert_with(|| {
            state.members.push(Member {
                name: clues.candidates[ci].name.clone(),
                role: role_of(clues.candidates[ci].origin),
                origin: clues.candidates[ci].origin,
                turns: 0,
            });
            state.members.len() - 1
        });
        state.label_cand[l] = Some(ci);
        readings[l] = Some(LabelReading {
            voice: Voice::Member(member),
            evidence: why,
            score: s,
            ..blank(l)
        });
    }
    // What is left stays unresolved, with its best guess as the reason.
    for (l, reading) in readings.iter_mut().enumerate() {
        if reading.is_some() {
            continue;
        }
        let round = Round::new(&fx, &state, l);
        let best = (0..clues.candidates.len())
            .map(|ci| (score(&fx, &state, &round, l, ci, &mut ()), ci))
            .fold(None, |acc: Option<(f32, usize)>, x| match acc {
                Some(a) if a.0 >= x.0 => Some(a),
                _ => Some(x),
            });
        let evidence = match best {
            Some((s, ci)) if s > 0.0 => vec![format!(
                "no candidate fits well enough (best: {} at {:.1}, needs {:.1})",
                clues.candidates[ci].name, s, THRESHOLD
            )],
            _ => vec!["no candidate in the metadata or the transcript fits this label".into()],
        };
        *reading = Some(LabelReading { evidence, ..blank(l) });
    }

    let labels: Vec<LabelReading> = readings.into_iter().flatten().collect();
    let mut members = state.members;
    let turns: Vec<Voice> = clues
        .turn_labels
        .iter()
        .enumerate()
        .map(|(i, l)| match l {
            None => Voice::Unresolved,
            Some(_) if stock.contains(clues.turn_prints[i]) => Voice::Announcer,
            Some(l) => labels[*l].voice,
        })
        .collect();
    for v in &turns {
        if let Voice::Member(m) = v {
            members[*m].turns += 1;
        }
    }
    Cast { members, labels, turns }
}

/// Gives roles to people named only by their labels (transcripts without
/// metadata): in each show (the folder of its episodes), someone who speaks
/// in at least a quarter of the episodes, and in three or more, is a host;
/// anyone else is a guest. `shows` gives each cast's show.
pub fn infer_roles<S: Ord + Clone>(casts: &mut [Cast], shows: &[S]) {
    let mut episodes: BTreeMap<S, usize> = BTreeMap::new();
    let mut seen: BTreeMap<(S, Vec<String>), usize> = BTreeMap::new();
    for (cast, show) in casts.iter().zip(shows) {
        *episodes.entry(show.clone()).or_default() += 1;
        for m in cast.members.iter().filter(|m| m.origin == Origin::Label) {
            *seen.entry((show.clone(), names::name_words(&m.name))).or_default() += 1;
        }
    }
    for (cast, show) in casts.iter_mut().zip(shows) {
        let total = episodes.get(show).copied().unwrap_or(0);
        for m in cast.members.iter_mut().filter(|m| m.origin == Origin::Label) {
            let n = seen
                .get(&(show.clone(), names::name_words(&m.name)))
                .copied()
                .unwrap_or(0);
            m.role = if n >= 3 && n * 4 >= total {
                Role::Host
            } else {
                Role::Guest
            };
        }
    }
}

fn role_of(origin: Origin) -> Role {
    match origin {
        Origin::Host => Role::Host,
        Origin::Guest | Origin::Notes | Origin::Introduction => Role::Guest,
        Origin::Link | Origin::Directory | Origin::Label => Role::Other,
    }
}

/// Readings fixed so far.
struct State {
    /// Candidate of each resolved label.
    label_cand: Vec<Option<usize>>,
    members: Vec<Member>,
    member_of_cand: BTreeMap<usize, usize>,
}

/// Evidence counted per (label, candidate), with the line of the first
/// self-introduction.
struct EvidenceTally {
    counts: BTreeMap<(usize, usize), (usize, usize, usize, usize)>,
    /// Turns of label `q` right after a turn of another label `p`: (p, q).
    transitions: BTreeMap<(usize, usize), usize>,
    /// Per label: the labels its turns follow, and how often.
    follows: Vec<BTreeMap<usize, usize>>,
    /// Per label: sum of ln(1 + words) over its turns, and the turn count.
    lengths: Vec<(f32, usize)>,
}

impl EvidenceTally {
    fn new(clues: &Clues) -> EvidenceTally {
        let mut counts: BTreeMap<(usize, usize), (usize, usize, usize, usize)> = BTreeMap::new();
        for e in &clues.evidence {
            let c = counts.entry((e.label, e.candidate)).or_default();
            match e.kind {
                EvidenceKind::SelfIntroduction => {
                    if c.0 == 0 {
                        c.3 = e.line;
                    }
                    c.0 += 1;
                }
                EvidenceKind::Addressed => c.1 += 1,
                EvidenceKind::NamesOther => c.2 += 1,
            }
        }
        let n = clues.labels.len();
        let mut transitions: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        let mut follows: Vec<BTreeMap<usize, usize>> = vec![BTreeMap::new(); n];
        let mut lengths = vec![(0.0f32, 0usize); n];
        let tl = &clues.turn_labels;
        for (i, l) in tl.iter().enumerate() {
            let Some(l) = *l else { continue };
            lengths[l].0 += (1.0 + clues.turn_words.get(i).copied().unwrap_or(0) as f32).ln();
            lengths[l].1 += 1;
            if let Some(Some(p)) = i.checked_sub(1).map(|j| tl[j]) {
                if p != l {
                    *transitions.entry((p, l)).or_default() += 1;
                    *follows[l].entry(p).or_default() += 1;
                }
            }
        }
        EvidenceTally {
            counts,
            transitions,
            follows,
            lengths,
        }
    }

    /// (self-introductions, addressed, names as other, first intro line).
    fn get(&self, l: usize, ci: usize) -> (usize, usize, usize, usize) {
        self.counts.get(&(l, ci)).copied().unwrap_or_default()
    }
}

/// Where [`score`] puts its reasons: a list for the reading chosen, and
/// nowhere while pairs are compared, since most of the pairs scored lose
/// and their reasons would be written for nothing.
trait Reasons {
    fn add(&mut self, reason: impl FnOnce() -> String);
}

impl Reasons for Vec<String> {
    fn add(&mut self, reason: impl FnOnce() -> String) {
        self.push(reason());
    }
}

impl Reasons for () {
    fn add(&mut self, _: impl FnOnce() -> String) {}
}

/// What scoring reads of an episode's labels and candidates that no
/// reading changes: worked out once per episode, not once per pair and
/// round.
struct Fixed<'a> {
    clues: &'a Clues,
    tally: EvidenceTally,
    turns_of: &'a [usize],
    /// Per label: how it is read.
    forms: Vec<LabelForm<'a>>,
    /// Per label: its characters, for typos.
    chars: Vec<Vec<char>>,
    /// Per candidate: the initials of the name, and their characters.
    initials: Vec<(String, Vec<char>)>,
}

/// How a label is scored against a candidate: as a name, or by its letters
/// against the candidate's initials.
enum LabelForm<'a> {
    /// The cleaned label and its name words.
    Name(&'a str, Vec<String>),
    /// Its letters, upper-cased.
    Letters(Vec<char>),
}

impl<'a> Fixed<'a> {
    fn new(clues: &'a Clues, turns_of: &'a [usize]) -> Fixed<'a> {
        let forms = clues
            .labels
            .iter()
            .map(|label| {
                let name = clean_label(label);
                if is_name_label(name) {
                    LabelForm::Name(name, names::name_words(name))
                } else {
                    LabelForm::Letters(label.to_uppercase().chars().filter(|c| c.is_alphabetic()).collect())
                }
            })
            .collect();
        Fixed {
            clues,
            tally: EvidenceTally::new(clues),
            turns_of,
            forms,
            chars: clues.labels.iter().map(|l| l.chars().collect()).collect(),
            initials: clues
                .candidates
                .iter()
                .map(|c| {
                    let i = c.initials();
                    let chars = i.chars().collect();
                    (i, chars)
                })
                .collect(),
        }
    }
}

/// What scoring reads of one label given the readings made so far, the
/// same for every candidate.
struct Round {
    /// [`only_listed_fit`] of the label.
    only_fit: Option<usize>,
    /// [`closest_in_length`] of the label.
    closest: Option<usize>,
}

impl Round {
    fn new(fx: &Fixed, state: &State, l: usize) -> Round {
        Round {
            only_fit: only_listed_fit(fx.clues, &fx.clues.labels[l], state),
            closest: closest_in_length(&fx.tally, state, l),
        }
    }
}

/// Scores label `l` against candidate `ci`, giving the reasons to `why`.
fn score(fx: &Fixed, state: &State, round: &Round, l: usize, ci: usize, why: &mut impl Reasons) -> f32 {
    let (clues, tally, turns_of) = (fx.clues, &fx.tally, fx.turns_of);
    let label = &clues.labels[l];
    let cand = &clues.candidates[ci];
    let mut s = 0.0;

    match &fx.forms[l] {
        LabelForm::Name(name, words) => {
            if *words == cand.words {
                s += 12.0;
                why.add(|| format!("the label is the name {}", cand.name));
            } else if words_refer_to(words, cand) && words.len() >= cand.words.len().min(2) {
                s += 10.0;
                why.add(|| format!("the label is a spelling of {}'s name", cand.name));
            } else if words.len() == 1 && names::given_name_matches(name, cand.first()) {
                s += 4.0;
                why.add(|| format!("the label is {}'s given name", cand.name));
            }
        }
        LabelForm::Letters(letters) => s += initials_score(label, letters, &fx.initials[ci], why),
    }

    let (intro, addressed, others, intro_line) = tally.get(l, ci);
    if intro > 0 {
        s += 6.0;
        why.add(|| format!("introduces themself as {} (line {intro_line})", cand.name));
    }
    if addressed > 0 {
        s += addressed.min(4) as f32;
        why.add(|| format!("addressed by name in the turn before ({addressed}×)"));
    }
    if others > 0 {
        s -= others.min(4) as f32;
        why.add(|| format!("speaks of {} as someone else ({others}×)", cand.name));
    }

    // The one listed person whose given name starts like the label.
    if s > 0.0 && round.only_fit == Some(ci) {
        s += 1.0;
        why.add(|| {
            format!(
                "the only listed person left whose name starts with {}",
                label.chars().next().unwrap_or(' ')
            )
        });
    }

    // A rare label one keystroke from a frequent label of this person.
    let typo_of = (0..clues.labels.len()).find(|&rl| {
        state.label_cand[rl] == Some(ci) && is_rare_variant(&fx.chars[l], turns_of[l], &fx.chars[rl], turns_of[rl])
    });
    if let Some(rl) = typo_of {
        s += 2.0;
        why.add(|| format!("looks like a typo of label {}", clues.labels[rl]));
    }

    // Who usually speaks after the speakers this label follows.
    let (share, prev) = answer_share(tally, state, l, ci);
    if share > 0.0 {
        s += 1.5 * share;
        why.add(|| {
            format!(
                "speaks after {} as {} usually does ({:.0}%)",
                prev.map_or("", |p| clues.labels[p].as_str()),
                cand.name,
                share * 100.0
            )
        });
    }

    if s > 0.0 && round.closest == Some(ci) {
        s += 1.0;
        why.add(|| format!("its turns are as long as {}'s", cand.name));
    }

    if s > 0.0 {
        s += cand.origin.prior();
        why.add(|| cand.origin.describe().to_string());
    }
    // One person usually has one label: a second one that is neither a
    // variant of theirs nor close to their initials needs more evidence.
    if state.member_of_cand.contains_key(&ci) && typo_of.is_none() && intro == 0 {
        s -= 2.0;
    }
    s
}

/// The one listed person (host, guest, linked in the notes) not yet
/// speaking under another label whose given name starts with the label's
/// first letter, if there is exactly one.
fn only_listed_fit(clues: &Clues, label: &str, state: &State) -> Option<usize> {
    if is_name_label(label) {
        return None;
    }
    let first = label.chars().next()?.to_lowercase().next()?;
    let mut fits = clues.candidates.iter().enumerate().filter(|(i, c)| {
        c.origin <= Origin::Notes && !state.member_of_cand.contains_key(i) && c.first().starts_with(first)
    });
    match (fits.next(), fits.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// For the turns of label `l`, the share of times the previous speaker's
/// turns are followed by candidate `ci` elsewhere in the episode (among
/// resolved labels), and the previous speaker's label.
fn answer_share(tally: &EvidenceTally, state: &State, l: usize, ci: usize) -> (f32, Option<usize>) {
    let mut total = 0.0;
    let mut n = 0;
    let mut prev_label: Option<(usize, usize)> = None;
    for (&p, &k) in &tally.follows[l] {
        let (mut to_c, mut all) = (0usize, 0usize);
        for (&(_, q), &count) in tally.transitions.range((p, 0)..(p + 1, 0)) {
            if q == l {
                continue;
            }
            if let Some(c) = state.label_cand[q] {
                all += count;
                to_c += if c == ci { count } else { 0 };
            }
        }
        if all >= 3 {
            total += k as f32 * to_c as f32 / all as f32;
            n += k;
            if prev_label.is_none_or(|(_, best)| k > best) {
                prev_label = Some((p, k));
            }
        }
    }
    let prev = prev_label.map(|(p, _)| p);
    if n == 0 { (0.0, prev) } else { (total / n as f32, prev) }
}

/// The resolved candidate whose turns are, on average, closest in length
/// (log of words) to the turns of label `l`: in an interview the guest's
/// answers are long and the hosts' prompts short.
fn closest_in_length(tally: &EvidenceTally, state: &State, l: usize) -> Option<usize> {
    let (own, n) = tally.lengths[l];
    if n == 0 {
        return None;
    }
    let own = own / n as f32;
    let mut sums: BTreeMap<usize, (f32, usize)> = BTreeMap::new();
    for (q, &(sum, count)) in tally.lengths.iter().enumerate() {
        if q == l || count == 0 {
            continue;
        }
        if let Some(c) = state.label_cand[q] {
            let e = sums.entry(c).or_default();
            e.0 += sum;
            e.1 += count;
        }
    }
    let mut best: Option<(f32, usize)> = None;
    for (c, (sum, count)) in sums {
        let d = (sum / count as f32 - own).abs();
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Points for a label, given its upper-cased letters, against a
/// candidate's initials (as text, and their characters), giving the reason
/// to `why`.
fn initials_score(label: &str, letters: &[char], initials: &(String, Vec<char>), why: &mut impl Reasons) -> f32 {
    let (l, (initials, i)) = (letters, initials);
    if l.is_empty() || i.is_empty() {
        return 0.0;
    }
    if l == i {
        why.add(|| format!("label {label} is the initials of the name"));
        return 4.0;
    }
    if l.len() < i.len() && i.starts_with(l) {
        why.add(|| format!("label {label} starts the initials {initials}"));
        return 2.0;
    }
    // One edit exactly: a label equal to the initials was scored above.
    if l.len() >= 2 && names::within_one_edit(l, i) && (l.first() == i.first() || l.last() == i.last()) {
        why.add(|| format!("label {label} is one letter off the initials {initials}"));
        return 1.5;
    }
    0.0
}

/// Whether a label (its characters) with `turns` turns is a rare variant
/// (typo) of a label with `other_turns`: one edit apart or a prefix, and
/// used at most half as often.
fn is_rare_variant(a: &[char], turns: usize, b: &[char], other_turns: usize) -> bool {
    let close = names::within_one_edit(a, b) || b.starts_with(a) || a.starts_with(b);
    close && turns * 2 <= other_turns
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn capitalised_words_split_like_the_plain_version(s in "[aAbZ é’'\\-.,Éx1]{0,30}") {
            let plain: Vec<&str> = s
                .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
                .map(|w| w.split(['\'', '’']).next().unwrap_or(w))
                .filter(|w| w.chars().next().is_some_and(char::is_uppercase) && w.chars().count() >= 2)
                .collect();
            proptest::prop_assert_eq!(capitalised_words(&s), plain);
        }
    }

    /// What [`fingerprint`] gives, the plain way: the hash of the first
    /// twelve folded words, each ended by a space.
    fn plain_fingerprint(s: &str) -> u64 {
        let words: Vec<String> = s
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(names::fold)
            .collect();
        if words.len() < 12 {
            0
        } else {
            names::fnv1a(format!("{} ", words[..12].join(" ")).as_bytes()).max(1)
        }
    }

    /// The twelfth word found where a 64-byte block ends, where the text
    /// ends, and past a block boundary; fewer words give no print.
    #[test]
    fn fingerprint_reads_words_across_blocks() {
        // Eleven words of three bytes and a space (44 bytes), then a word
        // that ends at byte 64, just before or just after it, then more
        // text or none; again a block later.
        for len in [19, 20, 21] {
            for after in ["", " more words", "é", " é", "-x"] {
                let s = format!("{}{}{after}", "abc ".repeat(11), "w".repeat(len));
                assert_eq!(fingerprint(&s), plain_fingerprint(&s), "{s:?}");
                let later = format!("{}{s}", ".".repeat(64));
                assert_eq!(fingerprint(&later), plain_fingerprint(&later), "{later:?}");
            }
        }
        assert_eq!(fingerprint(&"abcde ".repeat(11)), 0);
        assert_ne!(fingerprint(&"abcde ".repeat(12)), 0);
    }

    /// Self-introductions read the plain way: every token classified, each
    /// cue followed to the name after it.
    fn self_introductions_reference(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let (head, tail) = edges(text, 400);
        for (part, at_start) in [(head, true), (tail, false)] {
            let tokens: Vec<&str> = crate::transcript::markup::split_words(part).collect();
            let words: Vec<Word> = tokens.iter().map(|t| Word::of(t)).collect();
            let at = |j: usize| words.get(j).copied().unwrap_or(Word::Other);
            for i in 0..tokens.len() {
                let t = words[i];
                let cue_len = match t {
                    Word::Im => 1,
                    Word::Me if tokens[i].ends_with(',') => 1,
                    Word::Its if i <= 2 => 1,
                    Word::I if at(i + 1) == Word::Am => 2,
                    Word::My if at(i + 1) == Word::Name && at(i + 2) == Word::Is => 3,
                    Word::This if at(i + 1) == Word::Is => 2,
                    _ => 0,
                };
                if cue_len > 0 {
                    if let Some(name) = name_at(&tokens[i + cue_len..]) {
                        out.push(name);
                    }
                }
                if at_start && (1..=6).contains(&i) {
                    out.extend(named_before_here(&tokens, i));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    proptest::proptest! {
        #[test]
        fn introductions_found_as_the_plain_way_finds_them(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "I'm", "I’m", "im", "I", "am", "my", "My", "name", "is", "this", "This", "here", "here.", "HERE", "Here,",
                    "(here)", "there", "heres", "here’s", "éhere", "hère",
                    "me,", "me", "it's", "It’s", "its", "Kris", "Nova", "Nova,", "Nóva", "Émile", "(Sam)", "\"Ada\"",
                    "Ada.", "so", "Sure.", "The", "Kubernetes", "x", "A", "and", "O'Brien", "Jean-Luc", "1st", "—Sam", "xSam", "ÉMILE", "’Ada",
                    "I'M", "IS", "is:", "am—", "I'm…", "me,)", "is'", "\"me,\"", "it's,", "(is", "like", "me.", ",", "m", "s,",
                ]),
                0..24,
            ),
            seps in proptest::collection::vec(proptest::sample::select(vec![" ", "  ", "\n", " ", "\u{a0}", "\u{2003}", ""]), 24),
        ) {
            let text: String = parts.iter().zip(&seps).flat_map(|(p, s)| [*p, *s]).collect();
            proptest::prop_assert_eq!(self_introductions(&text), self_introductions_reference(&text));
        }

        #[test]
        fn edges_read_once_give_their_words_and_introductions(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "I'm", "I’m", "am", "is", "This", "Kris", "Nova", "Émile", "(Sam)", "JavaScript", "O'Brien", "x",
                    "here.", "Sure.", "it's", "Ada", "é", "a",
                ]),
                0..400,
            ),
        ) {
            let text = parts.join(" ");
            let (mut intros, mut words) = (Vec::new(), vec!["before"]);
            let tail_from = read_edges(&text, &mut intros, Some(&mut words));
            let (head, tail) = edges(&text, 400);
            let mut expected = vec!["before"];
            expected.extend(capitalised_words(head));
            proptest::prop_assert_eq!(tail_from, expected.len());
            expected.extend(capitalised_words(tail));
            proptest::prop_assert_eq!(words, expected);
            proptest::prop_assert_eq!(intros, self_introductions(&text));
        }

        #[test]
        fn capitals_are_where_characters_may_be_capitals(s in "[aZ é’\u{1F600}.,]{0,200}") {
            let plain: Vec<usize> = s.char_indices().filter(|(_, c)| c.is_ascii_uppercase() || !c.is_ascii()).map(|(i, _)| i).collect();
            proptest::prop_assert_eq!(capitals(s.as_bytes()).collect::<Vec<_>>(), plain);
        }

        #[test]
        fn alphanumeric_runs_split_like_the_plain_version(s in "[aZ1 é’'\\-.,\u{2003}]{0,30}") {
            let plain: Vec<&str> = s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
            proptest::prop_assert_eq!(alphanumeric_runs(&s).collect::<Vec<_>>(), plain);
        }

        #[test]
        // Beside letters and digits, the ASCII bytes next to them in the
        // table and those that `| 0x20` turns into letters' neighbours.
        fn fingerprint_hashes_the_first_twelve_folded_words(
            s in "[aZ1 '\\-.,]{0,200}|[aZ1 é’'\\-.,Ü]{0,200}|[aAzZ09 @\\[`{/:_^~\t\u{7f}]{0,200}"
        ) {
            proptest::prop_assert_eq!(fingerprint(&s), plain_fingerprint(&s));
        }

        #[test]
        fn word_keys_are_the_names_keys(s in "[a-zA-Z0-9'é -]{0,40}") {
            let mut buf = [0u8; 32];
            let (ours, theirs) = (word_key(&s, &mut buf).into_owned(), names::key(&s));
            proptest::prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn word_count_counts_ascii_like_split_whitespace(s in "[a b\t\n\r\u{b}\u{c}\u{1c}\u{1f}!x]{0,300}") {
            proptest::prop_assert_eq!(word_count(&s), s.split_whitespace().count());
        }

        #[test]
        fn word_count_counts_like_split_whitespace(s in "[a b\t\n\r\u{b}\u{c}\u{a0}\u{2003}é’x]{0,40}") {
            proptest::prop_assert_eq!(word_count(&s), s.split_whitespace().count());
        }

        #[test]
        fn tokens_are_read_back_like_split_whitespace(s in "[a b\t\n\r\u{b}\u{c}\u{1c}\u{85}\u{a0}\u{2003}é’(S]{0,30}") {
            for (p, _) in s.char_indices().chain([(s.len(), ' ')]) {
                proptest::prop_assert_eq!(token_before(&s, p).1, s[..p].split_whitespace().next_back().unwrap_or(""));
                let expected = s[..p].rfind(char::is_whitespace).map_or(0, |w| w + s[w..].chars().next().map_or(1, char::len_utf8));
                proptest::prop_assert_eq!(token_start(&s, p), expected);
            }
        }

        #[test]
        fn cue_words_read_alike(s in "[iI'’mMaAyYnNeEsShHtTbz1.,!]{0,7}") {
            let slow = |w: &str| {
                let t = s.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’');
                t.chars().map(|c| if c == '’' { '\'' } else { c.to_ascii_lowercase() }).eq(w.chars())
            };
            let expected = if slow("i'm") || slow("im") { Word::Im } else if slow("i") { Word::I }
                else if slow("am") { Word::Am } else if slow("my") { Word::My } else if slow("name") { Word::Name }
                else if slow("is") { Word::Is } else if slow("this") { Word::This } else if slow("here") { Word::Here }
                else if slow("me") { Word::Me } else if slow("it's") { Word::Its } else { Word::Other };
            proptest::prop_assert_eq!(Word::of(&s), expected);
        }
    }
    use crate::episode::{EpisodeMeta, Turn};
    use std::path::PathBuf;

    fn episode(hosts: &[&str], notes: &str, turns: &[(&str, &str)]) -> Episode {
        Episode {
            source: PathBuf::from("e.md"),
            meta: EpisodeMeta {
                id: "e".into(),
                hosts: hosts
                    .iter()
                    .map(|h| PersonRef {
                        name: h.to_string(),
                        url: None,
                    })
                    .collect(),
                notes: Some(notes.into()),
                ..Default::default()
            },
            turns: turns
                .iter()
                .enumerate()
                .map(|(i, (l, t))| Turn {
                    start_ms: Some(i as u64 * 1000),
                    label: Some(l.to_string()),
                    text: t.to_string(),
                    line: i + 1,
                })
                .collect(),
        }
    }

    fn cast_names(e: &Episode, stock: &StockSet) -> Vec<(String, String)> {
        let clues = extract(e, &Directory::default());
        let cast = resolve(&clues, stock);
        cast.labels
            .iter()
            .map(|r| {
                let who = match r.voice {
                    Voice::Member(m) => cast.members[m].name.clone(),
                    Voice::Announcer => "ANNOUNCER".into(),
                    Voice::Unresolved => "?".into(),
                };
                (r.label.clone(), who)
            })
            .collect()
    }

    #[test]
    fn self_introduction_patterns() {
        assert_eq!(
            self_introductions("Hey everyone, I’m Kris Nova. I’m a developer."),
            vec!["Kris Nova"]
        );
        assert_eq!(
            self_introductions("Good afternoon, my name is Duffy and I’m back."),
            vec!["Duffy"]
        );
        assert_eq!(self_introductions("Jed Salazar here, thanks."), vec!["Jed Salazar"]);
        assert_eq!(self_introductions("Sure. Sam Whitfield here."), vec!["Sam Whitfield"]);
        assert_eq!(
            self_introductions("Hello everyone, Tomás here with Priya."),
            vec!["Tomás"]
        );
        assert_eq!(self_introductions("Hi, it's Ada, and Tom is with me."), vec!["Ada"]);
        assert!(self_introductions("We were there. The code is here.").is_empty());
        assert_eq!(
            self_introductions("Hey, I’m Patrick, I’m an upstream contributor."),
            vec!["Patrick"]
        );
        assert!(self_introductions("I'm not sure. I'm Going to say no.").is_empty());
        // The last 400 bytes of a long turn start mid-sentence: "Sam Lee
        // here" there is a sentence going on, not an introduction.
        let long = format!(
            "{} so Sam Lee here is a name. {}",
            "word ".repeat(100),
            "end ".repeat(90)
        );
        assert!(self_introductions(&long).is_empty());
        assert_eq!(self_introductions(&format!("Sam Lee here. {long}")), vec!["Sam Lee"]);
    }

    #[test]
    fn initials_and_guest_from_notes() {
        let e = episode(
            &["Carlisia Thompson", "Bryan Liles"],
            "With [Kelsey Hightower](https://twitter.com/x) today.",
            &[
                ("CC", "Welcome, today we have Kelsey Hightower."),
                ("KH", "Happy to be here."),
                ("BL", "Hi."),
                ("CC", "Great."),
            ],
        );
        let got = cast_names(&e, &StockSet::default());
        assert!(got.contains(&("KH".into(), "Kelsey Hightower".into())), "{got:?}");
        assert!(got.contains(&("BL".into(), "Bryan Liles".into())), "{got:?}");
        // CC is not Carlisia's initials (CT) but the only C among the hosts.
        assert!(got.contains(&("CC".into(), "Carlisia Thompson".into())), "{got:?}");
    }

    #[test]
    fn typos_and_self_introductions() {
        let e = episode(
            &["Carlisia Thompson", "Kris Nóva", "Duffie Cooley"],
            "",
            &[
                ("CN", "Hey everyone, I’m Kris Nova."),
                ("KN", "So, observability."),
                ("KN", "More."),
                ("DC", "I'm Duffy Coolie, hi."),
                ("DC", "Yes."),
                ("CC", "Hello."),
                ("CC", "Bye."),
                ("CCC", "Bye!"),
            ],
        );
        let got = cast_names(&e, &StockSet::default());
        assert!(got.contains(&("CN".into(), "Kris Nóva".into())), "{got:?}");
        assert!(got.contains(&("CCC".into(), "Carlisia Thompson".into())), "{got:?}");
        assert!(got.contains(&("DC".into(), "Duffie Cooley".into())), "{got:?}");
    }

    #[test]
    fn unknown_labels_stay_unresolved() {
        let e = episode(&["Carlisia Thompson"], "", &[("CC", "Hi."), ("ZQ", "Hello there.")]);
        let got = cast_names(&e, &StockSet::default());
        assert!(got.contains(&("ZQ".into(), "?".into())), "{got:?}");
    }

    #[test]
    fn stock_announcements_belong_to_the_announcer() {
        let outro = "Thank you for listening to the show. Find us on the web at our site, and we'll be back next week.";
        let a = episode(&["Kris Nóva"], "", &[("ANNOUNCER", outro), ("KN", "Hi.")]);
        let mut stock = StockSet::default();
        stock.add(&extract(&a, &Directory::default()));
        let b = episode(&["Carlisia Thompson"], "", &[("CC", "Bye."), ("KN", outro)]);
        let got = cast_names(&b, &stock);
        assert!(got.contains(&("KN".into(), "ANNOUNCER".into())), "{got:?}");
    }

    #[test]
    fn same_initials_differ_by_episode() {
        let a = episode(&["Josh Rosso"], "", &[("JS", "Hi, I'm Josh.")]);
        let b = episode(&["Jed Salazar"], "", &[("JS", "Jed Salazar here.")]);
        assert_eq!(cast_names(&a, &StockSet::default())[0].1, "Josh Rosso");
        assert_eq!(cast_names(&b, &StockSet::default())[0].1, "Jed Salazar");
    }

    #[test]
    fn name_labels() {
        let e = episode(&[], "", &[("Gerhard Lazu", "Hi."), ("Rich Burroughs", "Hello.")]);
        let got = cast_names(&e, &StockSet::default());
        assert_eq!(got[0], ("Gerhard Lazu".into(), "Gerhard Lazu".into()));
        assert_eq!(got[1], ("Rich Burroughs".into(), "Rich Burroughs".into()));
    }
}
