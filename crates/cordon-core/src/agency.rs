//! Agencies, units and the roles people hold in them.

use crate::coded_enum;

coded_enum! {
    /// The kind of an agency that takes part in the exchange.
    pub enum AgencyKind {
        /// Hải quan.
        Customs = "customs" / "Customs",
        /// Bộ đội Biên phòng.
        BorderGuard = "border_guard" / "Border Guard",
        /// Công an.
        Police = "police" / "Police",
        /// Cảnh sát biển.
        CoastGuard = "coast_guard" / "Coast Guard",
        /// Quản lý thị trường.
        MarketSurveillance = "market_surveillance" / "Market Surveillance",
        /// Thuế.
        Tax = "tax" / "Tax",
        /// Viện kiểm sát.
        Procuracy = "procuracy" / "Procuracy",
        /// Văn phòng Ban Chỉ đạo 389.
        SteeringCommitteeOffice = "steering_committee_office" / "Steering Committee 389 Office",
        /// A foreign customs administration.
        ForeignCustoms = "foreign_customs" / "Foreign customs administration",
        /// WCO RILO A/P, INTERPOL, UNODC and the like.
        InternationalOrganisation = "international_organisation" / "International organisation",
    }
}

impl AgencyKind {
    /// Whether this kind of agency is Vietnamese (domestic) rather than a foreign partner.
    pub fn is_domestic(self) -> bool {
        !matches!(self, AgencyKind::ForeignCustoms | AgencyKind::InternationalOrganisation)
    }
}

coded_enum! {
    /// A role a user holds; a user may hold several.
    pub enum Role {
        /// Records and works cases, receives notices.
        Officer = "officer" / "Officer",
        /// Searches, resolves entities, finds rings and hotspots.
        Analyst = "analyst" / "Analyst",
        /// Decides pursuits and handovers for the unit.
        UnitHead = "unit_head" / "Unit head",
        /// Decides in the head's place under a delegation.
        DeputyHead = "deputy_head" / "Deputy head",
        /// Sends and answers requests with foreign partners.
        LiaisonOfficer = "liaison_officer" / "Liaison officer",
        /// Takes tips from the public.
        HotlineOperator = "hotline_operator" / "Hotline operator",
        /// Reads the audit log.
        Auditor = "auditor" / "Auditor",
        /// Manages agencies, units, users and agreements.
        Administrator = "administrator" / "Administrator",
    }
}

/// What a user may do, derived from the roles they hold; the app layer asks these
/// questions rather than testing roles itself, so that the rule lives in one place.
pub trait RoleSet {
    /// Whether the set holds this role.
    fn holds(&self, role: Role) -> bool;

    /// May manage agencies, units and users.
    fn may_administer(&self) -> bool {
        self.holds(Role::Administrator)
    }

    /// May read the audit log.
    fn may_audit(&self) -> bool {
        self.holds(Role::Auditor) || self.holds(Role::Administrator)
    }
}

impl RoleSet for [Role] {
    fn holds(&self, role: Role) -> bool {
        self.contains(&role)
    }
}

impl RoleSet for Vec<Role> {
    fn holds(&self, role: Role) -> bool {
        self.contains(&role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for k in AgencyKind::ALL {
            assert_eq!(AgencyKind::parse(k.as_str()), Some(*k));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        assert_eq!(AgencyKind::ALL.len(), 10);
        assert_eq!(Role::ALL.len(), 8);
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn permissions_follow_roles() {
        assert!(vec![Role::Administrator].may_administer());
        assert!(!vec![Role::UnitHead, Role::Officer].may_administer());
        assert!(vec![Role::Auditor].may_audit());
        assert!(!vec![Role::Analyst].may_audit());
        assert!(!AgencyKind::ForeignCustoms.is_domestic());
        assert!(AgencyKind::Customs.is_domestic());
    }
}
