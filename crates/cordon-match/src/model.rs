//! The Fellegi–Sunter model: per-field m and u probabilities, match weights, and their estimation without labels.
//!
//! m is the probability of a comparison level among true matches, u among
//! non-matches. A level's match weight is log2(m/u); a pair's weight is the
//! prior's log-odds plus the weights of its non-missing fields, and its match
//! probability is 2^w / (1 + 2^w). As in Splink, u is estimated from random
//! pairs (nearly all non-matches) and m by expectation–maximisation on the
//! blocked candidate pairs with u held fixed. Any m or u can be pinned by hand
//! and is then left alone by estimation.

use std::collections::HashMap;

use crate::compare::{agreement, compare, levels, Agreement, ComparisonVector, MISSING};
use crate::error::MatchError;
use crate::record::{Field, PreparedRecord, FIELD_COUNT};
use crate::rng::SplitMix64;

/// The most levels any field has.
pub const MAX_LEVELS: usize = 6;

/// Smallest probability a parameter may take, so that no weight is infinite.
const FLOOR: f64 = 1e-9;

/// The m and u probabilities of one field's levels.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldParameters {
    /// P(level | match), one per level.
    pub m: Vec<f64>,
    /// P(level | non-match), one per level.
    pub u: Vec<f64>,
    /// Levels whose m was pinned by hand.
    pub m_pinned: Vec<bool>,
    /// Levels whose u was pinned by hand.
    pub u_pinned: Vec<bool>,
}

/// A Fellegi–Sunter model over the fields of [`Field::ALL`].
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Probability that two records of the same kind picked at random are the same entity, before looking at their fields.
    pub prior: f64,
    /// Parameters per field, in [`Field::ALL`] order.
    pub fields: Vec<FieldParameters>,
    weights: [[f64; MAX_LEVELS]; FIELD_COUNT],
}

/// A pair's score: match weight, probability, and the strong identifier that decided it, if one did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Total match weight in bits (log2 Bayes factor plus prior log-odds).
    pub weight: f64,
    /// Match probability in [0, 1].
    pub probability: f64,
    /// The strong identifier that agreed exactly with no strong identifier in conflict.
    pub decided_by: Option<Field>,
}

/// One field's part in a score, as shown to an analyst.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldExplanation {
    /// The field.
    pub field: Field,
    /// The comparison level, or `None` when a side is missing.
    pub level: Option<usize>,
    /// What the level means.
    pub label: &'static str,
    /// Exact, partial, disagreement or missing.
    pub agreement: Agreement,
    /// The level's match weight in bits (0 when missing).
    pub weight: f64,
}

/// Why a pair scored as it did: prior, every field's level and weight, and the result.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The prior's log-odds in bits.
    pub prior_weight: f64,
    /// Every field, including missing ones.
    pub fields: Vec<FieldExplanation>,
    /// The resulting score.
    pub score: Score,
}

/// Settings of the EM estimation of m.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmSettings {
    /// Stop after this many iterations.
    pub max_iterations: usize,
    /// Stop when no parameter moves more than this.
    pub tolerance: f64,
}

impl Default for EmSettings {
    fn default() -> Self {
        EmSettings { max_iterations: 50, tolerance: 1e-5 }
    }
}

/// What EM did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmReport {
    /// Iterations run.
    pub iterations: usize,
    /// Whether parameters stopped moving before the iteration limit.
    pub converged: bool,
    /// The estimated share of matches among the blocked pairs.
    pub prior: f64,
}

/// Distinct comparison vectors and how many pairs had each: EM works on these, not on pairs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatternCounts {
    counts: HashMap<ComparisonVector, u64>,
}

impl PatternCounts {
    /// Counts one more pair with this vector.
    pub fn add(&mut self, v: ComparisonVector) {
        *self.counts.entry(v).or_insert(0) += 1;
    }

    /// Number of distinct vectors.
    pub fn distinct(&self) -> usize {
        self.counts.len()
    }

    /// Number of pairs counted.
    pub fn pairs(&self) -> u64 {
        self.counts.values().sum()
    }
}

