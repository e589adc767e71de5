//! Cordon's storage: one interface over SQLite and PostgreSQL, their migrations, reference data and the audit log.
//!
//! Only this crate knows SQL. Every write that changes intelligence or accounts takes
//! the audit entries it must leave, and writes them in the same transaction, so that
//! the record and its audit trail commit or fail together.

mod access;
mod analytics;
mod backend;
mod cases;
mod coordination;
mod delivery;
mod directives;
mod entities;
mod entity_matches;
mod error;
mod evidence;
mod migrate;
mod notices;
pub use migrate::latest_schema_version;
mod records;
mod report_templates;
mod requests;
pub mod scratch;
mod screening;
mod tips;

pub use analytics::{DayCount, KeyDayFact, PartyFact, RiskSubject, StatDimension, StatFigures, StatFilter, StatRow};
pub use backend::{Store, StoreTarget};
pub use cases::{Agreement, CaseCursor, CaseDimension, CaseTotal, NewCase, SharingGroup};
pub use coordination::{CommodityResult, Decision, Handover, HandoverAcceptance, JointOperation, OperationMessage, OperationResults};
pub use delivery::{AttemptOutcome, Contact, DeliveryAttempt, DeliveryJob, LiveListener, NoticeDeliveries, NoticeRoute, Outbox};
pub use directives::{Directive, DirectiveTask, TaskReport};
pub use entity_matches::{EntityMatch, StoredEntity};
pub use error::StoreError;
pub use evidence::{Evidence, FileStore};
pub use notices::{Notice, Recipient};
pub use records::{AuditQuery, NewAgency, NewUnit, NewUser, TokenRecord};
pub use report_templates::{ReportSchedule, ReportTemplate};
pub use requests::{PartnerKey, Request, RequestAnswer, RequestEvent, RequestFile, RequestFilter};
pub use screening::{FilingOutcome, Lead, LeadDecision, LeadListing, ScreenedListing, StoredRuleSet};
pub use tips::{Tip, TipAttachment, TipChange, TipEvent, TipMessage};
