//! The rule file analysts edit, and its validation.

use std::fmt;

use thiserror::Error;

use crate::fold::fold_padded;
use crate::normalise::{normalise_bank_account, normalise_image_hash, normalise_phone, normalise_seller};

/// A rule set as written, validated, not yet compiled.
///
/// The file format:
///
/// ```text
/// # Cordon screening rules. Comments start with '#' (at line start or after a space).
/// version = 2026.11.22-1        # required, before the first section
/// threshold = 0.5               # score at which a listing becomes a lead (default 0.5)
///
/// [rates]                       # VND per unit of a foreign currency, for price rules
/// USD = 25400
///
/// [term prohibited weight=0.9]  # classes: prohibited, restricted, no-origin
/// ma túy | ma tuy | heroin      # one entry per line; '|' separates spellings of the same entry
///
/// [term no-origin weight=0.3]
/// hàng xách tay
/// không hóa đơn
///
/// [brand Rolex floor=5000000 category=watches weight=0.8]
/// rolx | r0lex                  # extra spellings; the brand name itself is always matched
///
/// [price-anomaly weight=0.6 threshold=3.5 direction=low]
/// watches median=12000000 mad=2000000
///
/// [watchlist seller weight=0.9] # lists: seller, phone, bank
/// shop_abc
///
/// [image-hash weight=0.9]
/// 9f86d081884c7d65
/// ```
///
/// Every section takes `id=` to name the rule in hits and precision reports; the default is the
/// section kind and argument (`term:prohibited`, `brand:rolex:watches`, `watchlist:phone`).
/// Default weights: prohibited 0.9, restricted 0.5, no-origin 0.3, brand 0.8, price-anomaly
/// 0.6, watchlists and image hashes 0.9.
///
/// Terms and brand names match whole words, with or without diacritics, in any case, across
/// any punctuation between words, spelled out letter by letter ("r o l e x", "R.O.L.E.X") and
/// run together as in hashtags ("#hangxachtay"). Misspellings ("rolx", "r0lex") are listed
/// as extra spellings. A brand fires only when the listing's price, converted to VND with
/// `[rates]`, is under its floor, and (when the section names one) the category matches.
/// A price anomaly fires when z = 0.6745·(price − median)/MAD passes the threshold on the
/// chosen side; a low-side reference that could never fire (0.6745·median/MAD below the
/// threshold) is refused. Phones match in any Vietnamese spelling (+84, 0084, 0, spaces, dots);
/// bank accounts ignore spaces and dashes; seller ids are case-insensitive and may be written
/// `platform:id`; image hashes are exact hex matches.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    /// Which version of the rules this is.
    pub version: RuleSetVersion,
    /// Score at or above which a screened listing is a lead.
    pub threshold: f64,
    /// VND per unit of each foreign currency (code upper case).
    pub rates: Vec<(String, f64)>,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
}

/// Identifies one rule-set version: the analyst's label plus a digest of the exact text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RuleSetVersion {
    /// The `version =` value from the file.
    pub label: String,
    /// FNV-1a digest of the file text: two edits under the same label still differ.
    pub digest: u64,
}

impl fmt::Display for RuleSetVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:016x})", self.label, self.digest)
    }
}

/// One section of the rule file.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Name of the rule in hits and precision reports.
    pub id: String,
    /// Line of the section header.
    pub line: usize,
    /// How much one hit of this rule contributes to the score, in (0, 1].
    pub weight: f64,
    /// What the rule looks for.
    pub kind: RuleSpec,
}

/// Class of a term rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TermClass {
    /// Goods that may not be traded at all.
    Prohibited,
    /// Goods that need a licence or permit.
    Restricted,
    /// Phrases that announce goods without origin or papers ("hàng xách tay", "không hóa đơn").
    NoOrigin,
}

impl TermClass {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "prohibited" => Some(Self::Prohibited),
            "restricted" => Some(Self::Restricted),
            "no-origin" => Some(Self::NoOrigin),
            _ => None,
        }
    }

    /// The word used in the rule file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prohibited => "prohibited",
            Self::Restricted => "restricted",
            Self::NoOrigin => "no-origin",
        }
    }

    fn default_weight(self) -> f64 {
        match self {
            Self::Prohibited => 0.9,
            Self::Restricted => 0.5,
            Self::NoOrigin => 0.3,
        }
    }
}

