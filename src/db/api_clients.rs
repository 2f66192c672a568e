//! API clients (`api_clients`, migration 000052) and the PAKN each filed.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Bool, Bytea, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::track::TrackRow;

/// A client as the API and the command line see it.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct ApiClient {
    #[diesel(sql_type = Integer)]
    pub id: i32,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub key_id: String,
    #[diesel(sql_type = Array<Text>)]
    pub scopes: Vec<String>,
    #[diesel(sql_type = Text)]
    pub channel: String,
    #[diesel(sql_type = Integer)]
    pub rate_per_min: i32,
    #[diesel(sql_type = Bool)]
    pub enabled: bool,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_used_at: Option<DateTime<Utc>>,
    /// The staff account a `staff` client acts as.
    #[diesel(sql_type = Nullable<Integer>)]
    pub acts_as: Option<i32>,
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(embed)]
    client: ApiClient,
    #[diesel(sql_type = Bytea)]
    secret_sha256: Vec<u8>,
}

const COLUMNS: &str =
    "id, name, key_id, scopes, channel, rate_per_min, enabled, last_used_at, acts_as";

/// Records a client with the key whose id is `key_id` and secret digest `digest`.
pub async fn create(
    conn: &mut AsyncPgConnection,
    name: &str,
    (key_id, digest): (&str, &[u8]),
    scopes: &[String],
    (channel, rate_per_min): (&str, i32),
) -> diesel::QueryResult<ApiClient> {
    let query = diesel::sql_query(format!(
        "INSERT INTO api_clients (name, key_id, secret_sha256, scopes, channel, rate_per_min)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    ))
    .bind::<Text, _>(name)
    .bind::<Text, _>(key_id)
    .bind::<Bytea, _>(digest)
    .bind::<Array<Text>, _>(scopes)
    .bind::<Text, _>(channel)
    .bind::<Integer, _>(rate_per_min);
    super::durable::one(query, conn).await
}

/// Why a client could not be added.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error("a client named so exists")]
    NameTaken,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// What an admin gives a new client.
pub struct NewClient<'a> {
    pub name: &'a str,
    pub scopes: &'a [String],
    pub channel: &'a str,
    pub rate_per_min: i32,
    /// The staff account a `staff` client acts as.
    pub acts_as: Option<i32>,
}

/// As [`create`], by an admin: the client and its audit row in one statement.
pub async fn create_audited(
    conn: &mut AsyncPgConnection,
    new: &NewClient<'_>,
    (key_id, digest): (&str, &[u8]),
    by: i32,
) -> Result<ApiClient, AddError> {
    let query = diesel::sql_query(format!(
        "WITH c AS (
             INSERT INTO api_clients (name, key_id, secret_sha256, scopes, channel,
                                      rate_per_min, acts_as)
             VALUES ($1, $2, $3, $4, $5, $7, $8) RETURNING {COLUMNS}
         ), a AS (
             INSERT INTO audit_log (user_id, entity, entity_id, action, after)
             SELECT $6, 'api_client', c.id::text, 'create',
                    jsonb_build_object('name', c.name, 'key_id', c.key_id,
                                       'scopes', c.scopes, 'channel', c.channel,
                                       'rate_per_min', c.rate_per_min,
                                       'acts_as', c.acts_as)
               FROM c
         )
         SELECT {COLUMNS} FROM c"
    ))
    .bind::<Text, _>(new.name)
    .bind::<Text, _>(key_id)
    .bind::<Bytea, _>(digest)
    .bind::<Array<Text>, _>(new.scopes)
    .bind::<Text, _>(new.channel)
    .bind::<Integer, _>(by)
    .bind::<Integer, _>(new.rate_per_min)
    .bind::<Nullable<Integer>, _>(new.acts_as);
    super::durable::one(query, conn).await.map_err(|e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            ref info,
        ) if info.constraint_name() == Some("api_clients_name_key") => AddError::NameTaken,
        e => AddError::Db(e),
    })
}

/// Enables or revokes client `id` by an admin, with its audit row; whether it exists.
pub async fn set_enabled_audited(
    conn: &mut AsyncPgConnection,
    id: i32,
    enabled: bool,
    by: i32,
) -> diesel::QueryResult<bool> {
    let query = diesel::sql_query(
        "WITH c AS (
             UPDATE api_clients SET enabled = $2 WHERE id = $1 RETURNING id, name
         ), a AS (
             INSERT INTO audit_log (user_id, entity, entity_id, action, after)
             SELECT $3, 'api_client', c.id::text, CASE WHEN $2 THEN 'enable' ELSE 'revoke' END,
                    jsonb_build_object('name', c.name)
               FROM c
         )
         SELECT count(*)::bigint AS n FROM c",
    )
    .bind::<Integer, _>(id)
    .bind::<Bool, _>(enabled)
    .bind::<Integer, _>(by);
    let row: Changed = super::durable::one(query, conn).await?;
    Ok(row.n > 0)
}

