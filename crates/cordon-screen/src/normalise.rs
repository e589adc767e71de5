//! Canonical forms for identifiers that sellers write many ways: phones, bank accounts, image
//! hashes, seller ids, prices.

/// Canonical Vietnamese phone: national form with a leading 0 ("+84 912.345.678" → "0912345678").
///
/// Returns `None` when fewer than 8 digits remain: too short to be a phone, and matching it
/// would flag unrelated numbers.
pub fn normalise_phone(raw: &str) -> Option<String> {
    let mut out = String::new();
    phone_into(raw, &mut out).then_some(out)
}

/// [`normalise_phone`] into a reused buffer; false (buffer unspecified) when it is no phone.
pub(crate) fn phone_into(raw: &str, out: &mut String) -> bool {
    out.clear();
    let trimmed = raw.trim();
    out.extend(trimmed.chars().filter(char::is_ascii_digit));
    let digits = out.len();
    if out.starts_with("0084") {
        out.replace_range(..4, "0");
    } else if trimmed.starts_with('+') {
        if out.starts_with("84") {
            out.replace_range(..2, "0");
        } else {
            // A foreign number keeps its country code so it cannot collide with a national one.
            out.insert(0, '+');
        }
    } else if digits == 11 && out.starts_with("84") {
        out.replace_range(..2, "0");
    } else if digits == 9 && !out.starts_with('0') {
        // Mobile numbers are often written without the trunk 0: "912 345 678".
        out.insert(0, '0');
    }
    out.bytes().filter(u8::is_ascii_digit).count() >= 8
}

/// Canonical bank account: digits and letters only, upper case ("0071-0012 3456" → "007100123456").
pub fn normalise_bank_account(raw: &str) -> Option<String> {
    let mut out = String::new();
    bank_into(raw, &mut out).then_some(out)
}

/// [`normalise_bank_account`] into a reused buffer; false when too short to be an account.
pub(crate) fn bank_into(raw: &str, out: &mut String) -> bool {
    out.clear();
    out.extend(raw.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()));
    out.len() >= 6
}

/// Canonical image hash: lower-case hex without separators, or `None` if it is not hex.
pub fn normalise_image_hash(raw: &str) -> Option<String> {
    let mut out = String::new();
    image_hash_into(raw, &mut out).then_some(out)
}

/// [`normalise_image_hash`] into a reused buffer; false when it is not a hex hash.
pub(crate) fn image_hash_into(raw: &str, out: &mut String) -> bool {
    out.clear();
    out.extend(raw.chars().filter(|c| !c.is_whitespace() && *c != ':' && *c != '-').map(|c| c.to_ascii_lowercase()));
    out.len() >= 8 && out.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Canonical seller id: trimmed, lower case (platform ids are case-insensitive in practice).
pub fn normalise_seller(raw: &str) -> Option<String> {
    let mut out = String::new();
    seller_into(raw, &mut out).then_some(out)
}

/// [`normalise_seller`] into a reused buffer; false when empty.
pub(crate) fn seller_into(raw: &str, out: &mut String) -> bool {
    out.clear();
    let raw = raw.trim();
    if raw.is_ascii() {
        // The common case, without per-character Unicode case tables.
        out.push_str(raw);
        out.make_ascii_lowercase();
    } else {
        out.extend(raw.chars().flat_map(char::to_lowercase));
    }
    !out.is_empty()
}

/// Parses a price as sellers write it: "5.000.000", "5,000,000 ₫", "1.250,50", "5tr", "500k".
///
/// A lone separator followed by exactly three digits is a thousands separator (Vietnamese
/// "5.000" is five thousand); "tr"/"triệu" multiply by 1,000,000 and "k"/"nghìn" by 1,000.
pub fn parse_price(raw: &str) -> Option<f64> {
    let s = raw.trim().to_lowercase();
    let num_end = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',' || c == ' ' || c == '_')).unwrap_or(s.len());
    let (num, suffix) = s.split_at(num_end);
    let suffix = suffix.trim();
    let multiplier = if suffix.starts_with("tr") {
        1_000_000.0
    } else if suffix.starts_with('k') || suffix.starts_with("nghìn") || suffix.starts_with("ngàn") {
        1_000.0
    } else if suffix.is_empty()
        || suffix.starts_with('₫')
        || suffix.starts_with('đ')
        || suffix.starts_with("vnd")
        || suffix.starts_with("usd")
        || suffix.starts_with('$')
    {
        1.0
    } else {
        return None;
    };
    let num: String = num.chars().filter(|c| *c != ' ' && *c != '_').collect();
    if num.is_empty() || !num.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let last_dot = num.rfind('.');
    let last_comma = num.rfind(',');
    let decimal_sep = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(if d > c { '.' } else { ',' }),
        (Some(_), None) => lone_decimal(&num, '.'),
        (None, Some(_)) => lone_decimal(&num, ','),
        (None, None) => None,
    };
    let mut plain = String::with_capacity(num.len());
    for c in num.chars() {
        match c {
            '0'..='9' => plain.push(c),
            c if Some(c) == decimal_sep => plain.push('.'),
            _ => {}
        }
    }
    let value: f64 = plain.parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value * multiplier)
}

/// A separator that occurs once and is not followed by exactly three digits is a decimal point.
fn lone_decimal(num: &str, sep: char) -> Option<char> {
    if num.matches(sep).count() != 1 {
        return None;
    }
    let after = num.rsplit(sep).next().unwrap_or("");
    (after.len() != 3).then_some(sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_fold_to_one_national_form() {
        let cases = [
            ("0912345678", Some("0912345678")),
            ("+84 912 345 678", Some("0912345678")),
            ("+84912345678", Some("0912345678")),
            ("84912345678", Some("0912345678")),
            ("0084 912.345.678", Some("0912345678")),
            ("0912.345.678", Some("0912345678")),
            ("(091) 234-5678", Some("0912345678")),
            ("912 345 678", Some("0912345678")),
            ("+1 415 555 0100", Some("+14155550100")),
            ("123", None),
            ("", None),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise_phone(raw).as_deref(), want, "phone {raw:?}");
        }
    }

    #[test]
    fn prices_as_sellers_write_them() {
        let cases = [
            ("5000000", Some(5_000_000.0)),
            ("5.000.000", Some(5_000_000.0)),
            ("5,000,000 ₫", Some(5_000_000.0)),
            ("5.000", Some(5_000.0)),
            ("1.250,50", Some(1_250.5)),
            ("1,250.50", Some(1_250.5)),
            ("12.5", Some(12.5)),
            ("5tr", Some(5_000_000.0)),
            ("2,5 triệu", Some(2_500_000.0)),
            ("500k", Some(500_000.0)),
            ("250.000.000đ", Some(250_000_000.0)),
            ("liên hệ", None),
            ("", None),
            ("12 bananas", None),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_price(raw), want, "price {raw:?}");
        }
    }

    #[test]
    fn bank_accounts_and_hashes() {
        assert_eq!(normalise_bank_account("0071-0012 3456").as_deref(), Some("007100123456"));
        assert_eq!(normalise_bank_account("12-3"), None);
        assert_eq!(normalise_image_hash(" AB:CD:EF:01:23:45 ").as_deref(), Some("abcdef012345"));
        assert_eq!(normalise_image_hash("not-a-hash"), None);
        assert_eq!(normalise_seller("  ShopABC ").as_deref(), Some("shopabc"));
        assert_eq!(normalise_seller("   "), None);
    }
}
