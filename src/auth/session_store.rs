//! Staff sessions in Postgres (`sessions`), shared by every instance: our own
//! `tower_sessions::SessionStore` on diesel-async. `data` holds the record's data as
//! jsonb, `expires_at` its expiry, and `user_id` a copy of the logged-in user's id (the
//! [`USER_ID_KEY`] entry) so that deactivating a user can end all their sessions with one
//! `DELETE`. Never a memory or caching store: a session must work on any instance.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::db::Pool;
use crate::db::schema::sessions;

/// The session data key of the logged-in user's id (copied into `sessions.user_id`).
pub const USER_ID_KEY: &str = "user_id";

/// The data key under which [`PgSessionStore::load`] hands the session's user, read in
/// the same statement, to the staff extractor: one statement and one round trip fewer
/// on every staff page. Never stored (`columns` leaves it out).
pub const LOADED_USER_KEY: &str = "_loaded_user";

/// The signed-in account as the session's load reads it: present only while the
/// account is active, read afresh with every load.
#[derive(Debug, Clone, Queryable, serde::Serialize, serde::Deserialize)]
pub struct LoadedUser {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub roles: Vec<String>,
    pub unit_id: Option<i32>,
    pub lang: String,
}

/// How often each instance deletes expired sessions.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// Attempts at finding a free id before giving up (a collision of 128 random bits
/// should never happen even once).
const CREATE_ATTEMPTS: usize = 8;

#[derive(Clone)]
pub struct PgSessionStore {
    pool: Pool,
}

impl std::fmt::Debug for PgSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgSessionStore")
    }
}

impl PgSessionStore {
    pub fn new(pool: Pool) -> PgSessionStore {
        PgSessionStore { pool }
    }

    async fn conn(&self) -> session_store::Result<crate::db::PooledConn> {
        self.pool
            .get()
            .await
            .map_err(|e| backend("connecting for a session", e))
    }
}

fn backend(what: &str, e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(format!("{what}: {e}"))
}

fn to_chrono(t: OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or(DateTime::UNIX_EPOCH)
}

fn to_time(t: DateTime<Utc>) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t.timestamp()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The pieces of a record as stored.
fn columns(
    record: &Record,
) -> session_store::Result<(serde_json::Value, DateTime<Utc>, Option<i32>)> {
    let mut data = serde_json::to_value(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    if let Some(map) = data.as_object_mut() {
        map.remove(LOADED_USER_KEY);
    }
    let user_id = record
        .data
        .get(USER_ID_KEY)
        .and_then(serde_json::Value::as_i64)
        .and_then(|v| i32::try_from(v).ok());
    Ok((data, to_chrono(record.expiry_date), user_id))
}

#[derive(Queryable)]
struct Row {
    data: serde_json::Value,
    expires_at: DateTime<Utc>,
    user: Option<LoadedUser>,
}

#[async_trait]
impl SessionStore for PgSessionStore {
    /// Inserts the record under a fresh id, drawing a new id while one is taken.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let (data, expires_at, user_id) = columns(record)?;
        let mut conn = self.conn().await?;
        for _ in 0..CREATE_ATTEMPTS {
            let inserted = diesel::sql_query(
                "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind::<Text, _>(record.id.to_string())
            .bind::<Nullable<Integer>, _>(user_id)
            .bind::<Jsonb, _>(&data)
            .bind::<Timestamptz, _>(expires_at)
            .execute(&mut conn)
            .await
            .map_err(|e| backend("creating a session", e))?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
        Err(session_store::Error::Backend(
            "creating a session: no free id found".into(),
        ))
    }

    /// Updates an existing session. A row deleted meanwhile (logout, deactivation, the
    /// sweeper) is not brought back: the session stays ended.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (data, expires_at, user_id) = columns(record)?;
        let mut conn = self.conn().await?;
        diesel::update(sessions::table.find(record.id.to_string()))
            .set((
                sessions::data.eq(&data),
                sessions::expires_at.eq(expires_at),
                sessions::user_id.eq(user_id),
            ))
            .execute(&mut conn)
            .await
            .map_err(|e| backend("saving a session", e))?;
        Ok(())
    }

    /// The session and, when it belongs to an active account, that account (under
    /// [`LOADED_USER_KEY`]), in one statement.
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        use crate::db::schema::users;
        let mut conn = self.conn().await?;
        // The query builder, not `sql_query`: its statement is prepared once per
        // connection and reused (a raw query is parsed and planned every time, in two
        // round trips), and this runs on every staff request.
        let row: Option<Row> = sessions::table
            .left_join(
                users::table.on(users::id
                    .nullable()
                    .eq(sessions::user_id)
                    .and(users::active)),
            )
            .filter(sessions::id.eq(id.to_string()))
            .filter(sessions::expires_at.gt(diesel::dsl::now))
            .select((
                sessions::data,
                sessions::expires_at,
                (
                    users::id,
                    users::email,
                    users::name,
                    users::roles,
                    users::unit_id,
                    users::lang,
                )
                    .nullable(),
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(|e| backend("loading a session", e))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let mut data: HashMap<String, serde_json::Value> = serde_json::from_value(row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        if let Some(user) = row.user {
            let user = serde_json::to_value(user)
                .map_err(|e| session_store::Error::Encode(e.to_string()))?;
            data.insert(LOADED_USER_KEY.to_string(), user);
        }
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date: to_time(row.expires_at),
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let mut conn = self.conn().await?;
        diesel::sql_query("DELETE FROM sessions WHERE id = $1")
            .bind::<Text, _>(id.to_string())
            .execute(&mut conn)
            .await
            .map_err(|e| backend("deleting a session", e))?;
        Ok(())
    }
}

/// Ends every session of a user (deactivation, a password reset).
pub async fn delete_user_sessions(
    conn: &mut AsyncPgConnection,
    user_id: i32,
) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM sessions WHERE user_id = $1")
        .bind::<Integer, _>(user_id)
        .execute(conn)
        .await
}

/// Ends every session of a user but one (after changing one's own password).
pub async fn delete_other_sessions(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    keep: Option<Id>,
) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2")
        .bind::<Integer, _>(user_id)
        .bind::<Nullable<Text>, _>(keep.map(|id| id.to_string()))
        .execute(conn)
        .await
}

/// Deletes expired sessions.
pub async fn sweep(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM sessions WHERE expires_at <= now()")
        .execute(conn)
        .await
}

/// Sweeps expired sessions every [`SWEEP_INTERVAL`] on this instance.
pub fn spawn_sweeper(pool: Pool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_INTERVAL);
        loop {
            tick.tick().await;
            let result: anyhow::Result<usize> = async {
                let mut conn = pool.get().await?;
                Ok(sweep(&mut conn).await?)
            }
            .await;
            match result {
                Ok(0) => {}
                Ok(n) => tracing::debug!(deleted = n, "expired sessions swept"),
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "session sweep failed"),
            }
        }
    });
}
