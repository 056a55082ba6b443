//! Metadata kept beside transcripts that have no front matter.
//!
//! Two places, read once per run for every transcript found:
//!
//! - a sidecar `NAME.yaml` (or `.yml`) next to `NAME.json`, `NAME.vtt`,
//!   `NAME.srt`, `NAME.txt` or `NAME.md`, holding the same keys as Podlets
//!   front matter (`episode_id`, `episode_number`, `title`, `date`, `hosts`,
//!   `guests`, `links`, `related`...);
//! - one index for a whole folder, `episodes.yaml` (a list of mappings,
//!   each with a `file` key naming the transcript, plus the same keys) or
//!   `episodes.csv` (a header row naming the columns, one row per file; a
//!   `file` column, and list columns `hosts`, `guests`, `related`, `points`
//!   with items separated by `;`).
//!
//! A sidecar wins over the folder index; the transcript's own front matter
//! wins over both, field by field.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::diagnostics::Diagnostic;
use crate::episode::EpisodeMeta;
use crate::transcript::frontmatter::{self, Split};

/// Names of folder index files, in order of preference.
pub const INDEX_FILES: &[&str] = &["episodes.yaml", "episodes.yml", "episodes.csv"];

/// Metadata for one transcript: where it came from and its keys.
#[derive(Debug, Clone, PartialEq)]
pub struct External {
    /// The sidecar or index file.
    pub source: PathBuf,
    /// 1-based line of the entry in that file.
    pub line: usize,
    /// The keys.
    pub value: Value,
    /// The entry's text, when it is a whole YAML file (for key lines).
    pub text: String,
}

impl External {
    /// Reads the entry as episode metadata, warnings naming its file.
    pub fn meta(&self, id_fallback: &str, warnings: &mut Vec<Diagnostic>) -> EpisodeMeta {
        let split = Split {
            yaml: &self.text,
            yaml_line: self.line,
            body: "",
            body_line: self.line,
        };
        frontmatter::episode_meta(&self.source, &split, &self.value, id_fallback, warnings)
    }
}

/// Metadata found beside a set of transcripts, by transcript path.
#[derive(Debug, Clone, Default)]
pub struct ExternalMeta {
    by_file: HashMap<PathBuf, External>,
}

impl ExternalMeta {
    /// Looks for sidecars and folder indexes of `files`. Unreadable or
    /// invalid metadata files are reported and ignored.
    pub fn collect(files: &[PathBuf], diags: &mut Vec<Diagnostic>) -> ExternalMeta {
        let mut out = ExternalMeta::default();
        let mut folders: Vec<&Path> = files.iter().filter_map(|f| f.parent()).collect();
        folders.sort();
        folders.dedup();
        for dir in folders {
            for name in INDEX_FILES {
                let p = dir.join(name);
                if p.is_file() {
                    out.read_index(dir, &p, diags);
                    break;
                }
            }
        }
        for f in files {
            for ext in ["yaml", "yml"] {
                let p = f.with_extension(ext);
                if p != *f && p.is_file() {
                    match read_yaml(&p) {
                        Ok((value, text)) => {
                            out.by_file.insert(
                                f.clone(),
                                External {
                                    source: p,
                                    line: 1,
                                    value,
                                    text,
                                },
                            );
                        }
                        Err(d) => diags.push(d),
                    }
                    break;
                }
            }
        }
        out
    }

    /// The metadata for a transcript, if any.
    pub fn get(&self, transcript: &Path) -> Option<&External> {
        self.by_file.get(transcript)
    }

