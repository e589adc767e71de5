//! Cases (violation records, after the WCO CEN seizure record), their goods and parties,
//! and the lifecycle with who may move a case along it.

use crate::coded_enum;
use crate::reference::reference;
use crate::{Invalid, Role};

coded_enum! {
    /// What kind of violation a case records.
    pub enum CaseType {
        /// Buôn lậu.
        Smuggling = "smuggling" / "Smuggling",
        /// Vận chuyển trái phép hàng hóa qua biên giới.
        IllegalTransport = "illegal_transport" / "Illegal cross-border transport",
        /// Gian lận thương mại.
        TradeFraud = "trade_fraud" / "Trade fraud",
        /// Hàng giả.
        Counterfeit = "counterfeit" / "Counterfeit goods",
        /// Xâm phạm quyền sở hữu trí tuệ.
        IpInfringement = "ip_infringement" / "IP infringement",
        /// Ma túy và tiền chất.
        DrugsPrecursors = "drugs_precursors" / "Drugs and precursors",
        /// Động vật hoang dã.
        Wildlife = "wildlife" / "Wildlife",
        /// Tiền tệ và vàng.
        CurrencyGold = "currency_gold" / "Currency and gold",
        /// Vi phạm trên thương mại điện tử.
        Ecommerce = "ecommerce" / "E-commerce violation",
        /// Khác.
        Other = "other" / "Other",
    }
}

coded_enum! {
    /// Where a case stands.
    pub enum CaseStatus {
        /// Reported, not yet verified.
        Reported = "reported" / "Reported",
        /// Verified by the lead unit.
        Verified = "verified" / "Verified",
        /// Goods or conveyance seized.
        Seized = "seized" / "Seized",
        /// Handled by administrative sanction.
        AdministrativelyHandled = "administratively_handled" / "Administratively handled",
        /// Transferred for criminal investigation.
        TransferredForInvestigation = "transferred_for_investigation" / "Transferred for criminal investigation",
        /// Prosecuted.
        Prosecuted = "prosecuted" / "Prosecuted",
        /// Closed.
        Closed = "closed" / "Closed",
    }
}

coded_enum! {
    /// How the violation was detected.
    pub enum DetectionMethod {
        /// A risk profile hit.
        RiskProfile = "risk_profile" / "Risk profile",
        /// Intelligence.
        Intelligence = "intelligence" / "Intelligence",
        /// A tip from the public.
        Tip = "tip" / "Tip",
        /// Routine control.
        RoutineControl = "routine_control" / "Routine control",
        /// Scanner.
        Scanner = "scanner" / "Scanner",
        /// Detector dog.
        Dog = "dog" / "Detector dog",
        /// Online monitoring.
        OnlineMonitoring = "online_monitoring" / "Online monitoring",
    }
}

coded_enum! {
    /// How the goods moved.
    pub enum TransportMode {
        /// Road vehicle.
        Road = "road" / "Road",
        /// Railway.
        Rail = "rail" / "Rail",
        /// Sea.
        Sea = "sea" / "Sea",
        /// Inland waterway.
        InlandWaterway = "inland_waterway" / "Inland waterway",
        /// Air.
        Air = "air" / "Air",
        /// Post or express parcel.
        PostExpress = "post_express" / "Post / express",
        /// Carried on foot across the border.
        OnFoot = "on_foot" / "On foot",
        /// Other.
        Other = "other" / "Other",
    }
}

coded_enum! {
    /// What kind of place the detection happened at.
    pub enum PlaceType {
        /// A land border gate.
        BorderGate = "border_gate" / "Border gate",
        /// A trail or opening along the border, away from gates.
        BorderTrail = "border_trail" / "Border trail",
        /// A seaport.
        Seaport = "seaport" / "Seaport",
        /// An airport.
        Airport = "airport" / "Airport",
        /// On a road inland.
        Road = "road" / "Road",
        /// A market, shop or warehouse.
        Market = "market" / "Market / warehouse",
        /// At sea.
        AtSea = "at_sea" / "At sea",
        /// Online.
        Online = "online" / "Online",
        /// Other.
        Other = "other" / "Other",
    }
}

