//! Byte scans that read every byte of a transcript, many bytes at a time
//! and with no unsafe code. [`mask64`] tests a 64-byte block in a loop
//! the compiler vectorises (the tagger's word starts, the speaker clues'
//! word count); [`Positions`] walks a text's accepted bytes block by block
//! (line ends, capitals); eight ASCII bytes in a `u64` (SIMD within a
//! register) find the first or last of a few bytes (the sentence ends
//! around a quote, a turn's last sentence, the Markdown parser's markup).

/// Bit `k` set where `keep(block[k])`. The test runs over the whole block
/// into a byte per position, a plain loop the compiler makes into vector
/// instructions (several times faster than testing eight bytes in a
/// `u64`); the bytes, 0 or 1, are then gathered into bits, eight at a time
/// with one multiplication.
#[inline(always)]
pub(crate) fn mask64(block: &[u8; 64], keep: impl Fn(u8) -> bool) -> u64 {
    let mut one = [0u8; 64];
    for (o, &b) in one.iter_mut().zip(block) {
        *o = u8::from(keep(b));
    }
    one.chunks_exact(8).enumerate().fold(0, |m, (q, part)| {
        let x = u64::from_le_bytes(part.try_into().unwrap_or_default());
        m | (x.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * q)
    })
}

/// [`mask64`] of the first 64 bytes of `hay`; a shorter `hay` is read as
/// if zero bytes followed it (their bits are `keep(0)`).
#[inline(always)]
pub(crate) fn mask_padded(hay: &[u8], keep: impl Fn(u8) -> bool) -> u64 {
    match hay.first_chunk::<64>() {
        Some(block) => mask64(block, keep),
        None => {
            let mut block = [0u8; 64];
            block[..hay.len()].copy_from_slice(hay);
            mask64(&block, keep)
        }
    }
}

/// The positions of the bytes of a haystack that a test accepts, in
/// order, found 64 bytes at a time with [`mask64`]: for scans that stop at
/// many places in a text (its line ends, its capitals), where a search
/// started afresh from each would test the same bytes again.
pub(crate) struct Positions<'a, F> {
    hay: &'a [u8],
    keep: F,
    /// Where the block of `mask` starts.
    base: usize,
    /// The accepted bytes of that block not given yet.
    mask: u64,
}

impl<'a, F: Fn(u8) -> bool> Positions<'a, F> {
    pub(crate) fn new(hay: &'a [u8], keep: F) -> Self {
        let mut p = Positions {
            hay,
            keep,
            base: 0,
            mask: 0,
        };
        p.load();
        p
    }

    /// Tests the block at `base`; past the end, the bits are clear.
    fn load(&mut self) {
        let rest = self.hay.get(self.base..).unwrap_or_default();
        let mask = mask_padded(rest, &self.keep);
        self.mask = if rest.len() >= 64 {
            mask
        } else {
            mask & ((1u64 << rest.len()) - 1)
        };
    }
}

impl<F: Fn(u8) -> bool> Iterator for Positions<'_, F> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            if self.base + 64 >= self.hay.len() {
                return None;
            }
            self.base += 64;
            self.load();
        }
        let k = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.base + k)
    }
}

/// Whether `hay` holds the byte `x`. The test of each 64-byte piece runs
/// to its end, with no early exit, so that it vectorises.
pub(crate) fn contains(hay: &[u8], x: u8) -> bool {
    hay.chunks(64).any(|c| c.iter().fold(false, |any, &b| any | (b == x)))
}

/// The pieces of `s` between its `\n` bytes, as `s.split('\n')` gives
/// them, the line ends found with [`Positions`].
pub(crate) fn split_lines(s: &str) -> impl Iterator<Item = &str> {
    let mut ends = Positions::new(s.as_bytes(), |b| b == b'\n');
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let from = start?;
        let end = ends.next();
        start = end.map(|e| e + 1);
        Some(&s[from..end.unwrap_or(s.len())])
    })
}

/// `0x01` in every byte.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte: where the results of [`in_range`] lie, and
/// what a non-ASCII byte sets.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` set where `lo <= byte <= hi`. Exact
/// for 7-bit bytes, as no subtraction borrows across bytes.
#[inline(always)]
fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    let at_least = ((x | HIGH) - ONES * u64::from(lo)) & HIGH;
    let at_most = (((ONES * u64::from(hi)) | HIGH) - x) & HIGH;
    at_least & at_most
}

