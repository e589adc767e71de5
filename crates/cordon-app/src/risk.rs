//! Risk profiles: scores for businesses, persons and other parties, products (HS headings),
//! routes, provinces and border gates, from the history the caller may see, each explained by
//! its factors. Computed on read, so a new case counts in the next answer; the list, highest
//! first, is the watchlist.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cordon_analytics::period::{vn_day, vn_day_start, DAY_MS};
use cordon_analytics::risk::{role_weight, score, CaseFact, RiskScore, HALF_LIFE_DAYS};
use cordon_core::case::EntityKind;
use cordon_core::reference::reference;
use cordon_core::Invalid;
use cordon_store::{PartyFact, RiskSubject};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Actor, App, AppError};

/// How scores are made, as the answer states it.
pub const RISK_METHOD: &str = "Points: 10 per case weighted by role (suspect/owner 1, driver/seller 0.8, consignee/shipper 0.7, \
    witness 0) and halved every 365 days of age; 5 per tenfold of the goods' value in million VND; 15 more per case transferred \
    for criminal investigation or prosecuted; 8 per known offender met in the same cases (at most 5). Score = 100·(1 − e^(−points/50)). \
    A known offender is a party that was suspect, owner or driver in a transferred or prosecuted case, or in two cases or more.";

/// What to score.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskQuery {
    /// `company`, `person`, `vehicle`, `vessel`, `phone`, `bank_account`, `seller_account`,
    /// `product` (HS heading), `route`, `area` (province) or `border_gate`.
    pub subject: String,
    /// History from, ms.
    pub since: i64,
    /// Only this subject (entity id, heading, route, province or border gate code).
    pub key: Option<String>,
    /// How many, highest first, 1–500 (default 50).
    pub limit: Option<u32>,
}

/// A factor's part in a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskFactorView {
    /// `cases`, `value`, `serious` or `linked_offenders`.
    pub factor: String,
    /// The measure behind it (recency-weighted cases, VND, recency-weighted serious cases, offenders met).
    pub measure: f64,
    /// Points contributed.
    pub points: f64,
    /// Its share of the score.
    pub share: f64,
}

/// A known offender met in the same cases.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkedOffenderView {
    /// The entity.
    pub entity_id: String,
    /// Its kind.
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// One subject's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskItemView {
    /// Entity id, heading, route, province or border gate code.
    pub key: String,
    /// Name.
    pub label: Option<String>,
    /// 0–100.
    pub score: f64,
    /// Cases in the history.
    pub cases: i64,
    /// Latest case's day, ms.
    pub last_seen: Option<i64>,
    /// What made the score.
    pub factors: Vec<RiskFactorView>,
    /// Known offenders met in the same cases (parties only; at most 10 listed).
    pub linked_offenders: Vec<LinkedOffenderView>,
}

/// Scores, highest first: a watchlist.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskListView {
    /// What was scored.
    pub subject: String,
    /// As of, ms.
    pub as_of: i64,
    /// History from, ms.
    pub since: i64,
    /// How scores are made.
    pub method: String,
    /// The scores.
    pub items: Vec<RiskItemView>,
}

fn view(key: String, label: Option<String>, s: RiskScore, linked: Vec<LinkedOffenderView>) -> RiskItemView {
    RiskItemView {
        key,
        label,
        score: s.score,
        cases: s.cases as i64,
        last_seen: s.last_day.map(vn_day_start),
        factors: s
            .factors
            .into_iter()
            .map(|f| RiskFactorView { factor: f.name.into(), measure: f.measure, points: f.points, share: f.share })
            .collect(),
        linked_offenders: linked,
    }
}

/// Parties that were suspect, owner or driver in a serious case, or in two cases or more.
fn known_offenders(facts: &[PartyFact]) -> BTreeSet<&str> {
    let mut cases: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut out = BTreeSet::new();
    for f in facts.iter().filter(|f| role_weight(&f.role) >= 0.8) {
        if f.serious {
            out.insert(f.entity_id.as_str());
        }
        cases.entry(&f.entity_id).or_default().insert(&f.case_id);
    }
    out.extend(cases.into_iter().filter(|(_, c)| c.len() >= 2).map(|(e, _)| e));
    out
}

