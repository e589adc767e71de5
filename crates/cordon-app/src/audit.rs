//! Reading and verifying the audit log.

use cordon_core::audit::{checkpoint_signature_valid, sign_checkpoint, ChainBreak, ChainedEntry, SignedCheckpoint};
use cordon_store::{AuditQuery, StoreError};
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

    /// Signs the current head of the log if entries were added since the last checkpoint.
    pub async fn checkpoint_audit(&self) -> Result<Option<SignedCheckpoint>, AppError> {
        let Some(head) = self.store.audit_head().await? else { return Ok(None) };
        let last = self.store.checkpoints().await?.last().map_or(0, |c| c.checkpoint.seq);
        if head.seq <= last {
            return Ok(None);
        }
        let signed = sign_checkpoint(&self.audit_key, head, self.now_ms());
        self.store.insert_checkpoint(&signed).await?;
        Ok(Some(signed))
    }

    /// Re-checks the whole log end to end: the hash chain, every checkpoint's signature by
    /// this node's key, and that the log still reaches and agrees with every checkpoint.
    pub async fn verify_audit(&self) -> Result<AuditReport, AppError> {
        let key = self.audit_key.verifying_key();
        let signed = self.store.checkpoints().await?;
        for s in &signed {
            if !checkpoint_signature_valid(&key, s) {
                let reason = "its checkpoint's signature does not verify with this node's key";
                return Err(AppError::Store(StoreError::AuditBroken(ChainBreak { seq: s.checkpoint.seq, reason })));
            }
        }
        let checkpoints: Vec<_> = signed.iter().map(|s| s.checkpoint.clone()).collect();
        let (entries, head) = self.store.verify_audit(&checkpoints).await?;
        Ok(AuditReport { entries, head, checkpoints: signed.len(), key_id: hex::encode(key.as_bytes()) })
    }

    /// The signed checkpoints and the public key that verifies them (auditors).
    pub async fn audit_checkpoints(&self, actor: &Actor) -> Result<(String, Vec<SignedCheckpoint>), AppError> {
        actor.require_auditor()?;
        Ok((hex::encode(self.audit_key.verifying_key().as_bytes()), self.store.checkpoints().await?))
    }
}

/// The outcome of a full verification of the audit log.
#[derive(Debug, Clone)]
pub struct AuditReport {
    /// Entries verified.
    pub entries: i64,
    /// Hash of the last entry.
    pub head: String,
    /// Signed checkpoints verified.
    pub checkpoints: usize,
    /// This node's public key, hex.
    pub key_id: String,
}
