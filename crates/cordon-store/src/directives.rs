//! Directives and plans, the tasks they assign to agencies and localities, and progress reports.

use cordon_core::audit::AuditEntry;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Store, StoreError};

/// A directive, official letter, dispatch or plan as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Id.
    pub id: String,
    /// Number as written, e.g. `399/KH-BCĐ389`.
    pub number: String,
    /// Kind code.
    pub kind: String,
    /// Date of issue, ms.
    pub issued_on: i64,
    /// Issuer.
    pub issuer: String,
    /// Subject.
    pub subject: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When, ms.
    pub recorded_at: i64,
}

/// A task a directive assigns to an agency (in a locality).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveTask {
    /// Id.
    pub id: String,
    /// Its directive.
    pub directive_id: String,
    /// Order within the directive, from 1.
    pub seq: i64,
    /// What is to be done.
    pub title: String,
    /// The agency responsible.
    pub agency_id: String,
    /// The locality, if the task is for one province.
    pub province_code: Option<String>,
    /// Deadline, ms.
    pub due_at: i64,
    /// Latest progress reported, percent.
    pub progress_pct: i64,
    /// When 100 % was reported.
    pub completed_at: Option<i64>,
    /// When assigned, ms.
    pub created_at: i64,
}

/// A progress report against a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskReport {
    /// The task.
    pub task_id: String,
    /// Order, from 1.
    pub seq: i64,
    /// When, ms.
    pub reported_at: i64,
    /// Who.
    pub reported_by: String,
    /// Progress, percent.
    pub progress_pct: i64,
    /// What was done.
    pub body: String,
}

fn directive_of(r: &AnyRow) -> Result<Directive, StoreError> {
    Ok(Directive {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        kind: r.try_get("kind")?,
        issued_on: r.try_get("issued_on")?,
        issuer: r.try_get("issuer")?,
        subject: r.try_get("subject")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
    })
}

fn task_of(r: &AnyRow) -> Result<DirectiveTask, StoreError> {
    Ok(DirectiveTask {
        id: r.try_get("id")?,
        directive_id: r.try_get("directive_id")?,
        seq: r.try_get("seq")?,
        title: r.try_get("title")?,
        agency_id: r.try_get("agency_id")?,
        province_code: r.try_get("province_code")?,
        due_at: r.try_get("due_at")?,
        progress_pct: r.try_get("progress_pct")?,
        completed_at: r.try_get("completed_at")?,
        created_at: r.try_get("created_at")?,
    })
}

const TASK_COLUMNS: &str =
    "t.id, t.directive_id, t.seq, t.title, t.agency_id, t.province_code, t.due_at, t.progress_pct, t.completed_at, t.created_at";

impl Store {
    async fn insert_task_in(&self, conn: &mut sqlx::AnyConnection, t: &DirectiveTask) -> Result<i64, StoreError> {
        let row = sqlx::query(&self.sql(
            "INSERT INTO directive_tasks (id, directive_id, seq, title, agency_id, province_code, due_at, progress_pct, completed_at, created_at) \
             VALUES ($1, $2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM directive_tasks WHERE directive_id = $2), $3, $4, $5, $6, 0, NULL, $7) \
             RETURNING seq",
        ))
        .bind(t.id.clone())
        .bind(t.directive_id.clone())
        .bind(t.title.clone())
        .bind(t.agency_id.clone())
        .bind(t.province_code.clone())
        .bind(t.due_at)
        .bind(t.created_at)
        .fetch_one(&mut *conn)
        .await?;
        Ok(row.try_get("seq")?)
    }

