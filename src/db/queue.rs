//! The staff queue: filtered, searched, keyset-paginated lists of tickets, and the
//! counts shown beside them (from the sharded counters and the open-tickets index, never
//! a `count(*)` over the table).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::prepared::{paged, prepared, skipping};
use super::schema::tickets;
use super::statuses::OPEN_STATUS_SQL;
use crate::domain::access::ConfidentialReach;
use crate::domain::feedback::{Channel, FeedbackKind};
use crate::domain::search::SearchTerm;
use crate::domain::status::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueFilter {
    Overdue,
    Soon,
    /// Answered with consent to publish, no public copy, past the publication deadline.
    Publication,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    User(i32),
    Nobody,
}

/// A position in the list: the last row shown (received_at, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub received_at: DateTime<Utc>,
    pub id: i64,
}

impl Cursor {
    /// `<microseconds since epoch>.<id>`: opaque, URL-safe.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.received_at.timestamp_micros(), self.id)
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let (micros, id) = s.split_once('.')?;
        Some(Cursor {
            received_at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            id: id.parse().ok()?,
        })
    }
}

/// What the queue is ordered by (each with the row id last, so that the order is total).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// The due date that matters for the status ([`WORK_DUE_SQL`]).
    Due,
    Received,
    Code,
    /// In the order of the workflow, then by due date.
    Status,
    /// A word search's best matches first (`db::queue_search`); newest first here,
    /// where no words rank the rows.
    Relevance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    /// Whether the rows come newest first (the order the keyset cursor pages and word
    /// searches walk).
    pub fn newest_first(self) -> bool {
        matches!(
            (self.key, self.descending),
            (SortKey::Received, true) | (SortKey::Relevance, _)
        )
    }
}

impl Default for Sort {
    /// Newest first (the keyset cursor pages this order).
    fn default() -> Sort {
        Sort {
            key: SortKey::Received,
            descending: true,
        }
    }
}

/// Which PAKN by where they stand: open work, finished ones, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Openness {
    #[default]
    All,
    Open,
    Finished,
}

/// The due date that matters for a PAKN's status: the acceptance deadline while it waits
/// to be accepted, the reply deadline after (indexed for open PAKN by migration 000045).
pub const WORK_DUE_SQL: &str =
    "(CASE WHEN status = 'submitted' THEN accept_due ELSE reply_due END)";

/// The statuses in the order of the workflow (the "status" column sorts by it).
const STATUS_ORDER_SQL: &str = "array_position(ARRAY['submitted', 'needs_info', 'accepted', \
     'in_progress', 'pending_approval', 'answered', 'closed', 'transferred', 'rejected', \
     'out_of_scope']::text[], status::text)";

#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub term: Option<SearchTerm>,
    pub status: Option<Status>,
    pub field: Option<String>,
    pub unit: Option<i32>,
    pub assignee: Option<AssigneeFilter>,
    pub due: Option<DueFilter>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub spam_only: bool,
    /// The report's figures link to the PAKN they count (issue 18): by content
    /// category, channel and kind, by the date of the (latest) answer, and by whether it
    /// came by the reply deadline.
    pub category: Option<String>,
    pub channel: Option<Channel>,
    pub kind: Option<FeedbackKind>,
    pub answered_from: Option<DateTime<Utc>>,
    pub answered_to: Option<DateTime<Utc>>,
    pub outcome: Option<AnswerOutcome>,
    /// PAKN that saw a fact of the report (accepted, withdrawn, rated, …), between
    /// `fact_from` and `fact_to` when given (by the date it happened).
    pub fact: Option<Fact>,
    pub fact_from: Option<DateTime<Utc>>,
    pub fact_to: Option<DateTime<Utc>>,
    /// Keyset paging, for the newest-first order only.
    pub after: Option<Cursor>,
    pub state: Openness,
    pub sort: Sort,
    /// Rows skipped (page N of an order other than newest first).
    pub offset: i64,
}

/// Whether a PAKN was answered by its reply deadline (its latest answer's date in
/// Vietnam against `reply_due`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerOutcome {
    OnTime,
    Late,
}

