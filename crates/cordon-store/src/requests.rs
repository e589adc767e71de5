//! Requests between administrations: the request with its access rows (the sharing rule, as
//! for cases), links to cases and entities, status history, answers and files; and the public
//! keys of partners whose signed answer packages are accepted.

use cordon_core::audit::AuditEntry;
use cordon_core::request::{Counterpart, Direction, RequestKind, RequestStatus};
use cordon_core::sharing::Sharing;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::backend::Store;
use crate::StoreError;

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Id.
    pub id: String,
    /// Human reference, e.g. `YC-2026-000012` (assigned on insert).
    pub reference: String,
    /// What it asks for.
    pub kind: RequestKind,
    /// Incoming or outgoing.
    pub direction: Direction,
    /// The other side.
    pub counterpart: Counterpart,
    /// Short subject.
    pub subject: String,
    /// What is asked, in full.
    pub details: String,
    /// The instrument it rests on, as written (agreement, article).
    pub legal_basis: String,
    /// The coordination agreement it rests on, if one in Cordon.
    pub agreement_id: Option<String>,
    /// The counterpart's own reference.
    pub their_reference: Option<String>,
    /// Where it stands.
    pub status: RequestStatus,
    /// Answer due, ms.
    pub deadline: i64,
    /// Whether the deadline was set by hand (otherwise the kind's default).
    pub deadline_set_by_hand: bool,
    /// Sent or received, ms.
    pub opened_at: Option<i64>,
    /// Final answer recorded, ms.
    pub answered_at: Option<i64>,
    /// Closed or withdrawn, ms.
    pub closed_at: Option<i64>,
    /// Recording unit.
    pub owner_unit_id: String,
    /// Recording agency.
    pub owner_agency_id: String,
    /// Label, distribution and handling conditions.
    pub sharing: Sharing,
    /// Recording user.
    pub created_by: String,
    /// Recorded, ms.
    pub created_at: i64,
    /// Last change, ms.
    pub updated_at: i64,
    /// Linked case ids.
    pub linked_cases: Vec<String>,
    /// Linked entity ids.
    pub linked_entities: Vec<String>,
}

/// A step in a request's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestEvent {
    /// Position, from 1.
    pub seq: i64,
    /// When, ms.
    pub at: i64,
    /// Who (`partner:KEY` for an imported package's signer is recorded in `detail`; the actor is the importer).
    pub actor_user_id: String,
    /// From which unit.
    pub actor_unit_id: String,
    /// `created`, `status_changed`, `answered`, `file_attached`, `package_exported`.
    pub kind: String,
    /// Status before.
    pub from_status: Option<RequestStatus>,
    /// Status after.
    pub to_status: Option<RequestStatus>,
    /// Why, as the actor wrote it.
    pub reason: String,
    /// JSON detail.
    pub detail: String,
}

/// An answer, partial or final.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestAnswer {
    /// Id.
    pub id: String,
    /// The request.
    pub request_id: String,
    /// The final answer (otherwise partial).
    pub is_final: bool,
    /// Text.
    pub body: String,
    /// Recorded, ms.
    pub answered_at: i64,
    /// The user who recorded or imported it.
    pub recorded_by: String,
    /// `cordon` (entered) or `package` (a signed package imported).
    pub via: String,
    /// For a package: the public key (hex) whose signature was verified.
    pub signed_by: Option<String>,
}

/// A file attached to a request or to one of its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFile {
    /// The request.
    pub request_id: String,
    /// The answer it belongs to; `None`: the request itself.
    pub answer_id: Option<String>,
    /// SHA-256 of the content, hex: its name in the file store.
    pub sha256: String,
    /// Bytes.
    pub size: i64,
    /// Media type, from the content.
    pub media_type: String,
    /// Name as given.
    pub filename: String,
    /// Uploading user.
    pub uploaded_by: String,
    /// When, ms.
    pub uploaded_at: i64,
}

/// A partner's public key, trusted for the packages of one counterpart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerKey {
    /// Counterpart code (`customs:CN`, `org:interpol`, `agency:ID`).
    pub counterpart: String,
    /// Ed25519 public key, hex.
    pub public_key: String,
    /// What the key is (who gave it, when, how it was checked).
    pub label: String,
    /// Who added it.
    pub added_by: String,
    /// When, ms.
    pub added_at: i64,
}

