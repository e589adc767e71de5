//! Verification, information and assistance requests between administrations: who the
//! counterpart is, the lifecycle and who may move it, deadlines with reminders and overdue
//! flags, and the statistics the Steering Committee's reports quote ("received 61 requests
//! from 8 countries and territories; sent 47, 18 answered").

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use crate::coded_enum;
use crate::Invalid;

const DAY_MS: i64 = 86_400_000;

coded_enum! {
    /// What a request asks for.
    pub enum RequestKind {
        /// Xác minh chứng từ: are these documents genuine?
        VerifyDocuments = "verify_documents" / "Verification of documents",
        /// Xác minh xuất xứ: was the certificate of origin issued, are the goods originating?
        VerifyOrigin = "verify_origin" / "Verification of origin",
        /// Xác minh hóa đơn: was this invoice issued, for this value?
        VerifyInvoice = "verify_invoice" / "Verification of invoices",
        /// Xác minh sự tồn tại của doanh nghiệp.
        VerifyCompany = "verify_company" / "Verification of a company's existence",
        /// Information on a person.
        InfoPerson = "info_person" / "Information on a person",
        /// Information on a company.
        InfoCompany = "info_company" / "Information on a company",
        /// Information on a shipment.
        InfoShipment = "info_shipment" / "Information on a shipment",
        /// Assistance with an investigation.
        AssistInvestigation = "assist_investigation" / "Assistance with an investigation",
        /// A controlled delivery.
        AssistControlledDelivery = "assist_controlled_delivery" / "Controlled delivery",
        /// Surveillance of persons, premises or conveyances.
        AssistSurveillance = "assist_surveillance" / "Surveillance",
    }
}

coded_enum! {
    /// The three families of requests, which set the default deadline.
    pub enum RequestCategory {
        /// Verification of documents, origin, invoices or a company.
        Verification = "verification" / "Verification",
        /// Information on a person, company or shipment.
        Information = "information" / "Information",
        /// Operational assistance.
        Assistance = "assistance" / "Assistance",
    }
}

impl RequestKind {
    /// The family this kind belongs to.
    pub fn category(self) -> RequestCategory {
        use RequestKind::*;
        match self {
            VerifyDocuments | VerifyOrigin | VerifyInvoice | VerifyCompany => RequestCategory::Verification,
            InfoPerson | InfoCompany | InfoShipment => RequestCategory::Information,
            AssistInvestigation | AssistControlledDelivery | AssistSurveillance => RequestCategory::Assistance,
        }
    }
}

impl RequestCategory {
    /// Days to answer when no deadline is set by hand.
    ///
    /// Where these come from: they are Cordon's working defaults, set in issue 5 of the
    /// project (30 days for a verification or for information, 60 for operational
    /// assistance), not taken from an instrument — the bilateral customs mutual administrative
    /// assistance agreements and the ASEAN instruments leave the time to the administrations.
    /// When the agreement or the requesting side names a time, the deadline is set by hand.
    pub fn default_deadline_days(self) -> i64 {
        match self {
            RequestCategory::Verification | RequestCategory::Information => 30,
            RequestCategory::Assistance => 60,
        }
    }
}

/// The deadline a request of `kind` opened at `from` gets when none is set by hand.
pub fn default_deadline(kind: RequestKind, from: i64) -> i64 {
    from + kind.category().default_deadline_days() * DAY_MS
}

coded_enum! {
    /// Which way a request goes.
    pub enum Direction {
        /// A partner asks us.
        Incoming = "incoming" / "Incoming",
        /// We ask a partner.
        Outgoing = "outgoing" / "Outgoing",
    }
}

coded_enum! {
    /// The international organisations requests are exchanged with: a closed list.
    pub enum Organisation {
        /// WCO Regional Intelligence Liaison Office for Asia and the Pacific.
        WcoRiloAp = "wco_rilo_ap" / "WCO RILO Asia/Pacific",
        /// INTERPOL.
        Interpol = "interpol" / "INTERPOL",
        /// United Nations Office on Drugs and Crime.
        Unodc = "unodc" / "UNODC",
    }
}

/// The other side of a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Counterpart {
    /// A domestic agency, by its id in the directory.
    Agency(String),
    /// The customs administration of a country or territory, by ISO 3166-1 alpha-2 code.
    ForeignCustoms(String),
    /// An international organisation.
    Organisation(Organisation),
}

impl Counterpart {
    /// The stable text form: `agency:ID`, `customs:CC` or `org:CODE`.
    pub fn to_code(&self) -> String {
        match self {
            Counterpart::Agency(id) => format!("agency:{id}"),
            Counterpart::ForeignCustoms(cc) => format!("customs:{cc}"),
            Counterpart::Organisation(o) => format!("org:{}", o.as_str()),
        }
    }