/// Which watchlist a section fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WatchlistKind {
    /// Seller ids (optionally `platform:id`).
    Seller,
    /// Phone numbers, any Vietnamese spelling.
    Phone,
    /// Bank account numbers.
    Bank,
}

impl WatchlistKind {
    /// The word used in the rule file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seller => "seller",
            Self::Phone => "phone",
            Self::Bank => "bank",
        }
    }
}

/// Which side of the reference price is suspicious.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Too cheap (counterfeits, smuggled goods that skipped duties).
    Low,
    /// Too dear.
    High,
    /// Either side.
    Both,
}

/// One spelling group: the first spelling names the entry in reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Line the entry was written on.
    pub line: usize,
    /// Spellings as written, first one canonical.
    pub spellings: Vec<String>,
}

/// Robust reference price for one category: median and median absolute deviation, in VND.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceReference {
    /// Median price.
    pub median: f64,
    /// Median absolute deviation from the median.
    pub mad: f64,
}

impl PriceReference {
    /// Computes median and MAD of observed prices; `None` if there are none or they are all equal.
    pub fn from_prices(prices: &[f64]) -> Option<Self> {
        let mut v: Vec<f64> = prices.iter().copied().filter(|p| p.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        let median = median_in_place(&mut v);
        let mut dev: Vec<f64> = v.iter().map(|p| (p - median).abs()).collect();
        let mad = median_in_place(&mut dev);
        (mad > 0.0).then_some(Self { median, mad })
    }

    /// Robust z-score: 0.6745·(price − median)/MAD, comparable to a normal z.
    pub fn z(&self, price: f64) -> f64 {
        0.6745 * (price - self.median) / self.mad
    }
}

fn median_in_place(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// What a rule looks for.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleSpec {
    /// Prohibited, restricted or no-origin terms in title or description.
    Term {
        /// Which class of term.
        class: TermClass,
        /// The terms.
        entries: Vec<Entry>,
    },
    /// A brand named below its price floor: likely counterfeit.
    Brand {
        /// Brand as named in the header.
        brand: String,
        /// Lowest plausible genuine price, VND.
        floor: f64,
        /// Category the floor applies to; any category when absent.
        category: Option<String>,
        /// Spellings: the brand name first, then the section's lines.
        entries: Vec<Entry>,
    },
    /// Price far from the category's reference.
    PriceAnomaly {
        /// |z| (on the chosen side) at which the rule fires.
        threshold: f64,
        /// Which side fires.
        direction: Direction,
        /// Category (as written) and its reference.
        references: Vec<(String, PriceReference)>,
    },
    /// Seller, phone or bank account on a watchlist.
    Watchlist {
        /// Which identifier.
        list: WatchlistKind,
        /// Normalised values.
        values: Vec<String>,
    },
    /// Images already seen on known counterfeit listings.
    ImageHash {
        /// Normalised hashes.
        hashes: Vec<String>,
    },
}

/// One problem in a rule file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {reason}")]
pub struct RuleError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong and, where possible, how to fix it.
    pub reason: String,
}

/// Why a rule set cannot go live.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RuleSetError {
    /// The file has errors; every one found is listed, in line order.
    #[error("rule set refused: {}{}", .0.first().map(ToString::to_string).unwrap_or_default(),
        if .0.len() > 1 { format!(" (and {} more)", .0.len() - 1) } else { String::new() })]
    Invalid(Vec<RuleError>),
    /// The matcher could not be built (too many or too long terms).
    #[error("rule set could not be compiled: {0}")]
    Build(String),
}

fn fnv1a(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Removes a comment: '#' at the start or after whitespace (so "#1" inside a term survives).
fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'#' && (i == 0 || b[i - 1].is_ascii_whitespace()) {
            return &line[..i];
        }
    }
    line
}

