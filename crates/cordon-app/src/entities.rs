//! An entity as one caller may see it: its identifiers, the cases it is in, and the
//! entities it appears with — built only from the case views the caller is shown, so a
//! withheld or narrowly shared party never surfaces here either.

use std::collections::BTreeMap;

use cordon_core::sharing::{may_see, principals_of_record};
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

impl App {
    /// An entity the actor may see in at least one case (404 otherwise, as for a case); audited.
    pub async fn entity(&self, actor: &Actor, id: &str) -> Result<EntityView, AppError> {
        actor.require_active()?;
        let now = self.now_ms();
        let principals = self.principals(actor).await?;
        let mut found: Option<EntityView> = None;
        let mut links: BTreeMap<String, EntityLink> = BTreeMap::new();
        for case_id in self.store.entity_case_ids(id).await? {
            let Some(case) = self.store.case(&case_id).await? else { continue };
            if !may_see(&principals, &principals_of_record(&case.owner_unit_id, &case.owner_agency_id, &case.sharing)) {
                continue;
            }
            let view = self.view(actor, &case).await?;
            // Only a party the caller is shown in full counts: withheld ones carry no entity id.
            let Some(party) = view.parties.iter().find(|p| p.entity_id.as_deref() == Some(id)) else { continue };
            let entity = found.get_or_insert_with(|| EntityView {
                id: id.to_string(),
                kind: party.kind.clone(),
                name: party.name.clone().unwrap_or_default(),
                identifiers: party.identifiers.clone(),
                held_by: party.held_by.clone(),
                cases: Vec::new(),
                links: Vec::new(),
            });
            entity.cases.push(EntityCase {
                id: view.id.clone(),
                reference: view.reference.clone(),
                title: view.title.clone(),
                case_type: view.case_type.clone(),
                detected_at: view.detected_at,
                role: party.role.clone(),
            });
            for other in view.parties.iter().filter(|p| p.entity_id.as_deref().is_some_and(|e| e != id)) {
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
        let Some(mut entity) = found else {
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
