//! Prometheus metrics: one recorder per process (the `metrics` facade), rendered in the
//! text exposition format by `GET /metrics`. Installed only when `[metrics]` is set;
//! otherwise every `metrics::counter!` in the code is a no-op.
//!
//! The metrics, all prefixed `pakn_`:
//! - `http_requests_total{method,route,status}` and `http_request_duration_seconds`
//!   `{method,route}` (by matched route, never the raw path);
//! - `tickets_filed_total{channel}`, `moves_total{action}`;
//! - `mail_sent_total`, `mail_failed_total`; `outbox_pending`, `outbox_failed`,
//!   `outbox_oldest_pending_seconds` (sampled every 5 s, never at scrape time);
//! - `job_runs_total{task,outcome}`, `job_duration_seconds{task}` (not `job`, which
//!   Prometheus gives the scrape job);
//! - `db_pool_connections{state}` and `db_pool_max` (at scrape time);
//! - `rate_limit_refusals_total{limit}`;
//! - `tickets_overdue` (sampled every 5 s, from the queue's cached due counts);
//! - `db_reads_total{target}` and `db_replica_lag_seconds` (with `[database] replica_url`).

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// Latency buckets in seconds: 1 ms to 10 s.
pub const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's recorder (once; later calls return the same handle). `None`
/// when another recorder was installed first.
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(LATENCY_BUCKETS)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            describe();
            Some(handle)
        })
        .clone()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "pakn_http_requests_total",
        "HTTP requests answered, by method, matched route and status"
    );
    describe_histogram!(
        "pakn_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer a request, by method and matched route"
    );
    describe_counter!(
        "pakn_tickets_filed_total",
        "PAKN filed (committed), by channel"
    );
    describe_counter!("pakn_moves_total", "Moves of PAKN made, by action");
    describe_counter!("pakn_mail_sent_total", "Mails accepted by the SMTP server");
    describe_counter!(
        "pakn_mail_failed_total",
        "Mail attempts that failed (to be retried or given up)"
    );
    describe_gauge!("pakn_outbox_pending", "Mails waiting to be sent");
    describe_gauge!("pakn_outbox_failed", "Mails given up after their retries");
    describe_gauge!(
        "pakn_outbox_oldest_pending_seconds",
        Unit::Seconds,
        "Age of the oldest mail waiting to be sent (0 when none)"
    );
    describe_counter!(
        "pakn_job_runs_total",
        "Runs of the periodic jobs on this instance, by job and outcome"
    );
    describe_histogram!(
        "pakn_job_duration_seconds",
        Unit::Seconds,
        "Time a periodic job's run took"
    );
    describe_gauge!(
        "pakn_db_pool_connections",
        "Database connections of this instance's pool, by state"
    );
    describe_gauge!("pakn_db_pool_max", "The pool's maximum size");
    describe_gauge!(
        "pakn_tickets_overdue",
        "Open PAKN past their reply deadline, all units"
    );
    describe_counter!(
        "pakn_rate_limit_refusals_total",
        "Requests refused by a rate limit, by limit"
    );
    describe_counter!(
        "pakn_db_reads_total",
        "Connections taken for reads that may be a little behind, by target (replica or primary)"
    );
    describe_gauge!(
        "pakn_db_replica_lag_seconds",
        Unit::Seconds,
        "How far the read replica is behind (-1 when it does not answer)"
    );
}

/// The metrics now, in the text format (histograms drained into their buckets first).
pub fn render(handle: &PrometheusHandle) -> String {
    handle.run_upkeep();
    handle.render()
}

/// A method as a label: the standard ones, or `OTHER` (a label set must stay bounded).
pub fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `pakn_…` names in `text`, histogram series suffixes removed.
    fn names_in(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find("pakn_") {
            let tail = &rest[at..];
            let end = tail
                .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                .unwrap_or(tail.len());
            let name = &tail[..end];
            let base = ["_bucket", "_count", "_sum"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .unwrap_or(name);
            out.push(base.to_string());
            rest = &tail[end..];
        }
        out
    }

    #[test]
    fn the_alerts_and_the_dashboard_use_only_metrics_pakn_describes() {
        let described = include_str!("prometheus.rs");
        let dashboard = include_str!("../../deploy/monitoring/grafana-dashboard.json");
        let parsed: serde_json::Value = serde_json::from_str(dashboard).expect("dashboard JSON");
        assert!(parsed["panels"].as_array().is_some_and(|p| p.len() >= 10));
        let alerts = include_str!("../../deploy/monitoring/alerts.yml");
        for rule in ["PaknInstanceDown", "PaknMailStuck", "PaknOverdueRising"] {
            assert!(alerts.contains(&format!("alert: {rule}")), "{rule}");
        }
        let used: Vec<String> = names_in(dashboard)
            .into_iter()
            .chain(names_in(alerts))
            .filter(|n| n != "pakn_" && n != "pakn_overview")
            .collect();
        assert!(used.len() > 20);
        for name in used {
            assert!(
                described.contains(&format!("\"{name}\"")),
                "{name} is used but never described"
            );
        }
    }

    #[test]
    fn unknown_methods_share_one_label() {
        assert_eq!(method_label("GET"), "GET");
        assert_eq!(method_label("BREW"), "OTHER");
    }
}
