//! A listing as platforms and social networks export it, parsed from NDJSON or CSV.

use serde::Deserialize;
use thiserror::Error;

use crate::normalise::parse_price;

/// One offer on an e-commerce platform or social network.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    /// Platform name ("shopee", "facebook", ...).
    pub platform: String,
    /// The platform's id for the listing.
    pub listing_id: String,
    /// Link to the listing.
    pub url: Option<String>,
    /// Title as posted.
    pub title: String,
    /// Description as posted.
    pub description: String,
    /// Asking price in `currency` (VND when `currency` is absent).
    pub price: Option<f64>,
    /// ISO 4217 currency code, upper case.
    pub currency: Option<String>,
    /// Platform category ("watches", "đồng hồ", ...).
    pub category: Option<String>,
    /// Quantity offered.
    pub quantity: Option<u64>,
    /// The platform's seller id.
    pub seller_id: Option<String>,
    /// Seller display name.
    pub seller_name: Option<String>,
    /// Phone numbers as written by the seller.
    pub phones: Vec<String>,
    /// Bank accounts as written by the seller.
    pub bank_accounts: Vec<String>,
    /// Seller address.
    pub address: Option<String>,
    /// Where goods ship from.
    pub ship_from: Option<String>,
    /// Hashes of the listing's images (hex).
    pub image_hashes: Vec<String>,
    /// Posting time as given by the platform (RFC 3339 expected, kept verbatim).
    pub posted_at: Option<String>,
}

/// Why a line or record could not become a [`Listing`], with the line the caller gave.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("line {line}: {problem}")]
pub struct ListingError {
    /// Line (or record) number in the caller's input, 1-based.
    pub line: usize,
    /// What is wrong with it.
    pub problem: ListingProblem,
}

/// What is wrong with a listing record.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ListingProblem {
    /// The line is not a JSON object.
    #[error("not a JSON object: {0}")]
    Json(String),
    /// A field every listing needs is missing or empty.
    #[error("missing required field `{0}`")]
    Missing(&'static str),
    /// A field is present but its value cannot be read.
    #[error("field `{field}`: {reason}")]
    BadField {
        /// The field's name.
        field: String,
        /// Why its value is refused.
        reason: String,
    },
}

