//! Delivery of notices: duty rosters, users' contact details, and the transactional outbox —
//! routes and delivery jobs written in the notice's own transaction, claimed by workers
//! (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so several servers never take the same job at once;
//! SQLite: its single writer), every attempt recorded — plus PostgreSQL's `LISTEN/NOTIFY`
//! for live delivery across servers.

use cordon_core::audit::AuditEntry;
use cordon_core::delivery::{AttemptStatus, Channel, DeliveryEvent, JobStatus};
use cordon_core::duty::DutyShift;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::backend::{Dialect, Store};
use crate::StoreError;

/// Who a notice was routed to in one addressed unit, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRoute {
    /// The notice.
    pub notice_id: String,
    /// The addressed unit.
    pub unit_id: String,
    /// Raised or escalated.
    pub event: DeliveryEvent,
    /// The people it goes to.
    pub user_ids: Vec<String>,
    /// Why them ("on duty: …", "nobody on duty: to the unit head …").
    pub note: String,
    /// When, ms.
    pub at: i64,
}

/// One delivery: a notice, to one person, over one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryJob {
    /// Id.
    pub id: String,
    /// The notice.
    pub notice_id: String,
    /// The addressed unit it is delivered for.
    pub unit_id: String,
    /// Raised or escalated.
    pub event: DeliveryEvent,
    /// The person.
    pub user_id: String,
    /// The channel.
    pub channel: Channel,
    /// The e-mail address or telephone number used (none for live delivery).
    pub address: Option<String>,
    /// Where it stands.
    pub status: JobStatus,
    /// Attempts made (the one under way included).
    pub attempts: i64,
    /// Not to be tried before, ms.
    pub next_attempt_at: i64,
    /// Taken by a worker until, ms: another may take it up after (the worker died).
    pub lease_until: Option<i64>,
    /// Written, ms.
    pub created_at: i64,
    /// Sent or given up, ms.
    pub done_at: Option<i64>,
    /// The last failure.
    pub last_error: Option<String>,
}

/// One attempt at a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    /// The job.
    pub job_id: String,
    /// 1, 2, …
    pub attempt: i64,
    /// The server instance that made it.
    pub instance: String,
    /// Started, ms.
    pub started_at: i64,
    /// Ended, ms.
    pub finished_at: Option<i64>,
    /// How it ended.
    pub status: AttemptStatus,
    /// Why it failed.
    pub error: Option<String>,
}

/// What a notice's raise or escalation leaves to deliver, written in the same transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outbox {
    /// Who, in each unit, and why.
    pub routes: Vec<NoticeRoute>,
    /// One job per channel and person.
    pub jobs: Vec<DeliveryJob>,
}

/// A notice's deliveries: routes, jobs, and every attempt.
#[derive(Debug, Clone, Default)]
pub struct NoticeDeliveries {
    /// Who, in each unit, and why.
    pub routes: Vec<NoticeRoute>,
    /// The jobs, by unit, event, person and channel.
    pub jobs: Vec<DeliveryJob>,
    /// The attempts, by job and number.
    pub attempts: Vec<DeliveryAttempt>,
}

/// A user's addresses for the channels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    /// E-mail address.
    pub email: Option<String>,
    /// Telephone number (SMS, calls, fax through the gateway).
    pub phone: Option<String>,
}

/// How an attempt ended, as the worker reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Accepted by the channel.
    Sent,
    /// Failed; try again at the time given, or give up (`None`).
    Failed {
        /// What went wrong.
        error: String,
        /// When to try again.
        retry_at: Option<i64>,
    },
}

fn parse<T>(what: &str, code: &str, f: impl Fn(&str) -> Option<T>) -> Result<T, StoreError> {
    f(code).ok_or_else(|| StoreError::Corrupt(format!("{what} {code:?}")))
}

fn job_row(r: &AnyRow) -> Result<DeliveryJob, StoreError> {
    let (event, channel, status): (String, String, String) = (r.try_get("event")?, r.try_get("channel")?, r.try_get("status")?);
    Ok(DeliveryJob {
        id: r.try_get("id")?,
        notice_id: r.try_get("notice_id")?,
        unit_id: r.try_get("unit_id")?,
        event: parse("delivery event", &event, DeliveryEvent::parse)?,
        user_id: r.try_get("user_id")?,
        channel: parse("channel", &channel, Channel::parse)?,
        address: r.try_get("address")?,
        status: parse("delivery status", &status, JobStatus::parse)?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        lease_until: r.try_get("lease_until")?,
        created_at: r.try_get("created_at")?,
        done_at: r.try_get("done_at")?,
        last_error: r.try_get("last_error")?,
    })
}

