//! Analytics pages: statistics against the same period last year with a chart, hotspots, the
//! season around Tết, a forecast, risk watchlists and report downloads; and the directives
//! board (the Standing Office's view across agencies, or an agency's own tasks).

use cordon_app::{DirectiveInput, HotspotQuery, RiskQuery, SeriesQuery, StatLineView, StatQuery, TaskInput, TaskReportInput};
use cordon_core::directive::DirectiveKind;

use super::*;

/// This page's words: (key, Vietnamese, English). Kept beside the page so that the shared word
/// list is not edited by every area at once.
const WORDS: &[(&str, &str, &str)] = &[
    ("an.title", "Phân tích, thống kê", "Analytics"),
    ("an.from", "Từ ngày", "From"),
    ("an.to", "Đến ngày (không tính)", "To (exclusive)"),
    ("an.by", "Theo", "By"),
    ("an.show", "Xem", "Show"),
    ("an.cases", "Số vụ", "Cases"),
    ("an.seizures", "Vụ thu giữ", "Seizures"),
    ("an.value", "Trị giá hàng hóa", "Value of goods"),
    ("an.fines", "Tiền phạt", "Fines"),
    ("an.transferred", "Chuyển điều tra", "Transferred for investigation"),
    ("an.prosecuted", "Khởi tố", "Prosecuted"),
    ("an.previous", "Cùng kỳ năm trước", "Same period last year"),
    ("an.change", "Tăng/giảm", "Change"),
    ("an.hotspots", "Điểm nóng 4 tuần gần nhất (kiểm định Poisson chính xác)", "Hotspots, last 4 weeks (exact Poisson test)"),
    ("an.no_hotspots", "Không có điểm nóng.", "No hotspots."),
    ("an.expected", "Số cảnh báo nhầm kỳ vọng do ngẫu nhiên", "Alarms expected by chance"),
    ("an.area", "Địa bàn", "Area"),
    ("an.commodity", "Mặt hàng", "Commodity"),
    ("an.all_commodities", "Mọi mặt hàng", "All commodities"),
    ("an.week", "Tuần", "Week"),
    ("an.baseline", "Bình quân nền/tuần", "Baseline per week"),
    ("an.tet", "Mùa vụ quanh Tết Nguyên đán (chỉ số, 1 = bình thường)", "Season around Tết (index, 1 = usual)"),
    ("an.forecast", "Dự báo số vụ các tuần tới", "Forecast of the coming weeks"),
    ("an.method", "Phương pháp", "Method"),
    ("an.error", "Sai số trên dữ liệu quá khứ giữ lại (MASE)", "Error on held-out past weeks (MASE)"),
    ("an.risk", "Danh sách theo dõi theo mức rủi ro", "Risk watchlists"),
    ("an.score", "Điểm rủi ro", "Risk score"),
    ("an.reports", "Báo cáo", "Reports"),
    ("an.schedules", "Gửi báo cáo định kỳ qua thư điện tử", "Reports e-mailed on a schedule"),
    ("an.recipients", "Gửi tới (địa chỉ thư, cách nhau bởi dấu phẩy)", "To (e-mail addresses, comma-separated)"),
    ("an.last_sent", "Kỳ đã gửi gần nhất", "Last period sent"),
    ("an.scope", "Phạm vi", "Scope"),
    ("an.scope.country", "Toàn quốc", "The country"),
    ("an.scope.agency", "Cơ quan của tôi", "My agency"),
    ("an.scope.unit", "Đơn vị của tôi", "My unit"),
    ("an.format", "Định dạng", "Format"),
    ("an.every.monthly", "Hằng tháng", "Monthly"),
    ("an.every.quarterly", "Hằng quý", "Quarterly"),
    ("an.every.six_monthly", "6 tháng", "Six-monthly"),
    ("an.every.yearly", "Hằng năm", "Yearly"),
    ("an.schedule", "Đặt lịch gửi", "Schedule it"),
    ("an.month", "Tháng này", "This month"),
    ("an.quarter", "Quý này", "This quarter"),
    ("an.year", "Năm nay", "This year"),
    ("an.tet_report", "Cao điểm Tết", "Tết peak period"),
    ("an.directives", "Chỉ đạo, kế hoạch", "Directives and plans"),
    ("an.new_directive", "Ghi nhận văn bản chỉ đạo", "Record a directive"),
    ("an.kind", "Loại văn bản", "Kind"),
    ("an.issued_on", "Ngày ban hành", "Issued on"),
    ("an.issuer", "Cơ quan ban hành", "Issuer"),
    ("an.subject", "Trích yếu", "Subject"),
    ("an.first_task", "Nhiệm vụ giao (không bắt buộc)", "A task it assigns (optional)"),
    ("an.task_title", "Nội dung nhiệm vụ", "What is to be done"),
    ("an.province", "Địa phương (không bắt buộc)", "Locality (optional)"),
    ("an.record", "Ghi nhận", "Record"),
    ("an.add_task", "Giao thêm nhiệm vụ", "Assign another task"),
    ("an.directive", "Văn bản", "Directive"),
    ("an.assign", "Giao nhiệm vụ", "Assign"),
    ("an.report", "Báo cáo tiến độ", "Report progress"),
    ("an.report_body", "Kết quả thực hiện", "What was done"),
    ("an.send_report", "Gửi báo cáo", "Send the report"),
    ("an.tasks", "Nhiệm vụ", "Tasks"),
    ("an.agency", "Cơ quan", "Agency"),
    ("an.done", "Hoàn thành", "Done"),
    ("an.overdue", "Quá hạn", "Overdue"),
    ("an.due_soon", "Sắp đến hạn", "Due soon"),
    ("an.on_track", "Trong hạn", "On track"),
    ("an.due", "Thời hạn", "Due"),
    ("an.progress", "Tiến độ", "Progress"),
    ("an.number", "Số văn bản", "Number"),
    ("an.none", "Không có.", "None."),
    ("an.period", "Thời gian", "Period"),
    ("an.province", "Tỉnh, thành phố", "Province"),
    ("an.case_type", "Loại vi phạm", "Violation type"),
    ("an.unit", "Đơn vị", "Unit"),
    ("an.border_gate", "Cửa khẩu", "Border gate"),
    ("an.route", "Tuyến", "Route"),
    ("an.transport_mode", "Phương thức vận chuyển", "Transport mode"),
    ("an.concealment", "Phương thức cất giấu", "Concealment"),
    ("an.area_risk", "Địa bàn", "Areas"),
    ("an.company_risk", "Doanh nghiệp", "Businesses"),
];

