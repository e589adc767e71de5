//! Tips, their messages (reporter follow-ups and officers' notes), attachments and history.

use cordon_core::audit::AuditEntry;
use cordon_core::tip::{TipChannel, TipOutcome, TipStatus};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::backend::Store;
use crate::StoreError;

/// A tip as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Tip {
    /// Id.
    pub id: String,
    /// SHA-256 of the reporter's tracking code.
    pub tracking_hash: String,
    /// How it came in.
    pub channel: TipChannel,
    /// Where it stands.
    pub status: TipStatus,
    /// How it was closed.
    pub outcome: Option<TipOutcome>,
    /// What the reporter said.
    pub body: String,
    /// Province concerned.
    pub province_code: Option<String>,
    /// Place as described.
    pub place: Option<String>,
    /// Violation type (a case type code), once categorised or as the reporter chose.
    pub violation_type: Option<String>,
    /// Commodity category code.
    pub commodity: Option<String>,
    /// Online sale (e-commerce, social network) rather than physical goods.
    pub ecommerce: bool,
    /// Reporter's name, if given.
    pub reporter_name: Option<String>,
    /// Reporter's phone or e-mail, if given.
    pub reporter_contact: Option<String>,
    /// Whether the reporter agreed to their identity travelling with the tip.
    pub reporter_consent: bool,
    /// The unit that took it in.
    pub intake_unit_id: String,
    /// The unit it was routed to.
    pub assigned_unit_id: Option<String>,
    /// The case opened or linked.
    pub case_id: Option<String>,
    /// The earlier tip it repeats.
    pub duplicate_of: Option<String>,
    /// The e-mail's Message-ID (or other source key): the same message is one tip.
    pub source_ref: Option<String>,
    /// The operator who recorded it (none for public channels).
    pub created_by: Option<String>,
    /// Received, ms.
    pub created_at: i64,
    /// Last changed, ms.
    pub updated_at: i64,
    /// Messages after the first, in order.
    pub messages: Vec<TipMessage>,
    /// Attached files.
    pub attachments: Vec<TipAttachment>,
    /// What happened to it, in order.
    pub events: Vec<TipEvent>,
}

/// A follow-up from the reporter or a note from an officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipMessage {
    /// 1, 2…
    pub seq: i64,
    /// When, ms.
    pub at: i64,
    /// From the reporter (through the tracking code) rather than an officer.
    pub from_reporter: bool,
    /// The officer who wrote it.
    pub author_user_id: Option<String>,
    /// Text.
    pub body: String,
}

/// A file attached to a tip (content in the file store, by SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipAttachment {
    /// Address of the content.
    pub sha256: String,
    /// Name as sent.
    pub filename: String,
    /// Type, from the content.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// Added, ms.
    pub added_at: i64,
}

/// One step in a tip's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipEvent {
    /// 1, 2…
    pub seq: i64,
    /// When, ms.
    pub at: i64,
    /// Who (none: the reporter or the system).
    pub actor_user_id: Option<String>,
    /// `received`, `follow_up`, `categorised`, `routed`, `closed`, `note`.
    pub kind: String,
    /// What, for people.
    pub detail: String,
}

/// A change to a tip's triage fields, applied only if the tip is in one of `from`.
#[derive(Debug, Clone, PartialEq)]
pub struct TipChange {
    /// Statuses the tip may be in for the change to apply.
    pub from: Vec<TipStatus>,
    /// New status.
    pub status: TipStatus,
    /// New outcome.
    pub outcome: Option<TipOutcome>,
    /// Province.
    pub province_code: Option<String>,
    /// Violation type.
    pub violation_type: Option<String>,
    /// Commodity.
    pub commodity: Option<String>,
    /// Online.
    pub ecommerce: bool,
    /// Routed to.
    pub assigned_unit_id: Option<String>,
    /// Case.
    pub case_id: Option<String>,
    /// Repeats.
    pub duplicate_of: Option<String>,
}

fn tip_row(r: &AnyRow) -> Result<Tip, StoreError> {
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("tip {what} {v:?}"));
    let channel: String = r.try_get("channel")?;
    let status: String = r.try_get("status")?;
    let outcome: Option<String> = r.try_get("outcome")?;
    Ok(Tip {
        id: r.try_get("id")?,
        tracking_hash: r.try_get("tracking_hash")?,
        channel: TipChannel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
        status: TipStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        outcome: outcome.map(|o| TipOutcome::parse(&o).ok_or_else(|| corrupt("outcome", &o))).transpose()?,
        body: r.try_get("body")?,
        province_code: r.try_get("province_code")?,
        place: r.try_get("place")?,
        violation_type: r.try_get("violation_type")?,
        commodity: r.try_get("commodity")?,
        ecommerce: r.try_get::<i64, _>("ecommerce")? != 0,
        reporter_name: r.try_get("reporter_name")?,
        reporter_contact: r.try_get("reporter_contact")?,
        reporter_consent: r.try_get::<i64, _>("reporter_consent")? != 0,
        intake_unit_id: r.try_get("intake_unit_id")?,
        assigned_unit_id: r.try_get("assigned_unit_id")?,
        case_id: r.try_get("case_id")?,
        duplicate_of: r.try_get("duplicate_of")?,
        source_ref: r.try_get("source_ref")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        messages: Vec::new(),
        attachments: Vec::new(),
        events: Vec::new(),
    })
}