    /// Parses the text form; a country must be in ISO 3166-1 and an organisation in the closed
    /// list. Whether a named agency exists is the caller's to check (it needs the directory).
    pub fn parse(s: &str) -> Result<Counterpart, Invalid> {
        let bad = || {
            Invalid::new(
                "counterpart",
                "agency:ID (a domestic agency), customs:CC (a foreign customs administration, ISO 3166 country code) \
                 or org:wco_rilo_ap, org:interpol, org:unodc",
            )
        };
        let (kind, value) = s.trim().split_once(':').ok_or_else(bad)?;
        match kind {
            "agency" if !value.trim().is_empty() => Ok(Counterpart::Agency(value.trim().to_string())),
            "customs" => {
                let cc = value.trim().to_ascii_uppercase();
                if country_name(&cc).is_none() {
                    return Err(Invalid::new("counterpart", format!("{cc:?} is not an ISO 3166 country or territory code")));
                }
                if cc == "VN" {
                    return Err(Invalid::new("counterpart", "Vietnam's own administrations are named as agency:ID"));
                }
                Ok(Counterpart::ForeignCustoms(cc))
            }
            "org" => Organisation::parse(value.trim())
                .map(Counterpart::Organisation)
                .ok_or_else(|| Invalid::new("counterpart", format!("unknown organisation {value:?}: wco_rilo_ap, interpol or unodc"))),
            _ => Err(bad()),
        }
    }

    /// The foreign country or territory this counterpart stands for, if it is one.
    pub fn country(&self) -> Option<&str> {
        match self {
            Counterpart::ForeignCustoms(cc) => Some(cc),
            _ => None,
        }
    }
}

/// ISO 3166-1 countries and territories: (alpha-2 code, English short name).
pub fn countries() -> &'static [(&'static str, &'static str)] {
    static LIST: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    LIST.get_or_init(|| include_str!("../data/countries.csv").lines().skip(1).filter_map(|l| l.split_once(',')).collect())
}

/// The English name of a country or territory by its alpha-2 code.
pub fn country_name(code: &str) -> Option<&'static str> {
    countries().iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

coded_enum! {
    /// Where a request stands.
    pub enum RequestStatus {
        /// Being written; not yet sent (outgoing) or registered as received (incoming).
        Draft = "draft" / "Draft",
        /// Sent to the counterpart.
        Sent = "sent" / "Sent",
        /// Received from the counterpart and registered.
        Received = "received" / "Received",
        /// Part of the answer has come (or gone).
        PartiallyAnswered = "partially_answered" / "Partially answered",
        /// The final answer has come (or gone).
        Answered = "answered" / "Answered",
        /// Closed (after the answer, or without one, with a reason).
        Closed = "closed" / "Closed",
        /// Withdrawn by the requesting side.
        Withdrawn = "withdrawn" / "Withdrawn",
    }
}

impl RequestStatus {
    /// Whether the request is waiting for an answer, so that its deadline runs.
    pub fn is_open(self) -> bool {
        matches!(self, RequestStatus::Sent | RequestStatus::Received | RequestStatus::PartiallyAnswered)
    }
}

/// Whether a request going `direction` may be moved by hand from `from` to `to`. Answers move
/// a request to partially answered or answered (see [`status_after_answer`]), not this step.
pub fn transition_allowed(direction: Direction, from: RequestStatus, to: RequestStatus) -> bool {
    use RequestStatus::*;
    match (from, to) {
        (Draft, Sent) => direction == Direction::Outgoing,
        (Draft, Received) => direction == Direction::Incoming,
        (Draft | Sent | Received | PartiallyAnswered, Withdrawn) => true,
        (Sent | Received | PartiallyAnswered | Answered, Closed) => true,
        _ => false,
    }
}

/// The status a request takes when an answer (partial or final) is recorded, or `None` when it
/// cannot take one in its present status (a draft, or one already answered, closed or withdrawn).
pub fn status_after_answer(from: RequestStatus, is_final: bool) -> Option<RequestStatus> {
    if !from.is_open() {
        return None;
    }
    Some(if is_final { RequestStatus::Answered } else { RequestStatus::PartiallyAnswered })
}

/// How long before its deadline an open request is flagged for a reminder.
pub const REMINDER_BEFORE_MS: i64 = 3 * DAY_MS;

