//! Cases: record, read, list, edit, move through the lifecycle, add parties — each
//! authorised by the sharing rule and audited, reads included.

use std::collections::{BTreeMap, HashMap};

use cordon_core::case::{
    normalise_hs_code, normalise_identifier, transition_roles, Case, CaseEvent, CaseFilter, CaseStatus, CaseType, Conveyance,
    DetectionMethod, EntityKind, GoodsLine, Outcome, Party, PartyRole, Place, PlaceType, TransportMode,
};
use cordon_core::coordination::HandoverStatus;
use cordon_core::reference::reference;
use cordon_core::sharing::{may_see, principals_of_record, principals_of_viewer, Audience, Handling, Sharing, Tlp};
use cordon_core::text::fold_words;
use cordon_core::{Invalid, Role, RoleSet};
use cordon_search::Searcher;
use cordon_store::{CaseCursor, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::ids::new_id;
use crate::{Actor, App, AppError};

/// Who may record and work cases.
const CASE_WORKERS: &[Role] = &[Role::Officer, Role::UnitHead, Role::DeputyHead];

/// A goods line as entered.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GoodsInput {
    /// What the goods are.
    pub description: String,
    /// HS code, 4–10 digits.
    #[serde(default)]
    pub hs_code: Option<String>,
    /// Commodity category code.
    #[serde(default)]
    pub category: Option<String>,
    /// Brand.
    #[serde(default)]
    pub brand: Option<String>,
    /// Quantity.
    #[serde(default)]
    pub quantity: Option<f64>,
    /// Unit of quantity.
    #[serde(default)]
    pub unit: Option<String>,
    /// Weight, kg.
    #[serde(default)]
    pub weight_kg: Option<f64>,
    /// Value, VND.
    #[serde(default)]
    pub value_vnd: Option<i64>,
}

/// A party as entered.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    /// `person`, `company`, `vehicle`, `vessel`, `phone`, `bank_account`, `seller_account`.
    pub kind: String,
    /// Name (or plate, number…); may be left out when `entity_id` names a known entity.
    #[serde(default)]
    pub name: String,
    /// Identifiers by scheme: `cccd`, `cmnd`, `passport`, `tax_code`, `plate`, `imo`, `mmsi`, `phone`, `account`, `seller`.
    #[serde(default)]
    pub identifiers: BTreeMap<String, String>,
    /// `suspect`, `owner`, `driver`, `consignee`, `shipper`, `seller`, `witness`.
    pub role: String,
    /// The link's own sharing, no wider than the case's (e.g. an informant kept RED); absent: as the case.
    #[serde(default)]
    pub sharing: Option<SharingInput>,
    /// An entity already known (one the caller is shown in full on some case): this case is
    /// linked to it instead of recording a new one, and its name and identifiers are its own.
    #[serde(default)]
    pub entity_id: Option<String>,
}

/// Sharing as entered.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SharingInput {
    /// `red`, `amber_strict`, `amber`, `green`, `clear`.
    pub tlp: String,
    /// `own_unit`, `own_agency`, `agency:ID`, `group:ID`, `all_domestic`, `international`.
    #[serde(default)]
    pub distribution: Vec<String>,
    /// `H1`, `H2`, `H3:text`.
    #[serde(default)]
    pub handling: Vec<String>,
}

/// Conveyance as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConveyanceInput {
    /// Vehicle plate.
    #[serde(default)]
    pub plate: Option<String>,
    /// Vessel (IMO/MMSI and name).
    #[serde(default)]
    pub vessel: Option<String>,
    /// Flight number.
    #[serde(default)]
    pub flight: Option<String>,
    /// Container number.
    #[serde(default)]
    pub container: Option<String>,
    /// Air waybill or parcel tracking number.
    #[serde(default)]
    pub waybill: Option<String>,
}

/// Outcome as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    /// Fine, VND.
    #[serde(default)]
    pub fine_vnd: Option<i64>,
    /// Goods confiscated.
    #[serde(default)]
    pub goods_confiscated: bool,
    /// Goods destroyed.
    #[serde(default)]
    pub goods_destroyed: bool,
}

/// A case as entered (create, or replace with `If-Match`).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    /// Violation type code.
    pub case_type: String,
    /// Short title.
    pub title: String,
    /// Narrative.
    #[serde(default)]
    pub summary: String,
    /// Detection time, ms since epoch.
    pub detected_at: i64,
    /// Seizure time, ms since epoch.
    #[serde(default)]
    pub seized_at: Option<i64>,
    /// Province by code or any current or pre-2025 name.
    #[serde(default)]
    pub province: Option<String>,
    /// Border gate, seaport or airport code.
    #[serde(default)]
    pub port: Option<String>,
    /// Route.
    #[serde(default)]
    pub route: Option<String>,
    /// Place type code.
    #[serde(default)]
    pub place_type: Option<String>,
    /// Inside a customs operation area?
    #[serde(default)]
    pub in_customs_area: Option<bool>,
    /// Latitude.
    #[serde(default)]
    pub latitude: Option<f64>,
    /// Longitude.
    #[serde(default)]
    pub longitude: Option<f64>,
    /// Lead agency; default the recording agency.
    #[serde(default)]
    pub lead_agency_id: Option<String>,
    /// Basis for the lead.
    #[serde(default)]
    pub lead_basis: Option<String>,
    /// Detection method code.
    #[serde(default)]
    pub detection_method: Option<String>,
    /// Concealment method.
    #[serde(default)]
    pub concealment: Option<String>,
    /// Transport mode code.
    #[serde(default)]
    pub transport_mode: Option<String>,
    /// Conveyance.
    #[serde(default)]
    pub conveyance: ConveyanceInput,
    /// Outcome.
    #[serde(default)]
    pub outcome: OutcomeInput,
    /// Goods lines.
    #[serde(default)]
    pub goods: Vec<GoodsInput>,
    /// Parties (on create; later ones are added one by one).
    #[serde(default)]
    pub parties: Vec<PartyInput>,
    /// Sharing.
    pub sharing: SharingInput,
    /// External reference (idempotency key for imports).
    #[serde(default)]
    pub external_ref: Option<String>,
}

