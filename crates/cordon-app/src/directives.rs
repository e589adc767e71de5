//! Directives and plans of the Steering Committee and the monitoring of their tasks: the
//! Standing Office (the steering_committee_office agency's staff) records documents and assigns
//! tasks to agencies and localities and sees every agency's progress; an agency sees only the
//! directives that give it a task and only its own tasks, and reports progress on them. Overdue
//! and due-soon flags come from the app's clock.

use std::collections::BTreeMap;

use cordon_core::directive::{check_progress, normalise_number, task_flag, DirectiveKind, TaskFlag};
use cordon_core::reference::reference;
use cordon_core::{AgencyKind, Invalid, Role, RoleSet};
use cordon_store::{Directive, DirectiveTask, TaskReport};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::ids::new_id;
use crate::{Actor, App, AppError};

/// Standing Office roles that record directives and assign tasks.
const OFFICE_STAFF: &[Role] = &[Role::Officer, Role::UnitHead, Role::DeputyHead, Role::Analyst];
/// Roles that report progress for their agency.
const REPORTERS: &[Role] = &[Role::Officer, Role::UnitHead, Role::DeputyHead];

/// A task as assigned.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    /// What is to be done.
    pub title: String,
    /// The agency responsible.
    pub agency_id: String,
    /// The locality (any province name), if the task is for one.
    pub province: Option<String>,
    /// Deadline, ms.
    pub due_at: i64,
}

/// A directive, official letter, dispatch or plan as recorded.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DirectiveInput {
    /// Number as written, e.g. `399/KH-BCĐ389`.
    pub number: String,
    /// `official_letter`, `dispatch`, `plan`, `directive` or `decision`.
    pub kind: String,
    /// Date of issue, ms.
    pub issued_on: i64,
    /// Issuer, e.g. `Ban Chỉ đạo 389 quốc gia`.
    pub issuer: String,
    /// Subject.
    pub subject: String,
    /// Tasks assigned by it.
    #[serde(default)]
    pub tasks: Vec<TaskInput>,
}

/// A progress report.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TaskReportInput {
    /// Progress, percent (never below what was reported before; 100 completes the task).
    pub progress_pct: i64,
    /// What was done.
    pub body: String,
}

/// A progress report as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskReportView {
    /// Order.
    pub seq: i64,
    /// When, ms.
    pub reported_at: i64,
    /// Who (user id).
    pub reported_by: String,
    /// Progress, percent.
    pub progress_pct: i64,
    /// What was done.
    pub body: String,
}

/// A task as shown, with its flag.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskView {
    /// Id.
    pub id: String,
    /// Its directive.
    pub directive_id: String,
    /// The directive's number.
    pub directive_number: String,
    /// Order within the directive.
    pub seq: i64,
    /// What is to be done.
    pub title: String,
    /// The agency responsible.
    pub agency_id: String,
    /// The locality.
    pub province: Option<String>,
    /// Deadline, ms.
    pub due_at: i64,
    /// Latest progress, percent.
    pub progress_pct: i64,
    /// When completed, ms.
    pub completed_at: Option<i64>,
    /// `done`, `overdue`, `due_soon` or `on_track`, on the app's clock.
    pub flag: String,
    /// Progress reports, oldest first (on a single task or directive read).
    pub reports: Vec<TaskReportView>,
}

/// A directive as shown, with the tasks the caller may see.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectiveView {
    /// Id.
    pub id: String,
    /// Number.
    pub number: String,
    /// Kind.
    pub kind: String,
    /// Date of issue, ms.
    pub issued_on: i64,
    /// Issuer.
    pub issuer: String,
    /// Subject.
    pub subject: String,
    /// The tasks the caller may see: every task for the Standing Office, the caller's agency's otherwise.
    pub tasks: Vec<TaskView>,
}

/// One agency's tasks, as the Standing Office monitors them.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgencyProgressView {
    /// The agency.
    pub agency_id: String,
    /// Tasks.
    pub tasks: i64,
    /// Completed.
    pub done: i64,
    /// Past their deadline, not completed.
    pub overdue: i64,
    /// Due within 7 days.
    pub due_soon: i64,
}