fn shift_row(r: &AnyRow) -> Result<DutyShift, StoreError> {
    Ok(DutyShift {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        user_id: r.try_get("user_id")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        note: r.try_get("note")?,
    })
}

/// Longest error text kept per attempt: a receiver's whole error page is not needed.
const MAX_ERROR_CHARS: usize = 500;

fn clip(error: &str) -> String {
    error.chars().take(MAX_ERROR_CHARS).collect()
}

impl Store {
    // ---- duty rosters ----

    /// Records a duty shift with its audit entries.
    pub async fn insert_duty_shift(&self, s: &DutyShift, by: &str, at: i64, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO duty_shifts (id, unit_id, user_id, starts_at, ends_at, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        ))
        .bind(s.id.clone())
        .bind(s.unit_id.clone())
        .bind(s.user_id.clone())
        .bind(s.starts_at)
        .bind(s.ends_at)
        .bind(s.note.clone())
        .bind(by)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a unit's duty shift; `Stale` if there is no such shift in that unit.
    pub async fn delete_duty_shift(&self, unit_id: &str, id: &str, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(&self.sql("DELETE FROM duty_shifts WHERE id = $1 AND unit_id = $2"))
            .bind(id)
            .bind(unit_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A unit's shifts that overlap `[from, to)`, by start.
    pub async fn duty_shifts(&self, unit_id: &str, from: i64, to: i64) -> Result<Vec<DutyShift>, StoreError> {
        let rows = sqlx::query(
            &self.sql("SELECT * FROM duty_shifts WHERE unit_id = $1 AND ends_at > $2 AND starts_at < $3 ORDER BY starts_at, user_id, id"),
        )
        .bind(unit_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(shift_row).collect()
    }

    // ---- contact details ----

    /// Sets a user's e-mail address and telephone number, with the audit entries.
    pub async fn set_contact(&self, user_id: &str, c: &Contact, at: i64, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(&self.sql("UPDATE users SET email = $1, phone = $2, updated_at = $3 WHERE id = $4"))
            .bind(c.email.clone())
            .bind(c.phone.clone())
            .bind(at)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::MissingReference { what: "user" });
        }
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A user's contact details (empty for an unknown user).
    pub async fn contact(&self, user_id: &str) -> Result<Contact, StoreError> {
        let row = sqlx::query(&self.sql("SELECT email, phone FROM users WHERE id = $1")).bind(user_id).fetch_optional(&self.read).await?;
        match row {
            Some(r) => Ok(Contact { email: r.try_get("email")?, phone: r.try_get("phone")? }),
            None => Ok(Contact::default()),
        }
    }

    // ---- the outbox ----

    /// Writes a notice's routes and delivery jobs inside the caller's transaction.
    pub(crate) async fn write_outbox(&self, conn: &mut AnyConnection, outbox: &Outbox) -> Result<(), StoreError> {
        for r in &outbox.routes {
            let users = serde_json::to_string(&r.user_ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                &self.sql("INSERT INTO notice_routes (notice_id, unit_id, event, user_ids, note, at) VALUES ($1, $2, $3, $4, $5, $6)"),
            )
            .bind(r.notice_id.clone())
            .bind(r.unit_id.clone())
            .bind(r.event.as_str())
            .bind(users)
            .bind(r.note.clone())
            .bind(r.at)
            .execute(&mut *conn)
            .await?;
        }
        if outbox.jobs.is_empty() {
            return Ok(());
        }
        self.insert_many(
            conn,
            "INSERT INTO delivery_jobs (id, notice_id, unit_id, event, user_id, channel, address, status, attempts, next_attempt_at, \
             lease_until, created_at, done_at, last_error)",
            14,
            "",
            &outbox.jobs,
            |q, j| {
                q.bind(j.id.clone())
                    .bind(j.notice_id.clone())
                    .bind(j.unit_id.clone())
                    .bind(j.event.as_str())
                    .bind(j.user_id.clone())
                    .bind(j.channel.as_str())
                    .bind(j.address.clone())
                    .bind(j.status.as_str())
                    .bind(j.attempts)
                    .bind(j.next_attempt_at)
                    .bind(j.lease_until)
                    .bind(j.created_at)
                    .bind(j.done_at)
                    .bind(j.last_error.clone())
            },
        )
        .await
    }

    /// Takes up to `limit` jobs of a channel due at `now` for this worker until `lease_until`,
    /// counting the attempt and recording it as under way; an earlier attempt still "sending"
    /// (its worker died) is marked interrupted. PostgreSQL skips rows another server is
    /// taking at the same moment, so each job goes to one worker; SQLite has one writer.
    pub async fn claim_delivery_jobs(
        &self,
        channel: Channel,
        now: i64,
        lease_until: i64,
        limit: i64,
        instance: &str,
    ) -> Result<Vec<DeliveryJob>, StoreError> {
        let lock = if self.dialect == Dialect::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        let sql = format!(
            "UPDATE delivery_jobs SET lease_until = $1, attempts = attempts + 1 WHERE id IN (\
             SELECT id FROM delivery_jobs WHERE channel = $2 AND status = 'pending' AND next_attempt_at <= $3 \
             AND (lease_until IS NULL OR lease_until <= $3) ORDER BY next_attempt_at, id LIMIT $4{lock}) RETURNING *"
        );
        let mut tx = self.write.begin().await?;
        let rows = sqlx::query(&self.sql(&sql)).bind(lease_until).bind(channel.as_str()).bind(now).bind(limit).fetch_all(&mut *tx).await?;
        let mut jobs = rows.iter().map(job_row).collect::<Result<Vec<_>, _>>()?;
        jobs.sort_by(|a, b| (a.next_attempt_at, &a.id).cmp(&(b.next_attempt_at, &b.id)));
        for j in &jobs {
            sqlx::query(&self.sql(
                "UPDATE delivery_attempts SET status = 'interrupted', finished_at = $1, \
                 error = 'the sender stopped before it learned the outcome' WHERE job_id = $2 AND status = 'sending'",
            ))
            .bind(now)
            .bind(j.id.clone())
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                &self.sql(
                    "INSERT INTO delivery_attempts (job_id, attempt, instance, started_at, status) VALUES ($1, $2, $3, $4, 'sending')",
                ),
            )
            .bind(j.id.clone())
            .bind(j.attempts)
            .bind(instance)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(jobs)
    }

    /// Records how an attempt ended and moves its job on: sent, retried later, or given up.
    /// A late report from a worker whose job was meanwhile taken up again is recorded on its
    /// attempt but leaves the job to the newer attempt.
    pub async fn finish_delivery_attempt(&self, job_id: &str, attempt: i64, now: i64, outcome: &AttemptOutcome) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let (status, error) = match outcome {
            AttemptOutcome::Sent => (AttemptStatus::Sent, None),
            AttemptOutcome::Failed { error, .. } => (AttemptStatus::Failed, Some(clip(error))),
        };
        sqlx::query(&self.sql("UPDATE delivery_attempts SET status = $1, finished_at = $2, error = $3 WHERE job_id = $4 AND attempt = $5"))
            .bind(status.as_str())
            .bind(now)
            .bind(error.clone())
            .bind(job_id)
            .bind(attempt)
            .execute(&mut *tx)
            .await?;
        let (sql, at) = match outcome {
            AttemptOutcome::Sent => (
                "UPDATE delivery_jobs SET status = 'sent', done_at = $1, lease_until = NULL, last_error = NULL \
                 WHERE id = $2 AND attempts = $3 AND status = 'pending'",
                now,
            ),
            AttemptOutcome::Failed { retry_at: Some(at), .. } => (
                "UPDATE delivery_jobs SET next_attempt_at = $1, lease_until = NULL, last_error = $4 \
                 WHERE id = $2 AND attempts = $3 AND status = 'pending'",
                *at,
            ),
            AttemptOutcome::Failed { retry_at: None, .. } => (
                "UPDATE delivery_jobs SET status = 'failed', done_at = $1, lease_until = NULL, last_error = $4 \
                 WHERE id = $2 AND attempts = $3 AND status = 'pending'",
                now,
            ),
        };
        let sql = self.sql(sql);
        let q = sqlx::query(&sql).bind(at).bind(job_id).bind(attempt);
        // Only a failure's statement names the error ($4).
        let q = match error {
            Some(e) => q.bind(e),
            None => q,
        };
        q.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Frees every job taken by a worker. Only for SQLite at start: one process owns the file,
    /// so a job still taken was taken by a run that has stopped.
    pub async fn release_delivery_leases(&self) -> Result<u64, StoreError> {
        let done = sqlx::query("UPDATE delivery_jobs SET lease_until = NULL WHERE status = 'pending' AND lease_until IS NOT NULL")
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }

    /// Whether several servers may share this store (PostgreSQL) — then leases expire instead.
    pub fn shared_by_servers(&self) -> bool {
        self.dialect == Dialect::Postgres
    }

    /// A notice's routes, jobs and attempts.
    pub async fn notice_deliveries(&self, notice_id: &str) -> Result<NoticeDeliveries, StoreError> {
        let routes = sqlx::query(&self.sql("SELECT * FROM notice_routes WHERE notice_id = $1 ORDER BY at, unit_id, event"))
            .bind(notice_id)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| {
                let (event, users): (String, String) = (r.try_get("event")?, r.try_get("user_ids")?);
                Ok(NoticeRoute {
                    notice_id: r.try_get("notice_id")?,
                    unit_id: r.try_get("unit_id")?,
                    event: parse("delivery event", &event, DeliveryEvent::parse)?,
                    user_ids: serde_json::from_str(&users).map_err(|e| StoreError::Corrupt(format!("route users: {e}")))?,
                    note: r.try_get("note")?,
                    at: r.try_get("at")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let jobs = sqlx::query(
            &self.sql("SELECT * FROM delivery_jobs WHERE notice_id = $1 ORDER BY created_at, unit_id, event, user_id, channel"),
        )
        .bind(notice_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(job_row)
        .collect::<Result<Vec<_>, _>>()?;
        let attempts = sqlx::query(&self.sql(
            "SELECT a.* FROM delivery_attempts a JOIN delivery_jobs j ON j.id = a.job_id WHERE j.notice_id = $1 ORDER BY a.job_id, a.attempt",
        ))
        .bind(notice_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            Ok(DeliveryAttempt {
                job_id: r.try_get("job_id")?,
                attempt: r.try_get("attempt")?,
                instance: r.try_get("instance")?,
                started_at: r.try_get("started_at")?,
                finished_at: r.try_get("finished_at")?,
                status: parse("attempt status", &status, AttemptStatus::parse)?,
                error: r.try_get("error")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(NoticeDeliveries { routes, jobs, attempts })
    }

    // ---- live delivery across servers (PostgreSQL) ----

    /// Tells every server listening on this database (this one included) about a live
    /// delivery; `payload` stays under PostgreSQL's 8000-byte limit. PostgreSQL only.
    pub async fn publish_live(&self, payload: &str) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify('cordon_live_' || current_schema(), $1)").bind(payload).execute(&self.write).await?;
        Ok(())
    }

    /// A listener for live deliveries published by any server on this database; `None` on
    /// SQLite, where the one server delivers in process.
    pub async fn live_listener(&self) -> Result<Option<LiveListener>, StoreError> {
        let Some(url) = self.pg_url.clone() else { return Ok(None) };
        // Each schema is its own Cordon (tests run side by side in one database): its channel too.
        let schema: String = sqlx::query("SELECT current_schema()::text AS s").fetch_one(&self.read).await?.try_get("s")?;
        let mut inner = sqlx::postgres::PgListener::connect(&url).await?;
        inner.listen(&format!("cordon_live_{schema}")).await?;
        Ok(Some(LiveListener { inner }))
    }
}

/// Live deliveries announced through PostgreSQL's `NOTIFY`.
pub struct LiveListener {
    inner: sqlx::postgres::PgListener,
}

impl std::fmt::Debug for LiveListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LiveListener")
    }
}

impl LiveListener {
    /// The next payload; reconnects by itself after a lost connection (what was announced
    /// meanwhile is missed: the inbox still holds it).
    pub async fn recv(&mut self) -> Result<String, StoreError> {
        Ok(self.inner.recv().await?.payload().to_string())
    }
}