coded_enum! {
    /// A party's role in a case.
    pub enum PartyRole {
        /// Suspect.
        Suspect = "suspect" / "Suspect",
        /// Owner of the goods or conveyance.
        Owner = "owner" / "Owner",
        /// Driver or master.
        Driver = "driver" / "Driver",
        /// Consignee.
        Consignee = "consignee" / "Consignee",
        /// Shipper.
        Shipper = "shipper" / "Shipper",
        /// Seller (online).
        Seller = "seller" / "Seller",
        /// Witness.
        Witness = "witness" / "Witness",
    }
}

coded_enum! {
    /// What a party is.
    pub enum EntityKind {
        /// A natural person.
        Person = "person" / "Person",
        /// A company or household business.
        Company = "company" / "Company",
        /// A road vehicle.
        Vehicle = "vehicle" / "Vehicle",
        /// A vessel.
        Vessel = "vessel" / "Vessel",
        /// A phone number.
        Phone = "phone" / "Phone",
        /// A bank account.
        BankAccount = "bank_account" / "Bank account",
        /// An e-commerce or social-network seller account.
        SellerAccount = "seller_account" / "Seller account",
    }
}

impl EntityKind {
    /// Whether the entity's identity is personal data that agreements may withhold.
    pub fn is_personal(self) -> bool {
        matches!(self, EntityKind::Person | EntityKind::Phone | EntityKind::BankAccount | EntityKind::SellerAccount)
    }
}

/// Whether a member of `(agency, unit)` may decide a case's lifecycle steps (given the roles
/// `transition_roles` asks for): the lead agency always; the recording unit too while no
/// handover has passed the lead on, since a case recorded outside the lead agency (a Customs-led
/// case found by the border guard) must not freeze before anyone hands it over.
pub fn decides_lifecycle(case: &Case, (agency, unit): (&str, &str), handed_over: bool) -> bool {
    agency == case.lead_agency_id || (unit == case.owner_unit_id && !handed_over)
}

/// Which roles may move a case from `from` to `to`, or `None` if the transition does not exist.
pub fn transition_roles(from: CaseStatus, to: CaseStatus) -> Option<&'static [Role]> {
    use CaseStatus::*;
    const OFFICERS: &[Role] = &[Role::Officer, Role::UnitHead, Role::DeputyHead];
    const DECIDERS: &[Role] = &[Role::UnitHead, Role::DeputyHead];
    match (from, to) {
        (Reported, Verified) | (Verified, Seized) => Some(OFFICERS),
        (Reported, Closed)
        | (Verified, AdministrativelyHandled | TransferredForInvestigation | Closed)
        | (Seized, AdministrativelyHandled | TransferredForInvestigation | Closed)
        | (AdministrativelyHandled, Closed)
        | (TransferredForInvestigation, Prosecuted | Closed)
        | (Prosecuted, Closed) => Some(DECIDERS),
        _ => None,
    }
}

/// Checks an HS code: 4 to 10 digits (dots and spaces ignored) in a chapter that exists.
pub fn normalise_hs_code(code: &str) -> Result<String, Invalid> {
    let digits: String = code.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    if !(4..=10).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(Invalid::new("hs_code", "4 to 10 digits, e.g. 2402.20 or 24022090"));
    }
    if reference().hs_chapter(&digits[..2]).is_none() {
        return Err(Invalid::new("hs_code", format!("chapter {} does not exist", &digits[..2])));
    }
    Ok(digits)
}