/// A JSON value that is a string or a number (exports disagree on prices and quantities).
///
/// Deserialized by hand rather than `#[serde(untagged)]`, which buffers every value into an
/// intermediate tree before trying the variants: that buffering was most of the parse time of
/// a streamed listing.
enum Scalar {
    Num(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Num(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Num(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Num(v as f64))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Text(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A JSON value that is one string or a list of strings (deserialized by hand, as [`Scalar`]).
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(OneOrMany::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => split_list(&s),
            OneOrMany::Many(v) => v.into_iter().filter(|s| !s.trim().is_empty()).collect(),
        }
    }
}

#[derive(Deserialize)]
struct RawListing {
    platform: Option<String>,
    #[serde(alias = "id")]
    listing_id: Option<Scalar>,
    url: Option<String>,
    title: Option<String>,
    description: Option<String>,
    price: Option<Scalar>,
    currency: Option<String>,
    category: Option<String>,
    quantity: Option<Scalar>,
    seller_id: Option<Scalar>,
    seller_name: Option<String>,
    #[serde(alias = "phone")]
    phones: Option<OneOrMany>,
    #[serde(alias = "bank_account")]
    bank_accounts: Option<OneOrMany>,
    address: Option<String>,
    ship_from: Option<String>,
    #[serde(alias = "image_hash")]
    image_hashes: Option<OneOrMany>,
    posted_at: Option<String>,
}

/// Lists inside one CSV cell or JSON string are separated by `;`, `|` or `,`.
fn split_list(s: &str) -> Vec<String> {
    s.split([';', '|', ',']).map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

fn non_empty(s: Option<String>) -> Option<String> {
    // Keeps the string when there is nothing to trim: most fields, and no copy.
    s.map(|s| if s.trim().len() == s.len() { s } else { s.trim().to_string() }).filter(|s| !s.is_empty())
}

fn scalar_text(s: Option<Scalar>) -> Option<String> {
    match s? {
        Scalar::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", n as i64)),
        Scalar::Num(n) => Some(n.to_string()),
        Scalar::Text(t) => non_empty(Some(t)),
    }
}

fn bad(field: &str, reason: impl Into<String>) -> ListingProblem {
    ListingProblem::BadField { field: field.to_string(), reason: reason.into() }
}

fn read_price(raw: &str) -> Result<f64, ListingProblem> {
    parse_price(raw).ok_or_else(|| bad("price", format!("`{raw}` is not a price")))
}

fn read_quantity(raw: &str) -> Result<u64, ListingProblem> {
    raw.trim().parse().map_err(|_| bad("quantity", format!("`{raw}` is not a whole number")))
}

fn read_currency(raw: &str) -> Result<String, ListingProblem> {
    let t = raw.trim();
    let code = match t {
        "₫" | "đ" | "Đ" | "vnđ" | "VNĐ" => "VND".to_string(),
        "$" => "USD".to_string(),
        _ => t.to_ascii_uppercase(),
    };
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(bad("currency", format!("`{raw}` is not a currency code")))
    }
}

impl RawListing {
    fn finish(self) -> Result<Listing, ListingProblem> {
        let platform = non_empty(self.platform).ok_or(ListingProblem::Missing("platform"))?;
        let listing_id = scalar_text(self.listing_id).ok_or(ListingProblem::Missing("listing_id"))?;
        let title = non_empty(self.title).ok_or(ListingProblem::Missing("title"))?;
        let price = match self.price {
            None => None,
            Some(Scalar::Num(n)) if n.is_finite() && n >= 0.0 => Some(n),
            Some(Scalar::Num(n)) => return Err(bad("price", format!("{n} is not a price"))),
            Some(Scalar::Text(t)) if t.trim().is_empty() => None,
            Some(Scalar::Text(t)) => Some(read_price(&t)?),
        };
        let quantity = match self.quantity {
            None => None,
            Some(Scalar::Num(n)) if n >= 0.0 && n.fract() == 0.0 && n < 1e15 => Some(n as u64),
            Some(Scalar::Num(n)) => return Err(bad("quantity", format!("{n} is not a whole number"))),
            Some(Scalar::Text(t)) if t.trim().is_empty() => None,
            Some(Scalar::Text(t)) => Some(read_quantity(&t)?),
        };
        let currency = match non_empty(self.currency) {
            None => None,
            Some(c) => Some(read_currency(&c)?),
        };
        Ok(Listing {
            platform,
            listing_id,
            url: non_empty(self.url),
            title,
            description: self.description.unwrap_or_default(),
            price,
            currency,
            category: non_empty(self.category),
            quantity,
            seller_id: scalar_text(self.seller_id),
            seller_name: non_empty(self.seller_name),
            phones: self.phones.map(OneOrMany::into_vec).unwrap_or_default(),
            bank_accounts: self.bank_accounts.map(OneOrMany::into_vec).unwrap_or_default(),
            address: non_empty(self.address),
            ship_from: non_empty(self.ship_from),
            image_hashes: self.image_hashes.map(OneOrMany::into_vec).unwrap_or_default(),
            posted_at: non_empty(self.posted_at),
        })
    }
}

/// Field names accepted in CSV headers, in the form [`header_key`] gives them.
const CSV_FIELDS: [&str; 17] = [
    "platform",
    "listing_id",
    "url",
    "title",
    "description",
    "price",
    "currency",
    "category",
    "quantity",
    "seller_id",
    "seller_name",
    "phones",
    "bank_accounts",
    "address",
    "ship_from",
    "image_hashes",
    "posted_at",
];

/// "Listing ID", "listing-id" and "listing_id" name the same column.
fn header_key(h: &str) -> String {
    let k: String = h.trim().chars().map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() }).collect();
    match k.as_str() {
        "id" => "listing_id".into(),
        "phone" => "phones".into(),
        "bank_account" => "bank_accounts".into(),
        "image_hash" => "image_hashes".into(),
        _ => k,
    }
}

