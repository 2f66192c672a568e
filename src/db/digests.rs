//! The digests' queries (issue 15, part 4), set-based: one statement claims a batch of
//! recipients (their once-key in `digests_sent`), one reads the open PAKN of every
//! officer of the batch, one the unassigned PAKN of their units, one the week's figures
//! of every unit. Never a query per recipient. No citizen's data is read: codes, titles
//! (not of a confidential PAKN), statuses and dates only.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{digests_sent, outbox, users};
use crate::domain::digest::DigestKind;
use crate::domain::status::Status;

/// Who a digest of a batch goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: i32,
    pub email: String,
    pub name: String,
    pub roles: Vec<String>,
    pub unit_id: Option<i32>,
}

/// A batch claimed: its recipients (their once-keys written in the caller's
/// transaction) and how many candidates the statement saw (fewer than asked: the last).
#[derive(Debug, Clone, Default)]
pub struct Claimed {
    pub candidates: i64,
    pub recipients: Vec<Recipient>,
}

#[derive(QueryableByName)]
struct ClaimRow {
    #[diesel(sql_type = BigInt)]
    candidates: i64,
    #[diesel(sql_type = Nullable<Integer>)]
    user_id: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    roles: Option<Vec<String>>,
    #[diesel(sql_type = Nullable<Integer>)]
    unit_id: Option<i32>,
}

/// Who may get a daily digest: officers, and anyone assigned an open PAKN.
const DAILY_WHO: &str = concat!(
    "u.digest_daily AND ('officer' = ANY(u.roles) OR EXISTS (SELECT 1 FROM tickets t \
     WHERE t.assignee_id = u.id AND t.",
    open_status_sql!(),
    "))"
);
/// Who gets a weekly digest: leaders.
const WEEKLY_WHO: &str = "u.digest_weekly AND 'leader' = ANY(u.roles)";

/// Claims up to `limit` recipients of digest `kind` for `period` who have none yet: one
/// statement that picks them and writes their once-keys (`ON CONFLICT DO NOTHING`, so a
/// concurrent pass that took one first keeps it). Call inside the transaction that
/// queues their mail.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    kind: DigestKind,
    period: NaiveDate,
    limit: i64,
) -> QueryResult<Claimed> {
    let who = match kind {
        DigestKind::Daily => DAILY_WHO,
        DigestKind::Weekly => WEEKLY_WHO,
    };
    let sql = format!(
        "WITH cand AS (
           SELECT u.id FROM users u
           WHERE u.active AND u.email <> '' AND {who}
             AND NOT EXISTS (SELECT 1 FROM digests_sent d
                             WHERE d.user_id = u.id AND d.kind = $1 AND d.period_start = $2)
           ORDER BY u.id LIMIT $3
         ), ins AS (
           INSERT INTO digests_sent (user_id, kind, period_start)
           SELECT id, $1, $2 FROM cand
           ON CONFLICT DO NOTHING RETURNING user_id
         )
         SELECT (SELECT count(*) FROM cand) AS candidates, u.id AS user_id, u.email, u.name,
                u.roles, u.unit_id
         FROM (SELECT 1) one LEFT JOIN (ins JOIN users u ON u.id = ins.user_id) ON true
         ORDER BY u.id"
    );
    let rows: Vec<ClaimRow> = diesel::sql_query(sql)
        .bind::<Text, _>(kind.as_str())
        .bind::<Date, _>(period)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await?;
    let candidates = <[ClaimRow]>::first(&rows).map_or(0, |r| r.candidates);
    let recipients = rows
        .into_iter()
        .filter_map(|r| {
            Some(Recipient {
                user_id: r.user_id?,
                email: r.email?,
                name: r.name?,
                roles: r.roles.unwrap_or_default(),
                unit_id: r.unit_id,
            })
        })
        .collect();
    Ok(Claimed {
        candidates,
        recipients,
    })
}

/// How many would get digest `kind` for `period` now (`pakn digests --dry-run`).
pub async fn pending_count(
    conn: &mut AsyncPgConnection,
    kind: DigestKind,
    period: NaiveDate,
) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let who = match kind {
        DigestKind::Daily => DAILY_WHO,
        DigestKind::Weekly => WEEKLY_WHO,
    };
    let sql = format!(
        "SELECT count(*) AS n FROM users u
         WHERE u.active AND u.email <> '' AND {who}
           AND NOT EXISTS (SELECT 1 FROM digests_sent d
                           WHERE d.user_id = u.id AND d.kind = $1 AND d.period_start = $2)"
    );
    let n: Vec<N> = diesel::sql_query(sql)
        .bind::<Text, _>(kind.as_str())
        .bind::<Date, _>(period)
        .load(conn)
        .await?;
    Ok(<[N]>::first(&n).map_or(0, |n| n.n))
}

