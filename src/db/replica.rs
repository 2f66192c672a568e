//! Reads that may be a little behind, from a streaming replica (`[database]
//! replica_url`, issue 19, item 2): the public answers, statistics and directory, and the
//! reports. [`Reads::get`] hands out a replica connection while the replica answers and
//! is at most `replica_max_lag_secs` behind, else one of the primary's; [`Reads::watch`]
//! measures the lag every `replica_check_ms`. Writes, and reads of what a request has just
//! written, take the primary's pool directly and never come here.
//!
//! The lag: nothing while the replica has replayed the primary's WAL position read just
//! before; otherwise the age of the last transaction it replayed (what a reader there
//! misses at most). A replica that fails a check or a checkout is left aside until the
//! next check finds it well.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::QueryableByName;
use diesel::sql_types::{Bool, Double, Nullable, Text};
use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::deadpool::PoolError;

use super::{Pool, PooledConn};

/// How long a read waits for a replica connection before it takes the primary's.
const CHECKOUT_WAIT: Duration = Duration::from_millis(250);
/// How long a check waits for each server.
const CHECK_WAIT: Duration = Duration::from_secs(2);

struct Replica {
    pool: Pool,
    max_lag: Duration,
    usable: AtomicBool,
}

/// Where reads that may be a little behind are served from.
#[derive(Clone)]
pub struct Reads {
    primary: Pool,
    replica: Option<Arc<Replica>>,
}

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = Text)]
    lsn: String,
}

#[derive(QueryableByName)]
struct Standing {
    #[diesel(sql_type = Bool)]
    standby: bool,
    #[diesel(sql_type = Bool)]
    caught_up: bool,
    #[diesel(sql_type = Nullable<Double>)]
    behind: Option<f64>,
}

impl Reads {
    /// Reads from the primary only (no replica configured).
    pub fn primary_only(primary: Pool) -> Reads {
        Reads {
            primary,
            replica: None,
        }
    }

    /// Reads from `replica` while it is within `max_lag`, else from `primary`. The
    /// replica is not trusted until a first check finds it well.
    pub fn with_replica(primary: Pool, replica: Pool, max_lag: Duration) -> Reads {
        Reads {
            primary,
            replica: Some(Arc::new(Replica {
                pool: replica,
                max_lag,
                usable: AtomicBool::new(false),
            })),
        }
    }

    /// Whether reads go to the replica now.
    pub fn on_replica(&self) -> bool {
        self.replica
            .as_ref()
            .is_some_and(|r| r.usable.load(Ordering::Relaxed))
    }

    /// A connection for a read that may be a little behind.
    pub async fn get(&self) -> Result<PooledConn, PoolError> {
        if let Some(replica) = &self.replica
            && replica.usable.load(Ordering::Relaxed)
        {
            match tokio::time::timeout(CHECKOUT_WAIT, replica.pool.get()).await {
                Ok(Ok(conn)) => {
                    metrics::counter!("pakn_db_reads_total", "target" => "replica").increment(1);
                    return Ok(conn);
                }
                Ok(Err(e)) => {
                    replica.usable.store(false, Ordering::Relaxed);
                    tracing::warn!(error = %e, "replica: no connection, reading from the primary");
                }
                Err(_) => {
                    tracing::warn!("replica: no connection in time, reading from the primary");
                }
            }
        }
        metrics::counter!("pakn_db_reads_total", "target" => "primary").increment(1);
        self.primary.get().await
    }

    /// Measures the replica's lag every `every`, until the process ends (nothing to do
    /// without a replica).
    pub fn watch(&self, every: Duration) {
        let Some(replica) = self.replica.clone() else {
            return;
        };
        let primary = self.primary.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut was = false;
            loop {
                tick.tick().await;
                let lag = lag(&primary, &replica.pool).await;
                let usable = lag.is_some_and(|l| l <= replica.max_lag);
                replica.usable.store(usable, Ordering::Relaxed);
                metrics::gauge!("pakn_db_replica_lag_seconds")
                    .set(lag.map_or(-1.0, |l| l.as_secs_f64()));
                if usable != was {
                    match lag {
                        Some(l) if usable => {
                            tracing::info!(
                                lag_ms = l.as_millis() as u64,
                                "replica: reading from it"
                            )
                        }
                        Some(l) => tracing::warn!(
                            lag_ms = l.as_millis() as u64,
                            "replica: too far behind, reading from the primary"
                        ),
                        None => tracing::warn!("replica: not answering, reading from the primary"),
                    }
                    was = usable;
                }
            }
        });
    }
}

/// The replica's lag now, or `None` when it (or the primary, needed to tell) does not
/// answer in time.
async fn lag(primary: &Pool, replica: &Pool) -> Option<Duration> {
    let mut primary = tokio::time::timeout(CHECK_WAIT, primary.get())
        .await
        .ok()?
        .ok()?;
    let mut replica = tokio::time::timeout(CHECK_WAIT, replica.get())
        .await
        .ok()?
        .ok()?;
    measure(&mut primary, &mut replica).await
}

/// How far `replica` is behind `primary` (`pakn doctor` and the watcher), or `None` when
/// either does not answer in time.
pub async fn measure(
    primary: &mut AsyncPgConnection,
    replica: &mut AsyncPgConnection,
) -> Option<Duration> {
    use diesel_async::RunQueryDsl;
    let position = diesel::sql_query("SELECT pg_current_wal_lsn()::text AS lsn")
        .get_result::<Position>(primary);
    let position = tokio::time::timeout(CHECK_WAIT, position)
        .await
        .ok()?
        .ok()?;
    // A record written on the primary just before the check (a checkpoint's) may be on
    // its way still: a second look, a moment later, tells it from a lag.
    let mut standing = standing(replica, &position.lsn).await?;
    if standing.standby && !standing.caught_up {
        tokio::time::sleep(Duration::from_millis(50)).await;
        standing = self::standing(replica, &position.lsn).await?;
    }
    if !standing.standby || standing.caught_up {
        return Some(Duration::ZERO);
    }
    // Behind, and nothing replayed yet to tell by how much: as good as not there.
    let behind = standing.behind?;
    Some(Duration::from_secs_f64(behind.max(0.0)))
}

/// Where the replica stands against the primary's WAL position `lsn`.
async fn standing(replica: &mut AsyncPgConnection, lsn: &str) -> Option<Standing> {
    use diesel_async::RunQueryDsl;
    let query = diesel::sql_query(
        "SELECT pg_is_in_recovery() AS standby,
                coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, true) AS caught_up,
                extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS behind",
    )
    .bind::<Text, _>(lsn);
    let standing = query.get_result::<Standing>(replica);
    tokio::time::timeout(CHECK_WAIT, standing).await.ok()?.ok()
}