/// Filters over requests; every given one must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    /// Direction code.
    pub direction: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Kind code.
    pub kind: Option<String>,
    /// Counterpart code.
    pub counterpart: Option<String>,
    /// Recording unit.
    pub unit: Option<String>,
    /// Recording agency.
    pub agency: Option<String>,
    /// Sent or received at or after, ms.
    pub opened_from: Option<i64>,
    /// Sent or received before, ms.
    pub opened_to: Option<i64>,
}

enum Bind {
    Text(String),
    Int(i64),
}

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("request {what} {v:?}"))
}

fn status_of(v: Option<String>) -> Result<Option<RequestStatus>, StoreError> {
    v.map(|s| RequestStatus::parse(&s).ok_or_else(|| corrupt("status", &s))).transpose()
}

fn request_row(r: &AnyRow) -> Result<Request, StoreError> {
    let (kind, direction, counterpart, status): (String, String, String, String) =
        (r.try_get("kind")?, r.try_get("direction")?, r.try_get("counterpart")?, r.try_get("status")?);
    let sharing = crate::cases::item_sharing_from_text(Some(r.try_get("sharing")?))?.ok_or_else(|| corrupt("sharing", ""))?;
    Ok(Request {
        id: r.try_get("id")?,
        reference: r.try_get("reference")?,
        kind: RequestKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        direction: Direction::parse(&direction).ok_or_else(|| corrupt("direction", &direction))?,
        counterpart: Counterpart::parse(&counterpart).map_err(|_| corrupt("counterpart", &counterpart))?,
        subject: r.try_get("subject")?,
        details: r.try_get("details")?,
        legal_basis: r.try_get("legal_basis")?,
        agreement_id: r.try_get("agreement_id")?,
        their_reference: r.try_get("their_reference")?,
        status: RequestStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        deadline: r.try_get("deadline")?,
        deadline_set_by_hand: r.try_get::<i64, _>("deadline_set_by_hand")? != 0,
        opened_at: r.try_get("opened_at")?,
        answered_at: r.try_get("answered_at")?,
        closed_at: r.try_get("closed_at")?,
        owner_unit_id: r.try_get("owner_unit_id")?,
        owner_agency_id: r.try_get("owner_agency_id")?,
        sharing,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        linked_cases: Vec::new(),
        linked_entities: Vec::new(),
    })
}

