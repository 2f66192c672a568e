//! One person's data, found by the phone number or email they filed with: their PAKN,
//! the messages exchanged on them, their files, and the correction of their contact
//! details. For data-subject requests (export, correction, erasure).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::schema::{attachments, ratings, replies, ticket_events, tickets};

/// How a person is found: the contact of their request, normalised (phone digits, or an
/// email in lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Person {
    Phone(String),
    Email(String),
}

impl Person {
    /// The person of a stored contact (`privacy_requests.contact`).
    pub fn of_contact(contact: &str) -> Person {
        if contact.contains('@') {
            Person::Email(contact.to_lowercase())
        } else {
            Person::Phone(contact.to_string())
        }
    }
}

/// A PAKN of the person, with everything they gave.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = tickets)]
pub struct PersonTicket {
    pub id: i64,
    pub code: String,
    pub status: String,
    pub channel: String,
    pub submitter_kind: String,
    pub full_name: Option<String>,
    pub organization: Option<String>,
    pub representative: Option<String>,
    pub address: String,
    pub commune: Option<String>,
    pub phone: String,
    pub email: Option<String>,
    pub kind: String,
    pub field_code: String,
    pub dossier_code: Option<String>,
    pub title: String,
    pub content: String,
    pub proposal: Option<String>,
    pub publish_consent: bool,
    pub received_at: DateTime<Utc>,
    pub reply_due: NaiveDate,
    pub answered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub anonymized_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub unit_id: i32,
}

/// Every PAKN filed with the person's phone or email, oldest first (anonymised ones
/// too: they no longer hold the contact, so they are not found).
pub async fn tickets_of(
    conn: &mut AsyncPgConnection,
    person: &Person,
) -> QueryResult<Vec<PersonTicket>> {
    let q = tickets::table
        .select(PersonTicket::as_select())
        .into_boxed();
    let q = match person {
        Person::Phone(p) => q.filter(tickets::phone.eq(p.clone())),
        // Emails are stored in lower case (the filing and the correction normalise
        // them), so the partial index `tickets_email` serves the lookup; an index on
        // lower(email) would cost every filing a write for a rare admin action.
        Person::Email(e) => q.filter(tickets::email.eq(e.to_lowercase())),
    };
    q.order((tickets::received_at, tickets::id))
        .load(conn)
        .await
}

/// A message on a PAKN the person can see: theirs, and what staff told them.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = ticket_events)]
pub struct Message {
    #[serde(skip)]
    pub ticket_id: i64,
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub event: String,
    pub to_status: Option<String>,
    pub body: Option<String>,
}

/// The citizen's own events and the public ones (what their track page shows) of
/// tickets `ids`, in order.
pub async fn messages_of(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Message>> {
    ticket_events::table
        .filter(ticket_events::ticket_id.eq_any(ids))
        .filter(
            ticket_events::actor_kind
                .eq("citizen")
                .or(ticket_events::public.eq(true)),
        )
        .order((ticket_events::ticket_id, ticket_events::id))
        .select(Message::as_select())
        .load(conn)
        .await
}

/// An approved reply (the answer the person got).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = replies)]
pub struct Reply {
    #[serde(skip)]
    pub ticket_id: i64,
    pub body: String,
    pub number_symbol: Option<String>,
    pub reply_date: Option<NaiveDate>,
    pub signer: Option<String>,
}

pub async fn replies_of(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Reply>> {
    replies::table
        .filter(replies::ticket_id.eq_any(ids))
        .filter(replies::state.eq("approved"))
        .order((replies::ticket_id, replies::id))
        .select(Reply::as_select())
        .load(conn)
        .await
}

/// The person's rating of an answer.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = ratings)]
pub struct Rating {
    #[serde(skip)]
    pub ticket_id: i64,
    pub rating: String,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

pub async fn ratings_of(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Rating>> {
    ratings::table
        .filter(ratings::ticket_id.eq_any(ids))
        .order((ratings::ticket_id, ratings::at))
        .select(Rating::as_select())
        .load(conn)
        .await
}

/// A file of the person's PAKN: theirs, or the reply's (not staff's internal files).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attachments)]
pub struct File {
    pub id: i64,
    pub ticket_id: i64,
    pub origin: String,
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

pub async fn files_of(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<File>> {
    attachments::table
        .filter(attachments::ticket_id.eq_any(ids))
        .filter(attachments::origin.eq_any(["citizen", "reply"]))
        .order((attachments::ticket_id, attachments::id))
        .select(File::as_select())
        .load(conn)
        .await
}

/// A ticket's contact details, as corrected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// The individual's full name, or the organisation's representative.
    pub name: String,
    pub email: Option<String>,
    pub phone: String,
    pub address: String,
}

/// The contact details of ticket `id`, locked for the caller's transaction, with its
/// submitter kind and the other parts of its search text.
pub async fn lock_contact(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> QueryResult<Option<(PersonTicket, Option<String>, Option<String>)>> {
    tickets::table
        .find(id)
        .select((
            PersonTicket::as_select(),
            tickets::subject_agency,
            tickets::procedure_name,
        ))
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Writes corrected contact details and the search text that goes with them.
pub async fn set_contact(
    conn: &mut AsyncPgConnection,
    id: i64,
    individual: bool,
    c: &Contact,
    search_text: &str,
) -> QueryResult<usize> {
    let t = tickets::table.find(id);
    let common = (
        tickets::email.eq(c.email.clone()),
        tickets::phone.eq(c.phone.clone()),
        tickets::address.eq(c.address.clone()),
        tickets::search_text.eq(search_text),
        tickets::updated_at.eq(diesel::dsl::now),
    );
    if individual {
        diesel::update(t)
            .set((tickets::full_name.eq(c.name.clone()), common))
            .execute(conn)
            .await
    } else {
        diesel::update(t)
            .set((tickets::representative.eq(c.name.clone()), common))
            .execute(conn)
            .await
    }
}
