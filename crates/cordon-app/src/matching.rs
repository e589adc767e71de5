//! Entity resolution on cases: every party recorded is resolved against the entities already
//! known, and what looks like the same person, company or vehicle is kept as a candidate match
//! with its probability and per-field explanation for an analyst to confirm, reject or split.
//!
//! Nothing is merged silently: a candidate stays a candidate until an analyst decides. Only a
//! strong identifier (CCCD, tax code, plate, IMO) agreeing exactly, with none in conflict, links
//! two entities automatically (status `linked`), and an analyst may still split them. "Not the
//! same" is final ([`cordon_core::entity_match::decide`]).
//!
//! Each process holds one in-memory [`Resolver`] over every entity in the store, built on first
//! use and caught up from the `entities` table (ordered by creation) before each resolution, so
//! entities recorded by another process (an import from the command line) are indexed too. Only
//! the entities a call itself recorded are matched: the others were matched by the process that
//! recorded them.

use std::collections::{BTreeMap, HashMap, HashSet};

use cordon_core::entity_match::{decide, MatchDecision, MatchStatus};
use cordon_core::sharing::{may_see, principals_of_record};
use cordon_core::Invalid;
use cordon_match::{deduplicate, AnalystDecision, BlockingRule, EntityKind, Model, PreparedRecord, Record, Resolver, ScoredPair, Settings};
use cordon_store::{EntityMatch, StoreError, StoredEntity};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::ids::new_id;
use crate::{Actor, App, AppError};

/// Pairs at or above this match probability are kept as candidates for an analyst.
pub const CANDIDATE_THRESHOLD: f64 = 0.5;

/// Prior probability that two entities are the same before their fields are compared: with
/// the built-in model, the same name alone then scores about 0.6 (a weak candidate), while
/// the same name and phone, or a strong identifier, is near-certain.
const PRIOR: f64 = 1e-3;

/// At most this many candidates are kept per new entity, the strongest: a common name with
/// nothing else to tell it apart would otherwise bring every namesake to the analyst.
pub const MAX_CANDIDATES: usize = 5;

/// Catching up re-reads this far behind the newest entity seen: entities written in the same
/// millisecond, or committed a little after a later one, are not skipped (those already indexed are passed over).
const OVERLAP_MS: i64 = 60_000;

/// Entities read per query while catching up.
const CATCH_UP_BATCH: i64 = 5_000;

/// The process's resolver and where it is in the entities table.
struct State {
    resolver: Resolver,
    /// The newest creation time indexed.
    newest: i64,
    /// Entity id → record id in the resolver.
    record_of: HashMap<String, u64>,
    /// Record id → entity id.
    entity_of: Vec<String>,
}

/// The per-process resolver, built on first use.
#[derive(Default)]
pub(crate) struct EntityResolver {
    state: tokio::sync::Mutex<Option<State>>,
}

/// What a store-wide batch run over every entity (`cordon match rescan`) did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RescanReport {
    /// Entities in the store.
    pub entities: usize,
    /// Of them, those of a kind that is resolved (persons, companies, vehicles, vessels).
    pub resolved: usize,
    /// Candidate pairs the batch compared.
    pub pairs_compared: usize,
    /// Pairs at or above the candidate threshold.
    pub found: usize,
    /// Of them, pairs already stored: their row, and any analyst's decision on it, is left as it is.
    pub already_stored: usize,
    /// New candidates recorded.
    pub new_candidates: usize,
    /// New automatic links recorded (a strong identifier agreed).
    pub new_linked: usize,
    /// Pairs left out because an entity already had [`MAX_CANDIDATES`] new ones, stronger.
    pub capped: usize,
}

/// An analyst's decision on a candidate match, as entered.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MatchDecisionInput {
    /// `confirm` (the same entity), `reject` (not the same: final) or `split` (undo a confirmed or automatic link: not the same).
    pub decision: String,
    /// Why (kept with the decision).
    #[serde(default)]
    pub reason: String,
}

