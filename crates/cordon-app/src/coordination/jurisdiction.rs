//! Jurisdiction: a case inside a customs operation area has Customs as lead; when goods or a
//! conveyance leave the area or are found outside it, a pursuit notice is proposed to the local
//! police, border guard, coast guard (sea and inland waters) and market surveillance units of
//! the provinces concerned that a coordination agreement in force binds to the proposer's
//! agency. The proposal is a draft: the officer confirms or edits it and raises it through the
//! ordinary raise (`POST /api/v1/notices`).

use std::collections::BTreeSet;

use cordon_core::case::{Case, TransportMode};
use cordon_core::jurisdiction::{area_of, concerns_waters, customs_area, pursuit_agency_kinds, CustomsArea, PlaceFacts};
use cordon_core::reference::reference;
use cordon_core::{AgencyKind, Invalid};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Actor, App, AppError};

/// Where the goods or conveyance went or were found.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PursuitQuery {
    /// The province they were found in or are heading to (a current or pre-2025 name or code).
    #[serde(default)]
    pub found_province: Option<String>,
    /// Whether the sea or inland waters are concerned (adds the coast guard); by default, when
    /// the area takes them in or the case travels by sea or waterway.
    #[serde(default)]
    pub waters: Option<bool>,
}

/// A unit the pursuit notice would go to, and why.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposedRecipient {
    /// The unit.
    pub unit_id: String,
    /// Its name.
    pub unit_name: String,
    /// Its agency.
    pub agency_id: String,
    /// `police`, `border_guard`, `coast_guard`, `market_surveillance`.
    pub agency_kind: String,
    /// Its province.
    pub province: String,
    /// The coordination agreement in force that binds it to the proposer's agency.
    pub agreement_id: String,
}

/// A local force left out of the proposal, and why.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeftOutView {
    /// The unit.
    pub unit_id: String,
    /// Its agency.
    pub agency_id: String,
    /// Why it is not proposed.
    pub why: String,
}

/// A pursuit notice proposed for a case, to confirm or edit before raising it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PursuitProposal {
    /// The customs operation area concerned (its border gate, port or airport).
    pub area_port: String,
    /// The area's name.
    pub area_name: String,
    /// The provinces concerned.
    pub provinces: Vec<String>,
    /// Whether the sea or inland waters are concerned.
    pub waters: bool,
    /// The units proposed.
    pub recipients: Vec<ProposedRecipient>,
    /// Local forces of those kinds left out (no agreement in force).
    pub left_out: Vec<LeftOutView>,
    /// The notice to raise (`POST /api/v1/notices` takes it as it is, or edited).
    pub notice: serde_json::Value,
}

/// The area a case concerns for a pursuit: the one it lies in, else that of the entry point it names.
fn area_for_pursuit(c: &Case) -> Option<&'static CustomsArea> {
    area_of(place_facts(c)).or_else(|| c.place.port_code.as_deref().and_then(customs_area))
}

fn place_facts(c: &Case) -> PlaceFacts<'_> {
    PlaceFacts {
        port: c.place.port_code.as_deref(),
        in_customs_area: c.place.in_customs_area,
        latitude: c.place.latitude,
        longitude: c.place.longitude,
    }
}

impl App {
    /// The Customs agency that leads a case recorded by `actor` inside a customs operation area:
    /// the actor's own if it is Customs, else the (first) domestic Customs agency on record.
    pub(crate) async fn customs_lead(&self, actor: &Actor) -> Result<Option<String>, AppError> {
        let agencies = self.store.agencies().await?;
        if agencies.iter().any(|a| a.id == actor.agency_id && a.kind == AgencyKind::Customs) {
            return Ok(Some(actor.agency_id.clone()));
        }
        Ok(agencies.into_iter().find(|a| a.kind == AgencyKind::Customs).map(|a| a.id))
    }

    /// The lead of a new case and, inside a customs operation area, the basis for it: Customs
    /// leads there (Customs Law 2014 art. 88), whoever records the case; elsewhere the agency
    /// named, or the recording one. `customs` remembers the look-up across an import's rows.
    pub(crate) async fn lead_for(
        &self,
        actor: &Actor,
        named: Option<&str>,
        area: Option<&'static CustomsArea>,
        customs: &mut Option<Option<String>>,
    ) -> Result<(String, Option<String>), AppError> {
        let Some(area) = area else { return Ok((named.map_or_else(|| actor.agency_id.clone(), str::to_string), None)) };
        let basis = format!("Địa bàn hoạt động hải quan {} (Luật Hải quan 2014, Điều 88)", area.port.name_vi);
        if let Some(named) = named {
            let is_customs = self.store.agency(named).await?.is_some_and(|a| a.kind == AgencyKind::Customs);
            if !is_customs {
                return Err(Invalid::new(
                    "lead_agency_id",
                    format!("inside the customs operation area of {}, Customs leads (a handover passes the lead on)", area.port.name_en),
                )
                .into());
            }
            return Ok((named.to_string(), Some(basis)));
        }
        let lead = match customs {
            Some(known) => known.clone(),
            None => {
                let found = self.customs_lead(actor).await?;
                *customs = Some(found.clone());
                found
            }
        };
        Ok((lead.unwrap_or_else(|| actor.agency_id.clone()), Some(basis)))
    }

