//! String similarities for comparisons: Jaro–Winkler and optimal-string-alignment edit distance.
//!
//! Both functions order their arguments before computing so that the result
//! is exactly symmetric, bit for bit: matching must not depend on which
//! record came first.

/// Jaro similarity in [0, 1] over characters.
pub fn jaro(a: &str, b: &str) -> f64 {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    if a.is_ascii() && b.is_ascii() {
        jaro_slice(a.as_bytes(), b.as_bytes())
    } else {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        jaro_slice(&a, &b)
    }
}

/// Jaro–Winkler similarity in [0, 1]: Jaro boosted by a common prefix of up to 4 characters.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let j = jaro(a, b);
    let prefix = a.chars().zip(b.chars()).take(4).take_while(|(x, y)| x == y).count();
    j + prefix as f64 * 0.1 * (1.0 - j)
}

/// Jaro–Winkler when it can reach `floor`, else `None`, cheaply ruling out most unrelated strings.
///
/// The bound counts, on each side, the characters that occur anywhere in the
/// other string: no more than that many can match within Jaro's window, and
/// with no transpositions the similarity is then at most the bound computed.
pub fn jaro_winkler_at_least(a: &str, b: &str, floor: f64) -> Option<f64> {
    if a.is_ascii() && b.is_ascii() && !a.is_empty() && !b.is_empty() {
        // 64 bits, several characters to a bit: membership is over-counted, never under, so the bound holds.
        let set = |s: &str| s.bytes().fold(0u64, |m, c| m | (1u64 << (c & 63)));
        let (sa, sb) = (set(a), set(b));
        let in_b = a.bytes().filter(|&c| sb & (1u64 << (c & 63)) != 0).count();
        let in_a = b.bytes().filter(|&c| sa & (1u64 << (c & 63)) != 0).count();
        let m = in_b.min(in_a) as f64;
        let j = if m == 0.0 { 0.0 } else { (m / a.len() as f64 + m / b.len() as f64 + 1.0) / 3.0 };
        let prefix = a.bytes().zip(b.bytes()).take(4).take_while(|(x, y)| x == y).count();
        // A hair of slack so that rounding never rules out a pair the exact value admits.
        if j + prefix as f64 * 0.1 * (1.0 - j) < floor - 1e-9 {
            return None;
        }
    }
    let jw = jaro_winkler(a, b);
    (jw >= floor).then_some(jw)
}

/// The OSA edit distance when it is at most `k`, else `None`; strings whose lengths differ by more than `k` are not compared.
pub fn osa_within(a: &str, b: &str, k: usize) -> Option<usize> {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    let lengths = if a.is_ascii() && b.is_ascii() { (a.len(), b.len()) } else { (a.chars().count(), b.chars().count()) };
    if lengths.0.abs_diff(lengths.1) > k {
        return None;
    }
    if !(a.is_ascii() && b.is_ascii()) || b.len() > BAND_MAX || a.len() > BAND_MAX || k > 8 {
        let d = osa_distance(a, b);
        return (d <= k).then_some(d);
    }
    osa_band(a.as_bytes(), b.as_bytes(), k)
}

/// Longest string [`osa_within`] keeps its band for on the stack.
const BAND_MAX: usize = 32;

/// OSA distance within a band of `k` around the diagonal, stopping as soon as a row exceeds `k`:
/// unrelated identifiers are told apart after a few characters.
fn osa_band(a: &[u8], b: &[u8], k: usize) -> Option<usize> {
    // Larger than any distance within the band can be; cells outside the band keep it. Cells
    // are bytes (a row of the table is then a few words to clear): values stay at most FAR + 1.
    const FAR: u8 = 100;
    let (n, m) = (a.len(), b.len());
    // Three rolling rows. A cell right of a row's band was never written in its array (bands
    // only move right), so it is still FAR; the cell left of the band is set FAR on each row.
    let mut rows = [[FAR; BAND_MAX + 2]; 3];
    for (j, cell) in rows[1].iter_mut().enumerate().take(m.min(k) + 1) {
        *cell = j as u8;
    }
    let (mut p2, mut p1, mut c) = (0usize, 1usize, 2usize);
    for i in 1..=n {
        let lo = i.saturating_sub(k).max(1);
        let hi = (i + k).min(m);
        rows[c][lo - 1] = if lo == 1 && i <= k { i as u8 } else { FAR };
        let mut row_min = rows[c][lo - 1];
        for j in lo..=hi {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[p1][j] + 1).min(rows[c][j - 1] + 1).min(rows[p1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[p2][j - 2] + 1);
            }
            // Anything beyond the band's reach is as good as FAR: keep bytes from growing.
            v = v.min(FAR);
            rows[c][j] = v;
            row_min = row_min.min(v);
        }
        if usize::from(row_min) > k {
            return None;
        }
        (p2, p1, c) = (p1, c, p2);
    }
    let d = usize::from(rows[p1][m]);
    (d <= k).then_some(d)
}

fn jaro_slice<T: PartialEq>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    if a.len() <= 64 && b.len() <= 64 {
        return jaro_masks(a, b, window);
    }
    let mut b_used = vec![false; b.len()];
    let mut a_matched = vec![false; a.len()];
    let mut matches = 0usize;
    for (i, x) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_used[j] && b[j] == *x {
                b_used[j] = true;
                a_matched[i] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transposed = 0usize;
    let mut k = 0usize;
    for (i, x) in a.iter().enumerate() {
        if !a_matched[i] {
            continue;
        }
        while !b_used[k] {
            k += 1;
        }
        if *x != b[k] {
            transposed += 1;
        }
        k += 1;
    }
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - (transposed / 2) as f64) / m) / 3.0
}

