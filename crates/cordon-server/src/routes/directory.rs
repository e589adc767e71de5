//! Agencies, units and users.

use axum::extract::State;
use axum::http::StatusCode;
use cordon_app::{NewAgencyInput, NewUnitInput, NewUserInput};
use cordon_core::{Agency, Unit, User};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Json, Query};
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_agencies, create_agency)).routes(routes!(list_units, create_unit)).routes(routes!(list_users, create_user))
}

/// An agency.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct AgencyView {
    /// Slug id.
    id: String,
    /// Kind code (`customs`, `border_guard`, …).
    kind: String,
    /// Vietnamese name.
    name_vi: String,
    /// English name.
    name_en: String,
    /// ISO country.
    country: String,
}

impl From<Agency> for AgencyView {
    fn from(a: Agency) -> Self {
        AgencyView { id: a.id, kind: a.kind.as_str().into(), name_vi: a.name_vi, name_en: a.name_en, country: a.country }
    }
}

/// A unit.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct UnitView {
    /// Slug id.
    id: String,
    /// Owning agency.
    agency_id: String,
    /// Parent unit.
    parent_id: Option<String>,
    /// Vietnamese name.
    name_vi: String,
    /// English name.
    name_en: String,
    /// Province code.
    province_code: Option<String>,
}

impl From<Unit> for UnitView {
    fn from(u: Unit) -> Self {
        UnitView {
            id: u.id,
            agency_id: u.agency_id,
            parent_id: u.parent_id,
            name_vi: u.name_vi,
            name_en: u.name_en,
            province_code: u.province_code,
        }
    }
}

/// A user account (never with its password).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct UserView {
    /// Id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Unit.
    pub unit_id: String,
    /// Role codes.
    pub roles: Vec<String>,
    /// Whether the password must be changed before anything else.
    pub must_change_password: bool,
    /// `vi` or `en`.
    pub language: String,
    /// Disabled accounts cannot sign in.
    pub disabled: bool,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.clone(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            unit_id: u.unit_id.clone(),
            roles: u.roles.iter().map(|r| r.as_str().to_string()).collect(),
            must_change_password: u.must_change_password,
            language: u.language.as_str().into(),
            disabled: u.disabled,
        }
    }
}

/// All agencies.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "directory", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<AgencyView>), (status = 401, body = crate::problem::Problem)))]
async fn list_agencies(State(s): State<AppState>, Authed(actor): Authed) -> Result<axum::Json<Vec<AgencyView>>, ApiError> {
    Ok(axum::Json(s.app.agencies(&actor).await?.into_iter().map(AgencyView::from).collect()))
}

/// A new agency.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgency {
    /// Slug id: a–z, 0–9 and '-'.
    id: String,
    /// Kind code.
    kind: String,
    /// Vietnamese name.
    name_vi: String,
    /// English name.
    name_en: String,
    /// ISO country; VN by default.
    #[serde(default)]
    country: Option<String>,
}

/// Creates an agency (administrators).
#[utoipa::path(post, path = "/api/v1/agencies", tag = "directory", request_body = NewAgency, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = AgencyView), (status = 403, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn create_agency(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(a): Json<NewAgency>,
) -> Result<(StatusCode, axum::Json<AgencyView>), ApiError> {
    let input = NewAgencyInput { id: a.id, kind: a.kind, name_vi: a.name_vi, name_en: a.name_en, country: a.country };
    Ok((StatusCode::CREATED, axum::Json(s.app.create_agency(&actor, input).await?.into())))
}

/// Filter units by agency.
#[derive(Deserialize, IntoParams)]
pub struct UnitFilter {
    /// Only this agency's units.
    agency_id: Option<String>,
}

/// Units, all or of one agency.
#[utoipa::path(get, path = "/api/v1/units", tag = "directory", params(UnitFilter), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<UnitView>), (status = 401, body = crate::problem::Problem)))]
async fn list_units(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(f): Query<UnitFilter>,
) -> Result<axum::Json<Vec<UnitView>>, ApiError> {
    Ok(axum::Json(s.app.units(&actor, f.agency_id.as_deref()).await?.into_iter().map(UnitView::from).collect()))
}

/// A new unit.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    /// Slug id.
    id: String,
    /// Owning agency.
    agency_id: String,
    /// Parent unit of the same agency.
    #[serde(default)]
    parent_id: Option<String>,
    /// Vietnamese name.
    name_vi: String,
    /// English name.
    name_en: String,
    /// Province by code or name (pre-2025 names are accepted and resolved).
    #[serde(default)]
    province: Option<String>,
}

/// Creates a unit (administrators).
#[utoipa::path(post, path = "/api/v1/units", tag = "directory", request_body = NewUnit, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = UnitView), (status = 403, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn create_unit(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(u): Json<NewUnit>,
) -> Result<(StatusCode, axum::Json<UnitView>), ApiError> {
    let input = NewUnitInput {
        id: u.id,
        agency_id: u.agency_id,
        parent_id: u.parent_id,
        name_vi: u.name_vi,
        name_en: u.name_en,
        province: u.province,
    };
    Ok((StatusCode::CREATED, axum::Json(s.app.create_unit(&actor, input).await?.into())))
}

/// Filter users by unit.
#[derive(Deserialize, IntoParams)]
pub struct UserFilter {
    /// Only this unit's users.
    unit_id: Option<String>,
}

/// User accounts (administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "directory", params(UserFilter), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<UserView>), (status = 403, body = crate::problem::Problem)))]
async fn list_users(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(f): Query<UserFilter>,
) -> Result<axum::Json<Vec<UserView>>, ApiError> {
    Ok(axum::Json(s.app.users(&actor, f.unit_id.as_deref()).await?.iter().map(UserView::from).collect()))
}

/// A new user.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Login name.
    username: String,
    /// Shown name.
    display_name: String,
    /// Unit.
    unit_id: String,
    /// Role codes.
    roles: Vec<String>,
    /// Initial password; the user must change it at first sign-in unless told otherwise.
    password: String,
    /// Default true.
    #[serde(default)]
    must_change_password: Option<bool>,
    /// `vi` (default) or `en`.
    #[serde(default)]
    language: Option<String>,
}

/// Creates a user (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "directory", request_body = NewUser, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = UserView), (status = 403, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn create_user(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(u): Json<NewUser>,
) -> Result<(StatusCode, axum::Json<UserView>), ApiError> {
    let input = NewUserInput {
        username: u.username,
        display_name: u.display_name,
        unit_id: u.unit_id,
        roles: u.roles,
        password: u.password,
        must_change_password: u.must_change_password.unwrap_or(true),
        language: u.language,
    };
    let user = s.app.create_user(&actor, input).await?;
    Ok((StatusCode::CREATED, axum::Json(UserView::from(&user))))
}
