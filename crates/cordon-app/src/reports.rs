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
    /// The words around the figures, as the administrator set them for this scope.
    pub template: ReportTemplateView,
}

/// The optional sections of a report, by code.
pub const REPORT_SECTIONS: &[&str] = &["by_period", "by_province", "by_commodity", "by_case_type"];

/// The title every report bears unless its template says otherwise.
pub const DEFAULT_REPORT_TITLE: &str = "BÁO CÁO KẾT QUẢ ĐẤU TRANH CHỐNG BUÔN LẬU, GIAN LẬN THƯƠNG MẠI VÀ HÀNG GIẢ";

/// A report template as an administrator enters it and as reports carry it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportTemplateView {
    /// The title line (at most 300 characters).
    pub title: String,
    /// The issuing authority's lines at the head, e.g. `BAN CHỈ ĐẠO 389 TỈNH LẠNG SƠN` (at most 500).
    #[serde(default)]
    pub authority: String,
    /// The introduction after the period (at most 5000).
    #[serde(default)]
    pub introduction: String,
    /// The closing: recipients, signature block (at most 5000).
    #[serde(default)]
    pub closing: String,
    /// The optional sections kept: `by_period`, `by_province`, `by_commodity`, `by_case_type`.
    pub sections: Vec<String>,
}

impl Default for ReportTemplateView {
    fn default() -> Self {
        ReportTemplateView {
            title: DEFAULT_REPORT_TITLE.into(),
            authority: String::new(),
            introduction: String::new(),
            closing: String::new(),
            sections: REPORT_SECTIONS.iter().map(|s| (*s).to_string()).collect(),
        }
    }
}

impl ReportTemplateView {
    /// Whether the report keeps `section`.
    pub fn keeps(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s == section)
    }
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
        // A unit's report is written with its agency's template.
        let template_scope = match (&agency, &unit) {
            (Some(a), _) => Some(a.clone()),
            (None, Some(u)) => self.store.unit(u).await?.map(|u| u.agency_id),
            (None, None) => None,
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
            template: self.template_for(template_scope.as_deref()).await?,
        })
    }

    /// The template a report of an agency (or, with none, of the country) is written with: the
    /// agency's own, else the country's, else the default.
    async fn template_for(&self, agency: Option<&str>) -> Result<ReportTemplateView, AppError> {
        for scope in agency.into_iter().chain(std::iter::once(COUNTRY)) {
            if let Some(t) = self.store.report_template(scope).await? {
                return Ok(ReportTemplateView {
                    title: t.title,
                    authority: t.authority,
                    introduction: t.introduction,
                    closing: t.closing,
                    sections: t.sections,
                });
            }
        }
        Ok(ReportTemplateView::default())
    }

    /// The template of a scope (`country` or an agency id), as reports of it are written.
    pub async fn report_template(&self, actor: &Actor, scope: &str) -> Result<ReportTemplateView, AppError> {
        actor.require_active()?;
        if scope != COUNTRY && self.store.agency(scope).await?.is_none() {
            return Err(AppError::NotFound("agency"));
        }
        self.template_for((scope != COUNTRY).then_some(scope)).await
    }

    /// Sets the template of a scope (administrators); every version is in the audit log.
    pub async fn set_report_template(&self, actor: &Actor, scope: &str, t: ReportTemplateView) -> Result<ReportTemplateView, AppError> {
        actor.require_admin()?;
        if scope != COUNTRY && self.store.agency(scope).await?.is_none() {
            return Err(AppError::NotFound("agency"));
        }
        let bounded = |field: &'static str, v: &str, max: usize| -> Result<String, AppError> {
            let v = v.trim();
            if v.chars().count() > max {
                return Err(Invalid::new(field, format!("at most {max} characters")).into());
            }
            Ok(v.to_string())
        };
        let title = bounded("title", &t.title, 300)?;
        if title.is_empty() {
            return Err(Invalid::new("title", "a report has a title").into());
        }
        let mut sections = Vec::new();
        for s in &t.sections {
            if !REPORT_SECTIONS.contains(&s.as_str()) {
                return Err(Invalid::new("sections", format!("unknown section {s:?}: {}", REPORT_SECTIONS.join(", "))).into());
            }
            if !sections.contains(s) {
                sections.push(s.clone());
            }
        }
        let now = self.now_ms();
        let record = cordon_store::ReportTemplate {
            scope: scope.to_string(),
            title,
            authority: bounded("authority", &t.authority, 500)?,
            introduction: bounded("introduction", &t.introduction, 5000)?,
            closing: bounded("closing", &t.closing, 5000)?,
            sections,
            updated_by: actor.user.id.clone(),
            updated_at: now,
        };
        let audit = actor.audit(
            now,
            "report_template.set",
            "report_template",
            scope,
            "ok",
            json!({ "title": record.title, "authority": record.authority, "introduction": record.introduction,
                "closing": record.closing, "sections": record.sections }),
        );
        self.store.put_report_template(&record, &[audit]).await?;
        self.template_for((scope != COUNTRY).then_some(scope)).await
    }
}

/// The scope of the country-wide template.
const COUNTRY: &str = "country";
