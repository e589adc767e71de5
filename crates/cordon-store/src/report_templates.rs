//! Report templates — the words around a periodic report's figures, per agency or for the
//! country, as an administrator set them last (each change is in the audit log) — and the
//! schedules on which reports are generated and e-mailed.

use cordon_core::audit::AuditEntry;
use sqlx::Row;

use crate::{Store, StoreError};

/// A report template as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTemplate {
    /// An agency id, or `country`.
    pub scope: String,
    /// The report's title line.
    pub title: String,
    /// The issuing authority's lines at the head of the report.
    pub authority: String,
    /// The introduction after the period.
    pub introduction: String,
    /// The closing (recipients, signature block).
    pub closing: String,
    /// The optional sections kept, as codes.
    pub sections: Vec<String>,
    /// Who set it.
    pub updated_by: String,
    /// When, ms.
    pub updated_at: i64,
}

/// A report generated on a schedule and e-mailed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSchedule {
    /// Id.
    pub id: String,
    /// Whose view of the cases the report is written with.
    pub owner_user_id: String,
    /// `monthly`, `quarterly`, `six_monthly` or `yearly`.
    pub kind: String,
    /// `country`, `agency` or `unit`.
    pub scope: String,
    /// With `agency`: which.
    pub agency_id: Option<String>,
    /// With `unit`: which.
    pub unit_id: Option<String>,
    /// `pdf`, `xlsx` or `csv`.
    pub format: String,
    /// E-mail addresses.
    pub recipients: Vec<String>,
    /// Created, ms.
    pub created_at: i64,
    /// The last period sent (`2026-01`, `2026-Q1`, `2026-H1`, `2026`).
    pub last_period: Option<String>,
    /// When it was sent, ms.
    pub last_sent_at: Option<i64>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
}

fn schedule_of(r: &sqlx::any::AnyRow) -> Result<ReportSchedule, StoreError> {
    Ok(ReportSchedule {
        id: r.try_get("id")?,
        owner_user_id: r.try_get("owner_user_id")?,
        kind: r.try_get("kind")?,
        scope: r.try_get("scope")?,
        agency_id: r.try_get("agency_id")?,
        unit_id: r.try_get("unit_id")?,
        format: r.try_get("format")?,
        recipients: r.try_get::<String, _>("recipients")?.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        created_at: r.try_get("created_at")?,
        last_period: r.try_get("last_period")?,
        last_sent_at: r.try_get("last_sent_at")?,
        last_error: r.try_get("last_error")?,
    })
}

impl Store {
    /// Records a report schedule with its audit entries.
    pub async fn insert_report_schedule(&self, s: &ReportSchedule, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO report_schedules (id, owner_user_id, kind, scope, agency_id, unit_id, format, recipients, created_at, last_period) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        ))
        .bind(s.id.clone())
        .bind(s.owner_user_id.clone())
        .bind(s.kind.clone())
        .bind(s.scope.clone())
        .bind(s.agency_id.clone())
        .bind(s.unit_id.clone())
        .bind(s.format.clone())
        .bind(s.recipients.join(","))
        .bind(s.created_at)
        .bind(s.last_period.clone())
        .execute(&mut *tx)
        .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Report schedules: one owner's, or all of them.
    pub async fn report_schedules(&self, owner: Option<&str>) -> Result<Vec<ReportSchedule>, StoreError> {
        let rows =
            sqlx::query(&self.sql("SELECT * FROM report_schedules WHERE ($1 IS NULL OR owner_user_id = $1) ORDER BY created_at, id"))
                .bind(owner)
                .fetch_all(&self.read)
                .await?;
        rows.iter().map(schedule_of).collect()
    }

    /// Records that a schedule's report for `period` was sent, with its audit entries; stale
    /// if another instance recorded that period first.
    pub async fn report_schedule_sent(&self, id: &str, period: &str, at: i64, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(&self.sql(
            "UPDATE report_schedules SET last_period = $1, last_sent_at = $2, last_error = NULL \
             WHERE id = $3 AND (last_period IS NULL OR last_period <> $1)",
        ))
        .bind(period)
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale);
        }
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records why a schedule's last attempt failed (it is tried again on the next sweep).
    pub async fn report_schedule_failed(&self, id: &str, error: &str, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql("UPDATE report_schedules SET last_error = $1 WHERE id = $2")).bind(error).bind(id).execute(&mut *tx).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets the template of a scope, replacing the one before, with its audit entries.
    pub async fn put_report_template(&self, t: &ReportTemplate, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO report_templates (scope, title, authority, introduction, closing, sections, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (scope) DO UPDATE SET title = excluded.title, \
             authority = excluded.authority, introduction = excluded.introduction, closing = excluded.closing, \
             sections = excluded.sections, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        ))
        .bind(t.scope.clone())
        .bind(t.title.clone())
        .bind(t.authority.clone())
        .bind(t.introduction.clone())
        .bind(t.closing.clone())
        .bind(t.sections.join(","))
        .bind(t.updated_by.clone())
        .bind(t.updated_at)
        .execute(&mut *tx)
        .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The template of a scope, if one was set.
    pub async fn report_template(&self, scope: &str) -> Result<Option<ReportTemplate>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT * FROM report_templates WHERE scope = $1")).bind(scope).fetch_optional(&self.read).await?;
        row.map(|r| {
            Ok(ReportTemplate {
                scope: r.try_get("scope")?,
                title: r.try_get("title")?,
                authority: r.try_get("authority")?,
                introduction: r.try_get("introduction")?,
                closing: r.try_get("closing")?,
                sections: r.try_get::<String, _>("sections")?.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                updated_by: r.try_get("updated_by")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .transpose()
    }
}
