//! YAML front matter: splitting it from the body and reading episode
//! metadata from it, field by field, with a warning for every field of the
//! wrong type (the rest of the file is still read).

use std::path::Path;

use serde_yaml::Value;

use crate::diagnostics::Diagnostic;
use crate::episode::{EpisodeMeta, Link, PersonRef};
use crate::error::{Error, Result};

/// Front matter cut out of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML text between the `---` lines (empty if there is none).
    pub yaml: &'a str,
    /// 1-based line of the first YAML line.
    pub yaml_line: usize,
    /// The text after the closing `---`.
    pub body: &'a str,
    /// 1-based line where the body starts.
    pub body_line: usize,
}

/// Splits `---` delimited front matter from the body.
///
/// A file that does not start with `---` has no front matter. A file that
/// opens front matter but never closes it is an error, since guessing where
/// the metadata ends would silently mangle both parts.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>> {
    let mut lines = LineCursor::new(text);
    let Some(first) = lines.next() else {
        return Ok(Split {
            yaml: "",
            yaml_line: 1,
            body: text,
            body_line: 1,
        });
    };
    if first.content.trim_end() != "---" {
        return Ok(Split {
            yaml: "",
            yaml_line: 1,
            body: text,
            body_line: 1,
        });
    }
    let yaml_start = first.end;
    for line in lines {
        let t = line.content.trim_end();
        if t == "---" || t == "..." {
            return Ok(Split {
                yaml: &text[yaml_start..line.start],
                yaml_line: 2,
                body: &text[line.end..],
                body_line: line.number + 1,
            });
        }
    }
    Err(Error::parse(
        path,
        1,
        "front matter opened with `---` on line 1 is never closed (no second `---` line); file skipped",
    ))
}

struct Line<'a> {
    content: &'a str,
    start: usize,
    end: usize,
    number: usize,
}

struct LineCursor<'a> {
    text: &'a str,
    pos: usize,
    number: usize,
}

impl<'a> LineCursor<'a> {
    fn new(text: &'a str) -> Self {
        LineCursor {
            text,
            pos: 0,
            number: 0,
        }
    }
}

impl<'a> Iterator for LineCursor<'a> {
    type Item = Line<'a>;
    fn next(&mut self) -> Option<Line<'a>> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let rest = &self.text[start..];
        let (content, end) = match rest.find('\n') {
            Some(i) => (&rest[..i], start + i + 1),
            None => (rest, self.text.len()),
        };
        self.pos = end;
        self.number += 1;
        Some(Line {
            content: content.strip_suffix('\r').unwrap_or(content),
            start,
            end,
            number: self.number,
        })
    }
}

/// Parses front matter YAML into a generic value.
///
/// Alias expansion and nesting depth are bounded by the YAML parser, so a
/// hostile file fails with an error instead of exhausting memory.
pub fn parse_yaml(path: &Path, split: &Split<'_>) -> Result<Value> {
    if split.yaml.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_yaml::from_str::<Value>(split.yaml).map_err(|e| {
        let line = e
            .location()
            .map(|l| split.yaml_line + l.line().saturating_sub(1))
            .unwrap_or(split.yaml_line);
        Error::parse(
            path,
            line,
            format!(
                "front matter is not valid YAML ({}); file skipped",
                yaml_reason(&e.to_string(), split.yaml_line)
            ),
        )
    })
}

/// The parser's reason with its positions, which count from the start of
/// the front matter, turned into lines of the file, and with the limits
/// that stop hostile files named in plain words.
fn yaml_reason(message: &str, yaml_line: usize) -> String {
    let first = message.lines().next().unwrap_or(message);
    if first.contains("recursion limit exceeded") {
        return "nested too deeply: recursion limit exceeded".into();
    }
    if first.contains("repetition limit exceeded") {
        return "aliases expand to too much data: repetition limit exceeded".into();
    }
    let mut out = String::with_capacity(first.len());
    let mut rest = first;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        // "at line N column M" becomes "on line N'" (N' in the file).
        let after = &rest[i + " at line ".len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let Ok(n) = after[..digits].parse::<usize>() else {
            out.push_str(" at line ");
            rest = after;
            continue;
        };
        out.push_str(&format!(" on line {}", yaml_line + n.saturating_sub(1)));
        let after = &after[digits..];
        rest = after
            .strip_prefix(" column ")
            .map_or(after, |a| a.trim_start_matches(|c: char| c.is_ascii_digit()));
    }
    out.push_str(rest);
    out
}

