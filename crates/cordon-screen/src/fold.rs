//! Line-rate folding: the words of `cordon_core::text::fold_words`, written to a reusable buffer
//! with the original offset of every byte, plus one evasion undone: letters spelled out one by
//! one ("r o l e x", "R.O.L.E.X") are joined back into a word.

use std::sync::OnceLock;

use cordon_core::text;

/// Table value: the character separates words.
const SEP: u8 = 0;
/// Table value: the character folds to nothing (a combining mark), so it must not split a word.
const SKIP: u8 = 1;
/// Table value: the character folds to something a byte cannot hold; take the exact path.
const SLOW: u8 = 2;

/// First code point of the Vietnamese extended block (ạ, ả, ấ, ... ỹ).
const VIET_START: u32 = 0x1E00;
/// Every code point UTF-8 writes in one or two bytes is tabled.
const TWO_BYTE_END: u32 = 0x0800;
/// Runs of at least this many one-character words are taken as a word spelled out. The run must
/// start and end with a letter: "mua 1 tặng 1 r o l e x" gives "mua 1 tang 1 rolex" (the digits
/// are counts next to the word), while "z o l 5 0 0 m g" joins whole to "zol500mg".
pub(crate) const MIN_SPELLED_OUT: usize = 3;

/// Pair-table output: the byte ends no character, or ends one that folds to nothing.
const P_SKIP: u8 = 0;
/// Pair-table output: the character starting at the previous byte is not tabled.
const P_SLOW: u8 = 1;

struct Tables {
    /// Row offset of each previous byte in `out` and `back`: the pair (previous byte, byte)
    /// table has only ~40 distinct rows, so it is stored once per distinct row and fits in L1.
    row: [u16; 0x100],
    /// Indexed by row(previous byte) + byte: what the character ENDING at this byte folds to
    /// (a folded ASCII byte, or b' ' for a separator), P_SKIP for bytes that end no character
    /// (lead bytes, the middle byte of ạ...ỹ) and for combining marks, or P_SLOW at the second
    /// byte of a character the table does not hold. One load per byte and no decoding branches:
    /// the loop carries no dependency from one byte to the next but the output index.
    out: Box<[u8; 0x10000]>,
    /// Same index: how many bytes back the character ending here started.
    back: Box<[u8; 0x10000]>,
}

/// Classifies by asking the reference folder, so the tables can never drift from core.
fn classify(c: char) -> u8 {
    let mut s = String::new();
    text::fold_char(c, &mut s);
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (None, _) => SKIP,
        (Some(f), None) if f.is_ascii_alphanumeric() => f as u8,
        (Some(f), None) if !f.is_alphanumeric() => SEP,
        _ => SLOW,
    }
}

fn is_cont(b: u8) -> bool {
    b & 0xC0 == 0x80
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        // Neither range holds surrogates, so from_u32 always succeeds; SLOW is a safe fallback.
        let class = |cp: u32| char::from_u32(cp).map_or(SLOW, classify);
        let low: Vec<u8> = (0..TWO_BYTE_END).map(class).collect();
        let viet: Vec<u8> = (VIET_START..VIET_START + 0x100).map(class).collect();
        let mut row = [0u16; 0x100];
        let mut out: Vec<u8> = Vec::new();
        let mut back: Vec<u8> = Vec::new();
        for p in 0..=0xFFu8 {
            let mut o_row = [P_SKIP; 0x100];
            let mut b_row = [0u8; 0x100];
            for b in 0..=0xFFu8 {
                let (class, bk) = if b < 0x80 {
                    (low[usize::from(b)], 0)
                } else if !is_cont(b) {
                    (SKIP, 0)
                } else if (0xC0..0xE0).contains(&p) {
                    (low[(usize::from(p & 0x1F) << 6) | usize::from(b & 0x3F)], 1)
                } else if p == 0xE1 {
                    (if b & 0xFC == 0xB8 { SKIP } else { SLOW }, 0)
                } else if p >= 0xE0 {
                    (SLOW, 0)
                } else if (0xB8..=0xBB).contains(&p) {
                    // Third byte of E1 B8..BB xx: every other lead before it went the slow way.
                    (viet[(usize::from(p & 0x03) << 6) | usize::from(b & 0x3F)], 2)
                } else {
                    (SKIP, 0)
                };
                o_row[usize::from(b)] = match class {
                    SEP => b' ',
                    SKIP => P_SKIP,
                    SLOW => P_SLOW,
                    letter => letter,
                };
                b_row[usize::from(b)] = bk;
            }
            let existing = (0..out.len() / 0x100)
                .find(|&r| out[r * 0x100..(r + 1) * 0x100] == o_row[..] && back[r * 0x100..(r + 1) * 0x100] == b_row[..]);
            let r = existing.unwrap_or_else(|| {
                out.extend_from_slice(&o_row);
                back.extend_from_slice(&b_row);
                out.len() / 0x100 - 1
            });
            // At most 256 distinct rows (one per previous byte), so r * 256 < 65,536.
            row[usize::from(p)] = (r * 0x100) as u16;
        }
        // Only the first rows are used; full-size arrays let a u16 index go unchecked.
        let mut out_full = Box::new([P_SKIP; 0x10000]);
        let mut back_full = Box::new([0u8; 0x10000]);
        out_full[..out.len()].copy_from_slice(&out);
        back_full[..back.len()].copy_from_slice(&back);
        Tables { row, out: out_full, back: back_full }
    })
}

