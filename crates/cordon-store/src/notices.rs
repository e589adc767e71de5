//! Notices, their recipients' acknowledgements and escalations, and delegations.

use cordon_core::audit::AuditEntry;
use cordon_core::notice::{scope_from_codes, scope_to_codes, Delegation, NoticeKind, Priority, RecipientStatus};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::backend::Store;
use crate::delivery::Outbox;
use crate::StoreError;

/// A notice as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Id.
    pub id: String,
    /// The sender's key for this submission: a repeat with the same key is the same notice.
    pub idempotency_key: Option<String>,
    /// Kind.
    pub kind: NoticeKind,
    /// Priority.
    pub priority: Priority,
    /// The case it concerns.
    pub case_id: Option<String>,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Sender.
    pub from_user_id: String,
    /// Sending unit.
    pub from_unit_id: String,
    /// Sending agency.
    pub from_agency_id: String,
    /// Raised, ms.
    pub created_at: i64,
    /// To be acknowledged by, ms.
    pub ack_deadline: i64,
    /// The units it is addressed to, and where each stands.
    pub recipients: Vec<Recipient>,
}

/// One addressed unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The unit.
    pub unit_id: String,
    /// Where it stands.
    pub status: RecipientStatus,
    /// Who acknowledged.
    pub ack_by: Option<String>,
    /// When, ms.
    pub ack_at: Option<i64>,
    /// When it escalated, ms.
    pub escalated_at: Option<i64>,
    /// To whom (none: nobody to escalate to).
    pub escalated_to: Option<String>,
    /// How: "head", or "deputy for HEAD under delegation ID", or "no head on record".
    pub escalation_note: Option<String>,
    /// The action taken, as reported.
    pub action_taken: Option<String>,
    /// Its result.
    pub result: Option<String>,
}

fn recipient_row(r: &AnyRow) -> Result<Recipient, StoreError> {
    let status: String = r.try_get("status")?;
    Ok(Recipient {
        unit_id: r.try_get("unit_id")?,
        status: RecipientStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("recipient status {status:?}")))?,
        ack_by: r.try_get("ack_by")?,
        ack_at: r.try_get("ack_at")?,
        escalated_at: r.try_get("escalated_at")?,
        escalated_to: r.try_get("escalated_to")?,
        escalation_note: r.try_get("escalation_note")?,
        action_taken: r.try_get("action_taken")?,
        result: r.try_get("result")?,
    })
}

fn notice_row(r: &AnyRow) -> Result<Notice, StoreError> {
    let (kind, priority): (String, String) = (r.try_get("kind")?, r.try_get("priority")?);
    Ok(Notice {
        id: r.try_get("id")?,
        idempotency_key: r.try_get("idempotency_key")?,
        kind: NoticeKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("notice kind {kind:?}")))?,
        priority: Priority::parse(&priority).ok_or_else(|| StoreError::Corrupt(format!("notice priority {priority:?}")))?,
        case_id: r.try_get("case_id")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        from_user_id: r.try_get("from_user_id")?,
        from_unit_id: r.try_get("from_unit_id")?,
        from_agency_id: r.try_get("from_agency_id")?,
        created_at: r.try_get("created_at")?,
        ack_deadline: r.try_get("ack_deadline")?,
        recipients: Vec::new(),
    })
}