/// Tasks across directives: the Standing Office's view of every agency, or an agency's own.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskBoardView {
    /// As of, ms (the app's clock).
    pub as_of: i64,
    /// Per agency, by agency id.
    pub by_agency: Vec<AgencyProgressView>,
    /// The tasks, by deadline.
    pub tasks: Vec<TaskView>,
}

fn report_view(r: TaskReport) -> TaskReportView {
    TaskReportView { seq: r.seq, reported_at: r.reported_at, reported_by: r.reported_by, progress_pct: r.progress_pct, body: r.body }
}

fn text(field: &'static str, v: &str, max: usize) -> Result<String, Invalid> {
    let v = v.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(Invalid::new(field, format!("1 to {max} characters")));
    }
    Ok(v.to_string())
}

impl App {
    /// Whether the actor is Standing Office staff (who record directives and see every agency's tasks).
    /// Whether the actor records directives and assigns tasks: the Standing Office's staff.
    pub async fn office_staff(&self, actor: &Actor) -> Result<bool, AppError> {
        if !OFFICE_STAFF.iter().any(|r| actor.user.roles.holds(*r)) {
            return Ok(false);
        }
        Ok(self.store.agency(&actor.agency_id).await?.is_some_and(|a| a.kind == AgencyKind::SteeringCommitteeOffice))
    }

    async fn require_office_staff(&self, actor: &Actor) -> Result<(), AppError> {
        actor.require_active()?;
        if !self.office_staff(actor).await? {
            return Err(AppError::Forbidden("only the Standing Office records directives and assigns tasks"));
        }
        Ok(())
    }

