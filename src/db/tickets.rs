//! Ticket rows: inserting a filing and reading what the public pages need.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment};

use super::outbox::NEW_ROW_COLUMNS;
use super::schema::{attachments, ticket_events, tickets, upload_stash};
use crate::domain::feedback::{Channel, FeedbackKind, SubmitterKind};
use crate::domain::status::Status;
use crate::domain::workflow::{ActorKind, Urgency};

/// Everything stored in the `tickets` row of a new PAKN. `None` is written as NULL (not
/// DEFAULT), so the statement's text is the same for every filing and its prepared
/// statement can be cached under one id ([`FilingInsertId`]).
#[derive(Debug, Insertable)]
#[diesel(table_name = tickets, treat_none_as_default_value = false)]
pub struct NewTicket<'a> {
    pub public_id: &'a str,
    pub code: &'a str,
    pub access_token: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub content_hash: Option<&'a [u8]>,
    pub status: Status,
    pub channel: Channel,
    pub external_ref: Option<&'a str>,
    pub external_ref_date: Option<NaiveDate>,
    pub entered_by: Option<i32>,
    pub submitter_kind: SubmitterKind,
    pub full_name: Option<&'a str>,
    pub organization: Option<&'a str>,
    pub representative: Option<&'a str>,
    pub address: &'a str,
    pub commune: Option<&'a str>,
    pub phone: &'a str,
    pub email: Option<&'a str>,
    pub kind: FeedbackKind,
    pub content_category: &'a str,
    pub field_code: &'a str,
    pub procedure_name: Option<&'a str>,
    pub dossier_code: Option<&'a str>,
    pub subject_agency: Option<&'a str>,
    pub title: &'a str,
    pub content: &'a str,
    pub proposal: Option<&'a str>,
    pub lang: &'a str,
    pub consent_at: DateTime<Utc>,
    pub privacy_notice_version: &'a str,
    pub publish_consent: bool,
    pub publish_consent_at: Option<DateTime<Utc>>,
    pub unit_id: i32,
    pub routing_rule_id: Option<i32>,
    pub received_at: DateTime<Utc>,
    pub accept_due: NaiveDate,
    pub forward_due: NaiveDate,
    pub reply_due: NaiveDate,
    pub suspected_spam: bool,
    pub spam_reasons: &'a [String],
    pub search_text: &'a str,
    pub retention_until: NaiveDate,
}

/// Files new tickets in ONE statement: each ticket row, its `submitted` event, its
/// counters and its mails (`mails`: a JSON array of outbox rows, see
/// [`crate::mail::outbox::filing_rows_json`]). A row whose idempotency key is taken is
/// not filed and not returned. Alone it is its own transaction: its answer is read to the
/// end, past the implicit commit ([`super::durable`]), so a returned row is committed.
/// Returns the code and id of each ticket filed.
///
/// Measured with pgbench (`bench/results.md`): one statement instead of a transaction of
/// five saves round trips and lock time, and being a prepared statement that each
/// connection caches saves the planning of a five-part CTE, which otherwise cost more
/// than all the inserts (1,940 → 3,600 filings/s in Postgres alone, issue 12). Several
/// filings in one statement (issue 21's group commit, [`crate::handling::group_commit`])
/// share its commit, its counters' upserts (grouped, so the report roll-up trigger fires
/// once per group, not per filing) and the staff recipients' lookup.
pub async fn insert_filings(
    conn: &mut AsyncPgConnection,
    batch: &FilingBatch,
) -> QueryResult<Vec<(String, i64)>> {
    batch.load::<(String, i64)>(conn).await
}

/// What one filing adds to its ticket row in [`FilingBatch`].
pub struct FilingExtras<'a> {
    pub ticket: NewTicket<'a>,
    pub event_actor: ActorKind,
    pub event_data: &'a serde_json::Value,
    /// The day of receipt in Vietnam (the report aggregates' day and the counters' month).
    pub received_on: NaiveDate,
    pub mails: &'a serde_json::Value,
    pub staff: &'a StaffNotice,
}