/// One field's part in a match, as an analyst sees it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchFieldView {
    /// The field ("person name", "CCCD"…).
    pub field: String,
    /// How the two values compare ("exact (any order)", "one typo apart"…).
    pub level: String,
    /// `exact`, `partial` or `disagree`.
    pub agreement: String,
    /// The field's match weight in bits (positive: evidence for; negative: against).
    pub weight: f64,
}

/// A candidate match of an entity, as one caller may see it.
///
/// When the caller may not see the other entity, only `held_by` (and `access_case_id` when
/// there is a case through which access can be asked) is given: no name, no identifiers, no
/// score and no explanation, since agreeing fields would tell what the other record holds.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntityMatchView {
    /// The match's id (to decide on it).
    pub id: String,
    /// The agency that holds the other entity.
    pub held_by: String,
    /// True when the caller may see the other entity; false: "agency X holds a possible match".
    pub visible: bool,
    /// The other entity's id.
    pub entity_id: Option<String>,
    /// Its kind.
    pub kind: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Its identifiers.
    pub identifiers: BTreeMap<String, String>,
    /// `candidate`, `linked` (a strong identifier agreed), `confirmed` or `rejected`.
    pub status: Option<String>,
    /// Match probability when found.
    pub probability: Option<f64>,
    /// Match weight in bits.
    pub weight: Option<f64>,
    /// The strong identifier that decided it, if one did.
    pub decided_by_field: Option<String>,
    /// Per-field agreements and weights, strongest evidence first.
    pub fields: Vec<MatchFieldView>,
    /// Hidden matches: a case the caller sees on which the holder withholds this entity;
    /// `POST /api/v1/cases/{id}/access-requests` there asks the holder to disclose it.
    pub access_case_id: Option<String>,
    /// Who decided, when an analyst did.
    pub decided_by: Option<String>,
    /// Why.
    pub decision_reason: Option<String>,
}

/// The matcher's record for a stored entity; kinds that are themselves identifiers (phones, accounts) are not resolved.
fn to_record(e: &StoredEntity, id: u64) -> Option<Record> {
    let kind = match e.kind.as_str() {
        "person" => EntityKind::Person,
        "company" => EntityKind::Company,
        "vehicle" => EntityKind::Vehicle,
        "vessel" => EntityKind::Vessel,
        _ => return None,
    };
    let mut r = Record { id, kind, name: Some(e.name.clone()).filter(|n| !n.trim().is_empty()), ..Record::default() };
    for (scheme, value) in &e.identifiers {
        let slot = match scheme.as_str() {
            "cccd" | "cmnd" => &mut r.national_id,
            "passport" => &mut r.passport,
            "tax_code" => &mut r.tax_code,
            "plate" => &mut r.plate,
            "imo" => &mut r.imo,
            "phone" => &mut r.phone,
            "account" => &mut r.bank_account,
            _ => continue,
        };
        *slot = Some(value.clone());
    }
    if kind == EntityKind::Vehicle && r.plate.is_none() {
        // A vehicle is recorded by its plate.
        r.plate = r.name.clone();
    }
    Some(r)
}

fn model() -> Model {
    let mut m = Model::default();
    // PRIOR is a constant inside (0, 1).
    let _ = m.set_prior(PRIOR);
    m
}

/// The explanation kept with a match: the fields both sides have, strongest evidence first.
fn explanation(pair: &ScoredPair, model: &Model) -> Vec<MatchFieldView> {
    let why = pair.explain(model);
    let mut fields: Vec<MatchFieldView> = why
        .fields
        .iter()
        .filter(|f| f.level.is_some())
        .map(|f| MatchFieldView {
            field: f.field.name().to_string(),
            level: f.label.to_string(),
            agreement: match f.agreement {
                cordon_match::Agreement::Exact => "exact",
                cordon_match::Agreement::Partial => "partial",
                _ => "disagree",
            }
            .to_string(),
            weight: (f.weight * 100.0).round() / 100.0,
        })
        .collect();
    fields.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
    fields
}

