//! Duty rosters, kept by a unit's head or deputy (or an administrator) and read by the unit,
//! and the contact details the delivery channels use. Every change is audited.

use cordon_core::duty::{check_period, on_duty, DutyShift};
use cordon_core::{Invalid, Role, RoleSet};
use cordon_store::{Contact, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::ids::new_id;
use crate::{Actor, App, AppError};

/// A member of one's own unit, as the roster and delegation forms list them.
#[derive(Debug, Clone, Serialize)]
pub struct UnitMemberView {
    /// User id.
    pub id: String,
    /// Name.
    pub display_name: String,
    /// A unit head.
    pub head: bool,
    /// A deputy head.
    pub deputy: bool,
}

/// A turn of duty as a head enters it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DutyShiftInput {
    /// Who is on duty (a user of the unit).
    pub user_id: String,
    /// From, ms.
    pub starts_at: i64,
    /// Until, ms (exclusive).
    pub ends_at: i64,
    /// A note (post, telephone at the post…).
    #[serde(default)]
    pub note: String,
}

/// A turn of duty.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutyShiftView {
    /// Id.
    pub id: String,
    /// The unit.
    pub unit_id: String,
    /// Who.
    pub user_id: String,
    /// From, ms.
    pub starts_at: i64,
    /// Until, ms.
    pub ends_at: i64,
    /// Note.
    pub note: String,
}

impl From<DutyShift> for DutyShiftView {
    fn from(s: DutyShift) -> Self {
        DutyShiftView { id: s.id, unit_id: s.unit_id, user_id: s.user_id, starts_at: s.starts_at, ends_at: s.ends_at, note: s.note }
    }
}

/// A unit's roster over a period, and who is on duty now.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutyRosterView {
    /// The unit.
    pub unit_id: String,
    /// Now, ms, by the server's clock.
    pub now: i64,
    /// Who is on duty now.
    pub on_duty_now: Vec<String>,
    /// The shifts overlapping the period asked for.
    pub shifts: Vec<DutyShiftView>,
}

/// A user's addresses for delivery; an absent or null field clears it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// E-mail address (notices by e-mail).
    #[serde(default)]
    pub email: Option<String>,
    /// Telephone number (SMS, calls and fax through the gateway).
    #[serde(default)]
    pub phone: Option<String>,
}

/// A user's addresses for delivery.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactView {
    /// The user.
    pub user_id: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Telephone number.
    pub phone: Option<String>,
}

/// Longest roster period one read returns, ms.
const MAX_ROSTER_SPAN_MS: i64 = 92 * 86_400_000;

impl App {
    /// Whether the actor keeps this unit's roster: an administrator, or its head or deputy.
    fn keeps_roster(actor: &Actor, unit_id: &str) -> bool {
        actor.user.roles.may_administer()
            || (actor.user.unit_id == unit_id && [Role::UnitHead, Role::DeputyHead].iter().any(|r| actor.user.roles.holds(*r)))
    }

    async fn require_unit(&self, unit_id: &str) -> Result<(), AppError> {
        match self.store.unit(unit_id).await? {
            Some(_) => Ok(()),
            None => Err(AppError::NotFound("unit")),
        }
    }

    /// Puts a user of the unit on duty for a period.
    pub async fn add_duty_shift(&self, actor: &Actor, unit_id: &str, input: DutyShiftInput) -> Result<DutyShiftView, AppError> {
        actor.require_active()?;
        if !Self::keeps_roster(actor, unit_id) {
            return Err(AppError::Forbidden("the unit's head or deputy, or an administrator, keeps its roster"));
        }
        self.require_unit(unit_id).await?;
        let user = self.store.user(&input.user_id).await?.filter(|u| u.unit_id == unit_id && !u.disabled);
        let Some(user) = user else { return Err(Invalid::new("user_id", "no such active user in this unit").into()) };
        let now = self.now_ms();
        check_period(input.starts_at, input.ends_at, now).map_err(|why| Invalid::new("ends_at", why))?;
        let note = input.note.trim();
        if note.chars().count() > 500 {
            return Err(Invalid::new("note", "at most 500 characters").into());
        }
        let shift = DutyShift {
            id: new_id(now),
            unit_id: unit_id.to_string(),
            user_id: user.id,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            note: note.to_string(),
        };
        let audit = actor.audit(
            now,
            "duty.add",
            "duty_shift",
            &shift.id,
            "ok",
            json!({ "unit": unit_id, "user": shift.user_id, "from": shift.starts_at, "to": shift.ends_at }),
        );
        self.store.insert_duty_shift(&shift, &actor.user.id, now, &[audit]).await?;
        Ok(shift.into())
    }

