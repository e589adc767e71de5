//! Full-text search over cases with Vietnamese folding, filtered by what the caller may see.
//!
//! The index is derived from the store and can always be rebuilt from it. Text is folded
//! (lower case, no diacritics, đ → d) before indexing and before querying, so "thuoc la"
//! finds "Thuốc lá" and the reverse. Each document carries the record's access principals
//! (the same ones the store's `case_access` rows hold), and every query requires one of the
//! caller's principals: a hit the caller may not see is never scored, counted or returned.
//! Personal names of parties are indexed in a field of their own, searchable only by the
//! recording agency, so that a search cannot reveal that a withheld person is in a case.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

pub use cordon_core::case::CaseFilter;
use cordon_core::text::fold_words;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, Value, FAST, INDEXED, STORED, STRING, TEXT};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use thiserror::Error;

/// A search failure.
#[derive(Debug, Error)]
pub enum SearchError {
    /// The index could not be opened, written or read.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index directory could not be used.
    #[error("search index directory: {0}")]
    Directory(String),
}

/// What is indexed of one case.
#[derive(Debug, Clone, Default)]
pub struct CaseDoc {
    /// Case id.
    pub id: String,
    /// Text anyone who may see the case may search: reference, title, summary, goods, brands, route, plate, non-personal parties.
    pub text: String,
    /// Names and identifiers of personal parties: searchable by the recording agency only.
    pub personal_text: String,
    /// Access principals (`unit:X`, `agency:Y`, `group:Z`, `domestic`, `international`, `everyone`).
    pub principals: Vec<String>,
    /// The recording agency.
    pub owner_agency: String,
    /// Violation type code.
    pub case_type: String,
    /// Status code.
    pub status: String,
    /// Province code.
    pub province: Option<String>,
    /// Commodity categories of the goods.
    pub commodities: Vec<String>,
    /// Detection time, ms.
    pub detected_at: i64,
}

/// Who is searching: the principals they hold and their agency.
#[derive(Debug, Clone)]
pub struct Searcher<'a> {
    /// The caller's principals.
    pub principals: &'a [String],
    /// The caller's agency (personal names are searchable within the recording agency).
    pub agency: &'a str,
}

#[derive(Clone)]
struct Fields {
    id: Field,
    text: Field,
    personal: Field,
    acl: Field,
    owner: Field,
    case_type: Field,
    status: Field,
    province: Field,
    commodity: Field,
    detected_at: Field,
}

/// The case index.
#[derive(Clone)]
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        text: b.add_text_field("text", TEXT),
        personal: b.add_text_field("personal", TEXT),
        acl: b.add_text_field("acl", STRING),
        owner: b.add_text_field("owner", STRING),
        case_type: b.add_text_field("case_type", STRING),
        status: b.add_text_field("status", STRING),
        province: b.add_text_field("province", STRING),
        commodity: b.add_text_field("commodity", STRING),
        detected_at: b.add_i64_field("detected_at", INDEXED | FAST),
    };
    (b.build(), fields)
}

/// Memory for the indexing buffer: enough for bulk loads, small beside the store.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

