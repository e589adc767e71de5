//! The web application: server-rendered HTML (maud) with one small script, served by
//! `cordon serve` itself. Pages call the same use cases as the API; a browser session
//! is the API's HttpOnly, SameSite=Strict cookie, and every form carries a CSRF token
//! derived from it.

pub(crate) mod i18n;
mod map;
mod pages;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

/// Strict: only this server's own script and style, no inline anything, no framing.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The UI's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/language", post(pages::language))
        .route("/cases", get(pages::case_list))
        .route("/cases/new", get(pages::new_case_form).post(pages::create_case))
        .route("/cases/{id}", get(pages::case_detail))
        .route("/cases/{id}/edit", get(pages::edit_case_form).post(pages::update_case))
        .route("/entities/{id}", get(pages::entity_detail))
        .route("/entity-matches/{id}/decision", post(pages::entities::decide_match))
        .route("/cases/{id}/access-request", post(pages::request_access))
        .route("/notices", get(pages::notices))
        .route("/notices/{id}/ack", post(pages::acknowledge_notice))
        .route("/notices/new", get(pages::coordination::new_notice_form).post(pages::coordination::raise_notice))
        .route("/notices/{id}", get(pages::coordination::notice_detail))
        .route("/notices/{id}/action", post(pages::coordination::report_action))
        .route("/notices/{id}/decision", post(pages::coordination::record_decision))
        .route("/handovers", get(pages::coordination::handovers))
        .route("/handovers/{id}", get(pages::coordination::handover_detail))
        .route("/handovers/{id}/answer", post(pages::coordination::answer_handover))
        .route("/cases/{id}/handover", get(pages::coordination::new_handover_form).post(pages::coordination::request_handover))
        .route("/operations", get(pages::coordination::operations).post(pages::coordination::create_operation))
        .route("/operations/{id}", get(pages::coordination::operation_detail))
        .route("/operations/{id}/messages", post(pages::coordination::post_message))
        .route("/operations/{id}/cases", post(pages::coordination::link_case))
        .route("/network", get(pages::network::network_page))
        .route("/duty", get(pages::duty::duty))
        .route("/duty/shifts", post(pages::duty::add_shift))
        .route("/duty/delegations", post(pages::duty::create_delegation))
        .route("/access-requests", get(pages::access_requests))
        .route("/access-requests/{id}/decision", post(pages::decide_access))
        .route(
            "/tip",
            get(pages::tips::tip_form)
                .post(pages::tips::submit_tip)
                .layer(axum::extract::DefaultBodyLimit::max(crate::routes::tips::MAX_TIP_BODY_BYTES)),
        )
        .route("/tip/status", get(pages::tips::status_form).post(pages::tips::status_lookup))
        .route("/tip/follow-up", post(pages::tips::follow_up))
        .route("/tips", get(pages::tips::queue))
        .route("/tips/call", get(pages::tips::call_form).post(pages::tips::record_call))
        .route("/tips/{id}", get(pages::tips::detail))
        .route("/tips/{id}/triage", post(pages::tips::triage))
        .route("/tips/{id}/close", post(pages::tips::close))
        .route("/leads", get(pages::screening::lead_queue))
        .route("/leads/{id}", get(pages::screening::lead_detail))
        .route("/leads/{id}/decision", post(pages::screening::decide_lead))
        .route("/rules", get(pages::screening::rules).post(pages::screening::save_rules))
        .route("/rules/{version}/activate", post(pages::screening::activate_rules))
        .route("/audit", get(pages::audit))
        .route("/analytics", get(pages::analytics::analytics_page))
        .route("/analytics/report-schedules", post(pages::analytics::create_schedule))
        .route("/directives", get(pages::analytics::directives_page).post(pages::analytics::create_directive))
        .route("/directives/tasks", post(pages::analytics::add_task))
        .route("/directive-tasks/{id}/reports", post(pages::analytics::report_task))
        .route("/requests", get(pages::requests::request_list))
        .route("/requests/new", get(pages::requests::new_request_form).post(pages::requests::create_request))
        .route("/requests/statistics", get(pages::requests::request_statistics))
        .route("/requests/{id}", get(pages::requests::request_detail))
        .route("/requests/{id}/transition", post(pages::requests::transition_request))
        .route("/requests/{id}/answer", post(pages::requests::answer_request))
        .route("/admin", get(pages::admin::admin))
        .route("/admin/agreements", post(pages::admin::create_agreement))
        .route("/admin/groups", post(pages::admin::create_group))
        .route("/admin/report-templates", post(pages::admin::set_report_template))
        .route("/admin/units", post(pages::admin::create_unit))
        .route("/admin/users", post(pages::admin::create_user))
        .route("/static/app.css", get(|| asset("text/css", include_str!("../../assets/app.css"))))
        .route("/static/app.js", get(|| asset("text/javascript", include_str!("../../assets/app.js"))))
}

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut resp = body.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Assets are compiled into the binary: they change only with a new version.
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    resp
}

