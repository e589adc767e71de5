//! Coordination: decisions with the authority they rest on, handovers of a case between
//! agencies (the acceptance rewrites the case's lead and sharing in one transaction), and
//! joint operations with participants, a message channel and linked cases.

use cordon_core::audit::AuditEntry;
use cordon_core::case::{Case, CaseEvent};
use cordon_core::coordination::{Authority, DecisionForm, DecisionKind, HandoverStatus};
use cordon_core::sharing::{Sharing, Tlp};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::backend::Store;
use crate::cases::item_sharing_to_text;
use crate::StoreError;

/// A decision as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Id.
    pub id: String,
    /// What was decided.
    pub kind: DecisionKind,
    /// What it is recorded on: `notice` or `handover`.
    pub subject_type: String,
    /// Its id.
    pub subject_id: String,
    /// Written decision, oral order, telephone instruction.
    pub form: DecisionForm,
    /// The written decision's number.
    pub document_ref: Option<String>,
    /// Who decided.
    pub decided_by: String,
    /// Their unit.
    pub decided_by_unit: String,
    /// Under whose authority.
    pub authority: Authority,
    /// When, ms.
    pub decided_at: i64,
    /// What was said.
    pub note: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When, ms.
    pub recorded_at: i64,
}

/// A handover of a case to another agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    /// Id.
    pub id: String,
    /// The requester's key for this submission.
    pub idempotency_key: Option<String>,
    /// The case.
    pub case_id: String,
    /// Its reference when asked (shown to the receiving agency before it sees the case).
    pub case_reference: String,
    /// Its title when asked.
    pub case_title: String,
    /// The lead agency handing over.
    pub from_agency_id: String,
    /// The unit asking.
    pub from_unit_id: String,
    /// Who asked.
    pub requested_by: String,
    /// The receiving agency.
    pub to_agency_id: String,
    /// The receiving unit, if one is named.
    pub to_unit_id: Option<String>,
    /// Why.
    pub reason: String,
    /// Where it stands.
    pub status: HandoverStatus,
    /// Asked, ms.
    pub requested_at: i64,
    /// Who answered.
    pub answered_by: Option<String>,
    /// When, ms.
    pub answered_at: Option<i64>,
    /// Why refused (or a note on acceptance).
    pub answer_reason: Option<String>,
}

/// What an accepted handover writes besides its own row.
#[derive(Debug, Clone)]
pub struct HandoverAcceptance {
    /// The case as it becomes (new lead and sharing, version bumped).
    pub case: Case,
    /// Its access principals.
    pub principals: Vec<String>,
    /// Party links (entity id, role) whose own sharing widens to take in the receiver.
    pub parties: Vec<(String, String, Sharing)>,
    /// Evidence files (sha256) whose own sharing widens likewise.
    pub evidence: Vec<(String, Sharing)>,
    /// The disclosure of the case's personal parties to the receiving agency, recorded as a
    /// granted access request: (id, owner agency, receiving user, receiving unit).
    pub grant: Option<(String, String, String, String)>,
    /// The case's history entry.
    pub event: CaseEvent,
}

/// A joint operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JointOperation {
    /// Id.
    pub id: String,
    /// The creator's key for this submission.
    pub idempotency_key: Option<String>,
    /// Name, e.g. "Mekong Dragon VI".
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The agency running it.
    pub organiser_agency_id: String,
    /// Who created it.
    pub created_by: String,
    /// From, ms.
    pub starts_at: i64,
    /// Until (exclusive), ms.
    pub ends_at: i64,
    /// Target commodity codes.
    pub commodities: Vec<String>,
    /// The message channel's label.
    pub channel_tlp: Tlp,
    /// Created, ms.
    pub created_at: i64,
    /// Participating agencies, domestic and foreign (the organiser among them).
    pub participants: Vec<String>,
}

/// A message on an operation's channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationMessage {
    /// Id.
    pub id: String,
    /// The operation.
    pub operation_id: String,
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
}

/// Seizures of one commodity over an operation's linked cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommodityResult {
    /// Commodity code (none: goods with no category).
    pub commodity: Option<String>,
    /// Cases with such goods.
    pub cases: i64,
    /// Goods lines.
    pub lines: i64,
    /// Their value, VND.
    pub value_vnd: i64,
}

/// An operation's results over the linked cases a viewer may see.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OperationResults {
    /// Cases.
    pub cases: i64,
    /// Of which seized or further along.
    pub seizures: i64,
    /// Their value, VND.
    pub value_vnd: i64,
    /// By commodity, largest value first.
    pub by_commodity: Vec<CommodityResult>,
}

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {v:?}"))
}

