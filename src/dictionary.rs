//! Concept dictionaries: loading, validating and flattening into patterns.
//!
//! A dictionary file (format in `dictionaries/README.md`) lists entries with
//! a canonical name, a kind and aliases, plus matching rules for names that
//! are ordinary words. [`Dictionary::load`] reads the shipped files (built
//! into the binary) and the user's, reports problems as
//! [`Diagnostic`]s, and yields [`Concept`]s and the flat list of
//! [`Pattern`]s that the [`tagger`](crate::tagger) compiles into one
//! automaton.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::names;

/// The shipped dictionaries, built into the binary so that an installed
/// `podgraph` works from any folder.
pub const BUILTIN: &[(&str, &str)] = &[
    ("technologies.yaml", include_str!("../dictionaries/technologies.yaml")),
    ("organizations.yaml", include_str!("../dictionaries/organizations.yaml")),
    ("people.yaml", include_str!("../dictionaries/people.yaml")),
    ("topics.yaml", include_str!("../dictionaries/topics.yaml")),
];

/// What a concept is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Projects, languages, products, services, tools.
    Technology,
    /// Companies, foundations, communities.
    Organization,
    /// People; the same node as a speaker of that name.
    Person,
    /// Practices and ideas.
    Topic,
    /// Conferences and other events.
    Event,
    /// Books, papers, talks, shows.
    Publication,
}

impl Kind {
    /// Every kind, in display order.
    pub const ALL: &'static [Kind] = &[
        Kind::Technology,
        Kind::Organization,
        Kind::Person,
        Kind::Topic,
        Kind::Event,
        Kind::Publication,
    ];

    /// The lowercase name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Technology => "technology",
            Kind::Organization => "organization",
            Kind::Person => "person",
            Kind::Topic => "topic",
            Kind::Event => "event",
            Kind::Publication => "publication",
        }
    }

    /// Parses a kind name.
    pub fn from_name(s: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.name() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Letter case rule of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseRule {
    /// Matches in any letter case.
    #[default]
    Insensitive,
    /// Matches only as written.
    Sensitive,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    entries: Vec<EntrySpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntrySpec {
    name: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    aliases: Vec<AliasSpec>,
    #[serde(default = "yes")]
    match_name: bool,
    #[serde(default)]
    case: CaseRule,
    #[serde(default)]
    not_at_sentence_start: bool,
    #[serde(default)]
    unless_prev: Vec<String>,
    #[serde(default)]
    unless_next: Vec<String>,
    #[serde(default)]
    plurals: Option<bool>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    ordinary_word: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum AliasSpec {
    Plain(String),
    Detailed {
        text: String,
        #[serde(default)]
        case: Option<CaseRule>,
        #[serde(default)]
        not_at_sentence_start: Option<bool>,
    },
}

/// A concept: one node of the graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Concept {
    /// Node id: `person:<slug>` for people, `concept:<slug>` otherwise.
    pub id: String,
    /// Canonical name.
    pub name: String,
    /// Kind.
    pub kind: Kind,
    /// Home page, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Every spelling that is matched (name first).
    pub aliases: Vec<String>,
    /// Where it was defined.
    #[serde(skip)]
    pub source: String,
    /// Declared an ordinary word matched in any case on purpose
    /// (`ordinary_word: true`), so the linter leaves it alone.
    #[serde(skip)]
    pub ordinary_word: bool,
}

/// One spelling to search for, with its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The text as written in the dictionary (or a generated variant).
    pub text: String,
    /// Index of its concept in [`Dictionary::concepts`].
    pub concept: usize,
    /// Letter case rule.
    pub case: CaseRule,
    /// Reject matches at the start of a sentence.
    pub not_at_sentence_start: bool,
    /// Accept an `s`/`es` suffix.
    pub plurals: bool,
    /// Reject when the previous word is one of these (folded).
    pub unless_prev: Vec<String>,
    /// Reject when the next word is one of these (folded).
    pub unless_next: Vec<String>,
}

/// A loaded dictionary.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    /// Concepts in load order.
    pub concepts: Vec<Concept>,
    /// Every pattern, generated variants included.
    pub patterns: Vec<Pattern>,
}

