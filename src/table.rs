//! Aligned text tables for terminal output.
//!
//! Column widths are measured in characters (not bytes), so names with
//! accents line up. The last column is never padded, so lines carry no
//! trailing spaces.

/// Renders rows under a header as aligned columns separated by two spaces.
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let cols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, cell) in r.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut l = String::new();
        for (i, c) in cells.enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            l.push_str(c);
            if i + 1 < cols {
                l.extend(std::iter::repeat_n(' ', widths[i].saturating_sub(c.chars().count())));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&mut header.iter().copied());
    for r in rows {
        line(&mut r.iter().map(String::as_str));
    }
    out
}

/// "1 turn", "2 turns".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn aligns_by_chars() {
        let t = super::render(
            &["a", "b"],
            &[vec!["Nóva".into(), "1".into()], vec!["x".into(), "22".into()]],
        );
        assert_eq!(t, "a     b\nNóva  1\nx     22\n");
    }
}
