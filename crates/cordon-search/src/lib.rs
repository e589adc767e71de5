//! Full-text search over cases with Vietnamese folding, filtered by what the caller may see.
//!
//! The index is derived from the store and can always be rebuilt from it. Text is folded
//! (lower case, no diacritics, đ → d) before indexing and before querying, so "thuoc la"
//! finds "Thuốc lá" and the reverse. Each document carries the record's access principals
//! (the same ones the store's `case_access` rows hold), and every query requires one of the
//! caller's principals: a hit the caller may not see is never scored, counted or returned.
//! Personal names of parties are indexed in a field of their own, each word as a term of the
//! recording agency ("agency␟word"), so only that agency's searches can reach them: a search
//! cannot reveal that a withheld person is in a case.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use conjunction::{DocBits, SegmentSearch, Sink, TermCursor, TopK, Word};
pub use cordon_core::case::CaseFilter;
use cordon_core::text::fold_words;
use tantivy::query::Bm25Weight;
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED, STRING};
use tantivy::{DocAddress, Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, SegmentId, SegmentReader, TantivyDocument, Term};
use thiserror::Error;

mod conjunction;

/// A search failure.
#[derive(Debug, Error)]
pub enum SearchError {
    /// The index could not be opened, written or read.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index files could not be read.
    #[error("search index read: {0}")]
    Read(#[from] std::io::Error),
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

/// Per segment, the documents holding any of a set of access principals: principal sets are
/// few and stable, and recomputing one means reading every posting list of its principals,
/// so they are kept.
type BitsCache = Mutex<HashMap<(SegmentId, String), Arc<DocBits>>>;

/// Cached document sets before the cache starts afresh: at most 128 KiB each per million
/// documents of a segment.
const BITS_CACHE_ENTRIES: usize = 256;

/// The case index.
#[derive(Clone)]
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    bits: Arc<BitsCache>,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Frequencies but no positions: there are no phrase queries, and positions would be the
    // largest file of the index.
    let words = TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer("default").set_index_option(IndexRecordOption::WithFreqs));
    // One term per value: the document adds each folded word already prefixed by its agency.
    let owned_words = TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer("raw").set_index_option(IndexRecordOption::WithFreqs));
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        text: b.add_text_field("text", words),
        personal: b.add_text_field("personal_by_owner", owned_words),
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

/// A personal-name word as its recording agency's term: other agencies' searches form other
/// terms, so they can neither match nor be scored on it.
fn owned_term(agency: &str, word: &str) -> String {
    format!("{agency}\u{1f}{word}")
}

/// Memory for the indexing buffer: enough for bulk loads, small beside the store.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