/// The filing statement of [`insert_filings`]: a custom query so that diesel caches it as
/// a prepared statement (`sql_query` never is). Its text is the same whatever the number
/// of filings: the tickets' rows go as one JSON array (`jsonb_populate_recordset` over
/// the `tickets` row type, so Postgres converts each value with the column's own type),
/// and what each filing adds (its event, its mails, its staff notice) as another, joined
/// on the tracking code. (A multi-row VALUES list made one statement text per group size,
/// which diesel then parsed and planned on every execution: 1.2 ms of a group's 3.9.)
pub struct FilingBatch {
    tickets: serde_json::Value,
    extras: serde_json::Value,
    counter_shard: i16,
}

/// A ticket row as `jsonb_populate_recordset(NULL::tickets, …)` reads it: each value in
/// the text form of its column's type.
#[derive(Serialize)]
struct TicketJson<'a> {
    public_id: &'a str,
    code: &'a str,
    access_token: &'a str,
    idempotency_key: Option<&'a str>,
    /// `bytea` in its hex form (`\\x…`).
    content_hash: Option<String>,
    status: &'static str,
    channel: &'static str,
    external_ref: Option<&'a str>,
    external_ref_date: Option<NaiveDate>,
    entered_by: Option<i32>,
    submitter_kind: &'static str,
    full_name: Option<&'a str>,
    organization: Option<&'a str>,
    representative: Option<&'a str>,
    address: &'a str,
    commune: Option<&'a str>,
    phone: &'a str,
    email: Option<&'a str>,
    kind: &'static str,
    content_category: &'a str,
    field_code: &'a str,
    procedure_name: Option<&'a str>,
    dossier_code: Option<&'a str>,
    subject_agency: Option<&'a str>,
    title: &'a str,
    content: &'a str,
    proposal: Option<&'a str>,
    lang: &'a str,
    consent_at: DateTime<Utc>,
    privacy_notice_version: &'a str,
    publish_consent: bool,
    publish_consent_at: Option<DateTime<Utc>>,
    unit_id: i32,
    routing_rule_id: Option<i32>,
    received_at: DateTime<Utc>,
    accept_due: NaiveDate,
    forward_due: NaiveDate,
    reply_due: NaiveDate,
    suspected_spam: bool,
    spam_reasons: &'a [String],
    search_text: &'a str,
    retention_until: NaiveDate,
}

/// The columns of [`TicketJson`], in the insert's order.
const TICKET_JSON_COLUMNS: [&str; 42] = [
    "public_id",
    "code",
    "access_token",
    "idempotency_key",
    "content_hash",
    "status",
    "channel",
    "external_ref",
    "external_ref_date",
    "entered_by",
    "submitter_kind",
    "full_name",
    "organization",
    "representative",
    "address",
    "commune",
    "phone",
    "email",
    "kind",
    "content_category",
    "field_code",
    "procedure_name",
    "dossier_code",
    "subject_agency",
    "title",
    "content",
    "proposal",
    "lang",
    "consent_at",
    "privacy_notice_version",
    "publish_consent",
    "publish_consent_at",
    "unit_id",
    "routing_rule_id",
    "received_at",
    "accept_due",
    "forward_due",
    "reply_due",
    "suspected_spam",
    "spam_reasons",
    "search_text",
    "retention_until",
];

impl<'a> From<&'a NewTicket<'a>> for TicketJson<'a> {
    fn from(t: &'a NewTicket<'a>) -> TicketJson<'a> {
        TicketJson {
            public_id: t.public_id,
            code: t.code,
            access_token: t.access_token,
            idempotency_key: t.idempotency_key,
            content_hash: t.content_hash.map(|h| {
                let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
                format!("\\x{hex}")
            }),
            status: t.status.as_str(),
            channel: t.channel.as_str(),
            external_ref: t.external_ref,
            external_ref_date: t.external_ref_date,
            entered_by: t.entered_by,
            submitter_kind: t.submitter_kind.as_str(),
            full_name: t.full_name,
            organization: t.organization,
            representative: t.representative,
            address: t.address,
            commune: t.commune,
            phone: t.phone,
            email: t.email,
            kind: t.kind.as_str(),
            content_category: t.content_category,
            field_code: t.field_code,
            procedure_name: t.procedure_name,
            dossier_code: t.dossier_code,
            subject_agency: t.subject_agency,
            title: t.title,
            content: t.content,
            proposal: t.proposal,
            lang: t.lang,
            consent_at: t.consent_at,
            privacy_notice_version: t.privacy_notice_version,
            publish_consent: t.publish_consent,
            publish_consent_at: t.publish_consent_at,
            unit_id: t.unit_id,
            routing_rule_id: t.routing_rule_id,
            received_at: t.received_at,
            accept_due: t.accept_due,
            forward_due: t.forward_due,
            reply_due: t.reply_due,
            suspected_spam: t.suspected_spam,
            spam_reasons: t.spam_reasons,
            search_text: t.search_text,
            retention_until: t.retention_until,
        }
    }
}