/// Hand-set starting values: m and u per level, strongest level first.
fn default_parameters(field: Field) -> (&'static [f64], &'static [f64]) {
    match field {
        Field::PersonName => (&[0.75, 0.08, 0.06, 0.04, 0.03, 0.04], &[0.0005, 0.0005, 0.0002, 0.001, 0.002, 0.9958]),
        Field::CompanyName => (&[0.7, 0.15, 0.1, 0.05], &[0.0005, 0.001, 0.005, 0.9935]),
        Field::BirthDate => (&[0.85, 0.04, 0.05, 0.03, 0.03], &[0.00005, 0.00005, 0.002, 0.02, 0.9779]),
        Field::TaxCode => (&[0.95, 0.0499999, 0.0000001], &[0.00001, 0.0001, 0.99989]),
        Field::Address => (&[0.4, 0.2, 0.2, 0.2], &[0.0001, 0.002, 0.03, 0.9679]),
        Field::Cccd | Field::Plate | Field::Imo => (&[0.97, 0.0299999, 0.0000001], &[0.000001, 0.00001, 0.999989]),
        Field::Phone => (&[0.6, 0.02, 0.38], &[0.00001, 0.0001, 0.99989]),
        Field::Cmnd | Field::Passport => (&[0.8, 0.05, 0.15], &[0.000001, 0.00001, 0.999989]),
        Field::BankAccount => (&[0.5, 0.02, 0.48], &[0.000001, 0.00001, 0.999989]),
        Field::GivenName | Field::FamilyName => (&[0.8, 0.08, 0.04, 0.04, 0.04], &[0.005, 0.002, 0.003, 0.05, 0.94]),
        Field::OtherId => (&[0.8, 0.1, 0.05, 0.05], &[0.00001, 0.0001, 0.001, 0.99889]),
        Field::Postcode => (&[0.8, 0.1, 0.05, 0.05], &[0.001, 0.01, 0.05, 0.939]),
        Field::Locality => (&[0.8, 0.1, 0.05, 0.05], &[0.002, 0.005, 0.05, 0.943]),
        Field::Region => (&[0.9, 0.02, 0.08], &[0.2, 0.01, 0.79]),
    }
}

impl Default for Model {
    /// A usable untrained model; strong identifiers' disagreement m is pinned so that a conflict weighs about −23 bits whatever EM finds, outweighing an exact name and date of birth.
    fn default() -> Self {
        let fields = Field::ALL
            .iter()
            .map(|&f| {
                let (m, u) = default_parameters(f);
                let n = m.len();
                let mut m_pinned = vec![false; n];
                if f.is_strong() {
                    m_pinned[n - 1] = true;
                }
                FieldParameters { m: m.to_vec(), u: u.to_vec(), m_pinned, u_pinned: vec![false; n] }
            })
            .collect();
        let mut model = Model { prior: 0.1, fields, weights: [[0.0; MAX_LEVELS]; FIELD_COUNT] };
        model.refresh();
        model
    }
}

fn log2_odds(p: f64) -> f64 {
    (p / (1.0 - p)).log2()
}

/// Turns a match weight in bits into a probability.
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

impl Model {
    fn refresh(&mut self) {
        for (i, p) in self.fields.iter().enumerate() {
            for (l, (m, u)) in p.m.iter().zip(&p.u).enumerate() {
                self.weights[i][l] = (m.max(FLOOR) / u.max(FLOOR)).log2();
            }
        }
    }

    /// The match weight of one field's level, in bits.
    pub fn weight(&self, field: Field, level: u8) -> f64 {
        if level == MISSING {
            0.0
        } else {
            self.weights[field.index()][usize::from(level)]
        }
    }

    /// Pins a level's m and/or u by hand; estimation will not move a pinned value.
    pub fn pin(&mut self, field: Field, level: usize, m: Option<f64>, u: Option<f64>) -> Result<(), MatchError> {
        let n = levels(field).len();
        if level >= n {
            return Err(MatchError::NoSuchLevel { field: field.name(), level });
        }
        for p in [m, u].into_iter().flatten() {
            if !(p > 0.0 && p <= 1.0) {
                return Err(MatchError::BadProbability(p));
            }
        }
        let params = &mut self.fields[field.index()];
        if let Some(m) = m {
            params.m[level] = m;
            params.m_pinned[level] = true;
            renormalise(&mut params.m, &params.m_pinned);
        }
        if let Some(u) = u {
            params.u[level] = u;
            params.u_pinned[level] = true;
            renormalise(&mut params.u, &params.u_pinned);
        }
        self.refresh();
        Ok(())
    }