impl Listing {
    /// Parses one NDJSON line; `line` is the caller's 1-based line number, echoed in the error.
    pub fn from_json_line(text: &str, line: usize) -> Result<Listing, ListingError> {
        let raw: RawListing =
            serde_json::from_str(text).map_err(|e| ListingError { line, problem: ListingProblem::Json(e.to_string()) })?;
        raw.finish().map_err(|problem| ListingError { line, problem })
    }

    /// Builds a listing from one CSV record given as (header, value) pairs; unknown columns are
    /// ignored, list columns (phones, bank accounts, image hashes) split on `;`, `|` or `,`.
    pub fn from_csv_record<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>, line: usize) -> Result<Listing, ListingError> {
        let mut raw = RawListing {
            platform: None,
            listing_id: None,
            url: None,
            title: None,
            description: None,
            price: None,
            currency: None,
            category: None,
            quantity: None,
            seller_id: None,
            seller_name: None,
            phones: None,
            bank_accounts: None,
            address: None,
            ship_from: None,
            image_hashes: None,
            posted_at: None,
        };
        for (header, value) in fields {
            let key = header_key(header);
            if !CSV_FIELDS.contains(&key.as_str()) {
                continue;
            }
            let v = value.to_string();
            let text = || Some(v.clone());
            match key.as_str() {
                "platform" => raw.platform = text(),
                "listing_id" => raw.listing_id = Some(Scalar::Text(v)),
                "url" => raw.url = text(),
                "title" => raw.title = text(),
                "description" => raw.description = text(),
                "price" => raw.price = Some(Scalar::Text(v)),
                "currency" => raw.currency = text(),
                "category" => raw.category = text(),
                "quantity" => raw.quantity = Some(Scalar::Text(v)),
                "seller_id" => raw.seller_id = Some(Scalar::Text(v)),
                "seller_name" => raw.seller_name = text(),
                "phones" => raw.phones = Some(OneOrMany::One(v)),
                "bank_accounts" => raw.bank_accounts = Some(OneOrMany::One(v)),
                "address" => raw.address = text(),
                "ship_from" => raw.ship_from = text(),
                "image_hashes" => raw.image_hashes = Some(OneOrMany::One(v)),
                _ => raw.posted_at = text(),
            }
        }
        raw.finish().map_err(|problem| ListingError { line, problem })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_json_line() {
        let line = r#"{"platform":"shopee","listing_id":123,"url":"https://x/1","title":"Đồng hồ Rolex",
            "description":"hàng xách tay","price":"1.200.000","currency":"vnd","category":"watches",
            "quantity":"3","seller_id":"S-9","seller_name":"Shop A","phones":"0912 345 678; +84 988 000 111",
            "bank_accounts":["0071001234567"],"address":"Hà Nội","ship_from":"Quảng Châu",
            "image_hashes":["abcdef0123456789"],"posted_at":"2026-11-20T10:00:00Z","extra":true}"#
            .replace('\n', " ");
        let l = Listing::from_json_line(&line, 1).unwrap();
        assert_eq!(l.platform, "shopee");
        assert_eq!(l.listing_id, "123");
        assert_eq!(l.price, Some(1_200_000.0));
        assert_eq!(l.currency.as_deref(), Some("VND"));
        assert_eq!(l.quantity, Some(3));
        assert_eq!(l.phones, vec!["0912 345 678", "+84 988 000 111"]);
        assert_eq!(l.bank_accounts, vec!["0071001234567"]);
        assert_eq!(l.image_hashes, vec!["abcdef0123456789"]);
        assert_eq!(l.ship_from.as_deref(), Some("Quảng Châu"));
    }

    #[test]
    fn bad_json_lines_are_refused_with_their_line_and_reason() {
        type IsExpected = fn(&ListingProblem) -> bool;
        let cases: [(&str, IsExpected); 7] = [
            ("not json", |p| matches!(p, ListingProblem::Json(_))),
            ("[1,2]", |p| matches!(p, ListingProblem::Json(_))),
            (r#"{"listing_id":"1","title":"x"}"#, |p| *p == ListingProblem::Missing("platform")),
            (r#"{"platform":"p","title":"x"}"#, |p| *p == ListingProblem::Missing("listing_id")),
            (r#"{"platform":"p","id":"1","title":"  "}"#, |p| *p == ListingProblem::Missing("title")),
            (
                r#"{"platform":"p","id":"1","title":"x","price":"call me"}"#,
                |p| matches!(p, ListingProblem::BadField { field, .. } if field == "price"),
            ),
            (
                r#"{"platform":"p","id":"1","title":"x","quantity":-2}"#,
                |p| matches!(p, ListingProblem::BadField { field, .. } if field == "quantity"),
            ),
        ];
        for (i, (text, is_expected)) in cases.iter().enumerate() {
            let err = Listing::from_json_line(text, i + 10).unwrap_err();
            assert_eq!(err.line, i + 10, "{text}");
            assert!(is_expected(&err.problem), "{text}: {:?}", err.problem);
            assert!(err.to_string().starts_with(&format!("line {}: ", i + 10)));
        }
    }

    #[test]
    fn json_values_may_be_strings_numbers_or_lists() {
        let l = Listing::from_json_line(
            r#"{"platform":" tiktok ","id":7,"title":"x","price":1500.5,"seller_id":-3,"phones":["0912 345 678"," "],"image_hash":"ab12cd34; ef56ab78","quantity":2}"#,
            1,
        )
        .unwrap();
        assert_eq!((l.platform.as_str(), l.listing_id.as_str(), l.price, l.quantity), ("tiktok", "7", Some(1500.5), Some(2)));
        assert_eq!(l.seller_id.as_deref(), Some("-3"));
        assert_eq!(l.phones, ["0912 345 678"]);
        assert_eq!(l.image_hashes, ["ab12cd34", "ef56ab78"]);
        let null = Listing::from_json_line(r#"{"platform":"p","id":"1","title":"x","price":null,"phones":null}"#, 1).unwrap();
        assert_eq!((null.price, null.phones.len()), (None, 0));
        for bad in [
            r#"{"platform":"p","id":true,"title":"x"}"#,
            r#"{"platform":"p","id":"1","title":"x","phones":[1,2]}"#,
            r#"{"platform":"p","id":"1","title":"x","price":{"v":1}}"#,
        ] {
            assert!(matches!(Listing::from_json_line(bad, 1).map_err(|e| e.problem), Err(ListingProblem::Json(_))), "{bad}");
        }
    }

    #[test]
    fn csv_record_with_loose_headers() {
        let rec = [
            ("Platform", "lazada"),
            ("Listing ID", "L1"),
            ("Title", "Túi LV"),
            ("Price", "350k"),
            ("Phone", "0912345678|0988000111"),
            ("Seller-ID", "shop9"),
            ("Unrelated", "ignored"),
        ];
        let l = Listing::from_csv_record(rec, 2).unwrap();
        assert_eq!(l.listing_id, "L1");
        assert_eq!(l.price, Some(350_000.0));
        assert_eq!(l.phones.len(), 2);
        assert_eq!(l.seller_id.as_deref(), Some("shop9"));

        let err = Listing::from_csv_record([("platform", "p"), ("id", "1"), ("title", "t"), ("currency", "dollars")], 7).unwrap_err();
        assert_eq!(err.line, 7);
        assert!(matches!(err.problem, ListingProblem::BadField { ref field, .. } if field == "currency"));
    }
}
