//! The people directory: profiles of a show's regular people.
//!
//! Jekyll sites keep one file per host (`_hosts/carlisia.md` with
//! `first_name`/`last_name` front matter). Such files met while walking the
//! inputs, or given with `--people`, form a [`Directory`] that speaker
//! resolution consults when an episode's own metadata does not name
//! everyone who speaks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::Value;

use crate::diagnostics::Diagnostic;
use crate::error::{Error, Result};
use crate::names;
use crate::transcript::frontmatter::{Split, key_line, scalar_text};

/// One person's profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Full display name ("Kris Nóva").
    pub name: String,
    /// The file it came from.
    pub source: PathBuf,
}

/// Whether parsed front matter is a person's profile rather than an
/// episode: it has `first_name` or `last_name` and no episode keys.
pub fn is_profile(yaml: &Value) -> bool {
    let Value::Mapping(m) = yaml else {
        return false;
    };
    let has = |k: &str| m.get(k).is_some();
    (has("first_name") || has("last_name")) && !has("episode_id") && !has("episode_number") && !has("hosts")
}

/// Reads a profile from front matter.
pub fn profile_from_yaml(
    path: &Path,
    split: &Split<'_>,
    yaml: &Value,
    _warnings: &mut [Diagnostic],
) -> Result<Profile> {
    let get = |k: &str| {
        let Value::Mapping(m) = yaml else { return None };
        m.get(k)
            .and_then(scalar_text)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let name = match (get("first_name"), get("last_name"), get("name")) {
        (Some(f), Some(l), _) => format!("{f} {l}"),
        (_, _, Some(n)) => n,
        (Some(f), None, None) => f,
        (None, Some(l), None) => l,
        (None, None, None) => {
            return Err(Error::parse(
                path,
                key_line(split, "first_name"),
                "profile has an empty `first_name`/`last_name`; skipped",
            ));
        }
    };
    Ok(Profile {
        name: name.split_whitespace().collect::<Vec<_>>().join(" "),
        source: path.to_path_buf(),
    })
}

/// Profiles by identity key; the same person in two files is kept once
/// (the first file in path order wins).
#[derive(Debug, Clone, Default)]
pub struct Directory {
    by_key: BTreeMap<String, Profile>,
}

impl Directory {
    /// Adds a profile unless the person is already known.
    pub fn add(&mut self, profile: Profile) {
        self.by_key.entry(names::key(&profile.name)).or_insert(profile);
    }

    /// All profiles, ordered by key.
    pub fn iter(&self) -> impl Iterator<Item = &Profile> {
        self.by_key.values()
    }

    /// Number of people.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Whether the directory is empty.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Parsed, parse_bytes};

    #[test]
    fn profile_files_are_recognised() {
        let text = "---\nfirst_name: Kris\nlast_name:  Nóva \ntwitter: x\n---\nBio with [a link](u).\n";
        let f = parse_bytes(Path::new("hosts/kris.md"), text.as_bytes(), None).unwrap();
        let Parsed::Profile(p) = f.parsed else {
            panic!("not a profile")
        };
        assert_eq!(p.name, "Kris Nóva");
    }

    #[test]
    fn directory_dedups_by_key() {
        let mut d = Directory::default();
        for (n, s) in [("Kris Nóva", "a"), ("Kris Nova", "b")] {
            d.add(Profile {
                name: n.into(),
                source: s.into(),
            });
        }
        assert_eq!(d.len(), 1);
        assert_eq!(d.iter().next().unwrap().name, "Kris Nóva");
    }
}
