//! Reports on a schedule: a user asks for a monthly, quarterly, six-monthly or yearly report of
//! the country, an agency or a unit to be e-mailed to a list of addresses once each period
//! ends. The report is written with the owner's view of the cases — the sharing rule applies as
//! if the owner asked — and a period is recorded as sent only once every address took it, so a
//! relay that is down loses nothing: the next sweep sends it again.

use cordon_analytics::period::last_complete;
use cordon_core::delivery::check_email;
use cordon_core::{Invalid, Role, RoleSet};
use cordon_store::{ReportSchedule, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::ids::new_id;
use crate::{Actor, App, AppError, ReportQuery};

/// A schedule as asked for.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportScheduleInput {
    /// `monthly`, `quarterly`, `six_monthly` or `yearly`.
    pub kind: String,
    /// `country` (default), `agency` or `unit`.
    #[serde(default)]
    pub scope: Option<String>,
    /// With `scope=agency`: the agency (default the owner's).
    #[serde(default)]
    pub agency: Option<String>,
    /// With `scope=unit`: the unit (default the owner's).
    #[serde(default)]
    pub unit: Option<String>,
    /// `pdf` (default), `xlsx` or `csv`.
    #[serde(default)]
    pub format: Option<String>,
    /// The addresses it goes to (1–20).
    pub recipients: Vec<String>,
}

/// A schedule as shown to its owner.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportScheduleView {
    /// Id.
    pub id: String,
    /// Kind of report.
    pub kind: String,
    /// Scope.
    pub scope: String,
    /// Its agency, with `scope=agency`.
    pub agency: Option<String>,
    /// Its unit, with `scope=unit`.
    pub unit: Option<String>,
    /// Format.
    pub format: String,
    /// Addresses.
    pub recipients: Vec<String>,
    /// The last period sent.
    pub last_period: Option<String>,
    /// When, ms.
    pub last_sent_at: Option<i64>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
}

impl From<ReportSchedule> for ReportScheduleView {
    fn from(s: ReportSchedule) -> Self {
        ReportScheduleView {
            id: s.id,
            kind: s.kind,
            scope: s.scope,
            agency: s.agency_id,
            unit: s.unit_id,
            format: s.format,
            recipients: s.recipients,
            last_period: s.last_period,
            last_sent_at: s.last_sent_at,
            last_error: s.last_error,
        }
    }
}

/// A scheduled report whose period has ended and has not been sent.
#[derive(Debug, Clone)]
pub struct DueReport {
    /// The schedule.
    pub schedule_id: String,
    /// The owner, whose view the report is written with.
    pub owner: Actor,
    /// The report to write.
    pub query: ReportQuery,
    /// The period's key.
    pub period: String,
    /// `pdf`, `xlsx` or `csv`.
    pub format: String,
    /// The addresses.
    pub recipients: Vec<String>,
}

/// Roles that may schedule reports: those who read them.
const SCHEDULERS: &[Role] = &[Role::Officer, Role::UnitHead, Role::DeputyHead, Role::Analyst, Role::Administrator];