/// Checks and normalises an identifier of a party by its scheme.
pub fn normalise_identifier(scheme: &str, value: &str) -> Result<String, Invalid> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-')).collect();
    let all_digits = !compact.is_empty() && compact.chars().all(|c| c.is_ascii_digit());
    let ok = match scheme {
        "cccd" => all_digits && compact.len() == 12,
        "cmnd" => all_digits && compact.len() == 9,
        "passport" => (6..=12).contains(&compact.len()) && compact.chars().all(|c| c.is_ascii_alphanumeric()),
        "tax_code" => all_digits && (compact.len() == 10 || compact.len() == 13),
        "plate" => (6..=10).contains(&compact.len()) && compact.chars().all(|c| c.is_ascii_alphanumeric()),
        "imo" => all_digits && compact.len() == 7,
        "mmsi" => all_digits && compact.len() == 9,
        "phone" => {
            let d = compact.trim_start_matches('+');
            d.chars().all(|c| c.is_ascii_digit()) && (9..=15).contains(&d.len())
        }
        "account" => (6..=34).contains(&compact.len()) && compact.chars().all(|c| c.is_ascii_alphanumeric()),
        "seller" => value.contains(':') && value.len() <= 200,
        _ => return Err(Invalid::new("identifiers", format!("unknown identifier scheme {scheme:?}"))),
    };
    if !ok {
        let hint = match scheme {
            "cccd" => "a CCCD has 12 digits",
            "cmnd" => "a CMND has 9 digits",
            "tax_code" => "a tax code has 10 digits, or 13 with a branch suffix",
            "imo" => "an IMO number has 7 digits",
            "mmsi" => "an MMSI has 9 digits",
            "seller" => "a seller id is written platform:id",
            _ => "not a valid value",
        };
        return Err(Invalid::new("identifiers", format!("{scheme}: {hint}")));
    }
    Ok(match scheme {
        "plate" | "passport" | "account" => compact.to_ascii_uppercase(),
        "seller" => value.trim().to_string(),
        _ => compact,
    })
}

/// One line of goods in a case.
#[derive(Debug, Clone, PartialEq)]
pub struct GoodsLine {
    /// What the goods are, as written by the officer.
    pub description: String,
    /// HS code (digits only), if classified.
    pub hs_code: Option<String>,
    /// Reporting category code (`cigarettes`, `sugar`, …).
    pub category: Option<String>,
    /// Brand, for counterfeit and IP cases.
    pub brand: Option<String>,
    /// Quantity.
    pub quantity: Option<f64>,
    /// Unit of quantity (`carton`, `kg`, `piece`…).
    pub unit: Option<String>,
    /// Weight in kilograms.
    pub weight_kg: Option<f64>,
    /// Value in Vietnamese dong.
    pub value_vnd: Option<i64>,
}

/// Where it happened.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Place {
    /// Province code (today's provinces).
    pub province_code: Option<String>,
    /// Border gate, seaport or airport code.
    pub port_code: Option<String>,
    /// Route, as officers name it ("QL1A Lạng Sơn – Hà Nội").
    pub route: Option<String>,
    /// Kind of place.
    pub place_type: Option<PlaceType>,
    /// Inside a customs operation area (Customs Law 2014 art. 88)?
    pub in_customs_area: Option<bool>,
    /// Latitude, WGS 84.
    pub latitude: Option<f64>,
    /// Longitude, WGS 84.
    pub longitude: Option<f64>,
}

/// The conveyance the goods moved in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Conveyance {
    /// Vehicle plate (normalised).
    pub plate: Option<String>,
    /// Vessel IMO or MMSI and name.
    pub vessel: Option<String>,
    /// Flight number.
    pub flight: Option<String>,
    /// Container number.
    pub container: Option<String>,
    /// Air waybill or parcel tracking number.
    pub waybill: Option<String>,
}

/// How the case ended (so far).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Administrative fine, in dong.
    pub fine_vnd: Option<i64>,
    /// Goods confiscated.
    pub goods_confiscated: bool,
    /// Goods destroyed.
    pub goods_destroyed: bool,
}