    /// Records a directive with its first tasks and the audit entries, in one transaction.
    pub async fn insert_directive(&self, d: &Directive, tasks: &[DirectiveTask], audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO directives (id, number, kind, issued_on, issuer, subject, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        ))
        .bind(d.id.clone())
        .bind(d.number.clone())
        .bind(d.kind.clone())
        .bind(d.issued_on)
        .bind(d.issuer.clone())
        .bind(d.subject.clone())
        .bind(d.recorded_by.clone())
        .bind(d.recorded_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { .. } => StoreError::Conflict { what: "directive with that number" },
            other => other,
        })?;
        for t in tasks {
            self.insert_task_in(&mut tx, t).await?;
        }
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a task to a directive, with its audit entries; returns its order.
    pub async fn insert_directive_task(&self, t: &DirectiveTask, audit: &[AuditEntry]) -> Result<i64, StoreError> {
        let mut tx = self.write.begin().await?;
        let seq = self.insert_task_in(&mut tx, t).await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// A directive by id.
    pub async fn directive(&self, id: &str) -> Result<Option<Directive>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT * FROM directives WHERE id = $1")).bind(id).fetch_optional(&self.read).await?;
        row.as_ref().map(directive_of).transpose()
    }

    /// Directives, latest first: all of them, or those giving `agency` a task.
    pub async fn directives(&self, agency: Option<&str>) -> Result<Vec<Directive>, StoreError> {
        let rows = match agency {
            None => sqlx::query("SELECT * FROM directives ORDER BY issued_on DESC, id").fetch_all(&self.read).await?,
            Some(a) => {
                sqlx::query(&self.sql(
                    "SELECT * FROM directives d WHERE EXISTS (SELECT 1 FROM directive_tasks t WHERE t.directive_id = d.id AND t.agency_id = $1) \
                     ORDER BY issued_on DESC, id",
                ))
                .bind(a)
                .fetch_all(&self.read)
                .await?
            }
        };
        rows.iter().map(directive_of).collect()
    }

    /// A task by id.
    pub async fn directive_task(&self, id: &str) -> Result<Option<DirectiveTask>, StoreError> {
        let row = sqlx::query(&self.sql(&format!("SELECT {TASK_COLUMNS} FROM directive_tasks t WHERE t.id = $1")))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(task_of).transpose()
    }

    /// Tasks by deadline: of one directive or all, of one agency or all.
    pub async fn directive_tasks(&self, directive: Option<&str>, agency: Option<&str>) -> Result<Vec<DirectiveTask>, StoreError> {
        let mut sql = format!("SELECT {TASK_COLUMNS} FROM directive_tasks t WHERE 1 = 1");
        let mut binds = Vec::new();
        for (col, v) in [("t.directive_id", directive), ("t.agency_id", agency)] {
            if let Some(v) = v {
                binds.push(v.to_string());
                sql.push_str(&format!(" AND {col} = ${}", binds.len()));
            }
        }
        sql.push_str(" ORDER BY t.due_at, t.directive_id, t.seq");
        let sql = self.sql(&sql);
        let mut q = sqlx::query(&sql);
        for b in binds {
            q = q.bind(b);
        }
        q.fetch_all(&self.read).await?.iter().map(task_of).collect()
    }

    /// The progress reports of a task, oldest first.
    pub async fn task_reports(&self, task_id: &str) -> Result<Vec<TaskReport>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT * FROM task_reports WHERE task_id = $1 ORDER BY seq"))
            .bind(task_id)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(TaskReport {
                    task_id: r.try_get("task_id")?,
                    seq: r.try_get("seq")?,
                    reported_at: r.try_get("reported_at")?,
                    reported_by: r.try_get("reported_by")?,
                    progress_pct: r.try_get("progress_pct")?,
                    body: r.try_get("body")?,
                })
            })
            .collect()
    }

    /// Records a progress report and moves the task's progress from `previous_pct` (a report
    /// made meanwhile makes this one stale), completing it at 100 %; with the audit entries.
    pub async fn insert_task_report(&self, r: &TaskReport, previous_pct: i64, audit: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        // Two statements rather than a NULL bound for "not completed": PostgreSQL keeps the
        // parameter types of a statement's first use, and a NULL's are not an integer's.
        let done = if r.progress_pct == 100 {
            sqlx::query(&self.sql(
                "UPDATE directive_tasks SET progress_pct = $1, completed_at = COALESCE(completed_at, $2) WHERE id = $3 AND progress_pct = $4",
            ))
            .bind(r.progress_pct)
            .bind(r.reported_at)
            .bind(r.task_id.clone())
            .bind(previous_pct)
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query(&self.sql("UPDATE directive_tasks SET progress_pct = $1 WHERE id = $2 AND progress_pct = $3"))
                .bind(r.progress_pct)
                .bind(r.task_id.clone())
                .bind(previous_pct)
                .execute(&mut *tx)
                .await?
        };
        if done.rows_affected() != 1 {
            return Err(StoreError::Stale);
        }
        sqlx::query(&self.sql(
            "INSERT INTO task_reports (task_id, seq, reported_at, reported_by, progress_pct, body) \
             VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM task_reports WHERE task_id = $1), $2, $3, $4, $5)",
        ))
        .bind(r.task_id.clone())
        .bind(r.reported_at)
        .bind(r.reported_by.clone())
        .bind(r.progress_pct)
        .bind(r.body.clone())
        .execute(&mut *tx)
        .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