/// Who the filing's staff notifications go to besides the unit's officers and leaders
/// (see the `pakn_staff_recipients` function of migration 000038).
#[derive(Debug, Clone, Default, Serialize)]
pub struct StaffNotice {
    /// The staff accounts linked to the routing rule's contacts.
    pub linked: Vec<i32>,
    /// Who is not told (the staff member who entered the PAKN).
    pub exclude: Option<i32>,
}

/// One filing's extras as the statement reads them (`jsonb_to_recordset`).
#[derive(Serialize)]
struct ExtrasRow<'a> {
    code: &'a str,
    actor: &'a str,
    actor_id: Option<i32>,
    data: &'a serde_json::Value,
    received_on: NaiveDate,
    month: NaiveDate,
    linked: &'a [i32],
    exclude: Option<i32>,
    mails: &'a serde_json::Value,
}

impl FilingBatch {
    /// The filings `rows`, their counts on `counter_shard` (the status counters' month
    /// and the report aggregates' day of each one's receipt). `rows` is not empty.
    pub fn new(rows: &[FilingExtras<'_>], counter_shard: i16) -> FilingBatch {
        let tickets: Vec<TicketJson<'_>> = rows.iter().map(|r| (&r.ticket).into()).collect();
        let extras: Vec<ExtrasRow<'_>> = rows
            .iter()
            .map(|r| ExtrasRow {
                code: r.ticket.code,
                actor: r.event_actor.as_str(),
                actor_id: r.ticket.entered_by,
                data: r.event_data,
                received_on: r.received_on,
                month: super::counters::month_of(r.received_on),
                linked: &r.staff.linked,
                exclude: r.staff.exclude,
                mails: r.mails,
            })
            .collect();
        // Plain data (strings, numbers, dates, JSON values): it always serialises.
        FilingBatch {
            tickets: serde_json::to_value(tickets).unwrap_or_default(),
            extras: serde_json::to_value(extras).unwrap_or_default(),
            counter_shard,
        }
    }
}

/// The static identity of [`FilingBatch`] in the statement cache: its text never
/// changes.
pub struct FilingBatchId;

impl diesel::query_builder::QueryId for FilingBatch {
    type QueryId = FilingBatchId;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for FilingBatch {
    type SqlType = (diesel::sql_types::Text, diesel::sql_types::BigInt);
}

impl QueryFragment<Pg> for FilingBatch {
    /// Always: its text never changes (re-planning this five-part statement on every
    /// filing doubled Postgres's CPU per filing, bench/results.md, issue 12).
    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }

    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        use diesel::sql_types::{Int2, Jsonb};
        let columns = TICKET_JSON_COLUMNS.join(", ");
        out.push_sql(&format!(
            "WITH t AS (INSERT INTO tickets ({columns}) SELECT {columns} \
             FROM jsonb_populate_recordset(NULL::tickets, "
        ));
        out.push_bind_param::<Jsonb, _>(&self.tickets)?;
        out.push_sql(
            ") ON CONFLICT (idempotency_key) DO NOTHING \
             RETURNING id, received_at, code, status, unit_id, field_code, content_category, \
             channel, kind), x AS (SELECT * FROM jsonb_to_recordset(",
        );
        out.push_bind_param::<Jsonb, _>(&self.extras)?;
        out.push_sql(
            ") AS x (code text, actor text, actor_id integer, data jsonb, received_on date, \
             month date, linked integer[], exclude integer, mails jsonb)), \
             n AS (SELECT t.*, x.actor, x.actor_id, x.data, x.received_on, x.month, x.linked, \
             x.exclude, x.mails FROM t JOIN x USING (code)), \
             s AS MATERIALIZED (SELECT k.unit_id, k.linked, k.exclude, f.unit_emails, \
             f.other_emails FROM (SELECT DISTINCT unit_id, linked, exclude FROM n) AS k, \
             pakn_staff_recipients(k.unit_id, k.linked, k.exclude) AS f), \
             e AS (INSERT INTO ticket_events (ticket_id, at, actor_kind, actor_id, event, \
             to_status, public, data) SELECT id, received_at, actor, actor_id, 'submitted', \
             status, true, data FROM n), \
             c AS (INSERT INTO ticket_counters (unit_id, field_code, status, month, shard, n) \
             SELECT unit_id, field_code, status, month, ",
        );
        out.push_bind_param::<Int2, _>(&self.counter_shard)?;
        out.push_sql(
            ", count(*) FROM n GROUP BY unit_id, field_code, status, month \
             ORDER BY unit_id, field_code, status, month \
             ON CONFLICT (unit_id, field_code, status, month, shard) \
             DO UPDATE SET n = ticket_counters.n + excluded.n), \
             r AS (INSERT INTO report_counts (basis, day, unit_id, field_code, \
             content_category, channel, kind, metric, shard, n) \
             SELECT b.basis, n.received_on, n.unit_id, n.field_code, n.content_category, \
             n.channel, n.kind, 'received', ",
        );
        // The report aggregates: received, on the day of receipt, on both bases.
        out.push_bind_param::<Int2, _>(&self.counter_shard)?;
        out.push_sql(
            ", count(*) FROM n, (VALUES ('event'), ('receipt')) AS b (basis) \
             GROUP BY b.basis, n.received_on, n.unit_id, n.field_code, n.content_category, \
             n.channel, n.kind ORDER BY 1, 2, 3, 4, 5, 6, 7 \
             ON CONFLICT (basis, day, unit_id, field_code, content_category, channel, kind, \
             metric, shard) DO UPDATE SET n = report_counts.n + excluded.n), \
             o AS (INSERT INTO outbox (",
        );
        out.push_sql(&NEW_ROW_COLUMNS.join(", "));
        out.push_sql(") SELECT ");
        for (i, column) in NEW_ROW_COLUMNS.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            // The rows are the new tickets'; the staff notifications' recipients are the
            // unit's accounts, looked up once per unit and notice in the group (`s`,
            // materialised: inlined, the lookup ran once per filing).
            match *column {
                "ticket_id" => out.push_sql("n.id"),
                "to_addrs" => out.push_sql("r.to_addrs"),
                _ => {
                    out.push_sql("m.");
                    out.push_sql(column);
                }
            }
        }
        out.push_sql(&format!(
            " FROM n JOIN s ON s.unit_id = n.unit_id AND s.linked = n.linked \
             AND s.exclude IS NOT DISTINCT FROM n.exclude, \
             jsonb_populate_recordset(NULL::outbox, n.mails) AS m, \
             LATERAL (SELECT CASE m.kind WHEN '{}' THEN s.unit_emails \
             WHEN '{}' THEN s.other_emails ELSE m.to_addrs END AS to_addrs) AS r \
             WHERE cardinality(r.to_addrs) > 0) SELECT code, id FROM t",
            super::outbox::KIND_NOTIFY_UNIT,
            super::outbox::KIND_NOTIFY_STAFF,
        ));
        Ok(())
    }
}

