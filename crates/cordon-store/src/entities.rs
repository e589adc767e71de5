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
}
