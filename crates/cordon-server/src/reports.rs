//! Reports as files, and the sweep that writes and e-mails the scheduled ones: the use cases
//! decide what is due and who sees what; this crate renders, since the PDF and table writers
//! live at this edge.

use cordon_app::{App, AppError, ReportView};

use crate::routes::analytics::{report_blocks, report_rows};

/// A report written as a file: name (with extension), media type, bytes.
pub(crate) fn report_file(r: &ReportView, format: &str) -> Result<(String, &'static str, Vec<u8>), cordon_transfer::TransferError> {
    let name = format!("cordon-report-{}-{}", r.kind, cordon_core::time::year(r.from));
    Ok(match format {
        "xlsx" => (
            format!("{name}.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            cordon_transfer::xlsx_table("Report", report_rows(r))?,
        ),
        "csv" => {
            let mut out = Vec::new();
            cordon_transfer::csv_table(report_rows(r), &mut out)?;
            (format!("{name}.csv"), "text/csv; charset=utf-8", out)
        }
        _ => (format!("{name}.pdf"), "application/pdf", cordon_transfer::pdf_document(&name, &report_blocks(r))?),
    })
}

/// Writes and e-mails every scheduled report whose period has ended, each with its owner's view
/// of the cases; `cordon serve` runs it every few minutes. Answers how many were sent.
pub async fn send_due_reports(app: &App) -> Result<usize, AppError> {
    let mut sent = 0;
    for due in app.due_reports().await? {
        let report = match app.report(&due.owner, due.query.clone()).await {
            Ok(r) => r,
            // The owner can no longer see that scope (moved unit, removed agency): say so, and skip it.
            Err(e) => {
                tracing::warn!(schedule = %due.schedule_id, error = %e, "a scheduled report could not be written");
                continue;
            }
        };
        let (name, media_type, bytes) = match report_file(&report, &due.format) {
            Ok(f) => f,
            Err(e) => {
                tracing::error!(schedule = %due.schedule_id, error = %e, "a scheduled report could not be rendered");
                continue;
            }
        };
        let subject = format!("[Cordon] {} — {}", report.title, report.scope);
        if app.deliver_report(&due, &subject, (&name, media_type, &bytes)).await? {
            sent += 1;
        }
    }
    Ok(sent)
}
