//! The pages: sign-in, dashboard, case list and search, case detail, recording a case.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use cordon_app::{Actor, AppError, CaseInput, CaseQuery, CaseView, GoodsInput, Login, PartyInput, SharingInput, SESSION_IDLE_MS};
use cordon_core::reference::reference;
use cordon_core::{Language, RoleSet, TokenKind};
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use cordon_core::time::{civil, month_start, parse_datetime};

use super::i18n::{code_label, datetime, money, number, t};
use super::CONTENT_SECURITY_POLICY;
use crate::extract::{same_origin, session_cookie, ClientAddr, SESSION_COOKIE};
use crate::AppState;

pub mod admin;
pub mod analytics;
pub mod coordination;
pub mod duty;
pub mod entities;
pub mod network;
pub mod requests;
pub mod screening;
pub mod tips;

/// A signed-in browser user.
pub struct Ui {
    actor: Actor,
    token: String,
    lang: Language,
}

impl Ui {
    /// The form token: bound to the session, so a page from another site cannot forge it.
    fn csrf(&self) -> String {
        csrf_for(&self.token)
    }

    fn csrf_ok(&self, form: &Form) -> bool {
        form.get("_csrf") == Some(self.csrf().as_str())
    }

    fn csrf_refused(&self) -> Response {
        message_page(self.lang, StatusCode::FORBIDDEN, "error.generic")
    }
}

fn csrf_for(token: &str) -> String {
    hex_prefix(&Sha256::digest(format!("cordon-csrf:{token}").as_bytes()))
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

impl FromRequestParts<AppState> for Ui {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let to_login = || Redirect::to("/login").into_response();
        let token = session_cookie(parts).ok_or_else(to_login)?.to_string();
        let actor = state.app.authenticate(&token).await.map_err(|_| to_login())?;
        Ok(Ui { lang: actor.user.language, actor, token })
    }
}

/// A parsed urlencoded form that keeps repeated keys (checkbox groups).
pub struct Form(Vec<(String, String)>);

impl Form {
    fn parse(body: &Bytes) -> Form {
        Form(form_urlencoded::parse(body).into_owned().collect())
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn text(&self, key: &str) -> String {
        self.get(key).unwrap_or_default().trim().to_string()
    }

    fn opt(&self, key: &str) -> Option<String> {
        Some(self.text(key)).filter(|v| !v.is_empty())
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
    }
}

fn html_response(status: StatusCode, markup: Markup) -> Response {
    let mut resp = (status, markup).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    resp
}

fn layout(lang: Language, ui: Option<&Ui>, title: &str, body: Markup) -> Markup {
    let idle = if ui.is_some() { SESSION_IDLE_MS.to_string() } else { "0".into() };
    html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Cordon" }
                link rel="stylesheet" href="/static/app.css";
                script src="/static/app.js" defer {}
            }
            body data-session-idle-ms=(idle) {
                a.skip href="#main" { (t(lang, "nav.skip")) }
                header {
                    a.brand href="/" { "Cordon" }
                    @if let Some(ui) = ui {
                        nav aria-label="Cordon" {
                            a href="/" { (t(lang, "nav.dashboard")) }
                            a href="/cases" { (t(lang, "nav.cases")) }
                            a href="/cases/new" { (t(lang, "nav.new_case")) }
                            a href="/notices" { (t(lang, "nav.notices")) }
                            a href="/handovers" { (t(lang, "nav.handovers")) }
                            a href="/duty" { (t(lang, "nav.duty")) }
                            a href="/network" { (t(lang, "nav.network")) }
                            a href="/operations" { (t(lang, "nav.operations")) }
                            a href="/requests" { (t(lang, "nav.requests")) }
                            a href="/analytics" { (if lang == Language::Vi { "Phân tích" } else { "Analytics" }) }
                            a href="/access-requests" { (t(lang, "nav.access_requests")) }
                            @if ui.actor.user.roles.holds(cordon_core::Role::Analyst) { a href="/leads" { (t(lang, "nav.leads")) } }
                            @if [cordon_core::Role::HotlineOperator, cordon_core::Role::Officer, cordon_core::Role::UnitHead].iter().any(|r| ui.actor.user.roles.holds(*r)) {
                                a href="/tips" { (t(lang, "nav.tips")) }
                            }
                            @if ui.actor.user.roles.may_administer() { a href="/admin" { (t(lang, "nav.admin")) } }
                            @if ui.actor.user.roles.may_audit() { a href="/audit" { (t(lang, "nav.audit")) } }
                            form method="post" action="/language" {
                                input type="hidden" name="_csrf" value=(ui.csrf());
                                input type="hidden" name="lang" value=(if lang == Language::Vi { "en" } else { "vi" });
                                button.link type="submit" lang=(if lang == Language::Vi { "en" } else { "vi" }) { (t(lang, "lang.switch")) }
                            }
                            span.muted { (ui.actor.user.display_name) " · " (ui.actor.user.unit_id) }
                            form method="post" action="/logout" {
                                input type="hidden" name="_csrf" value=(ui.csrf());
                                button.link type="submit" { (t(lang, "nav.logout")) }
                            }
                        }
                    }
                }
                main #main tabindex="-1" { (body) }
                @if ui.is_some() {
                    div #session-warning .banner role="alert" hidden { (t(lang, "session.warning")) }
                }
            }
        }
    }
}

fn message_page(lang: Language, status: StatusCode, key: &str) -> Response {
    html_response(status, layout(lang, None, t(lang, key), html! { h1 { (t(lang, key)) } p { a href="/" { "Cordon" } } }))
}

fn app_error_page(ui: &Ui, e: AppError) -> Response {
    let (status, key) = match &e {
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "error.not_found"),
        AppError::PasswordChangeRequired => (StatusCode::FORBIDDEN, "login.change_password"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "error.generic"),
        // Bad input is the user's to fix: say which field and why, never a server error.
        AppError::Invalid(i) => {
            let text = format!("{}: {}", i.field, super::i18n::reason(ui.lang, &i.reason));
            let body = html! { h1 { (t(ui.lang, "error.generic")) } p.error role="alert" { (text) } };
            return html_response(StatusCode::UNPROCESSABLE_ENTITY, layout(ui.lang, Some(ui), t(ui.lang, "error.generic"), body));
        }
        AppError::Stale | AppError::Conflict(_) => (StatusCode::CONFLICT, "error.generic"),
        AppError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "error.generic"),
        other => {
            tracing::error!(error = %other, "page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "error.generic")
        }
    };
    html_response(status, layout(ui.lang, Some(ui), t(ui.lang, key), html! { h1 { (t(ui.lang, key)) } }))
}

fn tlp_badge(tlp: &str) -> Markup {
    let label = match tlp {
        "red" => "TLP:RED",
        "amber_strict" => "TLP:AMBER+STRICT",
        "amber" => "TLP:AMBER",
        "green" => "TLP:GREEN",
        _ => "TLP:CLEAR",
    };
    html! { span class=(format!("tlp tlp-{tlp}")) { (label) } }
}