/// A fact of the report's timeline (`pakn_report_truth`, migration 000047) a PAKN saw:
/// the report's figures link to the PAKN they count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    Accepted,
    Refused,
    OutOfScope,
    Transferred,
    Withdrawn,
    InfoRequested,
    Reopened,
    Satisfied,
    Neutral,
    Unsatisfied,
    Published,
}

impl Fact {
    pub const ALL: [Fact; 11] = [
        Fact::Accepted,
        Fact::Refused,
        Fact::OutOfScope,
        Fact::Transferred,
        Fact::Withdrawn,
        Fact::InfoRequested,
        Fact::Reopened,
        Fact::Satisfied,
        Fact::Neutral,
        Fact::Unsatisfied,
        Fact::Published,
    ];

    /// The report's figure id, which is also the link's value.
    pub fn code(self) -> &'static str {
        match self {
            Fact::Accepted => "accepted",
            Fact::Refused => "refused",
            Fact::OutOfScope => "out_of_scope",
            Fact::Transferred => "transferred",
            Fact::Withdrawn => "withdrawn",
            Fact::InfoRequested => "info_requested",
            Fact::Reopened => "reopened",
            Fact::Satisfied => "satisfied",
            Fact::Neutral => "neutral",
            Fact::Unsatisfied => "unsatisfied",
            Fact::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<Fact> {
        Fact::ALL.into_iter().find(|f| f.code() == s)
    }

    /// The timeline entries (`ticket_events e`) of the fact, as the report counts them.
    fn sql(self) -> &'static str {
        match self {
            Fact::Accepted => "e.event = 'accept'",
            Fact::Refused => "e.to_status = 'rejected'",
            Fact::OutOfScope => "e.to_status = 'out_of_scope'",
            Fact::Transferred => "e.to_status = 'transferred'",
            Fact::Withdrawn => "e.event = 'withdraw'",
            Fact::InfoRequested => "e.event = 'ask_info'",
            Fact::Reopened => "e.event = 'reopen'",
            Fact::Satisfied => "e.event = 'rating' AND e.data ->> 'rating' = 'satisfied'",
            Fact::Neutral => "e.event = 'rating' AND e.data ->> 'rating' = 'neutral'",
            Fact::Unsatisfied => "e.event = 'rating' AND e.data ->> 'rating' = 'unsatisfied'",
            Fact::Published => "e.event = 'publish'",
        }
    }
}

/// The answer's date against the reply deadline, as SQL.
const ANSWERED_ON_TIME_SQL: &str =
    "(answered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= reply_due";

/// What the user may see: every unit, or one; and the default time window of searches.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope {
    pub unit: Option<i32>,
    pub since: Option<DateTime<Utc>>,
    /// Whose confidential PAKN a word search may find (their content is readable only
    /// by leaders and the handling unit).
    pub confidential: ConfidentialReach,
}

/// Dates the due filters compare with (local dates, from the calendar).
#[derive(Debug, Clone, Copy)]
pub struct DueDates {
    pub today: NaiveDate,
    /// The last due date that counts as "due soon".
    pub soon_until: NaiveDate,
    /// Answers given before this moment are late for publication.
    pub publication_late_before: DateTime<Utc>,
}

/// One line of the queue: names but no phone, email or address.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct QueueRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub status: Status,
    pub full_name: Option<String>,
    pub organization: Option<String>,
    pub kind: FeedbackKind,
    pub field_code: String,
    pub unit_id: i32,
    pub assignee_id: Option<i32>,
    pub channel: Channel,
    pub received_at: DateTime<Utc>,
    pub accept_due: NaiveDate,
    pub reply_due: NaiveDate,
    pub suspected_spam: bool,
    pub confidential: bool,
}

type QueueQuery<'a> = tickets::BoxedQuery<
    'a,
    diesel::pg::Pg,
    diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<QueueRow, diesel::pg::Pg>>,
>;

/// How the words of a search are applied.
pub(super) enum Words {
    /// Test each row walked against the tsquery (and dossier code).
    Match(Option<String>, Option<String>),
    /// The same test, written so that the planner cannot answer it with the GIN index
    /// (a bitmap of every match, then sorted): for a walk of the newest rows bounded by
    /// a limit, on words known to be common.
    Walk(Option<String>, Option<String>),
    /// The rows are among these ids (found through the GIN index).
    Among(Vec<i64>),
}

