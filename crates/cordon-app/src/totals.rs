//! Case totals by province, commodity, type or status: counted in the store under the same
//! sharing rule as lists, so a total never includes a case the caller may not see.

use cordon_core::Invalid;
use cordon_store::CaseDimension;
use serde::Serialize;
use serde_json::json;

use crate::{Actor, App, AppError, CaseQuery};

/// Cases and their value for one province, commodity category, type or status.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseTotalView {
    /// The province, category, type or status code; absent where cases do not say.
    pub key: Option<String>,
    /// How many cases.
    pub cases: i64,
    /// Their value, VND (for a commodity: the value of that category's goods).
    pub value_vnd: i64,
}

/// Parses a dimension name: `province`, `commodity`, `case_type`, `status`.
pub fn parse_dimension(by: &str) -> Result<CaseDimension, Invalid> {
    match by {
        "province" => Ok(CaseDimension::Province),
        "commodity" => Ok(CaseDimension::Commodity),
        "case_type" => Ok(CaseDimension::CaseType),
        "status" => Ok(CaseDimension::Status),
        _ => Err(Invalid::new("by", "province, commodity, case_type or status")),
    }
}

impl App {
    /// Totals of the cases the actor may see that match the filters (words are not taken:
    /// totals are over filters), grouped by `by`; audited as an aggregate read.
    pub async fn case_totals(&self, actor: &Actor, q: CaseQuery, by: &str) -> Result<Vec<CaseTotalView>, AppError> {
        actor.require_active()?;
        let dimension = parse_dimension(by)?;
        if q.q.as_deref().is_some_and(|w| !w.trim().is_empty()) {
            return Err(Invalid::new("q", "totals are over filters; search words are not taken here").into());
        }
        let filter = self.case_filter(&q)?;
        let principals = self.principals(actor).await?;
        let totals = self.store.case_totals_visible(&principals, &filter, dimension).await?;
        self.store.audit(&[actor.audit(self.now_ms(), "case.totals", "case", "*", "ok", json!({ "by": by }))]).await?;
        Ok(totals.into_iter().map(|t| CaseTotalView { key: t.key, cases: t.cases, value_vnd: t.value_vnd }).collect())
    }
}
