//! Tips from the public and from hotline calls: how they came in, where they stand, who should
//! act on them, the reporter's tracking code, and the proof of work that keeps floods out.

use sha2::{Digest, Sha256};

use crate::agency::AgencyKind;
use crate::case::CaseType;
use crate::coded_enum;

coded_enum! {
    /// How a tip came in.
    pub enum TipChannel {
        /// The public web form.
        WebForm = "web_form" / "Web form",
        /// The public JSON endpoint (apps, partner sites).
        Api = "api" / "Public API",
        /// An e-mail (mailbox import or the inbound hook).
        Email = "email" / "E-mail",
        /// A call taken by a hotline operator.
        Hotline = "hotline" / "Hotline call",
    }
}

coded_enum! {
    /// Where a tip stands.
    pub enum TipStatus {
        /// In the intake unit's queue.
        Received = "received" / "Received",
        /// Categorised and sent to the unit responsible.
        Routed = "routed" / "Routed",
        /// Dealt with: a case was opened or linked, or nothing could be done, or it repeated another tip.
        Closed = "closed" / "Closed",
    }
}

coded_enum! {
    /// How a tip was closed.
    pub enum TipOutcome {
        /// A case was opened or an existing one linked.
        CaseLinked = "case_linked" / "Case opened or linked",
        /// Checked; nothing to act on.
        NoAction = "no_action" / "No action",
        /// The same as an earlier tip.
        Duplicate = "duplicate" / "Duplicate",
    }
}

/// What the reporter is told of each status: enough to know the tip is being dealt with,
/// nothing of who deals with it or how.
pub fn public_status(status: TipStatus) -> (&'static str, &'static str) {
    match status {
        TipStatus::Received => ("Đã tiếp nhận", "Received"),
        TipStatus::Routed => ("Đang xác minh", "Being checked"),
        TipStatus::Closed => ("Đã xử lý xong", "Dealt with"),
    }
}

/// The kind of agency that acts on a tip of this violation type: online sales and fakes go to
/// market surveillance, drugs and money to the police, goods across the border to customs.
pub fn responsible_agency_kind(violation: CaseType, ecommerce: bool) -> AgencyKind {
    if ecommerce {
        return AgencyKind::MarketSurveillance;
    }
    match violation {
        CaseType::Counterfeit | CaseType::IpInfringement | CaseType::Ecommerce => AgencyKind::MarketSurveillance,
        CaseType::DrugsPrecursors | CaseType::CurrencyGold | CaseType::Wildlife => AgencyKind::Police,
        CaseType::Smuggling | CaseType::IllegalTransport | CaseType::TradeFraud | CaseType::Other => AgencyKind::Customs,
    }
}

/// Crockford's base-32 alphabet: no I, L, O or U, so a code read over the phone survives.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a tracking code: 20 × 5 = 100 bits, beyond guessing even without the rate limit.
pub const TRACKING_CODE_CHARS: usize = 20;

/// A tracking code from 100 random bits (the caller supplies them: this crate has no randomness),
/// written in groups of four: `7K2M-…`.
pub fn tracking_code(random: [u8; 16]) -> String {
    let bits = u128::from_be_bytes(random);
    let mut out = String::with_capacity(TRACKING_CODE_CHARS + 4);
    for i in 0..TRACKING_CODE_CHARS {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let digit = ((bits >> (5 * i)) & 31) as usize;
        out.push(CODE_ALPHABET[digit] as char);
    }
    out
}

/// A code as the reporter typed it, in its one canonical form (upper case, dashes and spaces
/// dropped, O read as 0 and I or L as 1), or `None` when it cannot be a tracking code.
pub fn canonical_tracking_code(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(TRACKING_CODE_CHARS);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii() && CODE_ALPHABET.contains(&(c as u8)) => c,
            _ => return None,
        };
        out.push(c);
    }
    (out.len() == TRACKING_CODE_CHARS).then_some(out)
}

/// What the store keeps of a tracking code: its SHA-256, so a stolen database reveals no code.
pub fn tracking_hash(canonical: &str) -> String {
    hex::encode(Sha256::digest(format!("cordon-tip:{canonical}").as_bytes()))
}

/// Whether `nonce` solves `challenge` at `difficulty`: SHA-256(challenge ":" nonce) begins with
/// that many zero bits. A reporter's browser or app spends a fraction of a second; a flood pays
/// that for every tip.
pub fn proof_of_work_ok(challenge: &str, nonce: &str, difficulty: u32) -> bool {
    let digest = Sha256::digest(format!("{challenge}:{nonce}").as_bytes());
    let mut zeros = 0;
    for byte in digest {
        if byte == 0 {
            zeros += 8;
            continue;
        }
        zeros += byte.leading_zeros();
        break;
    }
    zeros >= difficulty
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_codes_read_back_however_they_are_typed() {
        let code = tracking_code([0xA5; 16]);
        assert_eq!(code.len(), TRACKING_CODE_CHARS + 4);
        let canonical = canonical_tracking_code(&code).unwrap();
        assert_eq!(canonical, code.replace('-', ""));
        assert_eq!(canonical_tracking_code(&code.to_lowercase().replace('-', " ")), Some(canonical.clone()));
        assert_eq!(canonical_tracking_code("O1IL-0000-0000-0000-0000"), Some("01110000000000000000".into()));
        assert_eq!(canonical_tracking_code("ABCD"), None, "too short");
        assert_eq!(canonical_tracking_code("ABCD-EFGH-JKMN-PQRS-TVWXU"), None, "U is not in the alphabet");
        assert_eq!(canonical_tracking_code("ĐĐĐĐ-0000-0000-0000-0000"), None);
        assert_ne!(tracking_code([1; 16]), tracking_code([2; 16]));
        assert_ne!(tracking_hash("A"), tracking_hash("B"));
    }

    #[test]
    fn proof_of_work_needs_the_leading_zero_bits() {
        let difficulty = 12;
        let nonce = (0u64..).map(|n| n.to_string()).find(|n| proof_of_work_ok("c1", n, difficulty)).unwrap();
        assert!(proof_of_work_ok("c1", &nonce, difficulty));
        assert!(!proof_of_work_ok("c2", &nonce, 40), "a solution is for its own challenge");
        assert!(proof_of_work_ok("anything", "x", 0));
    }

    #[test]
    fn tips_go_to_the_agency_that_acts_on_them() {
        assert_eq!(responsible_agency_kind(CaseType::Smuggling, true), AgencyKind::MarketSurveillance);
        assert_eq!(responsible_agency_kind(CaseType::Counterfeit, false), AgencyKind::MarketSurveillance);
        assert_eq!(responsible_agency_kind(CaseType::DrugsPrecursors, false), AgencyKind::Police);
        assert_eq!(responsible_agency_kind(CaseType::Smuggling, false), AgencyKind::Customs);
    }
}
