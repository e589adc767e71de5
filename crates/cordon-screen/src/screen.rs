//! A rule set compiled once into one automaton plus lookup tables, and the screening of listings.
//!
//! Score: every distinct thing that fired (a term entry, a brand, a watchlisted value, ...)
//! contributes its rule's weight wᵢ, combined as 1 − Π(1 − wᵢ): independent pieces of
//! evidence, each able to push the score towards 1 but never past it, and a repeated mention of
//! the same term counting once.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::ops::Range;
use std::sync::Arc;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, PatternID, StartKind};

use crate::fold::{fold_into, fold_padded, fold_words_into};
use crate::hash::SeededState;
use crate::listing::Listing;
use crate::normalise::{bank_into, image_hash_into, phone_into, seller_into};
use crate::rules::{Direction, RuleSet, RuleSetError, RuleSetVersion, RuleSpec, TermClass, WatchlistKind};

/// What kind of rule produced a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HitKind {
    /// A prohibited, restricted or no-origin term.
    Term(TermClass),
    /// A brand offered below its price floor.
    Brand,
    /// A price far from its category's reference.
    PriceAnomaly,
    /// A seller, phone or bank account on a watchlist.
    Watchlist(WatchlistKind),
    /// An image reused from a known counterfeit listing.
    ImageHash,
}

/// Which text of the listing a span points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `Listing::title`.
    Title,
    /// `Listing::description`.
    Description,
}

/// Matched text as a byte range of the ORIGINAL title or description, for highlighting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Which text.
    pub field: Field,
    /// Byte range in that text; always on character boundaries.
    pub range: Range<usize>,
}

/// One reason a listing scored: which rule, why, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Rule id, as in the rule file (`term:prohibited`, `brand:rolex`, ...).
    pub rule: Arc<str>,
    /// What kind of rule.
    pub kind: HitKind,
    /// The rule's weight in the score.
    pub weight: f64,
    /// The entry that fired, as the analyst wrote it (term, brand, watchlisted value, hash).
    pub entry: String,
    /// Where the entry was found in title and description (empty for non-text rules).
    pub spans: Vec<Span>,
    /// One sentence an analyst can read.
    pub reason: String,
}

/// The outcome of screening one listing.
///
/// Score: each distinct thing that fired (a term entry, a brand, a price anomaly, a listed
/// phone...) contributes its rule's weight wᵢ as independent evidence, combined as
/// 1 − Π(1 − wᵢ). The same term mentioned twice counts once; two different prohibited terms
/// count twice. With no hits the score is 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Screening {
    /// 1 − Π(1 − wᵢ) over the hits; 0 with no hits.
    pub score: f64,
    /// Whether the score reaches the rule set's threshold.
    pub lead: bool,
    /// Every rule that fired, in the order found.
    pub hits: Vec<Hit>,
}

/// Reusable buffers: screening many listings on one thread then allocates only for hits.
#[derive(Debug, Default)]
pub struct Scratch {
    folded: Vec<u8>,
    map: Vec<u32>,
    /// Index of every space in `folded`: each is followed by a word start (but the last).
    spaces: Vec<u32>,
    /// Whether `map` belongs to the text in `folded`.
    mapped: bool,
    found: Vec<(PatternID, u32)>,
    /// (rule, entry) of each term hit so far, with its index in the hits.
    keys: Vec<((u32, u32), usize)>,
    category: Vec<u8>,
    key: String,
}

impl Scratch {
    /// Empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds the offset map of the text in `folded` by folding it again (same output), only
    /// once a hit needs a span.
    fn ensure_map(&mut self, text: &str) {
        if !self.mapped {
            fold_into(text, &mut self.folded, &mut self.map, &mut self.spaces);
            self.mapped = true;
        }
    }
}

#[derive(Debug)]
enum Check {
    Always,
    Brand { floor: f64, category: Option<(Vec<u8>, String)> },
    Price { threshold: f64, direction: Direction },
}