    /// Sets the prior probability that two random records are the same entity.
    pub fn set_prior(&mut self, prior: f64) -> Result<(), MatchError> {
        if !(prior > 0.0 && prior < 1.0) {
            return Err(MatchError::BadProbability(prior));
        }
        self.prior = prior;
        Ok(())
    }

    /// Scores a comparison vector.
    pub fn score(&self, v: &ComparisonVector) -> Score {
        let mut weight = log2_odds(self.prior);
        let mut strong_agree = None;
        let mut strong_conflict = false;
        for f in Field::ALL {
            let l = v[f.index()];
            if l == MISSING {
                continue;
            }
            weight += self.weights[f.index()][usize::from(l)];
            if f.is_strong() {
                match agreement(f, l) {
                    Agreement::Exact => {
                        strong_agree.get_or_insert(f);
                    }
                    Agreement::Disagree => strong_conflict = true,
                    _ => {}
                }
            }
        }
        match strong_agree {
            Some(f) if !strong_conflict => Score { weight, probability: 1.0, decided_by: Some(f) },
            _ => Score { weight, probability: probability(weight), decided_by: None },
        }
    }

    /// Compares and scores two records.
    pub fn score_pair(&self, a: &PreparedRecord, b: &PreparedRecord) -> (ComparisonVector, Score) {
        let v = compare(a, b);
        (v, self.score(&v))
    }

    /// Explains a comparison vector field by field.
    pub fn explain(&self, v: &ComparisonVector) -> Explanation {
        let fields = Field::ALL
            .iter()
            .map(|&f| {
                let l = v[f.index()];
                let level = (l != MISSING).then_some(usize::from(l));
                FieldExplanation {
                    field: f,
                    level,
                    label: level.map_or("missing", |l| levels(f)[l]),
                    agreement: agreement(f, l),
                    weight: self.weight(f, l),
                }
            })
            .collect();
        Explanation { prior_weight: log2_odds(self.prior), fields, score: self.score(v) }
    }

    /// Estimates u from random pairs of records of the same kind; most random pairs are non-matches.
    pub fn estimate_u(&mut self, records: &[PreparedRecord], sample_pairs: usize, seed: u64) {
        self.estimate_u_on(records, sample_pairs, seed, 1);
    }

    /// [`Model::estimate_u`] with the pairs compared on `threads` threads; the result does not depend on `threads`.
    pub fn estimate_u_on(&mut self, records: &[PreparedRecord], sample_pairs: usize, seed: u64, threads: usize) {
        if records.len() < 2 {
            return;
        }
        let mut rng = SplitMix64::new(seed);
        let n = records.len() as u64;
        // The pairs are drawn first, on one generator, so that the estimate does not depend on the threads.
        let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(sample_pairs.min(1 << 24));
        // Pairs of different kinds compare as all missing; bound the attempts so mixed data terminates.
        for _ in 0..sample_pairs.saturating_mul(4) {
            if pairs.len() == sample_pairs {
                break;
            }
            let i = rng.below(n) as usize;
            let j = rng.below(n) as usize;
            if i == j || records[i].kind != records[j].kind {
                continue;
            }
            pairs.push((i as u32, j as u32));
        }
        let count = |chunk: &[(u32, u32)]| {
            let mut counts = vec![[0u64; MAX_LEVELS]; FIELD_COUNT];
            for &(i, j) in chunk {
                let v = compare(&records[i as usize], &records[j as usize]);
                for (f, &l) in v.iter().enumerate() {
                    if l != MISSING {
                        counts[f][usize::from(l)] += 1;
                    }
                }
            }
            counts
        };
        let threads = threads.max(1);
        let counts = if threads == 1 || pairs.len() < 10_000 {
            count(&pairs)
        } else {
            let size = pairs.len().div_ceil(threads);
            std::thread::scope(|s| {
                let handles: Vec<_> = pairs.chunks(size).map(|c| s.spawn(move || count(c))).collect();
                let mut total = vec![[0u64; MAX_LEVELS]; FIELD_COUNT];
                for h in handles {
                    // A counting thread only panics on a bug; propagate it as the caller's panic.
                    let part = h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
                    for (t, p) in total.iter_mut().zip(&part) {
                        for (x, y) in t.iter_mut().zip(p) {
                            *x += y;
                        }
                    }
                }
                total
            })
        };
        for (f, params) in self.fields.iter_mut().enumerate() {
            let n_levels = params.u.len();
            let total: u64 = counts[f][..n_levels].iter().sum();
            if total == 0 {
                continue;
            }
            // Add-one smoothing: a level never seen among random pairs is rare, not impossible.
            let denom = total as f64 + n_levels as f64;
            for ((u, &pinned), &c) in params.u.iter_mut().zip(&params.u_pinned).zip(&counts[f]) {
                if !pinned {
                    *u = (c as f64 + 1.0) / denom;
                }
            }
            renormalise(&mut params.u, &params.u_pinned);
        }
        self.refresh();
    }