fn w(lang: Language, key: &str) -> &'static str {
    WORDS.iter().find(|(k, ..)| *k == key).map_or("?", |(_, vi, en)| if lang == Language::Vi { vi } else { en })
}

/// Period and grouping of the statistics shown.
#[derive(Deserialize, Default)]
pub struct AnalyticsParams {
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
}

const DIMENSIONS: &[&str] =
    &["period", "province", "commodity", "case_type", "agency", "unit", "border_gate", "route", "transport_mode", "concealment"];

fn change_cell(lang: Language, pct: Option<f64>) -> Markup {
    match pct {
        Some(c) => html! { span class=(if c > 0.0 { "up" } else { "down" }) { (format_percent(lang, c)) } },
        None => html! { span.muted { "—" } },
    }
}

fn line_name(lang: Language, by: &str, l: &StatLineView) -> String {
    match (by, l.key.as_deref()) {
        ("case_type" | "transport_mode", Some(k)) => code_label(lang, k).to_string(),
        (_, Some(k)) => l.label.clone().unwrap_or_else(|| k.to_string()),
        (_, None) => "—".into(),
    }
}

/// Statistics, hotspots, the Tết season, a forecast and risk watchlists over what the user may see.
pub async fn analytics_page(State(s): State<AppState>, ui: Ui, Query(p): Query<AnalyticsParams>) -> Response {
    let lang = ui.lang;
    let now = s.app.now_ms();
    let (y, m, ..) = civil(now);
    let from_text = p.from.clone().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| format!("{y}-01-01"));
    let to_text = p.to.clone().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| format!("{}-01-01", y + 1));
    let by = p.by.clone().filter(|b| DIMENSIONS.contains(&b.as_str())).unwrap_or_else(|| "period".into());
    let (Some(from), Some(to)) = (parse_datetime(&from_text), parse_datetime(&to_text)) else {
        return message_page(lang, StatusCode::BAD_REQUEST, "form.bad_date");
    };
    let q = StatQuery { from, to, by: Some(by.clone()), interval: Some("month".into()), ..StatQuery::default() };
    let result: Result<_, AppError> = async {
        let stats = s.app.statistics(&ui.actor, q).await?;
        let hot = s.app.hotspots(&ui.actor, HotspotQuery { until: now, ..HotspotQuery::default() }).await?;
        let series = SeriesQuery { from: month_start(y - 4, 1), to: now, weeks: Some(8), ..SeriesQuery::default() };
        let seasons = s.app.seasons(&ui.actor, series.clone()).await?;
        let forecast = s.app.forecast(&ui.actor, series).await.ok();
        let since = now - 3 * 365 * 86_400_000;
        let areas = s.app.risk(&ui.actor, RiskQuery { subject: "area".into(), since, key: None, limit: Some(10) }).await?;
        let companies = s.app.risk(&ui.actor, RiskQuery { subject: "company".into(), since, key: None, limit: Some(10) }).await?;
        let schedules = s.app.report_schedules(&ui.actor).await?;
        Ok((stats, hot, seasons, forecast, areas, companies, schedules))
    }
    .await;
    let (stats, hot, seasons, forecast, areas, companies, schedules) = match result {
        Ok(v) => v,
        Err(e) => return app_error_page(&ui, e),
    };
    let download = format!("/api/v1/statistics?from={from}&to={to}&by={by}&interval=month");
    let (c, pr, ch) = (&stats.total.current, &stats.total.previous, &stats.total.change);
    let quarter = (m - 1) / 3 + 1;
    let body = html! {
        h1 { (w(lang, "an.title")) }
        p { a href="/directives" { (w(lang, "an.directives")) } }
        form.filters method="get" action="/analytics" {
            label { (w(lang, "an.from")) input type="date" name="from" value=(from_text); }
            label { (w(lang, "an.to")) input type="date" name="to" value=(to_text); }
            label { (w(lang, "an.by"))
                select name="by" {
                    @for d in DIMENSIONS { option value=(d) selected[*d == by] { (w(lang, &format!("an.{d}"))) } }
                }
            }
            button.primary type="submit" { (w(lang, "an.show")) }
        }
        div.cards #statistics-summary {
            @for (label, now_v, before, pct, money_v) in [
                ("an.cases", c.cases, pr.cases, ch.cases_pct, false),
                ("an.seizures", c.seizures, pr.seizures, ch.seizures_pct, false),
                ("an.value", c.value_vnd, pr.value_vnd, ch.value_pct, true),
                ("an.fines", c.fines_vnd, pr.fines_vnd, ch.fines_pct, true),
                ("an.transferred", c.transferred_for_investigation, pr.transferred_for_investigation, ch.transferred_pct, false),
                ("an.prosecuted", c.prosecuted, pr.prosecuted, ch.prosecuted_pct, false),
            ] {
                div.card {
                    div { (w(lang, label)) }
                    div.figure { @if money_v { (money(lang, now_v)) } @else { (number(lang, now_v)) } }
                    div.muted { (w(lang, "an.previous")) ": " @if money_v { (money(lang, before)) } @else { (number(lang, before)) } " · " (change_cell(lang, pct)) }
                }
            }
        }
        p { a href=(format!("{download}&format=csv")) { "CSV" } " · " a href=(format!("{download}&format=xlsx")) { "XLSX" } }
        @if by == "period" {
            h2 #by-month { (w(lang, "an.cases")) }
            (bar_chart(lang, &stats.rows.iter().map(|l| (l.key.clone().unwrap_or_default(), l.current.cases)).collect::<Vec<_>>()))
        }
        table #statistics {
            thead { tr {
                th scope="col" { (w(lang, &format!("an.{by}"))) }
                th scope="col" { (w(lang, "an.cases")) } th scope="col" { (w(lang, "an.previous")) } th scope="col" { (w(lang, "an.change")) }
                th scope="col" { (w(lang, "an.value")) } th scope="col" { (w(lang, "an.change")) }
            } }
            tbody {
                @for l in &stats.rows {
                    tr {
                        td { (line_name(lang, &by, l)) }
                        td { (number(lang, l.current.cases)) } td { (number(lang, l.previous.cases)) } td { (change_cell(lang, l.change.cases_pct)) }
                        td { (money(lang, l.current.value_vnd)) } td { (change_cell(lang, l.change.value_pct)) }
                    }
                }
            }
        }
        h2 #hotspots { (w(lang, "an.hotspots")) }
        p.muted { (w(lang, "an.expected")) ": " (format!("{:.2}", hot.expected_false_alarms)) " (α = " (hot.alpha) ", " (hot.tests) ")" }
        @if hot.hotspots.is_empty() { p.muted { (w(lang, "an.no_hotspots")) } } @else {
            table {
                thead { tr { th scope="col" { (w(lang, "an.area")) } th scope="col" { (w(lang, "an.commodity")) } th scope="col" { (w(lang, "an.week")) }
                    th scope="col" { (w(lang, "an.cases")) } th scope="col" { (w(lang, "an.baseline")) } th scope="col" { "p" } } }
                tbody { @for h in &hot.hotspots { tr {
                    td { (h.area_label.clone().or_else(|| h.area.clone()).unwrap_or_default()) }
                    td { (h.commodity.clone().unwrap_or_else(|| w(lang, "an.all_commodities").into())) }
                    td { (h.week) } td { (h.cases) } td { (format!("{:.1}", h.baseline_mean)) } td { (format!("{:.1e}", h.p_value)) }
                } } }
            }
        }
        h2 #season { (w(lang, "an.tet")) }
        (index_chart(&seasons.around_tet.iter().map(|p| (format!("{:+}", p.at), p.index)).collect::<Vec<_>>()))
        p.muted { "Tết: " (seasons.tet_dates.join(", ")) }
        h2 #forecast { (w(lang, "an.forecast")) }
        @match &forecast {
            Some(f) => {
                p.muted { (w(lang, "an.method")) ": " (f.method) " · " (w(lang, "an.error")) ": "
                    (f.backtests.iter().find(|b| b.method == f.method).and_then(|b| b.mase).map_or("—".into(), |m| format!("{m:.2}"))) }
                (bar_chart(lang, &f.weeks.iter().map(|x| (x.week.clone(), x.expected.round() as i64)).collect::<Vec<_>>()))
            }
            None => p.muted { (w(lang, "an.none")) },
        }
        h2 #risk { (w(lang, "an.risk")) }
        div.cards {
            @for list in [&areas, &companies] {
                div {
                    h3 { (w(lang, &format!("an.{}_risk", list.subject))) }
                    @if list.items.is_empty() { p.muted { (w(lang, "an.none")) } } @else {
                        table { tbody { @for i in &list.items { tr {
                            td { (i.label.clone().unwrap_or_else(|| i.key.clone())) }
                            td { strong { (format!("{:.1}", i.score)) } }
                            td.muted { (i.factors.iter().filter(|f| f.points > 0.0).map(|f| format!("{} {:.1}", f.factor, f.share)).collect::<Vec<_>>().join(" · ")) }
                        } } } }
                    }
                }
            }
        }
        h2 #reports { (w(lang, "an.reports")) }
        ul {
            @for (label, query) in [
                ("an.month", format!("kind=monthly&year={y}&period={m}")),
                ("an.quarter", format!("kind=quarterly&year={y}&period={quarter}")),
                ("an.year", format!("kind=yearly&year={y}")),
                ("an.tet_report", format!("kind=tet&year={}", if m >= 6 { y + 1 } else { y })),
            ] {
                li { (w(lang, label)) ": "
                    a href=(format!("/api/v1/reports?{query}&format=pdf")) { "PDF" } " · "
                    a href=(format!("/api/v1/reports?{query}&format=xlsx")) { "XLSX" } " · "
                    a href=(format!("/api/v1/reports?{query}&format=csv")) { "CSV" } }
            }
        }
        h3 #report-schedules { (w(lang, "an.schedules")) }
        @if !schedules.is_empty() {
            table #schedule-table {
                thead { tr { th scope="col" { (w(lang, "an.kind")) } th scope="col" { (w(lang, "an.recipients")) } th scope="col" { (w(lang, "an.last_sent")) } } }
                tbody { @for sc in &schedules { tr {
                    td { (sc.kind) " · " (sc.scope) " · " (sc.format) }
                    td { (sc.recipients.join(", ")) }
                    td { (sc.last_period.clone().unwrap_or_default()) @if let Some(e) = &sc.last_error { " " strong.error { (e) } } }
                } } }
            }
        }
        form.stack #new-schedule method="post" action="/analytics/report-schedules" {
            input type="hidden" name="_csrf" value=(ui.csrf());
            label for="schedule_kind" { (w(lang, "an.kind")) }
            select #schedule_kind name="kind" { @for k in ["monthly", "quarterly", "six_monthly", "yearly"] { option value=(k) { (w(lang, &format!("an.every.{k}"))) } } }
            label for="schedule_scope" { (w(lang, "an.scope")) }
            select #schedule_scope name="scope" { @for sc in ["country", "agency", "unit"] { option value=(sc) { (w(lang, &format!("an.scope.{sc}"))) } } }
            label for="schedule_format" { (w(lang, "an.format")) }
            select #schedule_format name="format" { @for f in ["pdf", "xlsx", "csv"] { option value=(f) { (f.to_uppercase()) } } }
            label for="schedule_recipients" { (w(lang, "an.recipients")) }
            input #schedule_recipients type="text" name="recipients" required placeholder="a@haiquan.gov.vn, b@bcd389.gov.vn";
            button.primary type="submit" { (w(lang, "an.schedule")) }
        }
    };
    html_response(StatusCode::OK, layout(lang, Some(&ui), w(lang, "an.title"), body))
}

