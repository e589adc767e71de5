//! The audit log for auditors: who did what to which object, when, from which unit.

use axum::extract::State;
use cordon_store::AuditQuery;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Query};
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(audit_log)).routes(routes!(checkpoints))
}

/// Which entries to return; every given filter must match.
#[derive(Deserialize, IntoParams)]
pub struct AuditFilter {
    /// Acting user id.
    actor_user_id: Option<String>,
    /// Object kind (`user`, `case`, `person`, …).
    object_type: Option<String>,
    /// Object id.
    object_id: Option<String>,
    /// From, ms since epoch.
    since: Option<i64>,
    /// Until (exclusive), ms since epoch.
    until: Option<i64>,
    /// Cursor: entries after this sequence number.
    after: Option<i64>,
    /// Page size, 1–1000 (default 100).
    limit: Option<i64>,
}

/// One audit entry with its place in the hash chain.
#[derive(Serialize, ToSchema)]
pub struct AuditEntryView {
    seq: i64,
    at: i64,
    actor_user_id: Option<String>,
    actor_unit_id: Option<String>,
    action: String,
    object_type: String,
    object_id: String,
    outcome: String,
    /// JSON detail.
    detail: serde_json::Value,
    prev_hash: String,
    hash: String,
}

/// Audit entries (auditors): "who accessed this person, from which unit, when" is one call.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<AuditEntryView>), (status = 403, body = crate::problem::Problem)))]
async fn audit_log(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(f): Query<AuditFilter>,
) -> Result<axum::Json<Vec<AuditEntryView>>, ApiError> {
    let q = AuditQuery {
        actor_user_id: f.actor_user_id,
        object_type: f.object_type,
        object_id: f.object_id,
        since: f.since,
        until: f.until,
        after_seq: f.after,
        limit: f.limit.unwrap_or(100).clamp(1, 1000),
    };
    let entries = s.app.audit_entries(&actor, q).await?;
    Ok(axum::Json(
        entries
            .into_iter()
            .map(|c| AuditEntryView {
                seq: c.entry.seq,
                at: c.entry.at,
                actor_user_id: c.entry.actor_user_id,
                actor_unit_id: c.entry.actor_unit_id,
                action: c.entry.action,
                object_type: c.entry.object_type,
                object_id: c.entry.object_id,
                outcome: c.entry.outcome,
                detail: serde_json::from_str(&c.entry.detail).unwrap_or(serde_json::Value::Null),
                prev_hash: c.prev_hash,
                hash: c.hash,
            })
            .collect(),
    ))
}

/// A signed checkpoint of the audit log.
#[derive(Serialize, ToSchema)]
pub struct CheckpointView {
    /// The entry vouched for.
    seq: i64,
    /// Its hash.
    hash: String,
    /// When signed, ms.
    at: i64,
    /// Ed25519 signature over `cordon-audit-checkpoint/v1\n{seq}\n{hash}\n{at}`, hex.
    signature: String,
}

/// The node's public key and its signed checkpoints.
#[derive(Serialize, ToSchema)]
pub struct Checkpoints {
    /// Ed25519 public key, hex: verify the checkpoints with it, outside Cordon if you like.
    public_key: String,
    /// Checkpoints, oldest first.
    checkpoints: Vec<CheckpointView>,
}

/// Signed checkpoints of the audit log and the key that verifies them (auditors).
#[utoipa::path(get, path = "/api/v1/audit/checkpoints", tag = "audit", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Checkpoints), (status = 403, body = crate::problem::Problem)))]
async fn checkpoints(State(s): State<AppState>, Authed(actor): Authed) -> Result<axum::Json<Checkpoints>, ApiError> {
    let (public_key, list) = s.app.audit_checkpoints(&actor).await?;
    Ok(axum::Json(Checkpoints {
        public_key,
        checkpoints: list
            .into_iter()
            .map(|c| CheckpointView { seq: c.checkpoint.seq, hash: c.checkpoint.hash, at: c.at, signature: c.signature })
            .collect(),
    }))
}
