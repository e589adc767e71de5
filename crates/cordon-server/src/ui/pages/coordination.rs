//! Coordination pages: raising a notice (prefilled from a pursuit proposal when it concerns a
//! case), a notice with its escalation chain, decisions and deliveries, handovers (asking and
//! answering), and joint operations with their channel, linked cases and results.

use cordon_app::{
    DecisionInput, HandoverAnswerInput, HandoverInput, HandoverView, LinkCaseInput, NoticeActionInput, NoticeInput, NoticeView,
    OperationInput, OperationMessageInput, PursuitQuery,
};
use cordon_core::coordination::DecisionForm;
use cordon_core::notice::{NoticeKind, Priority};

use super::*;

/// The decision fields shared by the notice, handover and answer forms (all named `decision_*`).
fn decision_fields(ui: &Ui, deciders: &[cordon_app::DeciderView], form: &Form, optional: bool) -> Markup {
    let lang = ui.lang;
    let v = |k: &str| form.text(k);
    html! {
        fieldset #decision {
            legend { (t(lang, "coord.decision")) }
            label for="decision_form" { (t(lang, "coord.decision_form")) }
            select #decision_form name="decision_form" {
                @if optional { option value="" { (t(lang, "coord.no_decision")) } }
                @for f in DecisionForm::ALL { option value=(f.as_str()) selected[v("decision_form") == f.as_str()] { (code_label(lang, f.as_str())) } }
            }
            label for="decision_by" { (t(lang, "coord.decided_by")) }
            select #decision_by name="decision_by" {
                @for d in deciders {
                    option value=(d.id) selected[v("decision_by") == d.id] {
                        (d.display_name) " · " (code_label(lang, if d.head { "unit_head" } else { "deputy_head" }))
                    }
                }
            }
            label for="decision_authority" { (t(lang, "coord.authority")) }
            select #decision_authority name="decision_authority" {
                @for a in ["own", "delegated"] { option value=(a) selected[v("decision_authority") == a] { (code_label(lang, a)) } }
            }
            label for="decision_at" { (t(lang, "coord.decided_at")) }
            input #decision_at type="datetime-local" name="decision_at" value=(v("decision_at"));
            label for="decision_ref" { (t(lang, "coord.document_ref")) }
            input #decision_ref type="text" name="decision_ref" value=(v("decision_ref")) maxlength="100";
            label for="decision_note" { (t(lang, "coord.decision_note")) }
            input #decision_note type="text" name="decision_note" value=(v("decision_note")) maxlength="2000";
        }
    }
}

/// The decision a form carries (none when its form is left empty); the time defaults to now.
fn decision_of(form: &Form, now: i64) -> Option<DecisionInput> {
    let kind = form.opt("decision_form")?;
    Some(DecisionInput {
        form: kind,
        decided_by: form.text("decision_by"),
        authority: form.opt("decision_authority").unwrap_or_else(|| "own".into()),
        delegation_id: None,
        // An unreadable time is sent as 0, which the rule refuses with its own message.
        decided_at: form.opt("decision_at").map_or(Some(now), |d| parse_datetime(&d)).unwrap_or(0),
        document_ref: form.opt("decision_ref"),
        note: form.text("decision_note"),
    })
}

fn invalid_text(lang: Language, e: &AppError) -> Option<String> {
    match e {
        AppError::Invalid(i) => Some(format!("{}: {}", i.field, super::super::i18n::reason(lang, &i.reason))),
        AppError::Conflict(what) => Some(format!("{}: {what}", t(lang, "coord.conflict"))),
        _ => None,
    }
}

/// On a case's page: propose a pursuit notice (from where the goods went), and, for the lead
/// agency, hand the case over.
pub fn case_actions(ui: &Ui, c: &cordon_app::CaseView) -> Markup {
    let lang = ui.lang;
    html! {
        form.filters #propose-pursuit method="get" action="/notices/new" {
            input type="hidden" name="case" value=(c.id);
            label for="found_province" { (t(lang, "coord.found_province")) }
            select #found_province name="found_province" {
                option value="" { "—" }
                @for p in &reference().provinces { option value=(p.code) { (if lang == Language::Vi { p.name_vi } else { p.name_en }) } }
            }
            button type="submit" { (t(lang, "coord.propose")) }
            @if c.lead_agency_id == ui.actor.agency_id {
                " · " a #hand-over href=(format!("/cases/{}/handover", c.id)) { (t(lang, "coord.handover_request")) }
            }
        }
    }
}

// ---- raising a notice ----

