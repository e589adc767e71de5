//! Statistics over the cases the caller may see (JSON, CSV or XLSX, against the same period a
//! year earlier), hotspots, seasonal profiles and forecasts.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cordon_app::{
    FiguresView, ForecastView, HotspotQuery, HotspotsView, RiskListView, RiskQuery, SeasonsView, SeriesQuery, StatQuery, StatisticsView,
};
use cordon_core::time::{month_start, year};
use cordon_transfer::Cell;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Query};
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(statistics)).routes(routes!(hotspots)).routes(routes!(seasons)).routes(routes!(forecast)).routes(routes!(risk))
}

/// A time as ms or a date (`2026-01-01`, `01/01/2026`, Vietnam time).
pub(crate) fn when(field: &str, v: Option<&str>, default: i64) -> Result<i64, ApiError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) if v.chars().all(|c| c.is_ascii_digit()) => {
            v.parse().map_err(|_| ApiError::bad_input(format!("{field}: not a time"), Some(field.into())))
        }
        Some(v) => cordon_core::time::parse_datetime(v).ok_or_else(|| {
            ApiError::bad_input(format!("{field}: a date as 2026-01-01 or 01/01/2026, or ms since 1970"), Some(field.into()))
        }),
    }
}

/// Period, grouping, filters and format of statistics.
#[derive(Deserialize, IntoParams)]
pub struct StatisticsParams {
    /// Start (inclusive): ms or a date (`2026-01-01`, `01/01/2026`, Vietnam time). Default: 1 January this year.
    from: Option<String>,
    /// End (exclusive), as `from`. Default: 1 January next year.
    to: Option<String>,
    /// `period`, `agency`, `unit`, `province`, `border_gate`, `route`, `commodity`, `case_type`, `transport_mode`,
    /// `concealment` or `status`; none for the total alone.
    by: Option<String>,
    /// With `by=period`: `day`, `week`, `month` (default), `quarter` or `year`.
    interval: Option<String>,
    /// Only this recording agency.
    agency: Option<String>,
    /// Only this recording unit.
    unit: Option<String>,
    /// Only this province (any name).
    province: Option<String>,
    /// Only this border gate, seaport or airport (code).
    border_gate: Option<String>,
    /// Only this route.
    route: Option<String>,
    /// Only cases with goods of this commodity category.
    commodity: Option<String>,
    /// Only this violation type.
    case_type: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    format: Option<String>,
}

/// The statistics as a table: the total, then one row per group or bucket.
pub fn statistics_rows(s: &StatisticsView) -> Vec<Vec<Cell>> {
    let mut header = vec!["key".to_string(), "label".into(), "from".into(), "to".into()];
    for m in ["cases", "seizures", "value_vnd", "fines_vnd", "fined_cases", "transferred_for_investigation", "prosecuted"] {
        header.push(m.into());
        header.push(format!("{m}_previous_year"));
        if m != "fined_cases" {
            header.push(format!("{m}_change_pct"));
        }
    }
    let mut rows: Vec<Vec<Cell>> = vec![header.into_iter().map(Cell::Text).collect()];
    let text = |v: &Option<String>| v.clone().map_or(Cell::Empty, Cell::Text);
    let date = |ms: Option<i64>| {
        ms.map_or(Cell::Empty, |ms| {
            let (y, m, d, _, _) = cordon_core::time::civil(ms);
            Cell::Text(format!("{y:04}-{m:02}-{d:02}"))
        })
    };
    let pct = |p: Option<f64>| p.map_or(Cell::Empty, Cell::Decimal);
    let figures = |c: &FiguresView, p: &FiguresView, ch: &cordon_app::ChangeView| {
        vec![
            Cell::Number(c.cases),
            Cell::Number(p.cases),
            pct(ch.cases_pct),
            Cell::Number(c.seizures),
            Cell::Number(p.seizures),
            pct(ch.seizures_pct),
            Cell::Number(c.value_vnd),
            Cell::Number(p.value_vnd),
            pct(ch.value_pct),
            Cell::Number(c.fines_vnd),
            Cell::Number(p.fines_vnd),
            pct(ch.fines_pct),
            Cell::Number(c.fined_cases),
            Cell::Number(p.fined_cases),
            Cell::Number(c.transferred_for_investigation),
            Cell::Number(p.transferred_for_investigation),
            pct(ch.transferred_pct),
            Cell::Number(c.prosecuted),
            Cell::Number(p.prosecuted),
            pct(ch.prosecuted_pct),
        ]
    };
    let mut total = vec![Cell::Text("total".into()), Cell::Empty, date(Some(s.from)), date(Some(s.to))];
    total.extend(figures(&s.total.current, &s.total.previous, &s.total.change));
    rows.push(total);
    for l in &s.rows {
        let mut row = vec![text(&l.key), text(&l.label), date(l.from), date(l.to)];
        row.extend(figures(&l.current, &l.previous, &l.change));
        rows.push(row);
    }
    rows
}