fn province_name(lang: Language, code: Option<&str>) -> String {
    let r = reference();
    code.and_then(|c| r.province(c))
        .map_or(String::new(), |p| if lang == Language::Vi { p.name_vi.to_string() } else { p.name_en.to_string() })
}

// ---- sign in and out ----

/// The sign-in form.
pub async fn login_form(headers: HeaderMap) -> Response {
    let lang = browser_language(&headers);
    html_response(StatusCode::OK, login_markup(lang, None, ""))
}

fn browser_language(headers: &HeaderMap) -> Language {
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("vi");
    if accept.trim_start().starts_with("en") {
        Language::En
    } else {
        Language::Vi
    }
}

fn login_markup(lang: Language, error: Option<&str>, username: &str) -> Markup {
    layout(
        lang,
        None,
        t(lang, "login.title"),
        html! {
            h1 { (t(lang, "login.title")) }
            p.muted { (t(lang, "app.tagline")) }
            @if let Some(e) = error { p.error role="alert" #login-error { (e) } }
            form.stack method="post" action="/login" {
                label for="username" { (t(lang, "login.username")) }
                input #username type="text" name="username" value=(username) autocomplete="username" required autofocus;
                label for="password" { (t(lang, "login.password")) }
                input #password type="password" name="password" autocomplete="current-password" required;
                button.primary type="submit" { (t(lang, "login.submit")) }
            }
        },
    )
}

/// Signs in and sets the session cookie.
pub async fn login(State(s): State<AppState>, ClientAddr(address): ClientAddr, parts_headers: HeaderMap, body: Bytes) -> Response {
    let lang = browser_language(&parts_headers);
    let form = Form::parse(&body);
    let username = form.text("username");
    if !origin_ok(&parts_headers) {
        return message_page(lang, StatusCode::FORBIDDEN, "error.generic");
    }
    let login = Login {
        username: username.clone(),
        password: form.get("password").unwrap_or_default().to_string(),
        address,
        kind: TokenKind::Session,
    };
    match s.app.login(login).await {
        Ok(out) => {
            let secure = if s.options.secure_cookies { "; Secure" } else { "" };
            let cookie =
                format!("{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}", out.token, SESSION_IDLE_MS / 1000);
            let mut resp = Redirect::to("/").into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp
        }
        Err(AppError::RateLimited(_)) => {
            html_response(StatusCode::TOO_MANY_REQUESTS, login_markup(lang, Some(t(lang, "login.limited")), &username))
        }
        Err(_) => html_response(StatusCode::UNAUTHORIZED, login_markup(lang, Some(t(lang, "login.failed")), &username)),
    }
}

fn origin_ok(headers: &HeaderMap) -> bool {
    let mut parts = axum::http::Request::new(()).into_parts().0;
    parts.headers = headers.clone();
    same_origin(&parts)
}

/// Signs out and clears the cookie.
pub async fn logout(State(s): State<AppState>, ui: Ui, body: Bytes) -> Response {
    if !ui.csrf_ok(&Form::parse(&body)) {
        return ui.csrf_refused();
    }
    if let Err(e) = s.app.logout(&ui.actor).await {
        return app_error_page(&ui, e);
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_static("cordon_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"));
    resp
}

/// Switches the user's language (kept on the account).
pub async fn language(State(s): State<AppState>, ui: Ui, headers: HeaderMap, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let lang = Language::parse(form.get("lang").unwrap_or_default()).unwrap_or(Language::Vi);
    if let Err(e) = s.app.set_language(&ui.actor, lang).await {
        return app_error_page(&ui, e);
    }
    // Back to the page the switch was pressed on, if it was one of ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .unwrap_or_else(|| "/".into());
    Redirect::to(&back).into_response()
}

// ---- dashboard ----

/// The unit's dashboard: cases by status, this month against the same month last year, the latest cases.
pub async fn dashboard(State(s): State<AppState>, ui: Ui) -> Response {
    let lang = ui.lang;
    let now = s.app.now_ms();
    let (y, m, ..) = civil(now);
    let this_month = (month_start(y, m), month_start(if m == 12 { y + 1 } else { y }, if m == 12 { 1 } else { m + 1 }));
    let last_year = (month_start(y - 1, m), month_start(if m == 12 { y } else { y - 1 }, if m == 12 { 1 } else { m + 1 }));
    let count = |since: Option<i64>, until: Option<i64>, status: Option<&str>| {
        let q = CaseQuery { since, until, status: status.map(str::to_string), ..Default::default() };
        let app = s.app.clone();
        let actor = ui.actor.clone();
        async move { app.count_cases(&actor, q).await }
    };
    let result: Result<_, AppError> = async {
        let total = count(None, None, None).await?;
        let now_n = count(Some(this_month.0), Some(this_month.1), None).await?;
        let last_n = count(Some(last_year.0), Some(last_year.1), None).await?;
        let totals = |by: &'static str| {
            let q = CaseQuery { since: Some(month_start(y - 1, m)), ..Default::default() };
            let (app, actor) = (s.app.clone(), ui.actor.clone());
            async move { app.case_totals(&actor, q, by).await }
        };
        let statuses = s.app.case_totals(&ui.actor, CaseQuery::default(), "status").await?;
        let by_status: Vec<(&str, i64)> = cordon_core::case::CaseStatus::ALL
            .iter()
            .map(|st| (st.as_str(), statuses.iter().find(|t| t.key.as_deref() == Some(st.as_str())).map_or(0, |t| t.cases)))
            .collect();
        let by_province = totals("province").await?;
        let by_commodity = totals("commodity").await?;
        let notices = s.app.notices(&ui.actor).await?;
        let latest = s.app.cases(&ui.actor, CaseQuery { limit: Some(8), ..Default::default() }).await?;
        let mut months = Vec::new();
        for back in (0..12).rev() {
            let (yy, mm) = ((y * 12 + m - 1 - back) / 12, (y * 12 + m - 1 - back) % 12 + 1);
            let (ny, nm) = if mm == 12 { (yy + 1, 1) } else { (yy, mm + 1) };
            months.push((format!("{mm:02}/{yy}"), count(Some(month_start(yy, mm)), Some(month_start(ny, nm)), None).await?));
        }
        Ok((total, now_n, last_n, by_status, latest, months, by_province, by_commodity, notices))
    }
    .await;
    let (total, now_n, last_n, by_status, latest, months, by_province, by_commodity, notices) = match result {
        Ok(v) => v,
        Err(e) => return app_error_page(&ui, e),
    };
    let change = if last_n == 0 { None } else { Some((now_n - last_n) as f64 * 100.0 / last_n as f64) };
    // Notices waiting on this user's unit (or escalated to the user), and how many are late.
    let waiting: Vec<&cordon_app::RecipientView> = notices
        .iter()
        .flat_map(|n| n.recipients.iter())
        .filter(|r| matches!(r.status.as_str(), "pending" | "escalated"))
        .filter(|r| r.unit_id == ui.actor.user.unit_id || r.escalated_to.as_deref() == Some(ui.actor.user.id.as_str()))
        .collect();
    let overdue = waiting.iter().filter(|r| r.status == "escalated").count();
    let body = html! {
        h1 { (t(lang, "dash.title")) }
        div.cards {
            div.card { div { a href="/notices" { (t(lang, "dash.notices_open")) } } div.figure #figure-notices { (number(lang, waiting.len() as i64)) } }
            div.card { div { (t(lang, "dash.notices_overdue")) } div.figure { @if overdue > 0 { span.up { (number(lang, overdue as i64)) } } @else { "0" } } }
            div.card { div { (t(lang, "dash.visible")) } div.figure #figure-total { (number(lang, total)) } }
            div.card { div { (t(lang, "dash.this_month")) } div.figure { (number(lang, now_n)) } }
            div.card { div { (t(lang, "dash.same_month_last_year")) } div.figure { (number(lang, last_n)) } }
            div.card {
                div { (t(lang, "dash.change")) }
                div.figure {
                    @match change {
                        Some(c) => span class=(if c > 0.0 { "up" } else { "down" }) { (format_percent(lang, c)) },
                        None => span.muted { "—" },
                    }
                }
            }
        }
        h2 #by-month { (t(lang, "dash.by_month")) }
        (bar_chart(lang, &months))
        div.cards {
            div {
                h2 #province-map { (t(lang, "dash.map")) }
                (super::map::province_map("province-map", lang, &by_province.iter().filter_map(|t| {
                    let code = t.key.clone()?;
                    Some((code.clone(), province_name(lang, Some(&code)), t.cases, t.value_vnd))
                }).collect::<Vec<_>>()))
            }
            div {
                h2 #by-province { (t(lang, "dash.by_province")) }
                (hbar_chart("by-province", lang, &by_province.iter().take(10).map(|t| (province_name(lang, t.key.as_deref()), t.cases, t.value_vnd)).collect::<Vec<_>>()))
            }
            div {
                h2 #by-commodity { (t(lang, "dash.by_commodity")) }
                (hbar_chart("by-commodity", lang, &by_commodity.iter().take(10).map(|t| {
                    let name = t.key.as_deref().and_then(|k| reference().commodity(k)).map(|k| if lang == Language::Vi { k.name_vi } else { k.name_en });
                    (name.unwrap_or("—").to_string(), t.cases, t.value_vnd)
                }).collect::<Vec<_>>()))
            }
        }
        h2 { (t(lang, "dash.by_status")) }
        table {
            thead { tr { th scope="col" { (t(lang, "field.status")) } th.num scope="col" { "#" } } }
            tbody {
                @for (st, n) in &by_status {
                    tr { td { a href=(format!("/cases?status={st}")) { (code_label(lang, st)) } } td.num { (number(lang, *n)) } }
                }
            }
        }
        h2 { (t(lang, "dash.recent")) }
        (case_table(lang, &latest.items))
    };
    html_response(StatusCode::OK, layout(lang, Some(&ui), t(lang, "dash.title"), body))
}

/// A bar chart drawn on the server as SVG: no script, no library to fetch, readable by
/// screen readers through its table twin.
fn bar_chart(lang: Language, bars: &[(String, i64)]) -> Markup {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let (w, h, pad) = (720.0, 200.0, 24.0);
    let step = (w - pad) / bars.len().max(1) as f64;
    html! {
        figure {
            svg role="img" aria-labelledby="by-month" viewBox=(format!("0 0 {w} {}", h + 40.0)) width="100%" height="240" {
                @for (i, (label, n)) in bars.iter().enumerate() {
                    @let bh = (*n as f64 / max) * h;
                    @let x = pad + i as f64 * step;
                    rect x=(format!("{:.1}", x + 4.0)) y=(format!("{:.1}", h - bh + 10.0)) width=(format!("{:.1}", step - 8.0)) height=(format!("{bh:.1}")) fill="#0b4f8a" {}
                    text x=(format!("{:.1}", x + step / 2.0)) y=(format!("{:.1}", h - bh + 5.0)) font-size="12" text-anchor="middle" { (number(lang, *n)) }
                    text x=(format!("{:.1}", x + step / 2.0)) y=(format!("{:.1}", h + 28.0)) font-size="11" text-anchor="middle" { (label) }
                }
            }
            figcaption.muted { (t(lang, "dash.by_month")) }
        }
    }
}

/// Horizontal bars (cases) with each row's value in dong, largest first; the table twin is
/// the text itself, so a screen reader reads label, count and value in order.
fn hbar_chart(labelled_by: &str, lang: Language, rows: &[(String, i64, i64)]) -> Markup {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let (w, row_h, label_w) = (380.0, 24.0, 120.0);
    let h = row_h * rows.len().max(1) as f64;
    html! {
        @if rows.is_empty() { p.muted { (t(lang, "cases.none")) } }
        @else {
            svg role="img" aria-labelledby=(labelled_by) viewBox=(format!("0 0 {w} {h}")) width="100%" {
                @for (i, (label, n, value)) in rows.iter().enumerate() {
                    @let y = i as f64 * row_h;
                    @let bw = (*n as f64 / max) * (w - label_w - 130.0);
                    text x="0" y=(format!("{:.1}", y + 16.0)) font-size="11" { (label) }
                    rect x=(label_w) y=(format!("{:.1}", y + 4.0)) width=(format!("{bw:.1}")) height=(row_h - 8.0) fill="#0b4f8a" {}
                    text x=(format!("{:.1}", label_w + bw + 4.0)) y=(format!("{:.1}", y + 16.0)) font-size="10" { (number(lang, *n)) " · " (money(lang, *value)) }
                }
            }
        }
    }
}

fn format_percent(lang: Language, p: f64) -> String {
    let s = format!("{}{:.1}%", if p > 0.0 { "+" } else { "" }, p);
    if lang == Language::Vi {
        s.replace('.', ",")
    } else {
        s
    }
}

fn case_table(lang: Language, cases: &[CaseView]) -> Markup {
    html! {
        @if cases.is_empty() {
            p #no-cases { (t(lang, "cases.none")) }
        } @else {
            table #case-table {
                thead { tr {
                    th scope="col" { (t(lang, "field.reference")) }
                    th scope="col" { (t(lang, "field.title")) }
                    th scope="col" { (t(lang, "field.status")) }
                    th scope="col" { (t(lang, "field.province")) }
                    th scope="col" { (t(lang, "field.detected_at")) }
                    th.num scope="col" { (t(lang, "field.value")) }
                    th scope="col" { "TLP" }
                } }
                tbody {
                    @for c in cases {
                        tr {
                            td { a href=(format!("/cases/{}", c.id)) { (c.reference) } }
                            td { (c.title) }
                            td { (code_label(lang, &c.status)) }
                            td { (province_name(lang, c.province_code.as_deref())) }
                            td { (datetime(c.detected_at)) }
                            td.num { (money(lang, c.total_value_vnd)) }
                            td { (tlp_badge(&c.sharing.tlp)) }
                        }
                    }
                }
            }
        }
    }
}

// ---- case list ----

/// List filters from the query string.
#[derive(Deserialize, Default)]
pub struct ListParams {
    q: Option<String>,
    status: Option<String>,
    case_type: Option<String>,
    province: Option<String>,
    cursor: Option<String>,
}

/// The case list with search and filters.
pub async fn case_list(State(s): State<AppState>, ui: Ui, Query(p): Query<ListParams>) -> Response {
    let lang = ui.lang;
    let keep = |v: &Option<String>| v.clone().filter(|x| !x.trim().is_empty());
    let q = CaseQuery {
        q: keep(&p.q),
        status: keep(&p.status),
        case_type: keep(&p.case_type),
        province: keep(&p.province),
        cursor: keep(&p.cursor),
        limit: Some(50),
        ..Default::default()
    };
    let page = match s.app.cases(&ui.actor, q).await {
        Ok(page) => page,
        Err(AppError::Invalid(_)) => Default::default(),
        Err(e) => return app_error_page(&ui, e),
    };
    let selected = |v: &Option<String>, code: &str| v.as_deref() == Some(code);
    let next = page.next_cursor.as_ref().map(|c| {
        let mut url = form_urlencoded::Serializer::new(String::from("/cases?"));
        for (k, v) in [("q", &p.q), ("status", &p.status), ("case_type", &p.case_type), ("province", &p.province)] {
            if let Some(v) = v {
                url.append_pair(k, v);
            }
        }
        url.append_pair("cursor", c);
        url.finish()
    });
    let r = reference();
    let body = html! {
        h1 { (t(lang, "cases.title")) }
        form.filters method="get" action="/cases" role="search" {
            label { (t(lang, "cases.search")) input #q type="search" name="q" value=(p.q.clone().unwrap_or_default()); }
            label { (t(lang, "field.status"))
                select name="status" {
                    option value="" { (t(lang, "cases.any")) }
                    @for st in cordon_core::case::CaseStatus::ALL { option value=(st.as_str()) selected[selected(&p.status, st.as_str())] { (code_label(lang, st.as_str())) } }
                }
            }
            label { (t(lang, "field.case_type"))
                select name="case_type" {
                    option value="" { (t(lang, "cases.any")) }
                    @for ct in cordon_core::case::CaseType::ALL { option value=(ct.as_str()) selected[selected(&p.case_type, ct.as_str())] { (code_label(lang, ct.as_str())) } }
                }
            }
            label { (t(lang, "field.province"))
                select name="province" {
                    option value="" { (t(lang, "cases.any")) }
                    @for pr in &r.provinces { option value=(pr.code) selected[selected(&p.province, pr.code)] { (if lang == Language::Vi { pr.name_vi } else { pr.name_en }) } }
                }
            }
            button.primary type="submit" { (t(lang, "cases.filter")) }
        }
        (case_table(lang, &page.items))
        @if let Some(next) = next { p { a href=(next) rel="next" { (t(lang, "cases.next")) " →" } } }
    };
    html_response(StatusCode::OK, layout(lang, Some(&ui), t(lang, "cases.title"), body))
}

// ---- case detail ----

/// One case: goods, parties, sharing, timeline.
pub async fn case_detail(State(s): State<AppState>, ui: Ui, Path(id): Path<String>) -> Response {
    let lang = ui.lang;
    let (c, events) = match async { Ok::<_, AppError>((s.app.case(&ui.actor, &id).await?, s.app.case_events(&ui.actor, &id).await?)) }.await
    {
        Ok(v) => v,
        Err(e) => return app_error_page(&ui, e),
    };
    let body = html! {
        h1 { (c.reference) " — " (c.title) }
        p { (tlp_badge(&c.sharing.tlp)) " " (code_label(lang, &c.status))
            @if c.owner_unit_id == ui.actor.user.unit_id { " · " a #edit-case href=(format!("/cases/{}/edit", c.id)) { (t(lang, "form.edit")) } } }
        (coordination::case_actions(&ui, &c))
        dl.facts {
            dt { (t(lang, "field.case_type")) } dd { (code_label(lang, &c.case_type)) }
            dt { (t(lang, "field.detected_at")) } dd { (datetime(c.detected_at)) }
            dt { (t(lang, "field.province")) } dd { (province_name(lang, c.province_code.as_deref())) }
            @if let Some(port) = c.port_code.as_deref().and_then(|p| reference().port(p)) {
                dt { (t(lang, "field.port")) } dd { (if lang == Language::Vi { port.name_vi } else { port.name_en }) }
            }
            @if let Some(plate) = &c.conveyance.plate { dt { (t(lang, "field.plate")) } dd { (plate) } }
            @if let Some(x) = &c.concealment { dt { (t(lang, "field.concealment")) } dd { (x) } }
            dt { (t(lang, "field.owner")) } dd { (c.owner_unit_id) " (" (c.owner_agency_id) ")" }
            dt { (t(lang, "field.lead")) } dd { (c.lead_agency_id) }
            dt { (t(lang, "field.value")) } dd #case-value { (money(lang, c.total_value_vnd)) }
        }
        @if !c.summary.is_empty() { h2 { (t(lang, "field.summary")) } p { (c.summary) } }
        h2 { (t(lang, "field.goods")) }
        table {
            thead { tr {
                th scope="col" { (t(lang, "field.description")) } th scope="col" { (t(lang, "field.hs_code")) }
                th scope="col" { (t(lang, "field.category")) } th.num scope="col" { (t(lang, "field.quantity")) } th.num scope="col" { (t(lang, "field.value")) }
            } }
            tbody {
                @for g in &c.goods {
                    tr {
                        td { (g.description) } td { (g.hs_code.clone().unwrap_or_default()) }
                        td { (g.category.as_deref().and_then(|k| reference().commodity(k)).map(|k| if lang == Language::Vi { k.name_vi } else { k.name_en }).unwrap_or_default()) }
                        td.num { (g.quantity.map(|q| number(lang, q.round() as i64)).unwrap_or_default()) " " (g.unit.clone().unwrap_or_default()) }
                        td.num { (g.value_vnd.map(|v| money(lang, v)).unwrap_or_default()) }
                    }
                }
            }
        }
        @if !c.evidence.is_empty() {
            h2 { (t(lang, "field.evidence")) }
            ul #evidence {
                @for e in &c.evidence {
                    li {
                        a href=(format!("/api/v1/cases/{}/evidence/{}", c.id, e.sha256)) download=(e.filename) { (e.filename) }
                        " — " (e.media_type) ", " (number(lang, e.size)) " B · SHA-256 " code { (&e.sha256[..16]) "…" }
                    }
                }
            }
        }
        h2 { (t(lang, "field.parties")) }
        ul #parties {
            @for p in &c.parties {
                li {
                    @if p.withheld {
                        span.withheld { (code_label(lang, &p.kind)) " " (t(lang, "field.held_by")) " " (p.held_by) " — " (t(lang, "field.withheld")) }
                    } @else {
                        @match &p.entity_id {
                            Some(e) => a href=(format!("/entities/{e}")) { strong { (p.name.clone().unwrap_or_default()) } },
                            None => strong { (p.name.clone().unwrap_or_default()) },
                        }
                        " — " (code_label(lang, &p.role))
                        @for (k, v) in &p.identifiers { " · " (k.to_uppercase()) " " (v) }
                    }
                }
            }
        }
        @if c.parties.iter().any(|p| p.withheld) {
            form #request-access method="post" action=(format!("/cases/{}/access-request", c.id)) {
                input type="hidden" name="_csrf" value=(ui.csrf());
                label for="access-reason" { (t(lang, "access.reason")) }
                textarea #access-reason name="reason" rows="2" required maxlength="2000" {}
                button.primary type="submit" { (t(lang, "access.request")) }
            }
        }
        h2 { (t(lang, "field.distribution")) }
        p #shared-with {
            (tlp_badge(&c.sharing.tlp)) " "
            @for (i, d) in c.sharing.distribution.iter().enumerate() { @if i > 0 { ", " } (d) }
            @if !c.sharing.handling.is_empty() { " · " (t(lang, "field.handling")) ": " (c.sharing.handling.join(", ")) }
            @if let Some(a) = &c.disclosed_under { " · " (t(lang, "field.disclosed_under")) " " (a) }
        }
        h2 { (t(lang, "field.timeline")) }
        ol {
            @for e in &events {
                li { (datetime(e.at)) " — " (code_label(lang, &e.kind))
                    @if let Some(to) = &e.to_status { " → " (code_label(lang, to)) }
                    " · " (e.actor_unit_id)
                    @if !e.reason.is_empty() { " · " (e.reason) }
                }
            }
        }
    };
    html_response(StatusCode::OK, layout(lang, Some(&ui), &c.title, body))
}