/// The settings incremental resolution and the store-wide batch share.
fn settings() -> Settings {
    // Parties on cases often carry a name and nothing else to block on: a name alone is a key here too.
    let mut settings = Settings { threshold: CANDIDATE_THRESHOLD, threads: 1, ..Settings::default() };
    settings.rules.push(BlockingRule::Name);
    settings
}

impl State {
    fn new() -> State {
        State { resolver: Resolver::new(model(), settings()), newest: i64::MIN, record_of: HashMap::new(), entity_of: Vec::new() }
    }

    /// Indexes an entity; returns the pairs it matches at or above the candidate threshold.
    fn add(&mut self, e: &StoredEntity) -> Vec<ScoredPair> {
        self.newest = self.newest.max(e.created_at);
        if self.record_of.contains_key(&e.id) {
            return Vec::new();
        }
        let id = self.entity_of.len() as u64;
        let Some(record) = to_record(e, id) else { return Vec::new() };
        self.entity_of.push(e.id.clone());
        self.record_of.insert(e.id.clone(), id);
        // Record ids are handed out once each, so the resolver cannot refuse one as a duplicate.
        self.resolver.resolve(PreparedRecord::prepare(&record)).map(|r| r.matches).unwrap_or_default()
    }

    fn decide(&mut self, m: &EntityMatch) {
        let (Some(&a), Some(&b)) = (self.record_of.get(&m.entity_a), self.record_of.get(&m.entity_b)) else { return };
        match MatchStatus::parse(&m.status) {
            Some(MatchStatus::Confirmed) => {
                self.resolver.decide(AnalystDecision::Confirm(a, b));
            }
            Some(MatchStatus::Rejected) => {
                self.resolver.decide(AnalystDecision::Reject(a, b));
            }
            _ => {}
        }
    }
}

impl App {
    /// Resolves entities this call recorded against every entity known, and records the
    /// candidate matches found (audited as the actor's). Entities recorded by others since the
    /// last call are indexed without being matched: their recorder matched them.
    pub(crate) async fn resolve_entities(&self, actor: &Actor, recorded: &[String]) -> Result<(), AppError> {
        if recorded.is_empty() {
            return Ok(());
        }
        let mine: HashSet<&str> = recorded.iter().map(String::as_str).collect();
        let mut guard = self.resolver.state.lock().await;
        let state = self.built(&mut guard).await?;
        let found_pairs = self.catch_up(state, &mine).await?;
        let now = self.now_ms();
        let mut found: Vec<EntityMatch> = Vec::new();
        let mut audit = Vec::new();
        for (entity, pairs) in found_pairs {
            let mut ids = Vec::new();
            // The resolver gives its matches strongest first.
            for p in pairs.iter().take(MAX_CANDIDATES) {
                let other = &state.entity_of[p.b as usize];
                let (a, b) = if entity < *other { (entity.clone(), other.clone()) } else { (other.clone(), entity.clone()) };
                let status = if p.score.decided_by.is_some() { MatchStatus::Linked } else { MatchStatus::Candidate };
                let m = EntityMatch {
                    id: new_id(now),
                    entity_a: a,
                    entity_b: b,
                    probability: p.score.probability,
                    weight: p.score.weight,
                    decided_by_field: p.score.decided_by.map(|f| f.name().to_string()),
                    explanation: json!(explanation(p, state.resolver.model())).to_string(),
                    status: status.as_str().to_string(),
                    found_at: now,
                    decided_by: None,
                    decided_at: None,
                    decision_reason: None,
                };
                ids.push(json!({ "match": m.id, "entity": other, "status": m.status }));
                found.push(m);
            }
            if !ids.is_empty() {
                audit.push(actor.audit(now, "entity.resolve", "entity", &entity, "ok", json!({ "matches": ids })));
            }
        }
        drop(guard);
        if !found.is_empty() {
            self.store.insert_entity_matches(&found, &audit).await?;
        }
        Ok(())
    }