/// Bars of an index around 1.0 (the usual level drawn as a line).
fn index_chart(points: &[(String, Option<f64>)]) -> Markup {
    let max = points.iter().filter_map(|p| p.1).fold(1.0f64, f64::max);
    let (wd, h, pad) = (720.0, 160.0, 24.0);
    let step = (wd - pad) / points.len().max(1) as f64;
    let one = h - h / max + 10.0;
    html! {
        figure {
            svg role="img" aria-labelledby="season" viewBox=(format!("0 0 {wd} {}", h + 40.0)) width="100%" height="200" {
                @for (i, (label, v)) in points.iter().enumerate() {
                    @let bh = v.unwrap_or(0.0) / max * h;
                    @let x = pad + i as f64 * step;
                    rect x=(format!("{:.1}", x + 4.0)) y=(format!("{:.1}", h - bh + 10.0)) width=(format!("{:.1}", step - 8.0)) height=(format!("{bh:.1}")) fill="#0b4f8a" {}
                    text x=(format!("{:.1}", x + step / 2.0)) y=(format!("{:.1}", h - bh + 5.0)) font-size="11" text-anchor="middle" { (v.map_or("—".into(), |v| format!("{v:.1}"))) }
                    text x=(format!("{:.1}", x + step / 2.0)) y=(format!("{:.1}", h + 28.0)) font-size="11" text-anchor="middle" { (label) }
                }
                line x1=(pad) x2=(wd) y1=(format!("{one:.1}")) y2=(format!("{one:.1}")) stroke="#b3261e" stroke-dasharray="4 3" {}
            }
        }
    }
}

