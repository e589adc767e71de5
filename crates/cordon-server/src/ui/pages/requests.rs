//! Requests between administrations: the list with deadline flags, a request with its
//! history and answers (and the forms to move it and answer it), recording one, and the
//! statistics table for a period.

use cordon_app::{
    RequestAnswerInput, RequestInput, RequestQuery, RequestStatisticsView, RequestTransitionInput, RequestView, StatisticsQuery,
};
use cordon_core::request::{Direction, RequestKind, RequestStatus};

use super::*;

/// List filters.
#[derive(Deserialize, Default)]
pub struct RequestListParams {
    direction: Option<String>,
    status: Option<String>,
    flag: Option<String>,
}

fn flag_badge(lang: Language, flag: &str) -> Markup {
    match flag {
        "overdue" => html! { strong.error { (t(lang, "req.overdue")) } },
        "reminder" => html! { strong { (t(lang, "req.reminder")) } },
        _ => html! { span.muted { (t(lang, "req.on_time")) } },
    }
}

/// The counterpart in the user's language: a foreign administration as "Hải quan <country>".
fn counterpart_words(lang: Language, r: &RequestView) -> String {
    match (&r.counterpart_country, cordon_core::request::Counterpart::parse(&r.counterpart)) {
        (Some(cc), _) => {
            format!("{} {}", t(lang, "req.customs_of"), cordon_core::request::country_name(cc).unwrap_or(cc))
        }
        (None, Ok(cordon_core::request::Counterpart::Agency(id))) => id,
        _ => r.counterpart_name.clone(),
    }
}

fn request_table(lang: Language, items: &[RequestView]) -> Markup {
    html! {
        @if items.is_empty() { p.muted { (t(lang, "req.none")) } } @else {
            table #requests {
                thead { tr {
                    th scope="col" { (t(lang, "field.reference")) } th scope="col" { (t(lang, "req.kind")) }
                    th scope="col" { (t(lang, "req.direction")) } th scope="col" { (t(lang, "req.counterpart")) }
                    th scope="col" { (t(lang, "req.subject")) } th scope="col" { (t(lang, "field.status")) }
                    th scope="col" { (t(lang, "req.deadline")) } th scope="col" { (t(lang, "req.flag")) }
                } }
                tbody {
                    @for r in items {
                        tr data-flag=(r.deadline_flag) {
                            td { a href=(format!("/requests/{}", r.id)) { (r.reference) } }
                            td { (code_label(lang, &r.kind)) } td { (code_label(lang, &r.direction)) }
                            td { (counterpart_words(lang, r)) } td { (r.subject) } td { (code_label(lang, &r.status)) }
                            td { (datetime(r.deadline)) } td { (flag_badge(lang, &r.deadline_flag)) }
                        }
                    }
                }
            }
        }
    }
}

/// The requests the user may see, filtered, each with its deadline flag.
pub async fn request_list(State(s): State<AppState>, ui: Ui, Query(p): Query<RequestListParams>) -> Response {
    let lang = ui.lang;
    let keep = |v: &Option<String>| v.clone().filter(|x| !x.trim().is_empty());
    let q = RequestQuery { direction: keep(&p.direction), status: keep(&p.status), flag: keep(&p.flag), ..Default::default() };
    let items = match s.app.requests(&ui.actor, q).await {
        Ok(items) => items,
        Err(AppError::Invalid(_)) => Vec::new(),
        Err(e) => return app_error_page(&ui, e),
    };
    let selected = |v: &Option<String>, code: &str| v.as_deref() == Some(code);
    let body = html! {
        h1 { (t(lang, "req.title")) }
        p { a href="/requests/new" { (t(lang, "req.new")) } " · " a href="/requests/statistics" { (t(lang, "req.stats")) } }
        form.filters method="get" action="/requests" {
            label { (t(lang, "req.direction"))
                select name="direction" {
                    option value="" { (t(lang, "cases.any")) }
                    @for d in Direction::ALL { option value=(d.as_str()) selected[selected(&p.direction, d.as_str())] { (code_label(lang, d.as_str())) } }
                }
            }
            label { (t(lang, "field.status"))
                select name="status" {
                    option value="" { (t(lang, "cases.any")) }
                    @for st in RequestStatus::ALL { option value=(st.as_str()) selected[selected(&p.status, st.as_str())] { (code_label(lang, st.as_str())) } }
                }
            }
            label { (t(lang, "req.flag"))
                select name="flag" {
                    option value="" { (t(lang, "cases.any")) }
                    option value="reminder" selected[selected(&p.flag, "reminder")] { (t(lang, "req.reminder")) }
                    option value="overdue" selected[selected(&p.flag, "overdue")] { (t(lang, "req.overdue")) }
                }
            }
            button.primary type="submit" { (t(lang, "cases.filter")) }
        }
        (request_table(lang, &items))
    };
    html_response(StatusCode::OK, layout(lang, Some(&ui), t(lang, "req.title"), body))
}