/// The ticket already filed with a form token: its private link token and content hash.
pub async fn by_idempotency_key(
    conn: &mut AsyncPgConnection,
    key: &str,
) -> QueryResult<Option<(String, Option<Vec<u8>>)>> {
    tickets::table
        .filter(tickets::idempotency_key.eq(key))
        .select((tickets::access_token, tickets::content_hash))
        .first(conn)
        .await
        .optional()
}

#[derive(Debug, Insertable)]
#[diesel(table_name = attachments)]
pub struct NewAttachment<'a> {
    pub ticket_id: i64,
    pub event_id: Option<i64>,
    pub origin: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i32,
    pub sha256: &'a [u8],
    pub data: &'a [u8],
}

pub async fn insert_attachments(
    conn: &mut AsyncPgConnection,
    rows: &[NewAttachment<'_>],
) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    diesel::insert_into(attachments::table)
        .values(rows)
        .execute(conn)
        .await
}

#[derive(Debug, Insertable)]
#[diesel(table_name = ticket_events)]
pub struct NewEvent<'a> {
    pub ticket_id: i64,
    pub at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    pub actor_id: Option<i32>,
    pub event: &'a str,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub public: bool,
    pub body: Option<&'a str>,
    pub data: serde_json::Value,
}

pub async fn insert_events(
    conn: &mut AsyncPgConnection,
    rows: &[NewEvent<'_>],
) -> QueryResult<usize> {
    diesel::insert_into(ticket_events::table)
        .values(rows)
        .execute(conn)
        .await
}

/// What the citizen's private page shows.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct ReceiptRow {
    pub id: i64,
    pub code: String,
    pub public_id: String,
    pub status: Status,
    pub title: String,
    pub kind: FeedbackKind,
    pub field_code: String,
    pub unit_id: i32,
    pub received_at: DateTime<Utc>,
    pub accept_due: NaiveDate,
    pub reply_due: NaiveDate,
    pub channel: Channel,
    pub email: Option<String>,
    pub lang: String,
}

