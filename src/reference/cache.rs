//! The per-instance cache of reference data. Every admin edit bumps
//! `reference_state.version` in the same transaction; each instance checks that number
//! every few seconds and reloads when it moved, so an edit on one instance reaches all.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;
use diesel_async::AsyncPgConnection;

use crate::db::Pool;
use crate::db::reference::{current_version, load_reference};
use crate::domain::reference::Reference;

pub struct ReferenceCache {
    current: RwLock<Arc<Reference>>,
}

impl ReferenceCache {
    pub async fn load(conn: &mut AsyncPgConnection) -> anyhow::Result<ReferenceCache> {
        let reference = load_reference(conn).await?;
        Ok(ReferenceCache {
            current: RwLock::new(Arc::new(reference)),
        })
    }

    /// The current snapshot (cheap: an `Arc` clone).
    pub fn get(&self) -> Arc<Reference> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set(&self, reference: Reference) {
        let mut guard = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(reference);
    }

    /// Reloads when the version in the database differs from the cached one.
    pub async fn refresh_if_changed(&self, conn: &mut AsyncPgConnection) -> anyhow::Result<bool> {
        let version = current_version(conn).await?;
        if version == self.get().version {
            return Ok(false);
        }
        let reference = load_reference(conn).await?;
        tracing::info!(version = reference.version, "reloaded reference data");
        self.set(reference);
        Ok(true)
    }

    /// Checks for edits every `interval` until the process ends.
    pub fn spawn_refresher(self: &Arc<Self>, pool: Pool, interval: Duration) {
        let cache = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let result = async {
                    let mut conn = pool.get().await.context("getting a connection")?;
                    cache.refresh_if_changed(&mut conn).await
                }
                .await;
                if let Err(e) = result {
                    tracing::warn!(error = %format!("{e:#}"), "reference refresh failed");
                }
            }
        });
    }
}
