//! Candidate matches between entities, and analysts' decisions on them.

use cordon_core::audit::AuditEntry;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::backend::Store;
use crate::cases::json_list;
use crate::StoreError;

/// An entity as recorded, for resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntity {
    /// Id.
    pub id: String,
    /// Kind code (`person`, `company`…).
    pub kind: String,
    /// Name as written.
    pub name: String,
    /// Identifiers as `scheme=value`.
    pub identifiers: Vec<(String, String)>,
    /// The agency that recorded it.
    pub held_by: String,
    /// Recorded, ms.
    pub created_at: i64,
}

/// A candidate match between two entities (`entity_a` < `entity_b`) with its explanation and status.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityMatch {
    /// Id.
    pub id: String,
    /// One entity (the smaller id).
    pub entity_a: String,
    /// The other.
    pub entity_b: String,
    /// Match probability when found.
    pub probability: f64,
    /// Match weight in bits.
    pub weight: f64,
    /// The strong identifier that decided it, if one did.
    pub decided_by_field: Option<String>,
    /// Per-field explanation, JSON.
    pub explanation: String,
    /// Status code (`candidate`, `linked`, `confirmed`, `rejected`).
    pub status: String,
    /// Found, ms.
    pub found_at: i64,
    /// The analyst who decided.
    pub decided_by: Option<String>,
    /// Decided, ms.
    pub decided_at: Option<i64>,
    /// Why.
    pub decision_reason: Option<String>,
}

fn entity_row(r: &AnyRow) -> Result<StoredEntity, StoreError> {
    let identifiers: String = r.try_get("identifiers")?;
    Ok(StoredEntity {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        identifiers: json_list(&identifiers)
            .into_iter()
            .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
            .collect(),
        held_by: r.try_get("created_by_agency")?,
        created_at: r.try_get("created_at")?,
    })
}

fn match_row(r: &AnyRow) -> Result<EntityMatch, StoreError> {
    Ok(EntityMatch {
        id: r.try_get("id")?,
        entity_a: r.try_get("entity_a")?,
        entity_b: r.try_get("entity_b")?,
        probability: r.try_get("probability")?,
        weight: r.try_get("weight")?,
        decided_by_field: r.try_get("decided_by_field")?,
        explanation: r.try_get("explanation")?,
        status: r.try_get("status")?,
        found_at: r.try_get("found_at")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        decision_reason: r.try_get("decision_reason")?,
    })
}

impl Store {
    /// Entities recorded after `(created_at, id)`, in that order, at most `limit`.
    pub async fn entities_after(&self, created_at: i64, id: &str, limit: i64) -> Result<Vec<StoredEntity>, StoreError> {
        let rows = sqlx::query(&self.sql(
            "SELECT id, kind, name, identifiers, created_by_agency, created_at FROM entities \
             WHERE created_at > $1 OR (created_at = $1 AND id > $2) ORDER BY created_at, id LIMIT $3",
        ))
        .bind(created_at)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(entity_row).collect()
    }

    /// The agency that recorded an entity.
    pub async fn entity_holder(&self, id: &str) -> Result<Option<String>, StoreError> {
        let row =
            sqlx::query(&self.sql("SELECT created_by_agency FROM entities WHERE id = $1")).bind(id).fetch_optional(&self.read).await?;
        Ok(row.map(|r| r.try_get("created_by_agency")).transpose()?)
    }

    /// Records matches found; a pair already recorded keeps its row (and so any analyst's decision on it).
    pub async fn insert_entity_matches(&self, matches: &[EntityMatch], audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        for m in matches {
            sqlx::query(&self.sql(
                "INSERT INTO entity_matches (id, entity_a, entity_b, probability, weight, decided_by_field, explanation, status, found_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (entity_a, entity_b) DO NOTHING",
            ))
            .bind(m.id.clone())
            .bind(m.entity_a.clone())
            .bind(m.entity_b.clone())
            .bind(m.probability)
            .bind(m.weight)
            .bind(m.decided_by_field.clone())
            .bind(m.explanation.clone())
            .bind(m.status.clone())
            .bind(m.found_at)
            .execute(&mut *tx)
            .await?;
        }
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The matches an entity is in, strongest first.
    pub async fn entity_matches_of(&self, entity_id: &str) -> Result<Vec<EntityMatch>, StoreError> {
        let rows = sqlx::query(
            &self.sql("SELECT * FROM entity_matches WHERE entity_a = $1 OR entity_b = $1 ORDER BY probability DESC, id LIMIT 200"),
        )
        .bind(entity_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(match_row).collect()
    }

    /// One match.
    pub async fn entity_match(&self, id: &str) -> Result<Option<EntityMatch>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT * FROM entity_matches WHERE id = $1")).bind(id).fetch_optional(&self.read).await?;
        row.as_ref().map(match_row).transpose()
    }

    /// Every stored pair `(entity_a, entity_b)`, whatever its status: a store-wide batch run
    /// leaves these rows (and any analyst's decision on them) as they are.
    pub async fn entity_match_pairs(&self) -> Result<std::collections::HashSet<(String, String)>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT entity_a, entity_b FROM entity_matches")).fetch_all(&self.read).await?;
        rows.iter().map(|r| Ok((r.try_get("entity_a")?, r.try_get("entity_b")?))).collect()
    }

    /// Every match an analyst decided, for resolution to respect.
    pub async fn decided_entity_matches(&self) -> Result<Vec<EntityMatch>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT * FROM entity_matches WHERE decided_at IS NOT NULL ORDER BY decided_at, id"))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(match_row).collect()
    }

    /// Records an analyst's decision if the match is still in status `from`; `Stale` otherwise.
    pub async fn decide_entity_match(
        &self,
        id: &str,
        (from, to): (&str, &str),
        (by, at): (&str, i64),
        reason: &str,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(&self.sql(
            "UPDATE entity_matches SET status = $1, decided_by = $2, decided_at = $3, decision_reason = $4 WHERE id = $5 AND status = $6",
        ))
        .bind(to)
        .bind(by)
        .bind(at)
        .bind(reason)
        .bind(id)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
