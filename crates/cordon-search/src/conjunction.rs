//! Evaluation of one search over one segment: every word must match, the caller must be
//! allowed to see the case, the filters must pass; the best `k` hits by BM25 are kept.
//!
//! Why not a tantivy `BooleanQuery` of `Must` clauses: tantivy intersects such clauses and
//! scores every document of the intersection (its block-max WAND prunes pure disjunctions
//! only), so two common words ("xe tải") meant scoring hundreds of thousands of documents to
//! keep 20. Here the clauses are intersected leap-frog style and a run of documents is skipped
//! whole when the sum of the words' block maxima over it cannot beat the current k-th score:
//! the conjunctive counterpart of block-max WAND (as Lucene's `BlockMaxConjunctionScorer`).
//! The set of documents the caller may see is a bitset, checked on the leading word's
//! documents before any score is computed, so a document the caller may not see is never
//! scored.
//!
//! Exactness: the block maxima come from tantivy's skip data, which records per block the
//! (length, frequency) pair that scores best under the segment's own average length. With
//! several segments the index-wide average differs slightly and, in rare cases, the recorded
//! pair is not the best one, so a bound may be a little low (tantivy's own block-max WAND
//! shares this); with one segment it is exact. `equivalence.rs` checks the results against
//! a plain `BooleanQuery` over three segments with deletions.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use tantivy::columnar::Column;
use tantivy::fastfield::AliveBitSet;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{BlockSegmentPostings, SegmentPostings};
use tantivy::query::Bm25Weight;
use tantivy::{DocId, DocSet, Score, TERMINATED};

/// A set of documents of one segment, one bit per document id.
#[derive(Debug)]
pub(crate) struct DocBits {
    words: Vec<u64>,
    any: bool,
}

impl DocBits {
    /// The empty set for a segment of `max_doc` documents.
    pub(crate) fn with_max_doc(max_doc: DocId) -> DocBits {
        DocBits { words: vec![0; (max_doc as usize).div_ceil(64)], any: false }
    }

    /// Adds `doc` (ignored past the segment's end, which no posting list of it reaches).
    pub(crate) fn insert(&mut self, doc: DocId) {
        if let Some(w) = self.words.get_mut((doc / 64) as usize) {
            *w |= 1 << (doc % 64);
            self.any = true;
        }
    }

    /// Whether `doc` is a member.
    pub(crate) fn contains(&self, doc: DocId) -> bool {
        self.words.get((doc / 64) as usize).is_some_and(|w| (w >> (doc % 64)) & 1 == 1)
    }

    /// Whether the set is empty.
    pub(crate) fn is_empty(&self) -> bool {
        !self.any
    }

    /// Adds every document of a posting list.
    pub(crate) fn add_postings(&mut self, postings: &mut SegmentPostings) {
        let mut d = postings.doc();
        while d != TERMINATED {
            self.insert(d);
            d = postings.advance();
        }
    }
}

/// A posting list read block by block, with BM25 scores and each block's maximum score.
///
/// tantivy's own `TermScorer` has the same abilities but is not exported, hence this.
pub(crate) struct TermCursor {
    block: BlockSegmentPostings,
    /// Position of `doc` in the current block.
    idx: usize,
    /// The current document, `TERMINATED` past the end.
    doc: DocId,
    norms: FieldNormReader,
    weight: Bm25Weight,
    /// The best score a document with term frequency `i` can have (the shortest length):
    /// lets the lead skip most documents on their frequency alone, without reading lengths.
    best_by_tf: [Score; TF_TABLE],
}

/// Term frequencies below this have their best score tabled.
const TF_TABLE: usize = 8;

impl TermCursor {
    /// A cursor on the first document of `block` (as opened: its first block loaded).
    pub(crate) fn new(block: BlockSegmentPostings, norms: FieldNormReader, weight: Bm25Weight) -> TermCursor {
        let doc = block.docs().first().copied().unwrap_or(TERMINATED);
        // Length (fieldnorm id) 0 is the shortest, where BM25 peaks for a given frequency.
        let best_by_tf = std::array::from_fn(|tf| weight.score(0, tf as u32));
        TermCursor { block, idx: 0, doc, norms, weight, best_by_tf }
    }