/// A search walks at most this many of the newest tickets in scope before it asks the
/// GIN index instead.
pub const SEARCH_WINDOW: i64 = 3000;
/// Past this many matches the GIN path gives way to an unbounded walk.
pub const MAX_MATCH_IDS: i64 = 20_000;

fn build<'a>(
    filter: &QueueFilter,
    scope: Scope,
    due: DueDates,
    words: Option<&Words>,
    cutoff: Option<DateTime<Utc>>,
) -> QueueQuery<'a> {
    let q: QueueQuery<'a> = tickets::table.select(QueueRow::as_select()).into_boxed();
    let mut q = filtered(q, filter, scope, due, words, cutoff);
    if let (Some(after), true) = (filter.after, filter.sort.newest_first()) {
        q = q.filter(before_cursor(after));
    }
    ordered(q, filter.sort)
}

/// `q` in `sort`'s order; the default order (due date, ascending) is served by the
/// indexes of migration 000045 for open PAKN.
fn ordered(q: QueueQuery<'_>, sort: Sort) -> QueueQuery<'_> {
    let due = || sql::<Date>(WORK_DUE_SQL);
    let by_status = || sql::<Integer>(STATUS_ORDER_SQL);
    match (sort.key, sort.descending) {
        (SortKey::Received, true) | (SortKey::Relevance, _) => {
            q.order((tickets::received_at.desc(), tickets::id.desc()))
        }
        (SortKey::Received, false) => q.order((tickets::received_at.asc(), tickets::id.asc())),
        (SortKey::Due, false) => q.order((due().asc(), tickets::id.asc())),
        (SortKey::Due, true) => q.order((due().desc(), tickets::id.desc())),
        (SortKey::Code, false) => q.order(tickets::code.asc()),
        (SortKey::Code, true) => q.order(tickets::code.desc()),
        (SortKey::Status, false) => q.order((by_status().asc(), due().asc(), tickets::id.asc())),
        (SortKey::Status, true) => q.order((by_status().desc(), due().asc(), tickets::id.asc())),
    }
}

/// The filters and the scope on any selection of tickets (the rows, or their ids to
/// count).
pub(super) fn filtered<'a, ST: 'static>(
    mut q: tickets::BoxedQuery<'a, diesel::pg::Pg, ST>,
    filter: &QueueFilter,
    scope: Scope,
    due: DueDates,
    words: Option<&Words>,
    cutoff: Option<DateTime<Utc>>,
) -> tickets::BoxedQuery<'a, diesel::pg::Pg, ST> {
    let exact = filter.term.as_ref().is_some_and(SearchTerm::is_exact);
    if let Some(unit) = scope.unit {
        q = q.filter(tickets::unit_id.eq(unit));
    }
    if let (Some(since), Some(_), false) = (scope.since, &filter.term, exact) {
        q = q.filter(tickets::received_at.ge(since));
    }
    match &filter.term {
        Some(SearchTerm::Code(code)) => q = q.filter(tickets::code.eq(code.as_str().to_string())),
        Some(SearchTerm::Phone(phone)) => {
            let digits = phone.as_str().to_string();
            q = q.filter(
                tickets::phone
                    .eq(digits.clone())
                    .or(tickets::code.eq(digits)),
            );
        }
        _ => {}
    }
    match words {
        Some(Words::Among(ids)) => q = q.filter(tickets::id.eq_any(ids.clone())),
        Some(Words::Match(Some(ts), Some(d))) => {
            q = q.filter(
                sql::<Bool>("(search_tsv @@ to_tsquery('simple', ")
                    .bind::<Text, _>(ts.clone())
                    .sql(") OR dossier_code = ")
                    .bind::<Text, _>(d.clone())
                    .sql(")"),
            )
        }
        Some(Words::Match(Some(ts), None)) => {
            q = q.filter(
                sql::<Bool>("search_tsv @@ to_tsquery('simple', ")
                    .bind::<Text, _>(ts.clone())
                    .sql(")"),
            )
        }
        Some(Words::Match(None, Some(d))) => q = q.filter(tickets::dossier_code.eq(d.clone())),
        Some(Words::Walk(Some(ts), d)) => {
            q = q.filter(
                sql::<Bool>("(coalesce(search_tsv @@ to_tsquery('simple', ")
                    .bind::<Text, _>(ts.clone())
                    .sql("), false) OR dossier_code = ")
                    .bind::<Nullable<Text>, _>(d.clone())
                    .sql(")"),
            )
        }
        Some(Words::Walk(None, Some(d))) => q = q.filter(tickets::dossier_code.eq(d.clone())),
        Some(Words::Match(None, None) | Words::Walk(None, None)) | None => {}
    }
    // A search on its words or on a phone number skips a confidential PAKN for those who
    // may not read it: a hit would tell what it says or who sent it. A code search still
    // finds it (that it exists is all they see).
    let phone = matches!(filter.term, Some(SearchTerm::Phone(_)));
    if words.is_some() || phone {
        match scope.confidential {
            ConfidentialReach::All => {}
            ConfidentialReach::Unit(unit) => {
                q = q.filter(
                    tickets::confidential
                        .eq(false)
                        .or(tickets::unit_id.eq(unit)),
                )
            }
            ConfidentialReach::None => q = q.filter(tickets::confidential.eq(false)),
        }
    }
    if let Some(cutoff) = cutoff {
        q = q.filter(tickets::received_at.ge(cutoff));
    }
    if let Some(status) = filter.status {
        // Written into the text (one of the statuses' names): bound, the status made
        // Postgres plan the page again on every call, as a bound LIMIT did (see
        // `prepared::paged`).
        q = q.filter(sql::<Bool>(&format!("status = '{}'", status.as_str())));
    }
    if let Some(field) = &filter.field {
        q = q.filter(tickets::field_code.eq(field.clone()));
    }
    if let Some(unit) = filter.unit {
        q = q.filter(tickets::unit_id.eq(unit));
    }
    match filter.assignee {
        Some(AssigneeFilter::User(id)) => q = q.filter(tickets::assignee_id.eq(id)),
        Some(AssigneeFilter::Nobody) => q = q.filter(tickets::assignee_id.is_null()),
        None => {}
    }
    match filter.due {
        Some(DueFilter::Overdue) => {
            q = q
                .filter(sql::<Bool>(OPEN_STATUS_SQL))
                .filter(tickets::reply_due.lt(due.today));
        }
        Some(DueFilter::Soon) => {
            q = q
                .filter(sql::<Bool>(OPEN_STATUS_SQL))
                .filter(tickets::reply_due.ge(due.today))
                .filter(tickets::reply_due.le(due.soon_until));
        }
        Some(DueFilter::Publication) => {
            q = q
                .filter(sql::<Bool>(super::reminders::PUBLICATION_CLOCK_SQL))
                .filter(tickets::answered_at.lt(due.publication_late_before));
        }
        None => {}
    }
    if let Some(from) = filter.from {
        q = q.filter(tickets::received_at.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(tickets::received_at.lt(to));
    }
    if filter.spam_only {
        q = q.filter(tickets::suspected_spam);
    }
    q = report_filters(q, filter);
    match filter.state {
        Openness::All => {}
        Openness::Open => q = q.filter(sql::<Bool>(OPEN_STATUS_SQL)),
        Openness::Finished => q = q.filter(sql::<Bool>(concat!("NOT ", open_status_sql!()))),
    }
    q
}

/// The filters the report's links add ([`QueueFilter::category`] and after).
fn report_filters<'a, ST: 'static>(
    mut q: tickets::BoxedQuery<'a, diesel::pg::Pg, ST>,
    filter: &QueueFilter,
) -> tickets::BoxedQuery<'a, diesel::pg::Pg, ST> {
    if let Some(category) = &filter.category {
        q = q.filter(tickets::content_category.eq(category.clone()));
    }
    if let Some(channel) = filter.channel {
        q = q.filter(tickets::channel.eq(channel));
    }
    if let Some(kind) = filter.kind {
        q = q.filter(tickets::kind.eq(kind));
    }
    if let Some(from) = filter.answered_from {
        q = q.filter(tickets::answered_at.ge(from));
    }
    if let Some(to) = filter.answered_to {
        q = q.filter(tickets::answered_at.lt(to));
    }
    match filter.outcome {
        Some(AnswerOutcome::OnTime) => q = q.filter(sql::<Bool>(ANSWERED_ON_TIME_SQL)),
        Some(AnswerOutcome::Late) => {
            q = q.filter(sql::<Bool>(concat!(
                "answered_at IS NOT NULL AND NOT ",
                "((answered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= reply_due)"
            )))
        }
        None => {}
    }
    if let Some(fact) = filter.fact {
        let seen = sql::<Bool>(
            "EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = tickets.id AND ",
        )
        .sql(fact.sql())
        .sql(" AND e.at >= coalesce(")
        .bind::<Nullable<Timestamptz>, _>(filter.fact_from)
        .sql(", '-infinity'::timestamptz) AND e.at < coalesce(")
        .bind::<Nullable<Timestamptz>, _>(filter.fact_to)
        .sql(", 'infinity'::timestamptz))");
        q = q.filter(seen);
    }
    q
}

