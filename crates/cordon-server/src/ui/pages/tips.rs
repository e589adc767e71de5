//! Tips: the public pages (send a tip with no account; look up its status and add to it with
//! the tracking code) and the units' pages (queue, a tip with its repeats and similar cases,
//! triage and closing, a hotline call).
//!
//! The public form works without JavaScript: instead of a proof of work it carries a
//! single-use form token that must be a few seconds old when it comes back, and a field hidden
//! from people that bots fill in.

use cordon_app::{TipCloseInput, TipFollowUpInput, TipInput, TipTriageInput, TipView};

use super::*;

/// Which language the public pages speak: `?lang=en`, else the browser's.
#[derive(Deserialize)]
pub struct LangParam {
    lang: Option<String>,
}

fn public_lang(p: &LangParam, headers: &HeaderMap) -> Language {
    match p.lang.as_deref() {
        Some("en") => Language::En,
        Some("vi") => Language::Vi,
        _ => browser_language(headers),
    }
}

fn violation_select(lang: Language, name: &str, chosen: &str, blank: bool) -> Markup {
    html! {
        select id=(name) name=(name) {
            @if blank { option value="" { "—" } }
            @for ct in cordon_core::case::CaseType::ALL { option value=(ct.as_str()) selected[chosen == ct.as_str()] { (code_label(lang, ct.as_str())) } }
        }
    }
}

fn province_select(lang: Language, chosen: &str) -> Markup {
    let r = reference();
    html! {
        select #province name="province" {
            option value="" { "—" }
            @for p in &r.provinces { option value=(p.code) selected[chosen == p.code] { (if lang == Language::Vi { p.name_vi } else { p.name_en }) } }
        }
    }
}

/// The fields a tip form has, public or hotline.
fn tip_fields(lang: Language, form: &Form) -> Markup {
    let v = |k: &str| form.text(k);
    html! {
        label for="body" { (t(lang, "tips.body")) }
        textarea #body name="body" rows="8" required { (v("body")) }
        label for="province" { (t(lang, "tips.province")) } (province_select(lang, &v("province")))
        label for="place" { (t(lang, "tips.place")) } input #place name="place" value=(v("place"));
        label for="violation_type" { (t(lang, "tips.violation")) } (violation_select(lang, "violation_type", &v("violation_type"), true))
        label { input type="checkbox" name="ecommerce" value="1" checked[form.get("ecommerce").is_some()]; " " (t(lang, "tips.ecommerce")) }
        fieldset {
            legend { (t(lang, "tips.about_you")) }
            p.muted { (t(lang, "tips.anonymous")) }
            label for="reporter_name" { (t(lang, "tips.name")) } input #reporter_name name="reporter_name" value=(v("reporter_name"));
            label for="reporter_contact" { (t(lang, "tips.contact")) } input #reporter_contact name="reporter_contact" value=(v("reporter_contact"));
            label { input type="checkbox" name="consent" value="1" checked[form.get("consent").is_some()]; " " (t(lang, "tips.consent")) }
        }
    }
}

fn tip_input(form: &Form, challenge: String) -> TipInput {
    TipInput {
        body: form.text("body"),
        province: form.opt("province"),
        place: form.opt("place"),
        violation_type: form.opt("violation_type"),
        ecommerce: form.get("ecommerce").is_some(),
        reporter_name: form.opt("reporter_name"),
        reporter_contact: form.opt("reporter_contact"),
        consent: form.get("consent").is_some(),
        files: Vec::new(),
        challenge,
        nonce: String::new(),
    }
}