/// Reads episode metadata from parsed front matter.
///
/// Unknown keys are ignored (sites keep their own). A field of the wrong
/// type is dropped or converted with a warning naming its line; `id_fallback`
/// (the file stem) is used when `episode_id` is missing.
pub fn episode_meta(
    path: &Path,
    split: &Split<'_>,
    value: &Value,
    id_fallback: &str,
    warnings: &mut Vec<Diagnostic>,
) -> EpisodeMeta {
    let mut meta = EpisodeMeta::default();
    let map = match value {
        Value::Mapping(m) => Some(m),
        Value::Null => None,
        _ => {
            warnings.push(Diagnostic::warning(
                path,
                split.yaml_line,
                "front matter is not a mapping of keys to values; metadata ignored",
            ));
            None
        }
    };
    let field = |name: &str| map.and_then(|m| m.get(name));
    let line_of = |name: &str| key_line(split, name);
    let mut reader = FieldReader {
        path,
        warnings,
        line_of: &line_of,
    };

    meta.id = match field("episode_id").or_else(|| field("id")) {
        Some(v) => reader
            .scalar("episode_id", v)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| id_fallback.to_string()),
        None => id_fallback.to_string(),
    };
    if let Some(v) = field("episode_number").or_else(|| field("number")) {
        meta.number = reader.number("episode_number", v);
    }
    meta.title = field("title").and_then(|v| reader.scalar("title", v));
    meta.date = field("date").and_then(|v| reader.scalar("date", v));
    meta.description = field("description").and_then(|v| reader.scalar("description", v));
    meta.notes = field("notes").and_then(|v| reader.scalar("notes", v));
    meta.video = field("video").and_then(|v| reader.scalar("video", v));
    meta.hosts = field("hosts").map(|v| reader.people("hosts", v)).unwrap_or_default();
    meta.guests = field("guests").map(|v| reader.people("guests", v)).unwrap_or_default();
    meta.points = field("points").map(|v| reader.strings("points", v)).unwrap_or_default();
    meta.links = field("links")
        .map(|v| {
            reader
                .people("links", v)
                .into_iter()
                .map(|p| Link {
                    name: p.name,
                    url: p.url,
                })
                .collect()
        })
        .unwrap_or_default();
    meta.related = field("related")
        .map(|v| reader.strings("related", v))
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if map.is_some_and(|m| m.contains_key("episode_id")) {
        meta.id_line = key_line(split, "episode_id");
    }
    meta.related_lines = item_lines(split, "related", &meta.related);
    meta
}

/// The file line of each item of a top-level list, found in order after
/// its key (the key's line when an item cannot be found).
fn item_lines(split: &Split<'_>, key: &str, items: &[String]) -> Vec<usize> {
    if items.is_empty() {
        return Vec::new();
    }
    let start = key_line(split, key);
    let lines: Vec<&str> = split.yaml.lines().collect();
    let mut next = start.saturating_sub(split.yaml_line);
    items
        .iter()
        .map(|item| {
            let found = (next..lines.len()).find(|&i| lines[i].contains(item.as_str()));
            match found {
                Some(i) => {
                    next = i + 1;
                    split.yaml_line + i
                }
                None => start,
            }
        })
        .collect()
}

/// The 1-based line of a top-level key in the front matter, for messages.
pub fn key_line(split: &Split<'_>, key: &str) -> usize {
    for (i, line) in split.yaml.lines().enumerate() {
        if let Some(rest) = line.strip_prefix(key) {
            if rest.trim_start().starts_with(':') {
                return split.yaml_line + i;
            }
        }
    }
    split.yaml_line
}