fn request_form(ui: &Ui, form: &Form, error: Option<String>) -> Markup {
    let lang = ui.lang;
    let v = |k: &str| form.text(k);
    html! {
        h1 { (t(lang, "req.new")) }
        form.stack #new-request method="post" action="/requests/new" {
            input type="hidden" name="_csrf" value=(ui.csrf());
            @if let Some(e) = error { p.error role="alert" { (e) } }
            label for="kind" { (t(lang, "req.kind")) }
            select #kind name="kind" { @for k in RequestKind::ALL { option value=(k.as_str()) selected[v("kind") == k.as_str()] { (code_label(lang, k.as_str())) } } }
            label for="direction" { (t(lang, "req.direction")) }
            select #direction name="direction" { @for d in Direction::ALL { option value=(d.as_str()) selected[v("direction") == d.as_str()] { (code_label(lang, d.as_str())) } } }
            label for="counterpart" { (t(lang, "req.counterpart")) }
            input #counterpart type="text" name="counterpart" required value=(v("counterpart")) aria-describedby="counterpart-help";
            p.muted #counterpart-help { (t(lang, "req.counterpart_help")) }
            label for="subject" { (t(lang, "req.subject")) } input #subject type="text" name="subject" required value=(v("subject"));
            label for="details" { (t(lang, "req.details")) } textarea #details name="details" rows="5" { (v("details")) }
            label for="legal_basis" { (t(lang, "req.legal_basis")) } input #legal_basis type="text" name="legal_basis" required value=(v("legal_basis"));
            label for="their_reference" { (t(lang, "req.their_reference")) } input #their_reference type="text" name="their_reference" value=(v("their_reference"));
            label for="deadline" { (t(lang, "req.deadline")) }
            input #deadline type="datetime-local" name="deadline" value=(v("deadline")) aria-describedby="deadline-help";
            p.muted #deadline-help { (t(lang, "req.deadline_help")) }
            label for="linked_cases" { (t(lang, "req.linked_cases")) }
            input #linked_cases type="text" name="linked_cases" value=(v("linked_cases")) aria-describedby="linked-help";
            p.muted #linked-help { (t(lang, "req.linked_cases_help")) }
            label for="tlp" { (t(lang, "field.tlp")) }
            select #tlp name="tlp" {
                @for (code, label) in [("amber_strict", "TLP:AMBER+STRICT"), ("red", "TLP:RED"), ("amber", "TLP:AMBER"), ("green", "TLP:GREEN")] {
                    option value=(code) selected[v("tlp") == code] { (label) }
                }
            }
            fieldset {
                legend { (t(lang, "field.distribution")) }
                @for (code, key) in [("own_agency", "share.own_agency"), ("all_domestic", "share.all_domestic"), ("international", "share.international")] {
                    label { input type="checkbox" name="distribution" value=(code) checked[form.all("distribution").iter().any(|d| d == code)]; " " (t(lang, key)) }
                }
            }
            button.primary type="submit" { (t(lang, "req.save")) }
        }
    }
}

/// The form to record a request.
pub async fn new_request_form(ui: Ui) -> Response {
    let form = Form(vec![("tlp".into(), "amber_strict".into()), ("distribution".into(), "own_agency".into())]);
    html_response(StatusCode::OK, layout(ui.lang, Some(&ui), t(ui.lang, "req.new"), request_form(&ui, &form, None)))
}

