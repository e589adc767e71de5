//! Line-rate folding: the same words as `cordon_core::text::fold_words`, streamed byte by byte
//! with the original offset of every byte, so the scanner never builds an intermediate string.

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
/// Latin-1, Latin Extended-A/B and the combining diacritics: everything below this is tabled.
const LATIN_END: u32 = 0x0370;

struct Tables {
    latin: [u8; LATIN_END as usize],
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
        let mut latin = [SLOW; LATIN_END as usize];
        for (cp, slot) in latin.iter_mut().enumerate() {
            // cp < 0x370 is never a surrogate, so from_u32 always succeeds; SLOW is the safe fallback.
            *slot = char::from_u32(cp as u32).map_or(SLOW, classify);
        }
        let mut viet = [SLOW; 0x100];
        for (i, slot) in viet.iter_mut().enumerate() {
            *slot = char::from_u32(VIET_START + i as u32).map_or(SLOW, classify);
        }
        Tables { latin, viet }
    })
}

/// Streams the folded words of `text` to `emit` as (byte, byte offset in `text` of the character it
/// came from). Words are separated by one space, with one space before the first and after the
/// last, so a pattern `" term "` matches whole words only.
#[inline]
pub(crate) fn fold_words_with(text: &str, mut emit: impl FnMut(u8, u32)) {
    let t = tables();
    let bytes = text.as_bytes();
    let mut last_space = true;
    let mut pending_space: Option<u32> = None;
    let mut slow = String::new();
    emit(b' ', 0);
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        let (class, width) = if b < 0x80 {
            (t.latin[b as usize], 1)
        } else {
            // i always sits on a char boundary: it only advances by whole characters.
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            let cp = c as u32;
            let class = if cp < LATIN_END {
                t.latin[cp as usize]
            } else if (VIET_START..VIET_START + 0x100).contains(&cp) {
                t.viet[(cp - VIET_START) as usize]
            } else {
                SLOW
            };
            if class == SLOW {
                slow.clear();
                text::fold_char(c, &mut slow);
                for f in slow.chars() {
                    if f.is_alphanumeric() {
                        if let Some(at) = pending_space.take() {
                            emit(b' ', at);
                        }
                        let mut buf = [0u8; 4];
                        for &fb in f.encode_utf8(&mut buf).as_bytes() {
                            emit(fb, i as u32);
                        }
                        last_space = false;
                    } else if !last_space && pending_space.is_none() {
                        pending_space = Some(i as u32);
                    }
                }
                i += c.len_utf8();
                continue;
            }
            (class, c.len_utf8())
        };
        match class {
            SEP => {
                if !last_space && pending_space.is_none() {
                    pending_space = Some(i as u32);
                }
            }
            SKIP => {}
            folded => {
                if let Some(at) = pending_space.take() {
                    emit(b' ', at);
                }
                emit(folded, i as u32);
                last_space = false;
            }
        }
        i += width;
    }
    if !last_space {
        emit(b' ', bytes.len() as u32);
    }
}

/// Folds `text` to the exact string the scanner sees (for building patterns and for tests).
pub(crate) fn fold_padded(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len() + 2);
    fold_words_with(text, |b, _| out.push(b));
    // Every emitted byte is ASCII or a whole UTF-8 sequence of a folded character.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(s: &str) -> String {
        let words = text::fold_words(s);
        if words.is_empty() {
            " ".to_string()
        } else {
            format!(" {words} ")
        }
    }

    #[test]
    fn agrees_with_core_on_examples() {
        let cases = [
            "Đồng hồ ROLEX chính hãng",
            "hàng xách tay, KHÔNG hóa đơn!!",
            "r.o.l.e.x",
            "  Nguye\u{0302}\u{0303}n  ",
            "giá 5.000.000₫ – ship COD",
            "中国制造 made in China",
            "emoji 😀 between",
            "",
            "...",
            "ǅ ß İstanbul",
        ];
        for s in cases {
            assert_eq!(fold_padded(s), reference(s), "input {s:?}");
        }
    }

    #[test]
    fn offsets_point_at_the_original_character() {
        let s = "Đồng hồ";
        let mut seen = Vec::new();
        fold_words_with(s, |b, at| seen.push((b, at)));
        // "d" of "dong" comes from 'Đ' at 0, "o" from 'ồ' at 2, "h" of "ho" after the space.
        assert_eq!(seen[1], (b'd', 0));
        assert_eq!(seen[2], (b'o', 2));
        let h = seen.iter().find(|(b, _)| *b == b'h').map(|&(_, at)| at);
        assert_eq!(h, s.find('h').map(|x| x as u32));
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
    }
}