fn decision_row(r: &AnyRow) -> Result<Decision, StoreError> {
    let (kind, form, authority): (String, String, String) = (r.try_get("kind")?, r.try_get("form")?, r.try_get("authority")?);
    let authority = match authority.as_str() {
        "own" => Authority::Own,
        "delegated" => Authority::Delegated {
            delegation_id: r.try_get::<Option<String>, _>("delegation_id")?.unwrap_or_default(),
            for_head: r.try_get::<Option<String>, _>("for_head")?.unwrap_or_default(),
        },
        other => return Err(corrupt("decision authority", other)),
    };
    Ok(Decision {
        id: r.try_get("id")?,
        kind: DecisionKind::parse(&kind).ok_or_else(|| corrupt("decision kind", &kind))?,
        subject_type: r.try_get("subject_type")?,
        subject_id: r.try_get("subject_id")?,
        form: DecisionForm::parse(&form).ok_or_else(|| corrupt("decision form", &form))?,
        document_ref: r.try_get("document_ref")?,
        decided_by: r.try_get("decided_by")?,
        decided_by_unit: r.try_get("decided_by_unit")?,
        authority,
        decided_at: r.try_get("decided_at")?,
        note: r.try_get("note")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
    })
}

fn handover_row(r: &AnyRow) -> Result<Handover, StoreError> {
    let status: String = r.try_get("status")?;
    Ok(Handover {
        id: r.try_get("id")?,
        idempotency_key: r.try_get("idempotency_key")?,
        case_id: r.try_get("case_id")?,
        case_reference: r.try_get("case_reference")?,
        case_title: r.try_get("case_title")?,
        from_agency_id: r.try_get("from_agency_id")?,
        from_unit_id: r.try_get("from_unit_id")?,
        requested_by: r.try_get("requested_by")?,
        to_agency_id: r.try_get("to_agency_id")?,
        to_unit_id: r.try_get("to_unit_id")?,
        reason: r.try_get("reason")?,
        status: HandoverStatus::parse(&status).ok_or_else(|| corrupt("handover status", &status))?,
        requested_at: r.try_get("requested_at")?,
        answered_by: r.try_get("answered_by")?,
        answered_at: r.try_get("answered_at")?,
        answer_reason: r.try_get("answer_reason")?,
    })
}

fn operation_row(r: &AnyRow) -> Result<JointOperation, StoreError> {
    let (tlp, commodities): (String, String) = (r.try_get("channel_tlp")?, r.try_get("commodities")?);
    Ok(JointOperation {
        id: r.try_get("id")?,
        idempotency_key: r.try_get("idempotency_key")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        organiser_agency_id: r.try_get("organiser_agency_id")?,
        created_by: r.try_get("created_by")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        commodities: serde_json::from_str(&commodities).map_err(|_| corrupt("operation commodities", &commodities))?,
        channel_tlp: Tlp::parse(&tlp).ok_or_else(|| corrupt("operation channel label", &tlp))?,
        created_at: r.try_get("created_at")?,
        participants: Vec::new(),
    })
}