#[cfg(test)]
mod contrast {
    //! WCAG 2.1 AA: every text colour the stylesheet sets against the background it sits on
    //! has a contrast ratio of at least 4.5:1 (3:1 for the large, bold brand).

    use std::collections::HashMap;

    const CSS: &str = include_str!("../../assets/app.css");

    /// Declarations by selector (each selector of a group separately), `var(--x)` resolved.
    fn rules() -> HashMap<String, HashMap<String, String>> {
        let mut vars = HashMap::new();
        let mut out: HashMap<String, HashMap<String, String>> = HashMap::new();
        for rule in CSS.split('}') {
            let Some((selectors, decls)) = rule.split_once('{') else { continue };
            let decls: Vec<(String, String)> = decls
                .split(';')
                .filter_map(|d| d.split_once(':'))
                .map(|(k, v)| (k.trim().to_string(), v.trim().trim_end_matches("!important").trim().to_string()))
                .collect();
            for (k, v) in &decls {
                if k.starts_with("--") {
                    vars.insert(format!("var({k})"), v.clone());
                }
            }
            for sel in selectors.split(',') {
                let entry = out.entry(sel.trim().to_string()).or_default();
                for (k, v) in &decls {
                    entry.insert(k.clone(), vars.get(v).cloned().unwrap_or_else(|| v.clone()));
                }
            }
        }
        out
    }

    fn rgb(hex: &str) -> [f64; 3] {
        let h = hex.trim_start_matches('#');
        let h: String = if h.len() == 3 { h.chars().flat_map(|c| [c, c]).collect() } else { h.to_string() };
        let c = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).unwrap_or_else(|_| panic!("not a colour: {hex}")) as f64 / 255.0;
        [c(0), c(2), c(4)]
    }

    fn luminance(hex: &str) -> f64 {
        let lin = |c: f64| if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) };
        let [r, g, b] = rgb(hex);
        0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }

    fn ratio(a: &str, b: &str) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn text_has_enough_contrast() {
        let r = rules();
        let get = |sel: &str, prop: &str| -> String {
            r.get(sel).and_then(|d| d.get(prop)).cloned().unwrap_or_else(|| panic!("app.css has no {prop} for {sel}"))
        };
        let page = get("body", "background");
        let header = get("header", "background");
        // (what, text colour, background, minimum)
        let pairs = [
            ("body text", get("body", "color"), page.clone(), 4.5),
            ("links", get("a", "color"), page.clone(), 4.5),
            ("muted text", get(".muted", "color"), page.clone(), 4.5),
            ("errors", get(".error", "color"), page.clone(), 4.5),
            ("rises", get(".up", "color"), page.clone(), 4.5),
            ("falls", get(".down", "color"), page.clone(), 4.5),
            ("table headers", get("body", "color"), get("th", "background"), 4.5),
            ("header links", get("header a", "color"), header.clone(), 4.5),
            ("header muted", get("header .muted", "color"), header.clone(), 4.5),
            ("brand", get("header .brand", "color"), header, 3.0),
            ("primary buttons", get("button.primary", "color"), get("button.primary", "background"), 4.5),
            ("session banner", get("body", "color"), get(".banner", "background"), 4.5),
            ("matched words", get("mark", "color"), get("mark", "background"), 4.5),
            ("TLP:RED", get(".tlp-red", "color"), get(".tlp", "background"), 4.5),
            ("TLP:AMBER", get(".tlp-amber", "color"), get(".tlp", "background"), 4.5),
            ("TLP:GREEN", get(".tlp-green", "color"), get(".tlp", "background"), 4.5),
            ("TLP:CLEAR", get(".tlp-clear", "color"), get(".tlp", "background"), 4.5),
        ];
        let failing: Vec<String> = pairs
            .iter()
            .filter(|(_, fg, bg, min)| ratio(fg, bg) < *min)
            .map(|(what, fg, bg, min)| format!("{what}: {fg} on {bg} is {:.2}:1, below {min}:1", ratio(fg, bg)))
            .collect();
        assert!(failing.is_empty(), "{failing:#?}");
        assert!((ratio("#000", "#fff") - 21.0).abs() < 0.01, "the formula itself");
    }
}