/// Where a notice form starts from: a case, and where its goods went.
#[derive(Deserialize, Default)]
pub struct NewNoticeParams {
    case: Option<String>,
    found_province: Option<String>,
}

async fn notice_form(s: &AppState, ui: &Ui, form: &Form, error: Option<String>, proposal: Option<&cordon_app::PursuitProposal>) -> Markup {
    let lang = ui.lang;
    let v = |k: &str| form.text(k);
    let units = s.app.notifiable_units(&ui.actor).await.unwrap_or_default();
    let deciders = s.app.deciders(&ui.actor).await.unwrap_or_default();
    let chosen = form.all("recipient_units");
    html! {
        h1 { (t(lang, "coord.raise")) }
        form.stack #raise-notice method="post" action="/notices/new" {
            input type="hidden" name="_csrf" value=(ui.csrf());
            input type="hidden" name="idempotency_key" value=(v("idempotency_key"));
            @if let Some(e) = error { p.error role="alert" { (e) } }
            @if let Some(p) = proposal {
                p #proposal-note {
                    (t(lang, "coord.proposed_from")) " " strong { (p.area_name) } " · " (p.provinces.join(", "))
                    @if p.waters { " · " (t(lang, "coord.waters")) }
                }
                @if !p.left_out.is_empty() {
                    p.muted { (t(lang, "coord.left_out")) " " @for (i, l) in p.left_out.iter().enumerate() { @if i > 0 { ", " } (l.unit_id) } }
                }
            }
            label for="kind" { (t(lang, "coord.kind")) }
            select #kind name="kind" { @for k in NoticeKind::ALL { option value=(k.as_str()) selected[v("kind") == k.as_str()] { (code_label(lang, k.as_str())) } } }
            label for="priority" { (t(lang, "notices.priority")) }
            select #priority name="priority" { @for p in Priority::ALL { option value=(p.as_str()) selected[v("priority") == p.as_str()] { (code_label(lang, p.as_str())) } } }
            label for="case_id" { (t(lang, "field.case")) }
            input #case_id type="text" name="case_id" value=(v("case_id"));
            label for="title" { (t(lang, "field.title")) }
            input #title type="text" name="title" required maxlength="300" value=(v("title"));
            label for="body" { (t(lang, "coord.body")) }
            textarea #body name="body" rows="4" { (v("body")) }
            fieldset #recipients {
                legend { (t(lang, "coord.recipients")) }
                @for u in units.iter().filter(|u| u.id != ui.actor.user.unit_id) {
                    label {
                        input type="checkbox" name="recipient_units" value=(u.id) checked[chosen.contains(&u.id)];
                        " " (u.name_vi) " " span.muted { "(" (u.id) @if let Some(p) = &u.province_code { ", " (province_name(lang, Some(p))) } ")" }
                    }
                }
            }
            label for="ack_within_minutes" { (t(lang, "coord.ack_within")) }
            input #ack_within_minutes type="number" name="ack_within_minutes" min="1" value=(v("ack_within_minutes"));
            (decision_fields(ui, &deciders, form, true))
            button.primary type="submit" { (t(lang, "coord.raise_submit")) }
        }
    }
}

/// The form to raise a notice; with `?case=…`, a pursuit proposal for that case fills it in
/// for the officer to confirm or edit.
pub async fn new_notice_form(State(s): State<AppState>, ui: Ui, Query(p): Query<NewNoticeParams>) -> Response {
    let lang = ui.lang;
    let key = format!("ui-{}", s.app.now_ms());
    let mut form = Form(vec![("idempotency_key".into(), key), ("priority".into(), "normal".into())]);
    let (mut proposal, mut error) = (None, None);
    if let Some(case) = p.case.as_deref().filter(|c| !c.is_empty()) {
        form.0.push(("case_id".into(), case.to_string()));
        let q = PursuitQuery { found_province: p.found_province.clone(), waters: None };
        match s.app.propose_pursuit(&ui.actor, case, q).await {
            Ok(prop) => {
                let n = &prop.notice;
                for k in ["kind", "priority", "title", "body"] {
                    form.0.retain(|(f, _)| f != k);
                    form.0.push((k.into(), n[k].as_str().unwrap_or_default().to_string()));
                }
                for r in &prop.recipients {
                    form.0.push(("recipient_units".into(), r.unit_id.clone()));
                }
                proposal = Some(prop);
            }
            Err(e) => match invalid_text(lang, &e) {
                Some(text) => error = Some(text),
                None => return app_error_page(&ui, e),
            },
        }
    }
    let body = notice_form(&s, &ui, &form, error, proposal.as_ref()).await;
    html_response(StatusCode::OK, layout(lang, Some(&ui), t(lang, "coord.raise"), body))
}