struct FieldReader<'a, 'w> {
    path: &'a Path,
    warnings: &'w mut Vec<Diagnostic>,
    line_of: &'a dyn Fn(&str) -> usize,
}

impl FieldReader<'_, '_> {
    fn warn(&mut self, field: &str, message: String) {
        let line = (self.line_of)(field);
        self.warnings.push(Diagnostic::warning(self.path, line, message));
    }

    /// A string, number or boolean, as text; null is absent.
    fn scalar(&mut self, field: &str, v: &Value) -> Option<String> {
        match scalar_text(v) {
            Some(s) => Some(s),
            None if v.is_null() => None,
            None => {
                self.warn(
                    field,
                    format!("`{field}` should be text, found {}; ignored", type_name(v)),
                );
                None
            }
        }
    }

    fn number(&mut self, field: &str, v: &Value) -> Option<u32> {
        let parsed = match v {
            Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            Value::String(s) => s.trim().parse::<u32>().ok(),
            Value::Null => return None,
            _ => None,
        };
        if parsed.is_none() {
            let shown = scalar_text(v).unwrap_or_else(|| type_name(v).to_string());
            self.warn(
                field,
                format!("`{field}` should be a whole number, found `{shown}`; ignored"),
            );
        }
        parsed
    }

    /// A list of strings; a single string is accepted as a one-item list.
    fn strings(&mut self, field: &str, v: &Value) -> Vec<String> {
        match v {
            Value::Null => Vec::new(),
            Value::Sequence(items) => {
                let mut out = Vec::new();
                for item in items {
                    if let Some(s) = scalar_text(item) {
                        out.push(s);
                    } else if let Some(text) = one_key_mapping_text(item) {
                        // `- The three pillars: events, metrics` is a
                        // one-key mapping to YAML, but text to its author.
                        self.warn(
                            field,
                            format!(
                                "an item of `{field}` holds `: ` and reads as a mapping in YAML; \
                                 kept as the text `{text}` (quote it to silence this)"
                            ),
                        );
                        out.push(text);
                    } else if !item.is_null() {
                        self.warn(
                            field,
                            format!("an item of `{field}` is {}, not text; item ignored", type_name(item)),
                        );
                    }
                }
                out
            }
            other => match scalar_text(other) {
                Some(s) => {
                    self.warn(field, format!("`{field}` should be a list; read as a list of one"));
                    vec![s]
                }
                None => {
                    self.warn(
                        field,
                        format!("`{field}` should be a list, found {}; ignored", type_name(other)),
                    );
                    Vec::new()
                }
            },
        }
    }

    /// A list of `{name, url}` mappings or of plain names. A single string
    /// is split on commas and " and " (`hosts: Ann Lee, Bo Chen`).
    fn people(&mut self, field: &str, v: &Value) -> Vec<PersonRef> {
        match v {
            Value::Null => Vec::new(),
            Value::Sequence(items) => {
                let mut out = Vec::new();
                for item in items {
                    if let Some(p) = self.person(field, item) {
                        out.push(p);
                    }
                }
                out
            }
            Value::String(s) => {
                self.warn(
                    field,
                    format!("`{field}` should be a list of names; the text was split on commas"),
                );
                s.split(',')
                    .flat_map(|part| part.split(" and "))
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(|n| PersonRef {
                        name: n.to_string(),
                        url: None,
                    })
                    .collect()
            }
            other => {
                self.warn(
                    field,
                    format!("`{field}` should be a list, found {}; ignored", type_name(other)),
                );
                Vec::new()
            }
        }
    }

    fn person(&mut self, field: &str, item: &Value) -> Option<PersonRef> {
        match item {
            Value::Mapping(m) => {
                let name = m.get("name").and_then(scalar_text);
                let url = m.get("url").and_then(scalar_text).map(|u| u.trim().to_string());
                match name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()) {
                    Some(name) => Some(PersonRef { name, url }),
                    None => {
                        self.warn(field, format!("an item of `{field}` has no `name`; item ignored"));
                        None
                    }
                }
            }
            Value::Null => None,
            other => match scalar_text(other) {
                Some(name) if !name.trim().is_empty() => Some(PersonRef {
                    name: name.trim().to_string(),
                    url: None,
                }),
                _ => {
                    self.warn(
                        field,
                        format!("an item of `{field}` is {}, not a name; item ignored", type_name(other)),
                    );
                    None
                }
            },
        }
    }
}

