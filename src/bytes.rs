//! Eight ASCII bytes at a time in a `u64` (SIMD within a register), for
//! the scans that read every byte of a transcript: the sentence ends
//! around the tagger's quotes, the speaker clues' word
//! count, search for capitals and for the last sentence, and the Markdown
//! parser's search for markup.

/// `0x01` in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte: where the results of [`in_range`] lie, and
/// what a non-ASCII byte sets.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` set where `lo <= byte <= hi`. Exact
/// for 7-bit bytes, as no subtraction borrows across bytes.
#[inline(always)]
pub(crate) fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    let at_least = ((x | HIGH) - ONES * u64::from(lo)) & HIGH;
    let at_most = (((ONES * u64::from(hi)) | HIGH) - x) & HIGH;
    at_least & at_most
}

/// The number of bytes of `m` whose high bit is set (no other bit may be):
/// a multiply adds them up, where `count_ones` would take a dozen steps on
/// processors without a population count instruction.
#[inline(always)]
pub(crate) fn high_bits(m: u64) -> usize {
    ((m >> 7).wrapping_mul(ONES) >> 56) as usize
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
pub(crate) fn find_by(hay: &[u8], mask: impl Fn(u64) -> u64, wanted: impl Fn(u8) -> bool) -> Option<usize> {
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
}