/// The rows of `q` from `offset` on, up to `limit`, and whether more follow.
async fn page(
    conn: &mut &AsyncPgConnection,
    q: QueueQuery<'_>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<QueueRow>, bool)> {
    let mut rows: Vec<QueueRow> = paged(q, limit + 1, offset).load(conn).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// A page of the queue and whether more follow.
///
/// A word search first walks the newest [`SEARCH_WINDOW`] tickets in scope (common
/// words fill a page there in a few milliseconds); when they do not fill the page, the
/// GIN index gives every match (rare words: a fraction of a millisecond). Postgres
/// cannot choose between the two itself: prefix queries and small vocabularies defeat
/// its estimates (3.6 s for a word that matched nothing, at 1,000,000 tickets).
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &QueueFilter,
    scope: Scope,
    due: DueDates,
    limit: i64,
) -> QueryResult<(Vec<QueueRow>, bool)> {
    list_with_window(conn, filter, scope, due, limit, SEARCH_WINDOW).await
}

/// A page of the queue without words (its statuses, dates, unit, handler and sorts) and
/// whether more follow: [`list`]'s one statement, on a shared connection so that the
/// page's other reads go in the same round trip (pipelined).
pub async fn unworded_page(
    conn: &mut &AsyncPgConnection,
    filter: &QueueFilter,
    scope: Scope,
    due: DueDates,
    limit: i64,
) -> QueryResult<(Vec<QueueRow>, bool)> {
    debug_assert!(!matches!(filter.term, Some(SearchTerm::Words { .. })));
    page(
        conn,
        build(filter, scope, due, None, None),
        limit,
        filter.offset,
    )
    .await
}

