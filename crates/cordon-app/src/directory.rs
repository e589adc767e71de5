//! The directory: agencies, units, users, and the reference data everyone reads.

use cordon_core::account::validate_username;
use cordon_core::model::validate_slug;
use cordon_core::reference::reference;
use cordon_core::{Agency, AgencyKind, Invalid, Language, Role, Unit, User};
use cordon_store::{NewAgency, NewUnit, NewUser};
use serde_json::json;

use crate::ids::new_id;
use crate::{Actor, App, AppError};

/// An agency as an administrator enters it.
#[derive(Debug, Clone)]
pub struct NewAgencyInput {
    /// Slug id.
    pub id: String,
    /// Kind code.
    pub kind: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// ISO 3166-1 alpha-2; VN if omitted.
    pub country: Option<String>,
}

/// A unit as an administrator enters it.
#[derive(Debug, Clone)]
pub struct NewUnitInput {
    /// Slug id.
    pub id: String,
    /// Owning agency.
    pub agency_id: String,
    /// Parent unit.
    pub parent_id: Option<String>,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Province, by code or by any current or pre-merger name.
    pub province: Option<String>,
}

/// A user as an administrator (or the operator) enters it.
#[derive(Debug, Clone)]
pub struct NewUserInput {
    /// Login name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Unit id.
    pub unit_id: String,
    /// Role codes.
    pub roles: Vec<String>,
    /// Initial password.
    pub password: String,
    /// Whether the user must change it at first login.
    pub must_change_password: bool,
    /// `vi` or `en`.
    pub language: Option<String>,
}

fn name(field: &'static str, value: &str) -> Result<String, Invalid> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > 200 {
        return Err(Invalid::new(field, "1 to 200 characters"));
    }
    Ok(v.to_string())
}

impl App {
    /// Creates an agency (administrators).
    pub async fn create_agency(&self, actor: &Actor, input: NewAgencyInput) -> Result<Agency, AppError> {
        actor.require_admin()?;
        validate_slug("id", &input.id)?;
        let kind = AgencyKind::parse(&input.kind).ok_or_else(|| Invalid::new("kind", "not a known agency kind"))?;
        let country = input.country.unwrap_or_else(|| "VN".into()).to_ascii_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(Invalid::new("country", "a two-letter ISO 3166 code").into());
        }
        if kind.is_domestic() != (country == "VN") {
            return Err(Invalid::new("country", "domestic agencies are VN, foreign partners are not").into());
        }
        let a =
            NewAgency { id: input.id, kind, name_vi: name("name_vi", &input.name_vi)?, name_en: name("name_en", &input.name_en)?, country };
        let now = self.now_ms();
        let entry = actor.audit(now, "agency.create", "agency", &a.id, "ok", json!({ "kind": kind.as_str() }));
        let inserted = self.store.insert_agency(&a, &[entry]).await;
        // An agency the cache remembered as missing now exists.
        self.cache.forget_all();
        inserted?;
        Ok(Agency { id: a.id, kind, name_vi: a.name_vi, name_en: a.name_en, country: a.country })
    }

    /// Creates a unit (administrators); the province may be given by any of its names.
    pub async fn create_unit(&self, actor: &Actor, input: NewUnitInput) -> Result<Unit, AppError> {
        actor.require_admin()?;
        validate_slug("id", &input.id)?;
        if self.store.agency(&input.agency_id).await?.is_none() {
            return Err(Invalid::new("agency_id", "no such agency").into());
        }
        if let Some(parent) = &input.parent_id {
            match self.store.unit(parent).await? {
                Some(p) if p.agency_id == input.agency_id => {}
                Some(_) => return Err(Invalid::new("parent_id", "the parent unit belongs to another agency").into()),
                None => return Err(Invalid::new("parent_id", "no such unit").into()),
            }
        }
        let province_code = match input.province.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => Some(
                reference()
                    .resolve_province(p)
                    .map(|p| p.code.to_string())
                    .ok_or_else(|| Invalid::new("province", "not a province of Vietnam (current or pre-2025 name)"))?,
            ),
            None => None,
        };
        let u = NewUnit {
            id: input.id,
            agency_id: input.agency_id,
            parent_id: input.parent_id,
            name_vi: name("name_vi", &input.name_vi)?,
            name_en: name("name_en", &input.name_en)?,
            province_code,
        };
        let now = self.now_ms();
        let entry = actor.audit(now, "unit.create", "unit", &u.id, "ok", json!({ "agency_id": u.agency_id }));
        self.store.insert_unit(&u, &[entry]).await?;
        Ok(Unit {
            id: u.id,
            agency_id: u.agency_id,
            parent_id: u.parent_id,
            name_vi: u.name_vi,
            name_en: u.name_en,
            province_code: u.province_code,
        })
    }

    /// Creates a user (administrators, or the operator at the CLI).
    pub async fn create_user(&self, actor: &Actor, input: NewUserInput) -> Result<User, AppError> {
        actor.require_admin()?;
        validate_username(&input.username)?;
        let display_name = name("display_name", &input.display_name)?;
        if input.roles.is_empty() {
            return Err(Invalid::new("roles", "at least one role").into());
        }
        let roles = input
            .roles
            .iter()
            .map(|r| Role::parse(r).ok_or_else(|| Invalid::new("roles", format!("unknown role {r:?}"))))
            .collect::<Result<Vec<_>, _>>()?;
        let language = match input.language.as_deref() {
            None => Language::Vi,
            Some(l) => Language::parse(l).ok_or_else(|| Invalid::new("language", "vi or en"))?,
        };
        if self.store.unit(&input.unit_id).await?.is_none() {
            return Err(Invalid::new("unit_id", "no such unit").into());
        }
        let password_hash = self.hash_new_password(&input.password, &input.username).await?;
        let now = self.now_ms();
        let id = new_id(now);
        let u = NewUser {
            id: id.clone(),
            username: input.username,
            display_name,
            unit_id: input.unit_id,
            roles,
            password_hash,
            must_change_password: input.must_change_password,
            language,
        };
        let entry = actor.audit(now, "user.create", "user", &id, "ok", json!({ "username": u.username, "unit_id": u.unit_id }));
        self.store.insert_user(&u, now, &[entry]).await?;
        self.store.user(&id).await?.ok_or(AppError::NotFound("user"))
    }

    /// Lists agencies (any signed-in user: addressing notices and requests needs them).
    pub async fn agencies(&self, actor: &Actor) -> Result<Vec<Agency>, AppError> {
        actor.require_active()?;
        Ok(self.store.agencies().await?)
    }

    /// Lists units, all or of one agency (any signed-in user).
    pub async fn units(&self, actor: &Actor, agency_id: Option<&str>) -> Result<Vec<Unit>, AppError> {
        actor.require_active()?;
        Ok(self.store.units(agency_id).await?)
    }

    /// Sets the actor's own interface language.
    pub async fn set_language(&self, actor: &Actor, language: Language) -> Result<(), AppError> {
        let set = self.store.set_user_language(&actor.user.id, language, self.now_ms()).await;
        // The cached actor carries the language the pages are drawn in.
        self.cache.forget_user(&actor.user.id);
        Ok(set?)
    }

    /// Lists user accounts (administrators).
    pub async fn users(&self, actor: &Actor, unit_id: Option<&str>) -> Result<Vec<User>, AppError> {
        actor.require_admin()?;
        Ok(self.store.users(unit_id).await?)
    }
}