/// A party as a viewer sees it: in full, or withheld under the agreement in force.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartyView {
    /// Entity id (absent when withheld).
    pub entity_id: Option<String>,
    /// Kind.
    pub kind: String,
    /// Name (absent when withheld).
    pub name: Option<String>,
    /// Identifiers (empty when withheld).
    pub identifiers: BTreeMap<String, String>,
    /// Role.
    pub role: String,
    /// The agency that holds the entity.
    pub held_by: String,
    /// True when personal identifiers are withheld: "a person, held by agency X" — ask that agency for access.
    pub withheld: bool,
    /// The link's own sharing, when narrower than the case's.
    pub sharing: Option<SharingInput>,
}

/// A goods line as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoodsView {
    /// Description.
    pub description: String,
    /// HS code.
    pub hs_code: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Brand.
    pub brand: Option<String>,
    /// Quantity.
    pub quantity: Option<f64>,
    /// Unit.
    pub unit: Option<String>,
    /// Weight, kg.
    pub weight_kg: Option<f64>,
    /// Value, VND.
    pub value_vnd: Option<i64>,
}

/// A case as a viewer may see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseView {
    /// Id.
    pub id: String,
    /// Human reference.
    pub reference: String,
    /// External reference.
    pub external_ref: Option<String>,
    /// Version (the ETag).
    pub version: i64,
    /// Violation type.
    pub case_type: String,
    /// Status.
    pub status: String,
    /// Title.
    pub title: String,
    /// Narrative.
    pub summary: String,
    /// Detected, ms.
    pub detected_at: i64,
    /// Seized, ms.
    pub seized_at: Option<i64>,
    /// Reported, ms.
    pub reported_at: i64,
    /// Province code.
    pub province_code: Option<String>,
    /// Port code.
    pub port_code: Option<String>,
    /// Route.
    pub route: Option<String>,
    /// Place type.
    pub place_type: Option<String>,
    /// Inside a customs operation area.
    pub in_customs_area: Option<bool>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Recording unit.
    pub owner_unit_id: String,
    /// Recording agency.
    pub owner_agency_id: String,
    /// Lead agency.
    pub lead_agency_id: String,
    /// Basis for the lead.
    pub lead_basis: Option<String>,
    /// Detection method.
    pub detection_method: Option<String>,
    /// Concealment.
    pub concealment: Option<String>,
    /// Transport mode.
    pub transport_mode: Option<String>,
    /// Conveyance.
    pub conveyance: ConveyanceInput,
    /// Outcome.
    pub outcome: OutcomeInput,
    /// Goods.
    pub goods: Vec<GoodsView>,
    /// Total value, VND.
    pub total_value_vnd: i64,
    /// Parties.
    pub parties: Vec<PartyView>,
    /// Sharing: label, distribution, handling.
    pub sharing: SharingInput,
    /// The agreement under which personal identifiers were disclosed to the viewer, if any.
    pub disclosed_under: Option<String>,
    /// Evidence files.
    pub evidence: Vec<crate::EvidenceView>,
    /// Created, ms.
    pub created_at: i64,
    /// Updated, ms.
    pub updated_at: i64,
}

/// A page of cases.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CasePage {
    /// The cases.
    pub items: Vec<CaseView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// List filters as given.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    /// Type code.
    pub case_type: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Province (any name).
    pub province: Option<String>,
    /// Recording agency.
    pub agency: Option<String>,
    /// Commodity category.
    pub commodity: Option<String>,
    /// From, ms.
    pub since: Option<i64>,
    /// Until, ms.
    pub until: Option<i64>,
    /// Free text (with or without diacritics).
    pub q: Option<String>,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
    /// Page size, 1–100.
    pub limit: Option<i64>,
}

/// A case's history entry as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEventView {
    /// Order.
    pub seq: i64,
    /// When, ms.
    pub at: i64,
    /// Who.
    pub actor_user_id: String,
    /// From which unit.
    pub actor_unit_id: String,
    /// What happened.
    pub kind: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: Option<String>,
    /// Why.
    pub reason: String,
}

fn text(field: &'static str, v: &str, max: usize, required: bool) -> Result<Option<String>, Invalid> {
    let t = v.trim();
    if t.is_empty() {
        return if required { Err(Invalid::new(field, "required")) } else { Ok(None) };
    }
    if t.chars().count() > max {
        return Err(Invalid::new(field, format!("at most {max} characters")));
    }
    Ok(Some(t.to_string()))
}

fn opt_text(field: &'static str, v: &Option<String>, max: usize) -> Result<Option<String>, Invalid> {
    match v {
        Some(s) => text(field, s, max, false),
        None => Ok(None),
    }
}

fn opt_code<T>(field: &'static str, v: &Option<String>, parse: fn(&str) -> Option<T>) -> Result<Option<T>, Invalid> {
    v.as_deref().map(|s| parse(s).ok_or_else(|| Invalid::new(field, format!("unknown value {s:?}")))).transpose()
}