/// Reads an amount analysts write with separators: "5000000", "5_000_000", "5.000.000".
fn parse_amount(s: &str) -> Option<f64> {
    let digits: String = s.chars().filter(|c| !matches!(c, '_' | '.' | ',')).collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Splits "word word key=value key=value" into the words and the pairs.
fn split_params(s: &str) -> (Vec<&str>, Vec<(&str, &str)>) {
    let mut words = Vec::new();
    let mut params = Vec::new();
    for tok in s.split_whitespace() {
        match tok.split_once('=') {
            Some((k, v)) => params.push((k, v)),
            None => words.push(tok),
        }
    }
    (words, params)
}

struct Section {
    rule: Rule,
    has_entries: bool,
}

impl RuleSet {
    /// Parses and validates a rule file; every error found is reported with its line and reason.
    pub fn parse(text: &str) -> Result<RuleSet, RuleSetError> {
        let mut errors = Vec::new();
        let mut version: Option<String> = None;
        let mut threshold = 0.5;
        let mut rates: Vec<(String, f64)> = Vec::new();
        let mut in_rates = false;
        let mut sections: Vec<Section> = Vec::new();
        // A section with a bad header still swallows its lines, so one typo gives one error.
        let mut skipping = false;

        for (idx, raw) in text.lines().enumerate() {
            let line = idx + 1;
            let content = strip_comment(raw).trim();
            if content.is_empty() {
                continue;
            }
            let mut err = |reason: String| errors.push(RuleError { line, reason });
            if let Some(rest) = content.strip_prefix('[') {
                let Some(header) = rest.strip_suffix(']') else {
                    err("section header is missing its closing `]`".into());
                    skipping = true;
                    continue;
                };
                in_rates = false;
                skipping = false;
                if header.trim() == "rates" {
                    in_rates = true;
                    continue;
                }
                match parse_header(header, line) {
                    Ok(rule) => sections.push(Section { rule, has_entries: false }),
                    Err(reason) => {
                        err(reason);
                        skipping = true;
                    }
                }
                continue;
            }
            if skipping {
                continue;
            }
            if in_rates {
                match content.split_once('=') {
                    Some((code, value)) => {
                        let code = code.trim().to_ascii_uppercase();
                        match value.trim().parse::<f64>() {
                            Ok(v) if v > 0.0 && v.is_finite() && code.len() == 3 => rates.push((code, v)),
                            _ => err(format!("a rate is `CODE = VND per unit`, e.g. `USD = 25400`; got `{content}`")),
                        }
                    }
                    None => err(format!("a rate is `CODE = VND per unit`; got `{content}`")),
                }
                continue;
            }
            let Some(section) = sections.last_mut() else {
                match content.split_once('=') {
                    Some((k, v)) if k.trim() == "version" => {
                        let v = v.trim();
                        if v.is_empty() {
                            err("`version =` needs a value".into());
                        } else if version.is_some() {
                            err("`version` is given twice".into());
                        } else {
                            version = Some(v.to_string());
                        }
                    }
                    Some((k, v)) if k.trim() == "threshold" => match v.trim().parse::<f64>() {
                        Ok(t) if t > 0.0 && t <= 1.0 => threshold = t,
                        _ => err(format!("threshold must be a number in (0, 1]; got `{}`", v.trim())),
                    },
                    Some((k, _)) => {
                        err(format!("unknown setting `{}`; before the first section only `version` and `threshold` are allowed", k.trim()))
                    }
                    None => err(format!("`{content}` is outside any section; start one with `[term prohibited]` or similar")),
                }
                continue;
            };
            section.has_entries = true;
            if let Err(reason) = add_entry(&mut section.rule.kind, content, line) {
                err(reason);
            }
        }

        for s in &sections {
            if !s.has_entries && !matches!(s.rule.kind, RuleSpec::Brand { .. }) {
                errors.push(RuleError { line: s.rule.line, reason: format!("section `{}` has no entries", s.rule.id) });
            }
        }
        if version.is_none() {
            errors.push(RuleError {
                line: 1,
                reason: "the file must say which version it is: `version = ...` before the first section".into(),
            });
        }
        errors.sort_by_key(|e| e.line);
        match version {
            Some(label) if errors.is_empty() => Ok(RuleSet {
                version: RuleSetVersion { label, digest: fnv1a(text) },
                threshold,
                rates,
                rules: sections.into_iter().map(|s| s.rule).collect(),
            }),
            _ => Err(RuleSetError::Invalid(errors)),
        }
    }
}

fn parse_weight(v: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(w) if w > 0.0 && w <= 1.0 => Ok(w),
        _ => Err(format!("weight must be a number in (0, 1]; got `{v}`")),
    }
}

