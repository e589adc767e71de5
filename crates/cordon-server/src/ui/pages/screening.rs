//! Screening: the analysts' lead queue, a lead with its matched words marked and the decision
//! form, the seller's cluster across platforms, and the rule editor with versions and precision.

use cordon_app::{LeadDecisionInput, LeadView, LineProblem, RuleSetInput, SpanView};

use super::*;

/// Which leads the queue shows.
#[derive(Deserialize)]
pub struct QueueParams {
    status: Option<String>,
}

/// The lead queue of the analyst's agency, best first, one tab per status.
pub async fn lead_queue(State(s): State<AppState>, ui: Ui, Query(p): Query<QueueParams>) -> Response {
    let lang = ui.lang;
    let status = p.status.unwrap_or_else(|| "open".into());
    let loaded =
        async { Ok::<_, AppError>((s.app.lead_counts(&ui.actor).await?, s.app.leads(&ui.actor, Some(&status), 200, 0).await?)) }.await;
    let (counts, leads) = match loaded {
        Ok(v) => v,
        Err(AppError::Invalid(_)) => return Redirect::to("/leads").into_response(),
        Err(e) => return app_error_page(&ui, e),
    };
    let body = html! {
        h1 { (t(lang, "leads.title")) }
        p { a href="/rules" { (t(lang, "rules.title")) } }
        nav.tabs aria-label=(t(lang, "leads.title")) {
            @for code in ["open", "confirmed", "dismissed", "false_positive"] {
                a href=(format!("/leads?status={code}")) aria-current=[(code == status).then_some("page")] {
                    (code_label(lang, code)) " (" (counts.get(code).copied().unwrap_or(0)) ")"
                }
                " "
            }
        }
        @if leads.is_empty() { p #no-leads { (t(lang, "leads.none")) } }
        @else {
            table #leads-table {
                thead { tr {
                    th scope="col" { (t(lang, "leads.score")) } th scope="col" { (t(lang, "leads.seller")) }
                    th scope="col" { (t(lang, "leads.platform")) } th scope="col" { (t(lang, "leads.listings")) }
                    th scope="col" { (t(lang, "leads.opened")) }
                } }
                tbody {
                    @for l in &leads {
                        tr {
                            td { (format!("{:.2}", l.score)) }
                            td { a href=(format!("/leads/{}", l.id)) { (seller_label(l)) } }
                            td { (l.platform) }
                            td { (l.listing_count) }
                            td { (datetime(l.created_at)) }
                        }
                    }
                }
            }
        }
    };
    html_response(StatusCode::OK, layout(lang, Some(&ui), t(lang, "leads.title"), body))
}

fn seller_label(l: &LeadView) -> String {
    match (&l.seller_name, &l.seller_id) {
        (Some(name), Some(id)) => format!("{name} ({id})"),
        (Some(name), None) => name.clone(),
        (None, Some(id)) => id.clone(),
        (None, None) => "—".into(),
    }
}

/// `text` with the byte ranges of `spans` that fall in `field` wrapped in `<mark>`; overlapping
/// ranges are merged, and a range that is not on character boundaries is left unmarked.
fn marked(text: &str, field: &str, spans: &[&SpanView]) -> Markup {
    let mut ranges: Vec<(usize, usize)> = spans
        .iter()
        .filter(|s| {
            s.field == field && s.start < s.end && s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end)
        })
        .map(|s| (s.start, s.end))
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let mut pieces: Vec<(&str, bool)> = Vec::with_capacity(merged.len() * 2 + 1);
    let mut at = 0;
    for (a, b) in merged {
        pieces.push((&text[at..a], false));
        pieces.push((&text[a..b], true));
        at = b;
    }
    pieces.push((&text[at..], false));
    html! {
        @for (piece, hit) in pieces {
            @if hit { mark { (piece) } } @else { (piece) }
        }
    }
}

/// Why the decision form came back.
struct Refusal(String);

/// A lead: its listings with the matched words marked, why each rule fired, the seller's
/// cluster across platforms, and (while open) the decision form.
pub async fn lead_detail(State(s): State<AppState>, ui: Ui, Path(id): Path<String>) -> Response {
    lead_page(&s, &ui, &id, None).await
}