/// `{a: b}` as the text `a: b`, when both sides are scalars.
fn one_key_mapping_text(v: &Value) -> Option<String> {
    let Value::Mapping(m) = v else { return None };
    if m.len() != 1 {
        return None;
    }
    let (k, v) = m.iter().next()?;
    Some(format!("{}: {}", scalar_text(k)?, scalar_text(v).unwrap_or_default()))
}

/// A scalar as text; `None` for null, sequences and mappings.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(t) => scalar_text(&t.value),
        _ => None,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a true/false value",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta_of(text: &str) -> (EpisodeMeta, Vec<Diagnostic>) {
        let path = Path::new("t.md");
        let split = split(path, text).unwrap();
        let value = parse_yaml(path, &split).unwrap();
        let mut w = Vec::new();
        let m = episode_meta(path, &split, &value, "stem", &mut w);
        (m, w)
    }

    #[test]
    fn splits_front_matter() {
        let text = "---\na: 1\n---\nbody\n";
        let s = split(Path::new("x"), text).unwrap();
        assert_eq!(s.yaml, "a: 1\n");
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn crlf_front_matter() {
        let text = "---\r\na: 1\r\n---\r\nbody\r\n";
        let s = split(Path::new("x"), text).unwrap();
        assert_eq!(s.yaml, "a: 1\r\n");
        assert_eq!(s.body, "body\r\n");
    }

    #[test]
    fn unterminated_front_matter_is_an_error() {
        let err = split(Path::new("x.md"), "---\na: 1\nbody\n").unwrap_err();
        assert!(err.to_string().contains("never closed"), "{err}");
    }

    #[test]
    fn no_front_matter() {
        let s = split(Path::new("x"), "[00:01] A: hi\n").unwrap();
        assert_eq!(s.yaml, "");
        assert_eq!(s.body_line, 1);
    }

    #[test]
    fn reads_fields_and_trims_ids() {
        let (m, w) = meta_of(
            "---\nepisode_id: 006-a-talk \nepisode_number: 6\nhosts:\n  - name: Ann Lee\n    url: https://x\nrelated: # sidebar\n- 001-a \n- 002-b\n---\n",
        );
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(m.id, "006-a-talk");
        assert_eq!(m.number, Some(6));
        assert_eq!(m.hosts[0].name, "Ann Lee");
        assert_eq!(m.related, vec!["001-a", "002-b"]);
    }

    #[test]
    fn yaml_errors_give_lines_of_the_file() {
        let path = Path::new("t.md");
        let text = "---\nepisode_id: x\ntitle: [open\nhosts: [a]\n---\n";
        let err = parse_yaml(path, &split(path, text).unwrap()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.md:4: front matter is not valid YAML (did not find expected ',' or ']' on line 4, \
             while parsing a flow sequence on line 3); file skipped"
        );
    }

    #[test]
    fn wrong_types_warn_with_line() {
        let (m, w) = meta_of("---\ntitle: T\nepisode_number: seven\nhosts: Ann Lee, Bo Chen\n---\n");
        assert_eq!(m.number, None);
        assert_eq!(m.hosts.len(), 2);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].line, 3);
        assert!(w[0].message.contains("seven"));
        assert_eq!(w[1].line, 4);
        assert_eq!(m.id, "stem");
    }
}