    /// Moves to the first document at or after `target` (never backwards); returns it.
    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if self.block.docs().last().is_none_or(|&last| last < target) {
            // Loads the block whose last document is at or after `target`, or the last block.
            self.block.seek(target);
            self.idx = 0;
        }
        let docs = self.block.docs();
        // Dense lists usually move a few places: look there before bisecting the rest.
        let mut i = self.idx.min(docs.len());
        let near = (i + 8).min(docs.len());
        while i < near && docs[i] < target {
            i += 1;
        }
        if i == near {
            i += docs[i..].partition_point(|&d| d < target);
        }
        self.idx = i;
        self.doc = docs.get(self.idx).copied().unwrap_or(TERMINATED);
        self.doc
    }

    /// See [`Word::next_promising`]: the same for one list, looping over its decoded blocks.
    fn next_promising(&mut self, target: DocId, upto: DocId, visible: &DocBits, rest: &[Score], threshold: Score) -> DocId {
        if self.seek(target) == TERMINATED {
            return TERMINATED;
        }
        loop {
            let docs = self.block.docs();
            let freqs = self.block.freqs();
            let mut found = None;
            for (i, &d) in docs.iter().enumerate().skip(self.idx) {
                if d > upto {
                    found = Some((i, d));
                    break;
                }
                if visible.contains(d) {
                    let tf = freqs.get(i).copied().unwrap_or(1);
                    let best = self.best_by_tf.get(tf as usize).copied().unwrap_or(Score::INFINITY);
                    if bound(best, rest) > threshold && bound(self.weight.score(self.norms.fieldnorm_id(d), tf), rest) > threshold {
                        found = Some((i, d));
                        break;
                    }
                }
            }
            if let Some((i, d)) = found {
                self.idx = i;
                self.doc = d;
                return d;
            }
            // Nothing promising left in this block: on to the next.
            let Some(&last) = docs.last() else {
                self.doc = TERMINATED;
                return TERMINATED;
            };
            self.idx = docs.len() - 1;
            self.doc = last;
            if self.seek(last + 1) == TERMINATED {
                return TERMINATED;
            }
        }
    }

    /// The last document of the current block.
    fn block_end(&self) -> DocId {
        self.block.docs().last().copied().unwrap_or(TERMINATED)
    }

    /// The best score any document of the current block can have.
    fn block_max(&mut self) -> Score {
        self.block.block_max_score(&self.norms, &self.weight)
    }

    /// The BM25 score of the current document.
    fn score(&self) -> Score {
        let tf = self.block.freqs().get(self.idx).copied().unwrap_or(1);
        self.weight.score(self.norms.fieldnorm_id(self.doc), tf)
    }
}

/// One query word in one segment: its posting list in the shared text, and in the personal
/// names of cases the caller's agency recorded. A document matches the word if either does,
/// and scores the sum of both.
pub(crate) struct Word {
    /// Postings of the word in the shared text; `None` once exhausted (or if absent).
    pub(crate) text: Option<TermCursor>,
    /// Postings of the word in the personal names of the caller's agency's cases; `None` once
    /// exhausted or if absent.
    pub(crate) personal: Option<TermCursor>,
}

impl Word {
    /// How many documents the word's lists hold: the rarer word leads.
    fn cost(&self) -> u32 {
        self.text.as_ref().map_or(0, |c| c.block.doc_freq()) + self.personal.as_ref().map_or(0, |c| c.block.doc_freq())
    }

    /// The current document: the smaller of the two lists' current documents.
    fn doc(&self) -> DocId {
        let t = self.text.as_ref().map_or(TERMINATED, |s| s.doc);
        let p = self.personal.as_ref().map_or(TERMINATED, |s| s.doc);
        t.min(p)
    }

    /// The first document at or after `target` that is past `upto`, or that the caller may see
    /// and whose score for this word plus `rest` (the other words' maxima) beats `threshold`;
    /// `TERMINATED` if none. Skips in one loop what the leap-frog would visit one by one.
    fn next_promising(&mut self, mut target: DocId, upto: DocId, visible: &DocBits, rest: &[Score], threshold: Score) -> DocId {
        if self.personal.is_none() {
            let Some(t) = &mut self.text else { return TERMINATED };
            let d = t.next_promising(target, upto, visible, rest, threshold);
            if d == TERMINATED {
                self.text = None;
            }
            return d;
        }
        loop {
            let d = self.seek(target);
            if d == TERMINATED || d > upto {
                return d;
            }
            if visible.contains(d) && bound(self.score(d), rest) > threshold {
                return d;
            }
            target = d + 1;
        }
    }

