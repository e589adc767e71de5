//! Joint operations (the Mekong Dragon campaign, Operation Thunder): participating agencies,
//! domestic and foreign, a period, target commodities, a message channel with its own TLP
//! label whose messages only participants read, linked cases, and results computed over only
//! the linked cases the viewer may see — a participant never learns of a case through the
//! operation that it could not see on its own.

use cordon_core::coordination::operation_phase;
use cordon_core::reference::reference;
use cordon_core::sharing::Tlp;
use cordon_core::{Invalid, Role, RoleSet};
use cordon_store::{JointOperation, OperationMessage};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::ids::new_id;
use crate::{Actor, App, AppError};

/// Who may organise an operation and link cases to it.
const ORGANISERS: &[Role] = &[Role::Officer, Role::UnitHead, Role::DeputyHead, Role::LiaisonOfficer];

/// A joint operation as created.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OperationInput {
    /// Name, e.g. "Mekong Dragon VI".
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// From, ms.
    pub starts_at: i64,
    /// Until (exclusive), ms.
    pub ends_at: i64,
    /// Participating agencies, domestic and foreign (the creator's agency is always one).
    pub participants: Vec<String>,
    /// Target commodity codes (`/api/v1/reference/commodities`).
    #[serde(default)]
    pub commodities: Vec<String>,
    /// The message channel's TLP label: `red`, `amber_strict`, `amber`, `green`, `clear`.
    pub channel_tlp: String,
    /// The creator's key for this submission: sending it again answers the same operation.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

/// A message for an operation's channel.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OperationMessageInput {
    /// Text.
    pub body: String,
}

/// A case to link to an operation.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkCaseInput {
    /// The case (one the caller may see).
    pub case_id: String,
}

/// A message on the channel.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OperationMessageView {
    /// Id.
    pub id: String,
    /// Author.
    pub author_user_id: String,
    /// Their unit.
    pub author_unit_id: String,
    /// Their agency.
    pub author_agency_id: String,
    /// Text.
    pub body: String,
    /// Posted, ms.
    pub created_at: i64,
    /// The channel's label, which the message carries.
    pub tlp: String,
}

/// A linked case the viewer may see.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkedCaseView {
    /// Id.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Title.
    pub title: String,
    /// Status.
    pub status: String,
    /// Value of its goods, VND.
    pub total_value_vnd: i64,
}

/// Seizures of one commodity.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommodityResultView {
    /// Commodity code (none: goods with no category).
    pub commodity: Option<String>,
    /// Cases with such goods.
    pub cases: i64,
    /// Goods lines.
    pub lines: i64,
    /// Value, VND.
    pub value_vnd: i64,
}

/// Results over the linked cases the viewer may see.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OperationResultsView {
    /// Cases.
    pub cases: i64,
    /// Of which with a seizure.
    pub seizures: i64,
    /// Value of their goods, VND.
    pub value_vnd: i64,
    /// By commodity, largest value first.
    pub by_commodity: Vec<CommodityResultView>,
}

/// A joint operation as a participant sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OperationView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The organising agency.
    pub organiser_agency_id: String,
    /// From, ms.
    pub starts_at: i64,
    /// Until, ms.
    pub ends_at: i64,
    /// `planned`, `running` or `ended`, by the app's clock.
    pub phase: String,
    /// Participating agencies.
    pub participants: Vec<String>,
    /// Target commodities.
    pub commodities: Vec<String>,
    /// The channel's label.
    pub channel_tlp: String,
    /// Linked cases the viewer may see (others are neither listed nor counted).
    pub cases: Vec<LinkedCaseView>,
    /// Results over those cases.
    pub results: OperationResultsView,
}

impl App {
    fn require_organiser(actor: &Actor) -> Result<(), AppError> {
        actor.require_active()?;
        if !ORGANISERS.iter().any(|r| actor.user.roles.holds(*r)) {
            return Err(AppError::Forbidden("officers, heads and liaison officers run joint operations"));
        }
        Ok(())
    }

