//! Entities (persons, companies, vehicles…) and the cases they are linked to.

use sqlx::Row;

use crate::backend::Store;
use crate::StoreError;

impl Store {
    /// The cases an entity is linked to, newest link first (the app decides which the caller may see).
    pub async fn entity_case_ids(&self, entity_id: &str) -> Result<Vec<String>, StoreError> {
        let rows =
            sqlx::query(&self.sql(
                "SELECT case_id, MAX(added_at) AS at FROM case_parties WHERE entity_id = $1 GROUP BY case_id ORDER BY at DESC LIMIT 500",
            ))
            .bind(entity_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("case_id")?)).collect()
    }

    /// Entities carrying any of these identifiers (`scheme=value`, as stored), with the agency
    /// that recorded each: (entity id, holding agency).
    pub async fn entities_with_identifiers(&self, identifiers: &[String]) -> Result<Vec<(String, String)>, StoreError> {
        let mut out: Vec<(String, String)> = Vec::new();
        for ident in identifiers.iter().take(20) {
            // Identifiers are stored as a JSON list of strings; the quotes anchor the whole item.
            let pattern = format!("%{}%", serde_json::Value::from(ident.as_str()));
            let rows = sqlx::query(&self.sql("SELECT id, created_by_agency FROM entities WHERE identifiers LIKE $1 ORDER BY id LIMIT 20"))
                .bind(pattern)
                .fetch_all(&self.read)
                .await?;
            for r in &rows {
                let row = (r.try_get("id")?, r.try_get("created_by_agency")?);
                if !out.contains(&row) {
                    out.push(row);
                }
            }
        }
        Ok(out)
    }
}