/// Where a dictionary's text comes from.
#[derive(Debug, Clone)]
pub struct Source {
    /// A name for messages: a path, or `builtin:<file>`.
    pub name: PathBuf,
    /// The YAML text.
    pub text: String,
}

impl Source {
    /// The shipped dictionaries.
    pub fn builtin() -> Vec<Source> {
        BUILTIN
            .iter()
            .map(|(n, t)| Source {
                name: PathBuf::from(format!("builtin:dictionaries/{n}")),
                text: (*t).to_string(),
            })
            .collect()
    }

    /// Reads a dictionary file.
    pub fn read(path: &Path) -> Result<Source> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Ok(Source {
            name: path.to_path_buf(),
            text,
        })
    }
}

impl Dictionary {
    /// Loads and validates dictionaries in order. Errors (unparsable file,
    /// unknown field or kind) and warnings (alias conflicts, empty or
    /// one-character aliases, repeated entries) go to `diags`; the entries
    /// that are sound are kept.
    pub fn load(sources: &[Source], diags: &mut Diagnostics) -> Dictionary {
        let mut b = Builder::default();
        for src in sources {
            b.add_source(src, diags);
        }
        b.finish()
    }

    /// Loads the shipped dictionaries plus extra files; fails only if a file
    /// cannot be read.
    pub fn load_default(extra: &[PathBuf], builtin: bool, diags: &mut Diagnostics) -> Result<Dictionary> {
        let mut sources = if builtin { Source::builtin() } else { Vec::new() };
        for p in extra {
            sources.push(Source::read(p)?);
        }
        Ok(Dictionary::load(&sources, diags))
    }

    /// Finds a concept by id.
    pub fn concept_by_id(&self, id: &str) -> Option<&Concept> {
        self.concepts.iter().find(|c| c.id == id)
    }
}

#[derive(Default)]
struct Builder {
    concepts: Vec<Concept>,
    patterns: Vec<Pattern>,
    /// Concept index by name key, to merge repeated entries.
    by_name: BTreeMap<String, usize>,
    /// Owner of each alias key: (concept, where first claimed).
    alias_owner: BTreeMap<String, usize>,
}

impl Builder {
    fn add_source(&mut self, src: &Source, diags: &mut Diagnostics) {
        let spec: FileSpec = match serde_yaml::from_str(&src.text) {
            Ok(s) => s,
            Err(e) => {
                // An error at the end of the text may be placed on the line
                // after the last.
                let last = src.text.lines().count().max(1);
                let line = e.location().map(|l| l.line()).unwrap_or(1).min(last);
                let msg = e.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                diags.push(Diagnostic::error(
                    &src.name,
                    line,
                    format!("dictionary is not valid ({msg}); file skipped"),
                ));
                return;
            }
        };
        let file_kind = match spec.kind.as_deref() {
            None => None,
            Some(k) => match Kind::from_name(k) {
                Some(k) => Some(k),
                None => {
                    diags.push(Diagnostic::error(
                        &src.name,
                        line_of(&src.text, "kind", k),
                        format!("unknown kind `{k}` (known: {}); file skipped", kind_list()),
                    ));
                    return;
                }
            },
        };
        // Entries are found in file order, each after the one before, so
        // that a repeated name or a name that starts another (`Go`,
        // `Golang`) is reported at its own line.
        let starts = LineStarts::of(&src.text);
        let mut from = 0;
        for entry in spec.entries {
            let line = first_line_with(starts.lines_from(&src.text, from), "name", &entry.name)
                .or_else(|| first_line_with(src.text.lines().enumerate(), "name", &entry.name))
                .unwrap_or(1);
            from = line;
            self.add_entry(src, file_kind, entry, line, diags);
        }
    }