    fn read_index(&mut self, dir: &Path, index: &Path, diags: &mut Vec<Diagnostic>) {
        let entries = if index.extension().is_some_and(|e| e == "csv") {
            match std::fs::read_to_string(index) {
                Ok(text) => csv_entries(index, &text, diags),
                Err(e) => {
                    diags.push(Diagnostic::error(
                        index,
                        0,
                        format!("cannot read the index: {e}; ignored"),
                    ));
                    return;
                }
            }
        } else {
            match read_yaml(index) {
                Ok((Value::Sequence(items), text)) => yaml_entries(index, &text, items, diags),
                Ok(_) => {
                    diags.push(Diagnostic::error(
                        index,
                        1,
                        "the index should be a list of mappings with a `file` key; ignored",
                    ));
                    return;
                }
                Err(d) => {
                    diags.push(d);
                    return;
                }
            }
        };
        for (file, line, value) in entries {
            let path = dir.join(&file);
            if file.contains(['/', '\\']) || !path.is_file() {
                diags.push(Diagnostic::warning(
                    index,
                    line,
                    format!("`file: {file}` names no transcript in this folder; entry ignored"),
                ));
                continue;
            }
            // A sidecar, read later, replaces the index entry.
            self.by_file.insert(
                path,
                External {
                    source: index.to_path_buf(),
                    line,
                    value,
                    text: String::new(),
                },
            );
        }
    }
}

fn read_yaml(path: &Path) -> Result<(Value, String), Diagnostic> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::error(path, 0, format!("cannot read metadata: {e}; ignored")))?;
    let split = Split {
        yaml: &text,
        yaml_line: 1,
        body: "",
        body_line: 1,
    };
    let value = frontmatter::parse_yaml(path, &split).map_err(|e| {
        let mut d = Diagnostic::from_error(&e);
        // An error at the end of the file is placed on the line after it.
        d.line = d.line.min(text.lines().count().max(1));
        d.message = d
            .message
            .replace("front matter", "metadata")
            .replace("file skipped", "metadata ignored");
        d
    })?;
    Ok((value, text))
}

/// `(file, line, keys)` of each entry of a YAML index.
fn yaml_entries(
    index: &Path,
    text: &str,
    items: Vec<Value>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, usize, Value)> {
    // Lines where list items start, to name entries in messages.
    let item_lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with('-'))
        .map(|(i, _)| i + 1)
        .collect();
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let line = item_lines.get(i).copied().unwrap_or(1);
        let file = match &item {
            Value::Mapping(m) => m.get("file").and_then(frontmatter::scalar_text),
            _ => None,
        };
        match file {
            Some(f) => out.push((f, line, item)),
            None => diags.push(Diagnostic::warning(
                index,
                line,
                "index entry without a `file` key; ignored",
            )),
        }
    }
    out
}

/// Columns of a CSV index that hold `;`-separated lists.
const LIST_COLUMNS: &[&str] = &["hosts", "guests", "related", "points"];