pub async fn receipt_by_access_token(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> QueryResult<Option<ReceiptRow>> {
    tickets::table
        .filter(tickets::access_token.eq(token))
        .select(ReceiptRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A file kept from a form that came back with errors.
#[derive(Debug, Clone, Queryable)]
pub struct StashedFile {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i32,
    pub sha256: Vec<u8>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = upload_stash)]
pub struct NewStashedFile<'a> {
    pub form_key: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i32,
    pub sha256: &'a [u8],
    pub data: &'a [u8],
    /// The client address's bucket (see `handling::stash::Budget`).
    pub owner: Option<&'a [u8]>,
}

pub async fn stash_files(
    conn: &mut AsyncPgConnection,
    rows: &[NewStashedFile<'_>],
) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    diesel::insert_into(upload_stash::table)
        .values(rows)
        .execute(conn)
        .await
}

pub async fn stashed_files(
    conn: &mut AsyncPgConnection,
    form_key: &str,
) -> QueryResult<Vec<StashedFile>> {
    upload_stash::table
        .filter(upload_stash::form_key.eq(form_key))
        .order(upload_stash::id)
        .select((
            upload_stash::id,
            upload_stash::filename,
            upload_stash::content_type,
            upload_stash::size_bytes,
            upload_stash::sha256,
        ))
        .load(conn)
        .await
}

/// Moves the kept files chosen by the citizen onto the ticket and forgets the rest.
pub async fn claim_stashed_files(
    conn: &mut AsyncPgConnection,
    form_key: &str,
    keep_ids: &[i64],
    ticket_id: i64,
) -> QueryResult<usize> {
    let moved = if keep_ids.is_empty() {
        0
    } else {
        diesel::sql_query(
            "INSERT INTO attachments (ticket_id, origin, filename, content_type, size_bytes, sha256, data)
             SELECT $1, 'citizen', filename, content_type, size_bytes, sha256, data
             FROM upload_stash WHERE form_key = $2 AND id = ANY($3) ORDER BY id",
        )
        .bind::<diesel::sql_types::BigInt, _>(ticket_id)
        .bind::<diesel::sql_types::Text, _>(form_key)
        .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(keep_ids)
        .execute(conn)
        .await?
    };
    diesel::delete(upload_stash::table.filter(upload_stash::form_key.eq(form_key)))
        .execute(conn)
        .await?;
    Ok(moved)
}

/// Forgets kept files older than `ttl_secs`.
pub async fn sweep_stash(conn: &mut AsyncPgConnection, ttl_secs: u64) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM upload_stash WHERE created_at < now() - make_interval(secs => $1)",
    )
    .bind::<diesel::sql_types::Double, _>(ttl_secs as f64)
    .execute(conn)
    .await
}

