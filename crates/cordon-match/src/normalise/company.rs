//! Company names: legal forms stripped in Vietnamese and English, common abbreviations expanded.
//!
//! "Công ty TNHH Thương mại Hoàng Long", "CTY TNHH TM HOANG LONG" and
//! "Hoang Long Trading Co., Ltd" all reduce to the core "thuong mai hoang long"
//! so that agencies recording the same firm differently can be matched.

use cordon_core::text::fold_words;

/// The legal form written in a company name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegalForm {
    /// Công ty TNHH (limited liability), Co., Ltd, LLC.
    LimitedLiability,
    /// Công ty TNHH một thành viên (single-member limited liability).
    SingleMemberLimitedLiability,
    /// Công ty cổ phần, CTCP, JSC.
    JointStock,
    /// Doanh nghiệp tư nhân, DNTN (sole proprietorship).
    Private,
    /// Hợp tác xã, HTX (cooperative).
    Cooperative,
    /// Only "Công ty"/"Company" with no form.
    Unspecified,
}

/// A company name ready for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyName {
    /// The distinctive part of the name, folded, legal form removed, abbreviations expanded.
    pub core: String,
    /// The legal form that was written, if any.
    pub legal_form: Option<LegalForm>,
}

/// Legal-form word sequences (folded), longest first so that the longest form wins.
const LEGAL_FORMS: &[(&[&str], LegalForm)] = &[
    (&["cong", "ty", "trach", "nhiem", "huu", "han", "mot", "thanh", "vien"], LegalForm::SingleMemberLimitedLiability),
    (&["cong", "ty", "tnhh", "mot", "thanh", "vien"], LegalForm::SingleMemberLimitedLiability),
    (&["trach", "nhiem", "huu", "han", "mot", "thanh", "vien"], LegalForm::SingleMemberLimitedLiability),
    (&["cong", "ty", "trach", "nhiem", "huu", "han"], LegalForm::LimitedLiability),
    (&["tnhh", "mot", "thanh", "vien"], LegalForm::SingleMemberLimitedLiability),
    (&["cong", "ty", "tnhh", "mtv"], LegalForm::SingleMemberLimitedLiability),
    (&["cty", "tnhh", "mtv"], LegalForm::SingleMemberLimitedLiability),
    (&["ct", "tnhh", "mtv"], LegalForm::SingleMemberLimitedLiability),
    (&["trach", "nhiem", "huu", "han"], LegalForm::LimitedLiability),
    (&["doanh", "nghiep", "tu", "nhan"], LegalForm::Private),
    (&["cong", "ty", "co", "phan"], LegalForm::JointStock),
    (&["joint", "stock", "company"], LegalForm::JointStock),
    (&["company", "limited"], LegalForm::LimitedLiability),
    (&["cong", "ty", "tnhh"], LegalForm::LimitedLiability),
    (&["cty", "tnhh"], LegalForm::LimitedLiability),
    (&["ct", "tnhh"], LegalForm::LimitedLiability),
    (&["cty", "cp"], LegalForm::JointStock),
    (&["ct", "cp"], LegalForm::JointStock),
    (&["hop", "tac", "xa"], LegalForm::Cooperative),
    (&["tnhh", "mtv"], LegalForm::SingleMemberLimitedLiability),
    (&["co", "phan"], LegalForm::JointStock),
    (&["co", "ltd"], LegalForm::LimitedLiability),
    (&["cong", "ty"], LegalForm::Unspecified),
    (&["tnhh"], LegalForm::LimitedLiability),
    (&["ctcp"], LegalForm::JointStock),
    (&["jsc"], LegalForm::JointStock),
    (&["llc"], LegalForm::LimitedLiability),
    (&["ltd"], LegalForm::LimitedLiability),
    (&["limited"], LegalForm::LimitedLiability),
    (&["dntn"], LegalForm::Private),
    (&["htx"], LegalForm::Cooperative),
    (&["cty"], LegalForm::Unspecified),
    (&["ct"], LegalForm::Unspecified),
    (&["company"], LegalForm::Unspecified),
    (&["corporation"], LegalForm::Unspecified),
    (&["corp"], LegalForm::Unspecified),
    (&["inc"], LegalForm::Unspecified),
];

/// Abbreviations and English trade words rewritten to the Vietnamese words agencies use.
const EXPANSIONS: &[(&[&str], &[&str])] = &[
    (&["tm"], &["thuong", "mai"]),
    (&["dv"], &["dich", "vu"]),
    (&["xnk"], &["xuat", "nhap", "khau"]),
    (&["sx"], &["san", "xuat"]),
    (&["xd"], &["xay", "dung"]),
    (&["vt"], &["van", "tai"]),
    (&["import", "export"], &["xuat", "nhap", "khau"]),
    (&["trading"], &["thuong", "mai"]),
    (&["services"], &["dich", "vu"]),
    (&["service"], &["dich", "vu"]),
    (&["transport"], &["van", "tai"]),
    (&["logistics"], &["van", "tai"]),
    (&["vietnam"], &["viet", "nam"]),
    (&["vn"], &["viet", "nam"]),
];