/// Raises the notice as confirmed in the form, then shows it.
pub async fn raise_notice(State(s): State<AppState>, ui: Ui, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let lang = ui.lang;
    let input = NoticeInput {
        kind: form.text("kind"),
        priority: form.text("priority"),
        case_id: form.opt("case_id"),
        title: form.text("title"),
        body: form.text("body"),
        recipient_units: form.all("recipient_units"),
        ack_within_minutes: form.opt("ack_within_minutes").and_then(|m| m.parse().ok()),
        idempotency_key: form.opt("idempotency_key"),
        decision: decision_of(&form, s.app.now_ms()),
    };
    match s.app.raise_notice(&ui.actor, input).await {
        Ok(n) => Redirect::to(&format!("/notices/{}", n.id)).into_response(),
        Err(e) => match invalid_text(lang, &e) {
            Some(text) => {
                let page = notice_form(&s, &ui, &form, Some(text), None).await;
                html_response(StatusCode::UNPROCESSABLE_ENTITY, layout(lang, Some(&ui), t(lang, "coord.raise"), page))
            }
            None => app_error_page(&ui, e),
        },
    }
}

// ---- a notice ----

fn decisions_table(lang: Language, decisions: &[cordon_app::DecisionView]) -> Markup {
    html! {
        @if decisions.is_empty() { p.muted { (t(lang, "coord.no_decisions")) } } @else {
            table #decisions {
                thead { tr {
                    th scope="col" { (t(lang, "coord.decided_at")) } th scope="col" { (t(lang, "coord.decision_form")) }
                    th scope="col" { (t(lang, "coord.decided_by")) } th scope="col" { (t(lang, "coord.authority")) } th scope="col" { (t(lang, "coord.decision_note")) }
                } }
                tbody {
                    @for d in decisions {
                        tr {
                            td { (datetime(d.decided_at)) }
                            td { (code_label(lang, &d.form)) @if let Some(r) = &d.document_ref { " " (r) } }
                            td { (d.decided_by) " · " (d.decided_by_unit) }
                            td {
                                (code_label(lang, &d.authority))
                                @if let (Some(del), Some(head)) = (&d.delegation_id, &d.for_head) { " · " (t(lang, "coord.for_head")) " " (head) " (" (del) ")" }
                            }
                            td { (d.note) }
                        }
                    }
                }
            }
        }
    }
}