impl App {
    /// Risk scores of one kind of subject over the history the actor may see, highest first.
    pub async fn risk(&self, actor: &Actor, q: RiskQuery) -> Result<RiskListView, AppError> {
        actor.require_active()?;
        let now = self.now_ms();
        let limit = q.limit.unwrap_or(50);
        if !(1..=500).contains(&limit) {
            return Err(Invalid::new("limit", "1 to 500").into());
        }
        if q.since >= now || now - q.since > 20 * 366 * DAY_MS {
            return Err(Invalid::new("since", "a time in the last 20 years").into());
        }
        let key = q.key.as_deref().map(str::trim).filter(|k| !k.is_empty());
        let today = vn_day(now);
        let principals = self.principals(actor).await?;
        let mut items = match q.subject.as_str() {
            kind if EntityKind::parse(kind).is_some() => {
                let personal: Vec<&str> = EntityKind::ALL.iter().filter(|k| k.is_personal()).map(|k| k.as_str()).collect();
                let facts = self.store.risk_party_facts(&principals, &actor.agency_id, &personal, q.since).await?;
                let offenders = known_offenders(&facts);
                let mut by_case: HashMap<&str, Vec<&PartyFact>> = HashMap::new();
                for f in &facts {
                    by_case.entry(&f.case_id).or_default().push(f);
                }
                let mut subjects: BTreeMap<&str, Vec<&PartyFact>> = BTreeMap::new();
                for f in facts.iter().filter(|f| f.kind == kind && key.is_none_or(|k| k == f.entity_id)) {
                    subjects.entry(&f.entity_id).or_default().push(f);
                }
                subjects
                    .into_iter()
                    .map(|(id, mine)| {
                        let mut met: BTreeMap<&str, &PartyFact> = BTreeMap::new();
                        for f in &mine {
                            for other in &by_case[f.case_id.as_str()] {
                                if other.entity_id != id && offenders.contains(other.entity_id.as_str()) {
                                    met.entry(&other.entity_id).or_insert(other);
                                }
                            }
                        }
                        // One fact per case: a party in two roles counts once, at its heavier role.
                        let mut per_case: BTreeMap<&str, CaseFact> = BTreeMap::new();
                        for f in &mine {
                            let fact =
                                CaseFact { day: f.day, value_vnd: f.value_vnd, role_weight: role_weight(&f.role), serious: f.serious };
                            per_case.entry(&f.case_id).and_modify(|c| c.role_weight = c.role_weight.max(fact.role_weight)).or_insert(fact);
                        }
                        let cases: Vec<CaseFact> = per_case.into_values().collect();
                        let linked = met
                            .values()
                            .take(10)
                            .map(|o| LinkedOffenderView { entity_id: o.entity_id.clone(), kind: o.kind.clone(), name: o.name.clone() })
                            .collect();
                        view(id.to_string(), Some(mine[0].name.clone()), score(&cases, met.len(), today, HALF_LIFE_DAYS), linked)
                    })
                    .collect::<Vec<_>>()
            }
            other => {
                let subject =
                    match other {
                        "product" => RiskSubject::Product,
                        "route" => RiskSubject::Route,
                        "area" => RiskSubject::Area,
                        "border_gate" => RiskSubject::BorderGate,
                        _ => return Err(Invalid::new(
                            "subject",
                            "company, person, vehicle, vessel, phone, bank_account, seller_account, product, route, area or border_gate",
                        )
                        .into()),
                    };
                let facts = self.store.risk_key_facts(&principals, subject, q.since).await?;
                let mut subjects: BTreeMap<String, Vec<CaseFact>> = BTreeMap::new();
                for f in facts.into_iter().filter(|f| key.is_none_or(|k| k == f.key)) {
                    let list = subjects.entry(f.key).or_default();
                    // A day's cases share the day's value evenly; the serious ones are the first.
                    for i in 0..f.cases {
                        let share = f.value_vnd / f.cases.max(1) + if i == 0 { f.value_vnd % f.cases.max(1) } else { 0 };
                        list.push(CaseFact { day: f.day, value_vnd: share, role_weight: 1.0, serious: i < f.serious });
                    }
                }
                let r = reference();
                subjects
                    .into_iter()
                    .map(|(k, cases)| {
                        let label = match subject {
                            RiskSubject::Product => r.hs_chapter(k.get(..2).unwrap_or("")).map(|c| c.title_en.to_string()),
                            RiskSubject::Area => r.province(&k).map(|p| p.name_vi.to_string()),
                            RiskSubject::BorderGate => r.port(&k).map(|p| p.name_vi.to_string()),
                            RiskSubject::Route => None,
                        };
                        view(k, label, score(&cases, 0, today, HALF_LIFE_DAYS), Vec::new())
                    })
                    .collect()
            }
        };
        items.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
        items.truncate(limit as usize);
        let keys: Vec<&str> = items.iter().map(|i| i.key.as_str()).collect();
        self.store.audit(&[actor.audit(now, "risk.read", "risk", &q.subject, "ok", json!({ "since": q.since, "keys": keys }))]).await?;
        Ok(RiskListView { subject: q.subject, as_of: now, since: q.since, method: RISK_METHOD.into(), items })
    }
}