/// [`list`] with the search window given (tests use a tiny one to take both paths).
pub async fn list_with_window(
    conn: &mut AsyncPgConnection,
    filter: &QueueFilter,
    scope: Scope,
    due: DueDates,
    limit: i64,
    window: i64,
) -> QueryResult<(Vec<QueueRow>, bool)> {
    let found = find(&mut &*conn, filter, scope, due, limit, window).await?;
    Ok((found.rows, found.more))
}

/// A page of the queue, and how its words were matched.
pub(super) struct Found {
    pub rows: Vec<QueueRow>,
    /// Whether more rows follow.
    pub more: bool,
    /// Every ticket matching the words (in any scope), when the GIN index was asked.
    pub among: Option<Vec<i64>>,
}

/// [`list_with_window`], saying whether the GIN index gave the matches.
pub(super) async fn find(
    conn: &mut &AsyncPgConnection,
    filter: &QueueFilter,
    scope: Scope,
    due: DueDates,
    limit: i64,
    window: i64,
) -> QueryResult<Found> {
    let found = |(rows, more), among| Found { rows, more, among };
    let Some(SearchTerm::Words { query, dossier }) = &filter.term else {
        return Ok(found(
            unworded_page(conn, filter, scope, due, limit).await?,
            None,
        ));
    };
    let ts = query.tsquery();
    let matching = Words::Match(ts.clone(), dossier.clone());
    // The window is of the newest tickets: another order, or no window (words known to
    // be rare), asks the GIN index at once. The walk is forced: left to choose, the
    // planner took a bitmap of every match of a synonym group's phrases (34 ms instead
    // of 5 at 1,000,000 PAKN).
    if filter.sort.newest_first() && window > 0 {
        let walk = Words::Walk(ts.clone(), dossier.clone());
        let window = window + filter.offset.max(0);
        let unit = scope.unit.or(filter.unit);
        let Some(cutoff) = window_cutoff(conn, unit, filter.after, window).await? else {
            // Fewer tickets in scope than the window: walking them all is cheap.
            let q = build(filter, scope, due, Some(&walk), None);
            return Ok(found(page(conn, q, limit, filter.offset).await?, None));
        };
        let q = build(filter, scope, due, Some(&walk), Some(cutoff));
        let (rows, more) = page(conn, q, limit, filter.offset).await?;
        if more {
            return Ok(found((rows, more), None));
        }
    }
    match match_ids(conn, ts.as_deref(), dossier.as_deref()).await? {
        Some(ids) => {
            let q = build(filter, scope, due, Some(&Words::Among(ids.clone())), None);
            Ok(found(page(conn, q, limit, filter.offset).await?, Some(ids)))
        }
        None => {
            let q = build(filter, scope, due, Some(&matching), None);
            Ok(found(page(conn, q, limit, filter.offset).await?, None))
        }
    }
}