    fn add_entry(&mut self, src: &Source, file_kind: Option<Kind>, e: EntrySpec, line: usize, diags: &mut Diagnostics) {
        let name = e.name.trim().to_string();
        if names::key(&name).is_empty() {
            diags.push(Diagnostic::error(&src.name, line, "entry with an empty name; skipped"));
            return;
        }
        let kind = match e.kind.as_deref() {
            Some(k) => match Kind::from_name(k) {
                Some(k) => k,
                None => {
                    diags.push(Diagnostic::error(
                        &src.name,
                        first_line_with(src.text.lines().enumerate().skip(line.saturating_sub(1)), "kind", k)
                            .unwrap_or(line),
                        format!(
                            "entry `{name}` has unknown kind `{k}` (known: {}); entry skipped",
                            kind_list()
                        ),
                    ));
                    return;
                }
            },
            None => match file_kind {
                Some(k) => k,
                None => {
                    diags.push(Diagnostic::error(
                        &src.name,
                        line,
                        format!("entry `{name}` has no kind and the file sets none; entry skipped"),
                    ));
                    return;
                }
            },
        };
        let name_key = names::key(&name);
        let concept = match self.by_name.get(&name_key) {
            Some(&c) => {
                diags.push(Diagnostic::warning(
                    &src.name,
                    line,
                    format!(
                        "entry `{name}` is defined again (first in {}); its aliases are merged into the first",
                        self.concepts[c].source
                    ),
                ));
                c
            }
            None => {
                let slug = names::slug(e.id.as_deref().unwrap_or(&name));
                let prefix = if kind == Kind::Person { "person" } else { "concept" };
                self.concepts.push(Concept {
                    id: format!("{prefix}:{slug}"),
                    name: name.clone(),
                    kind,
                    url: e.url.clone(),
                    aliases: Vec::new(),
                    source: src.name.display().to_string(),
                    ordinary_word: e.ordinary_word,
                });
                self.by_name.insert(name_key, self.concepts.len() - 1);
                self.concepts.len() - 1
            }
        };
        let plurals = e.plurals.unwrap_or(kind == Kind::Topic);
        let fold_words = |ws: &[String]| ws.iter().map(|w| names::fold(w)).collect::<Vec<_>>();
        let base = Pattern {
            text: String::new(),
            concept,
            case: e.case,
            not_at_sentence_start: e.not_at_sentence_start,
            plurals,
            unless_prev: fold_words(&e.unless_prev),
            unless_next: fold_words(&e.unless_next),
        };
        let mut forms: Vec<Pattern> = Vec::new();
        if e.match_name {
            forms.push(Pattern {
                text: name.clone(),
                ..base.clone()
            });
        }
        for a in e.aliases {
            let p = match a {
                AliasSpec::Plain(text) => Pattern { text, ..base.clone() },
                AliasSpec::Detailed {
                    text,
                    case,
                    not_at_sentence_start,
                } => Pattern {
                    text,
                    case: case.unwrap_or(base.case),
                    not_at_sentence_start: not_at_sentence_start.unwrap_or(base.not_at_sentence_start),
                    ..base.clone()
                },
            };
            forms.push(p);
        }
        for mut p in forms {
            p.text = p.text.trim().to_string();
            let shown = self.concepts[concept].name.clone();
            if p.text.is_empty() {
                diags.push(Diagnostic::warning(
                    &src.name,
                    line,
                    format!("entry `{shown}` has an empty alias; ignored"),
                ));
                continue;
            }
            if p.text.chars().count() < 2 {
                diags.push(Diagnostic::warning(
                    &src.name,
                    alias_line(&src.text, line, &p.text),
                    format!(
                        "alias `{}` of `{shown}` is a single character and would match noise; ignored",
                        p.text
                    ),
                ));
                continue;
            }
            let key = alias_key(&p.text);
            match self.alias_owner.get(&key) {
                Some(&owner) if owner == concept => continue,
                Some(&owner) => {
                    diags.push(Diagnostic::warning(
                        &src.name,
                        alias_line(&src.text, line, &p.text),
                        format!(
                            "alias `{}` of `{shown}` is already claimed by `{}` ({}); it stays with `{}`",
                            p.text, self.concepts[owner].name, self.concepts[owner].source, self.concepts[owner].name
                        ),
                    ));
                    continue;
                }
                None => {
                    self.alias_owner.insert(key, concept);
                }
            }
            self.concepts[concept].aliases.push(p.text.clone());
            self.push_variants(p);
        }
    }