coded_enum! {
    /// A request's standing against its deadline.
    pub enum DeadlineFlag {
        /// Nothing to flag (not open, or the deadline is more than three days away).
        None = "none" / "On time",
        /// Open, and the deadline is less than three days away.
        Reminder = "reminder" / "Deadline soon",
        /// Open, and the deadline has passed.
        Overdue = "overdue" / "Overdue",
    }
}

/// Where an open request stands against `deadline` at `now`.
pub fn deadline_flag(status: RequestStatus, deadline: i64, now: i64) -> DeadlineFlag {
    if !status.is_open() {
        DeadlineFlag::None
    } else if now >= deadline {
        DeadlineFlag::Overdue
    } else if now >= deadline - REMINDER_BEFORE_MS {
        DeadlineFlag::Reminder
    } else {
        DeadlineFlag::None
    }
}

/// What statistics need of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    /// Kind.
    pub kind: RequestKind,
    /// Direction.
    pub direction: Direction,
    /// Counterpart.
    pub counterpart: Counterpart,
    /// When it was sent or received, ms; `None` while a draft.
    pub opened_at: Option<i64>,
    /// When the final answer was recorded, ms.
    pub answered_at: Option<i64>,
    /// When it was closed or withdrawn, ms.
    pub closed_at: Option<i64>,
    /// Deadline, ms.
    pub deadline: i64,
}

/// Figures for one direction (or one row of a breakdown).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Requests opened (sent or received) in the period.
    pub requests: i64,
    /// Of those, answered (final answer) by the end of the period.
    pub answered: i64,
    /// Of those, past their deadline unanswered and still open at the end of the period.
    pub overdue: i64,
    /// Median time from opening to the final answer, ms, over those answered.
    pub median_answer_ms: Option<i64>,
}

/// Request statistics for a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestStatistics {
    /// Period start, ms (inclusive).
    pub from: i64,
    /// Period end, ms (exclusive).
    pub to: i64,
    /// The moment answers and deadlines are judged at: the period's end, or now if earlier.
    pub as_of: i64,
    /// Requests received.
    pub received: Tally,
    /// Requests sent.
    pub sent: Tally,
    /// Distinct foreign countries and territories requests were received from.
    pub countries_received_from: i64,
    /// Distinct foreign countries and territories requests were sent to.
    pub countries_sent_to: i64,
    /// By foreign country or territory (alpha-2), then (received, sent).
    pub by_country: BTreeMap<String, (Tally, Tally)>,
    /// By request kind, then (received, sent).
    pub by_kind: BTreeMap<RequestKind, (Tally, Tally)>,
    /// By counterpart (code), then (received, sent).
    pub by_counterpart: BTreeMap<String, (Tally, Tally)>,
}

impl RequestStatistics {
    /// The sentence the reports quote, in English.
    pub fn summary_en(&self) -> String {
        format!(
            "Received {} requests from {} countries and territories, {} answered; sent {}, {} answered.",
            self.received.requests, self.countries_received_from, self.received.answered, self.sent.requests, self.sent.answered
        )
    }
}

fn median(mut xs: Vec<i64>) -> Option<i64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_unstable();
    let n = xs.len();
    Some(if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2 })
}

/// Running figures for one row: [received, sent], with the answer times for the medians.
#[derive(Default)]
struct Acc {
    tally: [Tally; 2],
    answer_ms: [Vec<i64>; 2],
}

impl Acc {
    fn add(&mut self, side: usize, answer_ms: Option<i64>, overdue: bool) {
        let t = &mut self.tally[side];
        t.requests += 1;
        if let Some(d) = answer_ms {
            t.answered += 1;
            self.answer_ms[side].push(d);
        }
        if overdue {
            t.overdue += 1;
        }
    }

    fn finish(self) -> (Tally, Tally) {
        let [mut received, mut sent] = self.tally;
        let [r, s] = self.answer_ms;
        received.median_answer_ms = median(r);
        sent.median_answer_ms = median(s);
        (received, sent)
    }
}

