//! Bulk import and export of cases: an import checks every row first and writes all of a
//! batch or none of it, is idempotent on external references, and a dry run writes
//! nothing; an export gives only what the caller may see, and is audited.

use std::collections::HashMap;

use cordon_store::NewCase;
use serde::Serialize;
use serde_json::json;

use crate::cases::{created_event, reference_prefix, Lookups};
use crate::{Actor, App, AppError, CaseInput, CaseQuery, CaseView};

/// One row to import, with where it came from.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// Line number in the source file (1-based, header counted).
    pub line: usize,
    /// The case the row describes.
    pub input: CaseInput,
}

/// A row that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProblem {
    /// Line number in the source file.
    pub line: usize,
    /// The field at fault.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Rows read.
    pub rows: usize,
    /// Cases created (in a dry run: that would be).
    pub created: usize,
    /// Rows whose external reference was already recorded (skipped: imports are idempotent).
    pub already_present: usize,
    /// Rows refused; when any is, nothing of the batch is written.
    pub problems: Vec<ImportProblem>,
    /// Whether this was a dry run.
    pub dry_run: bool,
}

impl App {
    /// Refuses an actor who may not import, before anything of the file is read.
    pub fn check_importer(&self, actor: &Actor) -> Result<(), AppError> {
        Self::require_case_worker(actor)
    }

    /// Imports a batch of cases as the actor: all or none. Every row is checked first; a
    /// dry run stops there. Rows whose external reference exists already are skipped.
    ///
    /// Store look-ups are per batch, not per row: one query finds which external references
    /// exist, and agencies named by the rows are looked up once each.
    pub async fn import_cases(&self, actor: &Actor, rows: &[ImportRow], dry_run: bool) -> Result<ImportReport, AppError> {
        Self::require_case_worker(actor)?;
        let now = self.now_ms();
        let mut report = ImportReport { rows: rows.len(), dry_run, ..Default::default() };
        let refs: Vec<String> = rows
            .iter()
            .filter_map(|r| r.input.external_ref.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(String::from))
            .collect();
        let existing = self.store.existing_external_refs(&refs).await?;
        let mut memo = Lookups::default();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut batch = Vec::new();
        for row in rows {
            if let Some(ext) = row.input.external_ref.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
                if let Some(first) = seen.insert(ext, row.line) {
                    report.problems.push(ImportProblem {
                        line: row.line,
                        field: "external_ref".into(),
                        reason: format!("duplicate reference {ext:?} (also on line {first})"),
                    });
                    continue;
                }
                if existing.contains(ext) {
                    report.already_present += 1;
                    continue;
                }
            }
            match self.validate_case_with(actor, &row.input, now, &mut memo).await {
                Ok((case, principals)) => {
                    let audit = actor.audit(now, "case.import", "case", &case.id, "ok", json!({ "line": row.line }));
                    batch.push(NewCase {
                        reference_prefix: reference_prefix(&case),
                        case,
                        principals,
                        event: created_event(actor, now),
                        audit: vec![audit],
                    });
                }
                Err(AppError::Invalid(i)) => {
                    report.problems.push(ImportProblem { line: row.line, field: i.field.into(), reason: i.reason })
                }
                Err(other) => return Err(other),
            }
        }
        if !report.problems.is_empty() {
            return Ok(report);
        }
        if dry_run {
            report.created = batch.len();
            return Ok(report);
        }
        let refs = self.store.insert_cases(&batch).await?;
        let recorded: Vec<String> = batch.iter().flat_map(|n| n.case.parties.iter().map(|p| p.entity_id.clone())).collect();
        self.resolve_after_write(actor, &recorded).await;
        for (new, reference) in batch.into_iter().zip(refs) {
            self.index_case(&cordon_core::case::Case { reference, ..new.case });
        }
        report.created = report.rows - report.already_present;
        Ok(report)
    }

    /// Every case the actor may see that matches `q`, page by page; the export is audited with the ids it gave.
    ///
    /// An export is how records leave Cordon, so another agency's case marked H2 (no onward
    /// sharing without the owner's consent) stays out of it; the caller still reads it in Cordon.
    pub async fn export_cases(&self, actor: &Actor, q: CaseQuery) -> Result<Vec<CaseView>, AppError> {
        actor.require_active()?;
        let mut out = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.cases_unaudited(actor, CaseQuery { cursor: cursor.clone(), limit: Some(100), ..q.clone() }).await?;
            let onward = |c: &CaseView| c.owner_agency_id == actor.agency_id || !c.sharing.handling.iter().any(|h| h == "H2");
            out.extend(page.items.into_iter().filter(onward));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let ids: Vec<&str> = out.iter().map(|c| c.id.as_str()).collect();
        self.store.audit(&[actor.audit(self.now_ms(), "case.export", "case", "*", "ok", json!({ "ids": ids }))]).await?;
        Ok(out)
    }
}
