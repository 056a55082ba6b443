//! Speaker labels as transcripts write them: `Kim Hale:`, `CC:`,
//! `ANNOUNCER:`.
//!
//! Shared by every format whose turns start with a `Label:` prefix (Podlets,
//! plain text, SRT), so that what counts as a label is decided once.

/// `Kim Hale: text` or `ANNOUNCER: text` gives (label, text after the
/// colon). The colon must end the label and be followed by a space or the
/// end of the line, so that `10:30`, `http://` or `a:b` are never labels.
///
/// A label is one to four capitalised words (`Ana Costa`, `Dr. Kim
/// O'Hale`, with lower-case particles such as `van` or `de` allowed between
/// them), or an all-caps label of up to 12 characters (`CC`, `SPEAKER 2`).
pub fn split_label(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let label = line.get(..colon)?;
    let after = line.get(colon + 1..)?;
    if label != label.trim_start() || !(after.is_empty() || after.starts_with(char::is_whitespace)) {
        return None;
    }
    let label = label.trim_end();
    (is_name_label(label) || is_caps_label(label)).then_some((label, after.trim_start()))
}

/// Lower-case words that may sit inside a name.
const PARTICLES: &[&str] = &[
    "van", "von", "de", "der", "den", "da", "das", "do", "dos", "di", "del", "della", "du", "la", "le", "bin", "al",
    "y",
];

/// One to four capitalised words, lower-case particles allowed inside:
/// `Kelsey Hightower`, `Ludwig van Beethoven`, `Dr. Kim O'Hale`.
pub fn is_name_label(label: &str) -> bool {
    let words: Vec<&str> = label.split_whitespace().collect();
    if !(1..=4).contains(&words.len()) {
        return false;
    }
    let capitalised = |w: &str| {
        w.chars().next().is_some_and(char::is_uppercase)
            && w.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\'' | '’'))
    };
    let last = words.len() - 1;
    words
        .iter()
        .enumerate()
        .all(|(i, w)| capitalised(w) || (i != 0 && i != last && PARTICLES.contains(w)))
}

/// An all-caps label of up to 12 characters: `CC`, `ANNOUNCER`,
/// `SPEAKER 2`.
pub fn is_caps_label(label: &str) -> bool {
    label.chars().count() <= 12
        && label.chars().any(char::is_uppercase)
        && label
            .chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '_' | '\''))
}