#[derive(QueryableByName)]
struct Changed {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The client of `key_id` and its secret's digest.
pub async fn by_key_id(
    conn: &mut AsyncPgConnection,
    key_id: &str,
) -> diesel::QueryResult<Option<(ApiClient, Vec<u8>)>> {
    use diesel::OptionalExtension;
    // Prepared once per connection: every call of the API asks it.
    let query = diesel::sql_query(format!(
        "SELECT {COLUMNS}, secret_sha256 FROM api_clients WHERE key_id = $1"
    ))
    .bind::<Text, _>(key_id);
    let found: Option<Found> = super::prepared::prepared(query)
        .get_result(conn)
        .await
        .optional()?;
    Ok(found.map(|f| (f.client, f.secret_sha256)))
}

/// Notes that the client was used (at most once a minute: not a write per call).
pub async fn touch(conn: &mut AsyncPgConnection, id: i32) -> diesel::QueryResult<()> {
    diesel::sql_query(
        "UPDATE api_clients SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
    )
    .bind::<Integer, _>(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every client, by name.
pub async fn list(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Vec<ApiClient>> {
    diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM api_clients ORDER BY name, id"
    ))
    .load(conn)
    .await
}

/// Enables or disables (revokes) the client named `name`; whether one was found.
pub async fn set_enabled(
    conn: &mut AsyncPgConnection,
    name: &str,
    enabled: bool,
) -> diesel::QueryResult<bool> {
    let n = diesel::sql_query("UPDATE api_clients SET enabled = $2 WHERE name = $1")
        .bind::<Text, _>(name)
        .bind::<Bool, _>(enabled)
        .execute(conn)
        .await?;
    Ok(n > 0)
}

/// Makes client `id` act as the active staff account `email`; whether both exist.
pub async fn set_acts_as(
    conn: &mut AsyncPgConnection,
    id: i32,
    email: &str,
) -> diesel::QueryResult<bool> {
    let n = diesel::sql_query(
        "UPDATE api_clients SET acts_as = u.id
           FROM users u
          WHERE api_clients.id = $1 AND lower(u.email) = lower($2) AND u.active",
    )
    .bind::<Integer, _>(id)
    .bind::<Text, _>(email)
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// The idempotency key under which `client` files with its own `key`.
pub fn filing_key(client: i32, key: &str) -> String {
    format!("api:{client}:{key}")
}

/// The PAKN with tracking code `code` if `client` filed it.
pub async fn filed_by(
    conn: &mut AsyncPgConnection,
    client: i32,
    code: &str,
) -> diesel::QueryResult<Option<TrackRow>> {
    use super::schema::tickets;
    use diesel::{
        ExpressionMethods, OptionalExtension, QueryDsl, SelectableHelper, TextExpressionMethods,
    };
    tickets::table
        .filter(tickets::code.eq(code))
        .filter(tickets::idempotency_key.like(format!("api:{client}:%")))
        .select(TrackRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// What `GET /api/v1/pakn/{code}` shows of a PAKN its client filed, in one statement:
/// the ticket's dates and status, its public timeline and its approved replies as JSON
/// arrays (three statements cost a fifth more of the read, `bench/issue20.sh`).
#[derive(Debug, Clone, QueryableByName)]
pub struct FiledStatus {
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Text)]
    pub status: crate::domain::status::Status,
    #[diesel(sql_type = Timestamptz)]
    pub received_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Date)]
    pub accept_due: chrono::NaiveDate,
    #[diesel(sql_type = diesel::sql_types::Date)]
    pub reply_due: chrono::NaiveDate,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub answered_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub closed_at: Option<DateTime<Utc>>,
    /// `[{"at", "event", "body"}]`, oldest first.
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    pub events: serde_json::Value,
    /// `[{"body", "number_symbol", "reply_date", "signer"}]`, oldest first.
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    pub replies: serde_json::Value,
}

/// The PAKN with tracking code `code` if `client` filed it, with its timeline and replies.
pub async fn filed_status(
    conn: &mut AsyncPgConnection,
    client: i32,
    code: &str,
) -> diesel::QueryResult<Option<FiledStatus>> {
    use diesel::OptionalExtension;
    let never: Vec<String> = super::track::NEVER_PUBLIC
        .iter()
        .map(|e| (*e).to_string())
        .collect();
    let query = diesel::sql_query(
        "SELECT t.code, t.status, t.received_at, t.accept_due, t.reply_due, t.answered_at,
                t.closed_at,
                coalesce((SELECT jsonb_agg(jsonb_build_object('at', e.at, 'event', e.event,
                                                              'body', e.body) ORDER BY e.id)
                            FROM ticket_events e
                           WHERE e.ticket_id = t.id AND e.public
                             AND e.event <> ALL ($3)), '[]') AS events,
                coalesce((SELECT jsonb_agg(jsonb_build_object('body', r.body,
                                    'number_symbol', r.number_symbol,
                                    'reply_date', r.reply_date, 'signer', r.signer)
                                  ORDER BY r.id)
                            FROM replies r
                           WHERE r.ticket_id = t.id AND r.state = 'approved'), '[]') AS replies
           FROM tickets t
          WHERE t.code = $1 AND t.idempotency_key LIKE $2",
    )
    .bind::<Text, _>(code)
    .bind::<Text, _>(format!("api:{client}:%"))
    .bind::<Array<Text>, _>(never);
    super::prepared::prepared(query)
        .get_result(conn)
        .await
        .optional()
}
