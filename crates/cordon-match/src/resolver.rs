//! Incremental resolution: one new record against every entity already resolved, in memory.
//!
//! The index maps each blocking key (a 64-bit hash) to a chain of the records
//! that have it, at most `max_block_size` long: a key shared by more records
//! than that says little about identity, and capping it bounds the work per
//! new record whatever the number of entities.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::cluster::{AnalystDecision, Clustering};
use crate::dedupe::{ScoredPair, Settings};
use crate::error::MatchError;
use crate::model::Model;
use crate::record::{PreparedRecord, RecordId};

/// An entity's id inside a resolver.
pub type EntityId = u32;

/// Blocking keys are already well-mixed hashes: use them as they are.
#[derive(Default)]
struct KeyIsHash(u64);

impl Hasher for KeyIsHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyIsHash>>;

const NO_NEXT: u32 = u32::MAX;

/// Records whose keys are computed together when loading: a few megabytes of keys at a time.
const KEY_SLICE: usize = 65_536;

/// How a new record was resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    /// The new record.
    pub record: RecordId,
    /// The entity it now belongs to.
    pub entity: EntityId,
    /// Whether that entity was created for it.
    pub created: bool,
    /// Existing records it matched at or above the threshold, best first, each explainable.
    pub matches: Vec<ScoredPair>,
    /// Other entities merged into `entity` because the record matched them too.
    pub merged: Vec<EntityId>,
    /// Candidate records compared.
    pub candidates_compared: usize,
}

/// Holds all resolved records and entities with blocking indexes, and resolves new records against them.
pub struct Resolver {
    model: Model,
    settings: Settings,
    records: Vec<PreparedRecord>,
    entity_of: Vec<EntityId>,
    members: Vec<Vec<u32>>,
    by_id: HashMap<RecordId, u32>,
    /// Key → (first record in chain, chain length).
    index: KeyMap<(u32, u32)>,
    /// Per indexed occurrence: (record, next occurrence in the same chain).
    chain: Vec<(u32, u32)>,
    cannot: HashMap<RecordId, Vec<RecordId>>,
}

impl Resolver {
    /// An empty resolver.
    pub fn new(model: Model, settings: Settings) -> Self {
        Resolver {
            model,
            settings,
            records: Vec::new(),
            entity_of: Vec::new(),
            members: Vec::new(),
            by_id: HashMap::new(),
            index: KeyMap::default(),
            chain: Vec::new(),
            cannot: HashMap::new(),
        }
    }

    /// A resolver loaded with records already clustered (by [`crate::dedupe::deduplicate`]) and the decisions behind them.
    pub fn with_entities(
        model: Model,
        settings: Settings,
        records: Vec<PreparedRecord>,
        clustering: &Clustering,
        decisions: &[AnalystDecision],
    ) -> Result<Self, MatchError> {
        let mut r = Resolver::new(model, settings);
        r.records.reserve(records.len());
        r.entity_of.reserve(records.len());
        r.by_id.reserve(records.len());
        // About four keys per record; reserving once avoids holding two tables while one grows.
        r.index.reserve(records.len() * 4);
        r.chain.reserve(records.len() * 4);
        for rec in records {
            let idx = r.records.len() as u32;
            if r.by_id.insert(rec.id, idx).is_some() {
                return Err(MatchError::DuplicateId(rec.id));
            }
            r.records.push(rec);
            r.entity_of.push(EntityId::MAX);
        }
        // Keys are computed in parallel a slice at a time (bounded extra memory), then
        // inserted in record order so that capped chains keep the same records as one by one.
        let threads = r.settings.threads.max(1);
        let rules = r.settings.rules.clone();
        let mut keys: Vec<(u64, u32)> = Vec::new();
        for base in (0..r.records.len()).step_by(KEY_SLICE) {
            let slice = &r.records[base..(base + KEY_SLICE).min(r.records.len())];
            let part = slice.len().div_ceil(threads).max(1);
            keys.clear();
            std::thread::scope(|s| {
                let handles: Vec<_> = slice
                    .chunks(part)
                    .enumerate()
                    .map(|(k, c)| {
                        let rules = &rules;
                        s.spawn(move || {
                            let mut out = Vec::with_capacity(c.len() * 4);
                            for (i, rec) in c.iter().enumerate() {
                                let idx = (base + k * part + i) as u32;
                                out.extend(rules.iter().filter_map(|rule| rule.key(rec)).map(|key| (key, idx)));
                            }
                            out
                        })
                    })
                    .collect();
                for h in handles {
                    // A key-computing thread only panics on a bug; propagate it as the caller's panic.
                    keys.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
                }
            });
            for &(key, idx) in &keys {
                r.index_key(key, idx);
            }
        }
        for members in &clustering.entities {
            let e = r.members.len() as EntityId;
            let idxs: Vec<u32> = members.iter().filter_map(|id| r.by_id.get(id).copied()).collect();
            for &i in &idxs {
                r.entity_of[i as usize] = e;
            }
            r.members.push(idxs);
        }
        // Records the clustering did not mention stand alone.
        for i in 0..r.records.len() {
            if r.entity_of[i] == EntityId::MAX {
                r.entity_of[i] = r.members.len() as EntityId;
                r.members.push(vec![i as u32]);
            }
        }
        for d in decisions {
            r.remember(d);
        }
        Ok(r)
    }

