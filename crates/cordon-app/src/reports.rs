//! Periodic reports — monthly, quarterly, six-monthly, yearly and the Tết peak period — for a
//! unit, an agency or the whole country, over the cases the caller may see: the figures of
//! `analytics.rs` gathered in one audited read, for the server to write as PDF, XLSX or CSV.

use cordon_analytics::period::vn_day_start;
use cordon_analytics::tet;
use cordon_core::time::month_start;
use cordon_core::Invalid;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Actor, App, AppError, StatLineView, StatQuery};

/// Which report.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `monthly`, `quarterly`, `six_monthly`, `yearly` or `tet`.
    pub kind: String,
    /// The year (for `tet`, the year of the Tết).
    pub year: i64,
    /// The month (1–12), quarter (1–4) or half (1–2); not for `yearly` and `tet`.
    pub period: Option<i64>,
    /// `country` (default), `agency` or `unit`.
    pub scope: Option<String>,
    /// With `scope=agency`: the agency (default the caller's).
    pub agency: Option<String>,
    /// With `scope=unit`: the unit (default the caller's).
    pub unit: Option<String>,
}

/// A report's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportView {
    /// The report's kind.
    pub kind: String,
    /// Its title, in Vietnamese (`Báo cáo tháng 01/2026`).
    pub title: String,
    /// Whom it covers, in Vietnamese (`Toàn quốc`, the agency's or unit's name).
    pub scope: String,
    /// Start, ms.
    pub from: i64,
    /// End (exclusive), ms.
    pub to: i64,
    /// The period compared with: start, ms.
    pub previous_from: i64,
    /// Its end (exclusive), ms.
    pub previous_to: i64,
    /// How the compared period is chosen.
    pub comparison_rule: String,
    /// When generated, ms.
    pub generated_at: i64,
    /// All cases.
    pub total: StatLineView,
    /// By month (by week for the Tết peak period).
    pub by_period: Vec<StatLineView>,
    /// By province.
    pub by_province: Vec<StatLineView>,
    /// By commodity.
    pub by_commodity: Vec<StatLineView>,
    /// By violation type.
    pub by_case_type: Vec<StatLineView>,
}

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

impl App {
    /// A periodic report over the cases the actor may see; audited as one read.
    pub async fn report(&self, actor: &Actor, q: ReportQuery) -> Result<ReportView, AppError> {
        actor.require_active()?;
        if !(2000..=2100).contains(&q.year) {
            return Err(Invalid::new("year", "2000 to 2100").into());
        }
        let period = |max: i64| -> Result<i64, AppError> {
            q.period.filter(|p| (1..=max).contains(p)).ok_or_else(|| Invalid::new("period", format!("1 to {max}")).into())
        };
        let y = q.year;
        let (from, to, compare, interval, title) = match q.kind.as_str() {
            "monthly" => {
                let m = period(12)?;
                (month_start(y, m), month_start(y, m + 1), None, "week", format!("Báo cáo tháng {m:02}/{y}"))
            }
            "quarterly" => {
                let n = period(4)?;
                (
                    month_start(y, 3 * n - 2),
                    month_start(y, 3 * n + 1),
                    None,
                    "month",
                    format!("Báo cáo quý {}/{y}", ROMAN[(n - 1) as usize]),
                )
            }
            "six_monthly" => {
                let h = period(2)?;
                let title =
                    if h == 1 { format!("Báo cáo 6 tháng đầu năm {y}") } else { format!("Báo cáo 6 tháng cuối năm {y}") };
                (month_start(y, 6 * h - 5), month_start(y, 6 * h + 1), None, "month", title)
            }
            "yearly" => (month_start(y, 1), month_start(y + 1, 1), None, "month", format!("Báo cáo năm {y}")),
            "tet" => {
                let (Some(this), Some(last)) = (tet::tet_day(y), tet::tet_day(y - 1)) else {
                    return Err(
                        Invalid::new("year", format!("Tết dates are known for {} to {}", tet::FIRST_YEAR + 1, tet::LAST_YEAR)).into()
                    );
                };
                let span = |t: i64| (vn_day_start(t - 45), vn_day_start(t + 15));
                let (f, t) = span(this);
                (f, t, Some(span(last)), "week", format!("Báo cáo cao điểm Tết Nguyên đán {y}"))
            }
            _ => return Err(Invalid::new("kind", "monthly, quarterly, six_monthly, yearly or tet").into()),
        };
        let (agency, unit, scope) = match q.scope.as_deref().unwrap_or("country") {
            "country" => (None, None, "Toàn quốc".to_string()),
            "agency" => {
                let id = q.agency.clone().filter(|a| !a.trim().is_empty()).unwrap_or_else(|| actor.agency_id.clone());
                let a = self.store.agency(&id).await?.ok_or_else(|| Invalid::new("agency", "no such agency"))?;
                (Some(id), None, a.name_vi)
            }
            "unit" => {
                let id = q.unit.clone().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| actor.user.unit_id.clone());
                let u = self.store.unit(&id).await?.ok_or_else(|| Invalid::new("unit", "no such unit"))?;
                (None, Some(id), u.name_vi)
            }
            _ => return Err(Invalid::new("scope", "country, agency or unit").into()),
        };
        let principals = self.principals(actor).await?;
        let base = StatQuery { from, to, agency, unit, ..StatQuery::default() };
        let by =
            |by: &str, interval: Option<&str>| StatQuery { by: Some(by.into()), interval: interval.map(str::to_string), ..base.clone() };
        let total = self.compute_statistics(&principals, &base, compare).await?;
        // Buckets compare with the same calendar buckets a year earlier, Tết's included.
        let by_period = self.compute_statistics(&principals, &by("period", Some(interval)), None).await?.rows;
        let by_province = self.compute_statistics(&principals, &by("province", None), compare).await?.rows;
        let by_commodity = self.compute_statistics(&principals, &by("commodity", None), compare).await?.rows;
        let by_case_type = self.compute_statistics(&principals, &by("case_type", None), compare).await?.rows;
        let now = self.now_ms();
        self.store
            .audit(&[actor.audit(
                now,
                "case.report",
                "case",
                "*",
                "ok",
                json!({ "kind": q.kind, "year": y, "period": q.period, "scope": q.scope }),
            )])
            .await?;
        Ok(ReportView {
            kind: q.kind,
            title,
            scope,
            from,
            to,
            previous_from: total.previous_from,
            previous_to: total.previous_to,
            comparison_rule: total.comparison_rule,
            generated_at: now,
            total: total.total,
            by_period,
            by_province,
            by_commodity,
            by_case_type,
        })
    }
}
