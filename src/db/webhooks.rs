//! `webhook_subscriptions` and `webhook_deliveries` (migration 000053): subscriptions
//! made and switched on or off, the deliveries the triggers queue, claimed by the worker
//! (`FOR UPDATE SKIP LOCKED`, so instances share them and one that dies releases its
//! batch), their outcomes, the log an admin reads and the replay.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Bool, Bytea, Double, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// A subscription as the admin screen lists it.
#[derive(Debug, Clone, QueryableByName)]
pub struct SubscriptionRow {
    #[diesel(sql_type = Integer)]
    pub id: i32,
    #[diesel(sql_type = Integer)]
    pub client_id: i32,
    #[diesel(sql_type = Text)]
    pub client_name: String,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Array<Text>)]
    pub events: Vec<String>,
    #[diesel(sql_type = Bool)]
    pub enabled: bool,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub failing_since: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub disabled_at: Option<DateTime<Utc>>,
    /// Deliveries waiting, and delivered.
    #[diesel(sql_type = BigInt)]
    pub pending: i64,
    #[diesel(sql_type = BigInt)]
    pub delivered: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error("no API client is named so")]
    NoClient,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Integer)]
    id: i32,
}

/// Subscribes client `client_name` to `events` at `url`, with its audit row (`by`: the
/// admin, None from the command line); the new id.
pub async fn add(
    conn: &mut AsyncPgConnection,
    client_name: &str,
    (url, events): (&str, &[String]),
    salt: &[u8],
    by: Option<i32>,
) -> Result<i32, AddError> {
    let query = diesel::sql_query(
        "WITH s AS (
             INSERT INTO webhook_subscriptions (client_id, url, events, secret_salt)
             SELECT id, $2, $3, $4 FROM api_clients WHERE name = $1
             RETURNING id, url, events
         ), a AS (
             INSERT INTO audit_log (user_id, entity, entity_id, action, after)
             SELECT $5, 'webhook_subscription', s.id::text, 'create',
                    jsonb_build_object('client', $1, 'url', s.url, 'events', s.events)
               FROM s
         )
         SELECT id FROM s",
    )
    .bind::<Text, _>(client_name)
    .bind::<Text, _>(url)
    .bind::<Array<Text>, _>(events)
    .bind::<Bytea, _>(salt)
    .bind::<Nullable<Integer>, _>(by);
    let row: Option<Id> = super::durable::optional(query, conn).await?;
    row.map(|r| r.id).ok_or(AddError::NoClient)
}

/// A subscription's columns as the admin screen shows them (`s`, its client `c`).
const LISTED: &str = "SELECT s.id, s.client_id, c.name AS client_name, s.url, s.events, s.enabled,
            s.failing_since, s.disabled_at,
            (SELECT count(*) FROM webhook_deliveries d
              WHERE d.subscription_id = s.id AND d.delivered_at IS NULL
                AND d.failed_at IS NULL) AS pending,
            (SELECT count(*) FROM webhook_deliveries d
              WHERE d.subscription_id = s.id AND d.delivered_at IS NOT NULL) AS delivered
       FROM webhook_subscriptions s JOIN api_clients c ON c.id = s.client_id";

/// Every subscription, by client and id.
pub async fn list(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Vec<SubscriptionRow>> {
    diesel::sql_query(format!("{LISTED} ORDER BY c.name, s.id"))
        .load(conn)
        .await
}

/// Switches subscription `id` on (its failures forgotten) or off, with its audit row;
/// whether it exists.
pub async fn set_enabled(
    conn: &mut AsyncPgConnection,
    id: i32,
    enabled: bool,
    by: Option<i32>,
) -> diesel::QueryResult<bool> {
    let n = diesel::sql_query(
        "WITH s AS (
             UPDATE webhook_subscriptions
                SET enabled = $2, failing_since = NULL,
                    disabled_at = CASE WHEN $2 THEN NULL ELSE now() END
              WHERE id = $1 RETURNING id
         )
         INSERT INTO audit_log (user_id, entity, entity_id, action)
         SELECT $3, 'webhook_subscription', s.id::text,
                CASE WHEN $2 THEN 'enable' ELSE 'disable' END
           FROM s",
    )
    .bind::<Integer, _>(id)
    .bind::<Bool, _>(enabled)
    .bind::<Nullable<Integer>, _>(by)
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// Subscription `id`, if it exists.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: i32,
) -> diesel::QueryResult<Option<SubscriptionRow>> {
    use diesel::OptionalExtension;
    diesel::sql_query(format!("{LISTED} WHERE s.id = $1"))
        .bind::<Integer, _>(id)
        .get_result(conn)
        .await
        .optional()
}