impl SearchIndex {
    /// Opens the index in `dir`, creating it if absent.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Directory(format!("{}: {e}", dir.display())))?;
        let (schema, fields) = schema();
        let mmap = tantivy::directory::MmapDirectory::open(dir).map_err(|e| SearchError::Directory(e.to_string()))?;
        let index = Index::open_or_create(mmap, schema)?;
        Self::with(index, fields)
    }

    /// An index in memory (tests, benchmarks).
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema();
        Self::with(Index::create_in_ram(schema), fields)
    }

    fn with(index: Index, fields: Fields) -> Result<SearchIndex, SearchError> {
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, reader, fields })
    }

    /// A writer; one at a time per index (the app holds one behind a lock).
    pub fn writer(&self) -> Result<IndexWriter, SearchError> {
        Ok(self.index.writer(WRITER_MEMORY)?)
    }

    /// Adds or replaces a case's document (visible after [`SearchIndex::commit`]).
    pub fn upsert(&self, writer: &IndexWriter, doc: &CaseDoc) -> Result<(), SearchError> {
        let f = &self.fields;
        writer.delete_term(Term::from_field_text(f.id, &doc.id));
        let mut d = TantivyDocument::default();
        d.add_text(f.id, &doc.id);
        d.add_text(f.text, fold_words(&doc.text));
        d.add_text(f.personal, fold_words(&doc.personal_text));
        for p in &doc.principals {
            d.add_text(f.acl, p);
        }
        d.add_text(f.owner, &doc.owner_agency);
        d.add_text(f.case_type, &doc.case_type);
        d.add_text(f.status, &doc.status);
        if let Some(p) = &doc.province {
            d.add_text(f.province, p);
        }
        for c in &doc.commodities {
            d.add_text(f.commodity, c);
        }
        d.add_i64(f.detected_at, doc.detected_at);
        writer.add_document(d)?;
        Ok(())
    }

    /// Makes written documents durable and searchable.
    pub fn commit(&self, writer: &mut IndexWriter) -> Result<(), SearchError> {
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Removes every document (before a rebuild).
    pub fn clear(&self, writer: &mut IndexWriter) -> Result<(), SearchError> {
        writer.delete_all_documents()?;
        Ok(())
    }

    /// How many documents the index holds (all of them, for operators).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn query(&self, words: &str, who: &Searcher, filter: &CaseFilter) -> Option<BooleanQuery> {
        let f = &self.fields;
        let folded = fold_words(words);
        let terms: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        if terms.is_empty() || who.principals.is_empty() {
            return None;
        }
        let term = |field: Field, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::WithFreqs))
        };
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // Every word must appear, in the shared text or (for the recording agency) in personal names.
        for w in terms {
            let mut either: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, term(f.text, w))];
            let own_personal: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Must, term(f.personal, w)), (Occur::Must, term(f.owner, who.agency))];
            either.push((Occur::Should, Box::new(BooleanQuery::new(own_personal))));
            must.push((Occur::Must, Box::new(BooleanQuery::new(either))));
        }
        // Access and filters decide whether a case is a hit, never how good a hit it is: a
        // rare principal such as `everyone` must not lift a case above better text matches.
        let acl: Vec<(Occur, Box<dyn Query>)> = who.principals.iter().map(|p| (Occur::Should, term(f.acl, p))).collect();
        must.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(acl)), 0.0))));
        for (field, v) in [
            (f.case_type, &filter.case_type),
            (f.status, &filter.status),
            (f.province, &filter.province),
            (f.owner, &filter.agency),
            (f.commodity, &filter.commodity),
        ] {
            if let Some(v) = v {
                must.push((Occur::Must, Box::new(ConstScoreQuery::new(term(field, v), 0.0))));
            }
        }
        if filter.since.is_some() || filter.until.is_some() {
            let lo = filter.since.unwrap_or(i64::MIN);
            let hi = filter.until.unwrap_or(i64::MAX);
            must.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(RangeQuery::new_i64("detected_at".into(), lo..hi)), 0.0))));
        }
        Some(BooleanQuery::new(must))
    }

    /// The ids of the best-matching cases the caller may see, best first, after skipping `offset`.
    pub fn search(
        &self,
        words: &str,
        who: &Searcher,
        filter: &CaseFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<String>, SearchError> {
        Ok(self.search_scored(words, who, filter, offset, limit)?.into_iter().map(|(_, id)| id).collect())
    }

    /// Like [`SearchIndex::search`], with each hit's relevance score.
    pub fn search_scored(
        &self,
        words: &str,
        who: &Searcher,
        filter: &CaseFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<(f32, String)>, SearchError> {
        let Some(q) = self.query(words, who, filter) else { return Ok(Vec::new()) };
        let searcher = self.reader.searcher();
        let top = searcher.search(&q, &TopDocs::with_limit(limit).and_offset(offset))?;
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(id) = doc.get_first(self.fields.id).and_then(|v| v.as_str()) {
                out.push((score, id.to_string()));
            }
        }
        Ok(out)
    }

    /// How many cases the caller may see match.
    pub fn count(&self, words: &str, who: &Searcher, filter: &CaseFilter) -> Result<usize, SearchError> {
        let Some(q) = self.query(words, who, filter) else { return Ok(0) };
        Ok(self.reader.searcher().search(&q, &Count)?)
    }
}

/// The index as the application uses it: one writer behind a lock, writes visible to the
/// next search (a search commits pending writes first, so bulk loads commit once while a
/// user always finds what was just recorded), and a high-water mark of what was indexed,
/// kept in the commit, so that a restart can catch up with the store.
#[derive(Clone)]
pub struct LiveIndex {
    index: SearchIndex,
    writer: Arc<Mutex<IndexWriter>>,
    dirty: Arc<AtomicBool>,
    indexed_until: Arc<AtomicI64>,
}

impl LiveIndex {
    /// Wraps an index with its writer.
    pub fn new(index: SearchIndex) -> Result<LiveIndex, SearchError> {
        let writer = index.writer()?;
        let mark = index.index.load_metas()?.payload.and_then(|p| p.parse().ok()).unwrap_or(0);
        Ok(LiveIndex {
            index,
            writer: Arc::new(Mutex::new(writer)),
            dirty: Arc::new(AtomicBool::new(false)),
            indexed_until: Arc::new(AtomicI64::new(mark)),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        // A panic while holding the writer leaves at worst uncommitted documents, which the
        // next catch-up re-adds; the writer itself stays usable.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Indexes a case changed at `updated_at` (ms).
    pub fn put(&self, doc: &CaseDoc, updated_at: i64) -> Result<(), SearchError> {
        let w = self.lock();
        self.index.upsert(&w, doc)?;
        self.indexed_until.fetch_max(updated_at, Ordering::SeqCst);
        self.dirty.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Commits pending writes, recording the high-water mark.
    pub fn flush(&self) -> Result<(), SearchError> {
        if !self.dirty.load(Ordering::SeqCst) {
            return Ok(());
        }
        let mut w = self.lock();
        if self.dirty.swap(false, Ordering::SeqCst) {
            let mut prepared = w.prepare_commit()?;
            prepared.set_payload(&self.indexed_until.load(Ordering::SeqCst).to_string());
            prepared.commit()?;
            self.index.reader.reload()?;
        }
        Ok(())
    }

    /// Drops every document (before a full rebuild).
    pub fn clear(&self) -> Result<(), SearchError> {
        let mut w = self.lock();
        self.index.clear(&mut w)?;
        self.indexed_until.store(0, Ordering::SeqCst);
        self.dirty.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// The latest change time indexed and committed before this process started, or since.
    pub fn indexed_until(&self) -> i64 {
        self.indexed_until.load(Ordering::SeqCst)
    }

    /// Searches (after committing pending writes): ids best first.
    pub fn search(
        &self,
        words: &str,
        who: &Searcher,
        filter: &CaseFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<String>, SearchError> {
        self.flush()?;
        self.index.search(words, who, filter, offset, limit)
    }

    /// Counts (after committing pending writes).
    pub fn count(&self, words: &str, who: &Searcher, filter: &CaseFilter) -> Result<usize, SearchError> {
        self.flush()?;
        self.index.count(words, who, filter)
    }

    /// Documents in the index.
    pub fn len(&self) -> u64 {
        self.index.len()
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}
