//! Entity resolution: normalisers, blocking, Fellegi–Sunter scoring with EM, clustering, explanations; pure, no I/O.

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