/// Folds `text` into `folded` (words separated by one space, one space before the first and
/// after the last, so a pattern `" term "` matches whole words only), with `map[i]` the byte
/// offset in `text` of the character that gave `folded[i]`, and `spaces` the index of every
/// space of `folded` (ascending). All buffers are cleared first.
pub(crate) fn fold_into(text: &str, folded: &mut Vec<u8>, map: &mut Vec<u32>, spaces: &mut Vec<u32>) {
    fold_impl::<true>(text, folded, map, spaces);
}

/// [`fold_into`] without the offset map: what the scanner runs on every text. Spans are needed
/// only for hits, which are rare, so the map is built by folding again when one is found.
pub(crate) fn fold_words_into(text: &str, folded: &mut Vec<u8>, spaces: &mut Vec<u32>) {
    fold_impl::<false>(text, folded, &mut Vec::new(), spaces);
}

/// Where the folder stands: output lengths and whether a word is open.
struct State {
    /// Bytes written to `folded` and `map`.
    w: usize,
    /// Entries written to `spaces`.
    ns: usize,
    /// The last byte that counted was a letter.
    in_word: bool,
}

impl State {
    /// Takes one folded byte (a letter byte, b' ' for a separator, or P_SKIP) for the character
    /// at `at`. Branch-free: Vietnamese mixes letters, marks and separators too irregularly for a
    /// predictor. Always writes at `w` and `ns` (the buffers have room) and then decides whether
    /// the write counts: a separator counts only after a word, so runs collapse to one space
    /// that keeps the offset of the first separator.
    #[inline(always)]
    fn take<const MAP: bool>(&mut self, o: u8, at: usize, folded: &mut [u8], map: &mut [u32], spaces: &mut [u32]) {
        folded[self.w] = o;
        if MAP {
            map[self.w] = at as u32;
        }
        spaces[self.ns] = self.w as u32;
        // Letters are ASCII alphanumerics or bytes of encoded characters, all above the space.
        let letter = o > b' ';
        let sep = o == b' ';
        let ends = sep & self.in_word;
        self.ns += usize::from(ends);
        self.w += usize::from(letter | ends);
        // Only a one-step select carries over to the next byte: comparing the last byte written
        // instead made a four-instruction dependency chain through every byte.
        self.in_word = if letter | sep { letter } else { self.in_word };
    }
}

/// Room for the opening and closing spaces.
const FAST_ROOM: usize = 2;