/// The directives board: every agency's tasks for the Standing Office, the user's agency's otherwise.
pub async fn directives_page(State(s): State<AppState>, ui: Ui) -> Response {
    directives_view(&s, &ui, None, &Form(Vec::new())).await
}

/// The board, with the Standing Office's forms (record a directive, assign a task) and each
/// task's progress form for the agency it is assigned to; a refused form comes back with why.
async fn directives_view(s: &AppState, ui: &Ui, refusal: Option<(&'static str, String)>, form: &Form) -> Response {
    let lang = ui.lang;
    let result: Result<_, AppError> = async {
        Ok((
            s.app.task_board(&ui.actor, None, None).await?,
            s.app.directives(&ui.actor).await?,
            s.app.office_staff(&ui.actor).await?,
            s.app.agencies(&ui.actor).await?,
        ))
    }
    .await;
    let (board, directives, office, agencies) = match result {
        Ok(v) => v,
        Err(e) => return app_error_page(ui, e),
    };
    let reporter = [cordon_core::Role::Officer, cordon_core::Role::UnitHead, cordon_core::Role::DeputyHead]
        .iter()
        .any(|r| ui.actor.user.roles.holds(*r));
    let error_for = |f: &str| refusal.as_ref().filter(|(which, _)| *which == f).map(|(_, text)| text.clone());
    let v = |k: &str| form.text(k);
    let domestic: Vec<&cordon_core::Agency> = agencies.iter().filter(|a| a.kind.is_domestic()).collect();
    let task_fields = html! {
        label for="task_title" { (w(lang, "an.task_title")) }
        input #task_title type="text" name="task_title" maxlength="500" value=(v("task_title"));
        label for="task_agency" { (w(lang, "an.agency")) }
        select #task_agency name="task_agency" { @for a in &domestic { option value=(a.id) selected[v("task_agency") == a.id] { (a.name_vi) } } }
        label for="task_province" { (w(lang, "an.province")) }
        select #task_province name="task_province" {
            option value="" { "—" }
            @for p in &reference().provinces { option value=(p.code) selected[v("task_province") == p.code] { (if lang == Language::Vi { p.name_vi } else { p.name_en }) } }
        }
        label for="task_due" { (w(lang, "an.due")) }
        input #task_due type="date" name="task_due" value=(v("task_due"));
    };
    let status = if refusal.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = html! {
        h1 { (w(lang, "an.directives")) }
        table #task-summary {
            thead { tr { th scope="col" { (w(lang, "an.agency")) } th scope="col" { (w(lang, "an.tasks")) } th scope="col" { (w(lang, "an.done")) }
                th scope="col" { (w(lang, "an.overdue")) } th scope="col" { (w(lang, "an.due_soon")) } } }
            tbody { @for a in &board.by_agency { tr {
                td { (a.agency_id) } td { (a.tasks) } td { (a.done) }
                td { @if a.overdue > 0 { strong.error { (a.overdue) } } @else { "0" } } td { (a.due_soon) }
            } } }
        }
        h2 { (w(lang, "an.tasks")) }
        @if let Some(e) = error_for("report") { p.error role="alert" { (e) } }
        @if board.tasks.is_empty() { p.muted { (w(lang, "an.none")) } } @else {
            table #tasks {
                thead { tr { th scope="col" { (w(lang, "an.number")) } th scope="col" { (w(lang, "an.tasks")) } th scope="col" { (w(lang, "an.agency")) }
                    th scope="col" { (w(lang, "an.due")) } th scope="col" { (w(lang, "an.progress")) } th scope="col" { "" } th scope="col" { (w(lang, "an.report")) } } }
                tbody { @for t in &board.tasks { tr data-flag=(t.flag) data-task=(t.id) {
                    td { (t.directive_number) } td { (t.title) } td { (t.agency_id) } td { (datetime(t.due_at)) } td { (t.progress_pct) " %" }
                    td { @if t.flag == "overdue" { strong.error { (w(lang, "an.overdue")) } } @else { (w(lang, &format!("an.{}", t.flag))) } }
                    td {
                        @if reporter && t.agency_id == ui.actor.agency_id && t.completed_at.is_none() {
                            form.inline method="post" action=(format!("/directive-tasks/{}/reports", t.id)) {
                                input type="hidden" name="_csrf" value=(ui.csrf());
                                input type="number" name="progress_pct" min=(t.progress_pct) max="100" value=(t.progress_pct) aria-label=(w(lang, "an.progress"));
                                input type="text" name="body" required maxlength="5000" aria-label=(w(lang, "an.report_body")) placeholder=(w(lang, "an.report_body"));
                                button type="submit" { (w(lang, "an.send_report")) }
                            }
                        }
                    }
                } } }
            }
        }
        h2 { (w(lang, "an.directives")) }
        @if directives.is_empty() { p.muted { (w(lang, "an.none")) } } @else {
            ul #directive-list { @for d in &directives { li { strong { (d.number) } " (" (datetime(d.issued_on)) ", " (d.issuer) "): " (d.subject) } } }
        }
        @if office {
            h2 #new-directive-title { (w(lang, "an.new_directive")) }
            form.stack #new-directive method="post" action="/directives" {
                input type="hidden" name="_csrf" value=(ui.csrf());
                @if let Some(e) = error_for("directive") { p.error role="alert" { (e) } }
                label for="number" { (w(lang, "an.number")) }
                input #number type="text" name="number" required maxlength="100" value=(v("number"));
                label for="kind" { (w(lang, "an.kind")) }
                select #kind name="kind" { @for k in DirectiveKind::ALL { option value=(k.as_str()) selected[v("kind") == k.as_str()] { (k.label()) } } }
                label for="issued_on" { (w(lang, "an.issued_on")) }
                input #issued_on type="date" name="issued_on" required value=(v("issued_on"));
                label for="issuer" { (w(lang, "an.issuer")) }
                input #issuer type="text" name="issuer" required maxlength="300" value=(v("issuer"));
                label for="subject" { (w(lang, "an.subject")) }
                textarea #subject name="subject" required rows="3" maxlength="2000" { (v("subject")) }
                fieldset { legend { (w(lang, "an.first_task")) } (task_fields) }
                button.primary type="submit" { (w(lang, "an.record")) }
            }
            @if !directives.is_empty() {
                h2 { (w(lang, "an.add_task")) }
                form.stack #add-task method="post" action="/directives/tasks" {
                    input type="hidden" name="_csrf" value=(ui.csrf());
                    @if let Some(e) = error_for("task") { p.error role="alert" { (e) } }
                    label for="directive_id" { (w(lang, "an.directive")) }
                    select #directive_id name="directive_id" { @for d in &directives { option value=(d.id) selected[v("directive_id") == d.id] { (d.number) } } }
                    (task_fields)
                    button.primary type="submit" { (w(lang, "an.assign")) }
                }
            }
        }
    };
    html_response(status, layout(lang, Some(ui), w(lang, "an.directives"), body))
}