    /// Number of records held.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when no record is held.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The model used for scoring.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The entity a record belongs to.
    pub fn entity_of(&self, id: RecordId) -> Option<EntityId> {
        self.by_id.get(&id).map(|&i| self.entity_of[i as usize])
    }

    /// The records of an entity, sorted by id (empty for an entity merged away).
    pub fn members(&self, entity: EntityId) -> Vec<RecordId> {
        let mut ids: Vec<RecordId> =
            self.members.get(entity as usize).map(|m| m.iter().map(|&i| self.records[i as usize].id).collect()).unwrap_or_default();
        ids.sort_unstable();
        ids
    }

    fn index_record(&mut self, idx: u32, rec: &PreparedRecord) {
        for i in 0..self.settings.rules.len() {
            if let Some(key) = self.settings.rules[i].key(rec) {
                self.index_key(key, idx);
            }
        }
    }

    fn index_key(&mut self, key: u64, idx: u32) {
        let slot = self.index.entry(key).or_insert((NO_NEXT, 0));
        if slot.1 >= self.settings.max_block_size as u32 {
            return;
        }
        self.chain.push((idx, slot.0));
        slot.0 = (self.chain.len() - 1) as u32;
        slot.1 += 1;
    }

    /// The candidate records for a new record: every record sharing a blocking key with it.
    fn candidates(&self, rec: &PreparedRecord) -> Vec<u32> {
        let mut out = Vec::new();
        for rule in &self.settings.rules {
            let Some(key) = rule.key(rec) else { continue };
            let Some(&(mut at, _)) = self.index.get(&key) else {
                continue;
            };
            while at != NO_NEXT {
                let (r, next) = self.chain[at as usize];
                out.push(r);
                at = next;
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// True when an analyst said some member of `entity` is not the same as some record in `ids`.
    fn forbidden(&self, entity: EntityId, ids: &[RecordId]) -> bool {
        ids.iter().any(|id| {
            self.cannot
                .get(id)
                .is_some_and(|others| others.iter().any(|o| self.by_id.get(o).is_some_and(|&i| self.entity_of[i as usize] == entity)))
        })
    }

    fn member_ids(&self, entity: EntityId) -> Vec<RecordId> {
        self.members[entity as usize].iter().map(|&i| self.records[i as usize].id).collect()
    }

    fn merge(&mut self, into: EntityId, from: EntityId) {
        let moved = std::mem::take(&mut self.members[from as usize]);
        for &i in &moved {
            self.entity_of[i as usize] = into;
        }
        self.members[into as usize].extend(moved);
    }

    /// Resolves a new record: joins the best matching entity (merging any others it also matches, unless an analyst said "not the same"), or starts a new one.
    pub fn resolve(&mut self, record: PreparedRecord) -> Result<Resolution, MatchError> {
        if self.by_id.contains_key(&record.id) {
            return Err(MatchError::DuplicateId(record.id));
        }
        let candidates = self.candidates(&record);
        let mut matches: Vec<ScoredPair> = candidates
            .iter()
            .filter_map(|&i| {
                let other = &self.records[i as usize];
                let (vector, score) = self.model.score_pair(&record, other);
                (score.probability >= self.settings.threshold).then_some(ScoredPair { a: record.id, b: other.id, vector, score })
            })
            .collect();
        matches.sort_unstable_by(|x, y| {
            y.score.probability.total_cmp(&x.score.probability).then(y.score.weight.total_cmp(&x.score.weight)).then(x.b.cmp(&y.b))
        });
        let idx = self.records.len() as u32;
        let id = record.id;
        let mut joined: Option<EntityId> = None;
        let mut merged = Vec::new();
        for m in &matches {
            // Every match was found among the records held, so its id is indexed.
            let e = self.entity_of[self.by_id[&m.b] as usize];
            match joined {
                None => {
                    if !self.forbidden(e, &[id]) {
                        joined = Some(e);
                    }
                }
                Some(j) if j != e => {
                    let mut ids = self.member_ids(j);
                    ids.push(id);
                    if !self.forbidden(e, &ids) {
                        let (into, from) = if self.members[j as usize].len() >= self.members[e as usize].len() { (j, e) } else { (e, j) };
                        self.merge(into, from);
                        merged.push(from);
                        joined = Some(into);
                    }
                }
                Some(_) => {}
            }
        }
        let (entity, created) = match joined {
            Some(e) => (e, false),
            None => {
                self.members.push(Vec::new());
                ((self.members.len() - 1) as EntityId, true)
            }
        };
        self.index_record(idx, &record);
        self.records.push(record);
        self.entity_of.push(entity);
        self.members[entity as usize].push(idx);
        self.by_id.insert(id, idx);
        Ok(Resolution { record: id, entity, created, matches, merged, candidates_compared: candidates.len() })
    }

    fn remember(&mut self, d: &AnalystDecision) {
        let mut add = |a: RecordId, b: RecordId| {
            self.cannot.entry(a).or_default().push(b);
            self.cannot.entry(b).or_default().push(a);
        };
        match d {
            AnalystDecision::Reject(a, b) => add(*a, *b),
            AnalystDecision::Split { apart, from } => {
                for &a in apart {
                    for &b in from {
                        add(a, b);
                    }
                }
            }
            AnalystDecision::Confirm(..) => {}
        }
    }

    /// Applies an analyst's decision now and keeps it for every later resolution.
    ///
    /// A confirmation merges the two entities unless a rejection forbids it
    /// (then it returns `false`). A rejection or split of records now in one
    /// entity moves the rejected records (`b`, or `apart`) out into an entity of
    /// their own; a full batch run re-clusters the rest.
    pub fn decide(&mut self, d: AnalystDecision) -> bool {
        self.remember(&d);
        match d {
            AnalystDecision::Confirm(a, b) => {
                let (Some(ea), Some(eb)) = (self.entity_of(a), self.entity_of(b)) else {
                    return false;
                };
                if ea == eb {
                    return true;
                }
                if self.forbidden(eb, &self.member_ids(ea)) {
                    return false;
                }
                self.merge(ea, eb);
                true
            }
            AnalystDecision::Reject(a, b) => {
                self.separate(&[b], &[a]);
                true
            }
            AnalystDecision::Split { apart, from } => {
                self.separate(&apart, &from);
                true
            }
        }
    }

    fn separate(&mut self, apart: &[RecordId], from: &[RecordId]) {
        let idxs: Vec<u32> = apart.iter().filter_map(|id| self.by_id.get(id).copied()).collect();
        let from_entities: Vec<EntityId> = from.iter().filter_map(|id| self.entity_of(*id)).collect();
        let moving: Vec<u32> = idxs.into_iter().filter(|&i| from_entities.contains(&self.entity_of[i as usize])).collect();
        if moving.is_empty() {
            return;
        }
        let new = self.members.len() as EntityId;
        self.members.push(Vec::new());
        for i in moving {
            let old = self.entity_of[i as usize];
            self.members[old as usize].retain(|&x| x != i);
            self.entity_of[i as usize] = new;
            self.members[new as usize].push(i);
        }
    }
}