/// Serialises keeping files (in the caller's transaction), so that two forms kept at
/// once cannot both pass a budget that only one fits in.
pub async fn lock_stash(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('pakn.upload_stash'))")
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct Bytes {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    bytes: i64,
}

/// The bytes kept for `owner` (an address's bucket), or on the whole site.
pub async fn stashed_bytes(conn: &mut AsyncPgConnection, owner: Option<&[u8]>) -> QueryResult<i64> {
    let row: Bytes = match owner {
        Some(owner) => diesel::sql_query(
            "SELECT coalesce(sum(size_bytes), 0)::int8 AS bytes FROM upload_stash WHERE owner = $1",
        )
        .bind::<diesel::sql_types::Binary, _>(owner)
        .get_result(conn)
        .await?,
        None => {
            diesel::sql_query(
                "SELECT coalesce(sum(size_bytes), 0)::int8 AS bytes FROM upload_stash",
            )
            .get_result(conn)
            .await?
        }
    };
    Ok(row.bytes)
}

/// Keeps the newest `max_files` files of a form, forgetting older ones.
pub async fn trim_stash(
    conn: &mut AsyncPgConnection,
    form_key: &str,
    max_files: usize,
) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM upload_stash WHERE form_key = $1 AND id NOT IN \
           (SELECT id FROM upload_stash WHERE form_key = $1 ORDER BY id DESC LIMIT $2)",
    )
    .bind::<diesel::sql_types::Text, _>(form_key)
    .bind::<diesel::sql_types::BigInt, _>(i64::try_from(max_files).unwrap_or(i64::MAX))
    .execute(conn)
    .await
}

/// Everything the staff ticket page shows.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct TicketRow {
    pub id: i64,
    pub public_id: String,
    pub code: String,
    pub status: Status,
    pub channel: Channel,
    pub external_ref: Option<String>,
    pub external_ref_date: Option<NaiveDate>,
    pub entered_by: Option<i32>,
    pub submitter_kind: SubmitterKind,
    pub full_name: Option<String>,
    pub organization: Option<String>,
    pub representative: Option<String>,
    pub address: String,
    pub commune: Option<String>,
    pub phone: String,
    pub email: Option<String>,
    pub kind: FeedbackKind,
    pub content_category: String,
    pub field_code: String,
    pub procedure_name: Option<String>,
    pub dossier_code: Option<String>,
    pub subject_agency: Option<String>,
    pub title: String,
    pub content: String,
    pub proposal: Option<String>,
    pub lang: String,
    pub consent_at: DateTime<Utc>,
    pub privacy_notice_version: String,
    pub publish_consent: bool,
    pub urgency: Option<Urgency>,
    pub unit_id: i32,
    pub assignee_id: Option<i32>,
    pub received_at: DateTime<Utc>,
    pub accept_due: NaiveDate,
    pub forward_due: NaiveDate,
    pub reply_due: NaiveDate,
    pub needs_info_due: Option<NaiveDate>,
    pub suspected_spam: bool,
    pub spam_reasons: Vec<String>,
    pub confidential: bool,
    pub last_public_note_at: Option<DateTime<Utc>>,
    pub duplicate_of: Option<i64>,
}