    /// Estimates m (and the share of matches among these pairs) by EM over blocked pairs' comparison vectors, u held fixed.
    ///
    /// `blocked_on` lists the fields the pairs were blocked on: they agree by
    /// construction, so, as in Splink, they are left out of both steps and
    /// their m is not touched.
    pub fn estimate_m(&mut self, patterns: &PatternCounts, settings: EmSettings, blocked_on: &[Field]) -> EmReport {
        self.em(patterns, settings, blocked_on)
    }

    /// Estimates the prior — the probability that two records picked at random are the same entity — every m and u held fixed.
    ///
    /// `patterns` are the candidate pairs found by blocking and `all_pairs`
    /// the number of pairs of records of the same kind: matches outside the
    /// candidates are taken as none, which is what blocking is tuned for.
    pub fn estimate_prior(&mut self, patterns: &PatternCounts, settings: EmSettings, all_pairs: f64) -> EmReport {
        let mut iterations = 0;
        let mut converged = false;
        if all_pairs < 1.0 {
            return EmReport { iterations, converged, prior: self.prior };
        }
        while iterations < settings.max_iterations {
            iterations += 1;
            let prior_odds = self.prior / (1.0 - self.prior);
            let matched: f64 = patterns
                .counts
                .iter()
                .map(|(v, &c)| {
                    let odds = prior_odds * self.bayes_bits(v).exp2();
                    let p = if odds.is_infinite() { 1.0 } else { odds / (1.0 + odds) };
                    p * c as f64
                })
                .sum();
            let new = (matched / all_pairs).clamp(1e-12, 0.5);
            let moved = ((new / self.prior).log2()).abs();
            self.prior = new;
            // Measured in bits: the prior may be tiny, so an absolute tolerance would stop at once.
            if moved < settings.tolerance {
                converged = true;
                break;
            }
        }
        EmReport { iterations, converged, prior: self.prior }
    }

    fn bayes_bits(&self, v: &ComparisonVector) -> f64 {
        v.iter().enumerate().filter(|(_, &l)| l != MISSING).map(|(f, &l)| self.weights[f][usize::from(l)]).sum()
    }