/// The task a form describes; none when its title is left empty. An unreadable date is sent
/// as 0, which the use case refuses with its reason.
fn task_of(form: &Form) -> Option<TaskInput> {
    let title = form.opt("task_title")?;
    Some(TaskInput {
        title,
        agency_id: form.text("task_agency"),
        province: form.opt("task_province"),
        due_at: form.opt("task_due").and_then(|d| parse_datetime(&d)).unwrap_or(0),
    })
}

async fn after(s: &AppState, ui: &Ui, form: &Form, which: &'static str, done: Result<(), AppError>) -> Response {
    match done {
        Ok(()) => Redirect::to("/directives").into_response(),
        Err(AppError::Invalid(i)) => {
            let text = format!("{}: {}", i.field, super::super::i18n::reason(ui.lang, &i.reason));
            directives_view(s, ui, Some((which, text)), form).await
        }
        Err(e) => app_error_page(ui, e),
    }
}

/// Schedules a report to be e-mailed, from the analytics page.
pub async fn create_schedule(State(s): State<AppState>, ui: Ui, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let input = cordon_app::ReportScheduleInput {
        kind: form.text("kind"),
        scope: form.opt("scope"),
        agency: None,
        unit: None,
        format: form.opt("format"),
        recipients: form.text("recipients").split([',', ';', ' ']).map(str::trim).filter(|r| !r.is_empty()).map(str::to_string).collect(),
    };
    match s.app.create_report_schedule(&ui.actor, input).await {
        Ok(_) => Redirect::to("/analytics#report-schedules").into_response(),
        Err(e) => app_error_page(&ui, e),
    }
}