// ---- audit ----

/// Audit filters.
#[derive(Deserialize, Default)]
pub struct AuditParams {
    object_id: Option<String>,
    actor: Option<String>,
}

/// The auditors' view: who accessed this case or person, from which unit, when.
pub async fn audit(State(s): State<AppState>, ui: Ui, Query(p): Query<AuditParams>) -> Response {
    let lang = ui.lang;
    let keep = |v: &Option<String>| v.clone().filter(|x| !x.trim().is_empty()).map(|x| x.trim().to_string());
    let q = cordon_store::AuditQuery { object_id: keep(&p.object_id), actor_user_id: keep(&p.actor), limit: 200, ..Default::default() };
    let entries = match s.app.audit_entries(&ui.actor, q).await {
        Ok(e) => e,
        Err(e) => return app_error_page(&ui, e),
    };
    let body = html! {
        h1 { (t(lang, "audit.title")) }
        form.filters method="get" action="/audit" role="search" {
            label { (t(lang, "audit.object")) input #object_id type="search" name="object_id" value=(p.object_id.clone().unwrap_or_default()); }
            label { (t(lang, "audit.actor")) input #actor type="search" name="actor" value=(p.actor.clone().unwrap_or_default()); }
            button.primary type="submit" { (t(lang, "cases.filter")) }
        }
        table #audit-table {
            thead { tr {
                th scope="col" { "#" } th scope="col" { (t(lang, "audit.when")) } th scope="col" { (t(lang, "audit.actor")) }
                th scope="col" { (t(lang, "audit.unit")) } th scope="col" { (t(lang, "audit.action")) } th scope="col" { (t(lang, "audit.object")) }
                th scope="col" { (t(lang, "audit.outcome")) }
            } }
            tbody {
                @for e in entries.iter().rev() {
                    tr {
                        td.num { (e.entry.seq) } td { (datetime(e.entry.at)) } td { (e.entry.actor_user_id.clone().unwrap_or_default()) }
                        td { (e.entry.actor_unit_id.clone().unwrap_or_default()) } td { (e.entry.action) }
                        td { (e.entry.object_type) " " (e.entry.object_id) }
                        td { @if e.entry.outcome == "denied" { strong.error { (e.entry.outcome) } } @else { (e.entry.outcome) } }
                    }
                }
            }
        }
    };
    html_response(StatusCode::OK, layout(lang, Some(&ui), t(lang, "audit.title"), body))
}

// ---- recording a case ----

/// The form to record a case.
pub async fn new_case_form(State(s): State<AppState>, ui: Ui) -> Response {
    let agencies = s.app.agencies(&ui.actor).await.unwrap_or_default();
    html_response(StatusCode::OK, case_form(&ui, &agencies, &Form(Vec::new()), None, None))
}

/// The case being edited: its id and the version the form was drawn from.
struct Editing<'a> {
    id: &'a str,
    version: i64,
}

