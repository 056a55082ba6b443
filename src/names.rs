//! Names as people type them: folding, keys, initials and near matches.
//!
//! Speaker resolution, the dictionary and the query front end all need to
//! decide whether two spellings name the same thing ("Kris Nóva" and
//! "Kris Nova", "Duffy" and "Duffie"). This module holds those small,
//! dependency-free decisions so that every stage answers them the same way.

use unicode_normalization::UnicodeNormalization;

/// Strips diacritics and folds case: "Kris Nóva" becomes "kris nova".
///
/// Letters are decomposed (NFKD) and combining marks dropped, so the result
/// compares equal for every accented spelling of a Latin name. Whitespace
/// runs become one space and the ends are trimmed.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    if text.is_ascii() {
        // ASCII is its own NFKD form and has no combining marks.
        for b in text.bytes() {
            if b.is_ascii_whitespace() || b == 0x0b {
                pending_space = !out.is_empty();
                continue;
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(char::from(b.to_ascii_lowercase()));
        }
        return out;
    }
    fold_unicode(text, out)
}

fn fold_unicode(text: &str, mut out: String) -> String {
    let mut pending_space = false;
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The identity key of a name: folded, with punctuation other than inner
/// hyphens and apostrophes removed. Two names with the same key are the same
/// person or concept node.
pub fn key(text: &str) -> String {
    let folded = fold(text);
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_alphanumeric() || c == '+' || c == '#' {
            out.push(c);
        } else if matches!(c, ' ' | '-' | '_' | '.' | '/') && !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
        // Apostrophes and other punctuation vanish: "O'Reilly" ~ "OReilly".
    }
    let trimmed = out.trim_end();
    trimmed.to_string()
}

/// A slug usable in node ids and file names: lowercase ASCII letters, digits
/// and single hyphens. Never empty, never contains a path separator.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in fold(text).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c == '+' {
            out.push_str("plus");
        } else if c == '#' {
            out.push_str("sharp");
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        // Names in other scripts keep a stable, distinct slug.
        out = format!("x{:016x}", fnv1a(text.as_bytes()));
    }
    out
}

/// A sort key that compares runs of digits as numbers: "ship-it-9" sorts
/// before "ship-it-10".
pub fn natural_key(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                out.push((std::mem::take(&mut text), digits.parse().unwrap_or(u64::MAX)));
                digits.clear();
            }
            text.push(c);
        }
    }
    out.push((
        text,
        if digits.is_empty() {
            0
        } else {
            digits.parse().unwrap_or(u64::MAX)
        },
    ));
    out
}

/// A stable 64-bit FNV-1a hash, used where a fingerprint must be the same on
/// every machine and every run (std's hasher is randomly seeded).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_more(FNV_START, bytes)
}

/// The FNV-1a hash of nothing, to feed pieces to with [`fnv1a_more`].
pub const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// The FNV-1a 64-bit prime: each byte is mixed in by `(hash ^ byte) * prime`.
pub const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Continues FNV-1a hash `hash` over `bytes`: feeding the pieces of a text
/// in turn gives the hash of the whole, without joining them.
pub fn fnv1a_more(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// A fast hasher for podgraph's internal maps (ids, node indices, strings
/// it made itself): one multiply per integer, and per eight bytes of a
/// string. The standard SipHash resists keys chosen to collide, which a
/// local build over its own inputs does not need, and costs several times
/// as much.
#[derive(Debug, Clone, Copy)]
pub struct FastHasher(u64);

impl Default for FastHasher {
    fn default() -> FastHasher {
        FastHasher(FNV_START)
    }
}

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Ids are tens of bytes: a byte at a time would cost a multiply
        // each. The last piece is padded, its length in the last byte, so
        // that "a" and "a\0" differ.
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.write_u64(u64::from_le_bytes(c.try_into().unwrap_or_default()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            last[7] = rest.len() as u8;
            self.write_u64(u64::from_le_bytes(last));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(23);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 32)).wrapping_mul(0xbf58_476d_1ce4_e5b9)
    }
}

/// A `HashMap` with [`FastHasher`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;
/// A `HashSet` with [`FastHasher`].
pub type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<FastHasher>>;