    /// Proposes a pursuit notice for a case the actor may see.
    pub async fn propose_pursuit(&self, actor: &Actor, case_id: &str, q: PursuitQuery) -> Result<PursuitProposal, AppError> {
        Self::require_case_worker(actor)?;
        let now = self.now_ms();
        let principals = self.principals(actor).await?;
        let case = self.store.case(case_id).await?.filter(|c| c.visible_to(&principals));
        let Some(case) = case else {
            self.store.audit(&[actor.audit(now, "pursuit.propose", "case", case_id, "denied", json!({}))]).await?;
            return Err(AppError::NotFound("case"));
        };
        let Some(area) = area_for_pursuit(&case) else {
            return Err(
                Invalid::new("case", "the case names no border gate, port or airport, and lies in no customs operation area").into()
            );
        };
        let r = reference();
        let mut provinces = BTreeSet::from([area.port.province.to_string()]);
        if let Some(p) = case.place.province_code.as_deref() {
            provinces.insert(p.to_string());
        }
        if let Some(name) = q.found_province.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            let p = r.resolve_province(name).ok_or_else(|| Invalid::new("found_province", "not a province of Vietnam"))?;
            provinces.insert(p.code.to_string());
        }
        let waters = q.waters.unwrap_or_else(|| {
            concerns_waters(area) || matches!(case.transport_mode, Some(TransportMode::Sea | TransportMode::InlandWaterway))
        });
        let kinds = pursuit_agency_kinds(waters);
        let agencies = self.store.agencies().await?;
        let agreements = self.store.agreements(Some(&actor.agency_id)).await?;
        let (mut recipients, mut left_out) = (Vec::new(), Vec::new());
        for unit in self.store.units(None).await? {
            let Some(province) = unit.province_code.clone().filter(|p| provinces.contains(p)) else { continue };
            let Some(agency) = agencies.iter().find(|a| a.id == unit.agency_id && kinds.contains(&a.kind)) else { continue };
            match agreements.iter().find(|a| a.covers(&actor.agency_id, &agency.id, case.case_type.as_str(), now)) {
                Some(agreement) => recipients.push(ProposedRecipient {
                    unit_id: unit.id.clone(),
                    unit_name: unit.name_vi.clone(),
                    agency_id: agency.id.clone(),
                    agency_kind: agency.kind.as_str().into(),
                    province,
                    agreement_id: agreement.id.clone(),
                }),
                None => left_out.push(LeftOutView {
                    unit_id: unit.id.clone(),
                    agency_id: agency.id.clone(),
                    why: format!("no coordination agreement in force between {} and {} for this case type", actor.agency_id, agency.id),
                }),
            }
        }
        let conveyance = [case.conveyance.plate.as_deref(), case.conveyance.vessel.as_deref(), case.conveyance.container.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        let province_names: Vec<&str> = provinces.iter().filter_map(|p| r.province(p)).map(|p| p.name_vi).collect();
        let title: String = format!("Truy đuổi: {}", if conveyance.is_empty() { case.title.as_str() } else { conveyance.as_str() })
            .chars()
            .take(300)
            .collect();
        let body = format!(
            "Vụ việc {}: {}. Hàng hóa/phương tiện nghi vấn đã rời hoặc được phát hiện ngoài địa bàn hoạt động hải quan {} \
             (Luật Hải quan 2014, Điều 88). Đề nghị phối hợp truy đuổi, ngăn chặn trên địa bàn: {}.",
            case.reference,
            case.title,
            area.port.name_vi,
            province_names.join(", ")
        );
        let notice = json!({
            "kind": "pursuit", "priority": "urgent", "case_id": case.id, "title": title, "body": body,
            "recipient_units": recipients.iter().map(|r| r.unit_id.clone()).collect::<Vec<_>>(),
        });
        let audit = actor.audit(now, "pursuit.propose", "case", case_id, "ok", json!({ "area": area.port.code, "provinces": provinces }));
        self.store.audit(&[audit]).await?;
        Ok(PursuitProposal {
            area_port: area.port.code.into(),
            area_name: area.port.name_vi.into(),
            provinces: provinces.into_iter().collect(),
            waters,
            recipients,
            left_out,
            notice,
        })
    }
}
