//! Cordon's use cases: authenticate, authorise, apply the domain rule, persist and audit; knows no HTTP.
//!
//! Every entry point takes the [`Actor`] it acts for, decides whether that actor may,
//! and hands the store the write together with the audit entries it must leave.

mod access;
mod actor;
mod agreements;
mod analytics;
mod audit;
mod auth;
mod cache;
mod cases;
mod clock;
mod coordination;
mod delivery;
mod directives;
mod directory;
mod duty;
mod entities;
mod error;
mod evidence;
mod ids;
mod limiter;
mod matching;
mod network;
mod notices;
mod report_schedules;
mod reports;
mod request_packages;
mod requests;
mod risk;
mod screening;
mod search;
mod tips;
mod totals;
mod transfer;

pub use access::{AccessDecisionInput, AccessRequestInput, AccessRequestView};
pub use actor::Actor;
pub use agreements::{AckWindows, AgreementInput, GroupInput};
pub use analytics::{
    BacktestView, ChangeView, FiguresView, ForecastView, ForecastWeekView, HotspotQuery, HotspotView, HotspotsView, ProfilePointView,
    SeasonsView, SeriesQuery, StatLineView, StatQuery, StatisticsView, COMPARISON_RULE, HOTSPOT_METHOD, TET_COMPARISON_RULE,
};
pub use audit::AuditReport;
pub use auth::{Login, LoginOutcome, SESSION_IDLE_MS};
pub use cache::CACHE_TTL_MS;
pub use cases::{
    CaseEventView, CaseInput, CasePage, CaseQuery, CaseView, ConveyanceInput, GoodsInput, GoodsView, OutcomeInput, PartyInput, PartyView,
    SharingInput,
};
pub use clock::{Clock, FixedClock, SystemClock};
pub use coordination::{
    CommodityResultView, DeciderView, DecisionInput, DecisionView, HandoverAnswerInput, HandoverInput, HandoverView, LeftOutView,
    LinkCaseInput, LinkedCaseView, OperationInput, OperationMessageInput, OperationMessageView, OperationResultsView, OperationView,
    ProposedRecipient, PursuitProposal, PursuitQuery,
};
pub use delivery::{
    AttemptView, DeliveriesView, DeliveryJobView, DeliverySettings, DeliveryWorker, GatewaySettings, LiveNotice, NoticeStream, RouteView,
    SmtpSettings, StreamItem,
};
pub use directives::{
    AgencyProgressView, DirectiveInput, DirectiveView, TaskBoardView, TaskInput, TaskReportInput, TaskReportView, TaskView,
};
pub use directory::{NewAgencyInput, NewUnitInput, NewUserInput};
pub use duty::{ContactInput, ContactView, DutyRosterView, DutyShiftInput, DutyShiftView, UnitMemberView};
pub use entities::{EntityCase, EntityLink, EntityView};
pub use error::AppError;
pub use evidence::{sniff, EvidenceView, NewEvidence, MAX_EVIDENCE_BYTES};
pub use limiter::LoginLimiter;
pub use matching::{EntityMatchView, MatchDecisionInput, MatchFieldView, RescanReport, CANDIDATE_THRESHOLD, MAX_CANDIDATES};
pub use network::{NetworkEdgeView, NetworkFile, NetworkNodeView, NetworkPathView, NetworkQuery, NetworkView, RingView, MAX_NETWORK_CASES};
pub use notices::{DelegationInput, DelegationView, NoticeActionInput, NoticeInput, NoticeView, RecipientView};
pub use report_schedules::{DueReport, ReportScheduleInput, ReportScheduleView};
pub use reports::{ReportQuery, ReportTemplateView, ReportView, DEFAULT_REPORT_TITLE, REPORT_SECTIONS};
pub use request_packages::{canonical_json, sign_package, verify_package, MAX_PACKAGE_ATTACHMENTS, PACKAGE_FORMAT};
pub use requests::{
    counterpart_name, BreakdownRow, NewRequestFile, PartnerKeyInput, PartnerKeyView, RequestAnswerInput, RequestAnswerView,
    RequestEventView, RequestFileView, RequestInput, RequestQuery, RequestStatisticsView, RequestTransitionInput, RequestView,
    StatisticsQuery, TallyView,
};
pub use risk::{LinkedOffenderView, RiskFactorView, RiskItemView, RiskListView, RiskQuery, RISK_METHOD};
pub use screening::{
    HitView, LeadDecisionInput, LeadListingView, LeadView, LineProblem, ListingView, RulePrecisionView, RuleSetInput, RuleSetView,
    ScreenReport, SellerClusterView, SharedIdentifier, SpanView, MAX_LISTINGS_PER_BATCH,
};
pub use tips::{
    EmailTip, TipChallenge, TipCloseInput, TipEntityMatch, TipEventView, TipFileInput, TipFileView, TipFollowUpInput, TipInput,
    TipMessageView, TipReceipt, TipRepeat, TipStatusView, TipTriageInput, TipView, DEFAULT_POW_DIFFICULTY, MAX_TIP_FILES,
    MAX_TIP_FILE_BYTES,
};
pub use totals::CaseTotalView;
pub use transfer::{ImportProblem, ImportReport, ImportRow};

use std::sync::Arc;

use cordon_store::Store;

/// The application: the store, a clock, the node's audit signing key, and the state use cases share.
#[derive(Clone)]
pub struct App {
    store: Store,
    clock: Arc<dyn Clock>,
    limiter: Arc<LoginLimiter>,
    audit_key: Arc<ed25519_dalek::SigningKey>,
    search: cordon_search::LiveIndex,
    files: cordon_store::FileStore,
    cache: Arc<cache::AuthCache>,
    rules: Arc<screening::RuleCache>,
    tips: Arc<tips::TipDesk>,
    delivery: Arc<delivery::Delivery>,
    resolver: Arc<matching::EntityResolver>,
}

impl App {
    /// An application over an opened store with the given clock, signing audit checkpoints
    /// with `audit_key` and keeping `search` in step with the cases.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        audit_key: ed25519_dalek::SigningKey,
        search: cordon_search::LiveIndex,
        files: cordon_store::FileStore,
    ) -> Self {
        App {
            store,
            clock,
            limiter: Arc::new(LoginLimiter::default()),
            audit_key: Arc::new(audit_key),
            search,
            files,
            cache: Arc::new(cache::AuthCache::default()),
            rules: Arc::new(screening::RuleCache::default()),
            tips: Arc::new(tips::TipDesk::default()),
            delivery: Arc::new(delivery::Delivery::default()),
            resolver: Arc::new(matching::EntityResolver::default()),
        }
    }

    /// The store (for readiness checks and shutdown; use cases go through `App`).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Now, in milliseconds since the Unix epoch, from the app's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