    async fn validate_task(&self, directive_id: &str, t: &TaskInput, now: i64) -> Result<DirectiveTask, AppError> {
        let title = text("title", &t.title, 500)?;
        if self.store.agency(&t.agency_id).await?.is_none_or(|a| !a.kind.is_domestic()) {
            return Err(Invalid::new("agency_id", "a domestic agency").into());
        }
        let province = match t.province.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => {
                Some(reference().resolve_province(p).ok_or_else(|| Invalid::new("province", "not a province of Vietnam"))?.code.to_string())
            }
            None => None,
        };
        if t.due_at < 946_684_800_000 {
            return Err(Invalid::new("due_at", "a deadline after 2000").into());
        }
        Ok(DirectiveTask {
            id: new_id(now),
            directive_id: directive_id.into(),
            seq: 0,
            title,
            agency_id: t.agency_id.clone(),
            province_code: province,
            due_at: t.due_at,
            progress_pct: 0,
            completed_at: None,
            created_at: now,
        })
    }

    /// Records a directive and the tasks it assigns (the Standing Office).
    pub async fn create_directive(&self, actor: &Actor, input: DirectiveInput) -> Result<DirectiveView, AppError> {
        self.require_office_staff(actor).await?;
        let now = self.now_ms();
        let kind = DirectiveKind::parse(&input.kind)
            .ok_or_else(|| Invalid::new("kind", "official_letter, dispatch, plan, directive or decision"))?;
        if input.tasks.len() > 200 {
            return Err(Invalid::new("tasks", "at most 200 tasks; add more one by one").into());
        }
        let d = Directive {
            id: new_id(now),
            number: normalise_number(&input.number)?,
            kind: kind.as_str().into(),
            issued_on: input.issued_on,
            issuer: text("issuer", &input.issuer, 300)?,
            subject: text("subject", &input.subject, 2000)?,
            recorded_by: actor.user.id.clone(),
            recorded_at: now,
        };
        if !(946_684_800_000..=now + 86_400_000).contains(&d.issued_on) {
            return Err(Invalid::new("issued_on", "a date since 2000, not in the future").into());
        }
        let mut tasks = Vec::new();
        for t in &input.tasks {
            tasks.push(self.validate_task(&d.id, t, now).await?);
        }
        let audit = actor.audit(now, "directive.create", "directive", &d.id, "ok", json!({ "number": d.number, "tasks": tasks.len() }));
        self.store.insert_directive(&d, &tasks, &[audit]).await?;
        self.directive_view(actor, &d.id, false).await
    }

    /// Assigns one more task from a directive (the Standing Office).
    pub async fn add_directive_task(&self, actor: &Actor, directive_id: &str, input: TaskInput) -> Result<DirectiveView, AppError> {
        self.require_office_staff(actor).await?;
        if self.store.directive(directive_id).await?.is_none() {
            return Err(AppError::NotFound("directive"));
        }
        let now = self.now_ms();
        let task = self.validate_task(directive_id, &input, now).await?;
        let audit = actor.audit(
            now,
            "directive.task_add",
            "directive_task",
            &task.id,
            "ok",
            json!({ "directive": directive_id, "agency": task.agency_id }),
        );
        self.store.insert_directive_task(&task, &[audit]).await?;
        self.directive_view(actor, directive_id, false).await
    }

    fn task_view(&self, t: DirectiveTask, number: &str, reports: Vec<TaskReport>, now: i64) -> TaskView {
        TaskView {
            flag: task_flag(t.due_at, t.completed_at, now).as_str().into(),
            id: t.id,
            directive_id: t.directive_id,
            directive_number: number.into(),
            seq: t.seq,
            title: t.title,
            agency_id: t.agency_id,
            province: t.province_code,
            due_at: t.due_at,
            progress_pct: t.progress_pct,
            completed_at: t.completed_at,
            reports: reports.into_iter().map(report_view).collect(),
        }
    }

    async fn directive_view(&self, actor: &Actor, id: &str, audit_read: bool) -> Result<DirectiveView, AppError> {
        let office = self.office_staff(actor).await?;
        let d = self.store.directive(id).await?.ok_or(AppError::NotFound("directive"))?;
        let agency = (!office).then_some(actor.agency_id.as_str());
        let tasks = self.store.directive_tasks(Some(id), agency).await?;
        if !office && tasks.is_empty() {
            // A directive that gives the caller's agency nothing is answered as missing.
            let now = self.now_ms();
            self.store.audit(&[actor.audit(now, "directive.read", "directive", id, "denied", json!({}))]).await?;
            return Err(AppError::NotFound("directive"));
        }
        let now = self.now_ms();
        let mut views = Vec::new();
        for t in tasks {
            let reports = self.store.task_reports(&t.id).await?;
            views.push(self.task_view(t, &d.number, reports, now));
        }
        if audit_read {
            self.store.audit(&[actor.audit(now, "directive.read", "directive", id, "ok", json!({}))]).await?;
        }
        Ok(DirectiveView {
            id: d.id,
            number: d.number,
            kind: d.kind,
            issued_on: d.issued_on,
            issuer: d.issuer,
            subject: d.subject,
            tasks: views,
        })
    }

    /// A directive with the tasks the actor may see (404 if it gives their agency none).
    pub async fn directive(&self, actor: &Actor, id: &str) -> Result<DirectiveView, AppError> {
        actor.require_active()?;
        self.directive_view(actor, id, true).await
    }

    /// Directives, latest first: all for the Standing Office, those giving the actor's agency a task otherwise.
    pub async fn directives(&self, actor: &Actor) -> Result<Vec<DirectiveView>, AppError> {
        actor.require_active()?;
        let office = self.office_staff(actor).await?;
        let agency = (!office).then_some(actor.agency_id.as_str());
        let now = self.now_ms();
        let mut tasks: BTreeMap<String, Vec<DirectiveTask>> = BTreeMap::new();
        for t in self.store.directive_tasks(None, agency).await? {
            tasks.entry(t.directive_id.clone()).or_default().push(t);
        }
        let list: Vec<DirectiveView> = self
            .store
            .directives(agency)
            .await?
            .into_iter()
            .map(|d| {
                let mine = tasks.remove(&d.id).unwrap_or_default();
                let views = mine.into_iter().map(|t| self.task_view(t, &d.number, Vec::new(), now)).collect();
                DirectiveView {
                    id: d.id,
                    number: d.number,
                    kind: d.kind,
                    issued_on: d.issued_on,
                    issuer: d.issuer,
                    subject: d.subject,
                    tasks: views,
                }
            })
            .collect();
        let ids: Vec<&str> = list.iter().map(|d| d.id.as_str()).collect();
        self.store.audit(&[actor.audit(now, "directive.list", "directive", "*", "ok", json!({ "ids": ids }))]).await?;
        Ok(list)
    }

    /// Tasks by deadline with each agency's progress: every agency's for the Standing Office
    /// (optionally one `agency`), the actor's own otherwise; `flag` keeps only `overdue`,
    /// `due_soon`, `done` or `on_track` tasks.
    pub async fn task_board(&self, actor: &Actor, agency: Option<String>, flag: Option<String>) -> Result<TaskBoardView, AppError> {
        actor.require_active()?;
        let office = self.office_staff(actor).await?;
        let agency = match (office, agency.filter(|a| !a.trim().is_empty())) {
            (true, a) => a,
            (false, Some(a)) if a != actor.agency_id => {
                return Err(AppError::Forbidden("only the Standing Office follows other agencies' tasks"));
            }
            (false, _) => Some(actor.agency_id.clone()),
        };
        let flag = match flag.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            Some(f) => Some(
                [TaskFlag::Overdue, TaskFlag::DueSoon, TaskFlag::Done, TaskFlag::OnTrack]
                    .into_iter()
                    .find(|x| x.as_str() == f)
                    .ok_or_else(|| Invalid::new("flag", "overdue, due_soon, done or on_track"))?,
            ),
            None => None,
        };
        let now = self.now_ms();
        let numbers: BTreeMap<String, String> =
            self.store.directives(agency.as_deref()).await?.into_iter().map(|d| (d.id, d.number)).collect();
        let mut by_agency: BTreeMap<String, AgencyProgressView> = BTreeMap::new();
        let mut tasks = Vec::new();
        for t in self.store.directive_tasks(None, agency.as_deref()).await? {
            let f = task_flag(t.due_at, t.completed_at, now);
            let a = by_agency
                .entry(t.agency_id.clone())
                .or_insert_with(|| AgencyProgressView { agency_id: t.agency_id.clone(), ..Default::default() });
            a.tasks += 1;
            match f {
                TaskFlag::Done => a.done += 1,
                TaskFlag::Overdue => a.overdue += 1,
                TaskFlag::DueSoon => a.due_soon += 1,
                TaskFlag::OnTrack => {}
            }
            if flag.is_none_or(|want| want == f) {
                let number = numbers.get(&t.directive_id).cloned().unwrap_or_default();
                tasks.push(self.task_view(t, &number, Vec::new(), now));
            }
        }
        self.store
            .audit(&[actor.audit(
                now,
                "directive.tasks",
                "directive_task",
                "*",
                "ok",
                json!({ "agency": agency, "flag": flag.map(TaskFlag::as_str) }),
            )])
            .await?;
        Ok(TaskBoardView { as_of: now, by_agency: by_agency.into_values().collect(), tasks })
    }

    /// Reports progress on a task (officers and heads of the agency it is assigned to).
    pub async fn report_task(&self, actor: &Actor, task_id: &str, input: TaskReportInput) -> Result<TaskView, AppError> {
        actor.require_active()?;
        let task = self.store.directive_task(task_id).await?;
        let Some(task) = task.filter(|t| t.agency_id == actor.agency_id) else {
            // Another agency's task is answered as missing.
            self.store.audit(&[actor.audit(self.now_ms(), "directive.report", "directive_task", task_id, "denied", json!({}))]).await?;
            return Err(AppError::NotFound("task"));
        };
        if !REPORTERS.iter().any(|r| actor.user.roles.holds(*r)) {
            return Err(AppError::Forbidden("only officers and unit heads report progress"));
        }
        check_progress(input.progress_pct, task.progress_pct)?;
        let body = text("body", &input.body, 5000)?;
        let now = self.now_ms();
        let report = TaskReport {
            task_id: task.id.clone(),
            seq: 0,
            reported_at: now,
            reported_by: actor.user.id.clone(),
            progress_pct: input.progress_pct,
            body,
        };
        let audit = actor.audit(now, "directive.report", "directive_task", &task.id, "ok", json!({ "progress_pct": input.progress_pct }));
        self.store.insert_task_report(&report, task.progress_pct, &[audit]).await?;
        let task = self.store.directive_task(task_id).await?.ok_or(AppError::NotFound("task"))?;
        let number = self.store.directive(&task.directive_id).await?.map(|d| d.number).unwrap_or_default();
        let reports = self.store.task_reports(task_id).await?;
        Ok(self.task_view(task, &number, reports, now))
    }
}