/// The tabled part of [`fold_impl`] from `i`: returns where it stopped (the end of `bytes`, or
/// the second byte of a character beyond the tables). Kept out of line: in the big function
/// its counters were spilled to the stack, putting a store-to-load round trip on every byte.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn fast_run<const MAP: bool>(
    bytes: &[u8],
    i: usize,
    prev: &mut u8,
    (row, out, back): (&[u16; 0x100], &[u8; 0x10000], &[u8; 0x10000]),
    st: &mut State,
    f: &mut [u8],
    m: &mut [u32],
    sp: &mut [u32],
) -> usize {
    let mut p = *prev;
    let mut s = State { w: st.w, ns: st.ns, in_word: st.in_word };
    let mut j = i;
    while j < bytes.len() {
        let b = bytes[j];
        // Row offsets are multiples of 256, so OR is the sum and the u16 is in bounds.
        let at = usize::from(row[usize::from(p)] | u16::from(b));
        let o = out[at];
        if o == P_SLOW {
            break;
        }
        let start = if MAP { j.saturating_sub(usize::from(back[at])) } else { 0 };
        s.take::<MAP>(o, start, f, m, sp);
        p = b;
        j += 1;
    }
    *prev = p;
    *st = s;
    j
}

/// The folder. Byte-level, one table load per byte: ASCII, two-byte characters (Latin-1,
/// Latin Extended-A/B: đ, ơ, ư, à, ...) and the three-byte Vietnamese block (ạ, ả, ấ, ... ỹ)
/// are tabled, combining marks fold to nothing; only other characters take core's general path.
fn fold_impl<const MAP: bool>(text: &str, folded: &mut Vec<u8>, map: &mut Vec<u32>, spaces: &mut Vec<u32>) {
    let t = tables();
    let (row, out, back) = (&t.row, &*t.out, &*t.back);
    let bytes = text.as_bytes();
    // The tables give at most one byte per input byte, so input length plus the two spaces is
    // room enough; only the general path can need more, and it grows the buffers.
    let room = bytes.len() + FAST_ROOM;
    folded.clear();
    map.clear();
    spaces.clear();
    folded.resize(room, b' ');
    if MAP {
        map.resize(room, 0);
    }
    spaces.resize(room, 0);
    let mut st = State { w: 1, ns: 1, in_word: false };
    let mut slow = String::new();

    let mut prev = 0u8;
    let mut i = 0usize;
    loop {
        // The fast loop holds plain slices, so buffer pointers and lengths stay in registers.
        let (f, m, sp) = (&mut folded[..], &mut map[..], &mut spaces[..]);
        let j = fast_run::<MAP>(bytes, i, &mut prev, (row, out, back), &mut st, f, m, sp);
        if j >= bytes.len() {
            break;
        }
        let at = j;
        // Rare: the character the slow byte belongs to is beyond the tables. Slow bytes are
        // always continuation bytes (ASCII is tabled and lead bytes are skipped), so the
        // character starts at the nearest boundary before: one byte back for two-byte
        // characters, two for the three-byte block (ẚ, ẞ…).
        let mut start = at;
        while start > 0 && !text.is_char_boundary(start) {
            start -= 1;
        }
        let Some(c) = text.get(start..).and_then(|t| t.chars().next()) else {
            break;
        };
        slow.clear();
        text::fold_char(c, &mut slow);
        // Keep room for this output and one byte per input byte still to come.
        let need = st.w + slow.len() + (bytes.len() - start) + FAST_ROOM;
        if need > folded.len() {
            folded.resize(need, b' ');
            if MAP {
                map.resize(need, 0);
            }
            spaces.resize(need, 0);
        }
        for ch in slow.chars() {
            if ch.is_alphanumeric() {
                let mut buf = [0u8; 4];
                for &fb in ch.encode_utf8(&mut buf).as_bytes() {
                    // Bytes of alphanumeric characters are neither P_SKIP, P_SLOW nor a space
                    // (ASCII ones are at least '0'), so each counts as a letter.
                    st.take::<MAP>(fb, start, folded, map, spaces);
                }
            } else {
                st.take::<MAP>(b' ', start, folded, map, spaces);
            }
        }
        i = start + c.len_utf8();
        prev = 0;
    }
    // The last word is followed by the separator that ended it, or by the end of the text.
    st.take::<MAP>(b' ', bytes.len(), folded, map, spaces);
    folded.truncate(st.w);
    if MAP {
        map.truncate(st.w);
    }
    spaces.truncate(st.ns);
    // Spelled-out letters: two one-byte words in a row (spaces two apart twice) may start a run.
    if spaces.windows(3).any(|s| s[1] - s[0] == 2 && s[2] - s[1] == 2) {
        join_spelled_out(folded, MAP.then_some(map));
        spaces.clear();
        spaces.extend(folded.iter().enumerate().filter(|&(_, &b)| b == b' ').map(|(k, _)| k as u32));
    }
}