/// Parses a section header (without brackets) into an empty rule.
fn parse_header(header: &str, line: usize) -> Result<Rule, String> {
    let (words, params) = split_params(header);
    let Some((&kind, args)) = words.split_first() else {
        return Err("empty section header".into());
    };
    let mut id: Option<String> = None;
    let mut weight: Option<f64> = None;
    let mut rest: Vec<(&str, &str)> = Vec::new();
    for (k, v) in params {
        match k {
            "id" if !v.is_empty() => id = Some(v.to_string()),
            "weight" => weight = Some(parse_weight(v)?),
            _ => rest.push((k, v)),
        }
    }
    let unknown = |rest: &[(&str, &str)], allowed: &str| -> Result<(), String> {
        match rest.first() {
            Some((k, _)) => Err(format!("unknown parameter `{k}` for `[{kind}]`; allowed: {allowed}")),
            None => Ok(()),
        }
    };
    let (default_id, default_weight, spec) = match kind {
        "term" => {
            let class = match args {
                [c] => TermClass::parse(c).ok_or_else(|| format!("unknown term class `{c}`; use prohibited, restricted or no-origin"))?,
                _ => return Err("write `[term CLASS]` with CLASS one of prohibited, restricted, no-origin".into()),
            };
            unknown(&rest, "weight, id")?;
            (format!("term:{}", class.as_str()), class.default_weight(), RuleSpec::Term { class, entries: Vec::new() })
        }
        "brand" => {
            if args.is_empty() {
                return Err("write `[brand NAME floor=VND]`".into());
            }
            let brand = args.join(" ");
            let mut floor = None;
            let mut category = None;
            for (k, v) in rest {
                match k {
                    "floor" => {
                        floor = Some(
                            parse_amount(v)
                                .filter(|f| *f > 0.0)
                                .ok_or_else(|| format!("floor must be a positive amount in VND; got `{v}`"))?,
                        )
                    }
                    "category" if !v.is_empty() => category = Some(v.replace('_', " ")),
                    _ => return Err(format!("unknown parameter `{k}` for `[brand]`; allowed: floor, category, weight, id")),
                }
            }
            let floor = floor.ok_or("a brand needs its price floor: `floor=5000000`")?;
            let folded = fold_padded(&brand);
            if folded.trim().is_empty() {
                return Err(format!("brand `{brand}` has no letters or digits"));
            }
            let default_id = match &category {
                Some(c) => format!("brand:{}:{}", folded.trim().replace(' ', "-"), fold_padded(c).trim().replace(' ', "-")),
                None => format!("brand:{}", folded.trim().replace(' ', "-")),
            };
            let entries = vec![Entry { line, spellings: vec![brand.clone()] }];
            (default_id, 0.8, RuleSpec::Brand { brand, floor, category, entries })
        }
        "price-anomaly" => {
            if !args.is_empty() {
                return Err("`[price-anomaly]` takes parameters only: threshold, direction, weight, id".into());
            }
            let mut threshold = 3.5;
            let mut direction = Direction::Low;
            for (k, v) in rest {
                match k {
                    "threshold" => {
                        threshold = v
                            .parse::<f64>()
                            .ok()
                            .filter(|t| *t > 0.0 && t.is_finite())
                            .ok_or_else(|| format!("threshold must be a positive number; got `{v}`"))?
                    }
                    "direction" => {
                        direction = match v {
                            "low" => Direction::Low,
                            "high" => Direction::High,
                            "both" => Direction::Both,
                            _ => return Err(format!("direction is low, high or both; got `{v}`")),
                        }
                    }
                    _ => return Err(format!("unknown parameter `{k}` for `[price-anomaly]`; allowed: threshold, direction, weight, id")),
                }
            }
            ("price-anomaly".to_string(), 0.6, RuleSpec::PriceAnomaly { threshold, direction, references: Vec::new() })
        }
        "watchlist" => {
            let list = match args {
                ["seller"] => WatchlistKind::Seller,
                ["phone"] => WatchlistKind::Phone,
                ["bank"] => WatchlistKind::Bank,
                _ => return Err("write `[watchlist seller]`, `[watchlist phone]` or `[watchlist bank]`".into()),
            };
            unknown(&rest, "weight, id")?;
            (format!("watchlist:{}", list.as_str()), 0.9, RuleSpec::Watchlist { list, values: Vec::new() })
        }
        "image-hash" => {
            if !args.is_empty() {
                return Err("`[image-hash]` takes parameters only: weight, id".into());
            }
            unknown(&rest, "weight, id")?;
            ("image-hash".to_string(), 0.9, RuleSpec::ImageHash { hashes: Vec::new() })
        }
        other => return Err(format!("unknown section kind `{other}`; use term, brand, price-anomaly, watchlist, image-hash or rates")),
    };
    Ok(Rule { id: id.unwrap_or(default_id), line, weight: weight.unwrap_or(default_weight), kind: spec })
}