/// One open PAKN of a daily digest's list.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Item {
    /// The assignee (assigned lists) or the unit (unassigned lists).
    #[diesel(sql_type = Integer)]
    pub owner: i32,
    #[diesel(sql_type = Text)]
    pub code: String,
    /// `None` for a confidential PAKN.
    #[diesel(sql_type = Nullable<Text>)]
    pub title: Option<String>,
    #[diesel(sql_type = Text)]
    pub status: Status,
    #[diesel(sql_type = Date)]
    pub accept_due: NaiveDate,
    #[diesel(sql_type = Date)]
    pub reply_due: NaiveDate,
    /// How many the owner's whole list holds (only the first `max` are read).
    #[diesel(sql_type = BigInt)]
    pub total: i64,
    /// How many of them are overdue (reply due date before `today`).
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
}

/// The open PAKN assigned to `users` (`Assigned`) or unassigned in `units`
/// (`Unassigned`), at most `max` per owner, by reply due date (overdue first), with the
/// owner's totals (all, and overdue at `today`).
pub async fn open_items(
    conn: &mut AsyncPgConnection,
    list: List,
    owners: &[i32],
    max: i64,
    today: NaiveDate,
) -> QueryResult<Vec<Item>> {
    if owners.is_empty() {
        return Ok(Vec::new());
    }
    let (owner, filter) = match list {
        List::Assigned => ("assignee_id", "assignee_id = ANY($1)"),
        List::Unassigned => ("unit_id", "unit_id = ANY($1) AND assignee_id IS NULL"),
    };
    let sql = format!(
        "SELECT owner, code, title, status, accept_due, reply_due, total, overdue FROM (
           SELECT {owner} AS owner, code,
                  CASE WHEN confidential THEN NULL ELSE title END AS title,
                  status, accept_due, reply_due, id,
                  row_number() OVER (PARTITION BY {owner} ORDER BY reply_due, id) AS rn,
                  count(*) OVER (PARTITION BY {owner}) AS total,
                  count(*) FILTER (WHERE reply_due < $3) OVER (PARTITION BY {owner}) AS overdue
           FROM tickets WHERE {filter} AND {open}
         ) x WHERE rn <= $2 ORDER BY owner, reply_due, id",
        open = crate::db::statuses::OPEN_STATUS_SQL,
    );
    diesel::sql_query(sql)
        .bind::<Array<Integer>, _>(owners)
        .bind::<BigInt, _>(max)
        .bind::<Date, _>(today)
        .load(conn)
        .await
}

/// Which list of a daily digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Assigned,
    Unassigned,
}

/// A unit's figures for a week.
#[derive(Debug, Clone, Default, PartialEq, Eq, QueryableByName)]
pub struct WeekLine {
    #[diesel(sql_type = Integer)]
    pub unit_id: i32,
    #[diesel(sql_type = BigInt)]
    pub received: i64,
    #[diesel(sql_type = BigInt)]
    pub on_time: i64,
    #[diesel(sql_type = BigInt)]
    pub late: i64,
    /// Open and past the reply due date at `today` (now, not at the week's end).
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
}

impl WeekLine {
    /// Whether every figure is 0.
    pub fn is_zero(&self) -> bool {
        self.received == 0 && self.on_time == 0 && self.late == 0 && self.overdue == 0
    }
}