    /// Creates a joint operation; a repeated idempotency key answers the one it created.
    pub async fn create_operation(&self, actor: &Actor, input: OperationInput) -> Result<OperationView, AppError> {
        Self::require_organiser(actor)?;
        let key = input.idempotency_key.as_deref().map(str::trim).filter(|k| !k.is_empty()).map(|k| format!("{}:{k}", actor.user.id));
        if let Some(key) = &key {
            if let Some(id) = self.store.operation_id_by_key(key).await? {
                return self.operation(actor, &id).await;
            }
        }
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 200 || input.description.chars().count() > 10_000 {
            return Err(Invalid::new("name", "a name of 1 to 200 characters (and a description of at most 10 000)").into());
        }
        if input.ends_at <= input.starts_at {
            return Err(Invalid::new("ends_at", "after the start").into());
        }
        let channel_tlp =
            Tlp::parse(&input.channel_tlp).ok_or_else(|| Invalid::new("channel_tlp", "red, amber_strict, amber, green or clear"))?;
        let mut participants: Vec<String> = input.participants.iter().map(|p| p.trim().to_string()).collect();
        participants.push(actor.agency_id.clone());
        participants.sort();
        participants.dedup();
        if participants.len() > 100 {
            return Err(Invalid::new("participants", "at most 100 agencies").into());
        }
        for p in &participants {
            if self.store.agency(p).await?.is_none() {
                return Err(Invalid::new("participants", format!("no agency {p:?}")).into());
            }
        }
        let mut commodities: Vec<String> = input.commodities.iter().map(|c| c.trim().to_string()).collect();
        commodities.sort();
        commodities.dedup();
        if let Some(c) = commodities.iter().find(|c| reference().commodity(c).is_none()) {
            return Err(Invalid::new("commodities", format!("unknown commodity {c:?}")).into());
        }
        let now = self.now_ms();
        let op = JointOperation {
            id: new_id(now),
            idempotency_key: key,
            name: name.to_string(),
            description: input.description.trim().to_string(),
            organiser_agency_id: actor.agency_id.clone(),
            created_by: actor.user.id.clone(),
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            commodities,
            channel_tlp,
            created_at: now,
            participants,
        };
        let audit = actor.audit(now, "operation.create", "operation", &op.id, "ok", json!({ "participants": op.participants }));
        self.store.insert_operation(&op, &[audit]).await?;
        self.operation(actor, &op.id).await
    }

    /// The operation, if the actor's agency takes part (404 otherwise, audited either way).
    async fn participating(&self, actor: &Actor, id: &str, action: &str) -> Result<JointOperation, AppError> {
        actor.require_active()?;
        match self.store.operation(id).await? {
            Some(op) if op.participants.contains(&actor.agency_id) => Ok(op),
            _ => {
                self.store.audit(&[actor.audit(self.now_ms(), action, "operation", id, "denied", json!({}))]).await?;
                Err(AppError::NotFound("operation"))
            }
        }
    }

    async fn operation_view(&self, actor: &Actor, op: JointOperation) -> Result<OperationView, AppError> {
        let principals = self.principals(actor).await?;
        let mut cases = Vec::new();
        for id in self.store.operation_cases_visible(&op.id, &principals).await? {
            // The database filtered by the same rule; checked again here on the case as read.
            if let Some(c) = self.store.case(&id).await? {
                if c.visible_to(&principals) {
                    cases.push(LinkedCaseView {
                        total_value_vnd: c.total_value_vnd(),
                        id: c.id,
                        reference: c.reference,
                        title: c.title,
                        status: c.status.as_str().into(),
                    });
                }
            }
        }
        let r = self.store.operation_results(&op.id, &principals).await?;
        let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        self.store.audit(&[actor.audit(self.now_ms(), "operation.read", "operation", &op.id, "ok", json!({ "cases": ids }))]).await?;
        Ok(OperationView {
            phase: operation_phase(op.starts_at, op.ends_at, self.now_ms()).as_str().into(),
            id: op.id,
            name: op.name,
            description: op.description,
            organiser_agency_id: op.organiser_agency_id,
            starts_at: op.starts_at,
            ends_at: op.ends_at,
            participants: op.participants,
            commodities: op.commodities,
            channel_tlp: op.channel_tlp.as_str().into(),
            cases,
            results: OperationResultsView {
                cases: r.cases,
                seizures: r.seizures,
                value_vnd: r.value_vnd,
                by_commodity: r
                    .by_commodity
                    .into_iter()
                    .map(|c| CommodityResultView { commodity: c.commodity, cases: c.cases, lines: c.lines, value_vnd: c.value_vnd })
                    .collect(),
            },
        })
    }

    /// An operation the actor's agency takes part in, with the linked cases it may see and their results.
    pub async fn operation(&self, actor: &Actor, id: &str) -> Result<OperationView, AppError> {
        let op = self.participating(actor, id, "operation.read").await?;
        self.operation_view(actor, op).await
    }

