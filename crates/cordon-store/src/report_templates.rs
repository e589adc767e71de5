//! Report templates: the words around a periodic report's figures, per agency or for the
//! country, as an administrator set them last (each change is in the audit log).

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

impl Store {
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