/// Per unit: received in [`from`, `to`), answered in it on time and late (the answer's
/// date in Vietnam against the reply due date, as the counters judge it), and open
/// overdue at `today`. Three index range scans, one row per unit that has any.
pub async fn week_lines(
    conn: &mut AsyncPgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    today: NaiveDate,
) -> QueryResult<Vec<WeekLine>> {
    diesel::sql_query(concat!(
        "SELECT unit_id, sum(r)::bigint AS received, sum(o)::bigint AS on_time,
                sum(l)::bigint AS late, sum(d)::bigint AS overdue FROM (
           SELECT unit_id, count(*) AS r, 0 AS o, 0 AS l, 0 AS d FROM tickets
           WHERE received_at >= $1 AND received_at < $2 GROUP BY unit_id
           UNION ALL
           SELECT unit_id, 0,
                  count(*) FILTER (WHERE (answered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= reply_due),
                  count(*) FILTER (WHERE (answered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date > reply_due),
                  0
           FROM tickets WHERE answered_at >= $1 AND answered_at < $2 GROUP BY unit_id
           UNION ALL
           SELECT unit_id, 0, 0, 0, count(*) FROM tickets
           WHERE ",
        open_status_sql!(),
        " AND reply_due < $3 GROUP BY unit_id
         ) x GROUP BY unit_id ORDER BY unit_id",
    ))
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .bind::<Date, _>(today)
    .load(conn)
    .await
}

/// Records which mail each claimed digest became, and the mail's one-click unsubscribe
/// link: two statements for a whole batch.
pub async fn attach_mail(
    conn: &mut AsyncPgConnection,
    kind: DigestKind,
    period: NaiveDate,
    sent: &[(i32, i64, String)],
) -> QueryResult<()> {
    if sent.is_empty() {
        return Ok(());
    }
    let users: Vec<i32> = sent.iter().map(|s| s.0).collect();
    let ids: Vec<i64> = sent.iter().map(|s| s.1).collect();
    let links: Vec<String> = sent.iter().map(|s| s.2.clone()).collect();
    diesel::sql_query(
        "UPDATE digests_sent d SET outbox_id = x.outbox_id
         FROM unnest($1::int[], $2::bigint[]) AS x(user_id, outbox_id)
         WHERE d.user_id = x.user_id AND d.kind = $3 AND d.period_start = $4",
    )
    .bind::<Array<Integer>, _>(&users)
    .bind::<Array<BigInt>, _>(&ids)
    .bind::<Text, _>(kind.as_str())
    .bind::<Date, _>(period)
    .execute(conn)
    .await?;
    diesel::sql_query(
        "UPDATE outbox o SET list_unsubscribe = x.link
         FROM unnest($1::bigint[], $2::text[]) AS x(id, link) WHERE o.id = x.id",
    )
    .bind::<Array<BigInt>, _>(&ids)
    .bind::<Array<Text>, _>(&links)
    .execute(conn)
    .await?;
    Ok(())
}

/// A user's two switches (daily, weekly).
pub async fn switches(conn: &mut AsyncPgConnection, user_id: i32) -> QueryResult<(bool, bool)> {
    users::table
        .find(user_id)
        .select((users::digest_daily, users::digest_weekly))
        .first(conn)
        .await
}

/// Sets both switches; returns the ones before (`None`: no such user). Locks the row.
pub async fn set_switches(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    daily: bool,
    weekly: bool,
) -> QueryResult<Option<(bool, bool)>> {
    let before: Option<(bool, bool)> = users::table
        .find(user_id)
        .select((users::digest_daily, users::digest_weekly))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    if before.is_some() {
        diesel::update(users::table.find(user_id))
            .set((
                users::digest_daily.eq(daily),
                users::digest_weekly.eq(weekly),
            ))
            .execute(conn)
            .await?;
    }
    Ok(before)
}

/// Turns digest `kind` of `user_id` off; whether it was on.
pub async fn switch_off(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    kind: DigestKind,
) -> QueryResult<bool> {
    let n = match kind {
        DigestKind::Daily => {
            diesel::update(users::table.find(user_id).filter(users::digest_daily))
                .set(users::digest_daily.eq(false))
                .execute(conn)
                .await?
        }
        DigestKind::Weekly => {
            diesel::update(users::table.find(user_id).filter(users::digest_weekly))
                .set(users::digest_weekly.eq(false))
                .execute(conn)
                .await?
        }
    };
    Ok(n > 0)
}

/// The digests recorded for a user (tests and operators): (kind, period, outbox id).
pub async fn sent_of(
    conn: &mut AsyncPgConnection,
    user_id: i32,
) -> QueryResult<Vec<(DigestKind, NaiveDate, Option<i64>)>> {
    digests_sent::table
        .filter(digests_sent::user_id.eq(user_id))
        .order((digests_sent::kind, digests_sent::period_start))
        .select((
            digests_sent::kind,
            digests_sent::period_start,
            digests_sent::outbox_id,
        ))
        .load(conn)
        .await
}

/// Whether a mail carries a List-Unsubscribe link (tests).
pub async fn unsubscribe_link(
    conn: &mut AsyncPgConnection,
    outbox_id: i64,
) -> QueryResult<Option<String>> {
    outbox::table
        .find(outbox_id)
        .select(outbox::list_unsubscribe)
        .first(conn)
        .await
}