    /// The operations the actor's agency takes part in, latest first (without cases and results).
    pub async fn operations(&self, actor: &Actor) -> Result<Vec<OperationView>, AppError> {
        actor.require_active()?;
        let now = self.now_ms();
        let mut out = Vec::new();
        for id in self.store.operation_ids_of_agency(&actor.agency_id).await? {
            if let Some(op) = self.store.operation(&id).await? {
                out.push(OperationView {
                    phase: operation_phase(op.starts_at, op.ends_at, now).as_str().into(),
                    id: op.id,
                    name: op.name,
                    description: op.description,
                    organiser_agency_id: op.organiser_agency_id,
                    starts_at: op.starts_at,
                    ends_at: op.ends_at,
                    participants: op.participants,
                    commodities: op.commodities,
                    channel_tlp: op.channel_tlp.as_str().into(),
                    cases: Vec::new(),
                    results: OperationResultsView { cases: 0, seizures: 0, value_vnd: 0, by_commodity: Vec::new() },
                });
            }
        }
        let ids: Vec<&str> = out.iter().map(|o| o.id.as_str()).collect();
        self.store.audit(&[actor.audit(now, "operation.list", "operation", "*", "ok", json!({ "ids": ids }))]).await?;
        Ok(out)
    }

    /// Posts a message on the channel of an operation the actor's agency takes part in.
    pub async fn post_operation_message(
        &self,
        actor: &Actor,
        id: &str,
        input: OperationMessageInput,
    ) -> Result<OperationMessageView, AppError> {
        let op = self.participating(actor, id, "operation.message").await?;
        let body = input.body.trim();
        if body.is_empty() || body.chars().count() > 5000 {
            return Err(Invalid::new("body", "1 to 5000 characters").into());
        }
        let now = self.now_ms();
        let m = OperationMessage {
            id: new_id(now),
            operation_id: op.id.clone(),
            author_user_id: actor.user.id.clone(),
            author_unit_id: actor.user.unit_id.clone(),
            author_agency_id: actor.agency_id.clone(),
            body: body.to_string(),
            created_at: now,
        };
        let audit = actor.audit(now, "operation.message", "operation", &op.id, "ok", json!({ "message": m.id }));
        self.store.insert_operation_message(&m, &[audit]).await?;
        Ok(message_view(m, op.channel_tlp))
    }

    /// The channel's messages, for participants.
    pub async fn operation_messages(&self, actor: &Actor, id: &str) -> Result<Vec<OperationMessageView>, AppError> {
        let op = self.participating(actor, id, "operation.messages").await?;
        let out: Vec<OperationMessageView> =
            self.store.operation_messages(&op.id).await?.into_iter().map(|m| message_view(m, op.channel_tlp)).collect();
        self.store.audit(&[actor.audit(self.now_ms(), "operation.messages", "operation", id, "ok", json!({ "count": out.len() }))]).await?;
        Ok(out)
    }

    /// Links a case the actor may see to an operation its agency takes part in (linking twice changes nothing).
    pub async fn link_operation_case(&self, actor: &Actor, id: &str, input: LinkCaseInput) -> Result<OperationView, AppError> {
        Self::require_organiser(actor)?;
        let op = self.participating(actor, id, "operation.link").await?;
        let principals = self.principals(actor).await?;
        let seen = self.store.case(&input.case_id).await?.is_some_and(|c| c.visible_to(&principals));
        if !seen {
            return Err(Invalid::new("case_id", "no such case among those you may see").into());
        }
        let now = self.now_ms();
        let audit = [
            actor.audit(now, "operation.link", "operation", &op.id, "ok", json!({ "case": input.case_id })),
            actor.audit(now, "operation.link", "case", &input.case_id, "ok", json!({ "operation": op.id })),
        ];
        self.store.link_operation_case(&op.id, &input.case_id, &actor.user.id, now, &audit).await?;
        self.operation_view(actor, op).await
    }
}

fn message_view(m: OperationMessage, tlp: Tlp) -> OperationMessageView {
    OperationMessageView {
        id: m.id,
        author_user_id: m.author_user_id,
        author_unit_id: m.author_unit_id,
        author_agency_id: m.author_agency_id,
        body: m.body,
        created_at: m.created_at,
        tlp: tlp.as_str().into(),
    }
}