async fn notice_page(s: &AppState, ui: &Ui, id: &str, error: Option<String>) -> Response {
    let lang = ui.lang;
    let n: NoticeView = match s.app.notice(&ui.actor, id).await {
        Ok(n) => n,
        Err(e) => return app_error_page(ui, e),
    };
    let deliveries = s.app.notice_deliveries(&ui.actor, id).await.ok();
    let me = &ui.actor.user;
    let mine = n.recipients.iter().find(|r| r.unit_id == me.unit_id || r.escalated_to.as_deref() == Some(me.id.as_str()));
    let sender = n.from_unit_id == me.unit_id;
    let deciders = if sender && n.kind == "pursuit" { s.app.deciders(&ui.actor).await.unwrap_or_default() } else { Vec::new() };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = html! {
        h1 #notice-title { (n.title) }
        p { (code_label(lang, &n.kind)) " · " @if n.priority == "urgent" { strong.error { (code_label(lang, &n.priority)) } } @else { (code_label(lang, &n.priority)) } }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        dl {
            dt { (t(lang, "notices.from")) } dd { (n.from_unit_id) " · " (n.from_user_id) }
            dt { (t(lang, "audit.when")) } dd { (datetime(n.created_at)) }
            dt { (t(lang, "notices.deadline")) } dd { (datetime(n.ack_deadline)) }
            @if let Some(c) = &n.case_id { dt { (t(lang, "field.case")) } dd { a href=(format!("/cases/{c}")) { (c) } } }
        }
        @if !n.body.is_empty() { p #notice-body { (n.body) } }
        @if let Some(r) = mine {
            @if matches!(r.status.as_str(), "pending" | "escalated") {
                form #ack method="post" action=(format!("/notices/{}/ack", n.id)) {
                    input type="hidden" name="_csrf" value=(ui.csrf());
                    input type="hidden" name="back" value=(format!("/notices/{}", n.id));
                    button.primary type="submit" { (t(lang, "notices.ack")) }
                }
            } @else {
                form.stack #report method="post" action=(format!("/notices/{}/action", n.id)) {
                    input type="hidden" name="_csrf" value=(ui.csrf());
                    label for="action" { (t(lang, "coord.action_taken")) } input #action type="text" name="action" required maxlength="5000";
                    label for="result" { (t(lang, "coord.result")) } input #result type="text" name="result" maxlength="5000";
                    button.primary type="submit" { (t(lang, "coord.report")) }
                }
            }
        }
        h2 { (t(lang, "coord.chain")) }
        table #recipients-table {
            thead { tr {
                th scope="col" { (t(lang, "coord.unit")) } th scope="col" { (t(lang, "access.status")) } th scope="col" { (t(lang, "coord.acknowledged")) }
                th scope="col" { (t(lang, "coord.escalation")) } th scope="col" { (t(lang, "coord.action_taken")) }
            } }
            tbody {
                @for r in &n.recipients {
                    tr data-unit=(r.unit_id) {
                        td { (r.unit_id) }
                        td.status { (code_label(lang, &r.status)) }
                        td { @if let (Some(by), Some(at)) = (&r.ack_by, r.ack_at) { (by) " · " (datetime(at)) } }
                        td { @if let Some(at) = r.escalated_at { (datetime(at)) " → " (r.escalated_to.as_deref().unwrap_or("—")) br; span.muted { (r.escalation_note.as_deref().unwrap_or_default()) } } }
                        td { (r.action_taken.as_deref().unwrap_or_default()) @if let Some(res) = r.result.as_deref().filter(|x| !x.is_empty()) { " · " (res) } }
                    }
                }
            }
        }
        h2 { (t(lang, "coord.decisions")) }
        (decisions_table(lang, &n.decisions))
        @if !deciders.is_empty() {
            form.stack #record-decision method="post" action=(format!("/notices/{}/decision", n.id)) {
                input type="hidden" name="_csrf" value=(ui.csrf());
                (decision_fields(ui, &deciders, &Form(vec![("decision_form".into(), "written_decision".into())]), false))
                button type="submit" { (t(lang, "coord.record_decision")) }
            }
        }
        @if let Some(d) = deliveries {
            h2 { (t(lang, "coord.deliveries")) }
            ul #routes { @for r in &d.routes { li { (r.unit_id) " · " (code_label(lang, &r.event)) ": " (r.note) } } }
            table #deliveries {
                thead { tr {
                    th scope="col" { (t(lang, "coord.person")) } th scope="col" { (t(lang, "coord.channel")) } th scope="col" { (t(lang, "access.status")) }
                    th scope="col" { (t(lang, "coord.attempts")) } th scope="col" { (t(lang, "coord.error")) }
                } }
                tbody {
                    @for j in &d.jobs {
                        tr { td { (j.user_id) " · " (j.unit_id) } td { (j.channel) } td { (j.status) } td { (j.attempts) } td { (j.last_error.as_deref().unwrap_or_default()) } }
                    }
                }
            }
        }
    };
    html_response(status, layout(lang, Some(ui), &n.title, body))
}

/// A notice: who it went to, the escalation chain, the decisions behind it and its deliveries.
pub async fn notice_detail(State(s): State<AppState>, ui: Ui, Path(id): Path<String>) -> Response {
    notice_page(&s, &ui, &id, None).await
}

/// Reports the action taken from a notice's page.
pub async fn report_action(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let input = NoticeActionInput { action: form.text("action"), result: form.text("result") };
    match s.app.report_notice_action(&ui.actor, &id, input).await {
        Ok(_) => Redirect::to(&format!("/notices/{id}")).into_response(),
        Err(e) => match invalid_text(ui.lang, &e) {
            Some(text) => notice_page(&s, &ui, &id, Some(text)).await,
            None => app_error_page(&ui, e),
        },
    }
}

/// Records a decision (e.g. the written decision confirming an oral order) on a pursuit notice.
pub async fn record_decision(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let Some(input) = decision_of(&form, s.app.now_ms()) else { return Redirect::to(&format!("/notices/{id}")).into_response() };
    match s.app.record_pursuit_decision(&ui.actor, &id, input).await {
        Ok(_) => Redirect::to(&format!("/notices/{id}")).into_response(),
        Err(e) => match invalid_text(ui.lang, &e) {
            Some(text) => notice_page(&s, &ui, &id, Some(text)).await,
            None => app_error_page(&ui, e),
        },
    }
}

// ---- handovers ----