/// Records a directive, with the task the form assigns if any (the Standing Office).
pub async fn create_directive(State(s): State<AppState>, ui: Ui, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let input = DirectiveInput {
        number: form.text("number"),
        kind: form.text("kind"),
        issued_on: form.opt("issued_on").and_then(|d| parse_datetime(&d)).unwrap_or(0),
        issuer: form.text("issuer"),
        subject: form.text("subject"),
        tasks: task_of(&form).into_iter().collect(),
    };
    let done = s.app.create_directive(&ui.actor, input).await.map(|_| ());
    after(&s, &ui, &form, "directive", done).await
}

/// Assigns one more task from a directive (the Standing Office).
pub async fn add_task(State(s): State<AppState>, ui: Ui, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let Some(task) = task_of(&form) else {
        let refused = Err(AppError::Invalid(cordon_core::Invalid::new("title", "say what is to be done")));
        return after(&s, &ui, &form, "task", refused).await;
    };
    let done = s.app.add_directive_task(&ui.actor, &form.text("directive_id"), task).await.map(|_| ());
    after(&s, &ui, &form, "task", done).await
}

/// Reports progress on a task of the actor's agency.
pub async fn report_task(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    // An unreadable figure is sent as -1, which the use case refuses with its reason.
    let input = TaskReportInput { progress_pct: form.text("progress_pct").trim().parse().unwrap_or(-1), body: form.text("body") };
    let done = s.app.report_task(&ui.actor, &id, input).await.map(|_| ());
    after(&s, &ui, &form, "report", done).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_and_dimension_has_both_languages() {
        for d in DIMENSIONS {
            assert_ne!(w(Language::En, &format!("an.{d}")), "?", "{d}");
        }
        for (k, vi, en) in WORDS {
            assert!(!vi.is_empty() && !en.is_empty(), "{k}");
        }
        for flag in ["done", "overdue", "due_soon", "on_track"] {
            assert_ne!(w(Language::Vi, &format!("an.{flag}")), "?");
        }
    }
}
