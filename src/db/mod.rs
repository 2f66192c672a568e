//! The data layer: the schema, the connection pool, database creation and migrations,
//! and the queries each feature needs, as functions on `&mut AsyncPgConnection`.

/// The open statuses ([`crate::domain::status::Status::is_open`]) as an SQL condition on
/// `status`, written out literally (not bound) so that the planner matches the partial
/// index `tickets_open_due` (migration `2026-11-27-000005_queue_indexes`), whose
/// predicate is the same text. `statuses::tests` checks all three agree.
macro_rules! open_status_sql {
    () => {
        "status IN ('submitted', 'needs_info', 'accepted', 'in_progress', 'pending_approval')"
    };
}

pub mod admin;
pub mod answers_search;
pub mod api_clients;
pub mod api_staff;
pub mod audit;
pub mod counters;
pub mod digests;
pub mod durable;
pub mod inbound;
pub mod intake;
pub mod open311;
pub mod outbox;
pub mod overview;
pub mod personal_data;
pub mod personal_data_log;
pub mod prepared;
pub mod privacy;
pub mod publication;
pub mod queue;
pub mod queue_export;
pub mod queue_search;
pub mod rate_limits;
pub mod ratings;
pub mod reference;
pub mod reminders;
pub mod replica;
pub mod reports;
pub mod retention;
pub mod role_grants;
pub mod saved_views;
pub mod schema;
pub mod second_factors;
pub mod settings;
pub mod setup;
pub mod statuses;
pub mod tickets;
pub mod track;
pub mod types;
pub mod users;
pub mod visits;
pub mod webhooks;
pub mod workflow;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::deadpool::{Object, Pool as DeadPool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};

/// The shared connection pool.
pub type Pool = DeadPool<AsyncPgConnection>;
/// A connection checked out of the pool.
pub type PooledConn = Object<AsyncPgConnection>;

/// Builds the pool (connections are opened lazily).
///
/// A connection is handed out again without a test query (`RecyclingMethod::Fast`): the
/// default (`Verified`) sends `SELECT 1` at every checkout, one round trip more per
/// checkout, three per staff page (a quarter of their statements at 1M tickets). A
/// connection whose socket has closed is still refused (diesel-async checks it), and
/// one that breaks while in use fails that request only and is then dropped.
pub fn pool(url: &str, max_connections: usize) -> anyhow::Result<Pool> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    DeadPool::builder(manager)
        .max_size(max_connections)
        .wait_timeout(Some(std::time::Duration::from_secs(10)))
        .create_timeout(Some(std::time::Duration::from_secs(10)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| anyhow::anyhow!("building the connection pool: {e}"))
}

/// Postgres error codes we react to.
pub mod codes {
    pub const UNIQUE_VIOLATION: &str = "23505";
    pub const DUPLICATE_DATABASE: &str = "42P04";
    pub const INVALID_CATALOG_NAME: &str = "3D000";
}

/// One connection outside the pool (commands, setup).
pub async fn connect(url: &str) -> anyhow::Result<AsyncPgConnection> {
    use anyhow::Context;
    use diesel_async::AsyncConnection;
    AsyncPgConnection::establish(url)
        .await
        .context("connecting to the database")
}