/// Records a request from the form, then shows it; a refusal shows the form again with the reason.
pub async fn create_request(State(s): State<AppState>, ui: Ui, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let lang = ui.lang;
    let deadline = match form.opt("deadline").map(|d| parse_datetime(&d)) {
        None => None,
        Some(Some(ms)) => Some(ms),
        Some(None) => {
            let e = format!("{}: {}", t(lang, "req.deadline"), t(lang, "form.bad_date"));
            return html_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                layout(lang, Some(&ui), t(lang, "req.new"), request_form(&ui, &form, Some(e))),
            );
        }
    };
    let input = RequestInput {
        kind: form.text("kind"),
        direction: form.text("direction"),
        counterpart: form.text("counterpart"),
        subject: form.text("subject"),
        details: form.text("details"),
        legal_basis: form.text("legal_basis"),
        agreement_id: None,
        their_reference: form.opt("their_reference"),
        deadline,
        linked_cases: form.text("linked_cases").split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect(),
        linked_entities: Vec::new(),
        sharing: SharingInput { tlp: form.text("tlp"), distribution: form.all("distribution"), handling: Vec::new() },
    };
    match s.app.create_request(&ui.actor, input).await {
        Ok(r) => Redirect::to(&format!("/requests/{}", r.id)).into_response(),
        Err(AppError::Invalid(i)) => {
            let e = format!("{}: {}", i.field, super::super::i18n::reason(lang, &i.reason));
            html_response(StatusCode::UNPROCESSABLE_ENTITY, layout(lang, Some(&ui), t(lang, "req.new"), request_form(&ui, &form, Some(e))))
        }
        Err(e) => app_error_page(&ui, e),
    }
}

async fn detail_page(s: &AppState, ui: &Ui, id: &str, error: Option<String>) -> Response {
    let lang = ui.lang;
    let r = match s.app.request(&ui.actor, id).await {
        Ok(r) => r,
        Err(e) => return app_error_page(ui, e),
    };
    let file_link = |f: &cordon_app::RequestFileView| {
        html! { li { a href=(format!("/api/v1/requests/{}/attachments/{}", r.id, f.sha256)) { (f.filename) } " " span.muted { "(" (number(lang, f.size)) " B)" } } }
    };
    let open = matches!(r.status.as_str(), "sent" | "received" | "partially_answered");
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = html! {
        h1 { (r.reference) " · " (r.subject) }
        p { (tlp_badge(&r.sharing.tlp)) " " (code_label(lang, &r.status)) " · " (flag_badge(lang, &r.deadline_flag)) }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        dl {
            dt { (t(lang, "req.kind")) } dd { (code_label(lang, &r.kind)) }
            dt { (t(lang, "req.direction")) } dd { (code_label(lang, &r.direction)) }
            dt { (t(lang, "req.counterpart")) } dd { (counterpart_words(lang, &r)) " " span.muted { "(" (r.counterpart) ")" } }
            dt { (t(lang, "req.legal_basis")) } dd { (r.legal_basis) }
            @if let Some(theirs) = &r.their_reference { dt { (t(lang, "req.their_reference")) } dd { (theirs) } }
            dt { (t(lang, "req.deadline")) } dd { (datetime(r.deadline)) }
            dt { (t(lang, "field.owner")) } dd { (r.owner_unit_id) }
            @if !r.sharing.handling.is_empty() { dt { (t(lang, "field.handling")) } dd { (r.sharing.handling.join(", ")) } }
            @if !r.linked_cases.is_empty() {
                dt { (t(lang, "req.linked_cases")) }
                dd { @for c in &r.linked_cases { a href=(format!("/cases/{c}")) { (c) } " " } }
            }
        }
        @if !r.details.is_empty() { h2 { (t(lang, "req.details")) } p { (r.details) } }
        @if !r.files.is_empty() { h2 { (t(lang, "req.files")) } ul #files { @for f in &r.files { (file_link(f)) } } }
        p {
            a href=(format!("/api/v1/requests/{}/package", r.id)) download { (t(lang, "req.package")) }
            " · "
            a #print href=(format!("/api/v1/requests/{}/pdf", r.id)) { (t(lang, "req.print")) }
        }
        h2 #answers { (t(lang, "req.answers")) }
        @for a in &r.answers {
            article.answer {
                h3 { (t(lang, if a.is_final { "req.final_label" } else { "req.partial_label" })) " · " (datetime(a.answered_at)) }
                p { (a.body) }
                @if let Some(key) = &a.signed_by { p.muted { (t(lang, "req.via_package")) " " code { (key.get(..16).unwrap_or(key)) "…" } } }
                @if !a.files.is_empty() { ul { @for f in &a.files { (file_link(f)) } } }
            }
        }
        @if open {
            form.stack #answer method="post" action=(format!("/requests/{}/answer", r.id)) {
                input type="hidden" name="_csrf" value=(ui.csrf());
                label for="answer_body" { (t(lang, "req.answer")) }
                textarea #answer_body name="body" rows="4" required {}
                label { input type="checkbox" name="final" value="true"; " " (t(lang, "req.final")) }
                button.primary type="submit" { (t(lang, "req.answer")) }
            }
        }
        @if !r.next_statuses.is_empty() {
            form.stack #transition method="post" action=(format!("/requests/{}/transition", r.id)) {
                input type="hidden" name="_csrf" value=(ui.csrf());
                label for="to" { (t(lang, "req.move")) }
                select #to name="to" { @for st in &r.next_statuses { option value=(st) { (code_label(lang, st)) } } }
                label for="reason" { (t(lang, "req.reason")) } input #reason type="text" name="reason";
                button.primary type="submit" { (t(lang, "req.move")) }
            }
        }
        h2 #history { (t(lang, "req.history")) }
        table {
            thead { tr { th scope="col" { (t(lang, "audit.when")) } th scope="col" { (t(lang, "audit.actor")) } th scope="col" { (t(lang, "audit.action")) } th scope="col" { (t(lang, "field.status")) } th scope="col" { (t(lang, "req.reason")) } } }
            tbody {
                @for e in &r.history {
                    tr {
                        td { (datetime(e.at)) } td { (e.actor_user_id) " · " (e.actor_unit_id) } td { (code_label(lang, &e.kind)) }
                        td { @if let Some(to) = &e.to_status { (code_label(lang, to)) } } td { (e.reason) }
                    }
                }
            }
        }
    };
    html_response(status, layout(lang, Some(ui), &r.reference, body))
}