async fn lead_page(s: &AppState, ui: &Ui, id: &str, refusal: Option<Refusal>) -> Response {
    let lang = ui.lang;
    let loaded = async { Ok::<_, AppError>((s.app.lead(&ui.actor, id).await?, s.app.seller_cluster(&ui.actor, id).await?)) }.await;
    let (lead, cluster) = match loaded {
        Ok(v) => v,
        Err(e) => return app_error_page(ui, e),
    };
    let others: Vec<&LeadView> = cluster.leads.iter().filter(|l| l.id != lead.id).collect();
    let status = if refusal.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = html! {
        p { a href="/leads" { "← " (t(lang, "leads.title")) } }
        h1 { (seller_label(&lead)) " · " (lead.platform) }
        dl {
            dt { (t(lang, "access.status")) } dd #lead-status { (code_label(lang, &lead.status)) }
            dt { (t(lang, "leads.score")) } dd { (format!("{:.2}", lead.score)) }
            @if let Some(r) = &lead.reason { dt { (t(lang, "leads.reason")) } dd { (r) } }
            @if let Some(c) = &lead.case_id { dt { (t(lang, "field.case")) } dd { a #lead-case href=(format!("/cases/{c}")) { (c) } } }
        }
        @for l in &lead.listings {
            @let spans: Vec<&SpanView> = l.hits.iter().flat_map(|h| h.spans.iter()).collect();
            section.listing {
                h2 {
                    @if let Some(url) = l.listing.url.as_deref().filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
                        a href=(url) rel="noreferrer noopener" { (marked(&l.listing.title, "title", &spans)) }
                    } @else { (marked(&l.listing.title, "title", &spans)) }
                }
                p { (marked(&l.listing.description, "description", &spans)) }
                p.muted {
                    (l.listing.listing_id)
                    @if let Some(price) = l.listing.price { " · " (number(lang, price.round() as i64)) " " (l.listing.currency.as_deref().unwrap_or("₫")) }
                    " · " (t(lang, "leads.seen")) " " (l.times_seen) " · " (datetime(l.last_seen))
                }
                ul.hits {
                    @for h in &l.hits { li { strong { (h.rule) } " — " (h.reason) } }
                }
            }
        }
        @if !others.is_empty() {
            h2 #cluster { (t(lang, "leads.cluster")) }
            ul {
                @for o in &others { li { a href=(format!("/leads/{}", o.id)) { (seller_label(o)) " · " (o.platform) } " (" (code_label(lang, &o.status)) ")" } }
            }
            p.muted {
                @for (i, sh) in cluster.shared.iter().enumerate() { @if i > 0 { ", " } (sh.kind) ": " (sh.value) }
            }
        }
        @if lead.status == "open" {
            h2 { (t(lang, "leads.decide")) }
            form.stack #decide method="post" action=(format!("/leads/{}/decision", lead.id)) {
                input type="hidden" name="_csrf" value=(ui.csrf());
                @if let Some(Refusal(r)) = &refusal { p.error role="alert" { (super::super::i18n::reason(lang, r)) } }
                fieldset {
                    legend { (t(lang, "leads.decision")) }
                    @for code in ["confirmed", "dismissed", "false_positive"] {
                        label { input type="radio" name="decision" value=(code) required; " " (code_label(lang, code)) }
                    }
                }
                label { input type="checkbox" name="open_case" value="1"; " " (t(lang, "leads.open_case")) }
                label for="case_id" { (t(lang, "leads.link_case")) } input #case_id name="case_id";
                label for="reason" { (t(lang, "leads.reason")) } textarea #reason name="reason" rows="3" {}
                button.primary type="submit" { (t(lang, "leads.decide")) }
            }
        }
    };
    html_response(status, layout(lang, Some(ui), &seller_label(&lead), body))
}

/// Records a decision from the lead page; a refusal comes back on the page with its reason.
pub async fn decide_lead(State(s): State<AppState>, ui: Ui, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let input = LeadDecisionInput {
        decision: form.text("decision"),
        reason: form.text("reason"),
        case_id: form.opt("case_id"),
        open_case: form.get("open_case").is_some(),
    };
    match s.app.decide_lead(&ui.actor, &id, input).await {
        Ok(_) => Redirect::to(&format!("/leads/{id}")).into_response(),
        Err(AppError::Invalid(i)) => lead_page(&s, &ui, &id, Some(Refusal(i.to_string()))).await,
        Err(e) => app_error_page(&ui, e),
    }
}

/// The rule editor: the active rules in a text box, every saved version, each rule's precision.
pub async fn rules(State(s): State<AppState>, ui: Ui) -> Response {
    rules_page(&s, &ui, None, &[]).await
}

