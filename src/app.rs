//! Building and running the server: `Application::build` binds the listener (port 0 in
//! tests) and prepares everything; `run_until_stopped` serves until SIGTERM/SIGINT and
//! lets requests in flight finish.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::db;
use crate::reference::ReferenceCache;
use crate::web::{self, AppState, SharedState};

pub mod malloc;
mod serve;
pub use serve::ConnectionLimits;

pub struct Application {
    listener: TcpListener,
    /// `[metrics] listen`: `/metrics` alone, for the monitoring network.
    metrics_listener: Option<TcpListener>,
    state: SharedState,
    pub addr: SocketAddr,
}

/// How often each instance checks whether reference data was edited.
pub const REFERENCE_REFRESH: Duration = Duration::from_secs(3);

impl Application {
    /// Creates and migrates the database, loads reference data, binds the listener.
    pub async fn build(cfg: Config) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(cfg.listen_addr()?)
            .await
            .with_context(|| format!("server.listen: cannot listen on {}", cfg.server.listen))?;
        Self::build_on(cfg, listener).await
    }

    /// As [`Application::build`], on a listener bound by the caller (tests bind port 0
    /// first to know the public URL).
    pub async fn build_on(cfg: Config, listener: TcpListener) -> anyhow::Result<Application> {
        prepare(&cfg).await?;
        let pool = db::pool(&cfg.database.url, cfg.database.max_connections)?;
        let mut conn = pool.get().await.context("connecting to the database")?;
        let reference = Arc::new(ReferenceCache::load(&mut conn).await?);
        let secret = db::settings::instance_secret(&mut conn, &cfg.security.secret).await?;
        drop(conn);
        let addr = listener.local_addr()?;
        let metrics_listener = match cfg.metrics_addr()? {
            Some(at) => Some(
                TcpListener::bind(at)
                    .await
                    .with_context(|| format!("metrics.listen: cannot listen on {at}"))?,
            ),
            None => None,
        };
        let reads = match cfg.database.replica_url.trim() {
            "" => db::replica::Reads::primary_only(pool.clone()),
            url => db::replica::Reads::with_replica(
                pool.clone(),
                db::pool(url, cfg.database.max_connections)?,
                Duration::from_secs(cfg.database.replica_max_lag_secs),
            ),
        };
        let state = Arc::new(AppState::new(
            Arc::new(cfg),
            (pool, reads),
            reference,
            secret,
        ));
        Ok(Application {
            listener,
            metrics_listener,
            state,
            addr,
        })
    }

    pub fn state(&self) -> SharedState {
        Arc::clone(&self.state)
    }

    /// Starts the background work of an instance (reference refresh, sweeps, the
    /// automatic moves).
    pub fn spawn_background(&self) {
        if let Some(handle) = self.state.metrics.clone() {
            // Drains the histograms now and then, so that they stay small between scrapes.
            tokio::spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(5));
                loop {
                    every.tick().await;
                    handle.run_upkeep();
                }
            });
        }
        crate::web::ops::spawn_sampler(self.state());
        self.state.reads.watch(Duration::from_millis(
            self.state.cfg.database.replica_check_ms.max(1),
        ));
        self.state
            .reference
            .spawn_refresher(self.state.pool.clone(), REFERENCE_REFRESH);
        crate::handling::stash::spawn_sweeper(
            self.state.pool.clone(),
            self.state.cfg.uploads.stash_ttl_secs,
        );
        crate::auth::session_store::spawn_sweeper(self.state.pool.clone());
        crate::web::kit::visits::spawn_flusher(self.state());
        crate::handling::jobs::spawn(
            self.state.pool.clone(),
            Arc::clone(&self.state.cfg),
            Arc::clone(&self.state.reference),
            Arc::clone(&self.state.mail_wake),
        );
        crate::handling::retention::spawn(self.state.pool.clone(), Arc::clone(&self.state.cfg));
        // Mail that comes in: the pass that processes stored messages (woken by the
        // IMAP poller after it stores some).
        let inbound_wake = Arc::new(tokio::sync::Notify::new());
        crate::handling::inbound::job::spawn(
            self.state.pool.clone(),
            Arc::clone(&self.state.cfg),
            Arc::clone(&self.state.reference),
            Arc::clone(&self.state.secret),
            Arc::clone(&inbound_wake),
            Arc::clone(&self.state.mail_wake),
        );
        // The IMAP poller (with `[mail.inbound.imap] host`): stores what waits in the
        // mailbox, then wakes the pass above.
        crate::handling::inbound::poller::spawn(
            self.state.pool.clone(),
            Arc::clone(&self.state.cfg),
            Arc::clone(&inbound_wake),
        );
        match crate::webhooks::worker::Worker::new(
            self.state.pool.clone(),
            Arc::clone(&self.state.cfg),
            &self.state.secret,
        ) {
            Ok(worker) => {
                worker.spawn();
            }
            Err(e) => tracing::error!(error = %format!("{e:#}"), "the webhook worker cannot start"),
        }
        crate::handling::digests::spawn(
            self.state.pool.clone(),
            Arc::clone(&self.state.cfg),
            Arc::clone(&self.state.reference),
            Arc::clone(&self.state.secret),
            Arc::clone(&self.state.mail_wake),
        );
    }

    /// Starts this instance's mail worker, woken by `AppState::mail_wake` after a commit
    /// that queued mail. Stop it with [`crate::mail::worker::WorkerHandle::stop`] after the
    /// server has stopped, so mail queued by the last requests still goes out.
    pub fn spawn_mail_worker(&self) -> anyhow::Result<crate::mail::worker::WorkerHandle> {
        let worker = crate::mail::worker::Worker::new(
            self.state.pool.clone(),
            Arc::clone(&self.state.cfg),
            Arc::clone(&self.state.reference),
        )?;
        Ok(worker.spawn(Arc::clone(&self.state.mail_wake)))
    }

    /// Serves until `shutdown` resolves; requests in flight then finish (up to the
    /// configured grace period).
    pub async fn run_until<F>(self, shutdown: F) -> anyhow::Result<()>
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let grace = Duration::from_secs(self.state.cfg.server.shutdown_grace_secs);
        let app = web::router(self.state.clone());
        let limits = ConnectionLimits {
            max_connections: self.state.cfg.server.max_connections,
            header_read_timeout: Duration::from_secs(
                self.state.cfg.server.header_read_timeout_secs,
            ),
        };
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        if let Some(listener) = self.metrics_listener {
            let mut stopped = stop_rx.clone();
            let metrics = web::ops::standalone(self.state.clone());
            tokio::spawn(async move {
                let done = async move {
                    let _ = stopped.wait_for(|s| *s).await;
                };
                if let Err(e) = axum::serve(listener, metrics)
                    .with_graceful_shutdown(done)
                    .await
                {
                    tracing::error!(error = %e, "the metrics listener stopped");
                }
            });
        }
        let proxies = std::sync::Arc::from(self.state.cfg.trusted_proxy_networks());
        let server = serve::serve(self.listener, app, limits, proxies, async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
        let mut stop_rx2 = stop_rx.clone();
        tokio::select! {
            () = server => {},
            _ = async move {
                let _ = stop_rx2.wait_for(|s| *s).await;
                tokio::time::sleep(grace).await;
            } => {
                tracing::warn!("requests still running after the grace period; stopping anyway");
            }
        }
        drop(stop_rx);
        Ok(())
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }
}

/// What `serve`, `migrate` and the other commands do before anything else: create and
/// migrate the database, make sure the HMAC secret exists, and apply the reference seed
/// when its version rose.
pub async fn prepare(cfg: &Config) -> anyhow::Result<()> {
    let mut conn = db::setup::prepare(&cfg.database.url).await?;
    let seed = crate::reference::seed::Seed::load(cfg)?;
    crate::reference::seed::apply(&mut conn, &seed, false).await?;
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
