//! Keeping the search index in step with the store: each write indexes the case it
//! changed; a restart catches up with what the index missed; a rebuild starts afresh.

use cordon_core::case::Case;
use cordon_core::sharing::principals_of_record;
use cordon_search::CaseDoc;

use crate::{App, AppError};

/// How many cases to read from the store at a time while (re)indexing.
const BATCH: i64 = 500;

fn doc(c: &Case) -> CaseDoc {
    let (text, personal_text) = c.search_text();
    let mut commodities: Vec<String> = c.goods.iter().filter_map(|g| g.category.clone()).collect();
    commodities.sort();
    commodities.dedup();
    CaseDoc {
        id: c.id.clone(),
        text,
        personal_text,
        principals: principals_of_record(&c.owner_unit_id, &c.owner_agency_id, &c.sharing),
        owner_agency: c.owner_agency_id.clone(),
        case_type: c.case_type.as_str().into(),
        status: c.status.as_str().into(),
        province: c.place.province_code.clone(),
        commodities,
        detected_at: c.detected_at,
    }
}

impl App {
    /// Indexes a case just written. The store is the record: if indexing fails the write
    /// stands, the failure is logged, and the next start catches up.
    pub(crate) fn index_case(&self, c: &Case) {
        if let Err(e) = self.search.put(&doc(c), c.updated_at) {
            tracing::error!(case = %c.id, error = %e, "search index not updated; it will catch up at the next start");
        }
    }

    /// Indexes every case changed since the index's high-water mark; returns how many.
    pub async fn catch_up_index(&self) -> Result<usize, AppError> {
        let since = self.search.indexed_until();
        self.index_since(since).await
    }

    /// Rebuilds the index from the store; returns how many cases were indexed.
    pub async fn reindex(&self) -> Result<usize, AppError> {
        self.search.clear().map_err(search_failed)?;
        self.index_since(i64::MIN).await
    }

    async fn index_since(&self, since: i64) -> Result<usize, AppError> {
        let mut after = None;
        let mut n = 0;
        loop {
            let page = self.store.cases_changed_since(since, after.clone(), BATCH).await?;
            let Some(last) = page.last().cloned() else { break };
            for (_, id) in &page {
                if let Some(c) = self.store.case(id).await? {
                    self.search.put(&doc(&c), c.updated_at).map_err(search_failed)?;
                    n += 1;
                }
            }
            after = Some(last);
        }
        self.search.flush().map_err(search_failed)?;
        Ok(n)
    }

    /// Commits pending index writes (at shutdown).
    pub fn flush_index(&self) -> Result<(), AppError> {
        self.search.flush().map_err(search_failed)
    }
}

pub(crate) fn search_failed(e: cordon_search::SearchError) -> AppError {
    tracing::error!(error = %e, "search index failure");
    AppError::Store(cordon_store::StoreError::Open(format!("search index: {e}")))
}
