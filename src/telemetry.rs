//! Logging setup. Log lines carry the matched route and status, never a query string,
//! form value or other personal data.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber (once; later calls are ignored). `PAKN_LOG` sets the
/// filter, `info` by default.
pub fn init() {
    let filter = EnvFilter::try_from_env("PAKN_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
}