impl SearchIndex {
    /// Opens the index in `dir`, creating it if absent.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Directory(format!("{}: {e}", dir.display())))?;
        let (schema, fields) = schema();
        let mmap = tantivy::directory::MmapDirectory::open(dir).map_err(|e| SearchError::Directory(e.to_string()))?;
        let index = match Index::open_or_create(mmap.clone(), schema.clone()) {
            // An index of an earlier layout: it is derived data, so start afresh. Its
            // high-water mark goes with it, and the application's catch-up re-indexes every case.
            Err(tantivy::TantivyError::SchemaError(_)) => Index::create(mmap, schema, IndexSettings::default())?,
            other => other?,
        };
        Self::with(index, fields)
    }

    /// An index in memory (tests, benchmarks).
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema();
        Self::with(Index::create_in_ram(schema), fields)
    }

    fn with(index: Index, fields: Fields) -> Result<SearchIndex, SearchError> {
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, reader, fields, bits: Arc::default() })
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
        for w in fold_words(&doc.personal_text).split(' ').filter(|w| !w.is_empty()) {
            d.add_text(f.personal, owned_term(&doc.owner_agency, w));
        }
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

    /// Merges every segment into one and waits for it: after a bulk load or a rebuild, one
    /// segment means one pass per query instead of one per segment, and score bounds that hold
    /// over the whole index. The writer must have no merge of its own in flight (a fresh one):
    /// a segment that a background merge holds cannot be merged again and this fails.
    pub fn merge_all(&self, writer: &mut IndexWriter) -> Result<(), SearchError> {
        let ids = self.index.searchable_segment_ids()?;
        if ids.len() > 1 {
            writer.merge(&ids).wait()?;
        }
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

    /// The folded words of a query, or `None` when nothing can match (no word, or a caller
    /// holding no principal).
    fn words(words: &str, who: &Searcher) -> Option<Vec<String>> {
        let folded = fold_words(words);
        let terms: Vec<String> = folded.split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect();
        if terms.is_empty() || who.principals.is_empty() {
            return None;
        }
        Some(terms)
    }

    /// The documents of `reader` holding any of `values` in `field`, from the cache.
    ///
    /// Segments never change once written (a deletion is recorded beside them), so a set
    /// computed for a segment stays right for as long as the segment lives.
    fn doc_bits(&self, reader: &SegmentReader, field: Field, values: &[&str]) -> Result<Arc<DocBits>, SearchError> {
        let mut key = format!("{}", field.field_id());
        for v in values {
            key.push('\0');
            key.push_str(v);
        }
        let key = (reader.segment_id(), key);
        if let Some(bits) = self.bits.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(bits.clone());
        }
        let inverted = reader.inverted_index(field)?;
        let mut bits = DocBits::with_max_doc(reader.max_doc());
        for v in values {
            if let Some(mut postings) = inverted.read_postings(&Term::from_field_text(field, v), IndexRecordOption::Basic)? {
                bits.add_postings(&mut postings);
            }
        }
        let bits = Arc::new(bits);
        // A poisoned lock can only hold whole entries: each is inserted in one call.
        let mut cache = self.bits.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= BITS_CACHE_ENTRIES {
            // Entries of merged-away segments and of callers gone quiet go with the rest.
            cache.clear();
        }
        cache.insert(key, bits.clone());
        Ok(bits)
    }

    /// Runs a search for the folded `words` into either a top-k or a count.
    fn run(
        &self,
        words: &[String],
        who: &Searcher,
        filter: &CaseFilter,
        mut top: Option<&mut TopK>,
        count: &mut usize,
    ) -> Result<(), SearchError> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        // BM25 statistics (idf, average length) come from the whole index, once per query.
        let mut weights = Vec::with_capacity(words.len());
        for w in words {
            let text = Term::from_field_text(f.text, w);
            let personal = Term::from_field_text(f.personal, &owned_term(who.agency, w));
            weights.push((
                Bm25Weight::for_terms(&searcher, std::slice::from_ref(&text))?,
                Bm25Weight::for_terms(&searcher, std::slice::from_ref(&personal))?,
                text,
                personal,
            ));
        }
        let mut principals: Vec<&str> = who.principals.iter().map(String::as_str).collect();
        principals.sort_unstable();
        principals.dedup();
        let filters: Vec<Term> = [
            (f.case_type, &filter.case_type),
            (f.status, &filter.status),
            (f.province, &filter.province),
            (f.owner, &filter.agency),
            (f.commodity, &filter.commodity),
        ]
        .into_iter()
        .filter_map(|(field, v)| v.as_ref().map(|v| Term::from_field_text(field, v)))
        .collect();
        let period = (filter.since.is_some() || filter.until.is_some())
            .then(|| (filter.since.unwrap_or(i64::MIN), filter.until.unwrap_or(i64::MAX)));
        'segments: for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let visible = self.doc_bits(reader, f.acl, &principals)?;
            if visible.is_empty() {
                continue;
            }
            let text_index = reader.inverted_index(f.text)?;
            let personal_index = reader.inverted_index(f.personal)?;
            let text_norms = reader.get_fieldnorms_reader(f.text)?;
            let personal_norms = reader.get_fieldnorms_reader(f.personal)?;
            let mut segment_words = Vec::with_capacity(words.len());
            for (text_weight, personal_weight, text, personal) in &weights {
                let text = text_index
                    .read_block_postings(text, IndexRecordOption::WithFreqs)?
                    .map(|p| TermCursor::new(p, text_norms.clone(), text_weight.clone()));
                // Without an agency there is no personal name the caller may search.
                let personal = if who.agency.is_empty() {
                    None
                } else {
                    personal_index
                        .read_block_postings(personal, IndexRecordOption::WithFreqs)?
                        .map(|p| TermCursor::new(p, personal_norms.clone(), personal_weight.clone()))
                };
                if text.is_none() && personal.is_none() {
                    continue 'segments;
                }
                segment_words.push(Word { text, personal });
            }
            let mut filter_postings = Vec::with_capacity(filters.len());
            for term in &filters {
                match reader.inverted_index(term.field())?.read_postings(term, IndexRecordOption::Basic)? {
                    Some(p) => filter_postings.push(p),
                    None => continue 'segments,
                }
            }
            let period = match period {
                Some((lo, hi)) => Some((reader.fast_fields().i64("detected_at")?, lo, hi)),
                None => None,
            };
            let search = SegmentSearch {
                segment: ord as u32,
                words: segment_words,
                filters: filter_postings,
                visible: &visible,
                alive: reader.alive_bitset(),
                period,
            };
            match top.as_deref_mut() {
                Some(top) => search.run(Sink::Top(top)),
                None => search.run(Sink::Count(count)),
            }
        }
        Ok(())
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
    ///
    /// A hit's score is the sum over the words of BM25 in the shared text and, for the
    /// recording agency, in personal names; access and filters decide whether a case is a
    /// hit, never how good a hit it is. Equal scores rank in index order.
    pub fn search_scored(
        &self,
        words: &str,
        who: &Searcher,
        filter: &CaseFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<(f32, String)>, SearchError> {
        let Some(words) = Self::words(words, who) else { return Ok(Vec::new()) };
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut top = TopK::new(offset.saturating_add(limit));
        self.run(&words, who, filter, Some(&mut top), &mut 0)?;
        let searcher = self.reader.searcher();
        let mut out = Vec::with_capacity(limit);
        // Ids from the doc store: a string fast field was measured slower (its dictionary
        // blocks are zstd-compressed, and each lookup set up a decompressor).
        for hit in top.into_sorted().into_iter().skip(offset) {
            let doc: TantivyDocument = searcher.doc(DocAddress::new(hit.segment, hit.doc))?;
            if let Some(id) = doc.get_first(self.fields.id).and_then(|v| v.as_str()) {
                out.push((hit.score, id.to_string()));
            }
        }
        Ok(out)
    }

    /// How many cases the caller may see match.
    pub fn count(&self, words: &str, who: &Searcher, filter: &CaseFilter) -> Result<usize, SearchError> {
        let Some(words) = Self::words(words, who) else { return Ok(0) };
        let mut n = 0;
        self.run(&words, who, filter, None, &mut n)?;
        Ok(n)
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

#[cfg(test)]
mod equivalence;