    fn em(&mut self, patterns: &PatternCounts, settings: EmSettings, ignored: &[Field]) -> EmReport {
        let mut use_field = [true; FIELD_COUNT];
        for f in ignored {
            use_field[f.index()] = false;
        }
        let patterns: Vec<(&ComparisonVector, f64)> = patterns.counts.iter().map(|(v, &c)| (v, c as f64)).collect();
        let total: f64 = patterns.iter().map(|(_, c)| c).sum();
        if total == 0.0 {
            return EmReport { iterations: 0, converged: false, prior: self.prior };
        }
        let mut iterations = 0;
        let mut converged = false;
        while iterations < settings.max_iterations {
            iterations += 1;
            let mut m_num = vec![[0f64; MAX_LEVELS]; FIELD_COUNT];
            let mut matched = 0.0;
            let prior_odds = self.prior / (1.0 - self.prior);
            for (v, c) in &patterns {
                // Work in bits to avoid underflow over many fields.
                let mut w = 0.0;
                for (f, &l) in v.iter().enumerate() {
                    if l != MISSING && use_field[f] {
                        w += self.weights[f][usize::from(l)];
                    }
                }
                let odds = prior_odds * w.exp2();
                let p = if odds.is_infinite() { 1.0 } else { odds / (1.0 + odds) };
                let mass = p * c;
                matched += mass;
                for (f, &l) in v.iter().enumerate() {
                    if l != MISSING {
                        m_num[f][usize::from(l)] += mass;
                    }
                }
            }
            let mut moved: f64 = 0.0;
            let new_prior = (matched / total).clamp(1e-6, 1.0 - 1e-6);
            moved = moved.max((new_prior - self.prior).abs());
            self.prior = new_prior;
            for (f, params) in self.fields.iter_mut().enumerate() {
                if !use_field[f] {
                    continue;
                }
                let seen: f64 = m_num[f][..params.m.len()].iter().sum();
                if seen <= 0.0 {
                    continue;
                }
                // One pseudo-pair per level: a level no match showed in this sample is rare, not impossible.
                let denom = seen + params.m.len() as f64;
                for ((m, &pinned), &num) in params.m.iter_mut().zip(&params.m_pinned).zip(&m_num[f]) {
                    if !pinned {
                        let new = ((num + 1.0) / denom).max(FLOOR);
                        moved = moved.max((new - *m).abs());
                        *m = new;
                    }
                }
                renormalise(&mut params.m, &params.m_pinned);
            }
            self.refresh();
            if moved < settings.tolerance {
                converged = true;
                break;
            }
        }
        EmReport { iterations, converged, prior: self.prior }
    }

    /// Sets every unpinned m to the average of the given models' m, over the models that estimated that field.
    pub fn average_m(&mut self, sessions: &[(&Model, &[Field])]) {
        for (f, params) in self.fields.iter_mut().enumerate() {
            let used: Vec<&FieldParameters> =
                sessions.iter().filter(|(_, blocked)| !blocked.iter().any(|b| b.index() == f)).map(|(m, _)| &m.fields[f]).collect();
            if used.is_empty() {
                continue;
            }
            for l in 0..params.m.len() {
                if !params.m_pinned[l] {
                    params.m[l] = used.iter().map(|p| p.m[l]).sum::<f64>() / used.len() as f64;
                }
            }
            renormalise(&mut params.m, &params.m_pinned);
        }
        self.refresh();
    }
}

