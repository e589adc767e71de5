//! The batch pipeline: train a model without labels, then block, score and cluster a set of records.

use crate::blocking::{candidate_pairs_on, BlockingRule};
use crate::cluster::{cluster, AnalystDecision, Clustering, Link};
use crate::compare::{compare, ComparisonVector};
use crate::error::MatchError;
use crate::model::{EmReport, EmSettings, Explanation, Model, PatternCounts, Score};
use std::collections::HashMap;

use crate::record::{EntityKind, Field, PreparedRecord, RecordId};

/// Settings shared by training, deduplication and the incremental resolver.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Blocking rules whose candidate pairs are compared.
    pub rules: Vec<BlockingRule>,
    /// Blocks with more records than this are skipped (batch) or stop growing (incremental).
    pub max_block_size: usize,
    /// Match probability at or above which two records are the same entity.
    pub threshold: f64,
    /// Blocks larger than this are skipped when training (date and name blocks are large but still informative).
    pub training_max_block_size: usize,
    /// Random pairs drawn to estimate u.
    pub u_sample_pairs: usize,
    /// About this many blocked pairs feed each EM session (an even sample of them when there are more).
    pub em_max_pairs: usize,
    /// Seed of the random pair sampling, so that training is reproducible.
    pub seed: u64,
    /// EM stopping rules.
    pub em: EmSettings,
    /// Threads used to score pairs (1 = the calling thread only).
    pub threads: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rules: BlockingRule::DEFAULT.to_vec(),
            max_block_size: 64,
            training_max_block_size: 1_000,
            threshold: 0.9,
            u_sample_pairs: 300_000,
            em_max_pairs: 300_000,
            seed: 0x636f_72646f6e,
            em: EmSettings::default(),
            threads: 1,
        }
    }
}

/// What training did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainingReport {
    /// Candidate pairs found by the production blocking rules (estimated when they were sampled).
    pub candidate_pairs: usize,
    /// Pairs that fed the two m-estimating EM sessions.
    pub em_pairs: usize,
    /// Distinct comparison vectors among them.
    pub distinct_patterns: usize,
    /// The prior-estimating run over the candidate pairs (its `prior` is per random pair).
    pub em: EmReport,
}

/// Estimates u from random pairs, m by EM in two sessions as Splink does, and the prior; pinned values stay.
///
/// Session one blocks on birth date and learns every other field; session two
/// blocks on name and learns every other field. A field is never learnt from
/// pairs blocked on it, since those agree on it by construction. The prior is
/// then the expected number of matches among the production candidate pairs
/// over the number of all pairs: blocking already uses the fields that the
/// weights count, so a prior taken over candidate pairs would count them twice.
pub fn train(model: &mut Model, records: &[PreparedRecord], settings: &Settings) -> TrainingReport {
    model.estimate_u_on(records, settings.u_sample_pairs, settings.seed, settings.threads);
    let sample = |rules: &[BlockingRule], max_block: usize| -> (PatternCounts, u64) {
        let candidates = candidate_pairs_on(records, rules, max_block, settings.em_max_pairs, settings.threads);
        let mut patterns = PatternCounts::default();
        for &(i, j) in &candidates.pairs {
            patterns.add(compare(&records[i as usize], &records[j as usize]));
        }
        (patterns, candidates.one_in)
    };
    let by_date: &[Field] = &[Field::BirthDate];
    let by_name: &[Field] = &[Field::PersonName, Field::CompanyName, Field::GivenName, Field::FamilyName];
    let mut sessions = Vec::new();
    let mut em_pairs = 0;
    let mut distinct_patterns = 0;
    for (rule, blocked_on) in [(BlockingRule::BirthDate, by_date), (BlockingRule::Name, by_name)] {
        let (patterns, _) = sample(&[rule], settings.training_max_block_size);
        em_pairs += patterns.pairs() as usize;
        distinct_patterns += patterns.distinct();
        let mut session = model.clone();
        session.estimate_m(&patterns, settings.em, blocked_on);
        sessions.push((session, blocked_on));
    }
    let views: Vec<(&Model, &[Field])> = sessions.iter().map(|(m, b)| (m, *b)).collect();
    model.average_m(&views);
    let (patterns, one_in) = sample(&settings.rules, settings.max_block_size);
    let candidate_pairs = patterns.pairs() as usize * one_in as usize;
    let mut per_kind: HashMap<EntityKind, f64> = HashMap::new();
    for r in records {
        *per_kind.entry(r.kind).or_default() += 1.0;
    }
    let all_pairs: f64 = per_kind.values().map(|n| n * (n - 1.0) / 2.0).sum();
    // When only one candidate in `one_in` was compared, count all pairs the same way.
    let em = model.estimate_prior(&patterns, settings.em, all_pairs / one_in as f64);
    TrainingReport { candidate_pairs, em_pairs, distinct_patterns, em }
}

/// A compared pair of records with its score; the comparison vector is kept so it can be explained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    /// One record.
    pub a: RecordId,
    /// The other record.
    pub b: RecordId,
    /// Every field's comparison level.
    pub vector: ComparisonVector,
    /// The pair's score.
    pub score: Score,
}

impl ScoredPair {
    /// Why the pair scored as it did.
    pub fn explain(&self, model: &Model) -> Explanation {
        model.explain(&self.vector)
    }
}

/// The result of deduplicating a set of records.
#[derive(Debug, Clone, PartialEq)]
pub struct Deduplication {
    /// Candidate pairs compared.
    pub pairs_compared: usize,
    /// Blocks skipped as too large.
    pub oversized_blocks: usize,
    /// Pairs at or above the threshold, each explainable.
    pub matches: Vec<ScoredPair>,
    /// Resolved entities.
    pub clustering: Clustering,
}

/// Blocks, scores and clusters records, respecting analysts' decisions.
pub fn deduplicate(
    records: &[PreparedRecord],
    model: &Model,
    settings: &Settings,
    decisions: &[AnalystDecision],
) -> Result<Deduplication, MatchError> {
    let candidates = candidate_pairs_on(records, &settings.rules, settings.max_block_size, usize::MAX, settings.threads);
    let score_chunk = |chunk: &[(u32, u32)]| -> Vec<ScoredPair> {
        chunk
            .iter()
            .filter_map(|&(i, j)| {
                let (a, b) = (&records[i as usize], &records[j as usize]);
                let (vector, score) = model.score_pair(a, b);
                (score.probability >= settings.threshold).then_some(ScoredPair { a: a.id, b: b.id, vector, score })
            })
            .collect()
    };
    let threads = settings.threads.max(1);
    let matches: Vec<ScoredPair> = if threads == 1 || candidates.pairs.len() < 10_000 {
        score_chunk(&candidates.pairs)
    } else {
        let size = candidates.pairs.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = candidates.pairs.chunks(size).map(|c| s.spawn(move || score_chunk(c))).collect();
            // A scoring thread only panics on a bug; propagate it as the caller's panic.
            handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        })
    };
    let links: Vec<Link> = matches.iter().map(|p| Link { a: p.a, b: p.b, probability: p.score.probability }).collect();
    let ids: Vec<RecordId> = records.iter().map(|r| r.id).collect();
    let clustering = cluster(&ids, &links, decisions, settings.threshold)?;
    Ok(Deduplication { pairs_compared: candidates.pairs.len(), oversized_blocks: candidates.oversized_blocks, matches, clustering })
}
