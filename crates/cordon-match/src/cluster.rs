//! Clustering scored pairs into resolved entities, keeping analysts' decisions.
//!
//! Confirmed pairs are joined first, then links at or above the threshold in
//! order of falling probability (ties by record ids, so the result never
//! depends on input order). A join that would put two records an analyst
//! said are not the same into one entity is refused: "not the same" is never
//! overridden, not by a score and not by a chain of confirmations.

use std::collections::HashMap;

use crate::error::MatchError;
use crate::record::RecordId;

/// An analyst's decision about records, kept and respected in every later run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AnalystDecision {
    /// The two records are the same entity (must-link).
    Confirm(RecordId, RecordId),
    /// The two records are not the same entity (cannot-link).
    Reject(RecordId, RecordId),
    /// The records in `apart` are not the same entity as any record in `from`.
    Split {
        /// The records taken out.
        apart: Vec<RecordId>,
        /// The records they were wrongly joined with.
        from: Vec<RecordId>,
    },
}

/// A scored link between two records.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// One record.
    pub a: RecordId,
    /// The other record.
    pub b: RecordId,
    /// Match probability of the pair.
    pub probability: f64,
}

/// The result of clustering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clustering {
    /// Resolved entities: each a sorted list of record ids, listed by their smallest id; singletons included.
    pub entities: Vec<Vec<RecordId>>,
    /// Links above the threshold that were not followed because an analyst said "not the same".
    pub links_refused: usize,
    /// Confirmations that could not be honoured because they contradict a rejection.
    pub confirmations_refused: Vec<(RecordId, RecordId)>,
}

impl Clustering {
    /// The entity (index into `entities`) of every record.
    pub fn entity_of(&self) -> HashMap<RecordId, usize> {
        let mut m = HashMap::new();
        for (e, members) in self.entities.iter().enumerate() {
            for &r in members {
                m.insert(r, e);
            }
        }
        m
    }
}

/// Union–find whose roots carry the records they may never be joined with.
pub(crate) struct Components {
    parent: Vec<u32>,
    size: Vec<u32>,
    cannot: Vec<Vec<u32>>,
}

impl Components {
    pub(crate) fn new(n: usize) -> Self {
        Components { parent: (0..n as u32).collect(), size: vec![1; n], cannot: vec![Vec::new(); n] }
    }

    pub(crate) fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Size of the component whose root is `root`.
    pub(crate) fn size_of_root(&self, root: usize) -> usize {
        self.size[root] as usize
    }

    pub(crate) fn forbid(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        self.cannot[ra as usize].push(b);
        self.cannot[rb as usize].push(a);
    }

    /// Joins the components of a and b unless a cannot-link crosses them; true if they are (now) one.
    pub(crate) fn join(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        let (small, large) = if self.cannot[ra as usize].len() <= self.cannot[rb as usize].len() { (ra, rb) } else { (rb, ra) };
        let partners = std::mem::take(&mut self.cannot[small as usize]);
        let crosses = partners.iter().any(|&p| self.find(p) == large);
        if crosses {
            self.cannot[small as usize] = partners;
            return false;
        }
        let (child, root) = if self.size[ra as usize] < self.size[rb as usize] { (ra, rb) } else { (rb, ra) };
        self.parent[child as usize] = root;
        self.size[root as usize] += self.size[child as usize];
        let mut moved = partners;
        moved.append(&mut self.cannot[large as usize]);
        self.cannot[root as usize] = moved;
        true
    }
}