fn public_form(s: &AppState, lang: Language, form: &Form, error: Option<String>) -> Response {
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let other = if lang == Language::Vi { "en" } else { "vi" };
    let body = html! {
        p { a href=(format!("/tip?lang={other}")) lang=(other) { (t(lang, "lang.switch")) } " · " a href=(format!("/tip/status?lang={}", lang.as_str())) { (t(lang, "tips.check_status")) } }
        h1 { (t(lang, "tips.public_title")) }
        p { (t(lang, "tips.public_intro")) }
        @if let Some(e) = &error { p.error role="alert" #tip-error { (super::super::i18n::reason(lang, e)) } }
        form.stack #tip-form method="post" enctype="multipart/form-data" action=(format!("/tip?lang={}", lang.as_str())) {
            input type="hidden" name="token" value=(s.app.tip_form_token());
            // People never see this field; form-filling bots do, and fill it in.
            div.trap aria-hidden="true" { label for="website" { "Website" } input #website name="website" tabindex="-1" autocomplete="off"; }
            (tip_fields(lang, form))
            label for="files" { (t(lang, "tips.files_upload")) }
            input #files type="file" name="files" multiple accept="image/png,image/jpeg,image/webp,application/pdf,video/mp4";
            button.primary type="submit" { (t(lang, "tips.send")) }
        }
    };
    html_response(status, layout(lang, None, t(lang, "tips.public_title"), body))
}

/// The public tip form (no account needed).
pub async fn tip_form(State(s): State<AppState>, Query(p): Query<LangParam>, headers: HeaderMap) -> Response {
    public_form(&s, public_lang(&p, &headers), &Form(Vec::new()), None)
}

/// Takes a tip from the public form and shows its tracking code once.
pub async fn submit_tip(
    State(s): State<AppState>,
    Query(p): Query<LangParam>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = public_lang(&p, &headers);
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    // With files the browser sends multipart/form-data; without a file input, a plain form.
    let (form, files) = match cordon_transfer::parse_form_data(content_type, &body) {
        Some(parts) => {
            let mut fields = Vec::new();
            let mut files = Vec::new();
            for (name, filename, bytes) in parts {
                match filename {
                    Some(f) if !bytes.is_empty() => files.push((f, bytes)),
                    Some(_) => {}
                    None => fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
                }
            }
            (Form(fields), files)
        }
        None => (Form::parse(&body), Vec::new()),
    };
    if !form.text("website").is_empty() {
        return public_form(&s, lang, &form, Some("the form could not be sent".into()));
    }
    match s.app.submit_form_tip(tip_input(&form, form.text("token")), files, &addr).await {
        Ok(receipt) => {
            let body = html! {
                h1 { (t(lang, "tips.thanks")) }
                p { (t(lang, "tips.keep_code")) }
                p.code #tracking-code { strong { (receipt.tracking_code) } }
                p { a href=(format!("/tip/status?lang={}", lang.as_str())) { (t(lang, "tips.check_status")) } }
            };
            html_response(StatusCode::CREATED, layout(lang, None, t(lang, "tips.thanks"), body))
        }
        Err(AppError::Invalid(i)) => public_form(&s, lang, &form, Some(i.to_string())),
        Err(AppError::RateLimited(_)) => public_form(&s, lang, &form, Some("too many tips from this address; try again later".into())),
        Err(AppError::Forbidden(reason)) => public_form(&s, lang, &form, Some(reason.into())),
        Err(e) => {
            tracing::error!(error = %e, "public tip failed");
            message_page(lang, StatusCode::INTERNAL_SERVER_ERROR, "error.generic")
        }
    }
}

fn status_page(lang: Language, code: &str, found: Option<Result<cordon_app::TipStatusView, String>>) -> Response {
    let status = match &found {
        Some(Err(_)) => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    };
    let body = html! {
        p { a href=(format!("/tip?lang={}", lang.as_str())) { (t(lang, "tips.public_title")) } }
        h1 { (t(lang, "tips.check_status")) }
        form.stack #status-form method="post" action=(format!("/tip/status?lang={}", lang.as_str())) {
            label for="tracking_code" { (t(lang, "tips.code")) }
            input #tracking_code name="tracking_code" value=(code) required autocomplete="off";
            button.primary type="submit" { (t(lang, "tips.look_up")) }
        }
        @match &found {
            Some(Ok(st)) => {
                dl #tip-status {
                    dt { (t(lang, "access.status")) } dd { (if lang == Language::Vi { &st.status_vi } else { &st.status_en }) }
                    dt { (t(lang, "tips.received")) } dd { (datetime(st.received_at)) }
                }
                @if !st.follow_ups.is_empty() {
                    h2 { (t(lang, "tips.your_additions")) }
                    ul { @for f in &st.follow_ups { li { (f) } } }
                }
                @if st.status != "closed" {
                    form.stack #follow-up method="post" action=(format!("/tip/follow-up?lang={}", lang.as_str())) {
                        input type="hidden" name="tracking_code" value=(code);
                        label for="more" { (t(lang, "tips.add")) }
                        textarea #more name="body" rows="4" required {}
                        button.primary type="submit" { (t(lang, "tips.send")) }
                    }
                }
            }
            Some(Err(e)) => p.error role="alert" { (super::super::i18n::reason(lang, e)) },
            None => {}
        }
    };
    html_response(status, layout(lang, None, t(lang, "tips.check_status"), body))
}