impl CompanyName {
    /// Parses a written company name; `None` when only a legal form (or nothing) is written.
    pub fn parse(raw: &str) -> Option<CompanyName> {
        // "Co.,Ltd" folds to "co ltd"; "&" separates words like a space.
        let folded = fold_words(raw);
        let mut tokens: Vec<&str> = folded.split(' ').filter(|t| !t.is_empty()).collect();
        let mut legal_form = None;
        // Vietnamese names put the form first, English ones last; strip both ends until stable.
        loop {
            let mut changed = false;
            for (form, kind) in LEGAL_FORMS {
                if tokens.len() >= form.len() && tokens.starts_with(form) {
                    tokens.drain(..form.len());
                    legal_form = Some(stronger(legal_form, *kind));
                    changed = true;
                    break;
                }
                if tokens.len() >= form.len() && tokens.ends_with(form) {
                    tokens.truncate(tokens.len() - form.len());
                    legal_form = Some(stronger(legal_form, *kind));
                    changed = true;
                    break;
                }
            }
            if !changed {
                break;
            }
        }
        if tokens.is_empty() {
            return None;
        }
        let mut core: Vec<&str> = Vec::with_capacity(tokens.len() + 2);
        let mut i = 0;
        'outer: while i < tokens.len() {
            for (from, to) in EXPANSIONS {
                if tokens[i..].starts_with(from) {
                    core.extend_from_slice(to);
                    i += from.len();
                    continue 'outer;
                }
            }
            core.push(tokens[i]);
            i += 1;
        }
        Some(CompanyName { core: core.join(" "), legal_form })
    }
}

/// Keeps the more specific legal form when a name carries two ("Công ty" then "TNHH").
fn stronger(old: Option<LegalForm>, new: LegalForm) -> LegalForm {
    match (old, new) {
        (Some(LegalForm::Unspecified) | None, n) => n,
        (Some(LegalForm::LimitedLiability), LegalForm::SingleMemberLimitedLiability) => new,
        (Some(o), _) => o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LegalForm::*;

    #[test]
    fn strips_legal_forms() {
        let cases = [
            ("Công ty TNHH Thương mại Hoàng Long", "thuong mai hoang long", Some(LimitedLiability)),
            ("CTY TNHH TM HOANG LONG", "thuong mai hoang long", Some(LimitedLiability)),
            ("Hoang Long Trading Co., Ltd", "hoang long thuong mai", Some(LimitedLiability)),
            ("Công ty TNHH MTV Xuất nhập khẩu Lạng Sơn", "xuat nhap khau lang son", Some(SingleMemberLimitedLiability)),
            ("Công ty trách nhiệm hữu hạn một thành viên Minh Phát", "minh phat", Some(SingleMemberLimitedLiability)),
            ("Công ty cổ phần Vận tải Bắc Nam", "van tai bac nam", Some(JointStock)),
            ("CTCP Vận tải Bắc Nam", "van tai bac nam", Some(JointStock)),
            ("Bac Nam Transport JSC", "bac nam van tai", Some(JointStock)),
            ("DNTN Thanh Bình", "thanh binh", Some(Private)),
            ("Doanh nghiệp tư nhân Thanh Bình", "thanh binh", Some(Private)),
            ("HTX Nông nghiệp Tân Lập", "nong nghiep tan lap", Some(Cooperative)),
            ("Hợp tác xã Nông nghiệp Tân Lập", "nong nghiep tan lap", Some(Cooperative)),
            ("Golden Star LLC", "golden star", Some(LimitedLiability)),
            ("CT TNHH XNK Đông Á", "xuat nhap khau dong a", Some(LimitedLiability)),
            ("Cty Hải Âu", "hai au", Some(Unspecified)),
            ("Sao Mai Import Export Company Limited", "sao mai xuat nhap khau", Some(LimitedLiability)),
            ("Sao Mai", "sao mai", None),
        ];
        for (raw, core, form) in cases {
            let c = CompanyName::parse(raw).unwrap_or_else(|| panic!("{raw} did not parse"));
            assert_eq!(c.core, core, "core of {raw}");
            assert_eq!(c.legal_form, form, "form of {raw}");
        }
    }

    #[test]
    fn a_bare_legal_form_is_not_a_name() {
        for raw in ["", "Công ty TNHH", "Co., Ltd"] {
            assert_eq!(CompanyName::parse(raw), None, "{raw:?}");
        }
    }
}
