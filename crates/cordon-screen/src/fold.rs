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

struct Tables {
    low: [u8; TWO_BYTE_END as usize],
    viet: [u8; 0x100],
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

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut low = [SLOW; TWO_BYTE_END as usize];
        for (cp, slot) in low.iter_mut().enumerate() {
            // Below 0x800 there are no surrogates, so from_u32 always succeeds; SLOW is a safe fallback.
            *slot = char::from_u32(cp as u32).map_or(SLOW, classify);
        }
        let mut viet = [SLOW; 0x100];
        for (i, slot) in viet.iter_mut().enumerate() {
            *slot = char::from_u32(VIET_START + i as u32).map_or(SLOW, classify);
        }
        Tables { low, viet }
    })
}

/// Folds `text` into `folded` (words separated by one space, one space before the first and
/// after the last, so a pattern `" term "` matches whole words only), with `map[i]` the byte
/// offset in `text` of the character that gave `folded[i]`. Both buffers are cleared first.
pub(crate) fn fold_into(text: &str, folded: &mut Vec<u8>, map: &mut Vec<u32>) {
    fold_scan(text, folded, map, |_, _| {});
}

/// [`fold_into`], feeding every folded byte and its index to `step` as soon as it is written,
/// so an automaton runs while the text is folded. Returns true when spelled-out letters were
/// joined after the fact: `folded` then differs from what `step` saw and must be scanned again.
#[inline(always)]
pub(crate) fn fold_scan(text: &str, folded: &mut Vec<u8>, map: &mut Vec<u32>, mut step: impl FnMut(u8, usize)) -> bool {
    let t = tables();
    let bytes = text.as_bytes();
    folded.clear();
    map.clear();
    folded.reserve(bytes.len() + 2);
    map.reserve(bytes.len() + 2);
    folded.push(b' ');
    map.push(0);

    // Offset of the separator owed before the next word; u32::MAX when none is owed.
    let mut pending = u32::MAX;
    let mut in_word = false;
    let mut word_start = 0usize;
    let mut prev_single = false;
    let mut spelled_out = false;
    let mut slow = String::new();
    let mut fed = 0usize;

    macro_rules! end_word {
        () => {
            if in_word {
                let single = folded.len() - word_start == 1;
                spelled_out |= single && prev_single;
                prev_single = single;
                in_word = false;
            }
        };
    }
    macro_rules! emit {
        ($b:expr, $at:expr) => {
            if !in_word {
                if pending != u32::MAX {
                    folded.push(b' ');
                    map.push(pending);
                    pending = u32::MAX;
                }
                word_start = folded.len();
                in_word = true;
            }
            folded.push($b);
            map.push($at);
        };
    }

    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        // `text` is valid UTF-8, so continuation bytes exist wherever a lead byte says so.
        let (class, width) = if b < 0x80 {
            (t.low[b as usize], 1)
        } else if b < 0xE0 {
            let cp = (u32::from(b & 0x1F) << 6) | u32::from(bytes[i + 1] & 0x3F);
            (t.low[cp as usize], 2)
        } else if b < 0xF0 {
            let cp = (u32::from(b & 0x0F) << 12) | (u32::from(bytes[i + 1] & 0x3F) << 6) | u32::from(bytes[i + 2] & 0x3F);
            if (VIET_START..VIET_START + 0x100).contains(&cp) {
                (t.viet[(cp - VIET_START) as usize], 3)
            } else {
                (SLOW, 3)
            }
        } else {
            (SLOW, 4)
        };
        match class {
            SEP => {
                if in_word {
                    end_word!();
                    pending = i as u32;
                }
            }
            SKIP => {}
            SLOW => {
                if let Some(c) = text[i..].chars().next() {
                    slow.clear();
                    text::fold_char(c, &mut slow);
                    for f in slow.chars() {
                        if f.is_alphanumeric() {
                            let mut buf = [0u8; 4];
                            for &fb in f.encode_utf8(&mut buf).as_bytes() {
                                emit!(fb, i as u32);
                            }
                        } else if in_word {
                            end_word!();
                            pending = i as u32;
                        }
                    }
                }
            }
            folded_byte => {
                emit!(folded_byte, i as u32);
            }
        }
        i += width;
        while fed < folded.len() {
            step(folded[fed], fed);
            fed += 1;
        }
    }
    if in_word {
        let single = folded.len() - word_start == 1;
        spelled_out |= single && prev_single;
        pending = bytes.len() as u32;
    }
    if folded.len() > 1 {
        // The last word is followed by the separator that ended it, or by the end of the text.
        folded.push(b' ');
        map.push(pending);
    }
    while fed < folded.len() {
        step(folded[fed], fed);
        fed += 1;
    }
    if spelled_out {
        join_spelled_out(folded, map);
    }
    spelled_out
}

/// Joins every run of at least [`MIN_SPELLED_OUT`] one-letter words: " r o l e x " → " rolex ".
fn join_spelled_out(folded: &mut Vec<u8>, map: &mut Vec<u32>) {
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
                map[w] = map[r];
                w += 1;
            }
        }
        // The space after the group keeps the offset of the separator that followed it.
        let after = words[group.end - 1].1;
        folded[w] = b' ';
        map[w] = map[after];
        w += 1;
        k = group.end;
    }
    folded.truncate(w);
    map.truncate(w);
}

/// Folds `text` to the exact string the scanner sees (for building patterns and for tests).
pub(crate) fn fold_padded(text: &str) -> String {
    let mut folded = Vec::new();
    let mut map = Vec::new();
    fold_into(text, &mut folded, &mut map);
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
            fold_into(s, &mut folded, &mut map);
            assert_eq!(folded.len(), map.len());
            let at = map[i] as usize;
            assert!(s[at..].starts_with(want), "{s:?}[{i}] -> {at}");
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
        fn spelled_out_letters_join(s in "([a-z0-9]{1,3}[ .]){0,8}") {
            proptest::prop_assert_eq!(fold_padded(&s), reference(&s));
        }
    }
}