fn field_error(lang: Language, error: Option<&(String, String)>, names: &[&str]) -> Option<String> {
    error.filter(|(f, _)| names.iter().any(|n| f == n || f.ends_with(n))).map(|(_, r)| super::i18n::reason(lang, r))
}

fn case_form(ui: &Ui, agencies: &[cordon_core::Agency], form: &Form, error: Option<(String, String)>, editing: Option<Editing>) -> Markup {
    let lang = ui.lang;
    let r = reference();
    let v = |k: &str| form.text(k);
    let err = |names: &[&str]| field_error(lang, error.as_ref(), names);
    let input = |id: &'static str, kind: &'static str, label: &'static str, names: &'static [&'static str], required: bool| {
        let e = err(names);
        html! {
            label for=(id) { (t(lang, label)) @if required { " (" (t(lang, "form.required")) ")" } }
            input id=(id) type=(kind) name=(id) value=(v(id)) required[required] aria-invalid=(if e.is_some() { "true" } else { "false" })
                aria-describedby=[e.as_ref().map(|_| format!("{id}-error"))];
            @if let Some(e) = e { span.field-error id=(format!("{id}-error")) { (e) } }
        }
    };
    let shared = form.all("share");
    let partners: Vec<&cordon_core::Agency> = agencies.iter().filter(|a| a.id != ui.actor.agency_id && a.kind.is_domestic()).collect();
    let (title, action) = match &editing {
        Some(e) => (t(lang, "form.edit"), format!("/cases/{}/edit", e.id)),
        None => (t(lang, "nav.new_case"), "/cases/new".to_string()),
    };
    let body = html! {
        h1 { (title) }
        @if let Some((field, reason)) = &error {
            p.error role="alert" #form-error { @if field == "version" { (reason) } @else { (t(lang, "form.errors")) } }
        }
        form.stack method="post" action=(action) novalidate {
            input type="hidden" name="_csrf" value=(ui.csrf());
            @if let Some(e) = &editing { input type="hidden" name="version" value=(e.version); }
            (input("title", "text", "field.title", &["title"], true))
            label for="case_type" { (t(lang, "field.case_type")) }
            select #case_type name="case_type" {
                @for ct in cordon_core::case::CaseType::ALL { option value=(ct.as_str()) selected[v("case_type") == ct.as_str()] { (code_label(lang, ct.as_str())) } }
            }
            (input("detected_at", "datetime-local", "field.detected_at", &["detected_at"], true))
            label for="province" { (t(lang, "field.province")) }
            select #province name="province" aria-invalid=(if err(&["province"]).is_some() { "true" } else { "false" }) {
                option value="" { "—" }
                @for p in &r.provinces { option value=(p.code) selected[v("province") == p.code] { (if lang == Language::Vi { p.name_vi } else { p.name_en }) } }
            }
            @if let Some(e) = err(&["province", "port"]) { span.field-error { (e) } }
            label for="summary" { (t(lang, "field.summary")) }
            textarea #summary name="summary" rows="4" { (v("summary")) }
            (input("concealment", "text", "field.concealment", &["concealment"], false))
            (input("plate", "text", "field.plate", &["plate", "conveyance.plate"], false))
            fieldset {
                legend { (t(lang, "field.goods")) }
                (input("goods_description", "text", "field.description", &["goods.description"], false))
                label for="goods_category" { (t(lang, "field.category")) }
                select #goods_category name="goods_category" {
                    option value="" { "—" }
                    @for k in &r.commodities { option value=(k.code) selected[v("goods_category") == k.code] { (if lang == Language::Vi { k.name_vi } else { k.name_en }) } }
                }
                (input("goods_hs_code", "text", "field.hs_code", &["hs_code"], false))
                (input("goods_quantity", "number", "field.quantity", &["goods"], false))
                (input("goods_unit", "text", "field.unit", &["goods.unit"], false))
                (input("goods_value_vnd", "number", "field.value_vnd", &["goods.value_vnd"], false))
            }
            @if editing.is_none() { fieldset {
                legend { (t(lang, "field.parties")) }
                (input("party_name", "text", "field.party_name", &["parties.name"], false))
                (input("party_cccd", "text", "field.party_cccd", &["identifiers"], false))
                label for="party_role" { (t(lang, "field.party_role")) }
                select #party_role name="party_role" {
                    @for role in cordon_core::case::PartyRole::ALL { option value=(role.as_str()) selected[v("party_role") == role.as_str()] { (code_label(lang, role.as_str())) } }
                }
            } }
            fieldset {
                legend { (t(lang, "field.tlp")) }
                label for="tlp" { (t(lang, "field.tlp")) }
                select #tlp name="tlp" {
                    @for (code, label) in [("amber", "TLP:AMBER"), ("amber_strict", "TLP:AMBER+STRICT"), ("red", "TLP:RED"), ("green", "TLP:GREEN"), ("clear", "TLP:CLEAR")] {
                        option value=(code) selected[v("tlp") == code] { (label) }
                    }
                }
                p { strong { (t(lang, "field.distribution")) } }
                @if let Some(e) = err(&["distribution"]) { span.field-error #distribution-error { (e) } }
                label { input type="checkbox" name="share" value="own_agency" checked[shared.iter().any(|s| s == "own_agency")]; " " (t(lang, "share.own_agency")) }
                @for a in &partners {
                    @let code = format!("agency:{}", a.id);
                    label { input type="checkbox" name="share" value=(code) checked[shared.contains(&code)]; " " (if lang == Language::Vi { &a.name_vi } else { &a.name_en }) }
                }
                label { input type="checkbox" name="share" value="all_domestic" checked[shared.iter().any(|s| s == "all_domestic")]; " " (t(lang, "share.all_domestic")) }
                label { input type="checkbox" name="share" value="international" checked[shared.iter().any(|s| s == "international")]; " " (t(lang, "share.international")) }
            }
            button.primary type="submit" { (t(lang, "form.save")) }
        }
    };
    layout(lang, Some(ui), title, body)
}