    /// Takes a shift off the unit's roster.
    pub async fn remove_duty_shift(&self, actor: &Actor, unit_id: &str, shift_id: &str) -> Result<(), AppError> {
        actor.require_active()?;
        if !Self::keeps_roster(actor, unit_id) {
            return Err(AppError::Forbidden("the unit's head or deputy, or an administrator, keeps its roster"));
        }
        let now = self.now_ms();
        let audit = actor.audit(now, "duty.remove", "duty_shift", shift_id, "ok", json!({ "unit": unit_id }));
        self.store.delete_duty_shift(unit_id, shift_id, &[audit]).await.map_err(|e| match e {
            StoreError::Stale => AppError::NotFound("duty shift"),
            other => other.into(),
        })
    }

    /// The unit's roster over `[from, to)` (default: the last day and the next seven), for its
    /// members and administrators.
    pub async fn duty_roster(&self, actor: &Actor, unit_id: &str, from: Option<i64>, to: Option<i64>) -> Result<DutyRosterView, AppError> {
        actor.require_active()?;
        if actor.user.unit_id != unit_id && !actor.user.roles.may_administer() {
            return Err(AppError::Forbidden("a unit's roster is for its members"));
        }
        self.require_unit(unit_id).await?;
        let now = self.now_ms();
        let from = from.unwrap_or(now - 86_400_000);
        let to = to.unwrap_or(now + 7 * 86_400_000);
        if to <= from || to - from > MAX_ROSTER_SPAN_MS {
            return Err(Invalid::new("to", "after `from`, and at most 92 days on").into());
        }
        let current = self.store.duty_shifts(unit_id, now, now + 1).await?;
        let shifts = self.store.duty_shifts(unit_id, from, to).await?;
        Ok(DutyRosterView {
            unit_id: unit_id.to_string(),
            now,
            on_duty_now: on_duty(&current, now),
            shifts: shifts.into_iter().map(DutyShiftView::from).collect(),
        })
    }

    /// The active members of the actor's own unit, for its roster and delegation forms.
    pub async fn unit_members(&self, actor: &Actor) -> Result<Vec<UnitMemberView>, AppError> {
        actor.require_active()?;
        Ok(self
            .store
            .users(Some(&actor.user.unit_id))
            .await?
            .into_iter()
            .filter(|u| !u.disabled)
            .map(|u| UnitMemberView {
                head: u.roles.holds(Role::UnitHead),
                deputy: u.roles.holds(Role::DeputyHead),
                id: u.id,
                display_name: u.display_name,
            })
            .collect())
    }

    /// Sets a user's e-mail address and telephone number: the user themself, or an administrator.
    pub async fn set_contact(&self, actor: &Actor, user_id: &str, input: ContactInput) -> Result<ContactView, AppError> {
        actor.require_active()?;
        if actor.user.id != user_id && !actor.user.roles.may_administer() {
            return Err(AppError::Forbidden("users set their own contact details; administrators anyone's"));
        }
        if self.store.user(user_id).await?.is_none() {
            return Err(AppError::NotFound("user"));
        }
        let blank = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let email =
            blank(&input.email).map(|e| cordon_core::delivery::check_email(&e).map_err(|why| Invalid::new("email", why))).transpose()?;
        let phone =
            blank(&input.phone).map(|p| cordon_core::delivery::check_phone(&p).map_err(|why| Invalid::new("phone", why))).transpose()?;
        let now = self.now_ms();
        let contact = Contact { email, phone };
        // The addresses themselves stay out of the log: it says what changed, not to what.
        let audit = actor.audit(
            now,
            "user.contact",
            "user",
            user_id,
            "ok",
            json!({ "email": contact.email.is_some(), "phone": contact.phone.is_some() }),
        );
        self.store.set_contact(user_id, &contact, now, &[audit]).await?;
        Ok(ContactView { user_id: user_id.to_string(), email: contact.email, phone: contact.phone })
    }
}