/// A table as a CSV or XLSX download, or `None` for JSON.
pub(crate) fn table_download(
    format: &str,
    sheet: &str,
    name: &str,
    rows: impl FnOnce() -> Vec<Vec<Cell>>,
) -> Result<Option<Response>, ApiError> {
    let internal =
        |e: cordon_transfer::TransferError| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", e.to_string());
    let (bytes, media_type, ext) = match format {
        "json" => return Ok(None),
        "csv" => {
            let mut out = Vec::new();
            cordon_transfer::csv_table(rows(), &mut out).map_err(internal)?;
            (out, "text/csv; charset=utf-8", "csv")
        }
        "xlsx" => (
            cordon_transfer::xlsx_table(sheet, rows()).map_err(internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        other => return Err(ApiError::bad_input(format!("format {other:?}: use json, csv or xlsx"), Some("format".into()))),
    };
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(Some(resp))
}

/// Cases, seizures, value, fines, transfers for criminal investigation and prosecutions of the
/// cases the caller may see, for a period and grouped as asked, each against the same period a
/// year earlier with the change in percent — as JSON, CSV or XLSX.
#[utoipa::path(get, path = "/api/v1/statistics", tag = "analytics", params(StatisticsParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = StatisticsView), (status = 400, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn statistics(State(s): State<AppState>, Authed(actor): Authed, Query(p): Query<StatisticsParams>) -> Result<Response, ApiError> {
    let this_year = year(s.app.now_ms());
    let format = p.format.clone().unwrap_or_else(|| "json".into());
    if !matches!(format.as_str(), "json" | "csv" | "xlsx") {
        return Err(ApiError::bad_input(format!("format {format:?}: use json, csv or xlsx"), Some("format".into())));
    }
    let q = StatQuery {
        from: when("from", p.from.as_deref(), month_start(this_year, 1))?,
        to: when("to", p.to.as_deref(), month_start(this_year + 1, 1))?,
        by: p.by,
        interval: p.interval,
        agency: p.agency,
        unit: p.unit,
        province: p.province,
        border_gate: p.border_gate,
        route: p.route,
        commodity: p.commodity,
        case_type: p.case_type,
    };
    let stats = s.app.statistics(&actor, q).await?;
    match table_download(&format, "Statistics", "cordon-statistics", || statistics_rows(&stats))? {
        Some(resp) => Ok(resp),
        None => Ok(axum::Json(stats).into_response()),
    }
}

/// Which series to scan for hotspots.
#[derive(Deserialize, IntoParams)]
pub struct HotspotParams {
    /// `province` (default), `route` or `border_gate`.
    area: Option<String>,
    /// Test the weeks up to the last whole week before this time (ms or a date). Default: now.
    until: Option<String>,
    /// How many recent weeks to test, 1–52 (default 4).
    weeks: Option<u32>,
    /// Baseline weeks before each tested week, 4–52 (default 12).
    window: Option<u32>,
    /// False-alarm rate per series and week, above 0 and at most 0.05 (default 0.001).
    alpha: Option<f64>,
    /// Only this commodity category.
    commodity: Option<String>,
    /// Only this violation type.
    case_type: Option<String>,
    /// Only this province (any name).
    province: Option<String>,
}

/// Areas and routes whose weekly cases (per commodity, and over all) rose significantly above
/// their own baseline in the recent weeks, by the exact Poisson C-test; says how many alarms
/// chance alone would give.
#[utoipa::path(get, path = "/api/v1/statistics/hotspots", tag = "analytics", params(HotspotParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = HotspotsView), (status = 400, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn hotspots(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(p): Query<HotspotParams>,
) -> Result<axum::Json<HotspotsView>, ApiError> {
    let q = HotspotQuery {
        area: p.area,
        until: when("until", p.until.as_deref(), s.app.now_ms())?,
        weeks: p.weeks,
        window: p.window,
        alpha: p.alpha,
        commodity: p.commodity,
        case_type: p.case_type,
        province: p.province,
    };
    Ok(axum::Json(s.app.hotspots(&actor, q).await?))
}