impl Store {
    /// Records a notice with its recipients, its delivery outbox and audit entries, in one
    /// transaction; `Conflict` on a repeated idempotency key.
    pub async fn insert_notice(&self, n: &Notice, outbox: &Outbox, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        self.write_notice(&mut tx, n, outbox).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes a notice, its recipients and its outbox inside the caller's transaction.
    pub(crate) async fn write_notice(&self, conn: &mut sqlx::AnyConnection, n: &Notice, outbox: &Outbox) -> Result<(), StoreError> {
        let tx = conn;
        sqlx::query(&self.sql(
            "INSERT INTO notices (id, idempotency_key, kind, priority, case_id, title, body, from_user_id, from_unit_id, from_agency_id, \
             created_at, ack_deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        ))
        .bind(n.id.clone())
        .bind(n.idempotency_key.clone())
        .bind(n.kind.as_str())
        .bind(n.priority.as_str())
        .bind(n.case_id.clone())
        .bind(n.title.clone())
        .bind(n.body.clone())
        .bind(n.from_user_id.clone())
        .bind(n.from_unit_id.clone())
        .bind(n.from_agency_id.clone())
        .bind(n.created_at)
        .bind(n.ack_deadline)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { .. } => StoreError::Conflict { what: "a notice with this idempotency key" },
            other => other,
        })?;
        for r in &n.recipients {
            sqlx::query(&self.sql("INSERT INTO notice_recipients (notice_id, unit_id, status) VALUES ($1, $2, $3)"))
                .bind(n.id.clone())
                .bind(r.unit_id.clone())
                .bind(r.status.as_str())
                .execute(&mut *tx)
                .await?;
        }
        self.write_outbox(&mut *tx, outbox).await?;
        Ok(())
    }

    /// The notice a sender's idempotency key already names, if any.
    pub async fn notice_id_by_key(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT id FROM notices WHERE idempotency_key = $1")).bind(key).fetch_optional(&self.read).await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// A notice with its recipients, whoever asks (the app decides who may).
    pub async fn notice(&self, id: &str) -> Result<Option<Notice>, StoreError> {
        let Some(row) = sqlx::query(&self.sql("SELECT * FROM notices WHERE id = $1")).bind(id).fetch_optional(&self.read).await? else {
            return Ok(None);
        };
        let mut n = notice_row(&row)?;
        let rows = sqlx::query(&self.sql("SELECT * FROM notice_recipients WHERE notice_id = $1 ORDER BY unit_id"))
            .bind(id)
            .fetch_all(&self.read)
            .await?;
        n.recipients = rows.iter().map(recipient_row).collect::<Result<_, _>>()?;
        Ok(Some(n))
    }

    /// Ids of the notices a unit sent or was sent, or that escalated to a user, newest first.
    pub async fn notice_ids_for(&self, unit_id: &str, user_id: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(&self.sql(
            "SELECT n.id, n.created_at FROM notices n WHERE n.from_unit_id = $1 \
             OR EXISTS (SELECT 1 FROM notice_recipients r WHERE r.notice_id = n.id AND (r.unit_id = $1 OR r.escalated_to = $2)) \
             ORDER BY n.created_at DESC, n.id LIMIT 200",
        ))
        .bind(unit_id)
        .bind(user_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// Moves a recipient from one of `from` to `to`, setting the given columns; `Stale` if it was not in `from`.
    #[allow(clippy::too_many_arguments)]
    async fn move_recipient(
        &self,
        (notice_id, unit_id): (&str, &str),
        from: &[RecipientStatus],
        set: &str,
        values: Vec<Option<String>>,
        at: i64,
        outbox: &Outbox,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let allowed: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
        // `set` names columns $1…$n (values), then $n+1 is the time; the codes in `allowed` are ours, not input.
        let n = values.len();
        let sql = format!(
            "UPDATE notice_recipients SET {set} WHERE notice_id = ${} AND unit_id = ${} AND status IN ({})",
            n + 2,
            n + 3,
            allowed.join(", ")
        );
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql);
        for v in values {
            q = q.bind(v);
        }
        let done = q.bind(at).bind(notice_id).bind(unit_id).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        self.write_outbox(&mut tx, outbox).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records an acknowledgement by `by` for a pending or escalated recipient.
    pub async fn acknowledge_notice(
        &self,
        notice_id: &str,
        unit_id: &str,
        by: &str,
        at: i64,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        use RecipientStatus::*;
        self.move_recipient(
            (notice_id, unit_id),
            &[Pending, Escalated],
            "status = $1, ack_by = $2, ack_at = $3",
            vec![Some(Acknowledged.as_str().into()), Some(by.into())],
            at,
            &Outbox::default(),
            audit,
        )
        .await
    }

    /// Records the action taken and its result, once acknowledged.
    pub async fn report_notice_action(
        &self,
        notice_id: &str,
        unit_id: &str,
        action: &str,
        result: &str,
        at: i64,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        use RecipientStatus::*;
        // The time is bound as $4 but not stored: the acknowledgement keeps its own time.
        self.move_recipient(
            (notice_id, unit_id),
            &[Acknowledged, ActionReported],
            "status = $1, action_taken = $2, result = $3, ack_at = COALESCE(ack_at, $4)",
            vec![Some(ActionReported.as_str().into()), Some(action.into()), Some(result.into())],
            at,
            &Outbox::default(),
            audit,
        )
        .await
    }

    /// Marks a pending recipient escalated to `to` (none: nobody to escalate to), with how,
    /// and writes the escalation's deliveries in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn escalate_notice(
        &self,
        notice_id: &str,
        unit_id: &str,
        to: Option<&str>,
        note: &str,
        at: i64,
        outbox: &Outbox,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        use RecipientStatus::*;
        self.move_recipient(
            (notice_id, unit_id),
            &[Pending],
            "status = $1, escalated_to = $2, escalation_note = $3, escalated_at = $4",
            vec![Some(Escalated.as_str().into()), to.map(String::from), Some(note.into())],
            at,
            outbox,
            audit,
        )
        .await
    }

    /// (notice id, unit id) of every recipient still pending at `now` past its deadline.
    pub async fn overdue_recipients(&self, now: i64) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(&self.sql(
            "SELECT r.notice_id, r.unit_id FROM notice_recipients r JOIN notices n ON n.id = r.notice_id \
             WHERE r.status = 'pending' AND n.ack_deadline <= $1 ORDER BY n.ack_deadline, r.notice_id, r.unit_id",
        ))
        .bind(now)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("notice_id")?, r.try_get("unit_id")?))).collect()
    }

    /// Records a delegation with its audit entries.
    pub async fn insert_delegation(&self, d: &Delegation, at: i64, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO delegations (id, unit_id, from_user_id, to_user_id, starts_at, ends_at, reason, created_at, scope) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        ))
        .bind(d.id.clone())
        .bind(d.unit_id.clone())
        .bind(d.from_user_id.clone())
        .bind(d.to_user_id.clone())
        .bind(d.starts_at)
        .bind(d.ends_at)
        .bind(d.reason.clone())
        .bind(at)
        .bind(scope_to_codes(&d.scope))
        .execute(&mut *tx)
        .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A unit's delegations, latest first.
    pub async fn delegations_of_unit(&self, unit_id: &str) -> Result<Vec<Delegation>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT * FROM delegations WHERE unit_id = $1 ORDER BY starts_at DESC, id"))
            .bind(unit_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Delegation {
                    id: r.try_get("id")?,
                    unit_id: r.try_get("unit_id")?,
                    from_user_id: r.try_get("from_user_id")?,
                    to_user_id: r.try_get("to_user_id")?,
                    starts_at: r.try_get("starts_at")?,
                    ends_at: r.try_get("ends_at")?,
                    reason: r.try_get("reason")?,
                    scope: scope_from_codes(&r.try_get::<String, _>("scope")?),
                })
            })
            .collect()
    }
}