/// A request with its history, answers and files.
pub async fn request_detail(State(s): State<AppState>, ui: Ui, Path(id): Path<String>) -> Response {
    detail_page(&s, &ui, &id, None).await
}

async fn after_post(s: &AppState, ui: &Ui, id: &str, result: Result<RequestView, AppError>) -> Response {
    match result {
        Ok(_) => Redirect::to(&format!("/requests/{id}")).into_response(),
        Err(AppError::Invalid(i)) => {
            let e = format!("{}: {}", i.field, super::super::i18n::reason(ui.lang, &i.reason));
            detail_page(s, ui, id, Some(e)).await
        }
        Err(e) => app_error_page(ui, e),
    }
}

/// Moves a request from its page.
pub async fn transition_request(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let input = RequestTransitionInput { to: form.text("to"), reason: form.text("reason") };
    let result = s.app.transition_request(&ui.actor, &id, input).await;
    after_post(&s, &ui, &id, result).await
}

/// Records an answer from a request's page.
pub async fn answer_request(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let input = RequestAnswerInput { is_final: form.get("final") == Some("true"), body: form.text("body") };
    let result = s.app.answer_request(&ui.actor, &id, input).await;
    after_post(&s, &ui, &id, result).await
}

/// The statistics page's period.
#[derive(Deserialize, Default)]
pub struct StatisticsParams {
    from: Option<String>,
    to: Option<String>,
    unit: Option<String>,
}

fn tally_cells(lang: Language, r: &cordon_app::TallyView) -> Markup {
    html! {
        td.num { (number(lang, r.requests)) } td.num { (number(lang, r.answered)) } td.num { (number(lang, r.overdue)) }
        td.num { @if let Some(m) = r.median_answer_days { (format!("{m:.1}")) } }
    }
}