impl Store {
    pub(crate) async fn write_decision(&self, conn: &mut sqlx::AnyConnection, d: &Decision) -> Result<(), StoreError> {
        let (authority, delegation, for_head) = match &d.authority {
            Authority::Own => ("own", None, None),
            Authority::Delegated { delegation_id, for_head } => ("delegated", Some(delegation_id.clone()), Some(for_head.clone())),
        };
        sqlx::query(&self.sql(
            "INSERT INTO decisions (id, kind, subject_type, subject_id, form, document_ref, decided_by, decided_by_unit, authority, \
             delegation_id, for_head, decided_at, note, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        ))
        .bind(d.id.clone())
        .bind(d.kind.as_str())
        .bind(d.subject_type.clone())
        .bind(d.subject_id.clone())
        .bind(d.form.as_str())
        .bind(d.document_ref.clone())
        .bind(d.decided_by.clone())
        .bind(d.decided_by_unit.clone())
        .bind(authority)
        .bind(delegation)
        .bind(for_head)
        .bind(d.decided_at)
        .bind(d.note.clone())
        .bind(d.recorded_by.clone())
        .bind(d.recorded_at)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Records a decision with its audit entries.
    pub async fn insert_decision(&self, d: &Decision, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        self.write_decision(&mut tx, d).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The decisions recorded on a notice or handover, in the order they were taken.
    pub async fn decisions_of(&self, subject_type: &str, subject_id: &str) -> Result<Vec<Decision>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT * FROM decisions WHERE subject_type = $1 AND subject_id = $2 ORDER BY decided_at, id"))
            .bind(subject_type)
            .bind(subject_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(decision_row).collect()
    }

    /// Records a notice with the decision to pursue it rests on, its outbox and audit entries,
    /// in one transaction; `Conflict` on a repeated idempotency key.
    pub async fn insert_notice_with_decision(
        &self,
        n: &crate::Notice,
        outbox: &crate::Outbox,
        decision: &Decision,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        self.write_notice(&mut tx, n, outbox).await?;
        self.write_decision(&mut tx, decision).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a handover request with the decision to hand over; `Conflict` if the case
    /// already has one open (or the key was used).
    pub async fn insert_handover(&self, h: &Handover, decision: &Decision, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO handovers (id, idempotency_key, case_id, case_reference, case_title, from_agency_id, from_unit_id, requested_by, \
             to_agency_id, to_unit_id, reason, status, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        ))
        .bind(h.id.clone())
        .bind(h.idempotency_key.clone())
        .bind(h.case_id.clone())
        .bind(h.case_reference.clone())
        .bind(h.case_title.clone())
        .bind(h.from_agency_id.clone())
        .bind(h.from_unit_id.clone())
        .bind(h.requested_by.clone())
        .bind(h.to_agency_id.clone())
        .bind(h.to_unit_id.clone())
        .bind(h.reason.clone())
        .bind(h.status.as_str())
        .bind(h.requested_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { .. } => StoreError::Conflict { what: "an open handover of this case" },
            other => other,
        })?;
        self.write_decision(&mut tx, decision).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The handover a requester's idempotency key already names, if any.
    pub async fn handover_id_by_key(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row =
            sqlx::query(&self.sql("SELECT id FROM handovers WHERE idempotency_key = $1")).bind(key).fetch_optional(&self.read).await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// One handover, whoever asks (the app decides who may).
    pub async fn handover(&self, id: &str) -> Result<Option<Handover>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT * FROM handovers WHERE id = $1")).bind(id).fetch_optional(&self.read).await?;
        row.as_ref().map(handover_row).transpose()
    }

    /// Handovers an agency asked for or was asked to take, newest first.
    pub async fn handovers_of_agency(&self, agency: &str) -> Result<Vec<Handover>, StoreError> {
        let rows = sqlx::query(
            &self.sql("SELECT * FROM handovers WHERE from_agency_id = $1 OR to_agency_id = $1 ORDER BY requested_at DESC, id LIMIT 500"),
        )
        .bind(agency)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(handover_row).collect()
    }

    /// The handovers of one case, oldest first.
    pub async fn handovers_of_case(&self, case_id: &str) -> Result<Vec<Handover>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT * FROM handovers WHERE case_id = $1 ORDER BY requested_at, id"))
            .bind(case_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(handover_row).collect()
    }

    async fn answer_handover(
        &self,
        conn: &mut sqlx::AnyConnection,
        id: &str,
        status: HandoverStatus,
        by: &str,
        at: i64,
        reason: &str,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(&self.sql(
            "UPDATE handovers SET status = $1, answered_by = $2, answered_at = $3, answer_reason = $4 WHERE id = $5 AND status = 'requested'",
        ))
        .bind(status.as_str())
        .bind(by)
        .bind(at)
        .bind(reason)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        Ok(())
    }

    /// Accepts an open handover: the case takes its new lead and sharing (if still at the
    /// version read), the items that were narrower take in the receiver, the receiving agency
    /// is granted the personal parties, and the history, decision and audit entries are
    /// written, all in one transaction. `Stale` if the handover was answered or the case changed.
    pub async fn accept_handover(
        &self,
        h: &Handover,
        by: &str,
        at: i64,
        acceptance: &HandoverAcceptance,
        decision: &Decision,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        self.answer_handover(&mut tx, &h.id, HandoverStatus::Accepted, by, at, "").await?;
        if self.write_case_row(&mut tx, &acceptance.case, false).await? == 0 {
            return Err(StoreError::Stale);
        }
        self.write_case_children(&mut tx, &acceptance.case, &acceptance.principals).await?;
        for (entity, role, sharing) in &acceptance.parties {
            sqlx::query(&self.sql("UPDATE case_parties SET sharing = $1 WHERE case_id = $2 AND entity_id = $3 AND role = $4"))
                .bind(item_sharing_to_text(&Some(sharing.clone())))
                .bind(h.case_id.clone())
                .bind(entity.clone())
                .bind(role.clone())
                .execute(&mut *tx)
                .await?;
        }
        for (sha256, sharing) in &acceptance.evidence {
            sqlx::query(&self.sql("UPDATE evidence SET sharing = $1 WHERE case_id = $2 AND sha256 = $3"))
                .bind(item_sharing_to_text(&Some(sharing.clone())))
                .bind(h.case_id.clone())
                .bind(sha256.clone())
                .execute(&mut *tx)
                .await?;
        }
        if let Some((grant_id, owner_agency, user, unit)) = &acceptance.grant {
            sqlx::query(&self.sql(
            "INSERT INTO access_requests (id, case_id, owner_agency_id, requester_user_id, requester_unit_id, requester_agency_id, reason, \
             status, created_at, decided_by, decided_at, decision_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, 'granted', $8, $9, $8, $10)",
        ))
        .bind(grant_id.clone())
        .bind(h.case_id.clone())
        .bind(owner_agency.clone())
        .bind(user.clone())
        .bind(unit.clone())
        .bind(h.to_agency_id.clone())
        .bind(format!("handover {}", h.id))
        .bind(at)
        .bind(h.requested_by.clone())
        .bind(format!("the case was handed over to {} as lead", h.to_agency_id))
        .execute(&mut *tx)
        .await?;
        }
        self.insert_case_event(&mut tx, &h.case_id, &acceptance.event).await?;
        self.write_decision(&mut tx, decision).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Refuses an open handover with a reason; `Stale` if it was answered already.
    pub async fn refuse_handover(
        &self,
        id: &str,
        by: &str,
        at: i64,
        reason: &str,
        decision: &Decision,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        self.answer_handover(&mut tx, id, HandoverStatus::Refused, by, at, reason).await?;
        self.write_decision(&mut tx, decision).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a joint operation with its participants.
    pub async fn insert_operation(&self, op: &JointOperation, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO joint_operations (id, idempotency_key, name, description, organiser_agency_id, created_by, starts_at, ends_at, \
             commodities, channel_tlp, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        ))
        .bind(op.id.clone())
        .bind(op.idempotency_key.clone())
        .bind(op.name.clone())
        .bind(op.description.clone())
        .bind(op.organiser_agency_id.clone())
        .bind(op.created_by.clone())
        .bind(op.starts_at)
        .bind(op.ends_at)
        .bind(serde_json::Value::from(op.commodities.clone()).to_string())
        .bind(op.channel_tlp.as_str())
        .bind(op.created_at)
        .execute(&mut *tx)
        .await?;
        for a in &op.participants {
            sqlx::query(&self.sql("INSERT INTO operation_participants (operation_id, agency_id) VALUES ($1, $2)"))
                .bind(op.id.clone())
                .bind(a.clone())
                .execute(&mut *tx)
                .await?;
        }
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The operation a creator's idempotency key already names, if any.
    pub async fn operation_id_by_key(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT id FROM joint_operations WHERE idempotency_key = $1"))
            .bind(key)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// One operation with its participants, whoever asks (the app decides who may).
    pub async fn operation(&self, id: &str) -> Result<Option<JointOperation>, StoreError> {
        let Some(row) = sqlx::query(&self.sql("SELECT * FROM joint_operations WHERE id = $1")).bind(id).fetch_optional(&self.read).await?
        else {
            return Ok(None);
        };
        let mut op = operation_row(&row)?;
        let rows = sqlx::query(&self.sql("SELECT agency_id FROM operation_participants WHERE operation_id = $1 ORDER BY agency_id"))
            .bind(id)
            .fetch_all(&self.read)
            .await?;
        op.participants = rows.iter().map(|r| r.try_get("agency_id")).collect::<Result<_, _>>()?;
        Ok(Some(op))
    }

    /// Ids of the operations an agency takes part in, latest start first.
    pub async fn operation_ids_of_agency(&self, agency: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(&self.sql(
            "SELECT o.id FROM joint_operations o JOIN operation_participants p ON p.operation_id = o.id \
             WHERE p.agency_id = $1 ORDER BY o.starts_at DESC, o.id LIMIT 200",
        ))
        .bind(agency)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// Posts a message on an operation's channel.
    pub async fn insert_operation_message(&self, m: &OperationMessage, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO operation_messages (id, operation_id, author_user_id, author_unit_id, author_agency_id, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        ))
        .bind(m.id.clone())
        .bind(m.operation_id.clone())
        .bind(m.author_user_id.clone())
        .bind(m.author_unit_id.clone())
        .bind(m.author_agency_id.clone())
        .bind(m.body.clone())
        .bind(m.created_at)
        .execute(&mut *tx)
        .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An operation's messages, oldest first (the latest 500).
    pub async fn operation_messages(&self, operation_id: &str) -> Result<Vec<OperationMessage>, StoreError> {
        let rows = sqlx::query(&self.sql(
            "SELECT * FROM (SELECT * FROM operation_messages WHERE operation_id = $1 ORDER BY created_at DESC, id DESC LIMIT 500) m \
             ORDER BY created_at, id",
        ))
        .bind(operation_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OperationMessage {
                    id: r.try_get("id")?,
                    operation_id: r.try_get("operation_id")?,
                    author_user_id: r.try_get("author_user_id")?,
                    author_unit_id: r.try_get("author_unit_id")?,
                    author_agency_id: r.try_get("author_agency_id")?,
                    body: r.try_get("body")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Links a case to an operation (once: linking again changes nothing) with its audit entries.
    pub async fn link_operation_case(
        &self,
        operation_id: &str,
        case_id: &str,
        by: &str,
        at: i64,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO operation_cases (operation_id, case_id, linked_by, linked_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (operation_id, case_id) DO NOTHING",
        ))
        .bind(operation_id)
        .bind(case_id)
        .bind(by)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The linked cases of an operation that a viewer holding `principals` may see.
    pub async fn operation_cases_visible(&self, operation_id: &str, principals: &[String]) -> Result<Vec<String>, StoreError> {
        if principals.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (2..principals.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT oc.case_id FROM operation_cases oc WHERE oc.operation_id = $1 AND EXISTS \
             (SELECT 1 FROM case_access a WHERE a.case_id = oc.case_id AND a.principal IN ({})) ORDER BY oc.linked_at, oc.case_id",
            list.join(", ")
        );
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql).bind(operation_id);
        for p in principals {
            q = q.bind(p.clone());
        }
        q.fetch_all(&self.read).await?.iter().map(|r| Ok(r.try_get("case_id")?)).collect()
    }

    /// An operation's results, counted in the database over only the linked cases a viewer
    /// holding `principals` may see.
    pub async fn operation_results(&self, operation_id: &str, principals: &[String]) -> Result<OperationResults, StoreError> {
        if principals.is_empty() {
            return Ok(OperationResults::default());
        }
        let list: Vec<String> = (2..principals.len() + 2).map(|i| format!("${i}")).collect();
        let visible = format!(
            "SELECT oc.case_id FROM operation_cases oc WHERE oc.operation_id = $1 AND EXISTS \
             (SELECT 1 FROM case_access a WHERE a.case_id = oc.case_id AND a.principal IN ({}))",
            list.join(", ")
        );
        let totals = format!(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(CASE WHEN c.status IN ('seized', 'administratively_handled', \
             'transferred_for_investigation', 'prosecuted') OR c.seized_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS s, \
             CAST(COALESCE(SUM(c.total_value_vnd), 0) AS BIGINT) AS v FROM cases c WHERE c.id IN ({visible})"
        );
        let by = format!(
            "SELECT g.category AS k, COUNT(DISTINCT g.case_id) AS n, COUNT(*) AS l, CAST(COALESCE(SUM(g.value_vnd), 0) AS BIGINT) AS v \
             FROM goods_lines g WHERE g.case_id IN ({visible}) GROUP BY g.category ORDER BY v DESC, k"
        );
        let bind = |sql: &str| {
            let sql = self.sql(sql).into_owned();
            let principals = principals.to_vec();
            let operation_id = operation_id.to_string();
            async move {
                let mut q = sqlx::query(&sql).bind(operation_id);
                for p in principals {
                    q = q.bind(p);
                }
                q.fetch_all(&self.read).await
            }
        };
        let t = bind(&totals).await?;
        let row = t.first().ok_or_else(|| StoreError::Corrupt("no totals row".into()))?;
        let by_commodity = bind(&by)
            .await?
            .iter()
            .map(|r| {
                Ok(CommodityResult {
                    commodity: r.try_get("k")?,
                    cases: r.try_get("n")?,
                    lines: r.try_get("l")?,
                    value_vnd: r.try_get("v")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(OperationResults { cases: row.try_get("n")?, seizures: row.try_get("s")?, value_vnd: row.try_get("v")?, by_commodity })
    }
}