/// Rewrites the top-level `related:` list in a file's front matter and
/// leaves every other byte as it was (comments, key order, line ends).
///
/// The key line keeps its trailing comment; the items take the indentation
/// of the first existing item (two spaces if none). A file without the key
/// gets it at the end of its front matter. Returns `None` for a file with
/// no front matter, or one whose front matter this cannot rewrite safely
/// (the result is checked: it must read back as the same metadata with
/// `related` set to `ids`; a `related:` line inside a quoted or block
/// scalar, for one, is not a key).
pub fn replace_related(text: &str, ids: &[String]) -> Option<String> {
    let crlf = text.contains("\r\n");
    let eol = if crlf { "\r\n" } else { "\n" };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let strip = |l: &str| l.trim_end_matches(['\n', '\r']).to_string();
    let first = lines.first().map(|l| strip(l))?;
    if first.trim_start_matches('\u{feff}').trim_end() != "---" {
        return None;
    }
    let close = (1..lines.len()).find(|&i| matches!(strip(lines[i]).trim_end(), "---" | "..."))?;
    let key = (1..close).find(|&i| {
        let l = lines[i];
        l.strip_prefix("related")
            .is_some_and(|r| r.trim_start().starts_with(':'))
    });
    let (start, end, comment, indent) = match key {
        Some(k) => {
            let mut end = k + 1;
            // Items, and blank lines or comments between them.
            while end < close && (lines[end].starts_with([' ', '\t', '-', '#']) || strip(lines[end]).is_empty()) {
                end += 1;
            }
            // Blank lines and comments after the last item stay where they
            // are: they belong to what follows.
            while end > k + 1 && (strip(lines[end - 1]).trim().is_empty() || lines[end - 1].starts_with('#')) {
                end -= 1;
            }
            let key_line = strip(lines[k]);
            let after = key_line.split_once(':').map(|(_, r)| r).unwrap_or("");
            let comment = after.find(" #").map(|p| after[p..].to_string()).or_else(|| {
                after
                    .trim_start()
                    .starts_with('#')
                    .then(|| format!(" {}", after.trim_start()))
            });
            let indent = lines[k + 1..end]
                .iter()
                .find(|l| l.trim_start().starts_with('-'))
                .map(|l| l[..l.len() - l.trim_start().len()].to_string())
                .unwrap_or_else(|| "  ".to_string());
            (k, end, comment.unwrap_or_default(), indent)
        }
        None => (close, close, String::new(), "  ".to_string()),
    };
    // A key line without an inline value is kept byte for byte.
    let bare_key = key.map(|k| lines[k]).filter(|l| {
        let after = l.split_once(':').map(|(_, r)| r.trim()).unwrap_or("");
        after.is_empty() || after.starts_with('#')
    });
    let mut block = String::new();
    if ids.is_empty() {
        block.push_str(&format!("related: []{comment}{eol}"));
    } else {
        match bare_key {
            Some(line) => block.push_str(line),
            None => block.push_str(&format!("related:{comment}{eol}")),
        }
        for id in ids {
            block.push_str(&format!("{indent}- {}{eol}", yaml_scalar(id)));
        }
    }
    let mut out = String::with_capacity(text.len() + block.len());
    for l in &lines[..start] {
        out.push_str(l);
    }
    out.push_str(&block);
    for l in &lines[end..] {
        out.push_str(l);
    }
    reads_back(text, &out, ids).then_some(out)
}

/// Whether rewritten front matter reads as the old one with only
/// `related` changed, to `ids` (trimmed, blanks dropped, as
/// [`episode_meta`] reads them), and the body is unchanged.
fn reads_back(old: &str, new: &str, ids: &[String]) -> bool {
    let path = Path::new("");
    let (Ok(old_split), Ok(new_split)) = (split(path, old), split(path, new)) else {
        return false;
    };
    let (Ok(old_value), Ok(new_value)) = (parse_yaml(path, &old_split), parse_yaml(path, &new_split)) else {
        return false;
    };
    let related = episode_meta(path, &new_split, &new_value, "", &mut Vec::new()).related;
    let wanted: Vec<&str> = ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    // Compared as YAML text, so that `.nan` equals itself.
    let others = |v: Value| {
        let mut m = match v {
            Value::Mapping(m) => m,
            Value::Null => serde_yaml::Mapping::new(),
            other => return serde_yaml::to_string(&other).ok(),
        };
        m.remove("related");
        serde_yaml::to_string(&m).ok()
    };
    old_split.body == new_split.body && related == wanted && others(old_value) == others(new_value)
}