    /// The process's resolver, built from every entity in the store (and the analysts'
    /// decisions) on first use.
    async fn built<'a>(&self, guard: &'a mut Option<State>) -> Result<&'a mut State, AppError> {
        if guard.is_none() {
            let mut state = State::new();
            self.catch_up(&mut state, &HashSet::new()).await?;
            for m in self.store.decided_entity_matches().await? {
                state.decide(&m);
            }
            *guard = Some(state);
        }
        // Set just above when it was empty.
        guard.as_mut().ok_or(AppError::NotFound("entity resolver"))
    }

    /// Indexes the entities recorded since the newest one indexed (with an overlap); returns
    /// the matches of those in `mine`, the others being indexed only.
    async fn catch_up(&self, state: &mut State, mine: &HashSet<&str>) -> Result<Vec<(String, Vec<ScoredPair>)>, AppError> {
        let mut out = Vec::new();
        let mut page = (state.newest.saturating_sub(OVERLAP_MS), String::new());
        loop {
            let batch = self.store.entities_after(page.0, &page.1, CATCH_UP_BATCH).await?;
            let Some(last) = batch.last() else { break };
            page = (last.created_at, last.id.clone());
            for e in &batch {
                let pairs = state.add(e);
                if mine.contains(e.id.as_str()) {
                    out.push((e.id.clone(), pairs));
                }
            }
        }
        Ok(out)
    }

    /// Resolves every stored entity again, all at once, with the batch engine (issue 6: the batch
    /// run re-clusters everything): blocking, scoring and clustering over all entities with the
    /// model and settings incremental resolution uses, analysts' decisions handed to the
    /// clustering. Pairs not yet stored are recorded as candidates, or `linked` when a strong
    /// identifier decided, at most [`MAX_CANDIDATES`] new ones per entity, strongest first. A pair
    /// already stored keeps its row exactly as it is, so an analyst's decision is never
    /// overridden: rejected stays rejected, confirmed stays confirmed. This finds what
    /// incremental resolution did not keep: pairs beyond an entity's [`MAX_CANDIDATES`] when it
    /// was recorded, entities whose resolution failed after their write, entities recorded
    /// before resolution existed. Administrators only; audited (`entity.rescan`: one entry per
    /// entity given new matches, one for the run with the counts).
    pub async fn rescan_entities(&self, actor: &Actor) -> Result<RescanReport, AppError> {
        actor.require_admin()?;
        let mut entities = Vec::new();
        let mut page = (i64::MIN, String::new());
        loop {
            let batch = self.store.entities_after(page.0, &page.1, CATCH_UP_BATCH).await?;
            let Some(last) = batch.last() else { break };
            page = (last.created_at, last.id.clone());
            entities.extend(batch);
        }
        let mut report = RescanReport { entities: entities.len(), ..RescanReport::default() };
        let mut entity_of: Vec<String> = Vec::new();
        let mut records = Vec::new();
        for e in &entities {
            if let Some(r) = to_record(e, entity_of.len() as u64) {
                entity_of.push(e.id.clone());
                records.push(r);
            }
        }
        drop(entities);
        report.resolved = records.len();
        let record_of: HashMap<&str, u64> = entity_of.iter().enumerate().map(|(i, id)| (id.as_str(), i as u64)).collect();
        let decisions: Vec<AnalystDecision> = self
            .store
            .decided_entity_matches()
            .await?
            .iter()
            .filter_map(|m| {
                let (a, b) = (*record_of.get(m.entity_a.as_str())?, *record_of.get(m.entity_b.as_str())?);
                match MatchStatus::parse(&m.status)? {
                    MatchStatus::Confirmed => Some(AnalystDecision::Confirm(a, b)),
                    MatchStatus::Rejected => Some(AnalystDecision::Reject(a, b)),
                    _ => None,
                }
            })
            .collect();
        drop(record_of);
        let stored = self.store.entity_match_pairs().await?;
        // Blocking and scoring are CPU work: off the async workers.
        let (result, model) = tokio::task::spawn_blocking(move || {
            let threads = std::thread::available_parallelism().map_or(1, usize::from);
            let settings = Settings { threads, ..settings() };
            let model = model();
            let prepared = PreparedRecord::prepare_all(&records, threads);
            drop(records);
            deduplicate(&prepared, &model, &settings, &decisions).map(|d| (d, model))
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("the batch resolution stopped: {e}")))?
        .map_err(|e| StoreError::Corrupt(format!("the batch resolution refused the entities: {e}")))?;
        report.pairs_compared = result.pairs_compared;
        let mut pairs = result.matches;
        report.found = pairs.len();
        pairs.sort_by(|x, y| y.score.probability.total_cmp(&x.score.probability).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
        let now = self.now_ms();
        let mut new_of: HashMap<u64, usize> = HashMap::new();
        let mut found: Vec<EntityMatch> = Vec::new();
        let mut per_entity: BTreeMap<&str, Vec<serde_json::Value>> = BTreeMap::new();
        for p in &pairs {
            let (x, y) = (entity_of[p.a as usize].as_str(), entity_of[p.b as usize].as_str());
            let (a, b) = if x < y { (x, y) } else { (y, x) };
            if stored.contains(&(a.to_string(), b.to_string())) {
                report.already_stored += 1;
                continue;
            }
            let linked = p.score.decided_by.is_some();
            let full = |r: u64| new_of.get(&r).copied().unwrap_or(0) >= MAX_CANDIDATES;
            if !linked && (full(p.a) || full(p.b)) {
                report.capped += 1;
                continue;
            }
            *new_of.entry(p.a).or_default() += 1;
            *new_of.entry(p.b).or_default() += 1;
            let status = if linked { MatchStatus::Linked } else { MatchStatus::Candidate };
            let m = EntityMatch {
                id: new_id(now),
                entity_a: a.to_string(),
                entity_b: b.to_string(),
                probability: p.score.probability,
                weight: p.score.weight,
                decided_by_field: p.score.decided_by.map(|f| f.name().to_string()),
                explanation: json!(explanation(p, &model)).to_string(),
                status: status.as_str().to_string(),
                found_at: now,
                decided_by: None,
                decided_at: None,
                decision_reason: None,
            };
            per_entity.entry(a).or_default().push(json!({ "match": m.id, "entity": b, "status": m.status }));
            per_entity.entry(b).or_default().push(json!({ "match": m.id, "entity": a, "status": m.status }));
            if linked {
                report.new_linked += 1;
            } else {
                report.new_candidates += 1;
            }
            found.push(m);
        }
        let mut audit: Vec<_> = per_entity
            .into_iter()
            .map(|(entity, ids)| actor.audit(now, "entity.rescan", "entity", entity, "ok", json!({ "matches": ids })))
            .collect();
        audit.push(actor.audit(now, "entity.rescan", "entities", "*", "ok", json!(report)));
        // Matches and their audit entries commit together; a pair recorded meanwhile by incremental resolution keeps its row.
        self.store.insert_entity_matches(&found, &audit).await?;
        Ok(report)
    }

    /// Builds the resolver now (at start), so that the first party recorded does not wait for it.
    pub async fn warm_entity_resolver(&self) -> Result<(), AppError> {
        let mut guard = self.resolver.state.lock().await;
        self.built(&mut guard).await.map(|_| ())
    }

    /// Resolves after a write that already committed: a failure is logged, not returned, since
    /// the record stands; its entities are indexed (unmatched) by the next resolution.
    pub(crate) async fn resolve_after_write(&self, actor: &Actor, recorded: &[String]) {
        if let Err(e) = self.resolve_entities(actor, recorded).await {
            tracing::error!(error = %e, entities = recorded.len(), "entity resolution failed after a write");
        }
    }

    /// The entity as the actor is shown it in full on some case, else `None`; with the first
    /// visible case on which it is withheld from the actor.
    async fn entity_as_seen(
        &self,
        actor: &Actor,
        principals: &[String],
        id: &str,
    ) -> Result<(Option<crate::cases::PartyView>, Option<String>), AppError> {
        let mut withheld_on = None;
        for case_id in self.store.entity_case_ids(id).await? {
            let Some(case) = self.store.case(&case_id).await? else { continue };
            if !may_see(principals, &principals_of_record(&case.owner_unit_id, &case.owner_agency_id, &case.sharing)) {
                continue;
            }
            let view = self.view(actor, &case).await?;
            match view.parties.into_iter().find(|p| p.entity_id.as_deref() == Some(id)) {
                Some(p) => return Ok((Some(p), None)),
                None => {
                    withheld_on.get_or_insert(case_id);
                }
            }
        }
        Ok((None, withheld_on))
    }

    async fn match_view(&self, actor: &Actor, principals: &[String], m: &EntityMatch, of: &str) -> Result<EntityMatchView, AppError> {
        let other = if m.entity_a == of { &m.entity_b } else { &m.entity_a };
        let (seen, withheld_on) = self.entity_as_seen(actor, principals, other).await?;
        Ok(match seen {
            Some(p) => EntityMatchView {
                id: m.id.clone(),
                held_by: p.held_by,
                visible: true,
                entity_id: Some(other.clone()),
                kind: Some(p.kind),
                name: p.name,
                identifiers: p.identifiers,
                status: Some(m.status.clone()),
                probability: Some(m.probability),
                weight: Some((m.weight * 100.0).round() / 100.0),
                decided_by_field: m.decided_by_field.clone(),
                fields: serde_json::from_str(&m.explanation)
                    .map_err(|e| StoreError::Corrupt(format!("explanation of match {}: {e}", m.id)))?,
                access_case_id: None,
                decided_by: m.decided_by.clone(),
                decision_reason: m.decision_reason.clone().filter(|r| !r.is_empty()),
            },
            None => EntityMatchView {
                id: m.id.clone(),
                held_by: self.store.entity_holder(other).await?.unwrap_or_default(),
                visible: false,
                entity_id: None,
                kind: None,
                name: None,
                identifiers: BTreeMap::new(),
                status: None,
                probability: None,
                weight: None,
                decided_by_field: None,
                fields: Vec::new(),
                access_case_id: withheld_on,
                decided_by: None,
                decision_reason: None,
            },
        })
    }

    /// The candidate matches of an entity the actor may see (404 otherwise); audited with what was shown.
    pub async fn entity_matches(&self, actor: &Actor, id: &str) -> Result<Vec<EntityMatchView>, AppError> {
        self.entity(actor, id).await?;
        let principals = self.principals(actor).await?;
        let mut out = Vec::new();
        for m in self.store.entity_matches_of(id).await? {
            out.push(self.match_view(actor, &principals, &m, id).await?);
        }
        let shown: Vec<&str> = out.iter().filter(|v| v.visible).map(|v| v.id.as_str()).collect();
        let hidden: Vec<&str> = out.iter().filter(|v| !v.visible).map(|v| v.id.as_str()).collect();
        let audit = actor.audit(self.now_ms(), "entity.matches", "entity", id, "ok", json!({ "shown": shown, "hidden": hidden }));
        self.store.audit(&[audit]).await?;
        Ok(out)
    }

    /// Confirms, rejects or splits a match; the actor must be a case worker who sees both entities
    /// (otherwise the match is "not found"). A rejection is final and is respected by every later resolution.
    pub async fn decide_entity_match(&self, actor: &Actor, id: &str, input: MatchDecisionInput) -> Result<EntityMatchView, AppError> {
        Self::require_case_worker(actor)?;
        let decision =
            MatchDecision::parse(input.decision.trim()).ok_or_else(|| Invalid::new("decision", "one of confirm, reject, split"))?;
        let reason = input.reason.trim();
        if reason.chars().count() > 2_000 {
            return Err(Invalid::new("reason", "at most 2000 characters").into());
        }
        let now = self.now_ms();
        let principals = self.principals(actor).await?;
        let Some(m) = self.store.entity_match(id).await? else { return Err(AppError::NotFound("entity match")) };
        for side in [&m.entity_a, &m.entity_b] {
            if self.entity_as_seen(actor, &principals, side).await?.0.is_none() {
                self.store.audit(&[actor.audit(now, "entity_match.decide", "entity_match", id, "denied", json!({}))]).await?;
                return Err(AppError::NotFound("entity match"));
            }
        }
        let from = MatchStatus::parse(&m.status).ok_or_else(|| StoreError::Corrupt(format!("status of match {id}: {:?}", m.status)))?;
        let to = decide(from, decision).map_err(|refused| Invalid::new("decision", refused.to_string()))?;
        let audit = actor.audit(
            now,
            "entity_match.decide",
            "entity_match",
            id,
            "ok",
            json!({ "decision": decision.as_str(), "from": from.as_str(), "to": to.as_str(), "entities": [m.entity_a, m.entity_b] }),
        );
        self.store.decide_entity_match(id, (from.as_str(), to.as_str()), (&actor.user.id, now), reason, &[audit]).await.map_err(
            |e| match e {
                StoreError::Stale => AppError::Stale,
                other => other.into(),
            },
        )?;
        let decided = EntityMatch {
            status: to.as_str().to_string(),
            decided_by: Some(actor.user.id.clone()),
            decided_at: Some(now),
            decision_reason: Some(reason.to_string()),
            ..m
        };
        if let Some(state) = self.resolver.state.lock().await.as_mut() {
            state.decide(&decided);
        }
        self.match_view(actor, &principals, &decided, &decided.entity_a).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(id: &str, kind: &str, name: &str, identifiers: &[(&str, &str)]) -> StoredEntity {
        StoredEntity {
            id: id.into(),
            kind: kind.into(),
            name: name.into(),
            identifiers: identifiers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            held_by: "customs-vn".into(),
            created_at: 0,
        }
    }

    #[test]
    fn the_same_name_is_a_weak_candidate_and_a_cccd_links() {
        let mut s = State::new();
        assert!(s.add(&stored("e1", "person", "Nguyễn Văn An", &[("cccd", "001090012345")])).is_empty());
        let same_name = s.add(&stored("e2", "person", "AN NGUYEN VAN", &[]));
        assert_eq!(same_name.len(), 1);
        assert!(same_name[0].score.probability >= CANDIDATE_THRESHOLD && same_name[0].score.probability < 0.9, "{:?}", same_name[0].score);
        assert_eq!(same_name[0].score.decided_by, None);
        let by_cccd = s.add(&stored("e3", "person", "Nguyen V. An", &[("cccd", "001 090 012 345")]));
        assert!(by_cccd.iter().any(|p| p.b == 0 && p.score.decided_by == Some(cordon_match::Field::Cccd)));
        assert!(s.add(&stored("e4", "person", "Trần Thị Bình", &[])).is_empty());
        // Phones and accounts are identifiers themselves, not resolved as entities.
        assert!(s.add(&stored("e5", "phone", "0912345678", &[])).is_empty());
        assert_eq!(s.newest, 0);
    }

    #[test]
    fn explanations_list_the_fields_both_sides_have() {
        let mut s = State::new();
        s.add(&stored("e1", "person", "Nguyễn Văn An", &[("phone", "0168 123 4567")]));
        let pairs = s.add(&stored("e2", "person", "An Nguyen Van", &[("phone", "038 123 4567")]));
        let why = explanation(&pairs[0], s.resolver.model());
        let names: Vec<&str> = why.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["phone", "person name"]);
        assert!(why.iter().all(|f| f.agreement == "exact" && f.weight > 0.0));
    }
}