/// Scales the unpinned values so that all values sum to one, keeping pinned values as set.
fn renormalise(values: &mut [f64], pinned: &[bool]) {
    let fixed: f64 = values.iter().zip(pinned).filter(|(_, &p)| p).map(|(v, _)| v).sum();
    let free: f64 = values.iter().zip(pinned).filter(|(_, &p)| !p).map(|(v, _)| v).sum();
    let room = (1.0 - fixed).max(FLOOR);
    if free > 0.0 {
        for (v, &p) in values.iter_mut().zip(pinned) {
            if !p {
                *v = (*v / free * room).max(FLOOR);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(pairs: &[(Field, u8)]) -> ComparisonVector {
        let mut v = [MISSING; FIELD_COUNT];
        for &(f, l) in pairs {
            v[f.index()] = l;
        }
        v
    }

    #[test]
    fn default_parameters_are_distributions_over_every_level() {
        let m = Model::default();
        for f in Field::ALL {
            let p = &m.fields[f.index()];
            let n = levels(f).len();
            assert!(n <= MAX_LEVELS, "{f:?}");
            assert_eq!((p.m.len(), p.u.len()), (n, n), "{f:?}");
            assert!((p.m.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{f:?} m");
            assert!((p.u.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{f:?} u");
            assert!(m.weight(f, 0) > 0.0 && m.weight(f, (n - 1) as u8) < 0.0, "{f:?}");
        }
    }

    #[test]
    fn weights_are_log2_bayes_factors() {
        let m = Model::default();
        let (pm, pu) = (m.fields[Field::Phone.index()].m[0], m.fields[Field::Phone.index()].u[0]);
        assert!((m.weight(Field::Phone, 0) - (pm / pu).log2()).abs() < 1e-12);
        let v = vector(&[(Field::Phone, 0), (Field::BirthDate, 4)]);
        let s = m.score(&v);
        let want = log2_odds(m.prior) + m.weight(Field::Phone, 0) + m.weight(Field::BirthDate, 4);
        assert!((s.weight - want).abs() < 1e-12);
        assert!((s.probability - 2f64.powf(want) / (1.0 + 2f64.powf(want))).abs() < 1e-12);
    }

    #[test]
    fn strong_identifier_decides_alone_unless_another_conflicts() {
        let m = Model::default();
        let agree = m.score(&vector(&[(Field::TaxCode, 0), (Field::CompanyName, 3)]));
        assert_eq!(agree.decided_by, Some(Field::TaxCode));
        assert_eq!(agree.probability, 1.0);
        let conflict = m.score(&vector(&[(Field::TaxCode, 0), (Field::Plate, 2)]));
        assert_eq!(conflict.decided_by, None);
        let alone = m.score(&vector(&[(Field::Cccd, 2), (Field::PersonName, 0), (Field::BirthDate, 0)]));
        assert!(m.weight(Field::Cccd, 2) <= -20.0, "a CCCD conflict weighs heavily: {}", m.weight(Field::Cccd, 2));
        assert!(alone.probability < 0.5, "{alone:?}");
    }

    #[test]
    fn pinned_values_survive_estimation() {
        let mut m = Model::default();
        m.pin(Field::Phone, 0, Some(0.9), Some(0.0001)).expect("valid pin");
        let mut p = PatternCounts::default();
        for _ in 0..100 {
            p.add(vector(&[(Field::Phone, 2), (Field::PersonName, 5)]));
        }
        p.add(vector(&[(Field::Phone, 0), (Field::PersonName, 0)]));
        m.estimate_m(&p, EmSettings::default(), &[]);
        let phone = &m.fields[Field::Phone.index()];
        assert_eq!(phone.m[0], 0.9);
        assert_eq!(phone.u[0], 0.0001);
        assert!((phone.m.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn pin_rejects_bad_input() {
        let mut m = Model::default();
        assert_eq!(m.pin(Field::Phone, 7, Some(0.5), None), Err(MatchError::NoSuchLevel { field: "phone", level: 7 }));
        assert_eq!(m.pin(Field::Phone, 0, Some(1.5), None), Err(MatchError::BadProbability(1.5)));
        assert_eq!(m.set_prior(0.0), Err(MatchError::BadProbability(0.0)));
    }

    #[test]
    fn em_separates_matches_from_non_matches() {
        // 200 pairs agreeing on name, date and phone, 800 disagreeing on all.
        let mut p = PatternCounts::default();
        for _ in 0..200 {
            p.add(vector(&[(Field::PersonName, 0), (Field::BirthDate, 0), (Field::Phone, 0)]));
        }
        for _ in 0..800 {
            p.add(vector(&[(Field::PersonName, 5), (Field::BirthDate, 4), (Field::Phone, 2)]));
        }
        let mut m = Model::default();
        m.set_prior(0.5).expect("valid");
        let report = m.estimate_m(&p, EmSettings::default(), &[]);
        assert!((report.prior - 0.2).abs() < 0.01, "{report:?}");
        assert!(m.fields[Field::PersonName.index()].m[0] > 0.95);
        assert_eq!(p.pairs(), 1000);
        assert_eq!(p.distinct(), 2);
    }

    #[test]
    fn explanation_lists_every_field() {
        let m = Model::default();
        let v = vector(&[(Field::PersonName, 0), (Field::Phone, 2)]);
        let e = m.explain(&v);
        assert_eq!(e.fields.len(), FIELD_COUNT);
        let name = &e.fields[Field::PersonName.index()];
        assert_eq!((name.level, name.agreement), (Some(0), Agreement::Exact));
        assert!(name.weight > 0.0);
        let phone = &e.fields[Field::Phone.index()];
        assert_eq!(phone.agreement, Agreement::Disagree);
        assert!(phone.weight < 0.0);
        let sum: f64 = e.prior_weight + e.fields.iter().map(|f| f.weight).sum::<f64>();
        assert!((sum - e.score.weight).abs() < 1e-9);
    }
}