    /// Adds a pattern and the variants people type without thinking:
    /// without accents, with curly apostrophes, in lower case where the
    /// text has non-ASCII letters (the automaton folds ASCII case only).
    fn push_variants(&mut self, p: Pattern) {
        let mut texts = vec![p.text.clone()];
        let plain = strip_accents(&p.text);
        if plain != p.text {
            texts.push(plain);
        }
        for t in texts.clone() {
            if t.contains('\'') {
                texts.push(t.replace('\'', "\u{2019}"));
            }
        }
        if p.case == CaseRule::Insensitive {
            for t in texts.clone() {
                if !t.is_ascii() {
                    texts.push(t.to_lowercase());
                    texts.push(t.to_uppercase());
                }
            }
        }
        texts.sort();
        texts.dedup();
        for text in texts {
            self.patterns.push(Pattern { text, ..p.clone() });
        }
    }

    fn finish(self) -> Dictionary {
        Dictionary {
            concepts: self.concepts,
            patterns: self.patterns,
        }
    }
}

/// The key under which aliases conflict: case- and accent-insensitive,
/// since a case-sensitive "Go" and an insensitive "go" still compete for the
/// same words.
fn alias_key(text: &str) -> String {
    names::fold(text)
}

/// Removes diacritics but keeps letter case: "Nóva" gives "Nova".
pub fn strip_accents(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    // ASCII has no accents, and both normal forms leave it as it is.
    if text.is_ascii() {
        return text.to_string();
    }
    let stripped: String = text.nfd().filter(|c| !matches!(*c as u32, 0x0300..=0x036F)).collect();
    stripped.nfc().collect()
}

fn kind_list() -> String {
    Kind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

/// Best-effort line of `key: value` in a YAML text, for messages.
fn line_of(text: &str, key: &str, value: &str) -> usize {
    first_line_with(text.lines().enumerate(), key, value).unwrap_or(1)
}

/// The first of `lines` (numbered from 0) that reads `key: value`, as a
/// 1-based line number.
fn first_line_with<'t>(mut lines: impl Iterator<Item = (usize, &'t str)>, key: &str, value: &str) -> Option<usize> {
    lines
        .find(|(_, l)| {
            let t = l
                .trim_start()
                .trim_start_matches("- ")
                .trim_start_matches('{')
                .trim_start();
            t.strip_prefix(key)
                .and_then(|r| r.trim_start().strip_prefix(':'))
                .is_some_and(|r| r.trim().trim_matches(['"', '\'']).starts_with(value.trim()))
        })
        .map(|(i, _)| i + 1)
}

/// Where each line of a text starts, so that a search from line `n` begins
/// there instead of reading every line before it: a dictionary's entries,
/// thousands of them, are each looked for from the one before.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn of(text: &str) -> LineStarts {
        LineStarts(
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }

    /// The lines of `text` from the 0-based line `from` on, with their
    /// 0-based numbers, as `text.lines().enumerate().skip(from)` gives them.
    fn lines_from<'t>(&self, text: &'t str, from: usize) -> impl Iterator<Item = (usize, &'t str)> {
        let at = self.0.get(from).copied().unwrap_or(text.len());
        text[at..].lines().enumerate().map(move |(i, l)| (from + i, l))
    }
}