fn handover_rows(lang: Language, list: &[HandoverView]) -> Markup {
    html! {
        @if list.is_empty() { p.muted #no-handovers { (t(lang, "coord.no_handovers")) } } @else {
            table #handovers {
                thead { tr {
                    th scope="col" { (t(lang, "audit.when")) } th scope="col" { (t(lang, "field.case")) } th scope="col" { (t(lang, "coord.from_agency")) }
                    th scope="col" { (t(lang, "coord.to_agency")) } th scope="col" { (t(lang, "access.status")) }
                } }
                tbody {
                    @for h in list {
                        tr {
                            td { (datetime(h.requested_at)) }
                            td { a href=(format!("/handovers/{}", h.id)) { (h.case_reference) " · " (h.case_title) } }
                            td { (h.from_agency_id) } td { (h.to_agency_id) @if let Some(u) = &h.to_unit_id { " · " (u) } }
                            td { (code_label(lang, &h.status)) }
                        }
                    }
                }
            }
        }
    }
}

/// The handovers the user's agency asked for or was asked to take.
pub async fn handovers(State(s): State<AppState>, ui: Ui) -> Response {
    let lang = ui.lang;
    let list = match s.app.handovers(&ui.actor).await {
        Ok(l) => l,
        Err(e) => return app_error_page(&ui, e),
    };
    let body = html! { h1 { (t(lang, "coord.handovers")) } (handover_rows(lang, &list)) };
    html_response(StatusCode::OK, layout(lang, Some(&ui), t(lang, "coord.handovers"), body))
}

async fn handover_form(s: &AppState, ui: &Ui, case_id: &str, form: &Form, error: Option<String>) -> Markup {
    let lang = ui.lang;
    let agencies = s.app.agencies(&ui.actor).await.unwrap_or_default();
    let deciders = s.app.deciders(&ui.actor).await.unwrap_or_default();
    html! {
        h1 { (t(lang, "coord.handover_request")) }
        form.stack #handover-request method="post" action=(format!("/cases/{case_id}/handover")) {
            input type="hidden" name="_csrf" value=(ui.csrf());
            input type="hidden" name="idempotency_key" value=(form.text("idempotency_key"));
            @if let Some(e) = error { p.error role="alert" { (e) } }
            label for="to_agency_id" { (t(lang, "coord.to_agency")) }
            select #to_agency_id name="to_agency_id" {
                @for a in agencies.iter().filter(|a| a.id != ui.actor.agency_id && a.kind.is_domestic()) {
                    option value=(a.id) selected[form.text("to_agency_id") == a.id] { (if lang == Language::Vi { &a.name_vi } else { &a.name_en }) }
                }
            }
            label for="to_unit_id" { (t(lang, "coord.to_unit")) }
            input #to_unit_id type="text" name="to_unit_id" value=(form.text("to_unit_id"));
            label for="reason" { (t(lang, "access.reason")) }
            textarea #reason name="reason" rows="3" required { (form.text("reason")) }
            (decision_fields(ui, &deciders, form, false))
            button.primary type="submit" { (t(lang, "coord.handover_submit")) }
        }
    }
}

/// The form to hand a case over to another agency.
pub async fn new_handover_form(State(s): State<AppState>, ui: Ui, Path(case_id): Path<String>) -> Response {
    let form =
        Form(vec![("idempotency_key".into(), format!("ui-{}", s.app.now_ms())), ("decision_form".into(), "written_decision".into())]);
    let body = handover_form(&s, &ui, &case_id, &form, None).await;
    html_response(StatusCode::OK, layout(ui.lang, Some(&ui), t(ui.lang, "coord.handover_request"), body))
}

