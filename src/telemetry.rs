//! Logging setup. Log lines carry the matched route and status, never a query string,
//! form value or other personal data. Text on a terminal, JSON lines elsewhere (or as
//! `[log] format` says); never ANSI colour codes in a file. Every line written while a
//! request runs carries its request id (the `request` span of `web::kit::request_id`).

use std::io::IsTerminal;

pub mod prometheus;

use tracing_subscriber::EnvFilter;

/// Crates whose debug output carries statements' parameters (phone numbers, emails,
/// session ids, CSRF tokens, whole files): held at `info` whatever `PAKN_LOG` asks
/// (security review, finding 5).
const QUIET: &[&str] = &[
    "tokio_postgres",
    "postgres_protocol",
    "diesel",
    "diesel_async",
];

/// The filter of `PAKN_LOG` (`info` by default), with [`QUIET`] crates held at `info`.
pub fn filter(spec: Option<&str>) -> EnvFilter {
    let mut filter = spec
        .and_then(|s| EnvFilter::try_new(s).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    for krate in QUIET {
        if let Ok(directive) = format!("{krate}=info").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

/// Installs the global subscriber (once; later calls are ignored): JSON lines when
/// `json`, text otherwise (coloured only on a terminal).
pub fn init(json: bool) {
    let filter = filter(std::env::var("PAKN_LOG").ok().as_deref());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .flatten_event(true)
            .try_init()
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_database_driver_never_logs_below_info() {
        for spec in [
            Some("debug"),
            Some("trace"),
            Some("tokio_postgres=trace,debug"),
            None,
        ] {
            let shown = super::filter(spec).to_string();
            for krate in super::QUIET {
                assert!(
                    shown.contains(&format!("{krate}=info")),
                    "{spec:?}: {shown}"
                );
                assert!(
                    !shown.contains(&format!("{krate}=trace")),
                    "{spec:?}: {shown}"
                );
            }
        }
    }
}
