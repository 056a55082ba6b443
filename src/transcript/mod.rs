//! Transcript parsing: from a file's bytes to an [`Episode`].
//!
//! [`read_file`] decodes the bytes (BOM, CRLF and stray invalid UTF-8 are
//! handled here, once, for every format), picks the format from the file
//! extension and confirms it from the content, then hands the text to the
//! format's parser. Each format module only turns text into
//! [`Turn`](crate::episode::Turn)s; metadata comes from front matter.
//!
//! A file that is not an episode but a person's profile (front matter with
//! `first_name`/`last_name`, as in a Jekyll site's `_hosts/`) is recognised
//! here too and returned as [`Parsed::Profile`].

pub mod frontmatter;
pub mod podlets;

use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::episode::{Episode, Link};
use crate::error::{Error, Result};
use crate::people::Profile;

/// The transcript formats podgraph reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Jekyll Markdown with YAML front matter and `[00:00:41] CC: text` turns.
    Podlets,
}

impl Format {
    /// Every format, for `--help` and error messages.
    pub const ALL: &'static [Format] = &[Format::Podlets];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Podlets => "podlets",
        }
    }

    /// Parses a command-line name.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.name() == name)
    }
}

/// What a file turned out to hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// An episode transcript.
    Episode(Box<Episode>),
    /// A person's profile, for the people directory.
    Profile(Profile),
}

/// A parsed file with the warnings raised while reading it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFile {
    /// What the file holds.
    pub parsed: Parsed,
    /// Problems that were fixed or worked around.
    pub warnings: Vec<Diagnostic>,
}

/// File extensions podgraph looks at when walking folders.
pub fn is_candidate(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("md" | "markdown")
    )
}

/// Reads and parses one file.
pub fn read_file(path: &Path, forced: Option<Format>) -> Result<ParsedFile> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_bytes(path, &bytes, forced)
}

/// Parses a file's bytes; `path` names it in messages and gives the
/// fallback episode id (its stem).
pub fn parse_bytes(path: &Path, bytes: &[u8], forced: Option<Format>) -> Result<ParsedFile> {
    let mut warnings = Vec::new();
    let text = decode(path, bytes, &mut warnings)?;
    if text.trim().is_empty() {
        return Err(Error::parse(path, 1, "file is empty; skipped"));
    }
    let split = frontmatter::split(path, &text)?;
    let yaml = frontmatter::parse_yaml(path, &split)?;
    if forced.is_none() && crate::people::is_profile(&yaml) && !podlets::detect(split.body) {
        let profile = crate::people::profile_from_yaml(path, &split, &yaml, &mut warnings)?;
        return Ok(ParsedFile {
            parsed: Parsed::Profile(profile),
            warnings,
        });
    }
    let format = match forced {
        Some(f) => f,
        None => detect(split.body).ok_or_else(|| {
            Error::parse(
                path,
                split.body_line,
                "no transcript found: no line looks like a speaker turn (`[00:00:41] CC: text`); \
                 use --input-format to force a format",
            )
        })?,
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let meta = frontmatter::episode_meta(path, &split, &yaml, &stem, &mut warnings);
    let turns = match format {
        Format::Podlets => podlets::parse_body(path, split.body, split.body_line, &mut warnings),
    };
    if turns.is_empty() {
        return Err(Error::parse(
            path,
            split.body_line,
            "transcript has no turns; skipped",
        ));
    }
    Ok(ParsedFile {
        parsed: Parsed::Episode(Box::new(Episode {
            source: path.to_path_buf(),
            meta,
            turns,
        })),
        warnings,
    })
}

fn detect(body: &str) -> Option<Format> {
    podlets::detect(body).then_some(Format::Podlets)
}

/// Decodes bytes as UTF-8: a BOM is dropped, NUL bytes mean a binary file
/// (an error), invalid sequences are replaced with U+FFFD and reported once
/// with the line of the first.
fn decode(path: &Path, bytes: &[u8], warnings: &mut Vec<Diagnostic>) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(Error::parse(
            path,
            1,
            "binary file (contains NUL bytes); skipped",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            warnings.push(Diagnostic::warning(
                path,
                line,
                "invalid UTF-8; the bad bytes were replaced with U+FFFD",
            ));
            Ok(String::from_utf8_lossy(bytes).into_owned())
        }
    }
}

/// Markdown links `[text](url)` in a piece of text, in order.
pub fn markdown_links(text: &str) -> Vec<Link> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else { break };
        let name = &after[..close];
        let tail = &after[close + 1..];
        if let Some(url_part) = tail.strip_prefix('(') {
            if let Some(end) = url_part.find(')') {
                if !name.is_empty() && !name.contains('[') {
                    out.push(Link {
                        name: name.trim().to_string(),
                        url: Some(url_part[..end].trim().to_string()),
                    });
                }
                rest = &url_part[end + 1..];
                continue;
            }
        }
        rest = after;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_markdown_links() {
        let links = markdown_links(
            "We have [Kelsey Hightower](https://t.co/k), and [Go](https://go.dev) [x] y.",
        );
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].name, "Kelsey Hightower");
        assert_eq!(links[1].url.as_deref(), Some("https://go.dev"));
    }

    #[test]
    fn bom_crlf_and_bad_utf8() {
        let mut w = Vec::new();
        let s = decode(Path::new("x"), b"\xEF\xBB\xBFa\r\nb\xFF\n", &mut w).unwrap();
        assert!(s.starts_with('a'));
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, 2);
        assert!(decode(Path::new("x"), b"a\0b", &mut w).is_err());
    }

    #[test]
    fn episode_from_bytes() {
        let text = "---\nepisode_id: e1\ntitle: T\n---\n[00:00:01] AB: Hello.\n";
        let f = parse_bytes(Path::new("dir/e1.md"), text.as_bytes(), None).unwrap();
        let Parsed::Episode(e) = f.parsed else {
            panic!("not an episode")
        };
        assert_eq!(e.meta.id, "e1");
        assert_eq!(e.turns[0].line, 5);
    }

    #[test]
    fn empty_and_turnless_files_are_errors() {
        assert!(parse_bytes(Path::new("e.md"), b"  \n", None).is_err());
        let err =
            parse_bytes(Path::new("e.md"), b"---\ntitle: x\n---\njust prose\n", None).unwrap_err();
        assert!(err.to_string().contains("no transcript"), "{err}");
    }
}