/// How many rows `filter` finds in scope, counted up to `bound` (past it, `bound + 1`);
/// `None` for a word search, whose count would cost what its two paths avoid.
pub async fn count_up_to(
    conn: &mut AsyncPgConnection,
    filter: &QueueFilter,
    scope: Scope,
    due: DueDates,
    bound: i64,
) -> QueryResult<Option<i64>> {
    if matches!(filter.term, Some(SearchTerm::Words { .. })) {
        return Ok(None);
    }
    let q = tickets::table.select(tickets::id).into_boxed();
    let ids: Vec<i64> = paged(filtered(q, filter, scope, due, None, None), bound + 1, 0)
        .load(conn)
        .await?;
    Ok(Some(ids.len() as i64))
}

/// The tickets of these codes a bulk action works on.
pub async fn bulk_targets(
    conn: &mut AsyncPgConnection,
    codes: &[String],
) -> QueryResult<Vec<BulkTarget>> {
    tickets::table
        .filter(tickets::code.eq_any(codes))
        .select(BulkTarget::as_select())
        .order(tickets::code)
        .load(conn)
        .await
}

/// What a bulk accept or assign needs of a ticket.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct BulkTarget {
    pub id: i64,
    pub code: String,
    pub field_code: String,
    pub kind: FeedbackKind,
    pub procedure_name: Option<String>,
    pub unit_id: i32,
    pub assignee_id: Option<i32>,
}

/// A staff account as the queue shows it: the handler column names it, the bulk bar
/// offers it when it is active and handles PAKN.
#[derive(Debug, Clone)]
pub struct StaffName {
    pub id: i32,
    pub name: String,
    pub unit_id: Option<i32>,
    /// Active, and a leader or an officer.
    pub handles: bool,
}

/// A `users` row as [`staff`] reads it.
type UserLine = (i32, String, Vec<String>, Option<i32>, bool);

/// Every staff account, by name (a few hundred at most: one small read per page).
pub async fn staff(conn: &mut &AsyncPgConnection) -> QueryResult<Vec<StaffName>> {
    use super::schema::users;
    let rows: Vec<UserLine> = users::table
        .order((users::name, users::id))
        .select((
            users::id,
            users::name,
            users::roles,
            users::unit_id,
            users::active,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, roles, unit_id, active)| StaffName {
            id,
            name,
            unit_id,
            handles: active && roles.iter().any(|r| r == "leader" || r == "officer"),
        })
        .collect())
}

