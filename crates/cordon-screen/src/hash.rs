//! A fast seeded hasher for watchlist lookups: SipHash dominated screening time, and the keys
//! are short normalised identifiers.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// Multiplier from FxHash: odd, with well-spread bits.
const K: u64 = 0x517c_c1b7_2722_0a95;

/// Builds [`FastHasher`]s from one random per-process seed, so colliding keys cannot be
/// precomputed by someone writing listings.
#[derive(Debug, Clone)]
pub(crate) struct SeededState {
    seed: u64,
}

impl SeededState {
    /// A state with a fresh random seed.
    pub(crate) fn new() -> Self {
        Self { seed: RandomState::new().hash_one(0x5eed_u64) | 1 }
    }
}

impl BuildHasher for SeededState {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(self.seed)
    }
}

/// FxHash-style word-at-a-time hashing with a final avalanche for hashbrown's control bits.
#[derive(Debug)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z ^= z >> 33;
        z = z.wrapping_mul(0xff51_afd7_ed55_8ccd);
        z ^= z >> 33;
        z
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_hash_equal_and_near_keys_differ() {
        let s = SeededState::new();
        let cases = [("0912345678", "0912345679"), ("ws1", "ws10"), ("", "\0"), ("abcdefgh", "abcdefgh\0")];
        for (a, b) in cases {
            assert_eq!(s.hash_one(a), s.hash_one(a.to_string()));
            assert_ne!(s.hash_one(a), s.hash_one(b), "{a:?} vs {b:?}");
        }
    }
}
