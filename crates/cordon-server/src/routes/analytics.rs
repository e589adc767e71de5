//! Statistics over the cases the caller may see (JSON, CSV or XLSX, against the same period a
//! year earlier), hotspots, seasonal profiles and forecasts.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cordon_app::{
    ForecastView, HotspotQuery, HotspotsView, ReportQuery, ReportScheduleInput, ReportScheduleView, ReportTemplateView, ReportView,
    RiskListView, RiskQuery, SeasonsView, SeriesQuery, StatLineView, StatQuery, StatisticsView,
};
use cordon_core::time::{month_start, year};
use cordon_transfer::{Block, Cell};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Json, Query};
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(statistics))
        .routes(routes!(hotspots))
        .routes(routes!(seasons))
        .routes(routes!(forecast))
        .routes(routes!(risk))
        .routes(routes!(report))
        .routes(routes!(report_template, set_report_template))
        .routes(routes!(report_schedules, create_report_schedule))
}

/// The caller's report schedules (all of them for administrators), with when each last went
/// out and why the last attempt failed, if it did.
#[utoipa::path(get, path = "/api/v1/report-schedules", tag = "analytics", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<ReportScheduleView>)))]
async fn report_schedules(State(s): State<AppState>, Authed(actor): Authed) -> Result<axum::Json<Vec<ReportScheduleView>>, ApiError> {
    Ok(axum::Json(s.app.report_schedules(&actor).await?))
}

/// Schedules a report to be e-mailed once each period ends, written with the caller's view of
/// the cases; the first goes out for the period that ends next.
#[utoipa::path(post, path = "/api/v1/report-schedules", tag = "analytics", request_body = ReportScheduleInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = ReportScheduleView), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn create_report_schedule(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(input): Json<ReportScheduleInput>,
) -> Result<(StatusCode, axum::Json<ReportScheduleView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.create_report_schedule(&actor, input).await?)))
}

/// The template reports of a scope (`country` or an agency id) are written with.
#[utoipa::path(get, path = "/api/v1/report-templates/{scope}", tag = "analytics", params(("scope" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ReportTemplateView), (status = 404, body = crate::problem::Problem)))]
async fn report_template(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(scope): Path<String>,
) -> Result<axum::Json<ReportTemplateView>, ApiError> {
    Ok(axum::Json(s.app.report_template(&actor, &scope).await?))
}