/// One delivery in the log.
#[derive(Debug, Clone, QueryableByName)]
pub struct DeliveryRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub msg_id: String,
    #[diesel(sql_type = Text)]
    pub event: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    pub last_status: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub delivered_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    pub next_attempt_at: DateTime<Utc>,
}

/// The newest `limit` deliveries of subscription `id`.
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    id: i32,
    limit: i64,
) -> diesel::QueryResult<Vec<DeliveryRow>> {
    diesel::sql_query(
        "SELECT id, msg_id, event, created_at, attempts, last_status, last_error,
                delivered_at, next_attempt_at
           FROM webhook_deliveries WHERE subscription_id = $1
          ORDER BY id DESC LIMIT $2",
    )
    .bind::<Integer, _>(id)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// Sends delivery `id` of subscription `subscription` again now (the same `webhook-id`,
/// so a receiver that had it knows); whether it exists.
pub async fn replay(
    conn: &mut AsyncPgConnection,
    subscription: i32,
    id: i64,
    by: i32,
) -> diesel::QueryResult<bool> {
    let n = diesel::sql_query(
        "WITH d AS (
             UPDATE webhook_deliveries
                SET delivered_at = NULL, failed_at = NULL, next_attempt_at = now()
              WHERE id = $1 AND subscription_id = $2 RETURNING id, msg_id
         )
         INSERT INTO audit_log (user_id, entity, entity_id, action, after)
         SELECT $3, 'webhook_subscription', $2::text, 'replay',
                jsonb_build_object('delivery', d.msg_id)
           FROM d",
    )
    .bind::<BigInt, _>(id)
    .bind::<Integer, _>(subscription)
    .bind::<Integer, _>(by)
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// A delivery claimed for sending.
#[derive(Debug, Clone, QueryableByName)]
pub struct Due {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub msg_id: String,
    #[diesel(sql_type = Integer)]
    pub subscription_id: i32,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Bytea)]
    pub secret_salt: Vec<u8>,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
}