/// Rows after `after` in the newest-first order (`(received_at, id)` below the cursor).
pub(super) fn before_cursor(
    after: Cursor,
) -> diesel::expression::SqlLiteral<Bool, impl diesel::query_builder::QueryFragment<diesel::pg::Pg>>
{
    sql::<Bool>("(received_at, id) < (")
        .bind::<Timestamptz, _>(after.received_at)
        .sql(", ")
        .bind::<BigInt, _>(after.id)
        .sql(")")
}

/// The received_at of the [`SEARCH_WINDOW`]-th newest ticket in scope after the cursor;
/// `None` when there are fewer.
pub(super) async fn window_cutoff(
    conn: &mut &AsyncPgConnection,
    unit: Option<i32>,
    after: Option<Cursor>,
    window: i64,
) -> QueryResult<Option<DateTime<Utc>>> {
    let mut q = tickets::table.select(tickets::received_at).into_boxed();
    if let Some(unit) = unit {
        q = q.filter(tickets::unit_id.eq(unit));
    }
    if let Some(after) = after {
        q = q.filter(before_cursor(after));
    }
    skipping(
        q.order((tickets::received_at.desc(), tickets::id.desc())),
        window,
        1,
    )
    .get_result(conn)
    .await
    .optional()
}

/// Every ticket matching the words or the dossier code, through the GIN index; `None`
/// past [`MAX_MATCH_IDS`].
pub(super) async fn match_ids(
    conn: &mut &AsyncPgConnection,
    ts: Option<&str>,
    dossier: Option<&str>,
) -> QueryResult<Option<Vec<i64>>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let ids: Vec<Id> = prepared(diesel::sql_query(
        "(SELECT id FROM tickets WHERE search_tsv @@ to_tsquery('simple', coalesce($1, '')) LIMIT $3)
         UNION
         (SELECT id FROM tickets WHERE dossier_code = $2 LIMIT $3)",
    )
    .bind::<Nullable<Text>, _>(ts)
    .bind::<Nullable<Text>, _>(dossier)
    .bind::<BigInt, _>(MAX_MATCH_IDS + 1))
    .load(conn)
    .await?;
    Ok(((ids.len() as i64) <= MAX_MATCH_IDS).then(|| ids.into_iter().map(|i| i.id).collect()))
}

/// Tickets per status in a unit (or all units) and lĩnh vực (or all), summed over the
/// counter shards.
pub async fn counts_by_status(
    conn: &mut AsyncPgConnection,
    unit: Option<i32>,
    field: Option<&str>,
) -> QueryResult<Vec<(String, i64)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let rows: Vec<Row> = prepared(
        diesel::sql_query(
            "SELECT status, sum(n)::bigint AS n FROM ticket_counters
         WHERE ($1::int IS NULL OR unit_id = $1) AND ($2::text IS NULL OR field_code = $2)
           AND status NOT LIKE 'outcome:%'
         GROUP BY status",
        )
        .bind::<Nullable<Integer>, _>(unit)
        .bind::<Nullable<Text>, _>(field),
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.status, r.n)).collect())
}

/// Open tickets past their reply deadline, and due within the "soon" window.
pub async fn due_counts(
    conn: &mut AsyncPgConnection,
    unit: Option<i32>,
    due: DueDates,
) -> QueryResult<(i64, i64)> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        overdue: i64,
        #[diesel(sql_type = BigInt)]
        soon: i64,
    }
    let row: Row = prepared(
        diesel::sql_query(concat!(
            "SELECT count(*) FILTER (WHERE reply_due < $2) AS overdue,
                count(*) FILTER (WHERE reply_due >= $2 AND reply_due <= $3) AS soon
         FROM tickets
         WHERE ",
            open_status_sql!(),
            " AND ($1::int IS NULL OR unit_id = $1) AND reply_due <= $3",
        ))
        .bind::<Nullable<Integer>, _>(unit)
        .bind::<Date, _>(due.today)
        .bind::<Date, _>(due.soon_until),
    )
    .get_result(conn)
    .await?;
    Ok((row.overdue, row.soon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = Cursor {
            received_at: DateTime::from_timestamp_micros(1_764_150_000_123_456).expect("time"),
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("x.y"), None);
        assert_eq!(Cursor::decode(""), None);
    }
}