#[derive(Debug)]
struct CompiledRule {
    id: Arc<str>,
    weight: f64,
    kind: HitKind,
    /// Canonical name of each entry, for hits.
    names: Vec<String>,
    check: Check,
}

/// Normalised value → (rule, entry) that listed it first, behind a blocked Bloom filter.
///
/// A million watchlisted sellers make a 50 MB table, and almost every lookup is for a value
/// not listed: without the filter each was a cache (and TLB) miss into that table. The filter
/// holds about 12 bits a value in 64-byte blocks (1.5 MB for a million), one block per lookup,
/// and lets about 1% of absent values through to the table.
#[derive(Debug)]
struct Watchlist {
    map: HashMap<Box<str>, (u32, u32), SeededState>,
    blocks: Vec<[u64; 8]>,
}

/// Block index (of `blocks`) and the four (word, bit) pairs of a hash in a [`Watchlist`] filter.
#[inline(always)]
fn probe(blocks: usize, h: u64) -> (usize, [(usize, u64); 4]) {
    // The high bits pick the block (multiply-shift), the low 36 bits four of its 512 bits.
    let b = ((u128::from(h) * blocks as u128) >> 64) as usize;
    let bit = |i: u32| {
        let x = (h >> (9 * i)) & 511;
        ((x >> 6) as usize, 1u64 << (x & 63))
    };
    (b, [bit(0), bit(1), bit(2), bit(3)])
}

impl Watchlist {
    fn with_hasher(hasher: SeededState) -> Self {
        Watchlist { map: HashMap::with_hasher(hasher), blocks: Vec::new() }
    }

    /// The first rule listing a value owns it.
    fn insert_first(&mut self, value: &str, owner: (u32, u32)) {
        self.map.entry(value.into()).or_insert(owner);
    }

    /// Builds the filter once every value is in.
    fn seal(mut self) -> Self {
        let n = (self.map.len() * 12).div_ceil(512).max(1);
        self.blocks = vec![[0u64; 8]; n];
        let Watchlist { map, blocks } = &mut self;
        for k in map.keys() {
            let (b, bits) = probe(blocks.len(), map.hasher().hash_one(&**k));
            for (w, bit) in bits {
                blocks[b][w] |= bit;
            }
        }
        self
    }

    /// Block index and the four (word, bit) pairs of a hash.
    #[inline(always)]
    fn probe(&self, h: u64) -> (usize, [(usize, u64); 4]) {
        probe(self.blocks.len(), h)
    }

    #[inline]
    fn get(&self, key: &str) -> Option<&(u32, u32)> {
        if self.blocks.is_empty() {
            return None;
        }
        let (b, bits) = self.probe(self.map.hasher().hash_one(key));
        let block = &self.blocks[b];
        if bits.iter().all(|&(w, bit)| block[w] & bit != 0) {
            self.map.get(key)
        } else {
            None
        }
    }

    fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Target {
    rule: u32,
    entry: u32,
}

/// A validated rule set compiled for screening; immutable, share it behind an `Arc`.
///
/// Swapping rules is compiling the new text and replacing the caller's `Arc`: screenings in
/// flight finish on the version they started with, and old versions stay usable while held.
#[derive(Debug)]
pub struct CompiledRuleSet {
    version: RuleSetVersion,
    threshold: f64,
    rules: Vec<CompiledRule>,
    dfa: DFA,
    start: StateID,
    /// Bloom-style filter on how a word starts: bit `prefix_hash` of the first bytes of every
    /// pattern (see [`prefix_key`]). 16 KiB, so it stays in L1 while the automaton (11 MB for
    /// 5,000 terms) does not: most words fail here and never touch the automaton.
    prefix_bits: Vec<u64>,
    /// `targets[target_ranges[pid]]` are the (rule, entry) pairs pattern `pid` stands for.
    target_ranges: Vec<(u32, u32)>,
    targets: Vec<Target>,
    /// Folded, padded category → price-anomaly rules and their reference.
    prices: HashMap<Vec<u8>, Vec<(u32, crate::rules::PriceReference)>, SeededState>,
    sellers: Watchlist,
    /// Whether any seller entry is written `platform:id`, so the second lookup can be skipped.
    qualified_sellers: bool,
    phones: Watchlist,
    banks: Watchlist,
    images: Watchlist,
    rates: HashMap<String, f64>,
    pattern_count: usize,
}

/// The spellings the automaton looks for: the folded words, and for several words the words run
/// together as in hashtags ("#hangxachtay"). Letters spelled out one by one need no variant:
/// folding joins them on both sides. Patterns carry no padding spaces: whole words are checked
/// on each match instead, which measured 1.6× faster than scanning for " term ".
fn variants(spelling: &str) -> Vec<String> {
    let folded = fold_padded(spelling);
    let words: Vec<&str> = folded.split_whitespace().collect();
    let mut out = Vec::with_capacity(2);
    if words.len() > 1 {
        out.push(words.concat());
    }
    out.push(words.join(" "));
    out
}

/// Bits in the word-start filter (16 KiB).
const PREFIX_BITS: u32 = 17;

/// Key of the first bytes of a word: up to eight bytes, cut after the first space (the end of a
/// short word, or of the first word of a multi-word pattern), zero-padded. A pattern followed by
/// a space and a text where it starts a whole word give the same key. Eight bytes rather than
/// four: a walk that passes the filter goes at least as deep as the key into the automaton,
/// where states are cold, so a longer key saves the expensive walks.
#[inline(always)]
fn prefix_key(first8: u64) -> u64 {
    // Classic zero-byte test on bytes XOR space: the lowest flagged byte is the first space.
    let x = first8 ^ 0x2020_2020_2020_2020;
    let flagged = x.wrapping_sub(0x0101_0101_0101_0101) & !x & 0x8080_8080_8080_8080;
    if flagged == 0 {
        return first8;
    }
    let keep = (flagged.trailing_zeros() / 8 + 1) * 8;
    first8 & u64::MAX.checked_shr(64 - keep).unwrap_or(u64::MAX)
}

#[inline(always)]
fn prefix_hash(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PREFIX_BITS)) as usize
}

/// The first eight bytes of `folded` from `s`, zero-padded past the end.
#[inline(always)]
fn first8(folded: &[u8], s: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(w) = folded.get(s..s + 8) {
        b.copy_from_slice(w);
    } else if let Some(rest) = folded.get(s..) {
        b[..rest.len()].copy_from_slice(rest);
    }
    u64::from_le_bytes(b)
}

/// Walks the anchored automaton from word start `s` of `folded`, recording every pattern that
/// starts exactly there (with its end), and stops as soon as no pattern can continue.
#[inline(always)]
fn walk_from(dfa: &DFA, start: StateID, folded: &[u8], s: usize, found: &mut Vec<(PatternID, u32)>) {
    let mut sid = start;
    for (k, &b) in folded[s..].iter().enumerate() {
        sid = dfa.next_state(Anchored::Yes, sid, b);
        // With no prefilter the only special states are the dead state and match states.
        if dfa.is_special(sid) {
            if dfa.is_dead(sid) {
                return;
            }
            let end = s + k + 1;
            for m in 0..dfa.match_len(sid) {
                let pid = dfa.match_pattern(sid, m);
                // Match states also carry patterns that are suffixes of the path walked; those
                // start later and are found (or rejected) from their own word start.
                if end - dfa.pattern_len(pid) == s {
                    found.push((pid, end as u32));
                }
            }
        }
    }
}

