//! Entity resolution: normalisers, blocking, Fellegi–Sunter scoring with EM, clustering, explanations; pure, no I/O.
//!
//! The flow: agencies' [`Record`]s are normalised into [`PreparedRecord`]s
//! ([`normalise`]: Vietnamese names in either order, company legal forms,
//! phones across the 2018 renumbering, plates, CMND/CCCD, tax codes,
//! addresses across the 2025 province merger). [`train`] estimates a
//! Fellegi–Sunter [`Model`] without labels. [`deduplicate`] blocks, scores and
//! clusters a batch; a [`Resolver`] resolves one new record at a time against
//! everything already resolved. Every match carries its comparison vector,
//! which [`Model::explain`] turns into per-field levels and weights, and
//! analysts' [`AnalystDecision`]s are kept: "not the same" is never overridden.
//!
//! ```
//! use cordon_match::{deduplicate, Model, PreparedRecord, Record, Settings};
//!
//! let written = [
//!     Record { id: 1, name: Some("Nguyễn Văn An".into()), birth_date: Some("05/03/1990".into()),
//!              phone: Some("0168 123 4567".into()), ..Record::default() },
//!     Record { id: 2, name: Some("AN NGUYEN VAN".into()), birth_date: Some("1990-05-03".into()),
//!              phone: Some("+84 38 123 4567".into()), ..Record::default() },
//!     Record { id: 3, name: Some("Nguyễn Văn Anh".into()), birth_date: Some("17/11/1985".into()),
//!              ..Record::default() },
//! ];
//! let records: Vec<PreparedRecord> = written.iter().map(PreparedRecord::prepare).collect();
//! let model = Model::default();
//! let result = deduplicate(&records, &model, &Settings::default(), &[]).unwrap();
//! assert_eq!(result.clustering.entities, vec![vec![1, 2], vec![3]]);
//! let why = result.matches[0].explain(&model);
//! assert!(why.fields.iter().all(|f| f.weight >= 0.0));
//! ```

pub mod blocking;
pub mod cluster;
pub mod compare;
pub mod dedupe;
pub mod error;
pub mod model;
pub mod normalise;
pub mod record;
pub mod resolver;
pub mod rng;
pub mod similarity;

pub use blocking::{candidate_pairs, sampled_candidate_pairs, BlockingRule, CandidatePairs};
pub use cluster::{cluster, AnalystDecision, Clustering, Link};
pub use compare::{compare, Agreement, ComparisonVector, MISSING};
pub use dedupe::{deduplicate, train, Deduplication, ScoredPair, Settings, TrainingReport};
pub use error::{MatchError, NormaliseError};
pub use model::{EmReport, EmSettings, Explanation, FieldExplanation, Model, PatternCounts, Score};
pub use record::{EntityKind, Field, PreparedRecord, Record, RecordId, FIELD_COUNT};
pub use resolver::{EntityId, Resolution, Resolver};
