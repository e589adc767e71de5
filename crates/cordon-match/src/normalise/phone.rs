//! Phone numbers to E.164, with Vietnam's 2018 renumbering of 11-digit mobile numbers.
//!
//! From September 2018 Vietnam moved 11-digit mobile numbers (01xx …) to
//! 10 digits. A seizure report from 2016 and a tip from 2024 may name the same
//! phone as 0168 xxx xxxx and 038 xxx xxxx; both normalise to +8438xxxxxxx.

use crate::error::NormaliseError;

/// Old 3-digit mobile prefixes (without the trunk 0) and their 2018 replacements.
pub const MOBILE_RENUMBERING: &[(&str, &str)] = &[
    ("162", "32"),
    ("163", "33"),
    ("164", "34"),
    ("165", "35"),
    ("166", "36"),
    ("167", "37"),
    ("168", "38"),
    ("169", "39"),
    ("120", "70"),
    ("121", "79"),
    ("122", "77"),
    ("126", "76"),
    ("128", "78"),
    ("123", "83"),
    ("124", "84"),
    ("125", "85"),
    ("127", "81"),
    ("129", "82"),
    ("186", "56"),
    ("188", "58"),
    ("199", "59"),
];

/// Normalises a phone number to E.164 ("+84…"); numbers without a country code are taken as Vietnamese.
pub fn normalise_phone(raw: &str) -> Result<String, NormaliseError> {
    let trimmed = raw.trim();
    let mut digits = String::with_capacity(trimmed.len());
    let mut plus = false;
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => plus = true,
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            other => return Err(NormaliseError::BadCharacter(other)),
        }
    }
    if digits.is_empty() {
        return Err(NormaliseError::Empty);
    }
    let international = if plus { Some(digits.as_str()) } else { digits.strip_prefix("00") };
    let national = match international {
        Some(rest) => match rest.strip_prefix("84") {
            Some(nsn) => nsn.trim_start_matches('0'),
            None => return foreign(rest),
        },
        None => match digits.strip_prefix('0') {
            Some(nsn) => nsn,
            // "84912345678" is written without the plus often enough to accept it.
            None if digits.starts_with("84") && (11..=12).contains(&digits.len()) => &digits[2..],
            None => digits.as_str(),
        },
    };
    vietnamese(national)
}

/// Checks a Vietnamese national significant number and applies the 2018 renumbering.
fn vietnamese(nsn: &str) -> Result<String, NormaliseError> {
    match nsn.len() {
        9 => Ok(format!("+84{nsn}")),
        10 if nsn.starts_with('1') => {
            let (prefix, rest) = nsn.split_at(3);
            MOBILE_RENUMBERING
                .iter()
                .find(|(old, _)| *old == prefix)
                .map(|(_, new)| format!("+84{new}{rest}"))
                .ok_or_else(|| NormaliseError::UnknownMobilePrefix(prefix.to_owned()))
        }
        // Landlines since 2017 are 02x plus eight digits: ten after the trunk 0.
        10 if nsn.starts_with('2') => Ok(format!("+84{nsn}")),
        got => Err(NormaliseError::BadLength { what: "Vietnamese phone number", expected: "9 or 10 digits after the leading 0", got }),
    }
}

fn foreign(rest: &str) -> Result<String, NormaliseError> {
    if (8..=15).contains(&rest.len()) {
        Ok(format!("+{rest}"))
    } else {
        Err(NormaliseError::BadLength { what: "international phone number", expected: "8 to 15 digits", got: rest.len() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_e164() {
        let cases = [
            ("0912 345 678", "+84912345678"),
            ("0912.345.678", "+84912345678"),
            ("+84 912 345 678", "+84912345678"),
            ("+84 (0) 912 345 678", "+84912345678"),
            ("0084912345678", "+84912345678"),
            ("84912345678", "+84912345678"),
            ("912345678", "+84912345678"),
            ("0168 123 4567", "+84381234567"),
            ("038 123 4567", "+84381234567"),
            ("+84 168 123 4567", "+84381234567"),
            ("01621234567", "+84321234567"),
            ("01691234567", "+84391234567"),
            ("01201234567", "+84701234567"),
            ("01211234567", "+84791234567"),
            ("01221234567", "+84771234567"),
            ("01231234567", "+84831234567"),
            ("01241234567", "+84841234567"),
            ("01251234567", "+84851234567"),
            ("01261234567", "+84761234567"),
            ("01271234567", "+84811234567"),
            ("01281234567", "+84781234567"),
            ("01291234567", "+84821234567"),
            ("01861234567", "+84561234567"),
            ("01881234567", "+84581234567"),
            ("01991234567", "+84591234567"),
            ("024 3825 1234", "+842438251234"),
            ("+86 139 1234 5678", "+8613912345678"),
            ("0086 139 1234 5678", "+8613912345678"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise_phone(raw).as_deref(), Ok(want), "{raw}");
        }
    }

    #[test]
    fn old_and_new_mobile_numbers_are_the_same_phone() {
        assert_eq!(normalise_phone("0168 xxx xxxx".replace('x', "7").as_str()), normalise_phone("038 777 7777"));
    }

    #[test]
    fn rejects_what_is_not_a_phone() {
        let cases = [
            ("", NormaliseError::Empty),
            ("abc", NormaliseError::BadCharacter('a')),
            ("01301234567", NormaliseError::UnknownMobilePrefix("130".into())),
            (
                "091234",
                NormaliseError::BadLength { what: "Vietnamese phone number", expected: "9 or 10 digits after the leading 0", got: 5 },
            ),
            ("+1 23", NormaliseError::BadLength { what: "international phone number", expected: "8 to 15 digits", got: 3 }),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise_phone(raw), Err(want), "{raw:?}");
        }
    }
}
