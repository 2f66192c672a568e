//! What operators set for running pakn: the log format (`[log]`) and the metrics
//! endpoint (`[metrics]`).

use serde::Deserialize;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Coloured text on a terminal, JSON lines otherwise (a file, journald, a collector).
    #[default]
    Auto,
    /// Plain text, with colour only on a terminal.
    Text,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    /// Whether lines are JSON: as chosen, or (auto) when not writing to a terminal.
    pub fn json(self, terminal: bool) -> bool {
        match self {
            LogFormat::Json => true,
            LogFormat::Text => false,
            LogFormat::Auto => !terminal,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub format: LogFormat,
}

/// Prometheus metrics: off unless one of the two is set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// A separate listen address for `GET /metrics` (for example `127.0.0.1:9187`),
    /// reachable only by the monitoring network.
    pub listen: String,
    /// A bearer token that opens `GET /metrics` on the main listener; empty: not there.
    pub token: String,
}

impl MetricsConfig {
    pub fn enabled(&self) -> bool {
        !self.listen.trim().is_empty() || !self.token.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_is_json_off_a_terminal() {
        assert!(LogFormat::Auto.json(false));
        assert!(!LogFormat::Auto.json(true));
        assert!(LogFormat::Json.json(true));
        assert!(!LogFormat::Text.json(false));
    }
}