/// The history a profile or forecast is drawn from.
#[derive(Deserialize, IntoParams)]
pub struct SeriesParams {
    /// History from (ms or a date). Default: 1 January five years ago.
    from: Option<String>,
    /// History until (exclusive). Default: now.
    to: Option<String>,
    /// Only this province (any name).
    province: Option<String>,
    /// Only this commodity category.
    commodity: Option<String>,
    /// Only this violation type.
    case_type: Option<String>,
    /// Forecast: weeks ahead, 1–26 (default 8).
    weeks: Option<u32>,
    /// Forecast: past weeks held out to measure the error, 4–52 (default 13).
    holdout: Option<u32>,
}

fn series_query(s: &AppState, p: SeriesParams) -> Result<SeriesQuery, ApiError> {
    let now = s.app.now_ms();
    Ok(SeriesQuery {
        from: when("from", p.from.as_deref(), month_start(year(now) - 5, 1))?,
        to: when("to", p.to.as_deref(), now)?,
        province: p.province,
        commodity: p.commodity,
        case_type: p.case_type,
        weeks: p.weeks,
        holdout: p.holdout,
    })
}

/// Seasonal profiles of the cases the caller may see: the weeks around Tết (aligned on each
/// year's Tết) and the months of the year.
#[utoipa::path(get, path = "/api/v1/statistics/seasons", tag = "analytics", params(SeriesParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = SeasonsView), (status = 400, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn seasons(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(p): Query<SeriesParams>,
) -> Result<axum::Json<SeasonsView>, ApiError> {
    let q = series_query(&s, p)?;
    Ok(axum::Json(s.app.seasons(&actor, q).await?))
}

/// A forecast of the coming weeks' cases (per province and commodity, as filtered) with each
/// method's error (MASE, MAPE) on held-out past weeks.
#[utoipa::path(get, path = "/api/v1/statistics/forecast", tag = "analytics", params(SeriesParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ForecastView), (status = 400, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn forecast(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(p): Query<SeriesParams>,
) -> Result<axum::Json<ForecastView>, ApiError> {
    let q = series_query(&s, p)?;
    Ok(axum::Json(s.app.forecast(&actor, q).await?))
}

/// What to score.
#[derive(Deserialize, IntoParams)]
pub struct RiskParams {
    /// `company`, `person`, `vehicle`, `vessel`, `phone`, `bank_account`, `seller_account`, `product` (HS heading),
    /// `route`, `area` (province) or `border_gate`.
    subject: String,
    /// History from (ms or a date). Default: three years ago.
    since: Option<String>,
    /// Only this subject (entity id, heading, route, province or border gate code).
    key: Option<String>,
    /// How many, highest first, 1–500 (default 50).
    limit: Option<u32>,
}

/// Risk scores from the history the caller may see, each explained by its factors, highest
/// first (a watchlist); computed on read, so a new case counts at once. Persons, phones and
/// accounts are scored only from the caller's own agency's cases.
#[utoipa::path(get, path = "/api/v1/risk", tag = "analytics", params(RiskParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RiskListView), (status = 400, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn risk(State(s): State<AppState>, Authed(actor): Authed, Query(p): Query<RiskParams>) -> Result<axum::Json<RiskListView>, ApiError> {
    let now = s.app.now_ms();
    let q =
        RiskQuery { subject: p.subject, since: when("since", p.since.as_deref(), now - 3 * 365 * 86_400_000)?, key: p.key, limit: p.limit };
    Ok(axum::Json(s.app.risk(&actor, q).await?))
}