/// Claims up to `limit` due deliveries of enabled subscriptions, oldest first, locked
/// until the caller's transaction ends.
pub async fn claim_due(conn: &mut AsyncPgConnection, limit: i64) -> diesel::QueryResult<Vec<Due>> {
    diesel::sql_query(
        "SELECT d.id, d.msg_id, d.subscription_id, s.url, s.secret_salt,
                d.payload::text AS body, d.attempts
           FROM webhook_deliveries d
           JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.enabled
          WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= now()
          ORDER BY d.next_attempt_at, d.id
          LIMIT $1
            FOR UPDATE OF d SKIP LOCKED",
    )
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// When the next delivery falls due, if any waits.
pub async fn next_due(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Option<DateTime<Utc>>> {
    #[derive(QueryableByName)]
    struct Next {
        #[diesel(sql_type = Nullable<Timestamptz>)]
        at: Option<DateTime<Utc>>,
    }
    let row: Next = diesel::sql_query(
        "SELECT min(d.next_attempt_at) AS at FROM webhook_deliveries d
           JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.enabled
          WHERE d.delivered_at IS NULL AND d.failed_at IS NULL",
    )
    .get_result(conn)
    .await?;
    Ok(row.at)
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: i64,
    pub subscription_id: i32,
    /// The receiver's status, if it answered.
    pub status: Option<i32>,
    /// Why it failed (None: delivered).
    pub error: Option<String>,
    /// Seconds until the next attempt (failures).
    pub retry_in_secs: f64,
}

/// Records `outcomes`: delivered rows and their subscriptions' good health, failed rows'
/// next attempt and their subscriptions' first failure.
pub async fn record(conn: &mut AsyncPgConnection, outcomes: &[Outcome]) -> diesel::QueryResult<()> {
    let (ok, failed): (Vec<&Outcome>, Vec<&Outcome>) =
        outcomes.iter().partition(|o| o.error.is_none());
    if !ok.is_empty() {
        diesel::sql_query(
            "WITH o AS (SELECT * FROM unnest($1::bigint[], $2::int[]) AS o(id, status)),
                  d AS (UPDATE webhook_deliveries w
                           SET delivered_at = now(), attempts = w.attempts + 1,
                               last_status = o.status, last_error = NULL
                          FROM o WHERE w.id = o.id RETURNING w.subscription_id)
             UPDATE webhook_subscriptions SET failing_since = NULL
              WHERE id IN (SELECT subscription_id FROM d) AND failing_since IS NOT NULL",
        )
        .bind::<Array<BigInt>, _>(ok.iter().map(|o| o.id).collect::<Vec<_>>())
        .bind::<Array<Integer>, _>(ok.iter().map(|o| o.status.unwrap_or(0)).collect::<Vec<_>>())
        .execute(conn)
        .await?;
    }
    if !failed.is_empty() {
        diesel::sql_query(
            "WITH o AS (SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::float8[])
                          AS o(id, status, error, retry_in)),
                  d AS (UPDATE webhook_deliveries w
                           SET attempts = w.attempts + 1, last_status = o.status,
                               last_error = o.error,
                               next_attempt_at = now() + make_interval(secs => o.retry_in)
                          FROM o WHERE w.id = o.id RETURNING w.subscription_id)
             UPDATE webhook_subscriptions SET failing_since = now()
              WHERE id IN (SELECT subscription_id FROM d) AND failing_since IS NULL",
        )
        .bind::<Array<BigInt>, _>(failed.iter().map(|o| o.id).collect::<Vec<_>>())
        .bind::<Array<Nullable<Integer>>, _>(failed.iter().map(|o| o.status).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(
            failed
                .iter()
                .map(|o| o.error.clone().unwrap_or_default())
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Double>, _>(failed.iter().map(|o| o.retry_in_secs).collect::<Vec<_>>())
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// A subscription switched off for failing.
#[derive(Debug, Clone, QueryableByName)]
pub struct SwitchedOff {
    #[diesel(sql_type = Integer)]
    pub id: i32,
    #[diesel(sql_type = Text)]
    pub client_name: String,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Timestamptz)]
    pub failing_since: DateTime<Utc>,
}

/// Switches off the subscriptions failing for more than `hours`, with their audit rows.
pub async fn switch_off_failing(
    conn: &mut AsyncPgConnection,
    hours: f64,
) -> diesel::QueryResult<Vec<SwitchedOff>> {
    let query = diesel::sql_query(
        "WITH s AS (
             UPDATE webhook_subscriptions SET enabled = false, disabled_at = now()
              WHERE enabled AND failing_since < now() - make_interval(secs => $1 * 3600)
             RETURNING id, client_id, url, failing_since
         ), a AS (
             INSERT INTO audit_log (user_id, entity, entity_id, action, after)
             SELECT NULL, 'webhook_subscription', s.id::text, 'switch_off_failing',
                    jsonb_build_object('url', s.url, 'failing_since', s.failing_since)
               FROM s
         )
         SELECT s.id, c.name AS client_name, s.url, s.failing_since
           FROM s JOIN api_clients c ON c.id = s.client_id",
    )
    .bind::<Double, _>(hours);
    query.load(conn).await
}

/// A subscription's salt (to show its secret again after a rotation, or to sign).
pub async fn rotate_salt(
    conn: &mut AsyncPgConnection,
    id: i32,
    salt: &[u8],
) -> diesel::QueryResult<bool> {
    let n = diesel::sql_query("UPDATE webhook_subscriptions SET secret_salt = $2 WHERE id = $1")
        .bind::<Integer, _>(id)
        .bind::<Bytea, _>(salt)
        .execute(conn)
        .await?;
    Ok(n > 0)
}