/// Jaro with the matched positions kept in bit masks: no allocation for strings of up to 64 characters.
fn jaro_masks<T: PartialEq>(a: &[T], b: &[T], window: usize) -> f64 {
    let mut b_used = 0u64;
    let mut a_matched = 0u64;
    let mut matches = 0usize;
    for (i, x) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for (j, y) in b.iter().enumerate().take(hi).skip(lo) {
            if b_used & (1 << j) == 0 && y == x {
                b_used |= 1 << j;
                a_matched |= 1 << i;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transposed = 0usize;
    let mut rest = b_used;
    for (i, x) in a.iter().enumerate() {
        if a_matched & (1 << i) == 0 {
            continue;
        }
        let k = rest.trailing_zeros() as usize;
        rest &= rest - 1;
        if *x != b[k] {
            transposed += 1;
        }
    }
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - (transposed / 2) as f64) / m) / 3.0
}

/// Edit distance counting insertions, deletions, substitutions and adjacent transpositions as one each.
pub fn osa_distance(a: &str, b: &str) -> usize {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    if a.is_ascii() && b.is_ascii() {
        osa_slice(a.as_bytes(), b.as_bytes())
    } else {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        osa_slice(&a, &b)
    }
}

fn osa_slice<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let (n, m) = (a.len(), b.len());
    if n == 0 {
        return m;
    }
    if m == 0 {
        return n;
    }
    // Three rolling rows: two back is needed for transpositions. Short strings (most
    // identifiers and names) keep them on the stack.
    const STACK: usize = 32;
    let (mut s2, mut s1, mut s0) = ([0usize; STACK + 1], [0usize; STACK + 1], [0usize; STACK + 1]);
    let (mut h2, mut h1, mut h0);
    let (prev2, prev, cur): (&mut [usize], &mut [usize], &mut [usize]) = if m <= STACK {
        (&mut s2[..=m], &mut s1[..=m], &mut s0[..=m])
    } else {
        h2 = vec![0usize; m + 1];
        h1 = vec![0usize; m + 1];
        h0 = vec![0usize; m + 1];
        (&mut h2[..], &mut h1[..], &mut h0[..])
    };
    for (j, p) in prev.iter_mut().enumerate() {
        *p = j;
    }
    let (mut prev2, mut prev, mut cur) = (prev2, prev, cur);
    for i in 1..=n {
        cur[0] = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m]
}

/// True when the strings are at most one edit apart (OSA: one insertion, deletion, substitution or adjacent transposition), in linear time.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        one_edit_slice(a.as_bytes(), b.as_bytes())
    } else {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        one_edit_slice(&a, &b)
    }
}

fn one_edit_slice<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if prefix == short.len() {
        return true;
    }
    if short.len() == long.len() {
        let i = prefix;
        // One substitution at i, or i and i+1 swapped; everything after must agree.
        let substituted = short[i + 1..] == long[i + 1..];
        let swapped = i + 1 < short.len() && short[i] == long[i + 1] && short[i + 1] == long[i] && short[i + 2..] == long[i + 2..];
        substituted || swapped
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_forms_agree_with_the_full_ones() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "martha",
            "marhta",
            "dixon",
            "dicksonx",
            "jellyfish",
            "smellyfish",
            "1234567",
            "1243567",
            "2345678",
            "1234576",
            "7654321",
            "3030",
            "3035",
            "3300",
            "nguyen",
            "ngyuen",
            "mccarthy",
            "mccattmhy",
            "shepherdson",
            "shepherdosn",
            "harvey",
            "leo n",
            "leon",
            "zzzz",
            "emiily",
            "emily",
            "hưng",
            "hung",
            "hùng",
        ];
        for a in words {
            for b in words {
                for k in 0..=3 {
                    let d = osa_distance(a, b);
                    assert_eq!(osa_within(a, b, k), (d <= k).then_some(d), "{a:?} {b:?} {k}");
                }
                for floor in [0.7, 0.88, 0.9, 0.92] {
                    let jw = jaro_winkler(a, b);
                    assert_eq!(jaro_winkler_at_least(a, b, floor), (jw >= floor).then_some(jw), "{a:?} {b:?} {floor}");
                }
            }
        }
    }

    #[test]
    fn jaro_winkler_known_values() {
        // Reference values from Winkler (1990) as reproduced by most libraries.
        let cases = [
            ("martha", "marhta", 0.961),
            ("dwayne", "duane", 0.840),
            ("dixon", "dicksonx", 0.813),
            ("abc", "abc", 1.0),
            ("abc", "xyz", 0.0),
        ];
        for (a, b, want) in cases {
            let got = jaro_winkler(a, b);
            assert!((got - want).abs() < 0.001, "jw({a},{b}) = {got}, want {want}");
        }
    }

    #[test]
    fn one_edit_agrees_with_osa_distance() {
        let words = [
            "", "a", "an", "anh", "nah", "nguyen", "ngyuen", "nguyn", "nguyenn", "nguyan", "hung", "hunh", "uhng", "ab", "ba", "abc", "acb",
        ];
        for a in words {
            for b in words {
                assert_eq!(within_one_edit(a, b), osa_distance(a, b) <= 1, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn osa_counts_transposition_as_one() {
        let cases = [
            ("nguyen", "ngyuen", 1),
            ("nguyen", "nguyen", 0),
            ("an", "anh", 1),
            ("kitten", "sitting", 3),
            ("", "abc", 3),
            ("ca", "abc", 3),
        ];
        for (a, b, want) in cases {
            assert_eq!(osa_distance(a, b), want, "osa({a},{b})");
        }
    }
}