/// A party as linked to a case: the entity and its role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Entity id.
    pub entity_id: String,
    /// Kind of entity.
    pub kind: EntityKind,
    /// Name as recorded (a person's full name, a company's name, a plate…).
    pub name: String,
    /// Identifiers as `(scheme, normalised value)`.
    pub identifiers: Vec<(String, String)>,
    /// Role in the case.
    pub role: PartyRole,
    /// Agency that recorded the entity.
    pub held_by: String,
    /// The link's own sharing, narrower than the case's; `None` shares it as the case is shared.
    pub sharing: Option<crate::sharing::Sharing>,
}

/// A case (violation record).
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Id.
    pub id: String,
    /// Human reference, e.g. `VV-LANGSON-2026-000012`.
    pub reference: String,
    /// External reference from an importing system (idempotency key).
    pub external_ref: Option<String>,
    /// Version, incremented by every change (the ETag).
    pub version: i64,
    /// Violation type.
    pub case_type: CaseType,
    /// Lifecycle status.
    pub status: CaseStatus,
    /// Short title.
    pub title: String,
    /// Narrative.
    pub summary: String,
    /// Detection time, ms.
    pub detected_at: i64,
    /// Seizure time, ms.
    pub seized_at: Option<i64>,
    /// Time reported in Cordon, ms.
    pub reported_at: i64,
    /// Where.
    pub place: Place,
    /// Detecting (owning) unit.
    pub owner_unit_id: String,
    /// Detecting (owning) agency.
    pub owner_agency_id: String,
    /// Lead agency.
    pub lead_agency_id: String,
    /// Basis for the lead (e.g. "inside the customs operation area of Hữu Nghị").
    pub lead_basis: Option<String>,
    /// Detection method.
    pub detection_method: Option<DetectionMethod>,
    /// Concealment method, as described.
    pub concealment: Option<String>,
    /// Transport mode.
    pub transport_mode: Option<TransportMode>,
    /// Conveyance.
    pub conveyance: Conveyance,
    /// Outcome.
    pub outcome: Outcome,
    /// Goods lines.
    pub goods: Vec<GoodsLine>,
    /// Parties.
    pub parties: Vec<Party>,
    /// Sharing.
    pub sharing: crate::sharing::Sharing,
    /// Creating user.
    pub created_by: String,
    /// Creation time, ms.
    pub created_at: i64,
    /// Last change, ms.
    pub updated_at: i64,
}

impl Case {
    /// Whether a viewer holding `principals` may see it, by the sharing rule.
    pub fn visible_to(&self, principals: &[String]) -> bool {
        crate::sharing::may_see(
            principals,
            &crate::sharing::principals_of_record(&self.owner_unit_id, &self.owner_agency_id, &self.sharing),
        )
    }

    /// Total declared value of the goods, in dong.
    pub fn total_value_vnd(&self) -> i64 {
        self.goods.iter().filter_map(|g| g.value_vnd).sum()
    }

    /// The text search matches, in two parts: what anyone who may see the case may search
    /// (reference, title, summary, goods, brands, route, concealment, plate, non-personal
    /// parties), and the names and identifiers of personal parties, which only the recording
    /// agency may search (so that a search cannot reveal a withheld person).
    pub fn search_text(&self) -> (String, String) {
        let mut shared: Vec<&str> = vec![&self.reference, &self.title, &self.summary];
        for g in &self.goods {
            shared.push(&g.description);
            shared.extend(g.brand.as_deref());
            shared.extend(g.hs_code.as_deref());
        }
        shared.extend(self.place.route.as_deref());
        shared.extend(self.concealment.as_deref());
        shared.extend(self.conveyance.plate.as_deref());
        shared.extend(self.conveyance.vessel.as_deref());
        shared.extend(self.conveyance.container.as_deref());
        let mut personal: Vec<&str> = Vec::new();
        // A party with its own, narrower sharing is left out: a hit on its name would tell
        // everyone who sees the case that it is there.
        for p in self.parties.iter().filter(|p| p.sharing.is_none()) {
            let bucket = if p.kind.is_personal() { &mut personal } else { &mut shared };
            bucket.push(&p.name);
            bucket.extend(p.identifiers.iter().map(|(_, v)| v.as_str()));
        }
        (shared.join(" "), personal.join(" "))
    }
}