/// Adds one entry line to a section, or says why it is refused.
fn add_entry(spec: &mut RuleSpec, content: &str, line: usize) -> Result<(), String> {
    match spec {
        RuleSpec::Term { entries, .. } | RuleSpec::Brand { entries, .. } => {
            let spellings: Vec<String> = content.split('|').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
            if spellings.is_empty() {
                return Err("empty entry".into());
            }
            for s in &spellings {
                if fold_padded(s).trim().is_empty() {
                    return Err(format!("`{s}` has no letters or digits, so it could never match"));
                }
            }
            entries.push(Entry { line, spellings });
        }
        RuleSpec::PriceAnomaly { threshold, direction, references } => {
            let (words, params) = split_params(content);
            if words.is_empty() {
                return Err("write `CATEGORY median=VND mad=VND`".into());
            }
            let mut median = None;
            let mut mad = None;
            for (k, v) in params {
                let amount = parse_amount(v).ok_or_else(|| format!("{k} must be an amount in VND; got `{v}`"))?;
                match k {
                    "median" => median = Some(amount),
                    "mad" => mad = Some(amount),
                    _ => return Err(format!("unknown parameter `{k}`; a reference has median and mad")),
                }
            }
            let (Some(median), Some(mad)) = (median, mad) else {
                return Err("a reference needs both `median=` and `mad=`".into());
            };
            if mad <= 0.0 {
                return Err("mad must be positive: with no spread every other price would be an anomaly".into());
            }
            let reference = PriceReference { median, mad };
            // The low side of a linear z is bounded at price 0; say so rather than never firing.
            if *direction == Direction::Low && reference.z(0.0) > -*threshold {
                return Err(format!(
                    "this reference can never flag a low price: even a price of 0 scores z = {:.2}, above -{threshold}; lower the threshold or check mad",
                    reference.z(0.0)
                ));
            }
            references.push((words.join(" "), reference));
        }
        RuleSpec::Watchlist { list, values } => {
            let v = match list {
                WatchlistKind::Seller => normalise_seller(content),
                WatchlistKind::Phone => normalise_phone(content),
                WatchlistKind::Bank => normalise_bank_account(content),
            };
            let v = v.ok_or_else(|| format!("`{content}` is not a valid {} entry", list.as_str()))?;
            values.push(v);
        }
        RuleSpec::ImageHash { hashes } => {
            let h = normalise_image_hash(content).ok_or_else(|| format!("`{content}` is not a hex image hash (at least 8 hex digits)"))?;
            hashes.push(h);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
# sample
version = 7
threshold = 0.6

[rates]
USD = 25400

[term prohibited]
ma túy | ma tuy
#1 is not a comment here: only after a space
thuoc#1

[brand Louis Vuitton floor=3.000.000 category=bags]
LV

[price-anomaly threshold=3 direction=low]
đồng hồ median=12000000 mad=2000000

[watchlist phone id=zalo-ring]
+84 912 345 678
";

    #[test]
    fn parses_every_section_kind() {
        let rs = RuleSet::parse(GOOD).unwrap();
        assert_eq!(rs.version.label, "7");
        assert_eq!(rs.threshold, 0.6);
        assert_eq!(rs.rates, vec![("USD".to_string(), 25400.0)]);
        let ids: Vec<&str> = rs.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["term:prohibited", "brand:louis-vuitton:bags", "price-anomaly", "zalo-ring"]);
        assert_eq!(rs.rules[0].weight, 0.9);
        match &rs.rules[0].kind {
            RuleSpec::Term { entries, .. } => {
                assert_eq!(entries.len(), 2);
                assert_eq!(entries[1].spellings, ["thuoc#1"]);
            }
            other => panic!("{other:?}"),
        }
        match &rs.rules[1].kind {
            RuleSpec::Brand { floor, entries, .. } => {
                assert_eq!(*floor, 3_000_000.0);
                assert_eq!(entries.len(), 2);
            }
            other => panic!("{other:?}"),
        }
        match &rs.rules[3].kind {
            RuleSpec::Watchlist { values, .. } => assert_eq!(values, &["0912345678"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn version_digest_tells_edits_apart() {
        let a = RuleSet::parse(GOOD).unwrap();
        let b = RuleSet::parse(&GOOD.replace("ma tuy", "ma tuý")).unwrap();
        assert_eq!(a.version.label, b.version.label);
        assert_ne!(a.version.digest, b.version.digest);
    }

    #[test]
    fn syntax_errors_are_refused_with_line_and_reason() {
        let cases = [
            ("[term prohibited]\nx", 1, "version"),
            ("version = 1\n[term forbidden]\nx", 2, "unknown term class"),
            ("version = 1\n[term prohibited\nx", 2, "closing"),
            ("version = 1\n[colour red]\nx", 2, "unknown section kind"),
            ("version = 1\n[term prohibited weight=2]\nx", 2, "weight"),
            ("version = 1\n[term prohibited colour=red]\nx", 2, "unknown parameter"),
            ("version = 1\n[brand Rolex]\n", 2, "floor"),
            ("version = 1\n[brand Rolex floor=cheap]\n", 2, "floor"),
            ("version = 1\nheroin", 2, "outside any section"),
            ("version = 1\nversion = 2", 2, "twice"),
            ("version = 1\nthreshold = 7", 2, "threshold"),
            ("version = 1\n[term prohibited]\n\n!!!", 4, "no letters"),
            ("version = 1\n[term prohibited]\n# nothing", 2, "no entries"),
            ("version = 1\n[price-anomaly]\nwatches median=100", 3, "mad"),
            ("version = 1\n[price-anomaly]\nwatches median=100 mad=0", 3, "positive"),
            ("version = 1\n[price-anomaly]\nwatches median=10000000 mad=5000000", 3, "never flag"),
            ("version = 1\n[watchlist phone]\n12", 3, "not a valid phone"),
            ("version = 1\n[watchlist email]\nx@y", 2, "watchlist seller"),
            ("version = 1\n[image-hash]\nzzzz-not-hex", 3, "hex"),
            ("version = 1\n[rates]\nUSD = lots", 3, "rate"),
        ];
        for (text, line, needle) in cases {
            match RuleSet::parse(text) {
                Err(RuleSetError::Invalid(errors)) => {
                    let first = &errors[0];
                    assert_eq!(first.line, line, "{text:?}: {errors:?}");
                    assert!(first.reason.contains(needle), "{text:?}: {:?} lacks {needle:?}", first.reason);
                }
                other => panic!("{text:?} was not refused: {other:?}"),
            }
        }
    }

    #[test]
    fn all_errors_are_reported_not_just_the_first() {
        let text = "version = 1\n[term nope]\nx\n[term prohibited]\n!!\n[brand X]\n";
        let Err(RuleSetError::Invalid(errors)) = RuleSet::parse(text) else {
            panic!("accepted");
        };
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 5, 6]);
        let msg = RuleSetError::Invalid(errors).to_string();
        assert!(msg.contains("line 2") && msg.contains("2 more"), "{msg}");
    }

    #[test]
    fn price_reference_is_median_and_mad() {
        let r = PriceReference::from_prices(&[10.0, 12.0, 11.0, 13.0, 1000.0]).unwrap();
        assert_eq!(r.median, 12.0);
        assert_eq!(r.mad, 1.0);
        assert!((r.z(14.0) - 1.349).abs() < 1e-9);
        assert_eq!(PriceReference::from_prices(&[5.0, 5.0]), None);
        assert_eq!(PriceReference::from_prices(&[]), None);
    }
}