/// Asks for the handover, then shows it.
pub async fn request_handover(State(s): State<AppState>, ui: Ui, Path(case_id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let lang = ui.lang;
    let refuse = |text: String| async {
        let page = handover_form(&s, &ui, &case_id, &form, Some(text)).await;
        html_response(StatusCode::UNPROCESSABLE_ENTITY, layout(lang, Some(&ui), t(lang, "coord.handover_request"), page))
    };
    let Some(decision) = decision_of(&form, s.app.now_ms()) else { return refuse(t(lang, "coord.decision_required").to_string()).await };
    let input = HandoverInput {
        to_agency_id: form.text("to_agency_id"),
        to_unit_id: form.opt("to_unit_id"),
        reason: form.text("reason"),
        decision,
        idempotency_key: form.opt("idempotency_key"),
    };
    match s.app.request_handover(&ui.actor, &case_id, input).await {
        Ok(h) => Redirect::to(&format!("/handovers/{}", h.id)).into_response(),
        Err(e) => match invalid_text(lang, &e) {
            Some(text) => refuse(text).await,
            None => app_error_page(&ui, e),
        },
    }
}

async fn handover_page(s: &AppState, ui: &Ui, id: &str, error: Option<String>) -> Response {
    let lang = ui.lang;
    let h = match s.app.handover(&ui.actor, id).await {
        Ok(h) => h,
        Err(e) => return app_error_page(ui, e),
    };
    let answers = h.status == "requested"
        && h.to_agency_id == ui.actor.agency_id
        && h.to_unit_id.as_ref().is_none_or(|u| u == &ui.actor.user.unit_id);
    let deciders = if answers { s.app.deciders(&ui.actor).await.unwrap_or_default() } else { Vec::new() };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = html! {
        h1 { (t(lang, "coord.handover")) " · " (h.case_reference) }
        p #handover-status { (code_label(lang, &h.status)) }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        dl {
            dt { (t(lang, "field.case")) } dd { a href=(format!("/cases/{}", h.case_id)) { (h.case_reference) " · " (h.case_title) } }
            dt { (t(lang, "coord.from_agency")) } dd { (h.from_agency_id) " · " (h.from_unit_id) }
            dt { (t(lang, "coord.to_agency")) } dd { (h.to_agency_id) @if let Some(u) = &h.to_unit_id { " · " (u) } }
            dt { (t(lang, "access.reason")) } dd { (h.reason) }
            dt { (t(lang, "audit.when")) } dd { (datetime(h.requested_at)) }
            @if let Some(at) = h.answered_at {
                dt { (t(lang, "coord.answered")) } dd { (datetime(at)) " · " (h.answered_by.as_deref().unwrap_or_default())
                    @if let Some(r) = h.answer_reason.as_deref().filter(|r| !r.is_empty()) { " · " (r) } }
            }
        }
        h2 { (t(lang, "coord.decisions")) }
        (decisions_table(lang, &h.decisions))
        @if answers {
            form.stack #handover-answer method="post" action=(format!("/handovers/{}/answer", h.id)) {
                input type="hidden" name="_csrf" value=(ui.csrf());
                label for="answer_reason" { (t(lang, "coord.answer_reason")) }
                input #answer_reason type="text" name="reason" maxlength="2000";
                (decision_fields(ui, &deciders, &Form(vec![("decision_form".into(), "written_decision".into())]), false))
                button.primary type="submit" name="accept" value="true" { (t(lang, "coord.accept")) }
                button type="submit" name="accept" value="false" { (t(lang, "coord.refuse")) }
            }
        }
    };
    html_response(status, layout(lang, Some(ui), t(lang, "coord.handover"), body))
}

/// A handover with its decisions, and the answer form for the receiving agency.
pub async fn handover_detail(State(s): State<AppState>, ui: Ui, Path(id): Path<String>) -> Response {
    handover_page(&s, &ui, &id, None).await
}

/// Accepts or refuses a handover.
pub async fn answer_handover(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let Some(decision) = decision_of(&form, s.app.now_ms()) else {
        return handover_page(&s, &ui, &id, Some(t(ui.lang, "coord.decision_required").into())).await;
    };
    let input = HandoverAnswerInput { accept: form.get("accept") == Some("true"), reason: form.text("reason"), decision };
    match s.app.answer_handover(&ui.actor, &id, input).await {
        Ok(_) => Redirect::to(&format!("/handovers/{id}")).into_response(),
        Err(e) => match invalid_text(ui.lang, &e) {
            Some(text) => handover_page(&s, &ui, &id, Some(text)).await,
            None => app_error_page(&ui, e),
        },
    }
}

// ---- joint operations ----

fn operation_form(ui: &Ui, form: &Form, error: Option<String>) -> Markup {
    let lang = ui.lang;
    let v = |k: &str| form.text(k);
    html! {
        h2 { (t(lang, "coord.new_operation")) }
        form.stack #new-operation method="post" action="/operations" {
            input type="hidden" name="_csrf" value=(ui.csrf());
            @if let Some(e) = error { p.error role="alert" { (e) } }
            label for="op_name" { (t(lang, "coord.operation_name")) } input #op_name type="text" name="name" required value=(v("name"));
            label for="op_description" { (t(lang, "coord.body")) } textarea #op_description name="description" rows="3" { (v("description")) }
            label for="op_starts" { (t(lang, "coord.starts")) } input #op_starts type="datetime-local" name="starts_at" required value=(v("starts_at"));
            label for="op_ends" { (t(lang, "coord.ends")) } input #op_ends type="datetime-local" name="ends_at" required value=(v("ends_at"));
            label for="op_participants" { (t(lang, "coord.participants")) }
            input #op_participants type="text" name="participants" value=(v("participants")) aria-describedby="op-participants-help";
            p.muted #op-participants-help { (t(lang, "coord.participants_help")) }
            fieldset {
                legend { (t(lang, "coord.commodities")) }
                @for c in &reference().commodities {
                    label { input type="checkbox" name="commodities" value=(c.code) checked[form.all("commodities").contains(&c.code.to_string())]; " "
                        (if lang == Language::Vi { c.name_vi } else { c.name_en }) }
                }
            }
            label for="op_tlp" { (t(lang, "coord.channel_tlp")) }
            select #op_tlp name="channel_tlp" {
                @for (code, label) in [("amber", "TLP:AMBER"), ("amber_strict", "TLP:AMBER+STRICT"), ("red", "TLP:RED"), ("green", "TLP:GREEN")] {
                    option value=(code) selected[v("channel_tlp") == code] { (label) }
                }
            }
            button.primary type="submit" { (t(lang, "coord.create_operation")) }
        }
    }
}