impl App {
    /// Schedules a report for the actor; it is first sent for the period that ends next (not
    /// the one just past, which the actor can download).
    pub async fn create_report_schedule(&self, actor: &Actor, input: ReportScheduleInput) -> Result<ReportScheduleView, AppError> {
        actor.require_active()?;
        if !SCHEDULERS.iter().any(|r| actor.user.roles.holds(*r)) {
            return Err(AppError::Forbidden("officers, heads, analysts and administrators schedule reports"));
        }
        let now = self.now_ms();
        let Some(past) = last_complete(&input.kind, now) else {
            return Err(Invalid::new("kind", "monthly, quarterly, six_monthly or yearly").into());
        };
        let format = input.format.clone().unwrap_or_else(|| "pdf".into());
        if !matches!(format.as_str(), "pdf" | "xlsx" | "csv") {
            return Err(Invalid::new("format", "pdf, xlsx or csv").into());
        }
        let mut recipients = Vec::with_capacity(input.recipients.len());
        for r in &input.recipients {
            let checked = check_email(r).map_err(|why| Invalid::new("recipients", format!("{r:?}: {why}")))?;
            recipients.push(checked.to_lowercase());
        }
        recipients.sort();
        recipients.dedup();
        if recipients.is_empty() || recipients.len() > 20 {
            return Err(Invalid::new("recipients", "1 to 20 e-mail addresses").into());
        }
        let scope = input.scope.clone().unwrap_or_else(|| "country".into());
        let (agency, unit) = match scope.as_str() {
            "country" => (None, None),
            "agency" => {
                let id = input.agency.clone().filter(|a| !a.trim().is_empty()).unwrap_or_else(|| actor.agency_id.clone());
                self.store.agency(&id).await?.ok_or_else(|| Invalid::new("agency", "no such agency"))?;
                (Some(id), None)
            }
            "unit" => {
                let id = input.unit.clone().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| actor.user.unit_id.clone());
                self.store.unit(&id).await?.ok_or_else(|| Invalid::new("unit", "no such unit"))?;
                (None, Some(id))
            }
            _ => return Err(Invalid::new("scope", "country, agency or unit").into()),
        };
        let schedule = ReportSchedule {
            id: new_id(now),
            owner_user_id: actor.user.id.clone(),
            kind: input.kind.clone(),
            scope,
            agency_id: agency,
            unit_id: unit,
            format,
            recipients,
            created_at: now,
            // The period just past counts as sent: the first mail is for the next one.
            last_period: Some(past.key),
            last_sent_at: None,
            last_error: None,
        };
        let audit = actor.audit(
            now,
            "report.schedule",
            "report_schedule",
            &schedule.id,
            "ok",
            json!({ "kind": schedule.kind, "scope": schedule.scope, "recipients": schedule.recipients }),
        );
        self.store.insert_report_schedule(&schedule, &[audit]).await?;
        Ok(schedule.into())
    }

    /// The actor's schedules (all of them for administrators).
    pub async fn report_schedules(&self, actor: &Actor) -> Result<Vec<ReportScheduleView>, AppError> {
        actor.require_active()?;
        let owner = (!actor.user.roles.may_administer()).then_some(actor.user.id.as_str());
        Ok(self.store.report_schedules(owner).await?.into_iter().map(ReportScheduleView::from).collect())
    }

    /// The scheduled reports whose period has ended and was not sent yet. A schedule whose
    /// owner is disabled or gone is skipped: nobody's view to write it with.
    pub async fn due_reports(&self) -> Result<Vec<DueReport>, AppError> {
        let now = self.now_ms();
        let mut due = Vec::new();
        for s in self.store.report_schedules(None).await? {
            let Some(period) = last_complete(&s.kind, now) else { continue };
            if s.last_period.as_deref() == Some(period.key.as_str()) {
                continue;
            }
            let Some(user) = self.store.user(&s.owner_user_id).await?.filter(|u| !u.disabled) else { continue };
            let agency_id = self.store.unit(&user.unit_id).await?.map(|u| u.agency_id).unwrap_or_default();
            due.push(DueReport {
                schedule_id: s.id,
                owner: Actor { agency_id, user, token_hash: None },
                query: ReportQuery {
                    kind: s.kind,
                    year: period.year,
                    period: period.period,
                    scope: Some(s.scope),
                    agency: s.agency_id,
                    unit: s.unit_id,
                },
                period: period.key,
                format: s.format,
                recipients: s.recipients,
            });
        }
        Ok(due)
    }

    /// E-mails a due report, written by the caller as `file` (name, media type, bytes), to each
    /// of its addresses; records the period as sent once all took it, or why it failed.
    /// Answers whether it was sent.
    pub async fn deliver_report(&self, due: &DueReport, subject: &str, file: (&str, &str, &[u8])) -> Result<bool, AppError> {
        let now = self.now_ms();
        let text = format!(
            "Báo cáo theo lịch của {} — {}.\nScheduled report for {}.\n\nCordon",
            due.owner.user.display_name, due.period, due.owner.user.display_name
        );
        let key = format!("{}.{}", due.schedule_id, due.period);
        let mut failed = Vec::new();
        for to in &due.recipients {
            if let Err(e) = self.send_report_mail(to, subject, &text, file, &key).await {
                failed.push(format!("{to}: {e}"));
            }
        }
        // The clock sends, on the owner's behalf: the entries name both.
        let entry = |outcome: &str, detail: serde_json::Value| cordon_core::audit::AuditEntry {
            seq: 0,
            at: now,
            actor_user_id: Some("system:reports".into()),
            actor_unit_id: None,
            action: "report.send".into(),
            object_type: "report_schedule".into(),
            object_id: due.schedule_id.clone(),
            outcome: outcome.into(),
            detail: detail.to_string(),
        };
        if failed.is_empty() {
            let audit = entry("ok", json!({ "period": due.period, "owner": due.owner.user.id, "recipients": due.recipients }));
            return match self.store.report_schedule_sent(&due.schedule_id, &due.period, now, &[audit]).await {
                Ok(()) => Ok(true),
                // Another instance recorded it meanwhile.
                Err(StoreError::Stale) => Ok(false),
                Err(e) => Err(e.into()),
            };
        }
        let why = failed.join("; ");
        let audit = entry("failed", json!({ "period": due.period, "owner": due.owner.user.id, "error": why }));
        self.store.report_schedule_failed(&due.schedule_id, &why, &[audit]).await?;
        Ok(false)
    }
}
