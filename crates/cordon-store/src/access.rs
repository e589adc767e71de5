//! Access requests: asked, listed, decided once.

use cordon_core::access::{AccessRequest, AccessRequestStatus};
use cordon_core::audit::AuditEntry;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::backend::Store;
use crate::StoreError;

fn request_row(r: &AnyRow) -> Result<AccessRequest, StoreError> {
    let status: String = r.try_get("status")?;
    Ok(AccessRequest {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        owner_agency_id: r.try_get("owner_agency_id")?,
        requester_user_id: r.try_get("requester_user_id")?,
        requester_unit_id: r.try_get("requester_unit_id")?,
        requester_agency_id: r.try_get("requester_agency_id")?,
        reason: r.try_get("reason")?,
        status: AccessRequestStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("access request status {status:?}")))?,
        created_at: r.try_get("created_at")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        decision_reason: r.try_get("decision_reason")?,
    })
}

impl Store {
    /// Records a request with its audit entries; `Conflict` if the agency already has one pending on the case.
    pub async fn insert_access_request(&self, a: &AccessRequest, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let pending = sqlx::query(
            &self.sql("SELECT COUNT(*) AS n FROM access_requests WHERE case_id = $1 AND requester_agency_id = $2 AND status = 'pending'"),
        )
        .bind(a.case_id.clone())
        .bind(a.requester_agency_id.clone())
        .fetch_one(&mut *tx)
        .await?;
        if pending.try_get::<i64, _>("n")? > 0 {
            return Err(StoreError::Conflict { what: "a pending access request from your agency on this case" });
        }
        sqlx::query(&self.sql(
            "INSERT INTO access_requests (id, case_id, owner_agency_id, requester_user_id, requester_unit_id, requester_agency_id, \
             reason, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        ))
        .bind(a.id.clone())
        .bind(a.case_id.clone())
        .bind(a.owner_agency_id.clone())
        .bind(a.requester_user_id.clone())
        .bind(a.requester_unit_id.clone())
        .bind(a.requester_agency_id.clone())
        .bind(a.reason.clone())
        .bind(a.status.as_str())
        .bind(a.created_at)
        .execute(&mut *tx)
        .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One request.
    pub async fn access_request(&self, id: &str) -> Result<Option<AccessRequest>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT * FROM access_requests WHERE id = $1")).bind(id).fetch_optional(&self.read).await?;
        row.as_ref().map(request_row).transpose()
    }

    /// Requests an agency made or must decide, newest first.
    pub async fn access_requests_of_agency(&self, agency: &str) -> Result<Vec<AccessRequest>, StoreError> {
        let rows = sqlx::query(&self.sql(
            "SELECT * FROM access_requests WHERE owner_agency_id = $1 OR requester_agency_id = $1 ORDER BY created_at DESC, id LIMIT 500",
        ))
        .bind(agency)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(request_row).collect()
    }

    /// Decides a pending request; `Stale` if it was decided already.
    pub async fn decide_access_request(
        &self,
        id: &str,
        status: AccessRequestStatus,
        by: &str,
        at: i64,
        reason: &str,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(&self.sql(
            "UPDATE access_requests SET status = $1, decided_by = $2, decided_at = $3, decision_reason = $4 \
             WHERE id = $5 AND status = 'pending'",
        ))
        .bind(status.as_str())
        .bind(by)
        .bind(at)
        .bind(reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The granted request under which `agency` may see the personal parties of a case, if any.
    pub async fn access_granted(&self, case_id: &str, agency: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(&self.sql(
            "SELECT id FROM access_requests WHERE case_id = $1 AND requester_agency_id = $2 AND status = 'granted' ORDER BY decided_at LIMIT 1",
        ))
        .bind(case_id)
        .bind(agency)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }
}