/// Counts the requests opened in `[from, to)`: for each, whether it was answered and whether
/// it was overdue as of the period's end, or now if that is earlier (a report on the current
/// month judges deadlines today, not at the month's end). A request closed or withdrawn
/// unanswered is neither answered nor overdue.
pub fn statistics(facts: &[RequestFacts], from: i64, to: i64, now: i64) -> RequestStatistics {
    let as_of = to.min(now);
    let mut total = Acc::default();
    let mut by_kind: BTreeMap<RequestKind, Acc> = BTreeMap::new();
    let mut by_country: BTreeMap<String, Acc> = BTreeMap::new();
    let mut by_counterpart: BTreeMap<String, Acc> = BTreeMap::new();
    let mut countries: [BTreeSet<String>; 2] = Default::default();
    for f in facts {
        let Some(opened) = f.opened_at.filter(|t| (from..to).contains(t)) else { continue };
        let answered = f.answered_at.filter(|t| *t <= as_of);
        let closed = f.closed_at.is_some_and(|t| t <= as_of);
        let overdue = answered.is_none() && !closed && f.deadline <= as_of;
        let side = usize::from(f.direction == Direction::Outgoing);
        let answer_ms = answered.map(|a| a - opened);
        total.add(side, answer_ms, overdue);
        by_kind.entry(f.kind).or_default().add(side, answer_ms, overdue);
        by_counterpart.entry(f.counterpart.to_code()).or_default().add(side, answer_ms, overdue);
        if let Some(cc) = f.counterpart.country() {
            by_country.entry(cc.to_string()).or_default().add(side, answer_ms, overdue);
            countries[side].insert(cc.to_string());
        }
    }
    let (received, sent) = total.finish();
    RequestStatistics {
        from,
        to,
        as_of,
        received,
        sent,
        countries_received_from: countries[0].len() as i64,
        countries_sent_to: countries[1].len() as i64,
        by_country: by_country.into_iter().map(|(k, a)| (k, a.finish())).collect(),
        by_kind: by_kind.into_iter().map(|(k, a)| (k, a.finish())).collect(),
        by_counterpart: by_counterpart.into_iter().map(|(k, a)| (k, a.finish())).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counterparts_are_checked_against_the_lists() {
        assert_eq!(Counterpart::parse("customs:cn").unwrap(), Counterpart::ForeignCustoms("CN".into()));
        assert_eq!(Counterpart::parse("customs:TW").unwrap().country(), Some("TW"), "territories count");
        assert_eq!(Counterpart::parse("org:interpol").unwrap(), Counterpart::Organisation(Organisation::Interpol));
        assert_eq!(Counterpart::parse("agency:police-vn").unwrap(), Counterpart::Agency("police-vn".into()));
        for bad in ["customs:XX", "customs:", "customs:VN", "org:europol", "agency:", "cn", "country:CN", ""] {
            assert!(Counterpart::parse(bad).is_err(), "{bad}");
        }
        for c in ["agency:bg", "customs:LA", "org:wco_rilo_ap"] {
            assert_eq!(Counterpart::parse(c).unwrap().to_code(), c);
        }
        assert_eq!(countries().len(), 249);
        assert_eq!(country_name("KH"), Some("Cambodia"));
    }

    #[test]
    fn lifecycle() {
        use Direction::*;
        use RequestStatus::*;
        assert!(transition_allowed(Outgoing, Draft, Sent));
        assert!(!transition_allowed(Incoming, Draft, Sent), "we do not send what we received");
        assert!(transition_allowed(Incoming, Draft, Received));
        assert!(!transition_allowed(Outgoing, Draft, Received));
        assert!(!transition_allowed(Outgoing, Sent, Answered), "an answer answers, not a step");
        assert!(!transition_allowed(Outgoing, Draft, Closed), "a draft is withdrawn, not closed");
        assert!(transition_allowed(Outgoing, Answered, Closed));
        assert!(!transition_allowed(Outgoing, Answered, Withdrawn));
        assert!(!transition_allowed(Outgoing, Closed, Sent), "closed is the end");
        assert!(!transition_allowed(Outgoing, Withdrawn, Sent));
        assert_eq!(status_after_answer(Sent, false), Some(PartiallyAnswered));
        assert_eq!(status_after_answer(PartiallyAnswered, true), Some(Answered));
        assert_eq!(status_after_answer(Draft, true), None, "nothing answers a draft");
        assert_eq!(status_after_answer(Answered, false), None);
        assert_eq!(status_after_answer(Withdrawn, true), None);
    }

    #[test]
    fn deadlines_reminders_and_overdue() {
        let t0 = 1_768_438_800_000;
        assert_eq!(default_deadline(RequestKind::VerifyOrigin, t0), t0 + 30 * DAY_MS);
        assert_eq!(default_deadline(RequestKind::InfoShipment, t0), t0 + 30 * DAY_MS);
        assert_eq!(default_deadline(RequestKind::AssistControlledDelivery, t0), t0 + 60 * DAY_MS);
        let deadline = t0 + 10 * DAY_MS;
        let flag = |s, now| deadline_flag(s, deadline, now);
        assert_eq!(flag(RequestStatus::Sent, t0), DeadlineFlag::None);
        assert_eq!(flag(RequestStatus::Sent, deadline - 3 * DAY_MS - 1), DeadlineFlag::None);
        assert_eq!(flag(RequestStatus::Sent, deadline - 3 * DAY_MS), DeadlineFlag::Reminder, "three days before");
        assert_eq!(flag(RequestStatus::PartiallyAnswered, deadline - 1), DeadlineFlag::Reminder);
        assert_eq!(flag(RequestStatus::Received, deadline), DeadlineFlag::Overdue);
        assert_eq!(flag(RequestStatus::Answered, deadline + DAY_MS), DeadlineFlag::None, "answered is never overdue");
        assert_eq!(flag(RequestStatus::Draft, deadline + DAY_MS), DeadlineFlag::None, "a draft's clock has not started");
        assert_eq!(flag(RequestStatus::Withdrawn, deadline + DAY_MS), DeadlineFlag::None);
    }

    /// Eight requests counted by hand: which fall in the period, which were answered by its
    /// end, which were overdue then, and the medians.
    #[test]
    fn statistics_by_hand() {
        let day = |d: i64| 1_767_200_400_000 + d * DAY_MS; // day 0 = 1 January 2026
        let f = |dir, cp: &str, kind, opened: Option<i64>, answered: Option<i64>, closed: Option<i64>, deadline| RequestFacts {
            kind,
            direction: dir,
            counterpart: Counterpart::parse(cp).unwrap(),
            opened_at: opened,
            answered_at: answered,
            closed_at: closed,
            deadline,
        };
        use Direction::*;
        use RequestKind::*;
        let facts = vec![
            // Received in January: CN answered in 10 days, CN overdue, LA answered in 20 days, Interpol open in time.
            f(Incoming, "customs:CN", VerifyOrigin, Some(day(2)), Some(day(12)), None, day(32)),
            f(Incoming, "customs:CN", VerifyInvoice, Some(day(5)), None, None, day(20)),
            f(Incoming, "customs:LA", InfoPerson, Some(day(6)), Some(day(26)), None, day(36)),
            f(Incoming, "org:interpol", InfoPerson, Some(day(20)), None, None, day(50)),
            // Sent in January: KH answered after the period (not answered in it), police withdrawn past deadline (not overdue).
            f(Outgoing, "customs:KH", VerifyOrigin, Some(day(3)), Some(day(40)), None, day(25)),
            f(Outgoing, "agency:police-vn", AssistSurveillance, Some(day(4)), None, Some(day(10)), day(8)),
            // Outside the period: received in December, and a draft never sent.
            f(Incoming, "customs:TH", VerifyOrigin, Some(day(-3)), Some(day(1)), None, day(27)),
            f(Outgoing, "customs:TH", VerifyOrigin, None, None, None, day(20)),
        ];
        let s = statistics(&facts, day(0), day(31), day(100));
        assert_eq!(s.as_of, day(31));
        assert_eq!(s.received, Tally { requests: 4, answered: 2, overdue: 1, median_answer_ms: Some(15 * DAY_MS) });
        assert_eq!(s.sent, Tally { requests: 2, answered: 0, overdue: 1, median_answer_ms: None });
        assert_eq!((s.countries_received_from, s.countries_sent_to), (2, 1));
        assert_eq!(s.by_country["CN"].0, Tally { requests: 2, answered: 1, overdue: 1, median_answer_ms: Some(10 * DAY_MS) });
        assert_eq!(s.by_country["KH"].1.overdue, 1);
        assert!(!s.by_country.contains_key("TH"));
        assert_eq!(s.by_kind[&InfoPerson].0.requests, 2);
        assert_eq!(
            s.by_kind[&VerifyOrigin],
            (
                Tally { requests: 1, answered: 1, overdue: 0, median_answer_ms: Some(10 * DAY_MS) },
                Tally { requests: 1, answered: 0, overdue: 1, median_answer_ms: None }
            )
        );
        assert_eq!(s.by_counterpart["agency:police-vn"].1, Tally { requests: 1, answered: 0, overdue: 0, median_answer_ms: None });
        assert_eq!(s.summary_en(), "Received 4 requests from 2 countries and territories, 2 answered; sent 2, 0 answered.");
        // Judged earlier (now = day 15): only the CN invoice is overdue, one answer is in.
        let early = statistics(&facts, day(0), day(31), day(15));
        assert_eq!((early.received.answered, early.received.overdue, early.sent.overdue), (1, 0, 0));
        let early = statistics(&facts, day(0), day(31), day(21));
        assert_eq!((early.received.overdue, early.sent.overdue), (1, 0));
    }
}