/// Clusters records into entities from scored links and analysts' decisions.
///
/// Links and decisions naming records not in `ids` are ignored.
pub fn cluster(ids: &[RecordId], links: &[Link], decisions: &[AnalystDecision], threshold: f64) -> Result<Clustering, MatchError> {
    let mut sorted_ids = ids.to_vec();
    sorted_ids.sort_unstable();
    if let Some(w) = sorted_ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(MatchError::DuplicateId(w[0]));
    }
    let index = Index(&sorted_ids);
    let mut comp = Components::new(sorted_ids.len());

    let mut confirms = Vec::new();
    for d in decisions {
        match d {
            AnalystDecision::Confirm(a, b) => confirms.push(ordered(*a, *b)),
            AnalystDecision::Reject(a, b) => {
                if let (Some(x), Some(y)) = (index.get(*a), index.get(*b)) {
                    comp.forbid(x, y);
                }
            }
            AnalystDecision::Split { apart, from } => {
                for a in apart {
                    for b in from {
                        if let (Some(x), Some(y)) = (index.get(*a), index.get(*b)) {
                            comp.forbid(x, y);
                        }
                    }
                }
            }
        }
    }
    confirms.sort_unstable();
    confirms.dedup();
    let mut confirmations_refused = Vec::new();
    for (a, b) in confirms {
        if let (Some(x), Some(y)) = (index.get(a), index.get(b)) {
            if !comp.join(x, y) {
                confirmations_refused.push((a, b));
            }
        }
    }

    let mut above: Vec<(f64, RecordId, RecordId)> = links
        .iter()
        .filter(|l| l.probability >= threshold && l.a != l.b)
        .map(|l| {
            let (a, b) = ordered(l.a, l.b);
            (l.probability, a, b)
        })
        .collect();
    above.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut links_refused = 0;
    for (_, a, b) in above {
        if let (Some(x), Some(y)) = (index.get(a), index.get(b)) {
            if !comp.join(x, y) {
                links_refused += 1;
            }
        }
    }

    // Ids are sorted, so the first member seen of each component is its smallest id:
    // entities come out ordered by first id and each sorted, with no sorting or hashing.
    let mut slot_of_root: Vec<u32> = vec![u32::MAX; sorted_ids.len()];
    let mut entities: Vec<Vec<RecordId>> = Vec::new();
    for (i, &id) in sorted_ids.iter().enumerate() {
        let r = comp.find(i as u32) as usize;
        if slot_of_root[r] == u32::MAX {
            slot_of_root[r] = entities.len() as u32;
            entities.push(Vec::with_capacity(comp.size_of_root(r)));
        }
        entities[slot_of_root[r] as usize].push(id);
    }
    Ok(Clustering { entities, links_refused, confirmations_refused })
}

/// Position of a record id among the sorted ids, by binary search: no table to build for a million records.
struct Index<'a>(&'a [RecordId]);

impl Index<'_> {
    fn get(&self, id: RecordId) -> Option<u32> {
        self.0.binary_search(&id).ok().map(|i| i as u32)
    }
}

fn ordered(a: RecordId, b: RecordId) -> (RecordId, RecordId) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(a: RecordId, b: RecordId, probability: f64) -> Link {
        Link { a, b, probability }
    }

    #[test]
    fn connected_components_above_threshold() {
        let links = [link(1, 2, 0.99), link(2, 3, 0.95), link(4, 5, 0.5), link(6, 7, 0.9)];
        let c = cluster(&[1, 2, 3, 4, 5, 6, 7], &links, &[], 0.9).expect("unique ids");
        assert_eq!(c.entities, vec![vec![1, 2, 3], vec![4], vec![5], vec![6, 7]]);
    }

    #[test]
    fn rejection_keeps_records_apart_even_through_chains() {
        let links = [link(1, 2, 0.99), link(2, 3, 0.98)];
        let c = cluster(&[1, 2, 3], &links, &[AnalystDecision::Reject(1, 3)], 0.9).expect("unique ids");
        assert_eq!(c.entities, vec![vec![1, 2], vec![3]]);
        assert_eq!(c.links_refused, 1);
    }

    #[test]
    fn confirmation_joins_below_threshold_but_not_against_a_rejection() {
        let decisions = [AnalystDecision::Confirm(1, 2), AnalystDecision::Confirm(2, 3), AnalystDecision::Reject(1, 3)];
        let c = cluster(&[1, 2, 3, 4], &[link(3, 4, 0.1)], &decisions, 0.9).expect("unique ids");
        assert_eq!(c.entities, vec![vec![1, 2], vec![3], vec![4]]);
        assert_eq!(c.confirmations_refused, vec![(2, 3)]);
    }

    #[test]
    fn split_separates_records() {
        let links = [link(1, 2, 0.99), link(1, 3, 0.99), link(2, 3, 0.99)];
        let split = AnalystDecision::Split { apart: vec![3], from: vec![1, 2] };
        let c = cluster(&[1, 2, 3], &links, &[split], 0.9).expect("unique ids");
        assert_eq!(c.entities, vec![vec![1, 2], vec![3]]);
    }

    #[test]
    fn duplicate_ids_are_an_error() {
        assert_eq!(cluster(&[1, 2, 1], &[], &[], 0.9), Err(MatchError::DuplicateId(1)));
    }
}