/// The high bit of each byte of `x` set where the byte is one of the
/// ASCII bytes `set`.
#[inline(always)]
fn any_of(x: u64, set: &[u8]) -> u64 {
    // Tested on the low seven bits, kept where the high bit is clear.
    let low = x & !HIGH;
    set.iter().fold(0, |m, &b| m | in_range(low, b, b)) & !x
}

/// Where the first byte of `hay` that is one of the ASCII bytes `set`
/// lies.
#[inline(always)]
pub(crate) fn find_any(hay: &[u8], set: &[u8]) -> Option<usize> {
    find_by(hay, |x| any_of(x, set), |b| set.contains(&b))
}

/// Where the first byte of `hay` that `wanted` accepts lies, eight bytes
/// at a time: `mask` gives, for eight bytes in a `u64`, the high bit of
/// each byte `wanted` accepts (and no other bit); `wanted` reads the bytes
/// left over at the end.
#[inline(always)]
fn find_by(hay: &[u8], mask: impl Fn(u64) -> u64, wanted: impl Fn(u8) -> bool) -> Option<usize> {
    let mut chunks = hay.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let found = mask(u64::from_le_bytes(c.try_into().unwrap_or_default()));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks.remainder().iter().position(|&b| wanted(b)).map(|p| at + p)
}

/// Where the last byte of `hay` that is one of the ASCII bytes `set`
/// lies: [`find_any`] from the end.
#[inline(always)]
pub(crate) fn rfind_any(hay: &[u8], set: &[u8]) -> Option<usize> {
    let mut chunks = hay.rchunks_exact(8);
    let mut end = hay.len();
    for c in &mut chunks {
        end -= 8;
        let found = any_of(u64::from_le_bytes(c.try_into().unwrap_or_default()), set);
        if found != 0 {
            return Some(end + 7 - (found.leading_zeros() / 8) as usize);
        }
    }
    chunks.remainder().iter().rposition(|b| set.contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Both searches, on the markup bytes and on the sentence ends.
        #[test]
        fn find_any_finds_the_first_and_rfind_any_the_last(
            hay in proptest::collection::vec(proptest::prop_oneof![
                proptest::num::u8::ANY,
                proptest::sample::select(vec![b'[', b'*', b'\\', b'.', b'!', b'\n', b'a']),
            ], 0..40),
        ) {
            for set in [&b"\\[*!"[..], &b".!?\n"[..]] {
                proptest::prop_assert_eq!(find_any(&hay, set), hay.iter().position(|b| set.contains(b)));
                proptest::prop_assert_eq!(rfind_any(&hay, set), hay.iter().rposition(|b| set.contains(b)));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn in_range_tests_each_byte(bytes in proptest::array::uniform8(0u8..0x80), lo in 0u8..0x80, hi in 0u8..0x80) {
            let got = in_range(u64::from_le_bytes(bytes), lo, hi);
            for (k, &b) in bytes.iter().enumerate() {
                proptest::prop_assert_eq!(got >> (8 * k + 7) & 1 == 1, (lo..=hi).contains(&b));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn positions_are_the_accepted_bytes(hay in proptest::collection::vec(proptest::prop_oneof![
            proptest::num::u8::ANY,
            proptest::sample::select(vec![b'\n', b'A', 0]),
        ], 0..300)) {
            let found: Vec<usize> = Positions::new(&hay, |b| b == b'\n' || b == 0).collect();
            let plain: Vec<usize> = (0..hay.len()).filter(|&i| hay[i] == b'\n' || hay[i] == 0).collect();
            proptest::prop_assert_eq!(found, plain);
        }
    }

    proptest::proptest! {
        #[test]
        fn split_lines_splits_like_split(s in "[a\n\r é]{0,200}") {
            proptest::prop_assert_eq!(split_lines(&s).collect::<Vec<_>>(), s.split('\n').collect::<Vec<_>>());
            proptest::prop_assert_eq!(contains(s.as_bytes(), b'\r'), s.contains('\r'));
        }
    }
}
