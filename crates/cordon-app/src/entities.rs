//! An entity as one caller may see it: its identifiers, the cases it is in, and the
//! entities it appears with — built only from the case views the caller is shown, so a
//! withheld or narrowly shared party never surfaces here either.

use std::collections::BTreeMap;

use cordon_core::entity_match::MatchStatus;
use serde::Serialize;
use serde_json::json;

use crate::{Actor, App, AppError};

/// A case an entity is in, as listed on the entity.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntityCase {
    /// Case id.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Title.
    pub title: String,
    /// Violation type.
    pub case_type: String,
    /// Detected, ms.
    pub detected_at: i64,
    /// The entity's role in it.
    pub role: String,
}

/// Another entity seen in the same cases.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntityLink {
    /// Its id.
    pub entity_id: String,
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
    /// In how many of the cases together.
    pub cases_together: usize,
}

/// An entity with its cases and links.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntityView {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Identifiers by scheme.
    pub identifiers: BTreeMap<String, String>,
    /// The agency that recorded it.
    pub held_by: String,
    /// The cases it is in, that the caller may see.
    pub cases: Vec<EntityCase>,
    /// The entities it appears with, most shared cases first.
    pub links: Vec<EntityLink>,
}

/// The most records one resolved entity gathers; a cluster larger than this is an analyst's
/// problem to split, not a page to draw.
const MAX_CLUSTER: usize = 64;

impl App {
    /// The entity and every record entity resolution joined to it (a match linked by a strong
    /// identifier or confirmed by an analyst, transitively): one person, however many records.
    /// A split or rejected match joins nothing.
    pub(crate) async fn same_entity(&self, id: &str) -> Result<Vec<String>, AppError> {
        let mut cluster = vec![id.to_string()];
        let mut i = 0;
        while i < cluster.len() && cluster.len() < MAX_CLUSTER {
            for m in self.store.entity_matches_of(&cluster[i]).await? {
                if !MatchStatus::parse(&m.status).is_some_and(MatchStatus::joins) {
                    continue;
                }
                for other in [m.entity_a, m.entity_b] {
                    if !cluster.contains(&other) {
                        cluster.push(other);
                    }
                }
            }
            i += 1;
        }
        Ok(cluster)
    }

    /// An entity the actor may see in at least one case (404 otherwise, as for a case), with
    /// the cases of the records resolution joined to it; audited.
    pub async fn entity(&self, actor: &Actor, id: &str) -> Result<EntityView, AppError> {
        actor.require_active()?;
        let now = self.now_ms();
        let principals = self.principals(actor).await?;
        let mut found: Option<EntityView> = None;
        let mut links: BTreeMap<String, EntityLink> = BTreeMap::new();
        let same = self.same_entity(id).await?;
        let mut case_ids = Vec::new();
        for member in &same {
            for c in self.store.entity_case_ids(member).await? {
                if !case_ids.contains(&c) {
                    case_ids.push(c);
                }
            }
        }
        let mut seen_itself = false;
        for case_id in case_ids {
            let Some(case) = self.store.case(&case_id).await? else { continue };
            if !case.visible_to(&principals) {
                continue;
            }
            let view = self.view(actor, &case).await?;
            // Only a party the caller is shown in full counts: withheld ones carry no entity id.
            let Some(party) = view.parties.iter().find(|p| p.entity_id.as_deref().is_some_and(|e| same.iter().any(|s| s == e))) else {
                continue;
            };
            let entity = found.get_or_insert_with(|| EntityView {
                id: id.to_string(),
                kind: party.kind.clone(),
                name: party.name.clone().unwrap_or_default(),
                identifiers: party.identifiers.clone(),
                held_by: party.held_by.clone(),
                cases: Vec::new(),
                links: Vec::new(),
            });
            if party.entity_id.as_deref() == Some(id) {
                // The record asked for speaks for itself; a joined one only fills in until it is seen.
                seen_itself = true;
                entity.kind.clone_from(&party.kind);
                entity.name = party.name.clone().unwrap_or_default();
                entity.identifiers.clone_from(&party.identifiers);
                entity.held_by.clone_from(&party.held_by);
            }
            entity.cases.push(EntityCase {
                id: view.id.clone(),
                reference: view.reference.clone(),
                title: view.title.clone(),
                case_type: view.case_type.clone(),
                detected_at: view.detected_at,
                role: party.role.clone(),
            });
            for other in view.parties.iter().filter(|p| p.entity_id.as_deref().is_some_and(|e| !same.iter().any(|s| s == e))) {
                let Some(other_id) = other.entity_id.clone() else { continue };
                links
                    .entry(other_id.clone())
                    .or_insert_with(|| EntityLink {
                        entity_id: other_id,
                        kind: other.kind.clone(),
                        name: other.name.clone().unwrap_or_default(),
                        cases_together: 0,
                    })
                    .cases_together += 1;
            }
        }
        // Only a record the caller is shown opens the page: asking for an unseen one's id must
        // not reveal what it was joined to.
        let Some(mut entity) = found.filter(|_| seen_itself) else {
            self.store.audit(&[actor.audit(now, "entity.read", "entity", id, "denied", json!({}))]).await?;
            return Err(AppError::NotFound("entity"));
        };
        let mut links: Vec<EntityLink> = links.into_values().collect();
        links.sort_by(|a, b| b.cases_together.cmp(&a.cases_together).then_with(|| a.name.cmp(&b.name)));
        entity.links = links;
        let cases: Vec<&str> = entity.cases.iter().map(|c| c.id.as_str()).collect();
        self.store.audit(&[actor.audit(now, "entity.read", "entity", id, "ok", json!({ "cases": cases }))]).await?;
        Ok(entity)
    }
}
