//! What every handler can reach: [`AppState`], shared by all instances' handlers through
//! an `Arc` ([`SharedState`]).

use std::sync::Arc;

use tokio::sync::{Notify, Semaphore};

use super::{counts, rate_limit, upload_gate, visits};
use crate::config::{Cidr, Config};
use crate::db::Pool;
use crate::db::replica::Reads;
use crate::domain::form_token::FormTokenKey;
use crate::reference::ReferenceCache;

/// What every handler can reach.
pub struct AppState {
    pub cfg: Arc<Config>,
    /// The primary: every write, and every read of what was just written.
    pub pool: Pool,
    /// Reads that may be a little behind (public answers, statistics, directory,
    /// reports): the replica when one is configured and close enough.
    pub reads: Reads,
    pub reference: Arc<ReferenceCache>,
    /// Signs and checks the stateless tokens of public forms.
    pub tokens: FormTokenKey,
    /// The shared HMAC secret (rate-limit keys, visitor hashes).
    pub secret: Arc<Vec<u8>>,
    /// Wakes this instance's mail worker right after a commit that queued mail.
    pub mail_wake: Arc<Notify>,
    /// Bounds how many requests parse uploaded files at once.
    pub upload_permits: Arc<Semaphore>,
    /// Bounds how many of them come from one client address (security review, finding 6).
    pub upload_gate: Arc<upload_gate::UploadGate>,
    pub exempt: Vec<Cidr>,
    pub trusted_proxies: Vec<Cidr>,
    /// This instance's visitor counter (page views in memory, flushed in batches).
    pub visits: Arc<visits::Visits>,
    /// The queue's and the overview's counts, kept a few seconds per scope.
    pub counts: counts::CountsCache,
    /// Today's salted key of the rate-limit buckets (security review, finding 16).
    pub rate_keys: rate_limit::DayKeys,
    /// API clients' calls a minute on this instance.
    pub api_calls: super::api_client::Calls,
    /// This instance's filing writers (group commit of the form's and the API's filings).
    pub filings: crate::handling::group_commit::GroupCommit,
    /// The Prometheus recorder's handle, when `[metrics]` is set.
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
}

pub type SharedState = Arc<AppState>;

impl AppState {
    pub fn new(
        cfg: Arc<Config>,
        (pool, reads): (Pool, Reads),
        reference: Arc<ReferenceCache>,
        secret: Vec<u8>,
    ) -> AppState {
        AppState {
            reads,
            tokens: FormTokenKey::new(&secret),
            visits: Arc::new(visits::Visits::new(&secret)),
            secret: Arc::new(secret),
            mail_wake: Arc::new(Notify::new()),
            upload_permits: Arc::new(Semaphore::new(cfg.uploads.concurrency)),
            upload_gate: Arc::new(upload_gate::UploadGate::new(cfg.uploads.per_address)),
            exempt: cfg.exempt_networks(),
            trusted_proxies: cfg.trusted_proxy_networks(),
            counts: counts::CountsCache::new(cfg.server.counts_cache_secs),
            api_calls: super::api_client::Calls::default(),
            filings: crate::handling::group_commit::GroupCommit::start(
                pool.clone(),
                cfg.database.filing_writers,
            ),
            rate_keys: rate_limit::DayKeys::default(),
            metrics: cfg
                .metrics
                .enabled()
                .then(crate::telemetry::prometheus::install)
                .flatten(),
            cfg,
            pool,
            reference,
        }
    }

    /// The per-route body limit of forms with files: files × size + 1 MiB.
    pub fn upload_body_limit(&self) -> usize {
        self.cfg.uploads.max_files * self.cfg.uploads.max_file_mb * 1024 * 1024 + 1024 * 1024
    }
}