/// Joins every run of at least [`MIN_SPELLED_OUT`] one-letter words: " r o l e x " → " rolex ".
fn join_spelled_out(folded: &mut Vec<u8>, mut map: Option<&mut Vec<u32>>) {
    // (start, end, starts with a digit) of every word.
    let mut words: Vec<(usize, usize, bool)> = Vec::new();
    let mut start = None;
    for (i, &b) in folded.iter().enumerate() {
        match (b == b' ', start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                words.push((s, i, folded[s].is_ascii_digit()));
                start = None;
            }
            _ => {}
        }
    }
    let single = |(s, e, _): (usize, usize, bool)| e - s == 1;
    let digit = |(_, _, d): (usize, usize, bool)| d;
    // Writing never overtakes reading: joining only removes bytes.
    let mut w = 1usize;
    let mut k = 0usize;
    while k < words.len() {
        let mut j = k;
        while j < words.len() && single(words[j]) {
            j += 1;
        }
        // Trim digits off both ends: they are counts and sizes next to the word, not part of it.
        let mut lo = k;
        while lo < j && digit(words[lo]) {
            lo += 1;
        }
        let mut hi = j;
        while hi > lo && digit(words[hi - 1]) {
            hi -= 1;
        }
        let group = if lo == k && hi - lo >= MIN_SPELLED_OUT { lo..hi } else { k..k + 1 };
        for &(s, e, _) in &words[group.clone()] {
            for r in s..e {
                folded[w] = folded[r];
                if let Some(m) = map.as_deref_mut() {
                    m[w] = m[r];
                }
                w += 1;
            }
        }
        // The space after the group keeps the offset of the separator that followed it.
        let after = words[group.end - 1].1;
        folded[w] = b' ';
        if let Some(m) = map.as_deref_mut() {
            m[w] = m[after];
        }
        w += 1;
        k = group.end;
    }
    folded.truncate(w);
    if let Some(m) = map {
        m.truncate(w);
    }
}