/// Registers every variant of every spelling of `entries` as a pattern standing for its entry.
fn add_patterns(
    entries: &[crate::rules::Entry],
    rule: u32,
    pattern_ids: &mut HashMap<String, usize>,
    pattern_targets: &mut Vec<Vec<Target>>,
) {
    for (ei, entry) in entries.iter().enumerate() {
        let target = Target { rule, entry: ei as u32 };
        for spelling in &entry.spellings {
            for p in variants(spelling) {
                let next = pattern_targets.len();
                let pid = *pattern_ids.entry(p).or_insert(next);
                if pid == next {
                    pattern_targets.push(Vec::new());
                }
                if !pattern_targets[pid].contains(&target) {
                    pattern_targets[pid].push(target);
                }
            }
        }
    }
}

fn folded_key(s: &str) -> Vec<u8> {
    fold_padded(s).into_bytes()
}

/// 1234567.0 → "1,234,567".
fn fmt_vnd(v: f64) -> String {
    let digits = format!("{:.0}", v.max(0.0));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl CompiledRuleSet {
    /// Compiles a validated rule set: one automaton for every term and brand spelling.
    pub fn compile(rules: &RuleSet) -> Result<Arc<CompiledRuleSet>, RuleSetError> {
        let mut compiled = Vec::with_capacity(rules.rules.len());
        let mut pattern_ids: HashMap<String, usize> = HashMap::new();
        let mut pattern_targets: Vec<Vec<Target>> = Vec::new();
        let hasher = SeededState::new();
        let mut prices: HashMap<Vec<u8>, Vec<(u32, crate::rules::PriceReference)>, SeededState> = HashMap::with_hasher(hasher.clone());
        let mut sellers = Watchlist::with_hasher(hasher.clone());
        let mut phones = Watchlist::with_hasher(hasher.clone());
        let mut banks = Watchlist::with_hasher(hasher.clone());
        let mut images = Watchlist::with_hasher(hasher);

        for (ri, rule) in rules.rules.iter().enumerate() {
            let ri = ri as u32;
            let (kind, names, check) = match &rule.kind {
                RuleSpec::Term { class, entries } => {
                    add_patterns(entries, ri, &mut pattern_ids, &mut pattern_targets);
                    let names = entries.iter().map(|e| e.spellings[0].clone()).collect();
                    (HitKind::Term(*class), names, Check::Always)
                }
                RuleSpec::Brand { floor, category, entries, .. } => {
                    add_patterns(entries, ri, &mut pattern_ids, &mut pattern_targets);
                    let names = entries.iter().map(|e| e.spellings[0].clone()).collect();
                    let check = Check::Brand { floor: *floor, category: category.as_ref().map(|c| (folded_key(c), c.clone())) };
                    (HitKind::Brand, names, check)
                }
                RuleSpec::PriceAnomaly { threshold, direction, references } => {
                    for (category, reference) in references {
                        prices.entry(folded_key(category)).or_default().push((ri, *reference));
                    }
                    let names = references.iter().map(|(c, _)| c.clone()).collect();
                    (HitKind::PriceAnomaly, names, Check::Price { threshold: *threshold, direction: *direction })
                }
                RuleSpec::Watchlist { list, values } => {
                    let map = match list {
                        WatchlistKind::Seller => &mut sellers,
                        WatchlistKind::Phone => &mut phones,
                        WatchlistKind::Bank => &mut banks,
                    };
                    for (ei, v) in values.iter().enumerate() {
                        // The first rule listing a value owns it: one hit per value, not one per list.
                        map.insert_first(v, (ri, ei as u32));
                    }
                    // Names are looked up through the map keys; no second copy of a million sellers.
                    (HitKind::Watchlist(*list), Vec::new(), Check::Always)
                }
                RuleSpec::ImageHash { hashes } => {
                    for (ei, h) in hashes.iter().enumerate() {
                        images.insert_first(h, (ri, ei as u32));
                    }
                    (HitKind::ImageHash, Vec::new(), Check::Always)
                }
            };
            compiled.push(CompiledRule { id: Arc::from(rule.id.as_str()), weight: rule.weight, kind, names, check });
        }

        let mut patterns: Vec<(usize, String)> = pattern_ids.into_iter().map(|(p, id)| (id, p)).collect();
        patterns.sort_unstable_by_key(|(id, _)| *id);
        let dfa = DFA::builder()
            .match_kind(MatchKind::Standard)
            // Anchored walks from each word start, not an unanchored scan: a hit must start a
            // word anyway, and a walk dies after a byte or two in the few hot states at the top
            // of the trie, where an unanchored scan wandered through the whole 11 MB automaton
            // (the transition load was the hottest instruction of the pipeline).
            .start_kind(StartKind::Anchored)
            .prefilter(false)
            .build(patterns.iter().map(|(_, p)| p.as_str()))
            .map_err(|e| RuleSetError::Build(e.to_string()))?;
        let start = dfa.start_state(Anchored::Yes).map_err(|e| RuleSetError::Build(e.to_string()))?;
        let mut prefix_bits = vec![0u64; 1 << (PREFIX_BITS - 6)];
        for (_, p) in &patterns {
            let padded = format!("{p} ");
            let h = prefix_hash(prefix_key(first8(padded.as_bytes(), 0)));
            prefix_bits[h >> 6] |= 1 << (h & 63);
        }
        let mut target_ranges = Vec::with_capacity(pattern_targets.len());
        let mut targets = Vec::new();
        for t in &pattern_targets {
            let from = targets.len() as u32;
            targets.extend_from_slice(t);
            target_ranges.push((from, targets.len() as u32));
        }

        Ok(Arc::new(CompiledRuleSet {
            version: rules.version.clone(),
            threshold: rules.threshold,
            rules: compiled,
            dfa,
            start,
            prefix_bits,
            target_ranges,
            targets,
            prices,
            qualified_sellers: sellers.map.keys().any(|k| k.contains(':')),
            sellers: sellers.seal(),
            phones: phones.seal(),
            banks: banks.seal(),
            images: images.seal(),
            rates: rules.rates.iter().cloned().collect(),
            pattern_count: patterns.len(),
        }))
    }

    /// Parses, validates and compiles rule text in one step.
    pub fn from_text(text: &str) -> Result<Arc<CompiledRuleSet>, RuleSetError> {
        Self::compile(&RuleSet::parse(text)?)
    }

    /// The version this rule set was compiled from.
    pub fn version(&self) -> &RuleSetVersion {
        &self.version
    }

    /// Score at or above which a listing is a lead.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// How many distinct spellings the automaton holds (variants included).
    pub fn pattern_count(&self) -> usize {
        self.pattern_count
    }

    /// Bytes held by the automaton (the watchlists come on top).
    pub fn automaton_bytes(&self) -> usize {
        self.dfa.memory_usage()
    }

    /// Screens one listing (allocates its buffers; use [`Self::screen_with`] in loops).
    pub fn screen(&self, listing: &Listing) -> Screening {
        self.screen_with(listing, &mut Scratch::new())
    }

    /// Screens one listing reusing `scratch` between calls.
    pub fn screen_with(&self, listing: &Listing, scratch: &mut Scratch) -> Screening {
        let mut hits = Vec::new();
        scratch.keys.clear();
        scratch.category.clear();
        if let Some(c) = &listing.category {
            fold_words_into(c, &mut scratch.category, &mut scratch.spaces);
        }
        let price_vnd = self.price_vnd(listing);

        self.scan(&listing.title, Field::Title, price_vnd, scratch, &mut hits);
        self.scan(&listing.description, Field::Description, price_vnd, scratch, &mut hits);
        self.check_price(listing, price_vnd, scratch, &mut hits);
        self.check_watchlists(listing, scratch, &mut hits);

        let score = 1.0 - hits.iter().map(|h| 1.0 - h.weight).product::<f64>();
        Screening { score, lead: !hits.is_empty() && score >= self.threshold, hits }
    }

    fn price_vnd(&self, listing: &Listing) -> Option<f64> {
        let price = listing.price?;
        match listing.currency.as_deref() {
            None | Some("VND") => Some(price),
            Some(code) => self.rates.get(code).map(|r| price * r),
        }
    }

    /// Fold once, scan once: every folded byte steps the automaton as it is produced.
    fn scan(&self, text: &str, field: Field, price_vnd: Option<f64>, scratch: &mut Scratch, hits: &mut Vec<Hit>) {
        if text.is_empty() {
            return;
        }
        let dfa = &self.dfa;
        let Scratch { folded, spaces, found, mapped, .. } = &mut *scratch;
        found.clear();
        fold_words_into(text, folded, spaces);
        *mapped = false;
        // Patterns never start with a space, and a hit must start a word: every space but the
        // last is followed by one.
        for &sp in spaces.iter().take(spaces.len().saturating_sub(1)) {
            let s = sp as usize + 1;
            let h = prefix_hash(prefix_key(first8(folded, s)));
            // The filter has 2^17 bits, so h >> 6 indexes its 2,048 words.
            if self.prefix_bits[h >> 6] & (1 << (h & 63)) != 0 {
                walk_from(dfa, self.start, folded, s, found);
            }
        }
        // Report in the order an unanchored scan would: by end, longer (earlier start) first.
        if found.len() > 1 {
            found.sort_unstable_by_key(|&(pid, end)| (end, u32::MAX - dfa.pattern_len(pid) as u32));
        }
        for i in 0..scratch.found.len() {
            let (pid, end) = scratch.found[i];
            let end = end as usize;
            let start = end - dfa.pattern_len(pid);
            // Whole words only. The folded text starts and ends with a space and patterns
            // never do, so both neighbours exist.
            if scratch.folded.get(start.wrapping_sub(1)) != Some(&b' ') || scratch.folded.get(end) != Some(&b' ') {
                continue;
            }
            scratch.ensure_map(text);
            let (Some(&from), Some(&last_at)) = (scratch.map.get(start), scratch.map.get(end - 1)) else {
                continue;
            };
            let to = last_at as usize + text[last_at as usize..].chars().next().map_or(1, char::len_utf8);
            let span = Span { field, range: from as usize..to };
            let (lo, hi) = self.target_ranges[pid.as_usize()];
            for t in &self.targets[lo as usize..hi as usize] {
                self.term_hit(*t, span.clone(), text, price_vnd, scratch, hits);
            }
        }
        if !self.phones.is_empty() {
            self.phones_in_text(text, field, scratch, hits);
        }
    }

    fn term_hit(&self, t: Target, span: Span, text: &str, price_vnd: Option<f64>, scratch: &mut Scratch, hits: &mut Vec<Hit>) {
        let rule = &self.rules[t.rule as usize];
        if let Some(&(_, i)) = scratch.keys.iter().find(|(k, _)| *k == (t.rule, t.entry)) {
            if !hits[i].spans.contains(&span) {
                hits[i].spans.push(span);
            }
            return;
        }
        // Targets were built from this rule's entries, so the entry index exists.
        let name = &rule.names[t.entry as usize];
        let seen = &text[span.range.clone()];
        let place = match span.field {
            Field::Title => "title",
            Field::Description => "description",
        };
        let reason = match (&rule.check, rule.kind) {
            (Check::Brand { floor, category }, _) => {
                if let Some((key, _)) = category {
                    if scratch.category != *key {
                        return;
                    }
                }
                // Without a price there is nothing to compare with the floor.
                let Some(price) = price_vnd else { return };
                if price >= *floor {
                    return;
                }
                let brand = rule.names.first().map_or(name.as_str(), String::as_str);
                let within = category.as_ref().map(|(_, c)| format!(" for {c}")).unwrap_or_default();
                format!(
                    "brand \"{brand}\" (\"{seen}\" in {place}) offered at {} VND, under its floor of {} VND{within}",
                    fmt_vnd(price),
                    fmt_vnd(*floor)
                )
            }
            (_, HitKind::Term(class)) => {
                format!("{} term \"{name}\" (\"{seen}\" in {place})", class.as_str())
            }
            _ => return,
        };
        scratch.keys.push(((t.rule, t.entry), hits.len()));
        hits.push(Hit { rule: rule.id.clone(), kind: rule.kind, weight: rule.weight, entry: name.clone(), spans: vec![span], reason });
    }

    fn check_price(&self, listing: &Listing, price_vnd: Option<f64>, scratch: &Scratch, hits: &mut Vec<Hit>) {
        let Some(price) = price_vnd else { return };
        let Some(refs) = self.prices.get(scratch.category.as_slice()) else {
            return;
        };
        for (ri, reference) in refs {
            let rule = &self.rules[*ri as usize];
            let Check::Price { threshold, direction } = rule.check else {
                continue;
            };
            let z = reference.z(price);
            let fires = match direction {
                Direction::Low => z <= -threshold,
                Direction::High => z >= threshold,
                Direction::Both => z.abs() >= threshold,
            };
            if !fires {
                continue;
            }
            let category = listing.category.clone().unwrap_or_default();
            hits.push(Hit {
                rule: rule.id.clone(),
                kind: HitKind::PriceAnomaly,
                weight: rule.weight,
                entry: category.clone(),
                spans: Vec::new(),
                reason: format!(
                    "price {} VND is {:.1} robust deviations {} the median {} VND for {category} (threshold {threshold})",
                    fmt_vnd(price),
                    z.abs(),
                    if z < 0.0 { "below" } else { "above" },
                    fmt_vnd(reference.median),
                ),
            });
        }
    }

    fn check_watchlists(&self, listing: &Listing, scratch: &mut Scratch, hits: &mut Vec<Hit>) {
        let key = &mut scratch.key;
        if !self.sellers.is_empty() {
            if let Some(id) = &listing.seller_id {
                if seller_into(id, key) {
                    let mut found = self.sellers.get(key.as_str());
                    if found.is_none() && self.qualified_sellers {
                        // Entries may be qualified by platform: "shopee:shop_abc".
                        let bare = std::mem::take(key);
                        seller_into(&listing.platform, key);
                        key.push(':');
                        key.push_str(&bare);
                        found = self.sellers.get(key.as_str());
                    }
                    if let Some(&(ri, _)) = found {
                        self.push_watch(ri, id, key, "seller", None, hits);
                    }
                }
            }
        }
        if !self.phones.is_empty() {
            for raw in &listing.phones {
                if phone_into(raw, key) {
                    if let Some(&(ri, _)) = self.phones.get(key.as_str()) {
                        self.push_watch(ri, raw, key, "phone", None, hits);
                    }
                }
            }
        }
        if !self.banks.is_empty() {
            for raw in &listing.bank_accounts {
                if bank_into(raw, key) {
                    if let Some(&(ri, _)) = self.banks.get(key.as_str()) {
                        self.push_watch(ri, raw, key, "bank account", None, hits);
                    }
                }
            }
        }
        if !self.images.is_empty() {
            for raw in &listing.image_hashes {
                if image_hash_into(raw, key) {
                    if let Some(&(ri, _)) = self.images.get(key.as_str()) {
                        self.push_watch(ri, raw, key, "image", None, hits);
                    }
                }
            }
        }
    }

    /// Adds a watchlist hit once per listed value, however many spellings of it the listing has.
    fn push_watch(&self, ri: u32, raw: &str, key: &str, what: &str, span: Option<Span>, hits: &mut Vec<Hit>) {
        let rule = &self.rules[ri as usize];
        if hits.iter().any(|h| h.rule == rule.id && h.entry == key) {
            return;
        }
        let reason = if rule.kind == HitKind::ImageHash {
            format!("image {raw} was already seen on a known counterfeit listing (rule {})", rule.id)
        } else {
            format!("{what} \"{raw}\" is on watchlist {}", rule.id)
        };
        hits.push(Hit {
            rule: rule.id.clone(),
            kind: rule.kind,
            weight: rule.weight,
            entry: key.to_string(),
            spans: span.into_iter().collect(),
            reason,
        });
    }

    /// Phones written in the title or description ("Zalo 0912.345.678") checked against the
    /// phone watchlist: sellers move their number into the text to dodge field checks.
    fn phones_in_text(&self, text: &str, field: Field, scratch: &mut Scratch, hits: &mut Vec<Hit>) {
        let mut i = 1usize;
        for k in 0..scratch.spaces.len() {
            let f = &scratch.folded;
            // A phone starts a word with a digit; only word starts are looked at.
            let start = scratch.spaces[k] as usize + 1;
            if start < i || !f.get(start).is_some_and(u8::is_ascii_digit) {
                continue;
            }
            // Gather the digit-only words that follow each other ("0912 345 678"), trying each
            // length from 9 digits up: the number may run into a count ("0912 345 678 12 cái").
            let mut count = 0usize;
            let mut j = start;
            let mut end = start;
            let mut listed = None;
            while j < f.len() && f[j].is_ascii_digit() && listed.is_none() {
                let len = f[j..].iter().position(|&b| b == b' ').unwrap_or(f.len() - j);
                if !f[j..j + len].iter().all(u8::is_ascii_digit) || count + len > 12 {
                    break;
                }
                count += len;
                end = j + len;
                j = end + 1;
                // In free text a phone must carry its trunk 0 or country code 84: "912.345.678"
                // alone is as likely a price.
                let prefixed = f[start] == b'0' || (count == 11 && f[start..].starts_with(b"84"));
                if count >= 9 && prefixed {
                    let digits: String = f[start..end].iter().filter(|b| b.is_ascii_digit()).map(|&b| char::from(b)).collect();
                    if phone_into(&digits, &mut scratch.key) {
                        listed = self.phones.get(scratch.key.as_str()).copied();
                    }
                }
            }
            i = end.max(start + 1);
            let Some((ri, _)) = listed else {
                continue;
            };
            scratch.ensure_map(text);
            let (Some(&from), Some(&last_at)) = (scratch.map.get(start), scratch.map.get(end - 1)) else {
                continue;
            };
            let to = last_at as usize + text[last_at as usize..].chars().next().map_or(1, char::len_utf8);
            let span = Span { field, range: from as usize..to };
            let key = scratch.key.clone();
            self.push_watch(ri, &text[span.range.clone()], &key, "phone", Some(span), hits);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watchlist_filter_keeps_every_listed_value_and_stops_most_others() {
        let mut w = Watchlist::with_hasher(SeededState::new());
        assert_eq!(Watchlist::with_hasher(SeededState::new()).seal().get("x"), None);
        for i in 0..20_000u32 {
            w.insert_first(&format!("ws{i}"), (1, i));
        }
        w.insert_first("ws7", (2, 0));
        let w = w.seal();
        for i in 0..20_000u32 {
            assert_eq!(w.get(&format!("ws{i}")), Some(&(1, i)));
        }
        let passed = (0..20_000).filter(|i| {
            let key = format!("shop{i}");
            let (b, bits) = w.probe(w.map.hasher().hash_one(key.as_str()));
            bits.iter().all(|&(word, bit)| w.blocks[b][word] & bit != 0)
        });
        // About 1% expected; 3% leaves room for an unlucky seed.
        assert!(passed.count() < 600);
        assert_eq!(w.get("shop1"), None);
    }
}
