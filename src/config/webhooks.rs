//! `[webhooks]`: how deliveries to API clients' receivers are made and retried.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksConfig {
    /// Seconds a receiver has to answer one delivery.
    pub timeout_secs: u64,
    /// The first retry's delay; each next one doubles, up to `retry_max_secs`.
    pub retry_base_secs: u64,
    pub retry_max_secs: u64,
    /// A subscription whose every delivery has failed this long is switched off and the
    /// admins are mailed.
    pub disable_after_hours: u64,
    /// How often each instance looks for deliveries queued by the others (ms).
    pub poll_interval_ms: u64,
    /// Deliveries claimed at once, and posted at once.
    pub batch_size: i64,
    pub concurrency: usize,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        WebhooksConfig {
            timeout_secs: 10,
            retry_base_secs: 5,
            retry_max_secs: 3600,
            disable_after_hours: 72,
            poll_interval_ms: 1000,
            batch_size: 500,
            concurrency: 64,
        }
    }
}