    /// Moves both lists to their first document at or after `target`; returns the word's.
    fn seek(&mut self, target: DocId) -> DocId {
        if let Some(t) = &mut self.text {
            if t.seek(target) == TERMINATED {
                self.text = None;
            }
        }
        if let Some(p) = &mut self.personal {
            if p.seek(target) == TERMINATED {
                self.personal = None;
            }
        }
        self.doc()
    }

    /// The last document of the shortest current block: the block maxima hold up to there.
    fn block_end(&self) -> DocId {
        let t = self.text.as_ref().map_or(TERMINATED, TermCursor::block_end);
        let p = self.personal.as_ref().map_or(TERMINATED, TermCursor::block_end);
        t.min(p)
    }

    /// An upper bound of the word's score for documents from the current one to `block_end`.
    fn block_max(&mut self) -> Score {
        self.text.as_mut().map_or(0.0, TermCursor::block_max) + self.personal.as_mut().map_or(0.0, TermCursor::block_max)
    }

    /// The word's BM25 score for `doc`, where the word is positioned.
    fn score(&self, doc: DocId) -> Score {
        let mut s = 0.0;
        if let Some(t) = self.text.as_ref().filter(|t| t.doc == doc) {
            s += t.score();
        }
        if let Some(p) = self.personal.as_ref().filter(|p| p.doc == doc) {
            s += p.score();
        }
        s
    }
}

/// A hit: its score and where it is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    /// BM25 over the words.
    pub(crate) score: Score,
    /// Segment ordinal in the searcher.
    pub(crate) segment: u32,
    /// Document in the segment.
    pub(crate) doc: DocId,
}

impl Hit {
    /// Better first: higher score, then the earlier document, so that ties break the same way
    /// whatever order documents are offered in.
    fn rank(&self, other: &Hit) -> Ordering {
        self.score.total_cmp(&other.score).then_with(|| (other.segment, other.doc).cmp(&(self.segment, self.doc)))
    }
}

impl PartialEq for Hit {
    fn eq(&self, other: &Hit) -> bool {
        self.rank(other) == Ordering::Equal
    }
}
impl Eq for Hit {}
impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Hit) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Hit {
    fn cmp(&self, other: &Hit) -> Ordering {
        self.rank(other)
    }
}

/// The `k` best hits seen so far.
pub(crate) struct TopK {
    k: usize,
    /// Worst hit on top.
    heap: BinaryHeap<Reverse<Hit>>,
}

impl TopK {
    /// Keeps the best `k`.
    pub(crate) fn new(k: usize) -> TopK {
        TopK { k, heap: BinaryHeap::with_capacity(k + 1) }
    }

    /// The score a hit must exceed to be kept. Documents are offered segment by segment in
    /// document order, so a later hit that only ties the k-th would rank below it anyway.
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(Reverse(worst)) if self.heap.len() >= self.k => worst.score,
            _ => Score::NEG_INFINITY,
        }
    }

    fn push(&mut self, hit: Hit) {
        if self.heap.len() < self.k {
            self.heap.push(Reverse(hit));
        } else if self.heap.peek().is_some_and(|Reverse(worst)| hit > *worst) {
            self.heap.pop();
            self.heap.push(Reverse(hit));
        }
    }

    /// The hits kept, best first.
    pub(crate) fn into_sorted(self) -> Vec<Hit> {
        // Ascending order of `Reverse` is descending order of hits.
        self.heap.into_sorted_vec().into_iter().map(|Reverse(h)| h).collect()
    }
}

/// What to do with the matches of one segment.
pub(crate) enum Sink<'a> {
    /// Keep the best, scoring and pruning.
    Top(&'a mut TopK),
    /// Count them all (no score is computed).
    Count(&'a mut usize),
}

/// Everything one segment needs for one search.
pub(crate) struct SegmentSearch<'a> {
    /// Segment ordinal in the searcher.
    pub(crate) segment: u32,
    /// The query's words (at least one).
    pub(crate) words: Vec<Word>,
    /// Filter terms every hit must carry.
    pub(crate) filters: Vec<SegmentPostings>,
    /// Documents the caller may see.
    pub(crate) visible: &'a DocBits,
    /// Deleted documents, if any.
    pub(crate) alive: Option<&'a AliveBitSet>,
    /// Detection time column and the half-open range it must fall in, if filtered on.
    pub(crate) period: Option<(Column<i64>, i64, i64)>,
}