pub(crate) fn parse_sharing(s: &SharingInput) -> Result<Sharing, Invalid> {
    let tlp = Tlp::parse(&s.tlp).ok_or_else(|| Invalid::new("sharing.tlp", "red, amber_strict, amber, green or clear"))?;
    let distribution = s
        .distribution
        .iter()
        .map(|d| Audience::parse(d).ok_or_else(|| Invalid::new("sharing.distribution", format!("unknown audience {d:?}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let mut handling = Handling::default();
    for h in &s.handling {
        match h.as_str() {
            "H1" => handling.not_for_court = true,
            "H2" => handling.no_onward_sharing = true,
            other => match other.strip_prefix("H3:") {
                Some(r) => handling.restriction = Some(r.trim().to_string()),
                None => return Err(Invalid::new("sharing.handling", format!("{other:?}: use H1, H2 or H3:text"))),
            },
        }
    }
    Sharing { tlp, distribution, handling }.validated()
}

pub(crate) fn sharing_view(s: &Sharing) -> SharingInput {
    let mut handling = Vec::new();
    if s.handling.not_for_court {
        handling.push("H1".into());
    }
    if s.handling.no_onward_sharing {
        handling.push("H2".into());
    }
    if let Some(r) = &s.handling.restriction {
        handling.push(format!("H3:{r}"));
    }
    SharingInput { tlp: s.tlp.as_str().into(), distribution: s.distribution.iter().map(Audience::to_code).collect(), handling }
}

/// A record's own sharing (a party link, an evidence file), checked to be no wider than its case's.
pub(crate) fn parse_item_sharing(field: &'static str, input: Option<&SharingInput>, case: &Sharing) -> Result<Option<Sharing>, Invalid> {
    let Some(input) = input else { return Ok(None) };
    let mut own = parse_sharing(input).map_err(|e| Invalid::new(field, e.reason))?;
    // The case's handling conditions travel with everything on it.
    own.handling.not_for_court |= case.handling.not_for_court;
    own.handling.no_onward_sharing |= case.handling.no_onward_sharing;
    if own.handling.restriction.is_none() {
        own.handling.restriction.clone_from(&case.handling.restriction);
    }
    if !case.allows_narrowing_to(&own) {
        return Err(Invalid::new(field, "may only narrow the case's sharing (label, audiences and handling conditions)"));
    }
    Ok(Some(own))
}

fn parse_party(p: &PartyInput, held_by: &str, case_sharing: &Sharing, now: i64) -> Result<Party, Invalid> {
    let kind = EntityKind::parse(&p.kind).ok_or_else(|| Invalid::new("parties.kind", format!("unknown kind {:?}", p.kind)))?;
    let role = PartyRole::parse(&p.role).ok_or_else(|| Invalid::new("parties.role", format!("unknown role {:?}", p.role)))?;
    let name = text("parties.name", &p.name, 300, p.entity_id.is_none())?.unwrap_or_default();
    let identifiers =
        p.identifiers.iter().map(|(k, v)| normalise_identifier(k, v).map(|n| (k.clone(), n))).collect::<Result<Vec<_>, _>>()?;
    let sharing = parse_item_sharing("parties.sharing", p.sharing.as_ref(), case_sharing)?;
    Ok(Party { entity_id: new_id(now), kind, name, identifiers, role, held_by: held_by.to_string(), sharing })
}

/// Parses each case's cursor: `detected_at.id`.
fn parse_cursor(c: &str) -> Result<CaseCursor, Invalid> {
    let (t, id) = c.split_once('.').ok_or_else(|| Invalid::new("cursor", "not a cursor from this API"))?;
    Ok(CaseCursor { detected_at: t.parse().map_err(|_| Invalid::new("cursor", "not a cursor from this API"))?, id: id.to_string() })
}

impl App {
    /// The principals the actor holds (unit, agency, community, groups).
    pub(crate) async fn principals(&self, actor: &Actor) -> Result<Vec<String>, AppError> {
        let now = self.now_ms();
        let held = match self.cache.agency(&actor.agency_id, now) {
            Some(held) => held,
            None => {
                let generation = self.cache.generation();
                let held = match self.store.agency(&actor.agency_id).await? {
                    Some(a) => Some((a.kind.is_domestic(), self.store.groups_of_agency(&actor.agency_id).await?)),
                    None => None,
                };
                self.cache.put_agency(generation, &actor.agency_id, held.clone(), now);
                held
            }
        };
        Ok(match held {
            Some((domestic, groups)) => principals_of_viewer(&actor.user.unit_id, &actor.agency_id, domestic, &groups),
            None => Vec::new(),
        })
    }

    pub(crate) async fn validate_case(&self, actor: &Actor, input: &CaseInput, now: i64) -> Result<(Case, Vec<String>), AppError> {
        self.validate_case_with(actor, input, now, &mut Lookups::default()).await
    }

    /// Whether agency `id` exists, asking the store once per `memo`.
    async fn agency_exists(&self, id: &str, memo: &mut Lookups) -> Result<bool, AppError> {
        if let Some(known) = memo.agencies.get(id) {
            return Ok(*known);
        }
        let exists = self.store.agency(id).await?.is_some();
        memo.agencies.insert(id.to_string(), exists);
        Ok(exists)
    }

    /// Whether the actor's agency may share with group `id` (a member or its owner), asking the store once per `memo`.
    async fn may_share_with_group(&self, actor: &Actor, id: &str, memo: &mut Lookups) -> Result<bool, AppError> {
        if let Some(known) = memo.groups.get(id) {
            return Ok(*known);
        }
        let mine = self.store.groups_of_agency(&actor.agency_id).await?;
        let owned = self.store.group(id).await?.is_some_and(|g| g.owner_agency_id == actor.agency_id);
        let may = mine.iter().any(|g| g == id) || owned;
        memo.groups.insert(id.to_string(), may);
        Ok(may)
    }

    /// [`App::validate_case`], remembering store look-ups in `memo` across the rows of one import call.
    pub(crate) async fn validate_case_with(
        &self,
        actor: &Actor,
        input: &CaseInput,
        now: i64,
        memo: &mut Lookups,
    ) -> Result<(Case, Vec<String>), AppError> {
        let case_type = CaseType::parse(&input.case_type).ok_or_else(|| Invalid::new("case_type", "unknown case type"))?;
        let title = text("title", &input.title, 300, true)?.unwrap_or_default();
        let summary = text("summary", &input.summary, 20_000, false)?.unwrap_or_default();
        // A clock a few minutes fast at a border post must not block an honest record.
        if input.detected_at > now + 3_600_000 {
            return Err(Invalid::new("detected_at", "is in the future").into());
        }
        if input.detected_at < 946_684_800_000 {
            return Err(Invalid::new("detected_at", "is before 2000").into());
        }
        if let Some(s) = input.seized_at {
            if s < input.detected_at || s > now + 3_600_000 {
                return Err(Invalid::new("seized_at", "must be between detection and now").into());
            }
        }
        let r = reference();
        let port = match input.port.as_deref() {
            Some(code) => Some(r.port(code).ok_or_else(|| Invalid::new("port", "unknown border gate, seaport or airport"))?),
            None => None,
        };
        let province_code = match input.province.as_deref().filter(|p| !p.trim().is_empty()) {
            Some(p) => Some(
                r.resolve_province(p).ok_or_else(|| Invalid::new("province", "not a province of Vietnam (current or pre-2025 name)"))?.code,
            ),
            None => port.map(|p| p.province),
        };
        if let (Some(p), Some(port)) = (province_code, port) {
            if p != port.province {
                return Err(Invalid::new("port", format!("{} is in {}, not {p}", port.code, port.province)).into());
            }
        }
        for (field, v, lo, hi) in [("latitude", input.latitude, 0.0, 30.0), ("longitude", input.longitude, 95.0, 125.0)] {
            if v.is_some_and(|x| !(lo..=hi).contains(&x)) {
                return Err(Invalid::new(field, format!("outside Vietnam and its seas ({lo} to {hi})")).into());
            }
        }
        let area = cordon_core::jurisdiction::area_of(cordon_core::jurisdiction::PlaceFacts {
            port: port.map(|p| p.code),
            in_customs_area: input.in_customs_area,
            latitude: input.latitude,
            longitude: input.longitude,
        });
        let (lead_agency_id, area_basis) = self.lead_for(actor, input.lead_agency_id.as_deref(), area, &mut memo.customs).await?;
        if !self.agency_exists(&lead_agency_id, memo).await? {
            return Err(Invalid::new("lead_agency_id", "no such agency").into());
        }
        let mut goods = Vec::with_capacity(input.goods.len());
        for g in &input.goods {
            if g.quantity.is_some_and(|q| !q.is_finite() || q < 0.0) || g.weight_kg.is_some_and(|w| !w.is_finite() || w < 0.0) {
                return Err(Invalid::new("goods", "quantities and weights are positive numbers").into());
            }
            if g.value_vnd.is_some_and(|v| v < 0) {
                return Err(Invalid::new("goods.value_vnd", "is not negative").into());
            }
            if let Some(c) = &g.category {
                if r.commodity(c).is_none() {
                    return Err(Invalid::new("goods.category", format!("unknown category {c:?}")).into());
                }
            }
            goods.push(GoodsLine {
                description: text("goods.description", &g.description, 1000, true)?.unwrap_or_default(),
                hs_code: g.hs_code.as_deref().map(normalise_hs_code).transpose()?,
                category: g.category.clone(),
                brand: opt_text("goods.brand", &g.brand, 200)?,
                quantity: g.quantity,
                unit: opt_text("goods.unit", &g.unit, 50)?,
                weight_kg: g.weight_kg,
                value_vnd: g.value_vnd,
            });
        }
        if goods.len() > 500 {
            return Err(Invalid::new("goods", "at most 500 lines").into());
        }
        let sharing = parse_sharing(&input.sharing)?;
        self.check_audiences(actor, &sharing, memo).await?;
        let mut parties = Vec::with_capacity(input.parties.len());
        for p in &input.parties {
            let party = self.known_entity(actor, p, parse_party(p, &actor.agency_id, &sharing, now)?).await?;
            if let Some(s) = &party.sharing {
                self.check_audiences(actor, s, memo).await?;
            }
            parties.push(party);
        }
        let plate = input.conveyance.plate.as_deref().map(|p| normalise_identifier("plate", p)).transpose()?;
        let case = Case {
            id: new_id(now),
            reference: String::new(),
            external_ref: opt_text("external_ref", &input.external_ref, 200)?,
            version: 1,
            case_type,
            status: CaseStatus::Reported,
            title,
            summary,
            detected_at: input.detected_at,
            seized_at: input.seized_at,
            reported_at: now,
            place: Place {
                province_code: province_code.map(str::to_string),
                port_code: port.map(|p| p.code.to_string()),
                route: opt_text("route", &input.route, 300)?,
                place_type: opt_code("place_type", &input.place_type, PlaceType::parse)?,
                in_customs_area: input.in_customs_area.or(area.map(|_| true)),
                latitude: input.latitude,
                longitude: input.longitude,
            },
            owner_unit_id: actor.user.unit_id.clone(),
            owner_agency_id: actor.agency_id.clone(),
            lead_agency_id,
            lead_basis: opt_text("lead_basis", &input.lead_basis, 500)?.or(area_basis),
            detection_method: opt_code("detection_method", &input.detection_method, DetectionMethod::parse)?,
            concealment: opt_text("concealment", &input.concealment, 1000)?,
            transport_mode: opt_code("transport_mode", &input.transport_mode, TransportMode::parse)?,
            conveyance: Conveyance {
                plate,
                vessel: opt_text("conveyance.vessel", &input.conveyance.vessel, 200)?,
                flight: opt_text("conveyance.flight", &input.conveyance.flight, 20)?,
                container: opt_text("conveyance.container", &input.conveyance.container, 20)?,
                waybill: opt_text("conveyance.waybill", &input.conveyance.waybill, 50)?,
            },
            outcome: Outcome {
                fine_vnd: match input.outcome.fine_vnd {
                    Some(f) if f < 0 => return Err(Invalid::new("outcome.fine_vnd", "is not negative").into()),
                    f => f,
                },
                goods_confiscated: input.outcome.goods_confiscated,
                goods_destroyed: input.outcome.goods_destroyed,
            },
            goods,
            parties,
            sharing,
            created_by: actor.user.id.clone(),
            created_at: now,
            updated_at: now,
        };
        let principals = principals_of_record(&case.owner_unit_id, &case.owner_agency_id, &case.sharing);
        Ok((case, principals))
    }

    /// A party that names a known entity takes that entity's id, kind, name and identifiers,
    /// if the actor is shown it in full somewhere (otherwise: no such entity, as for a case).
    async fn known_entity(&self, actor: &Actor, input: &PartyInput, mut party: Party) -> Result<Party, AppError> {
        let Some(id) = input.entity_id.as_deref() else { return Ok(party) };
        let known = match self.entity(actor, id).await {
            Ok(e) => e,
            Err(AppError::NotFound(_)) => return Err(Invalid::new("parties.entity_id", "no such entity among those you may see").into()),
            Err(other) => return Err(other),
        };
        if known.kind != party.kind.as_str() {
            return Err(Invalid::new("parties.kind", format!("the entity is a {}", known.kind)).into());
        }
        party.entity_id = known.id;
        party.name = known.name;
        party.identifiers = known.identifiers.into_iter().collect();
        party.held_by = known.held_by;
        Ok(party)
    }

    /// Checks that the named agencies exist and that the actor's agency may use the named groups.
    pub(crate) async fn check_audiences(&self, actor: &Actor, sharing: &Sharing, memo: &mut Lookups) -> Result<(), AppError> {
        for a in &sharing.distribution {
            match a {
                Audience::Agency(id) if !self.agency_exists(id, memo).await? => {
                    return Err(Invalid::new("sharing.distribution", format!("no agency {id:?}")).into());
                }
                // Same answer whether the group exists or not: group names do not leak.
                Audience::Group(id) if !self.may_share_with_group(actor, id, memo).await? => {
                    return Err(Invalid::new("sharing.distribution", format!("your agency cannot share with group {id:?}")).into());
                }
                _ => {}
            }
        }
        Ok(())
    }

    pub(crate) fn require_case_worker(actor: &Actor) -> Result<(), AppError> {
        actor.require_active()?;
        if !CASE_WORKERS.iter().any(|r| actor.user.roles.holds(*r)) {
            return Err(AppError::Forbidden("only officers and unit heads record cases"));
        }
        Ok(())
    }

    /// Records a new case. With an external reference already recorded, answers that case instead (idempotent import).
    pub async fn create_case(&self, actor: &Actor, input: CaseInput) -> Result<CaseView, AppError> {
        Self::require_case_worker(actor)?;
        if let Some(ext) = input.external_ref.as_deref() {
            if let Some(id) = self.store.case_id_by_external_ref(ext.trim()).await? {
                return self.case(actor, &id).await;
            }
        }
        let now = self.now_ms();
        let (case, principals) = self.validate_case(actor, &input, now).await?;
        let prefix = reference_prefix(&case);
        let event = created_event(actor, now);
        let audit = actor.audit(now, "case.create", "case", &case.id, "ok", json!({ "tlp": case.sharing.tlp.as_str() }));
        let reference = self.store.insert_case(&case, &prefix, &principals, &event, &[audit]).await?;
        let case = Case { reference, ..case };
        self.index_case(&case);
        // Parties naming a known entity were resolved when that entity was recorded.
        let recorded: Vec<String> =
            case.parties.iter().zip(&input.parties).filter(|(_, i)| i.entity_id.is_none()).map(|(p, _)| p.entity_id.clone()).collect();
        self.resolve_after_write(actor, &recorded).await;
        self.view(actor, &case).await
    }

    /// Reads a case the actor may see; the read is audited before the answer leaves. A
    /// case the actor may not see is "not found", exactly as one that does not exist.
    pub async fn case(&self, actor: &Actor, id: &str) -> Result<CaseView, AppError> {
        actor.require_active()?;
        let now = self.now_ms();
        let case = self.store.case_with_evidence(id).await?;
        let principals = self.principals(actor).await?;
        match case {
            Some((c, evidence)) if c.visible_to(&principals) => {
                self.store.audit(&[actor.audit(now, "case.read", "case", id, "ok", json!({}))]).await?;
                self.view_with(actor, &c, evidence).await
            }
            _ => {
                self.store.audit(&[actor.audit(now, "case.read", "case", id, "denied", json!({}))]).await?;
                Err(AppError::NotFound("case"))
            }
        }
    }

    /// The cases the actor may see, filtered, newest first; the list read is audited with the ids returned.
    pub async fn cases(&self, actor: &Actor, q: CaseQuery) -> Result<CasePage, AppError> {
        let text = q.q.clone();
        let page = self.cases_unaudited(actor, q).await?;
        let ids: Vec<&str> = page.items.iter().map(|c| c.id.as_str()).collect();
        self.store.audit(&[actor.audit(self.now_ms(), "case.list", "case", "*", "ok", json!({ "ids": ids, "q": text }))]).await?;
        Ok(page)
    }

    /// A page of cases for callers that audit the read themselves (export).
    pub(crate) async fn cases_unaudited(&self, actor: &Actor, q: CaseQuery) -> Result<CasePage, AppError> {
        actor.require_active()?;
        let limit = q.limit.unwrap_or(50);
        if !(1..=100).contains(&limit) {
            return Err(Invalid::new("limit", "1 to 100").into());
        }
        let filter = self.case_filter(&q)?;
        let principals = self.principals(actor).await?;
        let words = q.q.as_deref().map(fold_words).unwrap_or_default();
        let (cases, next_cursor) = if words.is_empty() {
            let cursor = q.cursor.as_deref().map(parse_cursor).transpose()?;
            let cases = self.store.cases_visible(&principals, &filter, cursor.as_ref(), limit + 1).await?;
            let more = cases.len() as i64 > limit;
            let cases: Vec<Case> = cases.into_iter().take(limit as usize).collect();
            let next = if more { cases.last().map(|c| format!("{}.{}", c.detected_at, c.id)) } else { None };
            (cases, next)
        } else {
            // Search results come by relevance; their cursor is an offset into the ranking.
            let offset = match q.cursor.as_deref() {
                Some(c) => c
                    .strip_prefix('s')
                    .and_then(|n| n.parse::<usize>().ok())
                    .ok_or_else(|| Invalid::new("cursor", "not a cursor from this API"))?,
                None => 0,
            };
            let who = Searcher { principals: &principals, agency: &actor.agency_id };
            let ids = self.search.search(&words, &who, &filter, offset, limit as usize + 1).map_err(crate::search::search_failed)?;
            let more = ids.len() as i64 > limit;
            let mut cases = Vec::with_capacity(ids.len());
            for id in ids.iter().take(limit as usize) {
                // The index is derived; the store's record and the sharing rule have the last word.
                if let Some(c) = self.store.case(id).await? {
                    if c.visible_to(&principals) {
                        cases.push(c);
                    }
                }
            }
            (cases, more.then(|| format!("s{}", offset + limit as usize)))
        };
        let mut items = Vec::with_capacity(cases.len());
        for c in &cases {
            items.push(self.view(actor, c).await?);
        }
        Ok(CasePage { items, next_cursor })
    }

    /// How many cases the actor may see that match the filters (the count itself respects sharing).
    pub async fn count_cases(&self, actor: &Actor, q: CaseQuery) -> Result<i64, AppError> {
        actor.require_active()?;
        let filter = self.case_filter(&q)?;
        let principals = self.principals(actor).await?;
        let words = q.q.as_deref().map(fold_words).unwrap_or_default();
        if words.is_empty() {
            return Ok(self.store.count_cases_visible(&principals, &filter).await?);
        }
        let who = Searcher { principals: &principals, agency: &actor.agency_id };
        Ok(self.search.count(&words, &who, &filter).map_err(crate::search::search_failed)? as i64)
    }

    pub(crate) fn case_filter(&self, q: &CaseQuery) -> Result<CaseFilter, AppError> {
        let province = match q.province.as_deref() {
            Some(p) => {
                Some(reference().resolve_province(p).ok_or_else(|| Invalid::new("province", "not a province of Vietnam"))?.code.to_string())
            }
            None => None,
        };
        if let Some(t) = &q.case_type {
            CaseType::parse(t).ok_or_else(|| Invalid::new("case_type", "unknown case type"))?;
        }
        if let Some(s) = &q.status {
            CaseStatus::parse(s).ok_or_else(|| Invalid::new("status", "unknown status"))?;
        }
        Ok(CaseFilter {
            case_type: q.case_type.clone(),
            status: q.status.clone(),
            province,
            agency: q.agency.clone(),
            commodity: q.commodity.clone(),
            since: q.since,
            until: q.until,
        })
    }

    pub(crate) async fn load_editable(&self, actor: &Actor, id: &str) -> Result<Case, AppError> {
        Self::require_case_worker(actor)?;
        let principals = self.principals(actor).await?;
        let case = self.store.case(id).await?;
        match case {
            Some(c) if c.visible_to(&principals) => Ok(c),
            _ => {
                self.store.audit(&[actor.audit(self.now_ms(), "case.update", "case", id, "denied", json!({}))]).await?;
                Err(AppError::NotFound("case"))
            }
        }
    }

    /// Replaces a case's content if it is still at `expected_version` (the ETag the editor read).
    /// Only the recording unit edits; it may narrow or widen sharing, no one else may touch it.
    pub async fn update_case(&self, actor: &Actor, id: &str, expected_version: i64, mut input: CaseInput) -> Result<CaseView, AppError> {
        let old = self.load_editable(actor, id).await?;
        // The lead passes on by handover only (`coordination::handovers`), never by an edit.
        if input.lead_agency_id.as_deref().is_some_and(|l| l != old.lead_agency_id) {
            return Err(Invalid::new("lead_agency_id", "the lead agency changes by handover, not by an edit").into());
        }
        input.lead_agency_id = None;
        let keep_basis = input.lead_basis.is_none();
        if old.owner_unit_id != actor.user.unit_id {
            self.store
                .audit(&[actor.audit(self.now_ms(), "case.update", "case", id, "denied", json!({ "reason": "not the recording unit" }))])
                .await?;
            return Err(AppError::Forbidden("only the recording unit edits a case"));
        }
        if old.version != expected_version {
            return Err(AppError::Stale);
        }
        let now = self.now_ms();
        let (mut new, principals) = self.validate_case(actor, &input, now).await?;
        new.id = old.id.clone();
        new.reference = old.reference.clone();
        new.version = old.version + 1;
        new.status = old.status;
        new.reported_at = old.reported_at;
        new.owner_unit_id = old.owner_unit_id.clone();
        new.owner_agency_id = old.owner_agency_id.clone();
        new.created_by = old.created_by.clone();
        new.created_at = old.created_at;
        new.external_ref = old.external_ref.clone();
        new.parties = old.parties.clone();
        new.lead_agency_id = old.lead_agency_id.clone();
        if keep_basis {
            new.lead_basis = old.lead_basis.clone();
        }
        let detail = json!({ "previous": { "version": old.version, "title": old.title, "summary": old.summary, "tlp": old.sharing.tlp.as_str(),
            "distribution": old.sharing.distribution.iter().map(Audience::to_code).collect::<Vec<_>>(), "total_value_vnd": old.total_value_vnd() } });
        let event = CaseEvent {
            seq: 0,
            at: now,
            actor_user_id: actor.user.id.clone(),
            actor_unit_id: actor.user.unit_id.clone(),
            kind: "updated".into(),
            from_status: None,
            to_status: None,
            reason: String::new(),
            detail: detail.to_string(),
        };
        let audit = actor.audit(now, "case.update", "case", id, "ok", json!({ "version": new.version }));
        self.store.update_case(&new, &principals, &event, &[audit]).await.map_err(stale)?;
        self.index_case(&new);
        self.view(actor, &new).await
    }

    /// Moves a case along its lifecycle, if the actor's roles allow that step and the case is at `expected_version`.
    pub async fn transition_case(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: i64,
        to: &str,
        reason: &str,
    ) -> Result<CaseView, AppError> {
        let mut case = self.load_editable(actor, id).await?;
        let to = CaseStatus::parse(to).ok_or_else(|| Invalid::new("to", "unknown status"))?;
        let Some(roles) = transition_roles(case.status, to) else {
            return Err(Invalid::new("to", format!("a {} case cannot become {}", case.status.label(), to.label())).into());
        };
        let handed_over = self.store.handovers_of_case(id).await?.iter().any(|h| h.status == HandoverStatus::Accepted);
        let in_lead = cordon_core::case::decides_lifecycle(&case, (&actor.agency_id, &actor.user.unit_id), handed_over);
        if !in_lead || !roles.iter().any(|r| actor.user.roles.holds(*r)) {
            self.store.audit(&[actor.audit(self.now_ms(), "case.transition", "case", id, "denied", json!({ "to": to.as_str() }))]).await?;
            return Err(AppError::Forbidden(
                "this step is decided by the head or deputy of the lead agency (or of the recording unit, until a handover passes the lead on)",
            ));
        }
        let reason = reason.trim();
        if reason.chars().count() > 2000
            || (matches!(to, CaseStatus::Closed | CaseStatus::TransferredForInvestigation) && reason.is_empty())
        {
            return Err(Invalid::new("reason", "say why (required to close or transfer; at most 2000 characters)").into());
        }
        if case.version != expected_version {
            return Err(AppError::Stale);
        }
        let now = self.now_ms();
        let from = case.status;
        case.status = to;
        case.version += 1;
        case.updated_at = now;
        if to == CaseStatus::Seized && case.seized_at.is_none() {
            case.seized_at = Some(now);
        }
        let event = CaseEvent {
            seq: 0,
            at: now,
            actor_user_id: actor.user.id.clone(),
            actor_unit_id: actor.user.unit_id.clone(),
            kind: "status_changed".into(),
            from_status: Some(from),
            to_status: Some(to),
            reason: reason.to_string(),
            detail: "{}".into(),
        };
        let principals = principals_of_record(&case.owner_unit_id, &case.owner_agency_id, &case.sharing);
        let audit = actor.audit(now, "case.transition", "case", id, "ok", json!({ "from": from.as_str(), "to": to.as_str() }));
        self.store.update_case(&case, &principals, &event, &[audit]).await.map_err(stale)?;
        self.index_case(&case);
        self.view(actor, &case).await
    }

    /// Links a party to a case the actor may work on.
    pub async fn add_party(&self, actor: &Actor, id: &str, expected_version: i64, input: PartyInput) -> Result<CaseView, AppError> {
        let case = self.load_editable(actor, id).await?;
        if case.version != expected_version {
            return Err(AppError::Stale);
        }
        let now = self.now_ms();
        let party = self.known_entity(actor, &input, parse_party(&input, &actor.agency_id, &case.sharing, now)?).await?;
        if let Some(s) = &party.sharing {
            self.check_audiences(actor, s, &mut Lookups::default()).await?;
        }
        let event = CaseEvent {
            seq: 0,
            at: now,
            actor_user_id: actor.user.id.clone(),
            actor_unit_id: actor.user.unit_id.clone(),
            kind: "party_added".into(),
            from_status: None,
            to_status: None,
            reason: String::new(),
            detail: json!({ "entity_id": party.entity_id, "kind": party.kind.as_str(), "role": party.role.as_str() }).to_string(),
        };
        let audit = actor.audit(now, "case.party_add", "case", id, "ok", json!({ "entity_id": party.entity_id }));
        self.store.add_party(id, expected_version, &party, &event, &[audit]).await.map_err(stale)?;
        if let Some(c) = self.store.case(id).await? {
            self.index_case(&c);
        }
        if input.entity_id.is_none() {
            self.resolve_after_write(actor, std::slice::from_ref(&party.entity_id)).await;
        }
        self.case(actor, id).await
    }

    /// A case's history (for those who may see the case).
    pub async fn case_events(&self, actor: &Actor, id: &str) -> Result<Vec<CaseEventView>, AppError> {
        self.case(actor, id).await?;
        Ok(self
            .store
            .case_events(id)
            .await?
            .into_iter()
            .map(|e| CaseEventView {
                seq: e.seq,
                at: e.at,
                actor_user_id: e.actor_user_id,
                actor_unit_id: e.actor_unit_id,
                kind: e.kind,
                from_status: e.from_status.map(|s| s.as_str().to_string()),
                to_status: e.to_status.map(|s| s.as_str().to_string()),
                reason: e.reason,
            })
            .collect())
    }

    /// Shapes a case for the actor: personal parties are withheld across agencies unless an
    /// agreement in force for this case type discloses them.
    pub(crate) async fn view(&self, actor: &Actor, c: &Case) -> Result<CaseView, AppError> {
        let evidence = self.store.evidence(&c.id).await?;
        self.view_with(actor, c, evidence).await
    }

    /// [`App::view`] with the case's evidence files already read.
    pub(crate) async fn view_with(&self, actor: &Actor, c: &Case, evidence: Vec<cordon_store::Evidence>) -> Result<CaseView, AppError> {
        let disclosed_under = if actor.agency_id == c.owner_agency_id {
            Some("own agency".to_string())
        } else {
            let now = self.now_ms();
            let agreements = match self.cache.agreements(&c.owner_agency_id, now) {
                Some(a) => a,
                None => {
                    let generation = self.cache.generation();
                    let a = self.store.agreements(Some(&c.owner_agency_id)).await?;
                    self.cache.put_agreements(generation, &c.owner_agency_id, a.clone(), now);
                    a
                }
            };
            agreements
                .into_iter()
                .find(|a| a.disclose_personal && a.covers(&c.owner_agency_id, &actor.agency_id, c.case_type.as_str(), now))
                .map(|a| a.id)
        };
        // Without an agreement, a granted access request discloses this case's parties.
        let disclosed_under = match disclosed_under {
            None if c.parties.iter().any(|p| p.kind.is_personal()) => {
                self.store.access_granted(&c.id, &actor.agency_id).await?.map(|id| format!("access request {id}"))
            }
            other => other,
        };
        // A party link or file shared more narrowly than its case is left out for those outside
        // its audience, as if it were not there: no count, no placeholder.
        let narrower = c.parties.iter().any(|p| p.sharing.is_some());
        let viewer = if narrower || evidence.iter().any(|e| e.sharing.is_some()) { self.principals(actor).await? } else { Vec::new() };
        let sees = |s: &Option<Sharing>| match s {
            Some(s) => may_see(&viewer, &principals_of_record(&c.owner_unit_id, &c.owner_agency_id, s)),
            None => true,
        };
        let parties = c
            .parties
            .iter()
            .filter(|p| sees(&p.sharing))
            .map(|p| {
                let withheld = p.kind.is_personal() && disclosed_under.is_none();
                PartyView {
                    entity_id: (!withheld).then(|| p.entity_id.clone()),
                    kind: p.kind.as_str().into(),
                    name: (!withheld).then(|| p.name.clone()),
                    identifiers: if withheld { BTreeMap::new() } else { p.identifiers.iter().cloned().collect() },
                    role: p.role.as_str().into(),
                    held_by: p.held_by.clone(),
                    withheld,
                    sharing: p.sharing.as_ref().map(sharing_view),
                }
            })
            .collect();
        Ok(CaseView {
            id: c.id.clone(),
            reference: c.reference.clone(),
            external_ref: c.external_ref.clone(),
            version: c.version,
            case_type: c.case_type.as_str().into(),
            status: c.status.as_str().into(),
            title: c.title.clone(),
            summary: c.summary.clone(),
            detected_at: c.detected_at,
            seized_at: c.seized_at,
            reported_at: c.reported_at,
            province_code: c.place.province_code.clone(),
            port_code: c.place.port_code.clone(),
            route: c.place.route.clone(),
            place_type: c.place.place_type.map(|p| p.as_str().into()),
            in_customs_area: c.place.in_customs_area,
            latitude: c.place.latitude,
            longitude: c.place.longitude,
            owner_unit_id: c.owner_unit_id.clone(),
            owner_agency_id: c.owner_agency_id.clone(),
            lead_agency_id: c.lead_agency_id.clone(),
            lead_basis: c.lead_basis.clone(),
            detection_method: c.detection_method.map(|d| d.as_str().into()),
            concealment: c.concealment.clone(),
            transport_mode: c.transport_mode.map(|t| t.as_str().into()),
            conveyance: ConveyanceInput {
                plate: c.conveyance.plate.clone(),
                vessel: c.conveyance.vessel.clone(),
                flight: c.conveyance.flight.clone(),
                container: c.conveyance.container.clone(),
                waybill: c.conveyance.waybill.clone(),
            },
            outcome: OutcomeInput {
                fine_vnd: c.outcome.fine_vnd,
                goods_confiscated: c.outcome.goods_confiscated,
                goods_destroyed: c.outcome.goods_destroyed,
            },
            goods: c
                .goods
                .iter()
                .map(|g| GoodsView {
                    description: g.description.clone(),
                    hs_code: g.hs_code.clone(),
                    category: g.category.clone(),
                    brand: g.brand.clone(),
                    quantity: g.quantity,
                    unit: g.unit.clone(),
                    weight_kg: g.weight_kg,
                    value_vnd: g.value_vnd,
                })
                .collect(),
            total_value_vnd: c.total_value_vnd(),
            parties,
            sharing: sharing_view(&c.sharing),
            disclosed_under: if actor.agency_id == c.owner_agency_id { None } else { disclosed_under },
            evidence: evidence.into_iter().filter(|e| sees(&e.sharing)).map(crate::EvidenceView::from).collect(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        })
    }
}

/// The reference prefix of a case: `VV-<PROVINCE>-<YEAR>` (VN where no province is known).
pub(crate) fn reference_prefix(case: &Case) -> String {
    let place = case.place.province_code.as_deref().unwrap_or("VN").replace('-', "").to_ascii_uppercase();
    format!("VV-{place}-{}", cordon_core::time::year(case.detected_at))
}

/// What case validation looked up in the store (agencies, sharing groups), remembered for
/// the rows of one import call: a batch naming the same few agencies costs a query per
/// agency, not per row. Built fresh per call, so each batch sees the store as it is.
#[derive(Default)]
pub(crate) struct Lookups {
    /// Agency id → exists.
    agencies: HashMap<String, bool>,
    /// Group id → the actor's agency may share with it.
    groups: HashMap<String, bool>,
    /// The Customs agency that leads cases inside a customs operation area, once looked up.
    pub(crate) customs: Option<Option<String>>,
}

/// The first event of a case.
pub(crate) fn created_event(actor: &Actor, now: i64) -> CaseEvent {
    CaseEvent {
        seq: 0,
        at: now,
        actor_user_id: actor.user.id.clone(),
        actor_unit_id: actor.user.unit_id.clone(),
        kind: "created".into(),
        from_status: None,
        to_status: Some(CaseStatus::Reported),
        reason: String::new(),
        detail: "{}".into(),
    }
}

fn stale(e: StoreError) -> AppError {
    match e {
        StoreError::Stale => AppError::Stale,
        other => other.into(),
    }
}