/// Records the case from the form; on a refusal, the form comes back with the message next to the field.
pub async fn create_case(State(s): State<AppState>, ui: Ui, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let agencies = s.app.agencies(&ui.actor).await.unwrap_or_default();
    let back = |field: &str, reason: String| {
        html_response(StatusCode::UNPROCESSABLE_ENTITY, case_form(&ui, &agencies, &form, Some((field.to_string(), reason)), None))
    };
    let Some(detected_at) = parse_datetime(&form.text("detected_at")) else {
        return back(
            "detected_at",
            if ui.lang == Language::Vi { "nhập ngày giờ phát hiện".into() } else { "enter the date and time of detection".into() },
        );
    };
    let number_field = |k: &str| -> Result<Option<f64>, String> {
        form.opt(k).map(|x| x.replace(['.', ' '], "").replace(',', ".").parse::<f64>().map_err(|_| k.to_string())).transpose()
    };
    let (quantity, value) = match (number_field("goods_quantity"), number_field("goods_value_vnd")) {
        (Ok(q), Ok(v)) => (q, v.map(|v| v as i64)),
        (Err(k), _) | (_, Err(k)) => return back(if k == "goods_quantity" { "goods" } else { "goods.value_vnd" }, "?".into()),
    };
    let goods = form
        .opt("goods_description")
        .map(|d| GoodsInput {
            description: d,
            hs_code: form.opt("goods_hs_code"),
            category: form.opt("goods_category"),
            quantity,
            unit: form.opt("goods_unit"),
            value_vnd: value,
            ..Default::default()
        })
        .into_iter()
        .collect();
    let parties = form
        .opt("party_name")
        .map(|name| PartyInput {
            kind: "person".into(),
            name,
            identifiers: form.opt("party_cccd").map(|c| [("cccd".to_string(), c)].into()).unwrap_or_default(),
            role: form.opt("party_role").unwrap_or_else(|| "suspect".into()),
            sharing: None,
            entity_id: None,
        })
        .into_iter()
        .collect();
    let input = CaseInput {
        case_type: form.text("case_type"),
        title: form.text("title"),
        summary: form.text("summary"),
        detected_at,
        seized_at: None,
        province: form.opt("province"),
        port: None,
        route: None,
        place_type: None,
        in_customs_area: None,
        latitude: None,
        longitude: None,
        lead_agency_id: None,
        lead_basis: None,
        detection_method: None,
        concealment: form.opt("concealment"),
        transport_mode: None,
        conveyance: cordon_app::ConveyanceInput { plate: form.opt("plate"), ..Default::default() },
        outcome: Default::default(),
        goods,
        parties,
        sharing: SharingInput { tlp: form.text("tlp"), distribution: form.all("share"), handling: vec![] },
        external_ref: None,
    };
    match s.app.create_case(&ui.actor, input).await {
        Ok(view) => Redirect::to(&format!("/cases/{}", view.id)).into_response(),
        Err(AppError::Invalid(i)) => back(i.field, i.reason),
        Err(e) => app_error_page(&ui, e),
    }
}

