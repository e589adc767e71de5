//! Requests for access to what an agreement withholds: "a person, held by agency X" — ask X.

use crate::coded_enum;

coded_enum! {
    /// Where an access request stands.
    pub enum AccessRequestStatus {
        /// Waiting for the holding agency.
        Pending = "pending" / "Pending",
        /// Granted: the case's personal parties are disclosed to the requesting agency.
        Granted = "granted" / "Granted",
        /// Refused.
        Refused = "refused" / "Refused",
    }
}

/// One agency's request to see the personal parties another agency holds on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequest {
    /// Id.
    pub id: String,
    /// The case.
    pub case_id: String,
    /// The agency that holds the parties and decides.
    pub owner_agency_id: String,
    /// Who asked.
    pub requester_user_id: String,
    /// From which unit.
    pub requester_unit_id: String,
    /// From which agency (the grant discloses to this agency).
    pub requester_agency_id: String,
    /// Why, as the requester wrote it (need to know, the operation it serves).
    pub reason: String,
    /// Where it stands.
    pub status: AccessRequestStatus,
    /// When it was asked, ms.
    pub created_at: i64,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When, ms.
    pub decided_at: Option<i64>,
    /// The decision's reason.
    pub decision_reason: Option<String>,
}