/// Filters over cases (lists, counts, search, export); every given one must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Violation type code.
    pub case_type: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Province code (today's provinces).
    pub province: Option<String>,
    /// Recording agency.
    pub agency: Option<String>,
    /// Commodity category of any goods line.
    pub commodity: Option<String>,
    /// Detected at or after, ms.
    pub since: Option<i64>,
    /// Detected before, ms.
    pub until: Option<i64>,
}

/// An event in a case's history: nothing is deleted, changes are recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    /// Position in the case's history, from 1.
    pub seq: i64,
    /// When, ms.
    pub at: i64,
    /// Who.
    pub actor_user_id: String,
    /// From which unit.
    pub actor_unit_id: String,
    /// `created`, `updated`, `status_changed`, `party_added`, `sharing_changed`.
    pub kind: String,
    /// Status before, for status changes.
    pub from_status: Option<CaseStatus>,
    /// Status after.
    pub to_status: Option<CaseStatus>,
    /// Why, as the actor wrote it.
    pub reason: String,
    /// JSON detail (for updates: the previous values of what changed).
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_transitions_and_who_may() {
        use CaseStatus::*;
        assert_eq!(transition_roles(Reported, Verified).map(|r| r.contains(&Role::Officer)), Some(true));
        assert_eq!(transition_roles(Seized, TransferredForInvestigation).map(|r| r.contains(&Role::Officer)), Some(false));
        assert!(transition_roles(Seized, TransferredForInvestigation).is_some_and(|r| r.contains(&Role::DeputyHead)));
        assert!(transition_roles(Closed, Reported).is_none(), "a closed case is never reopened by a transition");
        assert!(transition_roles(Reported, Prosecuted).is_none());
        assert!(transition_roles(AdministrativelyHandled, Prosecuted).is_none());
        let reachable: Vec<_> =
            CaseStatus::ALL.iter().filter(|s| CaseStatus::ALL.iter().any(|f| transition_roles(*f, **s).is_some())).collect();
        assert_eq!(reachable.len(), CaseStatus::ALL.len() - 1, "every status but reported is reachable");
    }

    #[test]
    fn hs_codes() {
        assert_eq!(normalise_hs_code("2402.20").unwrap(), "240220");
        assert_eq!(normalise_hs_code("8517 13 00").unwrap(), "85171300");
        for bad in ["24", "abcd", "7700", "99999999999"] {
            assert!(normalise_hs_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn identifiers() {
        let ok = [
            ("cccd", "001 085 012 345", "001085012345"),
            ("cmnd", "012345678", "012345678"),
            ("tax_code", "0101234567-001", "0101234567001"),
            ("tax_code", "0101234567", "0101234567"),
            ("plate", "29A-123.45", "29A12345"),
            ("plate", "12c 00123", "12C00123"),
            ("imo", "9074729", "9074729"),
            ("phone", "+84 912 345 678", "+84912345678"),
            ("passport", "c1234567", "C1234567"),
            ("seller", "shopee:12345", "shopee:12345"),
        ];
        for (scheme, input, want) in ok {
            assert_eq!(normalise_identifier(scheme, input).as_deref(), Ok(want), "{scheme} {input}");
        }
        for (scheme, input) in
            [("cccd", "12345"), ("cmnd", "0123456789"), ("tax_code", "01012345"), ("imo", "12"), ("seller", "12345"), ("dna", "x")]
        {
            assert!(normalise_identifier(scheme, input).is_err(), "{scheme} {input}");
        }
    }
}