/// The line of an alias of the entry starting at `entry_line`: the first
/// line from there holding it as a whole word (`x` is not found inside
/// `Bazqux`); the entry's line if it is written some other way.
fn alias_line(text: &str, entry_line: usize, alias: &str) -> usize {
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.lines()
        .enumerate()
        .skip(entry_line.saturating_sub(1))
        .find(|(_, l)| {
            l.match_indices(alias)
                .any(|(i, m)| !word(l[..i].chars().next_back()) && !word(l[i + m.len()..].chars().next()))
        })
        .map_or(entry_line, |(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn accents_stripped_as_the_normal_forms_strip_them(text in "[a-zA-Z0-9 .'-]{0,20}|[aZé óÜ’\u{301}]{0,12}") {
            use unicode_normalization::UnicodeNormalization;
            let plain: String = text.nfd().filter(|c| !matches!(*c as u32, 0x0300..=0x036F)).collect();
            proptest::prop_assert_eq!(strip_accents(&text), plain.nfc().collect::<String>());
        }

        #[test]
        fn lines_from_a_start_are_the_lines_skipped_to(text in "[a\n\r: -]{0,40}", from in 0usize..12) {
            let starts = LineStarts::of(&text);
            let ours: Vec<(usize, &str)> = starts.lines_from(&text, from).collect();
            let plain: Vec<(usize, &str)> = text.lines().enumerate().skip(from).collect();
            proptest::prop_assert_eq!(ours, plain);
        }
    }

    fn load(text: &str) -> (Dictionary, Diagnostics) {
        let mut d = Diagnostics::default();
        let dict = Dictionary::load(
            &[Source {
                name: "t.yaml".into(),
                text: text.into(),
            }],
            &mut d,
        );
        (dict, d)
    }

    #[test]
    fn loads_entries_aliases_and_rules() {
        let (d, diags) = load(
            "kind: technology\nentries:\n  - name: Kubernetes\n    aliases: [K8s, kube]\n  - name: Go\n    case: sensitive\n    aliases:\n      - { text: Golang, case: insensitive }\n  - name: Mark Burgess\n    kind: person\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(d.concepts.len(), 3);
        assert_eq!(d.concepts[0].id, "concept:kubernetes");
        assert_eq!(d.concepts[2].id, "person:mark-burgess");
        let go: Vec<_> = d.patterns.iter().filter(|p| p.concept == 1).collect();
        assert_eq!(go[0].case, CaseRule::Sensitive);
        assert_eq!(go[1].case, CaseRule::Insensitive);
    }

    #[test]
    fn variants_for_accents_and_apostrophes() {
        let (d, _) = load("kind: person\nentries:\n  - name: Kris Nóva\n  - name: Conway's Law\n    kind: topic\n");
        let texts: Vec<_> = d.patterns.iter().map(|p| p.text.as_str()).collect();
        assert!(texts.contains(&"Kris Nova"));
        assert!(texts.contains(&"Conway\u{2019}s Law"));
    }

    #[test]
    fn problems_are_reported() {
        let (d, diags) = load(
            "kind: technology\nentries:\n  - name: A1\n    aliases: [x, '', shared]\n  - name: B1\n    aliases: [Shared]\n  - name: C1\n    kind: gadget\n  - name: A1\n",
        );
        let msgs: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert!(msgs.iter().any(|m| m.contains("single character")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("empty alias")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("already claimed")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("unknown kind `gadget`")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("defined again")), "{msgs:?}");
        assert_eq!(d.concepts.len(), 2);
        assert!(msgs.iter().any(|m| m.starts_with("t.yaml:4:")), "{msgs:?}");
    }

    #[test]
    fn problems_name_their_own_lines() {
        let (_, diags) = load(
            "kind: technology\nentries:\n  - name: Golang\n  - name: Go\n    aliases:\n      - Bazqux\n      - x\n  - name: Rust\n    kind: gadget\n  - name: Go\n",
        );
        let msgs: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].starts_with("t.yaml:7: warning: alias `x` of `Go`"), "{msgs:?}");
        assert!(
            msgs[1].starts_with("t.yaml:9: error: entry `Rust` has unknown kind"),
            "{msgs:?}"
        );
        assert!(
            msgs[2].starts_with("t.yaml:10: warning: entry `Go` is defined again"),
            "{msgs:?}"
        );
        // An error at the very end of a file names its last line.
        let (_, diags) = load("entries: [");
        let msg = diags.iter().next().unwrap().to_string();
        assert!(msg.starts_with("t.yaml:1: error:"), "{msg}");
    }

    #[test]
    fn unknown_fields_are_errors() {
        let (_, diags) = load("kind: topic\nentries:\n  - name: GitOps\n    alias: [x]\n");
        assert_eq!(diags.errors(), 1);
        let msg = diags.iter().next().unwrap().to_string();
        assert!(msg.contains("unknown field `alias`"), "{msg}");
    }

    #[test]
    fn builtin_dictionaries_are_clean() {
        let mut diags = Diagnostics::default();
        let d = Dictionary::load(&Source::builtin(), &mut diags);
        let msgs: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert!(msgs.is_empty(), "{msgs:#?}");
        assert!(d.concepts.len() >= 100);
    }
}
