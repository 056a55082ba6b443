//! Transcript parsing: from a file's bytes to an [`Episode`].
//!
//! [`read_file`] decodes the bytes (BOM, CRLF and stray invalid UTF-8 are
//! handled here, once, for every format), picks the format from the file
//! extension and confirms it from the content, then hands the text to the
//! format's parser. Each format module only turns text into
//! [`Turn`]s; metadata comes from front matter.
//!
//! Formats ([`Format`]): Podlets Jekyll Markdown ([`podlets`]), Markdown
//! with names in bold ([`bold`]), Podcasting 2.0 JSON ([`json`]), WebVTT
//! ([`vtt`]), SRT ([`srt`]) and plain text ([`text`]); the helpers they
//! share live in [`labels`], [`cues`], [`markup`] and [`merge`]. Formats
//! without front matter take their metadata from a sidecar file or a folder
//! index ([`sidecar`]).
//!
//! A file that is not an episode but a person's profile (front matter with
//! `first_name`/`last_name`, as in a Jekyll site's `_hosts/`) is recognised
//! here too and returned as [`Parsed::Profile`].

pub mod bold;
pub mod cues;
pub mod frontmatter;
pub mod json;
pub mod labels;
pub mod markup;
pub mod merge;
pub mod podlets;
pub mod sidecar;
pub mod srt;
pub mod text;
pub mod vtt;

use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::episode::{Episode, Link, Turn};
use crate::error::{Error, Result};
use crate::people::Profile;
use sidecar::External;

/// The transcript formats podgraph reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Jekyll Markdown with YAML front matter and `[00:00:41] CC: text` turns.
    Podlets,
    /// Markdown with full names in bold: `**Gerhard Lazu:** text`.
    Bold,
    /// Podcasting 2.0 JSON transcripts (`segments` with `speaker`, `body`).
    Json,
    /// WebVTT captions with `<v Name>` voice tags.
    Vtt,
    /// SRT subtitles with an optional `Name:` prefix.
    Srt,
    /// Plain text with `Name: text` lines.
    Text,
}

impl Format {
    /// Every format, for `--help` and error messages.
    pub const ALL: &'static [Format] = &[
        Format::Podlets,
        Format::Bold,
        Format::Json,
        Format::Vtt,
        Format::Srt,
        Format::Text,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Podlets => "podlets",
            Format::Bold => "bold",
            Format::Json => "json",
            Format::Vtt => "vtt",
            Format::Srt => "srt",
            Format::Text => "text",
        }
    }

    /// Parses a command-line name.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// Whether files of this format may carry YAML front matter.
    fn has_front_matter(self) -> bool {
        matches!(self, Format::Podlets | Format::Bold | Format::Text)
    }

    /// Whether a text looks like this format.
    fn detect(self, body: &str) -> bool {
        match self {
            Format::Podlets => podlets::detect(body),
            Format::Bold => bold::detect(body),
            Format::Json => json::detect(body),
            Format::Vtt => vtt::detect(body),
            Format::Srt => srt::detect(body),
            Format::Text => text::detect(body),
        }
    }
}

/// The formats a file's extension allows, in the order they are tried
/// (the least ambiguous first); `None` for an extension podgraph does not
/// read.
pub fn formats_for(path: &Path) -> Option<&'static [Format]> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    Some(match ext.as_deref()? {
        "md" | "markdown" => &[Format::Bold, Format::Podlets, Format::Text],
        "txt" => &[Format::Podlets, Format::Text],
        "json" => &[Format::Json],
        "vtt" => &[Format::Vtt],
        "srt" => &[Format::Srt],
        _ => return None,
    })
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
    /// The format it was read in (`None` for profiles).
    pub format: Option<Format>,
    /// Problems that were fixed or worked around.
    pub warnings: Vec<Diagnostic>,
}

/// Largest transcript file read; anything bigger is surely not one.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// File extensions podgraph looks at when walking folders.
pub fn is_candidate(path: &Path) -> bool {
    formats_for(path).is_some()
}

