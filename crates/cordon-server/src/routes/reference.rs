//! Reference data: provinces (with pre-merger names resolved), ports, HS chapters, commodities.

use axum::extract::State;
use cordon_core::reference::{reference, ProvinceKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Query};
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(provinces)).routes(routes!(ports)).routes(routes!(hs_chapters)).routes(routes!(commodities))
}

/// A province in force since 1 July 2025.
#[derive(Serialize, ToSchema)]
pub struct ProvinceView {
    /// Stable code.
    code: &'static str,
    /// Vietnamese name.
    name_vi: &'static str,
    /// English name.
    name_en: &'static str,
    /// `city` or `province`.
    kind: &'static str,
    /// Pre-merger provinces now part of it.
    merged_from: Vec<&'static str>,
}

/// Look a province up by any of its names.
#[derive(Deserialize, IntoParams)]
pub struct ProvinceQuery {
    /// A current or pre-merger name, with or without diacritics; omit to list all.
    name: Option<String>,
}

/// The 34 provinces, or the one a name resolves to.
#[utoipa::path(get, path = "/api/v1/reference/provinces", tag = "reference", params(ProvinceQuery), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<ProvinceView>), (status = 404, body = crate::problem::Problem)))]
async fn provinces(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(q): Query<ProvinceQuery>,
) -> Result<axum::Json<Vec<ProvinceView>>, ApiError> {
    actor.require_active().map_err(ApiError::from)?;
    let _ = s;
    let r = reference();
    let view = |p: &cordon_core::reference::Province| ProvinceView {
        code: p.code,
        name_vi: p.name_vi,
        name_en: p.name_en,
        kind: if p.kind == ProvinceKind::City { "city" } else { "province" },
        merged_from: p.merged_from.clone(),
    };
    match q.name {
        Some(name) => {
            let p = r.resolve_province(&name).ok_or_else(|| ApiError::from(cordon_app::AppError::NotFound("province")))?;
            Ok(axum::Json(vec![view(p)]))
        }
        None => Ok(axum::Json(r.provinces.iter().map(view).collect())),
    }
}

/// A border gate, seaport or airport.
#[derive(Serialize, ToSchema)]
pub struct PortView {
    /// Stable code.
    code: &'static str,
    /// Vietnamese name.
    name_vi: &'static str,
    /// English name.
    name_en: &'static str,
    /// `land_border_gate`, `seaport` or `airport`.
    kind: &'static str,
    /// Province code.
    province: &'static str,
    /// Country across a land border.
    neighbour: Option<&'static str>,
}

/// Border gates, seaports and international airports.
#[utoipa::path(get, path = "/api/v1/reference/ports", tag = "reference", security(("bearer" = []), ("session" = [])), responses((status = 200, body = Vec<PortView>)))]
async fn ports(Authed(actor): Authed) -> Result<axum::Json<Vec<PortView>>, ApiError> {
    actor.require_active().map_err(ApiError::from)?;
    Ok(axum::Json(
        reference()
            .ports
            .iter()
            .map(|p| PortView {
                code: p.code,
                name_vi: p.name_vi,
                name_en: p.name_en,
                kind: p.kind.as_str(),
                province: p.province,
                neighbour: p.neighbour,
            })
            .collect(),
    ))
}

/// An HS chapter.
#[derive(Serialize, ToSchema)]
pub struct HsChapterView {
    /// Two digits.
    chapter: &'static str,
    /// English title.
    title_en: &'static str,
}

/// HS chapters.
#[utoipa::path(get, path = "/api/v1/reference/hs-chapters", tag = "reference", security(("bearer" = []), ("session" = [])), responses((status = 200, body = Vec<HsChapterView>)))]
async fn hs_chapters(Authed(actor): Authed) -> Result<axum::Json<Vec<HsChapterView>>, ApiError> {
    actor.require_active().map_err(ApiError::from)?;
    Ok(axum::Json(reference().hs_chapters.iter().map(|c| HsChapterView { chapter: c.chapter, title_en: c.title_en }).collect()))
}

/// A commodity category used in reporting.
#[derive(Serialize, ToSchema)]
pub struct CommodityView {
    /// Stable code.
    code: &'static str,
    /// Vietnamese name.
    name_vi: &'static str,
    /// English name.
    name_en: &'static str,
}

/// Commodity categories.
#[utoipa::path(get, path = "/api/v1/reference/commodities", tag = "reference", security(("bearer" = []), ("session" = [])), responses((status = 200, body = Vec<CommodityView>)))]
async fn commodities(Authed(actor): Authed) -> Result<axum::Json<Vec<CommodityView>>, ApiError> {
    actor.require_active().map_err(ApiError::from)?;
    Ok(axum::Json(reference().commodities.iter().map(|c| CommodityView { code: c.code, name_vi: c.name_vi, name_en: c.name_en }).collect()))
}