/// The look-up form for a tracking code.
pub async fn status_form(Query(p): Query<LangParam>, headers: HeaderMap) -> Response {
    status_page(public_lang(&p, &headers), "", None)
}

fn lookup_error(lang: Language, e: AppError) -> String {
    match e {
        AppError::NotFound(_) => t(lang, "tips.no_such_code").into(),
        AppError::RateLimited(_) => t(lang, "tips.too_many").into(),
        AppError::Invalid(i) => i.to_string(),
        other => {
            tracing::error!(error = %other, "tip look-up failed");
            t(lang, "error.generic").into()
        }
    }
}

/// Shows the status of the tip a tracking code names.
pub async fn status_lookup(
    State(s): State<AppState>,
    Query(p): Query<LangParam>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = public_lang(&p, &headers);
    let code = Form::parse(&body).text("tracking_code");
    let found = s.app.tip_status(&code, &addr).await.map_err(|e| lookup_error(lang, e));
    status_page(lang, &code, Some(found))
}

/// Adds the reporter's further information through the tracking code.
pub async fn follow_up(
    State(s): State<AppState>,
    Query(p): Query<LangParam>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = public_lang(&p, &headers);
    let form = Form::parse(&body);
    let code = form.text("tracking_code");
    let input = TipFollowUpInput { tracking_code: code.clone(), body: form.text("body"), files: Vec::new() };
    let found = s.app.tip_follow_up(input, &addr).await.map_err(|e| lookup_error(lang, e));
    status_page(lang, &code, Some(found))
}

// ---- the units' pages ----

/// Which tips the queue shows.
#[derive(Deserialize)]
pub struct TipQueueParams {
    status: Option<String>,
}

/// The tips the user's unit took in or was routed.
pub async fn queue(State(s): State<AppState>, ui: Ui, Query(p): Query<TipQueueParams>) -> Response {
    let lang = ui.lang;
    let status = p.status.unwrap_or_else(|| "received".into());
    let tips = match s.app.tips(&ui.actor, Some(&status)).await {
        Ok(t) => t,
        Err(AppError::Invalid(_)) => return Redirect::to("/tips").into_response(),
        Err(e) => return app_error_page(&ui, e),
    };
    let body = html! {
        h1 { (t(lang, "tips.queue")) }
        @if ui.actor.user.roles.holds(cordon_core::Role::HotlineOperator) { p { a href="/tips/call" { (t(lang, "tips.record_call")) } } }
        nav.tabs aria-label=(t(lang, "tips.queue")) {
            @for code in ["received", "routed", "closed"] {
                a href=(format!("/tips?status={code}")) aria-current=[(code == status).then_some("page")] { (tip_status_label(lang, code)) }
                " "
            }
        }
        @if tips.is_empty() { p #no-tips { (t(lang, "tips.none")) } }
        @else {
            table #tips-table {
                thead { tr {
                    th scope="col" { (t(lang, "tips.received")) } th scope="col" { (t(lang, "tips.channel")) }
                    th scope="col" { (t(lang, "tips.body")) } th scope="col" { (t(lang, "tips.province")) }
                } }
                tbody {
                    @for tip in &tips {
                        tr {
                            td { a href=(format!("/tips/{}", tip.id)) { (datetime(tip.created_at)) } }
                            td { (tip.channel) }
                            td { (tip.body.chars().take(120).collect::<String>()) }
                            td { (province_name(lang, tip.province.as_deref())) }
                        }
                    }
                }
            }
        }
    };
    html_response(StatusCode::OK, layout(lang, Some(&ui), t(lang, "tips.queue"), body))
}

fn tip_status_label(lang: Language, code: &str) -> &'static str {
    match code {
        "received" => t(lang, "tips.st_received"),
        "routed" => t(lang, "tips.st_routed"),
        _ => t(lang, "tips.st_closed"),
    }
}

/// A tip: what was said, by whom (if the viewer may know), its history, repeats and similar
/// cases, and the triage or closing forms.
pub async fn detail(State(s): State<AppState>, ui: Ui, Path(id): Path<String>) -> Response {
    tip_page(&s, &ui, &id, None).await
}

