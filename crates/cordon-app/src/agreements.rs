//! Coordination agreements between agencies, and sharing groups.

use cordon_core::case::CaseType;
use cordon_core::model::validate_slug;
use cordon_core::notice::Priority;
use cordon_core::{Invalid, RoleSet};
use cordon_store::{Agreement, SharingGroup};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Actor, App, AppError};

/// A coordination agreement as entered and shown.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgreementInput {
    /// Slug id.
    pub id: String,
    /// Name, e.g. "Quy chế phối hợp 5341/QCPH/TCHQ-TCCS".
    pub name: String,
    /// One party.
    pub agency_a: String,
    /// The other.
    pub agency_b: String,
    /// Case types covered; empty for all.
    #[serde(default)]
    pub case_types: Vec<String>,
    /// Whether personal identifiers flow under it (otherwise parties show as "held by agency X").
    pub disclose_personal: bool,
    /// In force from, ms.
    pub valid_from: i64,
    /// In force until, ms (exclusive); open-ended if absent.
    #[serde(default)]
    pub valid_until: Option<i64>,
    /// The acknowledgement windows it sets, minutes, where shorter than the priorities' own.
    #[serde(default)]
    pub ack_windows: AckWindows,
}

/// The acknowledgement windows an agreement sets, minutes; each no longer than its priority's own
/// (urgent 10, high 60, normal 1440), a missing one leaving the priority's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AckWindows {
    /// Urgent notices.
    #[serde(default)]
    pub urgent: Option<i64>,
    /// High-priority notices.
    #[serde(default)]
    pub high: Option<i64>,
    /// Normal notices.
    #[serde(default)]
    pub normal: Option<i64>,
}

impl AckWindows {
    fn as_array(self) -> [Option<i64>; 3] {
        [self.urgent, self.high, self.normal]
    }

    fn check(self) -> Result<(), Invalid> {
        for (minutes, priority) in self.as_array().into_iter().zip([Priority::Urgent, Priority::High, Priority::Normal]) {
            if let Some(m) = minutes {
                if m <= 0 || m * 60_000 > priority.ack_window_ms() {
                    return Err(Invalid::new(
                        "ack_windows",
                        format!("{}: 1 to {} minutes", priority.as_str(), priority.ack_window_ms() / 60_000),
                    ));
                }
            }
        }
        Ok(())
    }
}

fn agreement_view(a: Agreement) -> AgreementInput {
    AgreementInput {
        id: a.id,
        name: a.name,
        agency_a: a.agency_a,
        agency_b: a.agency_b,
        case_types: a.case_types,
        disclose_personal: a.disclose_personal,
        valid_from: a.valid_from,
        valid_until: a.valid_until,
        ack_windows: AckWindows { urgent: a.ack_minutes[0], high: a.ack_minutes[1], normal: a.ack_minutes[2] },
    }
}

/// A sharing group as entered and shown (members only to its manager).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    /// Slug id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Managing agency.
    pub owner_agency_id: String,
    /// Member agencies.
    #[serde(default)]
    pub members: Vec<String>,
}

impl App {
    /// Records a coordination agreement (administrators).
    pub async fn create_agreement(&self, actor: &Actor, a: AgreementInput) -> Result<AgreementInput, AppError> {
        actor.require_admin()?;
        validate_slug("id", &a.id)?;
        if a.name.trim().is_empty() || a.name.chars().count() > 300 {
            return Err(Invalid::new("name", "1 to 300 characters").into());
        }
        if a.agency_a == a.agency_b {
            return Err(Invalid::new("agency_b", "an agreement binds two different agencies").into());
        }
        for (field, id) in [("agency_a", &a.agency_a), ("agency_b", &a.agency_b)] {
            if self.store.agency(id).await?.is_none() {
                return Err(Invalid::new(field, "no such agency").into());
            }
        }
        for t in &a.case_types {
            CaseType::parse(t).ok_or_else(|| Invalid::new("case_types", format!("unknown case type {t:?}")))?;
        }
        if a.valid_until.is_some_and(|u| u <= a.valid_from) {
            return Err(Invalid::new("valid_until", "must be after valid_from").into());
        }
        a.ack_windows.check()?;
        let now = self.now_ms();
        let record = Agreement {
            id: a.id.clone(),
            name: a.name.trim().to_string(),
            agency_a: a.agency_a.clone(),
            agency_b: a.agency_b.clone(),
            case_types: a.case_types.clone(),
            disclose_personal: a.disclose_personal,
            valid_from: a.valid_from,
            valid_until: a.valid_until,
            ack_minutes: a.ack_windows.as_array(),
        };
        let audit = actor.audit(now, "agreement.create", "agreement", &a.id, "ok", json!({ "agencies": [a.agency_a, a.agency_b] }));
        let inserted = self.store.insert_agreement(&record, now, &[audit]).await;
        // Cases of both agencies may now disclose personal parties to the other.
        self.cache.forget_all();
        inserted.map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => AppError::Conflict("agreement id"),
            other => other,
        })?;
        Ok(a)
    }

    /// Agreements: all for administrators, else those the actor's agency is party to.
    pub async fn agreements(&self, actor: &Actor) -> Result<Vec<AgreementInput>, AppError> {
        actor.require_active()?;
        let scope = if actor.user.roles.may_administer() { None } else { Some(actor.agency_id.as_str()) };
        Ok(self.store.agreements(scope).await?.into_iter().map(agreement_view).collect())
    }

    /// Creates a sharing group (administrators).
    pub async fn create_group(&self, actor: &Actor, g: GroupInput) -> Result<GroupInput, AppError> {
        actor.require_admin()?;
        validate_slug("id", &g.id)?;
        if g.name.trim().is_empty() || g.name.chars().count() > 200 {
            return Err(Invalid::new("name", "1 to 200 characters").into());
        }
        for id in std::iter::once(&g.owner_agency_id).chain(&g.members) {
            if self.store.agency(id).await?.is_none() {
                return Err(Invalid::new("members", format!("no agency {id:?}")).into());
            }
        }
        let now = self.now_ms();
        let record = SharingGroup {
            id: g.id.clone(),
            name: g.name.trim().into(),
            owner_agency_id: g.owner_agency_id.clone(),
            members: g.members.clone(),
        };
        let audit = actor.audit(now, "group.create", "sharing_group", &g.id, "ok", json!({ "members": g.members.len() }));
        let inserted = self.store.insert_group(&record, now, &[audit]).await;
        // Members' viewers now hold the group's principal.
        self.cache.forget_all();
        inserted?;
        Ok(g)
    }

    /// A sharing group with its members: for administrators and the managing agency only.
    /// Everyone else is told it does not exist, so membership never leaks.
    pub async fn group(&self, actor: &Actor, id: &str) -> Result<GroupInput, AppError> {
        actor.require_active()?;
        match self.store.group(id).await? {
            Some(g) if actor.user.roles.may_administer() || g.owner_agency_id == actor.agency_id => {
                Ok(GroupInput { id: g.id, name: g.name, owner_agency_id: g.owner_agency_id, members: g.members })
            }
            _ => Err(AppError::NotFound("sharing group")),
        }
    }
}