async fn operations_page(s: &AppState, ui: &Ui, form: &Form, error: Option<String>) -> Response {
    let lang = ui.lang;
    let list = match s.app.operations(&ui.actor).await {
        Ok(l) => l,
        Err(e) => return app_error_page(ui, e),
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = html! {
        h1 { (t(lang, "coord.operations")) }
        @if list.is_empty() { p.muted { (t(lang, "coord.no_operations")) } } @else {
            table #operations {
                thead { tr {
                    th scope="col" { (t(lang, "coord.operation_name")) } th scope="col" { (t(lang, "coord.starts")) } th scope="col" { (t(lang, "coord.ends")) }
                    th scope="col" { (t(lang, "access.status")) } th scope="col" { (t(lang, "coord.participants")) }
                } }
                tbody {
                    @for o in &list {
                        tr {
                            td { a href=(format!("/operations/{}", o.id)) { (o.name) } } td { (datetime(o.starts_at)) } td { (datetime(o.ends_at)) }
                            td { (code_label(lang, &o.phase)) } td { (o.participants.join(", ")) }
                        }
                    }
                }
            }
        }
        (operation_form(ui, form, error))
    };
    html_response(status, layout(lang, Some(ui), t(lang, "coord.operations"), body))
}

/// The joint operations the user's agency takes part in, and the form to start one.
pub async fn operations(State(s): State<AppState>, ui: Ui) -> Response {
    operations_page(&s, &ui, &Form(vec![("channel_tlp".into(), "amber".into())]), None).await
}

/// Creates a joint operation from the form.
pub async fn create_operation(State(s): State<AppState>, ui: Ui, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let lang = ui.lang;
    let (Some(starts_at), Some(ends_at)) = (parse_datetime(&form.text("starts_at")), parse_datetime(&form.text("ends_at"))) else {
        return operations_page(&s, &ui, &form, Some(format!("{}: {}", t(lang, "coord.starts"), t(lang, "coord.bad_date")))).await;
    };
    let input = OperationInput {
        name: form.text("name"),
        description: form.text("description"),
        starts_at,
        ends_at,
        participants: form.text("participants").split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect(),
        commodities: form.all("commodities"),
        channel_tlp: form.text("channel_tlp"),
        idempotency_key: None,
    };
    match s.app.create_operation(&ui.actor, input).await {
        Ok(o) => Redirect::to(&format!("/operations/{}", o.id)).into_response(),
        Err(e) => match invalid_text(lang, &e) {
            Some(text) => operations_page(&s, &ui, &form, Some(text)).await,
            None => app_error_page(&ui, e),
        },
    }
}