async fn tip_page(s: &AppState, ui: &Ui, id: &str, error: Option<String>) -> Response {
    let lang = ui.lang;
    let loaded = async { Ok::<_, AppError>((s.app.tip(&ui.actor, id).await?, s.app.cases_like_tip(&ui.actor, id).await?)) }.await;
    let (tip, cases): (TipView, Vec<CaseView>) = match loaded {
        Ok(v) => v,
        Err(e) => return app_error_page(ui, e),
    };
    let intake = tip.intake_unit_id == ui.actor.user.unit_id;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = html! {
        p { a href="/tips" { "← " (t(lang, "tips.queue")) } }
        h1 { (t(lang, "tips.tip")) " · " (datetime(tip.created_at)) }
        @if let Some(e) = &error { p.error role="alert" { (super::super::i18n::reason(lang, e)) } }
        dl {
            dt { (t(lang, "access.status")) } dd #tip-state { (tip_status_label(lang, &tip.status)) @if let Some(o) = &tip.outcome { " (" (o) ")" } }
            dt { (t(lang, "tips.channel")) } dd { (tip.channel) }
            dt { (t(lang, "tips.province")) } dd { (province_name(lang, tip.province.as_deref())) }
            @if let Some(p) = &tip.place { dt { (t(lang, "tips.place")) } dd { (p) } }
            dt { (t(lang, "tips.reporter")) }
            dd #reporter {
                @if tip.reporter_withheld { em { (t(lang, "tips.withheld")) } }
                @else if tip.reporter_name.is_none() && tip.reporter_contact.is_none() { (t(lang, "tips.anonymous_reporter")) }
                @else { (tip.reporter_name.as_deref().unwrap_or("")) " " (tip.reporter_contact.as_deref().unwrap_or("")) }
            }
            @if let Some(u) = &tip.assigned_unit_id { dt { (t(lang, "tips.routed_to")) } dd { (u) } }
            @if let Some(c) = &tip.case_id { dt { (t(lang, "field.case")) } dd { a href=(format!("/cases/{c}")) { (c) } } }
        }
        blockquote #tip-body { (tip.body) }
        @for m in &tip.messages {
            p { span.muted { (datetime(m.at)) " · " (if m.from_reporter { t(lang, "tips.from_reporter") } else { t(lang, "tips.note") }) } br; (m.body) }
        }
        @if !tip.files.is_empty() {
            h2 { (t(lang, "tips.files")) }
            ul { @for f in &tip.files { li { (f.filename) " (" (f.media_type) ", " (number(lang, f.size)) " B)" } } }
        }
        @if !tip.possible_repeats.is_empty() {
            h2 #repeats { (t(lang, "tips.repeats")) }
            ul { @for r in &tip.possible_repeats { li { a href=(format!("/tips/{}", r.tip_id)) { (datetime(r.created_at)) } " — " (r.reason) } } }
        }
        @if !tip.known_entities.is_empty() {
            h2 #known-entities { (t(lang, "tips.known_entities")) }
            ul {
                @for e in &tip.known_entities {
                    li {
                        @match (&e.entity_id, &e.name) {
                            (Some(id), Some(name)) => { a href=(format!("/entities/{id}")) { (name) } }
                            _ => { (t(lang, "tips.held_by")) " " (e.held_by) }
                        }
                        " — " (e.reason)
                    }
                }
            }
        }
        @if !cases.is_empty() {
            h2 { (t(lang, "tips.similar_cases")) }
            ul { @for c in &cases { li { a href=(format!("/cases/{}", c.id)) { (c.reference) } " " (c.title) } } }
        }
        @if tip.status != "closed" {
            @if intake {
                h2 { (t(lang, "tips.triage")) }
                form.stack #triage method="post" action=(format!("/tips/{}/triage", tip.id)) {
                    input type="hidden" name="_csrf" value=(ui.csrf());
                    label for="violation_type" { (t(lang, "tips.violation")) }
                    (violation_select(lang, "violation_type", tip.violation_type.as_deref().unwrap_or(""), false))
                    label for="province" { (t(lang, "tips.province")) } (province_select(lang, tip.province.as_deref().unwrap_or("")))
                    label { input type="checkbox" name="ecommerce" value="1" checked[tip.ecommerce]; " " (t(lang, "tips.ecommerce")) }
                    label for="unit_id" { (t(lang, "tips.route_to")) }
                    input #unit_id name="unit_id" value=(tip.suggested_unit_id.as_deref().unwrap_or("")) placeholder=(t(lang, "tips.route_auto"));
                    button.primary type="submit" { (t(lang, "tips.route")) }
                }
            }
            h2 { (t(lang, "tips.close")) }
            form.stack #close method="post" action=(format!("/tips/{}/close", tip.id)) {
                input type="hidden" name="_csrf" value=(ui.csrf());
                select #outcome name="outcome" aria-label=(t(lang, "tips.close")) {
                    option value="case_linked" { (t(lang, "tips.out_case")) }
                    option value="no_action" { (t(lang, "tips.out_none")) }
                    option value="duplicate" { (t(lang, "tips.out_duplicate")) }
                }
                label for="case_id" { (t(lang, "tips.case_id")) } input #case_id name="case_id";
                label for="duplicate_of" { (t(lang, "tips.duplicate_of")) } input #duplicate_of name="duplicate_of";
                label for="reason" { (t(lang, "leads.reason")) } textarea #reason name="reason" rows="2" {}
                button type="submit" { (t(lang, "tips.close")) }
            }
        }
        h2 { (t(lang, "tips.history")) }
        ol { @for e in &tip.events { li { (datetime(e.at)) " · " (e.kind) @if !e.detail.is_empty() { " · " (e.detail) } } } }
    };
    html_response(status, layout(lang, Some(ui), t(lang, "tips.tip"), body))
}