pub async fn by_code(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<TicketRow>> {
    tickets::table
        .filter(tickets::code.eq(code))
        .select(TicketRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// One entry of the timeline.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ticket_events)]
pub struct EventRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    pub actor_id: Option<i32>,
    pub event: String,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub public: bool,
    pub body: Option<String>,
    pub data: serde_json::Value,
}

pub async fn events(conn: &mut AsyncPgConnection, ticket_id: i64) -> QueryResult<Vec<EventRow>> {
    ticket_events::table
        .filter(ticket_events::ticket_id.eq(ticket_id))
        .order(ticket_events::id)
        .select(EventRow::as_select())
        .load(conn)
        .await
}

/// A file's metadata (not its bytes).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attachments)]
pub struct AttachmentMeta {
    pub id: i64,
    pub origin: String,
    pub reply_id: Option<i64>,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i32,
    pub created_at: DateTime<Utc>,
}

pub async fn attachment_list(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
) -> QueryResult<Vec<AttachmentMeta>> {
    attachments::table
        .filter(attachments::ticket_id.eq(ticket_id))
        .order(attachments::id)
        .select(AttachmentMeta::as_select())
        .load(conn)
        .await
}

/// One file of a ticket: (name, type, bytes, origin).
pub async fn attachment_data(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
    id: i64,
) -> QueryResult<Option<(String, String, Vec<u8>, String)>> {
    attachments::table
        .filter(attachments::ticket_id.eq(ticket_id))
        .filter(attachments::id.eq(id))
        .select((
            attachments::filename,
            attachments::content_type,
            attachments::data,
            attachments::origin,
        ))
        .first(conn)
        .await
        .optional()
}

/// Records that a staff member saw a PAKN's personal data.
pub async fn record_personal_data_view(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    ticket_id: i64,
    purpose: &str,
) -> QueryResult<usize> {
    record_personal_data_views(conn, user_id, &[ticket_id], purpose).await
}

/// Records that `user_id` was shown the personal data of each of `ticket_ids` (one
/// statement), for `purpose` (`search`: a staff search listed them with their senders).
pub async fn record_personal_data_views(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    ticket_ids: &[i64],
    purpose: &str,
) -> QueryResult<usize> {
    if ticket_ids.is_empty() {
        return Ok(0);
    }
    // One array parameter rather than a row of VALUES per PAKN: one statement text
    // whatever the count (kept prepared), and a fraction of the binding work for an
    // export's batches of a thousand.
    let query = diesel::sql_query(
        "INSERT INTO personal_data_views (user_id, ticket_id, purpose)
         SELECT $1, id, $3 FROM unnest($2::bigint[]) AS id",
    )
    .bind::<diesel::sql_types::Integer, _>(user_id)
    .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(ticket_ids)
    .bind::<diesel::sql_types::Text, _>(purpose);
    super::prepared::prepared(query).execute(conn).await
}

/// Names of staff users by id (for timelines and assignees).
pub async fn user_names(
    conn: &mut AsyncPgConnection,
    ids: &[i32],
) -> QueryResult<Vec<(i32, String)>> {
    use super::schema::users;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load(conn)
        .await
}

/// The citizen's private link token of a ticket (for the receipt staff print).
pub async fn access_token_of(conn: &mut AsyncPgConnection, ticket_id: i64) -> QueryResult<String> {
    tickets::table
        .find(ticket_id)
        .select(tickets::access_token)
        .first(conn)
        .await
}

/// A ticket's private link token and when its row was written (`None` for rows from
/// before that was recorded).
pub async fn access_token_and_created_at(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
) -> QueryResult<(String, Option<DateTime<Utc>>)> {
    tickets::table
        .find(ticket_id)
        .select((tickets::access_token, tickets::created_at))
        .first(conn)
        .await
}

/// Records that the staff accounts among `emails` were mailed the personal data of
/// `ticket_id` (purpose `mail`; one statement).
pub async fn record_mailed_views(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
    emails: &[String],
) -> QueryResult<usize> {
    if emails.is_empty() {
        return Ok(0);
    }
    let lowered: Vec<String> = emails.iter().map(|e| e.to_lowercase()).collect();
    // Prepared once per connection: the mail worker runs it for every mail to staff (a
    // raw query was parsed and planned each time, 4,062 times in 5 s while the worker
    // caught up on a queue).
    super::prepared::prepared(
        diesel::sql_query(
            "INSERT INTO personal_data_views (user_id, ticket_id, purpose) \
             SELECT id, $1, 'mail' FROM users WHERE lower(email) = ANY($2)",
        )
        .bind::<diesel::sql_types::BigInt, _>(ticket_id)
        .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(&lowered),
    )
    .execute(conn)
    .await
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use diesel::pg::Pg;
    use diesel::query_builder::QueryFragment;

    use super::*;

    fn ticket<'a>(with: bool, spam: &'a [String]) -> NewTicket<'a> {
        let day = NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
        let some = |s: &'a str| with.then_some(s);
        NewTicket {
            public_id: "p",
            code: "c",
            access_token: "a",
            idempotency_key: some("k"),
            content_hash: with.then_some(&b"h"[..]),
            status: Status::Submitted,
            channel: Channel::Web,
            external_ref: some("r"),
            external_ref_date: with.then_some(day),
            entered_by: with.then_some(1),
            submitter_kind: SubmitterKind::Individual,
            full_name: some("n"),
            organization: some("o"),
            representative: some("r"),
            address: "a",
            commune: some("c"),
            phone: "0",
            email: some("e"),
            kind: FeedbackKind::PhanAnh,
            content_category: "c",
            field_code: "f",
            procedure_name: some("p"),
            dossier_code: some("d"),
            subject_agency: some("s"),
            title: "t",
            content: "c",
            proposal: some("p"),
            lang: "vi",
            consent_at: Utc.with_ymd_and_hms(2026, 12, 4, 1, 0, 0).unwrap(),
            privacy_notice_version: "1",
            publish_consent: with,
            publish_consent_at: None,
            unit_id: 1,
            routing_rule_id: with.then_some(2),
            received_at: Utc.with_ymd_and_hms(2026, 12, 4, 1, 0, 0).unwrap(),
            accept_due: day,
            forward_due: day,
            reply_due: day,
            suspected_spam: false,
            spam_reasons: spam,
            search_text: "s",
            retention_until: day,
        }
    }

    fn extras<'a>(
        ticket: NewTicket<'a>,
        data: &'a serde_json::Value,
        staff: &'a StaffNotice,
    ) -> FilingExtras<'a> {
        FilingExtras {
            ticket,
            event_actor: ActorKind::Citizen,
            event_data: data,
            received_on: NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
            mails: data,
            staff,
        }
    }

    /// The filing's statement is cached per connection, so its text must not depend on
    /// which optional values a filing has, nor on how many filings it stores.
    #[test]
    fn the_filing_statement_has_one_text_and_is_cached() {
        let spam = Vec::new();
        let data = serde_json::json!({});
        let none = StaffNotice::default();
        let some = StaffNotice {
            linked: vec![1, 2],
            exclude: Some(3),
        };
        let one = [extras(ticket(true, &spam), &data, &none)];
        let three = [
            extras(ticket(false, &spam), &data, &some),
            extras(ticket(true, &spam), &data, &none),
            extras(ticket(false, &spam), &data, &none),
        ];
        let (a, b) = (FilingBatch::new(&one, 0), FilingBatch::new(&three, 3));
        let text = |f: &FilingBatch| diesel::debug_query::<Pg, _>(f).to_string();
        let sql = |f: &FilingBatch| text(f).split(" -- binds").next().map(str::to_string);
        assert_eq!(sql(&a), sql(&b));
        assert!(a.is_safe_to_cache_prepared(&Pg).expect("checked"));
        const { assert!(<FilingBatch as diesel::query_builder::QueryId>::HAS_STATIC_QUERY_ID) };
    }

    /// Every column the insert names is a key of each JSON row, in the text form of its
    /// type (`bytea` in hex).
    #[test]
    fn the_ticket_rows_carry_every_inserted_column() {
        let spam = vec!["fast".to_string()];
        let full = ticket(true, &spam);
        let row = serde_json::to_value(TicketJson::from(&full)).expect("json");
        let keys: Vec<&str> = row
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut columns = TICKET_JSON_COLUMNS.to_vec();
        let mut keys_sorted = keys.clone();
        columns.sort_unstable();
        keys_sorted.sort_unstable();
        assert_eq!(keys_sorted, columns);
        assert_eq!(row["content_hash"], "\\x68");
        assert_eq!(row["status"], "submitted");
        assert_eq!(row["spam_reasons"], serde_json::json!(["fast"]));
        assert_eq!(row["received_at"], "2026-12-04T01:00:00Z");
        assert_eq!(row["accept_due"], "2026-12-04");
    }
}