fn breakdown(lang: Language, title: &str, rows: &[(String, &cordon_app::TallyView, &cordon_app::TallyView)]) -> Markup {
    html! {
        table {
            caption { (title) }
            thead {
                tr { th scope="col" rowspan="2" { "" } th scope="colgroup" colspan="4" { (t(lang, "req.received")) } th scope="colgroup" colspan="4" { (t(lang, "req.sent")) } }
                tr {
                    @for _ in 0..2 {
                        th scope="col" { (t(lang, "req.count")) } th scope="col" { (t(lang, "req.answered")) }
                        th scope="col" { (t(lang, "req.overdue")) } th scope="col" { (t(lang, "req.median")) }
                    }
                }
            }
            tbody { @for (label, r, s) in rows { tr { th scope="row" { (label) } (tally_cells(lang, r)) (tally_cells(lang, s)) } } }
        }
    }
}

fn summary_sentence(lang: Language, s: &RequestStatisticsView) -> String {
    match lang {
        Language::Vi => format!(
            "Tiếp nhận {} yêu cầu từ {} nước và vùng lãnh thổ, đã trả lời {}; gửi {} yêu cầu, {} đã được trả lời.",
            s.received.requests, s.countries_received_from, s.received.answered, s.sent.requests, s.sent.answered
        ),
        Language::En => s.summary.clone(),
    }
}

/// The statistics table for a period (default: this year), with the CSV and XLSX downloads.
pub async fn request_statistics(State(s): State<AppState>, ui: Ui, Query(p): Query<StatisticsParams>) -> Response {
    let lang = ui.lang;
    let year = cordon_core::time::year(s.app.now_ms());
    let from_text = p.from.clone().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| format!("{year}-01-01"));
    let to_text = p.to.clone().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| format!("{}-01-01", year + 1));
    let unit = p.unit.clone().filter(|v| !v.trim().is_empty());
    let (Some(from), Some(to)) = (parse_datetime(&from_text), parse_datetime(&to_text)) else {
        return message_page(lang, StatusCode::BAD_REQUEST, "form.bad_date");
    };
    let stats = match s.app.request_statistics(&ui.actor, StatisticsQuery { from, to, unit: unit.clone(), agency: None }).await {
        Ok(st) => st,
        Err(e) => return app_error_page(&ui, e),
    };
    let mut download = form_urlencoded::Serializer::new(String::from("/api/v1/requests/statistics?"));
    download.append_pair("from", &from.to_string()).append_pair("to", &to.to_string());
    if let Some(u) = &unit {
        download.append_pair("unit", u);
    }
    let download = download.finish();
    let countries: Vec<(String, &cordon_app::TallyView, &cordon_app::TallyView)> =
        stats.by_country.iter().map(|b| (format!("{} ({})", b.label, b.key), &b.received, &b.sent)).collect();
    let kinds: Vec<(String, &cordon_app::TallyView, &cordon_app::TallyView)> =
        stats.by_kind.iter().map(|b| (code_label(lang, &b.key).to_string(), &b.received, &b.sent)).collect();
    let total = vec![(t(lang, "req.total").to_string(), &stats.received, &stats.sent)];
    let body = html! {
        h1 { (t(lang, "req.stats_title")) }
        form.filters method="get" action="/requests/statistics" {
            label { (t(lang, "req.from")) input type="date" name="from" value=(from_text); }
            label { (t(lang, "req.to")) input type="date" name="to" value=(to_text); }
            label { (t(lang, "req.unit")) input type="text" name="unit" value=(unit.clone().unwrap_or_default()); }
            button.primary type="submit" { (t(lang, "req.show")) }
        }
        p #summary { strong { (summary_sentence(lang, &stats)) } }
        p { a href=(format!("{download}&format=csv")) { "CSV" } " · " a href=(format!("{download}&format=xlsx")) { "XLSX" } }
        (breakdown(lang, t(lang, "req.total"), &total))
        (breakdown(lang, t(lang, "req.by_country"), &countries))
        (breakdown(lang, t(lang, "req.by_kind"), &kinds))
    };
    html_response(StatusCode::OK, layout(lang, Some(&ui), t(lang, "req.stats_title"), body))
}