impl SegmentSearch<'_> {
    /// Whether the fully matched `doc` is live and in the period.
    fn accept(&self, doc: DocId) -> bool {
        if self.alive.is_some_and(|a| a.is_deleted(doc)) {
            return false;
        }
        match &self.period {
            Some((col, lo, hi)) => col.first(doc).is_some_and(|at| *lo <= at && at < *hi),
            None => true,
        }
    }

    /// Runs the search over the segment into `sink`.
    pub(crate) fn run(mut self, mut sink: Sink<'_>) {
        // The rarest word leads the leap-frog: the others are only sought at its documents.
        self.words.sort_by_key(Word::cost);
        let mut maxes: Vec<Score> = vec![Score::INFINITY; self.words.len()];
        let mut target: DocId = 0;
        // A run of documents up to `upto` (within every word's current block), where word `i`
        // scores at most `maxes[i]`; `fresh` is false when it must be recomputed.
        let (mut upto, mut fresh) = (if matches!(sink, Sink::Top(_)) { 0 } else { TERMINATED }, false);
        'docs: loop {
            let threshold = match &sink {
                Sink::Top(top) => top.threshold(),
                Sink::Count(_) => Score::NEG_INFINITY,
            };
            if let Sink::Top(_) = &sink {
                if !fresh || target > upto {
                    upto = TERMINATED;
                    for (w, m) in self.words.iter_mut().zip(&mut maxes) {
                        if w.seek(target) == TERMINATED {
                            return;
                        }
                        upto = upto.min(w.block_end());
                        *m = w.block_max();
                    }
                    fresh = true;
                }
                // No document up to `upto` can score above the sum of the maxima: unless that
                // beats the k-th best, skip the whole run.
                if bound(0.0, &maxes) <= threshold {
                    if upto >= TERMINATED {
                        return;
                    }
                    target = upto + 1;
                    fresh = false;
                    continue;
                }
            }
            let Some((lead, rest)) = self.words.split_first_mut() else { return };
            // The lead's next document the caller may see (checked before any score is
            // computed: what the caller may not see is never scored) whose exact score plus the
            // other words' maxima (summed in the same order as the score itself, so the bound is
            // never below it) can beat the k-th best; the other words are sought only there.
            let d = lead.next_promising(target, upto, self.visible, &maxes[1..], threshold);
            if d == TERMINATED {
                return;
            }
            target = d;
            if d > upto {
                // Past the run: its bounds first.
                continue;
            }
            let mut partial = lead.score(target);
            for (i, w) in rest.iter_mut().enumerate() {
                let d = w.seek(target);
                if d == TERMINATED {
                    return;
                }
                if d > target {
                    target = d;
                    continue 'docs;
                }
                partial += w.score(target);
                if bound(partial, &maxes[i + 2..]) <= threshold {
                    target += 1;
                    continue 'docs;
                }
            }
            for f in &mut self.filters {
                let d = if f.doc() < target { f.seek(target) } else { f.doc() };
                if d == TERMINATED {
                    return;
                }
                if d > target {
                    target = d;
                    continue 'docs;
                }
            }
            if self.accept(target) {
                match &mut sink {
                    Sink::Top(top) => top.push(Hit { score: partial, segment: self.segment, doc: target }),
                    Sink::Count(n) => **n += 1,
                }
            }
            target += 1;
        }
    }
}

/// `partial` plus each of `maxes`, left to right: the order the score itself is summed in, so
/// that (float addition being monotonic) a bound is never below the score it bounds.
fn bound(partial: Score, maxes: &[Score]) -> Score {
    maxes.iter().fold(partial, |acc, m| acc + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits() {
        let mut b = DocBits::with_max_doc(200);
        assert!(b.is_empty());
        for d in [0, 63, 64, 130, 199, 500] {
            b.insert(d);
        }
        assert!(!b.is_empty());
        assert!(b.contains(0) && b.contains(63) && b.contains(64) && b.contains(130) && b.contains(199));
        assert!(!b.contains(1) && !b.contains(131) && !b.contains(500), "500 is past the segment");
    }

    #[test]
    fn top_k_keeps_the_best_and_breaks_ties_by_position() {
        let mut top = TopK::new(2);
        assert_eq!(top.threshold(), Score::NEG_INFINITY);
        for (score, doc) in [(1.0, 0), (3.0, 1), (2.0, 2), (3.0, 3), (0.5, 4)] {
            top.push(Hit { score, segment: 0, doc });
        }
        let kept: Vec<(Score, DocId)> = top.into_sorted().iter().map(|h| (h.score, h.doc)).collect();
        assert_eq!(kept, vec![(3.0, 1), (3.0, 3)]);
    }
}