/// Categorises and routes a tip from its page.
pub async fn triage(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let input = TipTriageInput {
        violation_type: form.text("violation_type"),
        commodity: form.opt("commodity"),
        ecommerce: form.get("ecommerce").is_some(),
        province: form.opt("province"),
        unit_id: form.opt("unit_id"),
    };
    match s.app.triage_tip(&ui.actor, &id, input).await {
        Ok(_) => Redirect::to(&format!("/tips/{id}")).into_response(),
        Err(AppError::Invalid(i)) => tip_page(&s, &ui, &id, Some(i.to_string())).await,
        Err(e) => app_error_page(&ui, e),
    }
}

/// Closes a tip from its page.
pub async fn close(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let input = TipCloseInput {
        outcome: form.text("outcome"),
        case_id: form.opt("case_id"),
        duplicate_of: form.opt("duplicate_of"),
        reason: form.text("reason"),
    };
    match s.app.close_tip(&ui.actor, &id, input).await {
        Ok(_) => Redirect::to(&format!("/tips/{id}")).into_response(),
        Err(AppError::Invalid(i)) => tip_page(&s, &ui, &id, Some(i.to_string())).await,
        Err(e) => app_error_page(&ui, e),
    }
}

fn call_page(ui: &Ui, form: &Form, error: Option<String>, code: Option<&str>) -> Response {
    let lang = ui.lang;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = html! {
        p { a href="/tips" { "← " (t(lang, "tips.queue")) } }
        h1 { (t(lang, "tips.record_call")) }
        @if let Some(c) = code { p.code #call-code { (t(lang, "tips.read_code")) " " strong { (c) } } }
        @if let Some(e) = &error { p.error role="alert" { (super::super::i18n::reason(lang, e)) } }
        form.stack #call-form method="post" action="/tips/call" {
            input type="hidden" name="_csrf" value=(ui.csrf());
            (tip_fields(lang, form))
            button.primary type="submit" { (t(lang, "tips.record")) }
        }
    };
    html_response(status, layout(lang, Some(ui), t(lang, "tips.record_call"), body))
}

/// The hotline operator's form for a call.
pub async fn call_form(ui: Ui) -> Response {
    if !ui.actor.user.roles.holds(cordon_core::Role::HotlineOperator) {
        return app_error_page(&ui, AppError::Forbidden("hotline operators record calls"));
    }
    call_page(&ui, &Form(Vec::new()), None, None)
}

/// Records a call and shows the code to read to the caller.
pub async fn record_call(State(s): State<AppState>, ui: Ui, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    match s.app.record_hotline_tip(&ui.actor, tip_input(&form, String::new())).await {
        Ok((receipt, _)) => call_page(&ui, &Form(Vec::new()), None, Some(&receipt.tracking_code)),
        Err(AppError::Invalid(i)) => call_page(&ui, &form, Some(i.to_string()), None),
        Err(e) => app_error_page(&ui, e),
    }
}