async fn rules_page(s: &AppState, ui: &Ui, draft: Option<&str>, problems: &[LineProblem]) -> Response {
    let lang = ui.lang;
    let loaded = async { Ok::<_, AppError>((s.app.rule_sets(&ui.actor).await?, s.app.rule_precision(&ui.actor).await?)) }.await;
    let (versions, precision) = match loaded {
        Ok(v) => v,
        Err(e) => return app_error_page(ui, e),
    };
    let active_text = match versions.iter().find(|v| v.active) {
        Some(v) => match s.app.rule_set(&ui.actor, v.version).await {
            Ok(full) => full.body.unwrap_or_default(),
            Err(e) => return app_error_page(ui, e),
        },
        None => String::new(),
    };
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let body = html! {
        p { a href="/leads" { "← " (t(lang, "leads.title")) } }
        h1 { (t(lang, "rules.title")) }
        @if !problems.is_empty() {
            div.error #rule-problems role="alert" {
                p { (t(lang, "rules.refused")) }
                ul { @for p in problems { li { (t(lang, "rules.line")) " " (p.line) ": " (p.reason) } } }
            }
        }
        form.stack #rule-editor method="post" action="/rules" {
            input type="hidden" name="_csrf" value=(ui.csrf());
            label for="body" { (t(lang, "rules.text")) }
            textarea #body name="body" rows="24" spellcheck="false" { (draft.unwrap_or(&active_text)) }
            label { input type="checkbox" name="activate" value="1" checked; " " (t(lang, "rules.activate")) }
            button.primary type="submit" { (t(lang, "rules.save")) }
        }
        h2 { (t(lang, "rules.versions")) }
        table #rule-versions {
            thead { tr {
                th scope="col" { "#" } th scope="col" { (t(lang, "rules.label")) } th scope="col" { (t(lang, "audit.when")) } th scope="col" { "" }
            } }
            tbody {
                @for v in &versions {
                    tr {
                        td { (v.version) } td { (v.label) } td { (datetime(v.created_at)) }
                        td {
                            @if v.active { strong { (t(lang, "rules.active")) } }
                            @else {
                                form method="post" action=(format!("/rules/{}/activate", v.version)) {
                                    input type="hidden" name="_csrf" value=(ui.csrf());
                                    button type="submit" { (t(lang, "rules.use")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (t(lang, "rules.precision")) }
        table #rule-precision {
            thead { tr {
                th scope="col" { (t(lang, "rules.rule")) } th scope="col" { (code_label(lang, "confirmed")) }
                th scope="col" { (code_label(lang, "false_positive")) } th scope="col" { (code_label(lang, "dismissed")) }
                th scope="col" { (t(lang, "rules.precision")) }
            } }
            tbody {
                @for r in &precision {
                    tr {
                        td { (r.rule) } td { (r.confirmed) } td { (r.false_positives) } td { (r.dismissed) }
                        td { @match r.precision { Some(p) => (format!("{:.0}%", p * 100.0)), None => "—" } }
                    }
                }
            }
        }
    };
    html_response(status, layout(lang, Some(ui), t(lang, "rules.title"), body))
}

/// Saves the edited rules; a refused file comes back in the editor with each problem's line.
pub async fn save_rules(State(s): State<AppState>, ui: Ui, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    let text = form.get("body").unwrap_or_default().replace("\r\n", "\n");
    match s.app.save_rule_set(&ui.actor, RuleSetInput { body: text.clone(), activate: form.get("activate").is_some() }).await {
        Ok(Ok(_)) => Redirect::to("/rules").into_response(),
        Ok(Err(problems)) => rules_page(&s, &ui, Some(&text), &problems).await,
        Err(AppError::Invalid(i)) => rules_page(&s, &ui, Some(&text), &[LineProblem { line: 0, reason: i.to_string() }]).await,
        Err(e) => app_error_page(&ui, e),
    }
}

/// Screens with an earlier (or later) saved version from now on.
pub async fn activate_rules(State(s): State<AppState>, ui: Ui, Path(version): Path<i64>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if !ui.csrf_ok(&form) {
        return ui.csrf_refused();
    }
    match s.app.activate_rule_set(&ui.actor, version).await {
        Ok(_) => Redirect::to("/rules").into_response(),
        Err(e) => app_error_page(&ui, e),
    }
}
