//! The concept tagger: one Aho-Corasick automaton over every alias.
//!
//! [`Tagger::new`] compiles a [`Dictionary`]'s patterns into a single
//! automaton that folds ASCII case. [`Tagger::find`] runs it over a text in
//! overlapping mode, keeps the candidates that pass the pattern's rules
//! (exact case where asked, whole words in any script, not inside a URL,
//! not at a sentence start, not next to an excluded word) and then picks the
//! leftmost-longest among the survivors.
//!
//! Checking the rules *before* choosing the longest match matters: in
//! "cloud natives", the longest candidate "cloud native" fails the word
//! boundary, and the shorter "cloud" must still be found.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

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
    ac: AhoCorasick,
    rules: Vec<Rule>,
}

impl Tagger {
    /// Compiles a dictionary's patterns.
    pub fn new(dict: &Dictionary) -> Result<Tagger> {
        let texts: Vec<&str> = dict.patterns.iter().map(|p| p.text.as_str()).collect();
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&texts)
            .or_else(|_| {
                // A very large dictionary may exceed the DFA's size limit;
                // the contiguous NFA is slower but has no such limit.
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .ascii_case_insensitive(true)
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(&texts)
            })
            .map_err(|e| Error::Usage(format!("cannot compile the dictionary: {e}")))?;
        let rules = dict
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
        Ok(Tagger { ac, rules })
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
        let bytes = text.as_bytes();
        for m in self.ac.find_overlapping_iter(text) {
            let rule = &self.rules[m.pattern().as_usize()];
            let (start, mut end) = (m.start(), m.end());
            if let Some(exact) = &rule.exact {
                if bytes[start..end] != exact[..] {
                    continue;
                }
            }
            if is_word_char_before(text, start) {
                continue;
            }
            if rule.plurals {
                end += plural_suffix(&bytes[end..]);
            }
            if is_word_char_at(text, end) {
                continue;
            }
            if rule.not_at_sentence_start && at_sentence_start(text, start) {
                continue;
            }
            if !rule.unless_prev.is_empty() && word_in(prev_word(text, start), &rule.unless_prev) {
                continue;
            }
            if !rule.unless_next.is_empty() && word_in(next_word(text, end), &rule.unless_next) {
                continue;
            }
            if inside_url(bytes, start, end) {
                continue;
            }
            out.push(Hit {
                start,
                end,
                concept: rule.concept as usize,
            });
        }
        if out.len() > 1 {
            select_leftmost_longest(out);
        }
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

fn is_word_char_before(text: &str, i: usize) -> bool {
    text[..i].chars().next_back().is_some_and(is_word_char)
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

/// The sentence around a span, at most about `max` bytes, with the span's
/// offsets inside the snippet. Used as the evidence quote of a mention.
pub fn snippet(text: &str, start: usize, end: usize, max: usize) -> (String, usize, usize) {
    let half = max.saturating_sub(end - start) / 2;
    let mut s = start.saturating_sub(half);
    while !text.is_char_boundary(s) {
        s -= 1;
    }
    // Start after the last sentence end before the match, if within reach.
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
    // Closing quotes or brackets left over from the previous sentence.
    let head = &text[s..start];
    let trimmed = head.trim_start_matches(|c: char| c.is_whitespace() || "”’\")]},;:".contains(c));
    s += head.len() - trimmed.len();
    let snippet = text[s..e].trim_end().to_string();
    (snippet, start - s, end - s)
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
  - name: Twitter
    kind: organization
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
}