impl Store {
    /// Records a new tip with its attachments (content already in the file store) and its
    /// first event; `Conflict` when its tracking hash or source reference exists already.
    pub async fn insert_tip(&self, t: &Tip, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO tips (id, tracking_hash, channel, status, outcome, body, province_code, place, violation_type, commodity, ecommerce, \
             reporter_name, reporter_contact, reporter_consent, intake_unit_id, assigned_unit_id, case_id, duplicate_of, source_ref, \
             created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)",
        ))
        .bind(&t.id)
        .bind(&t.tracking_hash)
        .bind(t.channel.as_str())
        .bind(t.status.as_str())
        .bind(t.outcome.map(|o| o.as_str()))
        .bind(&t.body)
        .bind(t.province_code.clone())
        .bind(t.place.clone())
        .bind(t.violation_type.clone())
        .bind(t.commodity.clone())
        .bind(i64::from(t.ecommerce))
        .bind(t.reporter_name.clone())
        .bind(t.reporter_contact.clone())
        .bind(i64::from(t.reporter_consent))
        .bind(&t.intake_unit_id)
        .bind(t.assigned_unit_id.clone())
        .bind(t.case_id.clone())
        .bind(t.duplicate_of.clone())
        .bind(t.source_ref.clone())
        .bind(t.created_by.clone())
        .bind(t.created_at)
        .bind(t.updated_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { .. } => StoreError::Conflict { what: "a tip from this source" },
            other => other,
        })?;
        self.insert_tip_attachments(&mut tx, &t.id, &t.attachments).await?;
        self.insert_tip_event(&mut tx, &t.id, t.created_at, t.created_by.as_deref(), "received", t.channel.as_str()).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_tip_attachments(&self, conn: &mut AnyConnection, tip_id: &str, files: &[TipAttachment]) -> Result<(), StoreError> {
        for a in files {
            sqlx::query(&self.sql(
                "INSERT INTO tip_attachments (tip_id, sha256, filename, media_type, size, added_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (tip_id, sha256) DO NOTHING",
            ))
            .bind(tip_id)
            .bind(&a.sha256)
            .bind(&a.filename)
            .bind(&a.media_type)
            .bind(a.size)
            .bind(a.added_at)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    async fn insert_tip_event(
        &self,
        conn: &mut AnyConnection,
        tip_id: &str,
        at: i64,
        actor: Option<&str>,
        kind: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let row = sqlx::query(&self.sql("SELECT COALESCE(MAX(seq), 0) AS s FROM tip_events WHERE tip_id = $1"))
            .bind(tip_id)
            .fetch_one(&mut *conn)
            .await?;
        let seq: i64 = row.try_get::<i64, _>("s")? + 1;
        sqlx::query(&self.sql("INSERT INTO tip_events (tip_id, seq, at, actor_user_id, kind, detail) VALUES ($1, $2, $3, $4, $5, $6)"))
            .bind(tip_id)
            .bind(seq)
            .bind(at)
            .bind(actor)
            .bind(kind)
            .bind(detail)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    async fn load_tip(&self, row: Option<AnyRow>) -> Result<Option<Tip>, StoreError> {
        let Some(row) = row else { return Ok(None) };
        let mut t = tip_row(&row)?;
        let rows =
            sqlx::query(&self.sql("SELECT * FROM tip_messages WHERE tip_id = $1 ORDER BY seq")).bind(&t.id).fetch_all(&self.read).await?;
        for r in &rows {
            t.messages.push(TipMessage {
                seq: r.try_get("seq")?,
                at: r.try_get("at")?,
                from_reporter: r.try_get::<i64, _>("from_reporter")? != 0,
                author_user_id: r.try_get("author_user_id")?,
                body: r.try_get("body")?,
            });
        }
        let rows = sqlx::query(&self.sql("SELECT * FROM tip_attachments WHERE tip_id = $1 ORDER BY added_at, sha256"))
            .bind(&t.id)
            .fetch_all(&self.read)
            .await?;
        for r in &rows {
            t.attachments.push(TipAttachment {
                sha256: r.try_get("sha256")?,
                filename: r.try_get("filename")?,
                media_type: r.try_get("media_type")?,
                size: r.try_get("size")?,
                added_at: r.try_get("added_at")?,
            });
        }
        let rows =
            sqlx::query(&self.sql("SELECT * FROM tip_events WHERE tip_id = $1 ORDER BY seq")).bind(&t.id).fetch_all(&self.read).await?;
        for r in &rows {
            t.events.push(TipEvent {
                seq: r.try_get("seq")?,
                at: r.try_get("at")?,
                actor_user_id: r.try_get("actor_user_id")?,
                kind: r.try_get("kind")?,
                detail: r.try_get("detail")?,
            });
        }
        Ok(Some(t))
    }

    /// A tip with its messages, attachments and history, whoever asks (the app decides who may).
    pub async fn tip(&self, id: &str) -> Result<Option<Tip>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT * FROM tips WHERE id = $1")).bind(id).fetch_optional(&self.read).await?;
        self.load_tip(row).await
    }

    /// The tip a tracking code's hash names.
    pub async fn tip_by_tracking_hash(&self, hash: &str) -> Result<Option<Tip>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT * FROM tips WHERE tracking_hash = $1")).bind(hash).fetch_optional(&self.read).await?;
        self.load_tip(row).await
    }

    /// The tip an e-mail's Message-ID already made, if any.
    pub async fn tip_id_by_source(&self, source_ref: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT id FROM tips WHERE source_ref = $1")).bind(source_ref).fetch_optional(&self.read).await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }

    /// Tips a unit took in or was routed, in one status or all, newest first (without messages).
    pub async fn tips_for_unit(&self, unit_id: &str, status: Option<TipStatus>, limit: i64) -> Result<Vec<Tip>, StoreError> {
        let rows = sqlx::query(&self.sql(
            "SELECT * FROM tips WHERE (intake_unit_id = $1 OR assigned_unit_id = $1) AND ($2 IS NULL OR status = $2) \
             ORDER BY created_at DESC, id LIMIT $3",
        ))
        .bind(unit_id)
        .bind(status.map(|s| s.as_str()))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(tip_row).collect()
    }

    /// Tips received since `since` (without messages), for finding repeats.
    pub async fn tips_since(&self, since: i64, limit: i64) -> Result<Vec<Tip>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT * FROM tips WHERE created_at >= $1 ORDER BY created_at DESC LIMIT $2"))
            .bind(since)
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(tip_row).collect()
    }

    /// Adds a message (and any files) to a tip that is not closed; `Stale` if it is.
    pub async fn add_tip_message(
        &self,
        tip_id: &str,
        m: &TipMessage,
        files: &[TipAttachment],
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let open = sqlx::query(&self.sql("SELECT status FROM tips WHERE id = $1")).bind(tip_id).fetch_optional(&mut *tx).await?;
        match open {
            Some(r) if r.try_get::<String, _>("status")? != TipStatus::Closed.as_str() => {}
            Some(_) => return Err(StoreError::Stale),
            None => return Err(StoreError::MissingReference { what: "tip" }),
        }
        let row = sqlx::query(&self.sql("SELECT COALESCE(MAX(seq), 0) AS s FROM tip_messages WHERE tip_id = $1"))
            .bind(tip_id)
            .fetch_one(&mut *tx)
            .await?;
        let seq: i64 = row.try_get::<i64, _>("s")? + 1;
        sqlx::query(
            &self.sql("INSERT INTO tip_messages (tip_id, seq, at, from_reporter, author_user_id, body) VALUES ($1, $2, $3, $4, $5, $6)"),
        )
        .bind(tip_id)
        .bind(seq)
        .bind(m.at)
        .bind(i64::from(m.from_reporter))
        .bind(m.author_user_id.clone())
        .bind(&m.body)
        .execute(&mut *tx)
        .await?;
        self.insert_tip_attachments(&mut tx, tip_id, files).await?;
        let kind = if m.from_reporter { "follow_up" } else { "note" };
        self.insert_tip_event(&mut tx, tip_id, m.at, m.author_user_id.as_deref(), kind, "").await?;
        sqlx::query(&self.sql("UPDATE tips SET updated_at = $1 WHERE id = $2")).bind(m.at).bind(tip_id).execute(&mut *tx).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applies a triage change (categorise, route, close) if the tip is still in one of
    /// `change.from`, with its history event and audit entries; `Stale` otherwise.
    pub async fn change_tip(
        &self,
        tip_id: &str,
        change: &TipChange,
        (actor, at): (&str, i64),
        (kind, detail): (&str, &str),
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let allowed: Vec<String> = change.from.iter().map(|s| format!("'{}'", s.as_str())).collect();
        // The codes in `allowed` are ours, not input.
        let sql = format!(
            "UPDATE tips SET status = $1, outcome = $2, province_code = $3, violation_type = $4, commodity = $5, ecommerce = $6, \
             assigned_unit_id = $7, case_id = $8, duplicate_of = $9, updated_at = $10 WHERE id = $11 AND status IN ({})",
            allowed.join(", ")
        );
        let done = sqlx::query(&self.sql(&sql))
            .bind(change.status.as_str())
            .bind(change.outcome.map(|o| o.as_str()))
            .bind(change.province_code.clone())
            .bind(change.violation_type.clone())
            .bind(change.commodity.clone())
            .bind(i64::from(change.ecommerce))
            .bind(change.assigned_unit_id.clone())
            .bind(change.case_id.clone())
            .bind(change.duplicate_of.clone())
            .bind(at)
            .bind(tip_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        self.insert_tip_event(&mut tx, tip_id, at, Some(actor), kind, detail).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