/// A YAML scalar for an id: plain where that is safe, double-quoted
/// otherwise.
fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && !s.starts_with(['-', '.'])
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~"
        )
        // `0x1F`, `1e3`, `0o17` are numbers to YAML: plain only if the
        // text reads back as itself.
        && matches!(serde_yaml::from_str::<Value>(s), Ok(Value::String(ref r)) if r == s);
    if plain {
        return s.to_string();
    }
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            // Control characters (NEL is a line break to YAML), U+FFFE and
            // U+FFFF (not allowed in YAML), and LS, PS and BOM, which
            // YAML 1.1 readers (Jekyll's) take as line breaks or markers.
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}') => {
                q.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
mod related_tests {
    use super::*;

    #[test]
    fn replaces_only_the_related_list() {
        let text = "---\ntitle: T # keep\nrelated:  # sidebar\n- a\n- b  \nvideo: v\n---\nbody\n";
        let out = replace_related(text, &["c".into(), "d e".into()]).unwrap();
        assert_eq!(
            out,
            "---\ntitle: T # keep\nrelated:  # sidebar\n- c\n- \"d e\"\nvideo: v\n---\nbody\n"
        );
        // The same list gives the same bytes, trailing spaces and all.
        let same = "---\nrelated: \n- a\n---\n";
        assert_eq!(replace_related(same, &["a".into()]).unwrap(), same);
    }

    #[test]
    fn keeps_indentation_crlf_and_inserts_when_missing() {
        let text = "---\r\nrelated:\r\n    - a\r\n---\r\nbody\r\n";
        let out = replace_related(text, &["x".into()]).unwrap();
        assert_eq!(out, "---\r\nrelated:\r\n    - x\r\n---\r\nbody\r\n");
        let text = "---\ntitle: T\n---\nbody\n";
        let out = replace_related(text, &["x".into()]).unwrap();
        assert_eq!(out, "---\ntitle: T\nrelated:\n  - x\n---\nbody\n");
        assert_eq!(replace_related("no front matter\n", &[]), None);
    }

    #[test]
    fn rewritten_yaml_reads_back() {
        let text = "---\nepisode_id: e\nrelated: [a, b] # flow\n---\n";
        let ids = vec!["01-x".to_string(), "yes".to_string(), "a\"b".to_string()];
        let out = replace_related(text, &ids).unwrap();
        let split = split(Path::new("t"), &out).unwrap();
        let v = parse_yaml(Path::new("t"), &split).unwrap();
        let mut w = Vec::new();
        let meta = episode_meta(Path::new("t"), &split, &v, "e", &mut w);
        assert_eq!(meta.related, ids);
        assert!(out.contains("related: # flow\n"), "{out}");
    }

    fn related_of(text: &str) -> Vec<String> {
        let path = Path::new("t");
        let split = split(path, text).unwrap();
        let v = parse_yaml(path, &split).unwrap();
        episode_meta(path, &split, &v, "e", &mut Vec::new()).related
    }

    #[test]
    fn ids_yaml_reads_as_numbers_are_quoted() {
        let ids: Vec<String> = ["0x1F", "1e3", "0o17", "007", "a\u{fffe}"].map(String::from).to_vec();
        let out = replace_related("---\nepisode_id: e\n---\n", &ids).unwrap();
        assert!(out.contains("  - \"0x1F\"\n"), "{out}");
        assert_eq!(related_of(&out), ids);
    }

    #[test]
    fn comments_between_items_go_with_the_list() {
        let text = "---\nrelated:\n  - a\n# old\n  - b\n# next\nlayout: post\n---\n";
        let out = replace_related(text, &["c".into()]).unwrap();
        assert_eq!(out, "---\nrelated:\n  - c\n# next\nlayout: post\n---\n");
    }

    #[test]
    fn a_related_line_inside_a_scalar_is_left_alone() {
        let text = "---\nnotes: 'one\nrelated: two'\n---\n";
        assert!(related_of(text).is_empty());
        assert_eq!(replace_related(text, &["x".into()]), None);
    }
}