/// Folds `text` to the exact string the scanner sees (for building patterns and for tests).
pub(crate) fn fold_padded(text: &str) -> String {
    let mut folded = Vec::new();
    let mut map = Vec::new();
    fold_into(text, &mut folded, &mut map, &mut Vec::new());
    // Every byte pushed is ASCII or part of a whole UTF-8 encoded folded character.
    String::from_utf8(folded).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the scanner must see, built independently from core's `fold_words`.
    fn reference(s: &str) -> String {
        let words = text::fold_words(s);
        let words: Vec<&str> = words.split(' ').filter(|w| !w.is_empty()).collect();
        let mut out: Vec<String> = Vec::new();
        let single = |w: &str| w.len() == 1;
        let digit = |w: &str| w.as_bytes()[0].is_ascii_digit();
        let mut k = 0;
        while k < words.len() {
            // A spelled-out word: at least three one-character words in a row, starting and
            // ending with a letter.
            let mut j = k;
            while j < words.len() && single(words[j]) {
                j += 1;
            }
            while j > k && digit(words[j - 1]) {
                j -= 1;
            }
            if j - k >= MIN_SPELLED_OUT && !digit(words[k]) {
                out.push(words[k..j].concat());
                k = j;
            } else {
                out.push(words[k].to_string());
                k += 1;
            }
        }
        if out.is_empty() {
            " ".to_string()
        } else {
            format!(" {} ", out.join(" "))
        }
    }

    #[test]
    fn agrees_with_core_on_examples() {
        let cases = [
            ("Đồng hồ ROLEX chính hãng", " dong ho rolex chinh hang "),
            ("hàng xách tay, KHÔNG hóa đơn!!", " hang xach tay khong hoa don "),
            ("r.o.l.e.x", " rolex "),
            ("R O L E X giá rẻ", " rolex gia re "),
            ("bán ở Hà Nội", " ban o ha noi "),
            ("a b", " a b "),
            ("mua 1 tặng 1 r.o.l.e.x 2 cái", " mua 1 tang 1 rolex 2 cai "),
            ("1 2 3 4", " 1 2 3 4 "),
            ("z.o.l.t.r.e.x.5.0.0.m.g", " zoltrex500mg "),
            ("x 5 0 0 y", " x500y "),
            ("1 2 r o l e x 9", " 1 2 rolex 9 "),
            ("  Nguye\u{0302}\u{0303}n  ", " nguyen "),
            ("giá 5.000.000₫ – ship COD", " gia 5 000 000 ship cod "),
            ("中国制造 made in China", " 中国制造 made in china "),
            ("emoji 😀 between", " emoji between "),
            ("", " "),
            ("...", " "),
        ];
        for (s, want) in cases {
            assert_eq!(fold_padded(s), want, "input {s:?}");
            assert_eq!(fold_padded(s), reference(s), "input {s:?}");
        }
    }

    #[test]
    fn offsets_point_at_the_original_character() {
        let cases = [
            ("Đồng hồ", 1, "Đ"),
            ("Đồng hồ", 2, "ồ"),
            ("Đồng hồ", 6, "h"),
            ("xx R.O.L.E.X yy", 4, "R"),
            ("xx R.O.L.E.X yy", 8, "X"),
            ("xx R.O.L.E.X yy", 10, "yy"),
            ("xx R.O.L.E.X yy", 9, " yy"),
        ];
        for (s, i, want) in cases {
            let (mut folded, mut map) = (Vec::new(), Vec::new());
            fold_into(s, &mut folded, &mut map, &mut Vec::new());
            assert_eq!(folded.len(), map.len());
            let at = map[i] as usize;
            assert!(s[at..].starts_with(want), "{s:?}[{i}] -> {at}");
        }
    }

    #[test]
    fn rare_letters_of_the_vietnamese_block_take_the_general_path_without_losing_text() {
        for s in ["ẚ", "aẚb ẞ c", "Straẞe và thuốc lá", "ẛ ẜ ẝ ẟ ạ"] {
            assert_eq!(fold_padded(s), reference(s), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_core_fold_words(s in "\\PC*") {
            proptest::prop_assert_eq!(fold_padded(&s), reference(&s));
        }

        #[test]
        fn agrees_on_vietnamese_heavy_text(s in "[a-zA-Z0-9 .,đĐàáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹ\u{0300}\u{0301}\u{0303}-]{0,40}") {
            proptest::prop_assert_eq!(fold_padded(&s), reference(&s));
        }

        #[test]
        fn folding_without_the_map_gives_the_same_text(s in "(\\PC|[đĐàáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹ\u{0300}\u{0301}. ]){0,40}") {
            let (mut f1, mut m1, mut s1) = (Vec::new(), Vec::new(), Vec::new());
            let (mut f2, mut s2) = (Vec::new(), Vec::new());
            fold_into(&s, &mut f1, &mut m1, &mut s1);
            fold_words_into(&s, &mut f2, &mut s2);
            proptest::prop_assert_eq!(&f1, &f2);
            proptest::prop_assert_eq!(&s1, &s2);
            proptest::prop_assert_eq!(f1.len(), m1.len());
            let spaces: Vec<u32> = f1.iter().enumerate().filter(|(_, &b)| b == b' ').map(|(k, _)| k as u32).collect();
            proptest::prop_assert_eq!(s1, spaces);
            // Every offset is a character boundary of the original.
            for &at in &m1 {
                proptest::prop_assert!(s.is_char_boundary(at as usize));
            }
        }

        #[test]
        fn spelled_out_letters_join(s in "([a-z0-9]{1,3}[ .]){0,8}") {
            proptest::prop_assert_eq!(fold_padded(&s), reference(&s));
        }
    }
}