/// The identity key of a person: [`key`] without middle initials, so that
/// "Mireille B. Reece" and "Mireille Reece" are one person.
pub fn person_key(name: &str) -> String {
    let words = name_words(name);
    let last = words.len().saturating_sub(1);
    words
        .iter()
        .enumerate()
        .filter(|(i, w)| *i == 0 || *i == last || w.chars().count() > 1)
        .map(|(_, w)| w.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of a personal name, folded: "Kris Nóva" gives ["kris", "nova"].
pub fn name_words(name: &str) -> Vec<String> {
    key(name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Upper-case initials of a personal name: "Carlisia Thompson" gives "CT",
/// "Kris Nóva" gives "KN".
pub fn initials(name: &str) -> String {
    name_words(name)
        .iter()
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether a word could be a short form or misspelling of a given name:
/// equal after folding, or (for names of four letters or more) one edit
/// apart with the same first letter ("Duffy"/"Duffie" are two edits but
/// share their stem, so a common prefix of four letters also counts).
pub fn given_name_matches(word: &str, given: &str) -> bool {
    keys_match(&key(word), &key(given))
}

/// [`given_name_matches`] for names already folded with [`key`].
pub fn keys_match(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    // Cheap rejections before any allocation: another first letter, or
    // lengths too far apart for one edit or a shared stem.
    if a.chars().next() != b.chars().next() || a.len().abs_diff(b.len()) > 6 {
        return false;
    }
    // ASCII keys are compared byte by byte, without a vector of chars.
    if a.is_ascii() && b.is_ascii() {
        return close_names(a.as_bytes(), b.as_bytes());
    }
    let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    close_names(&ca, &cb)
}

/// The close match of [`keys_match`], on the letters of two keys.
fn close_names<T: PartialEq>(ca: &[T], cb: &[T]) -> bool {
    if ca.len() < 4 || cb.len() < 4 || ca[0] != cb[0] {
        return false;
    }
    if within_one_edit(ca, cb) {
        return true;
    }
    // "Duffy"/"Duffie", "Nicholas"/"Nick": a shared stem of four letters
    // with a short differing tail.
    let common = ca.iter().zip(cb).take_while(|(x, y)| x == y).count();
    common >= 4 && ca.len().max(cb.len()) - common <= 3
}

/// Levenshtein distance between two slices of letters.
pub fn edit_distance<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Whether two slices are at most one edit apart (`edit_distance(a, b) <= 1`),
/// read once from each end rather than through the whole table.
pub fn within_one_edit<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let (head, tail) = common_ends(short, long);
    // Whatever differs must fit in one letter of the longer slice.
    long.len() - head - tail <= 1
}

/// The lengths of the longest common head of two slices and of the longest
/// common tail of what follows it: whatever differs lies between (the
/// letters of two names, the lines of two files).
pub(crate) fn common_ends<T: PartialEq>(a: &[T], b: &[T]) -> (usize, usize) {
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    (head, tail)
}

/// Edit distance between two strings, by chars.
pub fn edit_distance_str(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    edit_distance(&a, &b)
}

fn is_combining_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_hasher_tells_padding_from_bytes() {
        use std::hash::{BuildHasher, BuildHasherDefault};
        // Strings as maps hash them: the bytes, then a marker byte.
        let hash = |s: &str| BuildHasherDefault::<FastHasher>::default().hash_one(s);
        let keys = ["", "\0", "a", "a\0", "a\0\0", "abcdefgh", "abcdefgh\0", "abcdefghi"];
        let distinct: std::collections::BTreeSet<u64> = keys.iter().map(|k| hash(k)).collect();
        assert_eq!(distinct.len(), keys.len());
        // Ids as maps hold them: the same key, the same hash.
        let map: FastMap<&str, u32> = [("episode:ship-it-1", 1), ("episode:ship-it-10", 2)]
            .into_iter()
            .collect();
        assert_eq!(map.get("episode:ship-it-10"), Some(&2));
    }

    proptest::proptest! {
        #[test]
        fn one_edit_apart_as_the_table_says(a in "[ab]{0,7}", b in "[ab]{0,7}") {
            let (a, b) = (a.as_bytes(), b.as_bytes());
            proptest::prop_assert_eq!(within_one_edit(a, b), edit_distance(a, b) <= 1);
        }

        #[test]
        fn ascii_fold_is_the_unicode_fold(s in "[ -~\t\n\r\u{b}\u{c}]{0,30}") {
            proptest::prop_assert_eq!(fold(&s), fold_unicode(&s, String::new()));
        }
    }

    #[test]
    fn folding_removes_diacritics_and_case() {
        assert_eq!(fold("Kris Nóva"), "kris nova");
        assert_eq!(fold("  Kris   Nova "), "kris nova");
        assert_eq!(key("Kris Nóva"), key("kris nova"));
        assert_eq!(key("Conway’s Law"), "conways law");
    }

    #[test]
    fn slugs_are_safe() {
        assert_eq!(slug("Kubernetes"), "kubernetes");
        assert_eq!(slug("../../etc/x"), "etc-x");
        assert_eq!(slug("C++"), "cplusplus");
        assert_eq!(slug("C#"), "csharp");
        assert!(slug("日本").starts_with('x'));
        assert!(!slug("a/b\\c").contains('/'));
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["ship-it-10", "ship-it-9", "ship-it-100", "a"];
        v.sort_by_key(|s| natural_key(s));
        assert_eq!(v, vec!["a", "ship-it-9", "ship-it-10", "ship-it-100"]);
    }

    #[test]
    fn person_keys_drop_middle_initials() {
        assert_eq!(person_key("Mireille B. Reece"), person_key("Mireille Reece"));
        assert_eq!(person_key("Kris Nóva"), "kris nova");
        assert_eq!(person_key("J Smith"), "j smith");
    }

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Carlisia Thompson"), "CT");
        assert_eq!(initials("Kris Nóva"), "KN");
        assert_eq!(initials("Craig McLuckie"), "CM");
    }

    #[test]
    fn near_given_names() {
        assert!(given_name_matches("Duffy", "Duffie"));
        assert!(given_name_matches("Brian", "Bryan"));
        assert!(given_name_matches("Nóva", "Nova"));
        assert!(!given_name_matches("Josh", "John"));
        assert!(!given_name_matches("Kris", "Craig"));
        assert!(!given_name_matches("Nicholas", "Michael"));
    }
}