/// Reads and parses one file, with the metadata found beside it.
pub fn read_file(path: &Path, forced: Option<Format>, external: Option<&External>) -> Result<ParsedFile> {
    let size = std::fs::metadata(path).map_err(|e| Error::io(path, e))?.len();
    if size > MAX_FILE_BYTES {
        return Err(Error::parse(
            path,
            1,
            format!(
                "file is {} MB, more than the {} MB a transcript may be; skipped",
                size >> 20,
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_with(path, bytes, forced, external)
}

/// Parses a file's bytes; `path` names it in messages, picks the format by
/// extension and gives the fallback episode id (its stem).
pub fn parse_bytes(path: &Path, bytes: &[u8], forced: Option<Format>) -> Result<ParsedFile> {
    parse_with(path, bytes.to_vec(), forced, None)
}

/// Parses a file's bytes with optional metadata from beside the file.
pub fn parse_with(
    path: &Path,
    bytes: Vec<u8>,
    forced: Option<Format>,
    external: Option<&External>,
) -> Result<ParsedFile> {
    let mut warnings = Vec::new();
    let text = decode(path, bytes, &mut warnings)?;
    if text.trim().is_empty() {
        return Err(Error::parse(path, 1, "file is empty; skipped"));
    }
    const ANY: &[Format] = &[
        Format::Vtt,
        Format::Json,
        Format::Srt,
        Format::Bold,
        Format::Podlets,
        Format::Text,
    ];
    let allowed: &[Format] = match forced {
        Some(ref f) => std::slice::from_ref(f),
        None => formats_for(path).unwrap_or(ANY),
    };
    let front_matter = allowed.iter().any(|f| f.has_front_matter());
    let split = if front_matter {
        frontmatter::split(path, &text)?
    } else {
        frontmatter::Split {
            yaml: "",
            yaml_line: 1,
            body: &text,
            body_line: 1,
        }
    };
    let yaml = frontmatter::parse_yaml(path, &split)?;
    if forced.is_none() && crate::people::is_profile(&yaml) && !podlets::detect(split.body) {
        let profile = crate::people::profile_from_yaml(path, &split, &yaml, &mut warnings)?;
        return Ok(ParsedFile {
            parsed: Parsed::Profile(profile),
            format: None,
            warnings,
        });
    }
    let format = match forced {
        Some(f) => f,
        None => allowed.iter().copied().find(|f| f.detect(split.body)).ok_or_else(|| {
            let names: Vec<&str> = allowed.iter().map(|f| f.name()).collect();
            Error::parse(
                path,
                split.body_line,
                format!(
                    "not recognised as a transcript (tried: {}); use --input-format to force a format",
                    names.join(", ")
                ),
            )
        })?,
    };
    let turns: Vec<Turn> = match format {
        Format::Podlets => podlets::parse_body(path, split.body, split.body_line, &mut warnings),
        Format::Bold => bold::parse_body(path, split.body, split.body_line, &mut warnings),
        Format::Text => text::parse_body(path, split.body, split.body_line, &mut warnings),
        Format::Json => json::parse(path, split.body, &mut warnings)?,
        Format::Vtt => vtt::parse(path, split.body, &mut warnings)?,
        Format::Srt => srt::parse(path, split.body, &mut warnings)?,
    };
    if turns.is_empty() {
        return Err(Error::parse(path, split.body_line, "transcript has no turns; skipped"));
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut meta = match external {
        Some(ext) => {
            let side = ext.meta(&stem, &mut warnings);
            let has_id =
                matches!(&yaml, serde_yaml::Value::Mapping(m) if m.contains_key("episode_id") || m.contains_key("id"));
            let own = frontmatter::episode_meta(path, &split, &yaml, &side.id, &mut warnings);
            sidecar::merge(own, side, has_id)
        }
        None => frontmatter::episode_meta(path, &split, &yaml, &stem, &mut warnings),
    };
    if format == Format::Bold {
        // People and projects linked in the transcript are metadata too.
        for l in bold::links(split.body) {
            if !meta.links.iter().any(|m| m.name == l.name) {
                meta.links.push(l);
            }
        }
    }
    Ok(ParsedFile {
        parsed: Parsed::Episode(Box::new(Episode {
            source: path.to_path_buf(),
            meta,
            turns,
        })),
        format: Some(format),
        warnings,
    })
}

/// Decodes bytes as UTF-8 without copying them: a BOM is dropped, NUL
/// bytes mean a binary file (an error), invalid sequences are replaced with
/// U+FFFD and reported once with the line of the first.
fn decode(path: &Path, mut bytes: Vec<u8>, warnings: &mut Vec<Diagnostic>) -> Result<String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    if crate::bytes::contains(&bytes, 0) {
        return Err(Error::parse(path, 1, "binary file (contains NUL bytes); skipped"));
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = 1 + bytes[..valid].iter().filter(|&&b| b == b'\n').count();
            warnings.push(Diagnostic::warning(
                path,
                line,
                "invalid UTF-8; the bad bytes were replaced with U+FFFD",
            ));
            Ok(String::from_utf8_lossy(&bytes).into_owned())
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
        let links = markdown_links("We have [Kelsey Hightower](https://t.co/k), and [Go](https://go.dev) [x] y.");
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].name, "Kelsey Hightower");
        assert_eq!(links[1].url.as_deref(), Some("https://go.dev"));
    }

    #[test]
    fn bom_crlf_and_bad_utf8() {
        let mut w = Vec::new();
        let s = decode(Path::new("x"), b"\xEF\xBB\xBFa\r\nb\xFF\n".to_vec(), &mut w).unwrap();
        assert!(s.starts_with('a'));
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, 2);
        assert!(decode(Path::new("x"), b"a\0b".to_vec(), &mut w).is_err());
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

    /// The demo episode of `tests/fixtures/formats/` reads as the same seven
    /// turns in every format.
    #[test]
    fn every_format_reads_the_fixture_episode() {
        let files = [
            ("episode.md", include_str!("../../tests/fixtures/formats/episode.md")),
            (
                "episode.json",
                include_str!("../../tests/fixtures/formats/episode.json"),
            ),
            ("episode.vtt", include_str!("../../tests/fixtures/formats/episode.vtt")),
            ("episode.srt", include_str!("../../tests/fixtures/formats/episode.srt")),
            ("episode.txt", include_str!("../../tests/fixtures/formats/episode.txt")),
        ];
        let expected = [
            "Ana Costa",
            "Ben Ito",
            "Kim Hale",
            "Ana Costa",
            "Kim Hale",
            "Ben Ito",
            "Ana Costa",
        ];
        for (name, text) in files {
            let f = parse_bytes(Path::new(name), text.as_bytes(), None).unwrap();
            assert!(f.warnings.is_empty(), "{name}: {:?}", f.warnings);
            let Parsed::Episode(e) = f.parsed else {
                panic!("{name}: not an episode")
            };
            let labels: Vec<&str> = e.turns.iter().filter_map(|t| t.label.as_deref()).collect();
            assert_eq!(labels, expected, "{name}");
            let turn = &e.turns[5];
            assert_eq!(
                turn.text, "I love a single binary. Okay, we have a lot to cover, so let's go.",
                "{name}"
            );
            assert_eq!(turn.start_ms, Some(41_000), "{name}");
        }
    }

    #[test]
    fn empty_and_turnless_files_are_errors() {
        assert!(parse_bytes(Path::new("e.md"), b"  \n", None).is_err());
        let err = parse_bytes(Path::new("e.md"), b"---\ntitle: x\n---\njust prose\n", None).unwrap_err();
        assert!(err.to_string().contains("not recognised as a transcript"), "{err}");
    }
}
