//! Prometheus metrics: requests by route, method and status, and their latency.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Counters kept in memory and rendered in the Prometheus text format.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    fn observe(&self, route: String, method: String, status: u16, secs: f64) {
        let mut map = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let s = map.entry((route, method, status)).or_default();
        s.count += 1;
        s.sum += secs;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let map = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP cordon_http_requests_total HTTP requests answered.\n# TYPE cordon_http_requests_total counter\n");
        for ((route, method, status), s) in map.iter() {
            let _ = writeln!(out, "cordon_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {}", s.count);
        }
        out.push_str(
            "# HELP cordon_http_request_duration_seconds Time to answer.\n# TYPE cordon_http_request_duration_seconds histogram\n",
        );
        let mut by_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
        for ((route, method, _), s) in map.iter() {
            let agg = by_route.entry((route, method)).or_default();
            agg.count += s.count;
            agg.sum += s.sum;
            for i in 0..BUCKETS.len() {
                agg.buckets[i] += s.buckets[i];
            }
        }
        for ((route, method), s) in by_route {
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "cordon_http_request_duration_seconds_bucket{{route=\"{route}\",method=\"{method}\",le=\"{b}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "cordon_http_request_duration_seconds_bucket{{route=\"{route}\",method=\"{method}\",le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(out, "cordon_http_request_duration_seconds_sum{{route=\"{route}\",method=\"{method}\"}} {}", s.sum);
            let _ = writeln!(out, "cordon_http_request_duration_seconds_count{{route=\"{route}\",method=\"{method}\"}} {}", s.count);
        }
        out
    }
}

/// Middleware recording each request under its route template (never the raw path, which
/// would carry ids and grow without bound).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    state.metrics.observe(route, method, resp.status().as_u16(), start.elapsed().as_secs_f64());
    resp
}