fn file_row(r: &AnyRow) -> Result<RequestFile, StoreError> {
    Ok(RequestFile {
        request_id: r.try_get("request_id")?,
        answer_id: Some(r.try_get::<String, _>("answer_id")?).filter(|a| !a.is_empty()),
        sha256: r.try_get("sha256")?,
        size: r.try_get("size")?,
        media_type: r.try_get("media_type")?,
        filename: r.try_get("filename")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

impl Store {
    async fn insert_request_event(&self, conn: &mut AnyConnection, request_id: &str, e: &RequestEvent) -> Result<(), StoreError> {
        sqlx::query(&self.sql(
            "INSERT INTO request_events (request_id, seq, at, actor_user_id, actor_unit_id, kind, from_status, to_status, reason, detail) \
             VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM request_events WHERE request_id = $1), $2, $3, $4, $5, $6, $7, $8, $9)",
        ))
        .bind(request_id)
        .bind(e.at)
        .bind(e.actor_user_id.clone())
        .bind(e.actor_unit_id.clone())
        .bind(e.kind.clone())
        .bind(e.from_status.map(|s| s.as_str()))
        .bind(e.to_status.map(|s| s.as_str()))
        .bind(e.reason.clone())
        .bind(e.detail.clone())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    async fn insert_request_file_row(&self, conn: &mut AnyConnection, f: &RequestFile) -> Result<(), StoreError> {
        sqlx::query(&self.sql(
            "INSERT INTO request_files (request_id, answer_id, sha256, size, media_type, filename, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        ))
        .bind(f.request_id.clone())
        .bind(f.answer_id.clone().unwrap_or_default())
        .bind(f.sha256.clone())
        .bind(f.size)
        .bind(f.media_type.clone())
        .bind(f.filename.clone())
        .bind(f.uploaded_by.clone())
        .bind(f.uploaded_at)
        .execute(&mut *conn)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { .. } => StoreError::Conflict { what: "this file on this request" },
            other => other,
        })?;
        Ok(())
    }

    /// Records a request with its access rows, links, first event and audit entries, numbering
    /// it `PREFIX-NNNNNN` in the same transaction. Returns the reference.
    pub async fn insert_request(
        &self,
        r: &Request,
        reference_prefix: &str,
        principals: &[String],
        event: &RequestEvent,
        audit: &[AuditEntry],
    ) -> Result<String, StoreError> {
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(&self.sql(
            "INSERT INTO request_counters (prefix, next_value) VALUES ($1, 1) \
             ON CONFLICT (prefix) DO UPDATE SET next_value = request_counters.next_value + 1 RETURNING next_value",
        ))
        .bind(reference_prefix)
        .fetch_one(&mut *tx)
        .await?;
        let reference = format!("{reference_prefix}-{:06}", row.try_get::<i64, _>("next_value")?);
        sqlx::query(&self.sql(
            "INSERT INTO requests (id, reference, kind, direction, counterpart, counterpart_country, subject, details, legal_basis, \
             agreement_id, their_reference, status, deadline, deadline_set_by_hand, opened_at, answered_at, closed_at, owner_unit_id, \
             owner_agency_id, tlp, sharing, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)",
        ))
        .bind(r.id.clone())
        .bind(reference.clone())
        .bind(r.kind.as_str())
        .bind(r.direction.as_str())
        .bind(r.counterpart.to_code())
        .bind(r.counterpart.country().map(str::to_string))
        .bind(r.subject.clone())
        .bind(r.details.clone())
        .bind(r.legal_basis.clone())
        .bind(r.agreement_id.clone())
        .bind(r.their_reference.clone())
        .bind(r.status.as_str())
        .bind(r.deadline)
        .bind(i64::from(r.deadline_set_by_hand))
        .bind(r.opened_at)
        .bind(r.answered_at)
        .bind(r.closed_at)
        .bind(r.owner_unit_id.clone())
        .bind(r.owner_agency_id.clone())
        .bind(r.sharing.tlp.as_str())
        .bind(crate::cases::item_sharing_to_text(&Some(r.sharing.clone())))
        .bind(r.created_by.clone())
        .bind(r.created_at)
        .bind(r.updated_at)
        .execute(&mut *tx)
        .await?;
        for p in principals {
            sqlx::query(&self.sql("INSERT INTO request_access (request_id, principal) VALUES ($1, $2)"))
                .bind(r.id.clone())
                .bind(p.clone())
                .execute(&mut *tx)
                .await?;
        }
        let links = r.linked_cases.iter().map(|c| ("case", c)).chain(r.linked_entities.iter().map(|e| ("entity", e)));
        for (target_type, target_id) in links {
            sqlx::query(&self.sql("INSERT INTO request_links (request_id, target_type, target_id) VALUES ($1, $2, $3)"))
                .bind(r.id.clone())
                .bind(target_type)
                .bind(target_id.clone())
                .execute(&mut *tx)
                .await?;
        }
        self.insert_request_event(&mut tx, &r.id, event).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(reference)
    }

    async fn with_links(&self, mut r: Request) -> Result<Request, StoreError> {
        let rows = sqlx::query(
            &self.sql("SELECT target_type, target_id FROM request_links WHERE request_id = $1 ORDER BY target_type, target_id"),
        )
        .bind(r.id.clone())
        .fetch_all(&self.read)
        .await?;
        for row in rows {
            let (t, id): (String, String) = (row.try_get("target_type")?, row.try_get("target_id")?);
            if t == "case" {
                r.linked_cases.push(id);
            } else {
                r.linked_entities.push(id);
            }
        }
        Ok(r)
    }

    /// A request with its links, whoever asks (the app decides who may).
    pub async fn request(&self, id: &str) -> Result<Option<Request>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT * FROM requests WHERE id = $1")).bind(id).fetch_optional(&self.read).await?;
        match row {
            Some(row) => Ok(Some(self.with_links(request_row(&row)?).await?)),
            None => Ok(None),
        }
    }

    /// Requests a viewer holding `principals` may see, matching `filter`, newest first, at most `limit`
    /// (all of them with `limit` ≤ 0), with their links.
    pub async fn requests_visible(&self, principals: &[String], f: &RequestFilter, limit: i64) -> Result<Vec<Request>, StoreError> {
        let mut out = Vec::new();
        for r in self.requests_visible_without_links(principals, f, limit).await? {
            out.push(self.with_links(r).await?);
        }
        Ok(out)
    }

    /// As [`Store::requests_visible`], without reading the links (statistics need none): one query.
    pub async fn requests_visible_without_links(
        &self,
        principals: &[String],
        f: &RequestFilter,
        limit: i64,
    ) -> Result<Vec<Request>, StoreError> {
        let mut binds: Vec<Bind> = Vec::new();
        let mut next = |b: Bind| {
            binds.push(b);
            format!("${}", binds.len())
        };
        let mut holders: Vec<String> = principals.iter().map(|p| next(Bind::Text(p.clone()))).collect();
        if holders.is_empty() {
            // No principals: nothing is visible. Keep the SQL valid.
            holders.push(next(Bind::Text(String::new())));
        }
        let mut sql = format!(
            "SELECT r.* FROM requests r WHERE EXISTS (SELECT 1 FROM request_access a WHERE a.request_id = r.id AND a.principal IN ({}))",
            holders.join(", ")
        );
        for (col, v) in [
            ("r.direction", &f.direction),
            ("r.status", &f.status),
            ("r.kind", &f.kind),
            ("r.counterpart", &f.counterpart),
            ("r.owner_unit_id", &f.unit),
            ("r.owner_agency_id", &f.agency),
        ] {
            if let Some(v) = v {
                let ph = next(Bind::Text(v.clone()));
                sql.push_str(&format!(" AND {col} = {ph}"));
            }
        }
        if let Some(t) = f.opened_from {
            let ph = next(Bind::Int(t));
            sql.push_str(&format!(" AND r.opened_at >= {ph}"));
        }
        if let Some(t) = f.opened_to {
            let ph = next(Bind::Int(t));
            sql.push_str(&format!(" AND r.opened_at < {ph}"));
        }
        sql.push_str(" ORDER BY r.created_at DESC, r.id DESC");
        if limit > 0 {
            let ph = next(Bind::Int(limit));
            sql.push_str(&format!(" LIMIT {ph}"));
        }
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql);
        for b in binds {
            q = match b {
                Bind::Text(s) => q.bind(s),
                Bind::Int(i) => q.bind(i),
            };
        }
        q.fetch_all(&self.read).await?.iter().map(request_row).collect()
    }

    /// Moves a request from `from` to `to` (setting when it opened or closed), with the event
    /// and audit entries; `Stale` if it is no longer in `from`.
    pub async fn transition_request(
        &self,
        id: &str,
        from: RequestStatus,
        to: RequestStatus,
        at: i64,
        event: &RequestEvent,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let opens = matches!(to, RequestStatus::Sent | RequestStatus::Received);
        let closes = matches!(to, RequestStatus::Closed | RequestStatus::Withdrawn);
        let done = sqlx::query(&self.sql(
            "UPDATE requests SET status = $1, updated_at = $2, opened_at = CASE WHEN $3 = 1 THEN $2 ELSE opened_at END, \
             closed_at = CASE WHEN $4 = 1 THEN $2 ELSE closed_at END WHERE id = $5 AND status = $6",
        ))
        .bind(to.as_str())
        .bind(at)
        .bind(i64::from(opens))
        .bind(i64::from(closes))
        .bind(id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        self.insert_request_event(&mut tx, id, event).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records an answer with its files (already in the file store), moving the request from
    /// `from` to `to`, with the event and audit entries, in one transaction; `Stale` if the
    /// request is no longer in `from`.
    pub async fn insert_request_answer(
        &self,
        a: &RequestAnswer,
        files: &[RequestFile],
        (from, to): (RequestStatus, RequestStatus),
        event: &RequestEvent,
        audit: &[AuditEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(&self.sql(
            "UPDATE requests SET status = $1, updated_at = $2, answered_at = CASE WHEN $3 = 1 THEN $2 ELSE answered_at END \
             WHERE id = $4 AND status = $5",
        ))
        .bind(to.as_str())
        .bind(a.answered_at)
        .bind(i64::from(a.is_final))
        .bind(a.request_id.clone())
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        sqlx::query(&self.sql(
            "INSERT INTO request_answers (id, request_id, is_final, body, answered_at, recorded_by, via, signed_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        ))
        .bind(a.id.clone())
        .bind(a.request_id.clone())
        .bind(i64::from(a.is_final))
        .bind(a.body.clone())
        .bind(a.answered_at)
        .bind(a.recorded_by.clone())
        .bind(a.via.clone())
        .bind(a.signed_by.clone())
        .execute(&mut *tx)
        .await?;
        for f in files {
            self.insert_request_file_row(&mut tx, f).await?;
        }
        self.insert_request_event(&mut tx, &a.request_id, event).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Links a file (already in the file store) to a request or one of its answers, with the
    /// event and audit entries.
    pub async fn insert_request_file(&self, f: &RequestFile, event: &RequestEvent, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql("UPDATE requests SET updated_at = $1 WHERE id = $2"))
            .bind(f.uploaded_at)
            .bind(f.request_id.clone())
            .execute(&mut *tx)
            .await?;
        self.insert_request_file_row(&mut tx, f).await?;
        self.insert_request_event(&mut tx, &f.request_id, event).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records an event (a package exported) with its audit entries.
    pub async fn insert_request_note(&self, request_id: &str, event: &RequestEvent, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        self.insert_request_event(&mut tx, request_id, event).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A request's history, oldest first.
    pub async fn request_events(&self, request_id: &str) -> Result<Vec<RequestEvent>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT * FROM request_events WHERE request_id = $1 ORDER BY seq"))
            .bind(request_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(RequestEvent {
                    seq: r.try_get("seq")?,
                    at: r.try_get("at")?,
                    actor_user_id: r.try_get("actor_user_id")?,
                    actor_unit_id: r.try_get("actor_unit_id")?,
                    kind: r.try_get("kind")?,
                    from_status: status_of(r.try_get("from_status")?)?,
                    to_status: status_of(r.try_get("to_status")?)?,
                    reason: r.try_get("reason")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }

    /// A request's answers, oldest first.
    pub async fn request_answers(&self, request_id: &str) -> Result<Vec<RequestAnswer>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT * FROM request_answers WHERE request_id = $1 ORDER BY answered_at, id"))
            .bind(request_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(RequestAnswer {
                    id: r.try_get("id")?,
                    request_id: r.try_get("request_id")?,
                    is_final: r.try_get::<i64, _>("is_final")? != 0,
                    body: r.try_get("body")?,
                    answered_at: r.try_get("answered_at")?,
                    recorded_by: r.try_get("recorded_by")?,
                    via: r.try_get("via")?,
                    signed_by: r.try_get("signed_by")?,
                })
            })
            .collect()
    }

    /// The files of a request and its answers, in upload order.
    pub async fn request_files(&self, request_id: &str) -> Result<Vec<RequestFile>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT * FROM request_files WHERE request_id = $1 ORDER BY uploaded_at, answer_id, sha256"))
            .bind(request_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(file_row).collect()
    }

    /// Trusts a partner's public key for one counterpart, with the audit entries.
    pub async fn insert_partner_key(&self, k: &PartnerKey, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql("INSERT INTO partner_keys (counterpart, public_key, label, added_by, added_at) VALUES ($1, $2, $3, $4, $5)"))
            .bind(k.counterpart.clone())
            .bind(k.public_key.clone())
            .bind(k.label.clone())
            .bind(k.added_by.clone())
            .bind(k.added_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict { .. } => StoreError::Conflict { what: "this key for this counterpart" },
                other => other,
            })?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The keys trusted for a counterpart (all of them with `None`).
    pub async fn partner_keys(&self, counterpart: Option<&str>) -> Result<Vec<PartnerKey>, StoreError> {
        let rows =
            sqlx::query(&self.sql("SELECT * FROM partner_keys WHERE ($1 IS NULL OR counterpart = $1) ORDER BY counterpart, added_at"))
                .bind(counterpart.map(str::to_string))
                .fetch_all(&self.read)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(PartnerKey {
                    counterpart: r.try_get("counterpart")?,
                    public_key: r.try_get("public_key")?,
                    label: r.try_get("label")?,
                    added_by: r.try_get("added_by")?,
                    added_at: r.try_get("added_at")?,
                })
            })
            .collect()
    }
}
