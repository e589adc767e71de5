//! The outbound HTTP gateway for SMS, telephone and fax: one JSON POST per delivery, keyed
//! for de-duplication.

use cordon_store::{DeliveryJob, Notice};
use serde_json::json;

use super::{GatewaySettings, SendError};

/// Posts one delivery. The `Idempotency-Key` header (notice id, event, person) is the same on
/// every retry, so the gateway can drop a second copy; `X-Cordon-Notice` names the notice.
/// A 2xx is accepted; 408, 429 and 5xx are retried; any other answer will not change and is not.
pub(crate) async fn send(
    http: &reqwest::Client,
    g: &GatewaySettings,
    key: &str,
    job: &DeliveryJob,
    phone: &str,
    n: &Notice,
) -> Result<(), SendError> {
    let body = json!({
        "delivery_key": key,
        "notice_id": n.id,
        "event": job.event.as_str(),
        "kind": n.kind.as_str(),
        "priority": n.priority.as_str(),
        "title": n.title,
        "from_unit_id": n.from_unit_id,
        "unit_id": job.unit_id,
        "recipient": { "user_id": job.user_id, "phone": phone },
        "created_at": n.created_at,
        "ack_deadline": n.ack_deadline,
    });
    let mut rb = http.post(&g.url).header("Idempotency-Key", key).header("X-Cordon-Notice", &n.id).json(&body);
    if let Some(t) = &g.token {
        rb = rb.bearer_auth(t);
    }
    let resp = rb.send().await.map_err(|e| SendError::transient(format!("gateway: {e}")))?;
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let text: String = resp.text().await.unwrap_or_default().chars().take(200).collect();
    let message = format!("gateway answered {status}: {text}");
    if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
        Err(SendError::transient(message))
    } else {
        Err(SendError::permanent(message))
    }
}