async fn operation_page(s: &AppState, ui: &Ui, id: &str, error: Option<String>) -> Response {
    let lang = ui.lang;
    let o = match s.app.operation(&ui.actor, id).await {
        Ok(o) => o,
        Err(e) => return app_error_page(ui, e),
    };
    let messages = s.app.operation_messages(&ui.actor, id).await.unwrap_or_default();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let commodity = |code: &Option<String>| {
        code.as_deref()
            .and_then(|c| reference().commodity(c))
            .map_or_else(|| "—".to_string(), |c| (if lang == Language::Vi { c.name_vi } else { c.name_en }).to_string())
    };
    let body = html! {
        h1 { (o.name) }
        p { (code_label(lang, &o.phase)) " · " (datetime(o.starts_at)) " – " (datetime(o.ends_at)) }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        @if !o.description.is_empty() { p { (o.description) } }
        dl {
            dt { (t(lang, "coord.organiser")) } dd { (o.organiser_agency_id) }
            dt { (t(lang, "coord.participants")) } dd #participants { (o.participants.join(", ")) }
            dt { (t(lang, "coord.commodities")) } dd { @for (i, c) in o.commodities.iter().enumerate() { @if i > 0 { ", " } (commodity(&Some(c.clone()))) } }
        }
        h2 { (t(lang, "coord.results")) }
        p #results-summary {
            (number(lang, o.results.cases)) " " (t(lang, "coord.cases_word")) " · " (number(lang, o.results.seizures)) " " (t(lang, "coord.seizures_word"))
            " · " (money(lang, o.results.value_vnd))
        }
        @if !o.results.by_commodity.is_empty() {
            table #results {
                thead { tr { th scope="col" { (t(lang, "coord.commodity")) } th scope="col" { (t(lang, "coord.cases_word")) } th scope="col" { (t(lang, "coord.value")) } } }
                tbody { @for r in &o.results.by_commodity { tr { td { (commodity(&r.commodity)) } td { (number(lang, r.cases)) } td { (money(lang, r.value_vnd)) } } } }
            }
        }
        p.muted { (t(lang, "coord.results_note")) }
        h2 { (t(lang, "coord.linked_cases")) }
        ul #linked-cases { @for c in &o.cases { li { a href=(format!("/cases/{}", c.id)) { (c.reference) } " · " (c.title) " · " (code_label(lang, &c.status)) } } }
        form.stack #link-case method="post" action=(format!("/operations/{}/cases", o.id)) {
            input type="hidden" name="_csrf" value=(ui.csrf());
            label for="link_case_id" { (t(lang, "coord.link_case")) } input #link_case_id type="text" name="case_id" required;
            button type="submit" { (t(lang, "coord.link")) }
        }
        h2 { (t(lang, "coord.channel_title")) " " (tlp_badge(&o.channel_tlp)) }
        ol #messages {
            @for m in &messages { li { span.muted { (datetime(m.created_at)) " · " (m.author_agency_id) " · " (m.author_unit_id) } br; (m.body) } }
        }
        form.stack #post-message method="post" action=(format!("/operations/{}/messages", o.id)) {
            input type="hidden" name="_csrf" value=(ui.csrf());
            label for="message_body" { (t(lang, "coord.message")) } textarea #message_body name="body" rows="3" required {}
            button.primary type="submit" { (t(lang, "coord.post")) }
        }
    };
    html_response(status, layout(lang, Some(ui), &o.name, body))
}

/// A joint operation: participants, linked cases and results the user may see, and its channel.
pub async fn operation_detail(State(s): State<AppState>, ui: Ui, Path(id): Path<String>) -> Response {
    operation_page(&s, &ui, &id, None).await
}

/// Posts on an operation's channel.
pub async fn post_message(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    match s.app.post_operation_message(&ui.actor, &id, OperationMessageInput { body: form.text("body") }).await {
        Ok(_) => Redirect::to(&format!("/operations/{id}#messages")).into_response(),
        Err(e) => match invalid_text(ui.lang, &e) {
            Some(text) => operation_page(&s, &ui, &id, Some(text)).await,
            None => app_error_page(&ui, e),
        },
    }
}

/// Links a case to an operation.
pub async fn link_case(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    match s.app.link_operation_case(&ui.actor, &id, LinkCaseInput { case_id: form.text("case_id") }).await {
        Ok(_) => Redirect::to(&format!("/operations/{id}")).into_response(),
        Err(e) => match invalid_text(ui.lang, &e) {
            Some(text) => operation_page(&s, &ui, &id, Some(text)).await,
            None => app_error_page(&ui, e),
        },
    }
}

#[cfg(test)]
mod tests {
    /// Every word these pages ask for exists in both languages, and every code they label has a label.
    #[test]
    fn no_missing_words() {
        let source = include_str!("coordination.rs");
        let mut missing = Vec::new();
        for chunk in source.split("t(lang, \"").skip(1).chain(source.split("t(ui.lang, \"").skip(1)) {
            let key = chunk.split('"').next().unwrap_or_default();
            if super::t(cordon_core::Language::Vi, key) == "?" {
                missing.push(key.to_string());
            }
        }
        let codes = cordon_core::coordination::DecisionForm::ALL.iter().map(|f| f.as_str()).chain([
            "own",
            "delegated",
            "requested",
            "accepted",
            "refused",
            "planned",
            "running",
            "ended",
            "pursuit",
            "urgent_alert",
            "information_share",
            "support_request",
            "raise",
            "escalate",
        ]);
        for c in codes {
            if super::code_label(cordon_core::Language::Vi, c).is_empty() {
                missing.push(c.to_string());
            }
        }
        assert!(missing.is_empty(), "{missing:?}");
    }
}