/// `(file, line, keys)` of each row of a CSV index.
fn csv_entries(index: &Path, text: &str, diags: &mut Vec<Diagnostic>) -> Vec<(String, usize, Value)> {
    let rows = parse_csv(text.trim_start_matches('\u{feff}'));
    let Some((_, header)) = rows.first() else {
        return Vec::new();
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let Some(file_col) = header.iter().position(|h| h == "file") else {
        diags.push(Diagnostic::error(index, 1, "the index has no `file` column; ignored"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (line, row) in rows.iter().skip(1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if row.len() != header.len() {
            diags.push(Diagnostic::warning(
                index,
                *line,
                format!(
                    "row has {} fields, the header {}; missing fields are empty",
                    row.len(),
                    header.len()
                ),
            ));
        }
        let mut m = Mapping::new();
        for (col, name) in header.iter().enumerate() {
            let cell = row.get(col).map(|c| c.trim()).unwrap_or("");
            if cell.is_empty() || col == file_col {
                continue;
            }
            let v = if LIST_COLUMNS.contains(&name.as_str()) {
                Value::Sequence(
                    cell.split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| Value::String(s.to_string()))
                        .collect(),
                )
            } else {
                Value::String(cell.to_string())
            };
            m.insert(Value::String(name.clone()), v);
        }
        let file = row.get(file_col).map(|c| c.trim().to_string()).unwrap_or_default();
        out.push((file, *line, Value::Mapping(m)));
    }
    out
}

/// RFC 4180 CSV: fields separated by commas, optionally in double quotes
/// (with `""` for a quote, and line breaks allowed inside). Returns each
/// record with the 1-based line it starts on.
pub fn parse_csv(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut row_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push((row_line, std::mem::take(&mut row)));
                line += 1;
                row_line = line;
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push((row_line, row));
    }
    rows
}

/// Fills the fields `primary` lacks from `secondary` (front matter over
/// sidecar, sidecar over index). The id is `primary`'s when it was given.
pub fn merge(primary: EpisodeMeta, secondary: EpisodeMeta, primary_has_id: bool) -> EpisodeMeta {
    fn vec_or<T>(a: Vec<T>, b: Vec<T>) -> Vec<T> {
        if a.is_empty() { b } else { a }
    }
    EpisodeMeta {
        id: if primary_has_id { primary.id } else { secondary.id },
        number: primary.number.or(secondary.number),
        title: primary.title.or(secondary.title),
        date: primary.date.or(secondary.date),
        description: primary.description.or(secondary.description),
        notes: primary.notes.or(secondary.notes),
        hosts: vec_or(primary.hosts, secondary.hosts),
        guests: vec_or(primary.guests, secondary.guests),
        points: vec_or(primary.points, secondary.points),
        links: vec_or(primary.links, secondary.links),
        video: primary.video.or(secondary.video),
        // Lines are only kept when they are the transcript's own.
        id_line: if primary_has_id { primary.id_line } else { 0 },
        related_lines: if primary.related.is_empty() {
            Vec::new()
        } else {
            primary.related_lines
        },
        related: vec_or(primary.related, secondary.related),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_and_line_breaks() {
        let rows = parse_csv("file,title\r\na.vtt,\"Hello, \"\"you\"\"\"\nb.vtt,\"two\nlines\"\nc.vtt,x");
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1].1, vec!["a.vtt", "Hello, \"you\""]);
        assert_eq!(rows[2], (3, vec!["b.vtt".to_string(), "two\nlines".to_string()]));
        assert_eq!(rows[3].0, 5);
    }

    #[test]
    fn sidecars_and_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.vtt"), "WEBVTT\n").unwrap();
        std::fs::write(d.join("b.srt"), "1\n").unwrap();
        std::fs::write(d.join("c.txt"), "A: b\n").unwrap();
        std::fs::write(d.join("a.yaml"), "episode_id: ep-a\ndate: 2024-01-02\n").unwrap();
        std::fs::write(
            d.join("episodes.csv"),
            "file,episode_id,episode_number,hosts,related\nb.srt,ep-b,2,Ann Lee; Bo Chen,ep-a\nnope.vtt,x,1,,\na.vtt,ignored,9,,\n",
        )
        .unwrap();
        let files: Vec<PathBuf> = ["a.vtt", "b.srt", "c.txt"].iter().map(|f| d.join(f)).collect();
        let mut diags = Vec::new();
        let ext = ExternalMeta::collect(&files, &mut diags);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].message.contains("nope.vtt"));
        let mut w = Vec::new();
        let a = ext.get(&files[0]).unwrap().meta("a", &mut w);
        assert_eq!(a.id, "ep-a", "the sidecar wins over the index");
        assert_eq!(a.date.as_deref(), Some("2024-01-02"));
        let b = ext.get(&files[1]).unwrap().meta("b", &mut w);
        assert_eq!(b.id, "ep-b");
        assert_eq!(b.number, Some(2));
        assert_eq!(b.hosts.len(), 2);
        assert_eq!(b.related, vec!["ep-a"]);
        assert!(ext.get(&files[2]).is_none());
        assert!(w.is_empty(), "{w:?}");
    }
}
