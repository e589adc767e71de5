//! Reading and verifying the audit log.

use cordon_core::audit::ChainedEntry;
use cordon_store::AuditQuery;
use serde_json::json;

use crate::{Actor, App, AppError};

impl App {
    /// Audit entries matching `q` (auditors); the look-up is itself audited.
    pub async fn audit_entries(&self, actor: &Actor, q: AuditQuery) -> Result<Vec<ChainedEntry>, AppError> {
        let now = self.now_ms();
        if let Err(e) = actor.require_auditor() {
            self.store.audit(&[actor.audit(now, "audit.read", "audit_log", "*", "denied", json!({}))]).await?;
            return Err(e);
        }
        let detail = json!({
            "actor_user_id": q.actor_user_id, "object_type": q.object_type, "object_id": q.object_id,
            "since": q.since, "until": q.until,
        });
        self.store.audit(&[actor.audit(now, "audit.read", "audit_log", "*", "ok", detail)]).await?;
        Ok(self.store.audit_entries(&q).await?)
    }

    /// Re-checks the whole log; returns the count verified and the head hash.
    pub async fn verify_audit(&self) -> Result<(i64, String), AppError> {
        Ok(self.store.verify_audit().await?)
    }
}