// ---- editing a case ----

/// The form values of a case as it stands.
fn form_of(c: &CaseView) -> Form {
    let (y, m, d, hh, mm) = civil(c.detected_at);
    let mut f = vec![
        ("title".to_string(), c.title.clone()),
        ("case_type".into(), c.case_type.clone()),
        ("detected_at".into(), format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}")),
        ("province".into(), c.province_code.clone().unwrap_or_default()),
        ("summary".into(), c.summary.clone()),
        ("concealment".into(), c.concealment.clone().unwrap_or_default()),
        ("plate".into(), c.conveyance.plate.clone().unwrap_or_default()),
        ("tlp".into(), c.sharing.tlp.clone()),
    ];
    if let Some(g) = c.goods.first() {
        f.push(("goods_description".into(), g.description.clone()));
        f.push(("goods_category".into(), g.category.clone().unwrap_or_default()));
        f.push(("goods_hs_code".into(), g.hs_code.clone().unwrap_or_default()));
        f.push(("goods_quantity".into(), g.quantity.map(|q| q.to_string()).unwrap_or_default()));
        f.push(("goods_unit".into(), g.unit.clone().unwrap_or_default()));
        f.push(("goods_value_vnd".into(), g.value_vnd.map(|v| v.to_string()).unwrap_or_default()));
    }
    f.extend(c.sharing.distribution.iter().map(|d| ("share".to_string(), d.clone())));
    Form(f)
}