/// Sets the template of a scope (administrators): title, authority lines, introduction,
/// closing and the sections kept; every version is in the audit log.
#[utoipa::path(put, path = "/api/v1/report-templates/{scope}", tag = "analytics", params(("scope" = String, Path)),
    request_body = ReportTemplateView, security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ReportTemplateView), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn set_report_template(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(scope): Path<String>,
    Json(t): Json<ReportTemplateView>,
) -> Result<axum::Json<ReportTemplateView>, ApiError> {
    Ok(axum::Json(s.app.set_report_template(&actor, &scope, t).await?))
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

fn figure_header() -> Vec<String> {
    let mut header = Vec::new();
    for m in ["cases", "seizures", "value_vnd", "fines_vnd", "fined_cases", "transferred_for_investigation", "prosecuted"] {
        header.push(m.to_string());
        header.push(format!("{m}_previous_year"));
        if m != "fined_cases" {
            header.push(format!("{m}_change_pct"));
        }
    }
    header
}

fn date_cell(ms: Option<i64>) -> Cell {
    ms.map_or(Cell::Empty, |ms| {
        let (y, m, d, _, _) = cordon_core::time::civil(ms);
        Cell::Text(format!("{y:04}-{m:02}-{d:02}"))
    })
}

/// A line's key, label, span and figures as cells.
fn line_cells(key: Cell, l: &StatLineView) -> Vec<Cell> {
    let pct = |p: Option<f64>| p.map_or(Cell::Empty, Cell::Decimal);
    let (c, p, ch) = (&l.current, &l.previous, &l.change);
    vec![
        key,
        l.label.clone().map_or(Cell::Empty, Cell::Text),
        date_cell(l.from),
        date_cell(l.to),
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
}

/// The statistics as a table: the total, then one row per group or bucket.
pub fn statistics_rows(s: &StatisticsView) -> Vec<Vec<Cell>> {
    let mut header = vec!["key".to_string(), "label".into(), "from".into(), "to".into()];
    header.extend(figure_header());
    let mut rows: Vec<Vec<Cell>> = vec![header.into_iter().map(Cell::Text).collect()];
    let mut total = line_cells(Cell::Text("total".into()), &s.total);
    (total[2], total[3]) = (date_cell(Some(s.from)), date_cell(Some(s.to)));
    rows.push(total);
    for l in &s.rows {
        rows.push(line_cells(l.key.clone().map_or(Cell::Empty, Cell::Text), l));
    }
    rows
}

/// A report as a table: one row per line, the first column naming its section.
pub fn report_rows(r: &ReportView) -> Vec<Vec<Cell>> {
    let mut header = vec!["section".to_string(), "key".into(), "label".into(), "from".into(), "to".into()];
    header.extend(figure_header());
    let mut rows: Vec<Vec<Cell>> = vec![header.into_iter().map(Cell::Text).collect()];
    let mut push = |section: &str, key: Cell, l: &StatLineView, span: Option<(i64, i64)>| {
        let mut cells = vec![Cell::Text(section.into())];
        let mut line = line_cells(key, l);
        if let Some((a, b)) = span {
            (line[2], line[3]) = (date_cell(Some(a)), date_cell(Some(b)));
        }
        cells.extend(line);
        rows.push(cells);
    };
    push("total", Cell::Text(r.title.clone()), &r.total, Some((r.from, r.to)));
    for (section, lines) in
        [("period", &r.by_period), ("province", &r.by_province), ("commodity", &r.by_commodity), ("case_type", &r.by_case_type)]
    {
        for l in lines {
            push(section, l.key.clone().map_or(Cell::Empty, Cell::Text), l, None);
        }
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

/// Which report, for whom, in which format.
#[derive(Deserialize, IntoParams)]
pub struct ReportParams {
    /// `monthly`, `quarterly`, `six_monthly`, `yearly` or `tet` (the Tết peak period: 45 days before to 15 days after Tết).
    kind: String,
    /// The year (for `tet`, the year of the Tết).
    year: i64,
    /// The month (1–12), quarter (1–4) or half (1–2).
    period: Option<i64>,
    /// `country` (default), `agency` or `unit`.
    scope: Option<String>,
    /// With `scope=agency`: the agency (default the caller's).
    agency: Option<String>,
    /// With `scope=unit`: the unit (default the caller's).
    unit: Option<String>,
    /// `pdf` (default), `xlsx`, `csv` or `json`.
    format: Option<String>,
}

fn vn_date(ms: i64) -> String {
    let (y, m, d, _, _) = cordon_core::time::civil(ms);
    format!("{d:02}/{m:02}/{y}")
}

fn pct_text(p: Option<f64>) -> String {
    match p {
        Some(p) if p > 0.0 => format!("+{}", cordon_transfer::format_figure(p)),
        Some(p) => cordon_transfer::format_figure(p),
        None => "—".into(),
    }
}

/// The report laid out for print, in Vietnamese.
pub fn report_blocks(r: &ReportView) -> Vec<Block> {
    use cordon_transfer::format_figure as fig;
    let day = 86_400_000;
    let millions = |v: i64| fig((v as f64 / 1e6 * 10.0).round() / 10.0);
    let tpl = &r.template;
    // The authority's lines head the page, then the title the template gives.
    let mut blocks: Vec<Block> =
        tpl.authority.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| Block::Paragraph(l.to_string())).collect();
    blocks.extend([
        Block::Title(tpl.title.clone()),
        Block::Heading(r.title.clone()),
        Block::Paragraph(format!("Phạm vi: {}. Kỳ báo cáo: từ ngày {} đến ngày {}.", r.scope, vn_date(r.from), vn_date(r.to - day))),
        Block::Paragraph(format!("So sánh với: từ ngày {} đến ngày {}.", vn_date(r.previous_from), vn_date(r.previous_to - day))),
    ]);
    for para in tpl.introduction.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        blocks.push(Block::Paragraph(para.to_string()));
    }
    let (c, p, ch) = (&r.total.current, &r.total.previous, &r.total.change);
    let line = |label: &str, a: i64, b: i64, pct: Option<f64>| vec![label.to_string(), fig(a as f64), fig(b as f64), pct_text(pct)];
    // Sections are numbered as kept.
    let mut number = 0;
    let mut numbered = |title: &str| {
        number += 1;
        format!("{number}. {title}")
    };
    blocks.push(Block::Heading(numbered("Kết quả chung")));
    blocks.push(Block::Table {
        header: vec!["Chỉ tiêu".into(), "Kỳ báo cáo".into(), "Cùng kỳ".into(), "Tăng/giảm (%)".into()],
        rows: vec![
            line("Số vụ phát hiện, bắt giữ", c.cases, p.cases, ch.cases_pct),
            line("Số vụ thu giữ hàng hóa, phương tiện", c.seizures, p.seizures, ch.seizures_pct),
            line("Trị giá hàng hóa vi phạm (đồng)", c.value_vnd, p.value_vnd, ch.value_pct),
            line("Tiền phạt (đồng)", c.fines_vnd, p.fines_vnd, ch.fines_pct),
            line("Số vụ bị xử phạt", c.fined_cases, p.fined_cases, None),
            line("Chuyển cơ quan điều tra", c.transferred_for_investigation, p.transferred_for_investigation, ch.transferred_pct),
            line("Khởi tố", c.prosecuted, p.prosecuted, ch.prosecuted_pct),
        ],
    });
    if tpl.keeps("by_period") {
        blocks.push(Block::Heading(numbered("Diễn biến theo thời gian (số vụ)")));
        blocks.push(Block::BarChart {
            bars: r.by_period.iter().map(|l| (l.key.clone().unwrap_or_default(), l.current.cases as f64)).collect(),
        });
    }
    let dimension = |title: &str, lines: &[StatLineView], name: &dyn Fn(&StatLineView) -> String| {
        vec![
            Block::Heading(title.into()),
            Block::Table {
                header: vec!["".into(), "Số vụ".into(), "Cùng kỳ".into(), "± (%)".into(), "Trị giá (tr. đ)".into()],
                rows: lines
                    .iter()
                    .take(20)
                    .map(|l| {
                        vec![
                            name(l),
                            fig(l.current.cases as f64),
                            fig(l.previous.cases as f64),
                            pct_text(l.change.cases_pct),
                            millions(l.current.value_vnd),
                        ]
                    })
                    .collect(),
            },
        ]
    };
    let named = |l: &StatLineView| l.label.clone().or_else(|| l.key.clone()).unwrap_or_else(|| "Không rõ".into());
    if tpl.keeps("by_province") {
        blocks.extend(dimension(&numbered("Theo địa bàn (tỉnh, thành phố)"), &r.by_province, &named));
    }
    if tpl.keeps("by_commodity") {
        blocks.extend(dimension(&numbered("Theo mặt hàng"), &r.by_commodity, &named));
    }
    let case_type = |l: &StatLineView| {
        l.key.as_deref().map(|k| crate::ui::i18n::code_label(cordon_core::Language::Vi, k).to_string()).unwrap_or_else(|| "Không rõ".into())
    };
    if tpl.keeps("by_case_type") {
        blocks.extend(dimension(&numbered("Theo loại vi phạm"), &r.by_case_type, &case_type));
    }
    blocks.push(Block::Paragraph(format!(
        "Số liệu gồm các vụ việc mà người lập báo cáo được phép xem theo quy tắc chia sẻ; lập lúc {}.",
        crate::ui::i18n::datetime(r.generated_at)
    )));
    for para in tpl.closing.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        blocks.push(Block::Paragraph(para.to_string()));
    }
    blocks
}

/// A monthly, quarterly, six-monthly, yearly or Tết peak-period report for the country, an
/// agency or a unit, over the cases the caller may see: PDF (Vietnamese, with a chart and
/// tables), XLSX, CSV or JSON.
#[utoipa::path(get, path = "/api/v1/reports", tag = "analytics", params(ReportParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ReportView), (status = 400, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn report(State(s): State<AppState>, Authed(actor): Authed, Query(p): Query<ReportParams>) -> Result<Response, ApiError> {
    let format = p.format.clone().unwrap_or_else(|| "pdf".into());
    if !matches!(format.as_str(), "pdf" | "json" | "csv" | "xlsx") {
        return Err(ApiError::bad_input(format!("format {format:?}: use pdf, xlsx, csv or json"), Some("format".into())));
    }
    let q = ReportQuery { kind: p.kind, year: p.year, period: p.period, scope: p.scope, agency: p.agency, unit: p.unit };
    let r = s.app.report(&actor, q).await?;
    if format == "pdf" {
        let (name, media_type, bytes) = crate::reports::report_file(&r, "pdf")
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", e.to_string()))?;
        let mut resp = bytes.into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        return Ok(resp);
    }
    let name = format!("cordon-report-{}-{}", r.kind, cordon_core::time::year(r.from));
    match table_download(&format, "Report", &name, || report_rows(&r))? {
        Some(resp) => Ok(resp),
        None => Ok(axum::Json(r).into_response()),
    }
}