/// The case as its current view says, to be changed by the form and put back whole.
fn input_of(c: &CaseView) -> CaseInput {
    CaseInput {
        case_type: c.case_type.clone(),
        title: c.title.clone(),
        summary: c.summary.clone(),
        detected_at: c.detected_at,
        seized_at: c.seized_at,
        province: c.province_code.clone(),
        port: c.port_code.clone(),
        route: c.route.clone(),
        place_type: c.place_type.clone(),
        in_customs_area: c.in_customs_area,
        latitude: c.latitude,
        longitude: c.longitude,
        lead_agency_id: Some(c.lead_agency_id.clone()),
        lead_basis: c.lead_basis.clone(),
        detection_method: c.detection_method.clone(),
        concealment: c.concealment.clone(),
        transport_mode: c.transport_mode.clone(),
        conveyance: c.conveyance.clone(),
        outcome: c.outcome.clone(),
        goods: c
            .goods
            .iter()
            .map(|g| GoodsInput {
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
        parties: Vec::new(),
        sharing: c.sharing.clone(),
        external_ref: c.external_ref.clone(),
    }
}

/// The form to edit a case (the recording unit only).
pub async fn edit_case_form(State(s): State<AppState>, ui: Ui, Path(id): Path<String>) -> Response {
    let c = match s.app.case(&ui.actor, &id).await {
        Ok(c) => c,
        Err(e) => return app_error_page(&ui, e),
    };
    if c.owner_unit_id != ui.actor.user.unit_id {
        return app_error_page(&ui, AppError::Forbidden("only the recording unit edits a case"));
    }
    let agencies = s.app.agencies(&ui.actor).await.unwrap_or_default();
    html_response(StatusCode::OK, case_form(&ui, &agencies, &form_of(&c), None, Some(Editing { id: &id, version: c.version })))
}

/// Puts the edited case back if nobody changed it since the form was drawn; otherwise the
/// form comes back with the message (nothing is merged silently).
pub async fn update_case(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let current = match s.app.case(&ui.actor, &id).await {
        Ok(c) => c,
        Err(e) => return app_error_page(&ui, e),
    };
    let version = form.text("version").parse::<i64>().unwrap_or(0);
    let agencies = s.app.agencies(&ui.actor).await.unwrap_or_default();
    let back = |field: &str, reason: String| {
        let editing = Some(Editing { id: &id, version });
        html_response(StatusCode::UNPROCESSABLE_ENTITY, case_form(&ui, &agencies, &form, Some((field.to_string(), reason)), editing))
    };
    let Some(detected_at) = parse_datetime(&form.text("detected_at")) else {
        return back("detected_at", t(ui.lang, "form.bad_date").into());
    };
    let mut input = input_of(&current);
    input.title = form.text("title");
    input.case_type = form.text("case_type");
    input.summary = form.text("summary");
    input.detected_at = detected_at;
    input.province = form.opt("province");
    input.concealment = form.opt("concealment");
    input.conveyance.plate = form.opt("plate");
    if let Some(d) = form.opt("goods_description") {
        let number = |k: &str| form.opt(k).and_then(|x| x.replace(['.', ' '], "").replace(',', ".").parse::<f64>().ok());
        let line = GoodsInput {
            description: d,
            hs_code: form.opt("goods_hs_code"),
            category: form.opt("goods_category"),
            quantity: number("goods_quantity"),
            unit: form.opt("goods_unit"),
            value_vnd: number("goods_value_vnd").map(|v| v.round() as i64),
            ..input.goods.first().cloned().unwrap_or_default()
        };
        match input.goods.first_mut() {
            Some(first) => *first = line,
            None => input.goods.push(line),
        }
    }
    // The form offers the usual audiences; sharing groups already chosen are kept.
    let mut distribution = form.all("share");
    distribution.extend(current.sharing.distribution.iter().filter(|d| d.starts_with("group:")).cloned());
    input.sharing = SharingInput { tlp: form.text("tlp"), distribution, handling: current.sharing.handling.clone() };
    match s.app.update_case(&ui.actor, &id, version, input).await {
        Ok(view) => Redirect::to(&format!("/cases/{}", view.id)).into_response(),
        Err(AppError::Invalid(i)) => back(i.field, i.reason),
        Err(AppError::Stale) => back("version", t(ui.lang, "form.stale").into()),
        Err(e) => app_error_page(&ui, e),
    }
}

// ---- entities ----

/// An entity: identifiers, the cases it is in, and the ring around it as a graph.
pub async fn entity_detail(State(s): State<AppState>, ui: Ui, Path(id): Path<String>) -> Response {
    entities::entity_page(&s, &ui, &id, None).await
}

/// The entity in the middle, the entities it appears with around it; a line's width says in
/// how many cases together. Each node links to its own page, so the ring can be walked.
fn network_graph(labelled_by: &str, e: &cordon_app::EntityView) -> Markup {
    let (w, h) = (640.0, 420.0);
    let (cx, cy) = (w / 2.0, h / 2.0);
    let shown: Vec<&cordon_app::EntityLink> = e.links.iter().take(24).collect();
    let n = shown.len().max(1) as f64;
    let place = |i: usize| {
        let a = std::f64::consts::TAU * i as f64 / n - std::f64::consts::FRAC_PI_2;
        (cx + 170.0 * a.cos(), cy + 160.0 * a.sin())
    };
    let colour = |kind: &str| match kind {
        "person" => "#0b4f8a",
        "company" => "#7a3e00",
        "vehicle" | "vessel" => "#0a6b2b",
        _ => "#444",
    };
    html! {
        svg role="img" aria-labelledby=(labelled_by) viewBox=(format!("0 0 {w} {h}")) width="100%" height="420" {
            @for (i, l) in shown.iter().enumerate() {
                @let (x, y) = place(i);
                line x1=(cx) y1=(cy) x2=(format!("{x:.1}")) y2=(format!("{y:.1}")) stroke="#8a99a8" stroke-width=(1 + l.cases_together.min(6)) {}
            }
            @for (i, l) in shown.iter().enumerate() {
                @let (x, y) = place(i);
                a href=(format!("/entities/{}", l.entity_id)) {
                    circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="9" fill=(colour(&l.kind)) {}
                    text x=(format!("{x:.1}")) y=(format!("{:.1}", y + 22.0)) font-size="11" text-anchor="middle" fill="#111" { (l.name) " (" (l.cases_together) ")" }
                }
            }
            circle cx=(cx) cy=(cy) r="16" fill=(colour(&e.kind)) stroke="#0b2540" stroke-width="3" {}
            text x=(cx) y=(cy + 32.0) font-size="13" font-weight="700" text-anchor="middle" fill="#111" { (e.name) }
        }
    }
}

// ---- notices ----

/// The notices inbox: what the unit was sent (and what escalated to the user), with an
/// acknowledge button where the user answers for it, and what the unit sent.
pub async fn notices(State(s): State<AppState>, ui: Ui) -> Response {
    let lang = ui.lang;
    let list = match s.app.notices(&ui.actor).await {
        Ok(l) => l,
        Err(e) => return app_error_page(&ui, e),
    };
    let me = &ui.actor.user;
    let body = html! {
        h1 { (t(lang, "notices.title")) }
        p { a href="/notices/new" { (t(lang, "coord.raise")) } }
        // Filled by app.js from the live stream (GET /api/v1/notices/stream) as notices arrive.
        section #live-notices data-live-notices="" hidden aria-live="polite" { h2 { (t(lang, "coord.live_title")) } ul {} }
        @if list.is_empty() { p #no-notices { (t(lang, "notices.none")) } }
        @else {
            table #notices-table {
                thead { tr {
                    th scope="col" { (t(lang, "audit.when")) } th scope="col" { (t(lang, "notices.priority")) } th scope="col" { (t(lang, "field.title")) }
                    th scope="col" { (t(lang, "notices.from")) } th scope="col" { (t(lang, "notices.deadline")) } th scope="col" { (t(lang, "access.status")) }
                } }
                tbody {
                    @for n in &list {
                        @let mine = n.recipients.iter().find(|r| r.unit_id == me.unit_id || r.escalated_to.as_deref() == Some(me.id.as_str()));
                        tr {
                            td { (datetime(n.created_at)) }
                            td { @if n.priority == "urgent" { strong.error { (code_label(lang, &n.priority)) } } @else { (code_label(lang, &n.priority)) } }
                            td { a href=(format!("/notices/{}", n.id)) { (n.title) } @if let Some(c) = &n.case_id { " · " a href=(format!("/cases/{c}")) { (t(lang, "field.case")) } } }
                            td { (n.from_unit_id) }
                            td { (datetime(n.ack_deadline)) }
                            td {
                                @match mine {
                                    Some(r) if matches!(r.status.as_str(), "pending" | "escalated") => {
                                        form method="post" action=(format!("/notices/{}/ack", n.id)) {
                                            input type="hidden" name="_csrf" value=(ui.csrf());
                                            @if r.status == "escalated" { span.up { (code_label(lang, "escalated")) } " " }
                                            button.primary type="submit" { (t(lang, "notices.ack")) }
                                        }
                                    }
                                    Some(r) => (code_label(lang, &r.status)),
                                    None => {
                                        @for (i, r) in n.recipients.iter().enumerate() {
                                            @if i > 0 { ", " } (r.unit_id) ": " (code_label(lang, &r.status))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    html_response(StatusCode::OK, layout(lang, Some(&ui), t(lang, "notices.title"), body))
}

/// Acknowledges a notice from the inbox.
pub async fn acknowledge_notice(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    // Back to the notice's own page when acknowledged from it; only that local path is followed.
    let back = form.get("back").filter(|b| *b == format!("/notices/{id}")).unwrap_or("/notices").to_string();
    match s.app.acknowledge_notice(&ui.actor, &id).await {
        Ok(_) | Err(AppError::Invalid(_)) => Redirect::to(&back).into_response(),
        Err(e) => app_error_page(&ui, e),
    }
}

// ---- access requests ----

/// Asks the holding agency for the parties withheld on a case.
pub async fn request_access(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    match s.app.request_access(&ui.actor, &id, cordon_app::AccessRequestInput { reason: form.text("reason") }).await {
        Ok(_) => Redirect::to("/access-requests").into_response(),
        Err(AppError::Invalid(_) | AppError::Conflict(_)) => Redirect::to(&format!("/cases/{id}")).into_response(),
        Err(e) => app_error_page(&ui, e),
    }
}

/// The access requests the user's agency made or must decide, with the decision forms for heads.
pub async fn access_requests(State(s): State<AppState>, ui: Ui) -> Response {
    let lang = ui.lang;
    let list = match s.app.access_requests(&ui.actor).await {
        Ok(l) => l,
        Err(e) => return app_error_page(&ui, e),
    };
    let decides = ui.actor.user.roles.holds(cordon_core::Role::UnitHead) || ui.actor.user.roles.holds(cordon_core::Role::DeputyHead);
    let body = html! {
        h1 { (t(lang, "access.title")) }
        @if list.is_empty() { p { (t(lang, "access.none")) } }
        @else {
            table #access-table {
                thead { tr {
                    th scope="col" { (t(lang, "audit.when")) } th scope="col" { (t(lang, "field.case")) } th scope="col" { (t(lang, "access.from")) }
                    th scope="col" { (t(lang, "access.reason")) } th scope="col" { (t(lang, "access.status")) }
                } }
                tbody {
                    @for r in &list {
                        tr {
                            td { (datetime(r.created_at)) }
                            td { a href=(format!("/cases/{}", r.case_id)) { (r.case_id) } }
                            td { (r.requester_unit_id) " (" (r.requester_agency_id) ")" }
                            td { (r.reason) }
                            td {
                                @if r.status == "pending" && decides && r.owner_agency_id == ui.actor.agency_id {
                                    form.decide method="post" action=(format!("/access-requests/{}/decision", r.id)) {
                                        input type="hidden" name="_csrf" value=(ui.csrf());
                                        label { (t(lang, "access.decision_reason")) input type="text" name="reason" maxlength="2000"; }
                                        button.primary type="submit" name="grant" value="true" { (t(lang, "access.grant")) }
                                        button type="submit" name="grant" value="false" { (t(lang, "access.refuse")) }
                                    }
                                } @else {
                                    (code_label(lang, &r.status))
                                    @if let Some(why) = r.decision_reason.as_deref().filter(|w| !w.is_empty()) { " · " (why) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    html_response(StatusCode::OK, layout(lang, Some(&ui), t(lang, "access.title"), body))
}

/// A head's decision on an access request.
pub async fn decide_access(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let input = cordon_app::AccessDecisionInput { grant: form.get("grant") == Some("true"), reason: form.text("reason") };
    match s.app.decide_access_request(&ui.actor, &id, input).await {
        Ok(_) | Err(AppError::Invalid(_) | AppError::Conflict(_)) => Redirect::to("/access-requests").into_response(),
        Err(e) => app_error_page(&ui, e),
    }
}

#[cfg(test)]
mod tests {
    /// Every word the pages ask for exists in both languages.
    #[test]
    fn no_missing_words() {
        let source = [include_str!("pages.rs"), include_str!("pages/admin.rs")].concat();
        let mut missing = Vec::new();
        for chunk in source.split("t(lang, \"").skip(1).chain(source.split("t(ui.lang, \"").skip(1)) {
            let key = chunk.split('"').next().unwrap_or_default();
            if super::t(cordon_core::Language::Vi, key) == "?" {
                missing.push(key.to_string());
            }
        }
        assert!(missing.is_empty(), "{missing:?}");
    }
}
